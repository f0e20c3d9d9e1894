"""Which checks a project gets (its focus and components) and the review they add up to."""

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from . import architecture, common, data, modeling, product
from .core import FOCUSES, Check, Project, Result, Status, run_checks
from .settings import load_settings

FOCUS_CHECKS: dict[str, list[Check]] = {
    "data": data.CHECKS,
    "modeling": modeling.CHECKS,
    "architecture": architecture.CHECKS,
    "product": product.CHECKS,
}
#: Files that only a focus's preset brings, to guess the focus when no answers file says it.
FOCUS_SIGNS = {
    "data": ("configs/ingestion.yaml", "configs/validation.yaml", "configs/streaming.yaml"),
    "modeling": ("configs/tuning.yaml", "configs/leaderboard.yaml", "configs/models.yaml"),
    "architecture": (
        "configs/serving.yaml",
        "deploy/base/kustomization.yaml",
        "configs/retraining.yaml",
    ),
    "product": ("configs/app.yaml", "configs/fairness.yaml", "docs/product.md"),
}


@dataclass(frozen=True)
class Review:
    """Every check's result for one project, and where its focus came from."""

    project: Project
    results: list[Result]

    @property
    def counts(self) -> Counter[Status]:
        """How many checks have each status."""
        return Counter(result.status for result in self.results)

    @property
    def applicable(self) -> int:
        """How many checks apply to this project."""
        return sum(r.status is not Status.NOT_APPLICABLE for r in self.results)

    @property
    def done(self) -> int:
        """How many checks are done."""
        return self.counts[Status.DONE]


def _answers_focus(root: Path) -> tuple[str | None, str]:
    """The focus the answers file records: (focus, where it came from) or (None, why not)."""
    answers = root / ".copier-answers.yml"
    if answers.is_file():
        try:
            recorded = yaml.safe_load(answers.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            return None, ".copier-answers.yml cannot be read"
        focus = recorded.get("focus") if isinstance(recorded, dict) else None
        if focus in FOCUSES:
            return str(focus), ".copier-answers.yml"
        return None, ".copier-answers.yml names no known focus"
    cruft = root / ".cruft.json"
    if cruft.is_file():
        try:
            context = json.loads(cruft.read_text(encoding="utf-8"))["context"]["cookiecutter"]
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
            return None, ".cruft.json cannot be read"
        if context.get("focus") in FOCUSES:
            return str(context["focus"]), ".cruft.json"
    return None, "no answers file"


def detect_focus(root: Path) -> tuple[str, str]:
    """The project's focus and where it came from: the answers file, else what is in the repo."""
    focus, source = _answers_focus(root)
    if focus is not None:
        return focus, source
    scores = {
        name: sum((root / sign).is_file() for sign in signs) for name, signs in FOCUS_SIGNS.items()
    }
    best = max(scores, key=lambda name: scores[name])
    if scores[best] == 0:
        return "modeling", f"{source}; no focus's files found, reviewed as modeling"
    signs = ", ".join(sign for sign in FOCUS_SIGNS[best] if (root / sign).is_file())
    return best, f"{source}; guessed from its files ({signs})"


def checks_for(focus: str) -> list[Check]:
    """Every capstone's checks, then the focus's."""
    return [*common.CHECKS, *FOCUS_CHECKS[focus]]


def review(root: Path, ran_tests: bool | None = None, test_output: str = "") -> Review:
    """Review the project at ``root``: read its files only, run nothing."""
    focus, source = detect_focus(root)
    settings, problem = load_settings(root)
    checks = checks_for(focus)
    probe = Project(root, focus, frozenset(), source, settings)
    components = frozenset(
        check.component
        for checks_of_focus in FOCUS_CHECKS.values()
        for check in checks_of_focus
        if check.component and check.needs and probe.files(check.needs)
    )
    project = Project(
        root,
        focus,
        components,
        source,
        settings,
        notes=(problem,) if problem else (),
        ran_tests=ran_tests,
        test_output=test_output,
    )
    return Review(project, run_checks(project, checks))
