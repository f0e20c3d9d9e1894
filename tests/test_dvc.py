"""The data focus's DVC pipeline reproduces for real and re-runs only what a change touches."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import Built, run, variant_params

pytestmark = pytest.mark.heavy

STAGES = ["ingest", "validate", "data", "features", "train", "evaluate"]
UP_TO_DATE = "Data and pipelines are up to date."

# What `make all` and the other tests of the variant leave behind that a fresh clone lacks:
# the environment (its paths are absolute), DVC's state, the lake and the landing folder.
LOCAL_STATE = (".venv", ".dvc", "dvc.lock", "lake", "landing", "site", "*_cache", "__pycache__")


def ran(output: str) -> list[str]:
    """The stages `dvc repro` ran, in order."""
    return re.findall(r"Running stage '([\w-]+)'", output)


def skipped(output: str) -> list[str]:
    """The stages `dvc repro` did not run (unchanged, or restored from the run cache)."""
    return re.findall(r"Stage '([\w-]+)' (?:didn't change|is cached)", output)


# A git identity for `make git-init` (it asks for one rather than commit without it).
GIT_IDENTITY = {
    "GIT_CONFIG_COUNT": "2",
    "GIT_CONFIG_KEY_0": "user.name",
    "GIT_CONFIG_VALUE_0": "Test",
    "GIT_CONFIG_KEY_1": "user.email",
    "GIT_CONFIG_VALUE_1": "test@example.org",
}


def set_param(project: Path, old: str, new: str) -> None:
    """Change one line of configs/pipeline.yaml, e.g. `  seed: 42` to `  seed: 7`."""
    config = project / "configs/pipeline.yaml"
    text = config.read_text("utf-8")
    assert text.count(old) == 1, old
    config.write_text(text.replace(old, new), "utf-8")


@pytest.fixture
def project(built: Built, tmp_path: Path) -> Path:
    """A copy of the built data project: `dvc repro` rewrites files other tests read."""
    return Path(
        shutil.copytree(
            built.root, tmp_path / "project", ignore=shutil.ignore_patterns(*LOCAL_STATE)
        )
    )


@pytest.mark.parametrize("built", variant_params("data"), indirect=True)
def test_dvc_repro_runs_the_pipeline_then_only_what_changed(built: Built, project: Path) -> None:
    env = built.env
    # given a copy of the project that is not a git repository
    assert not (project / ".git").exists()
    # when `make dvc-repro` runs the first time
    first = run(["make", "dvc-repro"], project, env)
    # then DVC was set up without git, every stage ran in order, and dvc.lock records them
    assert "core.no_scm" in first
    assert ran(first) == STAGES
    lock = yaml.safe_load((project / "dvc.lock").read_text("utf-8"))
    assert list(lock["stages"]) == STAGES
    assert lock["stages"]["train"]["params"]["configs/pipeline.yaml"]["model"]["name"]
    for path in (
        "data/lake/raw/manifest.json",
        "data/lake/validated/manifest.json",
        "data/lake/curated.parquet",
        "data/processed/train.parquet",
        "data/processed/features_train.parquet",
        "models/model.joblib",
        "reports/metrics.json",
        "reports/report.md",
    ):
        assert (project / path).is_file(), path
    # and the model learned from the validated lake, every demo batch of it
    split = json.loads((project / "data/processed/manifest.json").read_text("utf-8"))
    landing = sorted(path.stem for path in (project / "data/landing").glob("*.csv"))
    assert split["raw_path"] == "data/lake/curated.parquet"
    assert [name.rsplit("-", 1)[0] for name in split["batches"]] == landing
    # and a second run finds nothing to do, and the status is clean
    second = run(["make", "dvc-repro"], project, env)
    assert ran(second) == []
    assert UP_TO_DATE in second
    assert UP_TO_DATE in run(["make", "dvc-status"], project, env)

    # given the same project made a git repository by the command the README gives,
    # `make git-init`, which commits the pipeline's state with the rest
    made = run(["make", "git-init"], project, {**env, **GIT_IDENTITY})
    assert "a first commit of" in made
    # when DVC next runs, it uses git again, and nothing needs reproducing
    status = run(["make", "dvc-status"], project, env)
    assert "DVC uses git again" in status
    assert UP_TO_DATE in status
    assert "no_scm" not in (project / ".dvc/config.local").read_text("utf-8")

    # when a model parameter changes
    set_param(project, "    C: 1.0", "    C: 0.01")
    assert "train:" in run(["make", "dvc-status"], project, env)
    third = run(["make", "dvc-repro"], project, env)
    # then only the stages that depend on it ran again
    assert ran(third) == ["train", "evaluate"]
    assert skipped(third) == ["ingest", "validate", "data", "features"]
    # and DVC shows the change against the last commit, in params and in metrics
    assert "model.params.C" in run(["uv", "run", "dvc", "params", "diff"], project, env)
    assert "cross_validation.mean" in run(["uv", "run", "dvc", "metrics", "diff"], project, env)

    # when the split seed changes
    set_param(project, "  seed: 42", "  seed: 7")
    fourth = run(["make", "dvc-repro"], project, env)
    # then everything from the split on ran again, and ingestion and validation did not
    assert ran(fourth) == ["data", "features", "train", "evaluate"]
    assert skipped(fourth) == ["ingest", "validate"]

    # when a new batch lands in the landing folder: new rows, and three the demo batches
    # delivered already
    demo = (project / "data/raw/penguins.csv").read_text("utf-8")
    (project / "data/landing/late-arrival.csv").write_text(late_arrival(demo), "utf-8")
    assert "ingest:" in run(["make", "dvc-status"], project, env)
    fifth = run(["make", "dvc-repro"], project, env)
    # then it is ingested (alone: the others were already in), validated and trained on
    assert ran(fifth) == STAGES
    assert "ingest: 1 new batches" in fifth
    split = json.loads((project / "data/processed/manifest.json").read_text("utf-8"))
    assert any(name.startswith("late-arrival-") for name in split["batches"])
    assert UP_TO_DATE in run(["make", "dvc-status"], project, env)
    # and its rows that the demo batches delivered already reach the split only once
    assert_late_rows_counted_once(project, split, fifth)
    # and `make sanity` (part of `make test`) checks the split made from the lake, the one
    # the model was trained on, instead of rebuilding it from the raw CSV
    sanity = run(["make", "sanity"], project, env)
    assert "data: kept the split in data/processed built from data/lake/curated.parquet" in sanity
    assert " passed" in sanity
    assert "skipped" not in sanity
    assert json.loads((project / "data/processed/manifest.json").read_text("utf-8")) == split


def late_arrival(demo: str) -> str:
    """Return a late batch: 30 rows of its own, then three demo rows again.

    Its own rows are demo rows with the bill length moved by 0.01.
    """
    header, *rows = demo.splitlines(keepends=True)
    complete = [row for row in rows if "NA" not in row.split(",")]
    own = []
    for row in complete[3:33]:
        fields = row.split(",")
        fields[2] = f"{float(fields[2]) + 0.01:.2f}"
        own.append(",".join(fields))
    return "".join([header, *own, *complete[:3]])


def assert_late_rows_counted_once(project: Path, split: dict[str, Any], output: str) -> None:
    """The late batch repeats three demo rows: validation quarantines them as duplicates."""
    validated = json.loads((project / "data/lake/validated/manifest.json").read_text("utf-8"))
    (late,) = [entry for name, entry in validated.items() if name.startswith("late-arrival-")]
    counts = [late[key] for key in ("rows_in", "accepted", "quarantined", "duplicates")]
    assert counts == [33, 30, 3, 3]
    assert late["reasons"] == {"duplicate": 3}
    line = r"late-arrival-\w+: 33 rows in = 30 accepted \+ 3 quarantined \(3 duplicates\)"
    assert re.search(line, output), output
    # so the lake holds none of them twice, and the split has no repeat to leave out
    assert split["repeated_rows_dropped"] == 0
    assert "0 left out as repeats of an earlier batch's rows" in output


@pytest.mark.parametrize("built", variant_params("data"), indirect=True)
def test_dvc_check_catches_a_broken_pipeline(built: Built, project: Path) -> None:
    # given a dvc.yaml where two stages claim the same output
    pipeline = project / "dvc.yaml"
    text = pipeline.read_text("utf-8")
    pipeline.write_text(
        text.replace(
            "      - models/preprocessor.joblib\n",
            "      - models/preprocessor.joblib\n      - models/model.joblib\n",
            1,
        ),
        "utf-8",
    )
    # when `make dvc-check` (part of `make test`) runs
    result = subprocess.run(
        ["make", "dvc-check"],
        cwd=project,
        env=built.env,
        capture_output=True,
        text=True,
        check=False,
    )
    # then it fails and names the overlapping output
    assert result.returncode != 0
    assert "models/model.joblib" in result.stdout + result.stderr
