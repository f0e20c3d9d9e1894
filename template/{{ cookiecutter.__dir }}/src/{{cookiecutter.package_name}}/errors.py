"""Errors the pipeline expects: the command line reports them without a traceback."""

from pathlib import Path

from . import PROG


class PipelineError(Exception):
    """A problem the user can fix: bad config, bad data or a missing artifact."""


class ConfigError(PipelineError):
    """The pipeline config is missing, unreadable or invalid."""


class DataValidationError(PipelineError):
    """The data does not match what the config promises."""


class ArtifactError(PipelineError):
    """A file written by an earlier step is missing or was changed since."""


class MissingArtifactError(ArtifactError):
    """A step's input has not been produced yet."""

    def __init__(self, path: Path, step: str) -> None:
        """Name the missing file and the step that writes it."""
        super().__init__(f"{path} not found; run `{PROG} {step}` first")
        self.path = path
        self.step = step
