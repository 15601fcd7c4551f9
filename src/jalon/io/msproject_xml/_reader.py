"""Reading MSPDI: a parsed document -> Plan, and the dates MS Project stored in it."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import BinaryIO, TypeVar

from lxml import etree

from jalon.engine.errors import FormatError, PlanError
from jalon.engine.model import (
    ASAP,
    DATED_CONSTRAINTS,
    NO_PROGRESS,
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
from jalon.io.msproject_xml._codes import (
    LINK_TYPES,
    NS,
    NULL_CODE,
    PERCENT_CODES,
    UNIT_CODES,
    base_code,
    day_type_to_weekday,
)
from jalon.io.msproject_xml._values import (
    BadValueError,
    Memo,
    NotAValueError,
    Row,
    Texts,
    rows,
    to_clock,
    to_date,
    to_duration,
    to_flag,
    to_float,
    to_int,
    to_minutes,
)

Element = etree._Element
T = TypeVar("T")


# the children read from the big, repeated elements: lxml skips the others in C
_TASK_TAGS = [
    "UID",
    "Name",
    "IsNull",
    "OutlineLevel",
    "OutlineNumber",
    "Start",
    "Finish",
    "Manual",
    "ManualStart",
    "ManualFinish",
    "Duration",
    "DurationFormat",
    "Milestone",
    "ConstraintType",
    "ConstraintDate",
    "CalendarUID",
    "PercentComplete",
    "RemainingDuration",
    "WBS",
    "Priority",
    "LevelingDelay",
    "Notes",
    "Deadline",
    "Active",
    "ActualStart",
    "ActualFinish",
]
_STORED_TAGS = [
    "UID",
    "Name",
    "Start",
    "Finish",
    "Summary",
    "Manual",
    "Active",
    "IsNull",
    "Milestone",
    "OutlineLevel",
    "Duration",
    "EarlyStart",
    "EarlyFinish",
    "LateStart",
    "LateFinish",
    "TotalSlack",
    "FreeSlack",
    "Critical",
    "PercentComplete",
]
_RESOURCE_TAGS = [
    "UID",
    "Name",
    "Type",
    "IsNull",
    "IsCostResource",
    "MaxUnits",
    "CalendarUID",
    "StandardRate",
    "OvertimeRate",
    "CostPerUse",
    "Initials",
    "EmailAddress",
    "Group",
]
_LINK_TAGS = ["PredecessorUID", "Type", "CrossProject", "LinkLag", "LagFormat"]
_BASELINE_TAGS = ["Number", "Start", "Finish", "Duration", "Work", "Cost"]
_ASSIGNMENT_TAGS = ["UID", "TaskUID", "ResourceUID", "Units", "Work", "ActualWork", "WorkContour"]
_TIMEPHASED_TAGS = ["Type", "Start", "Finish", "Value"]
_CONTOURED = 8  # WorkContour: work edited by hand (its timephased data is the input)
_WORK_TYPES = ("1", "2")  # TimephasedData Type: assignment remaining work, actual work

Fields = dict[str, Element]


@dataclass(frozen=True, slots=True)
class StoredTask:
    """A task row as MS Project saved it: its own computed dates and flags."""

    uid: int
    name: str
    start: dt.datetime | None
    finish: dt.datetime | None
    summary: bool
    manual: bool
    active: bool
    is_null: bool
    milestone: bool
    outline_level: int = 1
    duration: int | None = None  # minutes (calendar minutes when elapsed)
    early_start: dt.datetime | None = None
    early_finish: dt.datetime | None = None
    late_start: dt.datetime | None = None
    late_finish: dt.datetime | None = None
    total_slack: int | None = None  # minutes
    free_slack: int | None = None
    critical: bool = False
    percent_complete: float = 0.0


@dataclass(frozen=True, slots=True)
class Document:
    root: Element
    ns: str  # "{namespace}" or ""


def parse(stream: BinaryIO, name: str) -> Document:
    # no entities, no network: a project file never needs them
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        remove_comments=True,
        remove_pis=True,
        remove_blank_text=True,  # the indentation between elements: fewer nodes to walk
        huge_tree=True,
    )
    try:
        # parsed from bytes in memory: 10 % faster than lxml's reads from a stream, and
        # the bytes are dropped once parsed (the tree takes several times more)
        root = etree.fromstring(stream.read(), parser)
    except etree.XMLSyntaxError as exc:
        raise FormatError(f"malformed XML: {exc.msg}", path=name, line=exc.lineno or None) from None
    except OSError as exc:
        raise FormatError(f"cannot read the file: {exc}", path=name) from None
    qname = etree.QName(root)
    namespace = qname.namespace or ""
    if qname.localname != "Project" or (namespace and not namespace.startswith(NS)):
        raise FormatError(
            f"not an MS Project XML (MSPDI) file: root element is <{qname.localname}>"
            + (f" in namespace {namespace!r}, not {NS!r}" if namespace else ""),
            path=name,
            line=_line(root),
        )
    return Document(root, f"{{{namespace}}}" if namespace else "")


def read_plan(doc: Document, name: str) -> Plan:
    return _Reader(name, doc.ns).plan(doc.root)


def read_stored(doc: Document, name: str) -> list[StoredTask]:
    return _Reader(name, doc.ns).stored(doc.root)


def _line(el: Element) -> int | None:
    line = el.sourceline
    return line if isinstance(line, int) else None


def _last_day(first: dt.datetime, last: dt.datetime) -> dt.date:
    """The last day of a period; an end at midnight belongs to the day before."""
    day = last.date()
    if last.time() == dt.time() and day > first.date():
        day -= dt.timedelta(days=1)
    return max(day, first.date())


def _task_who(uid: int, label: str) -> str:
    return f"task uid {uid} '{label}'" if label else f"task uid {uid}"


def _uid(text: str | None, memo: Memo[int | None]) -> int | None:
    """A uid: each one is different, so converted directly (the memo for the rest)."""
    if text is not None:
        try:
            return int(text)
        except ValueError:
            pass
    return memo[text]  # no element, a blank, "3.0", or the error naming the field


def _constraint_type(text: str) -> ConstraintType:
    code = to_int(text)
    if not 0 <= code <= 7:
        raise NotAValueError("0 to 7")
    return ConstraintType(code)


def _link_type(text: str) -> LinkType:
    code = to_int(text)
    if code not in LINK_TYPES:
        raise NotAValueError("0=FF, 1=FS, 2=SF or 3=SS")
    return LINK_TYPES[code]


class _TaskValues:
    """The values of one file's task, link and baseline fields, by text (see Memo)."""

    def __init__(self) -> None:
        self.uid: Memo[int | None] = Memo("UID", to_int, None)
        self.is_null = Memo("IsNull", to_flag, False)
        self.level = Memo("OutlineLevel", to_int, 1)
        self.start: Memo[dt.datetime | None] = Memo("Start", to_date, None)
        self.finish: Memo[dt.datetime | None] = Memo("Finish", to_date, None)
        self.manual = Memo("Manual", to_flag, False)
        self.manual_start: Memo[dt.datetime | None] = Memo("ManualStart", to_date, None)
        self.manual_finish: Memo[dt.datetime | None] = Memo("ManualFinish", to_date, None)
        self.duration: Memo[int | None] = Memo("Duration", to_duration, None)
        self.duration_format: Memo[int | None] = Memo("DurationFormat", to_int, None)
        self.units: dict[str | None, tuple[DurationUnit, bool]] = {}  # (unit, elapsed)
        self.milestone: Memo[bool | None] = Memo("Milestone", to_flag, None)
        self.constraint_type = Memo("ConstraintType", _constraint_type, ConstraintType.ASAP)
        self.constraint_date: Memo[dt.datetime | None] = Memo("ConstraintDate", to_date, None)
        self.constraints: dict[tuple[ConstraintType, dt.datetime | None], Constraint] = {}
        self.percent = Memo("PercentComplete", to_float, 0.0)
        self.remaining: Memo[int | None] = Memo("RemainingDuration", to_duration, None)
        self.calendar_uid: Memo[int | None] = Memo("CalendarUID", to_int, None)
        self.deadline: Memo[dt.datetime | None] = Memo("Deadline", to_date, None)
        self.active = Memo("Active", to_flag, True)
        self.actual_start: Memo[dt.datetime | None] = Memo("ActualStart", to_date, None)
        self.actual_finish: Memo[dt.datetime | None] = Memo("ActualFinish", to_date, None)
        self.priority = Memo("Priority", to_int, 500)
        self.leveling_delay = Memo("LevelingDelay", to_float, 0.0)
        # PredecessorLink
        self.cross_project = Memo("CrossProject", to_flag, False)
        self.predecessor: Memo[int | None] = Memo("PredecessorUID", to_int, None)
        self.link_type = Memo("Type", _link_type, LinkType.FS)
        self.link_lag = Memo("LinkLag", to_float, 0.0)
        self.lag_format: Memo[int | None] = Memo("LagFormat", to_int, None)
        self.lags: dict[tuple[str | None, str | None], Lag] = {}
        # Baseline
        self.baseline_number = Memo("Number", to_int, 0)
        self.baseline_start: Memo[dt.datetime | None] = Memo("Start", to_date, None)
        self.baseline_finish: Memo[dt.datetime | None] = Memo("Finish", to_date, None)
        self.baseline_duration: Memo[int | None] = Memo("Duration", to_duration, None)
        self.baseline_work: Memo[int | None] = Memo("Work", to_duration, None)
        self.baseline_cost = Memo("Cost", to_float, 0.0)


class _Reader:
    """One pass over a parsed document; every conversion names the element at fault."""

    def __init__(self, name: str, ns: str) -> None:
        self.name = name
        self.ns = ns
        self.cut = len(ns)
        self.default_unit = DurationUnit.DAY
        self.calendar_names: dict[int, str] = {}
        self.task_contours: dict[int, tuple[WorkPeriod, ...]] = {}  # work of no resource

    # -- field access and conversions --------------------------------------------------
    def fields(self, el: Element, tags: list[str] | None = None) -> Fields:
        cut = self.cut
        if tags is None:
            return {ch.tag[cut:]: ch for ch in el if isinstance(ch.tag, str)}
        return {ch.tag[cut:]: ch for ch in el.iterchildren(*[self.ns + t for t in tags])}

    def children(self, el: Element | None, tag: str) -> Iterator[Element]:
        return iter(()) if el is None else el.iterchildren(self.ns + tag)

    def fail(self, message: str, el: Element | None = None) -> FormatError:
        return FormatError(message, path=self.name, line=None if el is None else _line(el))

    def bad_value(self, el: Element, exc: BadValueError, who: str) -> FormatError:
        """``exc`` about a field of ``el``: the message names the field's own line."""
        child = el.find(self.ns + exc.field)
        return self.fail(f"{who}: {exc}", el if child is None else child)

    def bad(self, el: Element, who: str, expected: str) -> FormatError:
        tag = str(el.tag)[self.cut :]
        text = (el.text or "").strip()
        return self.fail(f"{who}: <{tag}> has a bad value {text!r} ({expected})", el)

    @staticmethod
    def raw(f: Fields, key: str) -> str | None:
        el = f.get(key)
        text = None if el is None else el.text
        return (text.strip() or None) if text else None

    def convert(self, f: Fields, key: str, who: str, to: Callable[[str], T]) -> T | None:
        """``f[key]``'s text converted by ``to`` (None when absent or blank)."""
        text = self.raw(f, key)
        if text is None:
            return None
        try:
            return to(text)
        except NotAValueError as exc:
            raise self.bad(f[key], who, str(exc)) from None

    def opt_int(self, f: Fields, key: str, who: str) -> int | None:
        return self.convert(f, key, who, to_int)

    def int_(self, f: Fields, key: str, who: str, default: int) -> int:
        value = self.convert(f, key, who, to_int)
        return default if value is None else value

    def float_(self, f: Fields, key: str, who: str, default: float) -> float:
        value = self.convert(f, key, who, to_float)
        return default if value is None else value

    def flag(self, f: Fields, key: str, who: str, default: bool) -> bool:
        value = self.convert(f, key, who, to_flag)
        return default if value is None else value

    def date(self, f: Fields, key: str, who: str) -> dt.datetime | None:
        return self.convert(f, key, who, to_date)

    def minutes(self, f: Fields, key: str, who: str) -> float | None:
        """An xsd:duration in minutes (negative allowed: the caller decides)."""
        return self.convert(f, key, who, to_minutes)

    def duration(self, f: Fields, key: str, who: str) -> int | None:
        return self.convert(f, key, who, to_duration)

    def clock(self, f: Fields, key: str, who: str) -> int | None:
        """A time of day in minutes after midnight ("24:00:00" is 1440)."""
        return self.convert(f, key, who, to_clock)

    def unit(self, code: int | None) -> tuple[DurationUnit, bool] | None:
        """(unit, elapsed) of a duration format code; None for a percentage."""
        base = NULL_CODE if code is None else base_code(code)
        if base in PERCENT_CODES:
            return None
        return UNIT_CODES.get(base, (self.default_unit, False))

    # -- the document ------------------------------------------------------------------
    def plan(self, root: Element) -> Plan:
        f = self.fields(root)
        who = "project"
        default = self.unit(self.opt_int(f, "DurationFormat", who))
        self.default_unit = default[0] if default else DurationUnit.DAY
        minutes_per_day = self.int_(f, "MinutesPerDay", who, 480)
        if minutes_per_day <= 0:
            raise self.bad(f["MinutesPerDay"], who, "a positive number of minutes")
        resources_el = f.get("Resources")
        calendars, project_calendar = self.calendars(f, resources_el)
        tasks, links, baselines, summary_name = self.tasks(f.get("Tasks"))
        durations = {t.uid: t.duration for t in tasks}
        resources = self.resources(resources_el)
        assignments = self.assignments(f.get("Assignments"), durations, {r.uid for r in resources})
        if self.task_contours:  # split tasks without resources
            tasks = [replace(t, contour=self.task_contours.get(t.uid, ())) for t in tasks]

        start, finish = self.date(f, "StartDate", who), self.date(f, "FinishDate", who)
        if start is None:
            dated = [t.start for t in tasks if t.start is not None]
            if not dated:
                raise self.fail("the project has no <StartDate>", root)
            start = min(dated)
        from_finish = not self.flag(f, "ScheduleFromStart", who, True)
        if from_finish and finish is None:
            raise self.fail("a project scheduled from its finish needs a <FinishDate>", root)
        return Plan(
            name=self.raw(f, "Title") or self.raw(f, "Name") or summary_name or "Untitled project",
            start=start,
            finish=finish if from_finish else None,  # otherwise a result, not an input
            schedule_from_finish=from_finish,
            status_date=self.date(f, "StatusDate", who),
            tasks=tuple(tasks),
            links=tuple(links),
            calendars=tuple(calendars),
            calendar=project_calendar,
            resources=tuple(resources),
            assignments=tuple(assignments),
            baselines=tuple(baselines),
            minutes_per_day=minutes_per_day,
            minutes_per_week=self.int_(f, "MinutesPerWeek", who, 2400),
            days_per_month=self.int_(f, "DaysPerMonth", who, 20),
            critical_slack_limit=self.int_(f, "CriticalSlackLimit", who, 0) * minutes_per_day,
            currency=self.raw(f, "CurrencyCode") or "EUR",
            metadata={"format": "mspdi", "save_version": self.opt_int(f, "SaveVersion", who)},
        )

    # -- calendars ---------------------------------------------------------------------
    def calendars(self, f: Fields, resources_el: Element | None) -> tuple[list[CalendarSpec], str]:
        # resource calendars often have no name of their own: they take their resource's
        owner: dict[int, str] = {}
        for el in self.children(resources_el, "Resource"):
            rf = self.fields(el, ["Name", "CalendarUID"])
            uid, label = self.opt_int(rf, "CalendarUID", "resource"), self.raw(rf, "Name")
            if uid is not None and label:
                owner.setdefault(uid, label)
        raw: list[tuple[int, str, Fields, Element]] = []
        for el in self.children(f.get("Calendars"), "Calendar"):
            cf = self.fields(el)
            uid = self.opt_int(cf, "UID", "calendar")
            if uid is None:
                raise self.fail("a <Calendar> has no <UID>", el)
            label = (cf["Name"].text or "").strip() if "Name" in cf else ""
            raw.append((uid, label or owner.get(uid) or f"Calendar {uid}", cf, el))
        names = self.calendar_names
        used: set[str] = set()
        for uid, label, _cf, el in raw:
            if uid in names:
                raise self.fail(f"two calendars have the uid {uid}", el)
            unique, n = label, 1
            while unique in used:  # duplicate names: keep both, tell them apart by uid
                unique = f"{label} (uid {uid})" if n == 1 else f"{label} (uid {uid}, {n})"
                n += 1
            used.add(unique)
            names[uid] = unique
        specs: list[CalendarSpec] = []
        for uid, _label, cf, _el in raw:
            who = f"calendar '{names[uid]}' (uid {uid})"
            base_uid = self.opt_int(cf, "BaseCalendarUID", who)
            is_base = self.flag(cf, "IsBaseCalendar", who, True)
            base = (
                None
                if is_base or base_uid == uid
                else names.get(-1 if base_uid is None else base_uid)
            )
            week, exceptions = self.week(cf, who)
            specs.append(CalendarSpec(names[uid], week, base, exceptions, uid=uid))
        project_uid = self.opt_int(f, "CalendarUID", "project")
        project = names.get(-1 if project_uid is None else project_uid)
        if project is None:  # no (known) project calendar: Standard, or the first base one
            standard = [s.name for s in specs if s.name == "Standard"]
            bases = [s.name for s in specs if s.base is None]
            project = (standard or bases or ["Standard"])[0]
        return specs, project

    def week(
        self, cf: Fields, who: str
    ) -> tuple[dict[int, tuple[WorkingTime, ...]], tuple[CalendarException, ...]]:
        week: dict[int, tuple[WorkingTime, ...]] = {}
        legacy: list[CalendarException] = []
        for el in self.children(cf.get("WeekDays"), "WeekDay"):
            df = self.fields(el)
            day_type = self.opt_int(df, "DayType", who)
            times = self.working_times(df.get("WorkingTimes"), who)
            working = self.flag(df, "DayWorking", who, bool(times))
            if day_type == 0:  # before Project 2007, exceptions were "day type 0" rows
                tf = self.fields(df["TimePeriod"]) if "TimePeriod" in df else {}
                first, last = self.date(tf, "FromDate", who), self.date(tf, "ToDate", who)
                if first is not None and last is not None:
                    times = (times or STANDARD_DAY) if working else ()
                    legacy.append(CalendarException(first.date(), _last_day(first, last), times))
            elif day_type is not None and 1 <= day_type <= 7:
                if working or "DayWorking" in df:
                    # a working day without times has MS Project's default hours
                    week[day_type_to_weekday(day_type)] = (times or STANDARD_DAY) if working else ()
            elif day_type is None:
                raise self.fail(f"{who}: a <WeekDay> has no <DayType>", el)
            else:
                raise self.bad(df["DayType"], who, "0 to 7")
        # Project 2007 and later write both forms; <Exceptions> is the complete one
        exceptions = [
            exc
            for el in self.children(cf.get("Exceptions"), "Exception")
            if (exc := self.exception(el, who)) is not None
        ]
        return week, tuple(exceptions or legacy)

    def working_times(self, el: Element | None, who: str) -> tuple[WorkingTime, ...]:
        times: list[WorkingTime] = []
        for wt in self.children(el, "WorkingTime"):
            wf = self.fields(wt)
            start, end = self.clock(wf, "FromTime", who), self.clock(wf, "ToTime", who)
            if start is None or end is None:
                continue
            if end <= start:  # an end of "00:00:00" is the midnight that ends the day
                end = 1440
            try:
                times.append(WorkingTime(start, end))
            except PlanError:
                raise self.fail(
                    f"{who}: working time {start}-{end} is not within a day", wt
                ) from None
        return tuple(times)

    def exception(self, el: Element, who: str) -> CalendarException | None:
        ef = self.fields(el)
        tf = self.fields(ef["TimePeriod"]) if "TimePeriod" in ef else {}
        first, last = self.date(tf, "FromDate", who), self.date(tf, "ToDate", who)
        if first is None or last is None:
            return None  # MS Project ignores an exception without dates
        times = self.working_times(ef.get("WorkingTimes"), who)
        working = self.flag(ef, "DayWorking", who, bool(times))
        return CalendarException(
            start=first.date(),
            finish=_last_day(first, last),
            working_times=(times or STANDARD_DAY) if working else (),
            name=(ef["Name"].text or "").strip() if "Name" in ef else "",
            recurrence=self.recurrence(ef, first.date(), who),
        )

    def recurrence(self, ef: Fields, start: dt.date, who: str) -> Recurrence | None:
        """Exception/Type: 1 daily, 2 yearly on a day, 3 yearly on the nth weekday,
        4 monthly on a day, 5 monthly on the nth weekday, 6 weekly, 7 every N days."""
        kind = self.int_(ef, "Type", who, 1)
        period = max(1, self.int_(ef, "Period", who, 1))
        occurrences = None
        if self.flag(ef, "EnteredByOccurrences", who, False):
            occurrences = self.opt_int(ef, "Occurrences", who)
        if kind in (1, 7, 8):  # (8, "every N weekdays", is kept as every N days)
            if period == 1:
                return None  # every day of the period: a plain range
            return Recurrence(RecurrenceType.DAILY, interval=period, occurrences=occurrences)
        if kind == 6:  # DaysOfWeek: 1 = Sunday, 2 = Monday ... 64 = Saturday
            mask = self.int_(ef, "DaysOfWeek", who, 0)
            days = tuple(sorted(day_type_to_weekday(b + 1) for b in range(7) if mask & (1 << b)))
            return Recurrence(RecurrenceType.WEEKLY, period, weekdays=days, occurrences=occurrences)
        if kind not in (2, 3, 4, 5):
            return None
        yearly = kind in (2, 3)
        rtype = RecurrenceType.YEARLY if yearly else RecurrenceType.MONTHLY
        month = None
        if yearly:  # Month: 0 = January
            month = self.int_(ef, "Month", who, start.month - 1) + 1
        interval = 1 if yearly else period
        if kind in (2, 4):
            day = self.int_(ef, "MonthDay", who, start.day)
            return Recurrence(rtype, interval, day=day, month=month, occurrences=occurrences)
        # MonthPosition 0-3 = first to fourth, 4 = last; MonthItem 3 = Sunday ... 9 = Saturday
        nth = min(5, self.int_(ef, "MonthPosition", who, 0) + 1)
        item = self.int_(ef, "MonthItem", who, 3)
        if item < 3:  # the nth day / weekday / weekend day of the month: kept as day n
            day = 31 if nth == 5 else nth
            return Recurrence(rtype, interval, day=day, month=month, occurrences=occurrences)
        weekday = day_type_to_weekday(item - 2)
        return Recurrence(
            rtype, interval, nth=nth, weekday=weekday, month=month, occurrences=occurrences
        )

    # -- tasks -------------------------------------------------------------------------
    def tasks(
        self, tasks_el: Element | None
    ) -> tuple[list[Task], list[Link], list[Baseline], str | None]:
        m = _TaskValues()
        tasks: list[Task] = []
        pending: list[tuple[Link, Element]] = []
        null_uids: set[int] = set()
        baselines: dict[int, dict[int, BaselineTask]] = {}
        stack: list[tuple[int, int]] = []  # (outline level, uid) of the open summaries
        counters: dict[int | None, int] = {}
        numbers: dict[int, str] = {}
        summary_name: str | None = None
        children = {"PredecessorLink": _LINK_TAGS, "Baseline": _BASELINE_TAGS}
        for row in rows(tasks_el, self.ns, "Task", _TASK_TAGS, children):
            f = row.texts
            try:
                uid = _uid(f.get("UID"), m.uid)
            except BadValueError as exc:
                raise self.bad_value(row.element, exc, "task") from None
            if uid is None:
                raise self.fail("a <Task> has no <UID>", row.element)
            label = f.get("Name") or ""
            if "\n" in label:  # a file re-indented by an XML tool: the layout is not the name
                label = " ".join(label.split())
            try:
                if m.is_null[f.get("IsNull")]:
                    null_uids.add(uid)  # a blank row in MS Project
                    continue
                if uid == 0:  # the project summary task
                    summary_name = label or None
                    continue
                # the outline comes from OutlineLevel alone; OutlineNumber is derived from it,
                # except in files written without OutlineLevel (its dots give the level)
                level_text, number_text = f.get("OutlineLevel"), f.get("OutlineNumber")
                if level_text is None and number_text and number_text.strip():
                    level = number_text.strip().count(".") + 1
                else:
                    level = m.level[level_text]
                while stack and stack[-1][0] >= level:
                    stack.pop()
                parent = stack[-1][1] if stack else None
                stack.append((level, uid))
                counters[parent] = count = counters.get(parent, 0) + 1
                numbers[uid] = number = (
                    f"{numbers[parent]}.{count}" if parent is not None else str(count)
                )
                tasks.append(self.task(row, m, uid, label, parent, number))
            except BadValueError as exc:
                raise self.bad_value(row.element, exc, _task_who(uid, label)) from None
            for name, el, texts in row.children:
                if name == "PredecessorLink":
                    link = self.link(el, texts, m, uid, label)
                    if link is not None:
                        pending.append((link, el))
            for name, el, texts in row.children:
                if name == "Baseline":
                    number_, baseline = self.baseline(el, texts, m, uid, label)
                    if 0 <= number_ <= 10:
                        baselines.setdefault(number_, {})[uid] = baseline
        parents = set(counters)
        for i, task in enumerate(tasks):
            if task.uid in parents and not task.manual:
                # an automatic summary's duration and progress roll up from its subtasks
                progress = replace(task.progress, remaining_minutes=None)
                tasks[i] = replace(task, duration=0, milestone=None, progress=progress)
        kept = numbers
        links = []
        for link, el in pending:
            if link.predecessor in kept:
                links.append(link)
            elif link.predecessor not in null_uids:  # links to blank rows are dropped
                label = next(t.name for t in tasks if t.uid == link.successor)
                raise self.fail(
                    f"{_task_who(link.successor, label)}: "
                    f"predecessor uid {link.predecessor} does not exist",
                    el,
                )
        plan_baselines = [
            Baseline(number=n, tasks={u: b for u, b in by_uid.items() if u in kept})
            for n, by_uid in sorted(baselines.items())
        ]
        return tasks, links, plan_baselines, summary_name

    def task(
        self, row: Row, m: _TaskValues, uid: int, label: str, parent: int | None, number: str
    ) -> Task:
        f = row.texts
        get = f.get
        start, finish = m.start[get("Start")], m.finish[get("Finish")]
        manual = m.manual[get("Manual")]
        if manual:  # ManualStart/Finish hold what the user typed (Start/Finish in old files)
            start = m.manual_start[get("ManualStart")] or start
            finish = m.manual_finish[get("ManualFinish")] or finish
            manual = start is not None and finish is not None  # no dates: schedule it
        duration = m.duration[get("Duration")] or 0
        code = get("DurationFormat")
        shown = m.units.get(code)
        if shown is None:
            shown = self.unit(m.duration_format[code]) or (self.default_unit, False)
            m.units[code] = shown
        unit, elapsed = shown
        # MS Project flags every zero-length task a milestone: keep the flag only when it differs
        milestone = m.milestone[get("Milestone")]
        if milestone is not None and milestone == (duration == 0):
            milestone = None
        ctype = m.constraint_type[get("ConstraintType")]
        if ctype is ConstraintType.ASAP:
            constraint = ASAP
        else:
            cdate = m.constraint_date[get("ConstraintDate")] if ctype in DATED_CONSTRAINTS else None
            if ctype in DATED_CONSTRAINTS and cdate is None:  # MS Project shows the task's date
                starts = (ConstraintType.MSO, ConstraintType.SNET, ConstraintType.SNLT)
                cdate = start if ctype in starts else finish
                if cdate is None:
                    el = row.element.find(self.ns + "ConstraintType")
                    raise self.fail(
                        f"{_task_who(uid, label)}: constraint {ctype.name} has no <ConstraintDate>",
                        row.element if el is None else el,
                    )
            constraint = m.constraints.get((ctype, cdate)) or m.constraints.setdefault(
                (ctype, cdate), Constraint(ctype, cdate)
            )
        percent = m.percent[get("PercentComplete")]
        remaining = m.remaining[get("RemainingDuration")]
        # MS Project always writes RemainingDuration: keep it only when % complete doesn't give it
        if (
            remaining is not None
            and abs(remaining - (duration - round(duration * percent / 100))) <= 1
        ):
            remaining = None
        wbs = get("WBS")
        wbs = (wbs.strip() or None) if wbs else None
        calendar_uid = m.calendar_uid[get("CalendarUID")]
        deadline = m.deadline[get("Deadline")]
        active = m.active[get("Active")]
        actual_start = m.actual_start[get("ActualStart")]
        actual_finish = m.actual_finish[get("ActualFinish")]
        if actual_start is None and actual_finish is None and not percent and remaining is None:
            progress = NO_PROGRESS
        else:
            progress = Progress(actual_start, actual_finish, percent, remaining)
        return Task(
            uid=uid,
            name=label,
            duration=duration,
            parent=parent,
            elapsed=elapsed,
            duration_unit=unit,
            milestone=milestone,
            constraint=constraint,
            deadline=deadline,
            calendar=self.calendar_names.get(-1 if calendar_uid is None else calendar_uid),
            manual=manual,
            start=start if manual else None,
            finish=finish if manual else None,
            active=active,
            progress=progress,
            priority=m.priority[get("Priority")],
            leveling_delay=round(m.leveling_delay[get("LevelingDelay")] / 10),
            wbs=None if wbs is None or wbs == number else wbs,
            notes=get("Notes") or "",
        )

    def link(
        self, el: Element, f: Texts, m: _TaskValues, successor: int, label: str
    ) -> Link | None:
        get = f.get
        try:
            if m.cross_project[get("CrossProject")]:
                return None  # a link to another project's task: nothing to schedule here
            predecessor = _uid(get("PredecessorUID"), m.predecessor)
            if predecessor is None:
                raise self.fail(
                    f"{_task_who(successor, label)}: a <PredecessorLink> has no <PredecessorUID>",
                    el,
                )
            link_type = m.link_type[get("Type")]
            key = (get("LinkLag"), get("LagFormat"))
            lag = m.lags.get(key)
            if lag is None:
                raw = m.link_lag[key[0]]
                unit = self.unit(m.lag_format[key[1]])
                # tenths of a minute; a percentage lag is a whole percent (as MPXJ reads it)
                value = raw if unit is None else raw / 10
                amount: float = int(value) if value.is_integer() else value
                if unit is None:
                    lag = Lag(amount, LagKind.PERCENT)
                else:
                    lag = Lag(amount, LagKind.ELAPSED if unit[1] else LagKind.WORK, unit[0])
                m.lags[key] = lag
        except BadValueError as exc:
            raise self.bad_value(el, exc, _task_who(successor, label)) from None
        return Link(predecessor, successor, link_type, lag)

    def baseline(
        self, el: Element, f: Texts, m: _TaskValues, uid: int, label: str
    ) -> tuple[int, BaselineTask]:
        get = f.get
        try:
            return m.baseline_number[get("Number")], BaselineTask(
                start=m.baseline_start[get("Start")],
                finish=m.baseline_finish[get("Finish")],
                duration=m.baseline_duration[get("Duration")] or 0,
                work=m.baseline_work[get("Work")] or 0,
                # MSPDI writes money in hundredths of the currency unit (as MPXJ reads it)
                cost=m.baseline_cost[get("Cost")] / 100,
            )
        except BadValueError as exc:
            raise self.bad_value(el, exc, _task_who(uid, label)) from None

    # -- resources and assignments -----------------------------------------------------
    def resources(self, el: Element | None) -> list[Resource]:
        out: list[Resource] = []
        for r_el in self.children(el, "Resource"):
            f = self.fields(r_el, _RESOURCE_TAGS)
            uid = self.opt_int(f, "UID", "resource")
            if uid is None:
                raise self.fail("a <Resource> has no <UID>", r_el)
            who = f"resource uid {uid}"
            if uid == 0 or self.flag(f, "IsNull", who, False):
                continue  # UID 0 is MS Project's unnamed placeholder
            code = self.int_(f, "Type", who, 1)  # 0 material, 1 work (2007+: IsCostResource)
            if code == 2 or self.flag(f, "IsCostResource", who, False):
                kind = ResourceType.COST
            else:
                kind = ResourceType.MATERIAL if code == 0 else ResourceType.WORK
            calendar_uid = self.opt_int(f, "CalendarUID", who)
            out.append(
                Resource(
                    uid=uid,
                    name=self.raw(f, "Name") or f"Resource {uid}",
                    type=kind,
                    max_units=self.float_(f, "MaxUnits", who, 1.0),
                    calendar=self.calendar_names.get(-1 if calendar_uid is None else calendar_uid),
                    standard_rate=self.float_(f, "StandardRate", who, 0.0),
                    overtime_rate=self.float_(f, "OvertimeRate", who, 0.0),
                    cost_per_use=self.float_(f, "CostPerUse", who, 0.0) / 100,
                    initials=self.raw(f, "Initials") or "",
                    email=self.raw(f, "EmailAddress") or "",
                    group=self.raw(f, "Group") or "",
                )
            )
        return out

    def assignments(
        self, el: Element | None, durations: dict[int, int], resource_uids: set[int]
    ) -> list[Assignment]:
        out: list[Assignment] = []
        task_uid: Memo[int | None] = Memo("TaskUID", to_int, None)
        resource_uid: Memo[int | None] = Memo("ResourceUID", to_int, None)
        work_contour = Memo("WorkContour", to_int, 0)
        units_ = Memo("Units", to_float, 1.0)
        work_: Memo[int | None] = Memo("Work", to_duration, None)
        actual_work: Memo[int | None] = Memo("ActualWork", to_duration, None)
        uid_: Memo[int | None] = Memo("UID", to_int, None)
        for row in rows(el, self.ns, "Assignment", _ASSIGNMENT_TAGS, {}):
            get = row.texts.get
            try:
                task = _uid(get("TaskUID"), task_uid)
                resource = _uid(get("ResourceUID"), resource_uid)
            except BadValueError as exc:
                raise self.bad_value(row.element, exc, "assignment") from None
            # "unassigned" rows (-65535), the project summary, blank rows, unknown resources
            if task is None or resource is None or task not in durations:
                continue
            who = f"assignment of resource uid {resource} to task uid {task}"
            try:
                edited = work_contour[get("WorkContour")] == _CONTOURED
                contour = self.contour(row.element, who) if edited else ()
                if resource not in resource_uids:
                    if contour and resource < 0:  # work of no resource: the task's own
                        self.task_contours[task] = contour
                    continue
                units = units_[get("Units")]
                work = work_[get("Work")]
                if work is not None and abs(work - round(durations[task] * units)) <= 1:
                    work = None  # the default: duration x units
                assignment = Assignment(
                    task=task,
                    resource=resource,
                    units=units,
                    work=work,
                    actual_work=actual_work[get("ActualWork")] or 0,
                    uid=_uid(get("UID"), uid_),
                    contour=contour,
                )
            except BadValueError as exc:
                raise self.bad_value(row.element, exc, who) from None
            out.append(assignment)
        return out

    def contour(self, el: Element, who: str) -> tuple[WorkPeriod, ...]:
        """Timephased work (planned and actual) of an assignment, in time order."""
        periods = []
        for tp in self.children(el, "TimephasedData"):
            f = self.fields(tp, _TIMEPHASED_TAGS)
            if self.raw(f, "Type") not in _WORK_TYPES:
                continue
            start, finish = self.date(f, "Start", who), self.date(f, "Finish", who)
            if start is None or finish is None or finish < start:
                raise self.fail(f"{who}: <TimephasedData> without a forward period", tp)
            work = self.minutes(f, "Value", who) or 0.0
            periods.append(WorkPeriod(start, finish, max(round(work), 0)))
        periods.sort(key=lambda p: (p.start, p.finish))
        return tuple(periods)

    # -- the stored schedule -----------------------------------------------------------
    def stored(self, root: Element) -> list[StoredTask]:
        out: list[StoredTask] = []
        tasks_el = next(self.children(root, "Tasks"), None)
        for el in self.children(tasks_el, "Task"):
            f = self.fields(el, _STORED_TAGS)
            uid = self.opt_int(f, "UID", "task")
            if uid is None:
                raise self.fail("a <Task> has no <UID>", el)
            who = f"task uid {uid}"
            total = self.float_(f, "TotalSlack", who, math.nan)
            free = self.float_(f, "FreeSlack", who, math.nan)
            duration = self.duration(f, "Duration", who)
            out.append(
                StoredTask(
                    uid=uid,
                    name=(f["Name"].text or "") if "Name" in f else "",
                    start=self.date(f, "Start", who),
                    finish=self.date(f, "Finish", who),
                    summary=self.flag(f, "Summary", who, False),
                    manual=self.flag(f, "Manual", who, False),
                    active=self.flag(f, "Active", who, True),
                    is_null=self.flag(f, "IsNull", who, False),
                    milestone=self.flag(f, "Milestone", who, duration == 0),
                    outline_level=self.int_(f, "OutlineLevel", who, 1),
                    duration=duration,
                    early_start=self.date(f, "EarlyStart", who),
                    early_finish=self.date(f, "EarlyFinish", who),
                    late_start=self.date(f, "LateStart", who),
                    late_finish=self.date(f, "LateFinish", who),
                    total_slack=None if math.isnan(total) else round(total / 10),
                    free_slack=None if math.isnan(free) else round(free / 10),
                    critical=self.flag(f, "Critical", who, False),
                    percent_complete=self.float_(f, "PercentComplete", who, 0.0),
                )
            )
        return out
