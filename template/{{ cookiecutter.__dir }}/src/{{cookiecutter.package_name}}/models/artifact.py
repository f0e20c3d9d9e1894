"""Saved model: the fitted pipeline (joblib) and its metadata (JSON) with a checksum."""

import json
import platform
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import joblib
from pydantic import BaseModel, ConfigDict, ValidationError

from .. import PROG, __version__
from ..config import PipelineConfig
from ..data.domain import InputDomain, unrecorded_domain
from ..data.load import file_sha256
from ..errors import ArtifactError, MissingArtifactError
from .train import TrainingResult

MODEL_FILE = "model.joblib"
METADATA_FILE = "model.json"

#: Libraries whose versions are recorded: a model is only loadable with compatible ones.
RECORDED_PACKAGES = ("numpy", "pandas", "scikit-learn", "joblib")


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ModelInfo(_Record):
    """Which registered model was trained, with its parameters from the config."""

    name: str
    params: dict[str, Any]


class DataInfo(_Record):
    """The data the model was trained on."""

    raw_path: str
    sha256: str
    train_rows: int


class CrossValidationInfo(_Record):
    """Cross-validated primary metric on the training set."""

    metric: str
    mean: float
    std: float
    folds: int


class ChecksumInfo(_Record):
    """The SHA-256 of the model file, checked before it is loaded."""

    file: str
    sha256: str


class ModelMetadata(_Record):
    """Everything needed to know what a saved model is and whether to trust it."""

    created_at: datetime
    task: str
    target: str
    numeric_features: list[str]
    categorical_features: list[str]
    model: ModelInfo
    data: DataInfo
    cross_validation: CrossValidationInfo
    training_seconds: float
    inference_rows_per_second: float
    versions: dict[str, str]
    checksum: ChecksumInfo | None = None
    config: dict[str, Any]
    #: What the training rows held; None in a model saved before domains were recorded.
    domain: InputDomain | None = None

    def input_domain(self) -> InputDomain:
        """The domain the front doors check records against (types only when unrecorded)."""
        if self.domain is not None:
            return self.domain
        return unrecorded_domain(self.numeric_features, self.categorical_features)


@dataclass(frozen=True)
class LoadedModel:
    """A fitted pipeline loaded from disk, with its verified metadata."""

    pipeline: Any
    metadata: ModelMetadata


def model_version(metadata: ModelMetadata) -> str:
    """A short, stable name of the saved model: its name and its file checksum's prefix.

    The product components (demo app, feedback, site, fairness and synthetic reports)
    stamp what they record with it, so a record always names the model that made it.
    """
    checksum = metadata.checksum.sha256[:12] if metadata.checksum else "unsaved"
    return f"{metadata.model.name}-{checksum}"


def package_versions() -> dict[str, str]:
    """Return the versions of Python, this project and the libraries a model depends on."""
    versions = {"python": platform.python_version(), "project": __version__}
    for name in RECORDED_PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def build_metadata(
    config: PipelineConfig,
    result: TrainingResult,
    data_sha256: str,
    created_at: datetime | None = None,
) -> ModelMetadata:
    """Describe a training run; the checksum is added when the model is saved."""
    return ModelMetadata(
        created_at=created_at or datetime.now(UTC),
        task=config.task,
        target=config.data.target,
        numeric_features=list(config.data.numeric_features),
        categorical_features=list(config.data.categorical_features),
        model=ModelInfo(name=config.model.name, params=dict(config.model.params)),
        data=DataInfo(
            raw_path=config.data.raw_path.as_posix(),
            sha256=data_sha256,
            train_rows=result.train_rows,
        ),
        cross_validation=CrossValidationInfo(
            metric=result.cv.metric,
            mean=result.cv.mean,
            std=result.cv.std,
            folds=len(result.cv.scores),
        ),
        training_seconds=result.training_seconds,
        inference_rows_per_second=result.inference_rows_per_second,
        versions=package_versions(),
        config=config.snapshot(),
        domain=result.domain,
    )


def save_model(pipeline: Any, metadata: ModelMetadata, model_dir: Path) -> ModelMetadata:
    """Write the pipeline and its metadata (with the model file's checksum) to ``model_dir``."""
    model_dir.mkdir(parents=True, exist_ok=True)
    model_path = model_dir / MODEL_FILE
    joblib.dump(pipeline, model_path)
    saved = metadata.model_copy(
        update={"checksum": ChecksumInfo(file=MODEL_FILE, sha256=file_sha256(model_path))}
    )
    (model_dir / METADATA_FILE).write_text(saved.model_dump_json(indent=2) + "\n", "utf-8")
    return saved


def read_metadata(model_dir: Path) -> ModelMetadata:
    """Read and validate ``model.json``."""
    path = model_dir / METADATA_FILE
    if not path.is_file():
        raise MissingArtifactError(path, "train")
    try:
        return ModelMetadata.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (json.JSONDecodeError, ValidationError) as exc:
        first = str(exc).splitlines()[0]
        raise ArtifactError(
            f"{path}: not valid model metadata ({first}); run `{PROG} train` again"
        ) from None


def load_model(model_dir: Path) -> LoadedModel:
    """Load the pipeline after checking the model file against its recorded SHA-256."""
    metadata = read_metadata(model_dir)
    model_path = model_dir / MODEL_FILE
    if not model_path.is_file():
        raise MissingArtifactError(model_path, "train")
    if metadata.checksum is None:
        raise ArtifactError(
            f"{model_dir / METADATA_FILE}: no checksum recorded; run `{PROG} train` again"
        )
    actual = file_sha256(model_path)
    if actual != metadata.checksum.sha256:
        raise ArtifactError(
            f"{model_path}: checksum mismatch (expected {metadata.checksum.sha256[:12]}…, "
            f"found {actual[:12]}…); the file changed after training, so it is not loaded. "
            f"Run `{PROG} train` to replace it."
        )
    return LoadedModel(pipeline=joblib.load(model_path), metadata=metadata)
