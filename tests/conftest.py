"""Shared helpers: generate projects with copier and cookiecutter from this checkout."""

from __future__ import annotations

import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import copier
import pytest
import yaml
from bytecode import compile_and_share
from containers import HOME as CACHE_HOME
from containers import engine_env

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = REPO / "template"
ANSWERS_FILE = ".copier-answers.yml"
FOCUSES = ("data", "modeling", "architecture", "product")


def focus_preset(focus: str) -> list[str]:
    """The components copier.yml switches on for a focus."""
    config = yaml.safe_load((REPO / "copier.yml").read_text(encoding="utf-8"))
    return list(config["focus_presets"]["default"][focus])


# Distinct trees the heavy checks run on: every focus with its presets, and
# mixes that move every other answer off its default at least once.
VARIANTS: dict[str, dict[str, Any]] = {
    "data": {"focus": "data"},
    "modeling": {"focus": "modeling"},
    "architecture": {"focus": "architecture"},
    "product": {"focus": "product"},
    "regression-bare": {
        "focus": "modeling",
        "problem_type": "regression",
        "dropped_components": focus_preset("modeling"),
        "license": "none",
        "python_version": "3.12",
    },
    # An architecture project that also wants the product's demo app, on the newest
    # Python with every component that keeps a SQLite database (Python 3.13 reports
    # a connection left open: the tracking store, Optuna's studies, the feedback store,
    # the ingestion source).
    "architecture-plus": {
        "focus": "architecture",
        "extra_components": [
            "notebooks",
            "tracking",
            "app",
            "feedback",
            "ingestion",
            "zoo",
            "tuning",
        ],
        "license": "Apache-2.0",
        "python_version": "3.13",
        "project_name": 'Ünïcode: l\'été "quoted" \\ back',
        "project_slug": "unicode-ete",
    },
}


def copier_data(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Answers as copier takes them (component answers are lists)."""
    return dict(answers)


def cookiecutter_context(answers: Mapping[str, Any]) -> dict[str, str]:
    """Answers as cookiecutter takes them (component answers are comma-separated strings)."""
    context = {}
    for key, value in answers.items():
        context[key] = ",".join(value) if isinstance(value, list) else str(value)
    return context


def generate_copier(dst: Path, answers: Mapping[str, Any]) -> Path:
    """Run `copier copy --defaults` from this checkout's HEAD (plus uncommitted changes)."""
    copier.run_copy(
        str(REPO),
        str(dst),
        data=copier_data(answers),
        defaults=True,
        vcs_ref="HEAD",
        quiet=True,
        unsafe=False,
    )
    return dst


def generate_cookiecutter(out_dir: Path, answers: Mapping[str, Any]) -> Path:
    """Run `cookiecutter <repo> --directory template --no-input` the way a user does."""
    out_dir.mkdir(parents=True, exist_ok=True)
    command = [
        str(Path(shutil.which("cookiecutter") or "cookiecutter")),
        "--no-input",
        str(REPO),
        "--directory",
        "template",
        "--output-dir",
        str(out_dir),
    ]
    command += [f"{key}={value}" for key, value in cookiecutter_context(answers).items()]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise GenerationError(result.stdout + result.stderr)
    (project,) = [path for path in out_dir.iterdir() if path.is_dir()]
    return project


def bake(cookies: Any, answers: Mapping[str, Any]) -> Path:
    """Generate with pytest-cookies' `cookies` fixture (cookiecutter's Python API)."""
    result = cookies.bake(extra_context=cookiecutter_context(answers), template=str(TEMPLATE))
    if result.exit_code != 0:
        raise GenerationError(str(result.exception))
    return Path(result.project_path)


class GenerationError(RuntimeError):
    """A generator refused the answers or failed."""


def tree(root: Path) -> dict[str, bytes]:
    """Every file below root, by relative path, except copier's answers file."""
    files = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.name != ANSWERS_FILE:
            files[path.relative_to(root).as_posix()] = path.read_bytes()
    return files


def empty_dirs(root: Path) -> list[str]:
    """Folders that hold nothing at all (git would drop them; students see clutter)."""
    return sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_dir() and not any(path.iterdir())
    )


def free_port() -> int:
    """A free TCP port on loopback, for a server a test starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def python_for(version: str) -> str:
    """An interpreter for the version a generated project pins (never downloaded)."""
    pattern = os.path.expanduser(f"~/.pyenv/versions/{version}.*/bin/python{version}")
    candidates = sorted(glob.glob(pattern))
    candidates += [found for found in [shutil.which(f"python{version}")] if found]
    for candidate in candidates:
        probe = subprocess.run([candidate, "--version"], capture_output=True, check=False)
        if probe.returncode == 0:
            return candidate
    pytest.fail(f"no Python {version} interpreter on this machine (needed by a variant)")


def project_env(python_version: str) -> dict[str, str]:
    """Environment for commands run inside a generated project: its own venv, shared uv cache."""
    inherited = ("VIRTUAL_ENV", "PYTEST_", "UV_PROJECT")
    env = {key: value for key, value in os.environ.items() if not key.startswith(inherited)}
    env["UV_PYTHON"] = python_for(python_version)
    env["UV_PYTHON_DOWNLOADS"] = "never"
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    env["MPLBACKEND"] = "Agg"
    # One mypy cache per test worker, shared by every project it generates: a fresh
    # project's cold `make typecheck` analyses pandas, sklearn and the rest again (about
    # a minute); mypy checks each cached module by its hash, so a project reuses the
    # third-party analysis and rechecks its own code. Per worker, because mypy's SQLite
    # cache is not meant for two writers at once.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    env["MYPY_CACHE_DIR"] = str(CACHE_HOME / "mypy" / worker)
    return env


def run(
    command: list[str] | str, cwd: Path, env: Mapping[str, str] | None = None, timeout: int = 900
) -> str:
    """Run a command; on failure show its output (its start and its end) in the test report."""
    result = subprocess.run(
        command,
        cwd=cwd,
        env=dict(env) if env is not None else None,
        shell=isinstance(command, str),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    output = result.stdout + result.stderr
    if result.returncode != 0:
        pytest.fail(f"`{command}` failed in {cwd} (exit {result.returncode}):\n{excerpt(output)}")
    return output


def excerpt(output: str, head: int = 3000, tail: int = 6000) -> str:
    """The start and the end of a long output: what failed first, and how it ended."""
    if len(output) <= head + tail:
        return output
    skipped = len(output) - head - tail
    return f"{output[:head]}\n[... {skipped} characters ...]\n{output[-tail:]}"


def attempt(
    command: list[str], cwd: Path, env: Mapping[str, str], timeout: float = 900
) -> subprocess.CompletedProcess[str]:
    """Run a command that may fail; its exit code, stdout and stderr, for the test to check."""
    return subprocess.run(
        command,
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def make_targets(root: Path) -> set[str]:
    """The targets a Makefile defines, with those of the mk/*.mk files it includes."""
    makefiles = [root / "Makefile", *sorted((root / "mk").glob("*.mk"))]
    return {
        target
        for makefile in makefiles
        for target in re.findall(r"^([a-z][\w-]*):", makefile.read_text("utf-8"), re.MULTILINE)
    }


def load_copier_config() -> dict[str, Any]:
    """copier.yml as data."""
    config: dict[str, Any] = yaml.safe_load((REPO / "copier.yml").read_text(encoding="utf-8"))
    return config


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each variant generated once by copier, for the tests that only read files."""
    root = tmp_path_factory.mktemp("generated")
    return {name: generate_copier(root / name, answers) for name, answers in VARIANTS.items()}


# Heavy tests take a built variant (the `built` fixture, indirect parametrisation).
# CI runs one variant per job: TEMPLATE_VARIANTS=data,regression-bare
SELECTED = [n for n in os.environ.get("TEMPLATE_VARIANTS", ",".join(VARIANTS)).split(",") if n]
PARAMS = [pytest.param(name, marks=pytest.mark.xdist_group(name)) for name in SELECTED]


def variant_params(*names: str) -> list[Any]:
    """Params for the named variants that this run selected (for focus-specific tests).

    Use as `@pytest.mark.parametrize("built", variant_params("data"), indirect=True)`:
    the test then shares the variant's generated project and `make all` with every
    other heavy test of that variant, on the same xdist worker.
    """
    return [param for param in PARAMS if param.values[0] in names]


def lock(root: Path, env: Mapping[str, str]) -> None:
    """Write a generated project's uv.lock from uv's cache when it can, online when it must.

    An online `uv lock` revalidates every cached source distribution, and the package
    index here answers without cache headers: uv then takes the one sdist-only package
    (pyspark) as a new revision and builds it again at the next sync, about 20 s and
    1 GB each time. Offline, uv resolves from the same cached index pages, so the lock is
    the one a student's first `make setup` writes; the first project of a run (an empty
    cache) locks online.
    """
    if attempt(["uv", "lock", "--offline"], root, env, timeout=300).returncode != 0:
        run(["uv", "lock"], root, env)


class Built:
    """A generated project after `make all`, with what its commands printed."""

    def __init__(self, root: Path, python_version: str) -> None:
        self.root = root
        self.env = project_env(python_version)
        lock(root, self.env)
        run(["make", "setup"], root, self.env)
        compile_and_share(root)
        self.pipeline_output = run(["make", "all"], root, self.env)

    @property
    def script(self) -> str:
        """The project's console script (its one CLI), from its pyproject.toml."""
        text = (self.root / "pyproject.toml").read_text(encoding="utf-8")
        section = text.split("[project.scripts]", 1)[1]
        return section.strip().split(" = ", 1)[0].strip()

    def cli(self, *args: str) -> list[str]:
        """The command line that runs the project's CLI with ``args``."""
        return ["uv", "run", self.script, *args]


_built: dict[str, Built] = {}


@pytest.fixture(scope="session")
def projects_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("projects")


@pytest.fixture
def built(request: pytest.FixtureRequest, projects_root: Path) -> Built:
    """Generate a variant and run `make all` in it, once per test session and worker."""
    name = request.param
    if name not in _built:
        answers = VARIANTS[name]
        root = generate_copier(projects_root / name, answers)
        _built[name] = Built(root, str(answers.get("python_version", "3.11")))
    return _built[name]


def pytest_sessionstart(session: pytest.Session) -> None:
    """Before any test builds: drop the untagged images earlier runs left behind.

    Every rebuild of a tag leaves the previous image dangling (hundreds of GB-sized ones
    over a few runs filled this machine's disk); tagged images and the layers they are
    built on stay, so the build cache keeps working. Only the controller does it, before
    the xdist workers start building.
    """
    if hasattr(session.config, "workerinput") or shutil.which("podman") is None:
        return
    subprocess.run(
        ["podman", "image", "prune", "--force"],
        env=engine_env(),
        capture_output=True,
        check=False,
        timeout=600,
    )


@contextmanager
def server_answering(
    command: list[str], cwd: Path, env: Mapping[str, str], url: str, timeout: float = 120
) -> Iterator[str]:
    """Start a server (in a process group of its own: `make serve` starts a child); yield
    ``url`` once its ``/health`` answers 200; stop the whole group afterwards.

    A server that exits or does not answer within ``timeout`` fails the test with its output.
    """
    server = subprocess.Popen(
        command,
        cwd=cwd,
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                output = server.stdout.read().decode() if server.stdout else ""
                pytest.fail(f"`{' '.join(command)}` did not start:\n{output[-4000:]}")
            time.sleep(0.2)
        yield url
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
