"""Turn a :class:`~jalon.engine.results.Schedule` into a Rich table, JSON or CSV.

Pure functions of the schedule (no file or argument handling), so other commands and
tools can reuse them: :func:`schedule_dict` / :func:`schedule_json` give the JSON
document, :func:`schedule_csv` the CSV text, :func:`print_schedule` the terminal view.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from jalon.engine.results import Schedule, ScheduledTask, ScheduleWarning
from jalon.io.plan_yaml import format_duration

#: Keys of each task in the JSON output, and columns of the CSV output, in order.
TASK_FIELDS: tuple[str, ...] = (
    "uid",
    "wbs",
    "name",
    "start",
    "finish",
    "early_start",
    "early_finish",
    "late_start",
    "late_finish",
    "total_float_minutes",
    "free_float_minutes",
    "critical",
    "summary",
    "milestone",
)

MILESTONE_MARK = "◆"
ASCII_MILESTONE_MARK = "*"
GAP = "   "  # between two columns
#: The table's column headers.
COLUMNS = ("WBS", "Name", "Start", "Finish", "Dur.", "Float")
#: Below this console width the table shows dates without the time of day.
WIDE_TABLE = 110


def iso(value: dt.datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SS``, whatever the microseconds."""
    return value.strftime("%Y-%m-%dT%H:%M:%S")


def selected_tasks(schedule: Schedule, *, critical_only: bool = False) -> list[ScheduledTask]:
    return [t for t in schedule.tasks if t.critical or not critical_only]


def task_record(task: ScheduledTask) -> dict[str, Any]:
    """One task as a JSON object with exactly :data:`TASK_FIELDS` as keys."""
    return {
        "uid": task.uid,
        "wbs": task.wbs,
        "name": task.name,
        "start": iso(task.start),
        "finish": iso(task.finish),
        "early_start": iso(task.early_start),
        "early_finish": iso(task.early_finish),
        "late_start": iso(task.late_start),
        "late_finish": iso(task.late_finish),
        "total_float_minutes": int(task.total_float),
        "free_float_minutes": int(task.free_float),
        "critical": bool(task.critical),
        "summary": bool(task.summary),
        "milestone": bool(task.milestone),
    }


def warning_record(warning: ScheduleWarning) -> dict[str, Any]:
    return {"kind": warning.kind, "task": warning.task, "message": warning.message}


def schedule_dict(schedule: Schedule, *, critical_only: bool = False) -> dict[str, Any]:
    """``{"project": {...}, "tasks": [...], "warnings": [...]}``, ready for :mod:`json`."""
    return {
        "project": {
            "name": schedule.plan.name,
            "start": iso(schedule.start),
            "finish": iso(schedule.finish),
        },
        "tasks": [task_record(t) for t in selected_tasks(schedule, critical_only=critical_only)],
        "warnings": [warning_record(w) for w in schedule.warnings],
    }


def schedule_json(
    schedule: Schedule, *, critical_only: bool = False, ascii_only: bool = False
) -> str:
    """The JSON document; ``ascii_only`` escapes non-ASCII characters (``\\u00e9``)."""
    doc = schedule_dict(schedule, critical_only=critical_only)
    return json.dumps(doc, indent=2, ensure_ascii=ascii_only) + "\n"


def _csv_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def schedule_csv(schedule: Schedule, *, critical_only: bool = False) -> str:
    """A header row with :data:`TASK_FIELDS`, then one row per task (``\\n`` line ends)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(TASK_FIELDS)
    for task in selected_tasks(schedule, critical_only=critical_only):
        record = task_record(task)
        writer.writerow([_csv_value(record[key]) for key in TASK_FIELDS])
    return buffer.getvalue()


# -- the terminal view ----------------------------------------------------------------


def format_days(minutes: int, minutes_per_day: int = 480) -> str:
    """Working minutes as days: ``5d``, ``2.5d``, ``-1d``, ``0.06d``."""
    days = round(minutes / minutes_per_day, 2) if minutes_per_day else 0.0
    if days == 0:
        return "0d"  # also turns -0.0 into 0
    return f"{days:g}d"


def count(n: int, noun: str) -> str:
    """``1 task``, ``2 tasks``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def format_date(value: dt.datetime, *, with_time: bool = True) -> str:
    return value.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")


def _uses_unicode(console: Console) -> bool:
    return console.encoding.lower().replace("-", "").startswith("utf")


def _cell(text: str | Text, width: int, *, right: bool = False) -> Text:
    cell = text.copy() if isinstance(text, Text) else Text(text)
    if cell.cell_len > width:
        cell.truncate(width, overflow="ellipsis")
    padding = " " * (width - cell.cell_len)
    if right:
        return Text(padding) + cell
    cell.append(padding)
    return cell


def schedule_table(
    schedule: Schedule,
    *,
    critical_only: bool = False,
    with_time: bool = True,
    milestone_mark: str = MILESTONE_MARK,
    width: int | None = None,
    rule: str = "─",
) -> Text:
    """The schedule as a table: WBS, name, start, finish, duration, total float.

    Names are indented by outline level and cut with an ellipsis to fit ``width`` (the
    console width; None: no limit); summary tasks are bold, critical tasks red, inactive
    tasks dim. The columns are laid out here as one :class:`~rich.text.Text` rather than
    with :class:`rich.table.Table`, which measures every cell: 0.3 s instead of 3 s for
    3,000 tasks. Print it with ``no_wrap=True`` so that a too-narrow console crops it.
    """
    per_day = schedule.plan.minutes_per_day
    rows: list[tuple[ScheduledTask, Text, list[str]]] = []
    for task in selected_tasks(schedule, critical_only=critical_only):
        indent = "  " * max(task.outline_level - 1, 0)
        name = Text(indent + task.name, style="bold" if task.summary else "")
        source = schedule.plan.tasks[schedule.plan.task_index[task.uid]]
        if source.elapsed and not task.summary:
            # an elapsed duration reads in the unit it was written in ("1ed", not "3d")
            duration = format_duration(
                task.duration, source.duration_unit, True, minutes_per_day=per_day
            )
        else:
            duration = format_days(task.duration, per_day)
        if task.milestone:
            duration = f"{duration} {milestone_mark}"
        cells = [
            task.wbs,
            format_date(task.start, with_time=with_time),
            format_date(task.finish, with_time=with_time),
            duration,
            format_days(task.total_float, per_day),
        ]
        rows.append((task, name, cells))

    def fit(header: str, column: int, cap: int = 1000) -> int:
        return min(max([len(header), *(cell_len(cells[column]) for *_, cells in rows)]), cap)

    widths = [fit("WBS", 0, cap=12), *(fit(h, i) for i, h in enumerate(COLUMNS[2:], start=1))]
    name_width = max([len(COLUMNS[1]), *(name.cell_len for _, name, _ in rows)])
    if width is not None:
        room = width - sum(widths) - len(GAP) * (len(COLUMNS) - 1)
        name_width = max(min(name_width, room), 8)
    all_widths = [widths[0], name_width, *widths[1:]]
    right = [False, False, False, False, True, True]

    def line(cells: list[str | Text], style: str = "") -> Text:
        text = Text(GAP).join(
            _cell(c, w, right=r) for c, w, r in zip(cells, all_widths, right, strict=True)
        )
        text.style = style  # the row's style, under the cells' own (a bold summary name)
        return text

    out = [line(list(COLUMNS), "bold"), Text(rule * (sum(all_widths) + len(GAP) * 5))]
    for task, name, cells in rows:
        style = "red" if task.critical else ""
        if not task.active:
            style = f"{style} dim".strip()
        wbs, start, finish, duration, total_float = cells
        out.append(line([wbs, name, start, finish, duration, total_float], style))
    return Text("\n").join(out)


def schedule_header(schedule: Schedule) -> Text:
    """The project name (bold), then its start, finish and task count on a second line."""
    text = Text()
    text.append(schedule.plan.name or "(unnamed plan)", style="bold")
    text.append(
        f"\nStart {format_date(schedule.start)}   Finish {format_date(schedule.finish)}"
        f"   {count(len(schedule.tasks), 'task')}"
    )
    return text


def warning_lines(schedule: Schedule) -> list[str]:
    """One line per scheduling warning: ``<kind>: <message>`` (the message names the task)."""
    return [f"{w.kind}: {' '.join(w.message.split())}" for w in schedule.warnings]


def print_schedule(console: Console, schedule: Schedule, *, critical_only: bool = False) -> None:
    """Header (project, start, finish), the task table, then the warnings."""
    unicode = _uses_unicode(console)
    console.print(schedule_header(schedule))
    console.print(
        schedule_table(
            schedule,
            critical_only=critical_only,
            with_time=console.width >= WIDE_TABLE,
            milestone_mark=MILESTONE_MARK if unicode else ASCII_MILESTONE_MARK,
            width=console.width,
            rule="─" if unicode else "-",
        ),
        no_wrap=True,
        crop=True,
    )
    lines = warning_lines(schedule)
    if lines:
        console.print(Text(f"{count(len(lines), 'warning')}:", style="bold yellow"))
        for line in lines:
            console.print(Text(f"  {'⚠' if unicode else '!'} {line}", style="yellow"))


def render_text(schedule: Schedule, *, critical_only: bool = False, width: int = 120) -> str:
    """The terminal view as plain text (no colours), for files."""
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=width, color_system=None, force_terminal=False, highlight=False
    )
    print_schedule(console, schedule, critical_only=critical_only)
    return buffer.getvalue()
