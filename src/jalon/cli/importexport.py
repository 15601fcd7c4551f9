"""``jalon import`` and ``jalon export``: other tools' files in and out of Jalon.

``jalon import FILE`` reads any file :mod:`jalon.io.importers` knows (MS Project, Primavera,
GanttProject, Planner, Excel, CSV, Jira, Trello, iCalendar, Jalon's own) and creates a
project in the database, atomically; ``--dry-run`` only prints what would be created and
``--out`` writes a plan file instead. ``jalon export`` writes a plan file or a project
of the database as MS Project XML, Jalon YAML/JSON, Excel, CSV or iCalendar.

Django is imported only when the database is used.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer

from jalon.cli import render
from jalon.cli.common import UsageError, reporting_errors, write_output
from jalon.engine.model import Plan
from jalon.io.report import ImportReport

SETTINGS = "jalon.web.settings"
EXPORT_FORMATS = {
    "mspdi": "mspdi",
    "xml": "mspdi",
    "msproject": "mspdi",
    "yaml": "yaml",
    "yml": "yaml",
    "json": "json",
    "xlsx": "xlsx",
    "excel": "xlsx",
    "csv": "csv",
    "ics": "ics",
    "ical": "ics",
}
_SUFFIXES = {
    ".xml": "mspdi",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".json": "json",
    ".xlsx": "xlsx",
    ".csv": "csv",
    ".ics": "ics",
}


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    import django

    django.setup()


def report_lines(report: ImportReport) -> list[str]:
    """The dry-run report as text lines."""
    lines = [
        f"format: {report.format}",
        f"would create {render.count(report.tasks, 'task')} "
        f"({render.count(report.summary_tasks, 'summary task')}, "
        f"{render.count(report.milestones, 'milestone')}), "
        f"{render.count(report.links, 'link')}, {render.count(report.resources, 'resource')}, "
        f"{render.count(report.assignments, 'assignment')}",
    ]
    lines += [f"warning: {w}" for w in report.warnings]
    lines += [f"ignored: {i}" for i in report.ignored]
    return lines


def import_command(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="The file to import.", show_default=False)
    ],
    from_format: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="Its format: mspdi, yaml, json, mpp, xer, pmxml, gan, mpx, planner, xlsx, csv, "
            "jira, trello, ics (default: from its content and suffix).",
            show_default=False,
        ),
    ] = None,
    project: Annotated[
        str | None,
        typer.Option(
            "--project", help="Name of the project (default: the file's).", show_default=False
        ),
    ] = None,
    owner: Annotated[
        str | None,
        typer.Option(
            "--owner",
            help="User who creates the project and becomes its manager "
            "(default: the only PMO admin).",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Write the plan to this file (.yaml, .json, .xml) instead of the database.",
            show_default=False,
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print what would be created; write nothing.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="With --dry-run: print the report as JSON.")
    ] = False,
    date_format: Annotated[
        str | None,
        typer.Option(
            "--date-format",
            help="Jira CSV: the dates' strptime format, e.g. '%d/%b/%y %I:%M %p' "
            "(default: Jira's usual formats, in any language).",
            show_default=False,
        ),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(
            "--start",
            help="Jira CSV: the project's start, YYYY-MM-DD[THH:MM] "
            "(default: the earliest Created).",
            show_default=False,
        ),
    ] = None,
    days_per_point: Annotated[
        float | None,
        typer.Option(
            "--days-per-point",
            help="Jira CSV: days of work per story point, for issues without an estimate "
            "(default: 1).",
            show_default=False,
        ),
    ] = None,
    default_days: Annotated[
        float | None,
        typer.Option(
            "--default-days",
            help="Jira CSV and Trello: the duration of an issue or card with no estimate "
            "(default: 1).",
            show_default=False,
        ),
    ] = None,
    include_archived: Annotated[
        bool,
        typer.Option("--include-archived", help="Trello: import archived cards and lists too."),
    ] = False,
    checklists: Annotated[
        str | None,
        typer.Option(
            "--checklists",
            help="Trello: checklist items become subtasks ('tasks', the default) "
            "or the card's notes ('notes').",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Import a plan from MS Project, Primavera, GanttProject, Excel, CSV, Jira, Trello ..."""
    with reporting_errors(str(file)):
        options = _reader_options(
            date_format=date_format,
            start=parse_start(start) if start is not None else None,
            days_per_point=days_per_point,
            default_days=default_days,
            include_archived=include_archived or None,
            checklists=checklists,
        )
        if as_json and not dry_run:
            raise UsageError("--json goes with --dry-run")
        if dry_run and out is not None:
            raise UsageError("--dry-run writes nothing: leave out --out")
        if not file.exists():
            raise UsageError(f"{file}: no such file")
        if file.is_dir():
            raise UsageError(f"{file}: is a directory, not a file")
        out_format = _out_format(out) if out is not None else None
        from jalon.io.importers import import_file, normalize_format

        if from_format is not None:
            from jalon.engine.errors import FormatError

            try:
                normalize_format(from_format, str(file))
            except FormatError as exc:
                raise UsageError(str(exc)) from None
        if options:
            _check_options(file, from_format, options)
        result = import_file(file, format=from_format, options=options)
        plan = result.plan.replace(name=project) if project else result.plan
        if dry_run:
            if as_json:
                typer.echo(json.dumps(result.report.to_json(), ensure_ascii=False, indent=2))
            else:
                for line in report_lines(result.report):
                    typer.echo(line)
            return
    if out is not None and out_format is not None:
        with reporting_errors(str(out)):
            from jalon.io import save_plan

            save_plan(plan, out, format=out_format)
        typer.echo(
            f"Wrote {out}: {render.count(len(plan.tasks), 'task')}, "
            f"{render.count(len(plan.links), 'link')} (from {result.report.format})"
        )
        _echo_notes(result.report)
        return
    with reporting_errors(str(file)):
        created = _store(plan, owner)
    typer.echo(
        f"Created project '{created['name']}' (id {created['id']}): "
        f"{render.count(len(plan.tasks), 'task')}, {render.count(len(plan.links), 'link')}, "
        f"{render.count(len(plan.resources), 'resource')} (from {result.report.format})"
    )
    _echo_notes(result.report)


def _reader_options(**given: Any) -> dict[str, Any]:
    """The reader options given on the command line (the others keep the reader's
    defaults)."""
    return {name: value for name, value in given.items() if value is not None}


_FLAGS = {
    "date_format": "--date-format",
    "start": "--start",
    "days_per_point": "--days-per-point",
    "default_days": "--default-days",
    "include_archived": "--include-archived",
    "checklists": "--checklists",
}


def _check_options(file: Path, from_format: str | None, options: dict[str, Any]) -> None:
    """Reader options go with the formats whose reader takes them."""
    from jalon.engine.errors import FormatError
    from jalon.io.importers import PARSER_OPTIONS, detect_import_format, normalize_format

    if options.get("checklists") not in (None, "tasks", "notes"):
        raise UsageError(f"--checklists {options['checklists']}: use tasks or notes")
    try:
        if from_format is not None:
            fmt = normalize_format(from_format, str(file))
        else:
            fmt = detect_import_format(file, file.read_bytes())
    except FormatError:
        return  # reading the file names the problem
    for name in options:
        if name not in PARSER_OPTIONS.get(fmt, ()):
            takes = " and ".join(f for f, names in PARSER_OPTIONS.items() if name in names)
            raise UsageError(f"{_FLAGS[name]} is for {takes} files; {file} is {fmt}")


def parse_start(text: str) -> dt.datetime:
    """``--start``: a date (the working day starts at 08:00) or a date and time."""
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--start {text}: give a date as YYYY-MM-DD or YYYY-MM-DDTHH:MM") from None
    if len(text.strip()) == 10:
        value = value.replace(hour=8)
    return value


def _echo_notes(report: ImportReport) -> None:
    for w in report.warnings:
        typer.echo(f"warning: {w}", err=True)
    for i in report.ignored:
        typer.echo(f"ignored: {i}", err=True)


def _out_format(out: Path) -> str:
    fmt = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".xml": "mspdi"}.get(
        out.suffix.lower()
    )
    if fmt is None:
        raise UsageError(f"--out {out}: use a .yaml, .json or .xml file")
    return fmt


def _owner(username: str | None) -> Any:
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    if username is not None:
        user = users.filter(username=username).first()
        if user is None:
            raise UsageError(f"--owner: no user '{username}'")
        return user
    admins = list(users.filter(is_superuser=True, is_active=True)[:2])
    if len(admins) != 1:
        raise UsageError(
            "give the user who owns the new project with --owner USERNAME "
            "(or use --dry-run, or --out FILE)"
        )
    return admins[0]


def _store(plan: Plan, owner: str | None) -> dict[str, Any]:
    """Create the project in the database through the web application's import service."""
    _django()
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.core.management import call_command

    call_command("migrate", "--no-input", "--verbosity", "0")
    from jalon.web.planning.imports import project_import

    user = _owner(owner)
    try:
        created = project_import(plan=plan, user=user, name=plan.name)
    except PermissionDenied as exc:
        raise UsageError(f"--owner: {exc}") from None
    except ValidationError as exc:
        raise UsageError("; ".join(exc.messages)) from None
    return {"id": created.pk, "name": created.name}


# -- export -----------------------------------------------------------------------------


def export_command(
    source: Annotated[
        str,
        typer.Argument(
            metavar="SOURCE",
            help="A plan file (any format jalon import reads) or a project of the database "
            "(its name or id).",
            show_default=False,
        ),
    ],
    format: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="mspdi (xml), yaml, json, xlsx, csv or ics (default: from the --out suffix).",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="The file to write (default: standard output).", show_default=False
        ),
    ] = None,
    from_format: Annotated[
        str | None,
        typer.Option(
            "--from", help="Format of a SOURCE file (default: detected).", show_default=False
        ),
    ] = None,
) -> None:
    """Export a plan file or a project as MS Project XML, YAML, JSON, Excel, CSV or iCalendar."""
    with reporting_errors(source):
        fmt = _export_format(format, out)
        if fmt == "xlsx" and out is None:
            raise UsageError("an Excel workbook needs --out FILE.xlsx")
        path = Path(source)
        if path.is_file():
            from jalon.io.importers import import_file

            plan = import_file(path, format=from_format).plan
        elif from_format is not None or path.suffix:
            raise UsageError(f"{source}: no such file")
        else:
            plan = _project_plan(source)
        data = export_bytes(plan, fmt)
    with reporting_errors(str(out) if out else source):
        write_output(data, out)
    if out is not None:
        typer.echo(f"Wrote {out} ({fmt}): {render.count(len(plan.tasks), 'task')}")


def _export_format(format: str | None, out: Path | None) -> str:
    if format is not None:
        fmt = EXPORT_FORMATS.get(format.strip().lower())
        if fmt is None:
            raise UsageError(
                f"--format: unknown format '{format}' (use mspdi, yaml, json, xlsx, csv or ics)"
            )
        return fmt
    if out is not None and out.suffix.lower() in _SUFFIXES:
        return _SUFFIXES[out.suffix.lower()]
    raise UsageError("give --format (mspdi, yaml, json, xlsx, csv, ics) or an --out file suffix")


def export_bytes(plan: Plan, fmt: str) -> bytes:
    """``plan`` written in ``fmt``, with the dates of its schedule."""
    from jalon.engine.cpm import schedule

    stream = io.BytesIO()
    if fmt in ("yaml", "json"):
        from jalon.io.plan_yaml import write_plan

        write_plan(plan, stream, format=fmt)
        return stream.getvalue()
    result = schedule(plan)
    if fmt == "mspdi":
        from jalon.io.msproject_xml import write_mspdi

        write_mspdi(plan, result, stream)
    elif fmt == "xlsx":
        from jalon.io.excel import write_xlsx

        write_xlsx(plan, result, stream)
    elif fmt == "csv":
        from jalon.io.csv_table import write_csv

        write_csv(plan, result, stream)
    else:
        from jalon.io.ical import write_ics

        write_ics(plan, result, stream)
    return stream.getvalue()


def _project_plan(ref: str) -> Plan:
    """The plan of a project of the database, by id or exact name."""
    _django()
    from django.db import DatabaseError

    from jalon.web.planning.mapping import load_plan
    from jalon.web.projects.models import Project

    try:
        query = Project.objects.filter(pk=int(ref)) if ref.isdigit() else None
        found = list(query) if query is not None else []
        if not found:
            found = list(Project.objects.filter(name=ref)[:2])
    except DatabaseError as exc:
        raise UsageError(f"{ref}: not a file, and the database cannot be read ({exc})") from None
    if not found:
        raise UsageError(f"{ref}: no such file, and no project of that name or id")
    if len(found) > 1:
        raise UsageError(f"{ref}: several projects have this name: give its id")
    return load_plan(found[0]).plan


def register(app: typer.Typer) -> None:
    app.command("import")(import_command)
    app.command("export")(export_command)


__all__ = ["export_bytes", "export_command", "import_command", "register", "report_lines"]
