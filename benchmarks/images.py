"""Container images of a generated project: size, cold build and rebuild after a src/ change.

    uv run python benchmarks/images.py --focus architecture [--focus product ...]

Generates the focus's project (copier, this checkout), locks it, then for each of its
images, with the project's own make target through the podman-backed `docker` shim
(tests/containers.py; docker itself when its daemon answers is the generated Makefile's job):

- cold build: `--no-cache` for the project's layers (the base images exist; uv's cache is
  warm, as after `make all`: the figure is the build, not the downloads);
- rebuild: after appending one comment line to a module under src/, with the layer cache;
- size: `podman image inspect`'s size of the final image.

Prints a Markdown table (paste it into docs/performance.md).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from conftest import VARIANTS, generate_copier, project_env
from containers import engine_env, ensure_engine

# The make target that builds each Dockerfile's image, and the tag it gives.
IMAGES = {
    "Dockerfile": ("docker-build", ":runtime", ":pipeline"),
    "Dockerfile.api": ("docker-api", "-api"),
    "Dockerfile.app": ("docker-app", ":app"),
    "Dockerfile.data-worker": ("docker-data-worker", ":data-worker"),
    "Dockerfile.train": ("docker-train", ":train"),
}


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(
            f"`{' '.join(command)}` failed:\n{(result.stdout + result.stderr)[-4000:]}"
        )
    return time.perf_counter() - started


def size_mb(name: str) -> float:
    command = ["podman", "image", "inspect", name]
    out = subprocess.run(command, env=engine_env(), capture_output=True, text=True, check=True)
    size: float = json.loads(out.stdout)[0]["Size"] / 1e6
    return size


def measure(focus: str, root: Path) -> list[str]:
    answers = VARIANTS[focus]
    project = generate_copier(root / focus, answers)
    env = project_env(str(answers.get("python_version", "3.11")))
    env["PATH"] = f"{ensure_engine()}{os.pathsep}{env['PATH']}"
    timed(["uv", "lock"], project, env)
    scripts = (project / "pyproject.toml").read_text("utf-8").split("[project.scripts]")[1]
    slug = scripts.strip().split(" = ", 1)[0]
    module = sorted((project / "src").glob("*/config.py"))[0]
    rows = []
    for dockerfile, (target, *tags) in IMAGES.items():
        if not (project / dockerfile).exists():
            continue
        # The layers of the project, not the base images, are built from scratch.
        cold = timed(["make", target, "BUILD=docker build --no-cache"], project, env)
        with module.open("a", encoding="utf-8") as handle:
            handle.write("# a one-line change\n")
        rebuild = timed(["make", target], project, env)
        names = ", ".join(f"`{slug}{tag}` {size_mb(slug + tag):,.0f} MB" for tag in tags)
        rows.append(f"| {focus} | `make {target}` | {names} | {cold:.0f} s | {rebuild:.1f} s |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--focus", action="append", choices=sorted(VARIANTS), required=True)
    args = parser.parse_args()
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} ({os.cpu_count()} cores, load "
        f"{os.getloadavg()[0]:.1f}) with `uv run python benchmarks/images.py "
        + " ".join(f"--focus {focus}" for focus in args.focus)
        + "`:",
        "",
        "| focus | target (Dockerfile) | image: size | cold build | rebuild after a src/ change |",
        "|---|---|---:|---:|---:|",
    ]
    with tempfile.TemporaryDirectory(prefix="bench-containers-") as tmp:
        for focus in args.focus:
            lines += measure(focus, Path(tmp))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
