"""Durations and predecessors as people read and type them in the web pages, in the
interface's language, as MS Project's English and French editions write them.

Shown: ``5d``, ``2w``, ``3ed``, ``3FS+2d`` in English; ``5j``, ``2sem``, ``3jé``,
``3FD+2j`` in French (``jalon.io.links`` has the words). Typed in the grid: both, in
either language (``jalon.io.links``' bilingual grammar). The API and the plan file stay
English only: ``parse_predecessors`` reads French only with ``bilingual=True`` or inside
``with bilingual_input():`` (the grid's edit view, around the predecessors service).

A reference is a task's WBS code or outline number (an exact WBS code wins), or ``#uid``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jalon.engine import DurationUnit, FormatError, LinkType
from jalon.io import links
from jalon.io.plan_yaml import format_duration, parse_duration

_TAIL = re.compile(
    r"(?P<type>FS|SS|FF|SF)?\s*(?:(?P<sign>[+-])\s*(?P<amount>\d+(?:\.\d+)?\s*(?:%|e?(?:mo|m|h|d|w))))?\s*",
    re.IGNORECASE,
)
_HEAD = re.compile(r"[^\s+-]*?(?=(FS|SS|FF|SF)?([+-]|$))")
_HEAD_BILINGUAL = re.compile(r"[^\s+-]*?(?=(FS|SS|FF|SF|FD|DD|DF)?([+-]|$))", re.IGNORECASE)
_UNITS = {u.value: u for u in DurationUnit}
_BILINGUAL: ContextVar[bool] = ContextVar("jalon_bilingual_input", default=False)


# -- shown --------------------------------------------------------------------------------


def french() -> bool:
    """Whether the active language is French (``fr``, ``fr-ca``...)."""
    return (get_language() or "").lower().split("-")[0] == "fr"


def unit_of(value: str) -> DurationUnit:
    """A stored unit ("d", "w"...) as a DurationUnit; days when unknown."""
    return _UNITS.get(value, DurationUnit.DAY)


def duration_text(
    minutes: float,
    unit: DurationUnit | str,
    elapsed: bool,
    *,
    minutes_per_day: int = 480,
    minutes_per_week: int = 2400,
    days_per_month: int = 20,
) -> str:
    """A duration in its unit, in the active language: ``5d``, ``3ed``; ``5j``, ``3jé``.

    The number is the plan file's (the shortest text that reads back to the minutes)."""
    du = unit if isinstance(unit, DurationUnit) else unit_of(unit)
    text = format_duration(
        minutes,
        du,
        elapsed,
        minutes_per_day=minutes_per_day,
        minutes_per_week=minutes_per_week,
        days_per_month=days_per_month,
    )
    if not french():
        return text
    english = links.unit_text(du, elapsed)
    return text.removesuffix(english) + links.unit_text(du, elapsed, french=True)


def days_text(minutes: float | None, minutes_per_day: int) -> str:
    """Working minutes as days, one decimal: ``2.5d``, ``-1d``; French ``2.5j``; empty for
    None (summary durations, floats)."""
    if minutes is None:
        return ""
    amount = f"{minutes / minutes_per_day:.1f}".rstrip("0").rstrip(".")
    return amount + links.unit_text(DurationUnit.DAY, french=french())


def type_text(kind: str) -> str:
    """A stored link type (``FS``) in the active language (French ``FD``)."""
    try:
        return links.type_text(LinkType(kind), french=french())
    except ValueError:
        return kind


# -- typed ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkSpec:
    predecessor: int  # the key given in ``refs`` (a task pk)
    type: str
    lag_value: float
    lag_kind: str
    lag_unit: str


class LinkTextError(ValueError):
    pass


@contextmanager
def bilingual_input() -> Iterator[None]:
    """Within the block, ``parse_predecessors`` reads French types and units too: the
    grid's cells, typed by people, whatever the interface's language (not the API)."""
    token = _BILINGUAL.set(True)
    try:
        yield
    finally:
        _BILINGUAL.reset(token)


def parse_predecessors(
    text: str,
    refs: Mapping[str, int],
    *,
    minutes_per_day: int = 480,
    minutes_per_week: int = 2400,
    days_per_month: int = 20,
    bilingual: bool = False,
) -> list[LinkSpec]:
    """Read a predecessors cell. ``refs``: WBS codes, outline numbers and ``#uid`` -> key.
    ``bilingual`` (or within ``bilingual_input()``): French link types and units are read
    too (``3FD+2j``, the web grid); else English only (``3FS+2d``, the API).

    Raises ``LinkTextError`` (translated) naming the item that cannot be read.
    """
    units = links.Units(minutes_per_day, minutes_per_week, days_per_month)
    bilingual = bilingual or _BILINGUAL.get()
    out: list[LinkSpec] = []
    for raw in re.split(r"[,;]", text):
        item = raw.strip()
        if not item:
            continue
        spec = _one(item, refs, units, bilingual)
        if any(s.predecessor == spec.predecessor for s in out):
            raise LinkTextError(
                _("'%(item)s': this task is already a predecessor") % {"item": item}
            )
        out.append(spec)
    return out


def _one(item: str, refs: Mapping[str, int], units: links.Units, bilingual: bool) -> LinkSpec:
    if item in refs:
        return LinkSpec(refs[item], "FS", 0.0, "work", "d")
    # the longest known reference followed by a readable type and lag
    for end in range(len(item) - 1, 0, -1):
        ref = item[:end].strip()
        if ref not in refs:
            continue
        spec = (_tail_bilingual if bilingual else _tail)(item, end, refs[ref], units)
        if spec is not None:
            return spec
    head = (_HEAD_BILINGUAL if bilingual else _HEAD).match(item)
    ref = head.group(0) if head and head.group(0) else item
    example = "3FD+2j" if bilingual and french() else "3FS+2d"
    raise LinkTextError(
        _("'%(item)s': unknown task '%(ref)s' (use a WBS code or outline number, like %(example)s)")
        % {"item": item, "ref": ref, "example": example}
    )


def _tail(item: str, end: int, key: int, units: links.Units) -> LinkSpec | None:
    """English only, the plan file's units (the API)."""
    match = _TAIL.fullmatch(item, end)
    if not match or not (match["type"] or match["sign"]):
        return None
    kind = (match["type"] or "FS").upper()
    if not match["sign"]:
        return LinkSpec(key, kind, 0.0, "work", "d")
    amount = match["amount"].replace(" ", "").lower()
    sign = -1 if match["sign"] == "-" else 1
    if amount.endswith("%"):
        return LinkSpec(key, kind, sign * float(amount[:-1]), "percent", "d")
    try:
        minutes, unit, elapsed = parse_duration(
            amount,
            minutes_per_day=units.minutes_per_day,
            minutes_per_week=units.minutes_per_week,
            days_per_month=units.days_per_month,
        )
    except FormatError as exc:
        raise LinkTextError(f"'{item}': {exc}") from None
    return LinkSpec(key, kind, float(sign * minutes), "elapsed" if elapsed else "work", unit.value)


def _tail_bilingual(item: str, end: int, key: int, units: links.Units) -> LinkSpec | None:
    """English or French (``FD+2j``, ``DD-1jé``), ``jalon.io.links``' grammar (the grid)."""
    try:
        parsed = links.parse_link_tail(item[end:], units)
    except links.CellValueError as exc:
        if exc.code == "too_long":
            raise LinkTextError(_("'%(item)s': the lag is too long") % {"item": item}) from None
        raise LinkTextError(
            _("'%(item)s': unknown unit (write %(examples)s)")
            % {"item": item, "examples": lag_examples()}
        ) from None
    if parsed is None:
        return None
    link_type, lag = parsed
    return LinkSpec(key, link_type.value, float(lag.value), lag.kind.value, lag.unit.value)


def lag_examples() -> str:
    """Units a lag may be written in, in the active language's words first."""
    if french():
        return "3FD+2j, 3DD-4h, 3FF+1sem, 3FD+2jé, 3FD+50%"
    return "3FS+2d, 3SS-4h, 3FF+1w, 3FS+2ed, 3FS+50%"


def read_duration(text: str, units: links.Units) -> tuple[int, DurationUnit, bool]:
    """A duration typed in the grid, English or French: ``5d``, ``5j``, ``4h``, ``2w``,
    ``2sem``, ``1mo``, ``1ms``, ``3ed``, ``3jé``, ``1,5j``; a number alone is in days.

    Raises ``ValueError`` with a translated message."""
    if text.strip().startswith("-"):
        raise ValueError(_("A duration cannot be negative."))
    try:
        return links.parse_duration(text, units)
    except links.CellValueError as exc:
        if exc.code == "too_long":
            raise ValueError(_("The duration '%(text)s' is too long.") % {"text": text}) from None
        examples = "5j, 4h, 2sem, 1ms, 3jé" if french() else "5d, 4h, 2w, 1mo, 3ed"
        raise ValueError(
            _("'%(text)s' is not a duration: type a number and a unit, like %(examples)s.")
            % {"text": text.strip(), "examples": examples}
        ) from None
