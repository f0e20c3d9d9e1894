"""Model registry: every model the config can name, per task, with its parameters.

To add a model family, write a parameters class and a factory at the end of this
file, decorate the factory with ``@register``, and name it in
``configs/pipeline.yaml`` (``model.name: hist_gradient_boosting``)::

    class HistGradientBoostingParams(Params):
        learning_rate: float = Field(default=0.1, gt=0)

    @register("hist_gradient_boosting", "classification", HistGradientBoostingParams)
    def hist_gradient_boosting(params: HistGradientBoostingParams) -> Any:
        from sklearn.ensemble import HistGradientBoostingClassifier

        return HistGradientBoostingClassifier(**params.model_dump())

The parameters class is what checks ``model.params`` in the config: a wrong type
or an unknown key is reported with its dotted name before anything runs. Each
factory imports its estimator when it is called: the pipeline config is checked
against this registry by every command, and scikit-learn alone takes seconds to
import, so `--help` and the data commands start without it.

A family can also live in its own module ``models/family_<name>.py`` (the zoo
component ships several): the registry imports those modules the first time a
name is not found, so ``model.name: lightgbm`` works in the pipeline config too.
"""

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..errors import PipelineError
from ..tasks import BASELINE, Task


class Params(BaseModel):
    """Base class of a model's parameters: immutable, unknown keys are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid")


#: Builds an unfitted estimator from validated parameters (an instance of the spec's class).
Factory = Callable[[Any], Any]


@dataclass(frozen=True)
class ModelSpec:
    """One registered model: its name, task, parameter schema and factory."""

    name: str
    task: Task
    params: type[Params]
    factory: Factory
    summary: str

    def build(self, params: Mapping[str, Any]) -> Any:
        """Check ``params`` against the schema and return an unfitted estimator."""
        return self.factory(self.params.model_validate(dict(params)))


class UnknownModelError(PipelineError):
    """The config names a model that is not registered for its task."""


_REGISTRY: dict[tuple[Task, str], ModelSpec] = {}
FAMILY_PREFIX = "family_"


def register(name: str, task: Task, params: type[Params]) -> Callable[[Factory], Factory]:
    """Register the decorated factory as model ``name`` for ``task``."""

    def decorator(factory: Factory) -> Factory:
        known = _REGISTRY.get((task, name))
        # Importing a family module again (a test reloading it) registers the same function.
        if known is not None and _origin(known.factory) != _origin(factory):
            raise ValueError(f"model {name!r} is already registered for {task}")
        summary = (factory.__doc__ or name).strip().splitlines()[0]
        _REGISTRY[(task, name)] = ModelSpec(name, task, params, factory, summary)
        return factory

    return decorator


def _origin(factory: Factory) -> str:
    """Where a factory is defined: its module and qualified name."""
    return f"{getattr(factory, '__module__', '')}.{getattr(factory, '__qualname__', '')}"


def discover_families() -> list[str]:
    """Import every ``family_*.py`` module next to this file (each registers its models).

    Returns the family names. Components add families as files, so no core module
    names them.
    """
    names = sorted(
        info.name
        for info in pkgutil.iter_modules([str(Path(__file__).parent)])
        if info.name.startswith(FAMILY_PREFIX)
    )
    for name in names:
        importlib.import_module(f"{__package__}.{name}")
    return [name.removeprefix(FAMILY_PREFIX) for name in names]


def model_names(task: Task) -> list[str]:
    """Return the names registered for ``task``, sorted."""
    return sorted(name for (model_task, name) in _REGISTRY if model_task == task)


def get_spec(task: Task, name: str) -> ModelSpec:
    """Return the registered model, or raise an error that lists the known names."""
    if (task, name) not in _REGISTRY:
        discover_families()
    try:
        return _REGISTRY[(task, name)]
    except KeyError:
        known = ", ".join(model_names(task))
        raise UnknownModelError(f"unknown model {name!r} for {task} (known: {known})") from None


def build_model(task: Task, name: str, params: Mapping[str, Any] | None = None) -> Any:
    """Return an unfitted estimator for the registered model ``name``."""
    return get_spec(task, name).build(params or {})


# ---------------------------------------------------------------- classification


class LogisticRegressionParams(Params):
    """Parameters of ``logistic_regression``."""

    C: float = Field(default=1.0, gt=0, description="inverse regularisation strength")
    max_iter: int = Field(default=1000, ge=1)
    class_weight: Literal["balanced"] | None = None


@register("logistic_regression", "classification", LogisticRegressionParams)
def logistic_regression(params: LogisticRegressionParams) -> Any:
    """Linear classifier with L2 regularisation; a strong, explainable first model."""
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(**params.model_dump())


class DummyClassifierParams(Params):
    """Parameters of the classification baseline."""

    strategy: Literal["most_frequent", "prior"] = "most_frequent"


@register(BASELINE, "classification", DummyClassifierParams)
def dummy_classifier(params: DummyClassifierParams) -> Any:
    """Trivial baseline: always predicts the most frequent class."""
    from sklearn.dummy import DummyClassifier

    return DummyClassifier(strategy=params.strategy)


# ---------------------------------------------------------------- regression


class RidgeParams(Params):
    """Parameters of ``ridge``."""

    alpha: float = Field(default=1.0, ge=0, description="regularisation strength")


@register("ridge", "regression", RidgeParams)
def ridge(params: RidgeParams) -> Any:
    """Linear regression with L2 regularisation."""
    from sklearn.linear_model import Ridge

    return Ridge(alpha=params.alpha)


class DummyRegressorParams(Params):
    """Parameters of the regression baseline."""

    strategy: Literal["mean", "median"] = "mean"


@register(BASELINE, "regression", DummyRegressorParams)
def dummy_regressor(params: DummyRegressorParams) -> Any:
    """Trivial baseline: always predicts the mean of the training target."""
    from sklearn.dummy import DummyRegressor

    return DummyRegressor(strategy=params.strategy)


# ---------------------------------------------------------------- both tasks


class RandomForestParams(Params):
    """Parameters of ``random_forest``."""

    n_estimators: int = Field(default=100, ge=1)
    max_depth: int | None = Field(default=None, ge=1)
    min_samples_leaf: int = Field(default=1, ge=1)
    random_state: int = 0


@register("random_forest", "classification", RandomForestParams)
def random_forest_classifier(params: RandomForestParams) -> Any:
    """An ensemble of decision trees; captures interactions without feature work."""
    from sklearn.ensemble import RandomForestClassifier

    return RandomForestClassifier(**params.model_dump())


@register("random_forest", "regression", RandomForestParams)
def random_forest_regressor(params: RandomForestParams) -> Any:
    """An ensemble of regression trees; captures interactions without feature work."""
    from sklearn.ensemble import RandomForestRegressor

    return RandomForestRegressor(**params.model_dump())
