"""Splitting into train and test sets, and the files the data step writes."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from {{ cookiecutter.package_name }} import PROG
from {{ cookiecutter.package_name }}.config import PipelineConfig
from {{ cookiecutter.package_name }}.data.load import load_raw
from {{ cookiecutter.package_name }}.data.split import (
    Split,
    read_split,
    split_frame,
    write_split,
)
from {{ cookiecutter.package_name }}.errors import (
    ArtifactError,
    DataValidationError,
    MissingArtifactError,
)
from {{ cookiecutter.package_name }}.tasks import Task

MakeConfig = Callable[[Task], dict[str, Any]]


@pytest.fixture
def frame(config: PipelineConfig) -> pd.DataFrame:
    """The validated synthetic data."""
    return load_raw(config.data, config.task).frame


def test_split_is_disjoint_sized_and_reproducible(
    config: PipelineConfig, frame: pd.DataFrame
) -> None:
    # given the validated data and a 25% test size
    # when it is split twice with the same seed, and once with another
    train, test = split_frame(frame, config)
    again, _ = split_frame(frame, config)
    other_seed = config.model_copy(update={"split": config.split.model_copy(update={"seed": 8})})
    other, _ = split_frame(frame, other_seed)
    # then the parts cover the data, the test part has the requested share,
    # the same seed gives the same rows and another seed different ones
    assert len(train) + len(test) == len(frame)
    assert len(test) == pytest.approx(0.25 * len(frame), abs=1)
    pd.testing.assert_frame_equal(train, again)
    assert not train.equals(other)


def test_classification_split_keeps_class_proportions(
    make_config: MakeConfig, project: Path
) -> None:
    # given a classification config with stratification
    config = PipelineConfig.model_validate(make_config("classification"))
    frame = load_raw(config.data, config.task).frame
    # when the data is split
    train, test = split_frame(frame, config)
    # then every class has the same share (within one row) in both parts
    overall = frame["species"].value_counts(normalize=True)
    for part in (train, test):
        shares = part["species"].value_counts(normalize=True)
        assert (shares - overall).abs().max() < 1 / len(test)


def test_class_with_a_single_row_is_refused(make_config: MakeConfig, project: Path) -> None:
    # given a classification data set where one class has a single row
    config = PipelineConfig.model_validate(make_config("classification"))
    frame = load_raw(config.data, config.task).frame
    frame.loc[0, "species"] = "Emperor"
    # when it is split with stratification / then the class and the fix are named
    with pytest.raises(DataValidationError, match=r"'Emperor' has 1.*split\.stratify"):
        split_frame(frame, config)


def test_split_round_trips_through_parquet(config: PipelineConfig, frame: pd.DataFrame) -> None:
    # given a split with its manifest
    train, test = split_frame(frame, config)
    written = write_split(Split(train, test, {"raw_sha256": "abc"}), config.paths.processed_dir)
    # when it is read back
    split = read_split(config)
    # then the frames and the manifest are unchanged
    assert [path.name for path in written] == ["train.parquet", "test.parquet", "manifest.json"]
    pd.testing.assert_frame_equal(split.train, train, check_dtype=False)
    pd.testing.assert_frame_equal(split.test, test, check_dtype=False)
    assert split.manifest == {"raw_sha256": "abc"}


def test_reading_before_the_data_step_names_the_step(config: PipelineConfig) -> None:
    # given no split on disk / when it is read / then the message says what to run
    with pytest.raises(MissingArtifactError) as caught:
        read_split(config)
    assert str(caught.value) == f"data/processed/train.parquet not found; run `{PROG} data` first"


def test_split_without_a_configured_column_is_refused(
    config: PipelineConfig, frame: pd.DataFrame
) -> None:
    # given a split written before a feature was removed from the data
    train, test = split_frame(frame, config)
    dropped = config.data.features[0]
    write_split(Split(train.drop(columns=dropped), test, {}), config.paths.processed_dir)
    # when it is read / then the missing column and the step to rerun are named
    with pytest.raises(ArtifactError, match=f"lacks the columns {dropped}.*run `{PROG} data`"):
        read_split(config)
