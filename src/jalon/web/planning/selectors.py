"""Reads of planning data; every one starts from what the user may see."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404

from jalon.engine import DurationUnit, LinkType
from jalon.engine import Resource as EResource
from jalon.io.links import type_text, unit_text
from jalon.web.planning.models import (
    Assignment,
    Baseline,
    BaselineTask,
    Calendar,
    Link,
    Resource,
    Task,
)
from jalon.web.projects.models import Membership, Project
from jalon.web.projects.selectors import can_view, projects_visible_to


def _visible(project: Project, user: Any) -> None:
    if not can_view(user, project):
        raise Http404("No such project")


def task_list(*, project: Project, user: Any) -> QuerySet[Task]:
    """The project's tasks in outline order (computed dates included)."""
    _visible(project, user)
    return Task.objects.filter(project=project).order_by("position")


def task_get(*, user: Any, project: Project, pk: int) -> Task:
    _visible(project, user)
    try:
        return Task.objects.select_related("project").get(project=project, pk=pk)
    except (Task.DoesNotExist, ValueError):
        raise Http404("No such task") from None


def link_list(*, project: Project, user: Any) -> QuerySet[Link]:
    _visible(project, user)
    return Link.objects.filter(project=project)


def calendar_list(*, project: Project, user: Any) -> QuerySet[Calendar]:
    _visible(project, user)
    return Calendar.objects.filter(project=project)


def assignment_list(*, project: Project, user: Any) -> QuerySet[Assignment]:
    _visible(project, user)
    return Assignment.objects.filter(project=project).select_related("resource", "task")


def baseline_list(*, project: Project, user: Any) -> QuerySet[Baseline]:
    _visible(project, user)
    return Baseline.objects.filter(project=project)


def resources_visible_to(user: Any) -> QuerySet[Resource]:
    """People are shared by the portfolio, but a user sees only those working on a
    project they can see (PMO admins see all)."""
    from jalon.web.accounts.selectors import is_pmo_admin

    if is_pmo_admin(user):
        return Resource.objects.all()
    return Resource.objects.filter(assignments__project__in=projects_visible_to(user)).distinct()


def predecessors_text(
    *, project: Project, user: Any, tasks: Collection[int] | None = None, french: bool = False
) -> dict[int, str]:
    """task pk -> its predecessors written as in MS Project ("3FS+2d, 5"), by WBS.

    ``tasks``: only those tasks' predecessors (one query, with the predecessors' WBS).
    ``french``: as French MS Project writes them ("3FD+2j, 5"), for the web pages; the
    API keeps English."""
    _visible(project, user)
    project_day = project.minutes_per_day
    out: dict[int, list[str]] = {}
    if tasks is not None:
        for succ, code, number, kind, lag, lag_kind, unit in (
            Link.objects.filter(project=project, successor_id__in=list(tasks))
            .order_by("pk")
            .values_list(
                "successor_id",
                "predecessor__wbs_code",
                "predecessor__outline_number",
                "type",
                "lag_value",
                "lag_kind",
                "lag_unit",
            )
        ):
            out.setdefault(succ, []).append(
                (code or number)
                + link_suffix(kind, lag, lag_kind, unit, project_day, french=french)
            )
        return {pk: ", ".join(items) for pk, items in out.items()}
    wbs = {
        pk: code or number
        for pk, code, number in Task.objects.filter(project=project).values_list(
            "pk", "wbs_code", "outline_number"
        )
    }
    # in creation order, as with ``tasks``
    for pred, succ, kind, lag, lag_kind, unit in (
        Link.objects.filter(project=project)
        .order_by("pk")
        .values_list("predecessor_id", "successor_id", "type", "lag_value", "lag_kind", "lag_unit")
    ):
        out.setdefault(succ, []).append(
            wbs[pred] + link_suffix(kind, lag, lag_kind, unit, project_day, french=french)
        )
    return {pk: ", ".join(items) for pk, items in out.items()}


UNIT_MINUTES = {"m": 1, "h": 60, "d": None, "w": None, "mo": None}


def link_suffix(
    kind: str,
    lag: float,
    lag_kind: str,
    unit: str,
    minutes_per_day: int,
    *,
    french: bool = False,
) -> str:
    """``FS+2d``-style suffix (French ``FD+2j``): empty for a plain finish-to-start link."""
    if french and kind in LinkType.__members__:
        kind = type_text(LinkType(kind), french=True)
    if not lag:
        return "" if kind in ("FS", "FD") else kind
    if lag_kind == "percent":
        amount = f"{lag:+g}%"
    else:
        size = {
            "m": 1,
            "h": 60,
            "d": minutes_per_day,
            "w": minutes_per_day * 5,
            "mo": minutes_per_day * 20,
        }[unit]
        if lag_kind == "elapsed":
            size = {"m": 1, "h": 60, "d": 1440, "w": 10080, "mo": 43200}[unit]
        words = unit_text(DurationUnit(unit), lag_kind == "elapsed", french=french)
        amount = f"{lag / size:+g}{words}"
    return f"{kind}{amount}"


@dataclass(frozen=True)
class Change:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class HistoryEntry:
    when: dt.datetime
    user: str
    kind: str  # "task", "link", ...
    action: str  # "+" created, "~" changed, "-" deleted
    label: str
    changes: list[Change] = field(default_factory=list)
    record: Any = None  # the historical row (its foreign keys name what changed)


HISTORY_MODELS = (
    ("project", Project, "id"),
    ("member", Membership, "project_id"),
    ("task", Task, "project_id"),
    ("link", Link, "project_id"),
    ("calendar", Calendar, "project_id"),
    ("assignment", Assignment, "project_id"),
    ("baseline", Baseline, "project_id"),
)
SKIP_FIELDS = {
    "history_id",
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user",
    "history_user_id",
    "version",
    "id",
    "position",
}


HISTORY_PAGE = 200  # historical records per page of a project's history


@dataclass(frozen=True, order=True)
class HistoryCursor:
    """A place in a project's history: records are ordered newest first by
    (history_date, model, history_id), so a page stays the same while changes arrive."""

    when: dt.datetime
    rank: int  # the model's index in HISTORY_MODELS
    history_id: int

    def __str__(self) -> str:
        return f"{self.when:%Y%m%dT%H%M%S.%f}-{self.rank}-{self.history_id}"

    @classmethod
    def parse(cls, text: str | None) -> HistoryCursor | None:
        """The cursor ``str()`` wrote, or None for anything else."""
        try:
            when, rank, history_id = (text or "").split("-")
            cursor = cls(dt.datetime.strptime(when, "%Y%m%dT%H%M%S.%f"), int(rank), int(history_id))
        except ValueError:
            return None
        return cursor if 0 <= cursor.rank < len(HISTORY_MODELS) else None


@dataclass(frozen=True)
class HistoryPage:
    """One page of a project's history, newest first."""

    entries: list[HistoryEntry]
    older: HistoryCursor | None = None  # ``before=``: the next older page, if any
    newer: HistoryCursor | None = None  # ``after=``: the next newer page, if any
    # (when, user) of the record just older / newer than the page: a save cut by the page
    below: tuple[dt.datetime, str] | None = None
    above: tuple[dt.datetime, str] | None = None


def _cursor_of(rank: int, rec: Any) -> HistoryCursor:
    return HistoryCursor(rec.history_date, rank, rec.history_id)


def _side(cursor: HistoryCursor, rank: int, *, older: bool) -> Q:
    """The records of the model at ``rank`` at or before ``cursor`` (``older``), else at
    or after it, in the order (history_date, model, history_id)."""
    date = "history_date__lte" if older else "history_date__gte"
    strict = "history_date__lt" if older else "history_date__gt"
    if rank == cursor.rank:
        hid = "history_id__lte" if older else "history_id__gte"
        return Q(**{strict: cursor.when}) | Q(history_date=cursor.when, **{hid: cursor.history_id})
    if (rank < cursor.rank) == older:
        return Q(**{date: cursor.when})
    return Q(**{strict: cursor.when})


def _previous_records(model: Any, page: list[Any]) -> dict[int, Any]:
    """history_id -> the object's previous record, for the "changed" records of one model
    on a page: from the page when it is there, else in one query (the newest record of
    each such object older than the model's oldest record on the page)."""
    ordered = sorted(page, key=lambda r: (r.history_date, r.history_id))
    last: dict[int, Any] = {}
    previous: dict[int, Any] = {}
    missing: dict[int, list[int]] = {}
    for rec in ordered:
        before = last.get(rec.id)
        last[rec.id] = rec
        if rec.history_type != "~":
            continue
        if before is not None:
            previous[rec.history_id] = before
        else:
            missing.setdefault(rec.id, []).append(rec.history_id)
    if missing:
        oldest = ordered[0]
        newest_first = Window(
            RowNumber(),
            partition_by=[F("id")],
            order_by=[F("history_date").desc(), F("history_id").desc()],
        )
        for rec in (
            model.history.filter(id__in=list(missing))
            .filter(
                Q(history_date__lt=oldest.history_date)
                | Q(history_date=oldest.history_date, history_id__lt=oldest.history_id)
            )
            .annotate(newest=newest_first)
            .filter(newest=1)
        ):
            for history_id in missing[rec.id]:
                previous[history_id] = rec
    return previous


def project_history_page(
    *,
    project: Project,
    user: Any,
    limit: int | None = None,
    before: HistoryCursor | None = None,
    after: HistoryCursor | None = None,
) -> HistoryPage:
    """A page of a project's changes, newest first, field by field: who, when, what.

    ``limit`` historical records (default ``HISTORY_PAGE``): the newest; ``before``: the
    newest older than that cursor; ``after``: the oldest newer than it. A handful of
    queries whatever the size of the history: the page's records of each model (one
    query each), then the previous record of each object changed on the page whose
    previous record is on an older page (one query per model).
    """
    _visible(project, user)
    limit = HISTORY_PAGE if limit is None else limit
    older = after is None
    cursor = before if older else after
    rows: list[tuple[int, Any]] = []
    for rank, (_kind, model, key) in enumerate(HISTORY_MODELS):
        records = model.history.filter(**{key: project.pk})  # type: ignore[attr-defined]
        if cursor is not None:
            records = records.filter(_side(cursor, rank, older=older))
        order = ("-history_date", "-history_id") if older else ("history_date", "history_id")
        # the cursor's own record and one beyond the page: who is on either side
        rows.extend(
            (rank, rec)
            for rec in records.select_related("history_user").order_by(*order)[: limit + 2]
        )
    rows.sort(key=lambda row: _cursor_of(*row), reverse=older)
    beside = None  # the cursor's own record: just newer (before=) or older (after=)
    if rows and cursor is not None and _cursor_of(*rows[0]) == cursor:
        beside = rows.pop(0)
    if not older and len(rows) <= limit:  # nothing newer than a page: the newest page
        return project_history_page(project=project, user=user, limit=limit)
    page, beyond = rows[:limit], (rows[limit] if len(rows) > limit else None)
    if not older:
        page.reverse()
    above, below = (beside, beyond) if older else (beyond, beside)
    previous: dict[tuple[int, int], Any] = {}
    for rank, (_kind, model, _key) in enumerate(HISTORY_MODELS):
        mine = [rec for r, rec in page if r == rank]
        if mine:
            for history_id, rec in _previous_records(model, mine).items():
                previous[(rank, history_id)] = rec
    names_of = {
        rank: [f.attname for f in model.history.model._meta.fields if f.attname not in SKIP_FIELDS]  # type: ignore[attr-defined]
        for rank, (_kind, model, _key) in enumerate(HISTORY_MODELS)
    }
    entries: list[HistoryEntry] = []
    for rank, rec in page:
        changes = []
        if rec.history_type == "~":
            before_rec = previous.get((rank, rec.history_id))
            if before_rec is not None:
                for name in names_of[rank]:
                    old, new = getattr(before_rec, name), getattr(rec, name)
                    if old != new:
                        changes.append(Change(name.removesuffix("_id"), old, new))
                if not changes:
                    continue
        who = rec.history_user
        entries.append(
            HistoryEntry(
                when=rec.history_date,
                user=who.username if who is not None else "",
                kind=HISTORY_MODELS[rank][0],
                action=rec.history_type,
                label=str(getattr(rec, "name", "") or rec.id),
                changes=changes,
                record=rec,
            )
        )

    def side(row: tuple[int, Any] | None) -> tuple[dt.datetime, str] | None:
        if row is None:
            return None
        who = row[1].history_user
        return row[1].history_date, who.username if who is not None else ""

    return HistoryPage(
        entries=entries,
        older=_cursor_of(*page[-1]) if page and below is not None else None,
        newer=None if above is None else _cursor_of(*(page[0] if page else above)),
        below=side(below),
        above=side(above),
    )


def project_history(*, project: Project, user: Any, limit: int | None = None) -> list[HistoryEntry]:
    """The newest ``limit`` records of a project's history as changes, newest first."""
    return project_history_page(project=project, user=user, limit=limit).entries


# -- the planning editor (grid and Gantt) ---------------------------------------------------


def _stamp(value: dt.datetime | None) -> str | None:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else None


def gantt_tasks(
    *, project: Project, user: Any, tasks: Collection[int] | None = None
) -> list[dict[str, Any]]:
    """The Gantt's bars: dates, progress, links, kind and baseline 0, in outline order.

    Three queries whatever the number of tasks (tasks, links, baseline values).
    ``tasks``: only those tasks' bars (the bars an edit changed).
    """
    _visible(project, user)
    links = Link.objects.filter(project=project).order_by("pk")
    baselines = BaselineTask.objects.filter(baseline__project=project, baseline__number=0)
    rows = Task.objects.filter(project=project, start__isnull=False, finish__isnull=False)
    if tasks is not None:
        pks = list(tasks)
        links = links.filter(successor_id__in=pks)
        baselines = baselines.filter(task_id__in=pks)
        rows = rows.filter(pk__in=pks)
    deps: dict[int, list[str]] = {}
    for pred, succ in links.values_list("predecessor_id", "successor_id"):
        deps.setdefault(succ, []).append(f"t{pred}")
    baseline = {
        task: (start, finish)
        for task, start, finish in baselines.values_list("task_id", "start", "finish")
    }
    out = []
    for t in rows.order_by("position").values_list(
        "pk",
        "name",
        "wbs_code",
        "outline_number",
        "start",
        "finish",
        "percent_complete",
        "rolled_percent",
        "critical",
        "is_summary",
        "is_milestone",
        "version",
    ):
        pk, name, code, number, start, finish, percent, rolled, critical, summary, milestone = t[
            :11
        ]
        kind = "summary" if summary else "milestone" if milestone else "task"
        bstart, bfinish = baseline.get(pk, (None, None))
        out.append(
            {
                "id": f"t{pk}",
                "pk": pk,
                "wbs": code or number,
                "name": name,
                "start": _stamp(start),
                "end": _stamp(finish),
                "progress": round(rolled if summary else percent),
                "dependencies": ", ".join(deps.get(pk, ())),
                # one class (frappe-gantt takes one): task, critical, summary,
                # summary-critical, milestone, milestone-critical
                "custom_class": (
                    ("critical" if kind == "task" else f"{kind}-critical") if critical else kind
                ),
                "critical": critical,
                "kind": kind,
                "baseline_start": _stamp(bstart),
                "baseline_end": _stamp(bfinish),
                "version": t[11],
            }
        )
    return out


def assignments_text(
    *, project: Project, user: Any, tasks: Collection[int] | None = None
) -> dict[int, str]:
    """task pk -> its resources as typed in the grid: ``"Alice, Bob[50%]"`` (``tasks``:
    only those tasks')."""
    _visible(project, user)
    out: dict[int, list[str]] = {}
    rows = Assignment.objects.filter(project=project)
    if tasks is not None:
        rows = rows.filter(task_id__in=list(tasks))
    for task, name, units in rows.order_by("pk").values_list("task_id", "resource__name", "units"):
        out.setdefault(task, []).append(name if units == 1 else f"{name}[{units * 100:g}%]")
    return {pk: ", ".join(items) for pk, items in out.items()}


@dataclass(frozen=True)
class TaskChangeSince:
    """Who changed a task after the version a client loaded, and what (for conflicts)."""

    user: str
    when: dt.datetime | None
    changes: list[Change]
    before: Any = None  # the historical rows: at the client's version, and the last
    last: Any = None


def task_changes_since(*, task: Task, user: Any, version: int) -> TaskChangeSince:
    _visible(task.project, user)
    records = list(
        Task.history.filter(id=task.pk)  # type: ignore[attr-defined]
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    before = next((r for r in reversed(records) if r.version <= version), None)
    last = records[-1] if records else None
    changes: list[Change] = []
    if before is not None and last is not None:
        for f in Task.history.model._meta.fields:  # type: ignore[attr-defined]
            name = f.attname
            if name in SKIP_FIELDS:
                continue
            old, new = getattr(before, name), getattr(last, name)
            if old != new:
                changes.append(Change(name.removesuffix("_id"), old, new))
    who = last.history_user if last is not None else None
    return TaskChangeSince(
        user=(who.get_full_name() or who.get_username()) if who is not None else "",
        when=last.history_date if last is not None else None,
        changes=changes,
        before=before,
        last=last,
    )


# -- the calendars page ---------------------------------------------------------------------


@dataclass(frozen=True)
class WeekDay:
    day: int  # 0 = Monday
    times: list[list[int]]  # working minutes after midnight
    inherited: bool  # from the base calendar (or the Standard week)

    @property
    def hours(self) -> float:
        return sum(e - s for s, e in self.times) / 60


@dataclass(frozen=True)
class CalendarView:
    """One calendar as the calendars page shows it."""

    name: str
    scope: str  # "project", "portfolio", "builtin"
    row: Calendar | None
    week: list[WeekDay]
    holidays: list[tuple[dt.date, str]]  # public holidays within the project's span
    is_project_calendar: bool
    tasks: int = 0
    resources: int = 0
    derived: list[str] = field(default_factory=list)  # calendars based on this one

    @property
    def hours_per_week(self) -> float:
        return sum(d.hours for d in self.week)

    @property
    def in_use(self) -> bool:
        return self.is_project_calendar or bool(self.tasks or self.resources or self.derived)


def _builtin_weeks() -> dict[str, dict[str, list[list[int]]]]:
    from jalon.engine.model import BUILTIN_CALENDARS
    from jalon.web.planning.mapping import week_to_json

    return {name: week_to_json(make().week) for name, make in BUILTIN_CALENDARS.items()}


def effective_week(
    name: str, own: dict[str, dict[str, Any]], builtins: dict[str, dict[str, list[list[int]]]]
) -> list[WeekDay]:
    """The working week of calendar ``name``: its own days, the rest from its bases (as
    the engine resolves them), else the Standard week."""
    days: dict[int, WeekDay] = {}
    seen: set[str] = set()
    current: str | None = name
    first = True
    while current and current not in seen:
        seen.add(current)
        if current in own:
            week, base = own[current]["week"], own[current]["base"]
        elif current in builtins:
            week, base = builtins[current], None
        else:
            break
        for key, times in week.items():
            days.setdefault(int(key), WeekDay(int(key), [list(t) for t in times], not first))
        first = False
        current = base
    standard = builtins["Standard"]
    return [
        days.get(d) or WeekDay(d, [list(t) for t in standard.get(str(d), [])], True)
        for d in range(7)
    ]


def _holidays_between(
    country: str, region: str, first: dt.date, last: dt.date
) -> list[tuple[dt.date, str]]:
    import holidays

    try:
        table = holidays.country_holidays(
            country, subdiv=region or None, years=list(range(first.year, last.year + 1))
        )
    except (NotImplementedError, KeyError):
        return []
    return sorted((day, name) for day, name in table.items() if first <= day <= last)


def calendar_overview(*, project: Project, user: Any) -> list[CalendarView]:
    """The calendars the project can use: its own, the portfolio's (people's) and the
    built-in ones, with their effective week, holidays in the project's span and uses."""
    _visible(project, user)
    rows = list(
        Calendar.objects.filter(Q(project=project) | Q(project__isnull=True)).order_by(
            "project_id", "name"
        )
    )
    mine = [r for r in rows if r.project_id is not None]
    portfolio = [r for r in rows if r.project_id is None and r.name not in {m.name for m in mine}]
    own = {r.name: {"week": r.week, "base": r.base_name or None} for r in portfolio + mine}
    builtins = _builtin_weeks()
    tasks = dict(
        Task.objects.filter(project=project, calendar__isnull=False)
        .values_list("calendar_id")
        .annotate(n=Count("pk"))
        .values_list("calendar_id", "n")
    )
    resources = dict(
        Resource.objects.filter(assignments__project=project, calendar__isnull=False)
        .values_list("calendar_id")
        .annotate(n=Count("pk", distinct=True))
        .values_list("calendar_id", "n")
    )
    first = (project.scheduled_start or project.start).date()
    last = (project.scheduled_finish or project.start).date()
    last = max(last, first + dt.timedelta(days=365))
    derived: dict[str, list[str]] = {}
    for r in mine:
        if r.base_name:
            derived.setdefault(r.base_name, []).append(r.name)

    def view(name: str, scope: str, row: Calendar | None) -> CalendarView:
        return CalendarView(
            name=name,
            scope=scope,
            row=row,
            week=effective_week(name, own, builtins),
            holidays=_holidays_between(row.country, row.subdivision, first, last)
            if row is not None and row.country
            else [],
            is_project_calendar=project.calendar_name == name,
            tasks=tasks.get(row.pk, 0) if row is not None else 0,
            resources=resources.get(row.pk, 0) if row is not None else 0,
            derived=derived.get(name, []) if scope != "portfolio" else [],
        )

    out = [view(r.name, "project", r) for r in mine]
    out += [view(r.name, "portfolio", r) for r in portfolio]
    out += [view(name, "builtin", None) for name in builtins if name not in own]
    return out


def calendar_get(*, project: Project, user: Any, pk: int) -> Calendar:
    """One of the project's own calendars (portfolio calendars are not edited here)."""
    _visible(project, user)
    try:
        return Calendar.objects.select_related("project").get(project=project, pk=pk)
    except (Calendar.DoesNotExist, ValueError):
        raise Http404("No such calendar") from None


def baseline_dates(
    *, project: Project, user: Any, number: int = 0
) -> dict[int, tuple[dt.datetime | None, dt.datetime | None]]:
    """task pk -> (start, finish) in baseline ``number`` (empty without that baseline)."""
    _visible(project, user)
    return {
        task: (start, finish)
        for task, start, finish in BaselineTask.objects.filter(
            baseline__project=project, baseline__number=number
        ).values_list("task_id", "start", "finish")
    }


# -- the resources page ---------------------------------------------------------------------


def assignable_resources(*, user: Any) -> QuerySet[Resource]:
    """The people a user may assign or edit: those who manage resources (PMO admins and
    project creators) reach the whole portfolio; others, the people of their projects."""
    from jalon.web.accounts.selectors import can_create_projects

    if can_create_projects(user):
        return Resource.objects.all()
    return resources_visible_to(user)


def project_resources(*, project: Project, user: Any) -> list[Resource]:
    """The people working on the project, each with ``project_assignments`` (in outline
    order, task selected) for this project only."""
    _visible(project, user)
    by_resource: dict[int, list[Assignment]] = {}
    for a in (
        Assignment.objects.filter(project=project)
        .select_related("task")
        .order_by("task__position", "pk")
    ):
        # work in hours: the assignment's own, else the task's duration x units
        minutes = a.work if a.work is not None else a.task.duration * a.units
        a.hours = round(minutes / 60, 1)  # type: ignore[attr-defined]
        by_resource.setdefault(a.resource_id, []).append(a)
    resources = list(
        Resource.objects.filter(pk__in=list(by_resource)).select_related("calendar", "user")
    )
    for r in resources:
        r.project_assignments = by_resource[r.pk]  # type: ignore[attr-defined]
    return resources


@dataclass(frozen=True)
class LoadCell:
    load: float  # hours of work in the period, in this project
    capacity: float  # hours the person can work in it (calendar x max units)
    other: float = 0.0  # hours of work in the person's other projects

    @property
    def total(self) -> float:
        return self.load + self.other

    @property
    def over(self) -> bool:
        return self.total > self.capacity + 1e-6

    @property
    def percent(self) -> float | None:
        return 100 * self.total / self.capacity if self.capacity else None


@dataclass(frozen=True)
class WorkloadRow:
    resource: int  # pk
    name: str
    cells: list[LoadCell]

    @property
    def over_periods(self) -> int:
        return sum(c.over for c in self.cells)


@dataclass(frozen=True)
class Workload:
    periods: list[dt.date]  # first day of each period
    rows: list[WorkloadRow]
    error: str = ""


def project_workload(*, project: Project, user: Any, period: str = "week") -> Workload:
    """Work assigned in this project per person and period against their capacity
    (their calendar, public holidays and max units), from the engine's load analysis,
    and beside it the same people's work in the other projects (not done or cancelled)
    the user may see, as those projects stand scheduled (a PMO admin sees every
    project, so every booking of the person).

    The plan is rescheduled in memory (nothing is written).
    """
    from jalon.engine import PlanError, schedule
    from jalon.engine.leveling.analysis import calendars_covering, load_profile
    from jalon.web.planning.mapping import load_plan

    _visible(project, user)
    try:
        loaded = load_plan(project)
        result = schedule(loaded.plan)
        calendars = calendars_covering(loaded.plan, result)
        profile = load_profile(loaded.plan, result, period, calendars=calendars)
    except PlanError as exc:
        return Workload(periods=[], rows=[], error=str(exc))
    bounds = profile.boundaries
    other = _other_projects_load(project, user, profile.resources, calendars, bounds)
    periods = [dt.date(1970, 1, 1) + dt.timedelta(minutes=int(m)) for m in bounds[:-1].tolist()]
    rows = [
        WorkloadRow(
            resource=r.uid,
            name=r.name,
            cells=[
                LoadCell(round(load / 60, 1), round(cap / 60, 1), round(elsewhere / 60, 1))
                for load, cap, elsewhere in zip(
                    profile.load[k].tolist(),
                    profile.capacity[k].tolist(),
                    other[k].tolist(),
                    strict=True,
                )
            ],
        )
        for k, r in enumerate(profile.resources)
    ]
    rows.sort(key=lambda row: row.name.lower())
    return Workload(periods=periods, rows=rows)


def _other_projects_load(
    project: Project, user: Any, resources: Sequence[EResource], calendars: Any, bounds: Any
) -> Any:
    """Working minutes per person (``resources``, by row) and period of ``bounds`` of
    their assignments in the other live projects ``user`` may see, on the dates those
    projects stored at their last reschedule, spread over the person's calendar (one
    query)."""
    import numpy as np

    from jalon.engine.calendar import from_minutes, to_minutes
    from jalon.engine.leveling.analysis import spans_load

    row_of = {r.uid: k for k, r in enumerate(resources)}
    first, last = from_minutes(bounds[0]), from_minutes(bounds[-1])
    spans = list(
        Assignment.objects.filter(
            resource_id__in=list(row_of),
            units__gt=0,
            task__active=True,
            task__is_summary=False,
            task__start__lt=last,
            task__finish__gt=first,
        )
        .filter(project__in=projects_visible_to(user))
        .exclude(project=project)
        .exclude(project__status__in=[Project.Status.DONE, Project.Status.CANCELLED])
        .values_list("resource_id", "units", "task__start", "task__finish")
    )
    return spans_load(
        calendars,
        bounds,
        tuple(resources),
        np.array([row_of[s[0]] for s in spans], dtype=np.int64),
        np.array([s[1] for s in spans], dtype=np.float64),
        np.array([to_minutes(s[2]) for s in spans], dtype=np.int64),
        np.array([to_minutes(s[3]) for s in spans], dtype=np.int64),
    )
