"""What the model tests share: each test gets a registry of its own."""

import sys

import pytest

from {{ cookiecutter.package_name }}.models import registry


@pytest.fixture(autouse=True)
def isolated_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Start each test with the core's models only; what it registers leaves with it.

    Components add model families as ``models/family_*.py`` modules that register
    themselves when imported. Each test starts with none of them, neither registered
    nor imported, so a test that loads them or registers a model of its own leaves no
    trace for the next, whatever the order, and a model is always pickled with the
    class its module defines in this test.
    """
    family = f".models.{registry.FAMILY_PREFIX}"
    core = {
        key: spec
        for key, spec in registry._REGISTRY.items()
        if family not in getattr(spec.factory, "__module__", "")
    }
    monkeypatch.setattr(registry, "_REGISTRY", core)
    for name in [name for name in sys.modules if family in name]:
        monkeypatch.delitem(sys.modules, name)
