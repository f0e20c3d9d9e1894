"""Figures of the evaluation, drawn off-screen with Agg and saved as PNG.

Each figure gets its own Agg canvas, so nothing here needs a display or changes
matplotlib's global backend (a notebook importing this module keeps its own).
"""

from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from sklearn.metrics import confusion_matrix

from .metrics import LOWER_IS_BETTER, Evaluation

CONFUSION_MATRIX_FILE = "confusion_matrix.png"
PREDICTED_VS_ACTUAL_FILE = "predicted_vs_actual.png"
RESIDUALS_FILE = "residuals.png"
METRICS_FILE = "metrics.png"
DPI = 120


def plot_confusion_matrix(y_true: Any, y_pred: Any, path: Path) -> Path:
    """Save a confusion matrix: rows are true classes, columns predicted ones."""
    labels = sorted({*map(str, y_true), *map(str, y_pred)})
    matrix = confusion_matrix(list(map(str, y_true)), list(map(str, y_pred)), labels=labels)
    size = max(4.0, 0.8 * len(labels) + 2)
    figure = Figure(figsize=(size, size * 0.85), layout="constrained")
    axes = figure.subplots()
    image = axes.imshow(matrix, cmap="Blues")
    figure.colorbar(image, ax=axes, label="rows")
    axes.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    axes.set_yticks(range(len(labels)), labels)
    axes.set_xlabel("predicted")
    axes.set_ylabel("true")
    axes.set_title("Confusion matrix (test set)")
    threshold = matrix.max() / 2 if matrix.size else 0
    for (row, column), count in np.ndenumerate(matrix):
        colour = "white" if count > threshold else "black"
        axes.text(column, row, str(count), ha="center", va="center", color=colour)
    return _save(figure, path)


def plot_predicted_vs_actual(y_true: Any, y_pred: Any, target: str, path: Path) -> Path:
    """Save a scatter of predictions against true values, with the diagonal of perfection."""
    actual, predicted = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    low, high = float(min(actual.min(), predicted.min())), float(max(actual.max(), predicted.max()))
    figure = Figure(figsize=(5.5, 5), layout="constrained")
    axes = figure.subplots()
    axes.scatter(actual, predicted, s=18, alpha=0.7)
    axes.plot([low, high], [low, high], color="grey", linestyle="--", label="perfect prediction")
    axes.set_xlabel(f"actual {target}")
    axes.set_ylabel(f"predicted {target}")
    axes.set_title("Predicted vs actual (test set)")
    axes.legend(loc="upper left")
    return _save(figure, path)


def plot_residuals(y_true: Any, y_pred: Any, target: str, path: Path) -> Path:
    """Save residuals (actual minus predicted) against the predictions."""
    actual, predicted = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    figure = Figure(figsize=(6, 4), layout="constrained")
    axes = figure.subplots()
    axes.scatter(predicted, actual - predicted, s=18, alpha=0.7)
    axes.axhline(0, color="grey", linestyle="--")
    axes.set_xlabel(f"predicted {target}")
    axes.set_ylabel("residual (actual - predicted)")
    axes.set_title("Residuals (test set)")
    return _save(figure, path)


def plot_metrics(evaluation: Evaluation, path: Path) -> Path:
    """Save one small bar chart per metric: the model next to the trivial baseline."""
    names = list(evaluation.model)
    figure = Figure(figsize=(3.2 * len(names), 3.4), layout="constrained")
    for axes, name in zip(figure.subplots(1, len(names), squeeze=False)[0], names, strict=True):
        values = [evaluation.model[name], evaluation.baseline[name]]
        bars = axes.bar(["model", "baseline"], values, color=["tab:blue", "tab:grey"])
        axes.bar_label(bars, fmt="%.3g")
        axes.set_title(f"{name} ({'lower' if name in LOWER_IS_BETTER else 'higher'} is better)")
        axes.margins(y=0.15)
    figure.suptitle("Test-set metrics: model vs trivial baseline")
    return _save(figure, path)


#: The figures only one task draws: after a task switch, the other task's are stale.
TASK_FIGURES = {
    "classification": (CONFUSION_MATRIX_FILE,),
    "regression": (PREDICTED_VS_ACTUAL_FILE, RESIDUALS_FILE),
}


def write_figures(evaluation: Evaluation, figures_dir: Path) -> list[Path]:
    """Draw the figures for the evaluation's task into ``figures_dir``.

    The other task's figures, left by a run before a task switch, are removed, so the
    folder never shows a confusion matrix of a model that no longer exists.
    """
    figures_dir.mkdir(parents=True, exist_ok=True)
    for task, names in TASK_FIGURES.items():
        if task != evaluation.task:
            for name in names:
                (figures_dir / name).unlink(missing_ok=True)
    truth, predicted = evaluation.y_true, evaluation.y_pred
    if evaluation.task == "classification":
        paths = [plot_confusion_matrix(truth, predicted, figures_dir / CONFUSION_MATRIX_FILE)]
    else:
        paths = [
            plot_predicted_vs_actual(
                truth, predicted, evaluation.target, figures_dir / PREDICTED_VS_ACTUAL_FILE
            ),
            plot_residuals(truth, predicted, evaluation.target, figures_dir / RESIDUALS_FILE),
        ]
    paths.append(plot_metrics(evaluation, figures_dir / METRICS_FILE))
    return paths


def _save(figure: Figure, path: Path) -> Path:
    """Render ``figure`` with Agg, write it as PNG and return its path."""
    FigureCanvasAgg(figure)  # attaches itself as the figure's canvas
    figure.savefig(path, dpi=DPI, format="png")
    return path
