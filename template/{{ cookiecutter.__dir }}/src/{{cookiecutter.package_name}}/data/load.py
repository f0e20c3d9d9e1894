"""Read the raw CSV and check it against the config where it enters the pipeline."""

import codecs
import csv
import difflib
import hashlib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import DataConfig
from ..errors import DataValidationError
from ..models.registry import Task

#: Cells read as missing values. Anything else ("N/A", "null", "?") is data, and a
#: numeric column holding it is reported.
MISSING_VALUES = ("NA", "")

#: Fewer rows than this (after dropping rows without a target) is an error.
MIN_ROWS = 20

#: How the CSV is decoded: UTF-8, with or without a byte-order mark (as Excel saves it).
ENCODING = "utf-8-sig"

#: Separators a header of one column gives away: the file is not comma-separated.
OTHER_SEPARATORS = {";": "';'-separated", "\t": "tab-separated"}

#: A classification target that is numeric with more distinct values than this, and
#: mostly unique, is a quantity: the error suggests `task: regression` (models/train.py
#: suggests it too when a target with this many values has classes too rare to split).
MAX_NUMERIC_CLASSES = 20

#: Bytes read at a time when a file is scanned whole (checksum, encoding, line count).
READ_CHUNK = 1 << 20


@dataclass(frozen=True)
class LoadedData:
    """The checked data: target and feature columns, rows without a target dropped."""

    frame: pd.DataFrame
    raw_rows: int
    dropped_missing_target: int


def read_raw(path: Path) -> pd.DataFrame:
    """Read the raw CSV; 'NA' and empty cells are missing values."""
    if not path.is_file():
        raise DataValidationError(
            f"{path}: raw data file not found; put your CSV there or set data.raw_path "
            "in the config"
        )
    problem = csv_problem(path, scan=False)
    if problem is not None:
        raise DataValidationError(f"{path}: {problem}")
    try:
        return pd.read_csv(
            path, encoding=ENCODING, na_values=list(MISSING_VALUES), keep_default_na=False
        )
    except UnicodeDecodeError as exc:
        raise DataValidationError(f"{path}: {encoding_problem(path) or exc}") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataValidationError(f"{path}: cannot be read as CSV: {exc}") from None


def encoding_problem(path: Path) -> str | None:
    """Return why ``path`` is not UTF-8 text, or None when it is."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(READ_CHUNK), b""):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                byte = chunk[exc.start : exc.start + 1].hex()
                return (
                    f"not UTF-8 text (byte 0x{byte} at offset {offset + exc.start}); "
                    "save the file as UTF-8"
                )
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "not UTF-8 text (the file ends inside a character); save the file as UTF-8"
    return None


def separator_problem(header: Sequence[str]) -> str | None:
    """Return why a header of one column shows a CSV not separated by commas, else None."""
    if len(header) != 1:
        return None
    for separator, kind in OTHER_SEPARATORS.items():
        if separator in header[0]:
            return (
                f"looks {kind}: the header {header[0]!r} is one column; save the file "
                "comma-separated (the pipeline reads commas only)"
            )
    return None


def csv_problem(path: Path, *, scan: bool = True) -> str | None:
    """Return why ``path`` is not comma-separated UTF-8 text (a BOM is fine), else None.

    The header is always checked; the whole file for its encoding only with ``scan``.
    """
    if scan and (problem := encoding_problem(path)) is not None:
        return problem
    try:
        with path.open(encoding=ENCODING, newline="") as handle:
            header = next(csv.reader(handle), [])
    except UnicodeDecodeError:
        return encoding_problem(path)
    except csv.Error as exc:
        return f"cannot be read as CSV: {exc}"
    return separator_problem(header)


def file_sha256(path: Path) -> str:
    """Return the SHA-256 hex digest of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(READ_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def load_raw(data: DataConfig, task: Task, min_rows: int = MIN_ROWS) -> LoadedData:
    """Read ``data.raw_path`` and validate it against the config."""
    frame = read_raw(data.raw_path)
    return validate_frame(frame, data, task, source=str(data.raw_path), min_rows=min_rows)


def validate_frame(
    frame: pd.DataFrame,
    data: DataConfig,
    task: Task,
    source: str = "the data",
    min_rows: int = MIN_ROWS,
) -> LoadedData:
    """Check ``frame`` against the config and return the columns the pipeline uses.

    Raises DataValidationError listing every problem found: missing columns (with
    the columns that are there), non-numeric values in numeric columns (with the
    offending value and its line in the file), empty columns, too few rows, or a
    target with a single value. Rows without a target are dropped and counted.
    """
    _check_columns_present(frame, data, source)

    problems: list[str] = []
    for column in data.numeric_features:
        problems.extend(_numeric_problems(frame[column], column, "data.numeric_features"))
    if task == "regression":
        problems.extend(_numeric_problems(frame[data.target], data.target, "data.target"))
    problems.extend(
        f"column '{column}' has no values at all"
        for column in data.features
        if frame[column].isna().all()
    )
    if problems:
        raise DataValidationError(_bulleted(f"{source} does not match the config:", problems))

    missing_target = frame[data.target].isna()
    kept = frame.loc[~missing_target, [*data.features, data.target]].reset_index(drop=True)
    for column in data.numeric_features:
        kept[column] = pd.to_numeric(kept[column]).astype("float64")
    if task == "regression":
        kept[data.target] = pd.to_numeric(kept[data.target]).astype("float64")

    dropped = int(missing_target.sum())
    if len(kept) < min_rows:
        raise DataValidationError(
            f"{source}: only {len(kept)} rows have a value for the target '{data.target}' "
            f"({dropped} without one); at least {min_rows} are needed"
        )
    values = kept[data.target].unique()
    if len(values) == 1:
        raise DataValidationError(
            f"{source}: the target '{data.target}' has the single value {values[0]!r} "
            f"in all {len(kept)} rows; there is nothing to learn"
        )
    if task == "classification" and _looks_like_a_quantity(kept[data.target]):
        raise DataValidationError(
            f"{source}: the target '{data.target}' has {len(values)} distinct numbers in "
            f"{len(kept)} rows: a quantity, not classes; set `task: regression` in the "
            "pipeline config (or group the values into a few classes in the CSV)"
        )
    return LoadedData(frame=kept, raw_rows=len(frame), dropped_missing_target=dropped)


def _looks_like_a_quantity(target: pd.Series) -> bool:
    """Whether a classification target is numbers with many, mostly unique, values."""
    numbers = pd.to_numeric(target, errors="coerce")
    if numbers.isna().any():
        return False
    distinct = numbers.nunique()
    return bool(distinct > MAX_NUMERIC_CLASSES and distinct > len(target) / 2)


def _check_columns_present(frame: pd.DataFrame, data: DataConfig, source: str) -> None:
    """Raise one error naming every configured column the frame lacks."""
    roles = {data.target: "data.target"}
    roles.update(dict.fromkeys(data.numeric_features, "data.numeric_features"))
    roles.update(dict.fromkeys(data.categorical_features, "data.categorical_features"))
    missing = [column for column in roles if column not in frame.columns]
    if not missing:
        return
    noun = "column is" if len(missing) == 1 else "columns are"
    found = [str(column) for column in frame.columns]
    lines = [f"{source}: {len(missing)} {noun} missing:"]
    same_letters = {unicodedata.normalize("NFC", name): name for name in found}
    for column in missing:
        close = difflib.get_close_matches(column, found, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        if unicodedata.normalize("NFC", column) in same_letters:
            hint = (
                "; the CSV has the same letters with the accents encoded another way "
                "(Unicode NFD, as macOS writes them): retype the name in the CSV header "
                "or in the config"
            )
        lines.append(f"  - '{column}' ({roles[column]}{hint})")
    lines.append(f"columns found: {', '.join(found)}")
    lines.append("fix the names in the config or in the CSV header")
    raise DataValidationError("\n".join(lines))


def _numeric_problems(values: pd.Series, column: str, key: str) -> list[str]:
    """Describe the first non-numeric value of a column that must be numeric."""
    if pd.api.types.is_numeric_dtype(values):
        return []
    numbers = pd.to_numeric(values, errors="coerce")
    bad = values.notna() & numbers.isna()
    if not bad.any():
        return []
    position = int(np.argmax(bad.to_numpy()))
    line = position + 2  # the header is line 1 of the file
    count = int(bad.sum())
    how_many = "1 value is" if count == 1 else f"{count} values are"
    return [
        f"column '{column}' ({key}) must be numeric, but row {position + 1} (line {line} of "
        f"the CSV) holds {values.iloc[position]!r}; {how_many} not numbers"
    ]


def _bulleted(title: str, lines: list[str]) -> str:
    """Return ``title`` followed by one indented bullet per line."""
    return "\n".join([title, *(f"  - {line}" for line in lines)])
