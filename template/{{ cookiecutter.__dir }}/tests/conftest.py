"""Shared fixtures: a small synthetic penguin table and a pipeline config for each task.

The tests do not read data/raw/: it is yours to replace. They build their own
data in a temporary folder, run there (paths in a config are relative to the
working directory) and repeat for classification and regression.
"""

import copy
import os
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from {{ cookiecutter.package_name }}.config import PipelineConfig
from {{ cookiecutter.package_name }}.data.load import load_raw
from {{ cookiecutter.package_name }}.data.split import split_frame
from {{ cookiecutter.package_name }}.evaluation.metrics import (
    Evaluation,
    evaluate,
)
from {{ cookiecutter.package_name }}.models.artifact import (
    ModelMetadata,
    build_metadata,
    save_model,
)
from {{ cookiecutter.package_name }}.models.train import train
from {{ cookiecutter.package_name }}.steps import run_data, run_train
from {{ cookiecutter.package_name }}.tasks import TASKS, Task

# The tests read what the CLI prints as plain text. On CI, GITHUB_ACTIONS is set and the
# workflows set FORCE_COLOR for coloured logs: typer then colours --help and rich the CLI's
# messages (their consoles are made when the CLI is first imported, after this file). The
# tests, and the commands they start, run without these.
for _colour in ("FORCE_COLOR", "PY_COLORS", "GITHUB_ACTIONS"):
    os.environ.pop(_colour, None)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Stop before the first test, with one message, when a selected test needs a missing tool.

    A test module that starts a system program says so with
    ``pytest.mark.tool(program, debian=..., macos=..., binary=...)`` (README "Start here").
    """
    missing: dict[str, tuple[str, str, set[str]]] = {}
    for item in items:
        for marker in item.iter_markers("tool"):
            name = marker.args[0]
            binary = marker.kwargs.get("binary") or name
            if shutil.which(binary) is None:
                _, _, where = missing.setdefault(
                    name, (marker.kwargs["debian"], marker.kwargs["macos"], set())
                )
                where.add(item.path.name)
    if missing:
        lines = ["these tests need system programs that are missing (README: Start here):"]
        for name, (debian, macos, where) in sorted(missing.items()):
            lines += [
                f"  {name}, for {', '.join(sorted(where))}",
                f"      Debian/Ubuntu: {debian}",
                f"      macOS:         {macos}",
            ]
        lines.append("Install them, or leave those tests out (pytest --deselect or a path).")
        raise pytest.UsageError("\n".join(lines))


#: Typical bill length, bill depth, flipper length (mm) and body mass (g) per species.
SPECIES = {
    "Adelie": (38.8, 18.3, 190.0, 3700.0),
    "Chinstrap": (48.8, 18.4, 196.0, 3730.0),
    "Gentoo": (47.5, 15.0, 217.0, 5080.0),
}
NUMERIC = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]
ISLANDS = ["Biscoe", "Dream", "Torgersen"]
ROWS = 90
RAW_CSV = Path("data/raw/penguins.csv")

#: Per task: target, numeric and categorical features, a model and its parameters.
SETUPS: dict[Task, dict[str, Any]] = {
    "classification": {
        "target": "species",
        "numeric_features": NUMERIC,
        "categorical_features": ["island", "sex"],
        "model": {"name": "logistic_regression", "params": {"C": 1.0, "max_iter": 1000}},
    },
    "regression": {
        "target": "body_mass_g",
        "numeric_features": NUMERIC[:3],
        "categorical_features": ["species", "island", "sex"],
        "model": {"name": "ridge", "params": {"alpha": 1.0}},
    },
}


def make_penguins(rows: int = ROWS, seed: int = 0) -> pd.DataFrame:
    """Return penguin-like rows whose species and body mass are learnable."""
    rng = np.random.default_rng(seed)
    species = np.array(list(SPECIES))[np.arange(rows) % len(SPECIES)]
    sex = np.where(np.arange(rows) % 2 == 0, "female", "male")
    values = np.array([SPECIES[name] for name in species])
    values += rng.normal(0.0, [1.5, 0.6, 4.0, 150.0], size=values.shape)
    values[:, 3] += np.where(sex == "male", 300.0, -300.0)
    frame = pd.DataFrame(values, columns=NUMERIC).round(1)
    frame.insert(0, "species", species)
    frame.insert(1, "island", rng.choice(ISLANDS, size=rows))
    frame["sex"] = sex
    frame["year"] = 2007 + np.arange(rows) % 3
    frame.loc[[4, 40], "bill_depth_mm"] = np.nan  # a few missing features, as in the real data
    frame.loc[[7], "sex"] = np.nan
    return frame


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` as the pipeline expects it: missing values as NA."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, na_rep="NA")
    return path


def config_for(task: Task, raw_path: Path = RAW_CSV) -> dict[str, Any]:
    """Return a small config (as read from YAML) for ``task``, with relative paths."""
    setup = copy.deepcopy(SETUPS[task])
    return {
        "task": task,
        "data": {
            "raw_path": raw_path.as_posix(),
            "target": setup["target"],
            "numeric_features": list(setup["numeric_features"]),
            "categorical_features": list(setup["categorical_features"]),
        },
        "split": {"test_size": 0.25, "seed": 7, "stratify": task == "classification"},
        "features": {
            "numeric_imputation": "median",
            "scale_numeric": True,
            "categorical_encoding": "one_hot",
        },
        "model": setup["model"],
        "evaluation": {"cv_folds": 3},
        "paths": {
            "processed_dir": "data/processed",
            "model_dir": "models",
            "reports_dir": "reports",
            "journal": "docs/journal.md",
        },
    }


@pytest.fixture(params=TASKS)
def task(request: pytest.FixtureRequest) -> Task:
    """Each test using this runs once per task."""
    value: Task = request.param
    return value


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project folder holding the raw CSV; the working directory during the test."""
    monkeypatch.chdir(tmp_path)
    write_csv(make_penguins(), tmp_path / RAW_CSV)
    return tmp_path


@pytest.fixture
def config_data(project: Path, task: Task) -> dict[str, Any]:
    """The config for ``task`` as plain data, ready to change and validate."""
    return config_for(task)


@pytest.fixture
def config(config_data: dict[str, Any]) -> PipelineConfig:
    """The validated config for ``task``."""
    return PipelineConfig.model_validate(config_data)


@pytest.fixture
def write_config(project: Path) -> Callable[[dict[str, Any]], Path]:
    """Write a config mapping to configs/pipeline.yaml in the project; return its path."""

    def write(data: dict[str, Any]) -> Path:
        path = project / "configs" / "pipeline.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        return path.relative_to(project)

    return write


@pytest.fixture
def penguins() -> pd.DataFrame:
    """A fresh synthetic penguin table (90 rows, a few missing values)."""
    return make_penguins()


@pytest.fixture
def make_config() -> Callable[[Task], dict[str, Any]]:
    """Build the config mapping of any task (for tests that need both at once)."""
    return config_for


@pytest.fixture
def trained(
    config_data: dict[str, Any], write_config: Callable[[dict[str, Any]], Path]
) -> PipelineConfig:
    """The task's config written to the project, its data split and a model trained."""
    write_config(config_data)
    config = PipelineConfig.model_validate(config_data)
    run_data(config)
    run_train(config, throughput_seconds=0.01)
    return config


@pytest.fixture
def evaluated(config: PipelineConfig) -> tuple[Evaluation, ModelMetadata]:
    """Train on the train split, save the model, evaluate it on the test split."""
    train_frame, test_frame = split_frame(load_raw(config.data, config.task).frame, config)
    result = train(config, train_frame, throughput_seconds=0.01)
    metadata = build_metadata(config, result, "a" * 64, created_at=datetime(2030, 1, 1, tzinfo=UTC))
    metadata = save_model(result.pipeline, metadata, config.paths.model_dir)
    return evaluate(config, result.pipeline, train_frame, test_frame), metadata
