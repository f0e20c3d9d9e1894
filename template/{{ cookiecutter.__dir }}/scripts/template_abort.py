"""Undo a template update that is not committed yet: `make template-abort`.

`make template-update` records, inside .git, the commit it started from and every
file it created. This puts each tracked file back as that commit has it (conflicted
files included) and deletes only the files the update created, ignored ones such as
a hidden `.rej` included. Files that were there before the update stay. It refuses
when you committed since the update, because that would throw your commit away.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

STATE_FILE = "template-update.json"  # written by scripts/template_update.py


def git(root: Path, *args: str) -> str:
    """Run git in `root` and return what it printed."""
    result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    return result.stdout


def abort(root: Path) -> tuple[int, str]:
    """Return the tree to the commit before the update; the exit code and what to print."""
    state = root / git(root, "rev-parse", "--git-path", STATE_FILE).strip()
    if not state.is_file():
        return 2, (
            "error: no template update to abort: `make template-update` records one. "
            "After a plain `copier update`, `git reset --hard` restores the tracked files and "
            "`git clean -fd` deletes the untracked ones (yours included)."
        )
    record = json.loads(state.read_text(encoding="utf-8"))
    start, head = record["head"], git(root, "rev-parse", "HEAD").strip()
    if head != start:
        return 2, (
            f"error: you committed since the update (it started at {start[:10]}, HEAD is now "
            f"{head[:10]}); aborting would throw that work away, so nothing was changed. "
            f"To undo a committed update: `git revert {head[:10]}` (or, if you are sure, "
            f"`git reset --hard {start[:10]}`)."
        )
    git(root, "reset", "--quiet", "--hard", start)
    tracked = set(git(root, "ls-files").splitlines())
    removed = 0
    # deepest first, so a folder the update created is empty when its turn comes
    for name in sorted(record["created"] or [], key=lambda n: n.count("/"), reverse=True):
        path = root / name
        if name in tracked:
            continue
        if path.is_symlink() or path.is_file():
            path.unlink()
            removed += 1
        elif path.is_dir() and not any(path.iterdir()):
            shutil.rmtree(path)
    state.unlink()
    subject = git(root, "log", "-1", "--format=%h %s").strip()
    return 0, (
        f"aborted: the tree is back at {subject}; removed {removed} file(s) the update created."
    )


def main() -> int:
    """Undo the last `make template-update` (exit 2 when there is nothing it may undo)."""
    code, message = abort(Path.cwd())
    print(message, file=sys.stderr if code else sys.stdout)
    return code


if __name__ == "__main__":
    sys.exit(main())
