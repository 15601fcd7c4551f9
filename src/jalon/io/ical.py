"""iCalendar (RFC 5545) files: a project's milestones and deadlines for everyone's calendar.

Writing (:func:`write_ics`, :func:`write_feed` for several projects in one feed):

* each active milestone is an event at its scheduled date: all day by default, or at
  its time (``all_day=False``);
* each deadline is an all-day event "Deadline: <task>" on its day;
* ``include_summaries`` adds summary tasks as spans, ``include_tasks`` every other task;
* UIDs are stable, ``<project-id>-<task-uid>@jalon`` (``-deadline`` for deadlines), so a
  subscribed calendar updates events instead of duplicating them; events are
  transparent (they do not make anyone look busy). ``X-JALON-KIND`` tells what an event is.

Reading (:func:`read_ics`): events become tasks pinned to their dates (must start on),
events of no length milestones, to-dos with a due date milestones with that deadline;
deadline events written by Jalon go back onto their tasks. Recurring events keep their
first occurrence, with a warning.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from pathlib import PurePath
from typing import Any, BinaryIO

import icalendar

from jalon.engine.errors import FormatError, PlanError
from jalon.engine.model import Constraint, ConstraintType, Plan, Task
from jalon.engine.results import Schedule
from jalon.io.report import ImportResult, result_for

FORMAT = "ics"
PRODID = "-//Jalon//Jalon PMO assistant//EN"
_UID_RE = re.compile(r"^(?P<project>.+)-(?P<uid>\d+)(?P<deadline>-deadline)?@jalon$")
_SLUG_RE = re.compile(r"[^a-z0-9]+")


def project_slug(name: str) -> str:
    """A project id for UIDs when the caller has none: the name, lower case, dashed."""
    plain = unicodedata.normalize("NFKD", name.casefold()).encode("ascii", "ignore").decode()
    return _SLUG_RE.sub("-", plain).strip("-") or "project"


def _calendar(name: str) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    return cal


def ics_events(
    plan: Plan,
    schedule: Schedule,
    *,
    project_id: str | None = None,
    include_tasks: bool = False,
    include_summaries: bool = False,
    all_day: bool = True,
    stamp: dt.datetime | None = None,
) -> list[icalendar.Event]:
    """The events of one project (see the module's documentation)."""
    pid = project_id or project_slug(plan.name)
    stamp = stamp or dt.datetime.now(dt.UTC)
    events = []
    for st in schedule.tasks:
        task = plan.task(st.uid)
        if not task.active:
            continue
        if st.milestone and not st.summary:
            ev = _event(f"{pid}-{st.uid}@jalon", st.name, "milestone", task.notes, stamp)
            if all_day:
                ev.add("dtstart", st.finish.date())
                ev.add("dtend", st.finish.date() + dt.timedelta(days=1))
            else:
                ev.add("dtstart", st.finish)
                ev.add("dtend", st.finish)
            events.append(ev)
        elif (st.summary and include_summaries) or (not st.summary and include_tasks):
            kind = "summary" if st.summary else "task"
            ev = _event(f"{pid}-{st.uid}@jalon", st.name, kind, task.notes, stamp)
            if st.summary or all_day:
                ev.add("dtstart", st.start.date())
                ev.add("dtend", st.finish.date() + dt.timedelta(days=1))
            else:
                ev.add("dtstart", st.start)
                ev.add("dtend", st.finish)
            events.append(ev)
        if task.deadline is not None:
            ev = _event(
                f"{pid}-{st.uid}-deadline@jalon",
                f"Deadline: {st.name}",
                "deadline",
                f"'{st.name}' is due on {task.deadline:%Y-%m-%d %H:%M}; it is scheduled to "
                f"finish on {st.finish:%Y-%m-%d %H:%M}"
                + (" (late)" if st.finish > task.deadline else ""),
                stamp,
            )
            ev.add("dtstart", task.deadline.date())
            ev.add("dtend", task.deadline.date() + dt.timedelta(days=1))
            events.append(ev)
    return events


def _event(uid: str, summary: str, kind: str, notes: str, stamp: dt.datetime) -> Any:
    ev = icalendar.Event()
    ev.add("uid", uid)
    ev.add("dtstamp", stamp)
    ev.add("summary", summary)
    if notes:
        ev.add("description", notes)
    ev.add("categories", [kind.capitalize()])
    ev.add("transp", "TRANSPARENT")
    ev.add("x-jalon-kind", kind)
    return ev


def write_ics(
    plan: Plan,
    schedule: Schedule,
    stream: BinaryIO,
    *,
    project_id: str | None = None,
    include_tasks: bool = False,
    include_summaries: bool = False,
    all_day: bool = True,
    stamp: dt.datetime | None = None,
) -> None:
    """Write one project's milestones and deadlines (and optionally its tasks) as .ics."""
    cal = _calendar(plan.name)
    for ev in ics_events(
        plan,
        schedule,
        project_id=project_id,
        include_tasks=include_tasks,
        include_summaries=include_summaries,
        all_day=all_day,
        stamp=stamp,
    ):
        cal.add_component(ev)
    stream.write(cal.to_ical())


def write_feed(
    projects: Iterable[tuple[str, Plan, Schedule]],
    stream: BinaryIO,
    *,
    name: str = "Jalon",
    stamp: dt.datetime | None = None,
) -> None:
    """Several projects' milestones and deadlines in one calendar: ``(project id, plan,
    schedule)`` each. Event names say which project they belong to."""
    cal = _calendar(name)
    for pid, plan, schedule in projects:
        for ev in ics_events(plan, schedule, project_id=pid, stamp=stamp):
            ev["summary"] = icalendar.vText(f"{plan.name}: {ev['summary']}")
            cal.add_component(ev)
    stream.write(cal.to_ical())


# -- reading --------------------------------------------------------------------------------


def read_ics(stream: BinaryIO, name: str = "<input>") -> ImportResult:
    """Read an iCalendar file: events and to-dos become tasks and milestones."""
    data = stream.read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise FormatError("not UTF-8 text", path=name, line=line) from None
    if not text.lstrip().upper().startswith("BEGIN:VCALENDAR"):
        raise FormatError(
            "not an iCalendar file: it does not begin with BEGIN:VCALENDAR", path=name
        )
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except Exception as exc:
        raise FormatError(f"not a valid iCalendar file: {exc}", path=name) from None
    return _IcsReader(name).read(calendars)


def import_ics(stream: BinaryIO, name: str) -> ImportResult:
    """The importer registry's entry point."""
    return read_ics(stream, name)


class _IcsReader:
    def __init__(self, name: str) -> None:
        self.name = name
        self.warnings: list[str] = []
        self.ignored: dict[str, int] = {}

    def error(self, where: str, message: str) -> FormatError:
        return FormatError(f"{where}: {message}", path=self.name)

    def when(self, comp: Any, prop: str, where: str) -> dt.datetime | dt.date | None:
        if prop not in comp:
            return None
        try:
            value = comp.decoded(prop)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise self.error(where, f"{prop} cannot be read ({exc})") from None
        if isinstance(value, dt.datetime):
            return value.replace(tzinfo=None)  # the wall-clock time where the event is
        if isinstance(value, dt.date):
            return value
        if isinstance(value, dt.timedelta) and prop == "DURATION":
            return None
        raise self.error(where, f"{prop} is not a date: '{str(comp.get(prop))[:40]}'")

    def text(self, comp: Any, prop: str) -> str:
        value = comp.get(prop)
        if value is None:
            return ""
        if isinstance(value, list):
            value = value[0]
        return str(value)

    def read(self, calendars: list[Any]) -> ImportResult:
        if not calendars or any(c.name != "VCALENDAR" for c in calendars):
            raise FormatError("not an iCalendar file: no VCALENDAR", path=self.name)
        tasks: list[Task] = []
        deadlines: list[tuple[str, dt.datetime, str]] = []
        by_ref: dict[str, int] = {}
        recurring = 0
        cal_name = ""
        for cal in calendars:
            cal_name = cal_name or self.text(cal, "X-WR-CALNAME")
            for n, comp in enumerate(cal.walk(), start=1):
                kind = comp.name
                if kind in ("VCALENDAR", "VTIMEZONE", "STANDARD", "DAYLIGHT", "VALARM"):
                    continue
                if kind not in ("VEVENT", "VTODO"):
                    self.ignored[kind] = self.ignored.get(kind, 0) + 1
                    continue
                title = self.text(comp, "SUMMARY") or f"{kind} {n}"
                where = f"{kind} '{title[:40]}'"
                recurring += "RRULE" in comp
                uid = self.text(comp, "UID")
                jalon = _UID_RE.match(uid)
                jalon_kind = self.text(comp, "X-JALON-KIND")
                if jalon_kind == "deadline" or (jalon and jalon["deadline"]):
                    day = self.when(comp, "DTSTART", where)
                    if day is not None:
                        ref = f"{jalon['project']}-{jalon['uid']}" if jalon else ""
                        deadlines.append((ref, _at(day, 17), title.removeprefix("Deadline: ")))
                    continue
                task = self._task(comp, kind, title, where, len(tasks) + 1, jalon_kind)
                if task is None:
                    self.ignored[f"{kind} without a date"] = (
                        self.ignored.get(f"{kind} without a date", 0) + 1
                    )
                    continue
                tasks.append(task)
                if jalon:
                    by_ref[f"{jalon['project']}-{jalon['uid']}"] = len(tasks) - 1
        for ref, day, title in deadlines:
            i = by_ref.get(ref)
            if i is not None:  # back onto the task it belongs to
                tasks[i] = _replace(tasks[i], deadline=day)
            else:
                tasks.append(
                    Task(
                        uid=len(tasks) + 1,
                        name=f"Deadline: {title}",
                        duration=0,
                        constraint=Constraint(ConstraintType.MSO, day.replace(hour=8)),
                        deadline=day,
                    )
                )
        if recurring:
            self.warnings.append(
                f"{recurring} recurring events: only their first occurrence is kept"
            )
        dates = [t.constraint.date for t in tasks if t.constraint.date is not None]
        dates += [t.deadline for t in tasks if t.deadline is not None]
        if dates:
            start = dt.datetime.combine(min(dates).date(), dt.time(8))
        else:
            start = dt.datetime.combine(dt.date.today(), dt.time(8))
            self.warnings.append("no dated events: the project starts today")
        ignored = [f"{count} {kind}" for kind, count in self.ignored.items()]
        try:
            plan = Plan(
                name=cal_name or PurePath(self.name).stem or "Calendar",
                start=start,
                tasks=tuple(tasks),
            )
        except PlanError as exc:
            raise FormatError(str(exc), path=self.name) from None
        return result_for(plan, FORMAT, self.warnings, ignored)

    def _task(
        self, comp: Any, kind: str, title: str, where: str, uid: int, jalon_kind: str
    ) -> Task | None:
        first = self.when(comp, "DTSTART", where)
        notes = self.text(comp, "DESCRIPTION")
        if kind == "VTODO":
            due = self.when(comp, "DUE", where)
            if due is None:
                return None
            due_at = _at(due, 17)
            constraint = Constraint()
            if first is not None:
                constraint = Constraint(ConstraintType.SNET, _at(first, 8))
            return Task(uid=uid, name=title, constraint=constraint, deadline=due_at, notes=notes)
        if first is None:
            return None
        last = self.when(comp, "DTEND", where)
        if last is None and "DURATION" in comp:
            try:
                length = comp.decoded("DURATION")
            except (ValueError, KeyError, TypeError) as exc:
                raise self.error(where, f"DURATION cannot be read ({exc})") from None
            if isinstance(length, dt.timedelta):
                last = first + length
        if isinstance(first, dt.datetime):
            end = last if isinstance(last, dt.datetime) else first
            if end < first:
                raise self.error(where, "it ends before it starts")
            # working time: at most 8 h a day (the calendar's breaks are not in the file)
            minutes = min(int((end - first).total_seconds() // 60), 480)
            if end.date() > first.date():
                minutes = _weekdays(first.date(), end.date()) * 480
            duration, start_at = min(minutes, 10**8), first
        else:
            end_day = last if last is not None else first + dt.timedelta(days=1)
            end_day = end_day.date() if isinstance(end_day, dt.datetime) else end_day
            if end_day < first:
                raise self.error(where, "it ends before it starts")
            days = (end_day - first).days  # DTEND of an all-day event is the day after
            # an all-day event written for a milestone lasts one day on the calendar
            if jalon_kind == "milestone" or days == 0:
                duration = 0
            else:
                duration = max(_weekdays(first, end_day, end=False), 1) * 480
            start_at = _at(first, 8)  # the day's first working time: it stays on that day
        return Task(
            uid=uid,
            name=title,
            duration=duration,
            milestone=duration == 0,
            constraint=Constraint(ConstraintType.MSO, start_at),
            notes=notes,
        )


def _at(day: dt.date | dt.datetime, hour: int) -> dt.datetime:
    if isinstance(day, dt.datetime):
        return day
    return dt.datetime.combine(day, dt.time(hour))


def _weekdays(first: dt.date, last: dt.date, *, end: bool = True) -> int:
    """Monday-to-Friday days from ``first`` to ``last`` (``last`` counted if ``end``)."""
    days = (last - first).days + (1 if end else 0)
    weeks, rest = divmod(max(days, 0), 7)
    return weeks * 5 + sum(1 for k in range(rest) if (first.weekday() + k) % 7 < 5)


def _replace(task: Task, **changes: Any) -> Task:
    from dataclasses import replace

    return replace(task, **changes)


__all__ = [
    "FORMAT",
    "PRODID",
    "ics_events",
    "import_ics",
    "project_slug",
    "read_ics",
    "write_feed",
    "write_ics",
]
