"""The scheduling engine on small plans whose MS Project results are known by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from jalon.engine import (
    Constraint,
    ConstraintType,
    CycleError,
    Lag,
    LagKind,
    Link,
    LinkType,
    Plan,
    Progress,
    Task,
    UnknownReferenceError,
    ValidationError,
    schedule,
)
from jalon.engine.model import CalendarException, CalendarSpec

D = 480  # minutes in a working day
MON = dt.datetime(2027, 1, 4, 8, 0)  # a Monday


def at(day: int, hour: int = 8, minute: int = 0) -> dt.datetime:
    """2027-01-<day> at hour:minute."""
    return dt.datetime(2027, 1, day, hour, minute)


def plan_of(*tasks: Task, links: tuple[Link, ...] = (), **kw: object) -> Plan:
    return Plan(name="test", start=kw.pop("start", MON), tasks=tasks, links=links, **kw)  # type: ignore[arg-type]


def task(uid: int, days: float = 1, **kw: object) -> Task:
    return Task(uid=uid, name=f"T{uid}", duration=round(days * D), **kw)  # type: ignore[arg-type]


def dates(s, uid):  # type: ignore[no-untyped-def]
    t = s.task(uid)
    return t.start, t.finish


def test_fs_chain_skips_the_weekend() -> None:
    s = schedule(plan_of(task(1, 3), task(2, 3), links=(Link(1, 2),)))
    assert dates(s, 1) == (at(4), at(6, 17))
    assert dates(s, 2) == (at(7), at(11, 17))  # Thu, Fri, then Monday
    assert s.finish == at(11, 17)
    assert s.critical_path == [1, 2]


def test_half_day_task_finishes_at_noon_and_successor_starts_after_lunch() -> None:
    s = schedule(plan_of(task(1, 0.5), task(2, 0.5), links=(Link(1, 2),)))
    assert dates(s, 1) == (at(4), at(4, 12))
    assert dates(s, 2) == (at(4, 13), at(4, 17))


def test_milestone_sits_at_the_end_of_its_predecessor() -> None:
    s = schedule(plan_of(task(1, 2), task(2, 0), task(3, 1), links=(Link(1, 2), Link(2, 3))))
    assert dates(s, 2) == (at(5, 17), at(5, 17))
    assert dates(s, 3) == (at(6), at(6, 17))
    assert s.task(2).milestone


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        (Link(1, 2, LinkType.SS), (at(4), at(5, 17))),
        (Link(1, 2, LinkType.SS, Lag(D)), (at(5), at(6, 17))),
        (Link(1, 2, LinkType.FF), (at(6), at(7, 17))),
        (Link(1, 2, LinkType.FS, Lag(-D)), (at(7), at(8, 17))),  # one day of overlap
        (Link(1, 2, LinkType.FS, Lag(2 * D)), (at(12), at(13, 17))),
        (Link(1, 2, LinkType.FS, Lag(50, LagKind.PERCENT)), (at(12), at(13, 17))),  # 50% of 4d
        # 2 elapsed days after Thu 17:00 is Sat 17:00: work resumes Monday
        (Link(1, 2, LinkType.FS, Lag(2 * 1440, LagKind.ELAPSED)), (at(11), at(12, 17))),
    ],
)
def test_link_types_and_lags(link: Link, expected: tuple[dt.datetime, dt.datetime]) -> None:
    # task 1: Mon-Thu (4 days); task 2: 2 days
    s = schedule(plan_of(task(1, 4), task(2, 2), links=(link,)))
    assert dates(s, 2) == expected


def test_sf_link_places_the_successor_finish() -> None:
    # successor must finish no earlier than the predecessor's start + 3 days
    s = schedule(plan_of(task(1, 1), task(2, 1), links=(Link(1, 2, LinkType.SF, Lag(3 * D)),)))
    assert dates(s, 2) == (at(6), at(6, 17))


def test_floats_and_critical_path() -> None:
    # 1 -> 2 (5d) -> 4 and 1 -> 3 (2d) -> 4: 3 has 3 days of float
    p = plan_of(
        task(1, 1),
        task(2, 5),
        task(3, 2),
        task(4, 1),
        links=(Link(1, 2), Link(1, 3), Link(2, 4), Link(3, 4)),
    )
    s = schedule(p)
    assert s.task(3).total_float == 3 * D
    assert s.task(3).free_float == 3 * D
    assert not s.task(3).critical
    assert s.task(3).late_start == at(8)
    assert s.critical_path == [1, 2, 4]
    # a threshold of 3 days makes task 3 critical too
    assert schedule(p, critical_slack=3 * D).task(3).critical


def test_free_float_is_zero_when_a_successor_is_driven_by_another_link() -> None:
    p = plan_of(task(1, 1), task(2, 3), task(3, 1), links=(Link(1, 3), Link(2, 3)))
    s = schedule(p)
    assert s.task(1).free_float == 2 * D
    assert s.task(2).free_float == 0


@pytest.mark.parametrize(
    ("constraint", "start"),
    [
        (Constraint(ConstraintType.SNET, at(13)), at(13)),
        (Constraint(ConstraintType.FNET, at(14, 17)), at(13)),
        (Constraint(ConstraintType.MSO, at(12)), at(12)),
        (Constraint(ConstraintType.MFO, at(15, 17)), at(14)),
        (Constraint(ConstraintType.SNLT, at(20)), at(6)),
        (Constraint(ConstraintType.FNLT, at(20, 17)), at(6)),
    ],
)
def test_constraints(constraint: Constraint, start: dt.datetime) -> None:
    p = plan_of(task(1, 2), task(2, 2, constraint=constraint), links=(Link(1, 2),))
    assert schedule(p).task(2).start == start


def test_constraint_that_conflicts_with_links_wins_and_warns() -> None:
    p = plan_of(
        task(1, 5),
        task(2, 1, constraint=Constraint(ConstraintType.SNLT, at(6))),
        links=(Link(1, 2),),
    )
    s = schedule(p)
    assert s.task(2).start == at(6)  # MS Project honours the constraint
    assert s.task(1).total_float == -3 * D
    assert s.warnings[0].kind == "constraint-conflict"
    assert "Start No Later Than" in s.warnings[0].message
    assert "'T2'" in s.warnings[0].message


def test_deadline_creates_negative_float_without_moving_the_task() -> None:
    p = plan_of(task(1, 5), task(2, 2, deadline=at(8, 17)), links=(Link(1, 2),))
    s = schedule(p)
    assert dates(s, 2) == (at(11), at(12, 17))
    assert s.task(2).total_float == -2 * D
    assert s.task(1).total_float == -2 * D
    assert s.task(1).critical
    assert any(w.kind == "deadline-missed" and w.task == 2 for w in s.warnings)


def test_alap_task_is_placed_at_its_late_dates() -> None:
    p = plan_of(
        task(1, 5),
        task(2, 1, constraint=Constraint(ConstraintType.ALAP)),
        task(3, 1),
        links=(Link(2, 3),),
    )
    s = schedule(p)
    assert dates(s, 2) == (at(7), at(7, 17))
    assert dates(s, 3) == (at(8), at(8, 17))


def test_summary_tasks_roll_up_and_links_on_summaries_apply_to_subtasks() -> None:
    p = plan_of(
        Task(uid=1, name="Phase 1"),
        task(2, 2, parent=1),
        task(3, 3, parent=1),
        Task(uid=4, name="Phase 2"),
        task(5, 1, parent=4),
        task(6, 2, parent=4),
        links=(Link(2, 3), Link(1, 4)),
    )
    s = schedule(p)
    assert dates(s, 1) == (at(4), at(8, 17))
    assert s.task(1).summary
    assert s.task(1).duration == 5 * D
    assert dates(s, 5) == (at(11), at(11, 17))
    assert dates(s, 6) == (at(11), at(12, 17))
    assert dates(s, 4) == (at(11), at(12, 17))
    assert s.task(1).wbs == "1" and s.task(6).wbs == "2.2"


def test_link_from_summary_start_leaves_from_its_earliest_subtask() -> None:
    p = plan_of(
        Task(uid=1, name="Phase"),
        task(2, 2, parent=1, constraint=Constraint(ConstraintType.SNET, at(6))),
        task(3, 1, parent=1, constraint=Constraint(ConstraintType.SNET, at(5))),
        task(4, 1),
        links=(Link(1, 4, LinkType.SS, Lag(D)),),
    )
    s = schedule(p)
    assert s.task(4).start == at(6)


def test_manual_task_keeps_its_dates_and_drives_successors() -> None:
    p = plan_of(
        task(1, 1, manual=True, start=at(5, 10), finish=at(6, 15)),
        task(2, 1),
        links=(Link(1, 2),),
    )
    s = schedule(p)
    assert dates(s, 1) == (at(5, 10), at(6, 15))
    assert dates(s, 2) == (at(6, 15), at(7, 15))


def test_inactive_task_drives_nothing() -> None:
    p = plan_of(task(1, 5, active=False), task(2, 1), links=(Link(1, 2),))
    s = schedule(p)
    assert dates(s, 2) == (at(4), at(4, 17))
    assert not s.task(1).critical


def test_progress_actual_dates_pin_the_task() -> None:
    p = plan_of(
        task(1, 2, progress=Progress(at(5), at(7, 12), 100)),
        task(2, 4, progress=Progress(at(8), None, 50)),
        task(3, 1),
        links=(Link(1, 2), Link(2, 3)),
    )
    s = schedule(p)
    assert dates(s, 1) == (at(5), at(7, 12))
    assert dates(s, 2) == (at(8), at(13, 17))
    assert dates(s, 3) == (at(14), at(14, 17))
    assert not s.task(1).critical  # finished work is never critical


def test_status_date_moves_unfinished_work_after_it() -> None:
    p = plan_of(
        task(1, 4, progress=Progress(at(4), None, 25)),
        task(2, 1),
        links=(Link(1, 2),),
    )
    s = schedule(p, status_date=at(11))
    # 3 days remain, restarting on the status date
    assert dates(s, 1) == (at(4), at(13, 17))
    assert s.task(2).start == at(14)
    assert s.status_date == at(11)


def test_backward_scheduling_from_the_finish_date() -> None:
    p = plan_of(
        task(1, 2, constraint=Constraint(ConstraintType.ALAP)),
        task(2, 3, constraint=Constraint(ConstraintType.ALAP)),
        links=(Link(1, 2),),
        schedule_from_finish=True,
        finish=at(15, 17),
    )
    s = schedule(p)
    assert dates(s, 2) == (at(13), at(15, 17))
    assert dates(s, 1) == (at(11), at(12, 17))


def test_task_calendar_and_holidays() -> None:
    cal = CalendarSpec(name="France", base="Standard", country="FR")
    p = Plan(
        name="fr",
        start=dt.datetime(2027, 7, 12, 8),
        calendar="France",
        calendars=(cal,),
        tasks=(task(1, 3), task(2, 1, calendar="24 Hours")),
        links=(Link(1, 2),),
    )
    s = schedule(p)
    # Wednesday 14 July is Bastille Day
    assert dates(s, 1) == (dt.datetime(2027, 7, 12, 8), dt.datetime(2027, 7, 15, 17))
    # on the 24-hour calendar the successor starts at once and works 8 h straight
    assert dates(s, 2) == (dt.datetime(2027, 7, 15, 17), dt.datetime(2027, 7, 16, 1))


def test_calendar_exception_and_derived_calendar() -> None:
    shutdown = CalendarException(start=dt.date(2027, 1, 6), finish=dt.date(2027, 1, 7))
    cal = CalendarSpec(name="Plant", base="Standard", exceptions=(shutdown,))
    p = plan_of(task(1, 3, calendar="Plant"), calendars=(cal,))
    assert dates(schedule(p), 1) == (at(4), at(8, 17))


def test_cycle_is_reported_with_its_tasks() -> None:
    p = plan_of(task(1), task(2), task(3), links=(Link(1, 2), Link(2, 3), Link(3, 1)))
    with pytest.raises(CycleError) as err:
        schedule(p)
    assert set(err.value.cycle) == {p.label(1), p.label(2), p.label(3)}
    assert "T1" in str(err.value) and "->" in str(err.value)


@pytest.mark.parametrize(
    ("build", "error", "words"),
    [
        (lambda: plan_of(task(1, calendar="Nope")), UnknownReferenceError, ["Nope", "calendar"]),
        (
            lambda: plan_of(Task(uid=1, name="Neg", duration=-5)),
            ValidationError,
            ["Neg", "duration"],
        ),
        (lambda: plan_of(task(1), links=(Link(1, 9),)), UnknownReferenceError, ["9", "T1"]),
        (
            lambda: plan_of(Task(uid=1, name="Sum"), task(2, parent=1), links=(Link(1, 2),)),
            ValidationError,
            ["summary", "Sum"],
        ),
        (
            lambda: plan_of(task(1, constraint=Constraint(ConstraintType.MSO))),
            ValidationError,
            ["constraint", "T1"],
        ),
    ],
)
def test_bad_data_names_the_task_and_field(build, error, words) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error) as err:
        build()
    for word in words:
        assert word in str(err.value)


def test_network_is_compiled_once_per_plan() -> None:
    from jalon.engine.cpm import compile_network

    p = plan_of(task(1), task(2), links=(Link(1, 2),))
    assert compile_network(p) is compile_network(p)


def test_plans_with_the_same_calendars_share_their_calendar_tables() -> None:
    # a plan rebuilt after an edit finds its calendar set (and its conversion tables)
    # ready; a plan whose calendars differ does not
    from jalon.engine.cpm import calendars_for

    def tables(p: Plan) -> object:
        return calendars_for(p)[0]

    p = plan_of(task(1), task(2), links=(Link(1, 2),))
    edited = p.replace(tasks=(task(1, 3), task(2)))
    assert tables(edited) is tables(p)
    four_days = CalendarSpec("Mon-Thu", week={4: ()}, base="Standard")
    other = p.replace(calendars=(*p.calendars, four_days))
    assert tables(other) is not tables(p)
    assert schedule(edited).task(2).start == at(7)


def test_leveling_delay_holds_a_task_back_with_or_without_predecessors() -> None:
    p = plan_of(
        task(1, 1, leveling_delay=2 * 1440),
        task(2, 1),
        task(3, 1, leveling_delay=3 * 1440),
        links=(Link(2, 3),),
    )
    s = schedule(p)
    assert s.task(1).start == at(6)  # Mon 08:00 + 2 elapsed days
    # Mon 17:00 + 3 elapsed days = Thu 17:00: next working time is Fri 08:00
    assert s.task(3).start == at(8)


def test_percent_complete_without_actual_dates_is_not_held_by_the_status_date() -> None:
    p = plan_of(
        task(1, 2, progress=Progress(None, None, 100)),
        task(2, 2, progress=Progress(None, None, 50)),
        task(3, 2),
        links=(Link(1, 3),),
    )
    s = schedule(p, status_date=at(5, 17))
    assert s.task(1).start == at(4)  # done where it was planned
    assert not s.task(1).critical
    assert s.task(2).start == at(4)
    assert s.task(3).start == at(6)  # not started: after the status date


def test_levels_in_plain_python_and_vectorised_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    import random

    from jalon.engine import cpm

    rnd = random.Random(3)
    tasks = tuple(task(i) for i in range(1, 401))
    links = {(a, b) for a, b in ((rnd.randint(1, 399), rnd.randint(1, 400)) for _ in range(900))}
    p = plan_of(*tasks, links=tuple(Link(a, b) for a, b in sorted(links) if a < b))
    net = cpm.compile_network(p)
    e = net.edges
    back = Link(p.links[0].successor, p.links[0].predecessor)
    looped = p.replace(links=(*p.links, back))
    plain = cpm._levels(p, net.n_nodes, e.src, e.dst)
    with pytest.raises(CycleError) as plain_error:
        cpm.compile_network(looped)
    monkeypatch.setattr(cpm, "LEVELS_PLAIN", 0)
    vectorised = cpm._levels(p, net.n_nodes, e.src, e.dst)
    assert plain[1] == vectorised[1] > 5
    assert (plain[0] == vectorised[0]).all()
    with pytest.raises(CycleError) as vectorised_error:
        cpm.compile_network(looped.replace())
    assert plain_error.value.cycle == vectorised_error.value.cycle


def test_warnings_of_a_repeated_call_are_those_of_its_own_dates() -> None:
    # messages are kept per network and reused only when their figures are the same
    p = plan_of(task(1, 3, deadline=at(5, 17)), task(2, 1), links=(Link(1, 2),))
    first = schedule(p).warnings
    assert [w.kind for w in first] == ["deadline-missed"]
    assert schedule(p).warnings == first
    later = schedule(p, status_date=at(11)).warnings
    assert later != first
    assert "2027-01-13 17:00" in later[0].message
    assert schedule(p).warnings == first


def test_leaves_of_summaries_found_in_one_sort_are_the_recursive_ones() -> None:
    from jalon.engine import cpm

    p = plan_of(
        task(1, 0),
        task(2, 0, parent=1),
        task(3, parent=2),
        task(4, parent=2, active=False),
        task(5, parent=1),
        task(6, 0, parent=1),
        task(7, parent=6),
        task(8),
    )
    net = cpm.compile_network(p)
    summaries = [0, 1, 5, 0]
    expected = {s: cpm._leaves(net, s) for s in summaries}
    assert cpm._leaves_of(net, summaries) == expected
    assert expected[0] == [2, 4, 6]
