"""Working calendars: weeks, exceptions, recurrences, derived calendars, public holidays."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from jalon.engine.calendar import (
    CalendarSet,
    WorkCalendar,
    from_minutes,
    recurrence_dates,
    to_minutes,
    working_time,
)
from jalon.engine.errors import ValidationError
from jalon.engine.model import (
    BUILTIN_CALENDARS,
    CalendarException,
    CalendarSpec,
    Recurrence,
    RecurrenceType,
    WorkingTime,
)

FIRST, LAST = dt.date(2026, 12, 1), dt.date(2028, 1, 31)


def calendar(*extra: CalendarSpec, name: str = "Standard") -> WorkCalendar:
    specs = {n: make() for n, make in BUILTIN_CALENDARS.items()}
    specs.update({c.name: c for c in extra})
    return CalendarSet(specs, [name], FIRST, LAST).calendar(name)


def test_standard_week_and_day() -> None:
    cal = calendar()
    mon = dt.datetime(2027, 1, 4, 8)
    assert cal.add(mon, 480) == dt.datetime(2027, 1, 4, 17)
    assert cal.add(mon, 240) == dt.datetime(2027, 1, 4, 12)  # a finish sits before lunch
    assert cal.next_work_start(dt.datetime(2027, 1, 4, 12)) == dt.datetime(2027, 1, 4, 13)
    assert cal.add(mon, 5 * 480) == dt.datetime(2027, 1, 8, 17)
    assert cal.next_work_start(dt.datetime(2027, 1, 8, 17)) == dt.datetime(2027, 1, 11, 8)
    assert cal.previous_work_finish(dt.datetime(2027, 1, 11, 8)) == dt.datetime(2027, 1, 8, 17)
    assert cal.add(dt.datetime(2027, 1, 11, 8), -480) == dt.datetime(2027, 1, 8, 8)
    assert cal.working_minutes(mon, dt.datetime(2027, 1, 11, 8)) == 2400
    assert not cal.is_working_day(dt.date(2027, 1, 9))
    assert cal.working_times(dt.date(2027, 1, 4)) == [
        (dt.time(8), dt.time(12)),
        (dt.time(13), dt.time(17)),
    ]


def test_24_hours_and_night_shift() -> None:
    day = calendar(name="24 Hours")
    assert day.add(dt.datetime(2027, 1, 9, 0), 3 * 480) == dt.datetime(2027, 1, 10, 0)
    night = calendar(name="Night Shift")
    # Monday 23:00 is the first working hour of the night-shift week
    assert night.next_work_start(dt.datetime(2027, 1, 4, 8)) == dt.datetime(2027, 1, 4, 23)
    # 8 hours: 23:00-24:00, 00:00-03:00, 04:00-08:00
    assert night.add(dt.datetime(2027, 1, 4, 23), 480) == dt.datetime(2027, 1, 5, 8)
    assert night.working_minutes(dt.datetime(2027, 1, 4), dt.datetime(2027, 1, 11)) == 2400


def test_exceptions_and_derived_calendar() -> None:
    spec = CalendarSpec(
        name="Plant",
        base="Standard",
        week={4: (working_time("08:00", "12:00"),)},  # short Fridays
        exceptions=(
            CalendarException(dt.date(2027, 1, 5), dt.date(2027, 1, 5)),  # closed
            CalendarException(  # open on a Saturday morning
                dt.date(2027, 1, 9), dt.date(2027, 1, 9), (WorkingTime(480, 720),)
            ),
        ),
    )
    cal = calendar(spec, name="Plant")
    week = cal.working_minutes(dt.datetime(2027, 1, 4), dt.datetime(2027, 1, 11))
    assert week == 480 * 3 + 240 + 240
    assert not cal.is_working_day(dt.date(2027, 1, 5))
    assert cal.is_working_day(dt.date(2027, 1, 9))
    # a calendar derived from Plant inherits its week and its exceptions
    child = CalendarSpec(name="Line 2", base="Plant")
    cal2 = calendar(spec, child, name="Line 2")
    assert cal2.working_minutes(dt.datetime(2027, 1, 4), dt.datetime(2027, 1, 11)) == week


@pytest.mark.parametrize(
    ("recurrence", "expected"),
    [
        (Recurrence(RecurrenceType.DAILY, interval=2, occurrences=3), [1, 3, 5]),
        (Recurrence(RecurrenceType.WEEKLY, weekdays=(0, 2), occurrences=4), [4, 6, 11, 13]),
        (Recurrence(RecurrenceType.MONTHLY, day=15, occurrences=2), [15, 46]),
        (Recurrence(RecurrenceType.MONTHLY, nth=5, weekday=4, occurrences=2), [29, 57]),
        (Recurrence(RecurrenceType.YEARLY, month=2, day=3, occurrences=1), [34]),
    ],
)
def test_recurring_exceptions(recurrence: Recurrence, expected: list[int]) -> None:
    exc = CalendarException(dt.date(2027, 1, 1), dt.date(2027, 12, 31), recurrence=recurrence)
    days = list(recurrence_dates(exc, dt.date(2027, 1, 1), dt.date(2027, 12, 31)))
    assert [(d - dt.date(2026, 12, 31)).days for d in days] == expected


@pytest.mark.parametrize(
    ("country", "subdivision", "holiday"),
    [
        ("FR", None, dt.date(2027, 7, 14)),
        ("DE", None, dt.date(2027, 10, 3)),
        ("DE", "BY", dt.date(2027, 1, 6)),  # Epiphany in Bavaria only
        ("GB", None, dt.date(2027, 12, 27)),  # Christmas observed
        ("US", None, dt.date(2027, 7, 5)),  # Independence Day observed
        ("ES", None, dt.date(2027, 10, 12)),
        ("IT", None, dt.date(2027, 6, 2)),
        ("BE", None, dt.date(2027, 7, 21)),
        ("CH", None, dt.date(2027, 8, 1 + 1)),  # 2 Aug: the day after the national day
        ("CA", None, dt.date(2027, 7, 1)),
    ],
)
def test_public_holidays(country: str, subdivision: str | None, holiday: dt.date) -> None:
    import holidays

    known = holidays.country_holidays(country, subdiv=subdivision, years=holiday.year)
    if holiday not in known or holiday.weekday() >= 5:
        # the table moves with the law: pick the first working-day holiday it knows
        holiday = next(d for d in sorted(known) if d.weekday() < 5)
    spec = CalendarSpec(name="C", base="Standard", country=country, subdivision=subdivision)
    cal = calendar(spec, name="C")
    assert not cal.is_working_day(holiday)
    assert calendar().is_working_day(holiday)


def test_unknown_country_is_a_clear_error() -> None:
    spec = CalendarSpec(name="X", base="Standard", country="XX")
    with pytest.raises(ValidationError, match="XX"):
        calendar(spec, name="X")


def test_vectorised_conversions_round_trip() -> None:
    specs = {n: make() for n, make in BUILTIN_CALENDARS.items()}
    cs = CalendarSet(specs, ["Standard", "Night Shift"], FIRST, LAST)
    instants = [
        dt.datetime(2027, 1, 4, 9, 30),
        dt.datetime(2027, 1, 9, 10),
        dt.datetime(2027, 3, 1, 2),
    ]
    t = np.array([to_minutes(x) for x in instants], dtype=np.int64)
    for k in (0, 1):
        w = cs.work_at(t, k)
        start = cs.start_at(w)
        # the next working instant: t itself when working, later otherwise; same work done
        assert (start >= t).all()
        assert (cs.work_at(start, k) == w).all()
        finish = cs.finish_at(w)
        assert (finish <= t).all()
        assert (cs.work_at(finish, k) == w).all()
    # Saturday 10:00 on the Standard calendar: next start Monday 08:00
    assert from_minutes(int(cs.start_at(cs.work_at(t, 0))[1])) == dt.datetime(2027, 1, 11, 8)


@pytest.mark.parametrize("short", [False, True])
def test_bucketed_lookup_agrees_with_binary_search(short: bool) -> None:
    # many instants, on several calendars, up to past the horizon; with quarter-hour
    # working periods the buckets hold too many period ends and binary search is used
    quarters = CalendarSpec(
        "Quarters",
        week=dict.fromkeys(range(5), tuple(WorkingTime(m, m + 15) for m in range(480, 1020, 30))),
    )
    specs = {n: make() for n, make in BUILTIN_CALENDARS.items()} | {"Quarters": quarters}
    names = ["Standard", "24 Hours", "Night Shift"] + (["Quarters"] if short else [])
    cs = CalendarSet(specs, names, FIRST, LAST)
    rng = np.random.default_rng(7)
    k = rng.integers(0, len(names), 20_000)
    totals = np.array(
        [
            int(cs.cum_end[np.searchsorted(cs.cum_end, (j + 1) << 40) - 2]) - (j << 40)
            for j in range(len(names))
        ]
    )
    x = (k << 40) + (rng.random(k.size) * (totals[k] + 3000)).astype(np.int64)
    assert (cs.interval_ending_at(x) == np.searchsorted(cs.cum_end, x, side="left")).all()
    assert (cs._buckets[4] < 0) == short
    w, fp = x - 1, rng.integers(0, 2, x.size)
    expected = cs.diff[np.searchsorted(cs.cum_end, w + 1 - fp, side="left")] + w
    assert (cs.at(w, fp) == expected).all()
