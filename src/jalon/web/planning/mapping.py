"""ORM rows <-> engine data, in bulk: one query per table, never one per task.

``load_plan`` builds a ``jalon.engine.Plan`` from a project's rows; ``reload_tasks``
reads again only the rows of edited tasks into an already loaded plan; ``write_schedule``
stores a computed ``Schedule`` back into the tasks' computed fields (only the rows that
changed); ``calendar_row`` and ``resource_row`` make new rows for the import service.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import Q, QuerySet

from jalon.engine import (
    Assignment as EAssignment,
)
from jalon.engine import (
    Baseline as EBaseline,
)
from jalon.engine import (
    BaselineTask as EBaselineTask,
)
from jalon.engine import (
    CalendarException,
    CalendarSpec,
    Constraint,
    ConstraintType,
    DurationUnit,
    Lag,
    LagKind,
    LinkType,
    Plan,
    Progress,
    Recurrence,
    RecurrenceType,
    ResourceType,
    Schedule,
    WorkingTime,
)
from jalon.engine import (
    Link as ELink,
)
from jalon.engine import (
    Resource as EResource,
)
from jalon.engine import (
    Task as ETask,
)
from jalon.web.planning.models import (
    TASK_COMPUTED_FIELDS,
    Assignment,
    Baseline,
    Calendar,
    Link,
    Resource,
    Task,
)
from jalon.web.projects.models import Project

# -- calendars: JSON <-> engine ----------------------------------------------------------


def week_to_json(week: Mapping[int, Sequence[WorkingTime]]) -> dict[str, list[list[int]]]:
    return {str(day): [[w.start, w.end] for w in times] for day, times in sorted(week.items())}


def week_from_json(data: Mapping[str, Any]) -> dict[int, tuple[WorkingTime, ...]]:
    return {
        int(day): tuple(WorkingTime(int(s), int(e)) for s, e in times)
        for day, times in data.items()
    }


def _recurrence_to_json(r: Recurrence | None) -> dict[str, Any] | None:
    if r is None:
        return None
    return {
        "type": r.type.value,
        "interval": r.interval,
        "weekdays": list(r.weekdays),
        "day": r.day,
        "nth": r.nth,
        "weekday": r.weekday,
        "month": r.month,
        "occurrences": r.occurrences,
    }


def _recurrence_from_json(data: Mapping[str, Any] | None) -> Recurrence | None:
    if not data:
        return None
    return Recurrence(
        type=RecurrenceType(data["type"]),
        interval=int(data.get("interval", 1)),
        weekdays=tuple(data.get("weekdays") or ()),
        day=data.get("day"),
        nth=data.get("nth"),
        weekday=data.get("weekday"),
        month=data.get("month"),
        occurrences=data.get("occurrences"),
    )


def exceptions_to_json(exceptions: Iterable[CalendarException]) -> list[dict[str, Any]]:
    return [
        {
            "start": e.start.isoformat(),
            "finish": e.finish.isoformat(),
            "name": e.name,
            "working_times": [[w.start, w.end] for w in e.working_times],
            "recurrence": _recurrence_to_json(e.recurrence),
        }
        for e in exceptions
    ]


def exceptions_from_json(data: Iterable[Mapping[str, Any]]) -> tuple[CalendarException, ...]:
    return tuple(
        CalendarException(
            start=dt.date.fromisoformat(e["start"]),
            finish=dt.date.fromisoformat(e["finish"]),
            working_times=tuple(WorkingTime(int(s), int(f)) for s, f in e.get("working_times", ())),
            name=e.get("name", ""),
            recurrence=_recurrence_from_json(e.get("recurrence")),
        )
        for e in data
    )


def calendar_spec(row: Calendar) -> CalendarSpec:
    return CalendarSpec(
        name=row.name,
        week=week_from_json(row.week),
        base=row.base_name or None,
        exceptions=exceptions_from_json(row.exceptions),
        country=row.country or None,
        subdivision=row.subdivision or None,
        uid=row.uid,
    )


def calendar_row(spec: CalendarSpec, project: Project | None) -> Calendar:
    return Calendar(
        project=project,
        name=spec.name,
        base_name=spec.base or "",
        country=spec.country or "",
        subdivision=spec.subdivision or "",
        week=week_to_json(spec.week),
        exceptions=exceptions_to_json(spec.exceptions),
        uid=spec.uid,
    )


# -- database -> Plan ---------------------------------------------------------------------


@dataclass(slots=True)
class TaskState:
    """What scheduling needs of a stored task besides the plan: its key, parent, progress
    and current computed values (to write back only what changed; ``TASK_COMPUTED_FIELDS``
    in order, the dates in epoch minutes)."""

    pk: int
    parent_id: int | None
    active: bool
    percent_complete: float
    computed: tuple[Any, ...]


@dataclass
class LoadedPlan:
    """A project's plan and its task rows' state (``tasks`` in plan order).

    ``calendar_names``: calendar pk -> name, as the tasks' calendars were read;
    ``written``: the schedule whose values the rows hold since ``write_schedule`` stored
    it (None: compare every row with ``TaskState.computed``), except the rows at the
    positions in ``stale``, which another process wrote since (compared with their
    ``TaskState.computed`` too); ``changed``: the pks of the rows the last
    ``write_schedule`` wrote (their computed values differed).
    """

    plan: Plan
    tasks: list[TaskState]
    calendar_names: dict[int, str] = field(default_factory=dict)
    written: Schedule | None = None
    changed: frozenset[int] = frozenset()
    stale: frozenset[int] = frozenset()


# enum look-ups by value: calling the Enum classes costs more than the rest of a row
_UNITS = {u.value: u for u in DurationUnit}
_CONSTRAINTS = {int(c): c for c in ConstraintType}
_LINK_TYPES = {t.value: t for t in LinkType}
_LAG_KINDS = {k.value: k for k in LagKind}
_ASAP = Constraint()
_NO_PROGRESS = Progress()
_NO_LAG = Lag()

TASK_COLUMNS = (
    "pk",
    "uid",
    "parent_id",
    "name",
    "duration",
    "duration_unit",
    "elapsed",
    "milestone",
    "constraint_type",
    "constraint_date",
    "deadline",
    "calendar_id",
    "manual",
    "manual_start",
    "manual_finish",
    "active",
    "percent_complete",
    "actual_start",
    "actual_finish",
    "remaining_minutes",
    "priority",
    "leveling_delay",
    "wbs_code",
    "notes",
)
_FIRST_COMPUTED = len(TASK_COLUMNS)


def engine_resource(row: Resource, calendars: Mapping[int, str]) -> EResource:
    return EResource(
        uid=row.pk,
        name=row.name,
        type=ResourceType(row.type),
        max_units=row.max_units,
        calendar=calendars.get(row.calendar_id) if row.calendar_id else None,
        standard_rate=row.standard_rate,
        overtime_rate=row.overtime_rate,
        cost_per_use=row.cost_per_use,
        initials=row.code,
        email=row.email,
        group=row.group,
    )


def _engine_task(
    values: tuple[Any, ...], uid_of: Mapping[int, int], names: Mapping[int, str]
) -> ETask:
    (
        _pk,
        uid,
        parent_id,
        name,
        duration,
        unit,
        elapsed,
        milestone,
        ctype,
        cdate,
        deadline,
        calendar_id,
        manual,
        manual_start,
        manual_finish,
        active,
        percent,
        actual_start,
        actual_finish,
        remaining,
        priority,
        leveling_delay,
        wbs_code,
        notes,
    ) = values[:_FIRST_COMPUTED]
    if percent or actual_start or actual_finish or remaining is not None:
        progress = Progress(
            actual_start=actual_start,
            actual_finish=actual_finish,
            percent_complete=percent,
            remaining_minutes=remaining,
        )
    else:
        progress = _NO_PROGRESS
    return ETask(
        uid=uid,
        name=name,
        duration=duration,
        parent=uid_of[parent_id] if parent_id is not None else None,
        elapsed=bool(elapsed),
        duration_unit=_UNITS[unit],
        milestone=None if milestone is None else bool(milestone),
        constraint=_ASAP if not ctype and cdate is None else Constraint(_CONSTRAINTS[ctype], cdate),
        deadline=deadline,
        calendar=names[calendar_id] if calendar_id is not None else None,
        manual=bool(manual),
        start=manual_start,
        finish=manual_finish,
        active=bool(active),
        progress=progress,
        priority=priority,
        leveling_delay=leveling_delay,
        wbs=wbs_code or None,
        notes=notes,
    )


# computed date columns, compared in epoch minutes (the unit of a Schedule's arrays)
_DATE_FIELDS = frozenset(TASK_COMPUTED_FIELDS[:6])


def _minutes_sql(column: str) -> str:
    """SQL for a naive date and time column as integer minutes since 1970-01-01 00:00 of
    the same wall clock: parsing thousands of datetimes in Python costs more than the
    reschedule (PostgreSQL: ``timestamptz`` back in the session's zone)."""
    if connection.vendor == "postgresql":
        return (
            f"(EXTRACT(EPOCH FROM ({column} AT TIME ZONE current_setting('TimeZone')))"
            "::bigint / 60)"
        )
    return f"(CAST(strftime('%%s', {column}) AS INTEGER) / 60)"


def _task_rows(tasks: QuerySet[Task]) -> list[tuple[Any, ...]]:
    """``TASK_COLUMNS`` of these rows as the driver returns them, without the ORM's
    per-value converters (dates come back as datetimes from both drivers; SQLite's
    booleans as 0/1, which ``_engine_task`` turns into booleans)."""
    sql, params = tasks.values_list(*TASK_COLUMNS).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _stored_computed(
    project: Project, pks: Collection[int] | None = None
) -> dict[int, tuple[Any, ...]]:
    """pk -> computed values of the project's task rows (of rows ``pks`` only when
    given), dates in epoch minutes, read with the driver alone rather than through the
    ORM's per-value converters."""
    meta = Task._meta
    quote = connection.ops.quote_name
    native = connection.vendor in ("postgresql", "sqlite")
    columns = ", ".join(
        _minutes_sql(quote(meta.get_field(name).column))
        if native and name in _DATE_FIELDS
        else quote(meta.get_field(name).column)
        for name in TASK_COMPUTED_FIELDS
    )
    sql = "SELECT {}, {} FROM {} WHERE {} = %s".format(
        quote(meta.pk.column),
        columns,
        quote(meta.db_table),
        quote(meta.get_field("project").column),
    )
    params: list[int] = [project.pk]
    if pks is not None:
        params.extend(pks)
        sql += " AND {} IN ({})".format(quote(meta.pk.column), ", ".join(["%s"] * len(pks)))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if native:
        return {row[0]: tuple(row[1:]) for row in rows}
    dates = len(_DATE_FIELDS)
    return {
        row[0]: (
            *(None if d is None else _to_minutes(d) for d in row[1 : 1 + dates]),
            *row[1 + dates :],
        )
        for row in rows
    }


def _to_minutes(value: dt.datetime) -> int:
    delta = value - _EPOCH
    return delta.days * 1440 + delta.seconds // 60


_EPOCH = dt.datetime(1970, 1, 1)


def _calendars(project: Project) -> tuple[tuple[CalendarSpec, ...], dict[int, str]]:
    """The calendars a project's plan sees (project calendars win over portfolio calendars
    of the same name) and every calendar's name by pk."""
    specs: dict[str, CalendarSpec] = {}
    names: dict[int, str] = {}
    for row in Calendar.objects.filter(Q(project=project) | Q(project__isnull=True)).order_by(
        "project_id"
    ):
        names[row.pk] = row.name
        if row.project_id is not None or row.name not in specs:
            specs[row.name] = calendar_spec(row)
    return tuple(specs.values()), names


def _resources(pks: Collection[int], names: Mapping[int, str]) -> tuple[EResource, ...]:
    if not pks:
        return ()
    return tuple(engine_resource(r, names) for r in Resource.objects.filter(pk__in=pks))


def load_plan(project: Project) -> LoadedPlan:
    """The engine ``Plan`` of a project. Raises the engine's ``PlanError`` if invalid.

    Six queries whatever the size (tasks, links, calendars, assignments, resources,
    baselines with their rows); task rows are read as tuples, not model instances.
    """
    rows = _task_rows(Task.objects.filter(project=project).order_by("position"))
    uid_of = {r[0]: r[1] for r in rows}
    stored = _stored_computed(project)
    calendars, names = _calendars(project)
    links = Link.objects.filter(project=project).values_list(
        "predecessor_id", "successor_id", "type", "lag_value", "lag_kind", "lag_unit"
    )
    assignments = list(
        Assignment.objects.filter(project=project)
        .order_by("pk")
        .values_list("task_id", "resource_id", "units", "work", "actual_work", "uid")
    )
    resources = _resources({a[1] for a in assignments}, names)
    baselines = list(
        Baseline.objects.filter(project=project).prefetch_related("tasks").order_by("number")
    )
    etasks = tuple(_engine_task(r, uid_of, names) for r in rows)
    elinks = tuple(
        ELink(
            predecessor=uid_of[pred],
            successor=uid_of[succ],
            type=_LINK_TYPES[kind],
            lag=_NO_LAG
            if not lag and lag_kind == "work" and unit == "d"
            else Lag(value=lag, kind=_LAG_KINDS[lag_kind], unit=_UNITS[unit]),
        )
        for pred, succ, kind, lag, lag_kind, unit in links
    )
    plan = Plan(
        name=project.name,
        start=project.start,
        tasks=etasks,
        links=elinks,
        calendars=calendars,
        calendar=project.calendar_name,
        resources=resources,
        assignments=tuple(
            EAssignment(
                task=uid_of[task_id],
                resource=resource_id,
                units=units,
                work=work,
                actual_work=actual_work,
                uid=uid,
            )
            for task_id, resource_id, units, work, actual_work, uid in assignments
        ),
        baselines=tuple(
            EBaseline(
                number=b.number,
                saved=b.saved_at,
                tasks={
                    uid_of[bt.task_id]: EBaselineTask(
                        start=bt.start,
                        finish=bt.finish,
                        duration=bt.duration,
                        work=bt.work,
                        cost=bt.cost,
                    )
                    for bt in b.tasks.all()
                },
            )
            for b in baselines
        ),
        finish=project.finish,
        schedule_from_finish=project.schedule_from_finish,
        status_date=project.status_date,
        minutes_per_day=project.minutes_per_day,
        minutes_per_week=project.minutes_per_week,
        days_per_month=project.days_per_month,
        critical_slack_limit=project.critical_slack_limit,
        currency=project.currency,
        metadata=project.metadata,
    )
    states = [TaskState(r[0], r[2], bool(r[15]), r[16], stored.get(r[0], ())) for r in rows]
    return LoadedPlan(plan=plan, tasks=states, calendar_names=names)


def reload_tasks(
    loaded: LoadedPlan,
    project: Project,
    pks: Collection[int],
    written: Collection[int] | None = (),
) -> LoadedPlan | None:
    """``loaded`` with the rows of tasks ``pks`` read again, in three queries whatever the
    size (those rows, the calendars, the assigned resources), instead of the whole plan.

    For a plan in which only the fields of these rows changed since it was loaded
    (``TASK_COLUMNS``, outline unchanged). ``written``: the rows whose stored computed
    values may differ from those ``loaded`` wrote (another process rescheduled since;
    None: any row), read again in one more query. Returns None when something else
    differs: a row is missing or moved, the calendars or the resources changed
    (portfolio-wide rows); the caller then loads the whole plan. Consumes ``loaded``.
    """
    plan = loaded.plan
    calendars, names = _calendars(project)
    if calendars != plan.calendars or names != loaded.calendar_names:
        return None
    if _resources({a.resource for a in plan.assignments}, names) != plan.resources:
        return None
    position = {state.pk: i for i, state in enumerate(loaded.tasks)}
    uid_of = {state.pk: t.uid for state, t in zip(loaded.tasks, plan.tasks, strict=True)}
    tasks = list(plan.tasks)
    rows = _task_rows(Task.objects.filter(project=project, pk__in=list(pks))) if pks else []
    if len(rows) != len(set(pks)):
        return None
    for r in rows:
        i = position.get(r[0])
        if i is None or r[1] != tasks[i].uid or r[2] != loaded.tasks[i].parent_id:
            return None
        tasks[i] = _engine_task(r, uid_of, names)
        loaded.tasks[i].active = bool(r[15])
        loaded.tasks[i].percent_complete = r[16]
    previous = loaded.written
    stale: set[int] = set()  # positions of the rows another process wrote since
    if written is None or written:
        stored = _stored_computed(project, None if written is None else list(written))
        if written is None and len(stored) != len(loaded.tasks):
            return None
        for pk, values in stored.items():
            i = position.get(pk)
            if i is None:
                return None
            loaded.tasks[i].computed = values
            stale.add(i)
        if written is None:
            previous = None  # every row may differ from what this process wrote
    return LoadedPlan(
        plan=plan.replace(tasks=tuple(tasks)),
        tasks=loaded.tasks,
        calendar_names=names,
        written=previous,
        stale=frozenset(stale) if previous is not None else frozenset(),
    )


# -- Schedule -> database -----------------------------------------------------------------


# the Schedule's arrays a row's computed values derive from
_ARRAYS = (
    "start_min",
    "finish_min",
    "early_start_min",
    "early_finish_min",
    "late_start_min",
    "late_finish_min",
    "total_float",
    "free_float",
    "critical",
    "summary",
    "milestone",
    "duration",
)


def _datetimes(minutes: Any) -> list[dt.datetime]:
    """Epoch minutes (a ``Schedule``'s dates) -> naive datetimes."""
    return np.asarray(minutes, dtype=np.int64).astype("datetime64[m]").astype(object).tolist()  # type: ignore[no-any-return]


def write_schedule(loaded: LoadedPlan, result: Schedule) -> int:
    """Store the computed values of the tasks whose values changed; return their number
    (their pks are left in ``loaded.changed``).

    ``TaskState.computed`` holds the dates in epoch minutes, as the schedule's arrays.

    Values are built from the schedule's arrays for the candidate rows only: every row
    the first time, then (``loaded.written`` set) the rows where an array differs from
    the schedule last written, or whose rolled-up % complete changed.
    """
    rows = loaded.tasks
    summary = result.summary.tolist()
    duration = result.duration.tolist()
    rolled = rolled_percent(
        [(r.pk, r.parent_id, r.active, r.percent_complete) for r in rows], result
    )
    before = loaded.written
    if before is not None and len(before.start_min) == len(rows):
        differs = np.zeros(len(rows), dtype=bool)
        for name in _ARRAYS:
            differs |= getattr(before, name) != getattr(result, name)
        candidates = set(np.flatnonzero(differs).tolist())
        candidates.update(loaded.stale)
        candidates.update(
            i
            for i, row in enumerate(rows)
            if not row.computed or rolled.get(row.pk, row.percent_complete) != row.computed[-1]
        )
        index = sorted(candidates)
    else:
        index = list(range(len(rows)))
    pick = np.asarray(index, dtype=np.int64)
    columns = [
        result.start_min[pick].tolist(),
        result.finish_min[pick].tolist(),
        result.early_start_min[pick].tolist(),
        result.early_finish_min[pick].tolist(),
        result.late_start_min[pick].tolist(),
        result.late_finish_min[pick].tolist(),
        result.total_float[pick].tolist(),
        result.free_float[pick].tolist(),
        result.critical[pick].tolist(),
    ]
    tasks = loaded.plan.tasks
    numbers = loaded.plan.outline_numbers
    changed: list[tuple[Any, ...]] = []
    for k, i in enumerate(index):
        row = rows[i]
        number = numbers[tasks[i].uid]
        values = (
            *(column[k] for column in columns),
            summary[i],
            bool(result.milestone[i]),
            number.count(".") + 1,
            number,
            duration[i],
            rolled.get(row.pk, row.percent_complete),
        )
        if values != row.computed:
            changed.append((*values, row.pk))
            row.computed = values
    if changed:
        # dates as datetimes for the rows written only
        dates = [_datetimes([row[k] for row in changed]) for k in range(len(_DATE_FIELDS))]
        _update_computed(
            [
                (*(column[j] for column in dates), *row[len(_DATE_FIELDS) :])
                for j, row in enumerate(changed)
            ]
        )
    loaded.written = result
    loaded.stale = frozenset()
    loaded.changed = frozenset(row[-1] for row in changed)
    return len(changed)


def rolled_percent(
    rows: Sequence[tuple[int, int | None, bool, float]], result: Schedule
) -> dict[int, float]:
    """Summary key -> % complete of its active subtasks, weighted by their durations.

    ``rows``: each task's (key, parent's key, active, own % complete), in plan order; the
    keys are primary keys for stored rows, uids for a plan not stored yet."""
    summary = result.summary.tolist()
    duration = result.duration.tolist()
    weight: dict[int, float] = {}
    done: dict[int, float] = {}
    for i in range(len(rows) - 1, -1, -1):
        key, parent, active, percent = rows[i]
        if not summary[i] and active:
            w = float(max(duration[i], 1))
            own_weight, own_done = w, w * percent
        else:
            own_weight, own_done = weight.get(key, 0.0), done.get(key, 0.0)
        if parent is not None:
            weight[parent] = weight.get(parent, 0.0) + own_weight
            done[parent] = done.get(parent, 0.0) + own_done
    return {key: round(done[key] / w, 1) if w else 0.0 for key, w in weight.items()}


def _update_computed(rows: list[tuple[Any, ...]]) -> None:
    """Write computed values in one statement whatever the number of rows: PostgreSQL
    joins one array per column (``unnest``); SQLite runs one prepared UPDATE per row
    (``executemany``, in-process and fast). Both beat ``bulk_update``'s CASE expressions."""
    meta = Task._meta
    quote = connection.ops.quote_name
    fields = [meta.get_field(name) for name in TASK_COMPUTED_FIELDS]
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            names = [quote(f.column) for f in fields]
            # array casts by column type, without lengths: varchar(100)[] -> varchar[]
            arrays = ", ".join(
                "%s::{}[]".format(re.sub(r"\(.*\)", "", str(f.db_type(connection))))
                for f in [meta.pk, *fields]
            )
            sql = "UPDATE {t} SET {sets} FROM unnest({arrays}) AS v({cols}) WHERE {t}.{pk} = v.{pk}"
            cursor.execute(
                sql.format(
                    t=table,
                    sets=", ".join(f"{n} = v.{n}" for n in names),
                    arrays=arrays,
                    cols=", ".join([pk, *names]),
                    pk=pk,
                ),
                [[row[-1] for row in rows]]
                + [[row[i] for row in rows] for i in range(len(fields))],
            )
        else:
            sql = "UPDATE {} SET {} WHERE {} = %s".format(
                table, ", ".join(f"{quote(f.column)} = %s" for f in fields), pk
            )
            cursor.executemany(sql, rows)


# -- engine calendars and people -> new rows (import) -----------------------------------


def resource_row(r: EResource, calendar: Calendar | None) -> Resource:
    return Resource(
        name=r.name,
        code=r.initials,
        type=r.type.value,
        email=r.email,
        group=r.group,
        max_units=r.max_units,
        standard_rate=r.standard_rate,
        overtime_rate=r.overtime_rate,
        cost_per_use=r.cost_per_use,
        calendar=calendar,
    )
