"""The `check` command: every config that names a column, a class or a group, against the data."""

from pathlib import Path
from typing import Annotated

import typer

from ..config import DEFAULT_CONFIG_PATH, load_config
from ..console import expected_errors, step_summary


def register(app: typer.Typer) -> None:
    """Add `check` to the CLI."""
    app.command("check")(check_command)


def check_command(
    config: Annotated[
        Path, typer.Option("--config", "-c", help="Pipeline config (YAML).")
    ] = DEFAULT_CONFIG_PATH,
) -> None:
    """Check the configs against the configured data; each mismatch names file, key and fix."""
    from ..checks import check_configs

    with expected_errors():
        settings = load_config(config)
        checked = check_configs(settings)
    names = ", ".join(checked) or "only configs/pipeline.yaml (no component names columns)"
    step_summary("check", f"the configs match {settings.data.raw_path.as_posix()}: {names}")
