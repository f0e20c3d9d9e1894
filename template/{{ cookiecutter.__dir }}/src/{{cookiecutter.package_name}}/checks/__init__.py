"""Every config that names a column, a class or a group, checked against the configured data.

``configs/pipeline.yaml`` is checked when it loads, and the data where it enters
the pipeline. The other configs (features, fairness, the app's wording, the sanity
bounds, the warehouse transforms, the quality gate...) name columns, classes and
groups of the data too: a component ships a module here, switched on by its file
name, whose ``check(view)`` returns one line per mismatch, each naming the file,
the key and what to write instead. `make test` runs them first (`check`), and so
do the long steps (`tune`, `compare`, `fairness`), before any of their work.
"""

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

import pandas as pd

from ..config import PipelineConfig
from ..data.load import load_raw, read_raw
from ..errors import ConfigError, PipelineError


@dataclass(frozen=True)
class DataView:
    """What the checks compare the configs with: the pipeline config and its data."""

    config: PipelineConfig
    #: The raw CSV as read (every column), or None when it cannot be read.
    raw: pd.DataFrame | None
    #: The rows the pipeline uses (target and features, rows with a target), or None
    #: when the data itself does not load (``data_problem`` says why).
    frame: pd.DataFrame | None
    data_problem: str | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column of the raw CSV's header (none when it cannot be read)."""
        return () if self.raw is None else tuple(str(column) for column in self.raw.columns)

    @property
    def classes(self) -> tuple[str, ...] | None:
        """The target's classes as text (classification with loaded data), else None."""
        if self.config.task != "classification" or self.frame is None:
            return None
        values = self.frame[self.config.data.target].dropna().astype(str)
        return tuple(sorted(values.unique()))


Check = Callable[[DataView], list[str]]


def read_view(config: PipelineConfig) -> DataView:
    """Read the configured data once for every check."""
    try:
        raw = read_raw(config.data.raw_path)
    except PipelineError as exc:
        return DataView(config, None, None, str(exc))
    try:
        frame = load_raw(config.data, config.task).frame
    except PipelineError as exc:
        return DataView(config, raw, None, str(exc))
    return DataView(config, raw, frame)


def registered_checks() -> dict[str, Check]:
    """Every check module of this package, by name: each defines ``check(view)``."""
    names = sorted(info.name for info in pkgutil.iter_modules(__path__))
    return {
        name: cast(Check, importlib.import_module(f"{__name__}.{name}").check) for name in names
    }


def find_mismatches(config: PipelineConfig) -> list[str]:
    """Run every registered check on the configured data; return the mismatches found."""
    view = read_view(config)
    problems = [view.data_problem] if view.data_problem else []
    for check in registered_checks().values():
        problems.extend(check(view))
    return problems


def check_configs(config: PipelineConfig) -> list[str]:
    """Raise ConfigError listing every mismatch; return the names of the checks that ran."""
    problems = find_mismatches(config)
    if problems:
        raise ConfigError(
            f"the configs do not match the data in {config.data.raw_path} "
            f"({len(problems)} to fix):\n" + "\n".join(f"  - {problem}" for problem in problems)
        )
    return list(registered_checks())


def error_line(exc: PipelineError) -> list[str]:
    """A check's ConfigError (already naming file and key) as mismatch lines."""
    return [line for line in str(exc).splitlines() if line.strip()]
