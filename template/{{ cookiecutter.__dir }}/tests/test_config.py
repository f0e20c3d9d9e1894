"""The pipeline config: the project's own file, and every kind of mistake named by its key."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from {{ cookiecutter.package_name }}.config import (
    ConfigError,
    load_config,
    parse_config,
)
from {{ cookiecutter.package_name }}.data.load import load_raw
from {{ cookiecutter.package_name }}.models.registry import get_spec
from {{ cookiecutter.package_name }}.tasks import Task

PROJECT_ROOT = Path(__file__).resolve().parents[1]
WriteConfig = Callable[[dict[str, Any]], Path]


def error_of(write_config: WriteConfig, data: dict[str, Any]) -> str:
    """Write ``data`` as the config, load it and return the ConfigError message."""
    path = write_config(data)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return str(caught.value)


def test_project_config_is_valid_and_its_data_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    # given the project's own config and the raw data it points to
    monkeypatch.chdir(PROJECT_ROOT)
    # when both are loaded
    config = load_config(Path("configs/pipeline.yaml"))
    loaded = load_raw(config.data, config.task)
    # then the model is registered for the task and the data has usable rows
    assert get_spec(config.task, config.model.name).task == config.task
    assert set(loaded.frame.columns) == {*config.data.features, config.data.target}
    assert len(loaded.frame) >= 20


def test_valid_config_loads_into_frozen_models(
    write_config: WriteConfig, config_data: dict[str, Any], task: Task
) -> None:
    # given a valid config file
    path = write_config(config_data)
    # when it is loaded
    config = load_config(path)
    # then every section is typed and the snapshot matches the file
    assert config.task == task
    assert config.data.raw_path == Path("data/raw/penguins.csv")
    assert config.snapshot()["model"] == config_data["model"]
    with pytest.raises(ValidationError):
        config.model.name = "other"


def test_unknown_key_is_named_with_a_suggestion(
    write_config: WriteConfig, config_data: dict[str, Any]
) -> None:
    # given a typo in a key of the data section
    config_data["data"]["tagret"] = config_data["data"].pop("target")
    # when the config is loaded
    message = error_of(write_config, config_data)
    # then the file, the dotted key and the likely intended key are named
    assert "configs/pipeline.yaml: data.tagret: unknown key (did you mean 'target'?)" in message
    assert "configs/pipeline.yaml: data.target: missing key" in message


def test_unknown_key_without_close_match_lists_known_keys(
    write_config: WriteConfig, config_data: dict[str, Any]
) -> None:
    # given a key that resembles nothing
    config_data["split"]["zzz"] = 1
    # when the config is loaded
    message = error_of(write_config, config_data)
    # then the allowed keys are listed
    assert "split.zzz: unknown key (known keys: test_size, seed, stratify)" in message


@pytest.mark.parametrize(
    ("task", "param"), [("classification", "C"), ("regression", "alpha")], indirect=["task"]
)
def test_wrong_parameter_type_names_the_dotted_key(
    write_config: WriteConfig, config_data: dict[str, Any], param: str
) -> None:
    # given a model parameter that is not a number
    config_data["model"]["params"][param] = "strong"
    # when the config is loaded
    message = error_of(write_config, config_data)
    # then the message names the file, the full key and the problem
    assert f"configs/pipeline.yaml: model.params.{param}: Input should be a valid number" in message
    assert "'strong'" in message


def test_unknown_model_parameter_suggests_the_right_one(
    write_config: WriteConfig, make_config: Callable[[Task], dict[str, Any]]
) -> None:
    # given a misspelt parameter of logistic_regression
    data = make_config("classification")
    data["model"]["params"] = {"max_iters": 10}
    # when the config is loaded
    message = error_of(write_config, data)
    # then the registry's parameter schema suggests the right name
    assert "model.params.max_iters: unknown key (did you mean 'max_iter'?)" in message


def test_unknown_model_lists_the_registered_ones(
    write_config: WriteConfig, config_data: dict[str, Any]
) -> None:
    # given a model name the registry does not know
    config_data["model"] = {"name": "xgboost", "params": {}}
    # when the config is loaded
    message = error_of(write_config, config_data)
    # then the known names for the task are listed
    assert "model.name: unknown model 'xgboost'" in message
    assert "dummy" in message
    assert "random_forest" in message


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda data: data["numeric_features"].append(data["target"]),
            "is also listed as a feature",
        ),
        (
            lambda data: data["categorical_features"].append(data["categorical_features"][0]),
            "columns listed more than once",
        ),
        (
            lambda data: data.update(numeric_features=[], categorical_features=[]),
            "list at least one column",
        ),
    ],
    ids=["target-is-feature", "duplicate-feature", "no-features"],
)
def test_column_lists_are_checked_together(
    write_config: WriteConfig,
    config_data: dict[str, Any],
    change: Callable[[dict[str, Any]], None],
    expected: str,
) -> None:
    # given a data section whose column lists contradict each other
    change(config_data["data"])
    # when the config is loaded
    message = error_of(write_config, config_data)
    # then the data section is named with the reason
    assert message.startswith("configs/pipeline.yaml: data: ")
    assert expected in message


def test_stratify_is_refused_for_regression(
    write_config: WriteConfig, make_config: Callable[[Task], dict[str, Any]]
) -> None:
    # given a regression config asking for a stratified split
    data = make_config("regression")
    data["split"]["stratify"] = True
    # when the config is loaded
    message = error_of(write_config, data)
    # then the key and the fix are named
    assert "split.stratify: only meaningful for classification" in message


def test_wrong_task_value_shows_what_was_given(
    write_config: WriteConfig, config_data: dict[str, Any]
) -> None:
    # given a misspelt task
    config_data["task"] = "clasification"
    # when the config is loaded
    message = error_of(write_config, config_data)
    # then the allowed values and the given one appear
    assert "task: Input should be 'classification' or 'regression' (got 'clasification')" in message


def test_missing_file_is_reported(project: Path) -> None:
    # given no config file / when it is loaded / then the path is named
    with pytest.raises(ConfigError, match=r"configs/nope\.yaml: config file not found"):
        load_config(Path("configs/nope.yaml"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "the file is empty"),
        ("# only a comment\n", "the file is empty"),
        ("- a\n- b\n", "expected a mapping of keys at the top level, got list"),
        ("task: [classification\n", "invalid YAML (line 2, column 1)"),
    ],
    ids=["empty", "comment-only", "list", "bad-yaml"],
)
def test_unusable_yaml_is_reported(text: str, expected: str) -> None:
    # given YAML text that is not a config / when it is parsed / then the problem is named
    with pytest.raises(ConfigError) as caught:
        parse_config(text, source="pipeline.yaml")
    assert str(caught.value).startswith("pipeline.yaml: ")
    assert expected in str(caught.value)


def test_sections_with_defaults_may_be_left_out(
    write_config: WriteConfig, config_data: dict[str, Any]
) -> None:
    # given a config with only the required sections
    minimal = {key: config_data[key] for key in ("task", "data", "model")}
    # when it is loaded
    config = load_config(write_config(minimal))
    # then the documented defaults apply
    assert config.evaluation.cv_folds == 5
    assert config.paths.model_dir == Path("models")
    assert config.features.categorical_encoding == "one_hot"
