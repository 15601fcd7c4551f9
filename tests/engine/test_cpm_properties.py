"""Random networks against a plain textbook CPM, and invariants on working calendars."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from jalon.engine import Lag, Link, LinkType, Plan, Task, schedule
from jalon.engine.calendar import to_minutes

START = dt.datetime(2027, 3, 1, 0, 0)
TYPES = [LinkType.FS, LinkType.SS, LinkType.FF, LinkType.SF]


@st.composite
def networks(draw: st.DrawFn) -> tuple[list[int], list[tuple[int, int, LinkType, int]]]:
    n = draw(st.integers(1, 25))
    durations = draw(st.lists(st.integers(0, 5).map(lambda d: d * 240), min_size=n, max_size=n))
    links: dict[tuple[int, int], tuple[int, int, LinkType, int]] = {}
    for succ in range(1, n):
        for _ in range(draw(st.integers(0, 3))):
            pred = draw(st.integers(0, succ - 1))
            kind = draw(st.sampled_from(TYPES))
            lag = draw(st.sampled_from([0, 0, 0, 120, 480, -240]))
            links[(pred, succ)] = (pred, succ, kind, lag)
    return durations, list(links.values())


def reference(
    durations: list[int], links: list[tuple[int, int, LinkType, int]]
) -> tuple[list[int], list[int]]:
    """Early start and total float, in minutes, on continuous time (a 24-hour calendar)."""
    n = len(durations)
    es = [0] * n
    preds: dict[int, list[tuple[int, LinkType, int]]] = {}
    for p, s, kind, lag in links:
        preds.setdefault(s, []).append((p, kind, lag))
    for j in range(n):  # tasks are numbered in topological order
        bounds = []
        for i, kind, lag in preds.get(j, []):
            ef_i = es[i] + durations[i]
            if kind is LinkType.FS:
                bounds.append(ef_i + lag)
            elif kind is LinkType.SS:
                bounds.append(es[i] + lag)
            elif kind is LinkType.FF:
                bounds.append(max(ef_i + lag - durations[j], 0))  # never before the start
            else:
                bounds.append(es[i] + lag - durations[j])
        es[j] = max(bounds) if bounds else 0
    finish = max(es[i] + durations[i] for i in range(n))
    lf = [finish] * n
    succs: dict[int, list[tuple[int, LinkType, int]]] = {}
    for p, s, kind, lag in links:
        succs.setdefault(p, []).append((s, kind, lag))
    for i in reversed(range(n)):
        for j, kind, lag in succs.get(i, []):
            ls_j = lf[j] - durations[j]
            if kind is LinkType.FS:
                bound = ls_j - lag
            elif kind is LinkType.SS:
                bound = ls_j - lag + durations[i]
            elif kind is LinkType.FF:
                bound = lf[j] - lag
            else:
                bound = lf[j] - lag + durations[i]
            lf[i] = min(lf[i], bound, finish)
    total = [lf[i] - durations[i] - es[i] for i in range(n)]
    return es, total


def build(durations: list[int], links: list[tuple[int, int, LinkType, int]], calendar: str) -> Plan:
    tasks = tuple(
        Task(uid=i + 1, name=f"T{i + 1}", duration=d, milestone=False, calendar=calendar)
        for i, d in enumerate(durations)
    )
    return Plan(
        name="random",
        start=START,
        tasks=tasks,
        links=tuple(Link(p + 1, s + 1, kind, Lag(lag)) for p, s, kind, lag in links),
    )


@settings(max_examples=150, deadline=None)
@given(networks())
def test_matches_textbook_cpm_on_continuous_time(net: tuple[list[int], list]) -> None:  # type: ignore[type-arg]
    durations, links = net
    s = schedule(build(durations, links, "24 Hours"))
    es, total = reference(durations, links)
    origin = to_minutes(START)
    got_es = [to_minutes(t.early_start) - origin for t in s.tasks]
    assert got_es == es
    assert [t.total_float for t in s.tasks] == total


@settings(max_examples=100, deadline=None)
@given(networks())
def test_links_hold_in_working_time_on_the_standard_calendar(net: tuple[list[int], list]) -> None:  # type: ignore[type-arg]
    durations, links = net
    plan = build(durations, links, "Standard")
    s = schedule(plan)
    from jalon.engine.cpm import calendars_for

    cs, _ = calendars_for(plan, s)
    cal = cs.calendar("Standard")
    for p, q, kind, lag in links:
        a, b = s.tasks[p], s.tasks[q]
        ref = a.finish if kind in (LinkType.FS, LinkType.FF) else a.start
        mine = b.start if kind in (LinkType.FS, LinkType.SS) else b.finish
        if kind is LinkType.FF and cal.work(b.start) == cal.work(START):
            continue  # clamped at the project start
        assert cal.work(mine) >= cal.work(ref) + lag
    for t in s.tasks:
        assert t.total_float >= 0
        assert t.early_start <= t.late_start
        assert cal.working_minutes(t.start, t.finish) == t.duration
    assert s.finish == max(t.finish for t in s.tasks)
    assert any(t.critical and t.finish == s.finish for t in s.tasks)
