"""The feature pipeline: columns it makes, no missing values, scaling and encoding."""

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.config import PipelineConfig
from {{ cookiecutter.package_name }}.data.load import load_raw
from {{ cookiecutter.package_name }}.data.split import split_frame
from {{ cookiecutter.package_name }}.features.build import (
    CategoriesAsText,
    build_preprocessor,
    fit_features,
    write_features,
)


def with_features(config: PipelineConfig, **changes: object) -> PipelineConfig:
    """Return the config with some feature settings changed."""
    return config.model_copy(update={"features": config.features.model_copy(update=changes)})


@pytest.fixture
def split(config: PipelineConfig) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Train and test frames of the synthetic data."""
    return split_frame(load_raw(config.data, config.task).frame, config)


def test_one_hot_matrix_has_expected_columns_and_no_missing_values(
    config: PipelineConfig, split: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    # given train and test frames with missing numeric and categorical values
    train, test = split
    assert train[list(config.data.features)].isna().any().any()
    # when the features are fitted on train and applied to both
    tables = fit_features(config, train, test)
    # then numeric columns keep their names, each category gets a column,
    # the target comes last, rows are kept and nothing is missing
    expected = [*config.data.numeric_features]
    for column in config.data.categorical_features:
        expected += [f"{column}_{value}" for value in sorted(train[column].dropna().unique())]
    assert list(tables.train.columns) == [*expected, config.data.target]
    assert list(tables.test.columns) == list(tables.train.columns)
    assert len(tables.train) == len(train)
    assert len(tables.test) == len(test)
    assert not tables.train.isna().any().any()
    assert not tables.test.isna().any().any()


def test_numeric_columns_are_standardised_only_when_asked(
    config: PipelineConfig, split: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    # given the same data with scaling on and off
    train, _ = split
    numeric = list(config.data.numeric_features)
    # when the preprocessor is fitted each way
    scaled = build_preprocessor(config).fit_transform(train)
    raw = build_preprocessor(with_features(config, scale_numeric=False)).fit_transform(train)
    # then scaled columns have mean 0 and unit variance; unscaled ones keep their values
    np.testing.assert_allclose(scaled[numeric].mean(), 0.0, atol=1e-9)
    np.testing.assert_allclose(scaled[numeric].std(ddof=0), 1.0, atol=1e-9)
    np.testing.assert_allclose(raw[numeric].mean(), train[numeric].mean(), rtol=0.01)


def test_ordinal_encoding_makes_one_column_per_category(
    config: PipelineConfig, split: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    # given ordinal encoding
    train, _ = split
    ordinal = with_features(config, categorical_encoding="ordinal", numeric_imputation="mean")
    # when the preprocessor is fitted
    matrix = build_preprocessor(ordinal).fit_transform(train)
    # then each categorical column stays one column of small integer codes
    assert list(matrix.columns) == list(config.data.features)
    for column in config.data.categorical_features:
        assert set(matrix[column]) <= set(range(train[column].nunique()))


def test_feature_files_are_written(
    config: PipelineConfig, split: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    # given fitted feature tables
    tables = fit_features(config, *split)
    # when they are written
    paths = write_features(tables, config.paths.processed_dir, config.paths.model_dir)
    # then the matrices read back unchanged and the preprocessor file exists
    assert [path.as_posix() for path in paths] == [
        "data/processed/features_train.parquet",
        "data/processed/features_test.parquet",
        "models/preprocessor.joblib",
    ]
    pd.testing.assert_frame_equal(pd.read_parquet(paths[0]), tables.train, check_dtype=False)
    assert paths[2].stat().st_size > 0


def test_categories_coded_as_numbers_booleans_or_text_are_one_kind_of_value() -> None:
    # given categorical columns as a CSV gives them (codes read as floats next to a missing
    # cell, booleans) and as an API sends them (integers, None)
    frame = pd.DataFrame(
        {
            "code": [1.0, 2.0, np.nan, 2.5],
            "flag": [True, False, None, True],
            "word": ["a", None, "b", "a"],
        }
    )
    # when they are turned into text
    out = CategoriesAsText().fit(frame).transform(frame)
    # then 1.0 and 1 are the same category "1", booleans are words, missing stays missing
    assert out["code"].tolist()[:2] == ["1", "2"]
    assert out["code"].iloc[3] == "2.5"
    assert out["flag"].tolist()[:2] == ["True", "False"]
    assert out[["code", "flag", "word"]].isna().sum().tolist() == [1, 1, 1]
    assert CategoriesAsText().fit(frame).transform(pd.DataFrame({"code": [1]}))["code"][0] == "1"


@pytest.mark.parametrize("encoding", ["one_hot", "ordinal"])
def test_integer_coded_and_mostly_missing_categories_fit_and_meet_unseen_values(
    config: PipelineConfig, split: tuple[pd.DataFrame, pd.DataFrame], encoding: str
) -> None:
    # given the island coded 1-3 and the sex missing in every training row but one
    train, test = split
    codes = {"Biscoe": 1, "Dream": 2, "Torgersen": 3}
    sex = pd.Series(["female"] + [None] * (len(train) - 1), index=train.index, dtype=object)
    train = train.assign(island=train["island"].map(codes), sex=sex)
    test = test.assign(island=9, sex="unknown")
    # when the features are fitted on train and applied to test's unseen values
    tables = fit_features(with_features(config, categorical_encoding=encoding), train, test)
    # then nothing is missing and every row is kept
    assert not tables.test.isna().any().any()
    assert len(tables.test) == len(test)
