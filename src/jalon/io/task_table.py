"""The task table shared by the Excel and CSV formats: rows of cells <-> a plan.

Reading is forgiving about the layout and strict about the values. The header row is found
among the first rows of the sheet; its columns are recognised in English and French
(``Name``/``Nom``/``Tâche``, ``Duration``/``Durée``, ``Predecessors``/``Prédécesseurs`` ...)
in any order. Every value that cannot be read is reported by row and column, all of them
in one :class:`FormatError`; nothing half-read comes out.

Writing gives one row per task in outline order, with the dates and floats of a schedule.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from jalon.engine.errors import FormatError, PlanError
from jalon.engine.model import (
    Assignment,
    Constraint,
    ConstraintType,
    DurationUnit,
    Link,
    Plan,
    Progress,
    Resource,
    ResourceType,
    Task,
    find_cycle,
)
from jalon.engine.results import Schedule
from jalon.io.links import (
    CellValueError,
    Units,
    format_amount,
    format_duration,
    format_link,
    parse_duration,
    parse_predecessors,
)
from jalon.io.report import ImportResult, result_for
from jalon.io.table_cells import (
    COMPUTED,
    FRENCH_WORDS,
    HEADER_SCAN_ROWS,
    KEYS,
    MAX_ERRORS,
    TOTAL_NAMES,
    Source,
    Value,
    blank,
    header_key,
    parse_date,
    parse_flag,
    parse_percent,
    parse_resources,
    plain,
    text_of,
)

EXPORT_HEADERS = (
    "ID",
    "WBS",
    "Outline level",
    "Name",
    "Duration (days)",
    "Start",
    "Finish",
    "Predecessors",
    "Resources",
    "% complete",
    "Total float (days)",
    "Free float (days)",
    "Critical",
    "Cost",
)


@dataclass
class _Errors:
    source: Source
    items: list[tuple[int, int, str]] = field(default_factory=list)  # (row, column, text)
    count: int = 0

    def add(self, row: int, message: str, column: int | None = None, header: str = "") -> None:
        self.count += 1
        # kept: the first problems met; shown: in the order of the sheet
        if len(self.items) < MAX_ERRORS:
            where = self.source.where(row, column, header or None)
            self.items.append((row, -1 if column is None else column, f"{where}: {message}"))

    def raise_if_any(self) -> None:
        if not self.items:
            return
        items = sorted(self.items)
        lines = [text for _, _, text in items]
        more = self.count - len(items)
        if more:
            lines.append(f"... and {more} more")
        first = items[0][0]
        if self.count == 1:
            raise FormatError(lines[0], path=self.source.name, line=first)
        raise FormatError(
            f"{self.count} problems:\n  " + "\n  ".join(lines), path=self.source.name, line=first
        )


# -- reading ----------------------------------------------------------------------------


@dataclass
class _Row:
    number: int  # row or line number, as the user sees it
    uid: int
    level: int
    cells: dict[str, tuple[int, Value]]  # key -> (column index, value)


def find_header(
    rows: Sequence[tuple[int, Sequence[Value]]],
) -> tuple[int, dict[int, str]] | None:
    """(position in ``rows``, column index -> key) of the header row, or None."""
    best: tuple[int, dict[int, str]] | None = None
    for pos, (_, values) in enumerate(rows[:HEADER_SCAN_ROWS]):
        keys = {i: k for i, v in enumerate(values) if (k := header_key(v)) is not None}
        if "name" in keys.values() and (best is None or len(keys) > len(best[1])):
            best = (pos, keys)
            if len(keys) >= 3:
                break
    return best


def read_table(
    rows: Sequence[tuple[int, Sequence[Value]]],
    source: Source,
    *,
    warnings: Iterable[str] = (),
    today: Callable[[], dt.date] = dt.date.today,
) -> ImportResult:
    """A plan from the rows of a sheet: ``rows`` are (row number, cell values)."""
    warn: list[str] = list(warnings)
    ignored: list[str] = []
    header = find_header(rows)
    if header is None:
        raise FormatError(
            "no header row with a task name column (Name, Task, Nom, Tâche) "
            f"in the first {HEADER_SCAN_ROWS} rows"
            + (f" of sheet '{source.sheet}'" if source.sheet else ""),
            path=source.name,
        )
    pos, columns = header
    header_number, header_values = rows[pos]
    labels = {i: text_of(header_values[i]) for i in columns}
    by_key: dict[str, int] = {}
    for i, key in sorted(columns.items()):
        if key in by_key:
            ignored.append(f"column '{labels[i]}' (a second '{key}' column)")
        elif key in COMPUTED:
            ignored.append(f"column '{labels[i]}' (computed by Jalon when it schedules)")
        else:
            by_key[key] = i
    for i, value in enumerate(header_values):
        # dates in the header row are a timescale (Jalon's own Gantt band): not data
        if i not in columns and isinstance(value, str) and value.strip():
            ignored.append(f"column '{text_of(value)}'")
    if "duration" not in by_key and not ("start" in by_key and "finish" in by_key):
        raise FormatError(
            f"{source.where(header_number)}: no 'Duration' column (nor 'Start' and 'Finish'): "
            "the task table needs one of them",
            path=source.name,
            line=header_number,
        )
    plain_headers = {plain(labels[i]).split(" ")[0] for i in columns}
    # 03/04/2025 is the 3rd of April under French headers, March 4th under English ones
    day_first = bool(plain_headers & FRENCH_WORDS)
    errors = _Errors(source)
    return _Reader(source, by_key, labels, errors, warn, ignored, day_first, today).read(
        rows[pos + 1 :]
    )


class _Reader:
    def __init__(
        self,
        source: Source,
        by_key: dict[str, int],
        labels: dict[int, str],
        errors: _Errors,
        warnings: list[str],
        ignored: list[str],
        day_first: bool,
        today: Callable[[], dt.date],
    ) -> None:
        self.source = source
        self.by_key = by_key
        self.labels = labels
        self.errors = errors
        self.warnings = warnings
        self.ignored = ignored
        self.day_first = day_first
        self.today = today
        self.units = Units()
        self.numbers: dict[int, str] = {}

    def cell(self, values: Sequence[Value], key: str) -> tuple[int, Value] | None:
        i = self.by_key.get(key)
        if i is None or i >= len(values) or blank(values[i]):
            return None
        return i, values[i]

    def fail(self, row: _Row, key: str, message: str) -> None:
        column = row.cells[key][0] if key in row.cells else self.by_key.get(key)
        header = self.labels.get(column, key) if column is not None else key
        self.errors.add(row.number, message, column, header)

    def read(self, data: Sequence[tuple[int, Sequence[Value]]]) -> ImportResult:
        rows = self.collect(data)  # rows without a name are reported, then left out
        parents = self.outline(rows)
        ids, wbs_refs = self.references(rows, parents)
        tasks, links, resources, assignments, start = self.build(rows, parents, ids, wbs_refs)
        self.errors.raise_if_any()
        fmt = self.source.format
        try:
            plan = Plan(
                name=_plan_name(self.source),
                start=start,
                tasks=tuple(tasks),
                links=tuple(links),
                resources=tuple(resources),
                assignments=tuple(assignments),
                metadata={"format": fmt},
            )
        except PlanError as exc:
            raise FormatError(str(exc), path=self.source.name) from exc
        return result_for(plan, fmt, self.warnings, self.ignored)

    def collect(self, data: Sequence[tuple[int, Sequence[Value]]]) -> list[_Row]:
        rows: list[_Row] = []
        for number, values in data:
            cells = {k: c for k in KEYS if (c := self.cell(values, k)) is not None}
            if not cells:
                continue  # a blank row
            name = text_of(cells["name"][1]) if "name" in cells else ""
            if plain(name) in TOTAL_NAMES and "id" not in cells and "duration" not in cells:
                self.ignored.append(f"{self.source.where(number)}: the totals row")
                continue
            row = _Row(number, len(rows) + 1, 1, cells)
            if not name:
                if set(cells) <= {"id", "wbs", "level"}:
                    continue  # an empty MS Project row: only its number
                self.fail(row, "name", "a task needs a name")
                continue
            rows.append(row)
        return rows

    def outline(self, rows: list[_Row]) -> dict[int, int | None]:
        """uid -> parent uid, from the level column, else the WBS depth."""
        parents: dict[int, int | None] = {}
        stack: list[tuple[int, int]] = []  # (level, uid)
        jumps = 0
        for row in rows:
            level = 1
            if "level" in row.cells:
                raw = row.cells["level"][1]
                try:
                    number = float(text_of(raw).replace(",", "."))
                except ValueError:
                    number = math.nan
                if not number.is_integer() or not 1 <= number <= 100:
                    self.fail(
                        row, "level", f"'{text_of(raw)}' is not an outline level (1, 2, 3 ...)"
                    )
                    number = 1
                level = int(number)
            elif "wbs" in row.cells:
                level = text_of(row.cells["wbs"][1]).strip(".").count(".") + 1
            previous = stack[-1][0] if stack else 0
            if level > previous + 1:
                jumps += 1
                level = previous + 1
            while stack and stack[-1][0] >= level:
                stack.pop()
            parents[row.uid] = stack[-1][1] if stack else None
            stack.append((level, row.uid))
            row.level = level
        if jumps:
            self.warnings.append(
                f"{jumps} task(s) more than one outline level below the row above: "
                "placed one level below it"
            )
        return parents

    def references(
        self, rows: list[_Row], parents: dict[int, int | None]
    ) -> tuple[dict[str, int], dict[str, int]]:
        """Row IDs and WBS codes (written or computed) -> uid."""
        ids: dict[str, int] = {}
        for position, row in enumerate(rows, start=1):
            if "id" in row.cells:
                raw = text_of(row.cells["id"][1])
                if not raw.isdigit():
                    self.fail(row, "id", f"'{raw}' is not a row ID (a whole number)")
                    continue
                key = str(int(raw))
                if key in ids:
                    self.fail(row, "id", f"ID {key} is used twice")
                    continue
                ids[key] = row.uid
            elif "id" not in self.by_key:
                ids[str(position)] = row.uid
        counters: dict[int | None, int] = {}
        numbers: dict[int, str] = {}
        wbs_refs: dict[str, int] = {}
        for row in rows:
            parent = parents[row.uid]
            counters[parent] = counters.get(parent, 0) + 1
            numbers[row.uid] = (f"{numbers[parent]}." if parent else "") + str(counters[parent])
            wbs_refs.setdefault(numbers[row.uid], row.uid)
        for row in rows:
            if "wbs" in row.cells:
                wbs_refs[text_of(row.cells["wbs"][1])] = row.uid
        self.numbers = numbers
        return ids, wbs_refs

    def date(self, row: _Row, key: str) -> tuple[dt.datetime, bool] | None:
        if key not in row.cells:
            return None
        try:
            return parse_date(row.cells[key][1], day_first=self.day_first)
        except CellValueError as exc:
            self.fail(row, key, str(exc))
            return None

    def build(
        self,
        rows: list[_Row],
        parents: dict[int, int | None],
        ids: dict[str, int],
        wbs_refs: dict[str, int],
    ) -> tuple[list[Task], list[Link], list[Resource], list[Assignment], dt.datetime]:
        summaries = {p for p in parents.values() if p is not None}
        starts: dict[int, dt.datetime] = {}
        finishes: dict[int, dt.datetime] = {}
        for row in rows:
            got = self.date(row, "start")
            if got is not None:
                starts[row.uid] = got[0] if got[1] else got[0].replace(hour=8)
            got = self.date(row, "finish")
            if got is not None:
                finishes[row.uid] = got[0] if got[1] else got[0].replace(hour=17)
        # the project starts with the first task nothing drives (FF and SF links may
        # start a task earlier than the project)
        free = [
            starts[r.uid]
            for r in rows
            if r.uid in starts and r.uid not in summaries and "predecessors" not in r.cells
        ]
        if starts:
            plan_start = min(free or starts.values())
        else:
            plan_start = dt.datetime.combine(self.today(), dt.time(8))
            self.warnings.append("no start date in the table: the project starts today")

        links: list[Link] = []
        link_rows: dict[tuple[int, int], _Row] = {}
        resources: dict[str, Resource] = {}
        assignments: list[Assignment] = []
        tasks: list[Task] = []
        guessed: list[int] = []
        for row in rows:
            uid = row.uid
            predecessors = self.links(row, ids, wbs_refs)
            for link in predecessors:
                if (link.predecessor, uid) in link_rows:
                    self.fail(row, "predecessors", "the same predecessor is given twice")
                    continue
                link_rows[(link.predecessor, uid)] = row
                links.append(link)
            minutes, unit, elapsed = self.duration(row, starts.get(uid), finishes.get(uid))
            if minutes is None:
                minutes = 0 if uid in summaries else self.units.minutes_per_day
                if uid not in summaries:
                    guessed.append(row.number)
            milestone = None
            if "milestone" in row.cells:
                try:
                    flag = parse_flag(row.cells["milestone"][1])
                except CellValueError as exc:
                    self.fail(row, "milestone", str(exc))
                else:
                    milestone = flag if flag != (minutes == 0) else None
            constraint = Constraint()
            start = starts.get(uid)
            # a date typed on a task nothing drives: keep it, as MS Project does
            if uid not in summaries and not predecessors and start and start > plan_start:
                constraint = Constraint(ConstraintType.SNET, start)
            percent = 0.0
            if "percent" in row.cells:
                try:
                    percent = parse_percent(
                        row.cells["percent"][1], from_sheet=self.source.format == "xlsx"
                    )
                except CellValueError as exc:
                    self.fail(row, "percent", str(exc))
            progress = Progress(
                actual_start=(start or plan_start) if percent > 0 else None,
                actual_finish=finishes.get(uid) if percent >= 100 else None,
                percent_complete=percent,
            )
            tasks.append(
                Task(
                    uid=uid,
                    name=text_of(row.cells["name"][1])[:500],
                    duration=0 if uid in summaries else minutes,
                    parent=parents[uid],
                    elapsed=elapsed,
                    duration_unit=unit,
                    milestone=milestone,
                    constraint=constraint,
                    progress=progress,
                    wbs=self.custom_wbs(row),
                    notes=text_of(row.cells["notes"][1]) if "notes" in row.cells else "",
                )
            )
            assignments.extend(self.assignments(row, resources))
        if guessed:
            shown = ", ".join(str(n) for n in guessed[:10]) + (" ..." if len(guessed) > 10 else "")
            self.warnings.append(
                f"{len(guessed)} task(s) without a duration (rows {shown}): 1 day each"
            )
        self.check_links(tasks, links, link_rows, parents)
        return tasks, links, list(resources.values()), assignments, plan_start

    def custom_wbs(self, row: _Row) -> str | None:
        """The WBS code of a row, unless it is the outline number Jalon would give."""
        if "wbs" not in row.cells:
            return None
        code = text_of(row.cells["wbs"][1])[:100]
        return None if code == self.numbers.get(row.uid) else code

    def duration(
        self, row: _Row, start: dt.datetime | None, finish: dt.datetime | None
    ) -> tuple[int | None, DurationUnit, bool]:
        if "duration" in row.cells:
            raw = row.cells["duration"][1]
            if isinstance(raw, bool):
                self.fail(row, "duration", f"cannot read {raw!r} as a duration")
                return None, DurationUnit.DAY, False
            if isinstance(raw, int | float):
                if not math.isfinite(raw) or raw < 0 or raw > 1e6:
                    self.fail(row, "duration", f"{raw!r} is not a number of days")
                    return None, DurationUnit.DAY, False
                return round(raw * self.units.minutes_per_day), DurationUnit.DAY, False
            try:
                return parse_duration(text_of(raw), self.units)
            except CellValueError as exc:
                self.fail(row, "duration", str(exc))
                return None, DurationUnit.DAY, False
        if start is not None and finish is not None:
            if finish < start:
                self.fail(row, "finish", "the finish is before the start")
                return None, DurationUnit.DAY, False
            return _standard_work(start, finish), DurationUnit.DAY, False
        return None, DurationUnit.DAY, False

    def links(self, row: _Row, ids: dict[str, int], wbs_refs: dict[str, int]) -> list[Link]:
        if "predecessors" not in row.cells:
            return []
        raw = row.cells["predecessors"][1]
        try:
            items = parse_predecessors(text_of(raw), self.units)
        except CellValueError as exc:
            self.fail(row, "predecessors", str(exc))
            return []
        out = []
        for item in items:
            ref = item.ref
            uid = ids.get(str(int(ref))) if ref.isdigit() else None
            if uid is None:
                uid = wbs_refs.get(ref)
            if uid is None:
                self.fail(row, "predecessors", f"no task has the ID or WBS '{ref}'")
                continue
            if uid == row.uid:
                self.fail(row, "predecessors", "a task cannot be its own predecessor")
                continue
            out.append(Link(uid, row.uid, item.type, item.lag))
        return out

    def assignments(self, row: _Row, resources: dict[str, Resource]) -> list[Assignment]:
        if "resources" not in row.cells:
            return []
        try:
            items = parse_resources(text_of(row.cells["resources"][1]))
        except CellValueError as exc:
            self.fail(row, "resources", str(exc))
            return []
        out = []
        seen = set()
        for name, units in items:
            key = name.casefold()
            if key in seen:
                self.fail(row, "resources", f"'{name}' is assigned twice")
                continue
            seen.add(key)
            resource = resources.get(key)
            if resource is None:
                resource = Resource(uid=len(resources) + 1, name=name[:200], type=ResourceType.WORK)
                resources[key] = resource
            out.append(Assignment(task=row.uid, resource=resource.uid, units=units))
        return out

    def check_links(
        self,
        tasks: list[Task],
        links: list[Link],
        link_rows: dict[tuple[int, int], _Row],
        parents: dict[int, int | None],
    ) -> None:
        def ancestors(uid: int) -> set[int]:
            out = set()
            current = parents.get(uid)
            while current is not None:
                out.add(current)
                current = parents.get(current)
            return out

        for link in links:
            if link.predecessor in ancestors(link.successor) or link.successor in ancestors(
                link.predecessor
            ):
                self.fail(
                    link_rows[(link.predecessor, link.successor)],
                    "predecessors",
                    "a summary task cannot be linked to its own subtask",
                )
        if self.errors.count:
            return
        successors: dict[int, list[int]] = {}
        for link in links:
            successors.setdefault(link.predecessor, []).append(link.successor)
        cycle = find_cycle(successors, [t.uid for t in tasks])
        if cycle:
            row_of = {r.uid: r for r in link_rows.values()}
            numbers = {uid: r.number for (_, uid), r in link_rows.items()}
            path = " -> ".join(str(numbers.get(u, u)) for u in [*cycle, cycle[0]])
            where = row_of.get(cycle[0]) or next(iter(link_rows.values()))
            self.fail(where, "predecessors", f"the predecessors form a cycle (rows {path})")


def _standard_work(start: dt.datetime, finish: dt.datetime) -> int:
    """Working minutes between two dates in MS Project's Standard calendar."""
    from jalon.engine.calendar import CalendarSet
    from jalon.engine.model import standard_calendar

    spec = standard_calendar()
    calendars = CalendarSet({"Standard": spec}, ["Standard"], start.date(), finish.date())
    return max(0, calendars.calendar("Standard").working_minutes(start, finish))


def _plan_name(source: Source) -> str:
    from pathlib import PurePath

    stem = PurePath(source.name).stem
    return (stem if stem and not stem.startswith("<") else "") or source.sheet or "Imported plan"


# -- writing ----------------------------------------------------------------------------


def task_costs(plan: Plan, schedule: Schedule) -> dict[int, float]:
    """Cost per task uid: work x rate + cost per use, rolled up to the summary tasks."""
    rates = {r.uid: r for r in plan.resources}
    durations = {t.uid: t.duration for t in schedule.tasks}
    costs: dict[int, float] = dict.fromkeys(durations, 0.0)
    for a in plan.assignments:
        resource = rates.get(a.resource)
        if resource is None or a.task not in costs:
            continue
        if resource.type is ResourceType.MATERIAL:
            cost = a.units * resource.standard_rate
        elif resource.type is ResourceType.COST:
            cost = 0.0
        else:
            work = a.work if a.work is not None else durations[a.task] * a.units
            cost = work / 60 * resource.standard_rate
        costs[a.task] += cost + resource.cost_per_use
    # roll up: children come after their summary, so walk backwards
    for task in reversed(plan.tasks):
        if task.parent is not None:
            costs[task.parent] += costs[task.uid]
    return costs


def table_rows(plan: Plan, schedule: Schedule) -> list[list[Value]]:
    """One row per task under :data:`EXPORT_HEADERS`: dates as datetimes, numbers as floats."""
    units = Units(plan.minutes_per_day, plan.minutes_per_week, plan.days_per_month)
    ids = {t.uid: str(i) for i, t in enumerate(plan.tasks, start=1)}
    predecessors: dict[int, list[str]] = {}
    for link in plan.links:
        predecessors.setdefault(link.successor, []).append(
            format_link(ids[link.predecessor], link, units)
        )
    names = {r.uid: r.name for r in plan.resources}
    assigned: dict[int, list[str]] = {}
    for a in plan.assignments:
        label = names.get(a.resource, f"#{a.resource}")
        if a.units != 1:
            label += f"[{format_amount(a.units * 100)}%]"
        assigned.setdefault(a.task, []).append(label)
    costs = task_costs(plan, schedule)
    per_day = plan.minutes_per_day
    rows: list[list[Value]] = []
    for task, st in zip(plan.tasks, schedule.tasks, strict=True):
        if task.elapsed and not st.summary:
            duration: Value = format_duration(task.duration, task.duration_unit, True, units)
        else:
            duration = round(st.duration / per_day, 4)
        rows.append(
            [
                int(ids[task.uid]),
                st.wbs,
                st.outline_level,
                task.name,
                duration,
                st.start,
                st.finish,
                "; ".join(predecessors.get(task.uid, [])),
                "; ".join(assigned.get(task.uid, [])),
                task.progress.percent_complete,
                round(st.total_float / per_day, 4),
                round(st.free_float / per_day, 4),
                bool(st.critical),
                round(costs.get(task.uid, 0.0), 2),
            ]
        )
    return rows


__all__ = ["EXPORT_HEADERS", "find_header", "read_table", "table_rows", "task_costs"]
