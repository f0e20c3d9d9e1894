"""Read the raw CSV and check it against the config where it enters the pipeline."""

import codecs
import csv
import dataclasses
import difflib
import hashlib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import PROG
from ..config import DataConfig
from ..errors import DataValidationError
from ..tasks import Task
from .contract import (
    MISSING_VALUES,
    QUARANTINE_COLUMNS,
    Contract,
    check_frame,
    declared_problems,
    header_problems,
    infer_contract,
    load_contract,
)

__all__ = [
    "MISSING_VALUES",
    "LoadedData",
    "check_raw",
    "load_raw",
    "read_raw",
    "read_table",
    "validate_checked",
    "validate_frame",
]

#: The column of a quarantine that holds a line the CSV reader could not split into
#: the header's fields (empty for the rows that parsed).
RAW_LINE = "raw_line"

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
    """The checked data: target and feature columns, rows without a target dropped.

    ``quarantine`` holds the rows of the raw CSV that break the data contract (or have
    no target), one per row with its ``line``, its ``reason`` and its raw values: with
    ``frame``, every row read is accounted for (``raw_rows = len(frame) + quarantined``
    when the rows come from the raw CSV; the lake path drops rows without a target and
    counts them in ``dropped_missing_target`` instead). ``duplicates`` counts the rows
    that repeat an earlier one (quarantined with the contract's ``unique_rows``);
    ``inferred`` says the contract was inferred from the data because
    ``data.schema_path`` did not exist yet.
    """

    frame: pd.DataFrame
    raw_rows: int
    dropped_missing_target: int
    quarantine: pd.DataFrame = field(default_factory=pd.DataFrame)
    duplicates: int = 0
    contract: Contract | None = None
    inferred: bool = False

    @property
    def quarantined(self) -> int:
        """How many rows were quarantined."""
        return len(self.quarantine)


@dataclass(frozen=True)
class RawTable:
    """A CSV read as text: the header, the rows that parsed (with their lines), the rest."""

    header: list[str]
    frame: pd.DataFrame
    lines: list[int]
    malformed: pd.DataFrame

    @property
    def rows(self) -> int:
        """Every data row of the file: parsed and malformed."""
        return len(self.frame) + len(self.malformed)


def read_table(path: Path) -> RawTable:
    """Read a CSV as text cells, each row with its line; a row of the wrong width is kept aside.

    Refuses the file only when it cannot be read as a table at all: missing, not UTF-8,
    not comma-separated, or without a header. A blank line is skipped, as pandas does.
    """
    _check_readable(path)
    rows: list[list[str]] = []
    lines: list[int] = []
    malformed: list[dict[str, object]] = []
    try:
        with path.open(encoding=ENCODING, newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                raise DataValidationError(f"{path}: empty file (not even a header row)")
            start = reader.line_num + 1
            for row in reader:
                line, start = start, reader.line_num + 1
                if not row:
                    continue
                if len(row) != len(header):
                    reason = f"malformed line: {len(row)} fields, expected {len(header)}"
                    malformed.append({"line": line, "reason": reason, RAW_LINE: ",".join(row)})
                    continue
                rows.append(row)
                lines.append(line)
    except UnicodeDecodeError as exc:
        raise DataValidationError(f"{path}: {encoding_problem(path) or exc}") from None
    except csv.Error as exc:
        raise DataValidationError(f"{path}: cannot be read as CSV: {exc}") from None
    names = [str(name) for name in header]
    frame = pd.DataFrame(rows, columns=pd.Index(names), dtype=object)
    return RawTable(
        header=names,
        frame=frame,
        lines=lines,
        malformed=pd.DataFrame(malformed, columns=["line", "reason", RAW_LINE]),
    )


def _check_readable(path: Path) -> None:
    """Refuse a raw CSV that is missing or cannot be read as a table, naming why."""
    if not path.is_file():
        raise DataValidationError(
            f"{path}: raw data file not found; put your CSV there or set data.raw_path "
            "in the config"
        )
    problem = csv_problem(path, scan=False)
    if problem is not None:
        raise DataValidationError(f"{path}: {problem}")


def read_raw(path: Path) -> pd.DataFrame:
    """Read the raw CSV; 'NA' and empty cells are missing values."""
    _check_readable(path)
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


def load_raw(
    data: DataConfig,
    task: Task,
    min_rows: int = MIN_ROWS,
    contract: Contract | None = None,
) -> LoadedData:
    """Read ``data.raw_path``, check every row against the data contract, validate the rest.

    See ``check_raw`` (the contract's rows and quarantine) and ``validate_frame`` (the
    checks of the rows kept against the pipeline config).
    """
    checked = check_raw(data, contract)
    return validate_checked(checked, data, task, min_rows)


def check_raw(data: DataConfig, contract: Contract | None = None) -> LoadedData:
    """Read ``data.raw_path`` and split its rows by the data contract; no config checks yet.

    The contract is ``contract``, else the file ``data.schema_path``, else (no such file
    yet) one inferred from the data (``LoadedData.inferred``). A row that breaks it, or
    has no target, is quarantined with its line and reason; the file is refused whole
    only when it cannot be read as a table or its columns differ from the declared ones.
    """
    table = read_table(data.raw_path)
    source = data.raw_path.as_posix()
    _check_columns_present(pd.DataFrame(columns=pd.Index(table.header)), data, source)
    inferred = contract is None and not data.schema_path.is_file()
    if contract is None:
        contract = (
            infer_contract(table.frame, required=[data.target])
            if inferred
            else load_contract(data.schema_path)
        )
    _check_contract(table.header, contract, data)
    checked = check_frame(table.frame, contract, table.lines)
    kept = checked.kept
    no_target = kept[data.target].isna().to_numpy()
    quarantine = checked.quarantined
    if no_target.any():
        quarantined_lines = set(quarantine["line"].tolist())
        lines = [line for line in table.lines if line not in quarantined_lines]
        missing = kept.loc[no_target].copy()
        missing.insert(0, "reason", f"{data.target}: missing (the target)")
        missing.insert(
            0, "line", [line for line, gone in zip(lines, no_target, strict=True) if gone]
        )
        quarantine = pd.concat([quarantine, missing.astype(object)], ignore_index=True)
        kept = kept.loc[~no_target].reset_index(drop=True)
    return LoadedData(
        frame=kept,
        raw_rows=table.rows,
        dropped_missing_target=0,
        quarantine=_with_malformed(quarantine, table.malformed, contract),
        duplicates=checked.duplicates,
        contract=contract,
        inferred=inferred,
    )


def validate_checked(
    checked: LoadedData, data: DataConfig, task: Task, min_rows: int = MIN_ROWS
) -> LoadedData:
    """Validate the rows the contract kept against the config (``validate_frame``).

    An error says how many rows the contract quarantined, which is often why too few
    are left.
    """
    try:
        loaded = validate_frame(
            checked.frame, data, task, source=data.raw_path.as_posix(), min_rows=min_rows
        )
    except DataValidationError as exc:
        if not checked.quarantined:
            raise
        raise DataValidationError(
            f"{exc}\n({checked.quarantined} of {checked.raw_rows} rows were quarantined for "
            f"breaking the data contract {data.schema_path.as_posix()}: see the quarantine "
            "for each row's line and reason)"
        ) from None
    return dataclasses.replace(
        checked, frame=loaded.frame, dropped_missing_target=loaded.dropped_missing_target
    )


def _with_malformed(
    quarantine: pd.DataFrame, malformed: pd.DataFrame, contract: Contract
) -> pd.DataFrame:
    """Return the quarantine with the malformed lines added, in the file's order."""
    columns = [*QUARANTINE_COLUMNS, *contract.columns, RAW_LINE]
    parts = [part for part in (quarantine, malformed) if not part.empty]
    if not parts:
        return pd.DataFrame(columns=pd.Index(columns))
    whole = pd.concat(parts, ignore_index=True).reindex(columns=columns)
    whole["line"] = whole["line"].astype("int64")
    return whole.sort_values("line", kind="stable").reset_index(drop=True)


def _check_contract(header: list[str], contract: Contract, data: DataConfig) -> None:
    """Refuse a CSV whose columns are not the declared ones, saying what to run."""
    problems = header_problems(header, contract)
    named = {problem.field for problem in problems}
    problems += [
        problem
        for problem in declared_problems(
            contract, data.target, data.numeric_features, data.categorical_features
        )
        if problem.field not in named
    ]
    if not problems:
        return
    schema = data.schema_path.as_posix()
    raise DataValidationError(
        _bulleted(
            f"{data.raw_path.as_posix()} does not match the data contract {schema}:",
            [str(problem) for problem in problems],
        )
        + f"\nif the CSV is right, write the contract from it: `make schema` (`{PROG} schema`; "
        f"the file it replaces is kept as a backup), review {schema}, then run the pipeline again"
    )


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
