"""Over-allocation analysis: each resource's load against its capacity, period by period.

* **Load** of a resource in a period: for every assignment of the resource to an active
  task, ``units`` x the working minutes that fall both in the period and between the
  task's start and finish (MS Project's flat contour). An assignment works when its
  resource does (the resource's calendar, else the project calendar); on a task with a
  calendar of its own, only when both calendars work (taken per period as the smaller of
  the two); on an elapsed-duration task, around the clock. Summary tasks count too, as
  in MS Project, and so does work already done (it occupied the resource then).
* **Capacity**: ``max_units`` x the working minutes of the resource's calendar (its own,
  else the project calendar) in the period, exceptions and public holidays included. A
  holiday or a part-time calendar lowers it; ``max_units`` of 0.5 halves it.
* A resource is **over-allocated** in a period when its load exceeds its capacity.

Only work resources are analysed (material and cost resources have no capacity).
Everything is vectorised: one row per (assignment, period it touches), summed with
:func:`numpy.bincount`; :func:`load_profile` is the reusable part, :func:`overallocations`
the list of conflicts built on it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from jalon.engine.calendar import EPOCH_DATE, CalendarSet, minutes_to_datetimes, to_minutes
from jalon.engine.cpm import ELAPSED_CALENDAR, compile_network
from jalon.engine.errors import UnknownReferenceError, ValidationError
from jalon.engine.model import Plan, Resource, ResourceType, twenty_four_hours_calendar
from jalon.engine.results import Schedule
from jalon.engine.spans import with_derived_calendars

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

Period = Literal["hour", "day", "week", "month"]
PERIODS: tuple[str, ...] = ("hour", "day", "week", "month")
#: Loads within this many minutes of the capacity are not over-allocations (float noise).
TOLERANCE = 1e-6


@dataclass(frozen=True, slots=True)
class Overallocation:
    """One resource over-allocated in one period.

    ``load`` and ``capacity`` are in working minutes (480 = one 8-hour day of work);
    ``tasks`` are the uids of the tasks that load the resource in the period, in outline
    order.
    """

    resource: int  # uid
    resource_name: str
    start: dt.datetime  # the period, [start, finish)
    finish: dt.datetime
    load: float
    capacity: float
    tasks: tuple[int, ...]

    @property
    def excess(self) -> float:
        """Working minutes above capacity."""
        return self.load - self.capacity

    @property
    def percent(self) -> float:
        """Load as a percentage of capacity (infinite when the capacity is zero)."""
        return 100.0 * self.load / self.capacity if self.capacity > 0 else float("inf")


@dataclass(frozen=True)
class PlanCalendars:
    """Every calendar a plan's tasks and resources work on, packed over one horizon.

    ``task_cal[i]`` is the calendar index of task ``i`` (its effective calendar, as the
    scheduler uses it); ``resource_cal[uid]`` that of resource ``uid``.
    """

    cs: CalendarSet
    task_cal: IntArray
    resource_cal: dict[int, int]
    project_cal: int

    def working_minutes(self, k: IntArray | int, a: IntArray, b: IntArray) -> IntArray:
        """Working minutes of calendar(s) ``k`` in ``[a, b)`` (epoch minutes, vectorised)."""
        lo = self.cs.work_at(np.asarray(a, dtype=np.int64), k)
        hi = self.cs.work_at(np.asarray(b, dtype=np.int64), k)
        return np.maximum(hi - lo, 0).astype(np.int64)  # type: ignore[no-any-return]


def plan_calendars(plan: Plan, first: dt.date, last: dt.date) -> PlanCalendars:
    """The calendars of ``plan`` (tasks, resources, project) over ``[first, last]``."""
    net = compile_network(plan)
    n = len(plan.tasks)
    task_names = net.node_cal_name[:n]
    res_names = {r.uid: r.calendar or plan.calendar for r in plan.resources}
    names = sorted({*task_names, *res_names.values(), plan.calendar})
    specs = dict(plan.calendar_specs)
    specs[ELAPSED_CALENDAR] = twenty_four_hours_calendar(ELAPSED_CALENDAR)
    with_derived_calendars(specs, names, first, last)  # tasks on several resource calendars
    cs = CalendarSet(specs, names, first, last)
    index = cs.index
    task_cal = np.fromiter((index[c] for c in task_names), dtype=np.int64, count=n)
    return PlanCalendars(
        cs=cs,
        task_cal=task_cal,
        resource_cal={uid: index[c] for uid, c in res_names.items()},
        project_cal=index[plan.calendar],
    )


def period_boundaries(first: int, last: int, period: str) -> IntArray:
    """Epoch minutes of the period starts covering ``[first, last)``, plus the end.

    Days start at midnight, weeks on Monday, months on the 1st; hours on the hour.
    """
    if period not in PERIODS:
        raise ValidationError(
            f"unknown period '{period}' (use {', '.join(PERIODS)})", field="period"
        )
    last = max(last, first + 1)
    if period == "hour":
        lo, hi = first // 60, -(-last // 60)
        return np.arange(lo, hi + 1, dtype=np.int64) * 60
    day0, day1 = first // 1440, -(-last // 1440)
    if period == "day":
        return np.arange(day0, day1 + 1, dtype=np.int64) * 1440
    if period == "week":
        # 1970-01-01 was a Thursday: Monday of day d's week is d - (d + 3) % 7
        w0 = day0 - (day0 + 3) % 7
        w1 = day1 + (-(day1 + 3)) % 7
        return np.arange(w0, w1 + 1, 7, dtype=np.int64) * 1440
    d0 = np.datetime64(int(day0), "D").astype("datetime64[M]")
    d1 = np.datetime64(int(day1) - 1, "D").astype("datetime64[M]") + 1
    months = np.arange(d0, d1 + 1, dtype="datetime64[M]")
    return months.astype("datetime64[D]").astype(np.int64) * 1440


@dataclass(frozen=True)
class Loads:
    """Assignments that put load on work resources, one row each, with their spans."""

    task: IntArray  # task index in the plan
    resource: IntArray  # row in ``resources``
    units: FloatArray
    start: IntArray  # epoch minutes
    finish: IntArray
    cal: IntArray  # the calendar the assignment works on
    cal2: IntArray  # a second calendar it must also respect (== cal when there is none)
    resources: tuple[Resource, ...]


def assignment_loads(
    plan: Plan,
    schedule: Schedule,
    calendars: PlanCalendars,
    resource: int | None = None,
) -> Loads:
    """The assignments of work resources (all, or only ``resource``) to active tasks
    that take time, with the dates of ``schedule``."""
    resources = tuple(
        r
        for r in plan.resources
        if r.type is ResourceType.WORK and (resource is None or r.uid == resource)
    )
    row_of = {r.uid: k for k, r in enumerate(resources)}
    index = plan.task_index
    tasks = plan.tasks
    rows = [
        (index[a.task], row_of[a.resource], a.units)
        for a in plan.assignments
        if a.resource in row_of and a.units > 0 and tasks[index[a.task]].active
    ]
    if rows:
        cols = np.array(rows, dtype=np.float64).reshape(-1, 3)
        t_idx = cols[:, 0].astype(np.int64)
        r_idx = cols[:, 1].astype(np.int64)
        units = cols[:, 2]
    else:
        t_idx = r_idx = np.empty(0, np.int64)
        units = np.empty(0, np.float64)
    start = schedule.start_min[t_idx].astype(np.int64)
    finish = schedule.finish_min[t_idx].astype(np.int64)
    keep = finish > start
    t_idx, r_idx = t_idx[keep], r_idx[keep]
    res_cal = np.fromiter(
        (calendars.resource_cal[r.uid] for r in resources), dtype=np.int64, count=len(resources)
    )[r_idx]
    task_cal = calendars.task_cal[t_idx]
    own = np.fromiter(
        (tasks[i].calendar is not None for i in t_idx.tolist()), dtype=bool, count=len(t_idx)
    )
    elapsed = np.fromiter((tasks[i].elapsed for i in t_idx.tolist()), dtype=bool, count=len(t_idx))
    return Loads(
        task=t_idx,
        resource=r_idx,
        units=units[keep],
        start=start[keep],
        finish=finish[keep],
        cal=np.where(elapsed, task_cal, res_cal),
        cal2=np.where(own | elapsed, task_cal, res_cal),
        resources=resources,
    )


@dataclass(frozen=True)
class LoadProfile:
    """Load and capacity of each resource in each period.

    ``load[r, p]`` and ``capacity[r, p]`` are working minutes of resource ``resources[r]``
    in period ``p`` = ``[boundaries[p], boundaries[p + 1])`` (epoch minutes). The
    ``row_*`` arrays keep each (assignment, period) contribution, to name the tasks
    behind a conflict.
    """

    resources: tuple[Resource, ...]
    boundaries: IntArray
    load: FloatArray
    capacity: FloatArray
    row_resource: IntArray
    row_period: IntArray
    row_task: IntArray
    row_load: FloatArray

    @property
    def over(self) -> npt.NDArray[np.bool_]:
        """Where the load exceeds the capacity, shape ``(resources, periods)``."""
        return self.load > self.capacity + TOLERANCE


def spread(
    loads: Loads, calendars: PlanCalendars, boundaries: IntArray
) -> tuple[IntArray, IntArray, FloatArray]:
    """Each assignment's work per period it touches: ``(assignment, period, minutes)``."""
    if not len(loads.task):
        z = np.empty(0, np.int64)
        return z, z, np.empty(0, np.float64)
    p0 = np.searchsorted(boundaries, loads.start, side="right") - 1
    p1 = np.searchsorted(boundaries, loads.finish, side="left") - 1
    p0 = np.clip(p0, 0, len(boundaries) - 2)
    p1 = np.clip(p1, p0, len(boundaries) - 2)
    counts = p1 - p0 + 1
    row = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    offset = np.arange(len(row), dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    period = p0[row] + offset
    a = np.maximum(boundaries[period], loads.start[row])
    b = np.minimum(boundaries[period + 1], loads.finish[row])
    minutes = calendars.working_minutes(loads.cal[row], a, b)
    two = loads.cal2[row] != loads.cal[row]
    if two.any():
        other = calendars.working_minutes(loads.cal2[row][two], a[two], b[two])
        minutes[two] = np.minimum(minutes[two], other)
    return row, period, minutes * loads.units[row]


def spans_load(
    calendars: PlanCalendars,
    boundaries: IntArray,
    resources: tuple[Resource, ...],
    resource: IntArray,
    units: FloatArray,
    start: IntArray,
    finish: IntArray,
) -> FloatArray:
    """Working minutes per resource and period of work outside the plan: span ``j`` puts
    ``units[j]`` of resource ``resources[resource[j]]`` on ``[start[j], finish[j])``
    (epoch minutes) on that resource's calendar, as another project's assignment of the
    same person does. Spans are cut to the periods of ``boundaries``; the result has
    the shape ``(len(resources), len(boundaries) - 1)``."""
    m = len(boundaries) - 1
    start = np.maximum(np.asarray(start, dtype=np.int64), boundaries[0])
    finish = np.minimum(np.asarray(finish, dtype=np.int64), boundaries[-1])
    keep = finish > start
    resource = np.asarray(resource, dtype=np.int64)[keep]
    cal = np.fromiter(
        (calendars.resource_cal[r.uid] for r in resources), dtype=np.int64, count=len(resources)
    )[resource]
    loads = Loads(
        task=np.zeros(len(resource), dtype=np.int64),
        resource=resource,
        units=np.asarray(units, dtype=np.float64)[keep],
        start=start[keep],
        finish=finish[keep],
        cal=cal,
        cal2=cal,
        resources=resources,
    )
    row, period, minutes = spread(loads, calendars, boundaries)
    flat = resource[row] * m + period
    load = np.bincount(flat, weights=minutes, minlength=len(resources) * m)
    return load.astype(np.float64).reshape(len(resources), m)


def load_profile(
    plan: Plan,
    schedule: Schedule,
    period: str = "day",
    *,
    resource: int | None = None,
    boundaries: IntArray | None = None,
    calendars: PlanCalendars | None = None,
) -> LoadProfile:
    """Load and capacity per work resource and period, for the dates of ``schedule``.

    ``boundaries`` (epoch minutes, increasing) replaces the calendar periods named by
    ``period``; ``calendars`` reuses calendars already built for the plan.
    """
    if calendars is None:
        calendars = calendars_covering(plan, schedule)
    loads = assignment_loads(plan, schedule, calendars, resource)
    if boundaries is None:
        if len(loads.task):
            first, last = int(loads.start.min()), int(loads.finish.max())
        else:
            first = last = to_minutes(plan.start)
        boundaries = period_boundaries(first, last, period)
    m = len(boundaries) - 1
    n_res = len(loads.resources)
    row, per, minutes = spread(loads, calendars, boundaries)
    flat = loads.resource[row] * m + per
    load = np.bincount(flat, weights=minutes, minlength=n_res * m).astype(np.float64)
    load = load.reshape(n_res, m)
    capacity = np.zeros((n_res, m), dtype=np.float64)
    for k, r in enumerate(loads.resources):
        cal = calendars.resource_cal[r.uid]
        available = calendars.working_minutes(cal, boundaries[:-1], boundaries[1:])
        capacity[k] = available * r.max_units
    keep = minutes > 0
    return LoadProfile(
        resources=loads.resources,
        boundaries=boundaries,
        load=load,
        capacity=capacity,
        row_resource=loads.resource[row][keep],
        row_period=per[keep],
        row_task=loads.task[row][keep],
        row_load=minutes[keep],
    )


def calendars_covering(plan: Plan, schedule: Schedule) -> PlanCalendars:
    """Calendars over the whole schedule, with a margin for week and month periods."""
    first = plan.start.date()
    last = first
    if len(schedule):
        lo = int(schedule.start_min.min())
        hi = int(schedule.finish_min.max())
        first = min(first, EPOCH_DATE + dt.timedelta(days=lo // 1440))
        last = max(last, EPOCH_DATE + dt.timedelta(days=hi // 1440))
    return plan_calendars(plan, first - dt.timedelta(days=40), last + dt.timedelta(days=40))


def resource_uid(plan: Plan, resource: int | str | None) -> int | None:
    """A resource given by uid or name -> its uid (None stays None)."""
    if resource is None:
        return None
    for r in plan.resources:
        if resource in (r.uid, r.name):
            if r.type is not ResourceType.WORK:
                raise ValidationError(
                    f"resource '{r.name}' is a {r.type.value} resource: only work "
                    "resources are levelled",
                    field="resource",
                )
            return r.uid
    if isinstance(resource, str) and resource.strip().isdigit():
        return resource_uid(plan, int(resource))
    raise UnknownReferenceError(f"no resource '{resource}' in the plan", field="resource")


def overallocations(
    plan: Plan,
    schedule: Schedule,
    period: Period | str = "day",
    resource: int | str | None = None,
) -> list[Overallocation]:
    """Every (resource, period) whose load exceeds its capacity, by resource then period.

    ``period``: ``"hour"``, ``"day"``, ``"week"`` or ``"month"`` (calendar periods: days
    from midnight, weeks from Monday). ``resource``: one resource (uid or name), or all.
    """
    uid = resource_uid(plan, resource)
    profile = load_profile(plan, schedule, period, resource=uid)
    return conflicts(plan, profile)


def conflicts(plan: Plan, profile: LoadProfile) -> list[Overallocation]:
    """The over-allocated cells of ``profile`` as :class:`Overallocation` objects."""
    over = profile.over
    cells = np.argwhere(over)
    if not len(cells):
        return []
    m = profile.load.shape[1]
    over_flat = over.ravel()
    flat = profile.row_resource * m + profile.row_period
    hit = over_flat[flat]
    involved: dict[int, set[int]] = {}
    for key, t in zip(flat[hit].tolist(), profile.row_task[hit].tolist(), strict=True):
        involved.setdefault(key, set()).add(t)
    starts = minutes_to_datetimes(profile.boundaries[cells[:, 1]])
    ends = minutes_to_datetimes(profile.boundaries[cells[:, 1] + 1])
    tasks = plan.tasks
    out = []
    for (r, p), start, end in zip(cells.tolist(), starts, ends, strict=True):
        res = profile.resources[r]
        uids = tuple(tasks[i].uid for i in sorted(involved.get(r * m + p, ())))
        out.append(
            Overallocation(
                resource=res.uid,
                resource_name=res.name,
                start=start,
                finish=end,
                load=float(profile.load[r, p]),
                capacity=float(profile.capacity[r, p]),
                tasks=uids,
            )
        )
    return out


def summarize(items: Sequence[Overallocation]) -> dict[int, tuple[str, int, float]]:
    """Per resource uid: (name, periods over-allocated, total excess minutes)."""
    out: dict[int, tuple[str, int, float]] = {}
    for o in items:
        name, count, excess = out.get(o.resource, (o.resource_name, 0, 0.0))
        out[o.resource] = (name, count + 1, excess + o.excess)
    return out
