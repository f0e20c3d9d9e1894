"""Checks of the architecture focus: measured speed, deployable manifests, drift and retraining."""

import re
from pathlib import PurePosixPath

import yaml

from .core import Check, Finding, Project, Status, found

PERFORMANCE = "reports/performance.md"
FIGURES = {
    "inferences/s": re.compile(r"\d[\d,.]* (?:req|rows|inferences|predictions)/s"),
    "p99": re.compile(r"p99[^\n]*?\d+(?:\.\d+)? ms", re.IGNORECASE),
    "training time": re.compile(r"train\w*[^\n]*?\d+(?:\.\d+)? s\b", re.IGNORECASE),
}
OVERLAYS = ("deploy/base", "deploy/dev", "deploy/prod")


def performance_figures(project: Project) -> Finding:
    """reports/performance.md holds inferences per second, p99 latency and training time."""
    read = project.text(PERFORMANCE)
    if read.text is None:
        return found(Status.YOUR_JOB, read.problem or PERFORMANCE, "run `make bench`")
    present = [name for name, pattern in FIGURES.items() if pattern.search(read.text)]
    missing = [name for name in FIGURES if name not in present]
    evidence = f"{PERFORMANCE}: has {', '.join(present) or 'none of the figures'}"
    if not missing:
        return found(Status.DONE, evidence)
    return found(
        Status.STARTED if present else Status.YOUR_JOB, evidence, f"missing: {', '.join(missing)}"
    )


def _manifest_problems(project: Project, folder: str) -> tuple[int, list[str]]:
    """Count the resources a kustomization lists and say what is wrong with them."""
    kustomization, problem = project.yaml(f"{folder}/kustomization.yaml")
    if kustomization is None:
        return 0, [problem]
    resources = kustomization.get("resources") or []
    problems: list[str] = []
    for resource in resources if isinstance(resources, list) else []:
        path = (PurePosixPath(folder) / str(resource)).as_posix()
        parts = [p for p in path.split("/") if p != "."]
        while ".." in parts:
            index = parts.index("..")
            parts = parts[: max(index - 1, 0)] + parts[index + 1 :]
        path = "/".join(parts)
        if project.exists(f"{path}/kustomization.yaml"):
            continue
        read = project.text(path)
        if read.text is None:
            problems.append(read.problem or path)
            continue
        try:
            documents = [d for d in yaml.safe_load_all(read.text) if d is not None]
        except yaml.YAMLError:
            problems.append(f"{path} is not valid YAML")
            continue
        if not all(
            isinstance(d, dict) and d.get("kind") and d.get("apiVersion") for d in documents
        ):
            problems.append(f"{path}: a document without kind or apiVersion")
    return len(resources) if isinstance(resources, list) else 0, problems


def manifests(project: Project) -> Finding:
    """Each Kustomize overlay lists resources that exist and parse as Kubernetes objects."""
    total, problems = 0, []
    for folder in OVERLAYS:
        count, wrong = _manifest_problems(project, folder)
        total += count
        problems += wrong
    if problems:
        return found(Status.YOUR_JOB, *problems[:5])
    return found(
        Status.DONE,
        f"{', '.join(OVERLAYS)}: {total} resources, every one there and well formed",
        "render them for real with `make manifests`",
    )


def drift_report(project: Project) -> Finding:
    """A drift report has been written from the API's request log."""
    data, _ = project.yaml("configs/monitoring.yaml")
    folder = data.get("report_dir") if data else None
    folder = folder if isinstance(folder, str) else "reports"
    report, problem = project.json(f"{folder}/drift.json")
    if not isinstance(report, dict):
        return found(Status.YOUR_JOB, problem, "run `make drift` on logged requests")
    figures = {k: v for k, v in report.items() if isinstance(v, int | float | bool)}
    summary = ", ".join(f"{k}: {v}" for k, v in list(figures.items())[:4])
    return found(Status.DONE, f"{folder}/drift.json: {summary}")


def retrain_run(project: Project) -> Finding:
    """The orchestrated retraining has run and recorded its decision."""
    data, _ = project.yaml("configs/retraining.yaml")
    path = data.get("report") if data else None
    path = path if isinstance(path, str) else "reports/retrain.json"
    report, problem = project.json(path)
    if not isinstance(report, dict) or "finished_at" not in report:
        return found(Status.YOUR_JOB, problem or f"{path} has no finished_at", "run `make retrain`")
    return found(
        Status.DONE,
        f"{path}: finished {report['finished_at']}, promoted: {report.get('promoted', '?')}",
    )


CHECKS = [
    Check(
        "performance",
        "I know my inferences per second, p99 latency and training time",
        "Know how long training takes and how many inferences/s you achieve",
        "docs/architecture.md",
        performance_figures,
    ),
    Check(
        "manifests",
        "My Kubernetes manifests are complete and well formed",
        "Deploy it yourself on Kubernetes or another platform",
        "docs/runbook.md",
        manifests,
        needs="deploy/base/kustomization.yaml",
        component="kubernetes",
    ),
    Check(
        "drift",
        "I have a drift report from real requests",
        "Operating live, post-deployment: monitoring",
        "docs/runbook.md",
        drift_report,
        needs="configs/monitoring.yaml",
        component="monitoring",
    ),
    Check(
        "retrain",
        "My orchestrated retraining has run",
        "Orchestration triggers retraining or redeployment",
        "docs/runbook.md",
        retrain_run,
        needs="configs/retraining.yaml",
        component="retraining",
    ),
]
