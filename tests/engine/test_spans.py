"""Tasks whose dates follow their assignments: resources on several calendars, work /
units, splits and work edited by hand (MS Project's rules, worked out by hand)."""

from __future__ import annotations

import datetime as dt

from jalon.engine import (
    Assignment,
    Link,
    Plan,
    Progress,
    Resource,
    Task,
    WorkPeriod,
    schedule,
)

D = 480
MON = dt.datetime(2027, 1, 4, 8, 0)  # a Monday


def at(day: int, hour: int = 8, minute: int = 0) -> dt.datetime:
    return dt.datetime(2027, 1, day, hour, minute)


DAY_SHIFT = Resource(uid=1, name="Day", calendar="Standard")
NIGHT_SHIFT = Resource(uid=2, name="Night", calendar="Night Shift")
ROUND_THE_CLOCK = Resource(uid=3, name="Machine", calendar="24 Hours")


def plan_of(tasks: tuple[Task, ...], assignments: tuple[Assignment, ...], **kw: object) -> Plan:
    return Plan(
        name="spans",
        start=MON,
        tasks=tasks,
        resources=(DAY_SHIFT, NIGHT_SHIFT, ROUND_THE_CLOCK),
        assignments=assignments,
        **kw,  # type: ignore[arg-type]
    )


def dates(s, uid):  # type: ignore[no-untyped-def]
    t = s.task(uid)
    return t.start, t.finish


def test_a_day_and_a_night_resource_the_task_ends_with_the_night_shift() -> None:
    # two days of work each: the day resource ends Tue 17:00, the night one works Mon
    # 23:00-24:00, Tue 00:00-03:00 and 04:00-08:00, ... and ends Wed 08:00
    plan = plan_of(
        (Task(1, "Both shifts", duration=2 * D), Task(2, "After", duration=D)),
        (Assignment(1, 1), Assignment(1, 2)),
        links=(Link(1, 2),),
    )
    s = schedule(plan)
    assert dates(s, 1) == (at(4), at(6, 8))
    assert dates(s, 2) == (at(6), at(6, 17))  # on the Standard calendar, from Wed 08:00
    assert s.finish == at(6, 17)


def test_the_night_shift_alone_starts_the_task_at_night() -> None:
    plan = plan_of((Task(1, "Night", duration=D),), (Assignment(1, 2),))
    assert dates(schedule(plan), 1) == (at(4, 23), at(5, 8))


def test_each_assignment_lasts_its_work_divided_by_its_units() -> None:
    # half-time on the day shift: 8 h of work take two days (Tue 17:00); the machine
    # works 8 h round the clock (Mon 16:00); the typed duration (1 day) is not the span
    plan = plan_of(
        (Task(1, "Mixed", duration=D), Task(2, "After", duration=D)),
        (Assignment(1, 1, units=0.5, work=D), Assignment(1, 3, units=1.0, work=D)),
        links=(Link(1, 2),),
    )
    s = schedule(plan)
    assert dates(s, 1) == (at(4), at(5, 17))
    assert dates(s, 2) == (at(6), at(6, 17))


def test_a_chain_of_tasks_on_several_calendars_settles() -> None:
    tasks = (
        Task(1, "A", duration=D),
        Task(2, "B", duration=D),
        Task(3, "C", duration=D),
    )
    assignments = tuple(a for uid in (1, 2, 3) for a in (Assignment(uid, 1), Assignment(uid, 2)))
    s = schedule(plan_of(tasks, assignments, links=(Link(1, 2), Link(2, 3))))
    # A: day shift Mon 08:00-17:00, night shift Mon 23:00 - Tue 08:00
    assert dates(s, 1) == (at(4), at(5, 8))
    # B from Tue 08:00: day shift to Tue 17:00, night shift Tue 23:00 - Wed 08:00
    assert dates(s, 2) == (at(5), at(6, 8))
    assert dates(s, 3) == (at(6), at(7, 8))
    # scheduling again gives the same dates (the network keeps the fitted spans)
    assert dates(schedule(s.plan), 3) == (at(6), at(7, 8))


def test_a_task_with_its_own_calendar_ignores_the_resource_calendars() -> None:
    plan = plan_of(
        (Task(1, "Own calendar", duration=2 * D, calendar="Standard"),),
        (Assignment(1, 1), Assignment(1, 2)),
    )
    assert dates(schedule(plan), 1) == (at(4), at(5, 17))


def test_a_split_task_lasts_its_duration_plus_the_split() -> None:
    # two days of work, then no work on Wednesday, then one day: Thursday 17:00
    contour = (
        WorkPeriod(at(4), at(5, 17), 2 * D),
        WorkPeriod(at(5, 17), at(6, 17), 0),
        WorkPeriod(at(6, 17), at(7, 17), D),
    )
    plan = plan_of(
        (Task(1, "Split", duration=3 * D, contour=contour), Task(2, "After", duration=D)),
        (),
        links=(Link(1, 2),),
    )
    s = schedule(plan)
    assert dates(s, 1) == (at(4), at(7, 17))
    assert dates(s, 2) == (at(8), at(8, 17))
    assert s.task(1).duration == 3 * D  # the duration is still the work time


def test_the_split_moves_with_the_task() -> None:
    contour = (
        WorkPeriod(at(4), at(4, 17), D),
        WorkPeriod(at(4, 17), at(5, 17), 0),
        WorkPeriod(at(5, 17), at(6, 17), D),
    )
    plan = plan_of(
        (Task(1, "First", duration=D), Task(2, "Split", duration=2 * D, contour=contour)),
        (),
        links=(Link(1, 2),),
    )
    # starts Tuesday, works Tuesday, pauses Wednesday, works Thursday
    assert dates(schedule(plan), 2) == (at(5), at(7, 17))


def test_work_edited_on_an_assignment_is_measured_on_the_resource_calendar() -> None:
    # the night resource's work was edited: 8 h, a night off, then 8 h (from Mon 23:00
    # to Tue 08:00, nothing the next night, then Wed 23:00 to Thu 08:00)
    contour = (
        WorkPeriod(at(4, 23), at(5, 23), D),
        WorkPeriod(at(5, 23), at(6, 23), 0),
        WorkPeriod(at(6, 23), at(7, 8), D),
    )
    plan = plan_of(
        (Task(1, "Edited", duration=2 * D),),
        (Assignment(1, 2, contour=contour),),
    )
    assert dates(schedule(plan), 1) == (at(4, 23), at(7, 8))


def test_a_started_split_task_finishes_its_span_after_its_actual_start() -> None:
    contour = (
        WorkPeriod(at(4), at(4, 17), D),
        WorkPeriod(at(4, 17), at(5, 17), 0),
        WorkPeriod(at(5, 17), at(6, 17), D),
    )
    task = Task(
        1,
        "Started",
        duration=2 * D,
        contour=contour,
        progress=Progress(actual_start=at(4), percent_complete=50),
    )
    assert dates(schedule(plan_of((task,), ())), 1) == (at(4), at(6, 17))
