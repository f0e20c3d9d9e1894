"""What a check is, what it finds, and a reader of the reviewed project that never raises."""

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from .settings import ReviewSettings

#: How many bytes are read of a text file before it is judged too large to be a document.
MAX_TEXT_BYTES = 5_000_000
FOCUSES = ("data", "modeling", "architecture", "product")


class Status(StrEnum):
    """Where an expectation stands."""

    DONE = "done"
    STARTED = "started"
    YOUR_JOB = "your job"
    NOT_APPLICABLE = "not applicable"


@dataclass(frozen=True)
class Finding:
    """A check's verdict and the evidence behind it (paths and figures)."""

    status: Status
    evidence: tuple[str, ...]


def found(status: Status, *evidence: str) -> Finding:
    """Return a finding; shorthand for the checks."""
    return Finding(status, tuple(evidence))


@dataclass(frozen=True)
class Read:
    """A file read for evidence: its text, or why there is none."""

    path: str
    text: str | None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the text could be read."""
        return self.text is not None


@dataclass(frozen=True)
class Project:
    """The reviewed project: a folder read only through these methods, which never raise."""

    root: Path
    focus: str
    components: frozenset[str]
    focus_source: str
    settings: ReviewSettings
    notes: tuple[str, ...] = ()
    ran_tests: bool | None = None
    test_output: str = ""

    def exists(self, path: str) -> bool:
        """Whether ``path`` (relative to the root) is a file."""
        return (self.root / path).is_file()

    def text(self, path: str) -> Read:
        """Read ``path`` as UTF-8 text; a missing, binary or unreadable file says why."""
        target = self.root / path
        if not target.is_file():
            return Read(path, None, f"{path} is missing")
        try:
            data = target.read_bytes()[: MAX_TEXT_BYTES + 1]
        except OSError as exc:
            return Read(path, None, f"{path} cannot be read ({exc.strerror})")
        if len(data) > MAX_TEXT_BYTES:
            return Read(path, None, f"{path} is over {MAX_TEXT_BYTES:,} bytes: not a document")
        if b"\x00" in data:
            return Read(path, None, f"{path} is binary, expected text")
        try:
            return Read(path, data.decode("utf-8"))
        except UnicodeDecodeError as exc:
            return Read(path, None, f"{path} is not UTF-8 text (byte {exc.start})")

    def yaml(self, path: str) -> tuple[dict[str, Any] | None, str]:
        """Parse ``path`` as a YAML mapping: (data, "") or (None, the reason)."""
        read = self.text(path)
        if read.text is None:
            return None, read.problem or path
        try:
            data = yaml.safe_load(read.text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark is not None else ""
            return None, f"{path} is not valid YAML{where}"
        if data is None:
            return {}, ""
        if not isinstance(data, dict):
            return None, f"{path} holds a {type(data).__name__}, expected a mapping"
        return data, ""

    def json(self, path: str) -> tuple[Any, str]:
        """Parse ``path`` as JSON: (data, "") or (None, the reason)."""
        read = self.text(path)
        if read.text is None:
            return None, read.problem or path
        try:
            return json.loads(read.text), ""
        except json.JSONDecodeError as exc:
            return None, f"{path} is not valid JSON (line {exc.lineno})"

    def sha256(self, path: str) -> str | None:
        """The SHA-256 of ``path``, or None when it cannot be read."""
        try:
            return hashlib.sha256((self.root / path).read_bytes()).hexdigest()
        except OSError:
            return None

    def files(self, pattern: str) -> list[str]:
        """Files matching the glob ``pattern``, relative to the root, sorted."""
        try:
            return sorted(
                path.relative_to(self.root).as_posix()
                for path in self.root.glob(pattern)
                if path.is_file()
            )
        except (OSError, ValueError):
            return []

    def mtime(self, path: str) -> float | None:
        """When ``path`` was last written (seconds since the epoch), or None."""
        try:
            return (self.root / path).stat().st_mtime
        except OSError:
            return None


@dataclass(frozen=True)
class Check:
    """One expectation of the course, and how the repository shows it is met."""

    id: str
    title: str
    expectation: str
    doc: str
    evaluate: Callable[[Project], Finding]
    #: The file whose presence says the component behind this check is in the project.
    needs: str | None = None
    component: str | None = None


@dataclass(frozen=True)
class Result:
    """A check and what it found in one project."""

    check: Check
    finding: Finding

    @property
    def status(self) -> Status:
        """The finding's status."""
        return self.finding.status


def run_checks(project: Project, checks: Sequence[Check]) -> list[Result]:
    """Evaluate each check; a component the project lacks makes its checks not applicable."""
    results: list[Result] = []
    for check in checks:
        if check.needs is not None and not project.files(check.needs):
            name = check.component or check.needs
            finding = found(
                Status.NOT_APPLICABLE,
                f"the `{name}` component is not in this project ({check.needs} is missing)",
            )
        else:
            try:
                finding = check.evaluate(project)
            except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
                # A malformed file the check did not foresee: say so, never a traceback.
                finding = found(Status.YOUR_JOB, f"could not read the evidence: {exc!r}")
        results.append(Result(check, finding))
    return results
