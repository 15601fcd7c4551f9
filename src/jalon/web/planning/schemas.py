"""API schemas for planning data. Durations, work, lags and floats are integers in
minutes, as in the engine; dates are wall-clock times without a time zone."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field

from jalon.web.planning.models import Link, Resource, Task
from jalon.web.projects.schemas import INT32, Input, Number, ProjectDetailOut, When, text

Unit = Literal[tuple(Task.Unit.values)]  # type: ignore[valid-type]
LinkType = Literal[tuple(Link.Type.values)]  # type: ignore[valid-type]
LagKind = Literal[tuple(Link.LagKind.values)]  # type: ignore[valid-type]
ResourceType = Literal[tuple(Resource.Type.values)]  # type: ignore[valid-type]
Minutes = Annotated[int, Field(ge=0, le=INT32)]
Percent = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
ConstraintCode = Annotated[
    int,
    Field(ge=0, le=7, description="0 ASAP, 1 ALAP, 2 MSO, 3 MFO, 4 SNET, 5 SNLT, 6 FNET, 7 FNLT"),
]


# -- tasks ----------------------------------------------------------------------------------


class TaskOut(Schema):
    id: int
    uid: int
    parent: int | None = Field(validation_alias="parent_id")
    position: int
    name: str
    wbs_code: str
    outline_number: str
    outline_level: int
    duration: int
    duration_unit: str
    elapsed: bool
    milestone: bool | None
    constraint_type: int
    constraint_date: dt.datetime | None
    deadline: dt.datetime | None
    calendar: int | None = Field(validation_alias="calendar_id")
    manual: bool
    manual_start: dt.datetime | None
    manual_finish: dt.datetime | None
    active: bool
    priority: int
    leveling_delay: int
    notes: str
    percent_complete: float
    actual_start: dt.datetime | None
    actual_finish: dt.datetime | None
    remaining_minutes: int | None
    version: int
    # computed by the scheduler
    start: dt.datetime | None
    finish: dt.datetime | None
    early_start: dt.datetime | None
    early_finish: dt.datetime | None
    late_start: dt.datetime | None
    late_finish: dt.datetime | None
    total_float: int | None
    free_float: int | None
    critical: bool
    is_summary: bool
    is_milestone: bool
    scheduled_duration: int
    rolled_percent: float


class TaskDetailOut(TaskOut):
    predecessors: str = Field("", description='as in MS Project\'s column: "3FS+2d, 5"')


class TaskFields(Input):
    name: text(500) | None = None  # type: ignore[valid-type]
    wbs_code: text(100) | None = None  # type: ignore[valid-type]
    duration: Minutes | None = None
    duration_unit: Unit | None = None
    elapsed: bool | None = None
    milestone: bool | None = None
    constraint_type: ConstraintCode | None = None
    constraint_date: When | None = None
    deadline: When | None = None
    calendar: int | None = Field(None, description="a calendar id; null: the project's")
    manual: bool | None = None
    manual_start: When | None = None
    manual_finish: When | None = None
    active: bool | None = None
    priority: Annotated[int, Field(ge=0, le=1000)] | None = None
    leveling_delay: Minutes | None = None
    notes: text() | None = None  # type: ignore[valid-type]
    percent_complete: Percent | None = None
    actual_start: When | None = None
    actual_finish: When | None = None
    remaining_minutes: Minutes | None = None


TASK_NULLABLE = frozenset(
    {
        "milestone",
        "constraint_date",
        "deadline",
        "calendar",
        "manual_start",
        "manual_finish",
        "actual_start",
        "actual_finish",
        "remaining_minutes",
    }
)


class TaskCreate(TaskFields):
    parent: int | None = Field(None, description="the new task becomes its last child")
    after: int | None = Field(None, description="the new task comes after this task's subtree")


class TaskUpdate(TaskFields):
    version: int = Field(description="the version you loaded: a stale one is a 409")


class VersionIn(Input):
    version: int


class MoveIn(Input):
    version: int
    parent: int | None = Field(None, description="the new parent; null: top level")
    index: Annotated[int, Field(ge=0, le=INT32)] = Field(
        description="position among the parent's children (0: first)"
    )


PredecessorText = text(2000)


class PredecessorsIn(Input):
    version: int
    text: PredecessorText = Field(  # type: ignore[valid-type]
        description='as in MS Project\'s column: "3FS+2d, 1.2SS, #12FF-1ed, 4FS+50%"'
    )


class PredecessorsOut(Schema):
    task: int
    version: int
    text: str


# -- links ----------------------------------------------------------------------------------


class LinkOut(Schema):
    id: int
    predecessor: int = Field(validation_alias="predecessor_id")
    successor: int = Field(validation_alias="successor_id")
    type: str
    lag_value: float
    lag_kind: str
    lag_unit: str


LagValue = Annotated[float, Field(allow_inf_nan=False, ge=-1e9, le=1e9)]


class LinkCreate(Input):
    predecessor: int
    successor: int
    type: LinkType = "FS"
    lag_value: LagValue = Field(0, description="minutes, or percent when lag_kind is percent")
    lag_kind: LagKind = "work"
    lag_unit: Unit = "d"


class LinkUpdate(Input):
    type: LinkType | None = None
    lag_value: LagValue | None = None
    lag_kind: LagKind | None = None
    lag_unit: Unit | None = None


# -- calendars ------------------------------------------------------------------------------

DayMinutes = Annotated[int, Field(ge=0, le=1440)]
WorkingTimes = list[tuple[DayMinutes, DayMinutes]]
Weekday = Literal["0", "1", "2", "3", "4", "5", "6"]


class RecurrenceIn(Input):
    type: Literal["daily", "weekly", "monthly", "yearly"]
    interval: Annotated[int, Field(ge=1, le=1000)] = 1
    weekdays: list[Annotated[int, Field(ge=0, le=6)]] = Field(default_factory=list)
    day: Annotated[int, Field(ge=1, le=31)] | None = None
    nth: Annotated[int, Field(ge=-1, le=5)] | None = None
    weekday: Annotated[int, Field(ge=0, le=6)] | None = None
    month: Annotated[int, Field(ge=1, le=12)] | None = None
    occurrences: Annotated[int, Field(ge=1, le=10000)] | None = None


class CalendarExceptionIn(Input):
    start: dt.date
    finish: dt.date
    name: text(200) = ""  # type: ignore[valid-type]
    working_times: WorkingTimes = Field(default_factory=list, description="empty: a day off")
    recurrence: RecurrenceIn | None = None


class CalendarOut(Schema):
    id: int
    name: str
    base_name: str
    country: str
    subdivision: str
    week: dict[str, Any]
    exceptions: list[dict[str, Any]]
    uid: int | None


class CalendarFields(Input):
    base_name: text(100) | None = None  # type: ignore[valid-type]
    country: text(10) | None = None  # type: ignore[valid-type]
    subdivision: text(20) | None = None  # type: ignore[valid-type]
    week: dict[Weekday, WorkingTimes] | None = Field(
        None,
        description="weekday (0 = Monday) -> working times in minutes after midnight: "
        '{"0": [[480, 720], [780, 1020]]}',
    )
    exceptions: list[CalendarExceptionIn] | None = None


class CalendarCreate(CalendarFields):
    name: text(100, 1)  # type: ignore[valid-type]


class CalendarUpdate(CalendarFields):
    name: text(100, 1) | None = None  # type: ignore[valid-type]


# -- resources and assignments --------------------------------------------------------------


class ResourceOut(Schema):
    id: int
    name: str
    code: str
    type: str
    email: str
    group: str
    max_units: float
    standard_rate: float
    overtime_rate: float
    cost_per_use: float
    calendar: int | None = Field(validation_alias="calendar_id")
    skills: list[Any]
    user: int | None = Field(validation_alias="user_id")
    active: bool
    version: int


class ResourceFields(Input):
    code: text(40) | None = None  # type: ignore[valid-type]
    type: ResourceType | None = None
    email: text(254) | None = None  # type: ignore[valid-type]
    group: text(100) | None = None  # type: ignore[valid-type]
    max_units: Annotated[float, Field(ge=0, le=1e6, allow_inf_nan=False)] | None = None
    standard_rate: Number | None = None
    overtime_rate: Number | None = None
    cost_per_use: Number | None = None
    calendar: int | None = Field(None, description="a portfolio calendar id")
    skills: list[text(100)] | None = None  # type: ignore[valid-type]
    user: int | None = Field(None, description="the person's account (user id)")
    active: bool | None = None


RESOURCE_NULLABLE = frozenset({"calendar", "user"})


class ResourceCreate(ResourceFields):
    name: text(200, 1)  # type: ignore[valid-type]


class ResourceUpdate(ResourceFields):
    version: int
    name: text(200, 1) | None = None  # type: ignore[valid-type]


class AssignmentOut(Schema):
    id: int
    task: int = Field(validation_alias="task_id")
    resource: int = Field(validation_alias="resource_id")
    units: float
    work: int | None
    actual_work: int


Units = Annotated[float, Field(ge=0, le=1e6, allow_inf_nan=False)]


class AssignmentCreate(Input):
    task: int
    resource: int
    units: Units = 1.0
    work: Minutes | None = Field(None, description="minutes; null: duration x units")


class AssignmentUpdate(Input):
    units: Units | None = None
    work: Minutes | None = None
    actual_work: Minutes | None = None


ASSIGNMENT_NULLABLE = frozenset({"work"})


# -- baselines and the schedule -------------------------------------------------------------


class BaselineOut(Schema):
    id: int
    number: int
    saved_at: dt.datetime | None


class BaselineIn(Input):
    number: Annotated[int, Field(ge=0, le=10)] = 0


class ScheduledTask(Schema):
    id: int
    uid: int
    start: dt.datetime | None
    finish: dt.datetime | None
    early_start: dt.datetime | None
    early_finish: dt.datetime | None
    late_start: dt.datetime | None
    late_finish: dt.datetime | None
    total_float: int | None
    free_float: int | None
    critical: bool
    is_summary: bool
    is_milestone: bool
    outline_level: int
    outline_number: str


class ScheduleOut(Schema):
    project: int
    version: int
    start: dt.datetime | None
    finish: dt.datetime | None
    baseline_finish: dt.datetime | None
    percent_complete: float
    scheduled_at: dt.datetime | None
    warnings: list[dict[str, Any]]
    tasks: list[ScheduledTask]


# -- imports --------------------------------------------------------------------------------


class ImportIn(Input):
    """``POST /imports``' form fields besides ``file``: those of ``jalon import``."""

    format: str | None = Field(
        None,
        description="as --from: mspdi, yaml, json, mpp, xer, pmxml, gan, mpx, planner, xlsx, "
        "csv, jira, trello, ics (default: from the content and the file name)",
    )
    name: text(200) | None = Field(  # type: ignore[valid-type]
        None, description="the project's name (default: the file's)"
    )
    dry_run: bool = Field(False, description="only report what would be created")
    date_format: str | None = Field(None, description="Jira CSV: the dates' strptime format")
    start: When | None = Field(None, description="Jira CSV: the project's start")
    days_per_point: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = Field(
        None, description="Jira CSV: days of work per story point"
    )
    default_days: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = Field(
        None, description="Jira CSV and Trello: the duration of an item with no estimate"
    )
    include_archived: bool | None = Field(
        None, description="Trello: import archived cards and lists too"
    )
    checklists: Literal["tasks", "notes"] | None = Field(
        None, description="Trello: checklist items become subtasks or the card's notes"
    )

    def reader_options(self) -> dict[str, Any]:
        """The reader options sent (the others keep the reader's defaults)."""
        names = ("date_format", "start", "days_per_point", "default_days", "checklists")
        options = {n: getattr(self, n) for n in names if getattr(self, n) not in (None, "")}
        if self.include_archived:
            options["include_archived"] = True
        return options


class ImportReportOut(Schema):
    """What the file holds, as ``jalon import --dry-run --json`` prints it."""

    format: str
    tasks: int
    summary_tasks: int
    milestones: int
    links: int
    resources: int
    assignments: int
    warnings: list[str]
    ignored: list[str]


class ProjectImportedOut(ProjectDetailOut):
    """The project an import created (as ``POST /projects`` returns it) and the report."""

    report: ImportReportOut
