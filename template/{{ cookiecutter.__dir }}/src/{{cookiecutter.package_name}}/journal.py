"""The iteration journal: one Markdown entry per run, appended to docs/journal.md.

Each entry ends with two HTML comments (invisible when rendered): which command
wrote it and the checksum of its training data, then the run's config as JSON.
The next run of the same command reads its previous entry back to list what
changed (config keys, and the data when its checksum differs), so the journal
needs no other file and can be committed with the code. Entries of different
commands (`train`, `tune`, `compare`) are never diffed against each other: their
snapshots hold different sections.
"""

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from . import PROG

CONFIG_LINE = re.compile(r"^<!-- config: (?P<json>.*) -->$", re.MULTILINE)
ENTRY_LINE = re.compile(r"^<!-- entry: (?P<json>.*) -->$", re.MULTILINE)
HEADING = re.compile(r"^## (?P<heading>.*)$", re.MULTILINE)
UNSET = "(unset)"
#: The command of an entry that does not name one: the core `train` step's.
DEFAULT_COMMAND = "train"
_MISSING: Any = object()


def header() -> str:
    """Return the text a new journal starts with."""
    return (
        "# Iteration journal\n\n"
        f"One entry per run of `{PROG} train` (and of the other commands that record "
        "experiments): what changed in the configs and the data since the previous "
        "entry of the same command, and what it scored.\n"
    )


@dataclass(frozen=True)
class Entry:
    """What the journal keeps of one entry to compare the next one with."""

    command: str
    config: dict[str, Any]
    data_sha256: str | None = None


def config_files(sources: Mapping[str, Path]) -> dict[str, Any]:
    """Return ``{label: content}`` of each YAML file in ``sources`` that exists and parses.

    Components pass their own configs (``{"features.yaml": Path(...)}``) so that an
    entry records them next to configs/pipeline.yaml, and a change in them is listed
    as ``features.yaml.selection.k: 8 → 5``.
    """
    files: dict[str, Any] = {}
    for label, path in sources.items():
        try:
            files[label] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
    return files


def flatten(config: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Return nested mappings as ``{"dotted.key": value}``; lists stay values."""
    flat: dict[str, Any] = {}
    for key, value in config.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{dotted}."))
        else:
            flat[dotted] = value
    return flat


def config_changes(previous: Mapping[str, Any] | None, current: Mapping[str, Any]) -> list[str]:
    """Describe each changed key as ``key: old → new``, in key order."""
    if previous is None:
        return []
    old, new = flatten(previous), flatten(current)
    return [
        f"`{key}`: {_show(old.get(key, _MISSING))} → {_show(new.get(key, _MISSING))}"
        for key in sorted(old.keys() | new.keys())
        if old.get(key, _MISSING) != new.get(key, _MISSING)
    ]


def entries(text: str) -> list[Entry]:
    """Return the journal's readable entries, oldest first.

    An entry without an ``entry`` comment (written before it existed) is
    attributed by its title: ``<prog> tune: …`` to ``tune``, anything else to ``train``.
    """
    found: list[Entry] = []
    starts = [match.start() for match in HEADING.finditer(text)]
    for start, end in zip(starts, [*starts[1:], len(text)][: len(starts)], strict=True):
        section = text[start:end]
        config = _last_json(CONFIG_LINE, section)
        if config is None:
            continue
        meta = _last_json(ENTRY_LINE, section) or {}
        heading = HEADING.match(section)
        command = meta.get("command") or _command_of(heading["heading"] if heading else "")
        sha = meta.get("data_sha256")
        found.append(Entry(str(command), config, str(sha) if sha else None))
    return found


def last_config(text: str) -> dict[str, Any] | None:
    """Return the config of the journal's last readable entry, or None if there is none."""
    for match in reversed(list(CONFIG_LINE.finditer(text))):
        try:
            config = json.loads(match["json"])
        except json.JSONDecodeError:
            continue
        if isinstance(config, dict):
            return config
    return None


def previous_entry(text: str, command: str) -> Entry | None:
    """Return the last readable entry written by ``command``, or None."""
    for entry in reversed(entries(text)):
        if entry.command == command:
            return entry
    return None


def render_entry(  # noqa: PLR0913 (one entry has this many parts)
    when: datetime,
    title: str,
    previous: Entry | None,
    config: Mapping[str, Any],
    metrics: Mapping[str, str],
    *,
    command: str = DEFAULT_COMMAND,
    data_sha256: str | None = None,
) -> str:
    """Return one entry: heading, changes since ``previous``, metrics, the hidden record."""
    bullets: list[str] = []
    if previous is None:
        bullets = [f"- first entry for `{command}`"]
    else:
        if data_sha256 and previous.data_sha256 and data_sha256 != previous.data_sha256:
            bullets.append(
                f"- data changed: sha256 {previous.data_sha256[:6]}… → {data_sha256[:6]}…"
            )
        bullets += [f"- {change}" for change in config_changes(previous.config, config)]
        if not bullets:
            same = data_sha256 is not None and data_sha256 == previous.data_sha256
            bullets = [
                "- no config change since the previous entry" + (" (same data)" if same else "")
            ]
    meta = {"command": command} | ({"data_sha256": data_sha256} if data_sha256 else {})
    lines = [
        f"## {when.strftime('%Y-%m-%d %H:%M:%S')} UTC — {title}",
        "",
        f"Changes since the previous `{command}` entry:",
        "",
        *bullets,
        "",
        "| metric | value |",
        "| --- | --- |",
        *(f"| {name} | {value} |" for name, value in metrics.items()),
        "",
        f"<!-- entry: {_comment_json(meta)} -->",
        f"<!-- config: {_comment_json(config)} -->",
    ]
    return "\n".join(lines) + "\n"


def append_entry(  # noqa: PLR0913 (the parts of an entry, named at each call)
    path: Path,
    when: datetime,
    title: str,
    config: Mapping[str, Any],
    metrics: Mapping[str, str],
    *,
    command: str = DEFAULT_COMMAND,
    data_sha256: str | None = None,
) -> str:
    """Append an entry to the journal at ``path`` (created if missing); return the entry.

    Its changes are listed against the previous entry of the same ``command``;
    ``data_sha256`` (the checksum of the data the run used) lets the next entry
    say when the data changed although no config key did.
    """
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    if not text.strip():
        text = header()
    previous = previous_entry(text, command)
    entry = render_entry(
        when, title, previous, config, metrics, command=command, data_sha256=data_sha256
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    separator = "" if text.endswith("\n\n") else ("\n" if text.endswith("\n") else "\n\n")
    path.write_text(text + separator + entry, encoding="utf-8")
    return entry


def _show(value: Any) -> str:
    """Return a value as it reads in JSON (strings quoted, lists bracketed)."""
    return UNSET if value is _MISSING else json.dumps(value, ensure_ascii=False)


def _comment_json(config: Mapping[str, Any]) -> str:
    """Return ``config`` as one line of JSON that cannot end the HTML comment early."""
    text = json.dumps(config, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    # "--" and ">" only occur inside JSON strings, where these escapes are equivalent.
    return text.replace("--", "-\\u002d").replace(">", "\\u003e")


def _last_json(pattern: re.Pattern[str], text: str) -> dict[str, Any] | None:
    """Return the last line of ``text`` matching ``pattern`` whose JSON is an object."""
    for match in reversed(list(pattern.finditer(text))):
        try:
            value = json.loads(match["json"])
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            return value
    return None


def _command_of(heading: str) -> str:
    """The command of an entry without an ``entry`` comment, from its heading's title."""
    title = heading.split(" — ", 1)[-1]
    words = title.split()
    if len(words) > 1 and words[0] == PROG:
        return words[1].rstrip(":")
    return DEFAULT_COMMAND
