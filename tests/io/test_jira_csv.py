"""Jira CSV exports: the fixtures in data/jira are laid out as Jira Cloud's "CSV (all
fields)" export writes them (80 columns, repeated names, Jira's date formats)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jalon.engine import schedule
from jalon.engine.errors import FormatError
from jalon.engine.model import ConstraintType, Plan
from jalon.io.importers import import_bytes
from jalon.io.jira_csv import read_jira_csv

DATA = Path(__file__).parent / "data" / "jira"
ENGLISH = DATA / "checkout-all-fields.csv"
FRENCH = DATA / "checkout-fr-dates.csv"


def read(data: bytes, name: str = "export.csv", **kw: object) -> Plan:
    return read_jira_csv(io.BytesIO(data), name, **kw).plan  # type: ignore[arg-type]


def table(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def to_csv(rows: list[list[str]], delimiter: str = ",") -> str:
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buf.getvalue()


def by_key(plan: Plan) -> dict[str, int]:
    meta = plan.metadata["jira"]["tasks"]
    return {m["key"]: int(uid) for uid, m in meta.items()}


def fixture_issues(path: Path) -> dict[str, dict[str, list[str]]]:
    """The fixture's rows as key -> column -> values, read with the csv module alone."""
    rows = table(path)
    header = rows[0]
    out: dict[str, dict[str, list[str]]] = {}
    for row in rows[1:]:
        cells: dict[str, list[str]] = {}
        for name, value in zip(header, row, strict=True):
            if value:
                cells.setdefault(name, []).append(value)
        out[cells["Issue key"][0]] = cells
    return out


@pytest.fixture(scope="module")
def english() -> Plan:
    return read(ENGLISH.read_bytes(), ENGLISH.name)


def test_fixtures_have_the_real_layout() -> None:
    header = table(ENGLISH)[0]
    assert len(header) >= 80
    for repeated in ("Labels", "Sprint", "Watchers", "Log Work", "Inward issue link (Blocks)"):
        assert header.count(repeated) >= 2, repeated


def test_hierarchy_epics_stories_and_subtasks(english: Plan) -> None:
    keys = by_key(english)
    issues = fixture_issues(ENGLISH)
    ids = {cells["Issue id"][0]: key for key, cells in issues.items()}
    for key, cells in issues.items():
        task = english.task(keys[key])
        parent_ref = cells.get("Parent", [""])[0]
        if parent_ref in ids:
            assert task.parent == keys[ids[parent_ref]], key
    summaries = {english.task(uid).name for uid in english.children}
    assert {"Payments", "Order tracking", "Refunds from the back office"} <= summaries
    # a story with sub-tasks rolls up: its own estimate is not a duration any more
    assert english.task(keys["CHK-4"]).duration == 0
    # CHK-11's epic is not in the export: a summary task stands in for it
    holder = english.task(english.task(keys["CHK-11"]).parent or 0)
    assert "Receipts" in holder.name and "CHK-99" in holder.name
    assert english.task(keys["CHK-12"]).parent is None


def test_parents_come_before_children_siblings_in_rank_order(english: Plan) -> None:
    keys = by_key(english)
    issues = fixture_issues(ENGLISH)
    position = {t.uid: i for i, t in enumerate(english.tasks)}
    payments = english.children[keys["CHK-1"]]
    ranks = [issues[english.metadata["jira"]["tasks"][str(u)]["key"]] for u in payments]
    assert [r["Custom field (Rank)"][0] for r in ranks] == sorted(
        r["Custom field (Rank)"][0] for r in ranks
    )
    for t in english.tasks:
        if t.parent is not None:
            assert position[t.parent] < position[t.uid]


def test_durations_from_estimates_points_or_default(english: Plan) -> None:
    keys = by_key(english)
    issues = fixture_issues(ENGLISH)
    for key in ("CHK-3", "CHK-5", "CHK-9"):  # seconds of work
        seconds = int(issues[key]["Original estimate"][0])
        assert english.task(keys[key]).duration == seconds // 60
    points = float(issues["CHK-8"]["Custom field (Story point estimate)"][0])
    assert english.task(keys["CHK-8"]).duration == points * 480  # 1 point = 1 day
    assert english.task(keys["CHK-6"]).duration == 480  # nothing: the default day
    doubled = read(ENGLISH.read_bytes(), days_per_point=0.5, default_days=2)
    assert doubled.task(keys["CHK-8"]).duration == points * 240
    assert doubled.task(keys["CHK-6"]).duration == 960


def test_progress_from_status_category(english: Plan) -> None:
    keys = by_key(english)
    done = english.task(keys["CHK-3"]).progress
    assert done.percent_complete == 100
    assert done.actual_finish == dt.datetime(2025, 9, 19, 16, 45)  # Resolved
    assert done.actual_start is not None and done.actual_start < done.actual_finish
    doing = english.task(keys["CHK-5"]).progress  # 2 h spent, 2 h remaining
    assert doing.actual_start == dt.datetime(2025, 10, 6, 9, 30)  # Status Category Changed
    assert doing.actual_finish is None
    assert doing.percent_complete == 50
    assert doing.remaining_minutes == 120
    todo = english.task(keys["CHK-8"]).progress
    assert todo.actual_start is None and todo.percent_complete == 0
    assert not english.task(keys["CHK-10"]).active  # resolved as Won't Do


def test_links_blocker_first_deduplicated(english: Plan) -> None:
    keys = by_key(english)
    pairs = {(link.predecessor, link.successor) for link in english.links}
    expected = {("CHK-3", "CHK-4"), ("CHK-3", "CHK-7"), ("CHK-8", "CHK-9")}
    assert pairs == {(keys[a], keys[b]) for a, b in expected}
    assert len(english.links) == len(pairs)


def test_resources_dates_metadata_and_report() -> None:
    result = read_jira_csv(io.BytesIO(ENGLISH.read_bytes()), ENGLISH.name)
    plan, report = result.plan, result.report
    keys = by_key(plan)
    assert sorted(r.name for r in plan.resources) == ["Alice Martin", "Bob Nguyen", "Chloé Dubois"]
    summaries = set(plan.children)
    assert all(a.task not in summaries for a in plan.assignments)
    bob = next(r.uid for r in plan.resources if r.name == "Bob Nguyen")
    assert {a.task for a in plan.assignments if a.resource == bob} == {keys["CHK-5"], keys["CHK-9"]}
    assert plan.task(keys["CHK-8"]).deadline == dt.datetime(2025, 11, 30, 17, 0)
    carrier = plan.task(keys["CHK-9"]).constraint
    assert carrier.type is ConstraintType.SNET and carrier.date == dt.datetime(2025, 11, 17)
    assert plan.start == dt.datetime(2025, 9, 2, 8, 0)  # the earliest Created day
    assert plan.status_date == dt.datetime(2025, 10, 20, 11, 2)  # the latest date in the file
    assert plan.name == "Checkout revamp"
    meta = plan.metadata["jira"]["tasks"][str(keys["CHK-4"])]
    assert meta["sprints"] == ["CHK Sprint 2", "CHK Sprint 3"]
    assert meta["type"] == "Story" and meta["story_points"] == 5
    assert plan.metadata["jira"]["tasks"][str(keys["CHK-3"])]["labels"] == ["backend", "payments"]
    assert "Pay by card" in plan.task(keys["CHK-3"]).notes

    assert report.format == "jira"
    assert report.tasks == len(plan.tasks) == 13  # 12 issues and a stand-in parent
    assert report.summary_tasks == 4
    assert (report.links, report.resources, report.assignments) == (3, 3, 5)  # summaries get none
    assert "column 'Watchers' (2 columns)" in report.ignored
    assert "column 'Σ Original Estimate'" in report.ignored
    assert not any("'Sprint'" in i or "'Labels'" in i for i in report.ignored)
    assert any("OPS-7" in w for w in report.warnings)


def test_french_locale_export_reads_the_same(english: Plan) -> None:
    french = read(FRENCH.read_bytes(), FRENCH.name)
    assert french.tasks == english.tasks
    assert french.links == english.links
    assert french.resources == english.resources
    assert french.start == english.start and french.status_date == english.status_date


def test_excel_resave_semicolons_and_windows_1252(english: Plan) -> None:
    text = to_csv(table(FRENCH), delimiter=";")  # Excel writes "?" for what cp1252 lacks (Σ)
    result = read_jira_csv(io.BytesIO(text.encode("cp1252", "replace")), "resaved.csv")
    assert result.plan.tasks == english.tasks
    assert any("Windows-1252" in w for w in result.report.warnings)
    utf16 = read(("\ufeff" + to_csv(table(ENGLISH), delimiter="\t")).encode("utf-16-le"))
    assert utf16.tasks == english.tasks


def test_registry_detects_and_reads_jira() -> None:
    result = import_bytes(ENGLISH.read_bytes(), "whatever.csv")
    assert result.report.format == "jira"
    assert result.report.tasks == 13


def small(rows: list[list[str]]) -> bytes:
    header = ["Summary", "Issue key", "Issue id", "Issue Type", "Status", "Created"]
    return to_csv([header, *rows]).encode()


def test_numeric_dates_take_one_order_per_file() -> None:
    us = read(small([["A", "P-1", "1", "Task", "To Do", "6/21/2025 4:14 PM"]]))
    assert us.start.date() == dt.date(2025, 6, 21)
    eu_rows = [
        ["A", "P-1", "1", "Task", "To Do", "03/04/2025 16:14"],
        ["B", "P-2", "2", "Task", "To Do", "21/04/2025 09:00"],  # 21: the day comes first
    ]
    eu = read(small(eu_rows))
    assert eu.start.date() == dt.date(2025, 4, 3)
    given_format = read(
        small([["A", "P-1", "1", "Task", "To Do", "2025.04.03"]]), date_format="%Y.%m.%d"
    )
    assert given_format.start.date() == dt.date(2025, 4, 3)


def test_other_locales_month_names_and_french_headers() -> None:
    header = ["Résumé", "Clé de ticket", "Type de ticket", "État", "Created"]
    rows = [
        ["Recette", "P-1", "Tâche", "En cours", "22/Okt/25 15:04"],
        ["Bascule", "P-2", "Tâche", "À faire", "3/déc./25 09:30"],
    ]
    plan = read(to_csv([header, *rows]).encode())
    assert [t.name for t in plan.tasks] == ["Recette", "Bascule"]
    assert plan.start == dt.datetime(2025, 10, 22, 8, 0)
    assert plan.tasks[0].progress.actual_start == dt.datetime(2025, 10, 22, 15, 4)


def test_minimal_export_guesses_progress_from_status() -> None:
    result = read_jira_csv(
        io.BytesIO(small([["A", "P-1", "1", "Task", "Closed", "01/Oct/25 9:00 AM"]])), "min.csv"
    )
    assert result.plan.tasks[0].progress.percent_complete == 100
    assert any("Status Category" in w for w in result.report.warnings)


def test_blocking_loop_is_cut_and_the_plan_schedules() -> None:
    header = ["Summary", "Issue key", "Issue Type", "Outward issue link (Blocks)", "Created"]
    rows = [
        ["A", "P-1", "Task", "P-2", "01/Oct/25 9:00 AM"],
        ["B", "P-2", "Task", "P-3", "01/Oct/25 9:00 AM"],
        ["C", "P-3", "Task", "P-1", "01/Oct/25 9:00 AM"],
    ]
    result = read_jira_csv(io.BytesIO(to_csv([header, *rows]).encode()), "loop.csv")
    assert len(result.plan.links) == 2
    assert any("loop" in w for w in result.report.warnings)
    schedule(result.plan)


def test_parent_loop_is_cut() -> None:
    header = ["Summary", "Issue key", "Issue Type", "Parent key"]
    rows = [["A", "P-1", "Story", "P-2"], ["B", "P-2", "Story", "P-1"]]
    result = read_jira_csv(io.BytesIO(to_csv([header, *rows]).encode()), "loop.csv")
    assert len(result.plan.tasks) == 2
    assert any("loop" in w for w in result.report.warnings)


def message(data: bytes, name: str = "bad.csv") -> str:
    with pytest.raises(FormatError) as info:
        read_jira_csv(io.BytesIO(data), name)
    return str(info.value)


def test_missing_column_names_the_column_and_the_file() -> None:
    rows = table(ENGLISH)
    col = rows[0].index("Issue Type")
    text = to_csv([[c for i, c in enumerate(r) if i != col] for r in rows])
    got = message(text.encode(), "export.csv")
    assert got.startswith("export.csv:1:") and "'Issue Type'" in got


def test_truncated_file_names_the_row() -> None:
    data = ENGLISH.read_bytes()
    cut = data.index(b"Customers see where")  # inside a quoted, multi-line description
    got = message(data[:cut], "cut.csv")
    assert "cut.csv" in got and "row 6" in got


def test_bad_values_name_row_and_column() -> None:
    got = message(small([["A", "P-1", "1", "Task", "To Do", "32/Oct/25 9:00 AM"]]))
    assert "row 2" in got and "'Created'" in got and "32/Oct/25" in got
    got = message(
        small([["A", "P-1", "1", "Task", "To Do", ""], ["B", "P-1", "2", "Task", "", ""]])
    )
    assert "row 3" in got and "P-1" in got
    header = ["Summary", "Issue key", "Issue Type", "Original Estimate"]
    got = message(to_csv([header, ["A", "P-1", "Task", "3h"]]).encode())
    assert "'Original Estimate'" in got and "'3h'" in got
    assert "not a Jira CSV export" in message(b'{"cards": [], "lists": []}', "board.json")
    assert "empty" in message(b"", "empty.csv")


# -- fuzzing: only FormatError may come out -------------------------------------------------

FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)


def only_format_errors(data: bytes) -> None:
    try:
        result = read_jira_csv(io.BytesIO(data), "fuzz.csv")
    except FormatError:
        return
    assert result.report.tasks == len(result.plan.tasks)


@FUZZ
@given(st.binary(max_size=2000))
def test_fuzz_random_bytes(data: bytes) -> None:
    only_format_errors(data)


SEED = ENGLISH.read_bytes()


@FUZZ
@given(
    st.lists(
        st.tuples(st.integers(0, len(SEED) - 1), st.integers(0, 255), st.sampled_from("rid")),
        min_size=1,
        max_size=8,
    )
)
def test_fuzz_mutated_export(edits: list[tuple[int, int, str]]) -> None:
    data = bytearray(SEED)
    for pos, byte, how in edits:
        pos %= max(len(data), 1)
        if how == "r" and data:
            data[pos] = byte
        elif how == "i":
            data.insert(pos, byte)
        elif data:
            del data[pos : pos + byte]
    only_format_errors(bytes(data))


TEXT_ROWS = table(ENGLISH)


@FUZZ
@given(
    st.integers(1, len(TEXT_ROWS) - 1),
    st.integers(0, len(TEXT_ROWS[0]) - 1),
    st.text(max_size=30),
)
def test_fuzz_mutated_cells(row: int, col: int, value: str) -> None:
    rows = [list(r) for r in TEXT_ROWS]
    rows[row][col] = value
    only_format_errors(to_csv(rows).encode())


def test_each_fixture_schedules() -> None:
    for path in (ENGLISH, FRENCH):
        plan = read(path.read_bytes(), path.name)
        result = schedule(plan)
        finish = max(t.finish for t in result.tasks)
        # work not done yet is scheduled after the status date
        todo = by_key(plan)["CHK-8"]
        assert result.tasks[plan.task_index[todo]].start >= (plan.status_date or plan.start)
        assert finish > (plan.status_date or plan.start)
