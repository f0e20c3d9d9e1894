"""Pipeline configuration: one YAML file, validated into frozen pydantic models."""

import difflib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import ErrorDetails, PydanticCustomError

from .errors import ConfigError
from .models.registry import UnknownModelError, get_spec
from .tasks import Task

DEFAULT_CONFIG_PATH = Path("configs/pipeline.yaml")

__all__ = [
    "DEFAULT_CONFIG_PATH",
    "ConfigError",
    "DataConfig",
    "EvaluationConfig",
    "FeaturesConfig",
    "InputPolicyConfig",
    "ModelConfig",
    "PathsConfig",
    "PipelineConfig",
    "SplitConfig",
    "load_config",
    "parse_config",
]


class _Section(BaseModel):
    """A config section: immutable, and a key it does not know is an error."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class DataConfig(_Section):
    """The raw CSV and the columns the model uses."""

    raw_path: Path
    #: The data contract the raw rows are checked against (data/contract.py).
    schema_path: Path = Path("configs/schema.yaml")
    target: str = Field(min_length=1)
    numeric_features: tuple[str, ...] = ()
    categorical_features: tuple[str, ...] = ()

    @property
    def features(self) -> tuple[str, ...]:
        """Every feature column, numeric first."""
        return self.numeric_features + self.categorical_features

    @model_validator(mode="after")
    def _check_columns(self) -> Self:
        if not self.features:
            raise PydanticCustomError(
                "no_features",
                "list at least one column in numeric_features or categorical_features",
            )
        repeated = sorted({column for column in self.features if self.features.count(column) > 1})
        if repeated:
            raise PydanticCustomError(
                "repeated_feature",
                "columns listed more than once among the features: {columns}",
                {"columns": ", ".join(repeated)},
            )
        if self.target in self.features:
            raise PydanticCustomError(
                "target_is_feature",
                "target '{target}' is also listed as a feature; the model must not see the answer",
                {"target": self.target},
            )
        return self


class SplitConfig(_Section):
    """The held-out test set.

    ``stratify`` keeps the class proportions in both parts; it only applies to
    classification, where leaving it out means true.
    """

    test_size: float = Field(default=0.2, gt=0, lt=1)
    seed: int = Field(default=42, ge=0)
    stratify: bool | None = None


class FeaturesConfig(_Section):
    """How raw columns become model inputs."""

    numeric_imputation: Literal["median", "mean"] = "median"
    scale_numeric: bool = True
    categorical_encoding: Literal["one_hot", "ordinal"] = "one_hot"


class ModelConfig(_Section):
    """A registered model and its parameters (checked against the registry)."""

    name: str
    params: dict[str, Any] = Field(default_factory=dict)


class EvaluationConfig(_Section):
    """Cross-validation on the training set."""

    cv_folds: int = Field(default=5, ge=2, le=20)


class PathsConfig(_Section):
    """Where the steps write, relative to the project root."""

    processed_dir: Path = Path("data/processed")
    model_dir: Path = Path("models")
    reports_dir: Path = Path("reports")
    journal: Path = Path("docs/journal.md")


class InputPolicyConfig(_Section):
    """What the front doors (the API, the demo app) do with a record outside the training domain.

    ``mode``: ``refuse`` (the default, the safe one) answers no prediction and names
    each field and reason; ``flag`` answers and lists, per record, the fields outside
    the domain. A record that cannot be model input at all (a wrong type, a number
    that is not finite, a missing column) is refused in both modes. ``range_margin``:
    how far past the training minimum and maximum a number may go, as a share of the
    training range (0.1 = 10 % on each side).
    """

    mode: Literal["refuse", "flag"] = "refuse"
    range_margin: float = Field(default=0.1, ge=0, le=10)


class PipelineConfig(_Section):
    """The whole pipeline configuration."""

    task: Task
    data: DataConfig
    split: SplitConfig = SplitConfig()
    features: FeaturesConfig = FeaturesConfig()
    model: ModelConfig
    evaluation: EvaluationConfig = EvaluationConfig()
    paths: PathsConfig = PathsConfig()
    input_policy: InputPolicyConfig = InputPolicyConfig()

    @model_validator(mode="after")
    def _check_task(self) -> Self:
        problems: list[str] = []
        if self.task == "regression" and self.split.stratify:
            problems.append("split.stratify: only meaningful for classification; set it to false")
        try:
            spec = get_spec(self.task, self.model.name)
        except UnknownModelError as exc:
            problems.append(f"model.name: {exc}")
        else:
            try:
                spec.params.model_validate(self.model.params)
            except ValidationError as exc:
                problems.extend(describe_errors(exc.errors(), spec.params, ("model", "params")))
        if problems:
            # One error whose lines each name their own key (see describe_errors).
            raise PydanticCustomError("config", "{problems}", {"problems": "\n".join(problems)})
        return self

    def snapshot(self) -> dict[str, Any]:
        """Return the config as plain JSON-ready data (for metadata and the journal)."""
        return self.model_dump(mode="json")


def load_config(path: Path | str = DEFAULT_CONFIG_PATH) -> PipelineConfig:
    """Read and validate the pipeline config; raise ConfigError naming the file and key."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the config ({exc})") from None
    return parse_config(text, source=str(path))


def parse_config(text: str, source: str = "<config>") -> PipelineConfig:
    """Validate config YAML ``text``; ``source`` names it in error messages."""
    try:
        raw = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        where = ""
        if exc.problem_mark is not None:
            where = f" (line {exc.problem_mark.line + 1}, column {exc.problem_mark.column + 1})"
        raise ConfigError(f"{source}: invalid YAML{where}: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: invalid YAML: {exc}") from None
    if raw is None:
        keys = ", ".join(PipelineConfig.model_fields)
        raise ConfigError(f"{source}: the file is empty; expected the keys {keys}")
    if not isinstance(raw, dict):
        raise ConfigError(
            f"{source}: expected a mapping of keys at the top level, got {type(raw).__name__}"
        )
    try:
        return PipelineConfig.model_validate(raw)
    except ValidationError as exc:
        lines = describe_errors(exc.errors(), PipelineConfig)
        raise ConfigError("\n".join(f"{source}: {line}" for line in lines)) from None


def describe_errors(
    errors: Iterable[ErrorDetails], model: type[BaseModel], prefix: tuple[str, ...] = ()
) -> Iterator[str]:
    """Yield one ``dotted.key: message`` line per validation error."""
    for error in errors:
        loc = tuple(str(part) for part in error["loc"])
        key = ".".join(prefix + loc)
        if error["type"] == "extra_forbidden":
            known = _known_keys(model, loc[:-1])
            yield f"{key}: unknown key{did_you_mean(loc[-1], known)}"
        elif error["type"] == "missing":
            yield f"{key}: missing key"
        elif not key:
            # Errors of the whole config already name their keys, one per line.
            yield from error["msg"].splitlines()
        else:
            got = error.get("input")
            shown = "" if isinstance(got, dict | list) else f" (got {got!r})"
            yield f"{key}: {error['msg']}{shown}"


def _known_keys(model: type[BaseModel], loc: Sequence[str]) -> list[str]:
    """Return the keys allowed at ``loc`` inside ``model``."""
    for part in loc:
        field = model.model_fields.get(part)
        annotation = field.annotation if field is not None else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return list(model.model_fields)


def did_you_mean(word: str, known: Sequence[str]) -> str:
    """Return `` (did you mean 'x'?)`` for a close known key, else list the known keys."""
    if not known:
        return ""
    by_lower = {key.lower(): key for key in known}
    close = difflib.get_close_matches(word.lower(), list(by_lower), n=1, cutoff=0.6)
    if close:
        return f" (did you mean '{by_lower[close[0]]}'?)"
    return f" (known keys: {', '.join(known)})"
