"""A student's own messy CSV, end to end in every focus, by the generated project's own docs.

Each focus gets a lean project (the components its own-data path needs), the demo CSV
is replaced by a small generated survey with the troubles real data brings, the steps
of the generated data/README.md ("Plugging in your own CSV") are followed, and then
`make all`, `make test` and the focus's own commands run. Everything succeeds or stops
with a message naming the key to change, and every row of the CSV is accounted for.
"""

from __future__ import annotations

import csv
import json
import random
import re
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import (
    attempt,
    free_port,
    generate_copier,
    lock,
    project_env,
    run,
    server_answering,
)

pytestmark = pytest.mark.heavy

#: Components each focus's own-data path does not need (the rest of its preset stays).
LEAN: dict[str, list[str]] = {
    "modeling": ["notebooks", "devcontainer", "ensembles", "tracking", "research"],
    "product": ["notebooks", "devcontainer", "site", "feedback", "synthetic"],
    "data": ["notebooks", "devcontainer", "warehouse", "streaming", "dvc"],
    "architecture": [
        "devcontainer",
        "compose",
        "kubernetes",
        "retraining",
        "monitoring",
        "loadtest",
        "runbook",
    ],
}
CSV_NAME = "survey.csv"
TARGET = "outcome"
ROWS = 300
TYPO_ROW, MISSING_TARGET_ROW, DUPLICATED_ROW = 40, 11, 20


def write_messy_csv(path: Path, *, categorical: bool) -> int:
    """Write a small survey with real-world troubles; return its number of data rows.

    Integer-coded categories (region 1-6, code 6 rarer than 2%), a boolean, a numeric
    typo ('3O' for 30), missing values (every ninth `hours`, one target), a duplicated
    row and a column name with a slash. Without ``categorical`` it has numbers only.
    """
    rng = random.Random(7)
    header = ["age", "income/month", "hours"]
    header += [*(["region", "member"] if categorical else ["score"]), TARGET]
    rows = []
    for index in range(ROWS):
        age, income = rng.randint(18, 80), round(rng.uniform(500, 9000), 1)
        region = 6 if index % 97 == 5 else rng.randint(1, 5)
        signal = age / 80 + income / 9000 + (region % 3) * 0.3 + rng.uniform(-0.3, 0.3)
        outcome = "low" if signal < 0.9 else "mid" if signal < 1.4 else "high"
        row = [str(age), str(income), "" if index % 9 == 0 else str(round(rng.uniform(0, 60), 1))]
        row += (
            [str(region), rng.choice(["True", "False"])]
            if categorical
            else [str(round(rng.gauss(0, 1), 3))]
        )
        rows.append([*row, outcome])
    rows[TYPO_ROW][0] = "3O"
    rows[MISSING_TARGET_ROW][-1] = ""
    rows.append(list(rows[DUPLICATED_ROW]))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return len(rows)


def own_data_steps(root: Path) -> str:
    """The generated data/README.md's own-data section (what the student follows)."""
    text = (root / "data" / "README.md").read_text(encoding="utf-8")
    assert "## Plugging in your own CSV" in text
    return text.split("## Plugging in your own CSV", 1)[1]


def edit_yaml(root: Path, relative: str, *, merge: bool = False, **changes: Any) -> None:
    """Set keys of a config (with ``merge``, a mapping updates the one there), as in an editor."""
    path = root / relative
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for key, value in changes.items():
        kept = data.get(key)
        mapping = isinstance(kept, dict) and isinstance(value, dict)
        merged = {**kept, **value} if merge and mapping and kept is not None else None
        data[key] = value if merged is None else merged
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def follow_pipeline_steps(root: Path, steps: str, *, categorical: bool) -> None:
    """Steps 1 and 2: the CSV in data/raw/, and `data:` of configs/pipeline.yaml."""
    for key in ("data.raw_path", "data.target", "data.numeric_features"):
        assert f"`{key}`" in steps, f"data/README.md no longer names {key}"
    path = root / "configs" / "pipeline.yaml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["task"] = "classification"
    config["data"] = {
        "raw_path": f"data/raw/{CSV_NAME}",
        "target": TARGET,
        "numeric_features": ["age", "income/month", "hours"] + ([] if categorical else ["score"]),
        "categorical_features": ["region", "member"] if categorical else [],
    }
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")


def write_the_contract(root: Path, env: dict[str, str], steps: str) -> None:
    """Step 3: `make schema` writes configs/schema.yaml from the CSV, for review."""
    assert "`make schema`" in steps, "data/README.md no longer says to run make schema"
    run(["make", "schema"], root, env)
    assert "income/month" in (root / "configs" / "schema.yaml").read_text(encoding="utf-8")


def check_names_each_config(root: Path, env: dict[str, str], steps: str) -> list[str]:
    """`make check-configs` before step 3: each demo leftover named, and in the docs' list."""
    result = attempt(["make", "check-configs"], root, env, timeout=300)
    output = result.stdout + result.stderr
    found = set(re.findall(r"(configs/\w+\.yaml): ", output))
    named = sorted(found - {"configs/pipeline.yaml"})
    for config in named:
        assert f"`{config}`" in steps, f"{config} is checked but data/README.md step 3 omits it"
    return named


def rows_add_up(root: Path, written: int) -> None:
    """Every data row of the CSV is used (train, test) or quarantined with its reason."""
    manifest = json.loads((root / "data/processed/manifest.json").read_text(encoding="utf-8"))
    assert manifest["raw_rows"] == written
    left_out = manifest["quarantined_rows"] + manifest["dropped_missing_target"]
    assert manifest["train_rows"] + manifest["test_rows"] + left_out == written, manifest
    with (root / manifest["quarantine"]).open(encoding="utf-8") as handle:
        quarantined = list(csv.DictReader(handle))
    assert len(quarantined) == manifest["quarantined_rows"]
    reasons = " ".join(row["reason"] for row in quarantined)
    # the typo, the missing target and the duplicate: each row with its own reason
    assert "3O" in reasons
    assert f"{TARGET}: missing" in reasons
    assert "duplicate" in reasons


def own_data_project(
    tmp_path: Path, focus: str, *, categorical: bool
) -> tuple[Path, dict[str, str], str, int]:
    """A lean project of ``focus`` with the messy survey in place of the demo CSV, after
    the docs' steps 1-3 (pipeline.yaml, `make setup`, `make schema`).

    Returns the project, its environment, the docs' own-data section and the CSV's rows.
    """
    answers = {"focus": focus, "dropped_components": LEAN[focus]}
    root, env = generate_copier(tmp_path / focus, answers), project_env("3.11")
    steps = own_data_steps(root)
    written = write_messy_csv(root / "data/raw" / CSV_NAME, categorical=categorical)
    follow_pipeline_steps(root, steps, categorical=categorical)
    lock(root, env)
    run(["make", "setup"], root, env)
    write_the_contract(root, env, steps)
    return root, env, steps, written


def test_modeling_own_data_tunes_compares_and_gates(tmp_path: Path) -> None:
    # given a lean modeling project whose demo CSV is replaced by a messy survey
    # when the own-data steps are followed: pipeline.yaml, then what the check names
    root, env, steps, written = own_data_project(tmp_path, "modeling", categorical=True)
    assert check_names_each_config(root, env, steps) == ["configs/features.yaml"]
    edit_yaml(root, "configs/features.yaml", ratios=[["income/month", "hours"]], log=[])
    # then the pipeline, every check, tuning and the leaderboard run on it
    run(["make", "all"], root, env)
    rows_add_up(root, written)
    run(["make", "test"], root, env)
    run(["make", "tune", "TRIALS=2"], root, env)
    run(["make", "compare"], root, env)
    # and the first gate on this data prints the reference to commit, not a "regression"
    gate = attempt(["make", "quality-gate"], root, env)
    message = " ".join((gate.stdout + gate.stderr).split())
    assert gate.returncode != 0
    assert "regressed" not in message
    reference = re.search(r"`reference: ([\d.]+)`", message)
    assert reference is not None, message
    assert f"`data: data/raw/{CSV_NAME}`" in message
    edit_yaml(
        root, "configs/quality.yaml", reference=float(reference[1]), data=f"data/raw/{CSV_NAME}"
    )
    run(["make", "quality-gate"], root, env)


def test_product_own_data_without_a_category_runs_fairness_and_the_app(tmp_path: Path) -> None:
    # given a lean product project and a CSV with no categorical column at all
    root, env, steps, written = own_data_project(tmp_path, "product", categorical=False)
    # when the check runs, then the demo's group, class and wording are named, with the fix
    named = check_names_each_config(root, env, steps)
    assert named == ["configs/app.yaml", "configs/fairness.yaml"]
    result = attempt(["make", "check-configs"], root, env)
    message = " ".join((result.stdout + result.stderr).split())
    assert "`group: null` when the data has no attribute to group by" in message
    assert "with `bins:` cut points" in message
    # when the docs' way out is taken: a numeric attribute cut into groups, and the target
    assert "`bins:`" in steps
    assert "`group: null`" in steps
    edit_yaml(root, "configs/fairness.yaml", group="age", bins=[40, 60], positive_class="high")
    edit_yaml(root, "configs/app.yaml", target=TARGET, title="Survey outcome", subject="answer")
    # then the pipeline, every check, the bias analysis and the app's tests pass
    run(["make", "all"], root, env)
    rows_add_up(root, written)
    run(["make", "test"], root, env)
    fairness = run(["make", "fairness"], root, env)
    assert "largest gaps across age" in fairness
    report = (root / "docs" / "bias.md").read_text(encoding="utf-8")
    assert "Grouping attribute: **age**" in report
    assert "age < 40" in report
    # and with no group attribute at all, the bias section says what was not measured
    edit_yaml(root, "configs/fairness.yaml", group=None, bins=[])
    run(["make", "fairness"], root, env)
    report = (root / "docs" / "bias.md").read_text(encoding="utf-8")
    assert "**Not measured:**" in report


def test_data_own_data_validates_and_ingests(tmp_path: Path) -> None:
    # given a lean data project and the messy survey
    root, env, steps, written = own_data_project(tmp_path, "data", categorical=True)
    named = check_names_each_config(root, env, steps)
    assert "configs/sanity.yaml" in named
    # when the docs' step 4 is followed for this focus's configs: the ranges of the survey
    assert "`max_missing_share`" in steps
    edit_yaml(
        root,
        "configs/sanity.yaml",
        ranges={"age": [0, 120], "income/month": [0, 20000], "hours": [0, 80]},
        class_share={"min": 0.05, "max": 0.9},
    )
    # then the check names the missing `hours` (every ninth row) and the bound to write
    check = attempt(["make", "check-configs"], root, env, timeout=300)
    message = " ".join((check.stdout + check.stderr).split())
    assert check.returncode != 0
    assert "configs/sanity.yaml: max_missing_share: 0.05" in message
    bound = re.search(r"miss more in hours [\d.]+%; write `max_missing_share: ([\d.]+)`", message)
    assert bound is not None, message
    edit_yaml(root, "configs/sanity.yaml", max_missing_share=float(bound[1]))
    assert "`configs/validation.yaml`" in steps
    edit_yaml(
        root,
        "configs/validation.yaml",
        merge=True,
        anomaly={"reference": f"data/raw/{CSV_NAME}", "group_by": TARGET},
    )
    # then the pipeline, every check, a fresh ingestion and the validation run
    run(["make", "all"], root, env)
    rows_add_up(root, written)
    configs = {path.name: path.read_bytes() for path in (root / "configs").glob("*.yaml")}
    run(["make", "test"], root, env)
    # and `make test` leaves the student's configs as they were
    after = {path.name: path.read_bytes() for path in (root / "configs").glob("*.yaml")}
    assert [name for name in configs if after.get(name) != configs[name]] == []
    assert "make ingest FRESH=1" in steps
    run(["make", "ingest", "FRESH=1"], root, env)
    validated = run(["make", "validate"], root, env)
    # and the CSV's duplicated row, copied to its end and so cut into the last batch, is
    # counted and quarantined as the duplicate of the row the first batch put in the lake
    last = re.search(
        r"validate: (batch-004-\w+): (\d+) rows in = (\d+) accepted \+ (\d+) quarantined "
        r"\(1 duplicates\)",
        validated,
    )
    assert last is not None, validated
    rows_in, accepted, quarantined = map(int, last.groups()[1:])
    assert rows_in == accepted + quarantined
    query = f"SELECT reason FROM 'data/lake/quarantine/{last[1]}.parquet'"
    reasons = run(
        ["uv", "run", "python", "-c", f"import duckdb; print(duckdb.sql({query!r}).fetchall())"],
        root,
        env,
    )
    first = rf"duplicate of record {DUPLICATED_ROW + 1} of batch batch-001-\w+"
    assert re.search(first, reasons), reasons


def test_architecture_own_data_serves_a_prediction(tmp_path: Path) -> None:
    # given a lean architecture project trained on the messy survey
    root, env, steps, written = own_data_project(tmp_path, "architecture", categorical=True)
    assert check_names_each_config(root, env, steps) == []
    run(["make", "all"], root, env)
    rows_add_up(root, written)
    run(["make", "test"], root, env)
    # when `make serve` runs and a record of the survey is posted
    port = free_port()
    command = ["make", "serve", f"API_PORT={port}"]
    record = {"age": 30, "income/month": 2500.0, "hours": 12.5, "region": 2, "member": "True"}
    with server_answering(command, root, env, f"http://127.0.0.1:{port}") as url:
        request = urllib.request.Request(
            f"{url}/v1/predict",
            data=json.dumps(record).encode(),
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                answer = json.loads(response.read())
        except urllib.error.HTTPError as error:
            pytest.fail(f"POST /v1/predict {record} answered {error.code}: {error.read()!r}")
    # then it answers with one of the survey's classes
    assert answer["prediction"] in {"low", "mid", "high"}, answer
