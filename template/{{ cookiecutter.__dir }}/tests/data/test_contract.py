"""The data contract: one value, one record and one frame checked by the same rules."""

import math

import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.data.contract import (
    ColumnRule,
    Contract,
    Problem,
    check_frame,
    check_record,
    check_value,
    contract_yaml,
    header_problems,
    infer_contract,
)


@pytest.fixture
def contract() -> Contract:
    """Survey-like rules: integer codes, a slash in a name, a range, a required target."""
    return Contract.model_validate(
        {
            "columns": {
                "income/month": {"type": "float", "nullable": True, "min": 0, "max": 1e5},
                "region": {"type": "integer", "nullable": False, "allowed": [1, 2, 3]},
                "colour": {"type": "string", "nullable": True, "allowed": ["red", "blue"]},
                "score": {"type": "float", "nullable": False},
            }
        }
    )


def test_a_value_breaking_its_rule_names_the_field_and_the_reason(contract: Contract) -> None:
    # given the rule of a numeric column with a range, when typos and outliers are checked
    rule = contract.columns["income/month"]
    # then each is a problem naming the column and what is wrong
    assert check_value("income/month", rule, "0.03O") == Problem(
        "income/month", "not a number (0.03O)"
    )
    assert str(check_value("income/month", rule, -5)) == "income/month: -5 below min 0"
    assert check_value("income/month", rule, 1e308) == Problem(
        "income/month", "1e+308 above max 100000"
    )
    assert check_value("income/month", rule, "inf") == Problem("income/month", "not finite (inf)")
    # and a missing value of a nullable column, or a good number, is fine
    assert check_value("income/month", rule, "NA") is None
    assert check_value("income/month", rule, float("nan")) is None
    assert check_value("income/month", rule, "1200.5") is None


def test_integer_codes_are_checked_as_codes(contract: Contract) -> None:
    # given an integer-coded category with codes 1 to 3
    rule = contract.columns["region"]
    # when codes are checked as text (a CSV) or numbers (an API)
    # then known codes pass, whichever their form, and unseen or fractional ones do not
    assert check_value("region", rule, "2") is None
    assert check_value("region", rule, 3) is None
    assert check_value("region", rule, 2.0) is None
    assert check_value("region", rule, "7") == Problem("region", "7 not allowed")
    assert check_value("region", rule, "2.5") == Problem("region", "not an integer (2.5)")
    assert check_value("region", rule, True) == Problem("region", "not a number (True)")
    assert check_value("region", rule, "") == Problem("region", "missing")


def test_a_record_lists_every_problem_with_its_field(contract: Contract) -> None:
    # given a record (as an API receives it) with an unseen category and a missing target
    record = {"income/month": 2500.0, "region": 1, "colour": "green", "score": None}
    # when it is checked, then every problem names its field
    assert check_record(record, contract) == [
        Problem("colour", "green not allowed"),
        Problem("score", "missing"),
    ]
    # and a record holding only the features is checked on those columns
    features = ["income/month", "region", "colour"]
    assert check_record({"income/month": 1, "region": 1, "colour": None}, contract, features) == []


def test_a_record_with_missing_or_unknown_columns_is_refused_by_name(contract: Contract) -> None:
    # given records with a column left out, and one the contract does not declare
    features = ["income/month", "region", "colour"]
    # when they are checked, then the columns are named
    assert check_record({"income/month": 1, "region": 1}, contract, features) == [
        Problem("colour", "missing column")
    ]
    extra = {"income/month": 1, "region": 1, "colour": None, "shoe": 4}
    assert check_record(extra, contract, features) == [Problem("shoe", "column not declared")]
    # and every field null is a problem wherever a value is required
    nulls = dict.fromkeys(contract.columns)
    assert [str(problem) for problem in check_record(nulls, contract)] == [
        "region: missing",
        "score: missing",
    ]


def test_a_frame_is_split_into_kept_and_quarantined_rows_never_refused(
    contract: Contract,
) -> None:
    # given raw rows: good ones, a typo, a missing target, a duplicate and an unseen code
    frame = pd.DataFrame(
        {
            "income/month": ["1200", "0.03O", "900", "1200", "50"],
            "region": ["1", "2", "3", "1", "9"],
            "colour": ["red", "NA", "blue", "red", "blue"],
            "score": ["0.5", "0.7", "", "0.5", "0.1"],
        }
    )
    # when it is checked against the contract, with each row's line in the file
    checked = check_frame(frame, contract, lines=[2, 3, 5, 6, 7])
    # then every row is accounted for: kept + quarantined = rows in
    assert checked.rows_in == len(frame)
    assert len(checked.kept) == 1
    assert checked.duplicates == 1
    # and each quarantined row has its line and every reason
    assert checked.quarantined[["line", "reason"]].to_dict("records") == [
        {"line": 3, "reason": "income/month: not a number (0.03O)"},
        {"line": 5, "reason": "score: missing"},
        {"line": 6, "reason": "duplicate of record 1"},
        {"line": 7, "reason": "region: 9 not allowed"},
    ]
    # and the raw values are kept beside them, untouched
    assert checked.quarantined["income/month"].tolist() == ["0.03O", "900", "1200", "50"]
    # and the kept rows have their declared types
    kept = checked.kept
    assert kept["income/month"].dtype == "float64"
    assert kept["region"].dtype == "int64"
    assert kept["colour"].tolist() == ["red"]


def test_duplicates_are_kept_but_counted_when_the_contract_allows_them(
    contract: Contract,
) -> None:
    # given a contract without unique_rows and a repeated row
    allowing = contract.model_copy(update={"unique_rows": False})
    frame = pd.DataFrame(
        {
            "income/month": ["1", "1"],
            "region": ["1", "1"],
            "colour": ["red", "red"],
            "score": ["1", "1"],
        }
    )
    # when it is checked, then both rows are kept and the repeat is still counted
    checked = check_frame(frame, allowing)
    assert (len(checked.kept), len(checked.quarantined), checked.duplicates) == (2, 0, 1)


def test_a_header_is_compared_with_the_declared_columns(contract: Contract) -> None:
    # given a header lacking a column, with an undeclared and a repeated one
    header = ["income/month", "region", "region", "shoe", "score"]
    # when it is compared, then each difference is named
    assert [str(problem) for problem in header_problems(header, contract)] == [
        "colour: missing column",
        "shoe: column not declared",
        "region: column repeated",
    ]


def test_the_inferred_contract_holds_the_types_ranges_and_categories_seen() -> None:
    # given messy raw data: integer codes, a typo among numbers, missing values, no category
    frame = pd.DataFrame(
        {
            "code": [str(1 + index % 6) for index in range(40)],
            "amount": [f"{index / 10:.1f}" for index in range(39)] + ["0.03O"],
            "label": ["a", "b", "NA", "a"] * 10,
            "id": [str(1000 + index) for index in range(40)],
            "target": ["x", "y"] * 19 + ["", "x"],
        }
    )
    # when a contract is inferred, with the target required
    inferred = infer_contract(frame, required=["target"])
    rules = inferred.columns
    # then the codes are an integer column with their codes, the typo does not make text
    assert rules["code"] == ColumnRule(
        type="integer", nullable=False, min=1, max=6, allowed=("1", "2", "3", "4", "5", "6")
    )
    assert rules["amount"] == ColumnRule(type="float", nullable=False, min=0, max=3.8)
    assert rules["label"] == ColumnRule(type="string", nullable=True, allowed=("a", "b"))
    assert rules["id"].type == "integer"
    assert rules["id"].allowed is None
    assert rules["target"].nullable is False
    # and the written form reads back as the same contract
    assert Contract.model_validate(contract_yaml(inferred)) == inferred
    # and checking the same data quarantines only the typo and the missing target
    checked = check_frame(frame, inferred)
    assert checked.quarantined["reason"].tolist() == [
        "target: missing",
        "amount: not a number (0.03O)",
    ]


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"type": "string", "min": 1}, "min/max apply to float and integer columns only"),
        ({"type": "float", "allowed": [1]}, "allowed applies to string and integer columns"),
        ({"type": "integer", "allowed": ["a"]}, "non-integers"),
        ({"type": "float", "min": 3, "max": 1}, "min 3 is above max 1"),
    ],
)
def test_a_contradictory_rule_is_refused(rule: dict[str, object], message: str) -> None:
    # given a rule that cannot hold, when it is read, then the error says why
    with pytest.raises(ValueError, match=message):
        ColumnRule.model_validate(rule)


def test_nan_is_missing_and_not_a_number_only_for_text() -> None:
    # given a float rule, when NaN arrives from an API, then it counts as missing
    rule = ColumnRule(type="float", nullable=False)
    assert check_value("x", rule, math.nan) == Problem("x", "missing")
    assert check_value("x", rule, "nan") == Problem("x", "not finite (nan)")
