"""Both tools' tables are generated from template-spec.yml, and stay in step with it."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO

sys.path.insert(0, str(REPO / "scripts"))
import generate

GENERATED = [
    "copier.yml",
    "template/hooks/pre_gen_project.py",
    "docs/questions.md",
    "template/cookiecutter.json",
]


def test_generated_files_are_up_to_date() -> None:
    # when the generator checks the committed files against template-spec.yml
    # then none is stale (otherwise: run `make generate` and commit)
    assert generate.stale(REPO) == []


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """A copy of the definition and of the files generated from it."""
    for path in [generate.SPEC, *GENERATED]:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO / path, tmp_path / path)
    return tmp_path


def edit_spec(root: Path, change: dict[str, dict[str, object]]) -> None:
    spec = yaml.safe_load((root / generate.SPEC).read_text(encoding="utf-8"))
    spec["components"].update(change)
    (root / generate.SPEC).write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")


def test_a_component_added_to_the_spec_reaches_every_generated_file(
    scratch: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given a new component in the definition, preset by product, needing app
    edit_spec(
        scratch,
        {
            "spaceship": {
                "help": "a rocket for the demo",
                "focuses": ["product"],
                "requires": ["app"],
                "adds": "`make launch`",
            }
        },
    )
    # when the generator checks, then every generated file is stale and named
    assert generate.main(["--check", "--root", str(scratch)]) == 1
    assert sorted(capsys.readouterr().err.split()[::5]) == sorted(f"{p}:" for p in GENERATED)
    # when it writes, then nothing is stale any more
    assert generate.main(["--root", str(scratch)]) == 0
    assert generate.stale(scratch) == []
    # and copier offers it, presets it for product and knows what it needs
    copier = yaml.safe_load((scratch / "copier.yml").read_text(encoding="utf-8"))
    assert copier["extra_components"]["choices"]["spaceship: a rocket for the demo"] == "spaceship"
    assert copier["dropped_components"]["choices"] == copier["extra_components"]["choices"]
    assert copier["focus_presets"]["default"]["product"][-1] == "spaceship"
    assert copier["component_requires"]["default"]["spaceship"] == ["app"]
    # and cookiecutter switches its files and presets it the same way
    cookie = json.loads((scratch / "template/cookiecutter.json").read_text(encoding="utf-8"))
    assert "'spaceship' in cookiecutter.components" in cookie["__on"]["spaceship"]
    assert "synthetic,fairness,spaceship'" in cookie["components"]
    assert "spaceship" in cookie["__prompts__"]["extra_components"]
    # and the hook's rules know it
    hook = scratch / "template/hooks/pre_gen_project.py"
    module_spec = importlib.util.spec_from_file_location("scratch_rules", hook)
    assert module_spec
    assert module_spec.loader
    rules = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(rules)
    assert rules.COMPONENTS[-1] == "spaceship"
    assert rules.check_components("spaceship").startswith("components: 'spaceship' needs 'app'")
    # and the docs table has its row
    docs = (scratch / "docs/questions.md").read_text(encoding="utf-8")
    assert "| `spaceship` | `make launch` | product | `app` |" in docs


def test_a_mistake_in_the_spec_is_named(scratch: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # given a component that needs one that does not exist
    edit_spec(scratch, {"spaceship": {"help": "x", "adds": "y", "requires": ["warp"]}})
    # when the generator runs, then it refuses, names the key and writes nothing
    before = {path: (scratch / path).read_bytes() for path in GENERATED}
    assert generate.main(["--root", str(scratch)]) == 2
    assert "components.spaceship.requires: 'warp' is not a component" in capsys.readouterr().err
    assert {path: (scratch / path).read_bytes() for path in GENERATED} == before


def test_a_lost_region_marker_is_named(scratch: Path) -> None:
    # given copier.yml without the end marker of its last region
    copier = scratch / "copier.yml"
    text = copier.read_text(encoding="utf-8")
    head, _, tail = text.rpartition("# <<< make generate")
    copier.write_text(head + tail, encoding="utf-8")
    # then the generator names the file and the region
    with pytest.raises(generate.SpecError, match=r"copier.yml: region 'switches' has no"):
        generate.stale(scratch)
