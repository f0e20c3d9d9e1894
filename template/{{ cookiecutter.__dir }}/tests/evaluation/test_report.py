"""The report: metrics.json for machines and report.md for people."""

import json
from pathlib import Path

from {{ cookiecutter.package_name }}.evaluation.metrics import Evaluation
from {{ cookiecutter.package_name }}.evaluation.report import write_report
from {{ cookiecutter.package_name }}.models.artifact import ModelMetadata


def test_report_files_hold_metrics_lineage_and_figures(
    evaluated: tuple[Evaluation, ModelMetadata], tmp_path: Path
) -> None:
    # given an evaluation, its model's metadata and a figure in the reports folder
    evaluation, metadata = evaluated
    reports = tmp_path / "reports"
    figure = reports / "figures" / "metrics.png"
    # when the report is written
    metrics_path, report_path = write_report(evaluation, metadata, [figure], reports)
    # then metrics.json has both metric sets, the verdict and where the data came from
    payload = json.loads(metrics_path.read_text(encoding="utf-8"))
    assert payload["metrics"] == {"model": evaluation.model, "baseline": evaluation.baseline}
    assert payload["beats_baseline"] is True
    assert payload["primary_metric"] == evaluation.primary_metric
    assert payload["data_sha256"] == "a" * 64
    assert payload["test_rows"] == len(evaluation.y_true)
    assert payload["figures"] == ["figures/metrics.png"]
    # and report.md has the verdict, a table row per metric and the figure link
    report = report_path.read_text(encoding="utf-8")
    assert "**The model beats the trivial baseline**" in report
    for name, value in evaluation.model.items():
        assert f"| {name} | {value:.4f} |" in report or f"| {name} | {value:,.1f} |" in report
    assert "![metrics](figures/metrics.png)" in report
    assert "rows/s" in report
    assert "sha256 `aaaaaaaaaaaaaaaa`" in report
