"""Commands that components add to the CLI: each module here defines `register(app)`."""

import importlib
import pkgutil
from typing import Protocol, cast

import typer


class CommandModule(Protocol):
    """What a component's command module provides."""

    def register(self, app: typer.Typer) -> None:
        """Add the component's commands to the CLI."""


def register_all(app: typer.Typer) -> list[str]:
    """Import every command module in this package, in name order, and let it register.

    A component ships its module as a file switched on by name, so the CLI grows
    with the components a project has and no core module branches on them.
    Returns the module names, for `--version` style introspection and tests.
    """
    names = sorted(info.name for info in pkgutil.iter_modules(__path__))
    for name in names:
        module = cast(CommandModule, importlib.import_module(f"{__name__}.{name}"))
        module.register(app)
    return names
