"""Checks for every capstone, whatever its focus: the seed's core expectations."""

from . import text
from .core import Check, Finding, Project, Status, found

#: SHA-256 of the demo data the template ships (data/raw/penguins.csv).
DEMO_DATA_SHA256 = frozenset({"f204db2c753b0937caac3cb35258562c14f073e4bbc76be24b4c51ce22767a93"})
#: How many prompts the template's walkthrough holds.
WALKTHROUGH_PROMPTS = 18
PIPELINE = "configs/pipeline.yaml"
METRICS = "reports/metrics.json"
JOURNAL = "docs/journal.md"


def raw_data_path(project: Project) -> tuple[str | None, str]:
    """The raw CSV configs/pipeline.yaml names: (path, "") or (None, why not)."""
    config, problem = project.yaml(PIPELINE)
    if config is None:
        return None, problem
    data = config.get("data")
    path = data.get("raw_path") if isinstance(data, dict) else None
    if not isinstance(path, str):
        return None, f"{PIPELINE} names no data.raw_path"
    return path, ""


def own_data(project: Project, demo: frozenset[str] = DEMO_DATA_SHA256) -> Finding:
    """The data the pipeline reads is not the demo's (its checksum differs)."""
    path, problem = raw_data_path(project)
    if path is None:
        return found(Status.YOUR_JOB, problem)
    digest = project.sha256(path)
    if digest is None:
        return found(Status.YOUR_JOB, f"{path} (data.raw_path in {PIPELINE}) is missing")
    if digest in demo:
        return found(Status.YOUR_JOB, f"{path}: sha256 {digest[:12]}… is the demo data")
    return found(Status.DONE, f"{path}: sha256 {digest[:12]}…, not the demo data")


def journal(project: Project) -> Finding:
    """At least N journal entries, each with a line of why under it."""
    wanted = project.settings.journal_entries
    read = project.text(JOURNAL)
    if read.text is None:
        return found(Status.YOUR_JOB, read.problem or JOURNAL)
    entries = text.journal_entries(read.text)
    with_why = sum(entry.why for entry in entries)
    noun = "entry" if len(entries) == 1 else "entries"
    evidence = (
        f"{JOURNAL}: {len(entries)} {noun}, {with_why} with a why "
        f"({wanted} wanted: journal_entries in configs/review.yaml)"
    )
    if with_why >= wanted and with_why == len(entries):
        return found(Status.DONE, evidence)
    if with_why:
        return found(Status.STARTED, evidence)
    return found(Status.YOUR_JOB, evidence)


def decision_log(project: Project) -> Finding:
    """A decision answers the three trade-off questions in the student's own words."""
    read = project.text("docs/decisions.md")
    if read.text is None:
        return found(Status.YOUR_JOB, read.problem or "docs/decisions.md")
    entries = text.decisions(read.text)
    complete = [heading for heading, own in entries if len(own) == len(text.TRADE_OFFS)]
    partial_ = [heading for heading, own in entries if own and heading not in complete]
    evidence = (
        f"docs/decisions.md: {len(complete)} of {len(entries)} own entries answer "
        "all three questions (the template's example does not count)"
    )
    if complete:
        return found(Status.DONE, evidence, f"latest: {complete[0]}")
    if partial_:
        return found(Status.STARTED, evidence, f"partly answered: {partial_[0]}")
    return found(Status.YOUR_JOB, evidence)


def walkthrough(project: Project, template_prompts: int = WALKTHROUGH_PROMPTS) -> Finding:
    """The walkthrough's template prompts are all replaced by the student's story."""
    read = project.text("docs/walkthrough.md")
    if read.text is None:
        return found(Status.YOUR_JOB, read.problem or "docs/walkthrough.md")
    left = text.prompts(read.text)
    evidence = f"docs/walkthrough.md: {left} of the template's {template_prompts} prompts left"
    if left == 0:
        return found(Status.DONE, evidence)
    if left < template_prompts:
        return found(Status.STARTED, evidence)
    return found(Status.YOUR_JOB, evidence)


def beats_baseline(project: Project) -> Finding:
    """The model beats the trivial baseline on held-out data by the chosen margin."""
    margin = project.settings.baseline_margin
    metrics, problem = project.json(METRICS)
    if not isinstance(metrics, dict):
        return found(Status.YOUR_JOB, problem or f"{METRICS} is not an object", "run `make all`")
    try:
        name = str(metrics["primary_metric"])
        model = float(metrics["metrics"]["model"][name])
        baseline = float(metrics["metrics"]["baseline"][name])
        lower = bool(metrics.get("lower_is_better", False))
    except (KeyError, TypeError, ValueError):
        return found(Status.YOUR_JOB, f"{METRICS} lacks the primary metric of model and baseline")
    gain = (baseline - model) if lower else (model - baseline)
    relative = gain / abs(baseline) if baseline else (float("inf") if gain > 0 else 0.0)
    evidence = (
        f"{METRICS}: {name} {model:.4f} vs baseline {baseline:.4f} "
        f"({relative:+.0%}; margin {margin:.0%}: baseline_margin in configs/review.yaml)"
    )
    if relative < margin:
        return found(Status.YOUR_JOB, evidence)
    path, _ = raw_data_path(project)
    current = project.sha256(path) if path else None
    if current and metrics.get("data_sha256") not in (None, current):
        return found(Status.STARTED, evidence, f"but scored on other data than {path}: re-run")
    return found(Status.DONE, evidence)


def _ci_workflows(project: Project) -> list[str]:
    """The workflows that run the project's checks (`make test`, or pytest itself)."""
    workflows = project.files(".github/workflows/*.y*ml")
    for command in ("make test", "pytest"):
        running = [path for path in workflows if command in (project.text(path).text or "")]
        if running:
            return running
    return []


def ci(project: Project) -> Finding:
    """A CI workflow runs the checks on every push."""
    running = _ci_workflows(project)
    if not running:
        return found(Status.YOUR_JOB, "no workflow in .github/workflows runs the tests")
    return found(Status.DONE, f"{', '.join(running)} (they run the tests)")


def tests_pass(project: Project) -> Finding:
    """The tests pass: the last local pytest run, or `make test` under --run."""
    if project.ran_tests is not None:
        if project.ran_tests:
            return found(Status.DONE, "`make test` passed (--run)")
        last = project.test_output.strip().splitlines()[-1:] or ["no output"]
        return found(Status.YOUR_JOB, f"`make test` failed (--run): {last[0]}")
    nodeids, _ = project.json(".pytest_cache/v/cache/nodeids")
    if not isinstance(nodeids, list) or not nodeids:
        return found(Status.STARTED, "no local test run recorded: run `make test`, or review --run")
    failed, _ = project.json(".pytest_cache/v/cache/lastfailed")
    failures = len(failed) if isinstance(failed, dict) else 0
    if failures:
        return found(Status.YOUR_JOB, f"last pytest run (.pytest_cache): {failures} failed")
    return found(Status.DONE, f"last pytest run (.pytest_cache): {len(nodeids)} tests, none failed")


def data_card(project: Project) -> Finding:
    """The data card describes the student's data: no demo wording, no questions left."""
    read = project.text("docs/data-card.md")
    if read.text is None:
        return found(Status.YOUR_JOB, read.problem or "docs/data-card.md")
    demo = "**demo data**" in read.text
    left = text.prompts(read.text)
    evidence = (
        f"docs/data-card.md: {left} questions left"
        f"{', still describes the demo data' if demo else ''}"
    )
    if not demo and not left:
        return found(Status.DONE, evidence)
    if demo and left:
        return found(Status.YOUR_JOB, evidence)
    return found(Status.STARTED, evidence)


def model_card(project: Project) -> Finding:
    """The model card's metric table and its questions are filled in."""
    read = project.text("docs/model-card.md")
    if read.text is None:
        return found(Status.YOUR_JOB, read.problem or "docs/model-card.md")
    example_row = "*e.g." in read.text
    left = text.questions(read.text)
    evidence = (
        f"docs/model-card.md: {left} questions left"
        f"{', the metrics table holds only the example row' if example_row else ''}"
    )
    if not example_row and not left:
        return found(Status.DONE, evidence)
    if example_row and left:
        return found(Status.YOUR_JOB, evidence)
    return found(Status.STARTED, evidence)


CHECKS = [
    Check(
        "own-data",
        "I replaced the demo data with my own",
        "Your own problem and data, not the demo's",
        "docs/data-card.md",
        own_data,
    ),
    Check(
        "beats-baseline",
        "My model beats the trivial baseline on held-out data by the margin I chose",
        "Results good enough for the business requirement, shown against a baseline",
        "docs/model-card.md",
        beats_baseline,
    ),
    Check(
        "journal",
        "My journal shows my iterations, each with a line of why",
        "ONE project that shows iteration, with trial and error",
        "docs/journal.md",
        journal,
    ),
    Check(
        "decisions",
        "My decision log answers the three trade-off questions in my own words",
        "Justify the technique, its deployability and whether it is good enough",
        "docs/decisions.md",
        decision_log,
    ),
    Check(
        "walkthrough",
        "My walkthrough tells my story, no template prompts left",
        "A project walkthrough for the interview",
        "docs/walkthrough.md",
        walkthrough,
    ),
    Check(
        "data-card",
        "My data card describes my data",
        "Know your data: source, licence, biases",
        "docs/data-card.md",
        data_card,
    ),
    Check(
        "model-card",
        "My model card is filled in",
        "Success metrics tied to the business requirement",
        "docs/model-card.md",
        model_card,
    ),
    Check(
        "ci",
        "CI runs my checks on every push",
        "Deploy with the latest engineering tools and techniques",
        "docs/index.md",
        ci,
    ),
    Check(
        "tests",
        "My tests pass",
        "A real, working application, not a demo that breaks",
        "docs/index.md",
        tests_pass,
    ),
]
