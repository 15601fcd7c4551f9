"""Trello board exports: the real boards in ../shared/data/trello and a fixture laid out
as Trello writes its JSON export (archived cards and lists, checklists, the history)."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jalon.engine import schedule
from jalon.engine.errors import FormatError
from jalon.engine.model import ConstraintType, Plan
from jalon.io.importers import import_bytes
from jalon.io.report import ImportResult
from jalon.io.trello_json import read_trello_json

FIXTURE = Path(__file__).parent / "data" / "trello" / "website-relaunch.json"
SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"  # as in conftest.py
REAL = sorted((SHARED_DATA / "trello").rglob("*.json")) if SHARED_DATA.is_dir() else []


def read(data: bytes | dict[str, Any], name: str = "board.json", **kw: Any) -> ImportResult:
    if isinstance(data, dict):
        data = json.dumps(data).encode()
    return read_trello_json(io.BytesIO(data), name, **kw)


def board() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return loaded


def named(plan: Plan) -> dict[str, int]:
    return {t.name: t.uid for t in plan.tasks}


@pytest.mark.parametrize("path", REAL, ids=[p.parent.name for p in REAL])
def test_real_boards(path: Path) -> None:
    raw = json.loads(path.read_text(encoding="utf-8"))
    result = read(path.read_bytes(), str(path))
    plan = result.plan
    meta = plan.metadata["trello"]["tasks"]
    open_lists = {lst["id"]: lst["name"] for lst in raw["lists"] if not lst["closed"]}
    open_cards = [c for c in raw["cards"] if not c["closed"] and c["idList"] in open_lists]
    cards = [int(uid) for uid, m in meta.items() if m["kind"] == "card"]
    assert sorted(plan.task(uid).name for uid in cards) == sorted(c["name"] for c in open_cards)
    for uid in cards:  # each card sits under the summary task of its list
        parent = plan.task(uid).parent
        assert parent is not None and plan.task(parent).name == meta[str(uid)]["list"]
    items = sum(len(cl["checkItems"]) for cl in raw["checklists"])
    assert result.report.tasks == len(cards) + len({meta[str(u)]["list"] for u in cards}) + items
    assert plan.name == raw["name"]
    on_cards = {m for c in open_cards for m in c["idMembers"]}
    assert len(plan.resources) == len(on_cards)
    schedule(plan)


def test_real_board_checklist_and_due_date() -> None:
    path = SHARED_DATA / "trello" / "trello-notes" / "test-board-export.json"
    if not path.is_file():
        pytest.skip("the trello-notes board is not in the shared data")
    plan = read(path.read_bytes()).plan
    uids = named(plan)
    card = plan.task(uids["Foobar Card"])
    assert card.deadline == dt.datetime(2025, 4, 5, 16, 0)  # UTC, as Trello writes it
    assert plan.children[card.uid] == [uids["item1"], uids["item2"]]
    assert plan.task(uids["item1"]).progress.percent_complete == 100
    assert plan.task(uids["item2"]).progress.percent_complete == 0
    assert "foo card's description" in plan.task(uids["Foo Card"]).notes


def test_lists_in_board_order_cards_under_them() -> None:
    plan = read(board()).plan
    top = [plan.task(uid).name for uid in plan.top_level]
    assert top == ["Backlog", "Doing", "Done"]  # by position; "Blocked" has no cards
    uids = named(plan)
    assert plan.children[uids["Backlog"]] == [uids["Front-end build"], uids["Go-live"]]


def test_archived_left_out_and_reported_unless_asked() -> None:
    result = read(board())
    names = set(named(result.plan))
    assert not names & {"Flash intro animation", "Chatbot", "Old ideas"}
    ignored = " | ".join(result.report.ignored)
    assert "Flash intro animation" in ignored and "Chatbot" in ignored and "Old ideas" in ignored
    assert "'Blocked'" in ignored  # a list without cards
    everything = read(board(), include_archived=True).plan
    assert {"Flash intro animation", "Chatbot", "Old ideas"} <= set(named(everything))
    assert len(everything.tasks) == len(result.plan.tasks) + 3


def test_cards_dates_progress_and_notes() -> None:
    plan = read(board()).plan
    uids = named(plan)
    build = plan.task(uids["Front-end build"])  # start and due: the weekdays between
    assert build.duration == 20 * 480
    assert build.constraint.type is ConstraintType.SNET
    assert build.constraint.date == dt.datetime(2025, 10, 13, 7, 0)
    assert build.deadline == dt.datetime(2025, 11, 7, 16, 0)
    assert build.notes.startswith("Templates")
    assert plan.task(uids["Go-live"]).duration == 480  # no dates: the default day
    sitemap = plan.task(uids["Sitemap and page inventory"]).progress  # due date ticked
    assert sitemap.percent_complete == 100
    assert sitemap.actual_finish == dt.datetime(2025, 9, 5, 15, 0)
    wireframes = plan.task(uids["Wireframes"]).progress  # in "Done": finished when moved there
    assert wireframes.actual_finish == dt.datetime(2025, 9, 19, 15, 30)
    assert wireframes.actual_start == dt.datetime(2025, 9, 8, 7, 0)
    assert plan.start == dt.datetime(2025, 9, 1, 8, 0)  # the board was made that day
    assert plan.status_date == dt.datetime(2025, 10, 2, 9, 12)  # its last activity


def test_checklists_become_subtasks() -> None:
    plan = read(board()).plan
    uids = named(plan)
    visual = uids["Visual design"]  # two checklists: one summary each
    assert [plan.task(u).name for u in plan.children[visual]] == ["Pages", "Reviews"]
    home = plan.task(uids["Home"]).progress
    assert home.percent_complete == 100
    assert home.actual_finish == dt.datetime(2025, 9, 26, 17, 5)  # when it was ticked
    assert plan.task(uids["Checkout"]).progress.percent_complete == 0
    texts = uids["Rewrite product texts"]  # one checklist: the items sit under the card
    assert plan.children[texts] == [uids["Shoes"], uids["Bags"]]


def test_checklists_as_notes() -> None:
    plan = read(board(), checklists="notes").plan
    uids = named(plan)
    assert "Home" not in uids
    visual = plan.task(uids["Visual design"])
    assert "[x] Home" in visual.notes and "[ ] Checkout" in visual.notes
    assert visual.progress.actual_start == dt.datetime(2025, 9, 22, 7, 0)  # its start date
    assert visual.progress.percent_complete == pytest.approx(99 * 2 / 4, abs=0.1)


def test_doing_card_started_when_it_entered_the_list() -> None:
    plan = read(board()).plan
    texts = plan.task(named(plan)["Shoes"]).parent
    data = board()
    card = next(c for c in data["cards"] if c["name"] == "Rewrite product texts")
    card["idChecklists"] = []
    data["checklists"] = [cl for cl in data["checklists"] if cl["idCard"] != card["id"]]
    plain = read(data).plan
    progress = plain.task(named(plain)["Rewrite product texts"]).progress
    assert texts is not None
    assert progress.actual_start == dt.datetime(2025, 9, 24, 13, 0)  # moved to "Doing"
    assert progress.actual_finish is None


def test_members_labels_metadata() -> None:
    result = read(board())
    plan = result.plan
    uids = named(plan)
    res = {r.uid: r.name for r in plan.resources}
    assert sorted(res.values()) == ["Léa Fontaine", "Sam Okafor", "Tom Becker"]

    def who(task: str) -> set[str]:
        return {res[a.resource] for a in plan.assignments if a.task == uids[task]}

    assert who("Home") == {"Tom Becker"}  # the item's own member
    assert who("Product page") == {"Tom Becker", "Léa Fontaine"}  # else the card's
    assert who("Visual design") == set()  # a summary task
    meta = plan.metadata["trello"]["tasks"][str(uids["Visual design"])]
    assert meta["labels"] == ["Design", "red"]  # an unnamed label goes by its colour
    assert meta["list"] == "Doing" and meta["url"].startswith("https://trello.com/c/")
    assert result.report.format == "trello"
    assert result.report.summary_tasks == 7


def test_registry_detects_trello() -> None:
    result = import_bytes(FIXTURE.read_bytes(), "export.json")
    assert result.report.format == "trello"


def message(data: bytes | dict[str, Any], name: str = "board.json") -> str:
    with pytest.raises(FormatError) as info:
        read(data, name)
    return str(info.value)


def test_errors_name_the_file_and_element() -> None:
    assert "not a Trello board" in message(b"[1, 2]")
    got = message({"name": "x", "lists": []}, "notes.json")
    assert got.startswith("notes.json") and "'cards'" in got
    bad = board()
    bad["cards"][2]["due"] = "next Tuesday"
    got = message(bad)
    assert "cards[2]" in got and "'due'" in got and "next Tuesday" in got
    bad = board()
    bad["lists"][1] = "Backlog"
    assert "lists[1]" in message(bad)
    cut = FIXTURE.read_bytes()[:5000]
    got = message(cut, "cut.json")
    assert got.startswith("cut.json:") and "not valid JSON" in got
    assert "not UTF-8" in message(b'{"cards": "\xff"}')


# -- fuzzing: only FormatError may come out -------------------------------------------------

FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)


def only_format_errors(data: bytes | dict[str, Any]) -> None:
    try:
        result = read(data)
    except FormatError:
        return
    assert result.report.tasks == len(result.plan.tasks)


@FUZZ
@given(st.binary(max_size=2000))
def test_fuzz_random_bytes(data: bytes) -> None:
    only_format_errors(data)


SEED = FIXTURE.read_bytes()


@FUZZ
@given(st.lists(st.tuples(st.integers(0, len(SEED) - 1), st.integers(0, 255)), max_size=6))
def test_fuzz_mutated_bytes(edits: list[tuple[int, int]]) -> None:
    data = bytearray(SEED)
    for pos, byte in edits:
        data[pos] = byte
    only_format_errors(bytes(data))


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(["2025-10-02T09:12:00.000Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59Z"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += paths(v, (*prefix, i))
    return out


BOARD = board()
PATHS = [p for p in paths(BOARD) if p]


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(PATHS), JSON_VALUES), min_size=1, max_size=4))
def test_fuzz_mutated_structure(edits: list[tuple[tuple[Any, ...], Any]]) -> None:
    data = copy.deepcopy(BOARD)
    for path, value in edits:
        node: Any = data
        try:
            for step in path[:-1]:
                node = node[step]
            node[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit changed the shape
    only_format_errors(data)


def test_fixture_schedules() -> None:
    plan = read(board()).plan
    result = schedule(plan)
    todo = named(plan)["Go-live"]
    assert result.tasks[plan.task_index[todo]].start >= (plan.status_date or plan.start)
