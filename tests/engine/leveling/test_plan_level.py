"""Levelling whole plans: hand-checked cases, MS Project's options, real and generated plans.

Every result goes through :func:`verify`: the solver core's independent checker on the
levelling model, and plan-level checks that share no code with levelling (links with
their lags, calendars, never before the CPM dates, hour-by-hour capacity).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from jalon import load_plan
from jalon.engine import (
    Assignment,
    CalendarException,
    CalendarSpec,
    Constraint,
    ConstraintType,
    Lag,
    LagKind,
    Link,
    LinkType,
    Plan,
    Progress,
    Resource,
    Task,
    ValidationError,
    schedule,
)
from jalon.engine.calendar import CalendarSet, WorkCalendar
from jalon.engine.cpm import calendars_for
from jalon.engine.leveling import LevelingResult, check, level, overallocations
from jalon.engine.leveling.plan_model import NO_KEY
from jalon.engine.model import DATED_CONSTRAINTS
from jalon.engine.spans import task_calendars
from jalon.io.msproject_xml import read_mspdi, write_mspdi
from jalon.io.plan_yaml import read_plan, write_plan

D = 480
MON = dt.datetime(2027, 1, 4, 8, 0)  # a Monday
ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT.parent / "shared" / "data"
NEW_PRODUCT = DATA / "msproject" / "projectlibre" / "New Product.xml"


def at(day: int, hour: int = 8) -> dt.datetime:
    return dt.datetime(2027, 1, day, hour, 0)


def plan_of(
    *tasks: Task,
    people: tuple[Resource, ...] = (Resource(1, "Ann"),),
    jobs: tuple[Assignment, ...] = (),
    links: tuple[Link, ...] = (),
    **kw: object,
) -> Plan:
    return Plan(  # type: ignore[arg-type]
        name="t",
        start=MON,
        tasks=tasks,
        links=links,
        resources=people,
        assignments=jobs,
        **kw,
    )


def verify(result: LevelingResult, *, conflicts_left: bool = False) -> None:
    """Checks that share no code with levelling."""
    plan, after, before = result.plan, result.schedule, result.before
    problem, starts = result.as_rcpsp()
    found = check(problem, starts)
    if not conflicts_left:
        assert found == [], found[:5]
    else:
        # what may be left: capacity, and links into tasks that constraints, progress or
        # typed dates keep where they are (the scheduler lets those win over links)
        model, sgs = result.model, result.solution
        assert model is not None and sgs is not None
        kept = set(np.flatnonzero(model.fixed | (model.ub_key < NO_KEY)).tolist())
        kept |= set(sgs.unresolved)
        anchor = problem.n_tasks - 1  # the node that carries latest starts
        for message in found:
            if "units used in period" in message:
                continue
            arc = re.search(r"task (\d+) -> task (\d+)", message)
            assert arc, message
            src, dst = int(arc.group(1)), int(arc.group(2))
            assert dst in kept or (dst == anchor and src in kept), message
    leaf = ~after.summary
    alap = np.array([t.constraint.type is ConstraintType.ALAP for t in plan.tasks])
    # never before the CPM dates
    assert (after.start_min[leaf & ~alap] >= before.start_min[leaf & ~alap]).all()
    cs, names = calendars_for(plan, after)
    index = plan.task_index
    for link in plan.links:
        p, s = after.task(link.predecessor), after.task(link.successor)
        if p.summary or s.summary or not plan.task(link.predecessor).active:
            continue
        if _held_in_place(plan.task(link.successor)):
            continue  # its constraint or typed dates win over the link, as in MS Project
        cal = cs.calendar(names[link.successor])

        def plus(when: dt.datetime, link: Link = link, cal: WorkCalendar = cal) -> dt.datetime:
            lag = link.lag
            if lag.kind is LagKind.ELAPSED:
                return when + dt.timedelta(minutes=lag.value)
            minutes = lag.value
            if lag.kind is LagKind.PERCENT:
                minutes = plan.task(link.predecessor).duration * lag.value / 100
            return cal.add(when, round(minutes))

        if link.type is LinkType.FS:
            assert s.start >= plus(p.finish), (link, p, s)
        elif link.type is LinkType.SS:
            assert s.start >= plus(p.start), (link, p, s)
        elif link.type is LinkType.FF:
            assert s.finish >= plus(p.finish), (link, p, s)
        else:
            assert s.finish >= plus(p.start), (link, p, s)
    several = {plan.tasks[m.index].uid: m for m in task_calendars(plan, "").multi}
    for t in plan.tasks:
        st = after.tasks[index[t.uid]]
        if st.summary or t.manual or t.progress.actual_start or t.elapsed:
            continue
        if t.uid in several:
            # resources on several calendars: each works its span on its own calendar
            # from the task's start, and the task ends with the last one
            parts = several[t.uid].parts
            own = CalendarSet(plan.calendar_specs, [p.calendar for p in parts], cs.first, cs.last)
            ends = [
                own.calendar(p.calendar).add(
                    own.calendar(p.calendar).next_work_start(st.start), p.span
                )
                for p in parts
            ]
            assert st.finish == max(ends), t
            continue
        cal = cs.calendar(names[t.uid])
        # works its whole duration, in its own calendar's working time
        assert cal.working_minutes(st.start, st.finish) == t.duration, t
        if t.duration:
            assert cal.next_work_start(st.start) == st.start, t
    hourly = overallocations(plan, after, "hour")
    if not conflicts_left:
        assert hourly == []
    # the delays are what the schedule follows: scheduling the levelled plan gives it back
    again = schedule(plan, after.status_date)
    assert (again.start_min == after.start_min).all()


def _held_in_place(t: Task) -> bool:
    return (
        t.manual
        or t.progress.actual_start is not None
        or t.constraint.type in DATED_CONSTRAINTS
        or t.constraint.type is ConstraintType.ALAP
    )


def two_for_ann(**kw: object) -> Plan:
    return plan_of(
        Task(1, "A", 3 * D),
        Task(2, "B", 2 * D),
        jobs=(Assignment(1, 1), Assignment(2, 1)),
        **kw,
    )


def test_two_tasks_of_one_person_the_second_waits_for_the_first() -> None:
    p = two_for_ann()
    r = level(p)
    verify(r)
    b = r.schedule.task(2)
    assert (b.start, b.finish) == (at(7), at(8, 17))  # after A's 3 days
    assert r.schedule.task(1).start == MON
    assert r.delays == {2: 3 * 1440}  # MS Project's 3 elapsed days
    assert r.schedule.leveling_delay is not None
    assert r.schedule.leveling_delay.tolist() == [0, 3 * 1440]
    assert [(m.uid, m.delay, m.shift) for m in r.moved] == [(2, 3 * 1440, 3 * D)]
    assert (r.finish_before, r.finish_after) == (at(6, 17), at(8, 17))
    assert r.status == "heuristic"
    assert r.remaining_overallocations == ()
    # 5 days of Ann's work: nothing finishes before Friday evening
    assert r.lower_bound == at(8, 17)
    assert r.gap_pct == 0.0


def test_fast_keeps_ms_project_order_optimal_finds_the_shorter_plan() -> None:
    # B is followed by C: delaying A instead of B ends two days earlier
    p = plan_of(
        Task(1, "A", 3 * D),
        Task(2, "B", 2 * D),
        Task(3, "C", D),
        jobs=(Assignment(1, 1), Assignment(2, 1)),
        links=(Link(2, 3),),
    )
    fast = level(p)
    verify(fast)
    assert fast.finish_after == at(11, 17)
    assert fast.gap_pct > 0
    best = level(p, mode="optimal", time_limit=10)
    verify(best)
    assert best.status == "optimal"
    assert best.finish_after == best.lower_bound == at(8, 17)
    assert best.gap_pct == 0.0
    assert best.delays == {1: 2 * 1440}  # A waits for B


def test_a_holiday_in_the_resource_calendar() -> None:
    holiday = CalendarException(dt.date(2027, 1, 6), dt.date(2027, 1, 6), name="Day off")
    p = two_for_ann(
        people=(Resource(1, "Ann", calendar="Ann"),),
        calendars=(CalendarSpec("Ann", base="Standard", exceptions=(holiday,)),),
    )
    r = level(p)
    verify(r)
    # A: Monday, Tuesday, Thursday (Ann is off on Wednesday); B: Friday and Monday
    assert r.schedule.task(1).finish == at(7, 17)
    assert (r.schedule.task(2).start, r.schedule.task(2).finish) == (at(8), at(11, 17))


def test_a_part_time_resource_works_two_half_tasks_at_once_not_three() -> None:
    p = plan_of(
        Task(1, "A", 2 * D),
        Task(2, "B", 2 * D),
        Task(3, "C", 2 * D),
        people=(Resource(1, "Bob", max_units=0.5),),
        jobs=(
            Assignment(1, 1, units=0.25),
            Assignment(2, 1, units=0.25),
            Assignment(3, 1, units=0.25),
        ),
    )
    r = level(p)
    verify(r)
    starts = sorted(t.start for t in r.schedule.tasks)
    assert starts == [MON, MON, at(6)]


def test_an_assignment_above_max_units_cannot_be_levelled_and_is_reported() -> None:
    p = plan_of(
        Task(1, "A", 2 * D),
        Task(2, "B", D),
        people=(Resource(1, "Bob", max_units=0.5),),
        jobs=(Assignment(1, 1), Assignment(2, 1, units=0.5)),
    )
    r = level(p)
    verify(r, conflicts_left=True)
    assert r.schedule.task(2).start == at(6)  # still levelled against A
    assert {o.tasks for o in r.remaining_overallocations} == {(1,)}
    assert all(o.load == 2 * o.capacity for o in r.remaining_overallocations)


def test_priority_1000_never_moves_and_priority_orders_the_rest() -> None:
    p = two_for_ann()
    assert level(p).schedule.task(1).start == MON  # same priority: the first task keeps its place
    first = p.replace(tasks=(p.tasks[0], Task(2, "B", 2 * D, priority=1000)))
    r = level(first)
    verify(r)
    assert r.schedule.task(2).start == MON
    assert r.schedule.task(1).start == at(6)
    higher = p.replace(tasks=(p.tasks[0], Task(2, "B", 2 * D, priority=600)))
    assert level(higher).schedule.task(2).start == MON


def test_manual_tasks_and_work_done_are_never_moved() -> None:
    manual = Task(2, "M", 2 * D, manual=True, start=MON, finish=at(5, 17))
    done = Task(
        3,
        "Done",
        D,
        progress=Progress(actual_start=MON, actual_finish=at(4, 17), percent_complete=100),
    )
    p = plan_of(
        Task(1, "A", 2 * D),
        manual,
        done,
        people=(Resource(1, "Ann"), Resource(2, "Bob")),
        jobs=(Assignment(1, 1), Assignment(2, 1), Assignment(3, 2), Assignment(1, 2)),
    )
    r = level(p)
    verify(r)
    assert (r.schedule.task(2).start, r.schedule.task(2).finish) == (MON, at(5, 17))
    assert r.schedule.task(3).start == MON
    assert r.schedule.task(1).start == at(6)  # A waits for both
    assert [m.uid for m in r.moved] == [1]


def test_within_slack_leaves_the_finish_and_reports_what_is_left() -> None:
    # C (5 days, nobody) sets the finish; A and B share Ann and could fit after each other
    p = plan_of(
        Task(1, "A", 3 * D),
        Task(2, "B", 1 * D),
        Task(3, "C", 5 * D),
        jobs=(Assignment(1, 1), Assignment(2, 1)),
    )
    r = level(p, within_slack=True)
    verify(r)
    assert r.finish_after == r.finish_before == at(8, 17)
    assert r.schedule.task(2).start == at(7)
    # with 2 days more work for Ann than the slack allows, within slack leaves a conflict
    tight = p.replace(tasks=(Task(1, "A", 3 * D), Task(2, "B", 4 * D), Task(3, "C", 5 * D)))
    r = level(tight, within_slack=True)
    verify(r, conflicts_left=True)
    assert r.finish_after == r.finish_before
    assert r.remaining_overallocations
    assert {o.tasks for o in r.remaining_overallocations} == {(1, 2)}
    # and without the option the finish moves instead
    free = level(tight)
    verify(free)
    assert free.finish_after == at(12, 17)  # 7 days of work for Ann


def test_one_resource_only() -> None:
    p = plan_of(
        Task(1, "A", 2 * D),
        Task(2, "B", 2 * D),
        Task(3, "C", 2 * D),
        Task(4, "D", 2 * D),
        people=(Resource(1, "Ann"), Resource(2, "Bob")),
        jobs=(Assignment(1, 1), Assignment(2, 1), Assignment(3, 2), Assignment(4, 2)),
    )
    r = level(p, resource="Ann")
    verify(r, conflicts_left=True)
    assert [m.uid for m in r.moved] == [2]
    assert {o.resource for o in overallocations(r.plan, r.schedule)} == {2}
    assert r.remaining_overallocations == ()  # the report is about Ann
    both = level(p)
    verify(both)
    assert [m.uid for m in both.moved] == [2, 4]


def test_links_lags_and_successors_follow_the_delays() -> None:
    p = plan_of(
        Task(1, "A", 2 * D),
        Task(2, "B", 2 * D),
        Task(3, "C", 1 * D),
        Task(4, "E", 1 * D),
        Task(5, "F", 3 * D),
        jobs=(Assignment(1, 1), Assignment(2, 1), Assignment(5, 1)),
        links=(
            Link(2, 3, LinkType.FS, Lag(D)),
            Link(2, 4, LinkType.SS, Lag(D // 2)),
            Link(3, 5, LinkType.FF),
        ),
    )
    r = level(p)
    verify(r)
    assert r.remaining_overallocations == ()


def test_constraints_are_kept() -> None:
    # B must start on Monday: A gives way. C must start by Tuesday: it goes first on Bob
    p = plan_of(
        Task(1, "A", 2 * D),
        Task(2, "B", 2 * D, constraint=Constraint(ConstraintType.MSO, MON)),
        Task(3, "C", 1 * D, constraint=Constraint(ConstraintType.SNLT, at(5))),
        people=(Resource(1, "Ann"), Resource(2, "Bob")),
        jobs=(Assignment(1, 1), Assignment(2, 1), Assignment(1, 2), Assignment(3, 2)),
    )
    r = level(p)
    verify(r)
    assert r.schedule.task(2).start == MON
    assert r.schedule.task(3).start == MON
    assert r.schedule.task(1).start == at(6)
    # D must start on Monday too, on Ann, next to B: no delay can help, the conflict stays
    clash = p.replace(
        tasks=(*p.tasks, Task(4, "D", D, constraint=Constraint(ConstraintType.SNLT, MON))),
        assignments=(*p.assignments, Assignment(4, 1)),
    )
    r = level(clash)
    verify(r, conflicts_left=True)
    assert r.schedule.task(4).start == MON
    assert {(o.resource_name, o.tasks) for o in r.remaining_overallocations} == {("Ann", (2, 4))}


def test_levelled_plan_saves_and_reloads_with_the_same_dates() -> None:
    p = plan_of(
        Task(1, "A", 3 * D),
        Task(2, "B", 2 * D),
        Task(3, "C", D),
        jobs=(Assignment(1, 1), Assignment(2, 1)),
        links=(Link(2, 3),),
    )
    r = level(p)
    text = io.BytesIO()
    write_plan(r.plan, text)
    again = read_plan(io.BytesIO(text.getvalue()))
    assert [t.leveling_delay for t in again.tasks] == [t.leveling_delay for t in r.plan.tasks]
    assert (schedule(again).start_min == r.schedule.start_min).all()
    xml = io.BytesIO()
    write_mspdi(r.plan, r.schedule, xml)
    back = read_mspdi(io.BytesIO(xml.getvalue()))
    assert (schedule(back).start_min == r.schedule.start_min).all()


def test_levelling_again_starts_from_a_clean_plan() -> None:
    r = level(two_for_ann())
    twice = level(r.plan)
    assert twice.delays == r.delays
    assert twice.finish_before == r.finish_before  # the earlier delays were cleared first


def test_nothing_to_level() -> None:
    p = plan_of(Task(1, "A", D), Task(2, "B", D), jobs=(Assignment(1, 1),))
    r = level(p, mode="optimal", time_limit=5)
    assert r.moved == () and r.delays == {}
    assert r.finish_after == r.finish_before
    verify(r)


def test_bad_options_are_reported() -> None:
    p = two_for_ann()
    with pytest.raises(ValidationError, match="unknown levelling mode 'best'"):
        level(p, mode="best")
    with pytest.raises(ValidationError, match="time limit"):
        level(p, mode="optimal", time_limit=0)
    with pytest.raises(ValidationError, match="no resource 'Zed'"):
        level(p, resource="Zed")
    with pytest.raises(ValidationError, match="granularity"):
        level(p, granularity=-5)


def test_new_product_plan_from_ms_project() -> None:
    if not NEW_PRODUCT.exists():
        pytest.skip(f"{NEW_PRODUCT} is not there (see /work/shared/data/SOURCES.md)")
    plan = load_plan(NEW_PRODUCT)
    before = schedule(plan)
    assert overallocations(plan, before)  # Scott Adams and Howard Thompson are overbooked
    r = level(plan, before)
    verify(r)
    assert r.remaining_overallocations == ()
    assert r.finish_after > r.finish_before
    best = level(plan, before, mode="optimal", time_limit=10)
    verify(best)
    assert best.finish_after <= r.finish_after
    assert best.status in ("optimal", "feasible")


@pytest.fixture(scope="module")
def staffed() -> Plan:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from level import staffed_plan  # type: ignore[import-not-found]
    finally:
        sys.path.pop(0)
    plan: Plan = staffed_plan(400, seed=3, people=8)
    return plan


def test_generated_plan_with_calendars_constraints_and_summary_links(staffed: Plan) -> None:
    before = schedule(staffed)
    assert len(overallocations(staffed, before)) > 20
    r = level(staffed, before)
    verify(r, conflicts_left=True)
    model, sgs = r.model, r.solution
    assert model is not None and sgs is not None
    n = len(staffed.tasks)
    held = np.flatnonzero(sgs.held[:n])
    assert held.size > 20
    # every task the resources held back starts exactly where levelling put it, but for
    # those after a task on several resource calendars: levelling keeps the span such a
    # task has where CPM put it, and its new place may lengthen it (docs/scheduling.md)
    downstream = {staffed.tasks[m.index].uid for m in task_calendars(staffed, "").multi}
    grew = True
    while grew:
        size = len(downstream)
        downstream |= {k.successor for k in staffed.links if k.predecessor in downstream}
        grew = len(downstream) > size
    exact = np.array([staffed.tasks[i].uid not in downstream for i in held.tolist()])
    assert exact.sum() > 20
    assert (r.schedule.start_min[held[exact]] == sgs.start_time[held[exact]]).all()
    # what is left comes from tasks that had no room by their latest start
    # (constraints downstream, or the task is As Late As Possible and moved)
    if sgs.unresolved:
        assert r.remaining_overallocations


def test_generated_plan_without_constraints_is_fully_levelled(staffed: Plan) -> None:
    plain = staffed.replace(tasks=tuple(_asap(t) for t in staffed.tasks))
    r = level(plain)
    verify(r)
    assert r.remaining_overallocations == ()
    assert r.finish_after >= r.lower_bound >= r.finish_before


def _asap(t: Task) -> Task:
    from dataclasses import replace

    return replace(t, constraint=Constraint())


def test_large_plans_use_a_lean_cp_sat_model(monkeypatch: pytest.MonkeyPatch) -> None:
    from jalon.engine.leveling import plan_level

    monkeypatch.setattr(plan_level, "LARGE", 0)
    p = plan_of(
        Task(1, "A", 3 * D),
        Task(2, "B", 2 * D),
        Task(3, "C", D),
        jobs=(Assignment(1, 1), Assignment(2, 1)),
        links=(Link(2, 3),),
    )
    best = level(p, mode="optimal", time_limit=10)
    verify(best)
    assert best.status == "optimal"
    assert best.finish_after == best.lower_bound == at(8, 17)
