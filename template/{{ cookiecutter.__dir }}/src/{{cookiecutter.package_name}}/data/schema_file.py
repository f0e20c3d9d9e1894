"""The data contract file (configs/schema.yaml): written from a CSV, never over an edited one."""

import hashlib
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from .. import PROG
from ..errors import ConfigError
from .contract import Contract, contract_yaml, load_contract

#: The last line of a contract the `schema` command wrote: the checksum of its rules, so
#: an edited rule (not a comment) shows and the file is not replaced without --force.
STAMP = re.compile(r"^# rules checksum: ([0-9a-f]{64})$", re.MULTILINE)

HEADER = """\
# The data contract, written by `{prog} schema` from {source}: every column
# with the type, the range and the categories seen there, and whether values were missing.
# Review it before you rely on it: widen or tighten each range to what is plausible
# (not just what this file held), check that each `allowed` list is complete, and that
# integer-coded categories (integer columns with `allowed`) are codes, not quantities.
# Every path checks rows against it: a row that breaks a rule is quarantined with the
# reason. Keys: see data/README.md. `{prog} schema` replaces this file only while
# its rules are as written (the checksum below); after an edit it needs --force, and it
# keeps the replaced file as {backup}.

"""


def rules_checksum(contract: Contract) -> str:
    """Return the SHA-256 of the contract's rules (comments and layout do not count)."""
    text = json.dumps(contract_yaml(contract), sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def backup_path(path: Path) -> Path:
    """Return where a replaced contract is kept (configs/schema.previous.yaml)."""
    return path.with_name(f"{path.stem}.previous{path.suffix}")


def render_contract(contract: Contract, source: Path, path: Path) -> str:
    """Return the YAML text of ``contract``: a header, one line per column, the checksum."""
    columns = contract_yaml(contract)["columns"]
    body = "columns:\n" + "".join(
        f"  {_flow(name)[1:-1]}: {_flow(rule)}\n" for name, rule in columns.items()
    )
    header = HEADER.format(prog=PROG, source=source.as_posix(), backup=backup_path(path).as_posix())
    return (
        header
        + body
        + f"\nunique_rows: {'true' if contract.unique_rows else 'false'}\n\n"
        + f"# rules checksum: {rules_checksum(contract)}\n"
    )


def _flow(value: object) -> str:
    """Return ``value`` as one line of YAML flow style ([name] for a key, {...} for a rule)."""
    if isinstance(value, str):
        value = [value]
    return yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=10**6).strip()


@dataclass(frozen=True)
class Written:
    """Where the contract went, and where the file it replaced is kept (if any)."""

    path: Path
    backup: Path | None


def edited(path: Path) -> bool:
    """Whether the contract at ``path`` was changed since it was written with a checksum.

    A file without a checksum line (written by hand) counts as edited.
    """
    found = STAMP.search(path.read_text(encoding="utf-8"))
    if found is None:
        return True
    try:
        current = load_contract(path)
    except ConfigError:
        return True
    return rules_checksum(current) != found.group(1)


def write_contract(contract: Contract, path: Path, source: Path, *, force: bool = False) -> Path:
    """Write ``contract`` to ``path``; see ``replace_contract`` (this returns the path)."""
    return replace_contract(contract, path, source, force=force).path


def replace_contract(
    contract: Contract, path: Path, source: Path, *, force: bool = False
) -> Written:
    """Write ``contract`` to ``path``, keeping a file it replaces as a backup.

    An existing file whose rules were edited since it was written (or that was written
    by hand) is replaced only with ``force``; otherwise ConfigError says so, and
    nothing is changed.
    """
    backup = None
    if path.is_file():
        if not force and edited(path):
            raise ConfigError(
                f"{path.as_posix()}: its rules were edited (or written by hand), so "
                f"`{PROG} schema` does not replace it; compare it with the data, or run "
                f"`{PROG} schema --force` (`make schema FORCE=1`) to replace it: the "
                f"current file is then kept as {backup_path(path).as_posix()}"
            )
        backup = backup_path(path)
        shutil.copyfile(path, backup)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(render_contract(contract, source, path), encoding="utf-8")
    temporary.replace(path)
    return Written(path=path, backup=backup)
