"""The model registry: every entry builds, unknown names fail clearly, new families plug in."""

from collections.abc import Callable
from typing import Any

import pytest
from pydantic import ValidationError
from sklearn.base import is_classifier, is_regressor
from sklearn.neighbors import KNeighborsClassifier

from {{ cookiecutter.package_name }}.config import PipelineConfig
from {{ cookiecutter.package_name }}.models import registry
from {{ cookiecutter.package_name }}.models.registry import (
    Params,
    UnknownModelError,
    build_model,
    model_names,
    register,
)
from {{ cookiecutter.package_name }}.tasks import BASELINE, TASKS, Task

ALL_MODELS = [(task, name) for task in TASKS for name in model_names(task)]


@pytest.mark.parametrize(
    ("model_task", "name"), ALL_MODELS, ids=[f"{task}-{name}" for task, name in ALL_MODELS]
)
def test_every_registered_model_builds_with_default_parameters(model_task: Task, name: str) -> None:
    # given a registered model / when built without parameters
    model = build_model(model_task, name)
    # then it is an estimator of the task's kind
    assert is_classifier(model) if model_task == "classification" else is_regressor(model)


def test_each_task_has_the_baseline_and_a_real_model() -> None:
    # given the registry / then both tasks offer the baseline and the configured defaults
    assert {BASELINE, "logistic_regression", "random_forest"} <= set(model_names("classification"))
    assert {BASELINE, "ridge", "random_forest"} <= set(model_names("regression"))


def test_unknown_name_lists_the_known_ones() -> None:
    # given a name registered for the other task / when built / then the known names are listed
    with pytest.raises(UnknownModelError) as caught:
        build_model("regression", "logistic_regression")
    message = str(caught.value)
    assert message.startswith("unknown model 'logistic_regression' for regression (known: ")
    # the core's models, and any family module a component added
    assert {"dummy", "random_forest", "ridge"} <= set(message[:-1].split("(known: ")[1].split(", "))


def test_parameters_are_validated_and_passed_on() -> None:
    # given parameters for logistic regression / when built / then they reach the estimator
    model = build_model("classification", "logistic_regression", {"C": 0.5, "max_iter": 50})
    assert (model.C, model.max_iter) == (0.5, 50)
    # and a wrong one is refused by the schema
    with pytest.raises(ValidationError, match="C"):
        build_model("classification", "logistic_regression", {"C": -1})


def test_a_new_model_family_is_one_function_and_one_config_entry(
    monkeypatch: pytest.MonkeyPatch, make_config: Callable[[Task], dict[str, Any]]
) -> None:
    # given a fresh copy of the registry (so the test leaves no trace)
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))

    # when a model family is added with a parameter schema and a factory
    class KnnParams(Params):
        n_neighbors: int = 5

    @register("knn", "classification", KnnParams)
    def knn(params: KnnParams) -> Any:
        """k nearest neighbours."""
        return KNeighborsClassifier(n_neighbors=params.n_neighbors)

    # then the config may name it, its parameters are checked, and it builds
    data = make_config("classification") | {"model": {"name": "knn", "params": {"n_neighbors": 3}}}
    configured = PipelineConfig.model_validate(data)
    assert (
        build_model("classification", configured.model.name, configured.model.params).n_neighbors
        == 3
    )
    assert "knn" in model_names("classification")
    with pytest.raises(ValidationError, match=r"model\.params\.n_neighbours: unknown key"):
        PipelineConfig.model_validate(
            data | {"model": {"name": "knn", "params": {"n_neighbours": 3}}}
        )


def test_registering_a_name_twice_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # given the registry / when an existing name is registered again / then it is refused
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))
    with pytest.raises(ValueError, match="already registered"):
        register(BASELINE, "regression", Params)(lambda _params: None)
