"""The template's own test run: each variant's tests share one worker, which builds it once."""

from __future__ import annotations

import pytest


@pytest.mark.xdist_group("suite")
def test_loadgroup_keeps_a_variants_tests_on_one_worker(request: pytest.FixtureRequest) -> None:
    # given a run spread over xdist workers by `--dist loadgroup` (what `make test` runs)
    # (pytest-xdist sets `loadgroup` on its workers, from the controller's `--dist`)
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("not run by xdist with --dist loadgroup: one process builds each variant")
    # then pytest-xdist kept this test's group: it marks a group by rewriting node ids,
    # which pytest 9.2 ignores (pytest-xdist#1386); every worker then builds every variant
    assert request.node.nodeid.endswith("@suite"), (
        f"pytest {pytest.__version__} lost the xdist_group of {request.node.nodeid}: "
        "each worker would build every variant; keep pytest's pin in pyproject.toml"
    )
