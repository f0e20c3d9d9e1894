"""An end-to-end machine learning pipeline: data, features, train, evaluate."""

from importlib.metadata import entry_points


def _distribution() -> tuple[str, str]:
    """Return the command name and version of the distribution that installs this package.

    The package is found through its console script (``<package>.cli:app``), so
    neither name is written down twice and renaming the project needs no edit here.
    """
    for script in entry_points(group="console_scripts"):
        if script.value == f"{__name__}.cli:app" and script.dist is not None:
            return script.name, script.dist.version
    return __name__.replace("_", "-"), "0.0.0+unknown"


PROG, __version__ = _distribution()

__all__ = ["PROG", "__version__"]
