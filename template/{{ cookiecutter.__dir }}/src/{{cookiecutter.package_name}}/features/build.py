"""Feature pipeline: the column transformer that turns raw columns into model inputs."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

import joblib
import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

from ..config import PipelineConfig

FEATURES_TRAIN_FILE = "features_train.parquet"
FEATURES_TEST_FILE = "features_test.parquet"
PREPROCESSOR_FILE = "preprocessor.joblib"


def category_text(value: Any) -> Any:
    """One category's canonical text: ``1``, ``1.0`` and ``"1"`` are the same category.

    Categories coded as numbers (a survey's 1-6), booleans and strings all become
    text, so encoders never see a column of mixed types, and a value read as a float
    from a CSV with missing cells equals the integer an API or app sends later.
    Missing values (None, NaN, pd.NA) stay NaN for the imputer.
    """
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return np.nan
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        number = float(value)
        return str(int(number)) if number.is_integer() else repr(number)
    return str(value)


def categories_as_text(x: Any) -> pd.DataFrame:
    """Return ``x`` (a frame or a 2-D array) with every value as :func:`category_text`."""
    frame = x if isinstance(x, pd.DataFrame) else pd.DataFrame(x)
    text: pd.DataFrame = frame.apply(lambda column: column.map(category_text)).astype(object)
    return text


class CategoriesAsText(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Turn every categorical value into its canonical text (see :func:`category_text`)."""

    def fit(self, x: Any, _y: Any = None) -> Self:
        """Remember the column names; nothing else is learned."""
        self.feature_names_in_ = np.asarray([str(c) for c in pd.DataFrame(x).columns], dtype=object)
        return self

    def transform(self, x: Any) -> pd.DataFrame:
        """Return the values as text, missing values as NaN."""
        return categories_as_text(x)

    def get_feature_names_out(self, input_features: Any = None) -> Any:
        """The same columns as came in."""
        names = self.feature_names_in_ if input_features is None else input_features
        return np.asarray(names, dtype=object)


@dataclass(frozen=True)
class FeatureTables:
    """The fitted preprocessor and the matrices it makes, target column last."""

    preprocessor: Any
    train: pd.DataFrame
    test: pd.DataFrame


def build_preprocessor(config: PipelineConfig) -> ColumnTransformer:
    """Return an unfitted transformer for the configured feature columns.

    Numeric columns: missing values filled (median or mean), then optionally
    standardised. Categorical columns: turned into text (categories coded as numbers
    or booleans work like any other), filled with the most frequent value, then
    one-hot encoded (categories unseen in training become all zeros) or ordinal
    encoded (unseen categories become -1). Other columns are dropped.
    """
    settings = config.features
    transformers: list[tuple[str, Any, list[str]]] = []
    if config.data.numeric_features:
        numeric_steps: list[tuple[str, Any]] = [("impute", impute(settings.numeric_imputation))]
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
            [("text", CategoriesAsText()), ("impute", impute("most_frequent")), ("encode", encoder)]
        )
        transformers.append(("categorical", categorical, list(config.data.categorical_features)))
    transformer = ColumnTransformer(transformers, remainder="drop", verbose_feature_names_out=False)
    return transformer.set_output(transform="pandas")


def impute(strategy: str) -> SimpleImputer:
    """A missing-value filler that keeps a column with no value in the fitted rows.

    Such a column (a mostly-missing one can be empty in a cross-validation fold) is
    filled with 0 instead of being dropped, so every fold makes the same columns.
    """
    return SimpleImputer(strategy=strategy, keep_empty_features=True)


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
