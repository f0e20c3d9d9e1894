"""Training: the fitted pipeline beats the trivial baseline, and what is measured."""

import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.config import PipelineConfig
from {{ cookiecutter.package_name }}.data.load import load_raw
from {{ cookiecutter.package_name }}.evaluation.metrics import is_better
from {{ cookiecutter.package_name }}.models.registry import BASELINE
from {{ cookiecutter.package_name }}.models.train import (
    cross_validate,
    train,
)


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
