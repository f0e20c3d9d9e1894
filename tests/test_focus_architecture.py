"""The architecture focus delivers issue 5's promises, checked with the project's own commands."""

from __future__ import annotations

import csv
import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import Built, attempt, free_port, run, server_answering, variant_params

pytestmark = pytest.mark.heavy

ARCHITECTURE = variant_params("architecture")
# architecture-plus adds tracking: its API serves the MLflow registry's champion alias.
REGISTRY = variant_params("architecture-plus")
SPECIES = {"Adelie", "Chinstrap", "Gentoo"}


def call(url: str, body: Any = None, method: str | None = None) -> tuple[int, Any]:
    """Send a request (JSON body if given); return the status and the decoded answer."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, method=method, headers={"content-type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


@contextmanager
def serving(built: Built, *args: str) -> Iterator[str]:
    """Run `<slug> serve` (a real uvicorn server) on a free port; yield its URL."""
    port = free_port()
    command = built.cli("serve", "--port", str(port), *args)
    with server_answering(command, built.root, built.env, f"http://127.0.0.1:{port}") as url:
        yield url


def raw_records(built: Built, rows: int) -> list[dict[str, Any]]:
    """The first rows of the bundled data as API records (classification features)."""
    numeric = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]
    with (built.root / "data/raw/penguins.csv").open(encoding="utf-8") as handle:
        reader = list(csv.DictReader(handle))
    records = []
    for row in reader:
        if "NA" in (row[name] for name in numeric):
            continue
        record: dict[str, Any] = {name: float(row[name]) for name in numeric}
        record["island"] = row["island"]
        record["sex"] = None if row["sex"] in ("NA", "") else row["sex"]
        records.append(record)
    return records[:rows]


def write(built: Built, relative: str, data: Any) -> str:
    path = built.root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return relative


@pytest.mark.parametrize("built", ARCHITECTURE, indirect=True)
def test_the_api_starts_as_a_real_server_and_answers(built: Built) -> None:
    # given the project after `make all` (a trained model in models/)
    record = raw_records(built, 1)[0]
    with serving(built) as url:
        # when calling every endpoint
        ready = call(f"{url}/ready")
        single = call(f"{url}/v1/predict", record)
        batch = call(f"{url}/v1/predict/batch", {"records": raw_records(built, 20)})
        model = call(f"{url}/v1/model")
        bad = call(f"{url}/v1/predict", {**record, "bill_length_mm": "long"})
        # and the impossible inputs of issue 16, which once got a confident 200
        impossible = {
            "body_mass_g": call(f"{url}/v1/predict", {**record, "body_mass_g": -3750.0}),
            "flipper_length_mm": call(f"{url}/v1/predict", {**record, "flipper_length_mm": 1e308}),
            "bill_depth_mm": call(f"{url}/v1/predict", {**record, "bill_depth_mm": -1e308}),
            "island": call(f"{url}/v1/predict", {**record, "island": "Atlantis"}),
        }
        all_null = call(f"{url}/v1/predict", dict.fromkeys(record))
        spec = call(f"{url}/openapi.json")[1]
        with urllib.request.urlopen(f"{url}/metrics", timeout=10) as response:
            metrics = response.read().decode()
    # then the impossible inputs are refused (the default policy), naming field and reason
    for field, (status, answer) in impossible.items():
        assert status == 422, (field, answer)
        named = {(tuple(p["loc"]), p["type"]) for p in answer["detail"]}
        reason = "unknown_category" if field == "island" else "out_of_range"
        assert (("body", field), reason) in named, answer
        assert (("body", field), "contract") in named, answer  # configs/schema.yaml, first
    assert all_null[0] == 422
    assert {"loc": ["body"], "type": "all_null"} in [
        {"loc": p["loc"], "type": p["type"]} for p in all_null[1]["detail"]
    ]
    assert (
        "mode is **refuse**"
        in spec["paths"]["/v1/predict"]["post"]["responses"]["422"]["description"]
    )
    assert (
        'api_input_problems_total{action="refused",field="island",reason="unknown_category"}'
        in (metrics)
    )
    # and the answers are right, and a bad payload is a 422 naming the field
    assert ready[0] == 200
    assert single[0] == 200
    assert single[1]["prediction"] in SPECIES
    assert batch[0] == 200
    assert len(batch[1]["predictions"]) == 20
    assert set(batch[1]["predictions"]) <= SPECIES
    assert model[1]["name"] == "logistic_regression"
    assert model[1]["training_seconds"] > 0
    assert bad[0] == 422
    assert bad[1]["detail"][0]["loc"] == ["body", "bill_length_mm"]
    assert 'api_requests_total{endpoint="/v1/predict",status="200"}' in metrics


@pytest.mark.parametrize("built", ARCHITECTURE, indirect=True)
def test_the_api_survives_fuzzing_from_its_own_openapi_spec(built: Built) -> None:
    # given the project and its request log (the drift check's window)
    log = built.root / "reports/requests.jsonl"
    before = log.read_bytes() if log.exists() else None
    # when schemathesis fuzzes the live API / then no answer is a 5xx
    output = run(["make", "fuzz"], built.root, built.env)
    # (every generated case passed; schemathesis also warns that most random records are
    # refused: the input policy answers values outside the training domain with a 422)
    cases = re.search(r"(\d+) generated, (\d+) passed", output)
    assert cases, output[-3000:]
    assert cases.group(1) == cases.group(2), output[-3000:]
    # and none of its synthetic requests reached the request log
    assert (log.read_bytes() if log.exists() else None) == before


@pytest.mark.parametrize("built", ARCHITECTURE, indirect=True)
def test_a_missing_model_store_is_a_clear_start_up_error(built: Built) -> None:
    # given a serving config whose model store does not exist
    config = write(built, "configs/serving-missing.yaml", {"model_dir": "no/such/models"})
    # when starting the server
    result = attempt(built.cli("serve", "--serving-config", config), built.root, built.env, 120)
    # then it exits 2 with one clear line, no traceback
    assert result.returncode == 2
    assert "model_dir: the model store no/such/models does not exist" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("built", ARCHITECTURE, indirect=True)
def test_the_manifests_render_and_validate(built: Built) -> None:
    # given the Kustomize base and overlays / when rendering and validating them offline
    run(["make", "manifests"], built.root, built.env)
    # then both overlays hold every promised kind, hardened
    for overlay in ("dev", "prod"):
        documents = list(yaml.safe_load_all((built.root / f"build/k8s/{overlay}.yaml").read_text()))
        kinds = {document["kind"] for document in documents}
        assert {
            "Deployment",
            "Service",
            "HorizontalPodAutoscaler",
            "ConfigMap",
            "PodDisruptionBudget",
            "CronJob",
        } <= kinds
        (deployment,) = [d for d in documents if d["kind"] == "Deployment"]
        # the overlay creates the namespace it deploys into
        (namespace,) = [d for d in documents if d["kind"] == "Namespace"]
        assert namespace["metadata"]["name"] == deployment["metadata"]["namespace"]
        # prod's replicas span nodes (ReadWriteMany); dev runs on a one-node local cluster
        (claim,) = [d for d in documents if d["kind"] == "PersistentVolumeClaim"]
        access = "ReadWriteOnce" if overlay == "dev" else "ReadWriteMany"
        assert claim["spec"]["accessModes"] == [access]
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert deployment["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is True
        assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
        assert container["livenessProbe"]["httpGet"]["path"] == "/health"


# What Debian 12's kubernetes-client (kubectl 1.20, Kustomize 2) prints for these overlays.
OLD_KUBECTL = """#!/bin/sh
if [ "$1" = version ]; then
  echo 'Client Version: version.Info{Major:"1", Minor:"20", GitVersion:"v1.20.2"}'
  exit 0
fi
echo 'Error: json: cannot unmarshal object into Go struct field' \\
  'Kustomization.patchesStrategicMerge of type patch.StrategicMerge' >&2
exit 1
"""


@pytest.mark.parametrize("built", ARCHITECTURE, indirect=True)
def test_an_old_kubectl_gets_a_clear_error_and_leaves_no_partial_manifest(
    built: Built, tmp_path: Path
) -> None:
    # given a kubectl too old for the overlays first on the PATH
    stub = tmp_path / "bin" / "kubectl"
    stub.parent.mkdir()
    stub.write_text(OLD_KUBECTL)
    stub.chmod(0o755)
    env = {**built.env, "PATH": f"{stub.parent}:{built.env['PATH']}"}
    rendered = built.root / "build/k8s/dev.yaml"
    before = rendered.read_bytes() if rendered.exists() else None
    # when rendering the manifests
    result = attempt(["make", "manifests"], built.root, env)
    # then it stops with a message naming the overlay, the need and the kubectl found
    assert result.returncode != 0
    assert "kubectl could not render deploy/dev" in result.stderr
    assert "need a recent kubectl" in result.stderr
    assert "v1.20.2" in result.stderr
    # and no empty or partial manifest replaces a good one
    assert not (built.root / "build/k8s/dev.yaml.part").exists()
    assert (rendered.read_bytes() if rendered.exists() else None) == before


def train_dummy(built: Built) -> None:
    """Train the trivial model into models/: a champion any real model beats."""
    pipeline = yaml.safe_load((built.root / "configs/pipeline.yaml").read_text(encoding="utf-8"))
    pipeline["model"] = {"name": "dummy", "params": {}}
    write(built, "configs/pipeline-dummy.yaml", pipeline)
    run(built.cli("train", "--config", "configs/pipeline-dummy.yaml"), built.root, built.env)


def retrain(built: Built, url: str) -> tuple[str, dict[str, Any]]:
    """Run the retrain flow once, reloading the server at ``url``; its output and report."""
    retraining = write(
        built,
        "configs/retraining-test.yaml",
        {"reload_urls": [url], "report": "reports/retrain-test.json"},
    )
    output = run(built.cli("retrain", "--config", retraining), built.root, built.env)
    report = json.loads((built.root / "reports/retrain-test.json").read_text(encoding="utf-8"))
    return output, report


@pytest.mark.parametrize("built", ARCHITECTURE, indirect=True)
def test_retraining_promotes_a_better_model_and_serving_picks_it_up(built: Built) -> None:
    # given a weak champion (the dummy model) served by a running server
    train_dummy(built)
    with serving(built) as url:
        assert call(f"{url}/v1/model")[1]["name"] == "dummy"
        # when the retrain flow runs
        output, report = retrain(built, url)
        # then the real model is promoted and the same server process serves it
        served = call(f"{url}/v1/model")[1]
        predicted = call(f"{url}/v1/predict", raw_records(built, 1)[0])
    assert report["promoted"] is True, output
    assert report["challenger"] > report["champion"]
    assert report["reloaded"] == [url]
    assert served["name"] == "logistic_regression"
    assert served["version"] == report["model_version"]
    assert predicted[1]["model_version"] == report["model_version"]
    # and Prefect stays quiet, and the stale evaluation reports are named
    assert "Traceback" not in output
    assert "telemetry" not in output
    assert "make evaluate" in output


@pytest.mark.parametrize("built", ARCHITECTURE, indirect=True)
def test_a_retraining_typo_is_one_error_line_before_prefect_starts(built: Built) -> None:
    # given a retraining config with a typo
    config = write(built, "configs/retraining-typo.yaml", {"reload_url": ["x"]})
    # when running the retrain command
    result = attempt(built.cli("retrain", "--config", config), built.root, built.env, 300)
    # then it exits 2 with one line naming the key, before Prefect's server starts
    assert result.returncode == 2
    assert "reload_url: unknown key" in result.stderr
    assert "Traceback" not in result.stderr
    assert "Starting temporary server" not in result.stdout + result.stderr


@pytest.mark.parametrize("built", ARCHITECTURE, indirect=True)
def test_several_workers_converge_on_one_reload(built: Built) -> None:
    # given a server with two workers (no watch_seconds configured)
    train_dummy(built)
    with serving(built, "--workers", "2") as url:
        # when the real model is trained into the store and one reload reaches one worker
        run(built.cli("train"), built.root, built.env)
        status, reloaded = call(f"{url}/v1/model/reload", method="POST")
        # then within a few seconds every request, whichever worker answers, gets it
        deadline = time.monotonic() + 30
        names: set[str] = set()
        while time.monotonic() < deadline:
            names = {call(f"{url}/v1/model")[1]["name"] for _ in range(20)}
            if names == {"logistic_regression"}:
                break
            time.sleep(0.5)
        with urllib.request.urlopen(f"{url}/metrics", timeout=10) as response:
            metrics = response.read().decode()
    assert status == 200
    assert "follow within" in reloaded["note"]
    assert names == {"logistic_regression"}
    # and /metrics shows each worker's model (one sample per worker process)
    assert metrics.count('api_model_info{name="logistic_regression"') == 2


@pytest.mark.parametrize("built", ARCHITECTURE, indirect=True)
@pytest.mark.parametrize("shifted", [False, True])
def test_drift_fires_on_shifted_requests_only(built: Built, shifted: bool) -> None:
    # given a request log of real rows, shifted or not
    records = raw_records(built, 300)
    if shifted:
        for record in records:
            record["flipper_length_mm"] += 40
            record["bill_length_mm"] *= 1.4
            record["island"] = "Biscoe"
    name = "shifted" if shifted else "unshifted"
    log = built.root / f"reports/requests-{name}.jsonl"
    log.parent.mkdir(exist_ok=True)
    log.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    serving_config = write(
        built, f"configs/serving-{name}.yaml", {"request_log": str(log.relative_to(built.root))}
    )
    monitoring = write(
        built,
        f"configs/monitoring-{name}.yaml",
        {"serving_config": serving_config, "report_dir": f"reports/drift-{name}"},
    )
    # when running the drift check, asked to retrain on drift
    output = run(built.cli("drift", "--config", monitoring, "--retrain"), built.root, built.env)
    # then it fires exactly when the data moved, and writes its report
    report = json.loads((built.root / f"reports/drift-{name}/drift.json").read_text("utf-8"))
    assert report["drifted"] is shifted, output
    assert ("DRIFT in" in output) is shifted
    # and the retrain flow ran (on Prefect's embedded server) only then
    assert ("retrain: promoted:" in output) is shifted, output
    assert ("Starting temporary server" in output) is shifted


@pytest.mark.parametrize("built", ARCHITECTURE, indirect=True)
def test_the_load_test_runs_and_reports_throughput_and_percentiles(built: Built) -> None:
    # given the project and its request log (the drift check's window)
    log = built.root / "reports/requests.jsonl"
    before = log.read_bytes() if log.exists() else None
    # when running the short load test
    run(["make", "loadtest", "LOAD_USERS=4"], built.root, built.env)
    # then it reports inferences per second and the latency percentiles, with no failure
    report = (built.root / "reports/loadtest.md").read_text(encoding="utf-8")
    assert "inferences/s" in report
    assert " 0 failed" in report
    assert "| p50 ms | p95 ms | p99 ms |" in report
    # and none of its synthetic traffic reached the request log
    assert (log.read_bytes() if log.exists() else None) == before


@pytest.mark.parametrize("built", ARCHITECTURE, indirect=True)
def test_the_benchmark_writes_the_serving_figures(built: Built) -> None:
    # given the project / when running the benchmarks
    run(["make", "bench"], built.root, built.env, timeout=1500)
    # then the serving section holds every promised figure
    text = (built.root / "reports/performance.md").read_text(encoding="utf-8")
    section = text.split("## Serving (architecture)", 1)[1]
    for needle in (
        "Machine:",
        "training on",
        "hello-world floor",
        "Load generator:",
        "minimal FastAPI",
        "in-process predict",
        "p50 / p99",
        "2 workers",
    ):
        assert needle in section, needle
    # and the floor row is a real ratio of two measured throughputs, with its target
    floor = re.search(
        r"\| ([\d,]+) req/s \| hello-world floor ([\d,]+) req/s \| ([\d.]+)x \|", section
    )
    assert floor is not None, section
    api, hello = (float(value.replace(",", "")) for value in floor.groups()[:2])
    assert hello > 0
    assert float(floor[3]) == pytest.approx(api / hello, abs=0.01)


@pytest.mark.parametrize("built", REGISTRY, indirect=True)
def test_with_tracking_the_api_serves_the_registry_champion_and_follows_promotions(
    built: Built,
) -> None:
    # given a weak model (the dummy) published as the champion of a fresh MLflow store
    run(["rm", "-rf", "mlflow.db", "mlartifacts", "models/.champion"], built.root, built.env)
    train_dummy(built)
    published = run(["make", "champion"], built.root, built.env)
    assert "models:/champion-model@champion -> version 1" in published
    with serving(built) as url:
        first = call(f"{url}/v1/model")[1]
        # when the retrain flow promotes a better model
        output, report = retrain(built, url)
        # then it is published as version 2 and the same server loads it through the alias
        served = call(f"{url}/v1/model")[1]
    shown = run(built.cli("champion", "--show"), built.root, built.env)
    assert first["source"] == "models:/champion-model@champion"
    assert first["name"] == "dummy"
    assert report["promoted"] is True, output
    assert served["name"] == "logistic_regression"
    assert served["source"] == "models:/champion-model@champion"
    assert served["version"] == report["model_version"]
    assert "-> version 2" in shown
