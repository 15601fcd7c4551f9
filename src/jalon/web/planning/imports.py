"""Import a plan file into a new project, and export a project as a file.

Parsing is ``jalon.io``'s job (pure functions); this module writes the parsed ``Plan``
to the database in one transaction, in bulk, and reads a project back as a file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, BinaryIO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jalon.engine import Assignment as EAssignment
from jalon.engine import CalendarSpec, Plan, PlanError, schedule
from jalon.engine import Task as ETask
from jalon.io.report import ImportResult
from jalon.web.accounts.selectors import can_create_projects
from jalon.web.history import acting_as
from jalon.web.planning.bulk import Table, insert_with_history, reserve_ids
from jalon.web.planning.mapping import (
    LoadedPlan,
    TaskState,
    calendar_row,
    calendar_spec,
    engine_resource,
    load_plan,
    resource_row,
    rolled_percent,
)
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
from jalon.web.projects.selectors import MANAGER

FORMATS = {"xml": "mspdi", "mspdi": "mspdi", "yaml": "yaml", "yml": "yaml", "json": "json"}


def plan_read(stream: BinaryIO, *, filename: str, options: Mapping[str, Any] | None = None) -> Plan:
    """Parse an uploaded plan in any format Jalon imports (detected from the content and
    the suffix): MS Project XML or .mpp, Primavera, GanttProject, Jalon YAML/JSON, Excel,
    CSV, Jira, Trello, iCalendar.

    ``options``: reader options (Jira's ``date_format``, Trello's ``include_archived``,
    see ``jalon.io.importers.PARSER_OPTIONS``); those the file's format does not take are
    left out. Raises ``ValidationError`` with the reader's message (file, line, task,
    field).
    """
    from jalon.io.importers import PARSER_OPTIONS, detect_import_format, import_bytes

    data = stream.read()
    try:
        if options:
            takes = PARSER_OPTIONS.get(detect_import_format(filename, data), frozenset())
            options = {name: value for name, value in options.items() if name in takes}
        return import_bytes(data, filename, options=options).plan
    except PlanError as exc:
        raise ValidationError({"file": [str(exc)]}) from exc
    except (ValueError, UnicodeError, OSError) as exc:
        raise ValidationError({"file": [f"{filename}: {exc}"]}) from exc


def import_read(
    data: bytes,
    *,
    filename: str,
    format: str | None = None,
    options: Mapping[str, Any] | None = None,
) -> ImportResult:
    """Parse an uploaded file as ``jalon import`` does: the plan and its report.

    ``format`` as ``--from`` (default: detected); ``options``: reader options
    (``jalon.io.importers.PARSER_OPTIONS``); unlike :func:`plan_read`, one the file's
    format does not take is an error. Raises ``ValidationError`` with the reader's
    message (file, row, field) on ``format``, the option or ``file``.
    """
    from jalon.io.importers import (
        PARSER_OPTIONS,
        detect_import_format,
        import_bytes,
        normalize_format,
    )

    try:
        fmt = normalize_format(format, filename) if format else None
    except PlanError as exc:
        raise ValidationError({"format": [str(exc)]}) from exc
    field = "file"
    try:
        if options:
            fmt = fmt or detect_import_format(filename, data)
            takes = PARSER_OPTIONS.get(fmt, frozenset())
            field = next((name for name in sorted(options) if name not in takes), "file")
        return import_bytes(data, filename, format=fmt, options=options or None)
    except PlanError as exc:
        raise ValidationError({field: [str(exc)]}) from exc
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
    created when unknown; a resource's calendar becomes a portfolio calendar. The plan is
    scheduled before it is stored, so every task row is written once, computed dates
    included; every row gets its "created" history row. The number of queries does not
    depend on the number of tasks.
    """
    if not can_create_projects(user):
        raise PermissionDenied(_("You may not create projects."))
    with transaction.atomic(), acting_as(user):
        return _write_plan(plan, user, name=name or plan.name, status=status)


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
    assignments: dict[tuple[int, int], EAssignment] = {}
    for a in plan.assignments:
        # two assignments of one person to one task: keep the first
        assignments.setdefault((a.task, resources[a.resource].pk), a)

    # the plan as it will be read back from the database, scheduled now: the rows are
    # written once, with their computed values
    stored_plan = _as_stored(plan, resources, assignments)
    try:
        result = schedule(stored_plan)
    except PlanError as exc:
        from jalon.web.planning.services import _engine_error

        raise _engine_error(exc) from exc

    pk_of = dict(zip((t.uid for t in plan.tasks), reserve_ids(Task, len(plan.tasks)), strict=True))
    rolled = rolled_percent(
        [(t.uid, t.parent, t.active, t.progress.percent_complete) for t in plan.tasks], result
    )
    numbers = stored_plan.outline_numbers
    calendar_pk = {spec_name: row.pk for spec_name, row in calendars.items()}
    task_rows = []
    for position, (t, st) in enumerate(zip(plan.tasks, result.tasks, strict=True)):
        row = _task_values(t, pk_of, position, project, calendar_pk)
        # TASK_COMPUTED_FIELDS, as write_schedule stores them
        row.update(
            start=st.start,
            finish=st.finish,
            early_start=st.early_start,
            early_finish=st.early_finish,
            late_start=st.late_start,
            late_finish=st.late_finish,
            total_float=st.total_float,
            free_float=st.free_float,
            critical=st.critical,
            is_summary=st.summary,
            is_milestone=st.milestone,
            outline_level=st.outline_level,
            outline_number=numbers[t.uid],
            scheduled_duration=st.duration,
            rolled_percent=rolled.get(t.uid, t.progress.percent_complete),
        )
        task_rows.append(row)
    insert_with_history(Task, task_rows, user=history_user)

    link_ids = reserve_ids(Link, len(plan.links))
    insert_with_history(
        Link,
        [
            {
                "id": pk,
                "project_id": project.pk,
                "predecessor_id": pk_of[link.predecessor],
                "successor_id": pk_of[link.successor],
                "type": link.type.value,
                "lag_value": link.lag.value,
                "lag_kind": link.lag.kind.value,
                "lag_unit": link.lag.unit.value,
            }
            for pk, link in zip(link_ids, plan.links, strict=True)
        ],
        user=history_user,
    )

    assignment_ids = reserve_ids(Assignment, len(assignments))
    insert_with_history(
        Assignment,
        [
            {
                "id": pk,
                "project_id": project.pk,
                "task_id": pk_of[a.task],
                "resource_id": resource_pk,
                "units": a.units,
                "work": a.work,
                "actual_work": a.actual_work,
                "uid": a.uid,
            }
            for pk, ((_task, resource_pk), a) in zip(
                assignment_ids, assignments.items(), strict=True
            )
        ],
        user=history_user,
    )

    for baseline in plan.baselines:
        row = Baseline.objects.create(
            project=project, number=baseline.number, saved_at=baseline.saved
        )
        Table(BaselineTask, skip_primary_key=True).insert(
            {
                "baseline_id": row.pk,
                "task_id": pk_of[uid],
                "start": bt.start,
                "finish": bt.finish,
                "duration": bt.duration,
                "work": bt.work,
                "cost": bt.cost,
            }
            for uid, bt in baseline.tasks.items()
            if uid in pk_of
        )

    from jalon.web.planning.services import _store_project_summary

    states = [
        TaskState(
            pk=pk_of[t.uid],
            parent_id=pk_of[t.parent] if t.parent is not None else None,
            active=t.active,
            percent_complete=t.progress.percent_complete,
            computed=(),
        )
        for t in plan.tasks
    ]
    _store_project_summary(project, LoadedPlan(plan=stored_plan, tasks=states), result)
    return project


def _task_values(
    t: ETask, pk_of: dict[int, int], position: int, project: Project, calendars: dict[str, int]
) -> dict[str, Any]:
    """A new task row's stored fields (attribute names), its computed fields left out."""
    return {
        "id": pk_of[t.uid],
        "project_id": project.pk,
        "uid": t.uid,
        "parent_id": pk_of[t.parent] if t.parent is not None else None,
        "position": position,
        "name": t.name,
        "wbs_code": t.wbs or "",
        "duration": t.duration,
        "duration_unit": t.duration_unit.value,
        "elapsed": t.elapsed,
        "milestone": t.milestone,
        "constraint_type": int(t.constraint.type),
        "constraint_date": t.constraint.date,
        "deadline": t.deadline,
        "calendar_id": calendars.get(t.calendar) if t.calendar else None,
        "manual": t.manual,
        "manual_start": t.start,
        "manual_finish": t.finish,
        "active": t.active,
        "priority": t.priority,
        "leveling_delay": t.leveling_delay,
        "notes": t.notes,
        "percent_complete": t.progress.percent_complete,
        "actual_start": t.progress.actual_start,
        "actual_finish": t.progress.actual_finish,
        "remaining_minutes": t.progress.remaining_minutes,
    }


def _as_stored(
    plan: Plan,
    resources: dict[int, Resource],
    assignments: dict[tuple[int, int], EAssignment],
) -> Plan:
    """``plan`` as ``load_plan`` will read it back once stored, where scheduling can tell:
    the portfolio's people (matched people keep their own calendar, units and rates),
    one assignment per person and task, and the portfolio calendars a name refers to
    when the plan does not define it (the project's calendar, a base, a built-in name)."""
    defined = {spec.name for spec in plan.calendars}
    used = {plan.calendar} | {t.calendar for t in plan.tasks if t.calendar}
    used |= {spec.base for spec in plan.calendars if spec.base}
    people = {row.pk: row for row in resources.values()}
    used |= {row.calendar.name for row in people.values() if row.calendar is not None}
    missing = used - defined
    portfolio = (
        [calendar_spec(row) for row in Calendar.objects.filter(project__isnull=True)]
        if missing
        else []
    )
    extra = tuple(spec for spec in portfolio if spec.name not in defined)
    if not extra and not plan.resources:
        return plan
    names = {row.calendar_id: row.calendar.name for row in people.values() if row.calendar}
    return dataclasses.replace(
        plan,
        calendars=plan.calendars + extra,
        resources=tuple(engine_resource(row, names) for row in people.values()),
        assignments=tuple(
            dataclasses.replace(a, resource=resource_pk)
            for (_task, resource_pk), a in assignments.items()
        ),
    )


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
