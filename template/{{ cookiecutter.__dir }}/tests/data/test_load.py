"""Loading the raw CSV and each way it can fail to match the config."""

import hashlib
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from {{ cookiecutter.package_name }}.config import (
    DataConfig,
    PipelineConfig,
)
from {{ cookiecutter.package_name }}.data.contract import ColumnRule, contract_yaml, infer_contract
from {{ cookiecutter.package_name }}.data.load import (
    file_sha256,
    load_raw,
    read_raw,
    validate_frame,
)
from {{ cookiecutter.package_name }}.errors import DataValidationError
from {{ cookiecutter.package_name }}.tasks import Task


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` as a raw CSV (missing values as NA); return its path."""
    frame.to_csv(path, index=False, na_rep="NA")
    return path


def with_data(config: PipelineConfig, **changes: object) -> DataConfig:
    """Return the config's data section with some fields changed."""
    return config.data.model_copy(update=changes)


def test_loads_the_configured_columns_and_quarantines_rows_without_target(
    config: PipelineConfig, task: Task, penguins: pd.DataFrame, tmp_path: Path
) -> None:
    # given a CSV where two rows have no target value
    penguins.loc[[3, 11], config.data.target] = np.nan
    path = tmp_path / "raw.csv"
    penguins.to_csv(path, index=False, na_rep="NA")
    # when it is loaded
    loaded = load_raw(with_data(config, raw_path=path), task)
    # then those rows are quarantined with their line and why, and every row is counted
    assert loaded.raw_rows == len(penguins) == len(loaded.frame) + loaded.quarantined
    assert loaded.quarantine[["line", "reason"]].to_dict("records") == [
        {"line": 5, "reason": f"{config.data.target}: missing"},
        {"line": 13, "reason": f"{config.data.target}: missing"},
    ]
    # and only configured columns remain
    assert list(loaded.frame.columns) == [*config.data.features, config.data.target]
    assert "year" not in loaded.frame.columns
    assert loaded.frame[config.data.target].notna().all()
    for column in config.data.numeric_features:
        assert loaded.frame[column].dtype == np.float64


def test_only_na_and_empty_cells_are_missing(config: PipelineConfig, tmp_path: Path) -> None:
    # given a CSV with 'NA' and an empty cell in categorical columns, and 'None' as a value
    frame = pd.read_csv(config.data.raw_path).head(30)
    frame["sex"] = frame["sex"].astype(object)
    frame.loc[0, "sex"] = "NA"
    frame.loc[1, "sex"] = ""
    frame.loc[2, "sex"] = "None"
    path = tmp_path / "raw.csv"
    frame.to_csv(path, index=False)
    # when it is read
    raw = read_raw(path)
    # then 'NA' and '' are missing, 'None' is kept as a category
    assert raw["sex"].isna().tolist()[:3] == [True, True, False]
    assert raw.loc[2, "sex"] == "None"


def test_every_missing_column_is_listed_with_the_columns_found(
    config: PipelineConfig, task: Task, penguins: pd.DataFrame
) -> None:
    # given a config naming a misspelt target and a column the data lacks
    data = with_data(
        config,
        target="speces",
        numeric_features=(*config.data.numeric_features, "wing_span"),
        categorical_features=tuple(c for c in config.data.categorical_features if c != "speces"),
    )
    # when the frame is validated
    with pytest.raises(DataValidationError) as caught:
        validate_frame(penguins, data, task, source="raw.csv")
    message = str(caught.value)
    # then both missing columns, their config keys, a likely fix and the columns found are shown
    assert message.startswith("raw.csv: 2 columns are missing:")
    assert "'speces' (data.target; did you mean 'species'?)" in message
    assert "'wing_span' (data.numeric_features)" in message
    assert "columns found: species, island, bill_length_mm" in message


def test_a_name_whose_accents_are_encoded_another_way_is_explained(
    config: PipelineConfig, task: Task, penguins: pd.DataFrame
) -> None:
    # given a CSV header written with decomposed accents (as macOS writes them)
    decomposed = unicodedata.normalize("NFD", "île")
    frame = penguins.rename(columns={"island": decomposed})
    data = with_data(
        config,
        categorical_features=tuple(
            "île" if column == "island" else column for column in config.data.categorical_features
        ),
    )
    # when the frame is validated against a config typed with composed accents
    with pytest.raises(DataValidationError) as caught:
        validate_frame(frame, data, task, source="raw.csv")
    # then the error says the letters are the same and how to fix it
    assert "the same letters with the accents encoded another way" in str(caught.value)


def test_a_numeric_target_with_many_values_suggests_regression(
    config: PipelineConfig, penguins: pd.DataFrame
) -> None:
    # given a classification config whose target is a measurement
    data = with_data(
        config,
        target="body_mass_g",
        numeric_features=("bill_length_mm", "flipper_length_mm"),
        categorical_features=("island",),
    )
    # when the frame is validated as classification
    with pytest.raises(DataValidationError) as caught:
        validate_frame(penguins, data, "classification", source="raw.csv")
    # then the error says it is a quantity and names the fix
    message = str(caught.value)
    assert "the target 'body_mass_g' has" in message
    assert "set `task: regression`" in message


def test_numeric_class_codes_are_classes(config: PipelineConfig, penguins: pd.DataFrame) -> None:
    # given a target coded as the numbers 0, 1 and 2
    penguins["code"] = penguins["species"].astype("category").cat.codes
    data = with_data(config, target="code")
    # when validated as classification / then the three codes are accepted as classes
    loaded = validate_frame(penguins, data, "classification")
    assert sorted(loaded.frame["code"].unique()) == [0, 1, 2]


def test_bad_rows_are_quarantined_with_their_line_and_reason_not_the_whole_file(
    config: PipelineConfig, task: Task, penguins: pd.DataFrame, tmp_path: Path
) -> None:
    # given a CSV with a numeric typo on data row 6 (line 7), text on row 10, a repeated
    # row and a line with a field too many
    column = config.data.numeric_features[0]
    penguins[column] = penguins[column].astype(object)
    penguins.loc[5, column] = "0.03O"
    penguins.loc[9, column] = "?"
    repeated = pd.concat([penguins, penguins.iloc[[0]]], ignore_index=True)
    path = tmp_path / "raw.csv"
    repeated.to_csv(path, index=False, na_rep="NA")
    with path.open("a", encoding="utf-8") as handle:
        handle.write("Adelie,Dream,1,2,3,4,male,2008,surplus\n")
    # when it is loaded
    loaded = load_raw(with_data(config, raw_path=path), task)
    # then each bad row is quarantined with its line and reason, and every row is counted
    assert loaded.quarantine[["line", "reason"]].to_dict("records") == [
        {"line": 7, "reason": f"{column}: not a number (0.03O)"},
        {"line": 11, "reason": f"{column}: not a number (?)"},
        {"line": 92, "reason": "duplicate of record 1"},
        {"line": 93, "reason": "malformed line: 9 fields, expected 8"},
    ]
    assert loaded.quarantine["raw_line"].iloc[-1] == "Adelie,Dream,1,2,3,4,male,2008,surplus"
    assert loaded.duplicates == 1
    assert loaded.raw_rows == len(penguins) + 2 == len(loaded.frame) + loaded.quarantined


def test_a_csv_that_does_not_match_the_declared_contract_says_to_run_schema(
    config: PipelineConfig, task: Task, penguins: pd.DataFrame, tmp_path: Path
) -> None:
    # given a declared contract, and a CSV with an extra column it does not declare
    schema = tmp_path / "schema.yaml"
    written = load_raw(with_data(config, raw_path=write_csv(penguins, tmp_path / "a.csv")), task)
    assert written.contract is not None
    schema.write_text(yaml.safe_dump(contract_yaml(written.contract)), "utf-8")
    penguins["shoe/size"] = 3
    path = write_csv(penguins, tmp_path / "b.csv")
    # when it is loaded against that contract
    with pytest.raises(DataValidationError) as caught:
        load_raw(with_data(config, raw_path=path, schema_path=schema), task)
    # then the column is named and the fix is the schema command
    message = str(caught.value)
    assert f"does not match the data contract {schema.as_posix()}" in message
    assert "  - shoe/size: column not declared" in message
    assert "`make schema`" in message


def test_a_numeric_feature_declared_as_text_is_refused_by_name(
    config: PipelineConfig, task: Task, penguins: pd.DataFrame
) -> None:
    # given a contract that declares a numeric feature as text
    column = config.data.numeric_features[0]
    contract = infer_contract(penguins.astype(str))
    rules = dict(contract.columns)
    rules[column] = ColumnRule(type="string")
    text = contract.model_copy(update={"columns": rules})
    # when the data is loaded with it, then the feature and the fix are named
    with pytest.raises(DataValidationError, match=f"{column}: a numeric feature declared"):
        load_raw(config.data, task, contract=text)


def test_regression_target_must_be_numeric(penguins: pd.DataFrame) -> None:
    # given a regression on a text column
    data = DataConfig(raw_path=Path("x.csv"), target="island", numeric_features=("bill_length_mm",))
    # when validated / then the target is named as the problem
    with pytest.raises(DataValidationError, match=r"column 'island' \(data\.target\) must be"):
        validate_frame(penguins, data, "regression")


def test_constant_target_is_refused(
    config: PipelineConfig, task: Task, penguins: pd.DataFrame
) -> None:
    # given a target with one value in every row
    penguins[config.data.target] = penguins[config.data.target].iloc[0]
    # when validated / then there is nothing to learn
    with pytest.raises(DataValidationError, match="has the single value"):
        validate_frame(penguins, config.data, task)


def test_too_few_rows_are_refused(
    config: PipelineConfig, task: Task, penguins: pd.DataFrame
) -> None:
    # given fewer rows than the minimum
    small = penguins.head(12)
    # when validated / then the count and the minimum are named
    with pytest.raises(DataValidationError, match="only 12 rows have a value for the target"):
        validate_frame(small, config.data, task, min_rows=20)


def test_empty_feature_column_is_refused(
    config: PipelineConfig, task: Task, penguins: pd.DataFrame
) -> None:
    # given a feature column without any value
    column = config.data.categorical_features[-1]
    penguins[column] = np.nan
    # when validated / then the column is named
    with pytest.raises(DataValidationError, match=f"column '{column}' has no values at all"):
        validate_frame(penguins, config.data, task)


def test_missing_or_unreadable_file_is_reported(config: PipelineConfig, tmp_path: Path) -> None:
    # given no file, then an empty one / when read / then each problem is named
    with pytest.raises(DataValidationError, match="raw data file not found"):
        read_raw(tmp_path / "absent.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(DataValidationError, match="cannot be read as CSV"):
        read_raw(empty)


def test_file_hash_identifies_the_content(tmp_path: Path) -> None:
    # given two files differing by one byte
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_bytes(b"x,y\n1,2\n")
    second.write_bytes(b"x,y\n1,3\n")
    # when hashed / then the digest is the SHA-256 of the bytes, and differs between them
    assert file_sha256(first) == hashlib.sha256(b"x,y\n1,2\n").hexdigest()
    assert file_sha256(first) != file_sha256(second)


def test_a_file_saved_with_a_byte_order_mark_loads(
    config: PipelineConfig, task: Task, penguins: pd.DataFrame, tmp_path: Path
) -> None:
    # given the CSV saved as UTF-8 with a byte-order mark (as Excel saves it)
    path = tmp_path / "raw.csv"
    penguins.to_csv(path, index=False, na_rep="NA", encoding="utf-8-sig")
    # when it is loaded / then the first column keeps its name
    loaded = load_raw(with_data(config, raw_path=path), task)
    assert len(loaded.frame) == len(penguins)
    assert read_raw(path).columns[0] == penguins.columns[0]


@pytest.mark.parametrize("where", ["header", "row"])
def test_a_file_not_in_utf8_is_refused_with_the_fix(
    penguins: pd.DataFrame, tmp_path: Path, where: str
) -> None:
    # given a CSV saved as Latin-1 with an accented letter in its header, or in its last row
    if where == "header":
        penguins = penguins.rename(columns={"island": "île"})
    else:
        penguins.loc[len(penguins) - 1, "island"] = "Île Anvers"
    path = tmp_path / "raw.csv"
    penguins.to_csv(path, index=False, na_rep="NA", encoding="latin-1")
    offset = path.read_bytes().index(b"\xee" if where == "header" else b"\xce")
    # when it is read / then the error names the byte, where it is, and the fix
    with pytest.raises(DataValidationError) as caught:
        read_raw(path)
    assert str(caught.value) == (
        f"{path}: not UTF-8 text (byte 0x{path.read_bytes()[offset]:02x} at offset {offset}); "
        "save the file as UTF-8"
    )


@pytest.mark.parametrize(("separator", "kind"), [(";", "';'-separated"), ("\t", "tab-separated")])
def test_a_file_not_separated_by_commas_is_refused_with_the_fix(
    penguins: pd.DataFrame, tmp_path: Path, separator: str, kind: str
) -> None:
    # given a CSV separated by semicolons (or tabs), as some spreadsheets save it
    path = tmp_path / "raw.csv"
    penguins.to_csv(path, index=False, na_rep="NA", sep=separator)
    # when it is read / then the error says so and how to fix it, not which columns are missing
    with pytest.raises(DataValidationError) as caught:
        read_raw(path)
    message = str(caught.value)
    header = repr(separator.join(penguins.columns))
    assert message.startswith(f"{path}: looks {kind}: the header {header} is one column; ")
    assert message.endswith("save the file comma-separated (the pipeline reads commas only)")
