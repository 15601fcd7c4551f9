"""Calendars typed as text on the calendar page, and back.

* A weekday's working times: ``"08:00-12:00, 13:00-17:00"``; ``"off"`` (or ``"-"``) for a
  day off; empty: as the base calendar (or MS Project's Standard week).
* Exceptions, one a line: ``START[..FINISH] [HH:MM-HH:MM, ...] [name]``. Without working
  times the days are off (a bridge day, a closure); with them, the days work those hours
  (a Saturday worked). Recurring exceptions (imported from MS Project) are not written as
  text: the page keeps them as they are.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

OFF_WORDS = frozenset({"off", "-", "—", "0", "none", "chômé", "chome", "repos"})

_SPAN = re.compile(r"^\s*(\d{1,2})(?:[:h](\d{2}))?\s*-\s*(\d{1,2})(?:[:h](\d{2}))?\s*$")
_DATE = r"\d{4}-\d{2}-\d{2}"
_EXCEPTION = re.compile(
    rf"^\s*(?P<start>{_DATE})(?:\s*(?:\.\.|→|to)\s*(?P<finish>{_DATE}))?"
    r"(?P<times>(?:\s+\d{1,2}(?:[:h]\d{2})?\s*-\s*\d{1,2}(?:[:h]\d{2})?\s*,?)*)"
    r"\s*(?P<name>.*?)\s*$"
)


class CalendarTextError(ValueError):
    """A line or a day that cannot be read; the message says which and why."""


def _minutes(hours: str, minutes: str | None) -> int:
    return int(hours) * 60 + int(minutes or 0)


def parse_times(text: str) -> list[list[int]]:
    """``"08:00-12:00, 13:00-17:00"`` -> ``[[480, 720], [780, 1020]]`` (minutes after
    midnight, increasing, not overlapping); ``"off"`` -> ``[]``."""
    if text.strip().lower() in OFF_WORDS:
        return []
    spans: list[list[int]] = []
    for part in text.split(","):
        if not part.strip():
            continue
        m = _SPAN.match(part)
        if m is None:
            raise CalendarTextError(
                _("'%(text)s' is not a time range such as 08:00-12:00.") % {"text": part.strip()}
            )
        start, end = _minutes(m[1], m[2]), _minutes(m[3], m[4])
        if end == 0:
            end = 1440  # 22:00-00:00: until midnight
        if not 0 <= start < end <= 1440:
            raise CalendarTextError(
                _("'%(text)s': the end must come after the start, within the day.")
                % {"text": part.strip()}
            )
        if spans and start < spans[-1][1]:
            raise CalendarTextError(
                _("'%(text)s' overlaps or comes before the previous range.")
                % {"text": part.strip()}
            )
        spans.append([start, end])
    return spans


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def format_times(spans: Sequence[Sequence[int]]) -> str:
    """``[[480, 720], [780, 1020]]`` -> ``"08:00-12:00, 13:00-17:00"``; ``[]`` -> ``"off"``."""
    if not spans:
        return "off"
    return ", ".join(f"{_clock(s)}-{_clock(e)}" for s, e in spans)


def hours_of(spans: Sequence[Sequence[int]]) -> float:
    return sum(e - s for s, e in spans) / 60


def parse_exceptions(text: str) -> list[dict[str, Any]]:
    """The exceptions typed one a line, as the ``Calendar.exceptions`` JSON (no recurrence)."""
    out: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        m = _EXCEPTION.match(line)
        if m is None:
            raise CalendarTextError(
                _("Line %(n)d: start with a date such as 2027-05-07 (or 2027-05-07..2027-05-09).")
                % {"n": number}
            )
        try:
            start = dt.date.fromisoformat(m["start"])
            finish = dt.date.fromisoformat(m["finish"]) if m["finish"] else start
        except ValueError:
            raise CalendarTextError(
                _("Line %(n)d: this date does not exist.") % {"n": number}
            ) from None
        if finish < start:
            raise CalendarTextError(
                _("Line %(n)d: the last day comes before the first.") % {"n": number}
            )
        times = m["times"].strip().rstrip(",")
        try:
            spans = parse_times(times) if times else []
        except CalendarTextError as exc:
            raise CalendarTextError(
                _("Line %(n)d: %(error)s") % {"n": number, "error": exc}
            ) from None
        out.append(
            {
                "start": start.isoformat(),
                "finish": finish.isoformat(),
                "name": m["name"][:200],
                "working_times": spans,
                "recurrence": None,
            }
        )
    return out


def format_exceptions(exceptions: Iterable[Mapping[str, Any]]) -> str:
    """The non-recurring exceptions, one a line, as ``parse_exceptions`` reads them."""
    lines = []
    for e in exceptions:
        if e.get("recurrence"):
            continue
        days = e["start"] if e["finish"] == e["start"] else f"{e['start']}..{e['finish']}"
        times = e.get("working_times") or []
        parts = [days]
        if times:
            parts.append(format_times(times))
        if e.get("name"):
            parts.append(e["name"])
        lines.append(" ".join(parts))
    return "\n".join(lines)


def recurring(exceptions: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [e for e in exceptions if e.get("recurrence")]
