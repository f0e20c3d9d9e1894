"""The iteration journal: entries, config changes between runs, and a self-contained history."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from {{ cookiecutter.package_name }} import PROG
from {{ cookiecutter.package_name }}.config import PipelineConfig
from {{ cookiecutter.package_name }}.journal import (
    append_entry,
    config_changes,
    config_files,
    last_config,
    previous_entry,
)

FIRST = datetime(2030, 5, 1, 9, 30, tzinfo=UTC)
SECOND = datetime(2030, 5, 2, 10, 0, tzinfo=UTC)
METRICS = {"cross-validated accuracy (3 folds)": "0.9000 ± 0.0100"}


def changed(config: dict[str, Any], **params: Any) -> dict[str, Any]:
    """Return ``config`` with some model parameters changed."""
    model = config["model"]
    return config | {"model": model | {"params": model["params"] | params}}


def test_first_entry_creates_the_journal(config: PipelineConfig, tmp_path: Path) -> None:
    # given no journal yet
    path = tmp_path / "docs" / "journal.md"
    # when a run is recorded
    entry = append_entry(path, FIRST, config.model.name, config.snapshot(), METRICS)
    # then the journal has a title, the dated entry, "first entry", the metrics and the config
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Iteration journal\n")
    assert f"`{PROG} train`" in text
    assert f"## 2030-05-01 09:30:00 UTC — {config.model.name}" in entry
    assert "- first entry for `train`" in entry
    assert "| cross-validated accuracy (3 folds) | 0.9000 ± 0.0100 |" in entry
    assert last_config(text) == config.snapshot()


def test_next_entry_lists_the_changed_keys(config: PipelineConfig, tmp_path: Path) -> None:
    # given a journal with one run, kept under someone's own introduction
    path = tmp_path / "journal.md"
    path.write_text("# Iteration journal\n\nWhy I try what I try.\n", encoding="utf-8")
    first = config.snapshot()
    append_entry(path, FIRST, config.model.name, first, METRICS)
    # when a run with a changed parameter and test size is recorded
    second = changed(first, extra=2)
    second["split"] = second["split"] | {"test_size": 0.3}
    entry = append_entry(path, SECOND, config.model.name, second, METRICS)
    # then exactly those keys are listed, old → new, and earlier text is untouched
    assert "- `model.params.extra`: (unset) → 2" in entry
    assert "- `split.test_size`: 0.25 → 0.3" in entry
    assert entry.count("\n- ") == 2
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Iteration journal\n\nWhy I try what I try.\n\n## 2030-05-01")
    assert text.count("\n## ") == 2
    assert last_config(text) == second


def test_unchanged_config_is_said_so(config: PipelineConfig, tmp_path: Path) -> None:
    # given two runs with the same config / when the second is recorded / then it says so
    path = tmp_path / "journal.md"
    append_entry(path, FIRST, "run", config.snapshot(), METRICS)
    entry = append_entry(path, SECOND, "run", config.snapshot(), METRICS)
    assert "- no config change since the previous entry" in entry


def test_changes_compare_nested_keys_and_lists() -> None:
    # given two configs differing in a nested value, a list and a removed key
    old = {"a": {"b": 1, "c": [1, 2]}, "gone": "x"}
    new = {"a": {"b": 2, "c": [1, 2, 3]}}
    # when compared / then each difference is one dotted line, values shown as JSON
    assert config_changes(old, new) == [
        "`a.b`: 1 → 2",
        "`a.c`: [1, 2] → [1, 2, 3]",
        '`gone`: "x" → (unset)',
    ]


def test_config_text_cannot_break_the_hidden_comment(tmp_path: Path) -> None:
    # given a config value containing the end of an HTML comment
    path = tmp_path / "journal.md"
    config = {"note": "a --> b", "model": {"name": "x", "params": {}}}
    # when it is recorded and read back
    append_entry(path, FIRST, "x", config, METRICS)
    text = path.read_text(encoding="utf-8")
    # then the two hidden comments (command, config) stay one line each, the config unchanged
    assert text.count("-->") == 2
    assert last_config(text) == config


def test_each_command_is_compared_with_its_own_previous_entry(
    config: PipelineConfig, tmp_path: Path
) -> None:
    # given tune (whose snapshot has a tuning section) and compare entries, alternating
    path = tmp_path / "journal.md"
    tuned = config.snapshot() | {"tuning": {"trials": 3}}
    append_entry(path, FIRST, f"{PROG} tune: 6 families", tuned, METRICS, command="tune")
    append_entry(path, FIRST, f"{PROG} compare", config.snapshot(), METRICS, command="compare")
    # when each runs again with its config unchanged
    tune = append_entry(path, SECOND, f"{PROG} tune", tuned, METRICS, command="tune")
    compare = append_entry(
        path, SECOND, f"{PROG} compare", config.snapshot(), METRICS, command="compare"
    )
    # then neither lists the other's keys as changed
    assert "- no config change since the previous entry" in tune
    assert "- no config change since the previous entry" in compare
    assert "(unset)" not in tune + compare
    assert "Changes since the previous `compare` entry:" in compare
    # and a train entry (no command given) is compared with train entries only
    train = append_entry(path, SECOND, config.model.name, changed(config.snapshot(), C=5), METRICS)
    assert "- first entry for `train`" in train


def test_a_data_change_is_said_so(config: PipelineConfig, tmp_path: Path) -> None:
    # given a compare entry made on one dataset
    path = tmp_path / "journal.md"
    before, after = "f204db" + "0" * 58, "1e6708" + "1" * 58
    append_entry(
        path, FIRST, "c", config.snapshot(), METRICS, command="compare", data_sha256=before
    )
    # when the next runs with the same config on other data
    entry = append_entry(
        path, SECOND, "c", config.snapshot(), METRICS, command="compare", data_sha256=after
    )
    # then the entry names the data change instead of "no config change"
    assert "- data changed: sha256 f204db… → 1e6708…" in entry
    assert "no config change" not in entry
    # and the checksum is kept for the next entry
    assert previous_entry(path.read_text(encoding="utf-8"), "compare") is not None
    same = append_entry(
        path, SECOND, "c", config.snapshot(), METRICS, command="compare", data_sha256=after
    )
    assert "- no config change since the previous entry (same data)" in same


def test_entries_written_before_the_command_was_recorded_are_attributed_by_title(
    config: PipelineConfig, tmp_path: Path
) -> None:
    # given an older journal whose entries have only the config comment
    path = tmp_path / "journal.md"
    append_entry(path, FIRST, f"{PROG} tune: 1 families", {"tuning": {"trials": 3}}, METRICS)
    old = path.read_text(encoding="utf-8").replace('<!-- entry: {"command":"train"} -->\n', "")
    path.write_text(old, encoding="utf-8")
    # when a tune entry is added, then it is compared with the old tune entry
    entry = append_entry(path, SECOND, "t", {"tuning": {"trials": 5}}, METRICS, command="tune")
    assert "- `tuning.trials`: 3 → 5" in entry


def test_component_config_files_are_recorded_and_diffed(tmp_path: Path) -> None:
    # given a features.yaml, and a models.yaml that does not exist
    features = tmp_path / "features.yaml"
    features.write_text("selection: {method: k_best, k: 8}\n", encoding="utf-8")
    sources = {"features.yaml": features, "models.yaml": tmp_path / "models.yaml"}
    first = config_files(sources)
    # when features.yaml changes
    features.write_text("selection: {method: k_best, k: 5}\n", encoding="utf-8")
    second = config_files(sources)
    # then only existing files are recorded, and the change reads with the file name
    assert first == {"features.yaml": {"selection": {"method": "k_best", "k": 8}}}
    assert config_changes(first, second) == ["`features.yaml.selection.k`: 8 → 5"]
