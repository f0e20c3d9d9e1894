"""Feature pipeline: the column transformer that turns raw columns into model inputs."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

from ..config import PipelineConfig

FEATURES_TRAIN_FILE = "features_train.parquet"
FEATURES_TEST_FILE = "features_test.parquet"
PREPROCESSOR_FILE = "preprocessor.joblib"


@dataclass(frozen=True)
class FeatureTables:
    """The fitted preprocessor and the matrices it makes, target column last."""

    preprocessor: Any
    train: pd.DataFrame
    test: pd.DataFrame


def build_preprocessor(config: PipelineConfig) -> ColumnTransformer:
    """Return an unfitted transformer for the configured feature columns.

    Numeric columns: missing values filled (median or mean), then optionally
    standardised. Categorical columns: filled with the most frequent value, then
    one-hot encoded (categories unseen in training become all zeros) or ordinal
    encoded (unseen categories become -1). Other columns are dropped.
    """
    settings = config.features
    transformers: list[tuple[str, Any, list[str]]] = []
    if config.data.numeric_features:
        numeric_steps: list[tuple[str, Any]] = [
            ("impute", SimpleImputer(strategy=settings.numeric_imputation))
        ]
        if settings.scale_numeric:
            numeric_steps.append(("scale", StandardScaler()))
        transformers.append(
            ("numeric", Pipeline(numeric_steps), list(config.data.numeric_features))
        )
    if config.data.categorical_features:
        encoder: Any
        if settings.categorical_encoding == "one_hot":
            encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
        else:
            encoder = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1)
        categorical = Pipeline(
            [("impute", SimpleImputer(strategy="most_frequent")), ("encode", encoder)]
        )
        transformers.append(("categorical", categorical, list(config.data.categorical_features)))
    transformer = ColumnTransformer(transformers, remainder="drop", verbose_feature_names_out=False)
    return transformer.set_output(transform="pandas")


def fit_features(config: PipelineConfig, train: pd.DataFrame, test: pd.DataFrame) -> FeatureTables:
    """Fit the preprocessor on ``train`` and transform both sets."""
    target = config.data.target
    preprocessor = build_preprocessor(config).fit(train, train[target])

    def matrix(frame: pd.DataFrame) -> pd.DataFrame:
        features = pd.DataFrame(preprocessor.transform(frame))
        features[target] = frame[target].to_numpy()
        return features

    return FeatureTables(preprocessor=preprocessor, train=matrix(train), test=matrix(test))


def write_features(tables: FeatureTables, processed_dir: Path, model_dir: Path) -> list[Path]:
    """Write the feature matrices as Parquet and the fitted preprocessor with joblib."""
    processed_dir.mkdir(parents=True, exist_ok=True)
    model_dir.mkdir(parents=True, exist_ok=True)
    paths = [
        processed_dir / FEATURES_TRAIN_FILE,
        processed_dir / FEATURES_TEST_FILE,
        model_dir / PREPROCESSOR_FILE,
    ]
    tables.train.to_parquet(paths[0], index=False)
    tables.test.to_parquet(paths[1], index=False)
    joblib.dump(tables.preprocessor, paths[2])
    return paths
