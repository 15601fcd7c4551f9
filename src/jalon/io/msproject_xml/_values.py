"""MSPDI values: text -> Python, each distinct text converted once per file.

A 10,000-task file holds a few hundred distinct dates, durations and codes, repeated in
every row. :class:`Memo` keeps, per field, the value of each text it has seen: a row's
field costs one dict look-up, and a text is converted (and checked) the first time only.
A text that is not a valid value raises :class:`BadValueError` naming the field, which the
reader turns into an error naming the task, the element and its line.

:func:`rows` reads repeated elements (``Task`` with its ``PredecessorLink`` and
``Baseline`` children) in one walk of the tree, keeping the text of the wanted fields.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from lxml import etree

Element = etree._Element
Texts = dict[str, str | None]  # field name (no namespace) -> the element's text

T = TypeVar("T")

_NUMBER = r"(\d+(?:\.\d*)?|\.\d+)"
_DURATION_RE = re.compile(
    rf"(-)?P(?:{_NUMBER}Y)?(?:{_NUMBER}M)?(?:{_NUMBER}W)?(?:{_NUMBER}D)?"
    rf"(?:T(?:{_NUMBER}H)?(?:{_NUMBER}M)?(?:{_NUMBER}S)?)?"
)
_PLAIN_DURATION_RE = re.compile(r"PT(\d+)H(\d+)M(\d+)S")  # what MS Project writes
# minutes per component of an xsd:duration (a day is 24 hours, as in XML Schema)
_DURATION_SCALE = (525600.0, 43200.0, 10080.0, 1440.0, 60.0, 1.0, 1 / 60)
_TIME_RE = re.compile(r"(\d{1,2}):(\d{2})(?::\d{2}(?:\.\d*)?)?")


class NotAValueError(ValueError):
    """A text is not a value of its kind; the message says what was expected."""


class BadValueError(Exception):
    """A field's text is not a valid value: ``expected`` says what was."""

    def __init__(self, field: str, text: str, expected: str) -> None:
        super().__init__(f"<{field}> has a bad value {text!r} ({expected})")
        self.field = field
        self.text = text
        self.expected = expected


# -- conversions of a stripped, non-empty text ------------------------------------------
def to_int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if value.is_integer():
            return int(value)
        raise NotAValueError("an integer") from None


def to_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise NotAValueError("a number")
    return value


def to_flag(text: str) -> bool:
    if text in ("1", "true"):
        return True
    if text in ("0", "false"):
        return False
    raise NotAValueError("0 or 1")


def to_date(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise NotAValueError("a date like 2024-01-31T08:00:00") from None
    if value.second or value.microsecond or value.tzinfo is not None:
        # the engine counts whole minutes in local (naive) time
        value = value.replace(tzinfo=None, second=0, microsecond=0)
    return value


def to_minutes(text: str) -> float:
    """An xsd:duration in minutes (negative allowed: the caller decides)."""
    m = _PLAIN_DURATION_RE.fullmatch(text)
    if m is not None:
        return int(m.group(1)) * 60 + int(m.group(2)) + int(m.group(3)) / 60
    m = _DURATION_RE.fullmatch(text)
    if m is None or not any(m.groups()[1:]):
        raise NotAValueError("a duration like PT8H0M0S")
    parts = zip(m.groups()[1:], _DURATION_SCALE, strict=True)
    total = sum(float(g) * scale for g, scale in parts if g)
    return -total if m.group(1) else total


def to_duration(text: str) -> int:
    """A non-negative xsd:duration in whole minutes."""
    value = to_minutes(text)
    if value < 0:
        raise NotAValueError("a duration may not be negative")
    return round(value)


def to_clock(text: str) -> int:
    """A time of day in minutes after midnight ("24:00:00" is 1440)."""
    m = _TIME_RE.fullmatch(text)
    if m is None or int(m.group(1)) > 24 or int(m.group(2)) > 59:
        raise NotAValueError("a time like 08:00:00")
    return min(1440, int(m.group(1)) * 60 + int(m.group(2)))


class Memo(dict[str | None, T], Generic[T]):
    """One field's values by text: ``memo[text]``, with ``None`` (no element, or an empty
    one) and blank texts giving ``default``. A bad text raises :class:`BadValueError`."""

    __slots__ = ("convert", "default", "field")

    def __init__(self, field: str, convert: Callable[[str], T], default: T) -> None:
        super().__init__()
        self[None] = default
        self.field = field
        self.convert = convert
        self.default = default

    def __missing__(self, text: str | None) -> T:
        assert text is not None  # None is always present
        stripped = text.strip()
        if not stripped:
            value = self.default
        else:
            try:
                value = self.convert(stripped)
            except NotAValueError as exc:
                raise BadValueError(self.field, stripped, str(exc)) from None
        self[text] = value
        return value


class Row:
    """A repeated element: the text of its wanted fields, and its wanted children's."""

    __slots__ = ("children", "element", "texts")

    def __init__(self, element: Element) -> None:
        self.element = element
        self.texts: Texts = {}
        self.children: list[tuple[str, Element, Texts]] = []  # (name, element, texts)


def rows(
    container: Element | None,
    ns: str,
    tag: str,
    fields: list[str],
    children: dict[str, list[str]],
) -> Iterator[Row]:
    """The ``tag`` children of ``container``, in order, each with the text of its
    ``fields`` and its ``children`` elements (by name) with the text of theirs.

    One walk over the descendants, filtered in C by tag: an element is kept when its
    parent is the current row (a field or a child) or the current child (a child's field).
    """
    if container is None:
        return
    row_tag = ns + tag
    field_names = {ns + name: name for name in fields}
    child_names = {ns + name: name for name in children}
    child_fields = {ns + f: f for names in children.values() for f in names}
    row: Row | None = None
    child: Element | None = None
    texts: Texts = {}
    for el in container.iter(row_tag, *field_names, *child_names, *child_fields):
        key = el.tag
        parent = el.getparent()
        if row is not None and parent is row.element:
            name = field_names.get(key)
            if name is not None:
                row.texts[name] = el.text
            name = child_names.get(key)
            if name is not None:
                child, texts = el, {}
                row.children.append((name, el, texts))
        elif child is not None and parent is child:
            name = child_fields.get(key)
            if name is not None:
                texts[name] = el.text
        elif key == row_tag and parent is container:
            if row is not None:
                yield row
            row, child = Row(el), None
    if row is not None:
        yield row
