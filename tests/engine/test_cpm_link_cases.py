"""Links whose dates MS Project computes in a way that is easy to get wrong.

Each case is the smallest plan found where Jalon and MPXJ's ``MicrosoftScheduler``
disagreed on generated networks (docs/scheduling.md, "Where MPXJ's scheduler differs"):
the dates asserted here are MS Project's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from jalon.engine import (
    Constraint,
    ConstraintType,
    Lag,
    LagKind,
    Link,
    LinkType,
    Plan,
    Task,
    cpm,
    schedule,
)
from jalon.engine.model import STANDARD_DAY, CalendarSpec

D = 480  # minutes in a working day
MON = dt.datetime(2027, 1, 4, 8, 0)  # a Monday
FOUR_DAYS = "Mon-Thu"  # Fridays off
CALENDARS = (
    CalendarSpec("Standard", week=dict.fromkeys(range(5), STANDARD_DAY) | {5: (), 6: ()}),
    CalendarSpec(FOUR_DAYS, week={4: ()}, base="Standard"),
)


def at(day: int, hour: int = 8, minute: int = 0) -> dt.datetime:
    """2027-01-<day> at hour:minute."""
    return dt.datetime(2027, 1, day, hour, minute)


def plan_of(*tasks: Task, links: tuple[Link, ...] = ()) -> Plan:
    return Plan(name="test", start=MON, tasks=tasks, links=links, calendars=CALENDARS)


def task(uid: int, days: float = 1, **kw: object) -> Task:
    return Task(uid=uid, name=f"T{uid}", duration=round(days * D), **kw)  # type: ignore[arg-type]


def dates(plan: Plan, uid: int) -> tuple[dt.datetime, dt.datetime]:
    t = schedule(plan).task(uid)
    return t.start, t.finish


# --- a percent lag on a link from a summary task --------------------------------------
def summaries_linked_with(lag: Lag) -> Plan:
    return plan_of(
        task(1, 0),
        task(2, 6.5, parent=1),
        task(3, 0),
        task(4, 2.5, parent=3),
        links=(Link(1, 3, LinkType.FS, lag),),
    )


def test_percent_lag_from_a_summary_counts_its_rolled_up_duration() -> None:
    # summary 1 spans its subtask: 6.5 days (Mon 08:00 - Tue 12 12:00); 50 % of it is
    # 3.25 days (26 h): Tue 13:00-17:00, Wed, Thu, Fri 08:00-15:00
    plan = summaries_linked_with(Lag(50, LagKind.PERCENT))
    result = schedule(plan)
    assert result.plan is plan
    assert result.task(1).duration == 6.5 * D
    assert dates(plan, 4) == (at(15, 15), at(20, 10))
    assert result.task(3).start == at(15, 15)


def test_percent_lag_from_a_summary_ignores_a_stale_summary_duration() -> None:
    # the duration a plan gives a summary (here 1 day) is not what the lag counts
    plan = summaries_linked_with(Lag(50, LagKind.PERCENT))
    stale = plan.replace(tasks=(task(1, 1), *plan.tasks[1:]))
    assert dates(stale, 4) == (at(15, 15), at(20, 10))


def test_percent_lag_from_a_summary_of_several_subtasks() -> None:
    # summary 1 spans 2 then 3: Mon 4 08:00 - Tue 19 12:00, 11.5 days; 75 % of it is
    # 69 h, to Mon Feb 1 09:00 (MPXJ takes 75 % of each subtask instead: Mon 25 10:00)
    plan = plan_of(
        task(1, 0),
        task(2, 6.5, parent=1),
        task(3, 5, parent=1),
        task(4, 0),
        task(5, 1, parent=4),
        links=(Link(2, 3), Link(1, 4, LinkType.FS, Lag(75, LagKind.PERCENT))),
    )
    assert schedule(plan).task(1).duration == 11.5 * D
    assert dates(plan, 5) == (dt.datetime(2027, 2, 1, 9), dt.datetime(2027, 2, 2, 9))


def test_percent_lags_from_summaries_in_a_chain() -> None:
    # 1 (6.5 d) -100 %-> 3 (its subtask 2.5 d) -100 %-> 5: each summary's span is known
    # once the one before it is scheduled
    plan = plan_of(
        task(1, 0),
        task(2, 6.5, parent=1),
        task(3, 0),
        task(4, 2.5, parent=3),
        task(5, 1),
        links=(
            Link(1, 3, LinkType.FS, Lag(100, LagKind.PERCENT)),
            Link(3, 5, LinkType.FS, Lag(100, LagKind.PERCENT)),
        ),
    )
    # 4 starts 6.5 days after Tue 12 12:00 (Wed 20 17:00), on Thu 21 08:00
    assert dates(plan, 4) == (at(21, 8), at(25, 12))
    # 5 starts 2.5 days after Mon 25 12:00: Thu 28 08:00
    assert dates(plan, 5) == (at(28, 8), at(28, 17))


def test_rescheduling_a_plan_with_summary_percent_lags_compiles_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the summaries' spans change link lags only: the network with the spans is derived
    # from the compiled one (same levels), and kept, so a repeated call is one pass
    compiled: list[Plan] = []
    levels: list[int] = []
    real, real_levels = cpm._compile, cpm._levels

    def counting(p: Plan) -> cpm.Network:
        compiled.append(p)
        return real(p)

    def counting_levels(*args: object) -> tuple[object, int]:
        levels.append(1)
        return real_levels(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(cpm, "_compile", counting)
    monkeypatch.setattr(cpm, "_levels", counting_levels)
    plan = summaries_linked_with(Lag(50, LagKind.PERCENT))
    first = schedule(plan)
    assert compiled == [plan]  # the plan as given; the spans on a derived network
    assert len(levels) == 1
    assert first.task(1).duration == 6.5 * D
    again = schedule(plan)
    assert compiled == [plan]
    assert len(levels) == 1
    assert again.plan is plan
    assert again.task(4).start == first.task(4).start == at(15, 15)
    # another status date is not served from the kept plan
    later = schedule(plan, status_date=at(6, 17))
    fresh = schedule(summaries_linked_with(Lag(50, LagKind.PERCENT)), status_date=at(6, 17))
    assert later.task(4).start == fresh.task(4).start != at(15, 15)


# --- where MPXJ's MicrosoftScheduler gives other dates --------------------------------
def test_snet_date_on_a_day_off_starts_at_the_next_working_time() -> None:
    # Friday is a day off on the task's calendar: the task starts on Monday, with or
    # without a predecessor (MS Project: mpxj/junit/data/legacy/sample.xml, task 7)
    snet = Constraint(ConstraintType.SNET, at(8))
    plan = plan_of(task(1), task(2, 5.5, calendar=FOUR_DAYS, constraint=snet), links=(Link(1, 2),))
    assert dates(plan, 2) == (at(11), at(19, 12))
    alone = plan_of(task(1), task(2, 5.5, calendar=FOUR_DAYS, constraint=snet))
    assert dates(alone, 2) == (at(11), at(19, 12))


def test_mso_and_mfo_dates_on_a_day_off_move_to_working_time() -> None:
    mso = Constraint(ConstraintType.MSO, at(8))
    mfo = Constraint(ConstraintType.MFO, at(8, 17))
    assert dates(plan_of(task(1, 2, calendar=FOUR_DAYS, constraint=mso)), 1) == (at(11), at(12, 17))
    assert dates(plan_of(task(1, 2, calendar=FOUR_DAYS, constraint=mfo)), 1) == (at(6), at(7, 17))


def test_sf_finish_stays_at_the_start_of_working_time() -> None:
    # the successor finishes when the predecessor starts, Mon 08:00, not Fri 1 17:00
    # (MS Project: mspdirelations.xml task 5, legacy/sample.xml task 21)
    plan = plan_of(task(1), task(2, 2), links=(Link(1, 2, LinkType.SF),))
    assert dates(plan, 2) == (dt.datetime(2026, 12, 31, 8), MON)


def test_ff_lead_lands_on_the_start_of_working_time() -> None:
    # FF - 1 day from Thu 17:00: the finish is Thu 08:00, not Wed 17:00
    plan = plan_of(task(1, 4), task(2, 2), links=(Link(1, 2, LinkType.FF, Lag(-D)),))
    assert dates(plan, 2) == (at(5), at(7))


def test_ff_elapsed_lag_is_added_to_the_finish() -> None:
    # FF + 3 elapsed days from Mon 17:00: the successor finishes Thu 17:00
    plan = plan_of(
        task(1), task(2, 2), links=(Link(1, 2, LinkType.FF, Lag(3 * 1440, LagKind.ELAPSED)),)
    )
    assert dates(plan, 2) == (at(6), at(7, 17))


def test_lag_into_a_summary_is_counted_on_the_summary_calendar() -> None:
    # 3 days after Wed 17:00 on the summary's (project) calendar is Mon 17:00; its
    # subtask on a Mon-Thu calendar starts at its next working time, Tue 08:00
    plan = plan_of(
        task(1, 3),
        task(2, 0),
        task(3, 3, parent=2, calendar=FOUR_DAYS),
        links=(Link(1, 2, LinkType.FS, Lag(3 * D)),),
    )
    assert dates(plan, 3) == (at(12), at(14, 17))


def test_network_with_summary_spans_is_the_compiled_plan_with_those_durations() -> None:
    # the derived network (spans patched in) equals a compile of the plan whose summaries
    # are given those durations: percent lags on FS, SS and FF links from summaries
    plan = plan_of(
        task(1, 0),
        task(2, 6.5, parent=1),
        task(3, 2, parent=1),
        task(4, 0),
        task(5, 2.5, parent=4),
        task(6, 1),
        task(7, 1),
        links=(
            Link(1, 4, LinkType.FS, Lag(50, LagKind.PERCENT)),
            Link(1, 6, LinkType.SS, Lag(25, LagKind.PERCENT)),
            Link(4, 7, LinkType.FF, Lag(-25, LagKind.PERCENT)),
            Link(2, 3),
        ),
    )
    net = cpm.compile_network(plan)
    assert net.summary_percent == (0, 3)
    spans = {0: 8 * D + 7, 3: 3 * D}
    derived = cpm._with_summary_durations(plan, net, spans)
    tasks = tuple(replace(t, duration=spans.get(i, t.duration)) for i, t in enumerate(plan.tasks))
    fresh = cpm._compile(plan.replace(tasks=tasks))
    for name in ("dur", "rem", "milestone", "level_of", "order"):
        assert (getattr(derived, name) == getattr(fresh, name)).all(), name
    for name in ("src", "dst", "type", "lag_work", "lag_elapsed"):
        assert (getattr(derived.edges, name) == getattr(fresh.edges, name)).all(), name
    assert derived.summary_ss_links == fresh.summary_ss_links
    assert (derived.edges.lag_work != net.pristine.edges.lag_work).any()  # type: ignore[union-attr]


def test_ss_from_a_summary_leaves_from_its_earliest_subtask_on_any_calendar() -> None:
    # summary 2 starts with subtask 4 (Mon 08:00, Standard), not with subtask 3 (on the
    # Mon-Thu calendar, after 1): its SS successor 5 starts on Monday
    plan = plan_of(
        task(1, 3),
        task(2, 0),
        task(3, 1, parent=2, calendar=FOUR_DAYS),
        task(4, 1, parent=2),
        task(5, 1),
        links=(Link(1, 3), Link(2, 5, LinkType.SS)),
    )
    assert dates(plan, 3) == (at(7), at(7, 17))
    assert dates(plan, 5) == (at(4), at(4, 17))


def test_summary_spans_schedule_as_a_plan_given_those_durations() -> None:
    # the derived network (its passes shared with the compiled one, lag terms apart)
    # gives the dates of a plan whose summaries already have their spans
    plan = plan_of(
        task(1, 0),
        task(2, 6.5, parent=1),
        task(3, 2, parent=1),
        task(4, 0),
        task(5, 2.5, parent=4),
        task(6, 1),
        task(7, 0),
        task(8, 1, calendar=FOUR_DAYS),
        links=(
            Link(1, 4, LinkType.FS, Lag(50, LagKind.PERCENT)),
            Link(1, 6, LinkType.SS, Lag(25, LagKind.PERCENT)),
            Link(4, 7, LinkType.FF, Lag(-25, LagKind.PERCENT)),
            Link(4, 8, LinkType.FS, Lag(100, LagKind.PERCENT)),
            Link(2, 3, LinkType.SS, Lag(D)),
        ),
    )
    result = schedule(plan)
    spans = {i: int(result.duration[i]) for i in (0, 3)}
    assert spans != {0: 0, 3: 0}
    tasks = tuple(replace(t, duration=spans.get(i, t.duration)) for i, t in enumerate(plan.tasks))
    given = schedule(plan.replace(tasks=tasks))
    for name in ("start_min", "finish_min", "late_start_min", "late_finish_min", "total_float"):
        assert (getattr(result, name) == getattr(given, name)).all(), name
    assert [w.message for w in result.warnings] == [w.message for w in given.warnings]


def test_deadline_bounds_the_late_finish_of_a_task_with_an_mso_constraint() -> None:
    # MS Project recalculates total slack from a deadline earlier than the finish, also
    # on a task pinned by MSO: 2's late finish is its deadline, Tue 12 17:00, so its late
    # start is Thu 7 08:00 and the ALAP predecessor 3 sits on Wed 6
    mso = Constraint(ConstraintType.MSO, at(12))
    alap = Constraint(ConstraintType.ALAP)
    plan = plan_of(
        task(1, 5),
        task(2, 4, constraint=mso, deadline=at(12, 17)),
        task(3, 1, constraint=alap),
        links=(Link(1, 2), Link(3, 2)),
    )
    result = schedule(plan)
    assert dates(plan, 2) == (at(12), at(15, 17))
    assert result.task(2).late_finish == at(12, 17)
    assert result.task(2).total_float == -3 * D
    assert dates(plan, 3) == (at(6), at(6, 17))
    assert result.task(1).total_float == -2 * D


# --- a lag or a lead across calendars, in the backward pass ----------------------------
# ALAP A (Standard) -> B (Mon-Thu, pinned); a 30-day task keeps the project finish away.
# The lag comes off B's date on B's calendar as MS Project's calendar arithmetic does it
# (as in the forward pass): taking working time off lands on the start of a working
# period, adding it (taking a lead off) on the end of one. B's Fridays are days off, so
# the two differ once the date moves to A's calendar (MPXJ's MicrosoftScheduler agrees).
MSO_WED = Constraint(ConstraintType.MSO, at(13))
MFO_TUE = Constraint(ConstraintType.MFO, at(12, 17))
ACROSS_CALENDARS = [
    # FS -2 d from Wed 13 08:00: Thu 14 17:00, not Mon 18 08:00 (= Fri 15 17:00 for A)
    (LinkType.FS, -2, MSO_WED, 4, (at(11), at(14, 17))),
    # SS -2 d: A starts after Thu 14 17:00, on Fri 15
    (LinkType.SS, -2, MSO_WED, 4, (at(15), at(20, 17))),
    # FF +2 d from Tue 12 17:00: Mon 11 08:00 (= Fri 8 17:00 for A), not Thu 7 17:00
    (LinkType.FF, 2, MFO_TUE, 1, (at(8), at(8, 17))),
    # unchanged: FF -2 d (Thu 14 17:00), FS +2 d (Mon 11 08:00 = Fri 8 17:00)
    (LinkType.FF, -2, MFO_TUE, 1, (at(14), at(14, 17))),
    (LinkType.FS, 2, MSO_WED, 4, (at(5), at(8, 17))),
]


@pytest.mark.parametrize("path", ["plain Python", "pair table", "through time"])
@pytest.mark.parametrize(
    ("link_type", "lag_days", "pinned", "a_days", "expected"), ACROSS_CALENDARS
)
def test_lag_and_lead_across_calendars_follow_one_rule_backward(
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    link_type: LinkType,
    lag_days: int,
    pinned: Constraint,
    a_days: int,
    expected: tuple[dt.datetime, dt.datetime],
) -> None:
    # one link: the level is walked in plain Python; eight (more than SCALAR_LEVEL): in
    # NumPy, the date moving calendars through a pair table or through time (key ->
    # instant -> working minutes of the other calendar)
    copies = 1 if path == "plain Python" else 8
    if path == "through time":
        monkeypatch.setattr(cpm, "PAIR_TABLE_CALENDARS", 0)
    alap = Constraint(ConstraintType.ALAP)
    tasks = [task(99, 30)]
    links = []
    for i in range(copies):
        tasks += [
            task(2 * i + 1, a_days, constraint=alap),
            task(2 * i + 2, 2, calendar=FOUR_DAYS, constraint=pinned),
        ]
        links.append(Link(2 * i + 1, 2 * i + 2, link_type, Lag(lag_days * D)))
    result = schedule(plan_of(*tasks, links=tuple(links)))
    for i in range(copies):
        a = result.task(2 * i + 1)
        assert (a.start, a.finish) == expected
        assert a.late_finish == expected[1]
