"""Import rules of the generated package; first, each component alone: every module its
files import is generated with it.

A component's module may import only the core and the components it requires
(copier.yml `component_requires`). Importing another component's module works in a
focus that presets both and breaks the project of a student who dropped the other
one (the fairness report once imported the demo app's module). Generation only,
so every component is checked on its own in seconds.
"""

import ast
import sys
from pathlib import Path

import pytest
from conftest import REPO, focus_preset, generate_copier

sys.path.insert(0, str(REPO / "template" / "hooks"))
from pre_gen_project import COMPONENTS, REQUIRES


def with_requirements(component: str) -> list[str]:
    """The component and everything it needs, transitively, in the offered order."""
    wanted = {component}
    while True:
        more = {need for name in wanted for need in REQUIRES.get(name, ())} - wanted
        if not more:
            return [name for name in COMPONENTS if name in wanted]
        wanted |= more


def imported_modules(path: Path, src: Path, package: str) -> list[tuple[int, list[str]]]:
    """The package's modules that ``path`` imports, as (line, dotted parts)."""
    inside = path.is_relative_to(src)
    here = list(path.relative_to(src).parts[:-1]) if inside else []
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level and inside:
            base = here[: len(here) - node.level + 1]
            if node.module:
                found.append((node.lineno, base + node.module.split(".")))
            else:  # `from . import x`: x is a module, or a name of the package itself
                found += [(node.lineno, [*base, alias.name]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.lineno, node.module.split(".")))
    return [(line, parts) for line, parts in found if parts[0] == package]


def exists(src: Path, parts: list[str]) -> bool:
    """Whether ``parts`` names a generated module or package, or a name one defines."""
    path = src.joinpath(*parts)
    if path.with_suffix(".py").is_file() or path.is_dir():
        return True
    # `from . import name` where name is defined in the package's __init__.py
    init = src.joinpath(*parts[:-1], "__init__.py")
    return init.is_file() and parts[-1] in init.read_text(encoding="utf-8")


def missing_imports(root: Path) -> list[str]:
    """Every import of a package module that the generated project does not have."""
    src = root / "src"
    (package,) = [path.name for path in src.iterdir() if path.is_dir()]
    files = [
        *sorted(src.rglob("*.py")),
        *sorted((root / "tests").rglob("*.py")),
        *sorted(root.glob("benchmarks/*.py")),
        *sorted(root.glob("*.py")),
    ]
    return [
        f"{path.relative_to(root)}:{line}: {'.'.join(parts)}"
        for path in files
        for line, parts in imported_modules(path, src, package)
        if not exists(src, parts)
    ]


@pytest.mark.parametrize("component", COMPONENTS)
def test_a_component_alone_imports_only_what_is_generated_with_it(
    component: str, tmp_path: Path
) -> None:
    # given a project with this component and what it requires, and no other component
    chosen = with_requirements(component)
    root = tmp_path / component
    generate_copier(
        root,
        {
            "focus": "modeling",
            "dropped_components": focus_preset("modeling"),
            "extra_components": chosen,
        },
    )
    # then every package module that its code, tests and benchmarks import exists
    assert missing_imports(root) == [], f"with only {', '.join(chosen)}"


def test_the_check_finds_an_import_of_a_module_that_is_not_generated(tmp_path: Path) -> None:
    # given a project whose module imports a sibling that was not generated
    module = tmp_path / "src" / "pkg" / "product" / "fairness.py"
    module.parent.mkdir(parents=True)
    (module.parent / "__init__.py").write_text('"""Product."""\n', encoding="utf-8")
    module.write_text("from .predict import model_version\nfrom ..errors import X\n", "utf-8")
    (tmp_path / "src" / "pkg" / "errors.py").write_text("X = 1\n", encoding="utf-8")
    # when the imports are checked, then the missing module is named with its line
    assert missing_imports(tmp_path) == ["src/pkg/product/fairness.py:1: pkg.product.predict"]


def private_imports(src: Path) -> list[str]:
    """Every import of another module's private name (``_x``), and of the CLI module.

    The CLI sits on top: a module that imports it (even inside a function) makes a loop.
    """
    (package,) = [path.name for path in src.iterdir() if path.is_dir()]
    found = []
    for path in sorted(src.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not (node.level or node.module):
                continue
            where = f"{path.relative_to(src)}:{node.lineno}"
            module = node.module or ""
            if module.split(".")[-1] == "cli" and path.name != "__main__.py":
                found.append(f"{where}: imports the CLI ({'.' * node.level}{module})")
            if node.level == 0 and module.split(".")[0] != package:
                continue
            found += [
                f"{where}: {alias.name} is private to {'.' * node.level}{module}"
                for alias in node.names
                if alias.name.startswith("_") and not alias.name.startswith("__")
            ]
    return found


#: Layers and what sits above them: the data layer and the shared task vocabulary
#: (tasks.py) must not import these, or the layers stop reading top to bottom.
ABOVE = {
    "data": ("models", "features", "evaluation", "serving", "commands", "steps"),
    "tasks": ("*",),
}


def upward_imports(src: Path) -> list[str]:
    """Every import from a lower layer (ABOVE's keys) into a layer above it."""
    (package,) = [path.name for path in src.iterdir() if path.is_dir()]
    found = []
    for path in sorted((src / package).rglob("*.py")):
        layer = path.relative_to(src / package).with_suffix("").parts[0]
        if layer not in ABOVE:
            continue
        for line, parts in imported_modules(path, src, package):
            target = parts[1] if len(parts) > 1 else ""
            if "*" in ABOVE[layer] or target in ABOVE[layer]:
                where = path.relative_to(src).as_posix()
                found.append(f"{where}:{line}: {'.'.join(parts)} sits above {layer}")
    return found


def test_no_module_imports_the_cli_or_another_modules_private_names(tmp_path: Path) -> None:
    # given a project with every component
    every = list(COMPONENTS)
    root = generate_copier(tmp_path / "all", {"focus": "architecture", "extra_components": every})
    # then output helpers come from the console module, and no private name crosses modules
    assert private_imports(root / "src") == []
    # and the data layer and the task vocabulary import nothing above them
    assert upward_imports(root / "src") == []


def test_the_upward_import_check_names_the_import(tmp_path: Path) -> None:
    # given a data module that reaches up into models/ for the task vocabulary
    data = tmp_path / "pkg" / "data"
    data.mkdir(parents=True)
    (data / "load.py").write_text("from ..models.registry import Task\n", encoding="utf-8")
    (tmp_path / "pkg" / "tasks.py").write_text("from .errors import X\n", encoding="utf-8")
    # when the layers are checked, then each upward import is named with its place
    assert upward_imports(tmp_path) == [
        "pkg/data/load.py:1: pkg.models.registry sits above data",
        "pkg/tasks.py:1: pkg.errors sits above tasks",
    ]


def test_the_private_import_check_names_each_kind(tmp_path: Path) -> None:
    # given a command that reaches into the CLI, and a module importing a private helper
    commands = tmp_path / "pkg" / "commands"
    commands.mkdir(parents=True)
    (commands / "tune.py").write_text(
        "def run() -> None:\n    from ..cli import _summary, err\n", encoding="utf-8"
    )
    (tmp_path / "pkg" / "steps.py").write_text("from .data.load import _read\n", "utf-8")
    # when the imports are checked, then each is named with its place
    assert private_imports(tmp_path) == [
        "pkg/commands/tune.py:2: imports the CLI (..cli)",
        "pkg/commands/tune.py:2: _summary is private to ..cli",
        "pkg/steps.py:1: _read is private to .data.load",
    ]
