"""MSPDI codes shared by the reader and the writer."""

from __future__ import annotations

from jalon.engine.model import DurationUnit, LinkType

NS = "http://schemas.microsoft.com/project"

UNASSIGNED_RESOURCE = -65535  # MS Project's assignment of a task to no resource

# DurationFormat / LagFormat codes -> (unit, elapsed). 19/20 are percentages, 21 "null"
# (the project's default unit); 35-53 are the "estimated" (?) twins of 3-21.
UNIT_CODES: dict[int, tuple[DurationUnit, bool]] = {
    3: (DurationUnit.MINUTE, False),
    4: (DurationUnit.MINUTE, True),
    5: (DurationUnit.HOUR, False),
    6: (DurationUnit.HOUR, True),
    7: (DurationUnit.DAY, False),
    8: (DurationUnit.DAY, True),
    9: (DurationUnit.WEEK, False),
    10: (DurationUnit.WEEK, True),
    11: (DurationUnit.MONTH, False),
    12: (DurationUnit.MONTH, True),
}
CODE_OF_UNIT = {key: code for code, key in UNIT_CODES.items()}
PERCENT_CODES = (19, 20)
NULL_CODE = 21

# PredecessorLink/Type
LINK_TYPES = {0: LinkType.FF, 1: LinkType.FS, 2: LinkType.SF, 3: LinkType.SS}
CODE_OF_LINK = {v: k for k, v in LINK_TYPES.items()}


def base_code(code: int) -> int:
    """Drop the "estimated" flag: 35-44 -> 3-12, 51/52 -> 19/20, 53 -> 21."""
    return code - 32 if 35 <= code <= 53 else code


def day_type_to_weekday(day_type: int) -> int:
    """WeekDay/DayType 1 = Sunday ... 7 = Saturday -> the model's 0 = Monday."""
    return (day_type + 5) % 7


def weekday_to_day_type(weekday: int) -> int:
    return (weekday + 1) % 7 + 1
