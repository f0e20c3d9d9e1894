"""Preview, abort, and the student's intent file, through the generated project's make targets.

A throwaway template repository (a snapshot of this checkout plus a CHANGELOG) is tagged:

- v1.0.0: the snapshot;
- v1.1.0: a release that adds a file, removes two, changes pages cleanly, rewrites a README
  line a student also rewrites (a conflict), and changes files the student owns, deleted
  on purpose or renamed;
- v1.2.0: adds one page.

Each CHANGELOG release has its "For existing projects" part, which the preview prints.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ANSWERS_FILE, REPO, project_env
from test_lifecycle import (
    CONFLICT_LINE,
    GIT_ENV,
    PACKAGE,
    STUDENT,
    STUDENT_CONFLICT_LINE,
    T11_CONFLICT_LINE,
    append,
    check_step,
    commit_all,
    conflicts,
    files,
    generate,
    git,
    project_source,
    render,
    replace_once,
    snapshot,
    student_edits,
    tag,
)

INTENT = ".template-intent.yml"
NOTE_10 = "Nothing to do: first release."
NOTE_11 = "`docs/architecture.md` and `docs/model-card.md` leave; `README.md` may conflict."
NOTE_12 = "`docs/faq.md` arrives; nothing to do."
CHANGELOG = """# Changelog

## Unreleased

{releases}"""
RELEASE = (
    "## {version} (2026-12-0{day})\n\n### Added\n- Things.\n\n"
    "### For existing projects\n- {note}\n\n"
)
T11 = "template change in v1.1.0"
MINE = "my own index page"
RENAMED_EDIT = "student note at the top of the renamed card"


def write_changelog(repo: Path, *releases: tuple[str, str]) -> None:
    """A CHANGELOG with one section per (version, note), the newest first."""
    text = "".join(
        RELEASE.format(version=version, day=day, note=note)
        for day, (version, note) in reversed(list(enumerate(releases, start=1)))
    )
    (repo / "CHANGELOG.md").write_text(CHANGELOG.format(releases=text), encoding="utf-8")


@pytest.fixture(scope="session")
def intent_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A template repository whose v1.1.0 adds, removes, changes and conflicts."""
    repo = snapshot(tmp_path_factory.mktemp("intent-template") / "repo")
    write_changelog(repo, ("1.0.0", NOTE_10))
    tag(repo, "v1.0.0")
    source = project_source(repo)
    (source / "docs/glossary.md").write_text("# Glossary\n", encoding="utf-8")
    (source / "docs/architecture.md").unlink()
    (source / "docs/model-card.md").unlink()
    append(source / "docs/walkthrough.md", f"\n## Rehearse ({T11})\n")
    replace_once(source / "README.md", CONFLICT_LINE, T11_CONFLICT_LINE)
    for name in ("docs/data-card.md", "docs/index.md", "docs/checklist.md"):
        append(source / name, f"\n{T11}\n")
    for name in ("configs/pipeline.yaml", "configs/review.yaml"):
        append(source / name, f"# {T11}\n")
    write_changelog(repo, ("1.0.0", NOTE_10), ("1.1.0", NOTE_11))
    tag(repo, "v1.1.0")
    (source / "docs/faq.md").write_text("# Questions\n", encoding="utf-8")
    write_changelog(repo, ("1.0.0", NOTE_10), ("1.1.0", NOTE_11), ("1.2.0", NOTE_12))
    tag(repo, "v1.2.0")
    return repo


def make(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The generated project's own make target, with copier from uv as students run it."""
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=project,
        env={**project_env("3.11"), **GIT_ENV},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def student_project(template: Path, dst: Path, focus: str) -> Path:
    """A v1.0.0 project whose student edited, deleted, owns and renamed files, with intent."""
    project = generate(template, dst, "v1.0.0", focus=focus)
    replace_once(project / "README.md", CONFLICT_LINE, STUDENT_CONFLICT_LINE)
    append(project / "docs/model-card.md", "\nstudent: logistic regression, F1 0.97\n")
    append(project / "docs/index.md", f"\n{MINE}\n")
    (project / "docs/checklist.md").unlink()
    (project / "configs/review.yaml").unlink()
    git(project, "mv", "docs/data-card.md", "docs/penguin-card.md")
    card = project / "docs/penguin-card.md"
    card.write_text(f"{RENAMED_EDIT}\n\n{card.read_text(encoding='utf-8')}", encoding="utf-8")
    intent = {
        "deleted": ["docs/checklist.md", "configs/review.yaml"],
        "mine": ["docs/index.md"],
        "renamed": {"docs/data-card.md": "docs/penguin-card.md"},
    }
    (project / INTENT).write_text(yaml.safe_dump(intent), encoding="utf-8")
    # an ignored file of the student's that no update or abort may touch
    (project / "data/processed").mkdir(parents=True, exist_ok=True)
    (project / "data/processed/features.csv").write_text("ratio\n2.1\n", encoding="utf-8")
    commit_all(project, "Student work")
    assert "data/processed/features.csv" not in git(project, "ls-files")
    return project


def has_markers(path: Path) -> bool:
    return path.is_file() and b"<<<<<<< before updating" in path.read_bytes()


# ------------------------------------------------------------------ preview


@pytest.mark.parametrize("focus", ["data", "product"])
def test_preview_changes_nothing_and_matches_what_the_update_does(
    intent_template: Path, tmp_path: Path, focus: str
) -> None:
    # given a v1.0.0 project with edits, a conflicting line, deletions, an owned and a renamed file
    project = student_project(intent_template, tmp_path / "proj", focus)
    committed = files(project)
    head = git(project, "rev-parse", "HEAD")
    # when the student previews the update to the newest release
    shown = make(project, "template-preview", "JSON=yes")
    # then it exits 0 and the tree, HEAD and the worktree list are as they were
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert files(project) == committed
    assert git(project, "rev-parse", "HEAD") == head
    assert git(project, "status", "--porcelain") == ""
    assert len(git(project, "worktree", "list").splitlines()) == 1
    report = json.loads(shown.stdout)
    status = {row["path"]: row["status"] for row in report["files"]}
    # and it names each kind of change the release makes
    assert (report["from"], report["to"]) == ("v1.0.0", "v1.2.0")
    assert status["docs/glossary.md"] == status["docs/faq.md"] == "arrives"
    assert status["docs/architecture.md"] == "leaves"
    assert status["docs/walkthrough.md"] == "changes cleanly"
    assert status["docs/penguin-card.md"] == "changes cleanly"
    assert status["README.md"] == "will conflict with your edit"
    assert status["docs/model-card.md"] == "kept because you edited it"
    assert status["docs/checklist.md"] == "kept because you deleted it on purpose"
    assert status["configs/review.yaml"] == "kept because you deleted it on purpose"
    assert status["docs/index.md"] == "kept because it is yours"
    assert status["configs/pipeline.yaml"] == "kept because it is yours"
    # and the notes of both releases crossed, not of the one the project came from
    notes = {note["version"]: note["text"] for note in report["notes"]}
    assert notes == {"1.1.0": f"- {NOTE_11}", "1.2.0": f"- {NOTE_12}"}

    # when the real update runs
    updated = make(project, "template-update")
    # then it does to each file what the preview said, and nothing to any other file
    assert updated.returncode != 0, "the README conflict must be reported"
    now = files(project)
    for path in sorted(set(committed) | set(now)):
        expected = status.get(path)
        if expected == "arrives":
            assert (path in committed, path in now) == (False, True), path
        elif expected == "leaves":
            assert (path in committed, path in now) == (True, False), path
        elif expected == "changes cleanly":
            assert now[path] != committed[path], path
            assert not has_markers(project / path), path
        elif expected == "will conflict with your edit":
            assert has_markers(project / path), path
        elif expected == "kept because you deleted it on purpose":
            assert path not in now, path
        elif path != ANSWERS_FILE:  # kept, or not concerned at all: byte for byte as committed
            assert now.get(path) == committed.get(path), f"{path}: {expected}"
    card = (project / "docs/penguin-card.md").read_text(encoding="utf-8")
    assert card.startswith(RENAMED_EDIT)
    assert T11 in card
    assert not (project / "docs/data-card.md").exists()


def test_preview_as_text_groups_files_and_prints_release_notes(
    intent_template: Path, tmp_path: Path
) -> None:
    # given the student's project
    project = student_project(intent_template, tmp_path / "proj", "modeling")
    # when they preview the update to v1.1.0 only
    shown = make(project, "template-preview", "TEMPLATE_VERSION=v1.1.0")
    # then the text says what happens to each file and what v1.1.0 asks of existing projects
    assert shown.returncode == 0, shown.stdout + shown.stderr
    text = shown.stdout
    assert "update v1.0.0 -> v1.1.0" in text
    assert "\nwill conflict with your edit:\n  README.md\n" in text
    assert "\nkept because you deleted it on purpose:\n" in text
    assert "1.1.0, for existing projects:\n" in text
    assert NOTE_11 in text
    assert NOTE_12 not in text
    assert "docs/faq.md" not in text


# ------------------------------------------------------------------ abort


@pytest.mark.parametrize("focus", ["data", "architecture"])
def test_abort_after_a_conflicted_update_returns_to_the_commit(
    intent_template: Path, tmp_path: Path, focus: str
) -> None:
    # given a student's project whose update left a conflict, new files and a hidden .rej
    project = student_project(intent_template, tmp_path / "proj", focus)
    append(project / ".gitignore", "*.rej\n")
    commit_all(project, "Hide reject files")
    committed = files(project)
    updated = make(project, "template-update", "CONFLICT=rej")
    assert updated.returncode != 0
    # then the hidden .rej file is found and listed
    assert (project / "README.md.rej").is_file()
    assert "  README.md.rej" in updated.stdout.splitlines()
    assert (project / "docs/glossary.md").is_file()
    # when the student aborts
    aborted = make(project, "template-abort")
    # then the tree is exactly the commit: tracked files back, created files gone,
    # the ignored file that existed before still there
    assert aborted.returncode == 0, aborted.stdout + aborted.stderr
    assert "aborted: the tree is back at" in aborted.stdout
    assert files(project) == committed
    assert git(project, "status", "--porcelain") == ""


def test_abort_after_an_inline_conflict_and_refusal_after_a_commit(
    intent_template: Path, tmp_path: Path
) -> None:
    # given an update that left inline conflict markers (unmerged in git)
    project = student_project(intent_template, tmp_path / "proj", "product")
    committed = files(project)
    updated = make(project, "template-update")
    assert updated.returncode != 0
    assert "conflicts to resolve" in updated.stdout
    assert "README.md" in git(project, "diff", "--name-only", "--diff-filter=U")
    # when the student aborts, then the commit is back and git has nothing unmerged
    assert make(project, "template-abort").returncode == 0
    assert files(project) == committed
    assert git(project, "status", "--porcelain") == ""
    # given an update the student then committed
    assert make(project, "template-update", "TEMPLATE_VERSION=v1.1.0").returncode != 0
    (project / "README.md").write_text("# resolved\n", encoding="utf-8")
    commit_all(project, "Update to v1.1.0")
    after_commit = files(project)
    # when they abort, then it refuses, says why and how, and changes nothing
    refused = make(project, "template-abort")
    assert refused.returncode != 0
    assert "you committed since the update" in refused.stderr
    assert "git revert" in refused.stderr
    assert files(project) == after_commit


def test_abort_without_an_update_says_there_is_nothing_to_undo(
    intent_template: Path, tmp_path: Path
) -> None:
    project = generate(intent_template, tmp_path / "proj", "v1.2.0", focus="data")
    refused = make(project, "template-abort")
    assert refused.returncode != 0
    assert "no template update to abort" in refused.stderr


# ------------------------------------------------------------------ the intent file


BAD_INTENTS = {
    "deleted: [README.md]\nmine: [README.md]\n": "README.md is listed twice",
    "deleted: [../outside.md]\n": "without '..'",
    "removed: [README.md]\n": "removed: Extra inputs are not permitted",
    "deleted: README.md\n": "deleted: Input should be a valid",
    "- README.md\n": "must be a mapping",
}


def test_a_bad_intent_file_stops_update_and_preview_with_its_problem(
    intent_template: Path, tmp_path: Path
) -> None:
    project = generate(intent_template, tmp_path / "proj", "v1.1.0", focus="data")
    for content, expected in BAD_INTENTS.items():
        # given a project whose intent file is wrong in one way
        (project / INTENT).write_text(content, encoding="utf-8")
        commit_all(project, "Intent")
        # when the student previews or updates, then both stop, naming the file and the problem
        for target in ("template-preview", "template-update"):
            result = make(project, target)
            assert result.returncode != 0, (target, content)
            assert f"error: {INTENT}" in result.stderr, (target, content)
            assert expected in result.stderr, (target, content)
    # and nothing was updated
    answers = yaml.safe_load((project / ANSWERS_FILE).read_text(encoding="utf-8"))
    assert answers["_commit"] == "v1.1.0"
    assert git(project, "status", "--porcelain") == ""


def test_update_offers_to_record_deletions_and_then_honours_them(
    intent_template: Path, tmp_path: Path
) -> None:
    # given a project whose student deleted a page and a config (copier re-creates configs)
    project = generate(intent_template, tmp_path / "proj", "v1.0.0", focus="modeling")
    (project / "docs/checklist.md").unlink()
    (project / "configs/review.yaml").unlink()
    commit_all(project, "Delete what I do not use")
    # when they update and ask for the deletions to be recorded
    updated = make(project, "template-update", "RECORD_DELETIONS=yes")
    # then the update names both, the intent file lists them, is committed, and neither came back
    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert "you deleted these generated files" in updated.stdout
    assert "  configs/review.yaml\n  docs/checklist.md\n" in updated.stdout
    intent: dict[str, Any] = yaml.safe_load((project / INTENT).read_text(encoding="utf-8"))
    assert intent["deleted"] == ["configs/review.yaml", "docs/checklist.md"]
    assert INTENT in git(project, "show", "--name-only", "--format=", "HEAD")
    assert not (project / "docs/checklist.md").exists()
    assert not (project / "configs/review.yaml").exists()


def pull_request_step(
    project: Path, tmp_path: Path, outputs: dict[str, str], open_number: str
) -> tuple[str, str]:
    """Run the workflow's pull-request step as GitHub would, `gh` played by a shim.

    The shim answers `gh pr list` with `open_number` ("" when none is open) and keeps the
    body it is given. Returns the shim's calls and the body.
    """
    workflow = project / ".github/workflows/template-update.yml"
    steps = yaml.safe_load(workflow.read_text(encoding="utf-8"))["jobs"]["check"]["steps"]
    (step,) = [s for s in steps if s.get("name", "").startswith("Update on a branch")]
    shims, runner, calls, body = (tmp_path / name for name in ("gh", "runner", "calls", "body"))
    shims.mkdir(exist_ok=True)
    runner.mkdir(exist_ok=True)
    (shims / "gh").write_text(
        f'#!/bin/sh\necho "$*" >> {calls}\n'
        f'if [ "$1 $2" = "pr list" ]; then printf "{open_number}"; exit 0; fi\n'
        f'for last; do :; done\ncp "$last" {body}\n',
        encoding="utf-8",
    )
    (shims / "gh").chmod(0o755)
    env = {**project_env("3.11"), **GIT_ENV, "GH_TOKEN": "token", "RUNNER_TEMP": str(runner)}
    env |= {"REPOSITORY": "student/penguin-lab", "SERVER": "https://github.com"}
    env |= {key.upper(): value for key, value in outputs.items() if key != "behind"}
    env["PATH"] = f"{shims}{os.pathsep}{env['PATH']}"
    command = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]]
    result = subprocess.run(
        command, cwd=project, env=env, capture_output=True, text=True, check=False, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return calls.read_text(encoding="utf-8"), body.read_text(encoding="utf-8")


def test_scheduled_check_opens_then_refreshes_one_pull_request_with_the_preview(
    intent_template: Path, tmp_path: Path
) -> None:
    # given a student's v1.0.0 project on GitHub (a bare repository plays origin),
    # whose template CI reaches by URL, and the scheduled check finding it behind
    project = student_project(intent_template, tmp_path / "proj", "architecture")
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", str(origin))
    git(project, "remote", "add", "origin", str(origin))
    outputs = check_step(project, tmp_path, f"git+file://{intent_template}")
    assert outputs["command"] == "make template-update"
    git(project, "push", "-q", "origin", "main")
    # when the pull-request step runs with no pull request open
    calls, body = pull_request_step(project, tmp_path, outputs, "")
    # then the update is pushed to the template-update branch, conflict markers included,
    # and one pull request is created whose body is the preview with the release notes
    pushed = git(origin, "show", "template-update:.copier-answers.yml")
    assert "_commit: v1.2.0" in pushed
    assert "<<<<<<< before updating" in git(origin, "show", "template-update:README.md")
    assert git(origin, "rev-parse", "main") == git(project, "rev-parse", "main")
    assert calls.splitlines()[-1].startswith(
        "pr create --head template-update --title Template update: 1.2.0 --body-file "
    )
    assert "will conflict with your edit:\n  README.md\n" in body
    assert "1.1.0, for existing projects:" in body
    # when it runs again from main while that pull request (number 7) is open
    git(project, "switch", "-q", "main")
    calls, _ = pull_request_step(project, tmp_path, outputs, "7")
    # then the same branch is pushed again and the open pull request is edited, not duplicated
    assert calls.splitlines()[-1].startswith("pr edit 7 --title Template update: 1.2.0")
    assert sum(line.startswith("pr create") for line in calls.splitlines()) == 1


NEW_PACKAGE = "gentoo_lab"


@pytest.mark.parametrize("focus", ["data", "architecture"])
def test_changing_package_name_moves_the_package_with_the_students_work(
    intent_template: Path, tmp_path: Path, focus: str
) -> None:
    # given a project whose student edited a package module, added one, and tests it
    project = generate(intent_template, tmp_path / "proj", "v1.2.0", focus=focus)
    student_edits(project)
    (project / "tests/test_ratios.py").write_text(
        f"from {PACKAGE}.ratios import RATIO\n\n\ndef test_ratio() -> None:\n"
        "    assert RATIO == 2.5\n",
        encoding="utf-8",
    )
    commit_all(project, "Student tests their module")
    # when the student renames the package
    result = make(project, "template-update", f"ANSWER=package_name={NEW_PACKAGE}")
    # then nothing conflicts and nothing is left in the old package folder
    assert result.returncode == 0, result.stdout + result.stderr
    assert conflicts(project) == []
    assert not (project / "src" / PACKAGE).exists()
    new = project / "src" / NEW_PACKAGE
    # and the student's edit, module and test came along, importing the new name
    assert STUDENT in (new / "features/build.py").read_text(encoding="utf-8")
    assert "RATIO = 2.5" in (new / "ratios.py").read_text(encoding="utf-8")
    assert f"moved your src/{PACKAGE}/ratios.py to src/{NEW_PACKAGE}/ratios.py" in result.stdout
    assert f"tests/test_ratios.py now imports {NEW_PACKAGE}" in result.stdout
    test = (project / "tests/test_ratios.py").read_text(encoding="utf-8")
    assert test.startswith(f"from {NEW_PACKAGE}.ratios import RATIO")
    code = [path for path in project.rglob("*.py") if ".git" not in path.parts]
    assert [path for path in code if PACKAGE in path.read_text(encoding="utf-8")] == []
    # and every other file of the package and its tests is a fresh render's, byte for byte
    fresh = files(
        render(intent_template, tmp_path / "fresh", "v1.2.0", focus=focus, package_name=NEW_PACKAGE)
    )
    now = files(project)
    edited = {f"src/{NEW_PACKAGE}/features/build.py"}
    for name, content in fresh.items():
        if name.startswith(("src/", "tests/")) and name not in edited:
            assert now.get(name) == content, name
    # and git sees moves, so history follows the files
    git(project, "add", "--all")
    moves = git(project, "diff", "--cached", "-M", "--name-status", "HEAD").splitlines()
    for name in ("ratios.py", "features/build.py"):
        assert any(
            line.startswith("R") and line.endswith(f"src/{NEW_PACKAGE}/{name}") for line in moves
        ), (name, moves)


def test_copier_is_pinned_to_the_version_the_template_is_tested_with() -> None:
    # given the copier the template's own tests use (uv.lock)
    lock = (REPO / "uv.lock").read_text(encoding="utf-8")
    tested = lock.split('name = "copier"\nversion = "', 1)[1].split('"', 1)[0]
    major, minor, _ = tested.split(".")
    mk = (project_source(REPO) / "mk/template.mk").read_text(encoding="utf-8")
    # then generated projects ask for that version, below the next minor release
    assert f"COPIER_TESTED := {tested}\n" in mk
    assert f"COPIER_SPEC ?= copier>=$(COPIER_TESTED),<{major}.{int(minor) + 1}\n" in mk
