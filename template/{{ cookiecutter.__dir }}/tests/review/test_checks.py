"""Each check turns from "your job" to "done" when the student's work is in the files."""

import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from {{ cookiecutter.package_name }}.review import architecture, common, data, modeling, product
from {{ cookiecutter.package_name }}.review.core import Project, Status

Write = Callable[[str, str | bytes], Path]
MakeProject = Callable[..., Project]

PIPELINE = "data:\n  raw_path: data/raw/mine.csv\n"
DECISION = """# Decision log

## Template

```markdown
## YYYY-MM-DD: <the decision>

**Which technique best applies?** Why this option fits.
```

## 2026-02-01: Gradient boosting over the linear model

**Which technique best applies?** Boosted trees capture the interactions between bill
depth and mass.

**How easily can it be deployed?** {deploy}

**Is it good enough for the business requirement?** Recall 0.93 against the 0.9 we
agreed with the rangers.

## 2026-01-01: Start with a logistic regression baseline

*An example entry, filled in for the demo data.*

**Which technique best applies?** A linear model on a few clean, mostly numeric
measurements.

**How easily can it be deployed?** Very easily: a few kilobytes of coefficients.

**Is it good enough for the business requirement?** To be answered with numbers: write
the requirement.
"""


def _entry(day: int, change: str = "first entry for `train`", why: str = "") -> str:
    """A journal entry as `make train` writes it, with the student's why when given."""
    lines = [
        "",
        f"## 2026-01-0{day} 10:00:00 UTC — logistic_regression",
        "",
        "Changes since the previous `train` entry:",
        "",
        f"- {change}",
        "",
        "| metric | value |",
        "| --- | --- |",
        "| cross-validated accuracy (5 folds) | 0.9 ± 0.01 |",
        "",
        '<!-- entry: {"command": "train"} -->',
        "<!-- config: {} -->",
        "",
    ]
    return "\n".join(lines) + (f"\n{why}\n" if why else "")


def test_own_data_is_done_when_the_checksum_differs_from_the_demo(
    write: Write, project: MakeProject
) -> None:
    # given the pipeline reading a CSV whose checksum is the demo's
    write("configs/pipeline.yaml", PIPELINE)
    demo = write("data/raw/mine.csv", "a,b\n1,2\n")
    demo_sha = frozenset({hashlib.sha256(demo.read_bytes()).hexdigest()})
    assert common.own_data(project(), demo_sha).status is Status.YOUR_JOB
    # when the student puts other data there
    write("data/raw/mine.csv", "a,b\n1,3\n")
    # then the check is done, and the evidence names the file
    finding = common.own_data(project(), demo_sha)
    assert finding.status is Status.DONE
    assert "data/raw/mine.csv" in finding.evidence[0]


def test_the_journal_needs_enough_entries_each_with_a_why(
    write: Write, project: MakeProject
) -> None:
    # given three entries the pipeline wrote, no why under them
    write("docs/journal.md", "# Iteration journal\n" + "".join(_entry(d) for d in (1, 2, 3)))
    assert common.journal(project(journal_entries=3)).status is Status.YOUR_JOB
    # when the student explains one, then all three
    write(
        "docs/journal.md",
        "# Iteration journal\n"
        + _entry(1, why="Expected scaling to help; it did.")
        + _entry(2)
        + _entry(3),
    )
    assert common.journal(project(journal_entries=3)).status is Status.STARTED
    whys = "".join(_entry(d, why=f"Why {d}: the split was leaking.") for d in (1, 2, 3))
    write("docs/journal.md", "# Iteration journal\n" + whys)
    finding = common.journal(project(journal_entries=3))
    # then it is done, with the count as evidence
    assert finding.status is Status.DONE
    assert "3 entries, 3 with a why" in finding.evidence[0]


def test_the_decision_log_counts_only_the_students_own_answers(
    write: Write, project: MakeProject
) -> None:
    # given the template's example and a decision missing its deployment answer
    write("docs/decisions.md", DECISION.format(deploy="Small."))
    assert common.decision_log(project()).status is Status.STARTED
    template, example = (
        DECISION.split("## 2026-02-01", maxsplit=1)[0],
        DECISION.split("## 2026-01-01")[1],
    )
    write("docs/decisions.md", f"{template}## 2026-01-01{example}")
    assert common.decision_log(project()).status is Status.YOUR_JOB
    # when all three questions are answered in the student's words
    write("docs/decisions.md", DECISION.format(deploy="One 2 MB file, 3 ms per request on a CPU."))
    finding = common.decision_log(project())
    # then it is done, and the example still does not count
    assert finding.status is Status.DONE
    assert "1 of 1 own entries" in finding.evidence[0]


def test_the_walkthrough_is_done_when_no_prompt_is_left(write: Write, project: MakeProject) -> None:
    prompts = "".join(f"- *Question {n}?*\n" for n in range(3))
    write("docs/walkthrough.md", f"# Walkthrough\n\n## 1. The problem\n\n{prompts}")
    assert common.walkthrough(project(), template_prompts=3).status is Status.YOUR_JOB
    write("docs/walkthrough.md", "## 1. The problem\n\n- Rangers count penguins by hand.\n- *Q?*\n")
    assert common.walkthrough(project(), template_prompts=3).status is Status.STARTED
    write("docs/walkthrough.md", "## 1. The problem\n\n- Rangers count penguins by hand.\n")
    assert common.walkthrough(project(), template_prompts=3).status is Status.DONE


def test_the_model_must_beat_the_baseline_by_the_chosen_margin(
    write: Write, project: MakeProject
) -> None:
    # given held-out metrics 0.70 against a baseline of 0.60 (about 17 % better)
    write("configs/pipeline.yaml", PIPELINE)
    sha = hashlib.sha256(write("data/raw/mine.csv", "a\n1\n").read_bytes()).hexdigest()
    metrics = {
        "primary_metric": "accuracy",
        "lower_is_better": False,
        "metrics": {"model": {"accuracy": 0.70}, "baseline": {"accuracy": 0.60}},
        "data_sha256": sha,
    }
    write("reports/metrics.json", json.dumps(metrics))
    # then a 20 % margin is not met and a 10 % one is
    assert common.beats_baseline(project(baseline_margin=0.2)).status is Status.YOUR_JOB
    assert common.beats_baseline(project(baseline_margin=0.1)).status is Status.DONE
    # and metrics of other data than the configured file are only a start
    write("data/raw/mine.csv", "a\n2\n")
    assert common.beats_baseline(project(baseline_margin=0.1)).status is Status.STARTED
    # and an error metric counts lower as better
    metrics |= {"primary_metric": "rmse", "lower_is_better": True}
    metrics["metrics"] = {"model": {"rmse": 8.0}, "baseline": {"rmse": 10.0}}
    metrics.pop("data_sha256")
    write("reports/metrics.json", json.dumps(metrics))
    assert common.beats_baseline(project(baseline_margin=0.1)).status is Status.DONE


def test_ci_and_tests_read_the_workflows_and_the_last_pytest_run(
    write: Write, project: MakeProject
) -> None:
    # given no workflow and no test run
    assert common.ci(project()).status is Status.YOUR_JOB
    assert common.tests_pass(project()).status is Status.STARTED
    # when a workflow runs `make test` and the last run recorded a failure
    write(".github/workflows/ci.yml", "jobs:\n  t:\n    steps:\n      - run: make test\n")
    write(".pytest_cache/v/cache/nodeids", json.dumps(["tests/test_a.py::test_a"]))
    write(".pytest_cache/v/cache/lastfailed", json.dumps({"tests/test_a.py::test_a": True}))
    # then CI is done and the tests are the student's job
    assert common.ci(project()).status is Status.DONE
    assert common.tests_pass(project()).status is Status.YOUR_JOB
    # and once they pass, both are done
    write(".pytest_cache/v/cache/lastfailed", "{}")
    assert common.tests_pass(project()).status is Status.DONE


def test_the_cards_are_done_when_their_prompts_are_answered(
    write: Write, project: MakeProject
) -> None:
    write("docs/data-card.md", "This card describes the **demo data**.\n\n- *Who collected it?*\n")
    write("docs/model-card.md", "| *e.g. macro F1* | | |\n\n- *What harm could it cause?*\n")
    assert common.data_card(project()).status is Status.YOUR_JOB
    assert common.model_card(project()).status is Status.YOUR_JOB
    write("docs/data-card.md", "Counts from the 2025 ranger survey, CC-BY.\n")
    write("docs/model-card.md", "| recall | 0.80 | 0.93 | 0.90 |\n\nA missed nest costs a visit.\n")
    assert common.data_card(project()).status is Status.DONE
    assert common.model_card(project()).status is Status.DONE


def test_ingestion_counts_batches_not_cut_from_the_demo(write: Write, project: MakeProject) -> None:
    demo = {"b1": {"file": "b1.csv", "cut_from": {"path": "data/raw/penguins.csv"}}}
    write("data/lake/raw/manifest.json", json.dumps({"batches": demo}))
    assert data.ingested_beyond_demo(project()).status is Status.STARTED
    mine = demo | {"b2": {"file": "survey.csv", "source": "data/landing/survey.csv"}}
    write("data/lake/raw/manifest.json", json.dumps({"batches": mine}))
    assert data.ingested_beyond_demo(project()).status is Status.DONE


def test_quality_needs_a_report_with_quarantine_reasons(write: Write, project: MakeProject) -> None:
    manifest = {"b1": {"rows_in": 10, "accepted": 10, "quarantined": 0, "status": "validated"}}
    write("data/lake/validated/manifest.json", json.dumps(manifest))
    write("reports/quality/b1.md", "# b1\n\nAll rows passed.\n")
    assert data.quality_report(project()).status is Status.STARTED
    manifest["b2"] = {"rows_in": 10, "accepted": 8, "quarantined": 2, "status": "validated"}
    write("data/lake/validated/manifest.json", json.dumps(manifest))
    write("reports/quality/b2.md", "| record | reason |\n| 3 | body_mass_g out of range |\n")
    assert data.quality_report(project()).status is Status.DONE


def test_sanity_tests_must_outnumber_the_templates(write: Write, project: MakeProject) -> None:
    tests = "".join(f"def test_{n}() -> None:\n    assert True\n\n" for n in range(2))
    write("tests/sanity/test_processed_data.py", tests)
    assert data.sanity_tests(project(), template_tests=2).status is Status.YOUR_JOB
    write("tests/sanity/test_mine.py", "def test_no_negative_mass() -> None:\n    pass\n")
    assert data.sanity_tests(project(), template_tests=2).status is Status.DONE


def test_stream_spark_and_dvc_read_their_outputs(write: Write, project: MakeProject) -> None:
    assert data.stream_checkpoint(project()).status is Status.YOUR_JOB
    write("models/stream/checkpoint.joblib", b"\x80\x04binary")
    write("reports/stream.json", json.dumps({"events": 500, "accuracy": 0.91}))
    assert data.stream_checkpoint(project()).status is Status.DONE
    # a Parquet file starts with PAR1; anything else is not Spark's output
    write("data/warehouse/features-spark.parquet/part-0.parquet", b"CSV,not,parquet")
    assert data.spark_run(project()).status is Status.YOUR_JOB
    write("data/warehouse/features-spark.parquet/part-0.parquet", b"PAR1....PAR1")
    assert data.spark_run(project()).status is Status.DONE
    # dvc.lock matches the file it records, then the file changes
    csv = write("data/raw/mine.csv", "a\n1\n")
    md5 = hashlib.md5(csv.read_bytes(), usedforsecurity=False).hexdigest()
    lock = f"stages:\n  data:\n    deps:\n    - path: data/raw/mine.csv\n      md5: {md5}\n"
    write("dvc.lock", lock)
    assert data.dvc_reproducible(project()).status is Status.DONE
    write("data/raw/mine.csv", "a\n2\n")
    assert data.dvc_reproducible(project()).status is Status.STARTED


def test_modeling_checks_flip_with_the_students_runs(
    write: Write, project: MakeProject, tmp_path: Path
) -> None:
    record = {"params": {}, "best": 0.9, "trials": 20}
    write("models/tuned.json", json.dumps({"knn": record, "linear": record}))
    assert modeling.families_tuned(project(families=3)).status is Status.STARTED
    write("models/tuned.json", json.dumps(dict.fromkeys(("knn", "linear", "forest"), record)))
    assert modeling.families_tuned(project(families=3)).status is Status.DONE
    rows = [{"name": "knn", "variant": "tuned"}]
    write("reports/leaderboard.json", json.dumps({"champion": "knn", "rows": rows}))
    assert modeling.leaderboard_ensemble(project()).status is Status.STARTED
    rows.append({"name": "stacking", "variant": "ensemble"})
    write("reports/leaderboard.json", json.dumps({"champion": "stacking", "rows": rows}))
    assert modeling.leaderboard_ensemble(project()).status is Status.DONE
    write("src/pkg/models/family_mlp.py", '"""The template\'s MLP."""\n')
    assert modeling.research_slot(project()).status is Status.YOUR_JOB
    write("src/pkg/models/family_tabnet.py", '"""A TabNet family."""\n')
    assert modeling.research_slot(project()).status is Status.DONE
    features = _entry(2, change="`features.scale_numeric`: true → false")
    write("docs/journal.md", _entry(1) + features)
    assert modeling.feature_work(project()).status is Status.STARTED
    write("docs/journal.md", _entry(1) + features + "\nScaling did not matter for trees.\n")
    assert modeling.feature_work(project()).status is Status.DONE
    # the champion alias in an MLflow registry (read only, nothing imported)
    write("configs/tracking.yaml", "tracking_uri: sqlite:///mlflow.db\n")
    with sqlite3.connect(tmp_path / "mlflow.db") as db:
        db.execute("CREATE TABLE registered_model_aliases (alias TEXT, version INT, name TEXT)")
    db.close()
    assert modeling.champion_registered(project()).status is Status.YOUR_JOB
    with sqlite3.connect(tmp_path / "mlflow.db") as db:
        db.execute("INSERT INTO registered_model_aliases VALUES ('champion', 2, 'model')")
    db.close()
    assert modeling.champion_registered(project()).status is Status.DONE


def test_architecture_checks_flip_with_the_students_runs(
    write: Write, project: MakeProject
) -> None:
    write("reports/performance.md", "| /v1/predict | 1,200 req/s |\n")
    assert architecture.performance_figures(project()).status is Status.STARTED
    write(
        "reports/performance.md",
        "| /v1/predict | 1,200 req/s |\n| p50 / p99 latency | 3.1 / 9.8 ms |\n"
        "training on 275 rows took 0.42 s\n",
    )
    assert architecture.performance_figures(project()).status is Status.DONE
    kustomization = "resources:\n  - deployment.yaml\n"
    for overlay in architecture.OVERLAYS:
        write(f"{overlay}/kustomization.yaml", kustomization)
        write(f"{overlay}/deployment.yaml", "apiVersion: apps/v1\nkind: Deployment\n")
    assert architecture.manifests(project()).status is Status.DONE
    write("deploy/prod/deployment.yaml", "apiVersion: apps/v1\nkind: [unclosed\n")
    finding = architecture.manifests(project())
    assert finding.status is Status.YOUR_JOB
    assert "deploy/prod/deployment.yaml is not valid YAML" in finding.evidence
    assert architecture.drift_report(project()).status is Status.YOUR_JOB
    write("reports/drift.json", json.dumps({"records": 500, "drifted": True}))
    assert architecture.drift_report(project()).status is Status.DONE
    assert architecture.retrain_run(project()).status is Status.YOUR_JOB
    write("reports/retrain.json", json.dumps({"finished_at": "2026-03-01", "promoted": True}))
    assert architecture.retrain_run(project()).status is Status.DONE


def test_product_checks_flip_with_the_students_runs(write: Write, project: MakeProject) -> None:
    write(
        "docs/product.md", "<!-- site:results:start -->\nNo results yet.\n<!-- site:results:end -->"
    )
    assert product.site_built(project()).status is Status.YOUR_JOB
    write("docs/product.md", "<!-- site:results:start -->\n| f1 | 0.9 |\n<!-- site:results:end -->")
    assert product.site_built(project()).status is Status.DONE
    write("reports/feedback.json", json.dumps({"feedback_rows": 0, "metric": "f1"}))
    assert product.feedback_used(project()).status is Status.STARTED
    write("reports/feedback.json", json.dumps({"feedback_rows": 12, "metric": "f1"}))
    assert product.feedback_used(project()).status is Status.DONE
    write("reports/synthetic.json", json.dumps({"metric": "f1", "synthetic": {"f1": 0.8}}))
    assert product.synthetic_and_real(project()).status is Status.YOUR_JOB
    both = {"metric": "f1", "synthetic": {"f1": 0.8}, "real": {"f1": 0.9}}
    write("reports/synthetic.json", json.dumps(both))
    assert product.synthetic_and_real(project()).status is Status.DONE
    write("reports/fairness.json", json.dumps({"group": "sex", "mitigated_disparity": None}))
    assert product.bias_mitigation(project()).status is Status.STARTED
    mitigated = {"group": "sex", "mitigated_disparity": {"f1": 0.01}, "verdict": {"f1": "narrowed"}}
    write("reports/fairness.json", json.dumps(mitigated))
    assert product.bias_mitigation(project()).status is Status.DONE
    # a screenshot older than the model is stale; a new one is fresh
    model = write("models/model.joblib", b"model")
    shot = write("docs/assets/demo.png", b"\x89PNG....")
    past = time.time() - 3600
    os.utime(shot, (past, past))
    assert product.screenshot_fresh(project()).status is Status.STARTED
    os.utime(model, (past - 60, past - 60))
    assert product.screenshot_fresh(project()).status is Status.DONE
