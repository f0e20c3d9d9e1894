"""The lock file: one holder at a time, a bounded wait that says which lock, released after."""

from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.locks import LockTimeoutError, held


def test_a_second_holder_waits_out_its_timeout_then_gets_the_lock_once_released(
    tmp_path: Path,
) -> None:
    # given a lock file that one holder has
    path = tmp_path / "locks" / "start.lock"
    # when another holder waits briefly / then it gives up, naming the lock
    with (
        held(path),
        pytest.raises(LockTimeoutError, match=r"start\.lock"),
        held(path, timeout=0.2),
    ):
        pass
    # when the first has let go / then the next one gets it at once
    with held(path, timeout=0.0):
        assert path.is_file()
