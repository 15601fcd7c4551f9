"""The plan model: frozen, validated dataclasses.

Durations, work and lags are integers in minutes (working minutes unless ``elapsed``);
dates are naive datetimes, as MS Project writes them. A :class:`Plan` validates itself
when it is built and raises a :class:`~jalon.engine.errors.PlanError` naming the task and
the field at fault.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum, IntEnum
from functools import cached_property
from typing import Any

from jalon.engine.errors import CycleError, UnknownReferenceError, ValidationError


class LinkType(str, Enum):
    FS = "FS"
    SS = "SS"
    FF = "FF"
    SF = "SF"


class LagKind(str, Enum):
    WORK = "work"  # working minutes in the successor's calendar (MS Project's rule)
    ELAPSED = "elapsed"  # calendar minutes
    PERCENT = "percent"  # percent of the predecessor's duration


class ConstraintType(IntEnum):
    """Values are MSPDI's ``ConstraintType`` codes."""

    ASAP = 0
    ALAP = 1
    MSO = 2
    MFO = 3
    SNET = 4
    SNLT = 5
    FNET = 6
    FNLT = 7


DATED_CONSTRAINTS = frozenset(
    {
        ConstraintType.MSO,
        ConstraintType.MFO,
        ConstraintType.SNET,
        ConstraintType.SNLT,
        ConstraintType.FNET,
        ConstraintType.FNLT,
    }
)


class DurationUnit(str, Enum):
    """How a duration is shown; the value itself is always kept in minutes."""

    MINUTE = "m"
    HOUR = "h"
    DAY = "d"
    WEEK = "w"
    MONTH = "mo"


class ResourceType(str, Enum):
    WORK = "work"
    MATERIAL = "material"
    COST = "cost"


@dataclass(frozen=True, slots=True)
class Lag:
    value: float = 0  # minutes for WORK/ELAPSED, percent for PERCENT
    kind: LagKind = LagKind.WORK
    unit: DurationUnit = DurationUnit.DAY

    @property
    def is_zero(self) -> bool:
        return self.value == 0


@dataclass(frozen=True, slots=True)
class Link:
    predecessor: int
    successor: int
    type: LinkType = LinkType.FS
    lag: Lag = Lag()


@dataclass(frozen=True, slots=True)
class Constraint:
    type: ConstraintType = ConstraintType.ASAP
    date: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Progress:
    actual_start: dt.datetime | None = None
    actual_finish: dt.datetime | None = None
    percent_complete: float = 0.0
    remaining_minutes: int | None = None  # None: derived from % complete

    @property
    def started(self) -> bool:
        return self.actual_start is not None


NO_PROGRESS = Progress()
ASAP = Constraint()


@dataclass(frozen=True, slots=True)
class WorkPeriod:
    """A stretch of timephased work: ``work`` minutes done between ``start`` and ``finish``."""

    start: dt.datetime
    finish: dt.datetime
    work: int = 0  # minutes; 0 within working time: the work pauses (a split)


@dataclass(frozen=True, slots=True)
class Task:
    uid: int
    name: str
    duration: int = 0  # minutes
    parent: int | None = None  # uid of the summary task, None at the top level
    elapsed: bool = False  # duration counts calendar time (MS Project's "edays")
    duration_unit: DurationUnit = DurationUnit.DAY
    milestone: bool | None = None  # None: a task of zero duration is a milestone
    constraint: Constraint = ASAP
    deadline: dt.datetime | None = None
    calendar: str | None = None  # None: the project calendar
    manual: bool = False
    start: dt.datetime | None = None  # manual tasks: the dates the user typed
    finish: dt.datetime | None = None
    active: bool = True
    progress: Progress = NO_PROGRESS
    priority: int = 500
    leveling_delay: int = 0  # elapsed minutes added before the start
    wbs: str | None = None  # a custom WBS code; None: the outline number
    notes: str = ""
    # work edited by hand and not assigned to a resource (a split task), in time order;
    # empty: the work runs without interruption for ``duration``
    contour: tuple[WorkPeriod, ...] = ()

    @property
    def is_milestone(self) -> bool:
        return self.duration == 0 if self.milestone is None else self.milestone


@dataclass(frozen=True, slots=True)
class WorkingTime:
    start: int  # minutes after midnight
    end: int  # minutes after midnight, up to 1440

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end <= 1440:
            raise ValidationError(
                f"working time {self.start}-{self.end} is not within one day", field="working_times"
            )


class RecurrenceType(str, Enum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    YEARLY = "yearly"


@dataclass(frozen=True, slots=True)
class Recurrence:
    """A recurring exception: every ``interval`` days/weeks/months/years, from ``start``.

    Weekly: on ``weekdays`` (0 = Monday). Monthly and yearly: on ``day`` of the month,
    or on the ``nth`` (1-4, 5 = last) ``weekday`` of the month; yearly in ``month``.
    Ends after ``occurrences`` or on the exception's finish date.
    """

    type: RecurrenceType
    interval: int = 1
    weekdays: tuple[int, ...] = ()
    day: int | None = None
    nth: int | None = None
    weekday: int | None = None
    month: int | None = None
    occurrences: int | None = None


@dataclass(frozen=True, slots=True)
class CalendarException:
    start: dt.date
    finish: dt.date
    working_times: tuple[WorkingTime, ...] = ()  # empty: non-working
    name: str = ""
    recurrence: Recurrence | None = None

    @property
    def working(self) -> bool:
        return bool(self.working_times)


STANDARD_DAY = (WorkingTime(480, 720), WorkingTime(780, 1020))


@dataclass(frozen=True, slots=True)
class CalendarSpec:
    """A working calendar. ``week`` maps weekday (0 = Monday) to its working times;
    weekdays missing from ``week`` are inherited from ``base`` (a derived calendar) or,
    without a base, follow MS Project's Standard week."""

    name: str
    week: Mapping[int, tuple[WorkingTime, ...]] = field(default_factory=dict)
    base: str | None = None
    exceptions: tuple[CalendarException, ...] = ()
    country: str | None = None  # public holidays from the `holidays` package
    subdivision: str | None = None  # region / state / canton for those holidays
    uid: int | None = None

    def __hash__(self) -> int:
        return hash((self.name, self.base, self.country, self.subdivision))


def standard_calendar(name: str = "Standard") -> CalendarSpec:
    return CalendarSpec(name=name, week=dict.fromkeys(range(5), STANDARD_DAY) | {5: (), 6: ()})


def twenty_four_hours_calendar(name: str = "24 Hours") -> CalendarSpec:
    day = (WorkingTime(0, 1440),)
    return CalendarSpec(name=name, week=dict.fromkeys(range(7), day))


def night_shift_calendar(name: str = "Night Shift") -> CalendarSpec:
    # MS Project's Night Shift: Mon 23:00-24:00; Tue-Fri 00:00-03:00, 04:00-08:00,
    # 23:00-24:00; Sat 00:00-03:00, 04:00-08:00.
    night = (WorkingTime(0, 180), WorkingTime(240, 480), WorkingTime(1380, 1440))
    return CalendarSpec(
        name=name,
        week={
            0: (WorkingTime(1380, 1440),),
            1: night,
            2: night,
            3: night,
            4: night,
            5: (WorkingTime(0, 180), WorkingTime(240, 480)),
            6: (),
        },
    )


BUILTIN_CALENDARS = {
    "Standard": standard_calendar,
    "24 Hours": twenty_four_hours_calendar,
    "Night Shift": night_shift_calendar,
}


@dataclass(frozen=True, slots=True)
class Resource:
    uid: int
    name: str
    type: ResourceType = ResourceType.WORK
    max_units: float = 1.0  # 1.0 = 100 %
    calendar: str | None = None
    standard_rate: float = 0.0  # per hour
    overtime_rate: float = 0.0
    cost_per_use: float = 0.0
    initials: str = ""
    email: str = ""
    group: str = ""


@dataclass(frozen=True, slots=True)
class Assignment:
    task: int
    resource: int
    units: float = 1.0
    work: int | None = None  # minutes; None: duration x units
    actual_work: int = 0
    uid: int | None = None
    # work as edited by hand (MS Project's "contoured" assignments, splits included), in
    # time order; empty: work / units spread evenly over the resource's working time
    contour: tuple[WorkPeriod, ...] = ()


@dataclass(frozen=True, slots=True)
class BaselineTask:
    start: dt.datetime | None
    finish: dt.datetime | None
    duration: int = 0
    work: int = 0
    cost: float = 0.0


@dataclass(frozen=True, slots=True)
class Baseline:
    number: int  # 0 = "Baseline", 1..10 = "Baseline1".."Baseline10"
    tasks: Mapping[int, BaselineTask]
    saved: dt.datetime | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.number <= 10:
            raise ValidationError(
                f"baseline number {self.number} is not between 0 and 10", field="baselines"
            )

    def __hash__(self) -> int:
        return hash((self.number, self.saved))


@dataclass(frozen=True)
class Plan:
    """A whole project plan. Tasks are kept in outline order."""

    name: str
    start: dt.datetime
    tasks: tuple[Task, ...] = ()
    links: tuple[Link, ...] = ()
    calendars: tuple[CalendarSpec, ...] = ()
    calendar: str = "Standard"
    resources: tuple[Resource, ...] = ()
    assignments: tuple[Assignment, ...] = ()
    baselines: tuple[Baseline, ...] = ()
    finish: dt.datetime | None = None  # required when scheduling from the finish
    schedule_from_finish: bool = False
    status_date: dt.datetime | None = None
    minutes_per_day: int = 480
    minutes_per_week: int = 2400
    days_per_month: int = 20
    critical_slack_limit: int = 0  # minutes of total float at or under which a task is critical
    currency: str = "EUR"
    metadata: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _validate(self)

    # -- look-ups ---------------------------------------------------------------
    @cached_property
    def task_index(self) -> dict[int, int]:
        """uid -> position in ``tasks``."""
        return {t.uid: i for i, t in enumerate(self.tasks)}

    def task(self, uid: int) -> Task:
        return self.tasks[self.task_index[uid]]

    @cached_property
    def children(self) -> dict[int, list[int]]:
        """summary uid -> child uids, in outline order."""
        result: dict[int, list[int]] = {}
        for t in self.tasks:
            if t.parent is not None:
                result.setdefault(t.parent, []).append(t.uid)
        return result

    def is_summary(self, uid: int) -> bool:
        return uid in self.children

    @cached_property
    def calendar_specs(self) -> dict[str, CalendarSpec]:
        """Every calendar by name, MS Project's built-in ones included."""
        specs = {name: make() for name, make in BUILTIN_CALENDARS.items()}
        specs.update({c.name: c for c in self.calendars})
        return specs

    @cached_property
    def outline_numbers(self) -> dict[int, str]:
        """uid -> outline number ("1.2.3")."""
        counters: dict[int | None, int] = {}
        numbers: dict[int, str] = {}
        for t in self.tasks:
            counters[t.parent] = counters.get(t.parent, 0) + 1
            prefix = numbers[t.parent] + "." if t.parent is not None else ""
            numbers[t.uid] = f"{prefix}{counters[t.parent]}"
        return numbers

    def wbs(self, uid: int) -> str:
        custom = self.task(uid).wbs
        return custom if custom else self.outline_numbers[uid]

    def outline_number(self, uid: int) -> str:
        """One task's outline number, without numbering the whole plan."""
        cached = self.__dict__.get("outline_numbers")
        if cached is not None:
            return str(cached[uid])
        parts = []
        current: int | None = uid
        while current is not None:
            parent = self.tasks[self.task_index[current]].parent
            siblings = self.children.get(parent, []) if parent is not None else self.top_level
            parts.append(str(siblings.index(current) + 1))
            current = parent
        return ".".join(reversed(parts))

    @cached_property
    def top_level(self) -> list[int]:
        return [t.uid for t in self.tasks if t.parent is None]

    def label(self, uid: int) -> str:
        """How a task is named in messages: its outline number and name."""
        i = self.task_index.get(uid)
        if i is None:
            return f"#{uid}"
        return f"{self.outline_number(uid)} '{self.tasks[i].name}' (uid {uid})"

    def replace(self, **changes: Any) -> Plan:
        from dataclasses import replace

        return replace(self, **changes)


def _validate(plan: Plan) -> None:
    if not isinstance(plan.start, dt.datetime):
        raise ValidationError("the project start must be a date and time", field="start")
    if plan.schedule_from_finish and plan.finish is None:
        raise ValidationError(
            "a plan scheduled from its finish needs a finish date", field="finish"
        )
    if plan.minutes_per_day <= 0 or plan.minutes_per_week <= 0 or plan.days_per_month <= 0:
        raise ValidationError(
            "minutes per day/week and days per month must be positive", field="minutes_per_day"
        )
    specs = plan.calendar_specs
    for spec in plan.calendars:
        seen = set()
        base = spec.base
        while base is not None:
            if base not in specs:
                raise UnknownReferenceError(
                    f"calendar '{spec.name}' is derived from unknown calendar '{base}'",
                    field="base",
                )
            if base in seen or base == spec.name:
                raise ValidationError(f"calendar '{spec.name}' derives from itself", field="base")
            seen.add(base)
            base = specs[base].base
    if plan.calendar not in specs:
        raise UnknownReferenceError(f"unknown project calendar '{plan.calendar}'", field="calendar")

    index: dict[int, int] = {}
    for i, t in enumerate(plan.tasks):
        if t.uid in index:
            raise ValidationError("two tasks have this uid", task=f"uid {t.uid}", field="uid")
        index[t.uid] = i
    plan.__dict__["task_index"] = index
    for t in plan.tasks:
        who = f"'{t.name}' (uid {t.uid})"
        if t.duration < 0:
            raise ValidationError(
                f"negative duration ({t.duration} min)", task=who, field="duration"
            )
        if t.parent is not None:
            p = index.get(t.parent)
            if p is None:
                raise UnknownReferenceError(
                    f"parent uid {t.parent} does not exist", task=who, field="parent"
                )
            if p >= index[t.uid]:
                raise ValidationError(
                    "a task must come after its summary task", task=who, field="parent"
                )
        if t.calendar is not None and t.calendar not in specs:
            raise UnknownReferenceError(
                f"unknown calendar '{t.calendar}'", task=who, field="calendar"
            )
        c = t.constraint
        if c.type in DATED_CONSTRAINTS and c.date is None:
            raise ValidationError(
                f"constraint {c.type.name} needs a date", task=who, field="constraint"
            )
        if not 0 <= t.progress.percent_complete <= 100:
            raise ValidationError(
                f"percent complete {t.progress.percent_complete} is not between 0 and 100",
                task=who,
                field="percent_complete",
            )
        if t.progress.remaining_minutes is not None and t.progress.remaining_minutes < 0:
            raise ValidationError(
                "negative remaining duration", task=who, field="remaining_duration"
            )
        if t.manual and (t.start is None or t.finish is None):
            raise ValidationError(
                "a manually scheduled task needs a start and a finish", task=who, field="manual"
            )
        if t.contour:
            _check_contour(t.contour, who)
        if not 0 <= t.priority <= 1000:
            raise ValidationError(
                f"priority {t.priority} is not between 0 and 1000", task=who, field="priority"
            )

    ancestors_cache: dict[int, frozenset[int]] = {}

    def ancestors(uid: int) -> frozenset[int]:
        got = ancestors_cache.get(uid)
        if got is None:
            parent = plan.tasks[index[uid]].parent
            got = frozenset() if parent is None else ancestors(parent) | {parent}
            ancestors_cache[uid] = got
        return got

    has_children = {t.parent for t in plan.tasks if t.parent is not None}
    for link in plan.links:
        for end, uid in (("predecessor", link.predecessor), ("successor", link.successor)):
            if uid not in index:
                other = link.successor if end == "predecessor" else link.predecessor
                raise UnknownReferenceError(
                    f"link {link.predecessor}{link.type.value} -> {link.successor}: "
                    f"{end} uid {uid} does not exist",
                    task=plan.label(other) if other in index else f"uid {other}",
                    field="predecessors",
                )
        if link.predecessor == link.successor:
            raise CycleError([plan.label(link.predecessor)])
        touches_summary = link.predecessor in has_children or link.successor in has_children
        if touches_summary and (
            link.predecessor in ancestors(link.successor)
            or link.successor in ancestors(link.predecessor)
        ):
            raise ValidationError(
                f"a summary task cannot be linked to its own subtask "
                f"({plan.label(link.predecessor)} -> {plan.label(link.successor)})",
                task=plan.label(link.successor),
                field="predecessors",
            )
        if link.lag.kind is LagKind.PERCENT and not -10000 <= link.lag.value <= 10000:
            raise ValidationError(
                "lag percent out of range", task=plan.label(link.successor), field="lag"
            )

    res_index = {r.uid for r in plan.resources}
    for r in plan.resources:
        if r.calendar is not None and r.calendar not in specs:
            raise UnknownReferenceError(
                f"unknown calendar '{r.calendar}'", task=f"resource '{r.name}'", field="calendar"
            )
        if r.max_units < 0:
            raise ValidationError(
                "negative max units", task=f"resource '{r.name}'", field="max_units"
            )
    for a in plan.assignments:
        if a.task not in index:
            raise UnknownReferenceError(
                f"assignment to unknown task uid {a.task}", field="assignments"
            )
        if a.resource not in res_index:
            raise UnknownReferenceError(
                f"assignment of unknown resource uid {a.resource}",
                task=plan.label(a.task),
                field="resources",
            )
        if a.units < 0:
            raise ValidationError(
                "negative assignment units", task=plan.label(a.task), field="units"
            )
        if a.contour:
            _check_contour(a.contour, plan.label(a.task))
    numbers = [b.number for b in plan.baselines]
    if len(numbers) != len(set(numbers)):
        raise ValidationError("two baselines have the same number", field="baselines")


def _check_contour(periods: tuple[WorkPeriod, ...], who: str) -> None:
    for p in periods:
        if p.finish < p.start or p.work < 0:
            raise ValidationError(
                f"timephased work {p.start:%Y-%m-%d %H:%M} - {p.finish:%Y-%m-%d %H:%M} "
                f"({p.work} min) is not a forward period of non-negative work",
                task=who,
                field="contour",
            )


def find_cycle(successors: Mapping[int, Iterable[int]], nodes: Iterable[int]) -> list[int]:
    """Return one cycle (a list of nodes) in a directed graph, or [] when there is none."""
    WHITE, GREY, BLACK = 0, 1, 2
    color: dict[int, int] = {}
    for root in nodes:
        if color.get(root, WHITE) != WHITE:
            continue
        stack: list[tuple[int, Iterator[int]]] = [(root, iter(successors.get(root, ())))]
        path = [root]
        color[root] = GREY
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                color[node] = BLACK
                stack.pop()
                path.pop()
                continue
            state = color.get(nxt, WHITE)
            if state == GREY:
                return path[path.index(nxt) :]
            if state == WHITE:
                color[nxt] = GREY
                stack.append((nxt, iter(successors.get(nxt, ()))))
                path.append(nxt)
    return []


def cycle_error(plan: Plan, cycle: list[int]) -> CycleError:
    return CycleError([plan.label(uid) for uid in cycle])
