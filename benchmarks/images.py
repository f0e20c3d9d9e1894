"""Container images of generated projects: size, cold build and rebuild after a src/ change.

    uv run python benchmarks/images.py --focus architecture [--focus product ...]

Generates each focus's project (copier, this checkout), locks it, `make all` trains it, then
runs the project's own `make bench-images` (its scripts/bench_images.py) with the
podman-backed `docker` shim first on PATH (tests/containers.py): for each image the
project's Makefile builds, a `--no-cache` build (base images present, uv's cache warm), a
rebuild after a one-line change to a module under src/, and the image's size.

Prints one Markdown table (paste it into docs/performance.md); the project's own
reports/images.md holds the same rows.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from conftest import VARIANTS, generate_copier, project_env
from containers import ensure_engine


def run(command: list[str], cwd: Path, env: dict[str, str]) -> str:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(
            f"`{' '.join(command)}` failed:\n{(result.stdout + result.stderr)[-4000:]}"
        )
    return result.stdout


def measure(focus: str, root: Path) -> list[str]:
    """The rows of the project's own `make bench-images` table, with the focus first."""
    answers = VARIANTS[focus]
    project = generate_copier(root / focus, answers)
    env = project_env(str(answers.get("python_version", "3.11")))
    env["PATH"] = f"{ensure_engine()}{os.pathsep}{env['PATH']}"
    # Its own image names: another run on this machine may be building the project's.
    env["IMAGE"] = f"bench-{focus}"
    run(["uv", "lock"], project, env)
    run(["make", "all"], project, env)
    run(["make", "bench-images"], project, env)
    table = (project / "reports" / "images.md").read_text(encoding="utf-8").splitlines()
    return [f"| {focus} {line}" for line in table if line.startswith("| `")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--focus", action="append", choices=sorted(VARIANTS), required=True)
    args = parser.parse_args()
    started_load = os.getloadavg()[0]
    rows: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-containers-") as tmp:
        for focus in args.focus:
            rows += measure(focus, Path(tmp))
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} ({os.cpu_count()} cores, load "
        f"{started_load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end) with "
        "`uv run python benchmarks/images.py "
        + " ".join(f"--focus {focus}" for focus in args.focus)
        + "`:",
        "",
        "| focus | image | built by | size | cold build | rebuild after a src/ change |",
        "|---|---|---|---:|---:|---:|",
        *rows,
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
