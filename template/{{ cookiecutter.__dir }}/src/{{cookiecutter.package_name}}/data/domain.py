"""The input policy every front door shares: which records the model may answer, and why not.

The training domain (each numeric column's range, sign and whether it was ever
missing; each categorical column's values) is recorded with the model at train
time (``model.json``'s ``domain``). A record is then checked by a list of checks:
first the record is read (a wrong type, a number that is not finite, a missing
column), then every record check in turn (:data:`RecordCheck`): a record whose
every field is empty, a missing value the model never saw missing, a number
outside the training range plus its margin, a category never seen in training.

The declared data contract (``data/contract.py``, ``data.schema_path``) is the
first record check when the project has one: a record breaking a declared rule is
outside the domain too, whichever door it came in by.

The configured mode (``input_policy`` in ``configs/pipeline.yaml``) decides what
happens: ``refuse`` answers nothing and names each field and reason; ``flag``
answers and lists the fields outside the domain. A record that cannot be model
input at all is refused in both modes. The API and the demo app both call
:class:`InputPolicy`, so one record gets one verdict whichever door it comes in by.
"""

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

import pandas as pd
from pydantic import BaseModel, ConfigDict

from ..config import InputPolicyConfig
from .contract import Contract, check_record, load_contract

Reason = Literal[
    "missing_column",
    "wrong_type",
    "not_finite",
    "contract",
    "all_null",
    "missing_value",
    "out_of_range",
    "unknown_category",
    "no_finite_answer",
]
#: Every reason, in the order problems are reported.
REASONS: tuple[Reason, ...] = get_args(Reason)
#: Problems no mode can answer: the record cannot be model input, or the model's answer
#: to it is not a finite number (inputs so far outside the domain that it overflows).
UNANSWERABLE: frozenset[Reason] = frozenset(
    {"missing_column", "wrong_type", "not_finite", "no_finite_answer"}
)
#: Cell texts that mean "missing" (the pipeline reads 'NA' and empty cells as missing).
MISSING_TEXTS = frozenset({"", "NA"})
#: Known categories named in a message before "and N more".
NAMED_CATEGORIES = 10
#: Rows listed per problem in a summary before "and N more".
NAMED_ROWS = 5
#: The key under which a logged record says it was refused or flagged, and why (the
#: API's request log, read by the drift report).
LOG_KEY = "_domain"
#: What a number of a column positive in every training row must be.
POSITIVE = "greater than 0 (it is in every training row)"
#: Each reason's sentence about one value: ``{value}`` as given, ``{expected}`` as known.
MESSAGES: dict[str, str] = {
    "missing_column": "the field is missing",
    "wrong_type": "{value} is not {expected}",
    "not_finite": "{value} is not a finite number",
    "contract": "breaks the data contract: {expected}",
    "all_null": "every field is empty; there is nothing to predict from",
    "missing_value": "is empty, and it was never empty in training",
    "out_of_range": "{value} is outside {expected}",
    "positive": "{value} is not greater than 0, and every training value is",
    "unknown_category": "{value} was never seen in training (known: {expected})",
    "no_finite_answer": (
        "the model's answer is not a finite number: the record is too far outside the "
        "training domain to compute one"
    ),
}
#: Each reason's line about a column over several rows (``{listed}``), for people.
SUMMARIES: dict[str, str] = {
    "not_number": "{column} must hold {kind}: {listed}",
    "missing_column": "{column} is missing",
    "contract": "{column} breaks the data contract: {expected} in {listed}",
    "all_null": "every column is empty in {listed}; there is nothing to predict from",
    "missing_value": "{column} is empty in {listed}; it was never empty in training",
    "out_of_range": "{column} is outside {expected}: {listed}",
    "positive": "{column} must be {expected}: {listed}",
    "unknown_category": "{column} has values the model never saw: {listed} (known: {expected})",
    "no_finite_answer": (
        "the model's answer is not a finite number in {listed}: too far outside the "
        "training domain to compute one"
    ),
}


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class NumericDomain(_Record):
    """One numeric column in training: its range (None when it was always missing)."""

    low: float | None
    high: float | None
    positive: bool
    nullable: bool


class InputDomain(_Record):
    """What the model was trained on: recorded in ``model.json`` as ``domain``.

    ``numeric``: per numeric feature, its training range, whether every value was
    greater than 0 (sizes, masses, counts) and whether it was ever missing.
    ``categorical``: per categorical feature, the values seen in training (None: not
    recorded, for a model saved before domains were; any value is then taken).
    ``target``: a regression target's own range, to check feedback labels.
    """

    numeric: dict[str, NumericDomain]
    categorical: dict[str, list[str] | None]
    target: NumericDomain | None = None

    @property
    def features(self) -> list[str]:
        """Every feature, numeric first."""
        return [*self.numeric, *self.categorical]


def unrecorded_domain(numeric: Sequence[str], categorical: Sequence[str]) -> InputDomain:
    """The domain of a model saved before domains were recorded: only types are checked."""
    return InputDomain(
        numeric={
            column: NumericDomain(low=None, high=None, positive=False, nullable=True)
            for column in numeric
        },
        categorical=dict.fromkeys(categorical),
    )


def is_missing(value: Any) -> bool:
    """Whether a cell is empty: None, NaN, or the text '', 'NA' (surrounding spaces ignored)."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, str) and value.strip() in MISSING_TEXTS


def category_text(value: Any) -> str:
    """A category as text: ``3``, ``3.0`` and ``'3'`` are the same category ``'3'``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _numeric_domain(values: pd.Series) -> NumericDomain:
    numbers = pd.to_numeric(values, errors="coerce")
    present = numbers[numbers.notna() & numbers.abs().lt(math.inf)]
    if present.empty:
        return NumericDomain(low=None, high=None, positive=False, nullable=True)
    return NumericDomain(
        low=float(present.min()),
        high=float(present.max()),
        positive=bool((present > 0).all()),
        nullable=bool(numbers.isna().any()),
    )


def training_domain(
    frame: pd.DataFrame,
    numeric: Sequence[str],
    categorical: Sequence[str],
    target: str | None = None,
) -> InputDomain:
    """Return the domain of the training rows ``frame``; ``target``: a numeric target's too."""
    categories: dict[str, list[str] | None] = {}
    for column in categorical:
        seen = {category_text(value) for value in frame[column] if not is_missing(value)}
        categories[column] = sorted(seen)
    return InputDomain(
        numeric={column: _numeric_domain(frame[column]) for column in numeric},
        categorical=categories,
        target=None if target is None else _numeric_domain(frame[target]),
    )


@dataclass(frozen=True)
class Problem:
    """One reason a record is outside the domain: the field (None: the whole record), why.

    ``value`` is the given value as shown to people; ``expected`` what the model knows
    (the range, the known categories, the type).
    """

    field: str | None
    reason: Reason
    value: str = ""
    expected: str = ""

    @property
    def message(self) -> str:
        """One sentence saying what is wrong and what the model would have taken."""
        return MESSAGES[_kind(self.reason, self.expected)].format(
            value=self.value, expected=self.expected
        )


def _kind(reason: str, expected: str) -> str:
    """The wording of a reason: a value at or below 0 in an always positive column has its own."""
    return "positive" if reason == "out_of_range" and expected == POSITIVE else reason


#: A check of one read record (numbers as floats, categories as text, missing as None):
#: it returns the record's problems, each naming its field and reason.
RecordCheck = Callable[[Mapping[str, Any]], list[Problem]]


def _shown(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else repr(value)


def read_record(
    record: Mapping[str, Any], domain: InputDomain
) -> tuple[dict[str, Any], list[Problem]]:
    """Return ``record`` as model input (numbers float, categories text, missing None).

    The problems found while reading are a missing field, a wrong type (a word or a
    boolean where a number belongs, a list or a mapping anywhere) and a number that
    is not finite: no mode can answer those.
    """
    read: dict[str, Any] = {}
    problems: list[Problem] = []
    for column in domain.numeric:
        if column not in record:
            problems.append(Problem(column, "missing_column"))
        else:
            read[column] = _read_number(column, record[column], problems)
    for column in domain.categorical:
        if column not in record:
            problems.append(Problem(column, "missing_column"))
            continue
        value = record[column]
        if is_missing(value):
            read[column] = None
        elif isinstance(value, bool) or not isinstance(value, int | float | str):
            problems.append(Problem(column, "wrong_type", _shown(value), "a category (text)"))
        else:
            read[column] = category_text(value)
    return read, problems


def _read_number(column: str, value: Any, problems: list[Problem]) -> float | None:
    """Return ``value`` as a finite float (None when missing); append why not to ``problems``."""
    if is_missing(value):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        problems.append(Problem(column, "wrong_type", _shown(value), "a number"))
        return None
    try:
        number = float(value)
    except (ValueError, OverflowError):
        problems.append(Problem(column, "wrong_type", _shown(value), "a number"))
        return None
    if not math.isfinite(number):
        problems.append(Problem(column, "not_finite", _shown(value), "a number"))
        return None
    return number


def all_null_check(domain: InputDomain) -> RecordCheck:
    """A record whose every feature is empty is outside the domain (one problem)."""
    features = domain.features

    def check(record: Mapping[str, Any]) -> list[Problem]:
        if all(record.get(column) is None for column in features):
            return [Problem(None, "all_null")]
        return []

    return check


def _bounds(column: NumericDomain, margin: float) -> tuple[float, float] | None:
    """The range a number may take: the training range widened by ``margin`` of its width."""
    if column.low is None or column.high is None:
        return None
    width = column.high - column.low or abs(column.high)
    return column.low - margin * width, column.high + margin * width


def numeric_check(domain: InputDomain, margin: float) -> RecordCheck:
    """Numbers within the training range plus ``margin``; never-missing columns present.

    A column greater than 0 in every training row (a size, a mass, a count) also
    refuses 0 and below, whatever the margin.
    """
    bounds = {column: _bounds(known, margin) for column, known in domain.numeric.items()}
    ranges = {}
    for column, known in domain.numeric.items():
        limits = bounds[column]
        if limits is not None:
            ranges[column] = (
                f"the training range {known.low:g} to {known.high:g} "
                f"({limits[0]:g} to {limits[1]:g} with the {margin:.0%} margin)"
            )

    def check(record: Mapping[str, Any]) -> list[Problem]:
        problems = []
        for column, known in domain.numeric.items():
            value = record.get(column)
            if value is None:
                if not known.nullable:
                    problems.append(Problem(column, "missing_value"))
                continue
            if known.positive and value <= 0:
                problems.append(Problem(column, "out_of_range", _shown(value), POSITIVE))
                continue
            limits = bounds[column]
            if limits is not None and not limits[0] <= value <= limits[1]:
                problems.append(Problem(column, "out_of_range", _shown(value), ranges[column]))
        return problems

    return check


def declared_contract(path: Path) -> Contract | None:
    """The data contract at ``path`` (data.schema_path), or None when there is none yet.

    A contract that is there but broken is a ConfigError naming the file and the key.
    """
    return load_contract(path) if path.is_file() else None


def contract_check(contract: Contract, features: Sequence[str]) -> RecordCheck:
    """The declared contract's own record check, on the features it declares.

    Each problem keeps the contract's reason (``1e+308 above max 7000``, ``Mars not
    allowed``, ``missing``) under the reason ``contract``.
    """
    declared = [column for column in features if column in contract.columns]

    def check(record: Mapping[str, Any]) -> list[Problem]:
        values = {column: record.get(column) for column in declared}
        return [
            Problem(problem.field, "contract", "", problem.reason)
            for problem in check_record(values, contract, declared)
        ]

    return check


def category_check(domain: InputDomain) -> RecordCheck:
    """Categories the model saw in training (a missing category is filled in by the model)."""
    recorded = {
        column: values for column, values in domain.categorical.items() if values is not None
    }
    known = {column: frozenset(values) for column, values in recorded.items()}
    named = {}
    for column, values in recorded.items():
        more = len(values) - NAMED_CATEGORIES
        named[column] = ", ".join(values[:NAMED_CATEGORIES]) + (
            f" and {more} more" if more > 0 else ""
        )

    def check(record: Mapping[str, Any]) -> list[Problem]:
        return [
            Problem(column, "unknown_category", repr(record[column]), named[column])
            for column, values in known.items()
            if record.get(column) is not None and record[column] not in values
        ]

    return check


@dataclass(frozen=True)
class Verdict:
    """The records as model input, each record's problems, and what the mode makes of them."""

    records: list[dict[str, Any]]
    problems: list[list[Problem]]
    mode: Literal["refuse", "flag"]

    def refuses(self, row: int) -> bool:
        """Whether record ``row`` gets no answer (refused in this mode)."""
        problems = self.problems[row]
        if self.mode == "refuse":
            return bool(problems)
        return any(problem.reason in UNANSWERABLE for problem in problems)

    @property
    def refused_rows(self) -> list[int]:
        """The records that get no answer; one of them refuses the whole request."""
        return [row for row in range(len(self.records)) if self.refuses(row)]

    @property
    def flagged_rows(self) -> list[int]:
        """The records answered although they are outside the domain (mode ``flag``)."""
        return [
            row for row, problems in enumerate(self.problems) if problems and not self.refuses(row)
        ]


class InputPolicy:
    """The one input policy of the API and the demo app: a list of checks and a mode.

    ``checks`` run in order on each read record: the declared ``contract``'s record
    check first (when there is one), then ``extra_checks``, then the training domain's.
    """

    def __init__(
        self,
        domain: InputDomain,
        config: InputPolicyConfig,
        contract: Contract | None = None,
        extra_checks: Iterable[RecordCheck] = (),
    ) -> None:
        """Check records against ``contract`` and ``domain`` in ``config``'s mode and margin."""
        self.domain = domain
        self.config = config
        declared = () if contract is None else (contract_check(contract, domain.features),)
        self.checks: tuple[RecordCheck, ...] = (
            *declared,
            *extra_checks,
            all_null_check(domain),
            numeric_check(domain, config.range_margin),
            category_check(domain),
        )

    @property
    def mode(self) -> Literal["refuse", "flag"]:
        """``refuse`` or ``flag``."""
        return self.config.mode

    def check_record(self, record: Mapping[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
        """Read one record and run every check on it; return it as model input and its problems."""
        read, problems = read_record(record, self.domain)
        if problems:
            return read, problems
        for check in self.checks:
            found = check(read)
            problems.extend(found)
            if any(problem.reason == "all_null" for problem in found):
                break  # an empty record's other problems would only repeat that one
        return read, problems

    def check(self, records: Sequence[Mapping[str, Any]]) -> Verdict:
        """Check every record; nothing is raised, the verdict says what to answer."""
        read, problems = [], []
        for record in records:
            one, found = self.check_record(record)
            read.append(one)
            problems.append(found)
        return Verdict(read, problems, self.mode)


def without_finite_answer(verdict: Verdict, answers: Sequence[float]) -> Verdict:
    """``verdict`` with a ``no_finite_answer`` problem for each answer that is not finite.

    In the mode ``flag`` a number far outside the training range is answered; a
    linear model's answer to 1e308 overflows, and no such answer can be given.
    """
    problems = [
        [*found, Problem(None, "no_finite_answer")] if not math.isfinite(answer) else found
        for found, answer in zip(verdict.problems, answers, strict=True)
    ]
    return Verdict(verdict.records, problems, verdict.mode)


def summarise(verdict: Verdict, rows: Iterable[int]) -> list[str]:
    """One line per field and reason over ``rows``, listing the rows (1-based) and values.

    This is the wording people read (the demo app, feedback): ``column 'x' has values
    the model never saw: row 1: 'Mars' (known: Biscoe, Dream, Torgersen)``.
    """
    grouped: dict[tuple[str | None, str, str], list[str]] = {}
    for row in rows:
        for problem in verdict.problems[row]:
            kind = "not_number" if problem.reason in {"wrong_type", "not_finite"} else None
            key = (problem.field, kind or problem.reason, problem.expected)
            at = f"row {row + 1}"
            grouped.setdefault(key, []).append(f"{at}: {problem.value}" if problem.value else at)
    order = {reason: index for index, reason in enumerate(("not_number", *REASONS))}
    lines = []
    for (field, reason, expected), where in sorted(
        grouped.items(), key=lambda item: (order[item[0][1]], str(item[0][0]))
    ):
        more = len(where) - NAMED_ROWS
        listed = "; ".join(where[:NAMED_ROWS]) + (f" and {more} more" if more > 0 else "")
        lines.append(_summary_line(field, reason, expected, listed))
    return lines


def _summary_line(field: str | None, reason: str, expected: str, listed: str) -> str:
    kind = "numbers" if expected == "a number" else "categories (text)"
    return SUMMARIES[_kind(reason, expected)].format(
        column=f"column '{field}'", kind=kind, listed=listed, expected=expected
    )


def check_frame(frame: pd.DataFrame, policy: InputPolicy) -> tuple[Verdict, list[str]]:
    """Check a table of records (an upload, a form); return the verdict and table problems.

    The table problems (missing columns, no rows) refuse the table whatever the mode.
    """
    features = policy.domain.features
    table: list[str] = []
    absent = [column for column in features if column not in frame.columns]
    if absent:
        found = ", ".join(str(column) for column in frame.columns) or "none"
        table.append(f"missing columns: {', '.join(absent)} (columns found: {found})")
    if frame.empty:
        table.append("there are no rows to predict")
    present = [column for column in features if column in frame.columns]
    records = [
        {str(column): value for column, value in row.items()}
        for row in frame[present].to_dict(orient="records")
    ]
    verdict = policy.check(records)
    if absent:
        # Each missing column is named once above, not once per row.
        missing = set(absent)
        kept = [[p for p in found if p.field not in missing] for found in verdict.problems]
        verdict = Verdict(verdict.records, kept, verdict.mode)
    return verdict, table
