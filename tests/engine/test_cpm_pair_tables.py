"""The pair tables that move keys between calendars in one look-up agree with the
two-step conversion (key -> instant -> working minutes of the other calendar)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from jalon.engine import Plan, Task
from jalon.engine.calendar import SHIFT, working_time
from jalon.engine.cpm import _converter, _pair_tables, calendars_for, pair_offset
from jalon.engine.model import CalendarException, CalendarSpec, WorkingTime


def _plan() -> Plan:
    plant = CalendarSpec(
        name="Plant",
        base="Standard",
        week={4: (working_time("08:00", "12:00"),), 5: (working_time("09:30", "10:15"),)},
        exceptions=(
            CalendarException(dt.date(2027, 1, 5), dt.date(2027, 1, 5)),
            CalendarException(dt.date(2027, 1, 9), dt.date(2027, 1, 9), (WorkingTime(480, 720),)),
        ),
    )
    cals = ["Standard", "Plant", "Night Shift", "24 Hours"]
    tasks = tuple(
        Task(uid=i + 1, name=f"T{i + 1}", duration=480 * (i + 1), calendar=c)
        for i, c in enumerate(cals)
    )
    return Plan(name="pairs", start=dt.datetime(2027, 1, 4, 8), tasks=tasks, calendars=(plant,))


def test_pair_tables_match_the_two_step_conversion() -> None:
    cs, _ = calendars_for(_plan())
    n_cal = len(cs.names)
    assert n_cal >= 4
    pairs = tuple((a, b) for a in range(n_cal) for b in range(n_cal) if a != b)
    S, X1, Y1, P1 = _pair_tables(cs, pairs)
    conv = _converter(cs)
    rng = np.random.default_rng(7)
    for c1, c2 in pairs:
        lo_i, hi_i = np.searchsorted(cs.starts, np.array([c1, c1 + 1]) * SHIFT).tolist()
        cum, cum_end = cs.cum[lo_i:hi_i], cs.cum_end[lo_i:hi_i]
        lo, hi = 2 * int(cum[0]), 2 * int(cum_end[-2]) + 5000  # a little past the horizon
        near = np.arange(-3, 4)
        off = pair_offset(c1, c2, n_cal)
        seg = S[(off <= S) & (off + (1 << 46) > S)] - off
        g = np.concatenate(
            [
                rng.integers(lo, hi, 20_000),
                (2 * cum[:, None] + near).ravel(),
                (2 * cum_end[:-1, None] + near).ravel(),
                (seg[:, None] + near).ravel(),
            ]
        )
        g = g[(g >= lo) & (g <= hi)]
        t = conv.time_of(g)
        w = conv.work_at(t + c2 * SHIFT)
        milestone_key = 2 * w + (~conv.is_finish(w, t)).astype(np.int64)
        i = S.searchsorted(g + off, "right")
        h = np.minimum(g + off - X1[i], Y1[i])
        assert np.array_equal(h >> 1, w), (c1, c2)
        assert np.array_equal((h | 1) - P1[i], milestone_key), (c1, c2)
