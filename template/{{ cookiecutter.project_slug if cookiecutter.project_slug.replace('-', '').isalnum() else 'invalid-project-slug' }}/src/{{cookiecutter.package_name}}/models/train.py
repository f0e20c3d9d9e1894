"""Training: the model pipeline, cross-validation, training time and throughput."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.pipeline import Pipeline

from ..config import PipelineConfig
from ..evaluation.metrics import PRIMARY_METRIC, compute_metrics
from ..features.build import build_preprocessor
from .registry import build_model

#: Called as ``progress(stage, done, total)`` while training; the CLI draws a bar.
ProgressCallback = Callable[[str, int, int], None]

#: How long the throughput measurement predicts, in seconds.
THROUGHPUT_SECONDS = 0.2


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
    """A fitted pipeline and what was measured while training it."""

    pipeline: Pipeline
    train_rows: int
    cv: CrossValidation
    training_seconds: float
    inference_rows_per_second: float


def no_progress(_stage: str, _done: int, _total: int) -> None:
    """Ignore progress reports."""


def build_pipeline(config: PipelineConfig) -> Pipeline:
    """Return the unfitted pipeline: the preprocessor followed by the configured model."""
    model = build_model(config.task, config.model.name, config.model.params)
    return Pipeline([("features", build_preprocessor(config)), ("model", model)])


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
    )
