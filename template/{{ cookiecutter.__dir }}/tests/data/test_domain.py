"""The input policy both front doors share: the training domain, each reason, both modes."""

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.config import InputPolicyConfig
from {{ cookiecutter.package_name }}.data.contract import Contract
from {{ cookiecutter.package_name }}.data.domain import (
    InputPolicy,
    Problem,
    check_frame,
    summarise,
    training_domain,
    unrecorded_domain,
)

# Training rows: sizes always above 0, one never missing (length), one sometimes (depth).
TRAIN = pd.DataFrame(
    {
        "length": [30.0, 40.0, 50.0, 35.0],
        "depth": [15.0, None, 20.0, 18.0],
        "island": ["Biscoe", "Dream", "Biscoe", None],
        "code": [1.0, 2.0, None, 1.0],  # an integer-coded category, float after a gap
    }
)
DOMAIN = training_domain(TRAIN, ["length", "depth"], ["island", "code"])
GOOD = {"length": 42.0, "depth": 17.0, "island": "Dream", "code": "2"}


def policy(mode: str = "refuse", margin: float = 0.1) -> InputPolicy:
    return InputPolicy(
        DOMAIN, InputPolicyConfig.model_validate({"mode": mode, "range_margin": margin})
    )


def reasons(record: Mapping[str, Any], mode: str = "refuse") -> list[tuple[str | None, str]]:
    """The (field, reason) of each problem the policy finds in ``record``."""
    [found] = policy(mode).check([record]).problems
    return [(problem.field, problem.reason) for problem in found]


def test_the_domain_holds_ranges_signs_gaps_and_categories_of_the_training_rows() -> None:
    # given the training rows, when their domain is recorded (see DOMAIN)
    length, depth = DOMAIN.numeric["length"], DOMAIN.numeric["depth"]
    # then the ranges, signs and gaps are those of the rows, categories as text
    assert (length.low, length.high, length.positive, length.nullable) == (30, 50, True, False)
    assert depth.nullable
    assert DOMAIN.categorical == {"island": ["Biscoe", "Dream"], "code": ["1", "2"]}
    # and it survives the JSON trip into model.json
    assert type(DOMAIN).model_validate_json(DOMAIN.model_dump_json()) == DOMAIN


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"length": -5.0}, [("length", "out_of_range")]),
        ({"length": 0}, [("length", "out_of_range")]),
        ({"length": 1e308}, [("length", "out_of_range")]),
        ({"length": -1e308}, [("length", "out_of_range")]),
        ({"depth": 60.0}, [("depth", "out_of_range")]),
        ({"island": "Atlantis"}, [("island", "unknown_category")]),
        ({"code": 3}, [("code", "unknown_category")]),
        (dict.fromkeys(GOOD), [(None, "all_null")]),
        ({"length": None}, [("length", "missing_value")]),
        ({"length": math.nan}, [("length", "missing_value")]),
        ({"length": math.inf}, [("length", "not_finite")]),
        ({"length": "inf"}, [("length", "not_finite")]),
        ({"length": "long"}, [("length", "wrong_type")]),
        ({"length": True}, [("length", "wrong_type")]),
        ({"island": ["Dream"]}, [("island", "wrong_type")]),
    ],
)
def test_each_kind_of_record_outside_the_domain_is_named_with_its_field(
    change: dict[str, Any], expected: list[tuple[str | None, str]]
) -> None:
    # given a record inside the domain, changed in one way
    record = {**GOOD, **change}
    # when the policy checks it, then it names the field and the reason
    assert reasons(record) == expected


def test_inside_the_domain_nothing_is_found_and_values_become_model_input() -> None:
    # given records inside the domain: within the margin, a category given as a number,
    # a missing value where training had gaps, a missing category, numbers as text
    records = [
        GOOD,
        {**GOOD, "length": 51.5, "code": 1, "depth": None, "island": None},
        {**GOOD, "length": " 31 ", "island": " Biscoe "},
    ]
    # when they are checked
    verdict = policy().check(records)
    # then nothing is refused, and numbers are floats, categories text, gaps None
    assert verdict.problems == [[], [], []]
    assert verdict.refused_rows == []
    assert verdict.records[1] == {"length": 51.5, "depth": None, "island": None, "code": "1"}
    assert verdict.records[2]["length"] == 31.0
    assert verdict.records[2]["island"] == "Biscoe"


def test_the_margin_widens_the_training_range_on_both_sides() -> None:
    # given a training range of 30 to 50 and a margin of 10 % (2 each side)
    # when values just inside and just outside are checked
    inside = policy(margin=0.1).check([{**GOOD, "length": 28.0}, {**GOOD, "length": 52.0}])
    outside = policy(margin=0.1).check([{**GOOD, "length": 27.9}, {**GOOD, "length": 52.1}])
    # then only the ones past the margin are out of range
    assert inside.refused_rows == []
    assert outside.refused_rows == [0, 1]
    assert outside.problems[1][0].message == (
        "52.1 is outside the training range 30 to 50 (28 to 52 with the 10% margin)"
    )


def test_refuse_refuses_every_problem_and_flag_only_what_cannot_be_model_input() -> None:
    records = [GOOD, {**GOOD, "island": "Atlantis"}, {**GOOD, "length": "long"}]
    # when the same records are checked in both modes
    refused = policy("refuse").check(records)
    flagged = policy("flag").check(records)
    # then refuse refuses the unknown island and the word; flag answers the island, flagged
    assert (refused.refused_rows, refused.flagged_rows) == ([1, 2], [])
    assert (flagged.refused_rows, flagged.flagged_rows) == ([2], [1])


def test_the_summary_is_one_line_per_field_and_reason_listing_rows_and_values() -> None:
    # given an upload-like table with two words for numbers and an unknown island
    frame = pd.DataFrame(
        [
            {**GOOD, "length": "deep"},
            {**GOOD, "length": "inf", "island": "Atlantis"},
            dict.fromkeys(GOOD),
        ]
    )
    # when it is checked and summarised
    verdict, table = check_frame(frame, policy("flag"))
    lines = summarise(verdict, range(3))
    # then the words share one line, and each other problem has its own
    assert table == []
    assert lines == [
        "column 'length' must hold numbers: row 1: 'deep'; row 2: 'inf'",
        "every column is empty in row 3; there is nothing to predict from",
    ]
    # (the unknown island of row 2 is not reached: the row cannot be model input anyway)


def test_a_table_without_a_column_names_it_once() -> None:
    frame = pd.DataFrame([{k: v for k, v in GOOD.items() if k != "island"}] * 3)
    verdict, table = check_frame(frame, policy())
    assert table == ["missing columns: island (columns found: length, depth, code)"]
    assert verdict.problems == [[], [], []]


def test_the_declared_contract_is_checked_first_in_both_modes() -> None:
    # given a data contract declaring depths up to 19 and two islands only
    contract = Contract.model_validate(
        {
            "columns": {
                "length": {"type": "float", "min": 0, "max": 100},
                "depth": {"type": "float", "max": 19},
                "island": {"type": "string", "allowed": ["Biscoe", "Dream"]},
                "code": {"type": "integer", "allowed": [1, 2]},
            }
        }
    )
    records = [{**GOOD, "depth": 19.5, "island": "Atlantis"}, {**GOOD, "depth": 18.5}]
    for mode in ("refuse", "flag"):
        checked = InputPolicy(DOMAIN, InputPolicyConfig.model_validate({"mode": mode}), contract)
        # when a record breaks it (and the training domain)
        verdict = checked.check(records)
        # then the contract's problems come first, with its reasons, then the domain's
        assert [(p.field, p.reason, p.expected) for p in verdict.problems[0]] == [
            ("depth", "contract", "19.5 above max 19"),
            ("island", "contract", "Atlantis not allowed"),
            ("island", "unknown_category", "Biscoe, Dream"),
        ]
        assert verdict.problems[0][0].message == "breaks the data contract: 19.5 above max 19"
        assert verdict.problems[1] == []
        assert verdict.refused_rows == ([0] if mode == "refuse" else [])
    lines = summarise(verdict, [0])
    assert lines[0] == "column 'depth' breaks the data contract: 19.5 above max 19 in row 1"


def test_extra_checks_run_before_the_domain_and_a_model_without_a_domain_checks_types_only() -> (
    None
):
    # given one more check of the student's own: no depth above 19.9
    def shallow(record: Mapping[str, Any]) -> list[Problem]:
        depth = record.get("depth")
        too_deep = depth is not None and depth > 19.9
        return [Problem("depth", "out_of_range", f"{depth:g}", "at most 19.9")] if too_deep else []

    checked = InputPolicy(DOMAIN, InputPolicyConfig(), extra_checks=[shallow])
    # when a record breaks it and the domain, then its problem comes first
    [found] = checked.check([{**GOOD, "depth": 20.0, "island": "Atlantis"}]).problems
    assert [(p.field, p.expected) for p in found] == [
        ("depth", "at most 19.9"),
        ("island", "Biscoe, Dream"),
    ]
    # given a model saved before domains were recorded, any number and category pass
    unrecorded = InputPolicy(
        unrecorded_domain(["length", "depth"], ["island", "code"]), InputPolicyConfig()
    )
    assert unrecorded.check([{**GOOD, "length": 1e308, "island": "Atlantis"}]).problems == [[]]
    assert unrecorded.check([{**GOOD, "length": math.inf}]).refused_rows == [0]
