"""The data contract: declared column rules and the checks of a value, a record and a frame."""

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Self

import pandas as pd
from pydantic import Field, field_validator, model_validator

from ..component_config import Section, load_section

#: Where the contract lives by default (data.schema_path in the pipeline config).
DEFAULT_SCHEMA_PATH = Path("configs/schema.yaml")

#: Cells read as missing values. Anything else ("N/A", "null", "?") is data, and a
#: numeric column holding it is quarantined with the value.
MISSING_VALUES = ("NA", "")

#: The columns a quarantine table adds before the raw values of a row.
QUARANTINE_COLUMNS = ("line", "reason")

ColumnType = Literal["float", "integer", "string"]


def number_text(value: float) -> str:
    """Format a number the way every rule message prints it."""
    return f"{value:g}"


def _allowed_text(value: object) -> str:
    """Return an allowed value as the text a cell holds (1, 1.0 -> '1')."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class ColumnRule(Section):
    """What one column may hold."""

    type: ColumnType
    nullable: bool = True
    min: float | None = None
    max: float | None = None
    allowed: tuple[str, ...] | None = None
    #: False leaves the column out of the checks against a reference profile (validate's
    #: robust z-score and drift), e.g. an identifier. Type, range and domain still apply.
    anomaly: bool = True

    @field_validator("allowed", mode="before")
    @classmethod
    def _allowed_as_text(cls, value: object) -> object:
        if isinstance(value, list | tuple):
            return tuple(_allowed_text(item) for item in value)
        return value

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.type == "string" and (self.min is not None or self.max is not None):
            raise ValueError("min/max apply to float and integer columns only")
        if self.type == "float" and self.allowed is not None:
            raise ValueError("allowed applies to string and integer columns only")
        if self.type == "integer" and self.allowed is not None:
            bad = [item for item in self.allowed if not _is_integer_text(item)]
            if bad:
                raise ValueError(f"allowed of an integer column holds non-integers: {bad}")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min:g} is above max {self.max:g}")
        return self


def _is_integer_text(text: str) -> bool:
    try:
        return float(text).is_integer()
    except ValueError:
        return False


class Contract(Section):
    """The declared data: every column's rule, and whether a repeated row is quarantined."""

    columns: dict[str, ColumnRule] = Field(min_length=1)
    unique_rows: bool = True

    @property
    def numeric(self) -> list[str]:
        """The float and integer columns."""
        return [name for name, rule in self.columns.items() if rule.type != "string"]


def load_contract(path: Path = DEFAULT_SCHEMA_PATH) -> Contract:
    """Read and check the contract; errors name the file and the key."""
    return load_section(Contract, path)


@dataclass(frozen=True)
class Problem:
    """Why a value or a record breaks the contract: the field and the reason."""

    field: str
    reason: str

    def __str__(self) -> str:
        """Return ``field: reason``, the form every report prints."""
        return f"{self.field}: {self.reason}"


def is_missing(raw: object) -> bool:
    """Whether ``raw`` is a missing value (None, NaN, or a cell reading 'NA' or empty)."""
    if raw is None:
        return True
    if isinstance(raw, str):
        return raw in MISSING_VALUES
    return isinstance(raw, float) and math.isnan(raw)


def _text(raw: object) -> str:
    """Return a value as the text a CSV cell would hold."""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


def value_problem(  # noqa: PLR0911 (one return per rule reads best)
    rule: ColumnRule, raw: object
) -> str | None:
    """Return why ``raw`` (cell text, or a number from an API) breaks ``rule``, or None."""
    if is_missing(raw):
        return None if rule.nullable else "missing"
    if rule.type == "string":
        text = raw if isinstance(raw, str) else _text(raw)
        if rule.allowed is not None and text not in rule.allowed:
            return f"{text} not allowed"
        return None
    if isinstance(raw, bool):
        return f"not a number ({raw})"
    try:
        number = float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return f"not a number ({raw})"
    if not math.isfinite(number):
        return f"not finite ({raw})"
    if rule.type == "integer" and not number.is_integer():
        return f"not an integer ({raw})"
    if rule.min is not None and number < rule.min:
        return f"{raw} below min {number_text(rule.min)}"
    if rule.max is not None and number > rule.max:
        return f"{raw} above max {number_text(rule.max)}"
    if rule.allowed is not None and str(int(number)) not in rule.allowed:
        return f"{raw} not allowed"
    return None


def check_value(column: str, rule: ColumnRule, raw: object) -> Problem | None:
    """Return the problem of one value of ``column``, or None when it keeps the rule."""
    reason = value_problem(rule, raw)
    return None if reason is None else Problem(column, reason)


def header_problems(header: Sequence[str], contract: Contract) -> list[Problem]:
    """Return the declared columns a header lacks, the undeclared and the repeated ones."""
    problems = [Problem(name, "missing column") for name in contract.columns if name not in header]
    problems += [
        Problem(name, "column not declared")
        for name in dict.fromkeys(header)
        if name not in contract.columns
    ]
    problems += [
        Problem(name, "column repeated")
        for name in sorted({name for name in header if header.count(name) > 1})
    ]
    return problems


def check_record(
    record: Mapping[str, object], contract: Contract, columns: Iterable[str] | None = None
) -> list[Problem]:
    """Return every problem of ``record`` (column -> value) against ``contract``; [] if none.

    ``columns`` are the columns the record must hold (default: every declared column);
    a record from an API holds the features only. A missing or undeclared column is a
    problem, so is every value that breaks its rule.
    """
    expected = list(contract.columns if columns is None else columns)
    problems = [
        Problem(name, "column not declared") for name in expected if name not in contract.columns
    ]
    problems += [Problem(name, "missing column") for name in expected if name not in record]
    problems += [
        Problem(name, "column not declared") for name in record if name not in contract.columns
    ]
    if problems:
        return problems
    for name in expected:
        problem = check_value(name, contract.columns[name], record[name])
        if problem is not None:
            problems.append(problem)
    return problems


def declared_problems(
    contract: Contract,
    target: str,
    numeric_features: Sequence[str],
    categorical_features: Sequence[str],
) -> list[Problem]:
    """Return the target or features the contract lacks, and numeric features it types as text."""
    used = dict.fromkeys([*numeric_features, *categorical_features, target])
    problems = [
        Problem(name, "not declared (the target or a feature)")
        for name in used
        if name not in contract.columns
    ]
    problems += [
        Problem(name, "a numeric feature declared `type: string`: declare it float or integer")
        for name in numeric_features
        if name in contract.columns and contract.columns[name].type == "string"
    ]
    return problems


@dataclass(frozen=True)
class FrameCheck:
    """A frame split by the contract: kept rows (typed) and quarantined rows with reasons.

    ``quarantined`` has a ``line`` (the row's line in its source file), a ``reason``
    (every problem, ``; ``-separated) and the row's raw values. ``duplicates`` counts the
    rows that repeat an earlier row: quarantined with ``unique_rows`` (one of their
    reasons), kept but counted without it.
    """

    kept: pd.DataFrame
    quarantined: pd.DataFrame
    duplicates: int

    @property
    def rows_in(self) -> int:
        """Every row checked: kept plus quarantined."""
        return len(self.kept) + len(self.quarantined)


def check_frame(
    frame: pd.DataFrame, contract: Contract, lines: Sequence[int] | None = None
) -> FrameCheck:
    """Split ``frame`` (raw cell values, every declared column) into kept and quarantined rows.

    Never raises for a bad row: each breaking row is quarantined with every reason,
    and a row equal to an earlier one is counted as a duplicate (quarantined as one
    with ``contract.unique_rows``). ``lines`` gives each row's line in the source file
    (default: row ``i`` is line ``i + 2``, after a header). Kept rows are typed by the
    contract (see ``typed``).
    """
    frame = frame.reset_index(drop=True)
    numbers = list(lines) if lines is not None else [index + 2 for index in range(len(frame))]
    reasons: list[list[str]] = [[] for _ in range(len(frame))]
    for column, rule in contract.columns.items():
        seen: dict[object, str | None] = {}
        for index, raw in enumerate(frame[column].tolist()):
            key = _cache_key(raw)
            if key not in seen:
                seen[key] = value_problem(rule, raw)
            if (reason := seen[key]) is not None:
                reasons[index].append(f"{column}: {reason}")
    duplicates = 0
    if len(frame):
        raw_text = frame[list(contract.columns)].astype(str)
        repeated = raw_text.duplicated(keep="first")
        duplicates = int(repeated.sum())
        first_of: dict[tuple[str, ...], int] = {}
        for index, row in enumerate(raw_text.itertuples(index=False, name=None)):
            if not repeated.iloc[index]:
                first_of.setdefault(row, index)
            elif contract.unique_rows:
                reasons[index].append(f"duplicate of record {first_of[row] + 1}")
    bad = [bool(found) for found in reasons]
    quarantined = frame.loc[bad, list(contract.columns)].copy()
    quarantined.insert(0, "reason", ["; ".join(found) for found in reasons if found])
    quarantined.insert(0, "line", [line for line, flag in zip(numbers, bad, strict=True) if flag])
    kept = typed(frame.loc[[not flag for flag in bad], list(contract.columns)], contract)
    return FrameCheck(
        kept=kept.reset_index(drop=True),
        quarantined=quarantined.reset_index(drop=True),
        duplicates=duplicates,
    )


def _cache_key(raw: object) -> object:
    """Return a hashable key for a value (its type counts: 1 and '1' differ)."""
    if isinstance(raw, float) and math.isnan(raw):
        return ("nan",)
    return (type(raw).__name__, raw)


def typed(frame: pd.DataFrame, contract: Contract) -> pd.DataFrame:
    """Return rows that keep the contract with their declared types.

    float columns become float64; integer columns int64, or float64 when a value is
    missing (as pandas reads them); string columns text, with missing values as None.
    """
    result = frame.copy()
    for column, rule in contract.columns.items():
        if column not in result.columns:
            continue
        values = result[column].map(lambda raw: None if is_missing(raw) else raw)
        if rule.type == "string":
            # is_missing, not `is None`: pandas 3's map turns the None above into NaN,
            # which _string would make the text 'nan' (a category the data never had).
            result[column] = values.map(
                lambda raw: None if is_missing(raw) else _string(raw)
            ).astype(object)
            continue
        numbers = pd.to_numeric(values, errors="coerce").astype("float64")
        if rule.type == "integer" and numbers.notna().all():
            result[column] = numbers.astype("int64")
        else:
            result[column] = numbers
    return result


def _string(raw: object) -> str:
    return raw if isinstance(raw, str) else _text(raw)


def typed_record(record: Mapping[str, object], contract: Contract) -> dict[str, object]:
    """Convert a record that keeps the contract to its declared types (missing -> None)."""
    result: dict[str, object] = {}
    for column, raw in record.items():
        rule = contract.columns.get(column)
        if rule is None or is_missing(raw):
            result[column] = None if is_missing(raw) else raw
        elif rule.type == "float":
            result[column] = float(raw)  # type: ignore[arg-type]
        elif rule.type == "integer":
            result[column] = int(float(raw))  # type: ignore[arg-type]
        else:
            result[column] = _string(raw)
    return result


#: An integer column with at most this many distinct values is inferred as codes of a
#: category: its values become `allowed`.
MAX_CODES = 10

#: A text column with at most this many distinct values is inferred as a category.
MAX_CATEGORIES = 20

#: A column whose non-missing values are numbers in at least this share (or all but one)
#: is numeric; the rest are typos the contract then quarantines.
MIN_NUMERIC_SHARE = 0.95


def infer_rule(values: Sequence[object], *, required: bool = False) -> ColumnRule:
    """Infer a column's rule from its raw values: the type, range and categories seen.

    ``required`` (the target) makes the column non-nullable whatever was seen.
    """
    present = [raw for raw in values if not is_missing(raw)]
    nullable = not required and len(present) < len(values)
    if not present:
        return ColumnRule(type="string", nullable=nullable)
    numbers = [number for raw in present if (number := _finite(raw)) is not None]
    typos = len(present) - len(numbers)
    if len(numbers) > typos and typos <= max(1, (1 - MIN_NUMERIC_SHARE) * len(present)):
        low, high = min(numbers), max(numbers)
        if all(number.is_integer() for number in numbers):
            codes = sorted({int(number) for number in numbers})
            allowed = tuple(str(code) for code in codes) if len(codes) <= MAX_CODES else None
            return ColumnRule(type="integer", nullable=nullable, min=low, max=high, allowed=allowed)
        return ColumnRule(type="float", nullable=nullable, min=low, max=high)
    categories = sorted({_string(raw) for raw in present})
    allowed = tuple(categories) if len(categories) <= MAX_CATEGORIES else None
    return ColumnRule(type="string", nullable=nullable, allowed=allowed)


def _finite(raw: object) -> float | None:
    try:
        number = float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def infer_contract(frame: pd.DataFrame, required: Iterable[str] = ()) -> Contract:
    """Infer a starting contract from a frame of raw values, one rule per column."""
    must = set(required)
    return Contract(
        columns={
            str(name): infer_rule(frame[name].tolist(), required=name in must)
            for name in frame.columns
        }
    )


def contract_yaml(contract: Contract) -> dict[str, Any]:
    """Return the contract as YAML-ready data, leaving out the defaults."""
    columns: dict[str, Any] = {}
    for name, rule in contract.columns.items():
        entry: dict[str, Any] = {"type": rule.type, "nullable": rule.nullable}
        for key in ("min", "max"):
            value = getattr(rule, key)
            if value is not None:
                entry[key] = int(value) if float(value).is_integer() else value
        if rule.allowed is not None:
            entry["allowed"] = (
                [int(item) for item in rule.allowed]
                if rule.type == "integer"
                else list(rule.allowed)
            )
        if not rule.anomaly:
            entry["anomaly"] = False
        columns[name] = entry
    return {"columns": columns, "unique_rows": contract.unique_rows}
