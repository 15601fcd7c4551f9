"""A project's history as people read it: values formatted (dates as dates, durations as
``5d``, constraint and link type names, people and tasks by name rather than ids) and
entries grouped by change (the rows one save wrote: an import, a status update, one
edit). Reads come from ``selectors.project_history``; names are looked up in bulk.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jalon.web.planning import selectors
from jalon.web.planning.calendartext import format_exceptions, format_times
from jalon.web.planning.linktext import duration_text, french, type_text
from jalon.web.planning.models import Assignment, Baseline, Calendar, Link, Resource, Task
from jalon.web.projects.models import Membership, Project

# entries of one user less than this apart (one after the other) belong to the same save
SAME_CHANGE = dt.timedelta(seconds=1)
KINDS = {
    "project": gettext_lazy("project"),
    "member": gettext_lazy("member"),
    "task": gettext_lazy("task"),
    "link": gettext_lazy("link"),
    "calendar": gettext_lazy("calendar"),
    "assignment": gettext_lazy("assignment"),
    "baseline": gettext_lazy("baseline"),
}
KIND_PLURALS = {
    "project": gettext_lazy("project"),
    "member": gettext_lazy("members"),
    "task": gettext_lazy("tasks"),
    "link": gettext_lazy("links"),
    "calendar": gettext_lazy("calendars"),
    "assignment": gettext_lazy("assignments"),
    "baseline": gettext_lazy("baselines"),
}
MODELS = {
    "project": Project,
    "member": Membership,
    "task": Task,
    "link": Link,
    "calendar": Calendar,
    "assignment": Assignment,
    "baseline": Baseline,
}
WEEKDAYS = (
    gettext_lazy("Mon"),
    gettext_lazy("Tue"),
    gettext_lazy("Wed"),
    gettext_lazy("Thu"),
    gettext_lazy("Fri"),
    gettext_lazy("Sat"),
    gettext_lazy("Sun"),
)
LABELS = {
    # xgettext:no-python-format
    "percent_complete": gettext_lazy("% complete"),
    "constraint_type": gettext_lazy("constraint"),
    "constraint_date": gettext_lazy("constraint date"),
    "duration_unit": gettext_lazy("duration unit"),
    "actual_start": gettext_lazy("actual start"),
    "actual_finish": gettext_lazy("actual finish"),
    "remaining_minutes": gettext_lazy("remaining duration"),
    "parent": gettext_lazy("outline parent"),
    "predecessor": gettext_lazy("predecessor"),
    "successor": gettext_lazy("successor"),
    "type": gettext_lazy("type"),
    "lag_value": gettext_lazy("lag"),
    "lag_kind": gettext_lazy("lag kind"),
    "lag_unit": gettext_lazy("lag unit"),
    "units": gettext_lazy("units"),
    "work": gettext_lazy("work"),
    "actual_work": gettext_lazy("actual work"),
    "resource": gettext_lazy("resource"),
    "task": gettext_lazy("task"),
    "user": gettext_lazy("user"),
    "week": gettext_lazy("working week"),
    "exceptions": gettext_lazy("exceptions"),
    "saved_at": gettext_lazy("saved at"),
    "manual_start": gettext_lazy("manual start"),
    "manual_finish": gettext_lazy("manual finish"),
    "leveling_delay": gettext_lazy("levelling delay"),
    "minutes_per_day": gettext_lazy("hours per day"),
    "minutes_per_week": gettext_lazy("hours per week"),
    "days_per_month": gettext_lazy("days per month"),
    "critical_slack_limit": gettext_lazy("critical float limit"),
}


@dataclass(frozen=True)
class ShownChange:
    label: str
    old: str
    new: str


@dataclass
class ShownEntry:
    kind: str
    kind_label: str
    action: str  # "+", "~", "-"
    label: str
    changes: list[ShownChange] = field(default_factory=list)


@dataclass
class ChangeGroup:
    """The entries one save wrote."""

    when: dt.datetime
    user: str
    entries: list[ShownEntry] = field(default_factory=list)
    oldest: dt.datetime | None = None  # the time of its earliest entry
    # the save goes on on the next older / newer page (a page holds a number of records)
    continues_older: bool = False
    continues_newer: bool = False

    @property
    def summary(self) -> str:
        """``"created 4 tasks, 3 links"`` for a change of many rows."""
        counts: dict[tuple[str, str], int] = {}
        for e in self.entries:
            counts[(e.action, e.kind)] = counts.get((e.action, e.kind), 0) + 1
        verbs = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
        parts = []
        for action in ("+", "~", "-"):
            items = [
                f"{n} {KIND_PLURALS[kind] if n > 1 else KINDS[kind]}"
                for (a, kind), n in counts.items()
                if a == action and kind in KINDS
            ]
            if items:
                parts.append(f"{verbs[action]} {', '.join(items)}")
        return "; ".join(parts)


class _Names:
    """Names of the tasks, resources, calendars and users the entries refer to, read in
    a few queries (deleted tasks by their last recorded name)."""

    def __init__(self, entries: Iterable[selectors.HistoryEntry]):
        entries = list(entries)
        task_ids: set[int] = set()
        resource_ids: set[int] = set()
        calendar_ids: set[int] = set()
        user_ids: set[int] = set()
        for e in entries:
            rec = e.record
            for name in ("predecessor_id", "successor_id", "task_id", "parent_id"):
                value = getattr(rec, name, None)
                if value is not None:
                    task_ids.add(value)
            for c in e.changes:
                if c.field in ("parent", "predecessor", "successor", "task"):
                    task_ids.update(v for v in (c.old, c.new) if v is not None)
                elif c.field == "calendar":
                    calendar_ids.update(v for v in (c.old, c.new) if v is not None)
                elif c.field == "resource":
                    resource_ids.update(v for v in (c.old, c.new) if v is not None)
                elif c.field == "user":
                    user_ids.update(v for v in (c.old, c.new) if v is not None)
            if e.kind == "assignment":
                resource_ids.add(rec.resource_id)
            if e.kind == "member":
                user_ids.add(rec.user_id)
        self.tasks: dict[int, str] = dict(
            Task.objects.filter(pk__in=task_ids).values_list("pk", "name")
        )
        for pk, name in (
            Task.history.filter(id__in=task_ids.difference(self.tasks))  # type: ignore[attr-defined]
            .order_by("history_date", "history_id")
            .values_list("id", "name")
        ):
            self.tasks[pk] = name  # a deleted task: its last recorded name wins
        self.resources = dict(
            Resource.objects.filter(pk__in=resource_ids).values_list("pk", "name")
        )
        self.calendars = dict(
            Calendar.objects.filter(pk__in=calendar_ids).values_list("pk", "name")
        )
        users = get_user_model().objects.filter(pk__in=user_ids)
        self.users = {u.pk: u.get_full_name() or u.get_username() for u in users}

    def task(self, pk: int | None) -> str:
        return self.tasks.get(pk, f"#{pk}") if pk is not None else "—"


def _duration(minutes: Any, unit: str, elapsed: bool, project: Project) -> str:
    return duration_text(
        minutes,
        unit,
        elapsed,
        minutes_per_day=project.minutes_per_day,
        minutes_per_week=project.minutes_per_week,
        days_per_month=project.days_per_month,
    )


def _number(value: float) -> str:
    return f"{value:g}"


def _week(week: Any) -> str:
    if not week:
        return _("as the base calendar")
    return "; ".join(
        f"{WEEKDAYS[int(day)]} {format_times(times)}" for day, times in sorted(week.items())
    )


def _value(kind: str, name: str, value: Any, rec: Any, names: _Names, project: Project) -> str:
    """One recorded value as people read it."""
    if value is None or value == "":
        return "—"
    if name in ("parent", "predecessor", "successor", "task"):
        return names.task(value)
    if name == "calendar":
        return names.calendars.get(value, f"#{value}")
    if name == "resource":
        return names.resources.get(value, f"#{value}")
    if name == "user":
        return names.users.get(value, f"#{value}")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    model = MODELS.get(kind)
    if model is not None:
        try:
            f = model._meta.get_field(name)
        except FieldDoesNotExist:  # a field only the history table has
            f = None
        if f is not None and f.choices:
            return str(dict(f.flatchoices).get(value, value))
    if kind == "task":
        if name in ("duration", "remaining_minutes"):
            return _duration(value, rec.duration_unit, rec.elapsed, project)
        if name == "leveling_delay":
            return _duration(value, "d", False, project)
        if name == "percent_complete":
            return f"{_number(value)} %"
    if kind == "link":
        if name == "type":
            if value not in Link.Type.values:
                return value
            return f"{type_text(value)} ({Link.Type(value).label})"
        if name == "lag_value":
            text = selectors.link_suffix(
                "", value, rec.lag_kind, rec.lag_unit, project.minutes_per_day, french=french()
            )
            return text or "0"
    if kind == "assignment":
        if name == "units":
            return f"{_number(round(value * 100, 2))} %"
        if name in ("work", "actual_work"):
            return f"{_number(round(value / 60, 2))} h"
    if kind == "calendar":
        if name == "week":
            return _week(value)
        if name == "exceptions":
            return format_exceptions(value).replace("\n", "; ") or "—"
        if name == "country":
            return value
    if kind == "project" and name in ("minutes_per_day", "minutes_per_week"):
        return f"{_number(value / 60)} h"
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, list | dict):
        return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return str(value)


def _label(kind: str, name: str) -> str:
    if name in LABELS:
        return str(LABELS[name])
    model = MODELS.get(kind)
    if model is not None:
        try:
            return str(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:  # a field only the history table has
            pass
    return name.replace("_", " ")


def _entry_label(e: selectors.HistoryEntry, names: _Names) -> str:
    rec = e.record
    if e.kind == "link":
        return f"{names.task(rec.predecessor_id)} → {names.task(rec.successor_id)}"
    if e.kind == "assignment":
        who = names.resources.get(rec.resource_id, f"#{rec.resource_id}")
        return f"{who} · {names.task(rec.task_id)}"
    if e.kind == "member":
        role = dict(Membership.Role.choices).get(rec.role, rec.role)
        return f"{names.users.get(rec.user_id, f'#{rec.user_id}')} ({role})"
    if e.kind == "baseline":
        return str(_("Baseline %(n)d") % {"n": rec.number}) if rec.number else _("Baseline")
    return e.label


@dataclass
class HistoryView:
    """A page of the history page: its groups and the cursors of the pages around it."""

    groups: list[ChangeGroup]
    older: selectors.HistoryCursor | None = None
    newer: selectors.HistoryCursor | None = None


def task_changes_text(
    since: selectors.TaskChangeSince, project: Project
) -> list[tuple[str, str, str]]:
    """A task's changes since a client's version (a conflict), as the history shows
    them: (field label, old value, new value), durations in the interface's units."""
    entry = selectors.HistoryEntry(
        when=since.when or dt.datetime.min,
        user=since.user,
        kind="task",
        action="~",
        label="",
        changes=since.changes,
        record=since.last,
    )
    names = _Names([entry])
    return [
        (
            _label("task", c.field),
            _value("task", c.field, c.old, since.before, names, project),
            _value("task", c.field, c.new, since.last, names, project),
        )
        for c in since.changes
    ]


def _same_change(newer: tuple[dt.datetime, str], older: tuple[dt.datetime, str]) -> bool:
    return newer[1] == older[1] and newer[0] - older[0] <= SAME_CHANGE


def history_page(
    *,
    project: Project,
    user: Any,
    limit: int | None = None,
    before: selectors.HistoryCursor | None = None,
    after: selectors.HistoryCursor | None = None,
) -> HistoryView:
    """A page of the project's changes, newest first, grouped by save, values formatted."""
    page = selectors.project_history_page(
        project=project, user=user, limit=limit, before=before, after=after
    )
    entries = page.entries
    names = _Names(entries)
    groups: list[ChangeGroup] = []
    for e in entries:  # newest first
        shown = ShownEntry(
            kind=e.kind,
            kind_label=str(KINDS.get(e.kind, e.kind)),
            action=e.action,
            label=_entry_label(e, names),
            changes=[
                ShownChange(
                    label=_label(e.kind, c.field),
                    old=_value(e.kind, c.field, c.old, e.record, names, project),
                    new=_value(e.kind, c.field, c.new, e.record, names, project),
                )
                for c in e.changes
            ],
        )
        last = groups[-1] if groups else None
        if (
            last is not None
            and last.oldest is not None
            and _same_change((last.oldest, last.user), (e.when, e.user))
        ):
            last.entries.append(shown)
            last.oldest = e.when
        else:
            groups.append(ChangeGroup(when=e.when, user=e.user, entries=[shown], oldest=e.when))
    for g in groups:
        g.entries.reverse()  # in the order they were written
    if groups:
        first, last = groups[0], groups[-1]
        first.continues_newer = page.above is not None and _same_change(
            page.above, (first.when, first.user)
        )
        last.continues_older = (
            page.below is not None
            and last.oldest is not None
            and _same_change((last.oldest, last.user), page.below)
        )
    return HistoryView(groups=groups, older=page.older, newer=page.newer)


def history_groups(*, project: Project, user: Any, limit: int | None = None) -> list[ChangeGroup]:
    """The newest page of the project's changes, grouped by save, values formatted."""
    return history_page(project=project, user=user, limit=limit).groups
