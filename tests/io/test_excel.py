"""Excel workbooks: what write_xlsx lays out, and read_xlsx on sheets people make."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import itertools
import zipfile
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jalon.engine.cpm import schedule
from jalon.engine.errors import FormatError
from jalon.engine.model import (
    Assignment,
    ConstraintType,
    LagKind,
    Link,
    LinkType,
    Plan,
    Resource,
    Task,
)
from jalon.engine.results import Schedule
from jalon.io.excel import MAX_WEEKS, read_xlsx, write_xlsx
from jalon.io.task_table import EXPORT_HEADERS

START = dt.datetime(2025, 3, 3, 8)


def sample_plan() -> Plan:
    from jalon.engine.model import Lag

    return Plan(
        name="Website",
        start=START,
        tasks=(
            Task(1, "Design", 0),
            Task(2, "Wireframes", 2400, parent=1),
            Task(3, "Mock-ups", 1440, parent=1),
            Task(4, "Build", 0),
            Task(5, "Front end", 4800, parent=4),
            Task(6, "Back end", 3840, parent=4),
            Task(7, "=Launch", 0),  # a name a spreadsheet would take for a formula
        ),
        links=(
            Link(2, 3),
            Link(3, 5, LinkType.FS, Lag(960, LagKind.WORK)),
            Link(3, 6, LinkType.SS),
            Link(5, 7),
            Link(6, 7),
        ),
        resources=(
            Resource(1, "Alice", standard_rate=50.0),
            Resource(2, "Bob", standard_rate=40.0, cost_per_use=100.0),
        ),
        assignments=(
            Assignment(2, 1),
            Assignment(3, 1, units=0.5),
            Assignment(5, 2),
            Assignment(6, 1),
            Assignment(6, 2, units=0.5),
        ),
    )


def export(plan: Plan) -> tuple[bytes, Schedule]:
    result = schedule(plan)
    out = io.BytesIO()
    write_xlsx(plan, result, out)
    return out.getvalue(), result


def load(data: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(data))


def workbook(rows: list[list[Any]], title: str = "Plan") -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read(data: bytes, name: str = "plan.xlsx") -> Any:
    return read_xlsx(io.BytesIO(data), name)


# -- writing ------------------------------------------------------------------------------


def test_the_sheet_has_one_row_per_task_with_the_schedule() -> None:
    plan = sample_plan()
    data, result = export(plan)
    sheet = load(data)["Tasks"]
    headers = [c.value for c in sheet[1][: len(EXPORT_HEADERS)]]
    assert headers == list(EXPORT_HEADERS)
    for r, st_task in enumerate(result.tasks, start=2):
        row = [c.value for c in sheet[r][: len(EXPORT_HEADERS)]]
        assert row[3] == st_task.name
        assert row[5] == st_task.start and row[6] == st_task.finish
        assert row[2] == st_task.outline_level
        assert row[12] is bool(st_task.critical)
        assert row[4] == pytest.approx(st_task.duration / plan.minutes_per_day)
        assert row[10] == pytest.approx(st_task.total_float / plan.minutes_per_day)
    # names stay text, even one that starts with '='
    assert sheet.cell(8, 4).value == "=Launch"
    assert sheet.cell(8, 4).data_type == "s"


def test_costs_are_work_times_rate_plus_cost_per_use_rolled_up() -> None:
    plan = sample_plan()
    data, result = export(plan)
    sheet = load(data)["Tasks"]
    hours = {t.uid: t.duration / 60 for t in result.tasks}
    expected = {
        2: hours[2] * 50,
        3: hours[3] * 0.5 * 50,
        5: hours[5] * 40 + 100,
        6: hours[6] * 50 + hours[6] * 0.5 * 40 + 100,
    }
    expected[1] = expected[2] + expected[3]
    expected[4] = expected[5] + expected[6]
    for r, task in enumerate(plan.tasks, start=2):
        assert sheet.cell(r, 14).value == pytest.approx(expected.get(task.uid, 0.0), abs=0.01)


def test_outline_groups_filters_frozen_header_and_totals() -> None:
    plan = sample_plan()
    data, result = export(plan)
    sheet = load(data)["Tasks"]
    last = len(plan.tasks) + 1
    assert sheet.freeze_panes == "E2"
    assert sheet.auto_filter.ref == f"A1:N{last}"
    levels = {r: sheet.row_dimensions[r].outline_level for r in range(2, last + 1)}
    assert levels == {r: t.outline_level - 1 for r, t in enumerate(result.tasks, start=2)}
    total = last + 1
    assert sheet.cell(total, 4).value == "Total"
    assert sheet.cell(total, 6).value == f"=MIN(F2:F{last})"
    assert sheet.cell(total, 7).value == f"=MAX(G2:G{last})"
    assert sheet.cell(total, 14).value == f"=SUMIF(C2:C{last},1,N2:N{last})"
    # the values the formulas stand for are cached for readers that do not compute
    values = openpyxl.load_workbook(io.BytesIO(data), data_only=True)["Tasks"]
    assert values.cell(total, 6).value == min(t.start for t in result.tasks)
    assert values.cell(total, 7).value == max(t.finish for t in result.tasks)
    top = sum(values.cell(r, 14).value for r in range(2, last + 1) if values.cell(r, 3).value == 1)
    assert values.cell(total, 14).value == pytest.approx(top)


def test_the_gantt_band_has_a_column_per_week_and_two_rules() -> None:
    plan = sample_plan()
    data, result = export(plan)
    sheet = load(data)["Tasks"]
    first = len(EXPORT_HEADERS) + 1
    weeks = []
    col = first
    while sheet.cell(1, col).value is not None:
        weeks.append(sheet.cell(1, col).value)
        col += 1
    start = min(t.start for t in result.tasks)
    finish = max(t.finish for t in result.tasks)
    assert weeks[0].weekday() == 0 and weeks[0] <= start < weeks[0] + dt.timedelta(days=7)
    assert weeks[-1] <= finish < weeks[-1] + dt.timedelta(days=7)
    assert all(b - a == dt.timedelta(days=7) for a, b in itertools.pairwise(weeks))
    rules = [rule for cf in sheet.conditional_formatting for rule in cf.rules]
    formulas = [rule.formula[0] for rule in rules]
    assert len(rules) == 2
    assert "$M2" in formulas[0] and rules[0].stopIfTrue  # critical tasks first, in red
    assert all("O$1<=$G2" in f and "O$1+7>$F2" in f for f in formulas)


def test_a_long_plan_keeps_a_readable_band() -> None:
    plan = Plan(name="long", start=START, tasks=(Task(1, "Years", 480 * 260 * 5),))
    data, _ = export(plan)
    sheet = load(data)["Tasks"]
    assert sheet.cell(1, len(EXPORT_HEADERS) + MAX_WEEKS).value is not None
    assert sheet.cell(1, len(EXPORT_HEADERS) + MAX_WEEKS + 1).value is None


def test_an_empty_plan_writes_a_header_only() -> None:
    data, _ = export(Plan(name="empty", start=START))
    sheet = load(data)["Tasks"]
    assert sheet.max_row == 1
    with pytest.raises(FormatError, match="no sheet has a header row"):
        read(workbook([["Nothing", "here"]]))


# -- reading back ------------------------------------------------------------------------


def test_a_written_workbook_reads_back_to_the_same_schedule() -> None:
    plan = sample_plan()
    data, result = export(plan)
    back = read(data, "website.xlsx")
    assert back.report.format == "xlsx"
    assert [t.name for t in back.plan.tasks] == [t.name for t in plan.tasks]
    assert len(back.plan.links) == len(plan.links)
    assert {(a.task, a.units) for a in back.plan.assignments} == {
        (a.task, a.units) for a in plan.assignments
    }
    again = schedule(back.plan)
    assert [(t.start, t.finish) for t in again.tasks] == [(t.start, t.finish) for t in result.tasks]
    assert any("Total float" in i for i in back.report.ignored)
    assert any("totals row" in i for i in back.report.ignored)


def test_a_french_sheet_with_title_rows_and_ms_project_links() -> None:
    data = workbook(
        [
            ["Planning du projet ERP"],
            [],
            ["N°", "Niveau", "Nom de la tâche", "Durée", "Début", "Prédécesseurs", "Ressources"],
            [1, 1, "Cadrage", None, None, None, None],
            [2, 2, "Atelier", "2 jours", dt.datetime(2025, 3, 3), None, "Alice[50%]"],
            [3, 2, "Note de cadrage", "1,5j", None, "2FD+1j", "Alice; Bob"],
            [4, 1, "Jalon COPIL", "0j", None, "3DD", None],
            [5, 1, "Recette", "1 sem", dt.datetime(2025, 3, 17), None, None],
        ]
    )
    result = read(data)
    plan = result.plan
    assert [t.name for t in plan.tasks] == [
        "Cadrage",
        "Atelier",
        "Note de cadrage",
        "Jalon COPIL",
        "Recette",
    ]
    assert [t.parent for t in plan.tasks] == [None, 1, 1, None, None]
    assert [t.duration for t in plan.tasks] == [0, 960, 720, 0, 2400]
    link = {(k.predecessor, k.successor): k for k in plan.links}
    assert link[(2, 3)].type is LinkType.FS and link[(2, 3)].lag.value == 480
    assert link[(3, 4)].type is LinkType.SS
    assert plan.start == dt.datetime(2025, 3, 3, 8)
    # a date typed on a task nothing drives is kept as 'start no earlier than'
    assert plan.task(5).constraint.type is ConstraintType.SNET
    assert plan.task(5).constraint.date == dt.datetime(2025, 3, 17, 8)
    assert [(a.task, a.units) for a in plan.assignments] == [(2, 0.5), (3, 1.0), (3, 1.0)]
    assert [r.name for r in plan.resources] == ["Alice", "Bob"]
    assert result.report.milestones == 1


def test_the_table_is_taken_from_the_first_sheet_that_has_one() -> None:
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    first.title = "Notes"
    first.append(["Read me first"])
    second = book.create_sheet("Tâches")
    second.append(["Task", "Duration"])
    second.append(["Only task", 3])
    out = io.BytesIO()
    book.save(out)
    plan = read(out.getvalue()).plan
    assert [(t.name, t.duration) for t in plan.tasks] == [("Only task", 3 * 480)]


def test_outline_from_wbs_codes_and_links_by_wbs() -> None:
    data = workbook(
        [
            ["WBS", "Name", "Duration", "Predecessors"],
            ["1", "Phase", None, None],
            ["1.1", "A", "2d", None],
            ["1.2", "B", "1d", "1.1"],
            ["2", "C", "3d", "1"],
        ]
    )
    plan = read(data).plan
    assert [t.parent for t in plan.tasks] == [None, 1, 1, None]
    assert {(k.predecessor, k.successor) for k in plan.links} == {(2, 3), (1, 4)}


def test_errors_name_the_sheet_the_cell_and_the_column() -> None:
    data = workbook(
        [
            ["Name", "Duration", "Predecessors", "Start"],
            ["A", "2 days", None, "soon"],
            ["B", "five", "9", None],
            ["", "1d", None, None],
        ]
    )
    with pytest.raises(FormatError) as caught:
        read(data, "bad.xlsx")
    text = str(caught.value)
    assert text.startswith("bad.xlsx:2: 4 problems")
    assert "sheet 'Plan', cell D2 (Start): cannot read 'soon' as a date" in text
    assert "cell B3 (Duration): cannot read 'five' as a duration" in text
    assert "cell C3 (Predecessors): no task has the ID or WBS '9'" in text
    assert "cell A4 (Name): a task needs a name" in text


def test_cycles_and_links_to_a_summary_are_refused() -> None:
    cycle = workbook([["Name", "Duration", "Predecessors"], ["A", 1, "2"], ["B", 1, "1"]])
    with pytest.raises(FormatError, match=r"cycle \(rows 2 -> 3 -> 2\)|cycle \(rows 3 -> 2 -> 3\)"):
        read(cycle)
    own = workbook(
        [["Level", "Name", "Duration", "Predecessors"], [1, "P", None, None], [2, "A", 1, "1"]]
    )
    with pytest.raises(FormatError, match="summary task cannot be linked to its own subtask"):
        read(own)


def test_not_a_workbook() -> None:
    with pytest.raises(FormatError, match="not a valid zip"):
        read(b"hello")
    with pytest.raises(FormatError, match=r"\.xls workbook"):
        read(b"\xd0\xcf\x11\xe0" + bytes(100))
    with pytest.raises(FormatError, match="empty"):
        read(b"")
    other = io.BytesIO()
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("word/document.xml", "<w/>")
    with pytest.raises(FormatError, match=r"no xl/workbook\.xml"):
        read(other.getvalue())


# -- fuzzing: only FormatError may come out ----------------------------------------------

_SEED = export(sample_plan())[0]
_cells = st.one_of(
    st.none(),
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12),
    st.integers(-5, 5000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2200, 1, 1)),
    st.sampled_from(["3FS+2d", "1;2", "2,3", "1.1", "5j", "Alice[50%]", "50%", "x[", "1FD-1,5j"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    header=st.permutations(["Name", "Durée", "Start", "Predecessors", "Resources", "Level"]),
    rows=st.lists(st.lists(_cells, min_size=6, max_size=6), max_size=6),
)
def test_random_cells_give_only_format_errors(header: list[str], rows: list[list[Any]]) -> None:
    data = workbook([header, *rows])
    with contextlib.suppress(FormatError):
        result = read(data)
        schedule(result.plan)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    edits=st.lists(
        st.tuples(st.integers(0, len(_SEED)), st.binary(min_size=1, max_size=8)),
        min_size=1,
        max_size=4,
    ),
)
def test_mutated_workbooks_give_only_format_errors(edits: list[tuple[int, bytes]]) -> None:
    data = bytearray(_SEED)
    for position, chunk in edits:
        data[position : position + len(chunk)] = chunk
    with contextlib.suppress(FormatError):
        read(bytes(data))
