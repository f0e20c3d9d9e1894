"""`review`: the capstone scorecard, from evidence in a project folder or a git URL."""

import os
import re
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..console import EXIT_USER_ERROR
from ..review import render
from ..review.core import Status
from ..review.run import Review, review

#: Exit code of --strict when a check that applies is not done yet.
EXIT_NOT_DONE = 1
GIT_URL = re.compile(r"^(https?|ssh|git|file)://|^[\w.-]+@[\w.-]+:")
STYLES = {
    Status.DONE: "green",
    Status.STARTED: "yellow",
    Status.YOUR_JOB: "bold",
    Status.NOT_APPLICABLE: "dim",
}
#: Seconds `make test` may take under --run.
RUN_TIMEOUT = 3600


@contextmanager
def _checkout(target: str) -> Iterator[Path]:
    """The folder to review: ``target`` itself, or a shallow clone of a git URL."""
    if not GIT_URL.match(target):
        yield Path(target)
        return
    with tempfile.TemporaryDirectory(prefix="review-") as folder:
        clone = Path(folder) / "project"
        result = subprocess.run(
            ["git", "clone", "--quiet", "--depth", "1", "--", target, str(clone)],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0"},
        )
        if result.returncode != 0:
            message = (result.stderr.strip().splitlines() or ["git clone failed"])[-1]
            raise ReviewError(f"cannot clone {target}: {message}")
        yield clone


class ReviewError(Exception):
    """Nothing to review: the reason, for one red line."""


def _run_tests(root: Path) -> tuple[bool, str]:
    """Run the project's own `make test` (only under --run: it is the student's code)."""
    try:
        result = subprocess.run(
            ["make", "test"],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
            timeout=RUN_TIMEOUT,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, str(exc)
    return result.returncode == 0, result.stdout + result.stderr


def _table(outcome: Review) -> Table:
    table = Table(title=f"Capstone review: {outcome.project.focus} focus", show_lines=False)
    table.add_column("check")
    table.add_column("status")
    table.add_column("evidence", overflow="fold")
    for result in outcome.results:
        table.add_row(
            Text.assemble((result.check.title, "bold"), f"\n{result.check.id}", style=""),
            Text(result.status.value, STYLES[result.status]),
            "\n".join(result.finding.evidence),
        )
    return table


def _write(outcome: Review, out: Path, page: Path | None) -> list[Path]:
    """Write review.md, review.json and the badge into ``out``; refresh the docs page."""
    out.mkdir(parents=True, exist_ok=True)
    written = {
        out / "review.md": render.markdown(outcome),
        out / "review.json": render.dumps(render.as_json(outcome)),
        out / "review-badge.json": render.dumps(render.badge(outcome)),
    }
    for path, text in written.items():
        path.write_text(text, encoding="utf-8")
    paths = list(written)
    if page is not None and page.is_file():
        try:
            updated = render.page(page.read_text(encoding="utf-8"), outcome)
        except (OSError, UnicodeDecodeError):
            updated = None
        if updated is not None:
            page.write_text(updated, encoding="utf-8")
            paths.append(page)
    return paths


def register(app: typer.Typer) -> None:
    """Add `review` to the CLI."""

    @app.command("review")
    def review_command(
        path: Annotated[
            str, typer.Argument(help="Project folder or git URL to review (default: here).")
        ] = ".",
        run: Annotated[
            bool, typer.Option("--run", help="Also run the project's `make test` (its code).")
        ] = False,
        strict: Annotated[
            bool, typer.Option("--strict", help="Exit 1 while a check that applies is not done.")
        ] = False,
        out: Annotated[
            Path | None,
            typer.Option(
                help="Where to write review.md/json and the badge (default: PATH/reports)."
            ),
        ] = None,
        write: Annotated[
            bool, typer.Option("--write/--no-write", help="Write the reports and the docs page.")
        ] = True,
    ) -> None:
        """Score the capstone from evidence in its files; run nothing of it unless --run."""
        out_console = Console(soft_wrap=False, highlight=False)
        err = Console(stderr=True, soft_wrap=True, highlight=False)
        try:
            with _checkout(path) as root:
                if not root.is_dir():
                    raise ReviewError(
                        f"{path}: no such folder (give a project folder or a git URL)"
                    )
                ran, output = _run_tests(root) if run else (None, "")
                outcome = review(root, ran, output)
                out_console.print(_table(outcome))
                out_console.print(render.summary(outcome))
                for note in outcome.project.notes:
                    err.print(Text(f"note: {note}", "yellow"))
                cloned = root != Path(path)
                target = out if out is not None else (None if cloned else root / "reports")
                if write and target is not None:
                    # The docs page is the project's own: refreshed only when its reports are.
                    page = root / "docs" / "checklist.md" if out is None else None
                    written = _write(outcome, target, page)
                    out_console.print("review: wrote " + ", ".join(p.as_posix() for p in written))
                summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
                if summary_file:
                    with Path(summary_file).open("a", encoding="utf-8") as handle:
                        handle.write(render.markdown(outcome).replace("](../", "]("))
        except ReviewError as exc:
            err.print(Text.assemble(("error:", "bold red"), " ", str(exc)))
            raise typer.Exit(EXIT_USER_ERROR) from None
        if strict and outcome.done < outcome.applicable:
            err.print(f"review --strict: {outcome.applicable - outcome.done} checks are not done")
            raise typer.Exit(EXIT_NOT_DONE)
