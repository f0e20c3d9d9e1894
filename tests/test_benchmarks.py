"""The template's generation benchmark runs and reports what it claims to measure."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from conftest import ANSWERS_FILE, REPO, tree


def table_rows(report: str) -> dict[str, list[str]]:
    """The results table's rows, keyed by contender label."""
    rows = {}
    for line in report.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("| ") and len(cells) == 8 and cells[1].isdigit():
            rows[cells[0]] = cells[1:]
    return rows


def test_generation_benchmark_times_copier_beside_its_floor_at_the_same_size(
    tmp_path: Path,
) -> None:
    # given one timed round, no warm-up, for the data focus, without the ccds template
    output = tmp_path / "generation.md"
    # when the benchmark runs as `make bench` runs it
    result = subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "generation.py"),
            "--focus",
            "data",
            "--rounds",
            "1",
            "--warmup",
            "0",
            "--ccds-template",
            str(tmp_path / "no-ccds-here"),
            "--output",
            str(output),
            "--what-if",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    # then it succeeds, says why ccds did not run, and writes its report
    assert result.returncode == 0, result.stderr[-3000:]
    report = output.read_text(encoding="utf-8")
    assert "could not run" in report
    assert "does not look like the ccds template" in report
    rows = table_rows(report)
    copier = rows["copier copy --defaults (focus=data)"]
    sized = rows[
        "copier copy --defaults of the data project as plain files (copier's floor at this size)"
    ]
    cookiecutter = rows["cookiecutter --no-input (focus=data)"]
    one_file = rows["copier copy --defaults of a one-file template (copier's floor)"]
    what_if = rows["copier copy --defaults (focus=data) with two upstream changes (what-if)"]
    assert what_if[0] == copier[0]
    # and the floor at this size writes exactly the files the template writes
    assert int(copier[0]) == int(sized[0]) > 100
    assert int(cookiecutter[0]) == int(copier[0]) - 1  # copier's answers file
    assert int(one_file[0]) == 2  # README.md and the answers file
    assert all(float(row[2]) > 0 for row in (copier, sized, cookiecutter, one_file))
    # and the template's cost over that floor is reported as a ratio
    match = re.search(r"^\| data \| (\d+) \| (\d+\.\d\d) \|$", report, flags=re.MULTILINE)
    assert match is not None, report
    assert int(match.group(1)) == int(copier[0])
    assert abs(float(match.group(2)) - float(copier[2]) / float(sized[2])) < 0.02


def answers_without_commit(root: Path) -> list[bytes]:
    """copier's answers file, less the commit line (a dirty tree gets a new commit per copy)."""
    lines = (root / ANSWERS_FILE).read_bytes().splitlines(keepends=True)
    return [line for line in lines if not line.startswith(b"_commit:")]


def test_the_what_if_copier_writes_the_same_project_as_copier(tmp_path: Path) -> None:
    # given the same answers for copier as released and for the what-if copier
    command = ["copy", "--vcs-ref", "HEAD", "--defaults", "-d", "focus=architecture", "--quiet"]
    copier = Path(sys.executable).with_name("copier")
    # when both generate the project
    for argv, out in (
        ([str(copier), *command], tmp_path / "copier"),
        (
            [sys.executable, str(REPO / "benchmarks" / "copier_what_if.py"), *command],
            tmp_path / "what-if",
        ),
    ):
        result = subprocess.run(
            [*argv, str(REPO), str(out)], capture_output=True, text=True, check=False, timeout=120
        )
        assert result.returncode == 0, result.stderr[-3000:]
    # then the trees are the same, byte for byte (the commit id of a dirty tree aside)
    released, what_if = tree(tmp_path / "copier"), tree(tmp_path / "what-if")
    assert len(released) > 100
    assert released == what_if
    assert answers_without_commit(tmp_path / "copier") == answers_without_commit(
        tmp_path / "what-if"
    )
