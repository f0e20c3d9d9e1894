"""Suite-time benchmark: each variant's generated-project checks, and `make test` from a cold cache.

Targets (issue: foundation): each focus's generated-project checks finish in under 90 s with
a warm uv cache, and `make test` from a cold uv cache finishes in under 20 minutes on 2 cores.

For every variant in tests/conftest.py this generates the project with copier and times the
project's own commands, `uv sync`, `make all` then `make test`, with the shared uv cache warmed
by one untimed sync of a throwaway project first. The timed commands run with `UV_OFFLINE=1`:
the warm-up has put every package in the cache, and offline uv uses it as it is. Online, uv
revalidates a cached file whose server sent no caching headers, and some package proxies send
none (this machine's does not, for files.pythonhosted.org), so every lock would download
pyspark's 434 MB sdist again and the figure would measure the network, not the cache; PyPI
itself marks its files immutable. With
`--cold` it also runs the template's whole `make test` with an empty, private uv cache and
reports its wall time. Results are printed and written as Markdown to `--output`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from conftest import VARIANTS, generate_copier, project_env  # noqa: E402 - after sys.path

# The benchmark generates from the working tree on purpose, like the tests.
warnings.filterwarnings("ignore", message="Dirty template changes included automatically")


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    """Run a command and return its wall time; stop on failure with its output."""
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed in {cwd}:\n{(result.stdout + result.stderr)[-4000:]}")
    return elapsed


def main() -> int:
    """Measure and write the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", action="append", choices=list(VARIANTS), help="default: all")
    parser.add_argument(
        "--cold", action="store_true", help="also time `make test` with an empty uv cache"
    )
    parser.add_argument("--output", type=Path, default=REPO / ".bench" / "suite.md")
    args = parser.parse_args()

    rows = []
    with tempfile.TemporaryDirectory(prefix="suite-bench-") as scratch:
        names = args.variant or list(VARIANTS)
        for name in names:  # warm the shared cache for every Python version; not counted
            answers = VARIANTS[name]
            warm = generate_copier(Path(scratch) / f"warm-{name}", answers)
            timed(  # every group, so that the offline runs find whatever a check needs
                ["uv", "sync", "--quiet", "--all-groups"],
                warm,
                project_env(str(answers.get("python_version", "3.11"))),
            )
        for name in names:
            answers = VARIANTS[name]
            env = {**project_env(str(answers.get("python_version", "3.11"))), "UV_OFFLINE": "1"}
            root = generate_copier(Path(scratch) / name, answers)
            sync = timed(["uv", "sync", "--quiet"], root, env)
            pipeline = timed(["make", "all"], root, env)
            checks = timed(["make", "test"], root, env)
            rows.append((name, sync, pipeline, checks))
            print(
                f"{name}: uv sync {sync:.1f} s, make all {pipeline:.1f} s, make test {checks:.1f} s"
            )

        cold = None
        if args.cold:
            env = {k: v for k, v in os.environ.items() if not k.startswith("VIRTUAL_ENV")}
            env["UV_CACHE_DIR"] = str(Path(scratch) / "cold-uv-cache")
            cold = timed(["make", "test"], REPO, env)
            print(f"make test, cold uv cache: {cold:.0f} s", flush=True)

    lines = [
        "# Suite time",
        "",
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores, "
        f"{platform.platform()}, Python {platform.python_version()}. Warm uv cache, "
        "timed commands offline (`UV_OFFLINE=1`).",
        "",
        "| variant | `uv sync` | `make all` | `make test` | total (s) | target < 90 s |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for name, sync, pipeline, checks in rows:
        total = sync + pipeline + checks
        verdict = "met" if total < 90 else "missed"
        lines.append(
            f"| {name} | {sync:.1f} | {pipeline:.1f} | {checks:.1f} | {total:.1f} | {verdict} |"
        )
    if cold is not None:
        verdict = "met" if cold < 20 * 60 else "missed"
        lines += [
            "",
            f"Template `make test`, cold uv cache: {cold:.0f} s (target < 1200 s: {verdict}).",
        ]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
