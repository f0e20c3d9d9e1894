"""`check`: every config that names a column, a class or a group, against the configured data."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from {{ cookiecutter.package_name }}.checks import find_mismatches, read_view, registered_checks
from {{ cookiecutter.package_name }}.cli import app
from {{ cookiecutter.package_name }}.config import PipelineConfig, load_config


def test_a_project_without_component_configs_matches_its_data(
    config_data: dict[str, Any], write_config: Callable[[dict[str, Any]], Path]
) -> None:
    # given only configs/pipeline.yaml and its data (a component's missing file is its own error)
    config = load_config(write_config(config_data))
    # when every registered check runs, then nothing is reported
    assert find_mismatches(config) == []
    # and the view holds every column of the CSV and the classes of a classification target
    view = read_view(config)
    assert config.data.target in view.columns
    if config.task == "classification":
        assert view.classes == ("Adelie", "Chinstrap", "Gentoo")


def test_data_that_does_not_load_is_the_first_mismatch(
    project: Path, config_data: dict[str, Any], write_config: Callable[[dict[str, Any]], Path]
) -> None:
    # given a config naming a column the CSV lacks
    config_data["data"]["numeric_features"] = [*config_data["data"]["numeric_features"], "wingspan"]
    path = write_config(config_data)
    # when the check command runs
    result = CliRunner().invoke(app, ["check", "--config", str(path)])
    # then it exits 2 and names the column, the key and the file
    assert result.exit_code == 2
    message = " ".join(result.output.split())
    assert "the configs do not match the data in data/raw/penguins.csv" in message
    assert "'wingspan' (data.numeric_features" in message


def test_the_check_command_names_what_it_checked(
    config: PipelineConfig,
    config_data: dict[str, Any],
    write_config: Callable[[dict[str, Any]], Path],
) -> None:
    # when the check command runs on matching configs
    result = CliRunner().invoke(app, ["check", "--config", str(write_config(config_data))])
    # then it passes and lists the component checks of this project
    assert result.exit_code == 0, result.output
    for name in registered_checks():
        assert name in result.output
