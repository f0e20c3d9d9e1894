"""Split the checked data into train and test sets, and read and write the split."""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sklearn.model_selection import train_test_split

from .. import PROG
from ..config import PipelineConfig
from ..errors import ArtifactError, DataValidationError, MissingArtifactError

TRAIN_FILE = "train.parquet"
TEST_FILE = "test.parquet"
#: Where the raw data came from (path, SHA-256, row counts); later steps read it.
MANIFEST_FILE = "manifest.json"
#: A stratified split puts at least one row of each class on each side.
MIN_ROWS_PER_CLASS = 2


@dataclass(frozen=True)
class Split:
    """Train and test frames, plus what the data step recorded about them."""

    train: pd.DataFrame
    test: pd.DataFrame
    manifest: dict[str, Any]


def split_frame(frame: pd.DataFrame, config: PipelineConfig) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split ``frame`` into train and test sets with the config's seed.

    For classification with ``split.stratify`` the class proportions are kept in
    both parts, so every class needs at least two rows.
    """
    target = config.data.target
    stratify = None
    if config.task == "classification" and config.split.stratify is not False:
        stratify = frame[target]
        counts = stratify.value_counts()
        rare = counts[counts < MIN_ROWS_PER_CLASS]
        if not rare.empty:
            classes = ", ".join(f"{label!r} has {count}" for label, count in rare.items())
            raise DataValidationError(
                f"target '{target}': a stratified split needs at least {MIN_ROWS_PER_CLASS} "
                f"rows per class, but {classes}; drop the class or set split.stratify to false"
            )
    try:
        train, test = train_test_split(
            frame,
            test_size=config.split.test_size,
            random_state=config.split.seed,
            stratify=stratify,
        )
    except ValueError as exc:  # e.g. a test set smaller than the number of classes
        raise DataValidationError(f"cannot split {len(frame)} rows: {exc}") from None
    return train.reset_index(drop=True), test.reset_index(drop=True)


def write_split(split: Split, processed_dir: Path) -> list[Path]:
    """Write train and test as Parquet plus the manifest; return the paths written."""
    processed_dir.mkdir(parents=True, exist_ok=True)
    paths = [processed_dir / TRAIN_FILE, processed_dir / TEST_FILE, processed_dir / MANIFEST_FILE]
    split.train.to_parquet(paths[0], index=False)
    split.test.to_parquet(paths[1], index=False)
    paths[2].write_text(json.dumps(split.manifest, indent=2) + "\n", encoding="utf-8")
    return paths


def numpy_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with its text columns as NumPy object columns.

    pandas 3 reads text as Arrow-backed strings, which scikit-learn converts back
    to NumPy in every transform of every cross-validation fold; converting once
    here is cheaper. Missing values stay missing.
    """
    text = [
        name
        for name in frame.columns
        if pd.api.types.is_string_dtype(frame[name].dtype) and frame[name].dtype != object
    ]
    return frame.astype(dict.fromkeys(text, object)) if text else frame


def read_split(config: PipelineConfig) -> Split:
    """Read what the data step wrote, checking it has the columns the config uses."""
    processed_dir = config.paths.processed_dir
    paths = [processed_dir / TRAIN_FILE, processed_dir / TEST_FILE, processed_dir / MANIFEST_FILE]
    for path in paths:
        if not path.is_file():
            raise MissingArtifactError(path, "data")
    train = numpy_text(pd.read_parquet(paths[0]))
    test = numpy_text(pd.read_parquet(paths[1]))
    manifest = json.loads(paths[2].read_text(encoding="utf-8"))
    needed = [*config.data.features, config.data.target]
    for path, frame in zip(paths[:2], (train, test), strict=True):
        absent = [column for column in needed if column not in frame.columns]
        if absent:
            raise ArtifactError(
                f"{path} lacks the columns {', '.join(absent)} that the config uses; "
                f"the config changed since the data step: run `{PROG} data` again"
            )
    return Split(train=train, test=test, manifest=manifest)
