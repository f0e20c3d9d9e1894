"""Container images: each one's size, cold build time and rebuild time after a src/ change.

Run by `make bench-images` (docker when its daemon answers, podman otherwise, as the
Makefile's docker targets choose). It writes reports/images.md, which `make bench` adds to
reports/performance.md. For every image this project's Makefile builds:

- cold build: the make target with `BUILD_FLAGS=--no-cache` (the base images are there and
  uv's download cache is warm: the figure is the build, not the downloads);
- rebuild: after appending one comment line to a module under src/ (put back afterwards),
  with the layer cache: only the wheel and the small layers after it are built again;
- size: the engine's `image inspect` size of each image the target tags.

Targets: the API image at most 500 MB; a rebuild after a source-only change at most 20 s.
"""

import json
import os
import platform
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "reports" / "images.md"
#: The make target that builds each Dockerfile's images, and the tags it gives them
#: (appended to IMAGE, the Makefile's image name).
TARGETS = (
    ("docker-build", "Dockerfile", (":runtime", ":pipeline")),
    ("docker-api", "Dockerfile.api", ("-api",)),
    ("docker-retrainer", "Dockerfile.api", ("-retrainer",)),
    ("docker-app", "Dockerfile.app", (":app",)),
    ("docker-data-worker", "Dockerfile.data-worker", (":data-worker",)),
    ("docker-train", "Dockerfile.train", (":train",)),
)
MAX_API_MB = 500
MAX_REBUILD_SECONDS = 20


def engine() -> str:
    """The engine: docker when its daemon answers, else podman (CONTAINER_ENGINE forces one)."""
    chosen = os.environ.get("CONTAINER_ENGINE")
    if chosen:
        return chosen
    probe = subprocess.run(["docker", "info"], capture_output=True, check=False)
    return "docker" if probe.returncode == 0 else "podman"


def timed_make(target: str, *variables: str) -> float:
    """Seconds `make <target>` took; stops with its output when it fails."""
    command = ["make", target, *variables]
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        output = (result.stdout + result.stderr)[-4000:]
        sys.exit(f"bench-images: `{' '.join(command)}` failed:\n{output}")
    return seconds


def size_mb(tool: str, image: str) -> float:
    """An image's size in MB (10^6 bytes), as the engine reports it."""
    command = [tool, "image", "inspect", image]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return int(json.loads(result.stdout)[0]["Size"]) / 1e6


def measure(tool: str, name: str, module: Path) -> list[str]:
    """One table row per image: size, cold build, rebuild after a one-line change."""
    variables = (f"CONTAINER_ENGINE={tool}", f"IMAGE={name}")
    rows = []
    for target, dockerfile, tags in TARGETS:
        if not (ROOT / dockerfile).is_file():
            continue
        cold = timed_make(target, *variables, "BUILD_FLAGS=--no-cache")
        source = module.read_bytes()
        try:
            module.write_bytes(source + b"# bench-images: a one-line change\n")
            rebuild = timed_make(target, *variables)
        finally:
            module.write_bytes(source)
        for tag in tags:
            image = name + tag
            size = size_mb(tool, image)
            limit = f" (target {MAX_API_MB} MB)" if tag == "-api" else ""
            over = " **over**" if (tag == "-api" and size > MAX_API_MB) else ""
            slow = " **over**" if rebuild > MAX_REBUILD_SECONDS else ""
            rows.append(
                f"| `{image}` | `make {target}` | {size:,.0f} MB{limit}{over} "
                f"| {cold:.0f} s | {rebuild:.1f} s{slow} |"
            )
    return rows


def main() -> None:
    """Build every image twice (cold, then after a src/ change); write reports/images.md."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    name = os.environ.get("IMAGE") or project["name"]
    module = sorted((ROOT / "src").glob("*/config.py"))[0]
    tool = engine()
    rows = measure(tool, name, module)
    load = os.getloadavg()[0]
    lines = [
        "## Container images",
        "",
        f"Measured by `make bench-images` with {tool} on {time.strftime('%Y-%m-%d')} "
        f"({platform.machine()}, {os.cpu_count()} cores, load {load:.1f}). Cold build: "
        "`--no-cache` with the base images present and uv's cache warm. Rebuild: after a "
        f"one-line change to `{module.relative_to(ROOT).as_posix()}` (target at most "
        f"{MAX_REBUILD_SECONDS} s).",
        "",
        "| image | built by | size | cold build | rebuild after a src/ change |",
        "|---|---|---:|---:|---:|",
        *rows,
    ]
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    print(f"bench-images: wrote {REPORT.relative_to(ROOT).as_posix()} (make bench adds it)")


if __name__ == "__main__":
    main()
