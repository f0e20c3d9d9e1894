"""Awkward free text in the answers still yields files that parse."""

from __future__ import annotations

import ast
import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ANSWERS_FILE, generate_cookiecutter, generate_copier, tree

AWKWARD = {
    "project_name": 'Ana\'s "Déjà Vu": forecasting — 100% {braces} \\ back\\slash # not a comment',
    "description": (
        "Predicts: yes/no; 'quotes', \"double\", tab\there, üñí©ødé & <html> `code` *stars*"
    ),
    "author_name": 'Zoë O\'Connor-Núñez, Jr. \\ "the 2nd"',
}


class _AnyTagLoader(yaml.SafeLoader):
    """mkdocs.yml uses !!python/name tags: parse them as plain values."""


_AnyTagLoader.add_multi_constructor("", lambda loader, suffix, node: None)
_AnyTagLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def parse(path: str, data: bytes) -> Any:
    text = data.decode("utf-8")
    name = Path(path).name
    if name.endswith(".toml"):
        return tomllib.loads(text)
    if name.endswith((".yml", ".yaml")) or name == ANSWERS_FILE:
        return list(yaml.load_all(text, Loader=_AnyTagLoader))
    if name.endswith((".json", ".ipynb")):
        return json.loads(text)
    if name.endswith(".py"):
        return ast.parse(text, filename=path)
    return None


@pytest.fixture(scope="module")
def awkward_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_copier(
        tmp_path_factory.mktemp("awkward") / "project", {**AWKWARD, "project_slug": "deja-vu"}
    )


def test_every_structured_file_parses(awkward_project: Path) -> None:
    # given a project generated from awkward answers
    files = tree(awkward_project)
    files[ANSWERS_FILE] = (awkward_project / ANSWERS_FILE).read_bytes()
    # then every TOML, YAML, JSON and Python file parses
    parsed = {path: parse(path, data) for path, data in files.items()}
    assert any(path.endswith(".toml") for path in parsed)
    assert any(path.endswith(".py") for path in parsed)


def test_free_text_survives_round_trip(awkward_project: Path) -> None:
    # then the metadata carries the text exactly, not a mangled copy
    pyproject = tomllib.loads((awkward_project / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["description"] == AWKWARD["description"]
    assert pyproject["project"]["authors"][0]["name"] == AWKWARD["author_name"]
    answers = yaml.safe_load((awkward_project / ANSWERS_FILE).read_text(encoding="utf-8"))
    assert answers["project_name"] == AWKWARD["project_name"]
    mkdocs = yaml.load(
        (awkward_project / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_AnyTagLoader
    )
    assert mkdocs["site_name"] == AWKWARD["project_name"]
    # and the README shows the name as written
    assert AWKWARD["project_name"] in (awkward_project / "README.md").read_text(encoding="utf-8")


def test_cookiecutter_writes_the_same_awkward_project(
    awkward_project: Path, tmp_path: Path
) -> None:
    by_cookiecutter = generate_cookiecutter(tmp_path, {**AWKWARD, "project_slug": "deja-vu"})
    assert tree(by_cookiecutter) == tree(awkward_project)
