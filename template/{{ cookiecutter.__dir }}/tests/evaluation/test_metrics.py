"""Metrics per task and the comparison with the trivial baseline."""

import math

import pytest

from {{ cookiecutter.package_name }}.evaluation.metrics import (
    Evaluation,
    compute_metrics,
    is_better,
    label_codes,
)
from {{ cookiecutter.package_name }}.models.artifact import ModelMetadata


def test_classification_metrics_on_known_predictions() -> None:
    # given 4 of 5 predictions right, the single 'b' missed
    truth, predicted = ["a", "a", "a", "a", "b"], ["a", "a", "a", "a", "a"]
    # when scored
    metrics = compute_metrics("classification", truth, predicted)
    # then accuracy counts rows, balanced accuracy averages classes, f1 is macro
    assert metrics["accuracy"] == pytest.approx(0.8)
    assert metrics["balanced_accuracy"] == pytest.approx(0.5)
    assert metrics["f1_macro"] == pytest.approx((8 / 9 + 0) / 2)


def test_label_codes_keep_the_metrics_of_the_labels() -> None:
    # given labels of any kind: text, and numbers read as text on one side
    truth, predicted = ["b", "a", "c", "a"], ["b", "c", "c", "a"]
    # when they are turned into codes
    codes_true, codes_pred = label_codes(truth, predicted)
    # then equal labels share a code and different labels do not
    assert list(codes_true == codes_pred) == [True, False, True, True]
    assert len(set(codes_true) | set(codes_pred)) == 3
    # and a number and its text are the same label
    numbers, text = label_codes([1, 2, 2], ["1", "2", "1"])
    assert list(numbers == text) == [True, True, False]


def test_regression_metrics_on_known_predictions() -> None:
    # given errors of 1, -1, 3 and 0 around a known mean
    truth, predicted = [1.0, 2.0, 3.0, 4.0], [2.0, 1.0, 6.0, 4.0]
    # when scored
    metrics = compute_metrics("regression", truth, predicted)
    # then rmse, mae and r2 match the hand calculation
    assert metrics["rmse"] == pytest.approx(math.sqrt((1 + 1 + 9 + 0) / 4))
    assert metrics["mae"] == pytest.approx(5 / 4)
    assert metrics["r2"] == pytest.approx(1 - 11 / 5)


def test_better_means_lower_for_errors_and_higher_for_scores() -> None:
    assert is_better("rmse", 1.0, 2.0)
    assert is_better("mae", 1.0, 2.0)
    assert is_better("r2", 0.9, 0.1)
    assert is_better("accuracy", 0.9, 0.5)
    assert not is_better("accuracy", 0.5, 0.5)


def test_model_beats_the_baseline_on_the_test_set(
    evaluated: tuple[Evaluation, ModelMetadata],
) -> None:
    # given a model trained and evaluated next to the trivial baseline
    evaluation, _ = evaluated
    # then every metric of the task is computed for both, and the model wins
    names = {"accuracy", "balanced_accuracy", "f1_macro"}
    if evaluation.task == "regression":
        names = {"rmse", "mae", "r2"}
    assert set(evaluation.model) == set(evaluation.baseline) == names
    assert evaluation.beats_baseline
    assert len(evaluation.y_pred) == len(evaluation.y_true) == len(evaluation.baseline_pred)
