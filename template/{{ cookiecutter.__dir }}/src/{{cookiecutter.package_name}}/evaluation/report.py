"""The evaluation report: reports/metrics.json for machines, reports/report.md for people."""

import json
from pathlib import Path
from typing import Any

from ..models.artifact import ModelMetadata
from ..tasks import BASELINE
from .metrics import LOWER_IS_BETTER, Evaluation

METRICS_FILE = "metrics.json"
REPORT_FILE = "report.md"
FIGURES_DIR = "figures"
_LARGE = 1000  # from here on, decimals are noise


def metrics_payload(
    evaluation: Evaluation, metadata: ModelMetadata, figures: list[str]
) -> dict[str, Any]:
    """Return the content of metrics.json: test metrics of model and baseline, and lineage."""
    metric = evaluation.primary_metric
    return {
        "task": evaluation.task,
        "target": evaluation.target,
        "model": metadata.model.name,
        "baseline": BASELINE,
        "primary_metric": metric,
        "lower_is_better": metric in LOWER_IS_BETTER,
        "beats_baseline": evaluation.beats_baseline,
        "test_rows": len(evaluation.y_true),
        "metrics": {"model": evaluation.model, "baseline": evaluation.baseline},
        "cross_validation": metadata.cross_validation.model_dump(),
        "training_seconds": metadata.training_seconds,
        "inference_rows_per_second": metadata.inference_rows_per_second,
        "data_sha256": metadata.data.sha256,
        "model_trained_at": metadata.created_at.isoformat(),
        "figures": figures,
    }


def render_report(evaluation: Evaluation, metadata: ModelMetadata, figures: list[str]) -> str:
    """Return the Markdown report; ``figures`` are paths relative to the report."""
    metric = evaluation.primary_metric
    direction = "lower" if metric in LOWER_IS_BETTER else "higher"
    model_value, baseline_value = evaluation.model[metric], evaluation.baseline[metric]
    verdict = (
        "**The model beats the trivial baseline**"
        if evaluation.beats_baseline
        else "**Warning: the model does not beat the trivial baseline**"
    )
    cv = metadata.cross_validation
    params = json.dumps(metadata.model.params, sort_keys=True) if metadata.model.params else "{}"
    trained = metadata.created_at.strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Evaluation report",
        "",
        f"Model `{metadata.model.name}` ({evaluation.task} of `{evaluation.target}`), "
        f"trained {trained} on {metadata.data.train_rows} rows, "
        f"evaluated on {len(evaluation.y_true)} held-out test rows.",
        "",
        f"{verdict} on {metric} ({direction} is better): "
        f"{_number(model_value)} vs {_number(baseline_value)}.",
        "",
        "## Test-set metrics",
        "",
        f"| metric | model | baseline (`{BASELINE}`) |",
        "| --- | ---: | ---: |",
        *(
            f"| {name} | {_number(value)} | {_number(evaluation.baseline[name])} |"
            for name, value in evaluation.model.items()
        ),
        "",
        "## Training",
        "",
        "| | |",
        "| --- | --- |",
        f"| parameters | `{params}` |",
        f"| cross-validated {cv.metric} ({cv.folds} folds) "
        f"| {_number(cv.mean)} ± {_number(cv.std)} |",
        f"| training time | {metadata.training_seconds:.3g} s |",
        f"| inference throughput | {metadata.inference_rows_per_second:,.0f} rows/s |",
        f"| data | `{metadata.data.raw_path}`, sha256 `{metadata.data.sha256[:16]}` |",
        f"| model file sha256 | `{metadata.checksum.sha256[:16] if metadata.checksum else '-'}` |",
        "",
        "## Figures",
        "",
        *(f"![{Path(figure).stem.replace('_', ' ')}]({figure})\n" for figure in figures),
    ]
    return "\n".join(lines).rstrip("\n") + "\n"


def write_report(
    evaluation: Evaluation, metadata: ModelMetadata, figures: list[Path], reports_dir: Path
) -> list[Path]:
    """Write metrics.json and report.md into ``reports_dir``; return their paths."""
    reports_dir.mkdir(parents=True, exist_ok=True)
    relative = [_relative(figure, reports_dir) for figure in figures]
    metrics_path, report_path = reports_dir / METRICS_FILE, reports_dir / REPORT_FILE
    payload = metrics_payload(evaluation, metadata, relative)
    metrics_path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    report_path.write_text(render_report(evaluation, metadata, relative), encoding="utf-8")
    return [metrics_path, report_path]


def _relative(path: Path, start: Path) -> str:
    """Return ``path`` relative to ``start`` in POSIX form, or as given if outside it."""
    try:
        return path.relative_to(start).as_posix()
    except ValueError:
        return path.as_posix()


def _number(value: float) -> str:
    """Return a metric with four decimals, or one for large values such as an RMSE."""
    return f"{value:,.1f}" if abs(value) >= _LARGE else f"{value:.4f}"
