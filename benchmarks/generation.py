"""Generation-speed benchmark: this template against cookiecutter-data-science.

The requirement: ``copier copy --defaults`` for one focus takes no longer than
cookiecutter-data-science 2.3.0's default ``ccds --no-input`` on the same machine,
measured side by side in one run.

Every contender runs as a fresh subprocess, exactly as a student would type it:

* ``copier copy --vcs-ref HEAD --defaults -d focus=F --quiet REPO DEST`` for each focus,
* ``cookiecutter --no-input REPO focus=F --directory template -o OUT`` for the same focuses,
* ``ccds --no-input git+file://CCDS_REPO -o OUT`` when a local copy of the ccds template is given
  (``--ccds-template PATH`` or the ``CCDS_TEMPLATE`` environment variable; the ccds
  package on PyPI does not ship its template, which it normally clones from GitHub).

Same footing: a student runs both tools against a git repository (``copier copy gh:…``,
plain ``ccds``, which clones GitHub's ``drivendataorg/cookiecutter-data-science``), so
both clone here too. copier clones this repository; the ccds template is committed to a
scratch git repository that ccds clones through a ``git+file://`` URL on every run (cookiecutter
deletes and re-clones its cached copy under ``--no-input``). No network is involved on
either side. ``--ccds-as-folder`` lets ccds read the folder directly instead, skipping the
clone it does in real use; that favours ccds and is reported as such.

The runs are interleaved: every round runs each contender once, and the order rotates
from round to round, so drift on the machine (other load, thermal state, caches) spreads
over all contenders alike. One untimed warm-up round comes first. Wall time comes from
``time.perf_counter`` around the child; CPU time and peak resident memory come from
``os.wait4``, which reports the resource usage of that one child (and of the processes it
waited for, such as hooks and git: peak RSS is that of the largest process in the tree).

Every child gets the same scratch ``HOME``, so no user configuration (``~/.cookiecutterrc``,
git settings) tilts the comparison and nothing is written to the real home directory.

Bytecode: by default the children share a scratch ``PYTHONPYCACHEPREFIX`` and may write to
it (``PYTHONDONTWRITEBYTECODE`` is dropped), so the warm-up round compiles every imported
module once and the timed rounds load cached bytecode, as on any normal installation. With
``--no-bytecode-cache`` every run compiles its imports from source instead (what happens
when the environment sets ``PYTHONDONTWRITEBYTECODE`` and the venv holds no ``.pyc`` files);
that penalises the tool with the larger import graph, so it is reported, never mixed.

Template source: by default both generators read the working tree, uncommitted changes
included (copier then copies the dirty files over its clone, which costs it extra git calls).
``--clean-clone`` generates from a fresh ``git clone`` of HEAD instead: the template as
released, without uncommitted changes.

Floors and what-if: every run also times copier's floor (a one-file template) and, per
focus, copier's floor at this size (the focus's generated files committed verbatim as a
template with no Jinja), so the report separates what copier costs per written file from
what this template's Jinja adds. ``--what-if`` adds, per focus, copier with two upstream
changes applied in-process (``benchmarks/copier_what_if.py``): a measurement of what those
changes would save, never how students generate.

The result is a Markdown table, printed and written with a description of the machine to
``--output`` (default ``.bench/generation.md`` in the repository). The exit status is
non-zero only when something fails to run; a missed target is reported, not failed.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = REPO_ROOT / ".bench" / "generation.md"
WHAT_IF = Path(__file__).resolve().with_name("copier_what_if.py")
TARGET_RATIO = 1.0
KIB_PER_MIB = 1024


@dataclass(frozen=True)
class Contender:
    """One command line to time; ``argv`` holds ``{out}`` where the output goes."""

    key: str
    label: str
    argv: tuple[str, ...]
    focus: str | None


@dataclass
class Sample:
    """Measurements of one run of one contender."""

    wall_s: float
    cpu_s: float
    peak_rss_kib: int
    files: int


@dataclass
class Series:
    """All timed runs of one contender."""

    contender: Contender
    samples: list[Sample] = field(default_factory=list)

    def median_wall(self) -> float:
        return statistics.median(s.wall_s for s in self.samples)

    def min_wall(self) -> float:
        return min(s.wall_s for s in self.samples)

    def median_cpu(self) -> float:
        return statistics.median(s.cpu_s for s in self.samples)

    def median_rss_mib(self) -> float:
        return statistics.median(s.peak_rss_kib for s in self.samples) / KIB_PER_MIB

    def max_rss_mib(self) -> float:
        return max(s.peak_rss_kib for s in self.samples) / KIB_PER_MIB

    def files(self) -> int:
        return max(s.files for s in self.samples)


class BenchmarkError(RuntimeError):
    """A contender could not run; the benchmark has no valid result."""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    parser.add_argument(
        "--focus",
        action="append",
        metavar="F",
        help="focus to generate (repeatable; default: every focus in template/cookiecutter.json)",
    )
    parser.add_argument(
        "--ccds-template",
        type=Path,
        default=os.environ.get("CCDS_TEMPLATE") or None,
        help="local copy of the cookiecutter-data-science template (default: $CCDS_TEMPLATE)",
    )
    parser.add_argument(
        "--ccds-as-folder",
        action="store_true",
        help="let ccds read the template folder instead of cloning it as it does in real use",
    )
    parser.add_argument("--rounds", type=int, default=7, help="timed rounds (default: 7)")
    parser.add_argument(
        "--warmup", type=int, default=1, help="untimed rounds run first (default: 1)"
    )
    parser.add_argument(
        "--repo", type=Path, default=REPO_ROOT, help="template repository (default: this one)"
    )
    parser.add_argument(
        "--clean-clone",
        action="store_true",
        help="generate from a fresh git clone of HEAD instead of the working tree",
    )
    parser.add_argument(
        "--what-if",
        action="store_true",
        help="also time copier with two upstream changes applied (benchmarks/copier_what_if.py)",
    )
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="make every run compile its imports from source (default: cache in warm-up)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_OUTPUT,
        help="Markdown report to write (default: .bench/generation.md in the repository)",
    )
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    if args.warmup < 0:
        parser.error("--warmup must not be negative")
    return args


def venv_executable(name: str) -> Path | None:
    """The console script ``name`` installed next to the running interpreter."""
    candidate = Path(sys.executable).parent / name
    return candidate if candidate.is_file() and os.access(candidate, os.X_OK) else None


def template_focuses(repo: Path) -> list[str]:
    """The focus choices the cookiecutter side offers (the copier side asks the same)."""
    config = json.loads((repo / "template" / "cookiecutter.json").read_text(encoding="utf-8"))
    return [str(choice) for choice in config["focus"]]


def ccds_unavailable_reason(template: Path | None, ccds: Path | None) -> str | None:
    """Why the ccds side cannot run, or None when it can."""
    if template is None:
        return (
            "no ccds template given: pass --ccds-template PATH or set CCDS_TEMPLATE to a "
            "local copy of github.com/drivendataorg/cookiecutter-data-science at v2.3.0 "
            "(the PyPI package does not include the template)"
        )
    if not (template / "ccds.json").is_file():
        return f"{template} does not look like the ccds template (no ccds.json in it)"
    if ccds is None:
        return (
            f"the ccds command is not installed next to {sys.executable} "
            "(uv sync installs it with the bench group)"
        )
    return None


def copier_argv(copier: Path, source: Path, *data: str) -> tuple[str, ...]:
    """`copier copy --defaults` of ``source``'s HEAD into ``{out}/project``, with answers."""
    answers = [arg for item in data for arg in ("-d", item)]
    return (
        str(copier),
        "copy",
        "--vcs-ref",
        "HEAD",
        "--defaults",
        *answers,
        "--quiet",
        str(source),
        "{out}/project",
    )


def build_contenders(
    repo: Path,
    focuses: list[str],
    *,
    copier: Path,
    cookiecutter: Path,
    ccds: Path | None,
    ccds_template: str | None,
    floor: Path | None = None,
    sized_floors: dict[str, Path] | None = None,
    what_if: bool = False,
) -> list[Contender]:
    contenders: list[Contender] = []
    sized_floors = sized_floors or {}
    if floor is not None:
        contenders.append(
            Contender(
                key="copier-floor",
                label="copier copy --defaults of a one-file template (copier's floor)",
                argv=copier_argv(copier, floor),
                focus=None,
            )
        )
    for focus in focuses:
        contenders.append(
            Contender(
                key=f"copier:{focus}",
                label=f"copier copy --defaults (focus={focus})",
                argv=copier_argv(copier, repo, f"focus={focus}"),
                focus=focus,
            )
        )
        if what_if:
            contenders.append(
                Contender(
                    key=f"copier-what-if:{focus}",
                    label=f"copier copy --defaults (focus={focus}) with two upstream changes "
                    "(what-if)",
                    argv=(
                        sys.executable,
                        str(WHAT_IF),
                        *copier_argv(copier, repo, f"focus={focus}")[1:],
                    ),
                    focus=focus,
                )
            )
        if focus in sized_floors:
            contenders.append(
                Contender(
                    key=f"copier-floor:{focus}",
                    label=f"copier copy --defaults of the {focus} project as plain files "
                    "(copier's floor at this size)",
                    argv=copier_argv(copier, sized_floors[focus]),
                    focus=focus,
                )
            )
        contenders.append(
            Contender(
                key=f"cookiecutter:{focus}",
                label=f"cookiecutter --no-input (focus={focus})",
                argv=(
                    str(cookiecutter),
                    "--no-input",
                    str(repo),
                    f"focus={focus}",
                    "--directory",
                    "template",
                    "-o",
                    "{out}",
                ),
                focus=focus,
            )
        )
    if ccds is not None and ccds_template is not None:
        contenders.append(
            Contender(
                key="ccds",
                label="ccds --no-input (cookiecutter-data-science defaults)",
                argv=(str(ccds), "--no-input", ccds_template, "-o", "{out}"),
                focus=None,
            )
        )
    return contenders


def run_once(contender: Contender, scratch: Path, env: dict[str, str], run_id: str) -> Sample:
    """Run one contender in a fresh output directory and measure it."""
    out = scratch / run_id
    out.mkdir()
    argv = [part.replace("{out}", str(out)) for part in contender.argv]
    log_path = scratch / f"{run_id}.log"
    with log_path.open("wb") as log:
        start = time.perf_counter()
        proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0 or not any(out.iterdir()):
        tail = log_path.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise BenchmarkError(
            f"{contender.label} failed (exit {proc.returncode}):\n  {' '.join(argv)}\n{tail}"
        )
    files = sum(1 for path in out.rglob("*") if path.is_file())
    shutil.rmtree(out, ignore_errors=True)
    log_path.unlink()
    return Sample(
        wall_s=wall,
        cpu_s=usage.ru_utime + usage.ru_stime,
        peak_rss_kib=usage.ru_maxrss,
        files=files,
    )


def child_env(scratch: Path, *, bytecode_cache: bool) -> dict[str, str]:
    """The environment every child gets: scratch home and bytecode cache."""
    home = scratch / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "PYTHONPYCACHEPREFIX": str(scratch / "pycache")}
    if bytecode_cache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def measure(
    contenders: list[Contender], rounds: int, warmup: int, *, bytecode_cache: bool
) -> list[Series]:
    """Interleaved rounds: each round runs every contender once, in a rotated order."""
    series = {c.key: Series(c) for c in contenders}
    with tempfile.TemporaryDirectory(prefix="bench-generation-") as tmp:
        scratch = Path(tmp)
        env = child_env(scratch, bytecode_cache=bytecode_cache)
        total = warmup + rounds
        for index in range(total):
            timed = index >= warmup
            shift = index % len(contenders)
            order = contenders[shift:] + contenders[:shift]
            tag = f"round {index - warmup + 1}/{rounds}" if timed else f"warm-up {index + 1}"
            for position, contender in enumerate(order):
                sample = run_once(contender, scratch, env, f"r{index}-{position}")
                print(
                    f"{tag}: {contender.key:<24} {sample.wall_s:6.3f} s "
                    f"{sample.peak_rss_kib / KIB_PER_MIB:6.1f} MiB",
                    file=sys.stderr,
                )
                if timed:
                    series[contender.key].samples.append(sample)
    return list(series.values())


def clean_clone(repo: Path, stack: contextlib.ExitStack) -> Path:
    """A fresh clone of the repository's HEAD, removed when ``stack`` closes."""
    target = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-template-")))
    clone = target / repo.name
    try:
        subprocess.run(
            ["git", "clone", "--quiet", str(repo), str(clone)],
            check=True,
            capture_output=True,
            text=True,
        )
    except (OSError, subprocess.CalledProcessError) as error:
        detail = getattr(error, "stderr", "") or error
        raise BenchmarkError(f"cannot clone {repo}: {detail}") from error
    return clone


def ccds_git_repo(template: Path, stack: contextlib.ExitStack) -> str:
    """The ccds template committed to a scratch git repository, as a ``file://`` URL."""
    target = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-ccds-")))
    repo = target / "cookiecutter-data-science"
    shutil.copytree(template, repo, ignore=shutil.ignore_patterns(".git"))
    git = ["git", "-C", str(repo), "-c", "user.name=bench", "-c", "user.email=bench@localhost"]
    try:
        # ccds checks out the tag of its own version (v2.3.0), as it does on GitHub.
        tag = f"v{package_version('cookiecutter-data-science')}"
        for command in (
            ["init", "--quiet"],
            ["add", "--all"],
            ["commit", "--quiet", "-m", "ccds"],
            ["tag", tag],
        ):
            subprocess.run([*git, *command], check=True, capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError) as error:
        detail = getattr(error, "stderr", "") or error
        raise BenchmarkError(f"cannot commit the ccds template to {repo}: {detail}") from error
    return "git+" + repo.as_uri()


FLOOR_CONFIG = "_answers_file: .copier-answers.yml\nname:\n  type: str\n  default: demo\n"
ANSWERS_TEMPLATE = ("{{ _copier_conf.answers_file }}.jinja", "{{ _copier_answers|to_nice_yaml }}")


def commit_scratch_repo(repo: Path, message: str) -> Path:
    """Commit everything in ``repo`` to a new git repository there."""
    git = ["git", "-C", str(repo), "-c", "user.name=bench", "-c", "user.email=bench@localhost"]
    try:
        for command in (
            ["init", "--quiet"],
            ["add", "--all"],
            ["commit", "--quiet", "-m", message],
        ):
            subprocess.run([*git, *command], check=True, capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError) as error:
        detail = getattr(error, "stderr", "") or error
        raise BenchmarkError(f"cannot commit the scratch template {repo}: {detail}") from error
    return repo


def copier_floor_repo(stack: contextlib.ExitStack) -> Path:
    """The smallest copier template (one question, one file) in a scratch git repository.

    Timing it beside ccds shows what copier itself costs before any template size:
    its start-up, the clone and the answers file. If this floor is slower than ccds,
    no copier template can meet the target on this copier version.
    """
    repo = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-floor-")))
    (repo / "copier.yml").write_text(FLOOR_CONFIG, encoding="utf-8")
    (repo / "README.md.jinja").write_text("# {{ name }}\n", encoding="utf-8")
    (repo / ANSWERS_TEMPLATE[0]).write_text(ANSWERS_TEMPLATE[1], encoding="utf-8")
    return commit_scratch_repo(repo, "floor")


def copier_sized_floor_repo(
    copier: Path, source: Path, focus: str, stack: contextlib.ExitStack
) -> Path:
    """The focus's generated project, verbatim, as a copier template with no Jinja in it.

    This template's own output for ``focus`` (made once, untimed) is committed as plain
    files under the default ``.jinja`` suffix, so copier copies every byte as it is and
    renders nothing but the answers file: the same paths, the same bytes, no template
    logic. Timing it beside this template separates copier's cost per written path
    from what this template's Jinja adds; timing it beside ccds shows whether any copier
    template that writes these files could meet the target.
    """
    scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-sized-")))
    rendered = scratch / "rendered"
    argv = [
        part.replace("{out}", str(rendered))
        for part in copier_argv(copier, source, f"focus={focus}")
    ]
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BenchmarkError(f"cannot generate the {focus} project: {result.stderr[-2000:]}")
    project = rendered / "project"
    (project / ".copier-answers.yml").unlink()
    clashes = sorted(str(p.relative_to(project)) for p in project.rglob("*.jinja"))
    if clashes:
        raise BenchmarkError(
            f"generated files end in .jinja, so copier would render them: {clashes}"
        )
    repo = scratch / "template"
    repo.mkdir()
    (repo / "copier.yml").write_text("_subdirectory: project\n" + FLOOR_CONFIG, encoding="utf-8")
    shutil.copytree(project, repo / "project")
    (repo / "project" / ANSWERS_TEMPLATE[0]).write_text(ANSWERS_TEMPLATE[1], encoding="utf-8")
    return commit_scratch_repo(repo, f"the {focus} project as plain files")


def command_output(argv: list[str]) -> str:
    try:
        return subprocess.run(argv, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine_lines(
    repo: Path, ccds_template: Path | None, *, clean: bool, ccds_folder: bool
) -> list[str]:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    head = command_output(["git", "-C", str(repo), "rev-parse", "--short", "HEAD"])
    dirty = command_output(["git", "-C", str(repo), "status", "--porcelain"])
    state = "unknown" if dirty == "unknown" else ("uncommitted changes" if dirty else "clean")
    source = (
        "a fresh clone of HEAD (--clean-clone)"
        if clean
        else "the working tree, uncommitted changes included"
    )
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [
        f"- Date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- CPU: {cpu_model()}; {os.cpu_count()} logical cores ({usable} usable)",
        f"- System: {platform.platform()}; load average at start {load}",
        f"- Python: {platform.python_version()} ({sys.executable})",
        f"- copier {package_version('copier')}, cookiecutter {package_version('cookiecutter')}, "
        f"cookiecutter-data-science {package_version('cookiecutter-data-science')}",
        f"- Template: {repo} at {head} ({state}); generated from {source}",
        f"- ccds template: {ccds_template if ccds_template else 'none'}"
        + (
            ""
            if not ccds_template
            else (
                ", read as a folder (--ccds-as-folder: no clone, unlike real use)"
                if ccds_folder
                else ", committed to a scratch git repository that ccds clones each run"
            )
        ),
    ]
    if clean and state == "uncommitted changes":
        lines.append(
            "- **Warning**: the working tree has uncommitted changes, which the clone leaves "
            "out; these numbers are for the committed template only."
        )
    return lines


def results_table(results: list[Series]) -> list[str]:
    lines = [
        "| Contender | Files written | Runs | Median wall (s) | Min wall (s) | Median CPU (s) "
        "| Peak RSS median (MiB) | Peak RSS max (MiB) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in results:
        lines.append(
            f"| {s.contender.label} | {s.files()} | {len(s.samples)} | {s.median_wall():.3f} "
            f"| {s.min_wall():.3f} | {s.median_cpu():.3f} | {s.median_rss_mib():.1f} "
            f"| {s.max_rss_mib():.1f} |"
        )
    return lines


def sized_floor_lines(by_key: dict[str, Series]) -> list[str]:
    """What this template's Jinja adds over copier's own cost of writing the same files."""
    lines = [
        "| Focus | Files | copier / copier's floor at this size (median) |",
        "|---|---:|---:|",
    ]
    for key, s in by_key.items():
        floor = by_key.get(f"copier-floor:{s.contender.focus}")
        if key.startswith("copier:") and floor is not None:
            ratio = s.median_wall() / floor.median_wall()
            lines.append(f"| {s.contender.focus} | {s.files()} | {ratio:.2f} |")
    return lines if len(lines) > 2 else []


def ratio_lines(results: list[Series], ccds_reason: str | None) -> list[str]:
    by_key = {s.contender.key: s for s in results}
    ccds = by_key.get("ccds")
    sized = sized_floor_lines(by_key)
    if ccds is None:
        return [
            f"**The ccds side could not run**: {ccds_reason}. Only this template is measured.",
            "",
            *sized,
        ]
    base = ccds.median_wall()
    lines = [
        f"Target: copier's median wall time / ccds's median wall time <= {TARGET_RATIO:.1f}.",
        f"ccds writes {ccds.files()} files.",
        "",
        "| Focus | copier / ccds (median) | copier / ccds (min) | cookiecutter / ccds (median) "
        "| copier's floor at this size / ccds (median) | copier with upstream changes / ccds "
        "(what-if, median) | copier / ccds peak RSS | Target |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    floor = by_key.get("copier-floor")
    for s in results:
        if not s.contender.key.startswith("copier:"):
            continue
        focus = s.contender.focus
        twin = by_key[f"cookiecutter:{focus}"]
        sized_ratio, what_if_ratio = (
            f"{by_key[key].median_wall() / base:.2f}" if key in by_key else "not run"
            for key in (f"copier-floor:{focus}", f"copier-what-if:{focus}")
        )
        ratio = s.median_wall() / base
        verdict = "met" if ratio <= TARGET_RATIO else "missed"
        lines.append(
            f"| {focus} | {ratio:.2f} | {s.min_wall() / ccds.min_wall():.2f} "
            f"| {twin.median_wall() / base:.2f} | {sized_ratio} | {what_if_ratio} "
            f"| {s.median_rss_mib() / ccds.median_rss_mib():.2f} | {verdict} |"
        )
    if floor is not None:
        ratio = floor.median_wall() / base
        lines += [
            "",
            f"copier's floor (a one-file template) / ccds: **{ratio:.2f}**"
            + (
                "; above 1.0, so no copier template can meet the target with this copier: "
                "the start-up and clone alone cost more than ccds's whole run."
                if ratio > TARGET_RATIO
                else "; below 1.0, so the rest of the gap is the number of files written "
                "(copier's floor at this size) and this template's Jinja (the table below)."
            ),
        ]
    if sized:
        lines += [
            "",
            "copier's floor at this size writes the focus's generated files verbatim, as a "
            "template with no Jinja: above 1.0 / ccds, no copier template that writes these "
            "files can meet the target with this copier. This template's own cost is the rest:",
            "",
            *sized,
        ]
    return lines


def report(
    results: list[Series],
    args: argparse.Namespace,
    machine: list[str],
    ccds_reason: str | None,
) -> str:
    lines = [
        "# Generation speed",
        "",
        f"{args.rounds} interleaved rounds (order rotated each round) after {args.warmup} "
        "untimed warm-up round(s); each run is a fresh subprocess writing a new project.",
        "Peak RSS is the largest process in the child's tree (os.wait4).",
        "Bytecode: "
        + (
            "compiled from source in every run (--no-bytecode-cache)."
            if args.no_bytecode_cache
            else "cached during the warm-up round, as on a normal installation."
        ),
        "",
        *results_table(results),
        "",
        *ratio_lines(results, ccds_reason),
        "",
        "## Machine",
        "",
        *machine,
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.repo = args.repo.resolve()
    copier = venv_executable("copier")
    cookiecutter = venv_executable("cookiecutter")
    if copier is None or cookiecutter is None:
        print(
            f"copier and cookiecutter must be installed next to {sys.executable}", file=sys.stderr
        )
        return 2
    ccds = venv_executable("ccds")
    ccds_template = args.ccds_template.resolve() if args.ccds_template else None
    ccds_reason = ccds_unavailable_reason(ccds_template, ccds)
    if ccds_reason:
        print(f"The ccds side will not run: {ccds_reason}.", file=sys.stderr)
        ccds = None
    try:
        known = template_focuses(args.repo)
    except (OSError, ValueError, KeyError) as error:
        print(f"cannot read the focus choices from {args.repo}: {error!r}", file=sys.stderr)
        return 2
    focuses = args.focus or known
    unknown = sorted(set(focuses) - set(known))
    if unknown:
        print(
            f"unknown focus {', '.join(unknown)}; choose from {', '.join(known)}", file=sys.stderr
        )
        return 2
    machine = machine_lines(
        args.repo,
        ccds_template if ccds else None,
        clean=args.clean_clone,
        ccds_folder=args.ccds_as_folder,
    )
    try:
        with contextlib.ExitStack() as stack:
            source = clean_clone(args.repo, stack) if args.clean_clone else args.repo
            ccds_source = None
            if ccds is not None and ccds_template is not None:
                ccds_source = (
                    str(ccds_template)
                    if args.ccds_as_folder
                    else ccds_git_repo(ccds_template, stack)
                )
            contenders = build_contenders(
                source,
                focuses,
                copier=copier,
                cookiecutter=cookiecutter,
                ccds=ccds,
                ccds_template=ccds_source,
                floor=copier_floor_repo(stack),
                sized_floors={
                    focus: copier_sized_floor_repo(copier, source, focus, stack)
                    for focus in focuses
                },
                what_if=args.what_if,
            )
            results = measure(
                contenders, args.rounds, args.warmup, bytecode_cache=not args.no_bytecode_cache
            )
    except BenchmarkError as error:
        print(f"benchmark failed: {error}", file=sys.stderr)
        return 1
    text = report(results, args, machine, ccds_reason)
    print(text)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"written to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
