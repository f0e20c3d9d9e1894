"""Command line: one command per pipeline step, and `all` to run them in order."""

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from . import PROG, __version__
from .commands import register_all
from .config import DEFAULT_CONFIG_PATH, PipelineConfig, load_config
from .console import err, expected_errors, out, paths_text, step_summary
from .tasks import BASELINE

app = typer.Typer(
    name=PROG,
    help="Run the ML pipeline: data → features → train → evaluate.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)

ConfigOption = Annotated[
    Path,
    typer.Option(
        "--config",
        "-c",
        help="Pipeline config (YAML). Its paths are relative to the working directory.",
    ),
]


def _data(config: PipelineConfig) -> None:
    from .steps import run_data

    outcome = run_data(config)
    if outcome.inferred_schema is not None:
        err.print(
            Text(
                f"note: no data contract yet: wrote {outcome.inferred_schema.as_posix()} from "
                f"{outcome.raw_path.as_posix()} (the types, ranges and categories seen); "
                "review it and commit it",
                "yellow",
            )
        )
    dropped = outcome.dropped_missing_target
    used = outcome.train_rows + outcome.test_rows
    where = outcome.quarantine_path.as_posix() if outcome.quarantine_path else "nowhere"
    kept = "" if outcome.duplicates_quarantined else " kept, unique_rows: false"
    step_summary(
        "data",
        f"{outcome.raw_rows} rows in {outcome.raw_path.as_posix()} "
        f"(sha256 {outcome.sha256[:12]}) = {used} used + {outcome.quarantined} quarantined "
        f"({outcome.duplicates} duplicates{kept}) → {where}"
        + (f", {dropped} dropped for a missing target" if dropped else "")
        + f"; train {outcome.train_rows} / test {outcome.test_rows} rows → "
        f"{paths_text(outcome.written)}",
    )


def _features(config: PipelineConfig) -> None:
    from .steps import run_features

    outcome = run_features(config)
    (train_rows, columns), (test_rows, _) = outcome.train_shape, outcome.test_shape
    step_summary(
        "features",
        f"{columns - 1} feature columns (+ target) for {train_rows} train / {test_rows} test "
        f"rows → {paths_text(outcome.written)}",
    )


def _train(config: PipelineConfig) -> None:
    from .steps import run_train

    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    # Bars only on a terminal: logs (CI, pipes) get the summary line alone.
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as progress:
        bars: dict[str, TaskID] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in bars:
                bars[stage] = progress.add_task(stage, total=total)
            progress.update(bars[stage], completed=done)

        outcome = run_train(config, report)
    meta = outcome.metadata
    cv = meta.cross_validation
    step_summary(
        "train",
        f"{meta.model.name} on {meta.data.train_rows} rows: cross-validated {cv.metric} "
        f"{cv.mean:.4f} ± {cv.std:.4f}, fitted in {meta.training_seconds:.3f} s, "
        f"{meta.inference_rows_per_second:,.0f} rows/s → {paths_text(outcome.written)}",
    )


def _evaluate(config: PipelineConfig) -> None:
    from .evaluation.metrics import LOWER_IS_BETTER
    from .steps import run_evaluate

    outcome = run_evaluate(config)
    evaluation = outcome.evaluation
    table = Table(title=f"Test set ({len(evaluation.y_true)} rows)")
    table.add_column("metric")
    table.add_column("better")
    table.add_column(config.model.name, justify="right")
    table.add_column(f"baseline ({BASELINE})", justify="right")
    for name, value in evaluation.model.items():
        better = "lower" if name in LOWER_IS_BETTER else "higher"
        table.add_row(name, better, f"{value:.4f}", f"{evaluation.baseline[name]:.4f}")
    out.print(table)
    metric = evaluation.primary_metric
    versus = (
        f"{metric} {evaluation.model[metric]:.4f} vs baseline {evaluation.baseline[metric]:.4f}"
    )
    if evaluation.beats_baseline:
        verdict = "the model beats the trivial baseline"
    else:
        verdict = "WARNING: the model does not beat the trivial baseline"
        err.print(Text(f"warning: {verdict.removeprefix('WARNING: ')} ({versus})", "yellow"))
    step_summary("evaluate", f"{versus}: {verdict} → {paths_text(outcome.written)}")


def _show_version(value: bool) -> None:
    if value:
        out.print(f"{PROG} {__version__}")
        raise typer.Exit


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Run the ML pipeline: data → features → train → evaluate.

    Every command reads configs/pipeline.yaml (or --config) from the project root.
    """


@app.command("data")
def data_command(
    config: ConfigOption = DEFAULT_CONFIG_PATH,
    keep_built: Annotated[
        bool,
        typer.Option(
            "--keep-built",
            help="Keep a split already built (by `data`, or from the validated lake by "
            "another pipeline) instead of rebuilding it from data.raw_path.",
        ),
    ] = False,
) -> None:
    """Check the raw CSV against the data contract and split it into train and test sets."""
    from .data.split import MANIFEST_FILE

    with expected_errors():
        settings = load_config(config)
        manifest = settings.paths.processed_dir / MANIFEST_FILE
        if keep_built and manifest.is_file():
            built = json.loads(manifest.read_text(encoding="utf-8"))
            step_summary(
                "data",
                f"kept the split in {settings.paths.processed_dir.as_posix()} built from "
                f"{built.get('raw_path', '?')} (train {built.get('train_rows', '?')} / test "
                f"{built.get('test_rows', '?')} rows); `{PROG} data` rebuilds it from "
                f"{settings.data.raw_path.as_posix()}",
            )
            return
        _data(settings)


@app.command("features")
def features_command(config: ConfigOption = DEFAULT_CONFIG_PATH) -> None:
    """Fit the preprocessing on train; write the feature matrices for inspection."""
    with expected_errors():
        _features(load_config(config))


@app.command("train")
def train_command(config: ConfigOption = DEFAULT_CONFIG_PATH) -> None:
    """Cross-validate and fit the model; save it and append to the journal."""
    with expected_errors():
        _train(load_config(config))


@app.command("evaluate")
def evaluate_command(config: ConfigOption = DEFAULT_CONFIG_PATH) -> None:
    """Score the model on the test set next to the trivial baseline; write the report."""
    with expected_errors():
        _evaluate(load_config(config))


@app.command("all")
def all_command(config: ConfigOption = DEFAULT_CONFIG_PATH) -> None:
    """Run data, features, train and evaluate in order."""
    with expected_errors():
        settings = load_config(config)
        for step in (_data, _features, _train, _evaluate):
            step(settings)


# Components add their commands (ingest, tune, serve, app...) from commands/.
register_all(app)
