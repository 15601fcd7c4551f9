"""The cells of a task table (Excel or CSV): which column a header names, where a cell
is, and how its value is read. English and French, as MS Project and people write them."""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from jalon.io.links import CellValueError

Value = Any  # str | int | float | bool | datetime | date | time | None

# the columns read, by key
KEYS = (
    "id",
    "wbs",
    "level",
    "name",
    "duration",
    "start",
    "finish",
    "predecessors",
    "resources",
    "percent",
    "milestone",
    "notes",
)
# columns Jalon writes and computes again on import
COMPUTED = ("total_float", "free_float", "critical", "cost")

_ALIASES = {
    "id": "id, n, no, num, numero, n°, #, task id, id tache, ligne",
    "wbs": "wbs, edt, code wbs, wbs code, code edt, n edt, outline number, numero hierarchique",
    "level": "outline level, level, niveau, niveau hierarchique, niveau de plan, indent, retrait",
    "name": "name, task, task name, nom, tache, nom de la tache, intitule, libelle, activity, "
    "activite, designation, title, titre",
    "duration": "duration, duree, duration days, duree jours, days, jours",
    "start": "start, start date, debut, date de debut, date debut, begin, commence",
    "finish": "finish, finish date, end, end date, fin, date de fin, date fin, due, echeance",
    "predecessors": "predecessors, predecessor, predecesseurs, predecesseur, depends on, "
    "dependencies, dependances, antecedents",
    "resources": "resources, resource names, resource, ressources, noms ressources, "
    "nom des ressources, noms des ressources, ressource, assigned to, assignee, affecte a",
    "percent": "% complete, percent complete, complete, % achevé, % acheve, achevement, "
    "% d achevement, avancement, progress, % avancement, % work complete",
    "milestone": "milestone, jalon",
    "notes": "notes, note, comments, commentaires, remarques, description",
    "total_float": "total float, total slack, marge totale",
    "free_float": "free float, free slack, marge libre",
    "critical": "critical, critique",
    "cost": "cost, cout, budget",
}
_HEADERS = {alias.strip(): key for key, text in _ALIASES.items() for alias in text.split(",")}
FRENCH_WORDS = {"nom", "tache", "duree", "debut", "fin", "predecesseurs", "ressources", "niveau"}
HEADER_SCAN_ROWS = 20
MAX_ERRORS = 20
TOTAL_NAMES = {"total", "totals", "totaux", "total general", "grand total"}
_TRUE = {"1", "yes", "y", "true", "oui", "o", "vrai", "x", "✓"}
_FALSE = {"0", "no", "n", "false", "non", "faux", ""}
_DATE_RE = re.compile(
    r"(?:[^\W\d_]+\.?\s+)?"  # a weekday name ("lun 04/03/24", "Mon 3/4/24")
    r"(?P<a>\d{1,4})[/.-](?P<b>\d{1,2})[/.-](?P<c>\d{1,4})"
    r"(?:[ T]+(?P<h>\d{1,2})[:h](?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?\s*(?P<ampm>[ap]m)?)?"
)
_RESOURCE_RE = re.compile(r"\s*(?P<name>[^\[\]]*?)\s*(?:\[\s*(?P<units>[^\]]*)\])?\s*")
# Excel stores dates as days since 1899-12-30
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def header_key(text: Value) -> str | None:
    """The column a header names, or None: 'Durée (jours)' -> 'duration'."""
    if not isinstance(text, str):
        return None
    key = plain(text.replace("\u00a0", " "))
    key = re.sub(r"\(.*?\)", " ", key)  # units: "Duration (days)"
    key = re.sub(r"[^\w%#°]+", " ", key).strip()
    if key in _HEADERS:
        return _HEADERS[key]
    return _HEADERS.get(key.replace("°", "").strip())


# -- where a cell is --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Source:
    """A table being read: the file, and the sheet for a workbook."""

    name: str
    format: str  # "xlsx" | "csv"
    sheet: str | None = None

    def where(self, row: int, column: int | None = None, header: str | None = None) -> str:
        if self.sheet is not None:
            place = f"sheet '{self.sheet}', row {row}"
            if column is not None:
                place = f"sheet '{self.sheet}', cell {column_letter(column)}{row}"
        else:
            place = f"line {row}"
            if column is not None:
                place += f", column {column + 1}"
        if header:
            place += f" ({header})"
        return place


def column_letter(index: int) -> str:
    """0 -> 'A', 26 -> 'AA'."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# -- values -----------------------------------------------------------------------------


def text_of(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def blank(value: Value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_date(value: Value, *, day_first: bool) -> tuple[dt.datetime, bool]:
    """(datetime, has a time of day) of a cell; raises CellValueError."""
    if isinstance(value, dt.datetime):
        return value.replace(second=0, microsecond=0, tzinfo=None), value.time() != dt.time()
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time()), False
    if isinstance(value, bool):
        raise CellValueError(f"cannot read {value!r} as a date")
    if isinstance(value, int | float):
        # a date Excel kept as a serial number (a sheet without date formats)
        if math.isfinite(value) and 1 <= value < 2958466:
            got = _EXCEL_EPOCH + dt.timedelta(days=float(value))
            got = got.replace(second=0, microsecond=0)
            return got, got.time() != dt.time()
        raise CellValueError(f"cannot read {value!r} as a date")
    text = text_of(value)
    m = _DATE_RE.fullmatch(text)
    if m is None:
        try:
            iso = dt.datetime.fromisoformat(text)
        except ValueError:
            raise CellValueError(
                f"cannot read '{text}' as a date (write 2025-03-31 or 31/03/2025)"
            ) from None
        return iso.replace(second=0, microsecond=0, tzinfo=None), "T" in text or " " in text
    a, b, c = m.group("a"), m.group("b"), m.group("c")
    if len(a) == 4:
        year, month, day = int(a), int(b), int(c)
    else:
        first, second = int(a), int(b)
        year = int(c) + (2000 if len(c) <= 2 else 0)
        if first > 12 or (day_first and second <= 12):
            day, month = first, second
        else:
            month, day = first, second
    hour = int(m.group("h") or 0)
    minute = int(m.group("mi") or 0)
    if m.group("ampm"):
        hour = hour % 12 + (12 if m.group("ampm") == "pm" else 0)
    try:
        return dt.datetime(year, month, day, hour, minute), m.group("h") is not None
    except ValueError:
        raise CellValueError(f"'{text}' is not a date") from None


def parse_percent(value: Value, *, from_sheet: bool) -> float:
    """'50%', '50', 50 -> 50.0; a number up to 1 in a workbook is a fraction (0.5 = 50 %)."""
    if isinstance(value, bool):
        raise CellValueError(f"cannot read {value!r} as a percentage")
    if isinstance(value, int | float):
        number = float(value)
        if from_sheet and 0 <= number <= 1:
            number *= 100
    else:
        text = text_of(value).replace(",", ".").replace(" ", "").replace("\u00a0", "")
        try:
            number = float(text.rstrip("%"))
        except ValueError:
            raise CellValueError(f"cannot read '{text_of(value)}' as a percentage") from None
    if not math.isfinite(number) or not 0 <= number <= 100:
        raise CellValueError(f"{text_of(value)} is not a percentage between 0 and 100")
    return number


def parse_flag(value: Value) -> bool:
    if isinstance(value, bool):
        return value
    text = plain(text_of(value))
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellValueError(f"cannot read '{text_of(value)}' as yes or no")


def parse_resources(text: str) -> list[tuple[str, float]]:
    """'Alice[50%]; Bob' -> [('Alice', 0.5), ('Bob', 1.0)]."""
    out = []
    for item in re.split(r"[;,](?![^\[]*\])", text):
        if not item.strip():
            continue
        m = _RESOURCE_RE.fullmatch(item)
        if m is None or not m.group("name"):
            raise CellValueError(f"cannot read the resource '{item.strip()}' (write Alice[50%])")
        units = 1.0
        raw = m.group("units")
        if raw is not None:
            number_text = raw.replace(",", ".").replace(" ", "")
            try:
                number = float(number_text.rstrip("%"))
            except ValueError:
                raise CellValueError(f"cannot read the units '[{raw}]' (write [50%])") from None
            percent = number_text.endswith("%") or number > 10
            units = number / 100 if percent else number
            if not math.isfinite(units) or not 0 <= units <= 100:
                raise CellValueError(f"units '[{raw}]' out of range")
        out.append((m.group("name"), units))
    return out


__all__ = [
    "COMPUTED",
    "FRENCH_WORDS",
    "HEADER_SCAN_ROWS",
    "KEYS",
    "MAX_ERRORS",
    "TOTAL_NAMES",
    "Source",
    "Value",
    "blank",
    "column_letter",
    "header_key",
    "parse_date",
    "parse_flag",
    "parse_percent",
    "parse_resources",
    "plain",
    "text_of",
]
