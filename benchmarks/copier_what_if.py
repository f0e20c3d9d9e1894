"""copier's own CLI with two upstream changes applied in-process, to measure what they would save.

Run it exactly like ``copier``: ``python benchmarks/copier_what_if.py copy --defaults SRC DST``.
It is a measurement aid for ``benchmarks/generation.py --what-if``, never a way to generate
projects: students run copier as released. The two changes, each keeping copier's output
byte for byte (``tests/test_benchmarks.py`` compares the trees):

1. **Compile each template string once per run.** copier 9.19.1 calls
   ``Environment.from_string`` for every part of every template path, and again for the
   answers-file name at each part, compiling the same few strings over and over. Here the
   compiled template is kept per environment and source; copier's yield extension resets
   its context in a compile-time hook, so the cached path resets it as that hook would.
2. **Read ``core.fileMode`` once per destination.** copier runs ``git config --get
   core.fileMode`` in a subprocess after every file it writes, only to learn whether it must
   fix the git index (it must only when the setting is ``false``). Here the answer is read
   once per destination and the original method runs only when it is ``false``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import copier._main as copier_main
from copier._cli import CopierApp
from copier._jinja_ext import get_yield_context
from jinja2 import Environment, Template


def cache_compiled_strings() -> None:
    """Make ``Environment.from_string`` compile each source once per environment."""
    original = Environment.from_string
    compiled: dict[tuple[int, str], Template] = {}

    def from_string(
        self: Environment, source: Any, globals: Any = None, template_class: Any = None
    ) -> Template:
        if globals is not None or template_class is not None or not isinstance(source, str):
            return original(self, source, globals, template_class)
        key = (id(self), source)
        if key not in compiled:
            compiled[key] = original(self, source)
        else:  # what the yield extension's preprocess hook does on every compile
            context = get_yield_context(self)
            context.yield_name = None
            context.yield_iterable = None
        return compiled[key]

    Environment.from_string = from_string  # type: ignore[method-assign]


def read_file_mode_once() -> None:
    """Ask git for ``core.fileMode`` once per destination, not once per written file."""
    original = copier_main.Worker._sync_git_index_executable_bit
    settings: dict[Path, str] = {}

    def sync(self: copier_main.Worker, dst_relpath: Path, src_mode: int) -> None:
        root = Path(self.subproject.local_abspath)
        if root not in settings:
            result = subprocess.run(
                ["git", "config", "--type=bool", "--get", "core.fileMode"],
                cwd=root,
                capture_output=True,
                text=True,
                check=False,
            )
            settings[root] = result.stdout.strip()
        if settings[root] == "false":
            original(self, dst_relpath, src_mode)

    copier_main.Worker._sync_git_index_executable_bit = sync  # type: ignore[method-assign]


if __name__ == "__main__":
    cache_compiled_strings()
    read_file_mode_once()
    sys.argv[0] = "copier"
    sys.exit(CopierApp.run())
