"""Every generated image builds and runs: podman stands in for Docker (tests/containers.py).

The images are built with the project's own make targets through the `docker` shim, on the
shared `built` projects; each distinct image is built once per session (podman's layer cache
keeps it between sessions, and the base images are made once per machine).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import Built, attempt, free_port, run, variant_params
from containers import engine_env, ensure_engine, ensure_prometheus, podman
from test_focus_architecture import raw_records

pytestmark = pytest.mark.containers
heavy = pytest.mark.heavy

SPECIES = {"Adelie", "Chinstrap", "Gentoo"}


@pytest.fixture(scope="session")
def shim() -> Path:
    """The folder holding the `docker` shim (base images made on first use)."""
    return ensure_engine()


def with_engine(built: Built, shim: Path) -> dict[str, str]:
    """The project's environment with the shim first on PATH: `docker` means podman here."""
    return {**built.env, "PATH": f"{shim}{os.pathsep}{built.env['PATH']}"}


_builds: dict[tuple[Path, str], str] = {}


def build(built: Built, shim: Path, target: str) -> str:
    """Run the project's own make target with the shim, once per session (a second test
    that needs the same image reuses it); its images are named after the variant
    (`IMAGE=`), since variants share a slug and build side by side."""
    key = (built.root, target)
    if key not in _builds:
        command = ["make", target, f"IMAGE={built.root.name}"]
        _builds[key] = run(command, built.root, with_engine(built, shim), timeout=1200)
    return _builds[key]


def user_id(name: str) -> str:
    """The uid an image's processes run as (its USER)."""
    return podman("run", "--rm", "--entrypoint", "id", name, "-u").strip()


def run_once(name: str, *args: str, timeout: float) -> str:
    """Run an image to completion (``args`` before the image name); its output. It must exit 0."""
    result = subprocess.run(
        ["podman", "run", "--rm", *args, name],
        env=engine_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return output


def call(
    url: str, body: Any = None, *, method: str | None = None, token: str | None = None
) -> tuple[int, str]:
    data = None if body is None else json.dumps(body).encode()
    headers = {"content-type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@contextmanager
def running(
    name: str, inside: int, *args: str, ready: str, timeout: float = 180
) -> Iterator[tuple[str, str]]:
    """Run an image detached, its port published; yield (container, URL) once `ready` is 200."""
    port = free_port()
    container = f"ct-{name.replace(':', '-').replace('/', '-')}-{port}"
    podman(
        "run",
        "--detach",
        "--name",
        container,
        "--publish",
        f"127.0.0.1:{port}:{inside}",
        *args,
        name,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if call(url + ready)[0] == 200:
                    break
            except OSError:
                pass
            state = podman("inspect", "--format", "{{.State.Running}}", container).strip()
            if state != "true" or time.monotonic() > deadline:
                logs = podman("logs", container, check=False)
                pytest.fail(f"{name} did not answer {ready} (running: {state}):\n{logs[-4000:]}")
            time.sleep(0.5)
        yield container, url
    finally:
        podman("rm", "--force", "--volumes", "--time", "2", container, check=False)


def healthy(container: str, timeout: float = 60) -> bool:
    """Run the image's HEALTHCHECK the way Docker's timer would (no systemd here)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = subprocess.run(
            ["podman", "healthcheck", "run", container],
            env=engine_env(),
            capture_output=True,
            check=False,
        )
        if result.returncode == 0:
            return True
        time.sleep(1)
    return False


# The four focuses' `make docker-smoke` runs in their replayed CI "docker" job, and the data
# focus's `make docker-data-worker-smoke` in its Data quality "worker-image" job
# (test_generated_project.py, through this same podman; REPLAY_SHOWS checks what they
# printed): here only the variant that is not replayed, on Python 3.12.
@heavy
@pytest.mark.parametrize("built", variant_params("regression-bare"), indirect=True)
def test_the_pipeline_image_runs_the_whole_pipeline_as_a_non_root_user(
    built: Built, shim: Path
) -> None:
    # given a generated project and the docker shim on PATH (podman underneath)
    # when its own `make docker-smoke` builds every Dockerfile target and runs the pipeline
    output = build(built, shim, "docker-smoke")
    # then the pipeline ran to its evaluation inside the image and exited 0,
    # and the runtime image runs as the unprivileged app user
    assert "--format docker" in output or "docker build" in output
    assert "evaluate" in output.lower()
    assert f"{built.root.name}:pipeline runs as uid 10001 (not root)" in output
    assert user_id(f"{built.root.name}:runtime") == "10001"
    assert user_id(f"{built.root.name}:pipeline") == "10001"


@heavy
@pytest.mark.parametrize("built", variant_params("architecture"), indirect=True)
def test_the_api_image_serves_real_predictions_and_reports_healthy(
    built: Built, shim: Path, tmp_path: Path
) -> None:
    # given the API image built by `make docker-api` and the project's trained model store
    build(built, shim, "docker-api")
    models = tmp_path / "models"
    shutil.copytree(built.root / "models", models)
    name = f"{built.root.name}-api"
    record = raw_records(built, 1)[0]
    # when it runs with the model store mounted as its volume
    with running(name, 8000, "--volume", f"{models}:/app/models:ro", ready="/health") as (
        container,
        url,
    ):
        ready = call(f"{url}/ready")
        predicted = call(f"{url}/v1/predict", record)
        uid = podman("exec", container, "id", "-u").strip()
        is_healthy = healthy(container)
    # then it answers from the host: ready, a real prediction, as a non-root user, healthy
    assert ready[0] == 200, ready
    assert predicted[0] == 200, predicted
    assert json.loads(predicted[1])["prediction"] in SPECIES
    assert uid == "10001"
    assert is_healthy, "the image's HEALTHCHECK did not pass within 60 s"


@heavy
@pytest.mark.parametrize("built", variant_params("product"), indirect=True)
def test_the_app_image_serves_its_page_and_reports_healthy(built: Built, shim: Path) -> None:
    # given the demo app image built by `make docker-app` (it trains its model at build time)
    build(built, shim, "docker-app")
    # when it runs
    with running(f"{built.root.name}:app", 8501, ready="/_stcore/health") as (container, url):
        page = call(url + "/")
        uid = podman("exec", container, "id", "-u").strip()
        is_healthy = healthy(container)
    # then it serves the page to the host as a non-root user, and its HEALTHCHECK passes
    assert page[0] == 200
    assert '<div id="root">' in page[1] or "streamlit" in page[1].lower()
    assert uid == "10001"
    assert is_healthy, "the image's HEALTHCHECK did not pass within 60 s"


@heavy
@pytest.mark.parametrize("built", variant_params("modeling"), indirect=True)
def test_the_training_image_tunes_compares_and_exits(built: Built, shim: Path) -> None:
    # given the training image built by `make docker-train`
    build(built, shim, "docker-train")
    name = f"{built.root.name}:train"
    # when it runs with a one-trial budget
    output = run_once(name, "--env", "TRIALS=1", timeout=900)
    # then it tuned every family, built the leaderboard and exited 0, as a non-root user
    assert "leaderboard" in output.lower()
    assert user_id(name) == "10001"


def dry_run(project: Path, docker: str, tmp_path: Path) -> str:
    """What `make docker-build` would run, with `docker` on PATH being the given program."""
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    (folder / "docker").write_text(docker, encoding="utf-8")
    (folder / "docker").chmod(0o755)
    env = {**os.environ, "PATH": f"{folder}{os.pathsep}{os.environ['PATH']}"}
    env.pop("CONTAINER_ENGINE", None)
    return run(["make", "-n", "docker-build"], project, env)


def test_docker_build_uses_podman_without_a_docker_daemon_and_locks_first(
    generated: dict[str, Path], tmp_path: Path
) -> None:
    # given a fresh copy (no uv.lock) and a docker CLI whose daemon does not answer
    project = generated["architecture"]
    assert not (project / "uv.lock").exists()
    no_daemon = "#!/bin/sh\necho 'Cannot connect to the Docker daemon' >&2\nexit 1\n"
    # when make plans the build
    planned = dry_run(project, no_daemon, tmp_path)
    # then it locks first, saying why, and builds docker-format images with podman
    assert "uv.lock is missing: locking first" in planned
    assert planned.index("uv lock") < planned.index("podman build")
    assert 'podman build --format docker --target "$target"' in planned


def test_docker_build_uses_docker_when_its_daemon_answers(
    generated: dict[str, Path], tmp_path: Path
) -> None:
    # given a docker whose `docker info` succeeds (the podman shim: a working engine)
    shim = (ensure_engine() / "docker").read_text(encoding="utf-8")
    # when make plans the build
    planned = dry_run(generated["architecture"], shim, tmp_path)
    # then docker builds, with no podman-only flag
    assert 'docker build --target "$target"' in planned
    assert "podman" not in planned


# Compose services whose images come from public registries that this machine cannot
# reach: the compose test leaves them out, and docs/containers.md lists them.
NOT_RUN_HERE = {
    "grafana": "grafana/grafana (Docker Hub)",
    "postgres": "postgres (Docker Hub)",
    "mlflow": "ghcr.io/mlflow/mlflow",
}


def local_stack(built: Built, api_port: int, prometheus_port: int) -> Path:
    """compose.yaml as this machine can run it: registry-only services left out (named in
    NOT_RUN_HERE), Debian's Prometheus for prom/prometheus, ports on free host ports."""
    spec = yaml.safe_load((built.root / "compose.yaml").read_text(encoding="utf-8"))
    spec["name"] = f"ct-{built.script}-{api_port}"
    for service in NOT_RUN_HERE:
        spec["services"].pop(service, None)
    spec["services"]["api"]["ports"] = [f"127.0.0.1:{api_port}:8000"]
    prometheus = spec["services"]["prometheus"]
    assert prometheus["image"].startswith("prom/prometheus:")
    prometheus["image"] = ensure_prometheus()
    prometheus["ports"] = [f"127.0.0.1:{prometheus_port}:9090"]
    path = built.root / "compose.local-test.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def stack_name(path: Path) -> str:
    name: str = yaml.safe_load(path.read_text(encoding="utf-8"))["name"]
    return name


def wait_for(check: Any, what: str, timeout: float, logs: Any) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            found = check()
        except OSError:
            found = None
        if found:
            return found
        time.sleep(1)
    pytest.fail(f"{what} within {timeout:.0f} s:\n{logs()[-6000:]}")


@heavy
@pytest.mark.parametrize("built", variant_params("architecture"), indirect=True)
def test_the_compose_stack_retrains_reloads_is_scraped_and_stops_fast(
    built: Built, shim: Path
) -> None:
    # given compose.yaml with what cannot be pulled here left out, run by the project's
    # own `make stack-up` (docker compose -> podman-compose through the shim)
    api_port, prometheus_port = free_port(), free_port()
    stack = local_stack(built, api_port, prometheus_port)
    env = {**with_engine(built, shim), "COMPOSE_FILE": stack.name}
    api = f"http://127.0.0.1:{api_port}"

    def logs() -> str:
        return attempt(
            [str(shim / "docker"), "compose", "logs"], built.root, env, timeout=60
        ).stdout

    try:
        run(["make", "stack-up"], built.root, env, timeout=1200)

        # when the retrainer trains the first champion and tells the API to reload
        def model_version() -> Any:
            status, body = call(f"{api}/ready")
            return status == 200 and json.loads(body)["model_version"]

        version = wait_for(model_version, "the API never served the retrainer's model", 420, logs)
        predicted = call(f"{api}/v1/predict", raw_records(built, 1)[0])
        # and the retrainer's reload went through the admin token of the compose secret
        retrained = wait_for(
            lambda: re.search(r"reloaded (\d+) server", logs()), "no retrain summary", 60, logs
        )
        token = (built.root / "secrets" / "api-admin-token").read_text("utf-8").strip()
        unsent = call(f"{api}/v1/model/reload", method="POST")[0]
        sent = call(f"{api}/v1/model/reload", method="POST", token=token)[0]
        # and a rotation takes effect in the running API at once: the old token is refused
        run(["make", "admin-token", "ROTATE=yes"], built.root, env)
        rotated = (built.root / "secrets" / "api-admin-token").read_text("utf-8").strip()
        after_rotation = (
            call(f"{api}/v1/model/reload", method="POST", token=token)[0],
            call(f"{api}/v1/model/reload", method="POST", token=rotated)[0],
        )

        def scraped() -> Any:
            query = f"http://127.0.0.1:{prometheus_port}/api/v1/query?query=up"
            result = json.loads(call(query)[1])["data"]["result"]
            return [item for item in result if item["metric"]["job"] == "api"] and all(
                item["value"][1] == "1" for item in result if item["metric"]["job"] == "api"
            )

        wait_for(scraped, "Prometheus never scraped the API's /metrics", 60, logs)
        # every container of the stack at once, with the 10 s grace period compose gives:
        # one that ignores SIGTERM (a shell as PID 1) would take all 10 s
        containers = podman(
            "ps", "--quiet", "--filter", f"label=io.podman.compose.project={stack_name(stack)}"
        ).split()
        started = time.monotonic()
        podman("stop", "--time", "10", *containers)
        stopped_in = time.monotonic() - started
        run(["make", "stack-down"], built.root, env, timeout=120)
        left = podman(
            "ps",
            "--all",
            "--quiet",
            "--filter",
            f"label=io.podman.compose.project={stack_name(stack)}",
        )
    finally:
        down = [str(shim / "docker"), "compose", "down", "--volumes"]
        attempt(down, built.root, env, timeout=120)
        stack.unlink()
    # then the API served the retrained model, Prometheus scraped it, and it all stopped fast
    assert version
    assert predicted[0] == 200
    assert json.loads(predicted[1])["model_version"] == version
    assert retrained[1] == "1", retrained[0]
    assert (unsent, sent, after_rotation) == (401, 200, (403, 200))
    assert len(containers) == 3
    assert stopped_in <= 5, f"the stack's containers took {stopped_in:.1f} s to stop"
    assert not left, "make stack-down left containers behind"


# What `podman kube play` (podman 4.3) cannot take from the rendered dev overlay: the
# test removes exactly these (and Secret volumes, which it cannot mount), and
# docs/containers.md names them.
KINDS_NOT_PLAYED = {
    "Namespace",
    "Service",
    "CronJob",
    "PodDisruptionBudget",
    "HorizontalPodAutoscaler",
}


def playable(documents: list[dict[str, Any]], image: str, port: int) -> tuple[list[Any], list[str]]:
    """The rendered overlay as podman can play it, and what was changed (for the report)."""
    kept, changed = [], []
    for document in documents:
        if document["kind"] in KINDS_NOT_PLAYED:
            changed.append(f"left out {document['kind']}/{document['metadata']['name']}")
            continue
        if document["kind"] == "Deployment":
            spec = document["spec"]["template"]["spec"]
            for container in spec["containers"]:
                container["image"] = image
                container["ports"][0]["hostPort"] = port
                mounts = container["volumeMounts"]
                for mount in [m for m in mounts if "subPath" in m]:
                    changed.append(f"removed the subPath mount {mount['mountPath']}")
                    mounts.remove(mount)
                for volume in [v for v in spec["volumes"] if "secret" in v]:
                    changed.append(f"removed the Secret volume {volume['name']}")
                    spec["volumes"].remove(volume)
                    mounts[:] = [m for m in mounts if m["name"] != volume["name"]]
        kept.append(document)
    return kept, changed


@heavy
@pytest.mark.parametrize("built", variant_params("architecture"), indirect=True)
def test_podman_kube_play_runs_the_rendered_dev_overlay(
    built: Built, shim: Path, tmp_path: Path
) -> None:
    # given the dev overlay rendered by the project's own `make manifests`, and the API image
    env = with_engine(built, shim)
    run(["make", "manifests"], built.root, env, timeout=600)
    build(built, shim, "docker-api")
    rendered = list(yaml.safe_load_all((built.root / "build/k8s/dev.yaml").read_text("utf-8")))
    port = free_port()
    documents, changed = playable(rendered, f"localhost/{built.root.name}-api:latest", port)
    manifest = tmp_path / "dev-playable.yaml"
    manifest.write_text(yaml.safe_dump_all(documents), encoding="utf-8")
    # when podman plays it (the Deployment's pod, its ConfigMap and its volume claim)
    try:
        podman("kube", "play", str(manifest))
        status = wait_for(
            lambda: call(f"http://127.0.0.1:{port}/health")[0] == 200,
            "the played Deployment's API never answered /health",
            180,
            lambda: podman("pod", "logs", "api-pod", check=False),
        )
        pods = podman("pod", "ps", "--format", "{{.Name}} {{.Status}}")
    finally:
        podman("kube", "down", str(manifest), check=False)
        podman("volume", "rm", "--force", "model-store", "api-config", check=False)
    # then the Deployment's pod runs and its API answers; only what podman cannot play went
    assert status
    assert re.search(r"^api-pod\S* Running$", pods, re.MULTILINE), pods
    # (the test fails, naming it, when the overlay grows something else podman cannot play)
    assert sorted(changed) == [
        "left out CronJob/retrain",
        "left out HorizontalPodAutoscaler/api",
        f"left out Namespace/{built.script}-dev",
        "left out PodDisruptionBudget/api",
        "left out Service/api",
        "removed the Secret volume admin-token",
        "removed the subPath mount /app/configs/serving.yaml",
    ]
