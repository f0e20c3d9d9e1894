"""Saved models: the round trip, the metadata, and refusing a changed or missing file."""

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.package_name }} import PROG
from {{ cookiecutter.package_name }}.config import PipelineConfig
from {{ cookiecutter.package_name }}.data.load import (
    file_sha256,
    load_raw,
)
from {{ cookiecutter.package_name }}.errors import (
    ArtifactError,
    MissingArtifactError,
)
from {{ cookiecutter.package_name }}.models.artifact import (
    build_metadata,
    load_model,
    model_version,
    read_metadata,
    save_model,
)
from {{ cookiecutter.package_name }}.models.train import (
    TrainingResult,
    train,
)


@pytest.fixture
def frame(config: PipelineConfig) -> pd.DataFrame:
    """The validated synthetic data."""
    return load_raw(config.data, config.task).frame


@pytest.fixture
def training(config: PipelineConfig, frame: pd.DataFrame) -> TrainingResult:
    """A model trained on all synthetic rows."""
    return train(config, frame, throughput_seconds=0.01)


@pytest.fixture
def model_dir(config: PipelineConfig, training: TrainingResult) -> Path:
    """A folder holding a saved model."""
    when = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    metadata = build_metadata(config, training, "f" * 64, created_at=when)
    save_model(training.pipeline, metadata, config.paths.model_dir)
    return config.paths.model_dir


def test_saved_model_loads_and_predicts_the_same(
    config: PipelineConfig, training: TrainingResult, frame: pd.DataFrame, model_dir: Path
) -> None:
    # given a saved model / when it is loaded
    loaded = load_model(model_dir)
    # then it predicts exactly what the trained one does
    rows = frame[list(config.data.features)]
    np.testing.assert_array_equal(loaded.pipeline.predict(rows), training.pipeline.predict(rows))


def test_metadata_describes_the_run(
    config: PipelineConfig, training: TrainingResult, model_dir: Path
) -> None:
    # given a saved model / when its metadata file is read as plain JSON
    metadata = json.loads((model_dir / "model.json").read_text(encoding="utf-8"))
    # then it records what, when, on which data, how well, how fast and with which versions
    assert metadata["created_at"].startswith("2030-01-02T03:04:05")
    assert metadata["model"] == {"name": config.model.name, "params": config.model.params}
    assert metadata["task"] == config.task
    assert metadata["target"] == config.data.target
    assert metadata["data"] == {
        "raw_path": "data/raw/penguins.csv",
        "sha256": "f" * 64,
        "train_rows": training.train_rows,
    }
    assert metadata["cross_validation"]["folds"] == config.evaluation.cv_folds
    assert metadata["training_seconds"] == training.training_seconds
    assert metadata["inference_rows_per_second"] == training.inference_rows_per_second
    assert {"python", "numpy", "pandas", "scikit-learn"} <= metadata["versions"].keys()
    assert metadata["checksum"] == {
        "file": "model.joblib",
        "sha256": file_sha256(model_dir / "model.joblib"),
    }
    assert metadata["config"] == config.snapshot()


def test_changed_model_file_is_refused(model_dir: Path) -> None:
    # given a model file changed after saving
    with (model_dir / "model.joblib").open("ab") as handle:
        handle.write(b"tampered")
    # when it is loaded / then the checksum mismatch is reported and nothing is unpickled
    with pytest.raises(ArtifactError, match=r"model\.joblib: checksum mismatch"):
        load_model(model_dir)


def test_missing_files_name_the_step_to_run(model_dir: Path) -> None:
    # given a model folder without the model file / when loaded / then `train` is named
    (model_dir / "model.joblib").unlink()
    with pytest.raises(MissingArtifactError) as caught:
        load_model(model_dir)
    assert str(caught.value) == f"models/model.joblib not found; run `{PROG} train` first"
    # and without the metadata, that is what is reported first
    (model_dir / "model.json").unlink()
    with pytest.raises(MissingArtifactError, match=r"models/model\.json not found"):
        load_model(model_dir)


def test_corrupt_metadata_is_reported(model_dir: Path) -> None:
    # given metadata that is not JSON / when loaded / then the file is named
    (model_dir / "model.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ArtifactError, match=r"models/model\.json: not valid model metadata"):
        load_model(model_dir)


def test_the_model_version_names_the_model_and_its_saved_file(
    config: PipelineConfig, model_dir: Path
) -> None:
    # given a saved model
    metadata = read_metadata(model_dir)
    assert metadata.checksum is not None
    # when its version is taken, now and from a second read
    version = model_version(metadata)
    # then it is the model's name and the start of its file's checksum, the same each time
    assert version == f"{config.model.name}-{metadata.checksum.sha256[:12]}"
    assert model_version(read_metadata(model_dir)) == version
    # and a model that was never saved says so
    assert model_version(metadata.model_copy(update={"checksum": None})) == (
        f"{config.model.name}-unsaved"
    )
