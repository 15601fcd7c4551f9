"""MS Project XML as other writers leave it, and what the import dispatcher guarantees for
every format: the format told from the content however the file is laid out, a plan that
schedules or one error naming the file and the tasks, and the CLI's one-line error."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from jalon.engine import schedule
from jalon.engine.errors import FormatError
from jalon.engine.model import Plan
from jalon.io.importers import import_bytes, import_file
from jalon.io.report import ImportResult

DATA = Path(__file__).parent / "data"
ONLINE = DATA / "msproject" / "plm-rollout-online.xml"
TRELLO = DATA / "trello" / "conference-2026.json"
RAW = ONLINE.read_bytes()


def task(plan: Plan, uid: int) -> object:
    return plan.tasks[plan.task_index[uid]]


@pytest.fixture(scope="module")
def online() -> ImportResult:
    return import_file(ONLINE)


def test_fixture_leaves_out_what_other_writers_leave_out() -> None:
    text = RAW.decode("utf-8")
    for absent in ("<OutlineNumber>", "<UID>0</UID><ID>0</ID><Name>", "<FinishDate>"):
        assert absent not in text
    project_header = text.split("<Tasks>", 1)[0].split("<Calendars>", 1)[0]
    assert "<CalendarUID>" not in project_header
    assert text.count("<FieldName>") == 120
    assert "<CrossProject>1</CrossProject>" in text and "<IsNull>1</IsNull>" in text


def test_tasks_outline_and_values(online: ImportResult) -> None:
    plan = online.plan
    assert plan.name == "PLM roll-out — pilot sites"
    assert [t.uid for t in plan.tasks] == [11, 12, 13, 14, 15, 17, 18, 19]  # blank row 16 out
    assert [t.parent for t in plan.tasks] == [None, 11, 11, 11, 11, None, 17, 17]
    assert task(plan, 12).duration == 0 and task(plan, 19).duration == 0  # PT0H0M0S
    assert task(plan, 11).duration == 0  # a summary without <Duration>: it rolls up
    cleansing = task(plan, 14)
    assert cleansing.elapsed and cleansing.duration == 10 * 24 * 60  # 10 elapsed days
    assert not task(plan, 15).active
    assert plan.calendar == "Standard"  # no project CalendarUID: the base calendar


def test_report_counts_and_what_is_left_out(online: ImportResult) -> None:
    report = online.report
    assert (report.format, report.tasks, report.summary_tasks, report.milestones) == (
        "mspdi",
        8,
        2,
        2,
    )
    # the cross-project link is left out, the others kept (one with a 1-day lag)
    assert report.links == 6 and report.resources == 1 and report.assignments == 1
    assert "1 link to tasks of other projects" in report.ignored
    assert "120 custom fields (extended attributes)" in report.ignored


def test_schedules_like_ms_project(online: ImportResult) -> None:
    plan = online.plan
    result = schedule(plan)
    finish = {t.uid: result.tasks[i].finish for i, t in enumerate(plan.tasks)}
    start = {t.uid: result.tasks[i].start for i, t in enumerate(plan.tasks)}
    assert finish[13] == dt.datetime(2025, 3, 7, 17, 0)
    assert finish[14] == dt.datetime(2025, 3, 13, 8, 0)  # 240 calendar hours after Monday 8:00
    assert start[18] == dt.datetime(2025, 3, 14, 8, 0)  # the 1-day lag after the cleansing
    assert finish[19] == dt.datetime(2025, 3, 18, 17, 0)


def prefixed(data: bytes) -> bytes:
    """The same document with the namespace bound to a prefix (ns0:), as some XML tools
    re-serialise it."""
    text = data.decode("utf-8")
    text = text.replace(
        'xmlns="http://schemas.microsoft.com/project"',
        'xmlns:ns0="http://schemas.microsoft.com/project"',
    )
    text = re.sub(r"<(/?)(?!\?)([A-Za-z])", r"<\1ns0:\2", text)
    return text.encode("utf-8")


@pytest.mark.parametrize(
    ("variant", "data"),
    [
        ("namespace prefix", prefixed(RAW)),
        ("no namespace", RAW.replace(b' xmlns="http://schemas.microsoft.com/project"', b"")),
        ("UTF-8 BOM", b"\xef\xbb\xbf" + RAW),
        (
            "UTF-16 with BOM",
            b"\xff\xfe"
            + RAW.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16-le"),
        ),
        ("LF line ends", RAW.replace(b"\r\n", b"\n")),
    ],
)
def test_layout_variants_read_the_same(online: ImportResult, variant: str, data: bytes) -> None:
    got = import_bytes(data, "variant.xml")
    assert got.report.format == "mspdi", variant
    assert got.plan.tasks == online.plan.tasks, variant
    assert got.plan.links == online.plan.links, variant
    assert got.plan.assignments == online.plan.assignments, variant


def test_looping_links_are_one_error_naming_the_tasks() -> None:
    loop = RAW.replace(
        b"<Name>Pilot site readiness review</Name>",
        b"<Name>Pilot site readiness review</Name>"
        b"<PredecessorLink><PredecessorUID>18</PredecessorUID><Type>1</Type></PredecessorLink>",
    )
    with pytest.raises(FormatError) as info:
        import_bytes(loop, "loop.xml")
    text = str(info.value)
    assert text.startswith("loop.xml")
    assert "cycle" in text and "Train key users" in text and "Configure workflows" in text


def test_trello_board_with_a_long_history_is_told_from_its_content() -> None:
    board = json.loads(TRELLO.read_text(encoding="utf-8"))
    action = board["actions"][-1]
    board["actions"] = [dict(action, id=f"{i:024x}") for i in range(1000)] + board["actions"]
    data = json.dumps(board, indent=2).encode()
    assert data.index(b'"cards"') > 65536  # beyond the first bytes detection looks at
    assert import_bytes(data, "board.json").report.format == "trello"
    assert import_bytes(data, "export").report.format == "trello"


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("cut.xml", RAW[: len(RAW) // 2], "malformed XML"),
        ("cut.json", TRELLO.read_bytes()[:4000], "not valid JSON"),
        ("board.csv", b'Summary,Issue key,Issue Type\n"Open quote,P-1,Task\n', "not valid CSV"),
    ],
)
def test_cli_gives_one_line_for_a_bad_file(
    tmp_path: Path, name: str, data: bytes, expected: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    done = subprocess.run(
        [sys.executable, "-m", "jalon.cli.main", "import", str(path), "--dry-run", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert name in lines[0] and expected in lines[0] and "Traceback" not in lines[0]


def test_a_cut_primavera_xer_is_refused_not_read_in_part(shared_data: Path) -> None:
    files = sorted(shared_data.rglob("*.xer"))
    assert files
    for path in files:
        data = path.read_bytes()
        assert data.rstrip().endswith(b"%E"), path  # every real export ends with its marker
        cut = data[: len(data) * 2 // 3]
        with pytest.raises(FormatError) as info:
            import_bytes(cut, "cut.xer")  # refused before MPXJ (and Java) is started
        assert str(info.value).startswith("cut.xer: ") and "cut short" in str(info.value)
