"""Every generated project's repository hygiene, checked offline with the real tools.

Dependabot's config against its schema, zizmor on the workflows, the secret scan, the
notebook hook and repo-review's yardstick: each tool is the template's own (its dev group),
run on projects generated once per session (conftest's `generated` fixture).
"""

from __future__ import annotations

import configparser
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from conftest import FOCUSES, REPO, Built, attempt, make_targets, run, variant_params
from test_generated_project import GIT_IDENTITY

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


# ---- security: zizmor, the secret scan, the dependency audit


def tools_env() -> dict[str, str]:
    """Run a generated project's `uv run <tool>` with the template's copy of its dev tools.

    The command is the project's own (its make target or hook); only the environment it
    runs in is the template's (no `uv sync` of the project's whole toolbox in a fast test).
    """
    alone = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "VIRTUAL_ENV")
    env = {key: value for key, value in os.environ.items() if key not in alone}
    env.update({"UV_NO_SYNC": "1", "UV_PROJECT_ENVIRONMENT": str(BIN.parent), **GIT_IDENTITY})
    return env


def test_zizmor_finds_nothing_in_any_generated_workflow(generated: dict[str, Path]) -> None:
    # given every variant's workflows and Dependabot config
    for name, root in generated.items():
        assert (root / ".github" / "workflows" / "security.yml").is_file(), name
        # when zizmor audits them offline, as `make workflow-audit` does
        result = attempt([tool("zizmor"), "--offline", "--quiet", ".github"], root, os.environ)
        # then it finds nothing
        assert result.returncode == 0, f"{name}:\n{result.stdout}{result.stderr}"
        assert "No findings to report" in result.stdout, name


def test_zizmor_fails_on_an_unpinned_action_with_persisted_credentials(tmp_path: Path) -> None:
    # given a workflow as the template wrote them before: actions by tag, default checkout
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "ci.yml").write_text(
        "name: CI\non: push\npermissions:\n  contents: read\njobs:\n  lint:\n"
        "    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v5\n"
        "      - run: make lint\n",
        encoding="utf-8",
    )
    # when zizmor audits it offline
    result = attempt([tool("zizmor"), "--offline", "--quiet", ".github"], tmp_path, os.environ)
    # then it fails and names both problems
    assert result.returncode != 0
    assert "unpinned-uses" in result.stdout
    assert "artipacked" in result.stdout


FAKE_KEY = 'AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"\n'


def test_secret_scan_passes_clean_projects_and_catches_a_planted_key(
    generated: dict[str, Path], tmp_path: Path
) -> None:
    # given the variants that together switch on every component (architecture-plus has all
    # of architecture's, modeling all of regression-bare's), outside a repository
    for name in ("data", "modeling", "product", "architecture-plus"):
        root = generated[name]
        # then the project's own scan finds nothing (no example password in docs or code)
        result = attempt(["make", "secrets"], root, tools_env())
        assert result.returncode == 0, f"{name}:\n{result.stdout}{result.stderr}"
    # given a project in a git repository, where a student pastes a key into a module
    project = shutil.copytree(generated["data"], tmp_path / "project")
    run(["git", "init", "-q", "-b", "main"], project, tools_env())
    (project / "src" / "settings.py").write_text(FAKE_KEY, encoding="utf-8")
    run(["git", "add", "-A"], project, tools_env())
    # when the scan runs, and when the pre-commit hook runs on the commit
    scan = attempt(["make", "secrets"], project, tools_env())
    hook = attempt([tool("pre-commit"), "run", "detect-secrets"], project, tools_env())
    # then both fail and name the file and the line
    for result in (scan, hook):
        assert result.returncode != 0, result.stdout
        assert "Location:    src/settings.py:1" in result.stdout, result.stdout
    # and a false positive marked on its line passes
    marked = FAKE_KEY.rstrip("\n") + "  # pragma: allowlist secret\n"
    (project / "src" / "settings.py").write_text(marked, encoding="utf-8")
    run(["make", "secrets"], project, tools_env())


def test_audit_command_is_valid_and_needs_the_network(generated: dict[str, Path]) -> None:
    # given the dependency audit `make audit` runs (CI only: it needs the network)
    root = generated["data"]
    (command,) = run(["make", "--dry-run", "audit"], root, tools_env()).strip().splitlines()
    assert command.startswith("uv audit ")
    # then this uv parses every option of it
    parsed = attempt([*command.split(), "--help"], root, tools_env())
    assert parsed.returncode == 0, parsed.stderr
    assert "Audit the project's dependencies" in parsed.stdout
    # and run for real on a locked project (the template's own) it reads uv.lock and gets
    # as far as the OSV advisory database, which this machine cannot reach
    audit = attempt([*command.split(), "--frozen"], REPO, tools_env(), timeout=120)
    assert audit.returncode == 0 or "api.osv.dev" in audit.stderr, audit.stderr


# ---- notebooks: committed without outputs


def test_notebook_outputs_are_stripped_by_the_pre_commit_hook(
    generated: dict[str, Path], tmp_path: Path
) -> None:
    # given a project with the notebooks component, committed, with its hooks installed
    project = shutil.copytree(generated["data"], tmp_path / "project")
    env = tools_env()
    run(["git", "init", "-q", "-b", "main"], project, env)
    run(["git", "add", "-A"], project, env)
    run(["git", "commit", "-q", "--no-verify", "-m", "Generated"], project, env)
    run([tool("pre-commit"), "install"], project, env)
    # and the notebook as Jupyter saves it after the student adds a cell and runs it all:
    # outputs and execution counts
    path = project / "notebooks" / "01-explore.ipynb"
    notebook = json.loads(path.read_text(encoding="utf-8"))
    added = {"cell_type": "code", "id": "student", "metadata": {}, "source": ["print(1)"]}
    notebook["cells"].append(added)
    ids = [cell["id"] for cell in notebook["cells"]]
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    output = {"output_type": "stream", "name": "stdout", "text": ["20 MB of output\n"]}
    for count, cell in enumerate(code, start=1):
        cell["execution_count"] = count
        cell["outputs"] = [output]
    path.write_text(json.dumps(notebook, indent=1) + "\n", encoding="utf-8")
    # then `make notebooks`' first check refuses it
    verify, _ = run(["make", "--dry-run", "notebooks"], project, env).splitlines()[:2]
    refused = attempt(["bash", "-c", verify], project, env)
    assert refused.returncode != 0
    assert "would have stripped notebooks/01-explore.ipynb" in refused.stdout, refused.stdout
    # when the student commits it
    run(["git", "add", str(path)], project, env)
    first = attempt(["git", "commit", "-m", "Explore"], project, env)
    # then the hook strips it and stops the commit, saying so
    assert first.returncode != 0
    hooks = first.stdout + first.stderr
    assert re.search(r"notebooks are committed without outputs.*Failed", hooks), hooks
    assert "files were modified by this hook" in hooks, hooks
    stripped = json.loads(path.read_text(encoding="utf-8"))["cells"]
    assert [cell["id"] for cell in stripped] == ids
    for cell in stripped:
        assert cell.get("outputs", []) == []
        assert cell.get("execution_count") is None
    # and once added again the commit goes through, without any output, and the check passes
    run(["git", "add", str(path)], project, env)
    run(["git", "commit", "-q", "-m", "Explore"], project, env)
    committed = run(["git", "show", "HEAD:notebooks/01-explore.ipynb"], project, env)
    assert "20 MB of output" not in committed
    assert '"id": "student"' in committed
    assert '"execution_count": null' in committed
    run(["bash", "-c", verify], project, env)


# ---- AGENTS.md: the guide for coding assistants

BLOCK = re.compile(r"^```\w*\n.*?^```$", re.MULTILINE | re.DOTALL)
BACKTICKED = re.compile(r"`([^`\s]+)`")


def test_agents_guide_states_the_readme_facts_and_names_real_things(
    generated: dict[str, Path], tmp_path: Path
) -> None:
    for name, root in generated.items():
        agents = (root / "AGENTS.md").read_text(encoding="utf-8")
        readme = (root / "README.md").read_text(encoding="utf-8")
        # then its two blocks, the two commands and the layout, are the README's own
        blocks = BLOCK.findall(agents)
        assert [block.split("\n", 1)[0] for block in blocks] == ["```bash", "```text"], name
        for block in blocks:
            assert block in readme, f"{name}: AGENTS.md and README.md disagree:\n{block}"
        assert re.findall(r"^make (\w+)", blocks[0], re.MULTILINE) == ["all", "test"]
        # and every make target it names exists
        named = set(re.findall(r"(?:`|^)make ([a-z][\w-]*)", agents, re.MULTILINE))
        assert named <= make_targets(root), f"{name}: {named - make_targets(root)}"
        # and every file or folder it names is there (placeholders and outputs aside)
        outputs = agents.split("## Never commit", 1)[1]
        paths = {
            path.rstrip("/")
            for path in BACKTICKED.findall(agents.split("## Never commit", 1)[0])
            if "/" in path and "<" not in path and not path.startswith("uv ")
        }
        assert paths, name
        missing = [path for path in sorted(paths) if not list(root.glob(path))]
        assert missing == [], f"{name}: AGENTS.md names what is not there: {missing}"
    # and every output it says never to commit is one git ignores in the project
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copy2(generated["data"] / ".gitignore", repo / ".gitignore")
    run(["git", "init", "-q"], repo)
    listed = [p for p in BACKTICKED.findall(outputs) if "/" in p and not p.startswith("make")]
    assert len(listed) >= 6
    samples = [
        path.replace("*", "sample").rstrip("/") + ("/a.png" if path.endswith("/") else "")
        for path in listed
    ]
    ignored = run(["git", "check-ignore", "--no-index", *samples], repo).split()
    assert ignored == samples


# ---- the yardstick: scientific-python's repo-review


def test_repo_review_passes_every_check_not_ignored_with_a_reason(
    generated: dict[str, Path],
) -> None:
    for name in FOCUSES:
        root = generated[name]
        # given the checks the project ignores, each with its reason on its line
        text = (root / "pyproject.toml").read_text(encoding="utf-8")
        ignored = tomllib.loads(text)["tool"]["repo-review"]["ignore"]
        section = text.split("[tool.repo-review]", 1)[1]
        reasons = dict(re.findall(r'^ {4}"(\w+)",\s+# (\S.+)$', section, re.MULTILINE))
        assert sorted(reasons) == sorted(ignored), name
        # when repo-review scores the project (offline)
        output = run([tool("repo-review"), "--format", "json", str(root)], root)
        checks = json.loads(output)["checks"]
        # then every check it runs passes (skipped ones lack what they check)
        failed = {
            key: check["description"] for key, check in checks.items() if check["result"] is False
        }
        assert failed == {}, f"{name}: {failed}"
        assert sum(check["result"] is True for check in checks.values()) >= 40, name
        assert not set(ignored) & set(checks), name


# ---- coverage: the floor `make unit` enforces


@pytest.mark.heavy
@pytest.mark.parametrize("built", variant_params("regression-bare"), indirect=True)
def test_coverage_gate_fails_when_untested_code_lowers_coverage(built: Built) -> None:
    # given the project's coverage floor, as its README states it
    text = (built.root / "pyproject.toml").read_text(encoding="utf-8")
    floor = tomllib.loads(text)["tool"]["coverage"]["report"]["fail_under"]
    assert floor >= 50
    readme = (built.root / "README.md").read_text(encoding="utf-8")
    assert f"fails below {floor} %" in readme
    # and a module no test runs, twice as large as the package
    (package,) = [path for path in (built.root / "src").iterdir() if path.is_dir()]
    untested = package / "untested.py"
    functions = [f"def f{i}(x: int) -> int:\n    return x + {i}\n" for i in range(3000)]
    untested.write_text('"""Code no test runs."""\n\n\n' + "\n\n".join(functions), "utf-8")
    try:
        # when the tests run with coverage, as `make test` and CI run them
        result = attempt(["make", "unit"], built.root, built.env)
    finally:
        untested.unlink()
    # then every test passed, and the gate failed the run, naming the floor
    output = result.stdout + result.stderr
    assert re.search(r"\d+ passed", output), output[-2000:]
    assert result.returncode != 0, output[-2000:]
    gate = rf"Required test coverage of {floor}(\.0)?% not reached"
    assert re.search(gate, output), output[-2000:]


# ---- editor settings


def test_editorconfig_agrees_with_the_files_it_governs(generated: dict[str, Path]) -> None:
    for name, root in generated.items():
        # given the project's editor settings
        config = configparser.ConfigParser()
        text = (root / ".editorconfig").read_text(encoding="utf-8")
        config.read_string("[preamble]\n" + text)
        assert config["preamble"]["root"] == "true", name
        # then they ask for what .gitattributes and the hooks enforce
        assert config["*"]["end_of_line"] == "lf", name
        assert config["*"]["trim_trailing_whitespace"] == "true", name
        # and every Makefile recipe line is indented as they say: with a tab
        assert config["{Makefile,*.mk}"]["indent_style"] == "tab", name
        for makefile in [root / "Makefile", *sorted((root / "mk").glob("*.mk"))]:
            lines = makefile.read_text(encoding="utf-8").splitlines()
            assert not [line for line in lines if line.startswith("    ")], makefile
        # and the notebooks keep the indent Jupyter and nbstripout write, as they name it
        width = int(config["*.ipynb"]["indent_size"])
        for notebook in (root / "notebooks").glob("*.ipynb"):
            second = notebook.read_text(encoding="utf-8").split("\n")[1]
            assert second == " " * width + '"cells": [', notebook
