"""The Jalon plan file: YAML written by people and diffed in git, and the same structure in JSON.

``read_plan`` checks everything and raises :class:`~jalon.engine.errors.FormatError` naming
the file, the line and the task at fault (never another exception type). ``write_plan``
writes a file that reads back to an equal plan. The format is described in
``docs/plan-format.md`` and ``src/jalon/io/schemas/plan.schema.json``.
"""

from __future__ import annotations

import codecs
import datetime as dt
import difflib
import json
import math
import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO, TypeAlias

import numpy as np
import yaml

from jalon.engine.calendar import recurrence_dates
from jalon.engine.errors import FormatError, PlanError
from jalon.engine.model import (
    DATED_CONSTRAINTS,
    Assignment,
    Baseline,
    BaselineTask,
    CalendarException,
    CalendarSpec,
    Constraint,
    ConstraintType,
    DurationUnit,
    Lag,
    LagKind,
    Link,
    LinkType,
    Plan,
    Progress,
    Recurrence,
    RecurrenceType,
    Resource,
    ResourceType,
    Task,
    WorkingTime,
    find_cycle,
)

__all__ = [
    "dumps_plan",
    "format_duration",
    "loads_plan",
    "parse_duration",
    "read_plan",
    "write_plan",
]

START_TIME = dt.time(8, 0)  # a date without a time, for a start (MS Project's default start time)
FINISH_TIME = dt.time(17, 0)  # ... for a finish, a deadline, a status date
MAX_MINUTES = 10**9  # about 1,900 years: larger durations are typing mistakes
MAX_TASKS = 200_000
FIRST_YEAR, LAST_YEAR = 1900, 2199

# --------------------------------------------------------------------------------------
# Located nodes: what the YAML or JSON text says, with line numbers
# --------------------------------------------------------------------------------------


@dataclass(slots=True, eq=False)
class _Scalar:
    line: int
    value: Any  # None, bool, int, float or str
    text: str  # as written: "1.10" for an unquoted 1.10, the string itself for a string
    plain: bool  # unquoted (YAML plain scalar, JSON number/true/false/null)


@dataclass(slots=True, eq=False)
class _Map:
    line: int
    items: dict[str, tuple[int, _Node]]  # key -> (line of the key, value)


@dataclass(slots=True, eq=False)
class _Seq:
    line: int
    items: list[_Node]


_Node: TypeAlias = _Scalar | _Map | _Seq
_TAG = "tag:yaml.org,2002:"
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _YamlTree:
    """Turns PyYAML's composed nodes into located nodes (aliases and ``<<`` merges resolved)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.memo: dict[int, _Node] = {}
        self.active: set[int] = set()
        self.constructor = yaml.constructor.SafeConstructor()

    def error(self, node: yaml.Node, message: str) -> FormatError:
        return FormatError(message, path=self.name, line=node.start_mark.line + 1)

    def convert(self, node: yaml.Node) -> _Node:
        key = id(node)
        done = self.memo.get(key)
        if done is not None:
            return done
        if key in self.active:
            raise self.error(node, "an alias refers to the node that contains it")
        line = node.start_mark.line + 1
        result: _Node
        if isinstance(node, yaml.ScalarNode):
            result = self.scalar(node, line)
        elif isinstance(node, yaml.SequenceNode):
            if node.tag != _TAG + "seq":
                raise self.error(node, f"unsupported YAML tag '{node.tag}'")
            self.active.add(key)
            result = _Seq(line, [self.convert(item) for item in node.value])
            self.active.discard(key)
        elif isinstance(node, yaml.MappingNode):
            if node.tag != _TAG + "map":
                raise self.error(node, f"unsupported YAML tag '{node.tag}'")
            self.active.add(key)
            result = _Map(line, self.pairs(node))
            self.active.discard(key)
        else:  # pragma: no cover - PyYAML has no other node kind
            raise self.error(node, "unsupported YAML node")
        self.memo[key] = result
        return result

    def pairs(self, node: yaml.MappingNode) -> dict[str, tuple[int, _Node]]:
        own: dict[str, tuple[int, _Node]] = {}
        merged: dict[str, tuple[int, _Node]] = {}
        for knode, vnode in node.value:
            if knode.tag == _TAG + "merge":
                value = self.convert(vnode)
                for source in value.items if isinstance(value, _Seq) else [value]:
                    if not isinstance(source, _Map):
                        raise self.error(vnode, "'<<' merges mappings only")
                    for k, v in source.items.items():
                        merged.setdefault(k, v)
                continue
            if not isinstance(knode, yaml.ScalarNode):
                raise self.error(knode, "a key must be a plain word, not a list or a mapping")
            k = str(knode.value)
            if k in own:
                raise self.error(knode, f"the key '{k}' is given twice")
            own[k] = (knode.start_mark.line + 1, self.convert(vnode))
        return {**merged, **own}

    def scalar(self, node: yaml.ScalarNode, line: int) -> _Scalar:
        text = str(node.value)
        plain = node.style in (None, "")
        tag = node.tag
        value: Any
        if tag in (_TAG + "str", _TAG + "timestamp"):
            value = text  # dates are read from their text
        elif tag == _TAG + "null":
            value = None
        elif tag == _TAG + "bool":
            value = text.lower() in ("yes", "true", "on")
        elif tag in (_TAG + "int", _TAG + "float"):
            try:
                if tag == _TAG + "int":
                    value = self.constructor.construct_yaml_int(node)
                else:
                    value = self.constructor.construct_yaml_float(node)
            except (ValueError, TypeError, IndexError, ArithmeticError):
                raise self.error(node, f"cannot read '{text}' as a number") from None
        else:
            raise self.error(node, f"unsupported YAML tag '{tag}'")
        return _Scalar(line, value, text, plain)


# libyaml's composer recurses in C without a depth check: refuse absurd nesting before it
# can exhaust the C stack (a plan nests a few levels; these bounds are far above that)
_DEEP_FLOW = 200
_DEEP_BLOCK = re.compile(r"(?:-[ \t]+){100}|^[ \t]{800}", re.MULTILINE)


def _nesting_guard(text: str, name: str) -> None:
    if _DEEP_BLOCK.search(text):
        raise FormatError("not valid YAML: nested too deeply", path=name)
    if text.count("[") + text.count("{") > _DEEP_FLOW:
        codes = np.frombuffer(text.encode("utf-8", "surrogatepass"), dtype=np.uint8)
        step = (codes == ord("[")).astype(np.int32) + (codes == ord("{"))
        step -= (codes == ord("]")).astype(np.int32) + (codes == ord("}"))
        if int(np.cumsum(step).max()) > _DEEP_FLOW:
            raise FormatError("not valid YAML: nested too deeply", path=name)


def _compose_yaml(text: str, name: str) -> _Node | None:
    _nesting_guard(text, name)
    try:
        root = yaml.compose(text, Loader=_YAML_LOADER)
        return None if root is None else _YamlTree(name).convert(root)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "syntax error"
        context = f" ({exc.context})" if exc.context and exc.problem else ""
        raise FormatError(
            f"not valid YAML: {problem}{context}", path=name, line=mark.line + 1 if mark else None
        ) from None
    except yaml.YAMLError as exc:
        raise FormatError(f"not valid YAML: {exc}", path=name) from None
    except RecursionError:
        raise FormatError("not valid YAML: nested too deeply", path=name) from None


class _JsonTree:
    """A small JSON parser that keeps line numbers (the text was checked by ``json.loads``)."""

    WS = re.compile(r"[ \t\n\r]*")
    NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
    STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)

    def __init__(self, text: str, name: str) -> None:
        self.text = text
        self.name = name
        self.newlines = [m.start() for m in re.finditer("\n", text)]

    def line(self, pos: int) -> int:
        return bisect_left(self.newlines, pos) + 1

    def error(self, pos: int, message: str) -> FormatError:
        return FormatError(message, path=self.name, line=self.line(pos))

    def skip(self, pos: int) -> int:
        m = self.WS.match(self.text, pos)
        return m.end() if m else pos

    def parse(self) -> _Node:
        node, _ = self.value(self.skip(0), 0)
        return node

    def value(self, pos: int, depth: int) -> tuple[_Node, int]:
        text = self.text
        if depth > 200:
            raise self.error(pos, "not valid JSON: nested too deeply")
        line = self.line(pos)
        char = text[pos : pos + 1]
        if char == "{":
            items: dict[str, tuple[int, _Node]] = {}
            pos = self.skip(pos + 1)
            while text[pos] != "}":
                m = self.STRING.match(text, pos)
                if not m:
                    raise self.error(pos, "not valid JSON: expected a key")
                key = str(json.loads(m.group()))
                if key in items:
                    raise self.error(pos, f"the key '{key}' is given twice")
                key_line = self.line(pos)
                pos = self.skip(self.skip(m.end()) + 1)  # the colon
                items[key] = (key_line, (got := self.value(pos, depth + 1))[0])
                pos = self.skip(got[1])
                if text[pos] == ",":
                    pos = self.skip(pos + 1)
            return _Map(line, items), pos + 1
        if char == "[":
            seq: list[_Node] = []
            pos = self.skip(pos + 1)
            while text[pos] != "]":
                node, pos = self.value(pos, depth + 1)
                seq.append(node)
                pos = self.skip(pos)
                if text[pos] == ",":
                    pos = self.skip(pos + 1)
            return _Seq(line, seq), pos + 1
        if char == '"':
            m = self.STRING.match(text, pos)
            if not m:
                raise self.error(pos, "not valid JSON: unterminated string")
            string = str(json.loads(m.group()))
            return _Scalar(line, string, string, False), m.end()
        m = self.NUMBER.match(text, pos)
        if m:
            token = m.group()
            number: float = float(token) if m.group(1) or m.group(2) else int(token)
            return _Scalar(line, number, token, True), m.end()
        for word, value in (("true", True), ("false", False), ("null", None)):
            if text.startswith(word, pos):
                return _Scalar(line, value, word, True), pos + len(word)
        raise self.error(pos, "not valid JSON: NaN and Infinity are not numbers in a plan")


def _compose_json(text: str, name: str) -> _Node | None:
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(f"not valid JSON: {exc.msg}", path=name, line=exc.lineno) from None
    except (ValueError, RecursionError) as exc:
        raise FormatError(f"not valid JSON: {exc}", path=name) from None
    try:
        return _JsonTree(text, name).parse()
    except RecursionError:
        raise FormatError("not valid JSON: nested too deeply", path=name) from None
    except IndexError:  # pragma: no cover - json.loads accepted the text
        raise FormatError("not valid JSON", path=name) from None


def _decode(data: bytes, name: str) -> str:
    encoding = "utf-8-sig"
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        encoding = "utf-32"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FormatError(f"not {encoding.upper()} text", path=name, line=line) from None


# --------------------------------------------------------------------------------------
# Values: durations, dates, working times
# --------------------------------------------------------------------------------------

_UNITS = {
    "m": DurationUnit.MINUTE,
    "h": DurationUnit.HOUR,
    "d": DurationUnit.DAY,
    "w": DurationUnit.WEEK,
    "mo": DurationUnit.MONTH,
}
_ELAPSED_SIZE = {
    DurationUnit.MINUTE: 1,
    DurationUnit.HOUR: 60,
    DurationUnit.DAY: 1440,
    DurationUnit.WEEK: 10080,
    DurationUnit.MONTH: 43200,
}
_NUM = r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
_UNIT = r"e?(?:mo|m|h|d|w)"
_DURATION_RE = re.compile(rf"\s*(?P<num>{_NUM})\s*(?P<unit>{_UNIT})\s*")
_LAG_RE = re.compile(rf"\s*(?P<sign>[+-]?)\s*(?P<num>{_NUM})\s*(?P<unit>%|{_UNIT})\s*")
_LINK_TAIL_RE = re.compile(
    rf"\s*(?P<type>FS|SS|FF|SF)?\s*(?:(?P<sign>[+-])\s*(?P<num>{_NUM})\s*(?P<unit>%|{_UNIT}))?\s*"
)
_DATE_RE = re.compile(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*")
_RANGE_RE = re.compile(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*")
_RATE_RE = re.compile(rf"\s*(?P<num>{_NUM})\s*/\s*(?P<unit>mo|m|h|d|w)\s*")
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_NTH = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": 5}
_EVERY = {
    "day": RecurrenceType.DAILY,
    "week": RecurrenceType.WEEKLY,
    "month": RecurrenceType.MONTHLY,
    "year": RecurrenceType.YEARLY,
}
_DURATION_HELP = "use a number and a unit: 30m, 4h, 2d, 1w, 1mo, or elapsed 2ed, 3eh, 1ew, 1emo"


@dataclass(frozen=True, slots=True)
class _Units:
    minutes_per_day: int = 480
    minutes_per_week: int = 2400
    days_per_month: int = 20

    def size(self, unit: DurationUnit, elapsed: bool = False) -> int:
        if elapsed:
            return _ELAPSED_SIZE[unit]
        if unit is DurationUnit.DAY:
            return self.minutes_per_day
        if unit is DurationUnit.WEEK:
            return self.minutes_per_week
        if unit is DurationUnit.MONTH:
            return self.days_per_month * self.minutes_per_day
        return _ELAPSED_SIZE[unit]


def _unit(text: str) -> tuple[DurationUnit, bool]:
    """``"ed"`` -> (DAY, elapsed)."""
    if text.startswith("e"):
        return _UNITS[text[1:]], True
    return _UNITS[text], False


def _num(value: float) -> float:
    """An integral float as an int (50.0 -> 50), for tidy output and equality."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _decimal(value: float, ok: Callable[[float], bool]) -> str:
    """The shortest decimal text of ``value`` that ``ok`` accepts when read back."""
    for digits in range(16):
        text = f"{value:.{digits}f}"
        if ok(float(text)):
            if "." in text:
                text = text.rstrip("0").rstrip(".")
            return "0" if text in ("-0", "") else text
    return repr(value)


def parse_duration(
    text: str,
    *,
    minutes_per_day: int = 480,
    minutes_per_week: int = 2400,
    days_per_month: int = 20,
) -> tuple[int, DurationUnit, bool]:
    """``"1.5d"`` -> (720, DurationUnit.DAY, False); ``"2ed"`` -> (2880, DAY, True).

    Raises :class:`FormatError` when the text is not a duration.
    """
    m = _DURATION_RE.fullmatch(text)
    if not m:
        raise FormatError(f"cannot read '{text}' as a duration: {_DURATION_HELP}")
    unit, elapsed = _unit(m["unit"])
    size = _Units(minutes_per_day, minutes_per_week, days_per_month).size(unit, elapsed)
    minutes = float(m["num"]) * size
    if not minutes <= MAX_MINUTES:
        raise FormatError(f"the duration '{text}' is too long")
    return round(minutes), unit, elapsed


def format_duration(
    minutes: float,
    unit: DurationUnit = DurationUnit.DAY,
    elapsed: bool = False,
    *,
    minutes_per_day: int = 480,
    minutes_per_week: int = 2400,
    days_per_month: int = 20,
) -> str:
    """720 minutes in days -> ``"1.5d"``: the shortest text that reads back to the same minutes."""
    return _fmt_amount(
        minutes, unit, elapsed, _Units(minutes_per_day, minutes_per_week, days_per_month)
    )


def _fmt_amount(
    minutes: float, unit: DurationUnit, elapsed: bool, units: _Units, *, whole: bool = True
) -> str:
    """``minutes`` in ``unit``; ``whole``: the reader rounds to whole minutes (not lags)."""
    size = units.size(unit, elapsed)
    if whole and float(minutes).is_integer():
        text = _decimal(minutes / size, lambda x: round(x * size) == minutes)
    else:
        text = _decimal(minutes / size, lambda x: round(x * size, 3) == minutes)
    return f"{text}{'e' if elapsed else ''}{unit.value}"


def _fmt_time(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _fmt_times(times: Sequence[WorkingTime]) -> str:
    return ", ".join(f"{_fmt_time(w.start)}-{_fmt_time(w.end)}" for w in times) if times else "off"


def _fmt_datetime(value: dt.datetime, default: dt.time) -> dt.date | str:
    if value.time() == default:
        return value.date()
    if value.second:
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return value.strftime("%Y-%m-%d %H:%M")


# --------------------------------------------------------------------------------------
# Reading: typed access to located nodes, with messages that name the line and the task
# --------------------------------------------------------------------------------------


def _describe(node: _Node) -> str:
    if isinstance(node, _Map):
        return "a mapping"
    if isinstance(node, _Seq):
        return "a list"
    return f"'{node.text}'"


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.5)
    return f" (did you mean '{close[0]}'?)" if close else ""


class _Reader:
    def __init__(self, name: str) -> None:
        self.name = name

    def error(self, line: int | None, message: str) -> FormatError:
        return FormatError(message, path=self.name, line=line)

    # -- scalars -------------------------------------------------------------------------
    def scalar(self, node: _Node, what: str, expected: str) -> _Scalar:
        if not isinstance(node, _Scalar):
            raise self.error(node.line, f"{what}: expected {expected}, not {_describe(node)}")
        return node

    def text(self, node: _Node, what: str) -> str:
        s = self.scalar(node, what, "a text")
        if s.value is None:
            raise self.error(s.line, f"{what}: is empty")
        return s.value if isinstance(s.value, str) else s.text

    def number(
        self, node: _Node, what: str, lo: float | None = None, hi: float | None = None
    ) -> float:
        s = self.scalar(node, what, "a number")
        value = s.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(s.line, f"{what}: expected a number, not '{s.text}'")
        if (
            not math.isfinite(value)
            or (lo is not None and value < lo)
            or (hi is not None and value > hi)
        ):
            raise self.error(s.line, f"{what}: {s.text} is not between {lo} and {hi}")
        return _num(value)

    def integer(self, node: _Node, what: str, lo: int, hi: int) -> int:
        value = self.number(node, what, lo, hi)
        if not isinstance(value, int):
            raise self.error(node.line, f"{what}: expected a whole number, not {value}")
        return value

    def boolean(self, node: _Node, what: str) -> bool:
        s = self.scalar(node, what, "true or false")
        if not isinstance(s.value, bool):
            raise self.error(s.line, f"{what}: expected true or false, not '{s.text}'")
        return s.value

    def percent(self, node: _Node, what: str, lo: float = 0, hi: float = 100) -> float:
        """``50``, ``50%`` or ``"12.5 %"`` -> 50 / 12.5 (percent)."""
        s = self.scalar(node, what, "a percentage")
        if isinstance(s.value, str):
            m = re.fullmatch(rf"\s*({_NUM})\s*%?\s*", s.value)
            if not m:
                raise self.error(
                    s.line, f"{what}: cannot read '{s.text}' as a percentage (like 50%)"
                )
            value = _num(float(m.group(1)))
            if not lo <= value <= hi:
                raise self.error(s.line, f"{what}: {s.text} is not between {lo}% and {hi}%")
            return value
        return self.number(node, what, lo, hi)

    def date(self, node: _Node, what: str, default: dt.time) -> dt.datetime:
        s = self.scalar(node, what, "a date")
        m = _DATE_RE.fullmatch(s.text) if isinstance(s.value, str) else None
        if not m:
            raise self.error(
                s.line,
                f"{what}: cannot read '{s.text}' as a date: write 2027-01-04 or 2027-01-04 08:00",
            )
        year, month, day, hour, minute, second = (int(g) if g else None for g in m.groups())
        assert year is not None
        assert month is not None
        assert day is not None
        try:
            if hour is None:
                value = dt.datetime.combine(dt.date(year, month, day), default)
            else:
                value = dt.datetime(year, month, day, hour, minute or 0, second or 0)
        except ValueError as exc:
            raise self.error(s.line, f"{what}: '{s.text}' is not a valid date ({exc})") from None
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise self.error(
                s.line, f"{what}: {s.text} is not between {FIRST_YEAR} and {LAST_YEAR}"
            )
        return value

    def day(self, node: _Node, what: str) -> dt.date:
        value = self.date(node, what, dt.time())
        if value.time() != dt.time():
            raise self.error(
                node.line, f"{what}: expected a date without a time, not '{_describe(node)}'"
            )
        return value.date()

    def duration(self, node: _Node, what: str, units: _Units) -> tuple[int, DurationUnit, bool]:
        s = self.scalar(node, what, "a duration")
        if s.value == 0 and not isinstance(s.value, bool):
            return 0, DurationUnit.DAY, False
        if not isinstance(s.value, str):
            hint = f" (did you mean '{s.text}d'?)" if isinstance(s.value, int | float) else ""
            raise self.error(s.line, f"{what}: '{s.text}' needs a unit{hint}: {_DURATION_HELP}")
        m = _DURATION_RE.fullmatch(s.value)
        if not m:
            raise self.error(
                s.line, f"{what}: cannot read '{s.text}' as a duration: {_DURATION_HELP}"
            )
        unit, elapsed = _unit(m["unit"])
        minutes = float(m["num"]) * units.size(unit, elapsed)
        if minutes > MAX_MINUTES:
            raise self.error(s.line, f"{what}: '{s.text}' is too long")
        return round(minutes), unit, elapsed

    def working_times(self, node: _Node, what: str) -> tuple[WorkingTime, ...]:
        """``"08:00-12:00, 13:00-17:00"``, a list of ranges, or ``off``."""
        if isinstance(node, _Map):
            raise self.error(
                node.line, f"{what}: expected hours like '08:00-12:00, 13:00-17:00' or off"
            )
        if isinstance(node, _Scalar):
            if node.value is False or (
                isinstance(node.value, str) and node.value.strip().lower() in ("off", "")
            ):
                return ()
            if not isinstance(node.value, str):
                raise self.error(
                    node.line,
                    f"{what}: expected hours like '08:00-12:00, 13:00-17:00' or off,"
                    f" not '{node.text}'",
                )
            pieces = [(p, node.line) for p in node.value.split(",")]
        else:
            pieces = [(self.text(item, what), item.line) for item in node.items]
        times: list[WorkingTime] = []
        for piece, line in pieces:
            m = _RANGE_RE.fullmatch(piece)
            if not m:
                raise self.error(
                    line, f"{what}: cannot read '{piece.strip()}' as working hours like 08:00-12:00"
                )
            h1, m1, h2, m2 = (int(g) for g in m.groups())
            start, end = h1 * 60 + m1, h2 * 60 + m2
            if m1 >= 60 or m2 >= 60 or not 0 <= start < end <= 1440:
                raise self.error(
                    line, f"{what}: '{piece.strip()}' is not a range of hours within one day"
                )
            if times and start < times[-1].end:
                raise self.error(
                    line, f"{what}: the ranges of hours must be in order and not overlap"
                )
            times.append(WorkingTime(start, end))
        return tuple(times)


def _is_null(node: _Node) -> bool:
    return isinstance(node, _Scalar) and node.value is None


def _peek(node: _Node, key: str) -> str | None:
    """The text of ``key`` in a mapping, to name it in messages before it is checked."""
    entry = node.items.get(key) if isinstance(node, _Map) else None
    if entry is None or not isinstance(entry[1], _Scalar) or entry[1].value is None:
        return None
    value = entry[1].value
    return value if isinstance(value, str) else entry[1].text


class _Fields:
    """The keys of one mapping, checked against the keys allowed there."""

    def __init__(
        self,
        r: _Reader,
        node: _Node,
        where: str,
        allowed: Sequence[str],
        *,
        hints: Mapping[str, str] | None = None,
        named: bool = True,
    ) -> None:
        if not isinstance(node, _Map):
            raise r.error(
                node.line, f"{where}: expected a mapping (key: value, ...), not {_describe(node)}"
            )
        name = _peek(node, "name") if named else None
        if name is not None:
            where = f"{where} '{name}'"
        for key, (line, value) in node.items.items():
            if key not in allowed:
                hint = (hints or {}).get(key)
                tip = f" ({hint})" if hint else _suggest(key, allowed)
                if not tip and _is_null(value):
                    tip = " (a comma ends a value inside {...}: quote text that has commas)"
                tip = tip or f" (use: {', '.join(allowed)})"
                raise r.error(line, f"{where}: unknown key '{key}'{tip}")
        self.r, self.node, self.where = r, node, where

    def get(self, key: str) -> _Node | None:
        """The value of ``key``; None when it is missing or null (``key:`` with nothing)."""
        entry = self.node.items.get(key)
        if entry is None or (isinstance(entry[1], _Scalar) and entry[1].value is None):
            return None
        return entry[1]

    def line(self, key: str) -> int:
        entry = self.node.items.get(key)
        return entry[0] if entry else self.node.line

    def what(self, key: str) -> str:
        return f"{self.where}, '{key}'"

    def need(self, key: str) -> _Node:
        node = self.get(key)
        if node is None:
            raise self.r.error(self.line(key), f"{self.where}: '{key}' is missing")
        return node

    def text(self, key: str, default: str | None = None) -> str | None:
        node = self.get(key)
        return default if node is None else self.r.text(node, self.what(key))

    def date(self, key: str, default_time: dt.time) -> dt.datetime | None:
        node = self.get(key)
        return None if node is None else self.r.date(node, self.what(key), default_time)

    def day(self, key: str) -> dt.date | None:
        node = self.get(key)
        return None if node is None else self.r.day(node, self.what(key))

    def boolean(self, key: str, default: bool) -> bool:
        node = self.get(key)
        return default if node is None else self.r.boolean(node, self.what(key))


def _items(node: _Node | None) -> list[_Node]:
    """A list; a single value counts as a list of one."""
    if node is None:
        return []
    if isinstance(node, _Seq):
        return node.items
    return [node]


def _split(r: _Reader, node: _Node | None, what: str) -> list[tuple[str | _Map, int]]:
    """Items of ``after:`` / ``resources:``: strings split on commas and semicolons, or mappings."""
    out: list[tuple[str | _Map, int]] = []
    for item in _items(node):
        if isinstance(item, _Map):
            out.append((item, item.line))
        else:
            text = r.text(item, what)
            out.extend(
                (piece.strip(), item.line) for piece in re.split(r"[,;]", text) if piece.strip()
            )
    return out


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_PROJECT_KEYS = _words(
    "name start finish schedule_from calendar"
    " status_date currency hours_per_day hours_per_week days_per_month critical_float"
)
_TOP_KEYS = ("project", "calendars", "resources", "tasks", "baselines", "metadata")
_CALENDAR_KEYS = ("name", "uid", "base", "country", "subdivision", "week", "exceptions")
_EXCEPTION_KEYS = _words("name date from to hours every days day nth weekday month occurrences")
_RESOURCE_KEYS = _words(
    "id uid name type max_units rate overtime_rate cost_per_use calendar email group"
)
_TASK_KEYS = _words(
    "id uid name duration milestone after resources constraint"
    " deadline calendar manual active priority leveling_delay progress notes tasks"
)
_PINNED = (
    "a task's dates are computed: pin it with 'constraint: SNET 2027-03-01'"
    " or 'manual: {start: ..., finish: ...}'"
)
_TASK_HINTS = {
    "start": _PINNED,
    "finish": _PINNED,
    "predecessors": "did you mean 'after'?",
    "depends_on": "did you mean 'after'?",
    "dependencies": "did you mean 'after'?",
    "subtasks": "did you mean 'tasks'?",
    "children": "did you mean 'tasks'?",
    "resource": "did you mean 'resources'?",
    "wbs": "the WBS code is the task's 'id'",
    "percent_complete": "write 'progress: {percent: 50}'",
}
_LINK_KEYS = ("task", "type", "lag")
_ASSIGNMENT_KEYS = ("resource", "units", "work", "actual_work", "uid")
_PROGRESS_KEYS = ("percent", "actual_start", "actual_finish", "remaining")
_BASELINE_KEYS = ("number", "saved", "tasks")
_BASELINE_TASK_KEYS = ("start", "finish", "duration", "work", "cost")


def _valid_id(value: str, extra: str = "") -> bool:
    return (
        bool(value)
        and value == value.strip()
        and not value.startswith("#")
        and not any(c in value for c in ",;" + extra)
    )


@dataclass(slots=True)
class _TaskItem:
    fields: _Fields
    line: int
    parent: int | None
    outline: str
    name: str
    wbs: str | None
    uid: int | None
    where: str


class _PlanReader(_Reader):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.units = _Units()
        self.calendar_names: set[str] = {"Standard", "24 Hours", "Night Shift"}
        self.resource_refs: dict[str, int | None] = {}  # id / name / #uid -> uid (None: ambiguous)
        self.resource_types: dict[int, ResourceType] = {}
        self.task_refs: dict[str, int] = {}  # id / outline number / #uid -> uid
        self.task_lines: dict[int, int] = {}
        self.labels: dict[int, str] = {}
        self.link_lines: dict[tuple[int, int], int] = {}

    def read(self, root: _Node | None) -> Plan:
        if root is None:
            raise self.error(
                1, "the file is empty: a plan needs at least 'project: {name: ..., start: ...}'"
            )
        top = _Fields(self, root, "the plan", _TOP_KEYS)
        project = _Fields(self, top.need("project"), "project", _PROJECT_KEYS, named=False)
        settings = self.project_settings(project)
        calendars = self.calendars(top.get("calendars"))
        self.check_calendar(project, "calendar")
        resources = self.resources(top.get("resources"))
        tasks, links, assignments = self.tasks(top.get("tasks"))
        baselines = self.baselines(top.get("baselines"))
        metadata = _plain(top.get("metadata"))
        if metadata is not None and not isinstance(metadata, dict):
            raise self.error(top.line("metadata"), "'metadata' must be a mapping")
        self.check_cycles(tasks, links)
        try:
            return Plan(
                tasks=tuple(tasks),
                links=tuple(links),
                calendars=tuple(calendars),
                resources=tuple(resources),
                assignments=tuple(assignments),
                baselines=tuple(baselines),
                metadata=metadata or {},
                **settings,
            )
        except PlanError as exc:
            found = re.search(r"\(uid (\d+)\)", str(exc))
            line = self.task_lines.get(int(found.group(1))) if found else None
            raise self.error(line, str(exc)) from None

    # -- project -------------------------------------------------------------------------
    def project_settings(self, f: _Fields) -> dict[str, Any]:
        name = self.text(f.need("name"), f.what("name"))
        hours_day = f.get("hours_per_day")
        mpd = (
            round(self.number(hours_day, f.what("hours_per_day"), 0.1, 24) * 60)
            if hours_day
            else 480
        )
        hours_week = f.get("hours_per_week")
        mpw = (
            round(self.number(hours_week, f.what("hours_per_week"), 0.1, 168) * 60)
            if hours_week
            else 5 * mpd
        )
        dpm_node = f.get("days_per_month")
        dpm = self.integer(dpm_node, f.what("days_per_month"), 1, 31) if dpm_node else 20
        self.units = _Units(mpd, mpw, dpm)
        sched = f.text("schedule_from", "start")
        if sched not in ("start", "finish"):
            raise self.error(
                f.line("schedule_from"),
                f"project, 'schedule_from': expected start or finish, not '{sched}'",
            )
        start = f.date("start", START_TIME)
        finish = f.date("finish", FINISH_TIME)
        if sched == "finish" and finish is None:
            raise self.error(
                f.line("schedule_from"), "project: a plan scheduled from its finish needs 'finish'"
            )
        if start is None:
            if sched == "start":
                raise self.error(
                    f.line("start"),
                    "project: 'start' is missing (or give 'finish' and 'schedule_from: finish')",
                )
            start = finish
        critical = f.get("critical_float")
        return {
            "name": name,
            "start": start,
            "finish": finish,
            "schedule_from_finish": sched == "finish",
            "calendar": f.text("calendar", "Standard"),
            "status_date": f.date("status_date", FINISH_TIME),
            "currency": f.text("currency", "EUR"),
            "minutes_per_day": mpd,
            "minutes_per_week": mpw,
            "days_per_month": dpm,
            "critical_slack_limit": self.duration(critical, f.what("critical_float"), self.units)[0]
            if critical
            else 0,
        }

    def check_calendar(self, f: _Fields, key: str) -> str | None:
        name = f.text(key)
        if name is not None and name not in self.calendar_names:
            raise self.error(
                f.line(key),
                f"{f.where}: unknown calendar '{name}'{_suggest(name, self.calendar_names)}",
            )
        return name

    # -- calendars -----------------------------------------------------------------------
    def calendars(self, node: _Node | None) -> list[CalendarSpec]:
        entries = []
        defined: set[str] = set()
        for item in _items(node):
            f = _Fields(self, item, "calendar", _CALENDAR_KEYS)
            name = self.text(f.need("name"), f.what("name"))
            if name in defined:
                raise self.error(f.line("name"), f"calendar '{name}' is defined twice")
            defined.add(name)
            entries.append((name, f))
        self.calendar_names |= defined
        specs = []
        bases: dict[str, str | None] = {}
        for name, f in entries:
            base = self.check_calendar(f, "base")
            bases[name] = base
            uid_node = f.get("uid")
            country = f.text("country")
            subdivision = f.text("subdivision")
            if subdivision is not None and country is None:
                raise self.error(
                    f.line("subdivision"), f"{f.where}: 'subdivision' needs a 'country'"
                )
            if country is not None:
                self.check_country(f, country, subdivision)
            specs.append(
                CalendarSpec(
                    name=name,
                    week=self.week(f),
                    base=base,
                    exceptions=tuple(
                        self.exception(e, f.where) for e in _items(f.get("exceptions"))
                    ),
                    country=country,
                    subdivision=subdivision,
                    uid=None
                    if uid_node is None
                    else self.integer(uid_node, f.what("uid"), 0, 2**31),
                )
            )
        for name, f in entries:
            seen, base = {name}, bases[name]
            while base is not None and base in bases:
                if base in seen:
                    raise self.error(
                        f.line("base"), f"calendar '{name}' derives from itself (through '{base}')"
                    )
                seen.add(base)
                base = bases[base]
        return specs

    def check_country(self, f: _Fields, country: str, subdivision: str | None) -> None:
        import holidays  # slow to import: only when a calendar names a country

        supported: dict[str, list[str]] = holidays.list_supported_countries()
        if country not in supported:
            raise self.error(
                f.line("country"),
                f"{f.where}: no public holidays known for country '{country}'"
                f"{_suggest(country.upper(), supported)}"
                " (use an ISO code like FR, DE, GB, US)",
            )
        if subdivision is not None:
            try:
                holidays.country_holidays(country, subdiv=subdivision, years=[])
            except (NotImplementedError, KeyError, ValueError, TypeError):
                known = ", ".join(supported[country]) or "none"
                raise self.error(
                    f.line("subdivision"),
                    f"{f.where}: country {country} has no subdivision '{subdivision}'"
                    f" (known: {known})",
                ) from None

    def week(self, f: _Fields) -> dict[int, tuple[WorkingTime, ...]]:
        node = f.get("week")
        if node is None:
            return {}
        if not isinstance(node, _Map):
            raise self.error(
                node.line,
                f"{f.what('week')}: expected a mapping like {{sat: off, fri: '08:00-12:00'}}",
            )
        week: dict[int, tuple[WorkingTime, ...]] = {}
        for key, (line, value) in node.items.items():
            days = self.day_range(key, line, f.what("week"))
            times = self.working_times(value, f"{f.what('week')}, '{key}'")
            for d in days:
                if d in week:
                    raise self.error(line, f"{f.what('week')}: {_DAYS[d]} is given twice")
                week[d] = times
        return dict(sorted(week.items()))

    def weekday(self, text: str, line: int, what: str) -> int:
        k = text.strip()
        if k in _DAYS:
            return _DAYS.index(k)
        if k in _DAY_NAMES:
            return _DAY_NAMES.index(k)
        raise self.error(
            line,
            f"{what}: '{text}' is not a day of the week{_suggest(k.lower(), _DAYS)} (mon ... sun)",
        )

    def day_range(self, key: str, line: int, what: str) -> list[int]:
        first, dash, last = key.partition("-")
        a = self.weekday(first, line, what)
        b = self.weekday(last, line, what) if dash else a
        if b < a:
            raise self.error(line, f"{what}: '{key}' goes backwards (write mon-fri, not fri-mon)")
        return list(range(a, b + 1))

    def exception(self, node: _Node, where: str) -> CalendarException:
        f = _Fields(self, node, f"{where}, exception", _EXCEPTION_KEYS)
        name = f.text("name", "") or ""
        hours_node = f.get("hours")
        hours = self.working_times(hours_node, f.what("hours")) if hours_node is not None else ()
        every = f.text("every")
        date = f.day("date")
        start, finish = f.day("from"), f.day("to")
        if date is not None:
            if start is not None or finish is not None or every is not None:
                raise self.error(
                    f.line("date"),
                    f"{f.where}: give 'date' for one day, or 'from' and 'to', not both",
                )
            start = finish = date
        if start is None:
            raise self.error(f.node.line, f"{f.where}: give 'date', or 'from' and 'to'")
        recurrence = None if every is None else self.recurrence(f, every)
        if finish is None:
            if recurrence is None or recurrence.occurrences is None:
                raise self.error(
                    f.node.line,
                    f"{f.where}: 'to' is missing" + (" (or give 'occurrences')" if every else ""),
                )
            finish = self.last_occurrence(f, start, recurrence)
        if finish < start:
            raise self.error(f.line("to"), f"{f.where}: 'to' ({finish}) is before 'from' ({start})")
        return CalendarException(start, finish, hours, name, recurrence)

    def recurrence(self, f: _Fields, every: str) -> Recurrence:
        m = re.fullmatch(r"\s*(?:([0-9]+)\s+)?(day|week|month|year)s?\s*", every)
        if not m:
            raise self.error(
                f.line("every"),
                f"{f.where}, 'every': expected day, week, month or year"
                f" (or '2 weeks', '3 months'), not '{every}'",
            )
        kind = _EVERY[m.group(2)]
        interval = int(m.group(1) or 1)
        if not 1 <= interval <= 99:
            raise self.error(
                f.line("every"), f"{f.what('every')}: {interval} is not between 1 and 99"
            )
        allowed = {
            RecurrenceType.DAILY: set(),
            RecurrenceType.WEEKLY: {"days"},
            RecurrenceType.MONTHLY: {"day", "nth", "weekday"},
            RecurrenceType.YEARLY: {"day", "nth", "weekday", "month"},
        }[kind]
        for key in ("days", "day", "nth", "weekday", "month"):
            if f.get(key) is not None and key not in allowed:
                raise self.error(
                    f.line(key), f"{f.where}: '{key}' does not apply to 'every: {every}'"
                )
        get = f.get
        days = tuple(
            sorted(
                {
                    self.weekday(self.text(d, f.what("days")), d.line, f.what("days"))
                    for d in _items(get("days"))
                }
            )
        )
        day = self.integer(n, f.what("day"), 1, 31) if (n := get("day")) else None
        nth = None
        if (n := get("nth")) is not None:
            s = self.scalar(n, f.what("nth"), "1-4 or last")
            nth = _NTH.get(s.text.strip()) if isinstance(s.value, str) else None
            nth = nth or self.integer(n, f.what("nth") + " (1, 2, 3, 4 or last)", 1, 5)
        weekday = (
            None
            if (n := get("weekday")) is None
            else self.weekday(self.text(n, ""), n.line, f.what("weekday"))
        )
        month = None
        if (n := get("month")) is not None:
            s = self.scalar(n, f.what("month"), "a month")
            if isinstance(s.value, str) and s.value.strip() in _MONTHS:
                month = _MONTHS.index(s.value.strip()) + 1
            else:
                month = self.integer(n, f.what("month"), 1, 12)
        if (nth is None) != (weekday is None):
            raise self.error(
                f.node.line, f"{f.where}: 'nth' and 'weekday' go together (nth: last, weekday: fri)"
            )
        if nth is not None and day is not None:
            raise self.error(
                f.line("day"), f"{f.where}: give 'day' or 'nth' and 'weekday', not both"
            )
        occurrences = (
            self.integer(n, f.what("occurrences"), 1, 999) if (n := get("occurrences")) else None
        )
        return Recurrence(kind, interval, days, day, nth, weekday, month, occurrences)

    def last_occurrence(self, f: _Fields, start: dt.date, recurrence: Recurrence) -> dt.date:
        probe = CalendarException(start, dt.date(LAST_YEAR, 12, 31), recurrence=recurrence)
        last = None
        try:
            for last in recurrence_dates(probe, start, probe.finish):  # noqa: B007
                pass
        except (ValueError, OverflowError):
            last = None
        if last is None:
            raise self.error(
                f.node.line, f"{f.where}: the recurrence never happens before {LAST_YEAR}"
            )
        return last

    # -- resources -----------------------------------------------------------------------
    def resources(self, node: _Node | None) -> list[Resource]:
        fields = [_Fields(self, item, "resource", _RESOURCE_KEYS) for item in _items(node)]
        explicit: set[int] = set()
        for f in fields:
            if (n := f.get("uid")) is not None:
                uid = self.integer(n, f.what("uid"), 0, 2**31)
                if uid in explicit:
                    raise self.error(f.line("uid"), f"resource uid {uid} is given twice")
                explicit.add(uid)
        auto = _auto_uids(explicit)
        out: list[Resource] = []
        for f in fields:
            name = self.text(f.need("name"), f.what("name"))
            rid = f.text("id", "") or ""
            if rid and not _valid_id(rid, ":"):
                raise self.error(
                    f.line("id"),
                    f"{f.where}: the id '{rid}' must not contain , ; : or start with #",
                )
            uid = self.integer(n, "", 0, 2**31) if (n := f.get("uid")) is not None else next(auto)
            kind_text = f.text("type", "work") or "work"
            try:
                kind = ResourceType(kind_text)
            except ValueError:
                raise self.error(
                    f.line("type"),
                    f"{f.what('type')}: expected work, material or cost, not '{kind_text}'",
                ) from None
            max_units = 1.0
            if (n := f.get("max_units")) is not None:
                max_units = self.units_value(n, f.what("max_units"), ResourceType.WORK)
            cost_per_use = 0.0
            if (n := f.get("cost_per_use")) is not None:
                cost_per_use = float(self.number(n, f.what("cost_per_use"), 0, 1e12))
            out.append(
                Resource(
                    uid=uid,
                    name=name,
                    type=kind,
                    max_units=max_units,
                    calendar=self.check_calendar(f, "calendar"),
                    standard_rate=self.rate(f, "rate"),
                    overtime_rate=self.rate(f, "overtime_rate"),
                    cost_per_use=cost_per_use,
                    initials=rid,
                    email=f.text("email", "") or "",
                    group=f.text("group", "") or "",
                )
            )
            self.resource_types[uid] = kind
        # MS Project's initials need not be unique: a name or id shared by two resources
        # cannot be used to refer to either of them (None marks it ambiguous)
        names: dict[str, int | None] = {}
        ids: dict[str, int | None] = {}
        for r in out:
            names[r.name] = None if r.name in names else r.uid
            if r.initials:
                ids[r.initials] = None if r.initials in ids else r.uid
        by_uid: dict[str, int | None] = {f"#{r.uid}": r.uid for r in out}
        self.resource_refs = {**names, **by_uid, **ids}
        return out

    def rate(self, f: _Fields, key: str) -> float:
        node = f.get(key)
        if node is None:
            return 0.0
        s = self.scalar(node, f.what(key), "a rate")
        m = _RATE_RE.fullmatch(s.value) if isinstance(s.value, str) else None
        if not m:
            raise self.error(
                s.line, f"{f.what(key)}: cannot read '{s.text}' as a rate: write 650/d or 80/h"
            )
        return _rate(float(m["num"]), self.units.size(_UNITS[m["unit"]]))

    def units_value(self, node: _Node, what: str, kind: ResourceType) -> float:
        s = self.scalar(node, what, "units like 50%")
        if isinstance(s.value, str) and s.value.strip().endswith("%"):
            return self.percent(node, what, 0, 100_000) / 100
        if kind is ResourceType.WORK:
            raise self.error(
                s.line, f"{what}: write units as a percentage, like '50%' or '100%', not '{s.text}'"
            )
        if isinstance(s.value, str) and re.fullmatch(rf"\s*{_NUM}\s*", s.value):
            return float(s.value)
        return float(self.number(node, what, 0, 1e9))

    # -- tasks ---------------------------------------------------------------------------
    def tasks(self, node: _Node | None) -> tuple[list[Task], list[Link], list[Assignment]]:
        items: list[_TaskItem] = []

        def walk(nodes: list[_Node], parent: int | None, prefix: str) -> None:
            for k, item in enumerate(nodes, 1):
                outline = f"{prefix}{k}"
                where = f"task {_peek(item, 'id') or outline}"
                f = _Fields(self, item, where, _TASK_KEYS, hints=_TASK_HINTS)
                name = self.text(f.need("name"), f.what("name"))
                wbs = f.text("id")
                if wbs is not None and not _valid_id(wbs):
                    raise self.error(
                        f.line("id"),
                        f"task {outline} '{name}': the id '{wbs}' must not contain , or ;"
                        " or start with #",
                    )
                uid = (
                    self.integer(n, f.what("uid"), 0, 2**31)
                    if (n := f.get("uid")) is not None
                    else None
                )
                items.append(_TaskItem(f, item.line, parent, outline, name, wbs, uid, f.where))
                if len(items) > MAX_TASKS:
                    raise self.error(item.line, f"more than {MAX_TASKS} tasks")
                if (sub := f.get("tasks")) is not None:
                    if not isinstance(sub, _Seq):
                        raise self.error(sub.line, f"{f.where}, 'tasks': expected a list of tasks")
                    walk(sub.items, len(items) - 1, outline + ".")

        if node is not None:
            if not isinstance(node, _Seq):
                raise self.error(node.line, "'tasks' must be a list of tasks (- name: ...)")
            if _count_tasks(node, {}) > MAX_TASKS:  # YAML aliases can multiply tasks
                raise self.error(node.line, f"more than {MAX_TASKS} tasks")
            walk(node.items, None, "")
        explicit: dict[int, int] = {}
        ids: dict[str, int] = {}
        for i, it in enumerate(items):
            if it.uid is not None:
                if it.uid in explicit:
                    raise self.error(
                        it.fields.line("uid"),
                        f"{it.where}: uid {it.uid} is also the uid of the task"
                        f" on line {items[explicit[it.uid]].line}",
                    )
                explicit[it.uid] = i
            if it.wbs is not None:
                if it.wbs in ids:
                    raise self.error(
                        it.fields.line("id"),
                        f"{it.where}: the id '{it.wbs}' is also the id of the task"
                        f" on line {items[ids[it.wbs]].line}",
                    )
                ids[it.wbs] = i
        auto = _auto_uids(set(explicit))
        uids = [it.uid if it.uid is not None else next(auto) for it in items]
        for i, it in enumerate(items):
            self.task_lines[uids[i]] = it.line
            self.labels[uids[i]] = it.where.removeprefix("task ")
        refs = {it.outline: uids[i] for i, it in enumerate(items)}
        refs.update({f"#{uid}": uid for uid in uids})
        refs.update({wbs: uids[i] for wbs, i in ids.items()})
        self.task_refs = refs
        tasks, links, assignments = [], [], []
        for i, it in enumerate(items):
            parent = None if it.parent is None else uids[it.parent]
            tasks.append(self.task(it, uids[i], parent))
            links.extend(self.links(it, uids[i]))
            assignments.extend(self.assignments(it, uids[i]))
        return tasks, links, assignments

    def task(self, it: _TaskItem, uid: int, parent: int | None) -> Task:
        f, units = it.fields, self.units
        milestone = None if f.get("milestone") is None else f.boolean("milestone", False)
        duration, unit, elapsed = (0, DurationUnit.DAY, False)
        if (n := f.get("duration")) is not None:
            duration, unit, elapsed = self.duration(n, f.what("duration"), units)
        manual, start, finish = False, None, None
        if (n := f.get("manual")) is not None:
            if isinstance(n, _Map):
                m = _Fields(self, n, f.what("manual"), ("start", "finish"))
                manual = True
                start = self.date(m.need("start"), m.what("start"), START_TIME)
                finish = self.date(m.need("finish"), m.what("finish"), FINISH_TIME)
            elif self.boolean(n, f.what("manual")):
                raise self.error(
                    n.line,
                    f"{f.where}: a manually scheduled task needs its dates:"
                    " manual: {start: ..., finish: ...}",
                )
        leveling = 0
        if (n := f.get("leveling_delay")) is not None:
            leveling, _, is_elapsed = self.duration(n, f.what("leveling_delay"), units)
            if not is_elapsed and leveling:
                raise self.error(
                    n.line,
                    f"{f.what('leveling_delay')}: the leveling delay is elapsed time:"
                    " write it like 2ed or 4eh",
                )
        return Task(
            uid=uid,
            name=it.name,
            duration=duration,
            parent=parent,
            elapsed=elapsed,
            duration_unit=unit,
            milestone=milestone,
            constraint=self.constraint(f),
            deadline=f.date("deadline", FINISH_TIME),
            calendar=self.check_calendar(f, "calendar"),
            manual=manual,
            start=start,
            finish=finish,
            active=f.boolean("active", True),
            progress=self.progress(f),
            priority=self.integer(n, f.what("priority"), 0, 1000)
            if (n := f.get("priority")) is not None
            else 500,
            leveling_delay=leveling,
            wbs=it.wbs,
            notes=f.text("notes", "") or "",
        )

    def constraint(self, f: _Fields) -> Constraint:
        node = f.get("constraint")
        if node is None:
            return Constraint()
        what = f.what("constraint")
        date_node: _Node | _Scalar | None
        if isinstance(node, _Map):
            c = _Fields(self, node, what, ("type", "date"))
            kind_text = self.text(c.need("type"), c.what("type"))
            date_node = c.get("date")
        else:
            text = self.text(node, what).strip()
            kind_text, _, rest = text.partition(" ")
            date_node = _Scalar(node.line, rest, rest, False) if rest.strip() else None
        try:
            kind = ConstraintType[kind_text.strip()]
        except KeyError:
            names = ", ".join(t.name for t in ConstraintType)
            raise self.error(
                node.line,
                f"{what}: unknown constraint '{kind_text}'"
                f"{_suggest(kind_text.upper(), ConstraintType.__members__)} (use {names})",
            ) from None
        if kind in DATED_CONSTRAINTS and date_node is None:
            raise self.error(
                node.line, f"{what}: {kind.name} needs a date, like '{kind.name} 2027-03-01'"
            )
        if date_node is None:
            return Constraint(kind)
        default = FINISH_TIME if kind.name.startswith(("F", "MF")) else START_TIME
        return Constraint(kind, self.date(date_node, what, default))

    def progress(self, f: _Fields) -> Progress:
        node = f.get("progress")
        if node is None:
            return Progress()
        what = f.what("progress")
        if not isinstance(node, _Map):
            return Progress(percent_complete=float(self.percent(node, what)))
        p = _Fields(self, node, what, _PROGRESS_KEYS)
        remaining = None
        if (n := p.get("remaining")) is not None:
            remaining = self.duration(n, p.what("remaining"), self.units)[0]
        return Progress(
            actual_start=p.date("actual_start", START_TIME),
            actual_finish=p.date("actual_finish", FINISH_TIME),
            percent_complete=float(self.percent(n, p.what("percent")))
            if (n := p.get("percent")) is not None
            else 0.0,
            remaining_minutes=remaining,
        )

    def parse_link(self, text: str, line: int, what: str) -> tuple[int, LinkType, Lag]:
        """``"1.2SS+2d"`` -> (uid of 1.2, SS, 2 days)."""
        refs = self.task_refs
        if text in refs:
            return refs[text], LinkType.FS, Lag()
        if len(text) > 500:
            raise self.error(line, f"{what}: the link '{text[:40]}...' is too long")
        for i in range(len(text) - 1, 0, -1):
            ref = text[:i].rstrip()
            if ref in refs and (m := _LINK_TAIL_RE.fullmatch(text, i)) and (m["type"] or m["sign"]):
                lag = self.lag(m["sign"], m["num"], m["unit"], line, what) if m["sign"] else Lag()
                return refs[ref], LinkType(m["type"] or "FS"), lag
        guess = re.fullmatch(rf"(?P<ref>.*?){_LINK_TAIL_RE.pattern}", text)
        ref = guess["ref"].strip() if guess else text
        if not ref:
            raise self.error(line, f"{what}: no task before '{text}' (write it like 1.2FS+2d)")
        for i in range(len(text) - 1, 0, -1):
            known, rest = text[:i].rstrip(), text[i:].strip()
            if known in refs and re.match(r"[+-]|FS|SS|FF|SF", rest):
                raise self.error(
                    line,
                    f"{what}: cannot read '{rest}' after task '{known}': write a link type"
                    " (FS, SS, FF, SF) and/or a lag like +2d, -1ed or +50%",
                )
        choices = [k for k in refs if not k.startswith("#")]
        raise self.error(line, f"{what}: unknown task '{ref}'{_suggest(ref, choices)}")

    def lag(self, sign: str, num: str, unit_text: str, line: int, what: str) -> Lag:
        value = float(num) * (-1 if sign == "-" else 1)
        if unit_text == "%":
            if abs(value) > 10000:
                raise self.error(line, f"{what}: a lag of {value}% is out of range")
            return Lag(value + 0.0, LagKind.PERCENT)
        unit, elapsed = _unit(unit_text)
        minutes = round(value * self.units.size(unit, elapsed), 3)
        if abs(minutes) > MAX_MINUTES:
            raise self.error(line, f"{what}: the lag {sign}{num}{unit_text} is too long")
        return Lag(minutes + 0.0, LagKind.ELAPSED if elapsed else LagKind.WORK, unit)

    def links(self, it: _TaskItem, uid: int) -> list[Link]:
        f = it.fields
        what = f.what("after")
        out: list[Link] = []
        for item, line in _split(self, f.get("after"), what):
            if isinstance(item, _Map):
                lf = _Fields(self, item, what, _LINK_KEYS)
                pred, _, _ = self.parse_link(
                    self.text(lf.need("task"), lf.what("task")).strip(), line, what
                )
                type_text = lf.text("type", "FS") or "FS"
                if type_text not in LinkType.__members__:
                    raise self.error(
                        lf.line("type"),
                        f"{lf.what('type')}: expected FS, SS, FF or SF, not '{type_text}'",
                    )
                lag = Lag()
                if (n := lf.get("lag")) is not None:
                    lag_text = self.text(n, lf.what("lag"))
                    m = _LAG_RE.fullmatch(lag_text)
                    if not m:
                        raise self.error(
                            n.line,
                            f"{lf.what('lag')}: cannot read '{lag_text}'"
                            " as a lag like 2d, -1d, 3ed or 50%",
                        )
                    lag = self.lag(m["sign"], m["num"], m["unit"], n.line, what)
                link = Link(pred, uid, LinkType(type_text), lag)
            else:
                pred, kind, lag = self.parse_link(item, line, what)
                link = Link(pred, uid, kind, lag)
            if pred == uid:
                raise self.error(line, f"{it.where}: a task cannot follow itself")
            if (pred, uid) in self.link_lines:
                raise self.error(
                    line, f"{it.where}: task {self.labels[pred]} is given twice in 'after'"
                )
            self.link_lines[(pred, uid)] = line
            out.append(link)
        return out

    def resource_ref(self, text: str, line: int, what: str) -> int:
        uid = self.resource_refs.get(text, -1)
        if uid is None:
            raise self.error(
                line,
                f"{what}: two resources have the name or id '{text}':"
                " refer to them by another id or by #uid",
            )
        if uid < 0:
            choices = [k for k in self.resource_refs if not k.startswith("#")]
            raise self.error(line, f"{what}: unknown resource '{text}'{_suggest(text, choices)}")
        return uid

    def assignments(self, it: _TaskItem, uid: int) -> list[Assignment]:
        f = it.fields
        what = f.what("resources")
        out: list[Assignment] = []
        for item, line in _split(self, f.get("resources"), what):
            if isinstance(item, _Map):
                af = _Fields(self, item, what, _ASSIGNMENT_KEYS)
                rid = self.resource_ref(
                    self.text(af.need("resource"), af.what("resource")).strip(), line, what
                )
                kind = self.resource_types[rid]
                units = (
                    1.0
                    if (n := af.get("units")) is None
                    else self.units_value(n, af.what("units"), kind)
                )
                work = (
                    None
                    if (n := af.get("work")) is None
                    else self.duration(n, af.what("work"), self.units)[0]
                )
                actual = (
                    0
                    if (n := af.get("actual_work")) is None
                    else self.duration(n, af.what("actual_work"), self.units)[0]
                )
                a_uid = (
                    None
                    if (n := af.get("uid")) is None
                    else self.integer(n, af.what("uid"), 0, 2**31)
                )
                assignment = Assignment(uid, rid, units, work, actual, a_uid)
            else:
                ref, colon, units_text = item.rpartition(":")
                if item in self.resource_refs or not colon:
                    ref, units_text = item, ""
                rid = self.resource_ref(ref.strip(), line, what)
                units = 1.0
                if units_text:
                    units = self.units_value(
                        _Scalar(line, units_text, units_text, False), what, self.resource_types[rid]
                    )
                assignment = Assignment(uid, rid, units)
            if any(a.resource == assignment.resource for a in out):
                raise self.error(line, f"{it.where}: a resource is assigned twice")
            out.append(assignment)
        return out

    # -- baselines -----------------------------------------------------------------------
    def baselines(self, node: _Node | None) -> list[Baseline]:
        out: list[Baseline] = []
        for item in _items(node):
            f = _Fields(self, item, "baseline", _BASELINE_KEYS)
            number = self.integer(f.need("number"), f.what("number"), 0, 10)
            f.where = f"baseline {number}"
            if any(b.number == number for b in out):
                raise self.error(f.line("number"), f"baseline {number} is given twice")
            tasks: dict[int, BaselineTask] = {}
            tnode = f.get("tasks")
            if tnode is not None and not isinstance(tnode, _Map):
                raise self.error(
                    tnode.line,
                    f"{f.what('tasks')}: expected a mapping of task id -> {{start, finish, ...}}",
                )
            for key, (line, value) in tnode.items.items() if tnode else []:
                uid = self.task_refs.get(key)
                if uid is None:
                    raise self.error(
                        line,
                        f"{f.what('tasks')}: unknown task '{key}'{_suggest(key, self.task_refs)}",
                    )
                bf = _Fields(self, value, f"{f.where}, task '{key}'", _BASELINE_TASK_KEYS)
                tasks[uid] = BaselineTask(
                    start=bf.date("start", START_TIME),
                    finish=bf.date("finish", FINISH_TIME),
                    duration=self.duration(n, bf.what("duration"), self.units)[0]
                    if (n := bf.get("duration"))
                    else 0,
                    work=self.duration(n, bf.what("work"), self.units)[0]
                    if (n := bf.get("work"))
                    else 0,
                    cost=float(self.number(n, bf.what("cost"), -1e12, 1e12))
                    if (n := bf.get("cost"))
                    else 0.0,
                )
            saved = f.date("saved", dt.time())
            out.append(Baseline(number=number, tasks=tasks, saved=saved))
        return out

    def check_cycles(self, tasks: list[Task], links: list[Link]) -> None:
        successors: dict[int, list[int]] = {}
        for link in links:
            successors.setdefault(link.predecessor, []).append(link.successor)
        cycle = find_cycle(successors, [t.uid for t in tasks])
        if cycle:
            path = " -> ".join(self.labels[u] for u in [*cycle, cycle[0]])
            raise self.error(
                self.link_lines.get((cycle[-1], cycle[0])), f"dependency cycle: {path}"
            )


def _count_tasks(node: _Node, memo: dict[int, int]) -> int:
    """How many tasks a ``tasks:`` list holds, counting shared (aliased) nodes cheaply."""
    total = 0
    for item in node.items if isinstance(node, _Seq) else ():
        count = memo.get(id(item))
        if count is None:
            sub = item.items.get("tasks") if isinstance(item, _Map) else None
            count = 1 + (_count_tasks(sub[1], memo) if sub else 0)
            memo[id(item)] = count
        total += count
        if total > MAX_TASKS:
            break
    return total


def _auto_uids(taken: set[int]) -> Iterator[int]:
    uid = 0
    while True:
        uid += 1
        if uid not in taken:
            yield uid


def _plain(node: _Node | None, memo: dict[int, Any] | None = None) -> Any:
    """Free-form data (``metadata``) as plain Python values; YAML aliases stay shared."""
    if node is None:
        return None
    memo = {} if memo is None else memo
    done = memo.get(id(node))
    if done is not None:
        return done
    value: Any
    if isinstance(node, _Map):
        value = {k: _plain(v, memo) for k, (_, v) in node.items.items()}
    elif isinstance(node, _Seq):
        value = [_plain(v, memo) for v in node.items]
    else:
        value = node.value
    memo[id(node)] = value
    return value


# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------


class _Flow(dict[str, Any]):
    """A mapping written on one line: ``{id: 1.1, name: Kick-off, duration: 1d}``."""

    rendered: str | None = None  # its YAML text, once known


class _FlowList(list[Any]):
    """A list written on one line: ``[PM, DEV:50%]``."""


class _Bare(str):
    """Text written unquoted even when it looks like a number (``1.10``) or ``off``.

    Jalon reads such values as written; a generic YAML reader would see a number."""

    __slots__ = ()


_BARE_RE = re.compile(r"[0-9][0-9.]*|off")
_BARE_TAGS = (_TAG + "int", _TAG + "float", _TAG + "bool")
_RESOLVER = yaml.resolver.Resolver()
_INDICATORS = "-?:,[]{}#&*!|>'\"%@`"
# what YAML cannot hold as is (or reads as a line break), escaped in double quotes
_UNPRINTABLE = re.compile(
    "[^\t\n\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[\u2028\u2029\ufeff]"
)


def _resolves_to(text: str) -> str:
    return str(_RESOLVER.resolve(yaml.ScalarNode, text, (True, False)))  # type: ignore[no-untyped-call]


# the common case, checked quickly: words, digits and simple punctuation (not yes/no/null)
_SIMPLE = re.compile(r"[A-Za-z\u00c0-\u024f][A-Za-z0-9\u00c0-\u024f ._/()'’–-]*(?<! )")
_YAML_WORDS = frozenset({"yes", "no", "true", "false", "on", "off", "null", "y", "n"})


def _yaml_str(text: str, flow: bool) -> str:
    """A string as a YAML scalar: plain when it reads back as the same string, else quoted."""
    if _SIMPLE.fullmatch(text) and text.lower() not in _YAML_WORDS:
        return text
    if (
        text
        and text == text.strip()
        and text[0] not in _INDICATORS
        and ": " not in text
        and " #" not in text
        and not text.endswith(":")
        and not any(c in text for c in "\n\t")
        and not (flow and any(c in text for c in ",[]{}:"))
        and not _UNPRINTABLE.search(text)
        and _resolves_to(text) == _TAG + "str"
    ):
        return text
    if "\n" not in text and not _UNPRINTABLE.search(text):
        return "'" + text.replace("'", "''") + "'"
    quoted = json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted one
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def _yaml_scalar(value: Any, flow: bool) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value).lower()  # YAML 1.1 needs a dot in a float: 1.0e+16
        return text.replace("e", ".0e", 1) if "." not in text and "e" in text else text
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if isinstance(value, _Bare) and _BARE_RE.fullmatch(text) and _resolves_to(text) in _BARE_TAGS:
        return text  # Jalon reads it as written
    return _yaml_str(text, flow)


def _yaml_inline(value: Any, flow: bool = False) -> str:
    rendered = getattr(value, "rendered", None)
    if rendered is not None:
        return str(rendered)
    if isinstance(value, Mapping):
        items = (f"{_yaml_scalar(k, True)}: {_yaml_inline(v, True)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_yaml_inline(v, True) for v in value) + "]"
    return _yaml_scalar(value, flow)


def _is_block(value: Any) -> bool:
    return (
        isinstance(value, dict | list) and not isinstance(value, _Flow | _FlowList) and bool(value)
    )


def _literal(text: str) -> bool:
    """Whether a multi-line text can be written as a ``|`` block and read back the same."""
    lines = text.split("\n")
    return (
        "\n" in text.rstrip("\n")
        and text[0] not in " \n"
        and not _UNPRINTABLE.search(text)
        and all(line == line.rstrip() for line in lines)
    )


def _yaml_entry(head: str, value: Any, indent: int) -> list[str]:
    """``head`` (``key:`` or ``-``) followed by ``value``."""
    if _is_block(value):
        return [head, *_yaml_block(value, indent + 2)]
    if isinstance(value, str) and _literal(value):
        body = value.rstrip("\n")
        trailing = len(value) - len(body)
        chomp = "-" if trailing == 0 else "" if trailing == 1 else "+"
        pad = " " * (indent + 2)
        lines = [pad + line if line else "" for line in body.split("\n")]
        return [f"{head} |{chomp}", *lines, *[""] * (trailing - 1 if trailing > 1 else 0)]
    return [f"{head} {_yaml_inline(value)}"]


def _yaml_block(data: Mapping[str, Any] | list[Any], indent: int) -> list[str]:
    """A mapping or a list in block style, indented by ``indent`` spaces."""
    pad = " " * indent
    lines: list[str] = []
    if isinstance(data, Mapping):
        for key, value in data.items():
            lines.extend(_yaml_entry(f"{pad}{_yaml_scalar(key, False)}:", value, indent))
        return lines
    for item in data:
        if _is_block(item):
            sub = _yaml_block(item, indent + 2)
            lines.append(f"{pad}- {sub[0][indent + 2 :]}")
            lines.extend(sub[1:])
        else:
            lines.extend(_yaml_entry(f"{pad}-", item, indent))
    return lines


_FLOW_WIDTH = 110


class _PlanWriter:
    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.units = _Units(plan.minutes_per_day, plan.minutes_per_week, plan.days_per_month)
        self.outline = plan.outline_numbers
        ids = [t.wbs for t in plan.tasks if t.wbs and _valid_id(t.wbs)]
        counts: dict[str, int] = {}
        for i in ids:
            counts[i] = counts.get(i, 0) + 1
        self.ids = {t.uid: t.wbs for t in plan.tasks if t.wbs and counts.get(t.wbs) == 1}
        # what a reader will resolve, to check every reference written
        self.refs: dict[str, int] = {self.outline[t.uid]: t.uid for t in plan.tasks}
        self.refs.update({f"#{t.uid}": t.uid for t in plan.tasks})
        self.refs.update({wbs: uid for uid, wbs in self.ids.items()})
        self.ref: dict[int, str] = {}
        for t in plan.tasks:
            wanted = self.ids.get(t.uid) or self.outline[t.uid]
            self.ref[t.uid] = wanted if self.refs.get(wanted) == t.uid else f"#{t.uid}"
        self.task_uids_needed = any(t.uid != i for i, t in enumerate(plan.tasks, 1))
        self.resource_uids_needed = any(r.uid != i for i, r in enumerate(plan.resources, 1))
        self.res_ref = self.resource_references()
        self.links: dict[int, list[Link]] = {}
        for link in plan.links:
            self.links.setdefault(link.successor, []).append(link)
        self.assignments: dict[int, list[Assignment]] = {}
        for a in plan.assignments:
            self.assignments.setdefault(a.task, []).append(a)

    def resource_references(self) -> dict[int, str]:
        resources = self.plan.resources
        ids = [r.initials for r in resources if r.initials]
        names = [r.name for r in resources]
        refs: dict[int, str] = {}
        for r in resources:
            if r.initials and _valid_id(r.initials, ":") and ids.count(r.initials) == 1:
                refs[r.uid] = r.initials
            elif _valid_id(r.name, ":") and names.count(r.name) == 1 and r.name not in ids:
                refs[r.uid] = r.name
            else:
                refs[r.uid] = f"#{r.uid}"
        return refs

    def document(self) -> dict[str, Any]:
        plan = self.plan
        doc: dict[str, Any] = {"project": self.project()}
        if plan.calendars:
            doc["calendars"] = [self.calendar(c) for c in plan.calendars]
        if plan.resources:
            doc["resources"] = [self.resource(r) for r in plan.resources]
        doc["tasks"] = [self.task(uid) for uid in self.top_level()]
        if plan.baselines:
            doc["baselines"] = [self.baseline(b) for b in plan.baselines]
        if plan.metadata:
            doc["metadata"] = _jsonable(dict(plan.metadata))
        return doc

    def top_level(self) -> list[int]:
        return [t.uid for t in self.plan.tasks if t.parent is None]

    def project(self) -> dict[str, Any]:
        p = self.plan
        out: dict[str, Any] = {"name": p.name}
        if not (p.schedule_from_finish and p.start == p.finish):
            out["start"] = _fmt_datetime(p.start, START_TIME)
        if p.finish is not None:
            out["finish"] = _fmt_datetime(p.finish, FINISH_TIME)
        if p.schedule_from_finish:
            out["schedule_from"] = "finish"
        if p.calendar != "Standard":
            out["calendar"] = p.calendar
        if p.status_date is not None:
            out["status_date"] = _fmt_datetime(p.status_date, FINISH_TIME)
        out["currency"] = p.currency
        if p.minutes_per_day != 480:
            out["hours_per_day"] = _hours(p.minutes_per_day)
        if p.minutes_per_week != 5 * p.minutes_per_day:
            out["hours_per_week"] = _hours(p.minutes_per_week)
        if p.days_per_month != 20:
            out["days_per_month"] = p.days_per_month
        if p.critical_slack_limit:
            out["critical_float"] = _fmt_amount(
                p.critical_slack_limit, DurationUnit.DAY, False, self.units
            )
        return out

    def calendar(self, c: CalendarSpec) -> dict[str, Any]:
        out: dict[str, Any] = {"name": c.name}
        if c.uid is not None:
            out["uid"] = c.uid
        if c.base is not None:
            out["base"] = c.base
        if c.country is not None:
            out["country"] = c.country
        if c.subdivision is not None:
            out["subdivision"] = c.subdivision
        if c.week:
            week = _Flow()
            days = sorted(c.week)
            i = 0
            while i < len(days):
                j = i
                while (
                    j + 1 < len(days)
                    and days[j + 1] == days[j] + 1
                    and c.week[days[j + 1]] == c.week[days[i]]
                ):
                    j += 1
                key = _DAYS[days[i]] if i == j else f"{_DAYS[days[i]]}-{_DAYS[days[j]]}"
                week[key] = _Bare(_fmt_times(c.week[days[i]]))
                i = j + 1
            out["week"] = week
        if c.exceptions:
            out["exceptions"] = [self.exception(e) for e in c.exceptions]
        return out

    def exception(self, e: CalendarException) -> _Flow:
        out = _Flow()
        rec = e.recurrence
        if rec is None:
            if e.start == e.finish:
                out["date"] = e.start
            else:
                out["from"], out["to"] = e.start, e.finish
            if e.name:
                out["name"] = e.name
        else:
            if e.name:
                out["name"] = e.name
            unit = {v: k for k, v in _EVERY.items()}[rec.type]
            out["every"] = unit if rec.interval == 1 else f"{rec.interval} {unit}s"
            if rec.weekdays:
                out["days"] = _FlowList(_DAYS[d] for d in rec.weekdays)
            if rec.month is not None:
                out["month"] = rec.month
            if rec.day is not None:
                out["day"] = rec.day
            if rec.nth is not None:
                out["nth"] = "last" if rec.nth == 5 else rec.nth
            if rec.weekday is not None:
                out["weekday"] = _DAYS[rec.weekday]
            out["from"], out["to"] = e.start, e.finish
            if rec.occurrences is not None:
                out["occurrences"] = rec.occurrences
        if e.working_times:
            out["hours"] = _fmt_times(e.working_times)
        return out

    def resource(self, r: Resource) -> _Flow:
        out = _Flow()
        if r.initials and _valid_id(r.initials, ":"):
            out["id"] = _Bare(r.initials)
        if self.resource_uids_needed:
            out["uid"] = r.uid
        out["name"] = r.name
        if r.type is not ResourceType.WORK:
            out["type"] = r.type.value
        if r.max_units != 1.0:
            out["max_units"] = _percent(r.max_units)
        if r.standard_rate:
            out["rate"] = self.rate(r.standard_rate)
        if r.overtime_rate:
            out["overtime_rate"] = self.rate(r.overtime_rate)
        if r.cost_per_use:
            out["cost_per_use"] = _num(r.cost_per_use)
        if r.calendar is not None:
            out["calendar"] = r.calendar
        for key in ("email", "group"):
            if getattr(r, key):
                out[key] = getattr(r, key)
        return out

    def rate(self, per_hour: float) -> str:
        """Per day when that reads well (650/d), else per hour; always reads back exactly."""
        mpd = self.plan.minutes_per_day
        if not float(per_hour).is_integer():
            per_day = _decimal(per_hour * mpd / 60, lambda x: _rate(x, mpd) == per_hour)
            if _rate(float(per_day), mpd) == per_hour and len(per_day.partition(".")[2]) <= 2:
                return f"{per_day}/d"
        return f"{_decimal(per_hour, lambda x: x == per_hour)}/h"

    def task(self, uid: int) -> dict[str, Any]:
        plan, units = self.plan, self.units
        t = plan.task(uid)
        out: dict[str, Any] = {}
        if self.task_uids_needed:
            out["uid"] = t.uid
        if t.uid in self.ids:
            out["id"] = _Bare(self.ids[t.uid])
        out["name"] = t.name
        if t.duration or t.duration_unit is not DurationUnit.DAY or t.elapsed:
            out["duration"] = _fmt_amount(t.duration, t.duration_unit, t.elapsed, units)
        if t.milestone is not None:
            out["milestone"] = t.milestone
        links = [self.link(link) for link in self.links.get(uid, [])]
        if links:
            out["after"] = links[0] if len(links) == 1 else _FlowList(links)
        resources = [self.assignment(a) for a in self.assignments.get(uid, [])]
        if resources:
            out["resources"] = _FlowList(resources)
        c = t.constraint
        if c.type is not ConstraintType.ASAP or c.date is not None:
            if c.date is None:
                out["constraint"] = c.type.name
            elif c.type is ConstraintType.ASAP or c.type is ConstraintType.ALAP:
                out["constraint"] = _Flow(type=c.type.name, date=_fmt_datetime(c.date, START_TIME))
            else:
                default = FINISH_TIME if c.type.name.startswith(("F", "MF")) else START_TIME
                out["constraint"] = f"{c.type.name} {_fmt_datetime(c.date, default)}"
        if t.deadline is not None:
            out["deadline"] = _fmt_datetime(t.deadline, FINISH_TIME)
        if t.calendar is not None:
            out["calendar"] = t.calendar
        if t.manual and t.start is not None and t.finish is not None:
            out["manual"] = _Flow(
                start=_fmt_datetime(t.start, START_TIME),
                finish=_fmt_datetime(t.finish, FINISH_TIME),
            )
        if not t.active:
            out["active"] = False
        if t.priority != 500:
            out["priority"] = t.priority
        if t.leveling_delay:
            d = t.leveling_delay
            unit = (
                DurationUnit.DAY
                if d % 1440 == 0
                else DurationUnit.HOUR
                if d % 60 == 0
                else DurationUnit.MINUTE
            )
            out["leveling_delay"] = _fmt_amount(d, unit, True, units)
        p = t.progress
        if p != Progress():
            prog = _Flow()
            if p.percent_complete:
                prog["percent"] = _num(p.percent_complete)
            if p.actual_start is not None:
                prog["actual_start"] = _fmt_datetime(p.actual_start, START_TIME)
            if p.actual_finish is not None:
                prog["actual_finish"] = _fmt_datetime(p.actual_finish, FINISH_TIME)
            if p.remaining_minutes is not None:
                prog["remaining"] = _fmt_amount(
                    p.remaining_minutes, t.duration_unit, t.elapsed, units
                )
            out["progress"] = prog
        if t.notes:
            out["notes"] = t.notes
        children = plan.children.get(uid)
        if children:
            out["tasks"] = [self.task(c) for c in children]
            return out
        flow = _Flow(out)
        text = _yaml_inline(flow)
        if "\n" not in t.notes and len(text) <= _FLOW_WIDTH:
            flow.rendered = text  # written as is
            return flow
        return out

    def link(self, link: Link) -> str | _Flow:
        ref = self.ref[link.predecessor]
        lag = link.lag
        text = ref
        if link.type is not LinkType.FS or lag != Lag():
            text += link.type.value
        lag_text = ""
        if lag != Lag():
            sign = "-" if lag.value < 0 else "+"
            if lag.kind is LagKind.PERCENT:
                lag_text = f"{sign}{_decimal(abs(lag.value), lambda x: x == abs(lag.value))}%"
            else:
                elapsed = lag.kind is LagKind.ELAPSED
                amount = _fmt_amount(abs(lag.value), lag.unit, elapsed, self.units, whole=False)
                lag_text = sign + amount
            text += lag_text
        reader = _PlanReader("")
        reader.task_refs, reader.units = self.refs, self.units
        try:
            if reader.parse_link(text, 0, "") == (link.predecessor, link.type, lag):
                return _Bare(text)
        except FormatError:
            pass
        out = _Flow(task=_Bare(ref), type=link.type.value)
        if lag_text:
            out["lag"] = lag_text
        return out

    def assignment(self, a: Assignment) -> str | _Flow:
        ref = self.res_ref.get(a.resource, f"#{a.resource}")
        kind = next((r.type for r in self.plan.resources if r.uid == a.resource), ResourceType.WORK)
        units = _percent(a.units) if kind is ResourceType.WORK else _num(a.units)
        if a.work is None and not a.actual_work and a.uid is None:
            return _Bare(ref if a.units == 1.0 else f"{ref}:{units}")
        out = _Flow(resource=_Bare(ref))
        if a.units != 1.0:
            out["units"] = units
        if a.work is not None:
            out["work"] = _fmt_amount(a.work, DurationUnit.HOUR, False, self.units)
        if a.actual_work:
            out["actual_work"] = _fmt_amount(a.actual_work, DurationUnit.HOUR, False, self.units)
        if a.uid is not None:
            out["uid"] = a.uid
        return out

    def baseline(self, b: Baseline) -> dict[str, Any]:
        out: dict[str, Any] = {"number": b.number}
        if b.saved is not None:
            out["saved"] = _fmt_datetime(b.saved, dt.time())
        tasks: dict[str, Any] = {}
        for t in self.plan.tasks:
            bt = b.tasks.get(t.uid)
            if bt is None:
                continue
            entry = _Flow()
            if bt.start is not None:
                entry["start"] = _fmt_datetime(bt.start, START_TIME)
            if bt.finish is not None:
                entry["finish"] = _fmt_datetime(bt.finish, FINISH_TIME)
            if bt.duration:
                entry["duration"] = _fmt_amount(bt.duration, t.duration_unit, t.elapsed, self.units)
            if bt.work:
                entry["work"] = _fmt_amount(bt.work, DurationUnit.HOUR, False, self.units)
            if bt.cost:
                entry["cost"] = _num(bt.cost)
            tasks[_Bare(self.ref[t.uid])] = entry
        out["tasks"] = tasks
        return out


def _rate(amount: float, size: int) -> float:
    """An amount per ``size`` minutes as an hourly rate."""
    return float(amount if size == 60 else amount * 60 / size)


def _hours(minutes: int) -> float:
    return _num(float(_decimal(minutes / 60, lambda x: round(x * 60) == minutes)))


def _percent(units: float) -> str:
    return _decimal(units * 100, lambda x: _num(x / 100) == units) + "%"


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _dump_yaml(doc: Mapping[str, Any]) -> str:
    parts = []
    for key, value in doc.items():
        if key == "tasks" and value:
            lines = ["tasks:"]
            previous_block = False
            for k, task in enumerate(value):
                block = not isinstance(task, _Flow)
                if k and (block or previous_block):
                    lines.append("")  # a blank line around summary tasks
                lines.extend(_yaml_block([task], 2))
                previous_block = block
        else:
            lines = _yaml_entry(f"{key}:", value, 0)
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")  # pragma: no cover


def _dump_json(data: Any, indent: str = "") -> str:
    """JSON laid out like the YAML: one line for what YAML writes in flow style."""
    inner = indent + "  "
    if isinstance(data, _Flow | _FlowList) or not isinstance(data, dict | list) or not data:
        return json.dumps(data, ensure_ascii=False, default=_json_default, separators=(", ", ": "))
    if isinstance(data, dict):
        items = [
            f"{inner}{json.dumps(str(k), ensure_ascii=False)}: {_dump_json(v, inner)}"
            for k, v in data.items()
        ]
        return "{\n" + ",\n".join(items) + f"\n{indent}}}"
    return "[\n" + ",\n".join(f"{inner}{_dump_json(v, inner)}" for v in data) + f"\n{indent}]"


# --------------------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------------------


def loads_plan(text: str | bytes, name: str = "<input>", format: str = "yaml") -> Plan:
    """Read a plan from YAML or JSON text."""
    if isinstance(text, bytes):
        text = _decode(text, name)
    fmt = format.lower()
    if fmt in ("yaml", "yml"):
        root = _compose_yaml(text, name)
    elif fmt == "json":
        root = _compose_json(text, name)
    else:
        raise FormatError(f"unknown plan format '{format}' (use yaml or json)", path=name)
    try:
        return _PlanReader(name).read(root)
    except RecursionError:
        raise FormatError("the tasks are nested too deeply", path=name) from None


def read_plan(stream: BinaryIO, name: str = "<input>", format: str = "yaml") -> Plan:
    """Read a Jalon plan file (YAML or JSON). Raises :class:`FormatError` naming the line."""
    try:
        data = stream.read()
    except OSError as exc:
        raise FormatError(f"cannot read: {exc}", path=name) from None
    return loads_plan(data if isinstance(data, bytes) else str(data), name, format)


def dumps_plan(plan: Plan, format: str = "yaml") -> str:
    """A plan as Jalon YAML or JSON text."""
    doc = _PlanWriter(plan).document()
    fmt = format.lower()
    if fmt in ("yaml", "yml"):
        return _dump_yaml(doc)
    if fmt == "json":
        return _dump_json(doc) + "\n"
    raise FormatError(f"unknown plan format '{format}' (use yaml or json)")


def write_plan(plan: Plan, stream: BinaryIO, format: str = "yaml") -> None:
    """Write a plan as a Jalon plan file; ``read_plan`` reads it back to an equal plan."""
    stream.write(dumps_plan(plan, format).encode("utf-8"))
