"""Figures: the right PNGs for each task, written without a display."""

from pathlib import Path

from {{ cookiecutter.package_name }}.evaluation.metrics import Evaluation
from {{ cookiecutter.package_name }}.evaluation.plots import write_figures
from {{ cookiecutter.package_name }}.models.artifact import ModelMetadata

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_task_figures_are_written_as_png(
    evaluated: tuple[Evaluation, ModelMetadata], tmp_path: Path
) -> None:
    # given an evaluation
    evaluation, _ = evaluated
    # when its figures are drawn
    paths = write_figures(evaluation, tmp_path / "figures")
    # then the task's plots and the metrics chart exist as real PNG images
    expected = {
        "classification": ["confusion_matrix.png", "metrics.png"],
        "regression": ["predicted_vs_actual.png", "residuals.png", "metrics.png"],
    }[evaluation.task]
    assert [path.name for path in paths] == expected
    for path in paths:
        content = path.read_bytes()
        assert content.startswith(PNG_SIGNATURE)
        assert len(content) > 5_000


def test_figures_of_the_other_task_are_removed_and_others_kept(
    evaluated: tuple[Evaluation, ModelMetadata], tmp_path: Path
) -> None:
    # given a figures folder from a run of the other task, and a figure of another step
    evaluation, _ = evaluated
    figures_dir = tmp_path / "figures"
    figures_dir.mkdir()
    stale = {
        "classification": ["predicted_vs_actual.png", "residuals.png"],
        "regression": ["confusion_matrix.png"],
    }[evaluation.task]
    for name in [*stale, "leaderboard.png"]:
        (figures_dir / name).write_bytes(PNG_SIGNATURE)
    # when this task's figures are drawn
    paths = write_figures(evaluation, figures_dir)
    # then only this task's figures, the metrics chart and the other step's figure remain
    remaining = sorted(path.name for path in figures_dir.iterdir())
    assert remaining == sorted([*(path.name for path in paths), "leaderboard.png"])
    assert not set(stale) & set(remaining)
