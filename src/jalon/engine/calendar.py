"""Working calendars: datetimes <-> integer working minutes.

A :class:`CalendarSet` lays the working intervals of every calendar of a plan over one
horizon and packs them into a single sorted table, each calendar shifted by ``k * SHIFT``
minutes on both the time axis and the work axis. One ``numpy.searchsorted`` then converts
many instants at once, each in its own calendar.

Conventions (MS Project's):

* a *start* is placed at the start of working time: ``start_at(w)`` is the first instant
  after ``w`` working minutes have been done *and* work can go on (Mon 08:00, not Fri 17:00);
* a *finish* is placed at the end of working time: ``finish_at(w)`` is the first instant
  at which ``w`` working minutes are done (Fri 17:00, not Mon 08:00).

Times are integer minutes since 1970-01-01 00:00 (``datetime64[m]``).
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from jalon.engine.errors import UnknownReferenceError, ValidationError
from jalon.engine.model import (
    STANDARD_DAY,
    CalendarException,
    CalendarSpec,
    Recurrence,
    RecurrenceType,
    WorkingTime,
)

IntArray = npt.NDArray[np.int64]

SHIFT_BITS = 40
# separates calendars in the packed table (about 2 million years of minutes)
SHIFT = 1 << SHIFT_BITS
# arrays of at least this many instants are looked up through buckets of 2**BUCKET_BITS
# working minutes, unless a bucket holds more than BUCKET_MAX_STEPS interval ends
BUCKETED_LOOKUP = 2048
BUCKET_BITS = 8
BUCKET_MAX_STEPS = 6
EPOCH = dt.datetime(1970, 1, 1)
EPOCH_DATE = EPOCH.date()
SUPPORTED_COUNTRIES = (
    "FR",
    "DE",
    "GB",
    "US",
    "ES",
    "IT",
    "BE",
    "CH",
    "CA",
    "NL",
    "LU",
    "PT",
    "AT",
    "IE",
)


def to_minutes(value: dt.datetime) -> int:
    delta = value - EPOCH
    return delta.days * 1440 + delta.seconds // 60


def from_minutes(value: int) -> dt.datetime:
    return EPOCH + dt.timedelta(minutes=int(value))


def minutes_to_datetimes(values: IntArray) -> list[dt.datetime]:
    """Vectorised conversion of minute stamps to naive datetimes."""
    stamps = np.asarray(values, dtype="int64").astype("datetime64[m]")
    return stamps.astype("datetime64[us]").astype(object).tolist()  # type: ignore[no-any-return]


@dataclass(frozen=True)
class ResolvedCalendar:
    """A calendar with its base chain applied: a full week and every exception."""

    name: str
    week: tuple[tuple[tuple[int, int], ...], ...]  # 7 days, Monday first
    exceptions: tuple[CalendarException, ...]  # base first, then own (own wins)
    country: str | None
    subdivision: str | None


def resolve(name: str, specs: Mapping[str, CalendarSpec]) -> ResolvedCalendar:
    spec = specs.get(name)
    if spec is None:
        raise UnknownReferenceError(f"unknown calendar '{name}'", field="calendar")
    chain: list[CalendarSpec] = []
    current: CalendarSpec | None = spec
    while current is not None:
        chain.append(current)
        current = specs.get(current.base) if current.base else None
        if len(chain) > 32:
            raise ValidationError(f"calendar '{name}' derives from itself", field="base")
    week: list[tuple[tuple[int, int], ...] | None] = [None] * 7
    for c in chain:  # nearest definition wins
        for day, times in c.week.items():
            if week[day] is None:
                week[day] = tuple((w.start, w.end) for w in times)
    standard = tuple((w.start, w.end) for w in STANDARD_DAY)
    full_week = tuple(
        w if w is not None else (standard if d < 5 else ()) for d, w in enumerate(week)
    )
    exceptions: list[CalendarException] = []
    country = subdivision = None
    for c in reversed(chain):
        exceptions.extend(c.exceptions)
        if c.country:
            country, subdivision = c.country, c.subdivision
    return ResolvedCalendar(name, full_week, tuple(exceptions), country, subdivision)


def _nth_weekday(year: int, month: int, nth: int, weekday: int) -> dt.date | None:
    days = [
        d
        for d in _cal.Calendar().itermonthdates(year, month)
        if d.month == month and d.weekday() == weekday
    ]
    if not days:
        return None
    return days[-1] if nth >= 5 else (days[nth - 1] if nth - 1 < len(days) else None)


def recurrence_dates(exc: CalendarException, first: dt.date, last: dt.date) -> Iterator[dt.date]:
    """Dates on which a (possibly recurring) exception applies, within [first, last]."""
    rec: Recurrence | None = exc.recurrence
    lo, hi = max(exc.start, first), min(exc.finish, last)
    if rec is None:
        day = lo
        while day <= hi:
            yield day
            day += dt.timedelta(days=1)
        return
    count = 0
    limit = rec.occurrences if rec.occurrences else 1 << 30
    interval = max(1, rec.interval)

    def emit(day: dt.date) -> bool:
        nonlocal count
        if day < exc.start or day > exc.finish or count >= limit:
            return False
        count += 1
        return lo <= day <= hi

    if rec.type is RecurrenceType.DAILY:
        day = exc.start
        while day <= exc.finish and count < limit and day <= last:
            if emit(day):
                yield day
            day += dt.timedelta(days=interval)
    elif rec.type is RecurrenceType.WEEKLY:
        weekdays = set(rec.weekdays or (exc.start.weekday(),))
        # MS Project counts "every n weeks" in weeks that begin on Sunday
        week_start = exc.start - dt.timedelta(days=(exc.start.weekday() + 1) % 7)
        while week_start <= exc.finish and count < limit and week_start <= last:
            for offset in range(7):
                day = week_start + dt.timedelta(days=offset)
                if day.weekday() in weekdays and day >= exc.start and emit(day):
                    yield day
            week_start += dt.timedelta(weeks=interval)
    else:
        year, month = exc.start.year, exc.start.month
        if rec.type is RecurrenceType.YEARLY and rec.month:
            month = rec.month
        step = interval * (12 if rec.type is RecurrenceType.YEARLY else 1)
        while (
            dt.date(year, month, 1) <= exc.finish
            and count < limit
            and dt.date(year, month, 1) <= last
        ):
            day_found: dt.date | None
            if rec.nth and rec.weekday is not None:
                day_found = _nth_weekday(year, month, rec.nth, rec.weekday)
            else:
                dom = rec.day or exc.start.day
                dom = min(dom, _cal.monthrange(year, month)[1])
                day_found = dt.date(year, month, dom)
            if day_found is not None and day_found >= exc.start and emit(day_found):
                yield day_found
            month += step
            year += (month - 1) // 12
            month = (month - 1) % 12 + 1


def public_holidays(
    country: str, subdivision: str | None, years: Sequence[int]
) -> dict[dt.date, str]:
    import holidays

    try:
        table = holidays.country_holidays(country, subdiv=subdivision, years=list(years))
    except (NotImplementedError, KeyError) as exc:
        raise ValidationError(
            f"no public holidays known for country '{country}'"
            + (f" region '{subdivision}'" if subdivision else ""),
            field="country",
        ) from exc
    return dict(table.items())


def day_table(
    cal: ResolvedCalendar, first: dt.date, last: dt.date
) -> dict[dt.date, tuple[tuple[int, int], ...]]:
    """Working times of the days of [first, last] that differ from the calendar's week."""
    special: dict[dt.date, tuple[tuple[int, int], ...]] = {}
    if cal.country:
        for day in public_holidays(cal.country, cal.subdivision, range(first.year, last.year + 1)):
            if first <= day <= last:
                special[day] = ()
    for exc in cal.exceptions:  # later (own) exceptions override earlier (base) ones
        times = tuple((w.start, w.end) for w in exc.working_times)
        for day in recurrence_dates(exc, first, last):
            special[day] = times
    return special


def intervals(cal: ResolvedCalendar, first: dt.date, last: dt.date) -> tuple[IntArray, IntArray]:
    """Working intervals [start, end) in epoch minutes over [first, last], merged."""
    special = day_table(cal, first, last)
    n_days = (last - first).days + 1
    base = (first - EPOCH_DATE).days
    # the regular week, vectorised: one row per (day, range) of the week pattern
    day_index = np.arange(n_days, dtype=np.int64)
    weekday = (first.weekday() + day_index) % 7
    starts_list: list[IntArray] = []
    ends_list: list[IntArray] = []
    if special:
        special_offsets = np.array(sorted((d - first).days for d in special), dtype=np.int64)
        regular = np.ones(n_days, dtype=bool)
        regular[special_offsets] = False
    else:
        regular = np.ones(n_days, dtype=bool)
    for wd in range(7):
        days = day_index[(weekday == wd) & regular]
        for s, e in cal.week[wd]:
            starts_list.append((base + days) * 1440 + s)
            ends_list.append((base + days) * 1440 + e)
    for day, times in special.items():
        offset = base + (day - first).days
        for s, e in times:
            starts_list.append(np.array([offset * 1440 + s], dtype=np.int64))
            ends_list.append(np.array([offset * 1440 + e], dtype=np.int64))
    if not starts_list:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    starts = np.concatenate(starts_list)
    ends = np.concatenate(ends_list)
    order = np.argsort(starts, kind="stable")
    starts, ends = starts[order], ends[order]
    # merge touching intervals (24:00 of one day and 00:00 of the next)
    if len(starts) > 1:
        keep = np.ones(len(starts), dtype=bool)
        keep[1:] = starts[1:] > ends[:-1]
        group = np.cumsum(keep) - 1
        merged_ends = np.full(int(group[-1]) + 1, np.iinfo(np.int64).min, dtype=np.int64)
        np.maximum.at(merged_ends, group, ends)
        starts, ends = starts[keep], merged_ends
    return starts, ends


class CalendarSet:
    """The working time of several calendars over one horizon, packed for vectorised look-ups."""

    def __init__(
        self,
        specs: Mapping[str, CalendarSpec],
        names: Sequence[str],
        first: dt.date,
        last: dt.date,
    ) -> None:
        self.specs = specs
        self.names = list(names)
        self.index = {name: k for k, name in enumerate(self.names)}
        self.first, self.last = first, last
        self.horizon_start = (first - EPOCH_DATE).days * 1440
        self.horizon_end = ((last - EPOCH_DATE).days + 1) * 1440
        self.resolved = [resolve(n, specs) for n in self.names]
        starts_all: list[IntArray] = []
        lens_all: list[IntArray] = []
        cums_all: list[IntArray] = []
        self.empty: list[str] = []
        for k, cal in enumerate(self.resolved):
            s, e = intervals(cal, first, last)
            if len(s) == 0:
                self.empty.append(cal.name)
            lens = e - s
            cum = np.concatenate(([0], np.cumsum(lens)[:-1])) if len(s) else np.empty(0, np.int64)
            off = k * SHIFT
            total = int(lens.sum())
            # lead sentinel: everything before the horizon has no working time;
            # tail sentinel: after the horizon, time is taken as working (results there
            # are detected by ``overflowed`` and the horizon is extended).
            starts_all.append(
                np.concatenate(([off], s + off, [self.horizon_end + off])).astype(np.int64)
            )
            lens_all.append(np.concatenate(([0], lens, [SHIFT // 4])).astype(np.int64))
            cums_all.append(np.concatenate(([off], cum + off, [total + off])).astype(np.int64))
        self.starts = np.concatenate(starts_all)
        self.lens = np.concatenate(lens_all)
        self.cum = np.concatenate(cums_all)
        self.cum_end = self.cum + self.lens
        # time = diff[i] + packed work, inside interval i (the calendar's shift cancels)
        self.diff = (
            self.starts
            - self.cum
            - np.repeat(
                np.arange(len(self.names), dtype=np.int64) * SHIFT, [len(s) for s in starts_all]
            )
        )

    # -- vectorised conversions (calendar ``k`` per element) ------------------------
    def work_at(self, t: Any, k: Any) -> Any:
        """Working minutes done by instant ``t`` (packed: includes ``k * SHIFT``)."""
        g = t + k * SHIFT
        i = np.searchsorted(self.starts, g, side="right") - 1
        return self.cum[i] + np.minimum(g - self.starts[i], self.lens[i])

    def start_at(self, w: Any) -> Any:
        """First instant where work can go on after ``w`` packed working minutes."""
        i = np.searchsorted(self.cum_end, w + 1, side="left")
        return self.diff[i] + w

    def finish_at(self, w: Any) -> Any:
        """First instant at which ``w`` packed working minutes are done."""
        i = np.searchsorted(self.cum_end, w, side="left")
        return self.diff[i] + w

    def at(self, w: Any, finish_position: Any) -> Any:
        """``finish_at`` where ``finish_position`` is true, else ``start_at``."""
        x = w + 1 - finish_position
        if np.ndim(x) and len(x) >= BUCKETED_LOOKUP:
            return self.diff[self.interval_ending_at(x)] + w
        i = np.searchsorted(self.cum_end, x, side="left")
        return self.diff[i] + w

    def interval_ending_at(self, x: IntArray) -> IntArray:
        """``np.searchsorted(self.cum_end, x, side="left")`` through buckets of working
        minutes per calendar: the first interval that ends at or after the bucket's
        start, then a few steps forward (cheaper than a binary search of every element
        over a long horizon, whose look-ups miss the cache)."""
        table = self.__dict__.get("_buckets")
        if table is None:
            table = self.__dict__["_buckets"] = self._bucket_table()
        if table[4] < 0:
            return np.searchsorted(self.cum_end, x, side="left")
        first, base, last, cum_end, steps = table
        k = x >> SHIFT_BITS
        i = first[base[k] + np.minimum((x & (SHIFT - 1)) >> BUCKET_BITS, last[k])]
        for _ in range(steps):
            i += cum_end[i] < x
        return i  # type: ignore[no-any-return]

    def _bucket_table(self) -> tuple[IntArray, IntArray, IntArray, IntArray, int]:
        ends = self.cum_end
        n_cal = len(self.names)
        block = np.searchsorted(ends, np.arange(n_cal + 1, dtype=np.int64) * SHIFT, "left")
        firsts, bases, lasts = [], [], []
        steps = 0
        size = 0
        for k in range(n_cal):
            a, b = int(block[k]), int(block[k + 1])
            # the calendar's intervals, the tail sentinel (past the horizon) excluded
            real_end = int(ends[b - 2] - k * SHIFT) if b - a >= 2 else 0
            count = (real_end >> BUCKET_BITS) + 1
            starts = k * SHIFT + (np.arange(count + 1, dtype=np.int64) << BUCKET_BITS)
            first = np.searchsorted(ends, starts, "left")
            first[-1] = b - 1  # the last bucket runs on to the tail sentinel
            steps = max(steps, int(np.diff(first).max()) if count else 0)
            firsts.append(first[:-1])
            bases.append(size)
            lasts.append(count - 1)
            size += count
        if steps > BUCKET_MAX_STEPS:
            steps = -1  # short working periods: binary search
        # one more entry past the last interval, never below a key
        pad = np.append(ends, np.iinfo(np.int64).max)
        return (
            np.concatenate(firsts).astype(np.int64),
            np.array(bases, dtype=np.int64),
            np.array(lasts, dtype=np.int64),
            pad,
            steps,
        )

    def overflowed(self, *times: Any) -> bool:
        for t in times:
            arr = np.asarray(t)
            if arr.size and (arr.max() >= self.horizon_end or arr.min() < self.horizon_start):
                return True
        return False

    # -- scalar helpers ----------------------------------------------------------------
    def calendar(self, name: str) -> WorkCalendar:
        return WorkCalendar(self, self.index[name])


class WorkCalendar:
    """One calendar of a :class:`CalendarSet`, with scalar datetime helpers."""

    def __init__(self, cset: CalendarSet, k: int) -> None:
        self.cset, self.k = cset, k
        self.name = cset.names[k]

    def work(self, when: dt.datetime) -> int:
        """Working minutes from the horizon start to ``when``."""
        return int(self.cset.work_at(np.int64(to_minutes(when)), self.k)) - self.k * SHIFT

    def working_minutes(self, start: dt.datetime, finish: dt.datetime) -> int:
        return self.work(finish) - self.work(start)

    def start_at(self, work: int) -> dt.datetime:
        return from_minutes(int(self.cset.start_at(np.int64(work + self.k * SHIFT))))

    def finish_at(self, work: int) -> dt.datetime:
        return from_minutes(int(self.cset.finish_at(np.int64(work + self.k * SHIFT))))

    def next_work_start(self, when: dt.datetime) -> dt.datetime:
        return self.start_at(self.work(when))

    def previous_work_finish(self, when: dt.datetime) -> dt.datetime:
        return self.finish_at(self.work(when))

    def add(self, when: dt.datetime, minutes: int) -> dt.datetime:
        """MS Project's ``getDate``: the finish after ``minutes`` of work from ``when``."""
        w = self.work(when) + minutes
        return self.finish_at(w) if minutes >= 0 else self.start_at(w)

    def is_working_day(self, day: dt.date) -> bool:
        start = dt.datetime.combine(day, dt.time())
        return self.working_minutes(start, start + dt.timedelta(days=1)) > 0

    def working_times(self, day: dt.date) -> list[tuple[dt.time, dt.time]]:
        cset = self.cset
        lo = (day - EPOCH_DATE).days * 1440 + self.k * SHIFT
        hi = lo + 1440
        i0 = int(np.searchsorted(cset.starts, lo, side="right")) - 1
        out: list[tuple[dt.time, dt.time]] = []
        i = max(i0, 0)
        while i < len(cset.starts) and cset.starts[i] < hi:
            s, e = int(cset.starts[i]), int(cset.starts[i] + cset.lens[i])
            s, e = max(s, lo), min(e, hi)
            if e > s:
                out.append((_as_time(s - lo), _as_time(e - lo)))
            i += 1
        return out


def _as_time(minutes: int) -> dt.time:
    return dt.time(23, 59) if minutes >= 1440 else dt.time(minutes // 60, minutes % 60)


def working_time(start: str, end: str) -> WorkingTime:
    """``working_time("08:00", "12:00")``."""

    def parse(value: str) -> int:
        hh, _, mm = value.partition(":")
        return int(hh) * 60 + int(mm or 0)

    return WorkingTime(parse(start), parse(end))
