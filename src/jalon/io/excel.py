"""Excel workbooks (.xlsx) <-> engine data.

:func:`write_xlsx` writes a workbook people can work with: the WBS grouped by outline
level, dates, durations and floats, the critical flag, resources and costs, a frozen header
with filters, a Gantt-like band (one column per week, filled by conditional formatting
between each task's start and finish, critical tasks in red) and a totals row made of
formulas. XlsxWriter writes it (fast for 10,000 rows).

:func:`read_xlsx` reads a task table from any sheet (see :mod:`jalon.io.task_table` for the
columns it recognises, in English and French); openpyxl reads the workbook.
"""

from __future__ import annotations

import datetime as dt
import io
import warnings
import zipfile
from collections.abc import Sequence
from typing import Any, BinaryIO

from jalon.engine.errors import FormatError
from jalon.engine.model import Plan
from jalon.engine.results import Schedule
from jalon.io.report import ImportResult
from jalon.io.table_cells import HEADER_SCAN_ROWS, Source, column_letter
from jalon.io.task_table import EXPORT_HEADERS, find_header, read_table, table_rows

MAX_WEEKS = 156  # the band covers three years at most: wider is no longer readable
MAX_ROWS = 200_000
MAX_COLUMNS = 200
MAX_UNPACKED = 500 * 2**20  # a workbook that unpacks to more is refused (zip bomb)

_ID, _WBS, _LEVEL, _NAME, _DURATION, _START, _FINISH = range(7)
_PREDECESSORS, _RESOURCES, _PERCENT, _TOTAL_FLOAT, _FREE_FLOAT, _CRITICAL, _COST = range(7, 14)
_WIDTHS = (6, 10, 8, 40, 10, 16, 16, 16, 24, 10, 10, 10, 8, 12)


def write_xlsx(plan: Plan, schedule: Schedule, stream: BinaryIO) -> None:
    """Write ``plan`` with the dates of ``schedule`` as an .xlsx workbook."""
    import xlsxwriter

    rows = table_rows(plan, schedule)
    workbook = xlsxwriter.Workbook(
        stream,
        {
            "constant_memory": True,
            # task names are text, never formulas or links (a name starting with '=')
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    workbook.set_properties({"title": plan.name, "comments": "Written by Jalon"})
    sheet = workbook.add_worksheet("Tasks")
    fmt = _Formats(workbook)

    for col, (title, width) in enumerate(zip(EXPORT_HEADERS, _WIDTHS, strict=True)):
        sheet.write_string(0, col, title, fmt.header)
        sheet.set_column(col, col, width)
    first_week, weeks = _weeks(schedule)
    band = len(EXPORT_HEADERS)
    for w in range(weeks):
        sheet.write_datetime(0, band + w, first_week + dt.timedelta(weeks=w), fmt.week)
    if weeks:
        sheet.set_column(band, band + weeks - 1, 3.2)
    sheet.set_row(0, 60 if weeks else None)

    for r, (row, st) in enumerate(zip(rows, schedule.tasks, strict=True), start=1):
        level = st.outline_level
        if level > 1:  # Excel groups up to 7 outline levels
            sheet.set_row(r, None, None, {"level": min(7, level - 1)})
        bold = st.summary
        sheet.write_number(r, _ID, row[_ID])
        sheet.write_string(r, _WBS, row[_WBS])
        sheet.write_number(r, _LEVEL, level)
        sheet.write_string(r, _NAME, row[_NAME], fmt.name(level, bold))
        if isinstance(row[_DURATION], str):
            sheet.write_string(r, _DURATION, row[_DURATION])
        else:
            sheet.write_number(r, _DURATION, row[_DURATION], fmt.days)
        sheet.write_datetime(r, _START, row[_START], fmt.date)
        sheet.write_datetime(r, _FINISH, row[_FINISH], fmt.date)
        if row[_PREDECESSORS]:
            sheet.write_string(r, _PREDECESSORS, row[_PREDECESSORS])
        if row[_RESOURCES]:
            sheet.write_string(r, _RESOURCES, row[_RESOURCES])
        sheet.write_number(r, _PERCENT, row[_PERCENT] / 100, fmt.percent)
        sheet.write_number(r, _TOTAL_FLOAT, row[_TOTAL_FLOAT], fmt.days)
        sheet.write_number(r, _FREE_FLOAT, row[_FREE_FLOAT], fmt.days)
        sheet.write_boolean(r, _CRITICAL, row[_CRITICAL])
        sheet.write_number(r, _COST, row[_COST], fmt.money)

    last = len(rows)  # the last task row (0-based)
    sheet.outline_settings(True, False, True, False)  # summary rows above their details
    sheet.freeze_panes(1, _NAME + 1)
    sheet.autofilter(0, 0, max(last, 1), len(EXPORT_HEADERS) - 1)
    if rows and weeks:
        _band(sheet, fmt, last, band, weeks)
    if rows:
        _totals(sheet, fmt, rows, last)
    workbook.close()


def _weeks(schedule: Schedule) -> tuple[dt.datetime, int]:
    """The Monday the band starts on, and its number of weeks."""
    if not schedule.tasks:
        return dt.datetime(2000, 1, 3), 0
    start = min(t.start for t in schedule.tasks)
    finish = max(t.finish for t in schedule.tasks)
    monday = dt.datetime.combine(start.date() - dt.timedelta(days=start.weekday()), dt.time())
    weeks = (finish - monday).days // 7 + 1
    return monday, min(weeks, MAX_WEEKS)


def _band(sheet: Any, fmt: _Formats, last: int, band: int, weeks: int) -> None:
    first_col, start, finish = column_letter(band), column_letter(_START), column_letter(_FINISH)
    critical = column_letter(_CRITICAL)
    # a cell is filled when its week (header date .. +7 days) overlaps the task
    overlap = f"{first_col}$1<=${finish}2,{first_col}$1+7>${start}2"
    area = (1, band, last, band + weeks - 1)
    sheet.conditional_format(
        *area,
        {
            "type": "formula",
            "criteria": f"=AND({overlap},${critical}2)",
            "format": fmt.critical_bar,
            "stop_if_true": True,
        },
    )
    sheet.conditional_format(
        *area, {"type": "formula", "criteria": f"=AND({overlap})", "format": fmt.bar}
    )


def _totals(sheet: Any, fmt: _Formats, rows: Sequence[Sequence[Any]], last: int) -> None:
    r = last + 1
    span = f"2:{{c}}{last + 1}"

    def ref(col: int) -> str:
        c = column_letter(col)
        return f"{c}{span.format(c=c)}"

    starts = [row[_START] for row in rows]
    finishes = [row[_FINISH] for row in rows]
    # the cost of the top-level rows: summaries already hold their subtasks' costs
    top_cost = sum(row[_COST] for row in rows if row[_LEVEL] == 1)
    sheet.write_string(r, _NAME, "Total", fmt.total)
    # the cached results are written too, for readers that do not compute formulas
    sheet.write_formula(r, _START, f"=MIN({ref(_START)})", fmt.total_date, _serial(min(starts)))
    sheet.write_formula(r, _FINISH, f"=MAX({ref(_FINISH)})", fmt.total_date, _serial(max(finishes)))
    sheet.write_formula(
        r, _COST, f"=SUMIF({ref(_LEVEL)},1,{ref(_COST)})", fmt.total_money, round(top_cost, 2)
    )


def _serial(value: dt.datetime) -> float:
    """A datetime as Excel stores it: days since 1899-12-30."""
    return (value - dt.datetime(1899, 12, 30)).total_seconds() / 86400


class _Formats:
    def __init__(self, workbook: Any) -> None:
        self.workbook = workbook
        add = workbook.add_format
        self.header = add(
            {"bold": True, "bg_color": "#DDE4EE", "border": 1, "text_wrap": True, "valign": "top"}
        )
        self.week = add({"num_format": "dd mmm yy", "rotation": 90, "font_size": 8, "border": 1})
        self.date = add({"num_format": "yyyy-mm-dd hh:mm"})
        self.days = add({"num_format": "0.##"})
        self.percent = add({"num_format": "0%"})
        self.money = add({"num_format": "#,##0.00"})
        self.bar = add({"bg_color": "#5B8DD6"})
        self.critical_bar = add({"bg_color": "#D9534F"})
        self.total = add({"bold": True, "top": 1})
        self.total_date = add({"bold": True, "top": 1, "num_format": "yyyy-mm-dd hh:mm"})
        self.total_money = add({"bold": True, "top": 1, "num_format": "#,##0.00"})
        self._names: dict[tuple[int, bool], Any] = {}

    def name(self, level: int, bold: bool) -> Any:
        key = (min(level - 1, 15), bold)
        got = self._names.get(key)
        if got is None:
            got = self.workbook.add_format({"indent": key[0], "bold": bold})
            self._names[key] = got
        return got


# -- reading ----------------------------------------------------------------------------


def read_xlsx(stream: BinaryIO, name: str = "<input>") -> ImportResult:
    """Read a task table from the first sheet that has one."""
    data = stream.read()
    _check_archive(data, name)
    sheets = _load(data, name)
    if not sheets:
        raise FormatError("the workbook has no worksheet", path=name)
    for title, rows in sheets:
        if find_header(rows) is not None:
            return read_table(rows, Source(name, "xlsx", title))
    titles = ", ".join(f"'{t}'" for t, _ in sheets)
    raise FormatError(
        f"no sheet has a header row with a task name column (Name, Task, Nom, Tâche) in its "
        f"first {HEADER_SCAN_ROWS} rows (sheets: {titles})",
        path=name,
    )


import_xlsx = read_xlsx  # the importer registry's entry


def _check_archive(data: bytes, name: str) -> None:
    if not data:
        raise FormatError("the file is empty", path=name)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FormatError("an old Excel .xls workbook: save it as .xlsx", path=name)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError) as exc:
        raise FormatError(
            f"not an Excel .xlsx workbook (not a valid zip: {exc})", path=name
        ) from None
    if sum(i.file_size for i in infos) > MAX_UNPACKED:
        raise FormatError("the workbook unpacks to more than 500 MB: refused", path=name)
    if not any(i.filename == "xl/workbook.xml" for i in infos):
        raise FormatError("not an Excel .xlsx workbook (no xl/workbook.xml inside)", path=name)


def _load(data: bytes, name: str) -> list[tuple[str, list[tuple[int, list[Any]]]]]:
    import openpyxl

    sheets: list[tuple[str, list[tuple[int, list[Any]]]]] = []
    # openpyxl warns about styles and extensions it skips: nothing the user can act on
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # any corrupt part: openpyxl raises many types
            raise FormatError(f"unreadable Excel workbook ({_describe(exc)})", path=name) from None
        try:
            for sheet in workbook.worksheets:
                rows: list[tuple[int, list[Any]]] = []
                values = sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS, values_only=True)
                for number, row in enumerate(values, start=1):
                    if number > MAX_ROWS:
                        raise FormatError(
                            f"sheet '{sheet.title}' has more than {MAX_ROWS} rows", path=name
                        )
                    rows.append((number, list(row)))
                sheets.append((str(sheet.title), rows))
        except FormatError:
            raise
        except Exception as exc:  # a corrupt sheet part
            raise FormatError(f"unreadable Excel workbook ({_describe(exc)})", path=name) from None
        finally:
            workbook.close()
    return sheets


def _describe(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__


__all__ = ["MAX_WEEKS", "import_xlsx", "read_xlsx", "write_xlsx"]
