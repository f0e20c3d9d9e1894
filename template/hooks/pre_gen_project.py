"""Answer rules shared by cookiecutter's pre-generation hook and the template's tests.

Cookiecutter renders this file before running it, which fills RENDERED_ANSWERS
below; imported as a module (by the tests) the placeholder stays as it is and
nothing runs. The tables (patterns, names, choices, requirements) come from
template-spec.yml, as copier.yml's are; copier.yml states the rules themselves as
Jinja validators, and tests/test_validation.py feeds both tools the same answers
and checks that they agree.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable

RENDERED_ANSWERS = r"""{{ cookiecutter | tojson }}"""

# >>> make generate: rules (from template-spec.yml: edit there, then run `make generate`)
# The free-text answers' shapes.
PROJECT_SLUG = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
PACKAGE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
AUTHOR_EMAIL = re.compile(
    r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:[.][A-Za-z0-9]"
    r"(?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
GITHUB_OWNER = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")
# Python keywords and soft keywords that a lower-case package name could be.
KEYWORDS = frozenset(
    "and as assert async await break case class continue def del elif else except finally for "
    "from global if import in is lambda match nonlocal not or pass raise return try type "
    "while with yield".split()
)
# Public standard-library modules of Python 3.11 to 3.13 (stdlib_module_names).
STDLIB = frozenset(
    "abc aifc antigravity argparse array ast asynchat asyncio asyncore atexit audioop base64 "
    "bdb binascii bisect builtins bz2 calendar cgi cgitb chunk cmath cmd code codecs codeop "
    "collections colorsys compileall concurrent configparser contextlib contextvars copy "
    "copyreg crypt csv ctypes curses dataclasses datetime dbm decimal difflib dis distutils "
    "doctest email encodings ensurepip enum errno faulthandler fcntl filecmp fileinput "
    "fnmatch fractions ftplib functools gc genericpath getopt getpass gettext glob graphlib "
    "grp gzip hashlib heapq hmac html http idlelib imaplib imghdr imp importlib inspect io "
    "ipaddress itertools json keyword lib2to3 linecache locale logging lzma mailbox mailcap "
    "marshal math mimetypes mmap modulefinder msilib msvcrt multiprocessing netrc nis nntplib "
    "nt ntpath nturl2path numbers opcode operator optparse os ossaudiodev pathlib pdb pickle "
    "pickletools pipes pkgutil platform plistlib poplib posix posixpath pprint profile pstats "
    "pty pwd py_compile pyclbr pydoc pydoc_data pyexpat queue quopri random re readline "
    "reprlib resource rlcompleter runpy sched secrets select selectors shelve shlex shutil "
    "signal site smtpd smtplib sndhdr socket socketserver spwd sqlite3 sre_compile "
    "sre_constants sre_parse ssl stat statistics string stringprep struct subprocess sunau "
    "symtable sys sysconfig syslog tabnanny tarfile telnetlib tempfile termios textwrap this "
    "threading time timeit tkinter token tokenize tomllib trace traceback tracemalloc tty "
    "turtle turtledemo types typing unicodedata unittest urllib uu uuid venv warnings wave "
    "weakref webbrowser winreg winsound wsgiref xdrlib xml xmlrpc zipapp zipfile zipimport "
    "zlib zoneinfo".split()
)
# Libraries generated projects import: a package of the same name shadows them.
DEPENDENCIES = frozenset(
    "joblib matplotlib mkdocs mypy numpy pandas pyarrow pydantic pytest rich ruff scipy "
    "sklearn typer yaml duckdb dvc evidently fairlearn fastapi httpx ibis lightgbm locust "
    "mlflow optuna pandera playwright prefect prometheus_client pyspark redis river "
    "schemathesis sqlalchemy starlette streamlit uvicorn xgboost".split()
)
LICENSES = ("MIT", "BSD-3-Clause", "Apache-2.0", "none")
PYTHON_VERSIONS = ("3.11", "3.12", "3.13")
FOCUSES = ("data", "modeling", "architecture", "product")
PROBLEM_TYPES = ("classification", "regression")
COMPONENTS = (
    "notebooks",
    "devcontainer",
    "ingestion",
    "validation",
    "sanity",
    "warehouse",
    "streaming",
    "dvc",
    "features",
    "zoo",
    "tuning",
    "ensembles",
    "leaderboard",
    "tracking",
    "research",
    "api",
    "compose",
    "kubernetes",
    "retraining",
    "monitoring",
    "loadtest",
    "runbook",
    "app",
    "site",
    "feedback",
    "synthetic",
    "fairness",
)
# Components that need others.
REQUIRES = {
    "warehouse": ("validation",),
    "streaming": ("validation",),
    "dvc": ("ingestion", "validation"),
    "tuning": ("zoo",),
    "ensembles": ("zoo", "tuning"),
    "leaderboard": ("zoo",),
    "research": ("zoo",),
    "compose": ("api",),
    "kubernetes": ("api",),
    "retraining": ("api",),
    "monitoring": ("api",),
    "loadtest": ("api",),
    "feedback": ("app",),
}
# <<< make generate


def _choice(name: str, value: str, allowed: tuple[str, ...]) -> str | None:
    if value in allowed:
        return None
    return f"{name}: '{value}' is not one of {', '.join(allowed)}"


def check_project_name(value: str) -> str | None:
    """Any text will do, as long as there is some."""
    return None if value.strip() else "project_name: must not be empty"


def check_project_slug(value: str) -> str | None:
    """Lowercase ASCII words joined by single hyphens, starting with a letter."""
    if PROJECT_SLUG.match(value):
        return None
    return (
        f"project_slug: '{value}' is not a valid slug; use lowercase ASCII letters, "
        "digits and single hyphens, starting with a letter (e.g. penguin-classifier)"
    )


def check_package_name(value: str) -> str | None:
    """An importable name that shadows nothing the project uses."""
    if not PACKAGE_NAME.match(value):
        return (
            f"package_name: '{value}' is not a valid Python identifier; use lowercase "
            "ASCII letters, digits and underscores, starting with a letter"
        )
    if value in KEYWORDS:
        return f"package_name: '{value}' is a Python keyword; choose another name"
    if value in STDLIB:
        return (
            f"package_name: '{value}' is a standard-library module; "
            "importing it would shadow the stdlib"
        )
    if value in DEPENDENCIES:
        return f"package_name: '{value}' is a library this project depends on; choose another name"
    return None


def check_author_name(value: str) -> str | None:
    """Someone has to hold the copyright."""
    return None if value.strip() else "author_name: must not be empty"


def check_author_email(value: str) -> str | None:
    """A plausible address: local part, @, a dotted domain."""
    if AUTHOR_EMAIL.match(value):
        return None
    return f"author_email: '{value}' is not a valid e-mail address (expected name@example.com)"


def check_github_owner(value: str) -> str | None:
    """GitHub's own rule for user and organisation names."""
    if GITHUB_OWNER.match(value):
        return None
    return (
        f"github_owner: '{value}' is not a valid GitHub name; use letters, digits "
        "and single hyphens, at most 39 characters"
    )


def _component_names(question: str, value: str) -> tuple[list[str], str | None]:
    """Parse a comma-separated component list; name the question in any problem."""
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in COMPONENTS]
    if unknown:
        return names, (
            f"{question}: unknown {', '.join(repr(n) for n in unknown)}; "
            f"choose from {', '.join(COMPONENTS)}"
        )
    if value != ",".join(names):
        return names, f"{question}: write names separated by commas only, e.g. 'notebooks,app'"
    return names, None


def check_component_list(question: str) -> Callable[[str], str | None]:
    """A check for extra_components or dropped_components: known names only."""
    return lambda value: _component_names(question, value)[1]


def check_components(value: str) -> str | None:
    """The resulting set: known names, and every prerequisite present."""
    names, problem = _component_names("components", value)
    if problem:
        return problem
    missing = [
        f"'{name}' needs '{need}'"
        for name in names
        for need in REQUIRES.get(name, ())
        if need not in names
    ]
    if missing:
        return (
            f"components: {', '.join(missing)}; "
            "add what is needed to extra_components or drop the component"
        )
    return None


CHECKS = {
    "project_name": check_project_name,
    "project_slug": check_project_slug,
    "package_name": check_package_name,
    "author_name": check_author_name,
    "author_email": check_author_email,
    "github_owner": check_github_owner,
    "license": lambda v: _choice("license", v, LICENSES),
    "python_version": lambda v: _choice("python_version", v, PYTHON_VERSIONS),
    "focus": lambda v: _choice("focus", v, FOCUSES),
    "problem_type": lambda v: _choice("problem_type", v, PROBLEM_TYPES),
    "extra_components": check_component_list("extra_components"),
    "dropped_components": check_component_list("dropped_components"),
    "components": check_components,
}


def problems(answers: dict[str, object]) -> list[str]:
    """Every rule the answers break, one message each, naming the question."""
    found = []
    for name, check in CHECKS.items():
        if name in answers:
            message = check(str(answers[name]))
            if message:
                found.append(message)
    return found


def main() -> int:
    """Cookiecutter's pre-generation hook: refuse bad answers before any file is written."""
    answers = json.loads(RENDERED_ANSWERS)
    found = problems(answers)
    for message in found:
        print(f"ERROR: {message}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
