"""Review benchmark: `<cli> review` on a built project, beside the CLI's own start-up.

Target (issue 19): the review of one project takes under 5 s without `--run`. The review reads
files only; the command also starts the project's CLI, which imports the pipeline (pandas,
scikit-learn). So this prints, median of `--rounds` runs each, side by side:

- `<cli> --version`: the start-up every command of the CLI pays (it imports the pipeline);
- `<cli> review --no-write`: that start-up plus the review;
- `python -m <package>.review --no-write`: what `make review` runs, the same command alone;
- the review alone, in the project's Python (`review.run.review` and the Markdown).

Wall time on a shared machine measures its load too, so the CPU time (user + system) of each
command is printed beside it: on an idle machine the wall time is close to it.

Usage: `uv run python benchmarks/review.py PROJECT` on a project after `make all` (for example
one `make demo` built). Run it on a quiet machine: other load shows up in the start-up.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

IN_PROCESS = """
import statistics, sys, time
from pathlib import Path
from {package}.review import render
from {package}.review.run import review
times = []
for _ in range({rounds}):
    start = time.perf_counter()
    render.markdown(review(Path(".")))
    times.append(time.perf_counter() - start)
print(statistics.median(times))
"""


def median_seconds(command: list[str], cwd: Path, rounds: int) -> tuple[float, float]:
    """Median wall and CPU seconds of ``command`` over ``rounds`` runs; stop on failure."""
    walls, cpus = [], []
    for _ in range(rounds):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if result.returncode != 0:
            sys.exit(f"{' '.join(command)} failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return statistics.median(walls), statistics.median(cpus)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    root = args.project.resolve()
    text = (root / "pyproject.toml").read_text(encoding="utf-8")
    script = text.split("[project.scripts]", 1)[1].strip().split(" = ", 1)[0].strip()
    package = next(p.parent.parent.name for p in (root / "src").glob("*/review/run.py"))
    python = str(root / ".venv" / "bin" / "python")
    cli = [str(root / ".venv" / "bin" / script)]
    rows = [
        (f"`{script} --version` (the CLI's start-up)", [*cli, "--version"]),
        (f"`{script} review --no-write`", [*cli, "review", "--no-write"]),
        (
            f"`python -m {package}.review --no-write` (`make review`)",
            [python, "-m", f"{package}.review", "--no-write"],
        ),
    ]
    measured = [(name, *median_seconds(command, root, args.rounds)) for name, command in rows]
    code = IN_PROCESS.format(package=package, rounds=args.rounds)
    alone = float(
        subprocess.run(
            [python, "-c", code], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
    )
    startup = measured[0][1]
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"## Review of {root.name} (median of {args.rounds}; load average {load})\n")
    print("| what | wall s | CPU s | wall vs the CLI's start-up |")
    print("| --- | --- | --- | --- |")
    for name, wall, cpu in measured:
        print(f"| {name} | {wall:.2f} | {cpu:.2f} | {wall / startup:.2f}x |")
    print(f"| the review alone (in process) | {alone:.3f} | | {alone / startup:.3f}x |")
    fast_wall, fast_cpu = measured[2][1], measured[2][2]
    verdict = "met" if fast_wall < 5 else f"not met on this load (CPU {fast_cpu:.2f} s)"
    print(f"\nTarget: `make review` under 5 s without --run: {verdict}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
