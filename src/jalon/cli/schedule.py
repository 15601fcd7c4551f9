"""``jalon schedule``: compute a plan's dates and show them as a table, JSON, CSV or MSPDI."""

from __future__ import annotations

import io
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from jalon import load_plan
from jalon import schedule as compute_schedule
from jalon.cli import render
from jalon.cli.common import (
    UsageError,
    check_input,
    is_utf8,
    parse_status_date,
    reporting_errors,
    warn,
    write_output,
)
from jalon.cli.level import Mode as LevelMode
from jalon.cli.level import note as level_note
from jalon.cli.level import summary_lines as level_summary
from jalon.engine.leveling import level
from jalon.engine.results import Schedule
from jalon.io.msproject_xml import write_mspdi


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    xml = "xml"


#: ``--out`` suffixes that choose the format when ``--format`` is not given.
SUFFIX_FORMATS = {
    ".json": OutputFormat.json,
    ".csv": OutputFormat.csv,
    ".xml": OutputFormat.xml,
}


def output_format(requested: OutputFormat | None, out: Path | None) -> OutputFormat:
    if requested is not None:
        return requested
    if out is not None:
        return SUFFIX_FORMATS.get(out.suffix.lower(), OutputFormat.table)
    return OutputFormat.table


def mspdi_bytes(result: Schedule) -> bytes:
    buffer = io.BytesIO()
    write_mspdi(result.plan, result, buffer)
    return buffer.getvalue()


def schedule_command(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="The plan: .yaml/.yml, .json or MS Project .xml.",
            show_default=False,
        ),
    ],
    *,
    format: Annotated[
        OutputFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="Output format (default: table, or from the --out suffix).",
            case_sensitive=False,
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Write to this file instead of stdout.", show_default=False
        ),
    ] = None,
    status_date: Annotated[
        str | None,
        typer.Option(
            "--status-date",
            help="Status date: YYYY-MM-DD (17:00 that day) or YYYY-MM-DDTHH:MM[:SS].",
            show_default=False,
        ),
    ] = None,
    critical_only: Annotated[
        bool, typer.Option("--critical-only", help="Show only the critical tasks.")
    ] = False,
    input_format: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="Input format (yaml, json, xml) when the suffix does not tell.",
            show_default=False,
        ),
    ] = None,
    level_mode: Annotated[
        LevelMode | None,
        typer.Option(
            "--level",
            help="Level resources first (fast or optimal), as `jalon level` does.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Schedule a plan and print its dates, floats and critical path."""
    name = str(file)
    with reporting_errors(name):
        plan_format = check_input(file, input_format)
        when = parse_status_date(status_date)
        fmt = output_format(format, out)
        if critical_only and fmt is OutputFormat.xml:
            raise UsageError("--critical-only cannot be used with --format xml (a whole plan)")

        plan = load_plan(file, format=plan_format)
        result = compute_schedule(plan, status_date=when)
        if level_mode is not None:
            levelled = level(plan, result, mode=level_mode.value)
            result = levelled.schedule
            for line in level_summary(levelled, "day"):
                level_note(f"{name}: {line}")

        if fmt is OutputFormat.table:
            if out is None:
                render.print_schedule(Console(highlight=False), result, critical_only=critical_only)
                return
            write_output(render.render_text(result, critical_only=critical_only), out)
            return
        if fmt is OutputFormat.json:
            ascii_only = out is None and not is_utf8(sys.stdout)  # still valid JSON there
            text = render.schedule_json(result, critical_only=critical_only, ascii_only=ascii_only)
            write_output(text, out)
            return
        data: str | bytes
        if fmt is OutputFormat.csv:
            data = render.schedule_csv(result, critical_only=critical_only)
        else:
            data = mspdi_bytes(result)
        write_output(data, out)
        for line in render.warning_lines(result):
            warn(f"{name}: {line}")
