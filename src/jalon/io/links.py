"""The text of durations and predecessor lists, as people type them in sheets.

English and French, MS Project's way: ``5d``, ``5 days``, ``5j``, ``5 jours``, ``2 sem``,
``1,5j``; predecessors ``3``, ``3FS+2d``, ``3SS-1j``, ``3FD+2j`` (French MS Project: FD =
FS, DD = SS, FF = FF, DF = SF), ``5FS+50%``, lists ``2;3`` or ``2,3``. A reference is a row
ID (``3``) or a WBS code (``1.2.3``); resolving it is the caller's job.

Elapsed time: English MS Project puts an ``e`` before the unit (``3ed``), French MS Project
an ``é`` after it (``3jé``, jours écoulés; its MPX files write ``je``); both are read, with
or without the accent. Written French units are MS Project FR's: ``min``, ``h``, ``j``,
``sem``, ``ms`` (mois), elapsed ``miné``, ``hé``, ``jé``, ``semé``, ``msé``.

Used by the Excel and CSV task tables and by the web grid (its cells); the plan file (YAML)
has its own, stricter grammar.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from jalon.engine.model import DurationUnit, Lag, LagKind, Link, LinkType

# unit word (accents stripped, lower case) -> unit
_UNIT_WORDS: dict[str, DurationUnit] = {}
for _unit, _words in (
    (DurationUnit.MINUTE, "m min mins minute minutes mn"),
    (DurationUnit.HOUR, "h hr hrs hour hours heure heures"),
    (DurationUnit.DAY, "d day days j jr jrs jour jours"),
    (DurationUnit.WEEK, "w wk wks week weeks s sem sems semaine semaines"),
    (DurationUnit.MONTH, "mo mon mons month months ms mois"),
):
    for _word in _words.split():
        _UNIT_WORDS[_word] = _unit

_ELAPSED_SIZE = {
    DurationUnit.MINUTE: 1,
    DurationUnit.HOUR: 60,
    DurationUnit.DAY: 1440,
    DurationUnit.WEEK: 10080,
    DurationUnit.MONTH: 43200,
}
_SHORT = {
    DurationUnit.MINUTE: "m",
    DurationUnit.HOUR: "h",
    DurationUnit.DAY: "d",
    DurationUnit.WEEK: "w",
    DurationUnit.MONTH: "mo",
}
_SHORT_FR = {
    DurationUnit.MINUTE: "min",
    DurationUnit.HOUR: "h",
    DurationUnit.DAY: "j",
    DurationUnit.WEEK: "sem",
    DurationUnit.MONTH: "ms",
}
_TYPES_FR = {LinkType.FS: "FD", LinkType.SS: "DD", LinkType.FF: "FF", LinkType.SF: "DF"}
_TYPES = {
    "FS": LinkType.FS,
    "SS": LinkType.SS,
    "FF": LinkType.FF,
    "SF": LinkType.SF,
    # French MS Project: Fin-Début, Début-Début, Fin-Fin, Début-Fin
    "FD": LinkType.FS,
    "DD": LinkType.SS,
    "DF": LinkType.SF,
}
_NUMBER = r"\d+(?:[.,]\d+)?|[.,]\d+"
_DURATION_RE = re.compile(rf"(?P<num>{_NUMBER})\s*(?P<unit>[a-z]*)\.?\s*\??")
_REF = r"\d+(?:\.\d+)*"
# a link's type and lag, after its reference: 'FS+2d', 'FD+2jé', 'SS', '+50%'
_TAIL = (
    r"(?P<type>FS|SS|FF|SF|FD|DD|DF)?"
    rf"(?:\s*(?P<sign>[+-])\s*(?P<num>{_NUMBER})\s*(?P<unit>%|[^\W\d_]+)?)?\s*"
)
_LINK_RE = re.compile(rf"\s*(?P<ref>{_REF})\s*{_TAIL}", re.IGNORECASE)
_TAIL_RE = re.compile(rf"\s*{_TAIL}", re.IGNORECASE)
MAX_MINUTES = 10**9  # about 1,900 years of 8-hour days: anything larger is a typo


class CellValueError(ValueError):
    """A cell that cannot be read; the message says what was expected.

    ``code`` says why, for callers that word their own message: ``"invalid"`` (the text
    cannot be read), ``"unit"`` (an unknown unit) or ``"too_long"``."""

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class Units:
    """How long a day, a week and a month of work are (the plan's settings)."""

    minutes_per_day: int = 480
    minutes_per_week: int = 2400
    days_per_month: int = 20

    def size(self, unit: DurationUnit, elapsed: bool = False) -> int:
        if elapsed:
            return _ELAPSED_SIZE[unit]
        return {
            DurationUnit.MINUTE: 1,
            DurationUnit.HOUR: 60,
            DurationUnit.DAY: self.minutes_per_day,
            DurationUnit.WEEK: self.minutes_per_week,
            DurationUnit.MONTH: self.minutes_per_day * self.days_per_month,
        }[unit]


def _plain(text: str) -> str:
    """Lower case, accents dropped: 'Début' -> 'debut'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def unit_of(word: str) -> tuple[DurationUnit, bool]:
    """(unit, elapsed) of a unit word; raises CellValueError for an unknown one.

    Elapsed: ``e`` before the unit (English: ``ed``) or ``é``/``e`` after it (French:
    ``jé``, ``je``)."""
    plain = _plain(word.strip())
    if plain in _UNIT_WORDS:
        return _UNIT_WORDS[plain], False
    if plain.startswith("e") and plain[1:] in _UNIT_WORDS:
        return _UNIT_WORDS[plain[1:]], True
    if plain.endswith("e") and plain[:-1] in _UNIT_WORDS:
        return _UNIT_WORDS[plain[:-1]], True
    raise CellValueError(f"unknown unit '{word}'", code="unit")


def parse_duration(text: str, units: Units = Units()) -> tuple[int, DurationUnit, bool]:
    """(minutes, unit, elapsed) of '5d', '5 jours', '2 sem', '1,5j', '3eh' or '5' (days)."""
    plain = _plain(text.strip())
    m = _DURATION_RE.fullmatch(plain)
    if m is None:
        raise CellValueError(f"cannot read '{text}' as a duration (write 5d, 5 jours, 2w, 4h)")
    unit, elapsed = unit_of(m.group("unit")) if m.group("unit") else (DurationUnit.DAY, False)
    minutes = round(_number(m.group("num")) * units.size(unit, elapsed))
    if minutes > MAX_MINUTES:
        raise CellValueError(f"the duration '{text}' is too long", code="too_long")
    return minutes, unit, elapsed


def format_amount(value: float) -> str:
    """12.0 -> '12', 1.50 -> '1.5'."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def unit_text(unit: DurationUnit, elapsed: bool = False, *, french: bool = False) -> str:
    """A unit as MS Project writes it after a number: ``d``, ``ed``; French ``j``, ``jé``."""
    if french:
        return f"{_SHORT_FR[unit]}{'é' if elapsed else ''}"
    return f"{'e' if elapsed else ''}{_SHORT[unit]}"


def type_text(link_type: LinkType, *, french: bool = False) -> str:
    """A link type as MS Project writes it: ``FS``; French ``FD`` (fin-début)."""
    return _TYPES_FR[link_type] if french else link_type.value


def format_duration(
    minutes: int,
    unit: DurationUnit,
    elapsed: bool,
    units: Units = Units(),
    *,
    french: bool = False,
) -> str:
    size = units.size(unit, elapsed)
    return f"{format_amount(minutes / size)}{unit_text(unit, elapsed, french=french)}"


@dataclass(frozen=True, slots=True)
class LinkText:
    """One predecessor as written: a reference (row ID or WBS), a type and a lag."""

    ref: str
    type: LinkType
    lag: Lag


def parse_predecessors(text: str, units: Units = Units()) -> list[LinkText]:
    """Every predecessor in a cell. With a ';' in the cell, ',' is a decimal comma."""
    text = text.strip()
    if not text:
        return []
    try:
        return _links(text, decimal_comma=";" in text, units=units)
    except CellValueError:
        if "," not in text or ";" in text:
            raise
        return _links(text, decimal_comma=True, units=units)  # '3FS+1,5j' alone in a cell


def _links(text: str, *, decimal_comma: bool, units: Units) -> list[LinkText]:
    items = re.split(r"[;]" if decimal_comma else r"[;,]", text)
    out = []
    for item in items:
        if not item.strip():
            continue
        m = _LINK_RE.fullmatch(item)
        if m is None:
            raise CellValueError(
                f"cannot read the predecessor '{item.strip()}' (write 3, 3FS+2d, 3SS-1j, 1.2FF)"
            )
        link_type, lag = _type_and_lag(m, item, units)
        out.append(LinkText(m.group("ref"), link_type, lag))
    return out


def _type_and_lag(m: re.Match[str], item: str, units: Units) -> tuple[LinkType, Lag]:
    link_type = _TYPES[(m.group("type") or "FS").upper()]
    lag = Lag()
    if m.group("num") is not None:
        amount = _number(m.group("num"))
        if m.group("sign") == "-":
            amount = -amount
        word = m.group("unit") or "d"
        if word == "%":
            lag = Lag(int(amount) if amount.is_integer() else amount, LagKind.PERCENT)
        else:
            unit, elapsed = unit_of(word)
            minutes = round(amount * units.size(unit, elapsed))
            if abs(minutes) > MAX_MINUTES:
                raise CellValueError(f"the lag in '{item.strip()}' is too long", code="too_long")
            lag = Lag(minutes, LagKind.ELAPSED if elapsed else LagKind.WORK, unit)
    return link_type, lag


def parse_link_tail(text: str, units: Units = Units()) -> tuple[LinkType, Lag] | None:
    """The type and lag written after a predecessor's reference (``FS+2d``, ``FD+2jé``,
    ``SS``, ``+50%``): None when ``text`` is empty or is not a type and lag; raises
    CellValueError for an unknown unit or a lag too long. For callers whose references
    are not row IDs or WBS numbers (the web grid's ``#uid``, free WBS codes)."""
    m = _TAIL_RE.fullmatch(text)
    if m is None or not (m.group("type") or m.group("sign")):
        return None
    return _type_and_lag(m, text, units)


def format_link(ref: str, link: Link, units: Units = Units(), *, french: bool = False) -> str:
    """'3', '3SS', '3FS+2d', '3FF-1.5d', '3FS+50%', '3FS+2ed'; French '3FD+2j', '3FD+2jé'."""
    lag = link.lag
    if link.type is LinkType.FS and lag.is_zero:
        return ref
    text = f"{ref}{type_text(link.type, french=french)}"
    if lag.is_zero:
        return text
    sign = "-" if lag.value < 0 else "+"
    if lag.kind is LagKind.PERCENT:
        return f"{text}{sign}{format_amount(abs(lag.value))}%"
    elapsed = lag.kind is LagKind.ELAPSED
    amount = abs(lag.value) / units.size(lag.unit, elapsed)
    return f"{text}{sign}{format_amount(amount)}{unit_text(lag.unit, elapsed, french=french)}"


__all__ = [
    "MAX_MINUTES",
    "CellValueError",
    "LinkText",
    "Units",
    "format_amount",
    "format_duration",
    "format_link",
    "parse_duration",
    "parse_link_tail",
    "parse_predecessors",
    "type_text",
    "unit_of",
    "unit_text",
]
