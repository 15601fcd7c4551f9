"""CSV files <-> engine data: the task table of :mod:`jalon.io.task_table`.

Reading detects the delimiter (``,``, ``;`` or tab) and the encoding (UTF-8 with or without
a BOM, UTF-16 with a BOM, else Windows-1252 with a warning). Writing gives UTF-8 with a BOM,
so that Excel shows accented names correctly, and ``,`` as delimiter unless told otherwise.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from typing import BinaryIO

from jalon.engine.errors import FormatError
from jalon.engine.model import Plan
from jalon.engine.results import Schedule
from jalon.io.links import format_amount
from jalon.io.report import ImportResult
from jalon.io.table_cells import Source
from jalon.io.task_table import EXPORT_HEADERS, read_table, table_rows

MAX_FIELD = 1_000_000  # characters in one cell
MAX_ROWS = 200_000
_DELIMITERS = (",", ";", "\t")
# cells a spreadsheet would run as a formula: written with a leading apostrophe
_FORMULA_START = ("=", "+", "-", "@")


def write_csv(plan: Plan, schedule: Schedule, stream: BinaryIO, *, delimiter: str = ",") -> None:
    """Write the task table of ``plan`` with the dates of ``schedule``."""
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(EXPORT_HEADERS)
    for row in table_rows(plan, schedule):
        writer.writerow([_cell(value) for value in row])
    stream.write(codecs.BOM_UTF8 + text.getvalue().encode("utf-8"))


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float):
        return format_amount(value)
    text = str(value)
    if text.startswith(_FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def decode(data: bytes, name: str) -> tuple[str, list[str]]:
    """The text of a CSV file and the warnings about its encoding."""
    if data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8"
    try:
        return data.decode(encoding), []
    except UnicodeDecodeError as exc:
        if encoding != "utf-8":
            line = data[: exc.start].count(b"\n") + 1
            raise FormatError(f"not valid {encoding.upper()} text", path=name, line=line) from None
    # not UTF-8: the Windows code page spreadsheets write in Western Europe
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FormatError(
            "neither UTF-8 nor Windows-1252 text: save the file as UTF-8 CSV", path=name, line=line
        ) from None
    return text, ["the file is not UTF-8: read as Windows-1252 (Western European)"]


def sniff_delimiter(text: str) -> str:
    """The delimiter of the header line: the one of ',', ';', tab found most outside quotes."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = dict.fromkeys(_DELIMITERS, 0)
    quoted = False
    for char in first:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_rows(text: str, name: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """(line number, cells) per record; a record may span lines inside quotes."""
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise FormatError("a NUL character: this is not a text file", path=name, line=line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    rows: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for record in reader:
            if len(rows) >= MAX_ROWS:
                raise FormatError(f"more than {MAX_ROWS} rows", path=name, line=reader.line_num)
            if any(len(cell) > MAX_FIELD for cell in record):
                raise FormatError(
                    f"a cell longer than {MAX_FIELD} characters", path=name, line=line
                )
            rows.append((line, [_unquote(cell) for cell in record]))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise FormatError(f"malformed CSV: {exc}", path=name, line=reader.line_num) from None
    return rows


def _unquote(cell: str) -> str:
    """Undo the apostrophe written before a formula-like cell."""
    if len(cell) > 1 and cell[0] == "'" and cell[1] in _FORMULA_START:
        return cell[1:]
    return cell


def read_csv(stream: BinaryIO, name: str = "<input>") -> ImportResult:
    """Read a task table from a CSV file."""
    data = stream.read()
    if not data.strip():
        raise FormatError("the file is empty", path=name)
    text, warnings = decode(data, name)
    # csv's own limit (128 KiB) would stop long notes first
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD + 1))
    rows = read_rows(text, name, sniff_delimiter(text))
    return read_table(rows, Source(name, "csv"), warnings=warnings)


import_csv = read_csv  # the importer registry's entry

__all__ = ["decode", "import_csv", "read_csv", "read_rows", "sniff_delimiter", "write_csv"]
