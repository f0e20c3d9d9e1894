"""Copier and cookiecutter ask the same questions and write byte-identical projects."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import (
    ANSWERS_FILE,
    FOCUSES,
    REPO,
    TEMPLATE,
    VARIANTS,
    bake,
    empty_dirs,
    generate_cookiecutter,
    generate_copier,
    load_copier_config,
    tree,
)

QUESTION_ORDER = [
    "project_name",
    "project_slug",
    "package_name",
    "description",
    "author_name",
    "author_email",
    "github_owner",
    "license",
    "python_version",
    "focus",
    "extra_components",
    "dropped_components",
    "problem_type",
]
# Jinja left behind: `{{`/`{%`/`{#` that is not GitHub's own `${{ ... }}`.
UNRENDERED = re.compile(rb"(?<!\$)\{\{|\{%|\{#")


def cookiecutter_json() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8"))
    return data


def asked_questions(config: dict[str, object]) -> list[str]:
    return [
        key
        for key, spec in config.items()
        if not key.startswith("_") and isinstance(spec, dict) and spec.get("when") is not False
    ]


def test_both_tools_ask_the_same_questions_in_the_same_order() -> None:
    # given the two question files
    copier_questions = asked_questions(load_copier_config())
    cookie_questions = [key for key in cookiecutter_json() if not key.startswith("_")]
    # then both ask identity, focus, options, in that order; cookiecutter cannot
    # compute a value silently, so it also shows the resulting components to confirm
    assert copier_questions == QUESTION_ORDER
    confirm = QUESTION_ORDER.index("dropped_components") + 1
    assert cookie_questions == [*QUESTION_ORDER[:confirm], "components", *QUESTION_ORDER[confirm:]]


def test_every_copier_question_has_a_type_and_help() -> None:
    config = load_copier_config()
    for name in asked_questions(config):
        spec = config[name]
        assert spec.get("type"), f"{name} has no type"
        assert len(str(spec.get("help", ""))) > 20, f"{name} has no useful help"
    prompts = set(cookiecutter_json()["__prompts__"])
    assert prompts == {*QUESTION_ORDER, "components"}


def test_free_text_defaults_agree() -> None:
    # given both question files (the choice questions are generated from template-spec.yml)
    config = load_copier_config()
    cookie = cookiecutter_json()
    # then the free-text questions default to the same text
    for name in ("project_name", "description", "author_name", "author_email", "github_owner"):
        assert cookie[name] == config[name]["default"]


@pytest.mark.parametrize("name", list(VARIANTS))
def test_copier_and_cookiecutter_write_identical_projects(
    name: str, tmp_path: Path, cookies: object
) -> None:
    # given the same answers
    answers = VARIANTS[name]
    # when both tools generate a project (cookiecutter through pytest-cookies)
    by_copier = generate_copier(tmp_path / "copier" / "project", answers)
    by_cookiecutter = bake(cookies, answers)
    # then the files are byte-identical, apart from copier's answers file
    copier_files, cookie_files = tree(by_copier), tree(by_cookiecutter)
    assert sorted(copier_files) == sorted(cookie_files)
    different = [path for path in copier_files if copier_files[path] != cookie_files[path]]
    assert different == []
    assert (by_copier / ANSWERS_FILE).is_file()
    assert not (by_cookiecutter / ANSWERS_FILE).exists()
    # and nothing is left unrendered, and no folder is left empty
    leftovers = [
        path for path, data in copier_files.items() if UNRENDERED.search(data) or "{{" in path
    ]
    assert leftovers == []
    assert empty_dirs(by_copier) == []
    assert empty_dirs(by_cookiecutter) == []


# Folders only a component family fills, by the variants generated without that family.
SIGNPOSTED = {
    "product": [
        "src/{package}/serving",
        "tests/serving",
        "src/{package}/dataops",
        "tests/dataops",
        "tests/sanity",
        "deploy",
        "deploy/base",
        "deploy/dev",
        "deploy/prod",
    ],
    "data": [
        "src/{package}/serving",
        "tests/serving",
        "src/{package}/product",
        "tests/product",
        "deploy",
        "deploy/base",
        "deploy/dev",
        "deploy/prod",
    ],
}


@pytest.mark.parametrize("name", sorted(SIGNPOSTED))
def test_a_missing_component_family_leaves_a_signpost_not_a_stub(
    generated: dict[str, Path], name: str
) -> None:
    project = generated[name]
    package = next(p.name for p in (project / "src").iterdir() if p.is_dir())
    for folder in (f.format(package=package) for f in SIGNPOSTED[name]):
        # then the folder holds one README that says how to add what it would hold
        assert sorted(p.name for p in (project / folder).iterdir() if p.is_file()) == [
            "README.md"
        ], folder
        readme = (project / folder / "README.md").read_text(encoding="utf-8")
        assert "generated without" in readme, folder
        assert "make template-update ANSWER='extra_components=" in readme, folder
    # and every subpackage that is a Python package holds code
    for init in (project / "src" / package).glob("*/__init__.py"):
        assert any(p.name != "__init__.py" for p in init.parent.glob("*.py")), init


def test_copier_answers_file_records_every_question(generated: dict[str, Path]) -> None:
    answers = yaml.safe_load(
        (generated["architecture-plus"] / ANSWERS_FILE).read_text(encoding="utf-8")
    )
    # then an update can replay every answer, and computed values are not stored
    assert set(QUESTION_ORDER) <= set(answers)
    assert "cookiecutter" not in answers
    assert answers["project_name"] == VARIANTS["architecture-plus"]["project_name"]
    asked = VARIANTS["architecture-plus"]["extra_components"]
    assert sorted(answers["extra_components"]) == sorted(asked)
    assert answers["dropped_components"] == []
    assert "components" not in answers


def test_cookiecutter_command_line_with_directory_option(
    generated: dict[str, Path], tmp_path: Path
) -> None:
    # when a user runs `cookiecutter <repo> --directory template`, as the README says
    project = generate_cookiecutter(tmp_path, VARIANTS["product"])
    # then they get the same files as copier's
    assert tree(project) == tree(generated["product"])


# One file per component, and a variant that has the component on.
COMPONENT_FILES = [
    ("notebooks", "notebooks/01-explore.ipynb", "architecture-plus"),
    ("devcontainer", ".devcontainer.json", "architecture-plus"),
    ("ingestion", "configs/ingestion.yaml", "data"),
    ("validation", "configs/validation.yaml", "data"),
    ("sanity", "mk/sanity.mk", "data"),
    ("warehouse", "configs/warehouse.yaml", "data"),
    ("streaming", "configs/streaming.yaml", "data"),
    ("dvc", "dvc.yaml", "data"),
    ("features", "configs/features.yaml", "modeling"),
    ("zoo", "configs/models.yaml", "modeling"),
    ("tuning", "configs/tuning.yaml", "modeling"),
    ("ensembles", "configs/ensembles.yaml", "modeling"),
    ("leaderboard", "configs/leaderboard.yaml", "modeling"),
    ("tracking", "configs/tracking.yaml", "modeling"),
    ("research", "src/*/models/family_mlp.py", "modeling"),
    ("api", "Dockerfile.api", "architecture"),
    ("compose", "compose.yaml", "architecture"),
    ("kubernetes", "mk/kubernetes.mk", "architecture"),
    ("retraining", "configs/retraining.yaml", "architecture"),
    ("monitoring", "configs/monitoring.yaml", "architecture"),
    ("loadtest", "locustfile.py", "architecture"),
    ("runbook", "docs/runbook.md", "architecture"),
    ("app", "Dockerfile.app", "product"),
    ("site", "docs/product.md", "product"),
    ("feedback", "mk/feedback.mk", "product"),
    ("synthetic", "mk/synthetic.mk", "product"),
    ("fairness", "configs/fairness.yaml", "product"),
]


def test_every_component_has_a_file_row() -> None:
    offered = list(load_copier_config()["extra_components"]["choices"].values())
    assert [component for component, _, _ in COMPONENT_FILES] == offered


@pytest.mark.parametrize(("component", "path", "variant"), COMPONENT_FILES)
def test_components_switch_files_by_name(
    component: str, path: str, variant: str, generated: dict[str, Path]
) -> None:
    # given a project with the component and one with no component at all
    # then the component's file is there, and only there
    assert list(generated[variant].glob(path)), f"{component}: {path} missing in {variant}"
    assert not list(generated["regression-bare"].glob(path))


def test_focus_changes_the_checklist(generated: dict[str, Path]) -> None:
    # when each focus is generated
    checklists = {
        focus: (generated[focus] / "docs" / "checklist.md").read_text(encoding="utf-8")
        for focus in FOCUSES
    }
    # then each project gets its own focus's checklist, and only one
    assert len(set(checklists.values())) == len(FOCUSES)
    for focus, text in checklists.items():
        assert focus in text.lower()


def test_license_follows_the_answer(generated: dict[str, Path]) -> None:
    assert "MIT License" in (generated["data"] / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in (generated["architecture-plus"] / "LICENSE").read_text(
        encoding="utf-8"
    )
    assert not (generated["regression-bare"] / "LICENSE").exists()


def test_copier_reads_no_unsafe_features() -> None:
    # given copier.yml: anything that needs --trust is absent
    config = load_copier_config()
    assert not {"_tasks", "_migrations", "_jinja_extensions"} & set(config)
    # and the answer rules are a real file, not a symlink (Windows checks links out as text)
    assert not (REPO / "template" / "hooks" / "pre_gen_project.py").is_symlink()
