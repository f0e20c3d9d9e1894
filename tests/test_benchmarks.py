"""The template's generation benchmark runs and reports what it claims to measure."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from conftest import REPO


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
