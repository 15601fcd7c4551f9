"""Over-allocation analysis: load against capacity, per resource and period."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pytest

from jalon import load_plan
from jalon.engine import (
    Assignment,
    CalendarException,
    CalendarSpec,
    Link,
    Plan,
    Progress,
    Resource,
    ResourceType,
    Task,
    UnknownReferenceError,
    ValidationError,
    schedule,
)
from jalon.engine.calendar import to_minutes
from jalon.engine.leveling import Overallocation, overallocations
from jalon.engine.leveling.analysis import load_profile, period_boundaries

D = 480
MON = dt.datetime(2027, 1, 4, 8, 0)  # a Monday
DATA = Path(__file__).resolve().parents[4] / "shared" / "data"
MPXJ = DATA / "msproject" / "mpxj" / "junit" / "data"


def day(d: int) -> dt.datetime:
    return dt.datetime(2027, 1, d)


def plan_of(
    tasks: tuple[Task, ...],
    resources: tuple[Resource, ...],
    assignments: tuple[Assignment, ...],
    **kw: object,
) -> Plan:
    return Plan(  # type: ignore[arg-type]
        name="t",
        start=MON,
        tasks=tasks,
        resources=resources,
        assignments=assignments,
        **kw,
    )


def test_two_tasks_of_one_person_overload_her_each_day_they_share() -> None:
    p = plan_of(
        (Task(1, "A", 3 * D), Task(2, "B", 2 * D)),
        (Resource(1, "Ann"),),
        (Assignment(1, 1), Assignment(2, 1)),
    )
    got = overallocations(p, schedule(p))
    assert [(o.start, o.finish) for o in got] == [(day(4), day(5)), (day(5), day(6))]
    first = got[0]
    assert (first.resource, first.resource_name, first.tasks) == (1, "Ann", (1, 2))
    assert (first.load, first.capacity, first.excess, first.percent) == (960, 480, 480, 200)


def test_per_week_and_per_month_sum_the_days() -> None:
    p = plan_of(
        (Task(1, "A", 3 * D), Task(2, "B", 2 * D)),
        (Resource(1, "Ann"),),
        (Assignment(1, 1), Assignment(2, 1)),
    )
    s = schedule(p)
    assert len(overallocations(p, s, "day")) == 2
    # 5 days of work in a 5-day week: no over-allocation over the week, nor the month
    assert overallocations(p, s, "week") == []
    assert overallocations(p, s, "month") == []


def test_a_week_is_over_allocated_when_its_total_is() -> None:
    p = plan_of(
        (Task(1, "A", 5 * D), Task(2, "B", 1 * D)),
        (Resource(1, "Ann"),),
        (Assignment(1, 1), Assignment(2, 1)),
    )
    s = schedule(p)
    (week,) = overallocations(p, s, "week")
    assert (week.start, week.finish, week.load, week.capacity) == (day(4), day(11), 6 * D, 5 * D)
    assert overallocations(p, s, "month") == []
    month = load_profile(p, s, "month")
    assert month.boundaries.tolist() == [to_minutes(day(1)), to_minutes(dt.datetime(2027, 2, 1))]
    assert month.capacity[0, 0] == 21 * D  # working days in January 2027, Standard calendar
    assert month.load[0, 0] == 6 * D


def test_hours_see_what_days_hide() -> None:
    # morning and afternoon: a full day, no conflict; the same half day twice: a conflict
    p = plan_of(
        (Task(1, "A", D // 2), Task(2, "B", D // 2), Task(3, "C", D // 2)),
        (Resource(1, "Ann"),),
        (Assignment(1, 1), Assignment(2, 1)),
        links=(Link(1, 3),),
    )
    s = schedule(p)
    assert overallocations(p, s, "day") == []
    hours = overallocations(p, s, "hour")
    assert [o.start.hour for o in hours] == [8, 9, 10, 11]
    assert all((o.load, o.capacity, o.tasks) == (120, 60, (1, 2)) for o in hours)


def test_holiday_in_the_resource_calendar_takes_capacity_and_load_away() -> None:
    holiday = CalendarException(dt.date(2027, 1, 6), dt.date(2027, 1, 6), name="Day off")
    ann_cal = CalendarSpec("Ann", base="Standard", exceptions=(holiday,))
    p = plan_of(
        (Task(1, "A", 3 * D), Task(2, "B", 2 * D)),
        (Resource(1, "Ann", calendar="Ann"),),
        (Assignment(1, 1), Assignment(2, 1)),
        calendars=(ann_cal,),
    )
    s = schedule(p)
    assert s.task(1).finish == dt.datetime(2027, 1, 7, 17, 0)  # A follows Ann: no Wednesday
    prof = load_profile(p, s, "day")
    wed = int(np.searchsorted(prof.boundaries, to_minutes(day(6))))
    assert (prof.load[0, wed], prof.capacity[0, wed]) == (0, 0)
    got = overallocations(p, s)
    assert [o.start for o in got] == [day(4), day(5)]


def test_task_with_its_own_calendar_loads_only_when_both_calendars_work() -> None:
    holiday = CalendarException(dt.date(2027, 1, 5), dt.date(2027, 1, 5))
    p = plan_of(
        (Task(1, "A", 3 * D, calendar="24 Hours"),),
        (Resource(1, "Ann", calendar="Ann"),),
        (Assignment(1, 1),),
        calendars=(CalendarSpec("Ann", base="Standard", exceptions=(holiday,)),),
    )
    s = schedule(p)
    prof = load_profile(p, s, "day")
    # 24 working hours from Monday 08:00 to Tuesday 08:00; Ann works 8 h on Monday and
    # not at all on Tuesday: the assignment works when both do
    assert s.task(1).finish == dt.datetime(2027, 1, 5, 8, 0)
    assert prof.load[0].tolist() == [480, 0]
    assert prof.capacity[0].tolist() == [480, 0]
    assert overallocations(p, s) == []


def test_elapsed_task_works_around_the_clock() -> None:
    p = plan_of(
        (Task(1, "Cure", 1440, elapsed=True),),
        (Resource(1, "Ann"),),
        (Assignment(1, 1),),
    )
    (o,) = overallocations(p, schedule(p))
    assert (o.load, o.capacity) == (960, 480)  # 08:00 to midnight, against 8 h


def test_part_time_resource_has_half_the_capacity() -> None:
    p = plan_of(
        (Task(1, "A", 2 * D), Task(2, "B", 2 * D)),
        (Resource(1, "Bob", max_units=0.5),),
        (Assignment(1, 1, units=0.5), Assignment(2, 1, units=0.25)),
    )
    got = overallocations(p, schedule(p))
    assert [(o.load, o.capacity) for o in got] == [(360, 240), (360, 240)]
    quarter = p.replace(assignments=(Assignment(1, 1, units=0.25), Assignment(2, 1, units=0.25)))
    assert overallocations(quarter, schedule(quarter)) == []


def test_one_resource_by_name_or_uid_and_material_resources_ignored() -> None:
    p = plan_of(
        (Task(1, "A", D), Task(2, "B", D)),
        (Resource(1, "Ann"), Resource(2, "Bob"), Resource(3, "Concrete", ResourceType.MATERIAL)),
        (
            Assignment(1, 1),
            Assignment(2, 1),
            Assignment(1, 2),
            Assignment(2, 2),
            Assignment(1, 3, units=5),
        ),
    )
    s = schedule(p)
    assert {o.resource for o in overallocations(p, s)} == {1, 2}
    assert {o.resource for o in overallocations(p, s, resource="Bob")} == {2}
    assert {o.resource for o in overallocations(p, s, resource=1)} == {1}
    with pytest.raises(UnknownReferenceError, match="no resource 'Zed'"):
        overallocations(p, s, resource="Zed")
    with pytest.raises(ValidationError, match="material resource"):
        overallocations(p, s, resource="Concrete")
    with pytest.raises(ValidationError, match="unknown period 'fortnight'"):
        overallocations(p, s, "fortnight")


def test_inactive_tasks_do_not_load_anyone_but_work_done_does() -> None:
    finished = dt.datetime(2027, 1, 5, 17, 0)
    done = Progress(actual_start=MON, actual_finish=finished, percent_complete=100)
    p = plan_of(
        (
            Task(1, "A", 2 * D, progress=done),
            Task(2, "B", 2 * D),
            Task(3, "C", 2 * D, active=False),
        ),
        (Resource(1, "Ann"),),
        (Assignment(1, 1), Assignment(2, 1), Assignment(3, 1)),
    )
    got = overallocations(p, schedule(p))
    assert [o.tasks for o in got] == [(1, 2), (1, 2)]


def test_period_boundaries() -> None:
    t = to_minutes(dt.datetime(2027, 1, 6, 10, 30))  # a Wednesday
    u = to_minutes(dt.datetime(2027, 2, 2, 9, 0))
    as_dates = [
        dt.datetime(1970, 1, 1) + dt.timedelta(minutes=int(m))
        for m in period_boundaries(t, u, "week")[:2]
    ]
    assert as_dates == [day(4), day(11)]
    months = period_boundaries(t, u, "month")
    assert len(months) == 3  # January, February, and the end
    assert period_boundaries(t, t + 30, "hour").tolist() == [t - 30, t + 30]


def _flagged(path: Path) -> set[int]:
    """Resources MS Project flagged <OverAllocated>1</OverAllocated> in an MSPDI file."""
    text = path.read_text(encoding="utf-8", errors="replace")
    out = set()
    for block in re.findall(r"<Resource>(.*?)</Resource>", text, re.S):
        uid = re.search(r"<UID>(\d+)</UID>", block)
        flag = re.search(r"<OverAllocated>1</OverAllocated>", block)
        if uid and flag:
            out.add(int(uid.group(1)))
    return out


@pytest.mark.parametrize(
    "name", ["mspdiresource.xml", "mspditimephasedsegments.xml", "legacy/sample1.xml"]
)
def test_same_over_allocated_resources_as_ms_project(name: str) -> None:
    path = MPXJ / name
    if not path.exists():
        pytest.skip(f"{path} is not there (see /work/shared/data/SOURCES.md)")
    plan = load_plan(path)
    found = {o.resource for o in overallocations(plan, schedule(plan), "hour")}
    assert found == _flagged(path)
    assert found  # each file has at least one


def test_units_above_max_units_are_over_allocated_even_when_ms_project_says_not() -> None:
    # MS Project leaves the flag off for two resources booked at 150 % on finished tasks
    path = MPXJ / "mspditimephased.xml"
    if not path.exists():
        pytest.skip(f"{path} is not there (see /work/shared/data/SOURCES.md)")
    plan = load_plan(path)
    found = {o.resource for o in overallocations(plan, schedule(plan), "hour")}
    assert found == _flagged(path) | {39, 40}


def test_overallocation_is_a_plain_value() -> None:
    o = Overallocation(1, "Ann", day(4), day(5), 960.0, 0.0, (1,))
    assert o.percent == float("inf")
    assert o.excess == 960.0


def test_work_outside_the_plan_follows_the_resource_calendar_within_the_periods() -> None:
    """Another project's assignment of Ann, Friday to Tuesday at half time: it loads her
    working days only (her Wednesday off too) and is cut to the periods asked for."""
    from jalon.engine.leveling.analysis import calendars_covering, spans_load

    holiday = CalendarException(dt.date(2027, 1, 12), dt.date(2027, 1, 12), name="Day off")
    p = plan_of(
        (Task(1, "A", 10 * D),),
        (Resource(1, "Ann", calendar="Ann"), Resource(2, "Bob")),
        (Assignment(1, 1),),
        calendars=(CalendarSpec("Ann", base="Standard", exceptions=(holiday,)),),
    )
    s = schedule(p)
    cals = calendars_covering(p, s)
    bounds = period_boundaries(to_minutes(day(4)), to_minutes(day(13)), "day")
    got = spans_load(
        cals,
        bounds,
        p.resources,
        np.array([0, 1]),
        np.array([0.5, 1.0]),
        np.array([to_minutes(dt.datetime(2027, 1, 8, 8)), to_minutes(day(20))]),
        np.array([to_minutes(dt.datetime(2027, 1, 14, 17)), to_minutes(day(25))]),
    )
    assert got.shape == (2, 9)
    # Friday 8th, Monday 11th; not the weekend, not her day off on Tuesday 12th
    assert got[0].tolist() == [0, 0, 0, 0, 240, 0, 0, 240, 0]
    assert not got[1].any()  # Bob's span lies after the periods
