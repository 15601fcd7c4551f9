"""``jalon validate``: read and schedule a plan; report what is wrong with it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from jalon import load_plan
from jalon import schedule as compute_schedule
from jalon.cli import render
from jalon.cli.common import check_input, reporting_errors, warn


def validate_command(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="The plan: .yaml/.yml, .json or MS Project .xml.",
            show_default=False,
        ),
    ],
    input_format: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="Input format (yaml, json, xml) when the suffix does not tell.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Check that a plan reads and schedules: exit 0 if it does, 1 if it is invalid.

    Problems go to stderr, one per line (file, line where known, task and field);
    scheduling warnings are printed too but do not fail the check.
    """
    name = str(file)
    with reporting_errors(name):
        plan_format = check_input(file, input_format)
        plan = load_plan(file, format=plan_format)
        result = compute_schedule(plan)
    for line in render.warning_lines(result):
        warn(f"{name}: {line}")
    typer.echo(
        f"OK: {render.count(len(plan.tasks), 'task')}, {render.count(len(plan.links), 'link')}, "
        f"finish {render.format_date(result.finish)}"
    )
