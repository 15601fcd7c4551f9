"""Reading exported CSV files: text decoding, the delimiter, rows whose header repeats
column names, and dates written in the exporting user's locale.

Used by the Jira importer; nothing in it is Jira-specific. Every problem is a
:class:`~jalon.engine.errors.FormatError` naming the file, the row and the column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from jalon.engine.errors import FormatError

# month names as Jira's locales abbreviate them (dd/MMM/yy), by their first letters
_MONTHS = {
    "jan": 1, "janv": 1, "ene": 1, "gen": 1, "feb": 2, "fév": 2, "fev": 2, "févr": 2, "fevr": 2,
    "mar": 3, "mars": 3, "mär": 3, "mrz": 3, "mrt": 3, "apr": 4, "avr": 4, "abr": 4,
    "may": 5, "mai": 5, "mag": 5, "mei": 5, "jun": 6, "juin": 6, "giu": 6,
    "jul": 7, "juil": 7, "lug": 7, "aug": 8, "août": 8, "aou": 8, "aoû": 8, "aout": 8, "ago": 8,
    "sep": 9, "sept": 9, "set": 9, "oct": 10, "okt": 10, "ott": 10, "out": 10,
    "nov": 11, "dec": 12, "déc": 12, "dez": 12, "dic": 12,
}  # fmt: skip
_TIME = (
    r"(?:[ T]+(?P<h>\d{1,2})[:h](?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,]\d+)?)?"
    r"\s*(?P<ampm>[AaPp]\.?\s?[Mm]\.?)?)?"
)
_NAMED_RE = re.compile(
    r"(?P<d>\d{1,2})[/\-. ](?P<mon>[^\W\d_]+)\.?[/\-. ](?P<y>\d{4}|\d{2})" + _TIME + r"\s*"
)
_ISO_RE = re.compile(
    r"(?P<y>\d{4})-(?P<mon>\d{1,2})-(?P<d>\d{1,2})" + _TIME + r"\s*(?:Z|[+-]\d{2}:?\d{2})?\s*"
)
_NUMERIC_RE = re.compile(r"(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<y>\d{4}|\d{2})" + _TIME + r"\s*")
_DATE_HELP = "e.g. 22/Oct/25 3:04 PM, 22/oct./25 15:04 or 2025-10-22 15:04"

# -- text -------------------------------------------------------------------------------


def decode_text(data: bytes, name: str) -> tuple[str, list[str]]:
    """Bytes -> text: UTF-8 (with or without a BOM), UTF-16 with a BOM, else Windows-1252."""
    warnings: list[str] = []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise FormatError(f"not UTF-16 text (byte {exc.start})", path=name) from None
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                raise FormatError(
                    "neither UTF-8 nor Windows-1252 text: is it a CSV file?", path=name, line=line
                ) from None
            warnings.append(
                f"not UTF-8 (first at line {line}): read as Windows-1252; check accented letters"
            )
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise FormatError("binary data (a NUL byte), not a CSV text file", path=name, line=line)
    return text, warnings


def sniff_delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


# -- rows --------------------------------------------------------------------------------


@dataclass
class Table:
    name: str
    columns: list[str]  # as written, by position
    positions: dict[str, list[int]]  # normalised name -> positions

    def has(self, column: str) -> bool:
        return column in self.positions

    def label(self, column: str) -> str:
        pos = self.positions.get(column)
        return self.columns[pos[0]] if pos else column


@dataclass
class Row:
    number: int  # the record's number, the header being row 1
    line: int  # the line it starts on
    cells: list[str]
    table: Table

    def values(self, column: str) -> list[str]:
        out = []
        for pos in self.table.positions.get(column, ()):
            text = self.cells[pos].strip() if pos < len(self.cells) else ""
            if text:
                out.append(text)
        return out

    def get(self, column: str) -> str:
        """The first non-blank value of the column(s) of that name, else ""."""
        cells = self.cells
        for pos in self.table.positions.get(column, ()):
            if pos < len(cells):
                text = cells[pos].strip()
                if text:
                    return text
        return ""

    def first(self, columns: Sequence[str]) -> tuple[str, str]:
        for column in columns:
            text = self.get(column)
            if text:
                return column, text
        return "", ""

    def error(self, column: str, message: str) -> FormatError:
        where = f"row {self.number}"
        if column:
            where += f", column '{self.table.label(column)}'"
        return FormatError(f"{where}: {message}", path=self.table.name, line=self.line)


def read_rows(
    text: str, name: str, normalize: Callable[[str], str] = lambda c: c
) -> tuple[Table, list[Row], list[str]]:
    warnings: list[str] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text), strict=True)
    records: Iterator[list[str]] = iter(reader)
    rows: list[Row] = []
    table: Table | None = None
    number = 0
    wide: list[int] = []
    while True:
        line = reader.line_num + 1
        try:
            cells = next(records)
        except StopIteration:
            break
        except csv.Error as exc:
            raise FormatError(
                f"row {number + 1}: not valid CSV ({exc}); is the file cut short?",
                path=name,
                line=line,
            ) from None
        number += 1
        if table is None:
            columns = [" ".join(c.replace("\ufeff", "").split()) for c in cells]
            positions: dict[str, list[int]] = {}
            for i, column in enumerate(columns):
                if column:
                    positions.setdefault(normalize(column), []).append(i)
            table = Table(name, columns, positions)
            continue
        if not any(c.strip() for c in cells):
            continue
        if len(cells) < len(table.columns):
            raise FormatError(
                f"row {number} has {len(cells)} fields, the header {len(table.columns)}: "
                "the file is cut short or is not one export",
                path=name,
                line=line,
            )
        if len(cells) > len(table.columns) and any(c.strip() for c in cells[len(table.columns) :]):
            wide.append(number)
        rows.append(Row(number, line, cells, table))
    if table is None:
        raise FormatError("the file is empty", path=name)
    if wide:
        more = f" and {len(wide) - 5} more" if len(wide) > 5 else ""
        warnings.append(
            f"rows {', '.join(map(str, wide[:5]))}{more} have more fields than the header: "
            "the extra fields are ignored"
        )
    return table, rows, warnings


# -- values --------------------------------------------------------------------------------


class DateReader:
    """Reads the dates of one file. Numeric dates (03/04/25) take one day/month order for
    the whole file: the one its unambiguous dates show, else day first (month first when
    the times say AM/PM, as US exports do)."""

    def __init__(
        self, rows: Sequence[Row], columns: Iterable[str], date_format: str | None
    ) -> None:
        self.date_format = date_format
        self.day_first = True
        self.warning = ""
        if date_format:
            return
        day_first = month_first = ampm = ambiguous = False
        for row in rows:
            for column in columns:
                for text in row.values(column):
                    m = _NUMERIC_RE.fullmatch(text)
                    if not m:
                        continue
                    a, b = int(m["a"]), int(m["b"])
                    day_first |= a > 12 >= b
                    month_first |= b > 12 >= a
                    ambiguous |= a <= 12 and b <= 12 and a != b
                    ampm |= bool(m["ampm"])
        if day_first and month_first:
            self.warning = "numeric dates in both day/month orders: read as day/month/year"
        elif month_first or (ampm and not day_first):
            self.day_first = False
            if ambiguous and not month_first:
                self.warning = "numeric dates read as month/day/year (the times say AM/PM)"
        elif ambiguous and not day_first:
            self.warning = "numeric dates read as day/month/year; give date_format if wrong"

    def read(self, row: Row, column: str) -> dt.datetime | None:
        text = row.get(column)
        if not text:
            return None
        got = self.parse(text)
        if got is None:
            hint = f"'{self.date_format}'" if self.date_format else _DATE_HELP
            raise row.error(column, f"cannot read '{text}' as a date ({hint})")
        return got

    def parse(self, text: str) -> dt.datetime | None:
        if self.date_format:
            try:
                return dt.datetime.strptime(text, self.date_format)
            except ValueError:
                return None
        m = _NAMED_RE.fullmatch(text)
        if m:
            word = m["mon"].casefold().rstrip(".")
            month = _MONTHS.get(word) or _MONTHS.get(word[:4]) or _MONTHS.get(word[:3])
            if month is None:
                return None
            return _make(m["y"], month, m["d"], m)
        m = _ISO_RE.fullmatch(text)
        if m:
            return _make(m["y"], m["mon"], m["d"], m)
        m = _NUMERIC_RE.fullmatch(text)
        if m:
            first, second = m["a"], m["b"]
            return _make(m["y"], *((second, first) if self.day_first else (first, second)), m)
        return None


def _make(
    year: str | int, month: str | int, day: str | int, m: re.Match[str]
) -> dt.datetime | None:
    y = int(year)
    if y < 100:
        y += 2000 if y < 70 else 1900
    hour = int(m["h"] or 0)
    ampm = (m["ampm"] or "").casefold()
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm.startswith("p") else 0)
    try:
        return dt.datetime(y, int(month), int(day), hour, int(m["mi"] or 0), int(m["s"] or 0))
    except ValueError:
        return None


def read_number(row: Row, column: str) -> float | None:
    text = row.get(column)
    if not text:
        return None
    try:
        value = float(text.replace(",", ".").replace("\u00a0", "").replace(" ", ""))
    except ValueError:
        raise row.error(column, f"'{text}' is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise row.error(column, f"'{text}' is not a positive number")
    return value


__all__ = [
    "DateReader",
    "Row",
    "Table",
    "decode_text",
    "read_number",
    "read_rows",
    "sniff_delimiter",
]
