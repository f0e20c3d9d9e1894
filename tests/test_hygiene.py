"""Every generated project's repository hygiene, checked offline with the real tools.

Dependabot's config against its schema, zizmor on the workflows, the secret scan, the
notebook hook and repo-review's yardstick: each tool is the template's own (its dev group),
run on projects generated once per session (conftest's `generated` fixture).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml
from conftest import run

BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    """A program installed with the template's dev tools, beside this Python."""
    path = BIN / name
    assert path.exists(), f"{name} is not installed: `uv sync` installs the template's dev tools"
    return str(path)


def test_dependabot_updates_actions_and_uv_weekly_grouped_with_a_cooldown(
    generated: dict[str, Path],
) -> None:
    # given every variant's Dependabot config
    configs = [root / ".github" / "dependabot.yml" for root in generated.values()]
    # then each one is valid against Dependabot's schema (vendored in check-jsonschema: offline)
    output = run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.dependabot", *map(str, configs)],
        BIN,
    )
    assert "ok -- validation done" in output
    # and it updates the workflows' actions and uv.lock, weekly, grouped, after a cooldown
    for config in configs:
        updates = yaml.safe_load(config.read_text(encoding="utf-8"))["updates"]
        assert sorted(update["package-ecosystem"] for update in updates) == ["github-actions", "uv"]
        for update in updates:
            assert update["directory"] == "/"
            assert update["schedule"]["interval"] == "weekly"
            assert update["cooldown"]["default-days"] >= 7
            (group,) = update["groups"].values()
            assert group["patterns"] == ["*"]


def test_dependabot_schema_check_refuses_a_bad_config(tmp_path: Path) -> None:
    # given a config with an interval Dependabot does not know
    bad = tmp_path / "dependabot.yml"
    bad.write_text(
        "version: 2\nupdates:\n  - package-ecosystem: uv\n    directory: /\n"
        "    schedule:\n      interval: fortnightly\n",
        encoding="utf-8",
    )
    # when the same schema check runs on it
    result = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.dependabot", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    # then it fails and names the bad value
    assert result.returncode == 1
    assert "'fortnightly' is not one of" in result.stdout
