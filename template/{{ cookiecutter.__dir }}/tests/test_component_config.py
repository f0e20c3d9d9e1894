"""The components' one YAML loader: frozen sections, and every mistake named by file and key."""

from pathlib import Path

import pytest
from pydantic import Field, ValidationError, ValidationInfo, field_validator

from {{ cookiecutter.package_name }}.component_config import Section, load_section
from {{ cookiecutter.package_name }}.errors import ConfigError


class Window(Section):
    """A nested section, as components have them."""

    size: int = Field(default=10, gt=0)


class Example(Section):
    """A component section with a required key, a default and a nested section."""

    target: str
    window: Window = Window()

    @field_validator("target")
    @classmethod
    def known_target(cls, value: str, info: ValidationInfo) -> str:
        """With a context, the target must be one of the context's columns."""
        columns = (info.context or {}).get("columns")
        if columns is not None and value not in columns:
            raise ValueError(f"{value!r} is not a column ({', '.join(columns)})")
        return value


def write(tmp_path: Path, text: str) -> Path:
    """Write ``text`` as a config file and return its path."""
    path = tmp_path / "component.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path, context: dict[str, list[str]] | None = None) -> str:
    """Load ``path`` into Example and return the ConfigError message."""
    with pytest.raises(ConfigError) as caught:
        load_section(Example, path, context)
    return str(caught.value)


def test_a_valid_file_loads_into_a_frozen_section(tmp_path: Path) -> None:
    # given a config that sets the required key and one nested key
    path = write(tmp_path, "target: species\nwindow:\n  size: 3\n")
    # when loading it
    section = load_section(Example, path)
    # then the values are read, and the section cannot be changed afterwards
    assert section == Example(target="species", window=Window(size=3))
    with pytest.raises(ValidationError):
        section.target = "island"


def test_an_unknown_key_is_named_with_the_closest_known_one(tmp_path: Path) -> None:
    # given a config with a misspelt nested key
    path = write(tmp_path, "target: species\nwindow:\n  sise: 3\n")
    # when loading it
    message = error_of(path)
    # then the message names the file, the dotted key and the key that was meant
    assert message == f"{path}: window.sise: unknown key (did you mean 'size'?)"


def test_every_problem_is_one_line_naming_its_key(tmp_path: Path) -> None:
    # given a config missing the required key and with a bad value
    path = write(tmp_path, "window:\n  size: 0\n")
    # when loading it
    lines = error_of(path).splitlines()
    # then each problem is its own line, starting with the file
    assert f"{path}: target: missing key" in lines
    assert any(line.startswith(f"{path}: window.size: ") and "(got 0)" in line for line in lines)
    assert len(lines) == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("target: [unclosed\n", "invalid YAML"),
        ("- target\n- species\n", "expected a mapping of keys, got list"),
        ("", "target: missing key"),
    ],
)
def test_a_file_that_is_not_a_mapping_of_keys_is_refused(
    tmp_path: Path, text: str, expected: str
) -> None:
    # given a config that is broken YAML, a list, or empty
    path = write(tmp_path, text)
    # when loading it
    message = error_of(path)
    # then the message names the file and what is wrong with it
    assert message.startswith(f"{path}: ")
    assert expected in message


def test_a_missing_or_unreadable_file_is_named(tmp_path: Path) -> None:
    # given no config file, and a file that is not UTF-8 text
    missing = tmp_path / "absent.yaml"
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes("target: pingüino\n".encode("latin-1"))
    # when loading them
    # then each message names the file and the problem
    assert error_of(missing) == f"{missing}: config file not found"
    assert error_of(latin1).startswith(f"{latin1}: cannot read the config")


def test_the_context_reaches_the_section_validators(tmp_path: Path) -> None:
    # given a config whose target is checked against the pipeline's columns
    path = write(tmp_path, "target: wings\n")
    # when loading it with and without the columns
    message = error_of(path, {"columns": ["species", "island"]})
    # then the check runs only with the context, and its message is kept
    assert message.startswith(f"{path}: target: ")
    assert "'wings' is not a column (species, island)" in message
    assert load_section(Example, path).target == "wings"
