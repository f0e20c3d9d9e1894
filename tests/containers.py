"""A container engine for the tests on machines without a Docker daemon or a registry.

`ensure_engine()` configures podman for this sandbox, makes the base images the generated
Dockerfiles start FROM (once per machine, cached in podman's storage) and returns a folder
holding a `docker` command that forwards to podman. Put that folder first on PATH and the
generated project's own `make docker-build`, `docker run` and `docker compose` run here.

Run `uv run python tests/containers.py` to make the base images ahead of the tests.

What it makes, all from Debian's packages, PyPI and this machine's own Python builds:
- `localhost/capstone-base:bookworm`: `debootstrap --variant=minbase bookworm` from the
  mirror apt already uses, with ca-certificates, the host's CA bundle (SSL_CERT_FILE)
  and the shared libraries CPython loads.
- `docker.io/library/python:3.1x-slim-bookworm`: that base plus CPython at /usr/local,
  copied from this machine's pyenv build of the version (bookworm itself ships only 3.11).
  A version with no build here is skipped, and `missing_pythons()` says why.
- `ghcr.io/astral-sh/uv:<version>`: the `uv` and `uvx` binaries of uv's PyPI wheel.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import hashlib
import inspect
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from bytecode import uv_cache

REPO = Path(__file__).resolve().parents[1]
PROJECT = REPO / "template" / "{{ cookiecutter.__dir }}"
PYTHONS = ("3.11", "3.12", "3.13")
BASE = "localhost/capstone-base:bookworm"
HOME = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ml-capstone-template"
STATE = HOME / "containers"
CONF = STATE / "containers.conf"
BIN = STATE / "bin"
HOST_CA = Path("/etc/ssl/certs/ca-certificates.crt")
IMAGE_CA = "/etc/ssl/certs/host-ca-bundle.pem"
BUILDAH_CACHE = Path("/var/tmp/buildah-cache")

# podman 4.3 in this sandbox: crun fails ("cgroups in hybrid mode not supported"), there is
# no systemd, and the default ulimits cannot be raised (setrlimit: Operation not permitted).
CONTAINERS_CONF = """\
# Written by tests/containers.py: podman settings that work in the template's sandbox.
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
init_path = "/usr/bin/catatonit"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
"""

# Shared libraries that CPython's extension modules load (ssl, sqlite3, ctypes, lzma, ...).
RUNTIME_PACKAGES = (
    "ca-certificates",
    "libssl3",
    "libsqlite3-0",
    "libffi8",
    "libbz2-1.0",
    "liblzma5",
    "zlib1g",
    "libreadline8",
    "libncursesw6",
    "libgdbm6",
    "libuuid1",
    "libexpat1",
)

# Parts of a CPython build that no image needs.
PYTHON_EXCLUDES = (
    "./lib/python3.*/site-packages/*",
    "./lib/python3.*/test",
    "./lib/python3.*/idlelib",
    "./lib/python3.*/tkinter",
    "./lib/python3.*/turtledemo",
    "./lib/python3.*/ensurepip",
    "*.opt-1.pyc",
    "*.opt-2.pyc",
    "./lib/python3.*/config-3.*/*.a",
    "./lib/*.a",
    "./share",
)

SHIM = """\
#!/bin/sh
# docker -> podman, written by tests/containers.py for the template's tests.
# Builds never pull (the base images are made locally) and keep HEALTHCHECK (docker format).
export CONTAINERS_CONF="{conf}"
export BUILDAH_FORMAT=docker
case "$1" in
  build) shift; exec podman build --pull=never --format docker "$@" ;;
  buildx) [ "$2" = build ] && {{ shift 2; exec podman build --pull=never --format docker "$@"; }} ;;
  compose) shift; exec "{compose}" "$@" ;;
esac
exec podman "$@"
"""


class EngineError(RuntimeError):
    """podman is missing or a base image could not be made; the message says what to do."""


def uv_version() -> str:
    """The uv version the generated Dockerfiles copy from `ghcr.io/astral-sh/uv`."""
    text = (PROJECT / "Dockerfile").read_text(encoding="utf-8")
    match = re.search(r"FROM ghcr\.io/astral-sh/uv:([\w.]+)", text)
    if match is None:
        raise EngineError("template Dockerfile: no `FROM ghcr.io/astral-sh/uv:<version>` line")
    return match.group(1)


def python_image(version: str) -> str:
    """The name the generated Dockerfiles use for a Python version's base image."""
    return f"docker.io/library/python:{version}-slim-bookworm"


def python_build(version: str) -> Path | None:
    """This machine's CPython build of a version (pyenv's), or None."""
    pattern = os.path.expanduser(f"~/.pyenv/versions/{version}.*/bin/python{version}")
    found = sorted(glob.glob(pattern))
    return Path(found[-1]).parents[1] if found else None


def missing_pythons() -> dict[str, str]:
    """Python versions the template offers that get no base image here, with the reason."""
    return {
        version: (
            f"no CPython {version} build on this machine (~/.pyenv/versions/{version}.*)"
            " and Debian bookworm packages only Python 3.11"
        )
        for version in PYTHONS
        if python_build(version) is None
    }


def engine_env() -> dict[str, str]:
    """The environment podman runs with here (the sandbox's containers.conf)."""
    return {**os.environ, "CONTAINERS_CONF": str(CONF), "BUILDAH_FORMAT": "docker"}


def podman(*args: str, stdin: bytes | None = None, check: bool = True) -> str:
    """Run podman with the sandbox's settings; its stdout."""
    result = subprocess.run(
        ["podman", *args], env=engine_env(), input=stdin, capture_output=True, check=False
    )
    if check and result.returncode != 0:
        output = (result.stdout + result.stderr).decode(errors="replace")
        raise EngineError(f"podman {' '.join(args[:3])} failed:\n{output[-4000:]}")
    return result.stdout.decode(errors="replace")


def image_exists(name: str) -> bool:
    result = subprocess.run(["podman", "image", "exists", name], env=engine_env(), check=False)
    return result.returncode == 0


RECIPE_LABEL = "org.capstone-template.recipe"


def recipe(*parts: object) -> str:
    """A digest of how a base image is made: a changed recipe makes the image again.

    The parts are the functions that make it (their source) and the values they read,
    so an image cached by an older checkout is not mistaken for the current one.
    """
    text = "\n".join(inspect.getsource(p) if callable(p) else repr(p) for p in parts)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def debian_recipe() -> str:
    return recipe(make_debian_base, RUNTIME_PACKAGES, HOST_CA.read_bytes())


def python_recipe(build: Path) -> str:
    return recipe(debian_recipe(), make_python_image, PYTHON_EXCLUDES, str(build.resolve()))


def is_current(name: str, digest: str) -> bool:
    """The image exists and was made by this recipe."""
    if not image_exists(name):
        return False
    label = podman("image", "inspect", "--format", f'{{{{index .Labels "{RECIPE_LABEL}"}}}}', name)
    return label.strip() == digest


def ensure_engine() -> Path:
    """Configure podman, make the base images once per machine; the folder of the `docker` shim."""
    # podman with the runtime, init and network helpers containers.conf names
    _binary("podman")
    _binary("runc")
    _binary("catatonit")
    _binary("netavark", folder="/usr/lib/podman")
    _binary("aardvark-dns", folder="/usr/lib/podman")
    STATE.mkdir(parents=True, exist_ok=True)
    write_if_changed(CONF, CONTAINERS_CONF)
    with locked(STATE / "bases.lock"):
        ensure_bases()
        share_uv_cache()
    BIN.mkdir(exist_ok=True)
    shim = SHIM.format(conf=CONF, compose=podman_compose())
    write_if_changed(BIN / "docker", shim)
    (BIN / "docker").chmod(0o755)
    return BIN


def share_uv_cache() -> None:
    """Builds' `--mount=type=cache,target=/root/.cache/uv` use this machine's uv cache.

    buildah keeps that cache mount in /var/tmp/buildah-cache/<target>; pointing it at uv's
    own cache means packages the projects' environments already fetched are not fetched
    again (and images build offline). uv locks its cache, so builds and hosts can share it.
    """
    mount = BUILDAH_CACHE / "root/.cache/uv"
    cache = uv_cache()
    cache.mkdir(parents=True, exist_ok=True)
    if mount.is_symlink() and mount.resolve() == cache.resolve():
        return
    if mount.is_symlink() or mount.is_file():
        mount.unlink()
    elif mount.is_dir():
        shutil.rmtree(mount)
    mount.parent.mkdir(parents=True, exist_ok=True)
    mount.symlink_to(cache)


def _binary(name: str, folder: str | None = None) -> str:
    """A program's path; a clear error naming the set-up script when it is missing."""
    found = shutil.which(name, path=folder)
    if found is None:
        raise EngineError(f"{name} is not installed: run `bash .ci/system-packages` (as root)")
    return found


def podman_compose() -> str:
    """podman-compose from the template's own environment (a dev dependency)."""
    beside = Path(sys.executable).with_name("podman-compose")
    found = beside if beside.exists() else shutil.which("podman-compose")
    if found is None:
        raise EngineError("podman-compose is missing: run `uv sync` in the template")
    return str(found)


def write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """One process at a time makes the base images (xdist workers and other sessions wait)."""
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_bases() -> None:
    if not is_current(BASE, debian_recipe()):
        make_debian_base()
    for version in PYTHONS:
        build = python_build(version)
        if build is not None and not is_current(python_image(version), python_recipe(build)):
            make_python_image(version, build)
    uv_image = f"ghcr.io/astral-sh/uv:{uv_version()}"
    if not image_exists(uv_image):
        make_uv_image(uv_image)


def debian_mirror() -> str:
    """The Debian mirror apt already uses on this machine (deb.debian.org otherwise)."""
    sources = [Path("/etc/apt/sources.list"), *Path("/etc/apt/sources.list.d").glob("*")]
    for source in sources:
        text = source.read_text(encoding="utf-8", errors="replace") if source.is_file() else ""
        for match in re.finditer(r"(?m)^(?:deb\s+(?:\[[^]]*\]\s+)?|URIs:\s*)(\S+)", text):
            uri = match.group(1).rstrip("/")
            if uri.endswith("/debian"):
                return uri
    return "http://deb.debian.org/debian"


def make_debian_base() -> None:
    """debootstrap a minimal bookworm with CPython's libraries; import it as BASE."""
    _binary("debootstrap")
    with tempfile.TemporaryDirectory(prefix="capstone-rootfs-") as tmp:
        rootfs = Path(tmp) / "rootfs"
        command = [
            "debootstrap",
            "--variant=minbase",
            f"--include={','.join(RUNTIME_PACKAGES)}",
            "bookworm",
            str(rootfs),
            debian_mirror(),
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise EngineError(f"debootstrap failed:\n{(result.stdout + result.stderr)[-4000:]}")
        # What python:*-slim leaves out too: package caches, documentation, locales.
        for folder in ("var/cache/apt/archives", "var/lib/apt/lists"):
            for path in (rootfs / folder).glob("*"):
                if path.is_file():
                    path.unlink()
        for folder in ("usr/share/doc", "usr/share/man", "usr/share/info", "usr/share/locale"):
            shutil.rmtree(rootfs / folder, ignore_errors=True)
        # Downloads inside builds see the same TLS interception as this machine.
        shutil.copyfile(HOST_CA, rootfs / IMAGE_CA.lstrip("/"))
        tar = subprocess.run(["tar", "-C", str(rootfs), "-c", "."], capture_output=True, check=True)
        podman(
            "import",
            "--change",
            f"ENV SSL_CERT_FILE={IMAGE_CA}",
            "--change",
            "ENV LANG=C.UTF-8",
            "--change",
            'CMD ["bash"]',
            "--change",
            f"LABEL {RECIPE_LABEL}={debian_recipe()}",
            "-",
            BASE,
            stdin=tar.stdout,
        )


def make_python_image(version: str, build: Path) -> None:
    """BASE plus this machine's CPython build at /usr/local, named like Docker Hub's image."""
    with tempfile.TemporaryDirectory(prefix="capstone-python-") as tmp:
        context = Path(tmp)
        (context / "python").mkdir()
        excludes = [f"--exclude={pattern}" for pattern in PYTHON_EXCLUDES]
        source = subprocess.run(
            ["tar", "-C", str(build), *excludes, "--wildcards", "-c", "."],
            capture_output=True,
            check=True,
        )
        subprocess.run(
            ["tar", "-C", str(context / "python"), "-x"], input=source.stdout, check=True
        )
        (context / "Containerfile").write_text(
            f"FROM {BASE}\n"
            "COPY python/ /usr/local/\n"
            f"RUN ldconfig && python{version} -c 'import ssl, sqlite3, ctypes, lzma, bz2, zlib'\n"
            f"ENV PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin PYTHON_VERSION={version}\n"
            f"LABEL {RECIPE_LABEL}={python_recipe(build)}\n"
            'CMD ["python3"]\n',
            encoding="utf-8",
        )
        podman("build", "--pull=never", "--tag", python_image(version), str(context))


def make_uv_image(name: str) -> None:
    """A scratch image holding uv's own `uv` and `uvx` binaries, from its PyPI wheel."""
    version = name.rsplit(":", 1)[1]
    with tempfile.TemporaryDirectory(prefix="capstone-uv-") as tmp:
        folder = Path(tmp)
        download = [
            "uv",
            "tool",
            "run",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--only-binary=:all:",
            "--platform",
            "musllinux_1_1_x86_64",
            "--dest",
            str(folder),
            f"uv=={version}",
        ]
        result = subprocess.run(download, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise EngineError(f"downloading uv {version} failed:\n{result.stderr[-2000:]}")
        (wheel,) = folder.glob("uv-*.whl")
        root = folder / "root"
        root.mkdir()
        subprocess.run(
            ["python3", "-m", "zipfile", "-e", str(wheel), str(folder / "w")], check=True
        )
        for binary in ("uv", "uvx"):
            (found,) = (folder / "w").glob(f"*.data/scripts/{binary}")
            shutil.copyfile(found, root / binary)
            (root / binary).chmod(0o755)
        tar = subprocess.run(["tar", "-C", str(root), "-c", "."], capture_output=True, check=True)
        podman("import", "--change", 'ENTRYPOINT ["/uv"]', "-", name, stdin=tar.stdout)


PROMETHEUS = "localhost/capstone-prometheus:debian"


def ensure_prometheus() -> str:
    """An image running Debian's Prometheus (the host's package), standing in for prom/prometheus.

    Same entrypoint and paths as the upstream image, so a compose service that mounts
    /etc/prometheus/prometheus.yml runs unchanged.
    """
    binary = _binary("prometheus")
    with locked(STATE / "bases.lock"):
        if image_exists(PROMETHEUS):
            return PROMETHEUS
        with tempfile.TemporaryDirectory(prefix="capstone-prometheus-") as tmp:
            context = Path(tmp)
            shutil.copyfile(binary, context / "prometheus")
            (context / "Containerfile").write_text(
                f"FROM {BASE}\n"
                "COPY --chmod=755 prometheus /bin/prometheus\n"
                "RUN mkdir -p /etc/prometheus /prometheus && chown 65534:65534 /prometheus\n"
                "USER 65534\n"
                "EXPOSE 9090\n"
                'ENTRYPOINT ["/bin/prometheus"]\n'
                'CMD ["--config.file=/etc/prometheus/prometheus.yml", '
                '"--storage.tsdb.path=/prometheus"]\n',
                encoding="utf-8",
            )
            podman("build", "--pull=never", "--tag", PROMETHEUS, str(context))
    return PROMETHEUS


if __name__ == "__main__":
    folder = ensure_engine()
    for version, reason in missing_pythons().items():
        print(f"skipped python:{version}-slim-bookworm: {reason}")
    print(f"base images ready; docker shim in {folder}")
