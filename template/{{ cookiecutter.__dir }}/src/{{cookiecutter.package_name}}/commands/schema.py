"""`schema`: infer a starting data contract from the configured CSV and write it for review."""

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from ..config import DEFAULT_CONFIG_PATH, load_config
from ..console import err, expected_errors, step_summary


def register(app: typer.Typer) -> None:
    """Add the `schema` command."""
    app.command("schema")(schema_command)


def schema_command(
    config: Annotated[
        Path, typer.Option("--config", "-c", help="Pipeline config (data.raw_path, schema_path).")
    ] = DEFAULT_CONFIG_PATH,
    force: Annotated[
        bool,
        typer.Option(help="Replace the contract even if its rules were edited (kept as backup)."),
    ] = False,
) -> None:
    """Write data.schema_path from data.raw_path: types, ranges and categories seen.

    Refuses to replace a contract whose rules were edited since it was written, unless
    --force; the replaced file is kept beside it as schema.previous.yaml.
    """
    from ..data.contract import infer_contract
    from ..data.load import read_table
    from ..data.schema_file import replace_contract

    with expected_errors():
        pipeline = load_config(config)
        data = pipeline.data
        table = read_table(data.raw_path)
        required = [data.target] if data.target in table.header else []
        contract = infer_contract(table.frame, required=required)
        written = replace_contract(contract, data.schema_path, data.raw_path, force=force)
        kinds: dict[str, list[str]] = {}
        for name, rule in contract.columns.items():
            kind = "integer-coded" if rule.type == "integer" and rule.allowed else rule.type
            kinds.setdefault(kind, []).append(name)
        if table.malformed.shape[0]:
            err.print(
                Text(
                    f"warning: {table.malformed.shape[0]} lines of {data.raw_path.as_posix()} "
                    "do not have the header's number of fields; they were left out of the "
                    "inference (the pipeline quarantines them)",
                    "yellow",
                )
            )
        kept = (
            f"; the previous file is kept as {written.backup.as_posix()}" if written.backup else ""
        )
        step_summary(
            "schema",
            f"wrote {written.path.as_posix()} from {len(table.frame)} rows of "
            f"{data.raw_path.as_posix()}: "
            + "; ".join(f"{kind} {', '.join(names)}" for kind, names in kinds.items())
            + f"{kept}; review it (ranges, categories, nullable), then run the pipeline",
        )
