"""Write template-spec.yml, the one definition of the answers, into the files both tools read.

`make generate` rewrites the regions between `>>> make generate: <name>` and `<<< make generate`
in copier.yml, template/hooks/pre_gen_project.py and docs/questions.md, and the generated keys
of template/cookiecutter.json (JSON has no comments, so the keys are the region).
`--check` writes nothing and exits 1 naming each stale file; tests/test_spec.py runs it.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
SPEC = "template-spec.yml"
WIDTH = 96
BEGIN = re.compile(r"^(?P<indent>\s*)(?:#|<!--) >>> make generate: (?P<name>[\w-]+)")
END = re.compile(r"^\s*(?:#|<!--) <<< make generate")


class SpecError(ValueError):
    """template-spec.yml or a marked file is not what the generator expects."""


@dataclass(frozen=True)
class Component:
    """One component: its prompt line, the focuses that preset it, what it needs, what it adds."""

    name: str
    help: str
    focuses: tuple[str, ...]
    requires: tuple[str, ...]
    adds: str


@dataclass(frozen=True)
class Spec:
    """The parsed definition: choice values (default first) with labels, components, switches."""

    choices: dict[str, dict[str, str]]
    components: tuple[Component, ...]
    switches: dict[str, tuple[str, tuple[str, ...]]]
    patterns: dict[str, str]
    reserved: dict[str, tuple[str, ...]]

    @property
    def names(self) -> list[str]:
        return [component.name for component in self.components]

    @property
    def focuses(self) -> list[str]:
        return list(self.choices["focus"])

    def preset(self, focus: str) -> list[str]:
        return [c.name for c in self.components if focus in c.focuses]


def _words(value: object, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(value.split())
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise SpecError(f"{SPEC}: {where} must be a list of names, got {value!r}")


def _component(name: str, entry: Mapping[str, Any]) -> Component:
    unknown = set(entry) - {"help", "focuses", "requires", "adds"}
    if unknown or not {"help", "adds"} <= set(entry):
        raise SpecError(
            f"{SPEC}: components.{name} needs help and adds (optional: focuses, requires); "
            f"unknown keys: {sorted(unknown)}"
        )
    if not re.fullmatch(r"[a-z][a-z0-9]*", name):
        raise SpecError(f"{SPEC}: components.{name}: a name is one lower-case word")
    return Component(
        name=name,
        help=str(entry["help"]),
        focuses=_words(entry.get("focuses", []), f"components.{name}.focuses"),
        requires=_words(entry.get("requires", []), f"components.{name}.requires"),
        adds=str(entry["adds"]),
    )


def _check_references(components: list[Component], focuses: Mapping[str, str]) -> None:
    names = {component.name for component in components}
    for component in components:
        for focus in component.focuses:
            if focus not in focuses:
                raise SpecError(
                    f"{SPEC}: components.{component.name}.focuses: '{focus}' is not a focus "
                    f"({', '.join(focuses)})"
                )
        for need in component.requires:
            if need not in names:
                raise SpecError(
                    f"{SPEC}: components.{component.name}.requires: '{need}' is not a component"
                )


def _switch(name: str, rule: object, components: set[str]) -> tuple[str, tuple[str, ...]]:
    if name in components or not isinstance(rule, dict) or len(rule) != 1:
        raise SpecError(
            f"{SPEC}: switches.{name}: write {{any: [...]}} or {{all: [...]}}, "
            "under a name that is not a component's"
        )
    ((kind, members),) = rule.items()
    names = _words(members, f"switches.{name}.{kind}")
    if kind not in {"any", "all"} or not set(names) <= components:
        raise SpecError(f"{SPEC}: switches.{name}: 'any' or 'all' of known components")
    return kind, names


def parse_spec(data: Mapping[str, Any]) -> Spec:
    """Check the definition and name the key at fault; return it typed."""
    expected = {"choices", "components", "switches", "patterns", "reserved_names"}
    if set(data) != expected:
        raise SpecError(f"{SPEC}: top-level keys must be {sorted(expected)}, got {sorted(data)}")
    choices = {
        question: {str(v): "" for v in values}
        if isinstance(values, list)
        else {str(v): str(label) for v, label in values.items()}
        for question, values in data["choices"].items()
    }
    if "focus" not in choices:
        raise SpecError(f"{SPEC}: choices.focus is missing")
    components = [_component(name, entry) for name, entry in data["components"].items()]
    _check_references(components, choices["focus"])
    names = {component.name for component in components}
    switches = {name: _switch(name, rule, names) for name, rule in data["switches"].items()}
    reserved = {
        group: _words(words, f"reserved_names.{group}")
        for group, words in data["reserved_names"].items()
    }
    if set(reserved) != {"keywords", "stdlib", "dependencies"}:
        raise SpecError(f"{SPEC}: reserved_names holds keywords, stdlib and dependencies")
    patterns = {str(question): str(pattern) for question, pattern in data["patterns"].items()}
    for question, pattern in patterns.items():
        try:
            re.compile(pattern)
        except re.error as error:
            raise SpecError(f"{SPEC}: patterns.{question}: {error}") from error
    return Spec(choices, tuple(components), switches, patterns, reserved)


def load_spec(root: Path) -> Spec:
    return parse_spec(yaml.safe_load((root / SPEC).read_text(encoding="utf-8")))


# ------------------------------------------------------------------ copier.yml


def _scalar(value: str) -> str:
    """A YAML scalar that reads back as the same string."""
    plain = re.fullmatch(r"[A-Za-z][\w.() /-]*", value) and ": " not in value
    if plain and yaml.safe_load(value) == value:
        return value
    return json.dumps(value, ensure_ascii=False)


def _flow_list(key: str, values: list[str], indent: str = "") -> list[str]:
    """`key: [a, b, ...]`, wrapped under the key when it outgrows the line."""
    text = f"{key}: [{', '.join(_scalar(v) for v in values)}]"
    lines = textwrap.wrap(
        text,
        width=WIDTH - len(indent),
        subsequent_indent="  ",
        break_long_words=False,
        break_on_hyphens=False,
    )
    return [indent + line for line in lines]


def _choice_block(spec: Spec, question: str) -> list[str]:
    values = spec.choices[question]
    lines: list[str] = []
    if any(values.values()):
        lines.append("choices:")
        lines += [
            f"  {_scalar(f'{value}: {label}')}: {_scalar(value)}" for value, label in values.items()
        ]
    else:
        lines += _flow_list("choices", list(values))
    return [*lines, f"default: {_scalar(next(iter(values)))}"]


def _switch_test(kind: str, members: tuple[str, ...], chosen: str) -> str:
    """A Jinja test: any of the members is chosen, or all of them are."""
    if kind == "any":
        return f"{chosen} | select('in', [{', '.join(repr(name) for name in members)}]) | list"
    return " and ".join(f"'{name}' in {chosen}" for name in members)


def copier_regions(spec: Spec) -> dict[str, list[str]]:
    tables = [
        "# Reserved package names: a package named so would shadow a Python keyword, a",
        "# standard-library module of Python 3.11 to 3.13 or a library the project imports.",
        "reserved_names:",
        "  type: yaml",
        "  when: false",
        "  # One string, parsed as YAML: copier renders it as one template, not one per name.",
        "  default: |",
    ]
    for group, words in spec.reserved.items():
        tables += _flow_list(group, list(words), indent="    ")
    tables += [
        "",
        "# The free-text answers' shapes, used by their validators.",
        "patterns:",
        "  type: yaml",
        "  when: false",
        "  default:",
        *(
            f"    {q}: '{pattern.replace(chr(39), chr(39) * 2)}'"
            for q, pattern in spec.patterns.items()
        ),
        "",
        "# What each focus switches on.",
        "focus_presets:",
        "  type: yaml",
        "  when: false",
        "  default:",
    ]
    for focus in spec.focuses:
        tables += _flow_list(focus, spec.preset(focus), indent="    ")
    tables += [
        "",
        "# Components that need others: the answer check refuses a set that lacks one.",
        "component_requires:",
        "  type: yaml",
        "  when: false",
        "  default:",
    ]
    tables += [f"    {c.name}: [{', '.join(c.requires)}]" for c in spec.components if c.requires]
    regions = {"tables": tables}
    for question in spec.choices:
        regions[question] = _choice_block(spec, question)
    regions["components"] = [
        "choices: &components",
        *(f"  {_scalar(f'{c.name}: {c.help}')}: {c.name}" for c in spec.components),
    ]
    regions["switches"] = [
        f"{switch}: {{{{ ('y' if {_switch_test(kind, members, 'components')} else '') | tojson }}}}"
        for switch, (kind, members) in spec.switches.items()
    ]
    return regions


# ------------------------------------------------------------------ the hook


def _word_set(name: str, words: tuple[str, ...]) -> list[str]:
    chunks = textwrap.wrap(" ".join(words), width=WIDTH - 8, break_long_words=False)
    body = [f'    "{chunk} "' for chunk in chunks[:-1]] + [f'    "{chunks[-1]}".split()']
    return [f"{name} = frozenset(", *body, ")"]


def _pattern(question: str, pattern: str) -> list[str]:
    """`NAME = re.compile(r"...")`, split into raw-string pieces that fit the line."""
    pieces, piece = [], ""
    for char in pattern:
        if len(piece) >= WIDTH - 20 and not piece.endswith("\\"):
            pieces.append(piece)
            piece = ""
        piece += char
    pieces.append(piece)
    if len(pieces) == 1:
        return [f'{question.upper()} = re.compile(r"{pattern}")']
    return [f"{question.upper()} = re.compile(", *(f'    r"{p}"' for p in pieces), ")"]


def hook_regions(spec: Spec) -> dict[str, list[str]]:
    lines = ["# The free-text answers' shapes."]
    for question, pattern in spec.patterns.items():
        lines += _pattern(question, pattern)
    lines += ["# Python keywords and soft keywords that a lower-case package name could be."]
    lines += _word_set("KEYWORDS", spec.reserved["keywords"])
    lines.append("# Public standard-library modules of Python 3.11 to 3.13 (stdlib_module_names).")
    lines += _word_set("STDLIB", spec.reserved["stdlib"])
    lines.append("# Libraries generated projects import: a package of the same name shadows them.")
    lines += _word_set("DEPENDENCIES", spec.reserved["dependencies"])
    for question in spec.choices:
        values = ", ".join(json.dumps(value) for value in spec.choices[question])
        constant = {"python_version": "PYTHON_VERSIONS", "focus": "FOCUSES"}.get(
            question, question.upper() + "S"
        )
        lines.append(f"{constant} = ({values})")
    lines += ["COMPONENTS = (", *(f'    "{name}",' for name in spec.names), ")"]
    lines += ["# Components that need others.", "REQUIRES = {"]
    for c in spec.components:
        if c.requires:
            needs = ", ".join(f'"{need}"' for need in c.requires)
            lines.append(f'    "{c.name}": ({needs}{"," if len(c.requires) == 1 else ""}),')
    lines.append("}")
    return {"rules": lines}


# ------------------------------------------------------------------ docs/questions.md


def docs_regions(spec: Spec) -> dict[str, list[str]]:
    lines = [
        "| component | what it adds | preselected for | needs |",
        "|---|---|---|---|",
    ]
    for c in spec.components:
        focuses = "every focus" if list(c.focuses) == spec.focuses else ", ".join(c.focuses) or "—"
        needs = ", ".join(f"`{need}`" for need in c.requires) or "—"
        lines.append(f"| `{c.name}` | {c.adds} | {focuses} | {needs} |")
    return {"components": lines}


# ------------------------------------------------------------------ cookiecutter.json


def cookiecutter_json(spec: Spec, text: str) -> str:
    """The JSON with its generated keys rewritten in place (key order kept)."""
    data = json.loads(text)
    for question, values in spec.choices.items():
        data[question] = list(values)
        if any(values.values()):
            prompt = data["__prompts__"][question]
            data["__prompts__"][question] = {
                "__prompt__": prompt["__prompt__"],
                **{value: f"{value}: {label}" for value, label in values.items()},
            }
    split = "cookiecutter.components.split(',')"
    presets = ", ".join(f"'{f}': '{','.join(spec.preset(f))}'" for f in spec.focuses)
    data["components"] = (
        f"{{{{ ({{{presets}}}[cookiecutter.focus].split(',')"
        " + cookiecutter.extra_components.split(','))"
        " | reject('in', cookiecutter.dropped_components.split(','))"
        " | reject('equalto', '') | unique | join(',') }}"
    )
    switches = {name: f"{{{{ 'y' if '{name}' in {split} else '' }}}}" for name in spec.names}
    for switch, (kind, members) in spec.switches.items():
        switches[switch] = f"{{{{ 'y' if {_switch_test(kind, members, split)} else '' }}}}"
    data["__on"] = switches
    data["__prompts__"]["extra_components"] = (
        "Components to add to your focus's preset, comma-separated "
        f"(any of: {', '.join(spec.names)}); empty for none"
    )
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# ------------------------------------------------------------------ regions


def fill_regions(text: str, regions: Mapping[str, list[str]], path: str) -> str:
    """Replace every marked region's body; every region must be marked exactly once."""
    out: list[str] = []
    seen: list[str] = []
    lines = iter(text.splitlines(keepends=True))
    for line in lines:
        out.append(line)
        begin = BEGIN.match(line)
        if not begin:
            continue
        name, indent = begin["name"], begin["indent"]
        if name not in regions:
            raise SpecError(f"{path}: unknown region '{name}' (known: {', '.join(regions)})")
        for closing in lines:
            if END.match(closing):
                break
        else:
            raise SpecError(f"{path}: region '{name}' has no '<<< make generate' line")
        out += [f"{indent}{body}\n" if body else "\n" for body in regions[name]]
        out.append(closing)
        seen.append(name)
    missing = [name for name in regions if name not in seen]
    if missing or len(seen) != len(set(seen)):
        raise SpecError(f"{path}: regions {missing or seen} must each be marked exactly once")
    return "".join(out)


def outputs(root: Path) -> dict[str, str]:
    """Every generated file's path (relative to root) and the text it should hold."""
    spec = load_spec(root)
    regional: dict[str, Callable[[Spec], dict[str, list[str]]]] = {
        "copier.yml": copier_regions,
        "template/hooks/pre_gen_project.py": hook_regions,
        "docs/questions.md": docs_regions,
    }
    texts = {
        path: fill_regions((root / path).read_text(encoding="utf-8"), render(spec), path)
        for path, render in regional.items()
    }
    cookie = "template/cookiecutter.json"
    texts[cookie] = cookiecutter_json(spec, (root / cookie).read_text(encoding="utf-8"))
    return texts


def _changes(root: Path) -> dict[str, str]:
    return {
        path: text
        for path, text in outputs(root).items()
        if (root / path).read_text(encoding="utf-8") != text
    }


def stale(root: Path) -> list[str]:
    """The generated files that differ from what the spec says."""
    return list(_changes(root))


def write(root: Path) -> list[str]:
    """Rewrite the stale files; return their paths."""
    changes = _changes(root)
    for path, text in changes.items():
        (root / path).write_text(text, encoding="utf-8", newline="\n")
    return list(changes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    parser.add_argument("--root", type=Path, default=REPO, help="the template repository")
    args = parser.parse_args(argv)
    try:
        changed = stale(args.root) if args.check else write(args.root)
    except SpecError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for path in changed:
        verb = "stale (run `make generate`)" if args.check else "rewritten"
        print(f"{path}: {verb}", file=sys.stderr if args.check else sys.stdout)
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
