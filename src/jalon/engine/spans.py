"""What each task is scheduled on: its calendar, and the working time it spans.

MS Project schedules a task that has resources on the resources' calendars, each
assignment on its own resource's calendar: an assignment starts at its resource's first
working time at or after the task's start and lasts its work / units (or, when its work
was edited by hand, as long as its timephased work says), and the task spans from its
earliest assignment start to its latest assignment finish. This module reproduces that
rule in three cases:

* all work resources of a task share one calendar (or the task has its own calendar, or
  no resources): the task is scheduled on that calendar, for its duration, or for the
  span of its hand-edited work when that is longer (splits and contours);
* its resources work on different calendars: the task is scheduled on the *union* of
  those calendars (working whenever one of its resources works), which holds both its
  earliest start and its latest finish exactly; how long it lasts there depends on where
  it starts, so :func:`refit` recomputes it from the schedule until it no longer moves.
  Such tasks are rare; they are computed one by one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import compress
from operator import attrgetter
from typing import Any

import numpy as np

from jalon.engine.calendar import CalendarSet, day_table, resolve
from jalon.engine.model import (
    CalendarException,
    CalendarSpec,
    Plan,
    ResourceType,
    WorkingTime,
    WorkPeriod,
)

UNION_PREFIX = "\x00any of:"  # name of a derived calendar: working when any member works
_SEP = "\x00"


def union_name(members: Sequence[str]) -> str:
    return UNION_PREFIX + _SEP.join(sorted(members))


def union_members(name: str) -> list[str]:
    return name[len(UNION_PREFIX) :].split(_SEP)


@dataclass(frozen=True, slots=True)
class Part:
    """One assignment of a task on several calendars: its calendar and working span."""

    calendar: str
    span: int  # working minutes in ``calendar``


@dataclass(frozen=True, slots=True)
class MultiCalendarTask:
    index: int  # position in plan.tasks
    calendar: str  # the union of the parts' calendars
    parts: tuple[Part, ...]


@dataclass(frozen=True, slots=True)
class TaskCalendars:
    names: list[str]  # per task: the calendar it is scheduled on
    spans: dict[int, int]  # task index -> working span, where it differs from the duration
    multi: tuple[MultiCalendarTask, ...]


def _contour_bounds(periods: Sequence[WorkPeriod]) -> tuple[dt.datetime, dt.datetime] | None:
    """From the first period's start to the end of the last period with work."""
    worked = [p for p in periods if p.work > 0]
    if not worked:
        return None
    return min(p.start for p in periods), max(p.finish for p in worked)


def task_calendars(plan: Plan, elapsed_calendar: str) -> TaskCalendars:
    """Each task's calendar and working span (MS Project's effective calendar)."""
    tasks = plan.tasks
    names: list[str] = [
        plan.calendar if c is None else c for c in map(attrgetter("calendar"), tasks)
    ]
    index = plan.task_index
    # work to measure: (task index, calendar, bounds of its hand-edited work)
    measures: list[tuple[int, str, tuple[dt.datetime, dt.datetime]]] = []
    multi: list[tuple[int, str, list[tuple[str, int, tuple[dt.datetime, dt.datetime] | None]]]] = []
    res_cal = {
        r.uid: r.calendar or plan.calendar for r in plan.resources if r.type is ResourceType.WORK
    }
    by_task: dict[int, list[Any]] = {}
    if plan.assignments and res_cal:
        for a in plan.assignments:
            if a.resource in res_cal:
                by_task.setdefault(a.task, []).append(a)
    same = _same_working_time(plan, set(res_cal.values())) if by_task else {}
    for uid, assigned in by_task.items():
        i = index[uid]
        task = tasks[i]
        if task.calendar is not None:
            continue
        # calendars that differ by name only (a resource's copy of Standard) count as one
        cals = {same[res_cal[a.resource]] for a in assigned}
        if len(cals) == 1:
            # a task driven by resources follows their calendar when they all share one
            names[i] = next(iter(cals))
            continue
        if task.elapsed or task.manual or task.duration <= 0 or uid in plan.children:
            continue
        parts = []
        for a in assigned:
            if a.work is None or a.units <= 0:
                flat = task.duration
            else:
                flat = round(a.work / a.units)
            parts.append((same[res_cal[a.resource]], flat, _contour_bounds(a.contour)))
        names[i] = union_name(sorted(cals))
        multi.append((i, names[i], parts))
    multi_index = {m[0] for m in multi}
    # only tasks with work edited by hand can span more than their duration
    edited = set(compress(range(len(tasks)), map(attrgetter("contour"), tasks)))
    edited.update(index[a.task] for a in plan.assignments if a.contour)
    for i in sorted(edited):
        task = tasks[i]
        if i in multi_index or task.elapsed or task.duration <= 0 or task.uid in plan.children:
            continue
        periods = list(task.contour)
        for a in by_task.get(task.uid, ()):
            periods.extend(a.contour)
        if periods:
            bounds = _contour_bounds(periods)
            if bounds is not None:
                measures.append((i, names[i], bounds))
    for i in compress(range(len(tasks)), map(attrgetter("elapsed"), tasks)):
        names[i] = elapsed_calendar
    wanted = [(c, b) for _, c, b in measures] + [
        (c, b) for _, _, parts in multi for c, _, b in parts if b is not None
    ]
    measured = iter(_working_minutes(plan, wanted))
    spans: dict[int, int] = {}
    for i, _, _ in measures:
        span = next(measured)
        if span > tasks[i].duration:
            spans[i] = span
    out: list[MultiCalendarTask] = []
    for i, name, parts in multi:
        resolved = tuple(Part(c, flat if b is None else next(measured)) for c, flat, b in parts)
        out.append(MultiCalendarTask(i, name, resolved))
    return TaskCalendars(names, spans, tuple(out))


def _same_working_time(plan: Plan, names: set[str]) -> dict[str, str]:
    """Calendar name -> the first name (in sorted order) with the same working time."""
    specs = plan.calendar_specs
    first_of: dict[Any, str] = {}
    out: dict[str, str] = {}
    for name in sorted(names):
        r = resolve(name, specs)
        key = (r.week, r.exceptions, r.country, r.subdivision)
        out[name] = first_of.setdefault(key, name)
    return out


def _working_minutes(
    plan: Plan, wanted: list[tuple[str, tuple[dt.datetime, dt.datetime]]]
) -> list[int]:
    """Working minutes of each (calendar, (start, finish)), one calendar set for all."""
    if not wanted:
        return []
    first = min(b[0] for _, b in wanted).date() - dt.timedelta(days=7)
    last = max(b[1] for _, b in wanted).date() + dt.timedelta(days=7)
    cs = CalendarSet(plan.calendar_specs, sorted({c for c, _ in wanted}), first, last)
    return [cs.calendar(c).working_minutes(a, b) for c, (a, b) in wanted]


# -- derived calendars ---------------------------------------------------------------------


def _merge(ranges: Sequence[tuple[int, int]]) -> tuple[WorkingTime, ...]:
    out: list[list[int]] = []
    for s, e in sorted(ranges):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return tuple(WorkingTime(s, e) for s, e in out)


def union_calendar(
    name: str, specs: Mapping[str, CalendarSpec], first: dt.date, last: dt.date
) -> CalendarSpec:
    """A calendar that works whenever one of its members works, over ``[first, last]``:
    the members' weeks merged, and every day one of them treats specially spelled out."""
    members = [resolve(m, specs) for m in union_members(name)]
    week = {d: _merge([r for m in members for r in m.week[d]]) for d in range(7)}
    tables = [day_table(m, first, last) for m in members]
    days = sorted({d for t in tables for d in t})
    exceptions = tuple(
        CalendarException(
            day,
            day,
            _merge(
                [
                    r
                    for m, t in zip(members, tables, strict=True)
                    for r in t.get(day, m.week[day.weekday()])
                ]
            ),
        )
        for day in days
    )
    return CalendarSpec(name=name, week=week, exceptions=exceptions)


def with_derived_calendars(
    specs: dict[str, CalendarSpec], names: Sequence[str], first: dt.date, last: dt.date
) -> dict[str, CalendarSpec]:
    """``specs`` plus the union calendars among ``names`` (in place, returned)."""
    for name in names:
        if name.startswith(UNION_PREFIX) and name not in specs:
            specs[name] = union_calendar(name, specs, first, last)
    return specs


# -- spans that depend on the start ---------------------------------------------------------


def refit(
    plan: Plan,
    multi: Sequence[MultiCalendarTask],
    starts: Sequence[int],
    first: dt.date,
    last: dt.date,
) -> dict[int, int]:
    """For each task on several calendars, its working span in its union calendar from
    ``starts`` (epoch minutes): each assignment starts at its resource's first working
    time from there and works its span; the task ends with the last one."""
    names = sorted({m.calendar for m in multi} | {p.calendar for m in multi for p in m.parts})
    key = (tuple(names), first, last)
    cache: dict[Any, CalendarSet] = plan.__dict__.setdefault("_refit_calendars", {})
    cs = cache.get(key)
    if cs is None:
        if len(cache) > 4:
            cache.clear()
        specs = with_derived_calendars(dict(plan.calendar_specs), names, first, last)
        cs = cache[key] = CalendarSet(specs, names, first, last)
    out: dict[int, int] = {}
    for m, start in zip(multi, starts, strict=True):
        t = np.int64(start)
        finish = start
        for p in m.parts:
            k = cs.index[p.calendar]
            w0 = cs.work_at(t, k)
            f = cs.finish_at(w0 + p.span) if p.span > 0 else cs.start_at(w0)
            finish = max(finish, int(f))
        u = cs.index[m.calendar]
        out[m.index] = int(cs.work_at(np.int64(finish), u) - cs.work_at(t, u))
    return out


__all__ = [
    "UNION_PREFIX",
    "MultiCalendarTask",
    "Part",
    "TaskCalendars",
    "refit",
    "task_calendars",
    "union_calendar",
    "with_derived_calendars",
]
