"""Show what `make template-update` would do, file by file, without touching your files.

Run it with `make template-preview` (same FOCUS, ANSWER and TEMPLATE_VERSION as the
update). It checks your last commit out into a scratch git worktree, runs the very
update `make template-update` runs there (scripts/template_update.py, honouring
`.template-intent.yml`), compares the result with your commit, prints one line per
file the update concerns, then the template CHANGELOG's "For existing projects" notes
of every release it crosses, and removes the worktree. `--json` prints the same as JSON.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from template_intent import INTENT_FILE, Intent, IntentError, load
from template_update import (
    Outcome,
    Request,
    all_paths,
    apply_update,
    git,
    parse_data,
    read_answers,
    refuse,
    render,
    update_parser,
)

ARRIVES = "arrives"
LEAVES = "leaves"
CHANGES = "changes cleanly"
CONFLICTS = "will conflict with your edit"
KEPT_EDITED = "kept because you edited it"
KEPT_DELETED = "kept because you deleted it on purpose"
KEPT_MINE = "kept because it is yours"
ORDER = (ARRIVES, LEAVES, CHANGES, CONFLICTS, KEPT_EDITED, KEPT_DELETED, KEPT_MINE)
VERSION = re.compile(r"(\d+)\.(\d+)\.(\d+)")
EXISTING = "### For existing projects"


def files_at(root: Path) -> dict[str, bytes]:
    """Every file of a fresh worktree (nothing there is ignored yet), .git left out."""
    return {
        name: (root / name).read_bytes()
        for name in all_paths(root)
        if (root / name).is_file() and not (root / name).is_symlink()
    }


@dataclass(frozen=True)
class Trees:
    """The files the preview compares: your commit, the update's result, both releases."""

    head: dict[str, bytes]
    result: dict[str, bytes]
    before: dict[str, bytes]
    after: dict[str, bytes]


def kept_status(path: str, trees: Trees, intent: Intent, outcome: Outcome) -> tuple[str, str]:
    """Why a file the template changed is left as you have it ("" when it is not)."""
    head, before, after = trees.head, trees.before, trees.after
    if path in head and path in before and before[path] != after.get(path):
        if path in intent.mine:
            return KEPT_MINE, f"listed under mine in {INTENT_FILE}"
        if outcome.kept.get(path) == "edited" or head[path] != before[path]:
            return KEPT_EDITED, ""
        return KEPT_MINE, "the template never overwrites this file"
    gone = path not in head and path not in trees.result
    if gone and path in after and path in before and path not in intent.renamed:
        if path in intent.deleted:
            return KEPT_DELETED, ""
        if before[path] != after[path]:
            return KEPT_DELETED, f"not listed in {INTENT_FILE}"
    return "", ""


def classify(trees: Trees, intent: Intent, outcome: Outcome) -> list[dict[str, str]]:
    """One entry per file the update concerns: its path, what happens, and why."""
    rows: list[dict[str, str]] = []
    moved_to = {new: old for old, new in outcome.moved.items()}
    head, result = trees.head, trees.result
    for path in sorted({*head, *result, *trees.before, *trees.after}):
        status, note = "", ""
        if path in outcome.conflicts or f"{path}.rej" in outcome.conflicts:
            status = CONFLICTS
        elif path.endswith(".rej"):
            continue
        elif path in head and path not in result:
            status = LEAVES
        elif path not in head and path in result:
            status = ARRIVES
            note = f"with your edits from {moved_to[path]}" if path in moved_to else ""
        elif path in head and head[path] != result[path]:
            status = CHANGES
            if path in outcome.followed:
                note = f"the template's change to {outcome.followed[path]} follows your rename"
        else:
            status, note = kept_status(path, trees, intent, outcome)
        if status:
            rows.append({"path": path, "status": status, "note": note})
    return rows


def release_notes(source: str, old: str, new: str) -> list[dict[str, str]]:
    """The CHANGELOG's "For existing projects" part of each release after `old` up to `new`."""
    low, high = VERSION.search(old), VERSION.search(new)
    if not (low and high):
        return []
    lowest, highest = tuple(map(int, low.groups())), tuple(map(int, high.groups()))
    url = re.sub(r"^gh:", "https://github.com/", re.sub(r"^gl:", "https://gitlab.com/", source))
    url = url.removeprefix("git+")  # copier accepts git+file:// and git+https://; git does not
    with tempfile.TemporaryDirectory() as tmp:
        cloned = subprocess.run(
            ["git", "clone", "--quiet", "--no-checkout", url, tmp],
            capture_output=True,
            check=False,
        )
        shown = subprocess.run(
            ["git", "-C", tmp, "show", f"{new}:CHANGELOG.md"],
            capture_output=True,
            text=True,
            check=False,
        )
    if cloned.returncode or shown.returncode:
        return []
    notes: list[dict[str, str]] = []
    # the CHANGELOG lists the newest release first; the notes read oldest first
    for section in reversed(re.split(r"^## ", shown.stdout, flags=re.MULTILINE)[1:]):
        heading, _, body = section.partition("\n")
        found = VERSION.match(heading.lstrip("[v"))
        if not found or not lowest < tuple(map(int, found.groups())) <= highest:
            continue
        part = body.partition(EXISTING)[2]
        text = re.split(r"^##", part, maxsplit=1, flags=re.MULTILINE)[0].strip()
        if text:
            notes.append({"version": found.group(0), "text": text})
    return notes


def preview(root: Path, request: Request) -> dict[str, Any]:
    """Run the update in a scratch worktree of HEAD and report what it did there."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "preview"
        git(root, "worktree", "add", "--quiet", "--detach", str(work), "HEAD")
        try:
            intent = load(work / INTENT_FILE)
            head = files_at(work)
            old = read_answers(work)
            before = render(old, Path(tmp) / "before")
            outcome, after = apply_update(work, request, intent, before, full=True)
            result = files_at(work)
            new = read_answers(work)
        finally:
            git(root, "worktree", "remove", "--force", str(work))
    return {
        "from": str(old["_commit"]),
        "to": str(new["_commit"]),
        "files": classify(Trees(head, result, before, after), intent, outcome),
        "messages": outcome.lines,
        "notes": release_notes(str(old["_src_path"]), str(old["_commit"]), str(new["_commit"])),
    }


def show(report: dict[str, Any]) -> str:
    """The report as text: files grouped by what happens to them, then the release notes."""
    lines = [f"update {report['from']} -> {report['to']} (nothing in your files has changed)"]
    if report["from"] == report["to"] and not report["files"]:
        lines.append("already at that release: nothing would change")
    for status in ORDER:
        rows = [row for row in report["files"] if row["status"] == status]
        if rows:
            lines.append(f"\n{status}:")
            lines += [f"  {r['path']}" + (f"  ({r['note']})" if r["note"] else "") for r in rows]
    for note in report["notes"]:
        lines.append(f"\n{note['version']}, for existing projects:")
        lines += [f"  {line}" if line else "" for line in note["text"].splitlines()]
    lines.append("\napply it with `make template-update` (undo with `make template-abort`)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the preview; exit 0 whatever it finds (2 when the project cannot be updated)."""
    parser = update_parser(__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the preview as JSON")
    args = parser.parse_args(argv)
    root = Path.cwd()
    problem = refuse(root)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    if git(root, "status", "--porcelain").strip():
        print(
            "note: this previews your last commit; uncommitted changes are left out.",
            file=sys.stderr,
        )
    try:
        report = preview(root, Request(parse_data(args.data), args.vcs_ref))
    except IntentError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(json.dumps(report, indent=2) if args.json else show(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
