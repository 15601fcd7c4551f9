"""Predecessors typed as text, as in MS Project's column: ``"3FS+2d, 5SS, 1.2FF-1ed"``.

A reference is a task's WBS code or outline number (an exact WBS code wins), or ``#uid``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from jalon.engine import FormatError
from jalon.io.plan_yaml import parse_duration

_TAIL = re.compile(
    r"(?P<type>FS|SS|FF|SF)?\s*(?:(?P<sign>[+-])\s*(?P<amount>\d+(?:\.\d+)?\s*(?:%|e?(?:mo|m|h|d|w))))?\s*",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class LinkSpec:
    predecessor: int  # the key given in ``refs`` (a task pk)
    type: str
    lag_value: float
    lag_kind: str
    lag_unit: str


class LinkTextError(ValueError):
    pass


def parse_predecessors(
    text: str,
    refs: Mapping[str, int],
    *,
    minutes_per_day: int = 480,
    minutes_per_week: int = 2400,
    days_per_month: int = 20,
) -> list[LinkSpec]:
    """Read a predecessors cell. ``refs``: WBS codes, outline numbers and ``#uid`` -> key.

    Raises ``LinkTextError`` naming the item that cannot be read.
    """
    out: list[LinkSpec] = []
    for raw in re.split(r"[,;]", text):
        item = raw.strip()
        if not item:
            continue
        spec = _one(item, refs, minutes_per_day, minutes_per_week, days_per_month)
        if any(s.predecessor == spec.predecessor for s in out):
            raise LinkTextError(f"'{item}': this task is already a predecessor")
        out.append(spec)
    return out


def _one(item: str, refs: Mapping[str, int], mpd: int, mpw: int, dpm: int) -> LinkSpec:
    if item in refs:
        return LinkSpec(refs[item], "FS", 0.0, "work", "d")
    # the longest known reference followed by a readable type and lag
    for end in range(len(item) - 1, 0, -1):
        ref = item[:end].strip()
        match = _TAIL.fullmatch(item, end)
        if ref in refs and match and (match["type"] or match["sign"]):
            kind = (match["type"] or "FS").upper()
            if not match["sign"]:
                return LinkSpec(refs[ref], kind, 0.0, "work", "d")
            amount = match["amount"].replace(" ", "").lower()
            sign = -1 if match["sign"] == "-" else 1
            if amount.endswith("%"):
                return LinkSpec(refs[ref], kind, sign * float(amount[:-1]), "percent", "d")
            try:
                minutes, unit, elapsed = parse_duration(
                    amount, minutes_per_day=mpd, minutes_per_week=mpw, days_per_month=dpm
                )
            except FormatError as exc:
                raise LinkTextError(f"'{item}': {exc}") from None
            return LinkSpec(
                refs[ref], kind, float(sign * minutes), "elapsed" if elapsed else "work", unit.value
            )
    head = re.match(r"[^\s+-]*?(?=(FS|SS|FF|SF)?([+-]|$))", item)
    ref = head.group(0) if head and head.group(0) else item
    raise LinkTextError(
        f"'{item}': unknown task '{ref}' (use a WBS code or outline number, like 3FS+2d)"
    )
