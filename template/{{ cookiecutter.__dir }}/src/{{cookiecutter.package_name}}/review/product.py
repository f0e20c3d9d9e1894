"""Checks of the product focus: the site, feedback, synthetic vs real accuracy, bias, the demo."""

from .core import Check, Finding, Project, Status, found

PAGE = "docs/product.md"
SCREENSHOT = "docs/assets/demo.png"
PNG = b"\x89PNG"


def site_built(project: Project) -> Finding:
    """The product page is filled from the reports (`make site`), and none of it is stale."""
    read = project.text(PAGE)
    if read.text is None:
        return found(Status.YOUR_JOB, read.problem or PAGE)
    if "<!-- site:results:start -->" not in read.text:
        return found(Status.YOUR_JOB, f"{PAGE} has no results block")
    results = read.text.split("<!-- site:results:start -->", 1)[1].split("<!--", 1)[0]
    if "No results yet" in results:
        return found(Status.YOUR_JOB, f"{PAGE}: no results yet", "run `make site`")
    if "Stale:" in read.text:
        return found(Status.STARTED, f"{PAGE}: filled, but says Stale:", "run `make site` again")
    return found(Status.DONE, f"{PAGE}: results filled from the reports")


def feedback_used(project: Project) -> Finding:
    """Feedback was collected and a retrain used it (reports/feedback.json)."""
    report, problem = project.json("reports/feedback.json")
    if not isinstance(report, dict):
        return found(Status.YOUR_JOB, problem, "run `make retrain-feedback`")
    rows = report.get("feedback_rows")
    evidence = (
        f"reports/feedback.json: {rows} feedback rows, {report.get('metric')} "
        f"{report.get('before')} → {report.get('after')}"
    )
    if isinstance(rows, int) and rows > 0:
        return found(Status.DONE, evidence)
    return found(Status.STARTED, evidence)


def synthetic_and_real(project: Project) -> Finding:
    """Synthetic and real held-out accuracy are reported side by side."""
    report, problem = project.json("reports/synthetic.json")
    if not isinstance(report, dict):
        return found(Status.YOUR_JOB, problem, "run `make synthetic`")
    metric = report.get("metric")
    synthetic, real = report.get("synthetic"), report.get("real")
    try:
        evidence = (
            f"reports/synthetic.json: {metric} synthetic {float(synthetic[metric]):.4f} "  # type: ignore[index]
            f"vs real {float(real[metric]):.4f}"  # type: ignore[index]
        )
    except (TypeError, KeyError, ValueError):
        return found(Status.YOUR_JOB, "reports/synthetic.json lacks the synthetic or real score")
    return found(Status.DONE, evidence)


def bias_mitigation(project: Project) -> Finding:
    """The bias report compares the groups before and after a mitigation."""
    report, problem = project.json("reports/fairness.json")
    if not isinstance(report, dict):
        return found(Status.YOUR_JOB, problem, "run `make fairness`")
    group = report.get("group")
    if not report.get("mitigated_disparity"):
        return found(Status.STARTED, f"reports/fairness.json: groups by {group}, no mitigation")
    verdict = report.get("verdict") or {}
    summary = ", ".join(f"{k} {v}" for k, v in verdict.items()) if isinstance(verdict, dict) else ""
    return found(Status.DONE, f"reports/fairness.json: by {group}, mitigation: {summary}")


def screenshot_fresh(project: Project) -> Finding:
    """The browser test's screenshot is newer than the model it shows."""
    if not project.exists(SCREENSHOT):
        return found(Status.YOUR_JOB, f"{SCREENSHOT} is missing", "run `make e2e`")
    try:
        with (project.root / SCREENSHOT).open("rb") as handle:
            is_png = handle.read(4) == PNG
    except OSError:
        is_png = False
    if not is_png:
        return found(Status.YOUR_JOB, f"{SCREENSHOT} is not a PNG image")
    taken, trained = project.mtime(SCREENSHOT), project.mtime("models/model.joblib")
    if taken is not None and trained is not None and taken < trained:
        return found(Status.STARTED, f"{SCREENSHOT} is older than models/model.joblib")
    return found(Status.DONE, f"{SCREENSHOT}: a PNG newer than the model")


CHECKS = [
    Check(
        "site",
        "My product site shows my results",
        "A website: which problem, why you built it, how",
        "docs/product.md",
        site_built,
        needs="docs/product.md",
        component="site",
    ),
    Check(
        "demo-screenshot",
        "My demo's browser test passes and its screenshot is fresh",
        "Demonstrate how the product works to anybody; extra time testing it",
        "docs/product.md",
        screenshot_fresh,
        needs="configs/app.yaml",
        component="app",
    ),
    Check(
        "feedback",
        "Feedback was collected and used by a retrain",
        "A feedback loop that improves the original trained model",
        "docs/product.md",
        feedback_used,
        needs="mk/feedback.mk",
        component="feedback",
    ),
    Check(
        "synthetic",
        "I report synthetic and real accuracy side by side",
        "Show both the synthetic and real life accuracy of your model",
        "docs/product.md",
        synthetic_and_real,
        needs="mk/synthetic.mk",
        component="synthetic",
    ),
    Check(
        "bias",
        "My bias report shows a mitigation, before and after",
        "Recognise the biases your system might have, and address them",
        "docs/bias.md",
        bias_mitigation,
        needs="configs/fairness.yaml",
        component="fairness",
    ),
]
