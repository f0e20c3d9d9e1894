"""Checks of the data focus: acquisition, quality, sanity tests, streaming, scale, versioning."""

import hashlib
import re

from .core import Check, Finding, Project, Status, found

#: The data-sanity tests the template ships (tests/sanity/), by name.
TEMPLATE_SANITY_TESTS = 11
TEST_FUNCTION = re.compile(r"^\s*(?:async\s+)?def (test_\w+)\(", re.MULTILINE)


def _setting(project: Project, config: str, key: str, default: str) -> str:
    """A path a component's config names, or its default when the config cannot say."""
    data, _ = project.yaml(config)
    value = data.get(key) if data else None
    return value if isinstance(value, str) else default


def ingested_beyond_demo(project: Project) -> Finding:
    """Ingestion has run on batches other than the demo batches it cuts from the bundled CSV."""
    raw_dir = _setting(project, "configs/ingestion.yaml", "raw_dir", "data/lake/raw")
    path = f"{raw_dir}/manifest.json"
    manifest, problem = project.json(path)
    batches = manifest.get("batches") if isinstance(manifest, dict) else None
    if not isinstance(batches, dict):
        return found(Status.YOUR_JOB, problem or f"{path} has no batches", "run `make ingest`")
    own = [b for b in batches.values() if isinstance(b, dict) and not b.get("cut_from")]
    evidence = f"{path}: {len(batches)} batches, {len(own)} not cut from the demo data"
    if own:
        return found(Status.DONE, evidence)
    return found(Status.STARTED if batches else Status.YOUR_JOB, evidence)


def quality_report(project: Project) -> Finding:
    """Validation wrote a quality report per batch, with a reason for each quarantined row."""
    manifest, problem = project.json("data/lake/validated/manifest.json")
    if not isinstance(manifest, dict) or not manifest:
        return found(Status.YOUR_JOB, problem or "no validated batch", "run `make validate`")
    reports = project.files("reports/quality/*.md")
    quarantined = {
        key: entry.get("quarantined", 0)
        for key, entry in manifest.items()
        if isinstance(entry, dict) and isinstance(entry.get("quarantined"), int)
    }
    with_reasons = [
        key
        for key, rows in quarantined.items()
        if rows > 0 and "reason" in (project.text(f"reports/quality/{key}.md").text or "").lower()
    ]
    evidence = (
        f"{len(manifest)} validated batches, {len(reports)} reports in reports/quality/, "
        f"{sum(quarantined.values())} rows quarantined, {len(with_reasons)} reports with reasons"
    )
    if with_reasons:
        return found(Status.DONE, evidence, f"e.g. reports/quality/{with_reasons[0]}.md")
    return found(Status.STARTED if reports else Status.YOUR_JOB, evidence)


def sanity_tests(project: Project, template_tests: int = TEMPLATE_SANITY_TESTS) -> Finding:
    """The data-sanity tests outnumber the ones the template ships."""
    names = {
        name
        for path in project.files("tests/sanity/**/test_*.py")
        for name in TEST_FUNCTION.findall(project.text(path).text or "")
    }
    evidence = f"tests/sanity/: {len(names)} tests (the template ships {template_tests})"
    if len(names) > template_tests:
        return found(Status.DONE, evidence)
    return found(Status.YOUR_JOB, evidence)


def stream_checkpoint(project: Project) -> Finding:
    """The stream has run and left a checkpoint of the online model (read as bytes only)."""
    config = "configs/streaming.yaml"
    checkpoint = _setting(project, config, "checkpoint", "models/stream/checkpoint.joblib")
    report_path = _setting(project, config, "report", "reports/stream.json")
    report, problem = project.json(report_path)
    has_checkpoint = project.exists(checkpoint) and (project.sha256(checkpoint) is not None)
    if not has_checkpoint:
        return found(Status.YOUR_JOB, f"{checkpoint} is missing", "run `make stream`")
    if not isinstance(report, dict):
        return found(Status.STARTED, f"{checkpoint} exists", problem or report_path)
    figures = ", ".join(f"{k}: {v}" for k, v in report.items() if isinstance(v, int | float))
    return found(Status.DONE, f"{checkpoint} exists", f"{report_path}: {figures[:120]}")


def spark_run(project: Project) -> Finding:
    """The warehouse transforms have run on Spark (its Parquet output is there)."""
    data, _ = project.yaml("configs/warehouse.yaml")
    features = data.get("features") if data else None
    spark = features.get("spark") if isinstance(features, dict) else None
    spark = spark if isinstance(spark, str) else "data/warehouse/features-spark.parquet"
    target = project.root / spark
    parts = [target] if target.is_file() else sorted(target.glob("*.parquet"))
    magic = []
    for part in parts[:20]:
        try:
            with part.open("rb") as handle:
                magic.append(handle.read(4) == b"PAR1")
        except OSError:
            magic.append(False)
    if magic and all(magic):
        return found(Status.DONE, f"{spark}: {len(parts)} Parquet file(s) written by Spark")
    if parts:
        return found(Status.YOUR_JOB, f"{spark} is not Parquet")
    return found(Status.YOUR_JOB, f"{spark} is missing", "run `make warehouse-spark`")


def _md5(project: Project, path: str) -> str | None:
    try:
        return hashlib.md5((project.root / path).read_bytes(), usedforsecurity=False).hexdigest()
    except OSError:
        return None


def dvc_reproducible(project: Project) -> Finding:
    """dvc.lock matches the files it records (what `dvc status` checks, read without DVC)."""
    lock, problem = project.yaml("dvc.lock")
    stages = lock.get("stages") if lock else None
    if not isinstance(stages, dict) or not stages:
        return found(Status.YOUR_JOB, problem or "dvc.lock has no stages", "run `make dvc-repro`")
    checked, changed = 0, []
    for stage in stages.values():
        entries = [*(stage.get("deps") or []), *(stage.get("outs") or [])]
        for entry in entries if isinstance(stage, dict) else []:
            path, md5 = entry.get("path"), entry.get("md5")
            if not isinstance(path, str) or not isinstance(md5, str) or md5.endswith(".dir"):
                continue
            checked += 1
            if _md5(project, path) != md5:
                changed.append(path)
    evidence = f"dvc.lock: {len(stages)} stages, {checked} files checked"
    if checked and not changed:
        return found(Status.DONE, evidence, "every file matches its recorded md5")
    if changed:
        return found(Status.STARTED, evidence, f"changed since: {', '.join(changed[:4])}")
    return found(Status.YOUR_JOB, evidence)


CHECKS = [
    Check(
        "ingestion",
        "My ingestion has taken in more than the demo batches",
        "Build a fully automated pipeline for data ingestion",
        "docs/data-pipeline.md",
        ingested_beyond_demo,
        needs="configs/ingestion.yaml",
        component="ingestion",
    ),
    Check(
        "quality-report",
        "My quality reports show quarantined rows and why",
        "Anomaly detection before the data feeds the model",
        "docs/data-pipeline.md",
        quality_report,
        needs="configs/validation.yaml",
        component="validation",
    ),
    Check(
        "sanity-tests",
        "I wrote more data-sanity tests than the template's",
        "Build lots of tests to ensure data sanity",
        "docs/data-pipeline.md",
        sanity_tests,
        needs="configs/sanity.yaml",
        component="sanity",
    ),
    Check(
        "stream",
        "My stream has run and checkpointed its online model",
        "A real-time or streaming solution, with online training",
        "docs/data-pipeline.md",
        stream_checkpoint,
        needs="configs/streaming.yaml",
        component="streaming",
    ),
    Check(
        "spark",
        "My warehouse transforms have run on Spark",
        "Collect and handle a very large amount of data",
        "docs/warehouse.md",
        spark_run,
        needs="configs/warehouse.yaml",
        component="warehouse",
    ),
    Check(
        "dvc",
        "My DVC pipeline is reproducible: dvc.lock matches the files",
        "A pipeline others can reproduce",
        "docs/data-versioning.md",
        dvc_reproducible,
        needs="dvc.yaml",
        component="dvc",
    ),
]
