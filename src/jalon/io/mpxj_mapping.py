"""MPXJ's ProjectFile -> a Plan: the field-by-field mapping used by :mod:`jalon.io.mpxj_bridge`.

Every Java value is turned into plain Python here, once; what the engine does not model is
counted into the report's warnings and ignored items. Java calls cost a few microseconds
each through JPype: optional fields are read only when MPXJ says the file has them.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from jalon.engine.model import (
    ASAP,
    DATED_CONSTRAINTS,
    STANDARD_DAY,
    Assignment,
    Baseline,
    BaselineTask,
    CalendarException,
    CalendarSpec,
    Constraint,
    ConstraintType,
    DurationUnit,
    Lag,
    LagKind,
    Link,
    LinkType,
    Plan,
    Progress,
    Recurrence,
    RecurrenceType,
    Resource,
    ResourceType,
    Task,
    WorkingTime,
    WorkPeriod,
)

# file type as MPXJ reports it -> the format name used by jalon.io.importers
_FILE_TYPES = {
    "MPP": "mpp",
    "MPX": "mpx",
    "MSPDI": "mspdi",
    "XER": "xer",
    "PMXML": "pmxml",
    "GAN": "gan",
    "PLANNER": "planner",
}
_WORK_UNITS = {
    "MINUTES": DurationUnit.MINUTE,
    "HOURS": DurationUnit.HOUR,
    "DAYS": DurationUnit.DAY,
    "WEEKS": DurationUnit.WEEK,
    "MONTHS": DurationUnit.MONTH,
    "YEARS": DurationUnit.MONTH,
}
_ELAPSED_MINUTES = {
    "ELAPSED_MINUTES": (1, DurationUnit.MINUTE),
    "ELAPSED_HOURS": (60, DurationUnit.HOUR),
    "ELAPSED_DAYS": (1440, DurationUnit.DAY),
    "ELAPSED_WEEKS": (10080, DurationUnit.WEEK),
    "ELAPSED_MONTHS": (43200, DurationUnit.MONTH),
    "ELAPSED_YEARS": (525600, DurationUnit.MONTH),
}
_CONSTRAINTS = {
    "AS_SOON_AS_POSSIBLE": ConstraintType.ASAP,
    "AS_LATE_AS_POSSIBLE": ConstraintType.ALAP,
    "MUST_START_ON": ConstraintType.MSO,
    "MUST_FINISH_ON": ConstraintType.MFO,
    "START_NO_EARLIER_THAN": ConstraintType.SNET,
    "START_NO_LATER_THAN": ConstraintType.SNLT,
    "FINISH_NO_EARLIER_THAN": ConstraintType.FNET,
    "FINISH_NO_LATER_THAN": ConstraintType.FNLT,
    # Primavera's "Start On" / "Finish On" pin the date like MS Project's "Must ..."
    "START_ON": ConstraintType.MSO,
    "FINISH_ON": ConstraintType.MFO,
    "MANDATORY_START": ConstraintType.MSO,
    "MANDATORY_FINISH": ConstraintType.MFO,
}
_WEEKDAYS = {
    "MONDAY": 0,
    "TUESDAY": 1,
    "WEDNESDAY": 2,
    "THURSDAY": 3,
    "FRIDAY": 4,
    "SATURDAY": 5,
    "SUNDAY": 6,
}
_RESOURCE_TYPES = {
    "WORK": ResourceType.WORK,
    "MATERIAL": ResourceType.MATERIAL,
    "COST": ResourceType.COST,
}
_LINK_TYPES = {
    "FINISH_START": LinkType.FS,
    "START_START": LinkType.SS,
    "FINISH_FINISH": LinkType.FF,
    "START_FINISH": LinkType.SF,
}
_START_CONSTRAINTS = (ConstraintType.MSO, ConstraintType.SNET, ConstraintType.SNLT)


# -- plain values ----------------------------------------------------------------------


def _str(value: Any) -> str:
    return "" if value is None else str(value)


def _num(value: Any, default: float = 0.0) -> float:
    if value is None:
        return default
    number = float(value)
    return number if math.isfinite(number) else default


def _datetime(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    got = dt.datetime.fromisoformat(str(value))
    # the engine counts whole minutes in local (naive) time
    return got.replace(second=0, microsecond=0, tzinfo=None)


def _date(value: Any) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(str(value))


def _clock(value: Any) -> int:
    """A java.time.LocalTime in minutes after midnight."""
    return int(value.getHour()) * 60 + int(value.getMinute())


@dataclass
class Mapper:
    """One pass over an MPXJ ProjectFile."""

    project: Any
    name: str
    warnings: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    stored: dict[int, tuple[dt.datetime | None, dt.datetime | None]] = field(default_factory=dict)
    format: str = "mpxj"
    rate_date: Any = None
    # work edited by hand that no resource does (a split task's own work), by task uid
    task_contours: dict[int, tuple[WorkPeriod, ...]] = field(default_factory=dict)

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def ignore(self, message: str) -> None:
        self.ignored.append(message)

    # -- the project -------------------------------------------------------------------
    def plan(self) -> Plan:
        props = self.project.getProjectProperties()
        file_type = _str(props.getFileType()).upper()
        application = _str(props.getFileApplication()).lower()
        self.format = _FILE_TYPES.get(file_type, file_type.lower() or "mpxj")
        if "planner" in application:
            self.format = "planner"
        self.minutes_per_day = int(_num(props.getMinutesPerDay(), 480)) or 480
        self.minutes_per_week = int(_num(props.getMinutesPerWeek(), 2400)) or 2400
        self.days_per_month = int(_num(props.getDaysPerMonth(), 20)) or 20
        self.minutes_per_month = self.minutes_per_day * self.days_per_month
        self.minutes_per_year = int(_num(props.getMinutesPerYear(), 0)) or (
            self.minutes_per_month * 12
        )
        self.populated: set[str] = set()
        self.assignment_fields: set[str] = set()
        for f in self.project.getPopulatedFields():
            kind = _str(f.getClass().getSimpleName())
            if kind == "TaskField":
                self.populated.add(_str(f.name()))
            elif kind == "AssignmentField":
                self.assignment_fields.add(_str(f.name()))
        self.rate_date = props.getStartDate()
        calendars, by_uid = self.calendars()
        self.calendar_names = by_uid
        default = props.getDefaultCalendar()
        project_calendar = self.calendar_name(default)
        if project_calendar is None:
            names = [c.name for c in calendars]
            project_calendar = "Standard" if "Standard" in names or not names else names[0]
        tasks, links, baselines = self.tasks()
        resources = self.resources()
        assignments = self.assignments({t.uid: t.duration for t in tasks}, resources)
        if self.task_contours:  # split tasks without resources
            tasks = [replace(t, contour=self.task_contours.get(t.uid, ())) for t in tasks]

        start = _datetime(props.getStartDate()) or _datetime(props.getPlannedStart())
        if start is None:
            starts = [s for s, _ in self.stored.values() if s is not None]
            start = min(starts) if starts else _datetime(props.getStatusDate())
        if start is None:
            # an empty project (GanttProject writes none then): any start will do
            start = dt.datetime.combine(dt.date.today(), dt.time(8))
            self.warn("the file has no start date and no dated task: the project starts today")
        from_finish = (_enum(props.getScheduleFrom())) == "FINISH"
        finish = _datetime(props.getFinishDate())
        if from_finish and finish is None:
            self.warn("scheduled from its finish without a finish date: scheduled from its start")
            from_finish = False
        title = _str(props.getProjectTitle()) or _str(props.getName())
        slack = self.duration_minutes(props.getCriticalSlackLimit())
        if self.format in ("xer", "pmxml"):
            self.warn(
                "Primavera schedule: lags count in the successor's calendar and progress "
                "follows MS Project's rules, so dates may differ from P6's"
            )
        return Plan(
            name=title or Path(self.name).stem or "Imported project",
            start=start,
            finish=finish if from_finish else None,
            schedule_from_finish=from_finish,
            status_date=_datetime(props.getStatusDate()),
            tasks=tuple(tasks),
            links=tuple(links),
            calendars=tuple(calendars),
            calendar=project_calendar,
            resources=tuple(resources),
            assignments=tuple(assignments),
            baselines=tuple(baselines),
            minutes_per_day=self.minutes_per_day,
            minutes_per_week=self.minutes_per_week,
            days_per_month=self.days_per_month,
            critical_slack_limit=max(0, slack[0]) if slack else 0,
            currency=_str(props.getCurrencyCode()) or "EUR",
            metadata={"format": self.format, "application": _str(props.getFileApplication())},
        )

    # -- durations ---------------------------------------------------------------------
    def duration_minutes(self, value: Any) -> tuple[int, DurationUnit, bool] | None:
        """(minutes, unit, elapsed) of an MPXJ Duration; None when absent or a percentage."""
        if value is None:
            return None
        amount = _num(value.getDuration())
        units = _enum(value.getUnits())
        if units in _ELAPSED_MINUTES:
            size, unit = _ELAPSED_MINUTES[units]
            return round(amount * size), unit, True
        sizes = {
            "MINUTES": 1,
            "HOURS": 60,
            "DAYS": self.minutes_per_day,
            "WEEKS": self.minutes_per_week,
            "MONTHS": self.minutes_per_month,
            "YEARS": self.minutes_per_year,
        }
        if units not in sizes:
            return None
        return round(amount * sizes[units]), _WORK_UNITS[units], False

    def has(self, field_name: str) -> bool:
        return field_name in self.populated

    # -- calendars ---------------------------------------------------------------------
    def calendar_name(self, calendar: Any) -> str | None:
        if calendar is None:
            return None
        uid = calendar.getUniqueID()
        return None if uid is None else self.calendar_names.get(int(uid))

    def calendars(self) -> tuple[list[CalendarSpec], dict[int, str]]:
        import jpype

        days = jpype.JClass("java.time.DayOfWeek").values()
        raw = []
        for cal in self.project.getCalendars():
            uid = cal.getUniqueID()
            if uid is None:
                continue
            label = _str(cal.getName()).strip()
            if not label:  # a resource calendar takes its resource's name
                owners = [_str(r.getName()) for r in cal.getResources()]
                label = next((o for o in owners if o), f"Calendar {int(uid)}")
            raw.append((int(uid), label, cal))
        names: dict[int, str] = {}
        used: set[str] = set()
        for uid, label, _cal in raw:
            unique, n = label, 1
            while unique in used:
                unique = f"{label} (uid {uid})" if n == 1 else f"{label} (uid {uid}, {n})"
                n += 1
            used.add(unique)
            names[uid] = unique
        specs = []
        work_weeks = 0
        for uid, _label, cal in raw:
            parent = cal.getParent()
            base = None
            if parent is not None and parent.getUniqueID() is not None:
                base = names.get(int(parent.getUniqueID()))
            week: dict[int, tuple[WorkingTime, ...]] = {}
            for day in days:
                kind = _enum(cal.getCalendarDayType(day))
                if kind == "WORKING":
                    week[_WEEKDAYS[_str(day.name())]] = (
                        self.hours(cal.getCalendarHours(day)) or STANDARD_DAY
                    )
                elif kind == "NON_WORKING":
                    week[_WEEKDAYS[_str(day.name())]] = ()
            exceptions = tuple(
                e for exc in cal.getCalendarExceptions() if (e := self.exception(exc)) is not None
            )
            work_weeks += int(cal.getWorkWeeks().size())
            specs.append(CalendarSpec(names[uid], week, base, exceptions, uid=uid))
        if work_weeks:
            self.ignore(
                f"{work_weeks} work week(s) (other working times for a period): "
                "the calendars keep their default week"
            )
        return specs, names

    def hours(self, ranges: Any) -> tuple[WorkingTime, ...]:
        if ranges is None:
            return ()
        times = []
        for r in ranges:
            start_value, end_value = r.getStart(), r.getEnd()
            if start_value is None or end_value is None:
                continue
            start, end = _clock(start_value), _clock(end_value)
            if end <= start:  # an end at 00:00 is the midnight that ends the day
                end = 1440
            times.append(WorkingTime(start, end))
        return tuple(sorted(times, key=lambda t: t.start))

    def exception(self, exc: Any) -> CalendarException | None:
        first, last = _date(exc.getFromDate()), _date(exc.getToDate())
        if first is None or last is None:
            return None
        working = bool(exc.getWorking())
        times = self.hours(exc) if working else ()
        recurrence = None
        data = exc.getRecurring()
        if data is not None:
            recurrence = self.recurrence(data)
            # MS Project counts a recurrence from its own start, before the first occurrence
            first = _date(data.getStartDate()) or first
            last = _date(data.getFinishDate()) or last
        return CalendarException(
            start=first,
            finish=max(first, last),
            working_times=(times or STANDARD_DAY) if working else (),
            name=_str(exc.getName()),
            recurrence=recurrence,
        )

    def recurrence(self, data: Any) -> Recurrence | None:
        kind = _enum(data.getRecurrenceType())
        interval = max(1, int(_num(data.getFrequency(), 1)))
        occurrences = None
        if not bool(data.getUseEndDate()) and data.getOccurrences() is not None:
            occurrences = int(data.getOccurrences())
        day_number = data.getDayNumber()
        weekday_value = data.getDayOfWeek()
        weekday = None if weekday_value is None else _WEEKDAYS[_str(weekday_value.name())]
        relative = bool(data.getRelative())
        month_value = data.getMonthNumber()
        month = None if month_value is None else int(month_value)
        if kind == "DAILY":
            if interval == 1:
                return None  # every day of the period: a plain range
            return Recurrence(RecurrenceType.DAILY, interval=interval, occurrences=occurrences)
        if kind == "WEEKLY":
            import jpype

            weekdays = tuple(
                sorted(
                    _WEEKDAYS[_str(d.name())]
                    for d in jpype.JClass("java.time.DayOfWeek").values()
                    if bool(data.getWeeklyDay(d))
                )
            )
            return Recurrence(
                RecurrenceType.WEEKLY, interval, weekdays=weekdays, occurrences=occurrences
            )
        if kind not in ("MONTHLY", "YEARLY"):
            return None
        rtype = RecurrenceType.YEARLY if kind == "YEARLY" else RecurrenceType.MONTHLY
        if rtype is RecurrenceType.YEARLY:
            interval = 1
        else:
            month = None
        if relative and weekday is not None:
            nth = min(5, max(1, int(_num(day_number, 1))))
            return Recurrence(
                rtype, interval, nth=nth, weekday=weekday, month=month, occurrences=occurrences
            )
        day = min(31, max(1, int(_num(day_number, 1))))
        return Recurrence(rtype, interval, day=day, month=month, occurrences=occurrences)

    # -- tasks -------------------------------------------------------------------------
    def tasks(self) -> tuple[list[Task], list[Link], list[Baseline]]:
        rows: list[dict[str, Any]] = []
        kept: dict[int, Any] = {}  # uid -> the MPXJ task
        seen: set[int] = set()
        next_uid = 1 + max(
            (int(t.getUniqueID()) for t in self.project.getTasks() if t.getUniqueID() is not None),
            default=0,
        )
        uids: dict[int, int] = {}  # MPXJ's unique id -> the plan's uid
        counts = dict.fromkeys(
            ("null", "external", "loe", "secondary", "summary_root", "actuals"), 0
        )

        def walk(children: Iterable[Any], parent: int | None, prefix: str) -> None:
            nonlocal next_uid
            position = 0
            for t in children:
                if bool(t.getNull()):
                    counts["null"] += 1
                    continue
                raw_uid = t.getUniqueID()
                level = t.getOutlineLevel()
                if raw_uid is not None and int(raw_uid) == 0 and (level is None or int(level) == 0):
                    counts["summary_root"] += 1  # MS Project's project summary task
                    walk(t.getChildTasks(), parent, prefix)
                    continue
                if bool(t.getExternalTask()):
                    counts["external"] += 1
                    continue
                uid = int(raw_uid) if raw_uid is not None else next_uid
                if uid in seen:  # duplicate or missing uids: number them after the others
                    uid = next_uid
                if uid >= next_uid:
                    next_uid = uid + 1
                seen.add(uid)
                if raw_uid is not None:
                    uids.setdefault(int(raw_uid), uid)
                kept[uid] = t
                position += 1
                number = f"{prefix}{position}"
                rows.append(self.task(t, uid, parent, number, counts))
                walk(t.getChildTasks(), uid, number + ".")

        walk(self.project.getChildTasks(), None, "")
        if counts["null"]:
            self.ignore(f"{counts['null']} blank task row(s)")
        if counts["external"]:
            self.ignore(f"{counts['external']} task(s) of other projects (external tasks)")
        if counts["loe"]:
            self.warn(
                f"{counts['loe']} level-of-effort or hammock activit(y/ies) scheduled as "
                "ordinary tasks"
            )
        if counts["actuals"]:
            self.warn(
                f"{counts['actuals']} task(s) in progress without an actual start: "
                "they started on their planned start"
            )
        if counts["secondary"]:
            self.ignore(f"{counts['secondary']} secondary constraint(s) (Primavera)")

        parents = {row["parent"] for row in rows}
        pinned = 0
        tasks = []
        for row in rows:
            stored_start = self.stored[row["uid"]][0]
            if (
                self.format == "gan"
                and row["uid"] not in parents
                and row["constraint"].type is ConstraintType.ASAP
                and stored_start is not None
            ):
                # GanttProject tasks sit where the user put them; links only push them later
                row["constraint"] = Constraint(ConstraintType.SNET, stored_start)
                pinned += 1
            if row["uid"] in parents and not row["manual"]:
                # an automatic summary's duration and progress roll up from its subtasks
                row.update(
                    duration=0,
                    milestone=None,
                    progress=Progress(
                        actual_start=row["progress"].actual_start,
                        actual_finish=row["progress"].actual_finish,
                        percent_complete=row["progress"].percent_complete,
                    ),
                )
            tasks.append(Task(**row))
        if pinned:
            self.warn(
                f"GanttProject file: {pinned} task(s) keep their start as 'start no earlier "
                "than', since GanttProject does not move tasks earlier"
            )
        by_uid = {t.uid: t for t in tasks}
        links = self.links(kept, uids, by_uid)
        baselines = self.baselines(kept)
        return tasks, links, baselines

    def task(
        self, t: Any, uid: int, parent: int | None, number: str, counts: dict[str, int]
    ) -> dict[str, Any]:
        name = _str(t.getName())
        who = f"task uid {uid} '{name}'"
        start, finish = _datetime(t.getStart()), _datetime(t.getFinish())
        self.stored[uid] = (start, finish)
        got = self.duration_minutes(t.getDuration())
        minutes, unit, elapsed = got if got is not None else (0, DurationUnit.DAY, False)
        if minutes < 0:
            self.warn(f"{who}: negative duration read as 0")
            minutes = 0
        # each Java call costs microseconds: fields the file does not have are not asked for
        has = self.has
        milestone = bool(t.getMilestone())  # always asked: "not a milestone" is not a default
        manual = has("TASK_MODE") and _enum(t.getTaskMode()) == "MANUALLY_SCHEDULED"
        manual = manual and start is not None and finish is not None
        activity = _enum(t.getActivityType()) if has("ACTIVITY_TYPE") else ""
        if activity in ("LEVEL_OF_EFFORT", "HAMMOCK"):
            counts["loe"] += 1
        constraint = self.constraint(t, who, start, finish) if has("CONSTRAINT_TYPE") else ASAP
        if has("SECONDARY_CONSTRAINT_TYPE") and t.getSecondaryConstraintType() is not None:
            counts["secondary"] += 1
        percent = _num(t.getPercentageComplete()) if has("PERCENT_COMPLETE") else 0.0
        if not 0 <= percent <= 100:
            self.warn(
                f"{who}: percent complete {percent:g} read as {min(100.0, max(0.0, percent)):g}"
            )
            percent = min(100.0, max(0.0, percent))
        remaining = None
        rem = self.duration_minutes(t.getRemainingDuration()) if has("REMAINING_DURATION") else None
        # keep it only when % complete does not give it already
        if (
            rem is not None
            and rem[0] >= 0
            and abs(rem[0] - (minutes - round(minutes * percent / 100))) > 1
        ):
            remaining = rem[0]
        priority = t.getPriority() if has("PRIORITY") else None
        priority_value = 500 if priority is None else int(priority.getValue())
        delay = 0
        if self.has("LEVELING_DELAY"):
            got_delay = self.duration_minutes(t.getLevelingDelay())
            delay = max(0, got_delay[0]) if got_delay else 0
        # GanttProject has no WBS: MPXJ numbers the rows in its place
        wbs = _str(t.getWBS()) if self.has("WBS") and self.format != "gan" else ""
        active = t.getActive() if has("ACTIVE") else None
        actual_start = _datetime(t.getActualStart()) if has("ACTUAL_START") else None
        actual_finish = _datetime(t.getActualFinish()) if has("ACTUAL_FINISH") else None
        # files written by tools without actual dates (GanttProject, MPX, Planner): the
        # task started when the file says it starts
        if percent > 0 and actual_start is None and start is not None:
            actual_start = start
            counts["actuals"] += 1
        if percent >= 100 and actual_finish is None and finish is not None:
            actual_finish = finish
        return {
            "uid": uid,
            "name": name,
            "duration": minutes,
            "parent": parent,
            "elapsed": elapsed,
            "duration_unit": unit,
            "milestone": None if milestone == (minutes == 0) else milestone,
            "constraint": constraint,
            "deadline": _datetime(t.getDeadline()) if self.has("DEADLINE") else None,
            "calendar": self.calendar_names.get(int(t.getCalendarUniqueID()))
            if has("CALENDAR_UNIQUE_ID") and t.getCalendarUniqueID() is not None
            else None,
            "manual": manual,
            "start": start if manual else None,
            "finish": finish if manual else None,
            "active": True if active is None else bool(active),
            "progress": Progress(
                actual_start=actual_start,
                actual_finish=actual_finish,
                percent_complete=percent,
                remaining_minutes=remaining,
            ),
            "priority": min(1000, max(0, priority_value)),
            "leveling_delay": delay,
            "wbs": wbs if wbs and wbs != number else None,
            "notes": _str(t.getNotes()) if self.has("NOTES") else "",
        }

    def constraint(
        self, t: Any, who: str, start: dt.datetime | None, finish: dt.datetime | None
    ) -> Constraint:
        kind = _enum(t.getConstraintType())
        ctype = _CONSTRAINTS.get(kind, ConstraintType.ASAP) if kind else ConstraintType.ASAP
        if kind and kind not in _CONSTRAINTS:
            self.warn(f"{who}: constraint {kind} read as 'as soon as possible'")
        if ctype not in DATED_CONSTRAINTS:
            return Constraint(ctype)
        date = _datetime(t.getConstraintDate())
        if date is None:  # MS Project shows the task's own date
            date = start if ctype in _START_CONSTRAINTS else finish
        if date is None:
            self.warn(f"{who}: constraint {ctype.name} without a date read as ASAP")
            return Constraint()
        return Constraint(ctype, date)

    def links(
        self, kept: dict[int, Any], uids: dict[int, int], by_uid: dict[int, Task]
    ) -> list[Link]:
        links: list[Link] = []
        dropped = 0
        summary_links = 0
        elapsed_percent = 0
        ancestors: dict[int, set[int]] = {}

        def up(uid: int) -> set[int]:
            got = ancestors.get(uid)
            if got is None:
                parent = by_uid[uid].parent
                got = set() if parent is None else up(parent) | {parent}
                ancestors[uid] = got
            return got

        for uid, t in kept.items():
            relations = t.getPredecessors()
            if relations is None or relations.isEmpty():
                continue
            for rel in relations:
                pred_task = rel.getPredecessorTask()
                pred_uid = None if pred_task is None else pred_task.getUniqueID()
                pred = None if pred_uid is None else uids.get(int(pred_uid))
                if pred is None or pred not in by_uid or pred == uid:
                    dropped += 1
                    continue
                if pred in up(uid) or uid in up(pred):
                    summary_links += 1
                    continue
                link_type = _LINK_TYPES.get((_enum(rel.getType())), LinkType.FS)
                lag = Lag()
                value = rel.getLag()
                units = "" if value is None else (_enum(value.getUnits()))
                if units in ("PERCENT", "ELAPSED_PERCENT"):
                    elapsed_percent += units == "ELAPSED_PERCENT"
                    amount = _num(value.getDuration())
                    lag = Lag(int(amount) if amount.is_integer() else amount, LagKind.PERCENT)
                elif value is not None:
                    got = self.duration_minutes(value)
                    if got is not None:
                        lag = Lag(got[0], LagKind.ELAPSED if got[2] else LagKind.WORK, got[1])
                links.append(Link(pred, uid, link_type, lag))
        if dropped:
            self.ignore(f"{dropped} link(s) to tasks outside the plan (blank rows, other projects)")
        if summary_links:
            self.ignore(f"{summary_links} link(s) between a summary task and its own subtask")
        if elapsed_percent:
            self.warn(f"{elapsed_percent} elapsed-percent lag(s) read as percent lags")
        return links

    def baselines(self, kept: dict[int, Any]) -> list[Baseline]:
        out = []
        for number in range(11):
            prefix = "BASELINE_" if number == 0 else f"BASELINE{number}_"
            if not any(
                self.has(prefix + f) for f in ("START", "FINISH", "DURATION", "WORK", "COST")
            ):
                continue
            tasks: dict[int, BaselineTask] = {}
            for uid, t in kept.items():
                if number == 0:
                    start, finish = t.getBaselineStart(), t.getBaselineFinish()
                    duration, work, cost = (
                        t.getBaselineDuration(),
                        t.getBaselineWork(),
                        t.getBaselineCost(),
                    )
                else:
                    start, finish = t.getBaselineStart(number), t.getBaselineFinish(number)
                    duration, work, cost = (
                        t.getBaselineDuration(number),
                        t.getBaselineWork(number),
                        t.getBaselineCost(number),
                    )
                empty = start is None and finish is None and duration is None and work is None
                if empty and _num(cost) == 0:
                    continue
                d = self.duration_minutes(duration)
                w = self.duration_minutes(work)
                tasks[uid] = BaselineTask(
                    start=_datetime(start),
                    finish=_datetime(finish),
                    duration=max(0, d[0]) if d else 0,
                    work=max(0, w[0]) if w else 0,
                    cost=_num(cost),
                )
            if tasks:
                out.append(Baseline(number=number, tasks=tasks))
        return out

    # -- resources and assignments -----------------------------------------------------
    def rate(self, rate: Any, kind: ResourceType) -> float:
        """A rate per hour (material resources: per unit, as MS Project keeps them)."""
        if rate is None:
            return 0.0
        amount = _num(rate.getAmount())
        units = _enum(rate.getUnits())
        if kind is ResourceType.MATERIAL or not units:
            return amount
        per_hour = {
            "MINUTES": 1 / 60,
            "HOURS": 1.0,
            "DAYS": self.minutes_per_day / 60,
            "WEEKS": self.minutes_per_week / 60,
            "MONTHS": self.minutes_per_month / 60,
            "YEARS": self.minutes_per_year / 60,
            "ELAPSED_MINUTES": 1 / 60,
            "ELAPSED_HOURS": 1.0,
            "ELAPSED_DAYS": 24.0,
            "ELAPSED_WEEKS": 168.0,
            "ELAPSED_MONTHS": 720.0,
            "ELAPSED_YEARS": 8760.0,
        }
        size = per_hour.get(units, 1.0)
        return amount / size if size else amount

    def resources(self) -> list[Resource]:
        out = []
        seen: set[int] = set()
        changing = 0
        for r in self.project.getResources():
            raw_uid = r.getUniqueID()
            if raw_uid is None or bool(r.getNull()):
                continue
            uid = int(raw_uid)
            name = _str(r.getName()).strip()
            if uid == 0 and not name:
                continue  # MS Project's unnamed placeholder resource
            if uid in seen:
                self.warn(f"two resources have the uid {uid}: the second one is left out")
                continue
            seen.add(uid)
            kind = _RESOURCE_TYPES.get((_enum(r.getType())), ResourceType.WORK)
            max_units = _num(r.getMaxUnits(), 100.0) / 100
            standard, overtime, per_use = (
                r.getStandardRate(),
                r.getOvertimeRate(),
                r.getCostPerUse(),
            )
            table = r.getCostRateTable(0)
            if table is not None and int(table.size()) > 1:
                # rates that change over time: the one in force when the project starts
                entry = table.getEntryByDate(self.rate_date) if self.rate_date else None
                if entry is not None:
                    standard, overtime = entry.getStandardRate(), entry.getOvertimeRate()
                    per_use = entry.getCostPerUse()
                changing += 1
            out.append(
                Resource(
                    uid=uid,
                    name=name or f"Resource {uid}",
                    type=kind,
                    max_units=max(0.0, max_units),
                    calendar=self.calendar_name(r.getCalendar()),
                    standard_rate=self.rate(standard, kind),
                    overtime_rate=self.rate(overtime, kind),
                    cost_per_use=_num(per_use),
                    initials=_str(r.getInitials()),
                    email=_str(r.getEmailAddress()),
                    group=_str(r.getGroup()),
                )
            )
        if changing:
            self.ignore(
                f"rates that change over time for {changing} resource(s): "
                "the rates in force at the project start are kept"
            )
        return out

    def assignments(self, durations: dict[int, int], resources: list[Resource]) -> list[Assignment]:
        known = {r.uid for r in resources}
        out = []
        skipped = 0
        # a contour is asked for only when the file has some; timephased work only for
        # assignments whose work was edited by hand (MS Project's "contoured")
        contours = self.has_assignment_field("WORK_CONTOUR")
        for a in self.project.getResourceAssignments():
            task, resource = a.getTask(), a.getResource()
            task_uid = None if task is None else task.getUniqueID()
            if task_uid is None:
                continue
            t_uid = int(task_uid)
            if resource is None:
                # MS Project's "unassigned" rows (resource uid -65535, which MPXJ reads as
                # no resource) hold the work of a split task without resources
                r_uid = a.getResourceUniqueID()
                if t_uid in durations and contours and (r_uid is None or int(r_uid) < 0):
                    contour = self.contour(a)
                    if contour:
                        self.task_contours[t_uid] = contour
                continue
            resource_uid = resource.getUniqueID()
            if resource_uid is None:
                continue
            r_uid = int(resource_uid)
            if t_uid not in durations or r_uid not in known:
                skipped += 1
                continue
            units = max(0.0, _num(a.getUnits(), 100.0) / 100)
            work = self.duration_minutes(a.getWork())
            work_minutes = None if work is None else max(0, work[0])
            if (
                work_minutes is not None
                and abs(work_minutes - round(durations[t_uid] * units)) <= 1
            ):
                work_minutes = None  # the default: duration x units
            actual = self.duration_minutes(a.getActualWork())
            uid = a.getUniqueID()
            out.append(
                Assignment(
                    task=t_uid,
                    resource=r_uid,
                    units=units,
                    work=work_minutes,
                    actual_work=max(0, actual[0]) if actual else 0,
                    uid=None if uid is None else int(uid),
                    contour=self.contour(a) if contours else (),
                )
            )
        if skipped:
            self.ignore(f"{skipped} assignment(s) of tasks or resources left out")
        return out

    def has_assignment_field(self, field_name: str) -> bool:
        return field_name in self.assignment_fields

    def contour(self, a: Any) -> tuple[WorkPeriod, ...]:
        """Timephased work (remaining and actual) of an assignment edited by hand, in time
        order; () for any other work contour.

        MPXJ's raw timephased work: the periods as the file holds them, not the day-by-day
        periods MPXJ derives from them. From an MSPDI file these are its rows less those
        without a value (MS Project writes them over non-working time); the engine takes
        from them the first start, the end of the last period with work and the working
        time in between, which those rows do not change.
        """
        kind = a.getWorkContour()
        if kind is None or not bool(kind.isContourManual()):
            return ()
        periods = []
        for rows in (
            a.getRawTimephasedRemainingRegularWork(),
            a.getRawTimephasedActualRegularWork(),
        ):
            if rows is None:
                continue
            for row in rows:
                start, finish = _datetime(row.getStart()), _datetime(row.getFinish())
                if start is None or finish is None or finish < start:
                    continue
                work = self.duration_minutes(row.getTotalAmount())
                periods.append(WorkPeriod(start, finish, max(work[0], 0) if work else 0))
        periods.sort(key=lambda p: (p.start, p.finish))
        return tuple(periods)


# Java enum class (its JPype wrapper) -> constant names by ordinal
_ENUM_NAMES: dict[type, list[str]] = {}


def _enum(value: Any) -> str:
    """A Java enum's name ("" for null) in one Java call: its ordinal, named from a table
    built once per enum class."""
    if value is None:
        return ""
    cls = type(value)
    names = _ENUM_NAMES.get(cls)
    if names is None:
        try:
            names = [str(v.name()) for v in cls.values()]
        except (AttributeError, TypeError):  # a constant with a body: its own subclass
            return str(value.name())
        _ENUM_NAMES[cls] = names
    return names[int(value.ordinal())]


__all__ = ["Mapper"]
