"""The contract file: `schema` writes it from the CSV, and never loses an edited one."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from {{ cookiecutter.package_name }}.cli import app
from {{ cookiecutter.package_name }}.data.contract import load_contract
from {{ cookiecutter.package_name }}.data.schema_file import backup_path, edited
from {{ cookiecutter.package_name }}.tasks import Task

WriteConfig = Callable[[dict[str, Any]], Path]
runner = CliRunner()

#: A messy CSV: 24 good rows, then a typo, a missing target and a duplicate of row 1.
MESSY = (
    "income/month,region,colour,score\n"
    + "".join(
        f"{1000 + 10.5 * row},{1 + row % 3},{('red', 'blue')[row % 2]},{row / 10}\n"
        for row in range(24)
    )
    + "0.03O,2,blue,0.7\n900,6,NA,\n1000.0,1,red,0.0\n"
)


def test_schema_writes_the_contract_seen_in_the_csv_and_the_data_step_uses_it(
    write_config: WriteConfig, config_data: dict[str, Any], task: Task, project: Path
) -> None:
    # given a messy CSV with integer codes, a typo, a missing target and a duplicate
    (project / "data/raw/messy.csv").write_text(MESSY, "utf-8")
    config_data["task"] = "regression"
    config_data["split"]["stratify"] = False
    config_data["model"] = {"name": "dummy", "params": {}}
    config_data["data"].update(
        raw_path="data/raw/messy.csv",
        target="score",
        numeric_features=["income/month"],
        categorical_features=["region", "colour"],
    )
    config = write_config(config_data)
    # when the schema command runs
    result = runner.invoke(app, ["schema", "--config", str(config)])
    # then it writes the contract: codes as an integer column with their codes, the typo
    # not turning the amounts into text, the target required
    assert result.exit_code == 0, result.output
    assert "integer-coded region" in result.output
    contract = load_contract(project / "configs/schema.yaml")
    assert contract.columns["region"].allowed == ("1", "2", "3", "6")
    assert contract.columns["colour"].nullable is True
    assert contract.columns["income/month"].type == "float"
    assert contract.columns["score"].nullable is False
    assert not edited(project / "configs/schema.yaml")
    # and the data step checks the rows against it: every row accounted for
    loaded = runner.invoke(app, ["data", "--config", str(config)])
    assert loaded.exit_code == 0, loaded.output
    assert "27 rows in data/raw/messy.csv" in loaded.output
    assert "= 24 used + 3 quarantined (1 duplicates)" in loaded.output
    quarantine = (project / "data/processed/quarantine.csv").read_text("utf-8").splitlines()
    assert [line.split(",")[:2] for line in quarantine[1:]] == [
        ["26", "income/month: not a number (0.03O)"],
        ["27", "score: missing"],
        ["28", "duplicate of record 1"],
    ]


def test_an_edited_contract_is_kept_unless_forced_and_then_backed_up(
    write_config: WriteConfig, config_data: dict[str, Any], project: Path
) -> None:
    # given a contract written by the schema command, then a rule edited by hand
    config = write_config(config_data)
    assert runner.invoke(app, ["schema", "--config", str(config)]).exit_code == 0
    schema = project / "configs/schema.yaml"
    text = schema.read_text("utf-8").replace("nullable: true", "nullable: false", 1)
    schema.write_text(text, "utf-8")
    assert edited(schema)
    # when the schema command runs again, then it refuses and changes nothing
    refused = runner.invoke(app, ["schema", "--config", str(config)])
    assert refused.exit_code == 2
    assert "its rules were edited" in refused.output
    assert "--force" in refused.output
    assert schema.read_text("utf-8") == text
    # and with --force it replaces the file, keeping the edited one as a backup
    forced = runner.invoke(app, ["schema", "--config", str(config), "--force"])
    assert forced.exit_code == 0, forced.output
    assert backup_path(schema).read_text("utf-8") == text
    assert not edited(schema)


def test_the_data_step_infers_the_contract_on_first_run_and_says_so(
    write_config: WriteConfig, config_data: dict[str, Any], project: Path
) -> None:
    # given a project without a contract file
    config = write_config(config_data)
    assert not (project / "configs/schema.yaml").exists()
    # when the data step runs
    result = runner.invoke(app, ["data", "--config", str(config)])
    # then it writes the contract it inferred, says to review it, and uses it
    assert result.exit_code == 0, result.output
    assert "no data contract yet: wrote configs/schema.yaml" in result.output
    assert load_contract(project / "configs/schema.yaml").columns


@pytest.mark.parametrize("name", ["schema.yaml"])
def test_a_hand_written_contract_counts_as_edited(tmp_path: Path, name: str) -> None:
    # given a contract without the checksum line, when it is checked, then it is edited
    path = tmp_path / name
    path.write_text("columns:\n  a: {type: float}\n", "utf-8")
    assert edited(path)
