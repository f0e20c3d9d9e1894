"""A lock file held by one process at a time: flock on Linux and macOS, msvcrt on Windows."""

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: Seconds between two tries while another process holds the lock.
POLL_SECONDS = 0.1

if sys.platform == "win32":
    import msvcrt

    def _try_lock(descriptor: int) -> bool:
        """Lock the file's first byte without waiting; False while another process has it."""
        try:
            msvcrt.locking(descriptor, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(descriptor: int) -> None:
        """Release the first byte (Windows releases a closed file's locks only eventually)."""
        os.lseek(descriptor, 0, os.SEEK_SET)
        msvcrt.locking(descriptor, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(descriptor: int) -> bool:
        """Lock the whole file without waiting; False while another process has it."""
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(descriptor: int) -> None:
        """Release the lock (closing the file would too)."""
        fcntl.flock(descriptor, fcntl.LOCK_UN)


class LockTimeoutError(TimeoutError):
    """Another process held the lock for longer than the wait allowed."""


@contextmanager
def held(path: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold the lock file at ``path`` (created if missing); wait up to ``timeout`` s, or forever.

    Each call opens the file anew, so two holders in one process exclude each other too.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = None if timeout is None else time.monotonic() + timeout
        while not _try_lock(descriptor):
            if deadline is not None and time.monotonic() > deadline:
                raise LockTimeoutError(f"{path} stayed locked for over {timeout:g} s")
            time.sleep(POLL_SECONDS)
        try:
            yield
        finally:
            _unlock(descriptor)
    finally:
        os.close(descriptor)
