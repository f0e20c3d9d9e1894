"""A tiny project folder for the review's tests: files written by each test, nothing else."""

from collections.abc import Callable
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.review.core import Project
from {{ cookiecutter.package_name }}.review.settings import ReviewSettings

Write = Callable[[str, str | bytes], Path]
MakeProject = Callable[..., Project]


@pytest.fixture
def write(tmp_path: Path) -> Write:
    """Write a file (text or bytes) below the tiny project's root."""

    def _write(path: str, content: str | bytes) -> Path:
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
        return target

    return _write


@pytest.fixture
def project(tmp_path: Path) -> MakeProject:
    """The tiny project as the checks see it, with the given settings."""

    def _project(**settings: float) -> Project:
        return Project(
            tmp_path, "data", frozenset(), "test", ReviewSettings.model_validate(settings)
        )

    return _project
