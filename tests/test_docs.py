"""The template's own docs say what is really there."""

from __future__ import annotations

import re

from conftest import REPO, load_copier_config, make_targets

README = (REPO / "README.md").read_text(encoding="utf-8")
QUESTIONS = (REPO / "docs" / "questions.md").read_text(encoding="utf-8")


def test_readme_gives_exactly_two_commands_for_a_fresh_clone() -> None:
    # given the README's "Try it" block
    block = README.split("## Try it", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].split() for line in block.strip().splitlines()]
    # then it is two make commands, and both targets exist
    assert len(commands) == 2
    assert [command[0] for command in commands] == ["make", "make"]
    assert {command[1] for command in commands} <= make_targets(REPO)
    assert [command[1] for command in commands] == ["demo", "test"]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", ci, flags=re.MULTILINE)


def test_every_question_and_choice_is_explained() -> None:
    config = load_copier_config()
    asked = [
        k
        for k, v in config.items()
        if not k.startswith("_") and isinstance(v, dict) and v.get("when") is not False
    ]
    for name in asked:
        assert f"### {name}\n" in QUESTIONS, f"docs/questions.md does not explain {name}"
        choices = config[name].get("choices", [])
        for value in choices.values() if isinstance(choices, dict) else choices:
            assert f"`{value}`" in QUESTIONS, f"docs/questions.md does not mention {name}={value}"


def test_architecture_names_real_paths() -> None:
    text = (REPO / "ARCHITECTURE.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:hooks|tests|template|docs|benchmarks|\.ci)/[\w./-]+)`", text))
    named |= set(re.findall(r"^([\w./-]+/[\w.-]+)\s", text, flags=re.MULTILINE))
    assert named
    # PROJECT stands for the project folder, whose real name is a Jinja expression
    (project,) = [
        p.name for p in (REPO / "template").iterdir() if "cookiecutter" in p.name and p.is_dir()
    ]
    resolved = {path.split("::")[0].replace("PROJECT", project) for path in named}
    missing = [path for path in sorted(resolved) if not (REPO / path).exists()]
    assert missing == []


def test_changelog_and_performance_page_exist_and_say_something() -> None:
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(r"^## ", changelog, flags=re.MULTILINE)
    performance = (REPO / "docs" / "performance.md").read_text(encoding="utf-8")
    assert re.search(r"\d+(\.\d+)? s\b", performance), (
        "docs/performance.md holds no measured seconds"
    )
