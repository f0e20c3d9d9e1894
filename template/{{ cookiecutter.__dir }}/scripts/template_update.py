"""Update this project from its copier template without losing a file you changed.

Run it with `make template-update` (add `FOCUS=product` to switch focus). It runs
`copier update --defaults --conflict inline`, then repairs what copier does on its
own: copier deletes every file the new template no longer ships, even a file you
edited. This script puts your edited version back (or moves it to the file's new
place when the template only moved it) and lists the conflicts left to resolve.
It honours `.template-intent.yml` (scripts/template_intent.py): files you deleted on
purpose stay deleted, files you own stay untouched, and the template's changes to a
file you renamed follow it. `make template-abort` undoes an update not yet committed.
Needs copier: the make target runs it with `uv run --no-project --with copier python`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import copier  # type: ignore[import-not-found,unused-ignore]
import yaml  # type: ignore[import-untyped,unused-ignore]
from template_intent import INTENT_FILE, Intent, IntentError, dump, load

ANSWERS_FILE = Path(".copier-answers.yml")
CONFLICT_MARKERS = (b"<<<<<<< before updating", b">>>>>>> after updating")
STATE_FILE = "template-update.json"  # in .git: what `make template-abort` undoes


def git(root: Path, *args: str) -> str:
    """Run git in `root` and return what it printed."""
    result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    return result.stdout


def committed_bytes(root: Path, path: str) -> bytes:
    """The content of `path` in the last commit."""
    result = subprocess.run(
        ["git", "show", f"HEAD:./{path}"], cwd=root, capture_output=True, check=True
    )
    return result.stdout


def state_path(root: Path) -> Path:
    """Where the update records what `make template-abort` needs (inside .git)."""
    return root / git(root, "rev-parse", "--git-path", STATE_FILE).strip()


def all_paths(root: Path) -> set[str]:
    """Every file and folder under `root` except .git, ignored ones included."""
    found: set[str] = set()
    for folder, dirs, names in os.walk(root):
        dirs[:] = [name for name in dirs if name != ".git"]
        base = Path(folder).relative_to(root)
        found.update((base / name).as_posix() for name in [*dirs, *names])
    return found


def parse_data(pairs: list[str]) -> dict[str, Any]:
    """Turn `key=value` arguments into copier answers (YAML values, as copier's --data)."""
    data: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise SystemExit(f"error: --data takes key=value, got {pair!r}")
        data[key] = yaml.safe_load(value) if value else ""
    return data


def read_answers(root: Path) -> dict[str, Any]:
    """The answers copier recorded for this project."""
    answers: dict[str, Any] = yaml.safe_load((root / ANSWERS_FILE).read_text(encoding="utf-8"))
    return answers


def render(answers: dict[str, Any], where: Path) -> dict[str, bytes]:
    """Render the template at `answers['_commit']` with these answers; return its files."""
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
    return {
        path.relative_to(where).as_posix(): path.read_bytes()
        for path in where.rglob("*")
        if path.is_file() and path.relative_to(where).as_posix() != ANSWERS_FILE.name
    }


@dataclass
class Outcome:
    """What an update did, file by file, beyond copier's own merge."""

    kept: dict[str, str] = field(default_factory=dict)  # path: why the update left it alone
    moved: dict[str, str] = field(default_factory=dict)  # old path: new path (your edits moved)
    followed: dict[str, str] = field(default_factory=dict)  # renamed file: template original
    lines: list[str] = field(default_factory=list)  # what to print, in order
    conflicts: list[str] = field(default_factory=list)


def keep_changed_files(
    root: Path, before: dict[str, bytes], outcome: Outcome, moved_away: str = ""
) -> None:
    """Restore the files copier deleted although you had changed them; say what happened.

    Files under `moved_away` (a renamed package's old folder) were moved already.
    """
    added = git(root, "ls-files", "--others", "--exclude-standard").splitlines()
    for path in git(root, "ls-files", "--deleted").splitlines():
        if moved_away and path.startswith(moved_away):
            continue
        template_copy = before.get(path)
        mine = committed_bytes(root, path)
        if template_copy == mine:
            continue  # you never changed it: the template's removal stands
        moved_to = [new for new in added if (root / new).read_bytes() == template_copy]
        if template_copy is not None and len(moved_to) == 1:
            (root / moved_to[0]).write_bytes(mine)
            outcome.moved[path] = moved_to[0]
            outcome.lines.append(
                f"moved your edited {path} to {moved_to[0]} (the template moved it)"
            )
        else:
            git(root, "checkout", "HEAD", "--", path)
            outcome.kept[path] = "edited"
            outcome.lines.append(f"kept your edited {path} (the template no longer ships it)")


def merge_into(file: Path, base: bytes, theirs: bytes) -> None:
    """Merge the template's change (base to theirs) into `file`; a clash leaves markers."""
    with tempfile.TemporaryDirectory() as tmp:
        base_file, theirs_file = Path(tmp) / "base", Path(tmp) / "theirs"
        base_file.write_bytes(base)
        theirs_file.write_bytes(theirs)
        subprocess.run(
            [
                *("git", "merge-file", "-L", "before updating", "-L", "last update"),
                *("-L", "after updating", "--", str(file), str(base_file), str(theirs_file)),
            ],
            check=False,
            capture_output=True,
        )


def move_package(
    root: Path, names: tuple[str, str], before: dict[str, bytes], after: dict[str, bytes]
) -> tuple[list[str], dict[str, str]]:
    """After a `package_name` change, bring your files to the new package; fix imports.

    Template files you never changed are already in place (copier moved them). A
    template file you edited gets your edit merged into its new version; a file of your
    own moves as it is, with the old package's name replaced in its imports. Python
    files of yours elsewhere (your tests) import the new name too. Returns what it did
    and the moves (old path: new path).
    """
    old, new = names
    old_prefix, new_prefix = f"src/{old}/", f"src/{new}/"
    name = re.compile(rf"\b{re.escape(old)}\b")
    lines, moves = [], {}
    for path in git(root, "ls-tree", "-r", "--name-only", "HEAD").splitlines():
        mine = committed_bytes(root, path)
        if path.startswith(old_prefix) and before.get(path) != mine:
            target = root / (new_prefix + path.removeprefix(old_prefix))
            target.parent.mkdir(parents=True, exist_ok=True)
            own = path not in before or (new_prefix + path.removeprefix(old_prefix)) not in after
            target.write_bytes(renamed_imports(path, mine, name, new) if own else mine)
            if not own:
                merge_into(target, before[path], after[target.relative_to(root).as_posix()])
            (root / path).unlink(missing_ok=True)
            moves[path] = target.relative_to(root).as_posix()
            lines.append(f"moved your {path} to {moves[path]}")
        elif path.endswith(".py") and path not in before and (root / path).is_file():
            text = renamed_imports(path, (root / path).read_bytes(), name, new)
            if text != (root / path).read_bytes():
                (root / path).write_bytes(text)
                lines.append(f"{path} now imports {new}")
    for folder in sorted((root / "src" / old).glob("**/"), reverse=True):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    return lines, moves


def renamed_imports(path: str, content: bytes, name: re.Pattern[str], new: str) -> bytes:
    """A Python file's content with the old package name replaced; other files as they are."""
    if not path.endswith(".py"):
        return content
    return name.sub(new, content.decode("utf-8")).encode("utf-8")


def follow_renames(
    root: Path, intent: Intent, before: dict[str, bytes], after: dict[str, bytes], outcome: Outcome
) -> None:
    """Merge the template's change to each renamed file's original into your renamed copy."""
    for original, renamed in intent.renamed.items():
        target = root / renamed
        if original not in after:
            outcome.lines.append(
                f"{renamed}: the template no longer ships {original}; your file stays as it is"
            )
            continue
        if before.get(original) == after[original]:
            continue
        if not target.is_file():
            outcome.lines.append(
                f"{renamed} (renamed from {original}) is missing: nothing to merge"
            )
            continue
        merge_into(target, before.get(original, b""), after[original])
        outcome.followed[renamed] = original
        outcome.lines.append(f"merged the template's change to {original} into your {renamed}")


def has_markers(file: Path) -> bool:
    """Whether a file holds copier's inline conflict markers."""
    return file.is_file() and any(
        line.rstrip() in CONFLICT_MARKERS for line in file.read_bytes().splitlines()
    )


def find_conflicts(root: Path) -> list[str]:
    """Files left with conflict markers, and `.rej` leftovers, even ones .gitignore hides."""
    listed = git(root, "ls-files", "--cached", "--others", "--exclude-standard").splitlines()
    listed += git(
        root, "ls-files", "--others", "--ignored", "--exclude-standard", "--", "*.rej"
    ).splitlines()
    # an unmerged file is listed once per merge stage
    return sorted(
        path for path in dict.fromkeys(listed) if path.endswith(".rej") or has_markers(root / path)
    )


def deletions_found(root: Path, intent: Intent, before: dict[str, bytes]) -> list[str]:
    """Generated files missing from your last commit that the intent file does not list."""
    tracked = set(git(root, "ls-files").splitlines())
    return sorted(set(before) - tracked - set(intent.excluded()) - set(intent.renamed.values()))


@dataclass(frozen=True)
class Request:
    """What the student asks of an update: changed answers, a version, a conflict style."""

    data: dict[str, Any] = field(default_factory=dict)
    vcs_ref: str | None = None
    conflict: Literal["inline", "rej"] = "inline"


def apply_update(
    root: Path, request: Request, intent: Intent, before: dict[str, bytes], full: bool = False
) -> tuple[Outcome, dict[str, bytes]]:
    """Update the clean project at `root` from `before` (the last release's files).

    Returns what happened and the new release's files rendered with the new answers
    (rendered when `full` is asked for or the intent file needs them, else empty).
    """
    outcome, after = Outcome(), {}
    old_package = str(read_answers(root).get("package_name", ""))
    with tempfile.TemporaryDirectory() as tmp:
        copier.run_update(
            str(root),
            data=request.data,
            vcs_ref=request.vcs_ref,
            exclude=intent.excluded(),
            defaults=True,
            overwrite=True,
            unsafe=False,
            conflict=request.conflict,
            quiet=True,
        )
        new_package = str(read_answers(root).get("package_name", ""))
        if full or intent.renamed or intent.mine or old_package != new_package:
            after = render(read_answers(root), Path(tmp) / "after")
    moved_away = ""
    if old_package != new_package:
        lines, moves = move_package(root, (old_package, new_package), before, after)
        outcome.lines += lines
        outcome.moved.update(moves)
        moved_away = f"src/{old_package}/"
    keep_changed_files(root, before, outcome, moved_away)
    follow_renames(root, intent, before, after, outcome)
    for path in intent.mine:
        if before.get(path) != after.get(path):
            outcome.kept[path] = "mine"
    outcome.conflicts = find_conflicts(root)
    return outcome, after


def record_deletions(root: Path, intent: Intent, paths: list[str]) -> Intent:
    """Add `paths` to the intent file's deleted list and commit that file alone."""
    recorded = Intent(
        deleted=tuple(sorted({*intent.deleted, *paths})),
        mine=intent.mine,
        renamed=intent.renamed,
    )
    dump(recorded, root / INTENT_FILE)
    git(root, "add", "--", str(INTENT_FILE))
    git(root, "commit", "-q", "--no-verify", "-m", "Record files deleted on purpose", "--")
    print(f"recorded in {INTENT_FILE} and committed: {', '.join(paths)}")
    return recorded


def offer_deletions(root: Path, intent: Intent, found: list[str], record: bool) -> Intent:
    """Say which generated files you deleted; record them when asked to."""
    if not found:
        return intent
    print("you deleted these generated files (copier keeps them deleted, except student-owned")
    print("ones such as configs, which it re-creates):")
    for path in found:
        print(f"  {path}")
    if not record and sys.stdin.isatty():
        answer = input(f"record them in {INTENT_FILE} as deleted on purpose? [y/N] ")
        record = answer.strip().lower() in {"y", "yes"}
    if record:
        return record_deletions(root, intent, found)
    print(f"to record them: make template-update RECORD_DELETIONS=yes (writes {INTENT_FILE})")
    return intent


def refuse(root: Path) -> str | None:
    """Why this folder cannot be updated, or None when it can."""
    if not (root / ANSWERS_FILE).is_file():
        return (
            "error: no .copier-answers.yml here. Run this at the project root; a project made "
            "with cookiecutter updates with `cruft update` instead (see the README)."
        )
    inside = subprocess.run(
        ["git", "rev-parse", "--is-inside-work-tree"], cwd=root, capture_output=True, check=False
    )
    if inside.returncode != 0:
        return (
            "error: this folder is not a git repository yet, and copier updates only a "
            "committed project. Run `make git-init` (git init and a first commit), then again."
        )
    return None


def update_parser(description: str) -> argparse.ArgumentParser:
    """The arguments the update and its preview share: changed answers and a version."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--data", action="append", default=[], help="answer to change: key=value")
    parser.add_argument("--vcs-ref", default=None, help="template version (default: latest)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Update from the template; exit 1 when conflicts are left to resolve, 2 on bad state."""
    parser = update_parser(__doc__.splitlines()[0])
    parser.add_argument(
        "--conflict",
        choices=["inline", "rej"],
        default="inline",
        help="inline: conflict markers in the file; rej: the template's version and FILE.rej",
    )
    parser.add_argument(
        "--record-deletions", action="store_true", help="record deleted generated files"
    )
    args = parser.parse_args(argv)
    root = Path.cwd()
    problem = refuse(root)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    if git(root, "status", "--porcelain").strip():
        print("error: commit or stash your changes first; copier updates a clean tree.")
        return 2
    try:
        intent = load(root / INTENT_FILE)
    except IntentError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        before = render(read_answers(root), Path(tmp) / "before")
    intent = offer_deletions(
        root, intent, deletions_found(root, intent, before), args.record_deletions
    )
    existing = all_paths(root)
    state = state_path(root)
    state.write_text(
        json.dumps({"head": git(root, "rev-parse", "HEAD").strip(), "created": None}),
        encoding="utf-8",
    )
    try:
        outcome, _ = apply_update(
            root, Request(parse_data(args.data), args.vcs_ref, args.conflict), intent, before
        )
    finally:
        created = sorted(all_paths(root) - existing)
        record = json.loads(state.read_text(encoding="utf-8"))
        state.write_text(json.dumps({**record, "created": created}), encoding="utf-8")
    for line in outcome.lines:
        print(line)
    if outcome.conflicts:
        print("conflicts to resolve (edit each, keep what you want, delete the markers;")
        print("merge each FILE.rej into FILE by hand, then delete it):")
        for path in outcome.conflicts:
            print(f"  {path}")
        print("or undo the whole update: make template-abort")
        return 1
    print("updated: review `git diff`, run `make test`, then commit (or `make template-abort`).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
