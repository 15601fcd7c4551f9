"""Trello boards (*Menu > Print, export and share > Export as JSON*) -> a plan and its report.

* each list is a summary task, in the board's order, so the board's columns stay visible
  in the outline; its cards are tasks under it (a list without cards is left out).
* a card's description is its notes, its due date a deadline, its start date a
  start-no-earlier-than constraint; with both, the card lasts the weekdays from start to
  due, else ``default_days``. Labels, the list and the card's link are kept in
  ``Plan.metadata["trello"]["tasks"]``.
* members become resources, assigned to the cards they are on.
* custom field values are kept by name in the card's metadata; a number field named like
  "Effort" or "Estimate (days)" (the only one on the board) gives the work of a card that
  has no start and due dates.
* checklists: ``checklists="tasks"`` (the default) makes each item a task under its card
  (under one summary per checklist when a card has several), a complete item 100 % done;
  ``"notes"`` lists the items in the card's notes.
* progress: a ticked due date or a list named like "Done" means 100 % done; a list named
  like "Doing" / "In progress" means started, when the card entered that list (from the
  board's actions) or was created.
* archived (closed) lists and cards are left out, and listed in the report, unless
  ``include_archived``.
* the project starts on the day the board was created (or its first card); the status
  date is the board's last activity.

Trello has no dependencies and no estimates: the plan has no links, and durations are a
default the user should review (the report says how many).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, BinaryIO

from jalon.engine.errors import FormatError, PlanError
from jalon.engine.model import (
    Assignment,
    Constraint,
    ConstraintType,
    Plan,
    Progress,
    Resource,
    Task,
)
from jalon.io.report import ImportResult, result_for

FORMAT = "trello"
MINUTES_PER_DAY = 480
_HEX_ID = re.compile(r"[0-9a-fA-F]{24}")
# list names that say where a card stands (English and French, as boards are named)
_DONE_LISTS = re.compile(
    r"\b(done|finished|complete[d]?|closed|shipped|released|terminée?s?|finie?s?|faite?s?|"
    r"clos|livrée?s?)\b",
    re.I,
)
# a number custom field named like this is the card's work, in days
_EFFORT_FIELD = re.compile(
    r"\b(estimate|estimated|effort|days?|man[- ]?days?|jours?|j/h|durée|duree|charge)\b", re.I
)
_DOING_LISTS = re.compile(
    r"\b(doing|in progress|wip|ongoing|in review|review|testing|en cours|en revue|en test)\b",
    re.I,
)


@dataclass
class _Item:
    """A task to create: a list, a card, a checklist or a checklist item."""

    name: str
    parent: int | None
    uid: int
    duration: int = 0
    notes: str = ""
    deadline: dt.datetime | None = None
    constraint: Constraint = field(default_factory=Constraint)
    progress: Progress = field(default_factory=Progress)
    members: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)


def read_trello_json(
    stream: BinaryIO,
    name: str = "<input>",
    *,
    include_archived: bool = False,
    checklists: str = "tasks",
    default_days: float = 1.0,
) -> ImportResult:
    """Read a Trello board export. See the module's documentation for the rules."""
    if checklists not in ("tasks", "notes"):
        raise FormatError(f"checklists must be 'tasks' or 'notes', not '{checklists}'", path=name)
    if not (math.isfinite(default_days) and default_days >= 0):
        raise FormatError("default_days must be a positive number", path=name)
    data = stream.read()
    try:
        board = json.loads(data)
    except json.JSONDecodeError as exc:
        raise FormatError(f"not valid JSON: {exc.msg}", path=name, line=exc.lineno) from None
    except UnicodeDecodeError as exc:
        raise FormatError(f"not UTF-8 text (byte {exc.start})", path=name) from None
    except RecursionError:
        raise FormatError("not valid JSON: nested too deeply", path=name) from None
    except ValueError as exc:  # numbers too long to read, and the like
        raise FormatError(f"not valid JSON: {exc}", path=name) from None
    return _Board(board, name, include_archived, checklists, default_days).read()


def import_trello_json(stream: BinaryIO, name: str) -> ImportResult:
    """The importer registry's entry point: :func:`read_trello_json` with its defaults."""
    return read_trello_json(stream, name)


class _Board:
    def __init__(
        self, board: Any, name: str, include_archived: bool, checklists: str, default_days: float
    ) -> None:
        self.name = name
        if not isinstance(board, dict) or not all(
            isinstance(board.get(k), list) for k in ("lists", "cards")
        ):
            got = (
                f"an object with {', '.join(list(board)[:6]) or 'nothing'}"
                if isinstance(board, dict)
                else f"a JSON {type(board).__name__}"
            )
            raise FormatError(
                f"not a Trello board export: it needs 'lists' and 'cards' arrays, found {got}",
                path=name,
            )
        self.board: dict[str, Any] = board
        self.include_archived = include_archived
        self.checklists_as_tasks = checklists == "tasks"
        self.default_minutes = round(default_days * MINUTES_PER_DAY)
        self.warnings: list[str] = []
        self.ignored: list[str] = []
        self.items: list[_Item] = []
        self.seen: list[dt.datetime] = []  # every date met, for the project start
        self.labels: dict[str, dict[str, Any]] = {}
        self.checklists: dict[str, dict[str, Any]] = {}
        self.member_names: dict[str, str] = {}
        self.entered: dict[str, dt.datetime] = {}
        self.ticked: dict[str, dt.datetime] = {}
        self.board_created = self.created(board)
        self.fields: dict[str, dict[str, Any]] = {}  # custom field id -> field
        self.effort_field = ""  # the id of the number field that holds days of work
        self.by_effort = 0
        self.strangers: set[str] = set()  # card members not among the board's members

    # -- values ---------------------------------------------------------------------------
    def error(self, where: str, message: str) -> FormatError:
        return FormatError(f"{where}: {message}", path=self.name)

    def objects(self, key: str) -> list[dict[str, Any]]:
        value = self.board.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.error(f"'{key}'", "is not an array")
        for i, obj in enumerate(value):
            if not isinstance(obj, dict):
                raise self.error(f"{key}[{i}]", "is not an object")
        return value

    def text(self, obj: Mapping[str, Any], key: str, where: str, *, required: bool = False) -> str:
        value = obj.get(key)
        if value is None:
            if required:
                raise self.error(where, f"no '{key}'")
            return ""
        if not isinstance(value, str):
            raise self.error(where, f"'{key}' is not a string")
        return value

    def date(self, obj: Mapping[str, Any], key: str, where: str) -> dt.datetime | None:
        text = self.text(obj, key, where)
        if not text:
            return None
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            raise self.error(where, f"'{key}' is not a date: '{text[:40]}'") from None
        if value.tzinfo is not None:  # Trello writes UTC
            try:
                value = value.astimezone(dt.UTC).replace(tzinfo=None)
            except OverflowError:
                raise self.error(where, f"'{key}' is out of range: '{text[:40]}'") from None
        return value.replace(second=0, microsecond=0)  # the plan counts minutes

    @staticmethod
    def pos(obj: Mapping[str, Any]) -> float:
        value = obj.get("pos")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value) if math.isfinite(value) else 0.0
        return 0.0

    @staticmethod
    def created(obj: Mapping[str, Any]) -> dt.datetime | None:
        """When a Trello object was made: the first 4 bytes of its id are a Unix time."""
        ident = obj.get("id")
        if isinstance(ident, str) and _HEX_ID.fullmatch(ident):
            return dt.datetime.fromtimestamp(int(ident[:8], 16), dt.UTC).replace(tzinfo=None)
        return None

    # -- the board ------------------------------------------------------------------------
    def read(self) -> ImportResult:
        lists = self.objects("lists")
        cards = self.objects("cards")
        members = self.objects("members")
        self.labels = {
            self.text(lab, "id", f"labels[{i}]"): lab
            for i, lab in enumerate(self.objects("labels"))
        }
        for i, cl in enumerate(self.objects("checklists")):
            self.checklists[self.text(cl, "id", f"checklists[{i}]", required=True)] = cl
        self.entered, self.ticked = self._history()
        for i, fld in enumerate(self.objects("customFields")):
            ident = self.text(fld, "id", f"customFields[{i}]")
            if ident:
                self.fields[ident] = fld
        efforts = [
            ident
            for ident, fld in self.fields.items()
            if fld.get("type") == "number" and _EFFORT_FIELD.search(str(fld.get("name") or ""))
        ]
        self.effort_field = efforts[0] if len(efforts) == 1 else ""
        board_last = self.date(self.board, "dateLastActivity", "the board")
        if board_last is not None:
            self.seen.append(board_last)

        list_by_id: dict[str, tuple[int, dict[str, Any]]] = {}
        for i, lst in enumerate(lists):
            where = f"lists[{i}]"
            list_by_id[self.text(lst, "id", where, required=True)] = (i, lst)
            self.text(lst, "name", where)
        by_list: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        archived_cards: list[str] = []
        for i, card in enumerate(cards):
            where = f"cards[{i}]"
            self.text(card, "id", where, required=True)
            title = self.text(card, "name", where)
            list_id = self.text(card, "idList", where)
            home = list_by_id.get(list_id)
            closed = card.get("closed") is True or (
                home is not None and home[1].get("closed") is True
            )
            if closed and not self.include_archived:
                archived_cards.append(title)
                continue
            by_list.setdefault(list_id, []).append((i, card))
        if archived_cards:
            self.ignored.append(
                f"{_n(len(archived_cards), 'archived card')}: {_few(archived_cards)}"
            )

        ordered_lists = sorted(list_by_id.items(), key=lambda kv: (self.pos(kv[1][1]), kv[1][0]))
        archived_lists = [
            self.text(lst, "name", "")
            for _, (_, lst) in ordered_lists
            if lst.get("closed") is True and not self.include_archived
        ]
        if archived_lists:
            self.ignored.append(
                f"{_n(len(archived_lists), 'archived list')}: {_few(archived_lists)}"
            )
        empty = []
        self.member_names = member_names = self._member_names(members)
        defaulted = 0
        for list_id, (i, lst) in ordered_lists:
            if lst.get("closed") is True and not self.include_archived:
                continue
            list_name = self.text(lst, "name", f"lists[{i}]") or f"List {i + 1}"
            list_cards = sorted(by_list.pop(list_id, []), key=lambda ic: (self.pos(ic[1]), ic[0]))
            if not list_cards:
                empty.append(list_name)
                continue
            summary = self._add(list_name, None, meta={"list": list_name, "kind": "list"})
            for ci, card in list_cards:
                defaulted += self._card(ci, card, summary.uid, list_name)
        orphans = [c for cards_ in by_list.values() for c in cards_]
        if orphans:
            self.warnings.append(
                f"{_n(len(orphans), 'card')} in lists not in the export: placed at the top level"
            )
            for ci, card in sorted(orphans, key=lambda ic: ic[0]):
                defaulted += self._card(ci, card, None, "")
        if empty:
            self.ignored.append(f"{_n(len(empty), 'list')} without cards: {_few(empty)}")
        if defaulted:
            self.warnings.append(
                f"{defaulted} cards and checklist items have no dates: they last "
                f"{self.default_minutes / MINUTES_PER_DAY:g} day each (Trello has no estimates)"
            )
        if self.by_effort:
            label = self.fields[self.effort_field].get("name")
            self.warnings.append(
                f"{_n(self.by_effort, 'card')} without a start and a due date: duration from "
                f"the custom field '{label}' (days of work)"
            )
        if self.strangers:
            self.warnings.append(
                f"{_n(len(self.strangers), 'card member')} not among the board's members "
                "(they left the board?): not assigned"
            )
        self._report_left_out()
        return self._plan(members, member_names)

    def _history(self) -> tuple[dict[str, dt.datetime], dict[str, dt.datetime]]:
        """From the board's actions: when each card entered each list ("card#list") and
        when each checklist item was last ticked. Every date met goes to ``self.seen``."""
        entered: dict[str, dt.datetime] = {}
        ticked: dict[str, dt.datetime] = {}
        for i, action in enumerate(self.objects("actions")):
            when = self.date(action, "date", f"actions[{i}]")
            if when is None:
                continue
            self.seen.append(when)
            data = action.get("data")
            kind = action.get("type")
            if not isinstance(data, dict):
                continue
            if kind == "createBoard":
                self.board_created = min(self.board_created or when, when)
            card, item = data.get("card"), data.get("checkItem")
            if kind == "updateCheckItemStateOnCard" and isinstance(item, dict):
                ident = item.get("id")
                if isinstance(ident, str) and item.get("state") == "complete":
                    ticked[ident] = max(ticked.get(ident, when), when)
                continue
            target = data.get("listAfter") if kind == "updateCard" else data.get("list")
            if kind not in ("updateCard", "createCard") or not isinstance(target, dict):
                continue
            if not isinstance(card, dict):
                continue
            card_id, list_id = card.get("id"), target.get("id")
            if isinstance(card_id, str) and isinstance(list_id, str):
                key = f"{card_id}#{list_id}"
                entered[key] = max(entered.get(key, when), when)
        return entered, ticked

    def _member_names(self, members: list[dict[str, Any]]) -> dict[str, str]:
        names: dict[str, str] = {}
        for i, m in enumerate(members):
            where = f"members[{i}]"
            ident = self.text(m, "id", where, required=True)
            names[ident] = (
                self.text(m, "fullName", where) or self.text(m, "username", where) or ident
            )
        return names

    def _add(self, name: str, parent: int | None, **kw: Any) -> _Item:
        item = _Item(name=name, parent=parent, uid=len(self.items) + 1, **kw)
        self.items.append(item)
        return item

    def _card(self, i: int, card: dict[str, Any], parent: int | None, list_name: str) -> int:
        """Add a card (and its checklist items); return how many got the default duration."""
        where = f"cards[{i}]"
        card_id = self.text(card, "id", where)
        title = self.text(card, "name", where) or f"Card {i + 1}"
        where = f"cards[{i}] ('{title[:40]}')"
        due = self.date(card, "due", where)
        start = self.date(card, "start", where)
        last = self.date(card, "dateLastActivity", where)
        created = self.created(card)
        self.seen += [d for d in (last, created) if d is not None]
        labels, checklists, member_names = self.labels, self.checklists, self.member_names
        moved = self.entered.get(f"{card_id}#{self.text(card, 'idList', where)}")
        defaulted = by_effort = 0
        fields = self._field_values(card, where)
        effort = (
            fields.get(str(self.fields[self.effort_field].get("name")))
            if self.effort_field
            else None
        )
        if start is not None and due is not None and due >= start:
            duration = max(_weekdays(start.date(), due.date()), 1) * MINUTES_PER_DAY
        elif isinstance(effort, float) and 0 < effort <= 100 * 260:
            duration = round(effort * MINUTES_PER_DAY)
            by_effort = 1
        else:
            duration = self.default_minutes
            defaulted = 1
        state = "todo"
        if card.get("dueComplete") is True or _DONE_LISTS.search(list_name):
            state = "done"
        elif _DOING_LISTS.search(list_name):
            state = "doing"
        progress = Progress()
        constraint = Constraint()
        if state == "done":
            finish = (due if card.get("dueComplete") is True else None) or moved or last
            if finish is not None:
                begin = start or _weekdays_before(finish, -(-duration // MINUTES_PER_DAY))
                if created is not None:
                    begin = max(begin, min(created, finish))
                progress = Progress(min(begin, finish), finish, 100.0, 0)
            else:
                progress = Progress(percent_complete=100.0)
        elif state == "doing":
            progress = Progress(actual_start=start or moved or created)
        elif start is not None:
            constraint = Constraint(ConstraintType.SNET, start)
        label_names = []
        for lid in _strings(card.get("idLabels")):
            lab = labels.get(lid)
            if lab is not None:
                label_names.append(self.text(lab, "name", "label") or self.text(lab, "color", ""))
        members = [m for m in _strings(card.get("idMembers")) if m in member_names]
        self.strangers.update(m for m in _strings(card.get("idMembers")) if m not in member_names)
        card_lists = [
            checklists[c] for c in _strings(card.get("idChecklists")) if c in checklists
        ] or [cl for cl in checklists.values() if cl.get("idCard") == card_id]
        card_lists.sort(key=self.pos)
        notes = self.text(card, "desc", where)
        items = [(cl, sorted(_dicts(cl.get("checkItems")), key=self.pos)) for cl in card_lists]
        items = [(cl, its) for cl, its in items if its]
        meta = {
            "kind": "card",
            "id": card_id,
            "list": list_name,
            "labels": label_names,
            "url": self.text(card, "shortUrl", where) or self.text(card, "url", where),
            "archived": card.get("closed") is True or None,
            "fields": fields or None,
        }
        if items and not self.checklists_as_tasks:
            lines = []
            for cl, its in items:
                lines.append(f"{self.text(cl, 'name', where) or 'Checklist'}:")
                for it in its:
                    mark = "x" if it.get("state") == "complete" else " "
                    lines.append(f"[{mark}] {self.text(it, 'name', where)}")
            notes = "\n".join(filter(None, [notes, "\n".join(lines)]))
            total = sum(len(its) for _, its in items)
            complete = sum(1 for _, its in items for it in its if it.get("state") == "complete")
            if state == "doing" and total:
                progress = Progress(progress.actual_start, None, round(99.0 * complete / total, 1))
            items = []
        if items:  # a summary of its items: its own duration is not used
            defaulted = by_effort = 0
        self.by_effort += by_effort
        task = self._add(
            title,
            parent,
            duration=0 if items else duration,
            notes=notes,
            deadline=due,
            constraint=constraint,
            progress=Progress() if items else progress,
            members=[] if items else members,
            meta={k: v for k, v in meta.items() if v not in (None, "", [])},
        )
        for cl, its in items:
            holder = task.uid
            if len(items) > 1:
                name = self.text(cl, "name", where) or "Checklist"
                holder = self._add(name, task.uid, meta={"kind": "checklist"}).uid
            for it in its:
                iwhere = f"{where}, checklist item '{self.text(it, 'name', where)[:40]}'"
                idue = self.date(it, "due", iwhere)
                who = self.text(it, "idMember", iwhere)
                # a card that is done has its items done, ticked or not
                complete = it.get("state") == "complete" or state == "done"
                item_progress = Progress()
                if complete:
                    item_progress = Progress(percent_complete=100.0)
                    finish = (
                        self.ticked.get(self.text(it, "id", iwhere))
                        or (progress.actual_finish if state == "done" else None)
                        or moved
                        or last
                    )
                    if finish is not None:
                        days = -(-self.default_minutes // MINUTES_PER_DAY)
                        begin = _weekdays_before(finish, days)
                        if created is not None:  # not before its card existed
                            begin = max(begin, min(created, finish))
                        item_progress = Progress(begin, finish, 100.0, 0)
                defaulted += 1
                self._add(
                    self.text(it, "name", iwhere) or "Item",
                    holder,
                    duration=self.default_minutes,
                    deadline=idue,
                    progress=item_progress,
                    members=[who] if who in member_names else members,
                    meta={"kind": "checklist item"},
                )
        return defaulted

    def _field_values(self, card: Mapping[str, Any], where: str) -> dict[str, Any]:
        """The card's custom field values by field name: numbers, text, dates (ISO text),
        ticks, and list options by their text."""
        out: dict[str, Any] = {}
        for item in _dicts(card.get("customFieldItems")):
            fld = self.fields.get(str(item.get("idCustomField")))
            if fld is None:
                continue
            name = str(fld.get("name") or "")
            value = item.get("value")
            got: Any = None
            if isinstance(value, dict):
                if isinstance(value.get("number"), str):
                    try:
                        got = float(value["number"])
                    except ValueError:
                        raise self.error(
                            where,
                            f"custom field '{name}': '{value['number'][:40]}' is not a number",
                        ) from None
                    if not math.isfinite(got):
                        raise self.error(where, f"custom field '{name}' is not a finite number")
                elif isinstance(value.get("checked"), str):
                    got = value["checked"] == "true"
                elif isinstance(value.get("text"), str):
                    got = value["text"]
                elif isinstance(value.get("date"), str):
                    got = value["date"]
            elif isinstance(item.get("idValue"), str):
                for option in _dicts(fld.get("options")):
                    if option.get("id") == item["idValue"]:
                        text = option.get("value")
                        got = text.get("text") if isinstance(text, dict) else None
            if got is not None and name:
                out[name] = got
        return out

    def _report_left_out(self) -> None:
        for key, what in (
            ("actions", "actions (the board's history and comments)"),
            ("pluginData", "power-up data"),
        ):
            value = self.board.get(key)
            if isinstance(value, list) and value:
                self.ignored.append(f"{len(value)} {what}")
        attachments = sum(
            len(c["attachments"])
            for c in self.objects("cards")
            if isinstance(c.get("attachments"), list)
        )
        if attachments:
            self.ignored.append(f"{_n(attachments, 'attachment')}")

    def _plan(self, members: list[dict[str, Any]], member_names: dict[str, str]) -> ImportResult:
        used = [m for item in self.items for m in item.members]
        resources: dict[str, Resource] = {}
        for i, m in enumerate(members):
            ident = self.text(m, "id", f"members[{i}]")
            if ident in used and ident not in resources:
                resources[ident] = Resource(
                    uid=len(resources) + 1,
                    name=member_names[ident],
                    initials=self.text(m, "initials", f"members[{i}]"),
                )
        unused = [member_names[i] for i in member_names if i not in resources]
        if unused:
            self.ignored.append(f"{_n(len(unused), 'board member')} on no card: {_few(unused)}")
        assignments = [
            Assignment(task=item.uid, resource=resources[m].uid)
            for item in self.items
            for m in dict.fromkeys(item.members)
        ]
        # the board's creation, else the first date met; work done earlier moves it back
        dates = [self.board_created] if self.board_created else self.seen[:]
        for item in self.items:
            p = item.progress
            dates += [d for d in (p.actual_start, item.constraint.date) if d is not None]
        if dates:
            start = dt.datetime.combine(min(dates).date(), dt.time(8))
        else:
            start = dt.datetime.combine(dt.date.today(), dt.time(8))
            self.warnings.append("no dates on the board: the project starts today")
        last = max(self.seen, default=None)
        tasks = []
        for item in self.items:
            tasks.append(
                Task(
                    uid=item.uid,
                    name=item.name,
                    duration=item.duration,
                    parent=item.parent,
                    milestone=False,
                    deadline=item.deadline,
                    constraint=item.constraint,
                    progress=item.progress,
                    notes=item.notes,
                )
            )
        board_name = self.text(self.board, "name", "the board")
        try:
            plan = Plan(
                name=board_name or PurePath(self.name).stem or "Trello",
                start=start,
                tasks=tuple(tasks),
                resources=tuple(resources.values()),
                assignments=tuple(assignments),
                status_date=last if last is not None and last > start else None,
                metadata={
                    "trello": {
                        "board": {
                            "id": self.text(self.board, "id", "the board"),
                            "url": self.text(self.board, "url", "the board"),
                        },
                        "tasks": {str(item.uid): item.meta for item in self.items if item.meta},
                    }
                },
            )
        except PlanError as exc:
            raise FormatError(str(exc), path=self.name) from None
        return result_for(plan, FORMAT, self.warnings, self.ignored)


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _weekdays(first: dt.date, last: dt.date) -> int:
    """Monday-to-Friday days from ``first`` to ``last``, both counted."""
    days = (last - first).days + 1
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for k in range(rest):
        if (first.weekday() + k) % 7 < 5:
            count += 1
    return count


def _weekdays_before(when: dt.datetime, days: int) -> dt.datetime:
    weeks, rest = divmod(max(days, 0), 5)
    try:
        day = when - dt.timedelta(weeks=weeks)
        while rest:
            day -= dt.timedelta(days=1)
            if day.weekday() < 5:
                rest -= 1
    except OverflowError:
        return when
    return day


def _n(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _few(items: list[str], n: int = 5) -> str:
    shown = ", ".join(f"'{i}'" for i in items[:n])
    return shown + (f" and {len(items) - n} more" if len(items) > n else "")


__all__ = ["FORMAT", "import_trello_json", "read_trello_json"]
