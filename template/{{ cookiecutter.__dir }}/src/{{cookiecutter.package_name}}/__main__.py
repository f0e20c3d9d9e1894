"""Run the command line with ``python -m``."""

from .cli import app

app()
