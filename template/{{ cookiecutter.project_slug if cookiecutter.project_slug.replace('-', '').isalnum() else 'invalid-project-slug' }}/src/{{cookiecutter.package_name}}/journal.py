"""The iteration journal: one Markdown entry per training run, appended to docs/journal.md.

Each entry ends with the run's config as JSON in an HTML comment (invisible when
rendered). The next run reads the last one back to list what changed, so the
journal needs no other file and can be committed with the code.
"""

import json
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from . import PROG

CONFIG_LINE = re.compile(r"^<!-- config: (?P<json>.*) -->$", re.MULTILINE)
UNSET = "(unset)"
_MISSING: Any = object()


def header() -> str:
    """Return the text a new journal starts with."""
    return (
        "# Iteration journal\n\n"
        f"One entry per training run, appended by `{PROG} train`: what changed in "
        "configs/pipeline.yaml since the previous run, and what the model scored.\n"
    )


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


def render_entry(
    when: datetime,
    title: str,
    previous: Mapping[str, Any] | None,
    config: Mapping[str, Any],
    metrics: Mapping[str, str],
) -> str:
    """Return one journal entry: heading, config changes, metrics table, config line."""
    changes = config_changes(previous, config)
    if previous is None:
        bullets = ["- first entry"]
    elif not changes:
        bullets = ["- no config change since the previous entry"]
    else:
        bullets = [f"- {change}" for change in changes]
    lines = [
        f"## {when.strftime('%Y-%m-%d %H:%M:%S')} UTC — {title}",
        "",
        "Config changes since the previous entry:",
        "",
        *bullets,
        "",
        "| metric | value |",
        "| --- | --- |",
        *(f"| {name} | {value} |" for name, value in metrics.items()),
        "",
        f"<!-- config: {_comment_json(config)} -->",
    ]
    return "\n".join(lines) + "\n"


def append_entry(
    path: Path,
    when: datetime,
    title: str,
    config: Mapping[str, Any],
    metrics: Mapping[str, str],
) -> str:
    """Append an entry to the journal at ``path`` (created if missing); return the entry."""
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    if not text.strip():
        text = header()
    entry = render_entry(when, title, last_config(text), config, metrics)
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
