"""A Trello board with what boards carry beyond lists and cards: custom fields, checklist
items with due dates and members, a ticked due date outside a Done list, a card whose list
is not in the export, an archived list, a card member who left the board, a description of
24,000 characters and the actions' history. The fixture is laid out as Trello's JSON export
writes it; expectations are read from the fixture itself where they can be."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jalon.engine import schedule
from jalon.engine.errors import FormatError
from jalon.engine.model import Plan
from jalon.io.importers import import_file
from jalon.io.report import ImportResult
from jalon.io.trello_json import read_trello_json

FIXTURE = Path(__file__).parent / "data" / "trello" / "conference-2026.json"
BOARD: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))


def read(board: dict[str, Any], **kw: Any) -> ImportResult:
    return read_trello_json(io.BytesIO(json.dumps(board).encode()), "board.json", **kw)


def task(plan: Plan, name: str) -> Any:
    return next(t for t in plan.tasks if t.name == name)


def card(name: str) -> dict[str, Any]:
    return next(c for c in BOARD["cards"] if c["name"] == name)


@pytest.fixture(scope="module")
def result() -> ImportResult:
    return import_file(FIXTURE)


def test_report_counts(result: ImportResult) -> None:
    report = result.report
    open_lists = [x for x in BOARD["lists"] if not x["closed"]]
    list_ids = {x["id"] for x in BOARD["lists"]}
    open_ids = {x["id"] for x in open_lists}
    # open cards of open lists, and cards whose list is not in the export
    kept = [
        c
        for c in BOARD["cards"]
        if c["idList"] not in list_ids or (not c["closed"] and c["idList"] in open_ids)
    ]
    items = sum(len(cl["checkItems"]) for cl in BOARD["checklists"])
    several = 1 + 1  # "Confirm the speakers" has two checklists: one summary each
    assert report.format == "trello"
    assert report.tasks == len(open_lists) + len(kept) + items + several
    assert report.summary_tasks == len(open_lists) + 2 + several  # lists, cards with items
    assert report.resources == len(BOARD["members"])
    assert report.links == 0
    assert any("2 archived cards" in i for i in report.ignored)
    assert any("archived list" in i and "Venue shortlist" in i for i in report.ignored)
    assert any("actions" in i for i in report.ignored)


def test_lists_in_board_order_archived_list_and_its_cards_left_out(result: ImportResult) -> None:
    plan = result.plan
    tops = [t.name for t in plan.tasks if t.parent is None]
    assert tops == ["To do", "En cours", "Terminé", "Sponsor booths layout"]
    names = {t.name for t in plan.tasks}
    assert "Old venue: Palais des congrès" not in names  # open card, archived list
    assert "Cancelled: boat trip" not in names
    both = read(BOARD, include_archived=True).plan
    assert {"Old venue: Palais des congrès", "Cancelled: boat trip"} <= {t.name for t in both.tasks}


def test_card_whose_list_is_not_in_the_export(result: ImportResult) -> None:
    orphan = task(result.plan, "Sponsor booths layout")
    assert orphan.parent is None and orphan.notes.startswith("Moved here")
    assert any("lists not in the export" in w for w in result.report.warnings)
    no_list = copy.deepcopy(BOARD)
    for c in no_list["cards"]:
        if c["name"] == "Sponsor booths layout":
            del c["idList"]
    assert task(read(no_list).plan, "Sponsor booths layout").parent is None


def test_due_complete_outside_a_done_list(result: ImportResult) -> None:
    insurance = task(result.plan, "Event insurance")
    assert insurance.progress.percent_complete == 100
    assert insurance.progress.actual_finish == dt.datetime(2026, 2, 27, 12, 0)  # the due date
    assert insurance.deadline == dt.datetime(2026, 2, 27, 12, 0)


def test_custom_fields_kept_and_effort_gives_the_duration(result: ImportResult) -> None:
    plan = result.plan
    meta = plan.metadata["trello"]["tasks"]
    venue = task(plan, "Book the venue")
    assert meta[str(venue.uid)]["fields"] == {
        "Effort (jours)": 4.0,
        "Équipe": "Logistique",
        "Contract signed on": "2026-02-04T11:00:00.000Z",
        "Approved by finance": True,
    }
    assert venue.duration == 4 * 480  # a due date alone: the effort field gives the length
    assert task(plan, "Draft the programme").duration == 3 * 480
    assert task(plan, "Print the badges").duration == 5 * 480  # start and due win
    assert any("2 cards" in w and "'Effort (jours)'" in w for w in result.report.warnings)


def test_two_effort_fields_are_not_guessed_between() -> None:
    board = copy.deepcopy(BOARD)
    extra = dict(board["customFields"][0], id="0" * 23 + "f", name="Estimate (days)")
    board["customFields"].append(extra)
    plan = read(board).plan
    assert task(plan, "Draft the programme").duration == 480  # the default day


def test_checklist_items_due_dates_members_and_done_cards(result: ImportResult) -> None:
    plan = result.plan
    people = {r.uid: r.name for r in plan.resources}
    on = {}
    for a in plan.assignments:
        on.setdefault(a.task, []).append(people[a.resource])
    closing = task(plan, "Closing keynote")
    assert closing.deadline == dt.datetime(2026, 3, 6, 17, 0)
    assert on[closing.uid] == ["Julie Chen"]  # the item's own member
    workshop = task(plan, "Data workshop")
    assert sorted(on[workshop.uid]) == ["Julie Chen", "Karim Benali"]  # the card's members
    assert task(plan, "Keynotes").parent == task(plan, "Confirm the speakers").uid
    opening = task(plan, "Opening keynote")
    assert opening.progress.actual_finish == dt.datetime(2026, 2, 2, 15, 0)  # when ticked
    # a card in the Done list is done, its unticked items with it
    veg = task(plan, "Vegetarian options")
    assert veg.progress.percent_complete == 100
    assert veg.progress.actual_finish == dt.datetime(2026, 2, 18, 16, 40)  # entered Done


def test_member_who_left_the_board(result: ImportResult) -> None:
    insurance = task(result.plan, "Event insurance")
    assigned = [a for a in result.plan.assignments if a.task == insurance.uid]
    assert len(assigned) == 1 and len(card("Event insurance")["idMembers"]) == 2
    assert any("not among the board's members" in w for w in result.report.warnings)


def test_huge_description_kept_whole(result: ImportResult) -> None:
    desc = card("Draft the programme")["desc"]
    assert len(desc) > 20000
    assert task(result.plan, "Draft the programme").notes == desc


def test_dates_from_the_actions(result: ImportResult) -> None:
    plan = result.plan
    assert plan.start == dt.datetime(2026, 1, 12, 8, 0)  # createBoard
    assert plan.status_date == dt.datetime(2026, 2, 25, 10, 0)
    speakers = task(plan, "Confirm the speakers")
    assert speakers.duration == 0  # a summary of its items
    venue = task(plan, "Book the venue")
    assert venue.progress.actual_finish == dt.datetime(2026, 2, 5, 17, 30)  # entered Done
    sched = schedule(plan)
    badges = task(plan, "Print the badges")
    assert sched.tasks[plan.task_index[badges.uid]].start >= dt.datetime(2026, 3, 16, 8, 0)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("customFieldItems", 0, "value", "number"), "lots", "is not a number"),
        (("customFieldItems", 0, "value", "number"), "1e400", "finite"),
        (("due",), "next week", "'due' is not a date"),
    ],
)
def test_bad_values_name_the_card(path: tuple[Any, ...], value: str, message: str) -> None:
    board = copy.deepcopy(BOARD)
    target = next(c for c in board["cards"] if c["name"] == "Book the venue")
    obj = target
    for key in path[:-1]:
        obj = obj[key]
    obj[path[-1]] = value
    with pytest.raises(FormatError) as info:
        read(board)
    text = str(info.value)
    assert text.startswith("board.json") and "Book the venue" in text and message in text


# -- fuzzing: only FormatError may come out ---------------------------------------------------

PATHS = [
    ("cards", 0, "customFieldItems"),
    ("cards", 0, "customFieldItems", 0, "value"),
    ("cards", 1, "idMembers"),
    ("cards", 4, "idList"),
    ("customFields", 1, "options"),
    ("customFields", 0, "type"),
    ("customFields", 0, "name"),
    ("checklists", 0, "checkItems", 1, "due"),
    ("checklists", 0, "checkItems", 1, "idMember"),
    ("actions", 0, "data"),
    ("actions", 0, "date"),
    ("lists", 0, "closed"),
]
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.lists(st.text(max_size=4), max_size=2),
    st.dictionaries(st.sampled_from(["number", "text", "date", "checked"]), st.text(max_size=6)),
)


@settings(max_examples=150, deadline=None, database=None)
@given(st.lists(st.tuples(st.sampled_from(PATHS), VALUES), min_size=1, max_size=4))
def test_fuzz_mutated_board(edits: list[tuple[tuple[Any, ...], Any]]) -> None:
    board = copy.deepcopy(BOARD)
    for path, value in edits:
        obj: Any = board
        for key in path[:-1]:
            try:
                obj = obj[key]
            except (KeyError, IndexError, TypeError):
                break
        else:
            if isinstance(obj, dict) or (isinstance(obj, list) and path[-1] < len(obj)):
                obj[path[-1]] = value
    try:
        got = read(board)
    except FormatError:
        return
    assert got.report.tasks == len(got.plan.tasks)
