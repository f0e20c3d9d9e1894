"""The template clones, copies and generates on Windows: legal, short paths and LF scripts."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path, PurePosixPath

import copier
import pytest
from conftest import REPO

# git for Windows cannot check out these (NTFS and the Win32 API forbid them).
FORBIDDEN = re.compile(r'[<>:"|?*\x00-\x1f\\]')
DEVICES = {"CON", "PRN", "AUX", "NUL"} | {
    f"{kind}{n}" for kind in ("COM", "LPT") for n in "123456789"
}
# copier clones the template into a temporary folder (about 60 characters on Windows):
# 150 here keeps a clone under the 260-character MAX_PATH without core.longpaths.
MAX_TEMPLATE_PATH = 150
# A student's project lives in some folder of their own: 100 leaves them 160 for it.
MAX_GENERATED_PATH = 100


def windows_problems(path: str) -> list[str]:
    """What makes a relative path impossible to check out on Windows (empty when fine)."""
    problems = []
    for part in PurePosixPath(path).parts:
        if FORBIDDEN.search(part):
            problems.append(f"{part!r} holds a character Windows forbids")
        if part.endswith((".", " ")):
            problems.append(f"{part!r} ends in a dot or a space")
        if part.split(".")[0].upper() in DEVICES:
            problems.append(f"{part!r} names a Windows device")
    return problems


def tracked_paths() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True, text=True
    )
    return [path for path in listed.stdout.split("\0") if path]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("src/pkg/README.md", []),
        ("a/{{ 'x' if a | b else '' }}", ["holds a character"]),
        ("docs/notes.", ["ends in a dot"]),
        ("data/con.csv", ["names a Windows device"]),
        ("data/console.csv", []),
    ],
)
def test_the_windows_path_check_can_fail(path: str, expected: list[str]) -> None:
    # given a path, when it is checked, then exactly the expected problems are named
    found = windows_problems(path)
    assert len(found) == len(expected)
    assert all(want in got for want, got in zip(expected, found, strict=True))


def test_every_tracked_path_is_legal_and_short_on_windows() -> None:
    # given every file git would check out
    paths = tracked_paths()
    # then none breaks a Windows checkout
    bad = {path: windows_problems(path) for path in paths if windows_problems(path)}
    assert not bad
    long = [path for path in paths if len(path) > MAX_TEMPLATE_PATH]
    assert not long, f"over {MAX_TEMPLATE_PATH} characters: {long}"


def test_no_tracked_symlinks() -> None:
    # git for Windows checks a symlink out as a text file holding its target
    listed = subprocess.run(
        ["git", "ls-files", "-s"], cwd=REPO, capture_output=True, check=True, text=True
    )
    links = [
        line.split("\t", 1)[1] for line in listed.stdout.splitlines() if line.startswith("120000")
    ]
    assert not links


def test_generated_paths_are_legal_and_short(generated: dict[str, Path]) -> None:
    # given each variant's generated project
    for name, root in generated.items():
        paths = [p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()]
        # then every path is legal on Windows and at most 100 characters from the root
        assert not [p for p in paths if windows_problems(p)], name
        long = [p for p in paths if len(p) > MAX_GENERATED_PATH]
        assert not long, f"{name}: over {MAX_GENERATED_PATH} characters: {long}"


def lf_rules(attributes: Path) -> dict[str, str]:
    rules = {}
    for line in attributes.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            pattern, *attrs = line.split()
            rules[pattern] = " ".join(attrs)
    return rules


@pytest.mark.parametrize("where", ["template", "generated"])
def test_shell_scripts_and_makefiles_keep_lf(
    where: str, generated: dict[str, Path], tmp_path: Path
) -> None:
    # given the .gitattributes a Windows checkout reads
    source = REPO if where == "template" else generated["architecture"]
    rules = lf_rules(source / ".gitattributes")
    # then what sh and make read keeps LF whatever core.autocrlf says
    for pattern in ("*.sh", "Makefile", "*.mk"):
        assert "eol=lf" in rules.get(pattern, ""), pattern
    # and git applies it to the real files (check-attr in a repository of their own)
    root = tmp_path / "repo"
    shutil.copytree(source, root, ignore=shutil.ignore_patterns(".git", ".venv", "build"))
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    files = [p.relative_to(root).as_posix() for p in [root / "Makefile", *root.rglob("*.mk")]]
    shown = subprocess.run(
        ["git", "check-attr", "eol", "--", *files],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert shown.count("eol: lf") == len(files), shown


def test_copier_copies_from_a_clone_without_long_paths(tmp_path: Path) -> None:
    # given a clone made the way git for Windows does by default (core.longpaths off)
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "-c", "core.longpaths=false", "clone", "-q", str(REPO), str(clone)], check=True
    )
    # when copier copies from that clone (on Linux this proves the clone and the copy;
    # the 260-character limit itself is what the path-length tests above hold)
    copier.run_copy(
        str(clone), str(tmp_path / "project"), data={"focus": "data"}, defaults=True, quiet=True
    )
    # then the project is there, with its package
    assert (tmp_path / "project" / "Makefile").is_file()
    assert list((tmp_path / "project" / "src").glob("*/cli.py"))
