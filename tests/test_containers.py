"""Every generated image builds and runs: podman stands in for Docker (tests/containers.py).

The images are built with the project's own make targets through the `docker` shim, on the
shared `built` projects; each distinct image is built once per session (podman's layer cache
keeps it between sessions, and the base images are made once per machine).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from conftest import Built, run, variant_params
from containers import engine_env, ensure_engine, podman
from test_focus_architecture import raw_records

pytestmark = [pytest.mark.heavy, pytest.mark.containers]

SPECIES = {"Adelie", "Chinstrap", "Gentoo"}


@pytest.fixture(scope="session")
def shim() -> Path:
    """The folder holding the `docker` shim (base images made on first use)."""
    return ensure_engine()


def with_engine(built: Built, shim: Path) -> dict[str, str]:
    """The project's environment with the shim first on PATH: `docker` means podman here."""
    return {**built.env, "PATH": f"{shim}{os.pathsep}{built.env['PATH']}"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def user_id(name: str) -> str:
    """The uid an image's processes run as (its USER)."""
    return podman("run", "--rm", "--entrypoint", "id", name, "-u").strip()


def call(url: str, body: Any = None) -> tuple[int, str]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"content-type": "application/json"})
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
        podman("rm", "--force", "--time", "2", container, check=False)


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


@pytest.mark.parametrize("built", variant_params("architecture", "regression-bare"), indirect=True)
def test_the_pipeline_image_runs_the_whole_pipeline_as_a_non_root_user(
    built: Built, shim: Path
) -> None:
    # given a generated project and the docker shim on PATH (podman underneath)
    env = with_engine(built, shim)
    # when its own `make docker-smoke` builds every Dockerfile target and runs the pipeline
    output = run(["make", "docker-smoke"], built.root, env, timeout=1200)
    # then the pipeline ran to its evaluation inside the image and exited 0,
    # and the runtime image runs as the unprivileged app user
    assert "--format docker" in output or "docker build" in output
    assert "evaluate" in output.lower()
    assert user_id(f"{built.script}:runtime") == "10001"
    assert user_id(f"{built.script}:pipeline") == "10001"


@pytest.mark.parametrize("built", variant_params("architecture"), indirect=True)
def test_the_api_image_serves_real_predictions_and_reports_healthy(
    built: Built, shim: Path, tmp_path: Path
) -> None:
    # given the API image built by `make docker-api` and the project's trained model store
    run(["make", "docker-api"], built.root, with_engine(built, shim), timeout=1200)
    models = tmp_path / "models"
    shutil.copytree(built.root / "models", models)
    name = f"{built.script}-api"
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


@pytest.mark.parametrize("built", variant_params("product"), indirect=True)
def test_the_app_image_serves_its_page_and_reports_healthy(built: Built, shim: Path) -> None:
    # given the demo app image built by `make docker-app` (it trains its model at build time)
    run(["make", "docker-app"], built.root, with_engine(built, shim), timeout=1200)
    # when it runs
    with running(f"{built.script}:app", 8501, ready="/_stcore/health") as (container, url):
        page = call(url + "/")
        uid = podman("exec", container, "id", "-u").strip()
        is_healthy = healthy(container)
    # then it serves the page to the host as a non-root user, and its HEALTHCHECK passes
    assert page[0] == 200
    assert '<div id="root">' in page[1] or "streamlit" in page[1].lower()
    assert uid == "10001"
    assert is_healthy, "the image's HEALTHCHECK did not pass within 60 s"


@pytest.mark.parametrize("built", variant_params("data"), indirect=True)
def test_the_data_worker_image_ingests_and_validates_then_exits(built: Built, shim: Path) -> None:
    # given the data worker image built by `make docker-data-worker`
    run(["make", "docker-data-worker"], built.root, with_engine(built, shim), timeout=1200)
    name = f"{built.script}:data-worker"
    # when it runs once
    result = subprocess.run(
        ["podman", "run", "--rm", name],
        env=engine_env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    # then it pulled batches and validated them, exited 0, as a non-root user
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "validate" in (result.stdout + result.stderr).lower()
    assert user_id(name) == "10001"


@pytest.mark.parametrize("built", variant_params("modeling"), indirect=True)
def test_the_training_image_tunes_compares_and_exits(built: Built, shim: Path) -> None:
    # given the training image built by `make docker-train`
    run(["make", "docker-train"], built.root, with_engine(built, shim), timeout=1200)
    name = f"{built.script}:train"
    # when it runs with a one-trial budget
    result = subprocess.run(
        ["podman", "run", "--rm", "--env", "TRIALS=1", name],
        env=engine_env(),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    # then it tuned every family, built the leaderboard and exited 0, as a non-root user
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "leaderboard" in (result.stdout + result.stderr).lower()
    assert user_id(name) == "10001"
