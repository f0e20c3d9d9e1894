"""`review` on each focus: the template's items are done, the student's are "your job"."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import FOCUSES, VARIANTS, Built, generate_copier, run, variant_params

pytestmark = pytest.mark.heavy

COMMON = {
    "own-data": "your job",
    "beats-baseline": "done",
    "journal": "your job",
    "decisions": "your job",
    "walkthrough": "your job",
    "data-card": "your job",
    "model-card": "your job",
    "ci": "done",
    "tests": "started",
}
FRESH = {
    "data": {
        "ingestion": "your job",
        "quality-report": "your job",
        "sanity-tests": "your job",
        "stream": "your job",
        "spark": "your job",
        "dvc": "your job",
    },
    "modeling": {
        "features": "your job",
        "tuning": "your job",
        "leaderboard": "your job",
        "champion": "your job",
        "research": "your job",
    },
    "architecture": {
        "performance": "your job",
        "manifests": "done",
        "drift": "your job",
        "retrain": "your job",
    },
    "product": {
        "site": "your job",
        "demo-screenshot": "your job",
        "feedback": "your job",
        "synthetic": "your job",
        "bias": "your job",
    },
}


@pytest.mark.parametrize("built", variant_params(*FOCUSES), indirect=True)
def test_a_fresh_project_reports_the_templates_items_done_and_the_students_as_your_job(
    built: Built, tmp_path: Path
) -> None:
    # given a freshly generated project of the focus, with the metrics `make all` wrote
    # (other tests run more commands in the built project: its copy would not be fresh)
    focus = str(VARIANTS[built.root.name]["focus"])
    fresh = generate_copier(tmp_path / "fresh", VARIANTS[built.root.name])
    (fresh / "reports").mkdir(exist_ok=True)
    shutil.copy(built.root / "reports" / "metrics.json", fresh / "reports" / "metrics.json")
    # when the built project's CLI reviews it, as a mentor reviews a checkout
    # (`make review`'s fast path: the review command without the CLI's pipeline imports)
    (package,) = [p.parent.parent.name for p in (built.root / "src").glob("*/review/run.py")]
    command = ["uv", "run", "python", "-m", f"{package}.review", str(fresh)]
    output = run([*command, "--out", str(tmp_path / "out")], built.root, built.env)
    # then every check of its focus has exactly the expected status
    review = json.loads((tmp_path / "out" / "review.json").read_text(encoding="utf-8"))
    assert review["focus"] == focus
    assert review["focus_source"] == ".copier-answers.yml"
    statuses = {check["id"]: check["status"] for check in review["checks"]}
    assert statuses == COMMON | FRESH[focus]
    # and each check carries its title, expectation, a doc that exists, and evidence
    for check in review["checks"]:
        assert all(check[key] for key in ("title", "expectation", "evidence")), check
        assert (fresh / check["doc"]).is_file(), check["doc"]
    # and the badge counts the done ones; nothing was written into the reviewed project
    badge = json.loads((tmp_path / "out" / "review-badge.json").read_text(encoding="utf-8"))
    done = list(statuses.values()).count("done")
    assert badge["message"] == f"{done}/{len(statuses)}"
    assert not (fresh / "reports" / "review.json").exists()
    assert "<!-- review:start -->\nNo review yet" in (fresh / "docs/checklist.md").read_text(
        "utf-8"
    )
    assert f"{done}/{len(statuses)} done" in output
