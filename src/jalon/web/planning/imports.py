"""Import a plan file into a new project, and export a project as a file.

Parsing is ``jalon.io``'s job (pure functions); this module writes the parsed ``Plan``
to the database in one transaction, in bulk, and reads a project back as a file.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from typing import Any, BinaryIO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jalon.engine import CalendarSpec, Plan, PlanError, schedule
from jalon.web.accounts.selectors import can_create_projects
from jalon.web.history import acting_as
from jalon.web.planning.mapping import (
    baseline_rows,
    calendar_row,
    link_row,
    load_plan,
    resource_row,
    task_row,
)
from jalon.web.planning.models import Assignment, BaselineTask, Calendar, Link, Resource, Task
from jalon.web.projects.models import Membership, Project
from jalon.web.projects.selectors import MANAGER

FORMATS = {"xml": "mspdi", "mspdi": "mspdi", "yaml": "yaml", "yml": "yaml", "json": "json"}


def plan_read(stream: BinaryIO, *, filename: str) -> Plan:
    """Parse an uploaded plan in any format Jalon imports (detected from the content and
    the suffix): MS Project XML or .mpp, Primavera, GanttProject, Jalon YAML/JSON, Excel,
    CSV, Jira, Trello, iCalendar.

    Raises ``ValidationError`` with the reader's message (file, line, task, field).
    """
    from jalon.io.importers import import_bytes

    try:
        return import_bytes(stream.read(), filename).plan
    except PlanError as exc:
        raise ValidationError({"file": [str(exc)]}) from exc
    except (ValueError, UnicodeError, OSError) as exc:
        raise ValidationError({"file": [f"{filename}: {exc}"]}) from exc


@dataclass(frozen=True)
class ImportPreview:
    name: str
    start: Any
    tasks: int
    summaries: int
    milestones: int
    links: int
    calendars: int
    resources: int
    resources_matched: int
    assignments: int
    baselines: int


def import_preview(plan: Plan) -> ImportPreview:
    """What an import would create: counts, and how many resources are already known."""
    matched = sum(1 for r in plan.resources if _match_resource(r.name, r.email) is not None)
    return ImportPreview(
        name=plan.name,
        start=plan.start,
        tasks=len(plan.tasks),
        summaries=len(plan.children),
        milestones=sum(1 for t in plan.tasks if t.is_milestone and t.uid not in plan.children),
        links=len(plan.links),
        calendars=len(plan.calendars),
        resources=len(plan.resources),
        resources_matched=matched,
        assignments=len(plan.assignments),
        baselines=len(plan.baselines),
    )


def _match_resource(name: str, email: str) -> Resource | None:
    """People are shared by the portfolio: the same e-mail, else the same name, is the same."""
    if email:
        found = Resource.objects.filter(email__iexact=email).first()
        if found is not None:
            return found
    return Resource.objects.filter(name=name).order_by("pk").first()


def _portfolio_calendar(plan: Plan, name: str) -> Calendar:
    """The portfolio calendar ``name``, copied from the plan (with its bases) if missing."""
    existing = Calendar.objects.filter(project__isnull=True, name=name).first()
    if existing is not None:
        return existing
    spec: CalendarSpec = plan.calendar_specs[name]
    if spec.base is not None:
        _portfolio_calendar(plan, spec.base)
    row = calendar_row(spec, None)
    row.save()
    return row


def project_import(
    *, plan: Plan, user: Any, name: str | None = None, status: str = Project.Status.ACTIVE
) -> Project:
    """Create a project from a parsed plan, atomically; the importer becomes its manager.

    Resources are matched with the portfolio's people (same e-mail, else same name) and
    created when unknown; a resource's calendar becomes a portfolio calendar.
    """
    if not can_create_projects(user):
        raise PermissionDenied(_("You may not create projects."))
    with transaction.atomic(), acting_as(user):
        project = _write_plan(plan, user, name=name or plan.name, status=status)
        from jalon.web.planning.services import schedule_recompute

        schedule_recompute(project=project)
    return project


def _write_plan(plan: Plan, user: Any, *, name: str, status: str) -> Project:
    history_user = user if user is not None and user.is_authenticated else None
    project = Project.objects.create(
        name=name[:200] or _("Imported project"),
        status=status,
        start=plan.start,
        finish=plan.finish,
        schedule_from_finish=plan.schedule_from_finish,
        status_date=plan.status_date,
        calendar_name=plan.calendar,
        minutes_per_day=plan.minutes_per_day,
        minutes_per_week=plan.minutes_per_week,
        days_per_month=plan.days_per_month,
        critical_slack_limit=plan.critical_slack_limit,
        currency=plan.currency[:3],
        metadata=dict(plan.metadata),
    )
    if history_user is not None:
        Membership.objects.create(project=project, user=history_user, role=MANAGER)

    calendars = {spec.name: calendar_row(spec, project) for spec in plan.calendars}
    Calendar.objects.bulk_create(calendars.values())
    Calendar.history.bulk_history_create(list(calendars.values()), default_user=history_user)

    resources: dict[int, Resource] = {}
    for r in plan.resources:
        found = _match_resource(r.name, r.email)
        if found is None:
            calendar = _portfolio_calendar(plan, r.calendar) if r.calendar else None
            found = resource_row(r, calendar)
            found.save()
        resources[r.uid] = found

    rows = [task_row(project, t, i, calendars) for i, t in enumerate(plan.tasks)]
    Task.objects.bulk_create(rows, batch_size=500)
    by_uid = {row.uid: row for row in rows}
    if any(row.pk is None for row in rows):  # databases that do not return new keys
        by_uid = {t.uid: t for t in Task.objects.filter(project=project)}
        rows = [by_uid[t.uid] for t in plan.tasks]
    with_parent = []
    for t, row in zip(plan.tasks, rows, strict=True):
        if t.parent is not None:
            row.parent = by_uid[t.parent]
            with_parent.append(row)
    Task.objects.bulk_update(with_parent, ["parent"], batch_size=500)
    Task.history.bulk_history_create(rows, default_user=history_user, batch_size=500)

    links = [link_row(project, link, by_uid) for link in plan.links]
    Link.objects.bulk_create(links, batch_size=500)
    Link.history.bulk_history_create(links, default_user=history_user, batch_size=500)

    assignments = []
    seen: set[tuple[int, int]] = set()
    for a in plan.assignments:
        key = (a.task, resources[a.resource].pk)
        if key in seen:  # two assignments of one person to one task: keep the first
            continue
        seen.add(key)
        assignments.append(
            Assignment(
                project=project,
                task=by_uid[a.task],
                resource=resources[a.resource],
                units=a.units,
                work=a.work,
                actual_work=a.actual_work,
                uid=a.uid,
            )
        )
    Assignment.objects.bulk_create(assignments, batch_size=500)
    Assignment.history.bulk_history_create(assignments, default_user=history_user, batch_size=500)

    for baseline in plan.baselines:
        row, values = baseline_rows(project, baseline, by_uid)
        row.save()
        BaselineTask.objects.bulk_create(values, batch_size=500)
    return project


EXPORT_TYPES = {
    "xml": ("application/xml", "xml"),
    "yaml": ("application/yaml", "yaml"),
}


def project_export(*, project: Project, user: Any, format: str) -> tuple[bytes, str, str]:
    """The project as a file: (content, file name, content type). Needs view rights."""
    from jalon.web.planning.services import require_view

    require_view(user, project)
    if format not in EXPORT_TYPES:
        raise ValidationError({"format": [_("Export as xml or yaml.")]})
    loaded = load_plan(project)
    out = io.BytesIO()
    if format == "xml":
        from jalon.io.msproject_xml import write_mspdi

        write_mspdi(loaded.plan, schedule(loaded.plan), out)
    else:
        from jalon.io.plan_yaml import write_plan

        write_plan(loaded.plan, out, format="yaml")
    content_type, suffix = EXPORT_TYPES[format]
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", project.name).strip("-") or f"project-{project.pk}"
    stamp = dt.date.today().isoformat()
    return out.getvalue(), f"{slug}-{stamp}.{suffix}", content_type
