"""The command line: the whole pipeline end to end, and readable failures with exit code 2."""

import json
import runpy
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from {{ cookiecutter.package_name }} import (
    PROG,
    __version__,
    cli,
)
from {{ cookiecutter.package_name }}.cli import app
from {{ cookiecutter.package_name }}.tasks import Task

WriteConfig = Callable[[dict[str, Any]], Path]
runner = CliRunner()

#: Libraries slow to import (scikit-learn alone takes seconds): a command imports the ones
#: it uses when it runs, so `--help` and the commands that need none of them start at once.
SLOW_IMPORTS = (
    "sklearn",
    "scipy",
    "matplotlib",
    "pandas",
    "numpy",
    "duckdb",
    "redis",
    "prefect",
    "mlflow",
    "optuna",
    "fastapi",
    "uvicorn",
    "streamlit",
    "lightgbm",
    "pyspark",
    "sqlalchemy",
    "joblib",
)


def run(*args: str) -> Any:
    """Invoke the CLI in-process and return click's Result."""
    return runner.invoke(app, list(args))


def test_all_runs_the_pipeline_end_to_end(
    write_config: WriteConfig, config_data: dict[str, Any], task: Task, project: Path
) -> None:
    # given a project with raw data and a config
    config = write_config(config_data)
    # when the whole pipeline runs
    result = run("all", "--config", str(config))
    # then it succeeds, each step reports, and the model beats the baseline
    assert result.exit_code == 0, result.output
    for step in ("data:", "features:", "train:", "evaluate:"):
        assert step in result.output
    assert "the model beats the trivial baseline" in result.output
    # and every output is where the config says
    figures = (
        ["confusion_matrix.png"]
        if task == "classification"
        else [
            "predicted_vs_actual.png",
            "residuals.png",
        ]
    )
    expected = [
        "data/processed/train.parquet",
        "data/processed/test.parquet",
        "data/processed/features_train.parquet",
        "data/processed/features_test.parquet",
        "models/preprocessor.joblib",
        "models/model.joblib",
        "models/model.json",
        "reports/metrics.json",
        "reports/report.md",
        "reports/figures/metrics.png",
        "docs/journal.md",
        *(f"reports/figures/{name}" for name in figures),
    ]
    for relative in expected:
        assert (project / relative).is_file(), relative
    metrics = json.loads((project / "reports/metrics.json").read_text(encoding="utf-8"))
    assert metrics["task"] == task
    assert metrics["beats_baseline"] is True
    metadata = json.loads((project / "models/model.json").read_text(encoding="utf-8"))
    csv_rows = len((project / "data/raw/penguins.csv").read_text().splitlines()) - 1
    assert metadata["data"]["train_rows"] + metrics["test_rows"] == csv_rows
    assert "- first entry" in (project / "docs/journal.md").read_text(encoding="utf-8")


def test_steps_run_one_by_one_and_the_journal_records_a_change(
    write_config: WriteConfig, make_config: Callable[[Task], dict[str, Any]], project: Path
) -> None:
    # given a classification project trained once
    data = make_config("classification")
    config = str(write_config(data))
    for step in ("data", "features", "train", "evaluate"):
        assert run(step, "-c", config).exit_code == 0, step
    # when C is changed and the model retrained and evaluated
    data["model"]["params"]["C"] = 0.5
    write_config(data)
    retrain = run("train", "-c", config)
    evaluate = run("evaluate", "-c", config)
    # then the journal's second entry names the change
    assert retrain.exit_code == 0, retrain.output
    assert evaluate.exit_code == 0, evaluate.output
    journal = (project / "docs/journal.md").read_text(encoding="utf-8")
    assert journal.count("\n## ") == 2
    assert "- `model.params.C`: 1.0 → 0.5" in journal


def assert_user_error(result: Any, message: str) -> None:
    """Exit code 2, `error: ...` with the message, and no traceback."""
    assert result.exit_code == 2, result.output
    assert "error: " in result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_evaluate_before_train_says_what_to_run(
    write_config: WriteConfig, config_data: dict[str, Any]
) -> None:
    # given a project where only the data step has run
    config = str(write_config(config_data))
    assert run("data", "-c", config).exit_code == 0
    # when evaluate runs / then it names the missing model and the command to run
    assert_user_error(
        run("evaluate", "-c", config), f"models/model.json not found; run `{PROG} train` first"
    )


def test_train_before_data_says_what_to_run(
    write_config: WriteConfig, config_data: dict[str, Any]
) -> None:
    config = str(write_config(config_data))
    assert_user_error(
        run("train", "-c", config), f"data/processed/train.parquet not found; run `{PROG} data`"
    )


def test_invalid_config_is_reported_by_key(
    write_config: WriteConfig, config_data: dict[str, Any]
) -> None:
    # given a config with a misspelt key
    config_data["evaluation"] = {"cv_fold": 3}
    config = str(write_config(config_data))
    # when any step runs / then the file, key and suggestion are shown
    assert_user_error(
        run("data", "-c", config),
        "configs/pipeline.yaml: evaluation.cv_fold: unknown key (did you mean 'cv_folds'?)",
    )


def test_missing_config_file_is_reported(project: Path) -> None:
    assert_user_error(run("all", "-c", "configs/absent.yaml"), "configs/absent.yaml: config file")


def test_data_that_does_not_match_the_config_is_reported(
    write_config: WriteConfig, config_data: dict[str, Any]
) -> None:
    # given a config naming a column the CSV lacks
    config_data["data"]["categorical_features"].append("colour")
    config = str(write_config(config_data))
    # when the data step runs / then the column and the columns found are shown
    result = run("data", "-c", config)
    assert_user_error(result, "'colour' (data.categorical_features")
    assert "columns found: species, island" in result.output


def test_stale_split_after_a_data_config_change_is_refused(
    write_config: WriteConfig, config_data: dict[str, Any]
) -> None:
    # given a split made with one seed
    config = str(write_config(config_data))
    assert run("data", "-c", config).exit_code == 0
    # when the seed changes and training runs without redoing the data step
    config_data["split"]["seed"] = 99
    write_config(config_data)
    # then the change and the step to rerun are named
    assert_user_error(run("train", "-c", config), f"split.seed`: 7 → 99); run `{PROG} data` again")


def test_version_and_python_dash_m(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # given the installed package / when asked for its version, directly and as `python -m`
    in_process = run("--version")
    monkeypatch.setattr(sys, "argv", ["python -m", "--version"])
    with pytest.raises(SystemExit) as exited:
        runpy.run_module(f"{cli.__package__}.__main__", run_name="__main__")
    # then both print the command name and version, and succeed
    assert in_process.exit_code == 0
    assert in_process.output.strip() == f"{PROG} {__version__}"
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"{PROG} {__version__}"


@pytest.mark.parametrize("command", ["data", "features", "train", "evaluate", "all"])
def test_every_command_documents_its_config_option(command: str) -> None:
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "--config" in result.output
    assert "-c" in result.output


def test_the_command_line_starts_without_the_slow_libraries() -> None:
    # given a fresh interpreter (this one has imported what the other tests use)
    probe = f"import sys, {cli.__name__}; print(*sys.modules)"
    # when it imports the command line, as every command does before it runs
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    # then none of the slow libraries is loaded: each waits for the command that uses it
    loaded = {name.partition(".")[0] for name in result.stdout.split()}
    slow = sorted(loaded.intersection(SLOW_IMPORTS))
    assert not slow, (
        f"importing {cli.__name__} loads {', '.join(slow)}: "
        "import them inside the command that uses them"
    )
