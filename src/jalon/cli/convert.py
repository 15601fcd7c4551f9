"""``jalon convert``: read a plan in one format and write it in another."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from jalon import load_plan
from jalon.cli import render
from jalon.cli.common import check_input, plan_format, reporting_errors
from jalon.io import save_plan

FORMAT_NAMES = {"yaml": "YAML", "json": "JSON", "mspdi": "MS Project XML"}


def convert_command(
    source: Annotated[
        Path, typer.Argument(metavar="IN", help="The plan to read.", show_default=False)
    ],
    target: Annotated[
        Path,
        typer.Argument(
            metavar="OUT", help="The file to write (overwritten if it exists).", show_default=False
        ),
    ],
    from_format: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="Input format: yaml, json or xml (default: from the IN suffix).",
            show_default=False,
        ),
    ] = None,
    to_format: Annotated[
        str | None,
        typer.Option(
            "--to",
            help="Output format: yaml, json or xml (default: from the OUT suffix).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Convert a plan between Jalon YAML, Jalon JSON and MS Project XML (MSPDI)."""
    with reporting_errors(str(source)):
        read_as = check_input(source, from_format)
        write_as = plan_format(target, to_format)
        plan = load_plan(source, format=read_as)
    with reporting_errors(str(target)):
        save_plan(plan, target, format=write_as)
    typer.echo(
        f"Wrote {target} ({FORMAT_NAMES.get(write_as, write_as)}): "
        f"{render.count(len(plan.tasks), 'task')}, {render.count(len(plan.links), 'link')}"
    )
