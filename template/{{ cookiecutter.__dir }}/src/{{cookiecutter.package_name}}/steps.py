"""The four pipeline steps: each reads its inputs, calls the pure core and writes outputs."""

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import PROG
from .config import PipelineConfig
from .data.load import check_raw, file_sha256, validate_checked
from .data.schema_file import write_contract
from .data.split import Split, read_split, split_frame, write_split
from .errors import ArtifactError, DataValidationError
from .evaluation.metrics import Evaluation, evaluate
from .evaluation.report import FIGURES_DIR, write_report
from .features.build import fit_features, write_features
from .journal import append_entry, config_changes
from .models.artifact import (
    METADATA_FILE,
    MODEL_FILE,
    ModelMetadata,
    build_metadata,
    load_model,
    save_model,
)
from .models.train import THROUGHPUT_SECONDS, ProgressCallback, no_progress, train

#: Where `data` writes the raw rows it quarantined (in paths.processed_dir), as CSV.
QUARANTINE_FILE = "quarantine.csv"


@dataclass(frozen=True)
class DataOutcome:
    """What the data step read and wrote."""

    raw_path: Path
    sha256: str
    raw_rows: int
    dropped_missing_target: int
    train_rows: int
    test_rows: int
    written: list[Path]
    quarantined: int = 0
    duplicates: int = 0
    #: False when the contract allows repeated rows (``unique_rows: false``): counted, kept.
    duplicates_quarantined: bool = True
    quarantine_path: Path | None = None
    inferred_schema: Path | None = None


@dataclass(frozen=True)
class FeaturesOutcome:
    """Shapes of the feature matrices and the files written."""

    train_shape: tuple[int, int]
    test_shape: tuple[int, int]
    written: list[Path]


@dataclass(frozen=True)
class TrainOutcome:
    """The saved model's metadata and the files written (journal included)."""

    metadata: ModelMetadata
    written: list[Path]


@dataclass(frozen=True)
class EvaluateOutcome:
    """Test-set evaluation and the files written."""

    evaluation: Evaluation
    written: list[Path]


def _data_snapshot(config: PipelineConfig) -> dict[str, Any]:
    """The config sections that decide the content of the split."""
    snapshot = config.snapshot()
    return {key: snapshot[key] for key in ("task", "data", "split")}


#: Config sections that do not change the trained model: output paths, and the input
#: policy the front doors apply when they answer.
NOT_MODEL = ("paths", "input_policy")


def _model_snapshot(config: PipelineConfig) -> dict[str, Any]:
    """The config sections that decide the trained model (not paths or the input policy)."""
    return {key: value for key, value in config.snapshot().items() if key not in NOT_MODEL}


def run_data(config: PipelineConfig) -> DataOutcome:
    """Load and check the raw CSV, split it, write train/test Parquet and a manifest."""
    checked = check_raw(config.data)
    inferred = None
    if checked.inferred and checked.contract is not None:
        inferred = write_contract(
            checked.contract, config.data.schema_path, source=config.data.raw_path
        )
    quarantine_path = config.paths.processed_dir / QUARANTINE_FILE
    quarantine_path.parent.mkdir(parents=True, exist_ok=True)
    checked.quarantine.to_csv(quarantine_path, index=False, na_rep="NA")
    try:
        loaded = validate_checked(checked, config.data, config.task)
    except DataValidationError as exc:
        raise DataValidationError(f"{exc} ({quarantine_path.as_posix()})") from None
    train_frame, test_frame = split_frame(loaded.frame, config)
    sha256 = file_sha256(config.data.raw_path)
    manifest = {
        "raw_path": config.data.raw_path.as_posix(),
        "raw_sha256": sha256,
        "raw_rows": loaded.raw_rows,
        "quarantined_rows": loaded.quarantined,
        "duplicate_rows": loaded.duplicates,
        "quarantine": quarantine_path.as_posix(),
        "dropped_missing_target": loaded.dropped_missing_target,
        "train_rows": len(train_frame),
        "test_rows": len(test_frame),
        "created_at": datetime.now(UTC).isoformat(),
        "config": _data_snapshot(config),
    }
    written = write_split(Split(train_frame, test_frame, manifest), config.paths.processed_dir)
    return DataOutcome(
        raw_path=config.data.raw_path,
        sha256=sha256,
        raw_rows=loaded.raw_rows,
        dropped_missing_target=loaded.dropped_missing_target,
        train_rows=len(train_frame),
        test_rows=len(test_frame),
        written=written,
        quarantined=loaded.quarantined,
        duplicates=loaded.duplicates,
        duplicates_quarantined=loaded.contract is None or loaded.contract.unique_rows,
        quarantine_path=quarantine_path,
        inferred_schema=inferred,
    )


def _read_current_split(config: PipelineConfig) -> Split:
    """Read the split, refusing one made with a different data config."""
    split = read_split(config)
    changed = config_changes(split.manifest.get("config", {}), _data_snapshot(config))
    if changed:
        raise ArtifactError(
            f"the config changed since `{PROG} data` wrote {config.paths.processed_dir} "
            f"({'; '.join(changed)}); run `{PROG} data` again"
        )
    return split


def run_features(config: PipelineConfig) -> FeaturesOutcome:
    """Fit the preprocessor on train; write both feature matrices and the preprocessor."""
    split = _read_current_split(config)
    tables = fit_features(config, split.train, split.test)
    written = write_features(tables, config.paths.processed_dir, config.paths.model_dir)
    return FeaturesOutcome(
        train_shape=(tables.train.shape[0], tables.train.shape[1]),
        test_shape=(tables.test.shape[0], tables.test.shape[1]),
        written=written,
    )


def run_train(
    config: PipelineConfig,
    progress: ProgressCallback = no_progress,
    throughput_seconds: float = THROUGHPUT_SECONDS,
) -> TrainOutcome:
    """Train on the train split, save model and metadata, append a journal entry."""
    split = _read_current_split(config)
    result = train(config, split.train, progress, throughput_seconds)
    metadata = build_metadata(config, result, split.manifest["raw_sha256"])
    metadata = save_model(result.pipeline, metadata, config.paths.model_dir)
    cv = metadata.cross_validation
    append_entry(
        config.paths.journal,
        when=metadata.created_at,
        title=config.model.name,
        config=config.snapshot(),
        metrics={
            f"cross-validated {cv.metric} ({cv.folds} folds)": f"{cv.mean:.4f} ± {cv.std:.4f}",
            "train rows": str(metadata.data.train_rows),
            "training time": f"{metadata.training_seconds:.3f} s",
            "inference throughput": f"{metadata.inference_rows_per_second:,.0f} rows/s",
            "data sha256": f"`{metadata.data.sha256[:12]}`",
        },
        data_sha256=metadata.data.sha256,
    )
    model_dir = config.paths.model_dir
    written = [model_dir / MODEL_FILE, model_dir / METADATA_FILE, config.paths.journal]
    return TrainOutcome(metadata=metadata, written=written)


def run_evaluate(config: PipelineConfig) -> EvaluateOutcome:
    """Score the saved model on the test split next to the baseline; write figures, report."""
    loaded = load_model(config.paths.model_dir)
    split = _read_current_split(config)
    metadata = loaded.metadata
    if metadata.data.sha256 != split.manifest["raw_sha256"]:
        raise ArtifactError(
            f"the model in {config.paths.model_dir} was trained on other data than "
            f"{config.paths.processed_dir} holds; run `{PROG} train` again"
        )
    changed = config_changes(
        {key: value for key, value in metadata.config.items() if key not in NOT_MODEL},
        _model_snapshot(config),
    )
    if changed:
        raise ArtifactError(
            f"the config changed since the model was trained ({'; '.join(changed)}); "
            f"run `{PROG} train` again"
        )
    evaluation = evaluate(config, loaded.pipeline, split.train, split.test)
    reports_dir = config.paths.reports_dir
    # matplotlib only here: the API image, which runs the CLI, does not install it.
    from .evaluation.plots import write_figures  # noqa: PLC0415

    figures = write_figures(evaluation, reports_dir / FIGURES_DIR)
    written = write_report(evaluation, metadata, figures, reports_dir)
    return EvaluateOutcome(evaluation=evaluation, written=written + figures)
