"""Jira CSV exports (*Export > Export CSV (all fields)*) -> a plan and its import report.

The export is one row per issue. Column names repeat ("Labels", "Sprint", "Watchers",
"Inward issue link (Blocks)" ...): every column is kept by position and columns of the same
name are read together. The rules, in short (``docs/formats.md`` has them all):

* an issue with children is a summary task (epics, and stories with sub-tasks); the parent
  comes from "Parent id", "Parent", "Parent key", "Custom field (Epic Link)" or, failing
  those, "Parent summary". A parent that is not in the export is stood in for by a summary
  task named after it, with a warning.
* duration: "Original Estimate" (seconds of work, 8 h days), else "Time Spent" +
  "Remaining Estimate", else story points x ``days_per_point``, else ``default_days``.
* progress from "Status Category" (else the status name): Done = 100 %, finished at
  "Resolved", started the estimate's length of weekdays before (never before "Created");
  In Progress = started at "Status Category Changed" (else "Created"), percent from time
  spent and remaining; To Do = not started.
* "Outward/Inward issue link (Blocks)" -> finish-to-start links, blocker first, deduplicated;
  links that would close a cycle are dropped with a warning.
* the project starts on the earliest "Created" day; its status date is the latest date in
  the file (the moment of the export, as near as the file tells), so work not done yet is
  scheduled after it.
* keys, types, statuses, sprints, labels, story points ... are kept per task uid in
  ``Plan.metadata["jira"]["tasks"]``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, BinaryIO

from jalon.engine.errors import FormatError, PlanError
from jalon.engine.model import (
    Assignment,
    Constraint,
    ConstraintType,
    Link,
    Plan,
    Progress,
    Resource,
    Task,
    find_cycle,
)
from jalon.io.csv_rows import DateReader, Row, Table, decode_text, read_number, read_rows
from jalon.io.report import ImportResult, result_for

FORMAT = "jira"
MINUTES_PER_DAY = 480  # Jira's time tracking default: 8 h days, 5 d weeks
_MAX_MINUTES = 100 * 260 * MINUTES_PER_DAY  # a century of work: beyond it, not an estimate

# -- column names, as Jira writes them (compared case- and space-insensitively) ---------------
SUMMARY = "summary"
KEY = "issue key"
ID = "issue id"
TYPE = "issue type"
STATUS = "status"
CATEGORY = "status category"
CATEGORY_CHANGED = "status category changed"
RESOLUTION = "resolution"
PRIORITY = "priority"
ASSIGNEE = "assignee"
CREATED = "created"
UPDATED = "updated"
RESOLVED = "resolved"
DUE = "due date"
ORIGINAL = "original estimate"
REMAINING = "remaining estimate"
SPENT = "time spent"
DESCRIPTION = "description"
PROJECT_NAME = "project name"
PROJECT_KEY = "project key"
SPRINT = "sprint"
LABELS = "labels"
COMPONENTS = ("components", "component/s")
RANK = "custom field (rank)"
POINTS = ("custom field (story points)", "custom field (story point estimate)")
STARTS = ("custom field (start date)", "custom field (target start)")
PARENT_ID = "parent id"
PARENT = "parent"
PARENT_KEY = "parent key"
EPIC_LINK = "custom field (epic link)"
EPIC_NAME = "custom field (epic name)"
SUBTASKS = "sub-tasks"
PARENT_SUMMARY = "parent summary"
OUT_BLOCKS = "outward issue link (blocks)"
IN_BLOCKS = "inward issue link (blocks)"

_USED = {
    SUMMARY, KEY, ID, TYPE, STATUS, CATEGORY, CATEGORY_CHANGED, RESOLUTION, PRIORITY,
    ASSIGNEE, CREATED, UPDATED, RESOLVED, DUE, ORIGINAL, REMAINING, SPENT, DESCRIPTION,
    PROJECT_NAME, PROJECT_KEY, SPRINT, LABELS, *COMPONENTS, RANK, *POINTS, *STARTS,
    PARENT_ID, PARENT, PARENT_KEY, EPIC_LINK, EPIC_NAME, SUBTASKS, PARENT_SUMMARY, OUT_BLOCKS,
    IN_BLOCKS,
}  # fmt: skip
_PARENT_COLUMNS = (PARENT_ID, PARENT, PARENT_KEY, EPIC_LINK)
_DATE_COLUMNS = (CREATED, UPDATED, RESOLVED, CATEGORY_CHANGED, DUE, *STARTS)

# status categories and statuses, English and French (Jira's own names)
_TODO, _DOING, _DONE = "To Do", "In Progress", "Done"
_CATEGORIES = {
    "to do": _TODO, "new": _TODO, "à faire": _TODO, "a faire": _TODO, "nouveau": _TODO,
    "in progress": _DOING, "indeterminate": _DOING, "en cours": _DOING,
    "done": _DONE, "complete": _DONE, "terminé": _DONE, "terminée": _DONE, "termine": _DONE,
}  # fmt: skip
_DONE_STATUSES = {
    "done", "closed", "resolved", "complete", "completed", "released", "cancelled", "canceled",
    "won't do", "terminé", "terminée", "fermé", "fermée", "résolu", "résolue", "fait",
}  # fmt: skip
_DOING_STATUSES = {
    "in progress", "in review", "review", "code review", "in test", "in testing", "testing",
    "qa", "in qa", "blocked", "en cours", "en revue", "en test", "bloqué",
}  # fmt: skip
# resolutions that mean the work will not be done: the task is kept, inactive
_CANCELLED = {
    "won't do", "won't fix", "duplicate", "cannot reproduce", "declined", "rejected",
    "obsolete", "ne sera pas fait", "ne sera pas corrigé", "doublon", "abandonné", "rejeté",
}  # fmt: skip

# placeholders' refs start with a NUL, which no cell holds (the text is refused with one)
_HOLDER = "\x00"
_SPLIT_RE = re.compile(r"[\s,;]+")
_KEY_RE = re.compile(r"[A-Z][A-Z0-9_]*-\d+")


# column names of exports in French (Jira writes the header in the user's language)
_ALIASES = {
    "résumé": SUMMARY,
    "clé de ticket": KEY,
    "id de ticket": ID,
    "type de ticket": TYPE,
    "état": STATUS,
    "priorité": PRIORITY,
    "responsable": ASSIGNEE,
    "étiquettes": LABELS,
    "lien de ticket sortant (blocks)": OUT_BLOCKS,
    "lien du ticket entrant (blocks)": IN_BLOCKS,
}


def _norm(column: str) -> str:
    key = " ".join(column.replace("\ufeff", "").split()).casefold()
    return _ALIASES.get(key, key)


def _minutes(row: Row, column: str, per_unit: float) -> int | None:
    """A non-negative amount in minutes (seconds for Jira's estimates, days for points)."""
    value = read_number(row, column)
    if value is None:
        return None
    minutes = value * per_unit
    if minutes > _MAX_MINUTES:
        raise row.error(column, f"'{row.get(column)}' is more than a century of work")
    return round(minutes)


def _weekdays_before(when: dt.datetime, days: int) -> dt.datetime:
    weeks, rest = divmod(days, 5)
    try:
        day = when - dt.timedelta(weeks=weeks)
        while rest:
            day -= dt.timedelta(days=1)
            if day.weekday() < 5:
                rest -= 1
    except OverflowError:  # before year 1: a date no export holds for real
        return when
    return day


# -- the import ------------------------------------------------------------------------------


@dataclass
class _Issue:
    row: Row
    key: str
    id: str
    name: str
    type: str
    parent: str = ""  # key of the parent issue or placeholder
    children: list[str] = field(default_factory=list)
    uid: int = 0


@dataclass
class _Placeholder:
    key: str
    name: str
    children: list[str] = field(default_factory=list)
    uid: int = 0


def read_jira_csv(
    stream: BinaryIO,
    name: str = "<input>",
    *,
    date_format: str | None = None,
    start: dt.datetime | None = None,
    days_per_point: float = 1.0,
    default_days: float = 1.0,
) -> ImportResult:
    """Read a Jira CSV export. ``date_format`` (a ``strptime`` format) replaces the
    built-in date formats; ``start`` the project start (default: the earliest Created);
    ``days_per_point`` turns story points into days of work when an issue has no time
    estimate, ``default_days`` is the duration of an issue with neither."""
    if not (math.isfinite(days_per_point) and days_per_point >= 0):
        raise FormatError("days_per_point must be a positive number", path=name)
    if not (math.isfinite(default_days) and default_days >= 0):
        raise FormatError("default_days must be a positive number", path=name)
    text, warnings = decode_text(stream.read(), name)
    table, rows, more = read_rows(text, name, _norm)
    warnings += more
    return _Reader(table, rows, warnings, date_format, start, days_per_point, default_days).run()


def import_jira_csv(stream: BinaryIO, name: str) -> ImportResult:
    """The importer registry's entry point: :func:`read_jira_csv` with its defaults."""
    return read_jira_csv(stream, name)


class _Reader:
    def __init__(
        self,
        table: Table,
        rows: list[Row],
        warnings: list[str],
        date_format: str | None,
        start: dt.datetime | None,
        days_per_point: float,
        default_days: float,
    ) -> None:
        self.table = table
        self.name = table.name
        # exports of more than 1,000 issues come in pages that people paste together: the
        # header of each page after the first is a row whose cells are column names
        self.rows = [r for r in rows if not _is_header(r)]
        self.warnings = warnings
        if len(self.rows) < len(rows):
            repeated = [r.number for r in rows if _is_header(r)]
            warnings.append(
                f"rows {_few([str(n) for n in repeated])} repeat the header "
                "(exports pasted together): skipped"
                if len(repeated) > 1
                else f"row {repeated[0]} repeats the header (exports pasted together): skipped"
            )
        self.dates = DateReader(rows, _DATE_COLUMNS, date_format)
        if self.dates.warning:
            warnings.append(self.dates.warning)
        self.start = start
        self.point_minutes = days_per_point * MINUTES_PER_DAY
        self.default_minutes = round(default_days * MINUTES_PER_DAY)
        self.issues: dict[str, _Issue] = {}  # key (else "#id") -> issue, in file order
        self.by_id: dict[str, str] = {}
        self.placeholders: dict[str, _Placeholder] = {}

    def run(self) -> ImportResult:
        self._check_columns()
        self._collect()
        self._parents()
        order = self._outline()
        tasks, meta, dates = self._tasks(order)
        links = self._links(tasks)
        resources, assignments = self._resources(tasks)
        plan_start = self.start
        if plan_start is None:
            created = [d for d in dates["created"] if d is not None]
            if created:
                plan_start = dt.datetime.combine(min(created).date(), dt.time(8))
            else:
                plan_start = dt.datetime.combine(dt.date.today(), dt.time(8))
                self.warnings.append("no Created dates: the project starts today")
        seen = [d for values in dates.values() for d in values if d is not None]
        status_date = max(seen) if seen else None
        projects = list(
            dict.fromkeys(r.get(PROJECT_NAME) for r in self.rows if r.get(PROJECT_NAME))
        )
        plan_name = " + ".join(projects) if projects else PurePath(self.name).stem or "Jira"
        metadata: dict[str, Any] = {
            "jira": {
                "tasks": meta,
                "projects": list(
                    dict.fromkeys(r.get(PROJECT_KEY) for r in self.rows if r.get(PROJECT_KEY))
                ),
            }
        }
        try:
            plan = Plan(
                name=plan_name,
                start=plan_start,
                tasks=tuple(tasks),
                links=tuple(links),
                resources=tuple(resources),
                assignments=tuple(assignments),
                status_date=status_date if status_date and status_date > plan_start else None,
                metadata=metadata,
            )
        except PlanError as exc:
            raise FormatError(str(exc), path=self.name) from None
        return result_for(plan, FORMAT, self.warnings, self._ignored())

    # -- columns and rows -------------------------------------------------------------
    def _check_columns(self) -> None:
        missing = [c for c in (SUMMARY, TYPE) if not self.table.has(c)]
        if not self.table.has(KEY) and not self.table.has(ID):
            missing.append(KEY)
        if missing:
            found = ", ".join(c for c in self.table.columns[:8] if c)
            raise FormatError(
                f"no '{missing[0].title()}' column: not a Jira CSV export "
                f"(its columns begin: {found or 'nothing'})",
                path=self.name,
                line=1,
            )

    def _ignored(self) -> list[str]:
        out = []
        for column, positions in self.table.positions.items():
            if column not in _USED:
                label = self.table.columns[positions[0]]
                n = len(positions)
                out.append(f"column '{label}'" + (f" ({n} columns)" if n > 1 else ""))
        if any(not c for c in self.table.columns):
            out.append("columns without a name")
        return out

    def _collect(self) -> None:
        repeats: list[str] = []
        for row in self.rows:
            key, id_ = row.get(KEY), row.get(ID)
            if not key and not id_:
                raise row.error("", "an issue without an 'Issue key' or 'Issue id'")
            ref = key or f"#{id_}"
            if ref in self.issues:
                first = self.issues[ref]
                if id_ != first.id:  # two issues with one key: exports of two Jira sites?
                    raise row.error(
                        KEY if key else ID,
                        f"issue {ref} is also on row {first.row.number}, with another id "
                        f"({id_ or 'none'}, not {first.id or 'none'})",
                    )
                # the same issue exported twice (overlapping pages): the latest update wins
                repeats.append(f"{ref} (rows {first.row.number} and {row.number})")
                then, now = self.dates.read(first.row, UPDATED), self.dates.read(row, UPDATED)
                if then is not None and (now is None or now < then):
                    continue
            summary = row.get(SUMMARY)
            if not summary:
                self.warnings.append(f"row {row.number}: issue {ref} has no summary")
            self.issues[ref] = _Issue(row, key, id_, summary or ref, row.get(TYPE))
            if id_:
                self.by_id.setdefault(id_, ref)
        if repeats:
            self.warnings.append(
                f"issues exported more than once: {_few(repeats)}; the row updated last is read"
            )

    def _find(self, text: str) -> str | None:
        if text in self.issues:
            return text
        return self.by_id.get(text)

    def _parents(self) -> None:
        summaries: dict[str, list[str]] = {}
        epics: dict[str, list[str]] = {}  # Epic Name -> issues (old exports link epics by name)
        listed: dict[str, str] = {}  # child -> parent, from the parents' "Sub-tasks" column
        for ref, issue in self.issues.items():
            summaries.setdefault(issue.name, []).append(ref)
            epic_name = issue.row.get(EPIC_NAME)
            if epic_name:
                epics.setdefault(epic_name, []).append(ref)
            for cell in issue.row.values(SUBTASKS):
                for text in _SPLIT_RE.split(cell):
                    child = self._find(text) if text else None
                    if child is not None and child != ref:
                        listed.setdefault(child, ref)
        missing: list[str] = []
        for ref, issue in self.issues.items():
            row = issue.row
            _, text = row.first(_PARENT_COLUMNS)
            target = self._find(text) if text else None
            if target is None and text:
                by_epic = epics.get(text, [])
                target = by_epic[0] if len(by_epic) == 1 else None
            if target is None and not text:
                target = listed.get(ref)
            if target is None and not text:
                by_name = summaries.get(row.get(PARENT_SUMMARY), [])
                target = by_name[0] if len(by_name) == 1 else None
            if target == ref:
                self.warnings.append(f"row {row.number}: issue {ref} is its own parent")
                continue
            if target is not None:
                issue.parent = target
                continue
            if not text and not row.get(PARENT_SUMMARY):
                continue
            # a parent outside the export: a summary task stands in for it
            keys = [v for c in (PARENT_KEY, *_PARENT_COLUMNS) if _KEY_RE.fullmatch(v := row.get(c))]
            parent_key = keys[0] if keys else ""
            label = parent_key or text or row.get(PARENT_SUMMARY)
            holder_key = _HOLDER + label
            if holder_key not in self.placeholders:
                title = row.get(PARENT_SUMMARY) or label
                if parent_key and parent_key != title:
                    title = f"{title} ({parent_key})"
                self.placeholders[holder_key] = _Placeholder(holder_key, title)
                missing.append(label)
            issue.parent = holder_key
        if missing:
            self.warnings.append(
                f"parents not in the export ({_few(missing)}): a summary task stands in for each"
            )
        # parent cycles (A under B under A): cut where the walk comes back
        for ref, issue in self.issues.items():
            seen = {ref}
            up = issue.parent
            while up and not up.startswith(_HOLDER):
                if up in seen:
                    self.warnings.append(
                        f"row {issue.row.number}: parent of issue {ref} makes a loop: "
                        "it is placed at the top level"
                    )
                    issue.parent = ""
                    break
                seen.add(up)
                up = self.issues[up].parent
        for ref, issue in self.issues.items():
            if issue.parent.startswith(_HOLDER):
                self.placeholders[issue.parent].children.append(ref)
            elif issue.parent:
                self.issues[issue.parent].children.append(ref)

    def _outline(self) -> list[str]:
        """Tasks in outline order: parents before their children, siblings by Jira rank
        (the backlog order) when the export has it, else in file order."""
        ranked = self.table.has(RANK)

        def ordered(refs: list[str]) -> list[str]:
            if not ranked:
                return refs
            return sorted(refs, key=lambda r: self.issues[r].row.get(RANK) or "\uffff")

        out: list[str] = []

        def visit(ref: str) -> None:
            stack = [ref]
            while stack:
                top = stack.pop()
                out.append(top)
                kids = (
                    self.placeholders[top].children
                    if top.startswith(_HOLDER)
                    else self.issues[top].children
                )
                stack.extend(reversed(ordered(kids)))

        roots = [r for r, i in self.issues.items() if not i.parent]
        for ref in ordered(roots):
            visit(ref)
        for holder in self.placeholders:
            visit(holder)
        return out

    # -- tasks ------------------------------------------------------------------------
    def _tasks(
        self, order: list[str]
    ) -> tuple[list[Task], dict[str, Any], dict[str, list[dt.datetime | None]]]:
        tasks: list[Task] = []
        meta: dict[str, Any] = {}
        dates: dict[str, list[dt.datetime | None]] = {
            "created": [],
            "updated": [],
            "resolved": [],
            "changed": [],
        }
        for uid, ref in enumerate(order, start=1):
            if ref.startswith(_HOLDER):
                self.placeholders[ref].uid = uid
            else:
                self.issues[ref].uid = uid
        defaulted = 0
        by_points = 0
        cancelled = 0
        for ref in order:
            if ref.startswith(_HOLDER):
                holder = self.placeholders[ref]
                tasks.append(Task(uid=holder.uid, name=holder.name))
                meta[str(holder.uid)] = {"key": holder.name, "placeholder": True}
                continue
            issue = self.issues[ref]
            row = issue.row
            parent_uid = self._uid(issue.parent) if issue.parent else None
            created = self.dates.read(row, CREATED)
            updated = self.dates.read(row, UPDATED)
            resolved = self.dates.read(row, RESOLVED)
            changed = self.dates.read(row, CATEGORY_CHANGED)
            due = self.dates.read(row, DUE)
            start_col, _ = row.first(STARTS)
            wanted_start = self.dates.read(row, start_col) if start_col else None
            for key, value in (
                ("created", created),
                ("updated", updated),
                ("resolved", resolved),
                ("changed", changed),
            ):
                dates[key].append(value)
            points_col, _ = row.first(POINTS)
            points = read_number(row, points_col) if points_col else None
            original = _minutes(row, ORIGINAL, 1 / 60)
            remaining = _minutes(row, REMAINING, 1 / 60)
            spent = _minutes(row, SPENT, 1 / 60)
            summary = bool(issue.children)
            if original:
                duration = original
            elif spent or remaining:
                duration = (spent or 0) + (remaining or 0)
            elif points:
                duration = _minutes(row, points_col, self.point_minutes) or 0
                by_points += not summary
            else:
                duration = self.default_minutes
                defaulted += not summary
            state = self._state(row, resolved)
            progress = Progress()
            constraint = Constraint()
            if state == _DONE:
                finish = resolved or (changed if row.get(CATEGORY) else None) or updated
                if finish is None:
                    progress = Progress(percent_complete=100.0)
                else:
                    days = -(-duration // MINUTES_PER_DAY)
                    first = _weekdays_before(finish, min(days, 5000))
                    if created is not None:
                        first = max(first, min(created, finish))
                    if wanted_start is not None and wanted_start <= finish:
                        first = wanted_start  # the start date the team gave it
                    progress = Progress(first, finish, 100.0, 0)
            elif state == _DOING:
                begin = (changed if row.get(CATEGORY) else None) or created or updated
                percent = 0.0
                if spent is not None and remaining is not None and spent + remaining > 0:
                    percent = 100.0 * spent / (spent + remaining)
                elif original and remaining is not None:
                    percent = 100.0 * max(original - remaining, 0) / original
                progress = Progress(begin, None, round(min(percent, 99.0), 1), remaining)
            elif wanted_start is not None:
                constraint = Constraint(ConstraintType.SNET, wanted_start)
            resolution = row.get(RESOLUTION)
            active = resolution.casefold() not in _CANCELLED
            cancelled += not active
            deadline = None
            if due is not None:
                deadline = due if due.time() != dt.time(0) else due.replace(hour=17)
            tasks.append(
                Task(
                    uid=issue.uid,
                    name=issue.name,
                    duration=0 if summary else duration,
                    parent=parent_uid,
                    milestone=False,
                    constraint=constraint,
                    deadline=deadline,
                    active=active,
                    progress=Progress() if summary else progress,
                    notes=row.get(DESCRIPTION),
                )
            )
            info: dict[str, Any] = {
                "key": issue.key,
                "id": issue.id,
                "type": issue.type,
                "status": row.get(STATUS),
                "status_category": row.get(CATEGORY) or state,
                "resolution": resolution,
                "priority": row.get(PRIORITY),
                "assignee": row.get(ASSIGNEE),
                "story_points": points,
                "sprints": list(dict.fromkeys(row.values(SPRINT))),
                "labels": list(dict.fromkeys(row.values(LABELS))),
                "components": [v for c in COMPONENTS for v in row.values(c)],
                "created": created.isoformat() if created else None,
                "updated": updated.isoformat() if updated else None,
                "resolved": resolved.isoformat() if resolved else None,
                "row": row.number,
            }
            meta[str(issue.uid)] = {k: v for k, v in info.items() if v not in (None, "", [])}
        if by_points:
            self.warnings.append(
                f"{_n(by_points, 'issue')} without a time estimate: duration from story points "
                f"({self.point_minutes / MINUTES_PER_DAY:g} day per point)"
            )
        if defaulted:
            self.warnings.append(
                f"{_n(defaulted, 'issue')} without an estimate or story points: "
                f"{self.default_minutes / MINUTES_PER_DAY:g} day each"
            )
        if cancelled:
            self.warnings.append(
                f"{_n(cancelled, 'issue')} resolved as not to be done (Won't Do, Duplicate ...): "
                "kept as inactive tasks"
            )
        if not self.table.has(CATEGORY) and self.rows:
            self.warnings.append("no 'Status Category' column: progress guessed from the status")
        return tasks, meta, dates

    def _uid(self, ref: str) -> int:
        return self.placeholders[ref].uid if ref.startswith(_HOLDER) else self.issues[ref].uid

    def _state(self, row: Row, resolved: dt.datetime | None) -> str:
        category = row.get(CATEGORY)
        if category:
            got = _CATEGORIES.get(category.casefold())
            if got is not None:
                return got
            self.warnings.append(
                f"row {row.number}: unknown status category '{category}': "
                "progress guessed from the status"
            )
        status = row.get(STATUS).casefold()
        if status in _DONE_STATUSES or resolved is not None:
            return _DONE
        if status in _DOING_STATUSES:
            return _DOING
        return _TODO

    # -- links --------------------------------------------------------------------------
    def _links(self, tasks: list[Task]) -> list[Link]:
        pairs: dict[tuple[int, int], None] = {}
        unknown: list[str] = []
        for issue in self.issues.values():
            row = issue.row
            for column, outward in ((OUT_BLOCKS, True), (IN_BLOCKS, False)):
                for cell in row.values(column):
                    for text in _SPLIT_RE.split(cell):
                        if not text:
                            continue
                        other = self._find(text)
                        if other is None:
                            unknown.append(text)
                            continue
                        a, b = issue.uid, self.issues[other].uid
                        if a == b:
                            continue
                        pairs[(a, b) if outward else (b, a)] = None
        if unknown:
            self.warnings.append(
                "links to issues not in the export are left out: "
                + _few(list(dict.fromkeys(unknown)))
            )
        parents = {t.uid: t.parent for t in tasks}
        names = self._labels(tasks)

        def ancestors(uid: int) -> set[int]:
            out: set[int] = set()
            up = parents.get(uid)
            while up is not None:
                out.add(up)
                up = parents.get(up)
            return out

        links = []
        for a, b in pairs:
            if a in ancestors(b) or b in ancestors(a):
                self.warnings.append(
                    f"{names[a]} blocks {names[b]} and one contains the other: link left out"
                )
                continue
            links.append(Link(a, b))
        return self._break_cycles(tasks, links)

    def _break_cycles(self, tasks: list[Task], links: list[Link]) -> list[Link]:
        """Drop the links that close a cycle. Each task is a start and a finish node; a
        summary's start precedes its children's starts, their finishes its finish."""
        children: dict[int, list[int]] = {}
        for t in tasks:
            if t.parent is not None:
                children.setdefault(t.parent, []).append(t.uid)
        names = self._labels(tasks)
        keys = {i.uid: i.key or f"#{i.id}" for i in self.issues.values()}
        keys.update((h.uid, h.name) for h in self.placeholders.values())
        kept = list(links)
        while True:
            graph: dict[int, list[int]] = {}
            for t in tasks:
                s, f = 2 * t.uid, 2 * t.uid + 1
                kids = children.get(t.uid)
                if kids:
                    for k in kids:
                        graph.setdefault(s, []).append(2 * k)
                        graph.setdefault(2 * k + 1, []).append(f)
                else:
                    graph.setdefault(s, []).append(f)
            link_of: dict[tuple[int, int], Link] = {}
            for link in kept:
                edge = (2 * link.predecessor + 1, 2 * link.successor)
                graph.setdefault(edge[0], []).append(edge[1])
                link_of[edge] = link
            cycle = find_cycle(graph, sorted(graph))
            if not cycle:
                return kept
            closing = [
                link_of[e] for e in zip(cycle, [*cycle[1:], cycle[0]], strict=True) if e in link_of
            ]
            if not closing:  # the outline alone cannot loop; kept for safety
                return kept
            drop = closing[-1]
            loop = list(dict.fromkeys(keys.get(n // 2, str(n // 2)) for n in cycle))
            kept.remove(drop)
            self.warnings.append(
                f"{names[drop.predecessor]} blocks {names[drop.successor]}: this link closes "
                f"a loop of blocking links ({' -> '.join(loop)}) and is left out"
            )

    def _labels(self, tasks: list[Task]) -> dict[int, str]:
        """Task uid -> "KEY 'Summary'", as warnings name issues."""
        keys = {i.uid: i.key or f"#{i.id}" for i in self.issues.values()}
        return {
            t.uid: f"{keys[t.uid]} '{t.name}'" if t.uid in keys else f"'{t.name}'" for t in tasks
        }

    # -- resources ----------------------------------------------------------------------
    def _resources(self, tasks: list[Task]) -> tuple[list[Resource], list[Assignment]]:
        summaries = {t.parent for t in tasks if t.parent is not None}
        resources: dict[str, Resource] = {}
        assignments: list[Assignment] = []
        for issue in self.issues.values():
            who = issue.row.get(ASSIGNEE)
            if not who or who.casefold() in ("unassigned", "non assigné", "non attribué"):
                continue
            res = resources.get(who)
            if res is None:
                res = resources[who] = Resource(uid=len(resources) + 1, name=who)
            if issue.uid not in summaries:
                assignments.append(Assignment(task=issue.uid, resource=res.uid))
        return list(resources.values()), assignments


def _is_header(row: Row) -> bool:
    """A row whose Summary and Issue Type cells are those columns' names."""
    return _norm(row.get(SUMMARY)) == SUMMARY and _norm(row.get(TYPE)) == TYPE


def _n(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _few(items: list[str], n: int = 5) -> str:
    more = f" and {len(items) - n} more" if len(items) > n else ""
    return ", ".join(items[:n]) + more


__all__ = ["FORMAT", "decode_text", "import_jira_csv", "read_jira_csv"]
