"""`review` on whole (tiny) projects: focus, outputs, malformed files, mentor mode, --run."""

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from {{ cookiecutter.package_name }}.cli import app
from {{ cookiecutter.package_name }}.review import common, product
from {{ cookiecutter.package_name }}.review.run import review

Write = Callable[[str, str | bytes], Path]
runner = CliRunner()
PAGE = (
    "# Capstone review\n\nMy intro.\n\n<!-- review:start -->\nold\n<!-- review:end -->\n\nMy end.\n"
)


def _review(*args: str) -> Any:
    return runner.invoke(app, ["review", *args])


def _statuses(root: Path) -> dict[str, str]:
    data = json.loads((root / "reports" / "review.json").read_text(encoding="utf-8"))
    return {check["id"]: check["status"] for check in data["checks"]}


def test_review_reads_the_focus_and_writes_every_output(write: Write, tmp_path: Path) -> None:
    # given a product project with the fairness component and a review page
    write(".copier-answers.yml", "focus: product\n")
    write("configs/fairness.yaml", "group: sex\n")
    write("docs/checklist.md", PAGE)
    write("docs/bias.md", "# Bias\n")
    # when it is reviewed
    result = _review(str(tmp_path))
    # then every capstone check and every product check is listed, in that order
    assert result.exit_code == 0, result.output
    expected = [c.id for c in common.CHECKS] + [c.id for c in product.CHECKS]
    assert list(_statuses(tmp_path)) == expected
    # and the components it lacks make their checks not applicable, fairness applies
    statuses = _statuses(tmp_path)
    assert statuses["site"] == "not applicable"
    assert statuses["bias"] == "your job"
    # and the Markdown report, the badge and the docs page's table are written
    report = (tmp_path / "reports" / "review.md").read_text(encoding="utf-8")
    assert "Focus **product** (from .copier-answers.yml)" in report
    badge = json.loads((tmp_path / "reports" / "review-badge.json").read_text(encoding="utf-8"))
    applicable = len(expected) - 4
    assert badge == {
        "schemaVersion": 1,
        "label": "capstone",
        "message": f"0/{applicable}",
        "color": "red",
    }
    page = (tmp_path / "docs" / "checklist.md").read_text(encoding="utf-8")
    assert page.startswith("# Capstone review\n\nMy intro.")
    assert page.endswith("My end.\n")
    assert "[bias.md](bias.md)" in page
    assert "old" not in page
    # and the terminal shows the table, each check by its id, and the summary
    assert all(check_id in result.output for check_id in expected)
    assert f"0/{applicable} done, 1 started" in result.output


def test_malformed_files_give_a_status_and_a_reason(write: Write, tmp_path: Path) -> None:
    # given an empty journal, broken YAML, no reports folder and a binary walkthrough
    write(".copier-answers.yml", "focus: [data\n")
    write("configs/ingestion.yaml", "raw_dir: data/lake/raw\n")
    write("docs/journal.md", "")
    write("configs/pipeline.yaml", "data:\n  raw_path: [unclosed\n")
    write("configs/review.yaml", "journal_entries: 3\nbaseline_margn: 0.1\n")
    write("docs/walkthrough.md", b"\x89PNG\r\n\x1a\n\x00\x00binary")
    write("docs/decisions.md", b"\xff\xfe not utf-8")
    write("data/lake/raw/manifest.json", "{not json")
    # when it is reviewed
    result = _review(str(tmp_path))
    # then it exits normally and says what is wrong with each file, never a traceback
    assert result.exit_code == 0, result.output
    assert result.exception is None
    evidence = {
        c["id"]: " ".join(c["evidence"])
        for c in json.loads((tmp_path / "reports/review.json").read_text("utf-8"))["checks"]
    }
    assert "docs/journal.md: 0 entries" in evidence["journal"]
    assert "configs/pipeline.yaml is not valid YAML at line" in evidence["own-data"]
    assert "reports/metrics.json is missing" in evidence["beats-baseline"]
    assert "docs/walkthrough.md is binary, expected text" in evidence["walkthrough"]
    assert "docs/decisions.md is not UTF-8 text" in evidence["decisions"]
    assert "data/lake/raw/manifest.json is not valid JSON" in evidence["ingestion"]
    # and the broken answers file leaves the focus to the project's files
    data = json.loads((tmp_path / "reports/review.json").read_text("utf-8"))
    assert data["focus"] == "data"
    assert "guessed from its files" in data["focus_source"]
    # and the misspelt setting is named, and the defaults used
    assert "baseline_margn" in " ".join(data["notes"])


def test_strict_fails_until_every_applicable_check_is_done(write: Write, tmp_path: Path) -> None:
    write(".copier-answers.yml", "focus: modeling\n")
    assert _review(str(tmp_path), "--no-write").exit_code == 0
    result = _review(str(tmp_path), "--no-write", "--strict")
    assert result.exit_code == 1
    assert not (tmp_path / "reports").exists()


def test_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    result = _review(str(tmp_path / "nowhere"))
    assert result.exit_code == 2
    assert "no such folder" in result.output


def test_mentor_mode_clones_a_git_url_and_writes_nothing_there(
    write: Write, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a student's repository with its own data, reachable by URL
    student = tmp_path / "student"
    write("student/.copier-answers.yml", "focus: architecture\n")
    write("student/configs/pipeline.yaml", "data:\n  raw_path: data/raw/mine.csv\n")
    write("student/data/raw/mine.csv", "a\n1\n")
    git = ["git", "-C", str(student), "-c", "user.name=s", "-c", "user.email=s@example.com"]
    subprocess.run([*git[:3], "init", "-q"], check=True)
    subprocess.run([*git[:3], "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "work"], check=True)
    # when a mentor reviews the URL, keeping the reports in a folder of their own
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = _review(student.as_uri(), "--out", str(tmp_path / "mentor"))
    # then the clone was reviewed for its focus, and nothing was written in the repository
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "mentor" / "review.json").read_text(encoding="utf-8"))
    assert data["focus"] == "architecture"
    assert {c["id"]: c["status"] for c in data["checks"]}["own-data"] == "done"
    assert not (student / "reports").exists()
    # and the job summary got the table
    assert "| Check | Status |" in summary.read_text(encoding="utf-8")
    # and a URL that does not clone is a clear error
    failed = _review((tmp_path / "missing").as_uri())
    assert failed.exit_code == 2
    assert "cannot clone" in failed.output


def test_only_run_executes_the_projects_make_test(write: Write, tmp_path: Path) -> None:
    # given a project whose `make test` leaves a mark and fails
    write("Makefile", "test:\n\ttouch ran\n\texit 1\n")
    write(".github/workflows/ci.yml", "jobs:\n  t:\n    steps:\n      - run: make test\n")
    # when it is reviewed without --run, nothing of it runs
    outcome = review(tmp_path)
    assert not (tmp_path / "ran").exists()
    assert {r.check.id: r.status.value for r in outcome.results}["tests"] == "started"
    # when --run is given, its `make test` runs and its failure is the evidence
    result = _review(str(tmp_path), "--run")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "ran").exists()
    assert _statuses(tmp_path)["tests"] == "your job"
    write("Makefile", "test:\n\ttrue\n")
    _review(str(tmp_path), "--run")
    assert _statuses(tmp_path)["tests"] == "done"


def test_out_leaves_the_reviewed_project_untouched(write: Write, tmp_path: Path) -> None:
    # given a student's project folder with its review page
    write("student/docs/checklist.md", PAGE)
    # when a mentor reviews it into a folder of their own
    result = _review(str(tmp_path / "student"), "--out", str(tmp_path / "mentor"))
    # then the reports are in the mentor's folder and the student's files are as they were
    assert result.exit_code == 0, result.output
    assert (tmp_path / "mentor" / "review.md").is_file()
    assert (tmp_path / "student" / "docs" / "checklist.md").read_text(encoding="utf-8") == PAGE
    assert not (tmp_path / "student" / "reports").exists()
