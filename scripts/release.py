"""Tag a template release once the version, the CHANGELOG and the tag agree.

`make release VERSION=x.y.z` runs this. The version lives in one place, the
`version` of pyproject.toml; the CHANGELOG must have a `## x.y.z` section that
says what changes for existing projects (a `### For existing projects` part that
is not empty); the working tree must be clean; the tag `vx.y.z` must not exist.
Only when all of that holds does it create the annotated tag (pushing it stays
yours: `git push origin vx.y.z`). `--check` checks without tagging.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tomllib
from pathlib import Path

SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
FOR_EXISTING = "### For existing projects"


class ReleaseError(Exception):
    """Something disagrees; the message says what and how to fix it."""


def git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=False)


def changelog_section(changelog: str, version: str) -> str:
    """The body of `## <version>` (up to the next `## `), or an error naming what is missing."""
    heading = re.compile(rf"^## \[?{re.escape(version)}\]?(?:\s.*)?$", re.MULTILINE)
    found = heading.search(changelog)
    if not found:
        raise ReleaseError(
            f"CHANGELOG.md has no '## {version}' section: rename '## Unreleased' to "
            f"'## {version} (YYYY-MM-DD)' and start a new empty '## Unreleased' above it"
        )
    following = re.compile(r"^## ", re.MULTILINE).search(changelog, found.end())
    return changelog[found.end() : following.start() if following else len(changelog)]


def for_existing_projects(section: str, version: str) -> str:
    """What the release says existing projects get; it must say something."""
    if FOR_EXISTING not in section:
        raise ReleaseError(
            f"CHANGELOG.md '## {version}' has no '{FOR_EXISTING}' part: say what "
            "`copier update` changes for projects made from earlier releases"
        )
    text = section.split(FOR_EXISTING, 1)[1].split("\n### ", 1)[0].strip()
    if not text:
        raise ReleaseError(f"CHANGELOG.md '## {version}': '{FOR_EXISTING}' is empty")
    return text


def check(repo: Path, version: str) -> str:
    """Every check, in the order a maintainer fixes them; returns the tag's message."""
    if not SEMVER.match(version):
        raise ReleaseError(f"VERSION must be x.y.z (semantic versioning), got {version!r}")
    declared = tomllib.loads((repo / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "version"
    ]
    if declared != version:
        raise ReleaseError(
            f"pyproject.toml says version {declared!r} but you asked for {version!r}: "
            f'set `version = "{version}"` in pyproject.toml (the one place the version lives)'
        )
    section = changelog_section((repo / "CHANGELOG.md").read_text(encoding="utf-8"), version)
    existing = for_existing_projects(section, version)
    if git(repo, "status", "--porcelain").stdout.strip():
        raise ReleaseError("the working tree is not clean: commit first, so the tag is the release")
    tag = f"v{version}"
    if git(repo, "rev-parse", "--verify", "--quiet", f"refs/tags/{tag}").returncode == 0:
        raise ReleaseError(f"tag {tag} exists already: a released version never moves")
    return f"Release {version}\n\nFor existing projects:\n{existing}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("version", help="x.y.z")
    parser.add_argument("--check", action="store_true", help="check only, create no tag")
    parser.add_argument("--repo", type=Path, default=Path(__file__).resolve().parents[1])
    args = parser.parse_args(argv)
    try:
        message = check(args.repo, args.version)
    except ReleaseError as error:
        print(f"release refused: {error}", file=sys.stderr)
        return 2
    tag = f"v{args.version}"
    if args.check:
        print(f"release {tag}: version, CHANGELOG and tag agree (checked only)")
        return 0
    created = git(args.repo, "tag", "--annotate", tag, "--message", message)
    if created.returncode != 0:
        print(f"release refused: git tag failed: {created.stderr.strip()}", file=sys.stderr)
        return 2
    print(f"tagged {tag}; publish it with: git push origin {tag}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
