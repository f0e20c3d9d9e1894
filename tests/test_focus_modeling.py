"""The modeling focus delivers what issue 4 promises, checked with the project's own commands."""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path

import pytest
from conftest import Built, run, variant_params

pytestmark = pytest.mark.heavy

MODELING = variant_params("modeling")
FAMILIES = {
    "logistic_regression",
    "knn",
    "random_forest",
    "hist_gradient_boosting",
    "lightgbm",
    "mlp",
}

MLFLOW_CHECK = """
import json, mlflow
mlflow.set_tracking_uri("sqlite:///mlflow.db")
client = mlflow.MlflowClient()
experiment = client.get_experiment_by_name("zoo")
runs = client.search_runs([experiment.experiment_id], max_results=5000)
kinds = {}
for each in runs:
    kinds[each.data.tags.get("kind")] = kinds.get(each.data.tags.get("kind"), 0) + 1
champion = client.get_model_version_by_alias("champion-model", "champion")
model = mlflow.sklearn.load_model("models:/champion-model@champion")
print(json.dumps({"kinds": kinds, "version": champion.version, "steps": list(model.named_steps)}))
"""


def _script_name(root: Path) -> str:
    """The project's console script, from its pyproject.toml."""
    text = (root / "pyproject.toml").read_text(encoding="utf-8")
    section = text.split("[project.scripts]", 1)[1]
    return section.strip().split(" = ", 1)[0].strip()


@pytest.mark.parametrize("built", MODELING, indirect=True)
def test_tune_compare_track_and_gate(built: Built) -> None:
    root = built.root
    # when a small tuning budget runs through make
    run(["make", "tune", "TRIALS=2"], root, built.env)
    # then every family has a study in SQLite and its best parameters on disk
    tuned = json.loads((root / "models" / "tuned.json").read_text(encoding="utf-8"))
    assert set(tuned) == FAMILIES
    assert all(record["trials"] + record["pruned"] >= 1 for record in tuned.values())
    assert (root / "models" / "optuna.db").stat().st_size > 0
    # and a second run resumes the same study
    run(
        ["uv", "run", "--no-sync", _script_name(root), "tune", "--family", "knn", "--trials", "1"],
        root,
        built.env,
    )
    again = json.loads((root / "models" / "tuned.json").read_text(encoding="utf-8"))
    assert again["knn"]["trials"] + again["knn"]["pruned"] == 3

    # when the leaderboard is built
    output = run(["make", "compare"], root, built.env)
    assert "beats the baseline" in output
    # then it lists every family untuned and tuned, the ensembles and the baseline
    with (root / "reports" / "leaderboard.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    variants = {(row["family"], row["variant"]) for row in rows}
    assert {(family, "untuned") for family in FAMILIES} <= variants
    assert {(family, "tuned") for family in FAMILIES} <= variants
    assert {("stacking", "ensemble"), ("voting", "ensemble"), ("dummy", "baseline")} <= variants
    for row in rows:
        assert float(row["ci_low"]) <= float(row["cv_mean"]) <= float(row["ci_high"])
    summary = json.loads((root / "reports" / "leaderboard.json").read_text(encoding="utf-8"))
    assert summary["beats_baseline"] is True
    figures = root / "reports" / "figures"
    for name in ("leaderboard", "learning_curve", "calibration", "permutation_importance"):
        assert (figures / f"{name}.png").read_bytes().startswith(b"\x89PNG"), name
    assert "## Champion" in (root / "reports" / "leaderboard.md").read_text(encoding="utf-8")

    # and the MLflow store holds the trials, the candidates and the registered champion
    store = json.loads(
        run(["uv", "run", "--no-sync", "python", "-c", MLFLOW_CHECK], root, built.env)
        .strip()
        .splitlines()[-1]
    )
    assert store["kinds"]["trial"] >= 2 * len(FAMILIES)
    assert store["kinds"]["candidate"] == len(rows)
    assert store["kinds"]["compare"] == 1
    assert store["steps"] == ["features", "model"]
    # and the journal has one entry per experiment
    journal = (root / "docs" / "journal.md").read_text(encoding="utf-8")
    assert journal.count("tune:") >= 2
    assert "compare: champion" in journal
    # and the model-quality gate passes on the committed reference
    assert "quality-gate: passed" in run(["make", "quality-gate"], root, built.env)


@pytest.mark.parametrize("built", MODELING, indirect=True)
def test_bad_modeling_configs_are_named_before_training(built: Built, tmp_path: Path) -> None:
    root = built.root
    name = _script_name(root)
    models = (root / "configs" / "models.yaml").read_text(encoding="utf-8")
    cases = {
        "models": (
            models.replace("n_neighbors: {type: int", "n_neighbours: {type: int"),
            "families.knn.search.n_neighbours: not a parameter of knn "
            "(did you mean 'n_neighbors'?)",
        ),
        "tuning": ("trails: 3\n", "trails: unknown key (did you mean 'trials'?)"),
        "leaderboard": ("folds: 1\n", "folds: Input should be greater than or equal to 2"),
    }
    for option, (text, expected) in cases.items():
        # given one config with a mistake
        path = tmp_path / f"{option}.yaml"
        path.write_text(text, encoding="utf-8")
        command = "tune" if option in {"models", "tuning"} else "compare"
        # when the command runs with it
        result = subprocess.run(
            ["uv", "run", "--no-sync", name, command, f"--{option}", str(path), "--trials", "1"]
            if command == "tune"
            else ["uv", "run", "--no-sync", name, command, f"--{option}", str(path)],
            cwd=root,
            env=built.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        # then it stops with exit code 2 and names the file and the key
        assert result.returncode == 2, result.stdout + result.stderr
        assert expected in result.stderr
        assert str(path) in result.stderr
        assert "Traceback" not in result.stderr
