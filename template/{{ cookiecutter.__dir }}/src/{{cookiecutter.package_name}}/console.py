"""The command line's output: results on stdout, errors on stderr, one exit code for both."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.text import Text

from .errors import PipelineError

#: Exit code of an expected failure (bad config, bad data, missing artifact).
EXIT_USER_ERROR = 2

#: Results and summaries (stdout); errors, notes and progress (stderr).
out = Console(soft_wrap=True, highlight=False)
err = Console(stderr=True, soft_wrap=True, highlight=False)


@contextmanager
def expected_errors() -> Iterator[None]:
    """Turn a PipelineError into a red `error:` line on stderr and exit code 2."""
    try:
        yield
    except PipelineError as exc:
        err.print(Text.assemble(("error:", "bold red"), " ", str(exc)))
        raise typer.Exit(EXIT_USER_ERROR) from None


def step_summary(step: str, message: str) -> None:
    """Print a step's one-line summary: ``<step>: <message>``."""
    out.print(Text.assemble((f"{step}:", "bold green"), " ", message))


def paths_text(paths: Sequence[Path]) -> str:
    """Return paths as a comma-separated list."""
    return ", ".join(path.as_posix() for path in paths)
