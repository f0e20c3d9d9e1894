"""Checks of the modeling focus: many families tuned, ensembles, a champion, research, features."""

import sqlite3
from pathlib import PurePosixPath

from . import text
from .core import Check, Finding, Project, Status, found

#: The model families whose files the template ships (src/<package>/models/family_*.py).
TEMPLATE_FAMILIES = frozenset({"mlp", "knn", "lightgbm", "hist_gradient_boosting"})


def families_tuned(project: Project) -> Finding:
    """At least N model families have been tuned (models/tuned.json, written by `make tune`)."""
    wanted = project.settings.families
    tuned, problem = project.json("models/tuned.json")
    if not isinstance(tuned, dict) or not tuned:
        return found(Status.YOUR_JOB, problem or "models/tuned.json is empty", "run `make tune`")
    trials = {
        name: record.get("trials") for name, record in tuned.items() if isinstance(record, dict)
    }
    evidence = (
        f"models/tuned.json: {len(trials)} families tuned ({wanted} wanted: families in "
        f"configs/review.yaml): " + ", ".join(f"{n} ({t} trials)" for n, t in trials.items())
    )
    return found(Status.DONE if len(trials) >= wanted else Status.STARTED, evidence)


def leaderboard_ensemble(project: Project) -> Finding:
    """A leaderboard compares the candidates, and an ensemble is among them."""
    board, problem = project.json("reports/leaderboard.json")
    rows = board.get("rows") if isinstance(board, dict) else None
    if not isinstance(rows, list) or not rows:
        return found(Status.YOUR_JOB, problem or "no rows", "run `make compare`")
    ensembles = [
        r.get("name") for r in rows if isinstance(r, dict) and r.get("variant") == "ensemble"
    ]
    evidence = f"reports/leaderboard.json: {len(rows)} candidates, {len(ensembles)} ensembles"
    if ensembles:
        return found(Status.DONE, evidence, f"champion: {board.get('champion')}")
    return found(Status.STARTED, evidence)


def champion_registered(project: Project) -> Finding:
    """The champion is registered in the MLflow model registry (alias `champion`)."""
    config, _ = project.yaml("configs/tracking.yaml")
    uri = config.get("tracking_uri") if config else None
    uri = uri if isinstance(uri, str) else "sqlite:///mlflow.db"
    if not uri.startswith("sqlite:///"):
        return found(Status.STARTED, f"tracking_uri {uri} is a server: check it in its UI")
    database = uri.removeprefix("sqlite:///")
    if not project.exists(database):
        return found(Status.YOUR_JOB, f"{database} is missing", "run `make compare`")
    try:
        path = (project.root / database).resolve().as_uri()
        with sqlite3.connect(f"{path}?mode=ro", uri=True) as connection:
            rows = connection.execute(
                "SELECT name, version FROM registered_model_aliases WHERE alias = 'champion'"
            ).fetchall()
        connection.close()
    except sqlite3.Error as exc:
        return found(Status.YOUR_JOB, f"{database}: no model registry ({exc})")
    if rows:
        name, version = rows[0]
        return found(Status.DONE, f"{database}: {name} version {version} is the champion")
    return found(Status.YOUR_JOB, f"{database}: no model has the alias `champion`")


def research_slot(project: Project, template: frozenset[str] = TEMPLATE_FAMILIES) -> Finding:
    """The research slot holds a family of the student's own, beside the template's MLP."""
    files = project.files("src/*/models/family_*.py")
    names = {PurePosixPath(path).stem.removeprefix("family_"): path for path in files}
    own = sorted(set(names) - template)
    if own:
        return found(Status.DONE, *(f"{names[name]}: your family `{name}`" for name in own))
    return found(Status.YOUR_JOB, f"only the template's families: {', '.join(sorted(names))}")


def feature_work(project: Project) -> Finding:
    """The journal shows feature changes, each with a line of why."""
    read = project.text("docs/journal.md")
    if read.text is None:
        return found(Status.YOUR_JOB, read.problem or "docs/journal.md")
    entries = [
        entry
        for entry in text.journal_entries(read.text)
        if any(change.startswith(("- `features", "- `features.yaml")) for change in entry.changes)
    ]
    explained = [entry for entry in entries if entry.why]
    evidence = f"docs/journal.md: {len(entries)} entries change features, {len(explained)} say why"
    if explained:
        return found(Status.DONE, evidence, f"e.g. {explained[-1].heading}")
    return found(Status.STARTED if entries else Status.YOUR_JOB, evidence)


CHECKS = [
    Check(
        "features",
        "My journal shows my feature engineering and why",
        "Spend a considerable amount of time on feature engineering",
        "docs/journal.md",
        feature_work,
    ),
    Check(
        "tuning",
        "I tuned at least five model families",
        "Perform hyperparameter tuning for every model",
        "docs/experiments.md",
        families_tuned,
        needs="configs/tuning.yaml",
        component="tuning",
    ),
    Check(
        "leaderboard",
        "My leaderboard compares the families, an ensemble among them",
        "Try many models, compare carefully; blend or stack them",
        "docs/leaderboard.md",
        leaderboard_ensemble,
        needs="configs/leaderboard.yaml",
        component="leaderboard",
    ),
    Check(
        "champion",
        "My champion is registered",
        "Every experiment tracked, the chosen model versioned",
        "docs/experiments.md",
        champion_registered,
        needs="configs/tracking.yaml",
        component="tracking",
    ),
    Check(
        "research",
        "My research slot holds an idea of my own, not only the template's MLP",
        "Use some of the latest research and tools, adapted to your problem",
        "docs/experiments.md",
        research_slot,
        needs="src/*/models/family_mlp.py",
        component="research",
    ),
]
