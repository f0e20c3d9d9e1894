"""Loading a component's own YAML config into a frozen pydantic model, with clear errors."""

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from .config import describe_errors
from .errors import ConfigError

# A TypeVar, not `def f[ModelT: BaseModel]`: the project may pin Python 3.11, which lacks
# that syntax (pyproject.toml silences ruff's UP047 for this file on 3.12+).
ModelT = TypeVar("ModelT", bound=BaseModel)


class Section(BaseModel):
    """A component config section: immutable, and a key it does not know is an error."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def read_yaml(path: Path) -> dict[str, Any]:
    """Return the mapping in the YAML file at ``path``; raise ConfigError naming the file."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the config ({exc})") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}") from None
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of keys, got {type(raw).__name__}")
    return raw


def validate(
    model: type[ModelT], raw: dict[str, Any], source: str, context: dict[str, Any] | None = None
) -> ModelT:
    """Validate ``raw`` into ``model``; every problem is one ``source: dotted.key: ...`` line."""
    try:
        return model.model_validate(raw, context=context)
    except ValidationError as exc:
        lines = describe_errors(exc.errors(), model)
        raise ConfigError("\n".join(f"{source}: {line}" for line in lines)) from None


def load_section(model: type[ModelT], path: Path, context: dict[str, Any] | None = None) -> ModelT:
    """Read the YAML file at ``path`` and validate it into ``model``."""
    return validate(model, read_yaml(path), str(path), context)
