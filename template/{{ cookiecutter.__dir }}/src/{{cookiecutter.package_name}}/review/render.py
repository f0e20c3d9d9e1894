"""The review as Markdown, JSON, a shields.io badge and the docs page's table."""

import json
from typing import Any

from .core import Result, Status
from .run import Review

PAGE_START = "<!-- review:start -->"
PAGE_END = "<!-- review:end -->"
BADGE_COLORS = ((1.0, "brightgreen"), (0.75, "green"), (0.5, "yellow"), (0.25, "orange"))
STATUS_ICONS = {
    Status.DONE: "✅ done",
    Status.STARTED: "🟡 started",
    Status.YOUR_JOB: "⬜ your job",
    Status.NOT_APPLICABLE: "— not applicable",
}


def summary(review: Review) -> str:
    """One line: how many applicable checks are done."""
    counts = review.counts
    return (
        f"{review.done}/{review.applicable} done, {counts[Status.STARTED]} started, "
        f"{counts[Status.YOUR_JOB]} your job, {counts[Status.NOT_APPLICABLE]} not applicable"
    )


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def _link(result: Result, prefix: str, review: Review) -> str:
    doc = result.check.doc
    if not (review.project.root / doc).is_file():
        return "—"
    target = doc.removeprefix("docs/") if prefix == "" else f"{prefix}{doc}"
    return f"[{doc.removeprefix('docs/')}]({target})"


def markdown_table(review: Review, prefix: str = "../") -> str:
    """The checks as a Markdown table; doc links are relative to where it is written."""
    lines = [
        "| Check | Status | Evidence | Course expectation | Read |",
        "| --- | --- | --- | --- | --- |",
    ]
    for result in review.results:
        check = result.check
        lines.append(
            f"| **{_cell(check.title)}** `{check.id}` | {STATUS_ICONS[result.status]} | "
            f"{_cell('; '.join(result.finding.evidence))} | {_cell(check.expectation)} | "
            f"{_link(result, prefix, review)} |"
        )
    return "\n".join(lines) + "\n"


def header(review: Review) -> str:
    """What was reviewed, as a short paragraph."""
    project = review.project
    components = ", ".join(sorted(project.components)) or "none"
    notes = "".join(f"\n\nNote: {note}" for note in project.notes)
    return (
        f"Focus **{project.focus}** (from {project.focus_source}); components: {components}.\n\n"
        f"**{summary(review)}.**{notes}\n"
    )


def markdown(review: Review) -> str:
    """reports/review.md: the heading, the summary and the table."""
    return (
        "# Capstone review\n\n"
        "Written by `make review` from the files in this repository; "
        "see docs/checklist.md for what each status means.\n\n"
        f"{header(review)}\n{markdown_table(review)}"
    )


def as_json(review: Review) -> dict[str, Any]:
    """reports/review.json: everything the table shows, for other tools."""
    project = review.project
    return {
        "focus": project.focus,
        "focus_source": project.focus_source,
        "components": sorted(project.components),
        "notes": list(project.notes),
        "done": review.done,
        "applicable": review.applicable,
        "counts": {status.value: review.counts[status] for status in Status},
        "checks": [
            {
                "id": result.check.id,
                "title": result.check.title,
                "expectation": result.check.expectation,
                "doc": result.check.doc,
                "status": result.status.value,
                "evidence": list(result.finding.evidence),
            }
            for result in review.results
        ],
    }


def badge(review: Review) -> dict[str, Any]:
    """A shields.io endpoint: ``capstone: 9/14``, greener as more is done."""
    share = review.done / review.applicable if review.applicable else 0.0
    color = next((name for floor, name in BADGE_COLORS if share >= floor), "red")
    return {
        "schemaVersion": 1,
        "label": "capstone",
        "message": f"{review.done}/{review.applicable}",
        "color": color,
    }


def page(text: str, review: Review) -> str | None:
    """``text`` with the table between the review markers replaced; None without markers."""
    if PAGE_START not in text or PAGE_END not in text.split(PAGE_START, 1)[1]:
        return None
    before, rest = text.split(PAGE_START, 1)
    after = rest.split(PAGE_END, 1)[1]
    table = f"{header(review)}\n{markdown_table(review, prefix='')}"
    return f"{before}{PAGE_START}\n{table}{PAGE_END}{after}"


def dumps(data: dict[str, Any]) -> str:
    """JSON as the review writes it."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
