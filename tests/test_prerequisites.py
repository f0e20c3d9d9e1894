"""A fresh machine: the README's commands set themselves up, or name what to install at once."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, TEMPLATE, Built, attempt, make_targets, run, variant_params

SYSTEM_TOOLS = REPO / ".ci" / "system-tools"
PROJECT = TEMPLATE / "{{ cookiecutter.__dir }}"

# How the code starts a program, wherever it is written: a lookup on the PATH, a Debian
# path helper, a pytest marker of the generated project, a shell check, or the first
# word of a command list handed to a runner.
STARTS = [
    re.compile(r"""(?:which|_binary)\(\s*["']([\w.+-]+)["']"""),
    re.compile(r"""pytest\.mark\.tool\(\s*["']([\w.+-]+)["']"""),
    re.compile(r"command -v ([\w.+-]+)"),
    re.compile(
        r"""(?:run|attempt|attempt_output|Popen|check_output|_run_checked)\(\s*\[\s*["']([\w.+-]+)["'],"""
    ),
]
# What the README's commands start from (git, make, python3 and a POSIX shell with its
# utilities) or install themselves (uv).
BASE = {"git", "make", "python3", "bash", "sh", "rm", "uv", "uvx"}
# Looked for, never needed: the workflow replay uses the machine's sudo when there is one and
# its own shim (run as root) otherwise; a project's image benchmark and docker targets use
# docker when its daemon answers and podman otherwise.
OPTIONAL = {"sudo", "docker"}


def setup_list() -> dict[str, list[str]]:
    """.ci/system-tools as {program: [Debian package, Homebrew formula, why]}.

    A row may name several programs of one package (PostgreSQL's initdb and pg_ctl).
    """
    rows = {}
    for line in SYSTEM_TOOLS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            programs, *rest = (cell.strip() for cell in line.split("|"))
            for program in programs.split():
                rows[program] = rest
    return rows


def programs_started() -> dict[str, set[str]]:
    """Every program the suite and the projects it builds start, with where it is started."""
    sources = [
        *sorted((REPO / "tests").glob("*.py")),
        REPO / "Makefile",
        # (not the project's GitHub workflows: GitHub's runners run them, with their own setup)
        *sorted(p for p in PROJECT.rglob("*") if p.is_file() and ".github" not in p.parts),
    ]
    found: dict[str, set[str]] = {}
    for source in sources:
        if source.suffix in {".png", ".csv", ".parquet"}:
            continue
        text = source.read_text(encoding="utf-8")
        for pattern in STARTS:
            for program in pattern.findall(text):
                found.setdefault(program, set()).add(source.relative_to(REPO).as_posix())
    return found


def test_the_setup_list_names_every_program_the_suite_starts_and_nothing_else() -> None:
    # given every program the tests, the Makefile and the generated projects start, less
    # what the README's commands start from and what `uv sync` installs (the template's
    # own environment, e.g. cookiecutter)
    uv_environment = {path.name for path in Path(sys.executable).parent.iterdir()}
    started = {
        program: where
        for program, where in programs_started().items()
        if program not in BASE | OPTIONAL and program not in uv_environment
    }
    # when compared with the list `make test` checks and installs
    listed = setup_list()
    # then each is there, with a Debian package and a Homebrew formula, and no row is stale
    missing = {name: sorted(where) for name, where in started.items() if name not in listed}
    assert not missing, f"add these to .ci/system-tools: {missing}"
    assert set(listed) == set(started), f"not started by anything: {set(listed) - set(started)}"
    for program, (package, brew, why) in listed.items():
        assert package, program
        assert brew, program
        assert why, program
    # and the generated projects' own programs are among them (the scan reaches them)
    assert {"redis-server", "chromium", "java", "kubectl"} <= set(started)


def stub(folder: Path, name: str) -> None:
    """A program that exists and succeeds (kubectl's overlay probe included)."""
    path = folder / name
    path.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    path.chmod(0o755)


def test_make_test_stops_at_once_naming_a_missing_program_and_how_to_install_it(
    tmp_path: Path,
) -> None:
    # given a PATH with every listed program but redis-server, and a user who may not install
    # (SYSTEM_PACKAGES=check stands in for no root and no sudo)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for program in setup_list():
        if program != "redis-server":
            stub(bin_dir, program)
    for program in ("bash", "make", "dirname", "mktemp", "rm"):
        (bin_dir / program).symlink_to(shutil.which(program) or program)
    env = {"HOME": str(tmp_path), "PATH": str(bin_dir), "SYSTEM_PACKAGES": "check"}
    # when the README's test command runs
    result = attempt(["make", "test"], REPO, env, timeout=60)
    # then it stops before anything else, naming redis-server with both install commands
    assert result.returncode != 0
    assert "redis-server: data focus" in result.stderr
    assert "Debian/Ubuntu: sudo apt-get install redis-server" in result.stderr
    assert "macOS:         brew install redis" in result.stderr
    assert "uv sync" not in result.stdout + result.stderr
    # and only the missing program is named
    named = re.findall(r"^  ([\w.+-]+): ", result.stderr, re.MULTILINE)
    assert named == ["redis-server"]


def test_make_git_init_commits_the_generated_project_and_update_says_to_run_it(
    generated: dict[str, Path], tmp_path: Path
) -> None:
    # given a freshly generated project (a copy: the shared one stays as generated), no git
    project = Path(shutil.copytree(generated["data"], tmp_path / "project"))
    env = {
        **os.environ,
        "GIT_CONFIG_COUNT": "2",
        "GIT_CONFIG_KEY_0": "user.name",
        "GIT_CONFIG_VALUE_0": "Student",
        "GIT_CONFIG_KEY_1": "user.email",
        "GIT_CONFIG_VALUE_1": "student@example.org",
    }
    env = {key: value for key, value in env.items() if not key.startswith(("GIT_DIR", "GIT_WORK"))}
    # when the student asks for an update first
    refused = attempt(["make", "template-update"], project, env, timeout=300)
    # then it names the one command that makes the project a repository
    assert refused.returncode != 0
    assert "Run `make git-init`" in refused.stderr
    # when that command runs
    output = run(["make", "git-init"], project, env)
    # then every generated file is in one first commit on main, and the tree is clean
    files = subprocess.run(
        ["git", "ls-files"], cwd=project, capture_output=True, text=True, check=True
    ).stdout.split()
    on_disk = {p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file()}
    assert set(files) == {path for path in on_disk if not path.startswith(".git/")}
    log = run(["git", "log", "--format=%s %an"], project, env).splitlines()
    assert log == ["Generated from the template Student"]
    assert run(["git", "status", "--porcelain"], project, env) == ""
    assert f"first commit of {len(files)} files" in output
    # and a second time it changes nothing and says so
    assert "already in the git repository" in run(["make", "git-init"], project, env)


def test_make_git_init_asks_for_a_git_identity_instead_of_committing_without_one(
    generated: dict[str, Path], tmp_path: Path
) -> None:
    # given a generated project and a git that knows no user
    project = generated["modeling"]
    env = {
        "HOME": str(tmp_path),
        "PATH": os.environ["PATH"],
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": str(tmp_path / "none"),
    }
    # when the student runs make git-init
    result = attempt(["make", "git-init"], project, env, timeout=60)
    # then it stops with the two commands that set an identity, and made no repository
    assert result.returncode != 0
    assert "git config --global user.email" in result.stderr
    assert not (project / ".git").exists()


@pytest.mark.parametrize("name", ["data", "product", "architecture"])
def test_start_here_lists_each_generated_component_program_and_the_devcontainer_installs_it(
    generated: dict[str, Path], name: str
) -> None:
    # given a generated project and the programs its tests and targets declare
    project = generated[name]
    declared = {
        program
        for path in [*project.rglob("*.py"), *project.glob("mk/*.mk")]
        if ".venv" not in path.parts
        for pattern in STARTS[1:3]
        for program in pattern.findall(path.read_text(encoding="utf-8"))
    }
    readme = project.joinpath("README.md").read_text(encoding="utf-8")
    start_here = readme.split("## Start here", 1)[1].split("\n## ", 1)[0]
    rows = {line.split("|")[1].strip() for line in start_here.splitlines() if line.startswith("| ")}
    devcontainer = project.joinpath(".devcontainer.json").read_text(encoding="utf-8")
    listed = setup_list()
    # then Start here has a row for each (Java's row says which Java), with both install commands
    for program in declared:
        (row,) = [r for r in rows if r.lower().startswith(program)]
        line = next(line for line in start_here.splitlines() if line.startswith(f"| {row} "))
        package, brew, _ = listed[program]
        if program != "kubectl":  # Debian 12's kubectl is too old: the row says where to get it
            assert f"`sudo apt-get install {package}`" in line
            assert package in devcontainer
        else:
            assert "kubectl-helm-minikube" in devcontainer
        assert f"`brew install {brew}" in line
    # and it lists no program the project does not start (Docker is optional for every focus)
    optional = {"program", "---", "docker", "postgresql"}
    assert {row.split()[0].lower() for row in rows} - optional == declared


WITHOUT_MAKE = "### Windows, macOS and working without make"


@pytest.mark.heavy
@pytest.mark.parametrize("built", variant_params("data"), indirect=True)
def test_the_documented_uv_commands_run_and_stand_for_real_make_targets(built: Built) -> None:
    # given the README's plain `uv` commands for native Windows, each with the target it replaces
    readme = (built.root / "README.md").read_text(encoding="utf-8")
    block = readme.split(WITHOUT_MAKE, 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    lines = [line.split("#", 1) for line in block.splitlines() if line.strip()]
    assert len(lines) >= 6
    targets = make_targets(built.root)
    makefiles = "".join(path.read_text("utf-8") for path in built.root.glob("**/*.mk"))
    makefiles += (built.root / "Makefile").read_text("utf-8")
    # when the project's CLI lists its commands
    listed = run(["uv", "run", "--no-sync", built.script, "--help"], built.root, built.env)
    for command, comment in lines:
        words = command.split()
        # then each line stands for a make target of the project, whose recipe runs it
        target = re.match(r"\s*make (\S+?):?(?:\s|$)", comment)
        assert target, comment
        assert target.group(1) in targets, comment
        if words[:2] == ["uv", "sync"]:
            assert "\tuv sync" in makefiles
        elif words[2] == built.script:
            # and a CLI line names a command the CLI has, run by its target as $(CLI) ...
            assert re.search(rf"(?m)^\W*{re.escape(words[3])}\s", listed), command
            assert f"$(CLI) {words[3]} " in makefiles, command
        else:
            # and a tool line names a program of the project's environment, run by its target
            assert (built.root / ".venv" / "bin" / words[2]).is_file(), command
            assert f"uv run {' '.join(words[2:])}" in makefiles, command


@pytest.mark.heavy
@pytest.mark.parametrize("built", variant_params("data"), indirect=True)
def test_a_missing_program_stops_the_projects_tests_with_one_message(built: Built) -> None:
    # given the data project, whose streaming tests start a redis-server, and a PATH without one
    bin_dir = built.root.parent / "uv-only-bin"
    bin_dir.mkdir(exist_ok=True)
    if not (bin_dir / "uv").exists():
        (bin_dir / "uv").symlink_to(shutil.which("uv") or "uv")
    env = {**built.env, "PATH": str(bin_dir)}
    # when its unit tests run (what `make unit` runs)
    streaming = "tests/dataops/test_stream.py"
    result = attempt(["uv", "run", "--no-sync", "pytest", streaming], built.root, env)
    output = result.stdout + result.stderr
    # then no test ran, and one message names the program, the tests and both install commands
    assert result.returncode == 4, output
    assert output.count("missing") == 1, output
    assert "redis-server, for test_stream.py" in output
    assert "Debian/Ubuntu: sudo apt-get install redis-server" in output
    assert "macOS:         brew install redis" in output
    assert "passed" not in output
    assert "error" not in output.lower().replace("error: these tests need", "")


@pytest.mark.heavy
@pytest.mark.parametrize("built", variant_params("data"), indirect=True)
def test_make_all_outside_git_names_the_one_command_that_makes_a_repository(built: Built) -> None:
    # given the data project, generated in a temporary folder outside any git repository
    # (a later test may make it one), and what its `make all` printed
    # then `make all` ended with the note that names `make git-init`
    assert "is not a git repository yet: `make git-init` makes it one" in built.pipeline_output
