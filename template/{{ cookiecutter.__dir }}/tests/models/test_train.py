"""Training: the fitted pipeline beats the trivial baseline, and what is measured."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from {{ cookiecutter.package_name }}.cli import app as cli_app
from {{ cookiecutter.package_name }}.config import PipelineConfig
from {{ cookiecutter.package_name }}.data.load import load_raw
from {{ cookiecutter.package_name }}.evaluation.metrics import is_better
from {{ cookiecutter.package_name }}.models.train import (
    cross_validate,
    train,
)
from {{ cookiecutter.package_name }}.tasks import BASELINE, Task


@pytest.fixture
def frame(config: PipelineConfig) -> pd.DataFrame:
    """The validated synthetic data."""
    return load_raw(config.data, config.task).frame


def test_trained_model_beats_the_trivial_baseline_in_cross_validation(
    config: PipelineConfig, frame: pd.DataFrame
) -> None:
    # given the configured model and the trivial baseline
    baseline = PipelineConfig.model_validate(
        config.snapshot() | {"model": {"name": BASELINE, "params": {}}}
    )
    # when both are cross-validated on the same folds
    model_cv = cross_validate(config, frame)
    baseline_cv = cross_validate(baseline, frame)
    # then the model is better on the primary metric
    assert model_cv.metric == baseline_cv.metric
    assert is_better(model_cv.metric, model_cv.mean, baseline_cv.mean)


def test_training_reports_progress_time_and_throughput(
    config: PipelineConfig, frame: pd.DataFrame
) -> None:
    # given a progress callback that records its calls
    calls: list[tuple[str, int, int]] = []
    # when the model is trained
    result = train(config, frame, lambda *call: calls.append(call), throughput_seconds=0.05)
    # then each fold was reported, and time, rows and throughput are measured
    folds = config.evaluation.cv_folds
    assert ("cross-validation", folds, folds) in calls
    assert calls[-1] == ("throughput", 1, 1)
    assert len(result.cv.scores) == folds
    assert result.cv.std >= 0
    assert result.train_rows == len(frame)
    assert result.training_seconds > 0
    assert result.inference_rows_per_second > len(frame)  # at least one pass in 0.05 s


def test_fitted_pipeline_predicts_from_raw_columns(
    config: PipelineConfig, frame: pd.DataFrame
) -> None:
    # given a trained pipeline
    result = train(config, frame, throughput_seconds=0.01)
    # when it predicts rows with missing values, given as raw columns
    rows = frame[list(config.data.features)].head(10)
    predictions = result.pipeline.predict(rows)
    # then there is one prediction per row, of the target's kind
    assert len(predictions) == 10
    if config.task == "classification":
        assert set(predictions) <= set(frame[config.data.target])
    else:
        assert pd.Series(predictions).between(2000, 7000).all()


def test_a_class_rarer_than_the_folds_is_one_warning(
    project: Path,
    make_config: Callable[[Task], dict[str, Any]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    # given penguins where Chinstrap has 2 rows, fewer than the 3 folds
    config = PipelineConfig.model_validate(make_config("classification"))
    frame = load_raw(config.data, config.task).frame
    chinstrap = frame.index[frame["species"] == "Chinstrap"]
    frame = frame.drop(chinstrap[2:])
    # when the model is cross-validated (scikit-learn's own warnings would fail this test)
    cv = cross_validate(config, frame)
    # then every fold is scored, and one warning names the class, its rows and the folds
    assert len(cv.scores) == 3
    assert [record.levelname for record in caplog.records] == ["WARNING"]
    assert (
        caplog.records[0]
        .getMessage()
        .startswith(
            "warning: target 'species': class 'Chinstrap' (2 rows) has fewer rows than the 3 "
            "cross-validation folds (evaluation.cv_folds in configs/pipeline.yaml)"
        )
    )


def test_a_numeric_target_left_as_classification_stops_with_the_fix(
    project: Path,
    write_config: Callable[[dict[str, Any]], Path],
    make_config: Callable[[Task], dict[str, Any]],
) -> None:
    # given a classification config whose target is a number shared by two rows at most
    # (so each "class" has fewer rows than the 3 folds), split without stratification
    raw = project / "data" / "raw" / "penguins.csv"
    frame = pd.read_csv(raw)
    frame["body_mass_g"] = 3000 + 25 * (np.arange(len(frame)) // 2)
    frame.to_csv(raw, index=False, na_rep="NA")
    data = make_config("classification")
    data["data"] |= {
        "target": "body_mass_g",
        "numeric_features": ["bill_length_mm", "bill_depth_mm", "flipper_length_mm"],
        "categorical_features": ["species", "island", "sex"],
    }
    data["split"]["stratify"] = False
    config = write_config(data)
    # when the whole pipeline runs
    result = CliRunner().invoke(cli_app, ["all", "--config", str(config)])
    # then it stops before cross-validation with exit code 2 and one line saying why
    assert result.exit_code == 2, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    assert "Traceback" not in result.output
    assert (
        "target 'body_mass_g': every class has fewer rows than the 3 cross-validation folds "
        "(evaluation.cv_folds in configs/pipeline.yaml)"
    ) in errors[0]
    assert "did you mean `task: regression` in configs/pipeline.yaml?" in errors[0]
