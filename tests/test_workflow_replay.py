"""The workflow replay on tiny workflows: what it honours; each stand-in fails when it should."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from conftest import excerpt
from containers import BASE, podman
from workflow_replay import (
    JobReport,
    ReplayError,
    failure_message,
    replay_job,
)

GIT = {
    "GIT_AUTHOR_NAME": "Replay",
    "GIT_AUTHOR_EMAIL": "replay@example.com",
    "GIT_COMMITTER_NAME": "Replay",
    "GIT_COMMITTER_EMAIL": "replay@example.com",
}


def fresh_clone(tmp_path: Path, workflow: str, files: dict[str, str] | None = None) -> Path:
    """A repository holding the workflow (and files), committed on main and cloned afresh."""
    origin = tmp_path / "origin"
    (origin / ".github" / "workflows").mkdir(parents=True)
    (origin / ".github" / "workflows" / "w.yml").write_text(workflow, encoding="utf-8")
    for name, text in (files or {}).items():
        (origin / name).parent.mkdir(parents=True, exist_ok=True)
        (origin / name).write_text(text, encoding="utf-8")
    env = {**os.environ, **GIT}
    for command in (["git", "init", "-q", "-b", "main"], ["git", "add", "-A"]):
        subprocess.run(command, cwd=origin, check=True, env=env)
    subprocess.run(["git", "commit", "-qm", "tiny"], cwd=origin, check=True, env=env)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(origin), str(clone)], check=True, env=env)
    return clone


def replay(tmp_path: Path, workflow: str, job: str = "job", **files: str) -> JobReport:
    clone = fresh_clone(tmp_path, workflow, files)
    env = {**os.environ, "REPLAY_ARTIFACTS": str(tmp_path / "artifacts")}
    return replay_job(clone, clone / ".github/workflows/w.yml", job, tmp_path / "scratch", env)


def statuses(report: JobReport) -> dict[str, str]:
    return {step.label: step.status for step in report.steps}


HONOURED = """
name: Tiny
on: [push, pull_request]
env:
  LEVEL: workflow
  UV_VERSION: "0.0.1"
defaults:
  run:
    working-directory: sub
jobs:
  job:
    runs-on: ubuntu-latest
    env:
      JOB: job-level
    steps:
      - uses: actions/checkout@v5
      - name: outputs and env files
        id: first
        run: |
          echo "answer=42" >> "$GITHUB_OUTPUT"
          echo "FROM_FILE=written" >> "$GITHUB_ENV"
          echo "$PWD" > where.txt
          echo "## summary" >> "$GITHUB_STEP_SUMMARY"
      - name: reads them
        env:
          STEP: step-level
          ANSWER: ${{ steps.first.outputs.answer }}
        run: |
          test "$LEVEL/$JOB/$STEP/$ANSWER/$FROM_FILE" = "workflow/job-level/step-level/42/written"
          test "$(cat where.txt)" = "$GITHUB_WORKSPACE/sub"
          test "${{ env.LEVEL }} ${{ github.event_name }}" = "workflow push"
      - name: only on pull requests
        if: github.event_name == 'pull_request'
        run: exit 1
      - name: in another folder
        working-directory: other
        run: test "$(basename "$PWD")" = other
"""


def test_replay_honours_env_outputs_conditions_and_folders(tmp_path: Path) -> None:
    # given a workflow using env at three levels, GITHUB_OUTPUT/ENV, an if: and folders
    # when its job is replayed from a fresh clone (as a push)
    report = replay(tmp_path, HONOURED, **{"sub/keep": "", "other/keep": ""})
    # then every step ran where and with what GitHub gives it, and the if: skipped one
    assert report.ok, report.summary() + report.log
    assert statuses(report) == {
        "actions/checkout@v5": "success",
        "outputs and env files": "success",
        "reads them": "success",
        "only on pull requests": "skipped",
        "in another folder": "success",
    }
    assert "github.event_name == 'pull_request' was false" in report.summary()


FAILING = """
name: Tiny
on: push
jobs:
  job:
    runs-on: ubuntu-latest
    steps:
      - name: first
        run: echo fine
      - name: breaks
        run: |
          echo "the start of it"
          false
          echo "never printed"
      - name: after
        run: echo unreachable
"""


def test_a_failing_step_is_named_with_its_output(tmp_path: Path) -> None:
    # given a job whose second step fails half way (GitHub's default shell is bash -e)
    report = replay(tmp_path, FAILING)
    # then the job fails, the message names workflow, job and step, with the step's output
    assert not report.ok
    assert statuses(report) == {"first": "success", "breaks": "failure", "after": "not run"}
    message = failure_message(report, excerpt)
    assert "workflow 'Tiny', job 'job', step 'breaks' failed" in message
    assert "the start of it" in message
    assert "never printed" not in message


SETUP_UV = """
name: Tiny
on: push
jobs:
  job:
    runs-on: ubuntu-latest
    steps:
      - uses: astral-sh/setup-uv@v7
        with:
          version: "{version}"
"""


def uv_version() -> str:
    result = subprocess.run(["uv", "--version"], capture_output=True, text=True, check=True)
    return result.stdout.split()[1]


def test_setup_uv_stand_in_checks_the_pinned_version(tmp_path: Path) -> None:
    # given the uv on PATH, pinned right and pinned wrong
    right = replay(tmp_path / "right", SETUP_UV.format(version=uv_version()))
    wrong = replay(tmp_path / "wrong", SETUP_UV.format(version="0.0.1"))
    # then the right pin passes and the wrong one fails naming both versions
    assert right.ok, right.summary() + right.log
    assert "the version the workflow pins" in right.output()
    assert not wrong.ok
    assert f"pins uv 0.0.1 but the uv on PATH is {uv_version()}" in wrong.output()


UPLOAD = """
name: Tiny
on: push
jobs:
  job:
    runs-on: ubuntu-latest
    steps:
      - run: mkdir -p reports && echo data > reports/a.txt
      - uses: actions/upload-artifact@v4
        with:
          name: kept
          path: |
            reports/
            missing.json
          if-no-files-found: error
      - name: nothing there, warn
        uses: actions/upload-artifact@v4
        with:
          name: none
          path: nowhere/
      - name: nothing there, error
        uses: actions/upload-artifact@v4
        with:
          name: none
          path: nowhere/
          if-no-files-found: error
"""


def test_upload_artifact_stand_in_honours_if_no_files_found(tmp_path: Path) -> None:
    # when a job uploads a real folder, then an empty path with warn, then with error
    report = replay(tmp_path, UPLOAD)
    # then the files are kept, warn passes with GitHub's message, error fails the step
    assert statuses(report) == {
        "Run mkdir -p reports && echo data > reports/a.txt": "success",
        "actions/upload-artifact@v4": "success",
        "nothing there, warn": "success",
        "nothing there, error": "failure",
    }
    assert (tmp_path / "artifacts" / "kept" / "reports" / "a.txt").read_text() == "data\n"
    assert "replay: no files at missing.json" in report.steps[1].output
    assert "No files were found with the provided path: nowhere/" in report.steps[2].output
    assert "step 'nothing there, error' failed" in failure_message(report, excerpt)


STOOD_IN = """
name: Tiny
on: push
jobs:
  job:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v5
      - run: uv python install
      - name: Build the image
        run: docker build --tag x .
      - name: Push
        run: docker push x
      - run: sudo -E true
      - uses: actions/cache@v4
        with:
          path: x
          key: y
      - id: deployment
        uses: actions/deploy-pages@v4
"""


def test_steps_needing_github_are_stood_in_or_skipped_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a job that installs Python, builds and pushes an image, uses sudo, a cache,
    # deploys, and a replay told to leave containers out
    monkeypatch.setenv("REPLAY_CONTAINERS", "0")
    report = replay(tmp_path, STOOD_IN, **{".python-version": "3.11\n"})
    # then Python is found here, the sudo shim runs, and the rest is skipped with its reason
    assert report.ok, report.summary() + report.log
    assert statuses(report) == {
        "actions/checkout@v5": "success",
        "Run uv python install": "success",
        "Build the image": "skipped",
        "Push": "skipped",
        "Run sudo -E true": "success",
        "actions/cache@v4": "success",
        "actions/deploy-pages@v4": "skipped",
    }
    assert "Python 3.11 is /" in report.steps[1].output
    summary = report.summary()
    assert "publishes, which needs the repository's GitHub credentials" in summary
    assert "deploys to GitHub, which only GitHub can do" in summary
    assert "runs containers: REPLAY_CONTAINERS=0 was set" in summary


PINNED = """
name: Security
on: push
jobs:
  job:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@fbc6f3992d24b796d5a048ff273f7fcc4a7b6c09  # v5.1.0
        with:
          persist-credentials: false
      - name: the clone is here
        run: test -f marker.txt
      - run: make audit
"""


def test_hash_pinned_checkout_replays_and_the_audit_is_skipped_with_the_reason(
    tmp_path: Path,
) -> None:
    # given a job as the generated workflows write it: actions pinned to a commit, no
    # persisted credentials, and a dependency audit that needs the network
    report = replay(tmp_path, PINNED, **{"marker.txt": "from the clone\n"})
    # then the checkout is act's copy of the clone, and the audit is skipped, saying why
    assert report.ok, report.summary() + report.log
    assert list(statuses(report).values()) == ["success", "success", "skipped"]
    assert "asks the OSV advisory database (api.osv.dev)" in report.summary()


CONTAINERS = """
name: Image
on: push
jobs:
  job:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v5
      - name: Build the image
        run: docker build --file Dockerfile.tiny --tag tiny:ci .
      - name: Run it
        run: |
          docker run --detach --name replay-tiny \\
            tiny:ci sleep 60
          test "$(docker exec replay-tiny cat /built)" = "from the clone"
"""


@pytest.mark.containers
def test_container_steps_run_through_the_containers_runner(tmp_path: Path) -> None:
    # given a job that builds an image from the clone and starts it under a fixed name
    # (FROM the local base image: no registry is reachable here)
    dockerfile = f"FROM {BASE}\nCOPY message /built\n"
    files = {"Dockerfile.tiny": dockerfile, "message": "from the clone"}
    # when it is replayed twice (GitHub's runner is new each time; this machine is not)
    first = replay(tmp_path / "first", CONTAINERS, **files)
    second = replay(tmp_path / "second", CONTAINERS, **files)
    # then `docker` is podman behind the shim, both steps pass, and the named container
    # is gone afterwards
    for report in (first, second):
        assert report.ok, report.summary() + report.log
        assert statuses(report)["Run it"] == "success"
        assert "containers:" in report.summary()
    assert not podman("ps", "--all", "--quiet", "--filter", "name=replay-tiny").strip()


def test_a_python_this_machine_lacks_fails_the_install_step(tmp_path: Path) -> None:
    # given a project pinning a Python no machine here has
    report = replay(tmp_path, STOOD_IN, **{".python-version": "3.1\n"})
    # then the stand-in for `uv python install` fails
    assert statuses(report)["Run uv python install"] == "failure"


CHECKS = """
name: Tiny
on: push
jobs:
  job:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-java@v4
        with:
          distribution: temurin
          java-version: "8"
"""


def test_setup_java_stand_in_checks_the_major_version(tmp_path: Path) -> None:
    # given a job asking for Java 8 (this machine's java is newer)
    report = replay(tmp_path, CHECKS)
    # then the stand-in fails naming what was asked
    assert not report.ok
    assert "asks for Java 8" in report.output()


PAGES = """
name: Tiny
on: push
jobs:
  job:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v5
      - uses: actions/upload-pages-artifact@v3
        with:
          path: site
"""


def test_pages_artifact_stand_in_needs_an_index(tmp_path: Path) -> None:
    # given a site folder without index.html, and one with it
    empty = replay(tmp_path / "empty", PAGES, **{"site/other.txt": "x"})
    built = replay(tmp_path / "built", PAGES, **{"site/index.html": "<p>hi</p>"})
    # then only the second passes
    assert not empty.ok
    assert "has no index.html" in empty.output()
    assert built.ok, built.summary() + built.log


def test_an_action_without_a_stand_in_stops_the_replay(tmp_path: Path) -> None:
    # given a workflow using an action the replay knows nothing about
    workflow = "name: T\non: push\njobs:\n  job:\n    runs-on: ubuntu-latest\n    steps:\n"
    workflow += "      - uses: someone/unknown@v1\n"
    # then the replay refuses, naming the action and where to add a stand-in
    with pytest.raises(ReplayError, match=r"no stand-in for someone/unknown@v1"):
        replay(tmp_path, workflow)


NEEDS = """
name: Tiny
on: [push]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo "build ran" && exit 1
  deploy:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - run: echo "deploy ran"
"""


def test_a_job_is_replayed_without_the_jobs_it_needs(tmp_path: Path) -> None:
    # given a job that needs another one (which would fail)
    # when the job is replayed
    report = replay(tmp_path, NEEDS, "deploy")
    # then only it ran, and the report says the needed job is replayed on its own
    assert report.ok, report.log[-2000:]
    assert "deploy ran" in report.output()
    assert "build ran" not in report.log
    assert report.needs == ["build"]
    assert "needs build: replayed on its own" in report.summary()


def test_a_job_reading_another_jobs_outputs_is_refused(tmp_path: Path) -> None:
    # given a job that reads the outputs of the job it needs
    reads = NEEDS.replace('echo "deploy ran"', 'echo "${{ needs.build.outputs.x }}"')
    # when it is replayed, then the replay refuses it and names the job
    with pytest.raises(ReplayError, match=r"Tiny / deploy: .*needs\.\*"):
        replay(tmp_path, reads, "deploy")
