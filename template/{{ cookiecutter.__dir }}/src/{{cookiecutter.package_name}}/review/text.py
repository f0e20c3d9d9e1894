"""Reading the Markdown the student writes: journal entries, decision answers, prompts left."""

import re
from dataclasses import dataclass

FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
SECTION = re.compile(r"^## (?P<heading>.*)$", re.MULTILINE)
#: A prompt the template leaves for the student: an italic list item (it may wrap lines).
PROMPT = re.compile(r"^\s*- \*[^*]+\*", re.MULTILINE)
#: An italic question the template asks inline (model card).
QUESTION = re.compile(r"\*[^*\n]*\?\*")
#: Lines the journal writes itself, under an entry's heading.
GENERATED_BULLET = re.compile(
    r"^- (first entry for|data changed:|no config change|`[^`]+`: .* → )", re.IGNORECASE
)
#: The three trade-off questions of the course guide, as the decision log asks them.
TRADE_OFFS = {
    "technique": re.compile(r"which technique best applies", re.IGNORECASE),
    "deployment": re.compile(r"how easily can it be deployed", re.IGNORECASE),
    "good enough": re.compile(r"good enough for the business requirement", re.IGNORECASE),
}
#: The example decision's marker and the openings of its answers: the template's words.
EXAMPLE_MARKER = "*An example entry"
TEMPLATE_ANSWERS = (
    "A linear model on a few clean",
    "Very easily: a few kilobytes",
    "To be answered with numbers",
)
#: An answer shorter than this many words is not an answer in the student's own words.
MIN_ANSWER_WORDS = 5


def sections(text: str) -> list[tuple[str, str]]:
    """Return ``(heading, body)`` of each level-two section, code blocks removed."""
    plain = FENCE.sub("", text)
    starts = list(SECTION.finditer(plain))
    return [
        (match["heading"].strip(), plain[match.end() : following])
        for match, following in zip(
            starts, [m.start() for m in starts[1:]] + [len(plain)], strict=False
        )
    ]


@dataclass(frozen=True)
class JournalEntry:
    """One journal entry: its heading, whether a why was written under it, what changed."""

    heading: str
    why: bool
    changes: tuple[str, ...]


def journal_entries(text: str) -> list[JournalEntry]:
    """Return the journal's entries; a why is any line the journal did not write itself."""
    found: list[JournalEntry] = []
    for heading, body in sections(text):
        why = False
        changes: list[str] = []
        for raw in body.splitlines():
            line = raw.strip()
            if not line or line.startswith(("|", "<!--", "Changes since the previous")):
                continue
            if GENERATED_BULLET.match(line):
                changes.append(line)
                continue
            why = True
        found.append(JournalEntry(heading, why, tuple(changes)))
    return found


def answers(body: str) -> dict[str, str]:
    """Return the text under each trade-off question in one decision entry."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", body) if p.strip()]
    result: dict[str, str] = {}
    for paragraph in paragraphs:
        for name, question in TRADE_OFFS.items():
            match = question.search(paragraph)
            if match:
                after = paragraph[match.end() :]
                result[name] = re.sub(r"^[^*]*\*\*", "", after, count=1).strip()
    return result


def own_answer(answer: str) -> bool:
    """Whether an answer is the student's: long enough and not the template's example."""
    return len(answer.split()) >= MIN_ANSWER_WORDS and not answer.startswith(TEMPLATE_ANSWERS)


def decisions(text: str) -> list[tuple[str, dict[str, str]]]:
    """Return each decision entry's heading and its own answers (the example excluded)."""
    entries: list[tuple[str, dict[str, str]]] = []
    for heading, body in sections(text):
        if heading.lower() == "template" or EXAMPLE_MARKER in body:
            continue
        own = {name: answer for name, answer in answers(body).items() if own_answer(answer)}
        entries.append((heading, own))
    return entries


def prompts(text: str) -> int:
    """How many template prompts (italic list items) are left."""
    return len(PROMPT.findall(FENCE.sub("", text)))


def questions(text: str) -> int:
    """How many italic questions are left."""
    return len(QUESTION.findall(FENCE.sub("", text)))
