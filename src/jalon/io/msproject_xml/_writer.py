"""Writing MSPDI: a plan and its schedule as MS Project 2010 XML (SaveVersion 14).

The document is built as text: a 10,000-task plan has some 400,000 elements, and string
formatting is several times faster than building an lxml tree. Elements are written in the
schema's order because MS Project rejects files whose elements are out of order.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace

from jalon.engine.calendar import CalendarSet, public_holidays, recurrence_dates, resolve
from jalon.engine.errors import PlanError
from jalon.engine.model import (
    BaselineTask,
    CalendarException,
    CalendarSpec,
    DurationUnit,
    LagKind,
    Link,
    Plan,
    Recurrence,
    RecurrenceType,
    ResourceType,
    Task,
    WorkPeriod,
)
from jalon.engine.results import Schedule
from jalon.io.msproject_xml._codes import (
    CODE_OF_LINK,
    CODE_OF_UNIT,
    NS,
    day_type_to_weekday,
    weekday_to_day_type,
)

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_INDENT = ["\t" * i for i in range(8)]

Fields = Iterable[tuple[str, object]]


def write_document(plan: Plan, schedule: Schedule) -> str:
    return _Writer(plan, schedule).document()


def _esc(value: str) -> str:
    """Text content: characters XML 1.0 cannot hold are dropped, markup escaped."""
    if _NOT_XML.search(value):
        value = _NOT_XML.sub("", value)
    return (
        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


def _date(value: dt.datetime | None) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%dT%H:%M:%S")


def _duration(minutes: float) -> str:
    seconds = round(abs(minutes) * 60)
    sign = "-" if minutes < 0 else ""
    return f"{sign}PT{seconds // 3600}H{seconds // 60 % 60}M{seconds % 60}S"


def _clock(minutes: int) -> str:
    # MS Project writes the midnight that ends a day as 00:00:00
    return "00:00:00" if minutes >= 1440 else f"{minutes // 60:02d}:{minutes % 60:02d}:00"


def _flag(value: bool) -> str:
    return "1" if value else "0"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _unit_code(unit: DurationUnit, elapsed: bool) -> int:
    return CODE_OF_UNIT[(unit, elapsed)]


class _Writer:
    def __init__(self, plan: Plan, schedule: Schedule) -> None:
        self.plan = plan
        self.scheduled = {st.uid: st for st in schedule.tasks}
        for t in plan.tasks:
            if t.uid not in self.scheduled:
                raise PlanError("the schedule has no dates for this task", task=plan.label(t.uid))
        dates = [d for st in schedule.tasks for d in (st.start, st.finish)]
        self.start = min([plan.start, *dates])
        self.finish = max([plan.finish or plan.start, *dates])
        self.calendar_uids: dict[str, int] = {}
        # MS Project reserves UID 0 for the project summary row and the unnamed resource
        self.task_uid = _free_zero([t.uid for t in plan.tasks])
        self.resource_uid = _free_zero([r.uid for r in plan.resources])
        self.out: list[str] = []

    # -- output helpers ----------------------------------------------------------------
    def leaves(self, depth: int, fields: Fields) -> None:
        """``<tag>value</tag>`` lines; a value of None leaves the element out."""
        ind = _INDENT[depth]
        self.out.extend(
            f"{ind}<{tag}>{value}</{tag}>\n" for tag, value in fields if value is not None
        )

    def open(self, depth: int, tag: str) -> None:
        self.out.append(f"{_INDENT[depth]}<{tag}>\n")

    def close(self, depth: int, tag: str) -> None:
        self.out.append(f"{_INDENT[depth]}</{tag}>\n")

    # -- the document ------------------------------------------------------------------
    def document(self) -> str:
        plan = self.plan
        layout = self.calendar_layout()
        week = resolve(plan.calendar, plan.calendar_specs).week
        first_day = next((times for times in week if times), ((480, 1020),))
        finish = plan.finish if plan.schedule_from_finish and plan.finish else self.finish
        self.out.append(
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Project xmlns="{NS}">\n'
        )
        self.leaves(
            1,
            [
                ("SaveVersion", 14),
                ("Name", _esc(plan.name)),
                ("Title", _esc(plan.name)),
                ("ScheduleFromStart", _flag(not plan.schedule_from_finish)),
                ("StartDate", _date(plan.start)),
                ("FinishDate", _date(finish)),
                ("FYStartDate", 1),
                ("CriticalSlackLimit", plan.critical_slack_limit // plan.minutes_per_day),
                ("CurrencyDigits", 2),
                ("CurrencyCode", _esc(plan.currency[:3])),
                ("CurrencySymbolPosition", 0),
                ("CalendarUID", self.calendar_uids[plan.calendar]),
                ("DefaultStartTime", _clock(first_day[0][0])),
                ("DefaultFinishTime", _clock(first_day[-1][1])),
                ("MinutesPerDay", plan.minutes_per_day),
                ("MinutesPerWeek", plan.minutes_per_week),
                ("DaysPerMonth", plan.days_per_month),
                ("DefaultTaskType", 1),
                ("DefaultFixedCostAccrual", 3),
                ("DurationFormat", 7),
                ("WorkFormat", 2),
                ("HonorConstraints", 1),
                ("NewTasksEffortDriven", 0),
                ("NewTasksEstimated", 0),
                ("WeekStartDay", 1),
                ("StatusDate", _date(plan.status_date)),
                ("NewTasksAreManual", 0),
            ],
        )
        self.open(1, "Calendars")
        for spec, derived in layout:
            self.calendar(spec, derived)
        self.close(1, "Calendars")
        self.tasks()
        self.resources()
        self.assignments()
        self.out.append("</Project>\n")
        return "".join(self.out)

    # -- calendars ---------------------------------------------------------------------
    def calendar_layout(self) -> list[tuple[CalendarSpec, bool]]:
        """The calendars to write, each with "write it as a resource calendar of its base".

        Tasks can only use base calendars in MS Project, so a derived calendar is kept as
        one only when resources alone use it; the others are written flattened.
        """
        plan = self.plan
        specs = plan.calendar_specs
        task_cals = {plan.calendar} | {t.calendar for t in plan.tasks if t.calendar}
        resource_cals = {r.calendar for r in plan.resources if r.calendar}
        order = [
            plan.calendar,
            *(c.name for c in plan.calendars),
            *sorted(task_cals | resource_cals),
        ]
        names = list(dict.fromkeys(order))
        bases = {base for n in names if (base := specs[n].base) is not None}
        names += [b for b in sorted(bases) if b not in names]
        layout = [
            (
                specs[n],
                specs[n].base is not None and n in resource_cals and n not in task_cals | bases,
            )
            for n in names
        ]
        layout.sort(key=lambda item: item[1])  # base calendars before derived ones
        own = {s.uid for s, _ in layout if s.uid is not None and s.uid > 0}
        next_uid = max(own, default=0) + 1
        for spec, _derived in layout:
            if (
                spec.uid is not None
                and spec.uid > 0
                and spec.uid not in self.calendar_uids.values()
            ):
                self.calendar_uids[spec.name] = spec.uid
            else:
                self.calendar_uids[spec.name], next_uid = next_uid, next_uid + 1
        return layout

    def holidays(self, country: str | None, subdivision: str | None) -> list[CalendarException]:
        if not country:
            return []
        years = list(range(self.start.year, self.finish.year + 1))
        table = public_holidays(country, subdivision, years)
        return [CalendarException(day, day, (), name) for day, name in sorted(table.items())]

    def calendar(self, spec: CalendarSpec, derived: bool) -> None:
        if derived:
            assert spec.base is not None
            week = {d: tuple((w.start, w.end) for w in times) for d, times in spec.week.items()}
            exceptions = self.holidays(spec.country, spec.subdivision) + list(spec.exceptions)
            base_uid = self.calendar_uids[spec.base]
        else:
            resolved = resolve(spec.name, self.plan.calendar_specs)
            week = dict(enumerate(resolved.week))
            exceptions = self.holidays(resolved.country, resolved.subdivision) + list(
                resolved.exceptions
            )
            base_uid = -1
        self.open(2, "Calendar")
        self.leaves(
            3,
            [
                ("UID", self.calendar_uids[spec.name]),
                ("Name", _esc(spec.name)),
                ("IsBaseCalendar", _flag(not derived)),
                ("IsBaselineCalendar", 0),
                ("BaseCalendarUID", base_uid),
            ],
        )
        self.open(3, "WeekDays")
        for day_type in range(1, 8):
            times = week.get(day_type_to_weekday(day_type))
            if times is not None:
                self.open(4, "WeekDay")
                self.leaves(5, [("DayType", day_type), ("DayWorking", _flag(bool(times)))])
                self.working_times(5, times)
                self.close(4, "WeekDay")
        self.close(3, "WeekDays")
        kept = [exc for exc in _without_overlaps(exceptions) if _count(exc)]
        if kept:
            self.open(3, "Exceptions")
            for exc in kept:
                self.exception(4, exc)
            self.close(3, "Exceptions")
        self.close(2, "Calendar")

    def working_times(self, depth: int, times: Iterable[tuple[int, int]]) -> None:
        times = list(times)
        if times:
            self.open(depth, "WorkingTimes")
            for start, end in times:
                self.open(depth + 1, "WorkingTime")
                self.leaves(depth + 2, [("FromTime", _clock(start)), ("ToTime", _clock(end))])
                self.close(depth + 1, "WorkingTime")
            self.close(depth, "WorkingTimes")

    def exception(self, depth: int, exc: CalendarException) -> None:
        rec = exc.recurrence
        self.open(depth, "Exception")
        self.leaves(depth + 1, [("EnteredByOccurrences", _flag(bool(rec and rec.occurrences)))])
        self.open(depth + 1, "TimePeriod")
        self.leaves(
            depth + 2,
            [
                ("FromDate", f"{exc.start.isoformat()}T00:00:00"),
                ("ToDate", f"{exc.finish.isoformat()}T23:59:00"),
            ],
        )
        self.close(depth + 1, "TimePeriod")
        self.leaves(depth + 1, [("Occurrences", _count(exc)), ("Name", _esc(exc.name) or None)])
        self.leaves(depth + 1, _recurrence_fields(rec, exc.start))
        self.leaves(depth + 1, [("DayWorking", _flag(exc.working))])
        self.working_times(depth + 1, ((w.start, w.end) for w in exc.working_times))
        self.close(depth, "Exception")

    # -- tasks -------------------------------------------------------------------------
    def tasks(self) -> None:
        plan = self.plan
        self.open(1, "Tasks")
        # the project summary row, as MS Project writes it
        cset = CalendarSet(
            plan.calendar_specs, [plan.calendar], self.start.date(), self.finish.date()
        )
        span = cset.calendar(plan.calendar).working_minutes(self.start, self.finish)
        self.open(2, "Task")
        self.leaves(
            3,
            [
                ("UID", 0),
                ("ID", 0),
                ("Name", _esc(plan.name)),
                ("Active", 1),
                ("Manual", 0),
                ("Type", 1),
                ("IsNull", 0),
                ("WBS", 0),
                ("OutlineNumber", 0),
                ("OutlineLevel", 0),
                ("Start", _date(self.start)),
                ("Finish", _date(self.finish)),
                ("Duration", _duration(span)),
                ("DurationFormat", 7),
                ("Summary", 1),
            ],
        )
        self.close(2, "Task")
        preds: dict[int, list[Link]] = {}
        for link in plan.links:
            preds.setdefault(link.successor, []).append(link)
        numbers = plan.outline_numbers
        for row, t in enumerate(plan.tasks, start=1):
            self.task(t, row, numbers[t.uid], preds.get(t.uid, ()))
        self.close(1, "Tasks")

    def task(self, t: Task, row: int, number: str, preds: Iterable[Link]) -> None:
        st = self.scheduled[t.uid]
        duration = st.duration if st.summary else t.duration
        pct = t.progress.percent_complete
        done = round(duration * pct / 100)
        remaining = t.progress.remaining_minutes
        constraint = t.constraint
        progress = t.progress
        self.open(2, "Task")
        self.leaves(
            3,
            [
                ("UID", self.task_uid.get(t.uid, t.uid)),
                ("ID", row),
                ("Name", _esc(t.name)),
                ("Active", _flag(t.active)),
                ("Manual", _flag(t.manual)),
                ("Type", 1),  # fixed duration: the duration is what the plan says
                ("IsNull", 0),
                ("WBS", _esc(self.plan.wbs(t.uid))),
                ("OutlineNumber", number),
                ("OutlineLevel", number.count(".") + 1),
                ("Priority", t.priority),
                ("Start", _date(st.start)),
                ("Finish", _date(st.finish)),
                ("Duration", _duration(duration)),
                ("ManualStart", _date(t.start) if t.manual else None),
                ("ManualFinish", _date(t.finish) if t.manual else None),
                ("ManualDuration", _duration(duration) if t.manual else None),
                ("DurationFormat", _unit_code(t.duration_unit, t.elapsed)),
                ("EffortDriven", 0),
                ("Estimated", 0),
                ("Milestone", _flag(st.milestone)),
                ("Summary", _flag(st.summary)),
                ("Critical", _flag(st.critical)),
                ("EarlyStart", _date(st.early_start)),
                ("EarlyFinish", _date(st.early_finish)),
                ("LateStart", _date(st.late_start)),
                ("LateFinish", _date(st.late_finish)),
                ("FreeSlack", st.free_float * 10),
                ("TotalSlack", st.total_float * 10),
                ("PercentComplete", round(pct)),
                ("ActualStart", _date(progress.actual_start)),
                ("ActualFinish", _date(progress.actual_finish)),
                ("ActualDuration", _duration(done)),
                (
                    "RemainingDuration",
                    _duration(duration - done if remaining is None else remaining),
                ),
                ("ConstraintType", int(constraint.type)),
                ("CalendarUID", self.calendar_uids[t.calendar] if t.calendar else -1),
                ("ConstraintDate", _date(constraint.date)),
                ("Deadline", _date(t.deadline)),
                ("LevelingDelay", t.leveling_delay * 10),
                ("LevelingDelayFormat", 8),  # the model keeps leveling delays in elapsed minutes
                ("Notes", _esc(t.notes) or None),
            ],
        )
        for link in preds:
            lag = link.lag
            if lag.kind is LagKind.PERCENT:  # a whole percent, not tenths (MPXJ's reading)
                lag_format, lag_value = 19, round(lag.value)
            else:  # tenths of a minute
                lag_format = _unit_code(lag.unit, lag.kind is LagKind.ELAPSED)
                lag_value = round(lag.value * 10)
            self.open(3, "PredecessorLink")
            self.leaves(
                4,
                [
                    ("PredecessorUID", self.task_uid.get(link.predecessor, link.predecessor)),
                    ("Type", CODE_OF_LINK[link.type]),
                    ("CrossProject", 0),
                    ("LinkLag", lag_value),
                    ("LagFormat", lag_format),
                ],
            )
            self.close(3, "PredecessorLink")
        for baseline in self.plan.baselines:
            b = baseline.tasks.get(t.uid)
            if b is not None:
                self.baseline(baseline.number, b, t)
        self.close(2, "Task")

    def baseline(self, number: int, b: BaselineTask, t: Task) -> None:
        self.open(3, "Baseline")
        self.leaves(
            4,
            [
                ("Number", number),
                ("Start", _date(b.start)),
                ("Finish", _date(b.finish)),
                ("Duration", _duration(b.duration)),
                ("DurationFormat", _unit_code(t.duration_unit, t.elapsed)),
                ("Work", _duration(b.work)),
                ("Cost", _number(b.cost * 100)),  # hundredths of the currency unit
            ],
        )
        self.close(3, "Baseline")

    # -- resources and assignments -----------------------------------------------------
    def resources(self) -> None:
        self.open(1, "Resources")
        for row, r in enumerate(self.plan.resources, start=1):
            work = r.type is ResourceType.WORK
            self.open(2, "Resource")
            self.leaves(
                3,
                [
                    ("UID", self.resource_uid.get(r.uid, r.uid)),
                    ("ID", row),
                    ("Name", _esc(r.name)),
                    ("Type", _flag(work)),  # 0 material (and cost), 1 work
                    ("IsNull", 0),
                    ("Initials", _esc(r.initials) or None),
                    ("Group", _esc(r.group) or None),
                    ("EmailAddress", _esc(r.email) or None),
                    ("MaxUnits", _number(r.max_units) if work else None),
                    ("StandardRate", _number(r.standard_rate)),
                    ("StandardRateFormat", 2),  # per hour
                    ("OvertimeRate", _number(r.overtime_rate)),
                    ("OvertimeRateFormat", 2),
                    ("CostPerUse", _number(r.cost_per_use * 100)),
                    ("CalendarUID", self.calendar_uids[r.calendar] if r.calendar else None),
                    ("IsCostResource", _flag(r.type is ResourceType.COST)),
                ],
            )
            self.close(2, "Resource")
        self.close(1, "Resources")

    def assignments(self) -> None:
        plan = self.plan
        next_uid = max((a.uid for a in plan.assignments if a.uid is not None), default=0) + 1
        seen: set[int] = set()
        self.open(1, "Assignments")
        for a in plan.assignments:
            if a.uid is not None and a.uid not in seen:
                uid = a.uid
            else:
                uid, next_uid = next_uid, next_uid + 1
            seen.add(uid)
            st = self.scheduled[a.task]
            work = a.work if a.work is not None else round(plan.task(a.task).duration * a.units)
            self.open(2, "Assignment")
            self.leaves(
                3,
                [
                    ("UID", uid),
                    ("TaskUID", self.task_uid.get(a.task, a.task)),
                    ("ResourceUID", self.resource_uid.get(a.resource, a.resource)),
                    ("ActualWork", _duration(a.actual_work)),
                    ("Finish", _date(st.finish)),
                    ("RemainingWork", _duration(max(0, work - a.actual_work))),
                    ("Start", _date(st.start)),
                    ("Units", _number(a.units)),
                    ("Work", _duration(work)),
                    ("WorkContour", 8 if a.contour else None),  # 8: edited by hand
                ],
            )
            self.timephased(uid, a.contour)
            self.close(2, "Assignment")
        for t in plan.tasks:
            if not t.contour:
                continue
            # work of no resource (a split task): MS Project's "unassigned" row
            st = self.scheduled[t.uid]
            uid, next_uid = next_uid, next_uid + 1
            self.open(2, "Assignment")
            self.leaves(
                3,
                [
                    ("UID", uid),
                    ("TaskUID", self.task_uid.get(t.uid, t.uid)),
                    ("ResourceUID", -65535),
                    ("Finish", _date(st.finish)),
                    ("Start", _date(st.start)),
                    ("Units", 1),
                    ("Work", _duration(0)),
                    ("WorkContour", 8),
                ],
            )
            self.timephased(uid, t.contour)
            self.close(2, "Assignment")
        self.close(1, "Assignments")

    def timephased(self, uid: int, periods: Iterable[WorkPeriod]) -> None:
        """Work edited by hand, as planned work (type 1) periods."""
        for p in periods:
            self.open(3, "TimephasedData")
            self.leaves(
                4,
                [
                    ("Type", 1),
                    ("UID", uid),
                    ("Start", _date(p.start)),
                    ("Finish", _date(p.finish)),
                    ("Unit", 2),
                    ("Value", _duration(p.work)),
                ],
            )
            self.close(3, "TimephasedData")


def _free_zero(uids: list[int]) -> dict[int, int]:
    """{0: a free uid} when 0 is taken (MS Project would read it as a placeholder row)."""
    return {0: max(uids) + 1} if 0 in uids else {}


def _recurrence_fields(rec: Recurrence | None, start: dt.date) -> list[tuple[str, object]]:
    """Exception/Type and its pattern elements, in the schema's order."""
    if rec is None:
        return [("Type", 1)]
    if rec.type is RecurrenceType.DAILY:
        return [("Type", 1)] if rec.interval == 1 else [("Type", 7), ("Period", rec.interval)]
    if rec.type is RecurrenceType.WEEKLY:
        days = set(rec.weekdays or (start.weekday(),))
        mask = sum(1 << (weekday_to_day_type(d) - 1) for d in days)
        return [("Type", 6), ("Period", rec.interval), ("DaysOfWeek", mask)]
    relative = rec.nth is not None and rec.weekday is not None
    # MonthItem 3 = Sunday ... 9 = Saturday; MonthPosition 0-3 = first to fourth, 4 = last
    item = None if rec.weekday is None else weekday_to_day_type(rec.weekday) + 2
    position = None if rec.nth is None else min(rec.nth, 5) - 1
    if rec.type is RecurrenceType.MONTHLY:
        if relative:
            return [
                ("Type", 5),
                ("Period", rec.interval),
                ("MonthItem", item),
                ("MonthPosition", position),
            ]
        return [("Type", 4), ("Period", rec.interval), ("MonthDay", rec.day or start.day)]
    month = (rec.month or start.month) - 1  # Month: 0 = January
    if relative:
        return [("Type", 3), ("Month", month), ("MonthItem", item), ("MonthPosition", position)]
    return [("Type", 2), ("Month", month), ("MonthDay", rec.day or start.day)]


def _count(exc: CalendarException) -> int:
    return sum(1 for _ in recurrence_dates(exc, exc.start, exc.finish))


def _without_overlaps(exceptions: list[CalendarException]) -> list[CalendarException]:
    """The exceptions, later ones winning where they overlap (as the engine reads them).

    MS Project refuses overlapping exceptions in one calendar, so an earlier exception is
    cut around later ones: a range into the runs of days left, a recurrence into days.
    """
    taken: set[dt.date] = set()
    out: list[CalendarException] = []
    for exc in reversed(exceptions):
        days = list(recurrence_dates(exc, exc.start, exc.finish))
        free = [d for d in days if d not in taken]
        if len(free) == len(days):
            out.append(exc)
        elif exc.recurrence is not None:
            out.extend(replace(exc, start=d, finish=d, recurrence=None) for d in free)
        else:
            out.extend(replace(exc, start=first, finish=last) for first, last in _runs(free))
        taken.update(days)
    out.sort(key=lambda e: e.start)
    return out


def _runs(days: list[dt.date]) -> Iterator[tuple[dt.date, dt.date]]:
    """Sorted days grouped into runs of consecutive days, as (first, last)."""
    one = dt.timedelta(days=1)
    i = 0
    while i < len(days):
        j = i
        while j + 1 < len(days) and days[j + 1] - days[j] == one:
            j += 1
        yield days[i], days[j]
        i = j + 1
