"""Read `.template-intent.yml`: what template updates must leave alone in this project.

The file is yours and committed. It holds three lists, each optional:

    deleted:            # generated files you deleted on purpose: never re-created
      - docs/walkthrough.md
    mine:               # files you own now: an update never touches them
      - README.md
    renamed:            # generated file: where you moved it; template changes follow it
      docs/data-card.md: docs/penguins-card.md

`make template-update` and `make template-preview` read it (scripts/template_update.py).
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Annotated

import yaml  # type: ignore[import-untyped,unused-ignore]
from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError, model_validator

INTENT_FILE = Path(".template-intent.yml")
HEADER = (
    "# What template updates must leave alone here (make template-update reads it).\n"
    "# deleted: generated files you deleted on purpose, never re-created\n"
    "# mine: files you own now, never touched by an update\n"
    "# renamed: generated file -> where you moved it; the template's changes follow it\n"
)


class IntentError(ValueError):
    """The intent file cannot be read; the message names the file and the problem."""


def project_path(value: str) -> str:
    """A path inside the project, relative, with forward slashes, naming one file."""
    path = PurePosixPath(value)
    if not value or value != path.as_posix() or value.endswith("/"):
        raise ValueError(f"{value!r} is not a plain relative file path (write it as a/b.md)")
    if path.is_absolute() or ".." in path.parts or "\\" in value:
        raise ValueError(f"{value!r} must be relative to the project root, without '..'")
    if path.parts[0] == ".git":
        raise ValueError(f"{value!r} is inside .git, which no update touches")
    return value


ProjectPath = Annotated[str, AfterValidator(project_path)]


class Intent(BaseModel):
    """The student's standing instructions to every template update."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    deleted: tuple[ProjectPath, ...] = ()
    mine: tuple[ProjectPath, ...] = ()
    renamed: dict[ProjectPath, ProjectPath] = {}

    @model_validator(mode="after")
    def each_path_once(self) -> Intent:
        """A path has one meaning: deleted, yours, or renamed (from or to)."""
        seen: dict[str, str] = {}
        entries = [(path, "deleted") for path in self.deleted]
        entries += [(path, "mine") for path in self.mine]
        entries += [(old, "renamed (from)") for old in self.renamed]
        entries += [(new, "renamed (to)") for new in self.renamed.values()]
        for path, where in entries:
            if path in seen:
                raise ValueError(f"{path} is listed twice: under {seen[path]} and {where}")
            seen[path] = where
        return self

    def excluded(self) -> list[str]:
        """Template paths copier must neither render nor compare: deleted, yours, renamed."""
        return sorted({*self.deleted, *self.mine, *self.renamed})


def load(path: Path = INTENT_FILE) -> Intent:
    """The intent file's content; an empty intent when there is no file."""
    if not path.is_file():
        return Intent()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise IntentError(f"{path.name} is not valid YAML: {error}") from error
    if raw is None:
        return Intent()
    if not isinstance(raw, dict):
        raise IntentError(f"{path.name} must be a mapping with deleted, mine and renamed")
    try:
        return Intent.model_validate(raw)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item['loc']) or 'the file'}: {item['msg']}"
            for item in error.errors()
        )
        raise IntentError(f"{path.name}: {problems}") from error


def dump(intent: Intent, path: Path = INTENT_FILE) -> None:
    """Write the intent file, with a header saying what each list means."""
    body = {
        "deleted": list(intent.deleted),
        "mine": list(intent.mine),
        "renamed": dict(intent.renamed),
    }
    text = yaml.safe_dump(body, sort_keys=False, default_flow_style=False)
    path.write_text(HEADER + text, encoding="utf-8")
