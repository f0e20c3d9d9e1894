"""Both generators accept and reject the same answers, name the question, leave nothing behind."""

from __future__ import annotations

import keyword
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    REPO,
    GenerationError,
    focus_preset,
    generate_cookiecutter,
    generate_copier,
    load_copier_config,
)

sys.path.insert(0, str(REPO / "template" / "hooks"))
import pre_gen_project as rules

BAD: list[tuple[str, dict[str, Any]]] = [
    ("project_name", {"project_name": "   "}),
    ("project_slug", {"project_slug": "Bad Slug"}),
    ("project_slug", {"project_slug": "1capstone"}),
    ("project_slug", {"project_slug": "my--capstone"}),
    ("project_slug", {"project_slug": "trailing-"}),
    ("project_slug", {"project_slug": "café"}),
    ("project_slug", {"project_slug": ""}),
    ("project_slug", {"project_slug": "a/b"}),
    ("package_name", {"package_name": "class"}),
    ("package_name", {"package_name": "match"}),
    ("package_name", {"package_name": "2fast"}),
    ("package_name", {"package_name": "json"}),
    ("package_name", {"package_name": "pandas"}),
    ("package_name", {"package_name": "my-package"}),
    ("package_name", {"package_name": "Capstone"}),
    ("author_name", {"author_name": ""}),
    ("author_email", {"author_email": "nope"}),
    ("author_email", {"author_email": "someone@localhost"}),
    ("author_email", {"author_email": "two words@example.com"}),
    ("author_email", {"author_email": "x@example..com"}),
    ("github_owner", {"github_owner": "-leading"}),
    ("github_owner", {"github_owner": "under_score"}),
    ("github_owner", {"github_owner": "double--hyphen"}),
    ("github_owner", {"github_owner": "x" * 40}),
    ("focus", {"focus": "vision"}),
    ("license", {"license": "GPL"}),
    ("python_version", {"python_version": "3.9"}),
    ("problem_type", {"problem_type": "clustering"}),
    ("extra_components", {"extra_components": ["notebooks", "spaceship"]}),
    ("dropped_components", {"dropped_components": ["spaceship"]}),
    ("components", {"focus": "product", "dropped_components": ["app"]}),
    ("components", {"focus": "modeling", "dropped_components": ["tuning"]}),
    ("components", {"focus": "data", "extra_components": ["feedback"]}),
]

GOOD: list[dict[str, Any]] = [
    {"project_slug": "a", "package_name": "a"},
    {"project_slug": "cap2-x9", "package_name": "cap2_x9"},
    {"package_name": "capstone_2"},
    {"author_email": "first.last+tag@uni.edu.au"},
    {"github_owner": "a-b-c9"},
    {"github_owner": "x" * 39},
    {"project_name": "机器学习 capstone", "project_slug": "ml-capstone"},
    {"dropped_components": focus_preset("data")},
    {"focus": "architecture", "extra_components": ["app", "feedback", "api"]},
]


def case_id(case: tuple[str, dict[str, Any]]) -> str:
    question, answers = case
    return f"{question}={next(iter(answers.values()))!s:.20}"


@pytest.mark.parametrize("case", BAD, ids=[case_id(case) for case in BAD])
def test_both_tools_reject_bad_answers(case: tuple[str, dict[str, Any]], tmp_path: Path) -> None:
    question, answers = case
    # when copier is given the bad answer
    with pytest.raises(ValueError, match=question) as copier_error:
        generate_copier(tmp_path / "by-copier", answers)
    # then it names the question and writes nothing
    assert question in str(copier_error.value)
    assert not (tmp_path / "by-copier").exists()
    # when cookiecutter is given the same answer
    out = tmp_path / "by-cookiecutter"
    with pytest.raises(GenerationError) as cookie_error:
        generate_cookiecutter(out, answers)
    # then it names the question too and removes the half-made project
    assert question in str(cookie_error.value)
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("answers", GOOD, ids=[str(next(iter(a.values())))[:20] for a in GOOD])
def test_both_tools_accept_unusual_but_valid_answers(
    answers: dict[str, Any], tmp_path: Path
) -> None:
    # when both tools are given an edge-of-valid answer, both generate
    assert (generate_copier(tmp_path / "by-copier", answers) / "pyproject.toml").is_file()
    assert (
        generate_cookiecutter(tmp_path / "by-cookiecutter", answers) / "pyproject.toml"
    ).is_file()


@pytest.mark.parametrize("case", BAD, ids=[case_id(case) for case in BAD])
def test_shared_rules_reject_what_the_tools_reject(case: tuple[str, dict[str, Any]]) -> None:
    question, answers = case
    flat = {
        key: ",".join(value) if isinstance(value, list) else value for key, value in answers.items()
    }
    # the hook sees the resulting components too, as cookiecutter renders them
    presets = load_copier_config()["focus_presets"]["default"]
    preset = presets.get(answers.get("focus", "data"), [])
    extra, dropped = answers.get("extra_components", []), answers.get("dropped_components", [])
    flat["components"] = ",".join(
        dict.fromkeys(name for name in [*preset, *extra] if name not in dropped)
    )
    assert any(message.startswith(f"{question}:") for message in rules.problems(flat))


def test_reserved_names_cover_this_python() -> None:
    # given the reserved names (generated from template-spec.yml into both tools' rules)
    # then they cover the running interpreter's keywords and public standard library
    lower_case = {word for word in [*keyword.kwlist, *keyword.softkwlist] if word.islower()}
    assert lower_case - {"_"} <= rules.KEYWORDS
    public = {
        name for name in sys.stdlib_module_names if name.islower() and not name.startswith("_")
    }
    assert public <= rules.STDLIB
