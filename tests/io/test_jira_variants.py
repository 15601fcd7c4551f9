"""Jira exports as other setups write them: Data Center with Epic Link / Epic Name /
Sub-tasks, the same file saved again by a French Excel, and a Cloud team-managed project
exported in pages pasted together. Each fixture in data/jira is written the way that setup
writes it; the expectations come from reading the fixture with the csv module alone."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jalon.engine import schedule
from jalon.engine.errors import FormatError
from jalon.engine.model import Plan
from jalon.io.importers import import_file
from jalon.io.jira_csv import read_jira_csv
from jalon.io.report import ImportResult

DATA = Path(__file__).parent / "data" / "jira"
SERVER = DATA / "erp-server-dc.csv"
RESAVED = DATA / "erp-excel-fr-resave.csv"
PAGES = DATA / "mobile-team-managed-pages.csv"


def rows_of(path: Path, encoding: str = "utf-8-sig", delimiter: str = ",") -> list[list[str]]:
    with path.open(encoding=encoding, newline="") as f:
        return list(csv.reader(f, delimiter=delimiter))


def to_csv(rows: list[list[str]]) -> bytes:
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode()


def read(data: bytes, name: str = "export.csv") -> ImportResult:
    return read_jira_csv(io.BytesIO(data), name)


def uid_of(plan: Plan) -> dict[str, int]:
    return {m["key"]: int(uid) for uid, m in plan.metadata["jira"]["tasks"].items()}


def parent_key(plan: Plan, key: str) -> str | None:
    """The key (or, for a stand-in, the name) of the task above ``key``'s task."""
    task = plan.tasks[plan.task_index[uid_of(plan)[key]]]
    if task.parent is None:
        return None
    meta = plan.metadata["jira"]["tasks"][str(task.parent)]
    return str(meta["key"])


# -- Data Center: Epic Link, Epic Name, Parent id, Sub-tasks, ISO dates ------------------------


@pytest.fixture(scope="module")
def server() -> ImportResult:
    return import_file(SERVER)


def test_server_fixture_has_the_data_center_layout() -> None:
    header = rows_of(SERVER)[0]
    for column in (
        "Custom field (Epic Link)",
        "Custom field (Epic Name)",
        "Sub-tasks",
        "Parent id",
    ):
        assert column in header
    assert "Status Category" not in header and "Parent" not in header
    assert header.count("Outward issue link (Blocks)") == 2


def test_epic_link_by_key_and_by_epic_name(server: ImportResult) -> None:
    plan = server.plan
    for story in ("ERP-104", "ERP-105", "ERP-106"):
        assert parent_key(plan, story) == "ERP-101"
    # an Epic Link holding the epic's name, as older servers export it
    assert parent_key(plan, "ERP-131") == "ERP-130"
    # sub-tasks under their story through "Parent id" (a numeric issue id)
    assert parent_key(plan, "ERP-111") == parent_key(plan, "ERP-112") == "ERP-105"
    # an epic that is not in the export stands in as a summary named by its key
    assert parent_key(plan, "ERP-140") == "ERP-90"
    assert any("ERP-90" in w for w in server.report.warnings)
    assert not any("Cut-over" in w for w in server.report.warnings)


def test_sub_tasks_column_gives_the_parent_when_parent_id_is_gone() -> None:
    rows = rows_of(SERVER)
    col = rows[0].index("Parent id")
    plan = read(to_csv([[c for i, c in enumerate(r) if i != col] for r in rows])).plan
    assert parent_key(plan, "ERP-111") == parent_key(plan, "ERP-112") == "ERP-105"


def test_server_report_counts_and_iso_dates(server: ImportResult) -> None:
    report, plan = server.report, server.plan
    issues = len(rows_of(SERVER)) - 1
    assert report.tasks == issues + 1  # and the stand-in for ERP-90
    assert report.summary_tasks == 4  # two epics, a story with sub-tasks, the stand-in
    assert report.links == 3  # 104 -> 105, 106 -> 105, 105 -> 131 (Relates left out)
    assert report.resources == 4  # "Unassigned" is nobody
    assert plan.start == dt.datetime(2025, 4, 7, 8, 0)
    uids = uid_of(plan)
    done = plan.tasks[plan.task_index[uids["ERP-104"]]]
    assert done.progress.actual_finish == dt.datetime(2025, 5, 2, 15, 30)
    assert done.duration == 86400 // 60
    doing = plan.tasks[plan.task_index[uids["ERP-112"]]]
    assert doing.progress.percent_complete == pytest.approx(33.3)
    assert doing.progress.remaining_minutes == 960
    freeze = plan.tasks[plan.task_index[uids["ERP-131"]]]
    assert freeze.deadline == dt.datetime(2025, 7, 4, 17, 0)
    for column in ("Custom field (Epic Name)", "Sub-tasks", "Custom field (Epic Link)"):
        assert not any(column in i for i in report.ignored)
    assert any("Custom field (Epic Colour)" in i for i in report.ignored)
    schedule(plan)


def test_report_as_json(server: ImportResult) -> None:
    data = server.report.to_json()
    assert data["format"] == "jira" and data["tasks"] == 10 and data["links"] == 3


# -- the same file saved by a French Excel: ';', Windows-1252, dd/mm/yyyy, decimal comma ------


def test_excel_resave_reads_like_the_original(server: ImportResult) -> None:
    resaved = import_file(RESAVED)
    assert b";" in RESAVED.read_bytes().split(b"\r\n", 1)[0]
    assert any("Windows-1252" in w for w in resaved.report.warnings)
    a, b = server.plan, resaved.plan
    assert [(t.name, t.parent) for t in a.tasks] == [(t.name, t.parent) for t in b.tasks]
    assert a.links == b.links and a.resources == b.resources and a.start == b.start
    uids = uid_of(b)
    # "2,5" story points: 2.5 days of work
    assert b.tasks[b.task_index[uids["ERP-106"]]].duration == 1200
    for key in ("ERP-104", "ERP-112", "ERP-131"):
        ta, tb = a.tasks[a.task_index[uids[key]]], b.tasks[b.task_index[uids[key]]]
        assert (ta.duration, ta.progress, ta.deadline) == (tb.duration, tb.progress, tb.deadline)
    assert b.tasks[b.task_index[uids["ERP-104"]]].name == "Extract accounts from the old CRM"
    assert b.resources[0].name == "Marc Lefèvre"  # é read back from Windows-1252


# -- Cloud team-managed, exported in pages pasted together ----------------------------------


@pytest.fixture(scope="module")
def pages() -> ImportResult:
    return import_file(PAGES)


def test_pasted_pages_header_skipped_repeated_issue_read_once(pages: ImportResult) -> None:
    data = PAGES.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\xef\xbb\xbfSummary,") == 2
    plan, warnings = pages.plan, pages.report.warnings
    keys = [m["key"] for m in plan.metadata["jira"]["tasks"].values()]
    assert sorted(keys) == ["MOB-20", "MOB-22", "MOB-23", "MOB-24", "MOB-30", "MOB-31"]
    assert any("repeats the header" in w for w in warnings)
    assert any("MOB-30" in w and "more than once" in w for w in warnings)
    # the later export of MOB-30 wins: it was done by then
    dark = plan.tasks[plan.task_index[uid_of(plan)["MOB-30"]]]
    assert dark.progress.percent_complete == 100
    assert dark.progress.actual_finish == dt.datetime(2025, 9, 17, 10, 5)
    # its team-given start date is when the work began
    assert dark.progress.actual_start == dt.datetime(2025, 9, 8)


def test_children_before_their_epic_go_under_it(pages: ImportResult) -> None:
    plan = pages.plan
    for key in ("MOB-22", "MOB-23", "MOB-24"):
        assert parent_key(plan, key) == "MOB-20"
    order = [plan.metadata["jira"]["tasks"][str(t.uid)]["key"] for t in plan.tasks]
    assert order.index("MOB-20") < order.index("MOB-22")
    assert pages.report.summary_tasks == 1
    epic = plan.tasks[plan.task_index[uid_of(plan)["MOB-20"]]]
    assert epic.deadline == dt.datetime(2025, 9, 30, 17, 0)  # a due date without a time


def test_story_point_estimate_and_empty_estimate_cells(pages: ImportResult) -> None:
    plan = pages.plan
    uids = uid_of(plan)
    assert plan.tasks[plan.task_index[uids["MOB-23"]]].duration == 3 * 480
    assert plan.tasks[plan.task_index[uids["MOB-31"]]].duration == 14400 // 60
    assert any("story points" in w for w in pages.report.warnings)


def test_blocking_loop_and_outside_links_are_warnings_naming_issues(pages: ImportResult) -> None:
    plan, warnings = pages.plan, pages.report.warnings
    uids = uid_of(plan)
    pairs = {(link.predecessor, link.successor) for link in plan.links}
    # MOB-22 and MOB-23 block each other: the link that closes the loop is left out
    assert (uids["MOB-22"], uids["MOB-23"]) in pairs
    assert (uids["MOB-23"], uids["MOB-22"]) not in pairs
    loop = next(w for w in warnings if "loop" in w)
    assert "MOB-22" in loop and "MOB-23" in loop
    assert any("WEB-812" in w and "not in the export" in w for w in warnings)
    assert pages.report.links == len(plan.links) == 3
    result = schedule(plan)
    assert result.tasks[plan.task_index[uids["MOB-24"]]].start >= dt.datetime(2025, 9, 17)


def test_same_key_with_two_ids_is_an_error_naming_both_rows() -> None:
    rows = rows_of(PAGES)
    col = rows[0].index("Issue id")
    dup = next(i for i, r in enumerate(rows) if i > 5 and r[1] == "MOB-30")
    rows[dup][col] = "99999"
    with pytest.raises(FormatError) as info:
        read(to_csv(rows), "two-sites.csv")
    text = str(info.value)
    assert "two-sites.csv" in text and "MOB-30" in text and f"row {dup + 1}" in text
    assert "row 5" in text and "99999" in text


def test_exact_duplicate_rows_are_read_once() -> None:
    rows = rows_of(SERVER)
    result = read(to_csv([*rows, rows[3]]))
    assert result.report.tasks == len(rows)  # the issues and the stand-in for ERP-90
    assert any("ERP-105" in w and "more than once" in w for w in result.report.warnings)


# -- fuzzing the variants: only FormatError may come out ------------------------------------

SEEDS = [rows_of(SERVER), rows_of(PAGES)]


@settings(max_examples=150, deadline=None, database=None)
@given(
    st.integers(0, 1),
    st.integers(1, 100),
    st.integers(0, 100),
    st.one_of(
        st.text(max_size=20),
        st.sampled_from(["?", "#1", "ERP-101", "20105", "MOB-20", "Cut-over", "Summary", "x"]),
    ),
)
def test_fuzz_mutated_cells_of_the_variants(seed: int, row: int, col: int, value: str) -> None:
    rows = [list(r) for r in SEEDS[seed]]
    row %= len(rows)
    col %= len(rows[row])
    rows[row][col] = value
    try:
        result = read(to_csv(rows), "fuzz.csv")
    except FormatError:
        return
    assert result.report.tasks == len(result.plan.tasks)
