"""Share the bytecode one generated project compiled with every later one, through uv's cache.

uv links each installed file from its cache (hard links on one filesystem), and links
whatever an unpacked wheel's folder holds, `__pycache__` included. Python compiles a
module the first time a process imports it and keeps the `.pyc` beside the source, in
the project's own `.venv`: each fresh project (every replayed job starts from a clean
checkout) compiled pandas, scikit-learn and the rest again, about 10 s of a unit run.
Linking those `.pyc` files into the cache, beside the sources they were compiled from,
hands them to every venv uv makes afterwards. A `.pyc` records its source's mtime and
size, which a hard link shares, so Python still checks it as usual; the names carry
the interpreter (`cpython-311`), so versions never mix.
"""

from __future__ import annotations

import os
import subprocess
from functools import cache
from pathlib import Path


@cache
def uv_cache() -> Path:
    """uv's cache folder (`uv cache dir`), shared by the projects and the image builds."""
    result = subprocess.run(["uv", "cache", "dir"], capture_output=True, text=True, check=True)
    return Path(result.stdout.strip())


def unpacked_wheels(cache_root: Path) -> dict[int, Path]:
    """Each unpacked wheel in uv's cache, by the inode of its dist-info METADATA."""
    return {
        metadata.stat().st_ino: metadata.parent.parent
        for metadata in cache_root.glob("archive-v0/*/*.dist-info/METADATA")
    }


def compile_and_share(project: Path) -> int:
    """Compile every module of ``project``'s venv, then share the bytecode; how many were new.

    Modules whose bytecode came from the cache are up to date and skipped, so only the
    first project to install a wheel pays for compiling it (a minute of CPU for the whole
    data focus, once per machine while uv's cache lasts).
    """
    for site in sorted(project.glob(".venv/lib/python3.*/site-packages")):
        python = project / ".venv" / "bin" / "python"
        # a module that does not compile (a test fixture of some package) is skipped
        subprocess.run(
            [str(python), "-m", "compileall", "-q", "-j0", str(site)],
            capture_output=True,
            check=False,
            env={
                key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"
            },
        )
    return share_bytecode(project)


def share_bytecode(project: Path) -> int:
    """Link the `.pyc` files of ``project``'s venv into uv's cache; how many were new.

    Only files whose source is the cache's own (a hard link) are shared: a venv that
    uv filled by copying, or a package installed in editable mode, is left alone.
    """
    wheels = unpacked_wheels(uv_cache())
    shared = 0
    for metadata in project.glob(".venv/lib/python3.*/site-packages/*.dist-info/METADATA"):
        wheel = wheels.get(metadata.stat().st_ino)
        if wheel is None:
            continue
        site = metadata.parent.parent
        for compiled in _compiled_in(site, metadata.parent):
            relative = compiled.relative_to(site)
            source = site / relative.parent.parent / f"{compiled.name.split('.', 1)[0]}.py"
            target = wheel / relative
            if target.exists() or not _same_file(source, wheel / source.relative_to(site)):
                continue
            target.parent.mkdir(exist_ok=True)
            scratch = target.with_name(f".{target.name}.{os.getpid()}")
            os.link(compiled, scratch)
            os.replace(scratch, target)
            shared += 1
    return shared


def _compiled_in(site: Path, dist_info: Path) -> list[Path]:
    """The `.pyc` files below the top-level folders a distribution's RECORD lists."""
    record = dist_info / "RECORD"
    if not record.is_file():
        return []
    tops = {
        line.split(",", 1)[0].split("/", 1)[0]
        for line in record.read_text("utf-8").splitlines()
        if "/" in line.split(",", 1)[0] and not line.startswith("..")
    }
    tops.discard(dist_info.name)
    return [
        compiled
        for top in sorted(tops)
        if (site / top).is_dir()
        for compiled in (site / top).rglob("__pycache__/*.pyc")
    ]


def _same_file(a: Path, b: Path) -> bool:
    """Whether two paths are one file (a hard link), false if either is missing."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False
