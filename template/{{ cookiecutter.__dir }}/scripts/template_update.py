"""Update this project from its copier template without losing a file you changed.

Run it with `make template-update` (add `FOCUS=product` to switch focus). It runs
`copier update --defaults --conflict inline`, then repairs what copier does on its
own: copier deletes every file the new template no longer ships, even a file you
edited. This script puts your edited version back (or moves it to the file's new
place when the template only moved it) and lists the conflicts left to resolve.
Needs copier: the make target runs it with `uvx --from copier python`.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import copier  # type: ignore[import-not-found,unused-ignore]
import yaml  # type: ignore[import-untyped,unused-ignore]

ANSWERS_FILE = Path(".copier-answers.yml")
CONFLICT_MARKERS = (b"<<<<<<< before updating", b">>>>>>> after updating")


def git(*args: str) -> str:
    """Run git in the current folder and return what it printed."""
    result = subprocess.run(["git", *args], capture_output=True, text=True, check=True)
    return result.stdout


def committed_bytes(path: str) -> bytes:
    """The content of `path` in the last commit."""
    result = subprocess.run(["git", "show", f"HEAD:./{path}"], capture_output=True, check=True)
    return result.stdout


def parse_data(pairs: list[str]) -> dict[str, Any]:
    """Turn `key=value` arguments into copier answers (YAML values, as copier's --data)."""
    data: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise SystemExit(f"error: --data takes key=value, got {pair!r}")
        data[key] = yaml.safe_load(value) if value else ""
    return data


def render_last_update(answers: dict[str, Any], where: Path) -> Path:
    """Render the template at the version this project last updated to, with its answers."""
    data = {key: value for key, value in answers.items() if not key.startswith("_")}
    copier.run_copy(
        str(answers["_src_path"]),
        str(where),
        data=data,
        vcs_ref=str(answers["_commit"]),
        defaults=True,
        quiet=True,
        unsafe=False,
    )
    return where


def keep_changed_files(before: Path) -> list[str]:
    """Restore the files copier deleted although you had changed them; say what happened."""
    notes = []
    added = git("ls-files", "--others", "--exclude-standard").splitlines()
    for path in git("ls-files", "--deleted").splitlines():
        template_copy = before / path
        mine = committed_bytes(path)
        if template_copy.is_file() and template_copy.read_bytes() == mine:
            continue  # you never changed it: the template's removal stands
        moved_to = [
            new
            for new in added
            if template_copy.is_file() and Path(new).read_bytes() == template_copy.read_bytes()
        ]
        if len(moved_to) == 1:
            Path(moved_to[0]).write_bytes(mine)
            notes.append(f"moved your edited {path} to {moved_to[0]} (the template moved it)")
        else:
            git("checkout", "HEAD", "--", path)
            notes.append(f"kept your edited {path} (the template no longer ships it)")
    return notes


def has_markers(file: Path) -> bool:
    """Whether a file holds copier's inline conflict markers."""
    return file.is_file() and any(
        line.rstrip() in CONFLICT_MARKERS for line in file.read_bytes().splitlines()
    )


def find_conflicts() -> list[str]:
    """Files left with copier's conflict markers, and any `.rej` leftovers."""
    listed = git("ls-files", "--cached", "--others", "--exclude-standard").splitlines()
    # an unmerged file is listed once per merge stage
    return sorted(
        path for path in dict.fromkeys(listed) if path.endswith(".rej") or has_markers(Path(path))
    )


def main(argv: list[str] | None = None) -> int:
    """Update from the template; exit 1 when conflicts are left to resolve, 2 on bad state."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", action="append", default=[], help="answer to change: key=value")
    parser.add_argument("--vcs-ref", default=None, help="template version (default: latest)")
    args = parser.parse_args(argv)
    if not ANSWERS_FILE.is_file():
        print(
            "error: no .copier-answers.yml here. Run this at the project root; a project made "
            "with cookiecutter updates with `cruft update` instead (see the README).",
            file=sys.stderr,
        )
        return 2
    inside = subprocess.run(
        ["git", "rev-parse", "--is-inside-work-tree"], capture_output=True, check=False
    )
    if inside.returncode != 0:
        print(
            "error: this folder is not a git repository yet, and copier updates only a "
            "committed project. Run `make git-init` (git init and a first commit), then again.",
            file=sys.stderr,
        )
        return 2
    if git("status", "--porcelain").strip():
        print("error: commit or stash your changes first; copier updates a clean tree.")
        return 2
    answers = yaml.safe_load(ANSWERS_FILE.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        before = render_last_update(answers, Path(tmp) / "before")
        copier.run_update(
            ".",
            data=parse_data(args.data),
            vcs_ref=args.vcs_ref,
            defaults=True,
            overwrite=True,
            unsafe=False,
            conflict="inline",
            quiet=True,
        )
        notes = keep_changed_files(before)
    for note in notes:
        print(note)
    conflicts = find_conflicts()
    if conflicts:
        print("conflicts to resolve (edit each, keep what you want, delete the markers):")
        for path in conflicts:
            print(f"  {path}")
        return 1
    print("updated: review `git diff`, run `make test`, then commit.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
