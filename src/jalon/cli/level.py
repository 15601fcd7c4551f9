"""``jalon level`` and ``jalon overallocations``: resource levelling from the command line.

``jalon level FILE`` levels a plan and shows the finish before and after, the tasks that
moved and by how much, and the over-allocations levelling could not remove; ``--format
json|csv|xml`` writes the result for other tools (``xml``: the levelled plan as MS
Project XML, with its leveling delays). ``jalon overallocations FILE`` lists each
resource's over-allocated periods without changing anything.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.text import Text

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
from jalon.engine.leveling import LevelingResult, Overallocation, level, overallocations
from jalon.engine.results import Schedule
from jalon.io.msproject_xml import write_mspdi


class Mode(StrEnum):
    fast = "fast"
    optimal = "optimal"


class Period(StrEnum):
    hour = "hour"
    day = "day"
    week = "week"
    month = "month"


class LevelFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    xml = "xml"


class ReportFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


SUFFIXES = {".json": "json", ".csv": "csv", ".xml": "xml"}
_ONE_DAY = dt.timedelta(days=1)
_ONE_MINUTE = dt.timedelta(minutes=1)

#: Columns of ``jalon level --format csv``: the levelled schedule, one row per task.
LEVEL_CSV_FIELDS = (
    *render.TASK_FIELDS,
    "leveling_delay_minutes",
    "start_before",
    "finish_before",
)
#: Keys of one over-allocation in JSON, and columns of its CSV.
OVER_FIELDS = (
    "resource_uid",
    "resource",
    "period_start",
    "period_finish",
    "load_minutes",
    "capacity_minutes",
    "excess_minutes",
    "tasks",
)

# -- options shared by both commands ----------------------------------------------------

FileArg = Annotated[
    Path,
    typer.Argument(
        metavar="FILE",
        help="The plan: .yaml/.yml, .json or MS Project .xml.",
        show_default=False,
    ),
]
OutOpt = Annotated[
    Path | None,
    typer.Option("--out", "-o", help="Write to this file instead of stdout.", show_default=False),
]
ResourceOpt = Annotated[
    str | None,
    typer.Option(
        "--resource",
        "-r",
        help="Only this resource (its name, id or uid).",
        show_default=False,
    ),
]
StatusOpt = Annotated[
    str | None,
    typer.Option(
        "--status-date",
        help="Status date: YYYY-MM-DD (17:00 that day) or YYYY-MM-DDTHH:MM[:SS].",
        show_default=False,
    ),
]
FromOpt = Annotated[
    str | None,
    typer.Option(
        "--from",
        help="Input format (yaml, json, xml) when the suffix does not tell.",
        show_default=False,
    ),
]


def _format(requested: str | None, out: Path | None, allowed: tuple[str, ...]) -> str:
    if requested is not None:
        return requested
    if out is not None:
        fmt = SUFFIXES.get(out.suffix.lower(), "table")
        return fmt if fmt in allowed else "table"
    return "table"


def _resource_key(plan_resources: Any, value: str | None) -> int | str | None:
    """``--resource``: a name, a YAML id (initials) or a uid, as the plan has it."""
    if value is None:
        return None
    for r in plan_resources:
        if value in (r.name, r.initials, str(r.uid)):
            return r.uid
    raise UsageError(
        f"--resource: no resource '{value}' in the plan"
        + (f" (resources: {', '.join(r.name for r in plan_resources)})" if plan_resources else "")
    )


# -- records ------------------------------------------------------------------------


def over_record(o: Overallocation) -> dict[str, Any]:
    return {
        "resource_uid": o.resource,
        "resource": o.resource_name,
        "period_start": render.iso(o.start),
        "period_finish": render.iso(o.finish),
        "load_minutes": round(o.load, 2),
        "capacity_minutes": round(o.capacity, 2),
        "excess_minutes": round(o.excess, 2),
        "tasks": list(o.tasks),
    }


def level_dict(result: LevelingResult, mode: str, period: str) -> dict[str, Any]:
    """The JSON document of ``jalon level``."""
    plan = result.plan
    before = result.before
    index = plan.task_index
    delays = result.schedule.leveling_delay
    tasks = []
    for t in result.schedule.tasks:
        record = render.task_record(t)
        i = index[t.uid]
        record["leveling_delay_minutes"] = int(delays[i]) if delays is not None else 0
        tasks.append(record)
    return {
        "project": {
            "name": plan.name,
            "start": render.iso(result.schedule.start),
            "finish": render.iso(result.finish_after),
        },
        "leveling": {
            "mode": mode,
            "status": result.status,
            "finish_before": render.iso(result.finish_before),
            "finish_after": render.iso(result.finish_after),
            "lower_bound": render.iso(result.lower_bound),
            "gap_pct": round(result.gap_pct, 2),
            "granularity_minutes": result.granularity,
            "seconds": round(result.seconds, 3),
            "period": period,
            "project_start": render.iso(before.start),
        },
        "moved": [
            {
                "uid": m.uid,
                "name": m.name,
                "leveling_delay_minutes": m.delay,
                "shift_minutes": m.shift,
                "start_before": render.iso(m.start_before),
                "start_after": render.iso(m.start_after),
                "finish_before": render.iso(m.finish_before),
                "finish_after": render.iso(m.finish_after),
            }
            for m in result.moved
        ],
        "remaining_overallocations": [over_record(o) for o in result.remaining_overallocations],
        "tasks": tasks,
        "warnings": [render.warning_record(w) for w in result.schedule.warnings],
    }


def level_csv(result: LevelingResult) -> str:
    """The levelled schedule, one row per task, with each task's delay and former dates."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(LEVEL_CSV_FIELDS)
    before = result.before
    delays = result.schedule.leveling_delay
    for i, t in enumerate(result.schedule.tasks):
        record = render.task_record(t)
        row = [_csv_value(record[key]) for key in render.TASK_FIELDS]
        old = before.tasks[i]
        row += [
            int(delays[i]) if delays is not None else 0,
            render.iso(old.start),
            render.iso(old.finish),
        ]
        writer.writerow(row)
    return buffer.getvalue()


def _csv_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def over_csv(items: list[Overallocation] | tuple[Overallocation, ...]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(OVER_FIELDS)
    for o in items:
        rec = over_record(o)
        rec["tasks"] = " ".join(str(uid) for uid in o.tasks)
        writer.writerow([rec[k] for k in OVER_FIELDS])
    return buffer.getvalue()


# -- terminal views ---------------------------------------------------------------------


def _days(minutes: float, per_day: int) -> str:
    return render.format_days(round(minutes), per_day)


def _table(header: list[str], rows: list[list[str]], right: set[int]) -> Text:
    widths = [max([len(h), *(len(r[c]) for r in rows)]) for c, h in enumerate(header)]

    def line(cells: list[str]) -> str:
        out = [
            c.rjust(w) if k in right else c.ljust(w)
            for k, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "   ".join(out).rstrip()

    text = Text(line(header), style="bold")
    for r in rows:
        text.append("\n" + line(r))
    return text


def over_table(
    plan_per_day: int,
    items: list[Overallocation] | tuple[Overallocation, ...],
    wbs: dict[int, str],
    limit: int | None = None,
) -> Text:
    shown = list(items if limit is None else items[:limit])
    rows = [
        [
            o.resource_name,
            render.format_date(o.start, with_time=False)
            + (
                ""
                if o.finish - o.start <= _ONE_DAY
                else " - " + render.format_date(o.finish - _ONE_MINUTE, with_time=False)
            ),
            _days(o.load, plan_per_day),
            _days(o.capacity, plan_per_day),
            f"{o.percent:.0f}%" if o.capacity > 0 else "-",
            ", ".join(wbs.get(uid, f"#{uid}") for uid in o.tasks),
        ]
        for o in shown
    ]
    text = _table(["Resource", "Period", "Load", "Capacity", "Use", "Tasks"], rows, {2, 3, 4})
    if limit is not None and len(items) > limit:
        text.append(f"\n… and {len(items) - limit} more (--format json or csv lists them all)")
    return text


def print_level(console: Console, result: LevelingResult, mode: str, period: str) -> None:
    plan = result.plan
    per_day = plan.minutes_per_day
    wbs = {t.uid: t.wbs for t in result.schedule.tasks}
    head = Text()
    head.append(plan.name or "(unnamed plan)", style="bold")
    head.append(f" levelled ({mode})")
    shift = result.finish_after - result.finish_before
    head.append(
        f"\nFinish {render.format_date(result.finish_before)} -> "
        f"{render.format_date(result.finish_after)}"
        + (f" (+{render.count(shift.days, 'day')})" if shift.days > 0 else "")
        + f"   {render.count(len(result.moved), 'task')} moved"
    )
    head.append(
        f"\nStatus {result.status}, lower bound {render.format_date(result.lower_bound)}, "
        f"gap {result.gap_pct:.1f} %"
    )
    console.print(head)
    if result.moved:
        rows = [
            [
                wbs.get(m.uid, str(m.uid)),
                m.name,
                render.format_date(m.start_before),
                render.format_date(m.start_after),
                _days(m.shift, per_day),
                render.format_days(m.delay, 1440) if m.delay else "-",
            ]
            for m in result.moved
        ]
        console.print(Text("\nMoved tasks", style="bold"))
        console.print(
            _table(["WBS", "Name", "Start before", "Start after", "Moved", "Delay"], rows, {4, 5}),
            no_wrap=True,
            crop=True,
        )
    remaining = result.remaining_overallocations
    if remaining:
        console.print(
            Text(
                f"\n{render.count(len(remaining), 'over-allocated period')} left "
                f"(by {period}): levelling could not remove them",
                style="bold yellow",
            )
        )
        console.print(over_table(per_day, remaining, wbs, limit=40), no_wrap=True, crop=True)
    else:
        console.print(Text(f"\nNo resource is over-allocated (by {period}).", style="green"))


# -- commands -----------------------------------------------------------------------


def level_command(
    file: FileArg,
    *,
    mode: Annotated[
        Mode, typer.Option("--mode", "-m", help="fast: one MS Project-like pass; optimal: CP-SAT.")
    ] = Mode.fast,
    time_limit: Annotated[
        float | None,
        typer.Option(
            "--time-limit",
            "-t",
            help="Seconds for --mode optimal (default 30).",
            min=0.01,
            show_default=False,
        ),
    ] = None,
    format: Annotated[
        LevelFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="table (default, or from the --out suffix), json, csv, or xml (the levelled "
            "plan as MS Project XML).",
            case_sensitive=False,
            show_default=False,
        ),
    ] = None,
    out: OutOpt = None,
    within_slack: Annotated[
        bool,
        typer.Option("--within-slack", help="Never delay the finish (MS Project's option)."),
    ] = False,
    resource: ResourceOpt = None,
    period: Annotated[
        Period,
        typer.Option("--period", "-p", help="Period of the over-allocations reported."),
    ] = Period.day,
    status_date: StatusOpt = None,
    input_format: FromOpt = None,
) -> None:
    """Level a plan's resources: delay tasks until nobody is over-allocated."""
    name = str(file)
    with reporting_errors(name):
        plan_format = check_input(file, input_format)
        when = parse_status_date(status_date)
        fmt = _format(format.value if format else None, out, ("json", "csv", "xml"))
        plan = load_plan(file, format=plan_format)
        who = _resource_key(plan.resources, resource)
        before = compute_schedule(plan, status_date=when)
        result = level(
            plan,
            before,
            mode=mode.value,
            time_limit=time_limit,
            within_slack=within_slack,
            resource=who,
            period=period.value,
        )
        if fmt == "table":
            if out is None:
                print_level(Console(highlight=False), result, mode.value, period.value)
            else:
                write_output(
                    _plain(lambda c: print_level(c, result, mode.value, period.value)), out
                )
        elif fmt == "json":
            ascii_only = out is None and not is_utf8(sys.stdout)
            doc = level_dict(result, mode.value, period.value)
            write_output(json.dumps(doc, indent=2, ensure_ascii=ascii_only) + "\n", out)
        elif fmt == "csv":
            write_output(level_csv(result), out)
        else:
            buffer = io.BytesIO()
            write_mspdi(result.plan, result.schedule, buffer)
            write_output(buffer.getvalue(), out)
        if fmt != "table":
            for line in summary_lines(result, period.value):
                note(f"{name}: {line}")
        for line in render.warning_lines(result.schedule):
            warn(f"{name}: {line}")


def note(message: str) -> None:
    """One line of information on stderr (the data on stdout stays clean)."""
    typer.echo(message, err=True)


def summary_lines(result: LevelingResult, period: str) -> list[str]:
    """What ``--level`` and the non-table formats say on stderr, next to the data."""
    out = [
        f"levelled: finish {render.format_date(result.finish_before)} -> "
        f"{render.format_date(result.finish_after)}, "
        f"{render.count(len(result.moved), 'task')} moved ({result.status})"
    ]
    left = result.remaining_overallocations
    if left:
        people = sorted({o.resource_name for o in left})
        out.append(
            f"{render.count(len(left), 'over-allocated period')} left (by {period}) for "
            f"{', '.join(people[:5])}{' and others' if len(people) > 5 else ''}"
        )
    return out


def overallocations_command(
    file: FileArg,
    *,
    period: Annotated[
        Period, typer.Option("--period", "-p", help="Period to compare load and capacity in.")
    ] = Period.day,
    resource: ResourceOpt = None,
    format: Annotated[
        ReportFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="table (default, or from the --out suffix), json or csv.",
            case_sensitive=False,
            show_default=False,
        ),
    ] = None,
    out: OutOpt = None,
    status_date: StatusOpt = None,
    input_format: FromOpt = None,
) -> None:
    """List each resource's over-allocated periods: load above capacity."""
    name = str(file)
    with reporting_errors(name):
        plan_format = check_input(file, input_format)
        when = parse_status_date(status_date)
        fmt = _format(format.value if format else None, out, ("json", "csv"))
        plan = load_plan(file, format=plan_format)
        who = _resource_key(plan.resources, resource)
        result = compute_schedule(plan, status_date=when)
        items = overallocations(plan, result, period.value, resource=who)
        if fmt == "table":
            if out is None:
                print_overallocations(Console(highlight=False), result, items, period.value)
            else:
                text = _plain(lambda c: print_overallocations(c, result, items, period.value))
                write_output(text, out)
        elif fmt == "json":
            doc = {
                "project": {"name": plan.name, "finish": render.iso(result.finish)},
                "period": period.value,
                "overallocations": [over_record(o) for o in items],
            }
            ascii_only = out is None and not is_utf8(sys.stdout)
            write_output(json.dumps(doc, indent=2, ensure_ascii=ascii_only) + "\n", out)
        else:
            write_output(over_csv(items), out)


def print_overallocations(
    console: Console, result: Schedule, items: list[Overallocation], period: str
) -> None:
    plan = result.plan
    wbs = {t.uid: t.wbs for t in result.tasks}
    head = Text(plan.name or "(unnamed plan)", style="bold")
    if not items:
        head.append(f"\nNo resource is over-allocated (by {period}).")
        console.print(head)
        return
    people: dict[str, int] = {}
    for o in items:
        people[o.resource_name] = people.get(o.resource_name, 0) + 1
    head.append(
        f"\n{render.count(len(items), 'over-allocated period')} (by {period}): "
        + ", ".join(f"{who} {n}" for who, n in people.items())
    )
    console.print(head)
    console.print(over_table(plan.minutes_per_day, items, wbs), no_wrap=True, crop=True)


def _plain(draw: Any) -> str:
    """A terminal view as plain text, 120 columns, for ``--out``."""
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=120, color_system=None, force_terminal=False, highlight=False
    )
    draw(console)
    return buffer.getvalue()
