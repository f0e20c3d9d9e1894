"""Training: the model pipeline, cross-validation, training time and throughput."""

import logging
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.pipeline import Pipeline

from ..config import PipelineConfig
from ..data.domain import InputDomain, training_domain
from ..data.load import MAX_NUMERIC_CLASSES
from ..errors import DataValidationError
from ..evaluation.metrics import PRIMARY_METRIC, compute_metrics
from ..features.build import build_preprocessor
from .registry import build_model

#: Called as ``progress(stage, done, total)`` while training; the CLI draws a bar.
ProgressCallback = Callable[[str, int, int], None]

#: How long the throughput measurement predicts, in seconds.
THROUGHPUT_SECONDS = 0.2

#: Warnings for the user go through this logger: one ``warning: ...`` line on stderr
#: (Python's last-resort handler prints the bare message when nothing else is set up).
logger = logging.getLogger(__name__)

#: The setting that holds the folds of `train`'s cross-validation.
CV_FOLDS_KEY = "evaluation.cv_folds in configs/pipeline.yaml"
#: How many classes an error or warning names before it says "and N more".
NAMED_CLASSES = 5
#: scikit-learn's per-fold warnings about classes too rare for the folds, which
#: :func:`fold_guard` replaces by one warning of its own.
RARE_CLASS_WARNINGS = (
    r"The least populated class in y has only",
    r"Number of classes in training fold",
    r"y_pred contains classes not in y_true",
)


@dataclass(frozen=True)
class CrossValidation:
    """Scores of the primary metric over the cross-validation folds."""

    metric: str
    scores: tuple[float, ...]

    @property
    def mean(self) -> float:
        """Mean over the folds."""
        return float(np.mean(self.scores))

    @property
    def std(self) -> float:
        """Standard deviation over the folds."""
        return float(np.std(self.scores))


@dataclass(frozen=True)
class TrainingResult:
    """A fitted pipeline, what was measured while training it, and the domain it knows.

    ``domain`` is what the training rows held (ranges, categories): the front doors
    check every record against it (:mod:`..data.domain`).
    """

    pipeline: Pipeline
    train_rows: int
    cv: CrossValidation
    training_seconds: float
    inference_rows_per_second: float
    domain: InputDomain


def no_progress(_stage: str, _done: int, _total: int) -> None:
    """Ignore progress reports."""


def build_pipeline(config: PipelineConfig) -> Pipeline:
    """Return the unfitted pipeline: the preprocessor followed by the configured model."""
    model = build_model(config.task, config.model.name, config.model.params)
    return Pipeline([("features", build_preprocessor(config)), ("model", model)])


def regression_hint(y: pd.Series) -> str:
    """``" (task: regression?)"`` when the target is numeric with many distinct values."""
    numeric = pd.api.types.is_numeric_dtype(y) and not pd.api.types.is_bool_dtype(y)
    if numeric and y.nunique() > MAX_NUMERIC_CLASSES:
        return (
            f"; the target is numeric with {y.nunique()} distinct values: "
            "did you mean `task: regression` in configs/pipeline.yaml?"
        )
    return ""


def name_classes(counts: pd.Series) -> str:
    """``'a' (3 rows), 'b' (1 row)``: the first classes of ``counts``, then how many more."""
    shown = [
        f"{label!r} ({count} row{'s' if count != 1 else ''})"
        for label, count in counts.head(NAMED_CLASSES).items()
    ]
    more = len(counts) - NAMED_CLASSES
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def check_class_counts(
    config: PipelineConfig, y: pd.Series, folds: int, key: str = CV_FOLDS_KEY
) -> str | None:
    """Refuse classes no stratified k-fold can split; describe classes rarer than the folds.

    Raises DataValidationError when every class has fewer rows than ``folds``
    (scikit-learn cannot split them; typically a numeric target left as
    ``task: classification``). Returns one warning line when only some classes do
    (some folds then train or score without them), else None. ``key`` names the
    setting that holds ``folds``.
    """
    if config.task != "classification":
        return None
    counts = y.value_counts().sort_values()
    rare = counts[counts < folds]
    if rare.empty:
        return None
    target, hint = config.data.target, regression_hint(y)
    if len(rare) == len(counts):
        raise DataValidationError(
            f"target {target!r}: every class has fewer rows than the {folds} cross-validation "
            f"folds ({key}), so they cannot be split ({len(counts)} classes: {name_classes(rare)})"
            + (hint or f"; lower {key} or collect more rows per class")
        )
    them = "it" if len(rare) == 1 else "them"
    classes = (
        f"class {name_classes(rare)} has"
        if len(rare) == 1
        else f"classes {name_classes(rare)} have"
    )
    return (
        f"warning: target {target!r}: {classes} fewer rows than the {folds} cross-validation "
        f"folds ({key}), so some folds train or score without {them} and the scores are "
        f"noisy; collect more rows, merge {them} into another class or lower {key}{hint}"
    )


@contextmanager
def fold_guard(
    config: PipelineConfig, y: pd.Series, folds: int, key: str = CV_FOLDS_KEY
) -> Iterator[None]:
    """Check the classes of ``y`` against ``folds`` (:func:`check_class_counts`) around a CV.

    A class rarer than the folds is reported once, as one warning naming it, and
    scikit-learn's repeated per-fold warnings about it are silenced inside the block.
    """
    warning = check_class_counts(config, y, folds, key)
    if warning is None:
        yield
        return
    logger.warning(warning)
    with warnings.catch_warnings():
        for message in RARE_CLASS_WARNINGS:
            warnings.filterwarnings("ignore", message=message)
        yield


def cross_validate(
    config: PipelineConfig, frame: pd.DataFrame, progress: ProgressCallback = no_progress
) -> CrossValidation:
    """Score the pipeline with k-fold cross-validation on ``frame`` (stratified if classifying)."""
    x, y = frame[list(config.data.features)], frame[config.data.target]
    folds_kind = StratifiedKFold if config.task == "classification" else KFold
    folds = folds_kind(
        n_splits=config.evaluation.cv_folds, shuffle=True, random_state=config.split.seed
    )
    metric = PRIMARY_METRIC[config.task]
    pipeline = build_pipeline(config)
    total = config.evaluation.cv_folds
    scores: list[float] = []
    progress("cross-validation", 0, total)
    with fold_guard(config, y, total):
        for fold, (fit_rows, score_rows) in enumerate(folds.split(x, y), start=1):
            fitted = clone(pipeline).fit(x.iloc[fit_rows], y.iloc[fit_rows])
            predicted = fitted.predict(x.iloc[score_rows])
            scores.append(compute_metrics(config.task, y.iloc[score_rows], predicted)[metric])
            progress("cross-validation", fold, total)
    return CrossValidation(metric=metric, scores=tuple(scores))


def measure_throughput(
    pipeline: Pipeline, x: pd.DataFrame, seconds: float = THROUGHPUT_SECONDS
) -> float:
    """Return prediction throughput in rows per second, predicting ``x`` for ``seconds``."""
    rows = 0
    start = time.perf_counter()
    while True:
        pipeline.predict(x)
        rows += len(x)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return rows / elapsed


def train(
    config: PipelineConfig,
    frame: pd.DataFrame,
    progress: ProgressCallback = no_progress,
    throughput_seconds: float = THROUGHPUT_SECONDS,
) -> TrainingResult:
    """Cross-validate, then fit the pipeline on all of ``frame`` and time it."""
    cv = cross_validate(config, frame, progress)
    x, y = frame[list(config.data.features)], frame[config.data.target]
    progress("fit", 0, 1)
    start = time.perf_counter()
    pipeline: Any = build_pipeline(config).fit(x, y)
    training_seconds = time.perf_counter() - start
    progress("fit", 1, 1)
    progress("throughput", 0, 1)
    rows_per_second = measure_throughput(pipeline, x, throughput_seconds)
    progress("throughput", 1, 1)
    return TrainingResult(
        pipeline=pipeline,
        train_rows=len(frame),
        cv=cv,
        training_seconds=training_seconds,
        inference_rows_per_second=rows_per_second,
        domain=training_domain(
            frame,
            config.data.numeric_features,
            config.data.categorical_features,
            config.data.target if config.task == "regression" else None,
        ),
    )
