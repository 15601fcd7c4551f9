"""Writes to planning data. Every service checks the user's rights, runs in one
transaction, and reschedules the project with the engine before it returns: the edit
and the new schedule land together or not at all.

The services of one cell of the planning editor (``task_update``,
``task_predecessors_set``, ``task_resources_set``, ``link_create``) set ``rescheduled`` on
the object they return: the pks of the tasks whose row shows something new (the edited
task, and every task whose stored computed values the reschedule changed), so that the
editor answers with those rows only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ParamSpec, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from jalon.engine import PlanError, Schedule, save_baseline, schedule
from jalon.web.history import acting_as
from jalon.web.planning import plancache
from jalon.web.planning.mapping import LoadedPlan, load_plan, reload_tasks, write_schedule
from jalon.web.planning.models import (
    Assignment,
    Baseline,
    BaselineTask,
    Calendar,
    Link,
    Resource,
    Task,
)
from jalon.web.projects.models import Project
from jalon.web.projects.selectors import ADMIN, MANAGER, MEMBER, role_of

P = ParamSpec("P")
R = TypeVar("R")

EDIT_ROLES = frozenset({ADMIN, MANAGER})

# what a client may change on a task, and the part a member may change on their own tasks
TASK_FIELDS = frozenset(
    {
        "name",
        "wbs_code",
        "duration",
        "duration_unit",
        "elapsed",
        "milestone",
        "constraint_type",
        "constraint_date",
        "deadline",
        "calendar",
        "manual",
        "manual_start",
        "manual_finish",
        "active",
        "priority",
        "leveling_delay",
        "notes",
        "percent_complete",
        "actual_start",
        "actual_finish",
        "remaining_minutes",
    }
)
PROGRESS_FIELDS = frozenset(
    {"percent_complete", "actual_start", "actual_finish", "remaining_minutes"}
)
LINK_FIELDS = frozenset({"type", "lag_value", "lag_kind", "lag_unit"})
ASSIGNMENT_FIELDS = frozenset({"units", "work", "actual_work"})
CALENDAR_FIELDS = frozenset({"name", "base_name", "country", "subdivision", "week", "exceptions"})
RESOURCE_FIELDS = frozenset(
    {
        "name",
        "code",
        "type",
        "email",
        "group",
        "max_units",
        "standard_rate",
        "overtime_rate",
        "cost_per_use",
        "calendar",
        "skills",
        "user",
        "active",
    }
)


def service(func: Callable[P, R]) -> Callable[P, R]:
    """One transaction, history rows naming the acting ``user`` keyword argument."""

    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with transaction.atomic(), acting_as(kwargs.get("user")):
            return func(*args, **kwargs)

    wrapper.__name__ = func.__name__
    wrapper.__qualname__ = func.__qualname__
    wrapper.__doc__ = func.__doc__
    return wrapper


# -- rights ---------------------------------------------------------------------------------


def require_view(user: Any, project: Project) -> str:
    role = role_of(user, project)
    if role is None:
        raise Http404("No such project")
    return role


def require_edit(user: Any, project: Project) -> str:
    role = require_view(user, project)
    if role not in EDIT_ROLES:
        raise PermissionDenied(_("Only the project's managers can change its plan."))
    return role


def is_own_task(user: Any, task: Task) -> bool:
    """The user is assigned to the task through the resource linked to their account."""
    return Assignment.objects.filter(task=task, resource__user=user).exists()


def _check_fields(data: Mapping[str, Any], allowed: Iterable[str], what: str) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValidationError(
            {
                name: [
                    _("%(what)s has no editable field '%(name)s'.") % {"what": what, "name": name}
                ]
                for name in unknown
            }
        )


def _clean(obj: Any, fields: Iterable[str]) -> None:
    """Field-level checks (types, choices, lengths) without database queries."""
    names = {f.name for f in obj._meta.fields}
    checked = {f.removesuffix("_id") for f in fields}
    obj.clean_fields(exclude=[n for n in names if n not in checked])


def _check_version(obj: Any, version: int | None, data: Mapping[str, Any], what: str) -> None:
    from jalon.web.errors import ConflictError

    if version is None:
        raise ValidationError({"version": [_("The version you loaded is required.")]})
    if int(version) != obj.version:
        raise ConflictError(
            what=what,
            version=int(version),
            current_version=obj.version,
            yours=dict(data),
            theirs={name: getattr(obj, name) for name in data if hasattr(obj, name)},
        )


def _engine_error(exc: PlanError) -> ValidationError:
    field = exc.field or NON_FIELD_ERRORS
    return ValidationError({field: [str(exc)]})


# -- scheduling -----------------------------------------------------------------------------


def schedule_recompute(*, project: Project, tasks: Iterable[int] | None = None) -> Schedule:
    """Build the plan from the database, schedule it, store the computed values.

    Runs inside the caller's transaction; an engine error (a cycle, a constraint
    without a date, ...) becomes a ``ValidationError`` naming the task and the field,
    and the caller's transaction rolls back.

    ``tasks``: the pks of the task rows the caller changed, when nothing else changed
    (their fields only, not the outline): the plan kept from the last reschedule
    (``plancache``), if it is still the project's current revision, is reused with
    those rows read again instead of reading the whole plan.
    """
    return _reschedule(project=project, tasks=tasks)[0]


def _reschedule(
    *, project: Project, tasks: Iterable[int] | None = None
) -> tuple[Schedule, frozenset[int]]:
    """``schedule_recompute``, with the pks of the task rows whose stored computed values
    it changed (``write_schedule``'s comparison): what the editing services hand back to
    the planning editor as ``rescheduled``."""
    revision = (
        Project.objects.select_for_update()
        .filter(pk=project.pk)
        .values_list("plan_revision", flat=True)
        .get()
    )
    edited = None if tasks is None else frozenset(tasks)
    try:
        loaded = _kept_plan(project, revision, edited)
        if loaded is None:
            loaded = load_plan(project)
        result = schedule(loaded.plan)
    except PlanError as exc:
        raise _engine_error(exc) from exc
    write_schedule(loaded, result)
    _store_project_summary(project, loaded, result, revision + 1)
    plancache.record(project.pk, revision + 1, edited, loaded.changed)
    plancache.keep_on_commit(project.pk, revision + 1, loaded)
    return result, loaded.changed


def _kept_plan(project: Project, revision: int, edited: frozenset[int] | None) -> LoadedPlan | None:
    """The plan this process kept for the project, brought to ``revision`` with the rows
    ``edited`` read again; None when the whole plan must be read (nothing kept, an edit
    beyond task fields, or revisions since the kept one whose changes are not recorded).
    """
    kept = plancache.take(project.pk)
    if kept is None or edited is None:
        return None
    kept_revision, loaded = kept
    if kept_revision == revision:
        return reload_tasks(loaded, project, edited)
    # the project's last edits were served by other processes: catch up on them
    changes = plancache.changes_since(project.pk, kept_revision, revision)
    if changes is None:
        return None
    return reload_tasks(loaded, project, edited | changes.tasks, changes.written)


def _store_project_summary(
    project: Project, loaded: LoadedPlan, result: Schedule, revision: int | None = None
) -> None:
    """The project's scheduled dates, % complete and warnings; its plan ``revision`` when
    given (``schedule_recompute``)."""
    total = done = 0.0
    summary = result.summary.tolist()
    duration = result.duration.tolist()
    for i, row in enumerate(loaded.tasks):
        if summary[i] or not row.active:
            continue
        weight = max(duration[i], 1)
        total += weight
        done += weight * row.percent_complete / 100
    baseline_finish = None
    for b in loaded.plan.baselines:
        if b.number == 0:
            finishes = [bt.finish for bt in b.tasks.values() if bt.finish is not None]
            baseline_finish = max(finishes) if finishes else None
    values = {
        "scheduled_start": result.start if loaded.tasks else None,
        "scheduled_finish": result.finish if loaded.tasks else None,
        "baseline_finish": baseline_finish,
        "percent_complete": round(100 * done / total, 1) if total else 0.0,
        "schedule_warnings": [
            {"kind": w.kind, "task": w.task, "message": w.message} for w in result.warnings
        ],
        "scheduled_at": timezone.now(),
    }
    if revision is not None:
        values["plan_revision"] = revision
    Project.objects.filter(pk=project.pk).update(**values)
    for name, value in values.items():
        setattr(project, name, value)


# -- outline order --------------------------------------------------------------------------


def _outline(project: Project) -> list[Task]:
    return list(
        Task.objects.filter(project=project)
        .order_by("position")
        .only("id", "parent_id", "position", "project_id", "uid")
    )


def _subtree_end(rows: list[Task], index: int) -> int:
    """Index just past the subtree of ``rows[index]`` (rows in outline order)."""
    inside = {rows[index].pk}
    end = index + 1
    while end < len(rows) and rows[end].parent_id in inside:
        inside.add(rows[end].pk)
        end += 1
    return end


def _store_outline(rows: list[Task], parents: Mapping[int, int | None]) -> None:
    """Renumber positions 0..n-1 in list order and store what changed, in bulk."""
    changed = []
    for position, row in enumerate(rows):
        parent = parents.get(row.pk, row.parent_id)
        if row.position != position or row.parent_id != parent:
            row.position = position
            row.parent_id = parent
            changed.append(row)
    if changed:
        # bump versions: a client holding the old outline must reload before saving
        Task.objects.bulk_update(changed, ["position", "parent"], batch_size=500)


def _next_uid(project: Project) -> int:
    last = (
        Task.objects.filter(project=project).order_by("-uid").values_list("uid", flat=True).first()
    )
    return (last or 0) + 1


def _project_calendar(project: Project, calendar: Calendar | int | None) -> Calendar | None:
    if calendar is None or calendar == "":
        return None
    pk = calendar.pk if isinstance(calendar, Calendar) else int(calendar)
    found = Calendar.objects.filter(Q(project=project) | Q(project__isnull=True), pk=pk).first()
    if found is None:
        raise ValidationError({"calendar": [_("No such calendar in this project.")]})
    return found


# -- tasks ----------------------------------------------------------------------------------


@service
def task_create(
    *,
    project: Project,
    data: Mapping[str, Any],
    user: Any,
    parent: Task | None = None,
    after: Task | None = None,
) -> Task:
    """A new task: after ``after``'s subtree (same level), else last child of ``parent``,
    else at the end of the project."""
    require_edit(user, project)
    _check_fields(data, TASK_FIELDS, _("A task"))
    rows = _outline(project)
    index = {row.pk: i for i, row in enumerate(rows)}
    if after is not None:
        if after.pk not in index:
            raise ValidationError({"after": [_("No such task in this project.")]})
        parent_id = rows[index[after.pk]].parent_id
        insert_at = _subtree_end(rows, index[after.pk])
    elif parent is not None:
        if parent.pk not in index:
            raise ValidationError({"parent": [_("No such task in this project.")]})
        parent_id = parent.pk
        insert_at = _subtree_end(rows, index[parent.pk])
    else:
        parent_id = None
        insert_at = len(rows)
    values = dict(data)
    if "calendar" in values:
        values["calendar"] = _project_calendar(project, values["calendar"])
    task = Task(
        project=project, uid=_next_uid(project), parent_id=parent_id, position=insert_at, **values
    )
    _clean(task, [*values, "name"])
    # make room: the rows after the insertion point move down by one
    Task.objects.filter(project=project, position__gte=insert_at).update(position=F("position") + 1)
    task.save()
    schedule_recompute(project=project)
    task.refresh_from_db()
    return task


def _locked_task(task: Task) -> Task:
    try:
        return Task.objects.select_for_update().select_related("project").get(pk=task.pk)
    except Task.DoesNotExist:
        raise Http404("No such task") from None


@service
def task_update(*, task: Task, data: Mapping[str, Any], version: int | None, user: Any) -> Task:
    """Change a task's fields. Managers change anything; members only the progress of
    tasks they are assigned to. A stale ``version`` raises ``ConflictError``."""
    current = _locked_task(task)
    project = current.project
    role = require_view(user, project)
    _check_fields(data, TASK_FIELDS, _("A task"))
    if role not in EDIT_ROLES and not (
        role == MEMBER and set(data) <= PROGRESS_FIELDS and is_own_task(user, current)
    ):
        raise PermissionDenied(
            _("Members can only update the progress of the tasks they are assigned to.")
        )
    _check_version(
        current,
        version,
        data,
        _("Task %(wbs)s '%(name)s'") % {"wbs": current.wbs, "name": current.name},
    )
    values = dict(data)
    if "calendar" in values:
        values["calendar"] = _project_calendar(project, values["calendar"])
    for name, value in values.items():
        setattr(current, name, value)
    _clean(current, values)
    current.version += 1
    current.save()
    _result, changed = _reschedule(project=project, tasks=[current.pk])
    current.refresh_from_db()
    current.rescheduled = changed | {current.pk}
    return current


@service
def task_delete(*, task: Task, version: int | None, user: Any) -> None:
    """Delete a task and its subtasks (with their links and assignments)."""
    current = _locked_task(task)
    project = current.project
    require_edit(user, project)
    _check_version(
        current,
        version,
        {},
        _("Task %(wbs)s '%(name)s'") % {"wbs": current.wbs, "name": current.name},
    )
    current.delete()
    _store_outline(_outline(project), {})
    schedule_recompute(project=project)


@service
def task_move(
    *, task: Task, version: int | None, user: Any, parent: Task | None, index: int
) -> Task:
    """Move a task and its subtree to be the ``index``-th child of ``parent``
    (None: top level), as when a row is dragged in the WBS."""
    current = _locked_task(task)
    project = current.project
    require_edit(user, project)
    _check_version(
        current,
        version,
        {"parent": parent.pk if parent else None, "index": index},
        _("Task %(wbs)s '%(name)s'") % {"wbs": current.wbs, "name": current.name},
    )
    rows = _outline(project)
    at = next(i for i, row in enumerate(rows) if row.pk == current.pk)
    end = _subtree_end(rows, at)
    moving, rest = rows[at:end], rows[:at] + rows[end:]
    moved_ids = {row.pk for row in moving}
    if parent is not None and parent.pk in moved_ids:
        raise ValidationError({"parent": [_("A task cannot be moved under itself.")]})
    parent_id = parent.pk if parent is not None else None
    if parent_id is not None and not any(row.pk == parent_id for row in rest):
        raise ValidationError({"parent": [_("No such task in this project.")]})
    siblings = [i for i, row in enumerate(rest) if row.parent_id == parent_id]
    index = max(0, min(index, len(siblings)))
    if index < len(siblings):
        insert_at = siblings[index]
    elif parent_id is None:
        insert_at = len(rest)
    else:
        p = next(i for i, row in enumerate(rest) if row.pk == parent_id)
        insert_at = _subtree_end(rest, p)
    new_rows = rest[:insert_at] + moving + rest[insert_at:]
    _store_outline(new_rows, {current.pk: parent_id})
    Task.objects.filter(pk=current.pk).update(version=current.version + 1)
    _record(current)
    schedule_recompute(project=project)
    current.refresh_from_db()
    return current


def _record(task: Task) -> None:
    """A history row for a structural change made with bulk updates."""
    fresh = Task.objects.get(pk=task.pk)
    fresh.save(update_fields=["version"])


@service
def task_indent(*, task: Task, version: int | None, user: Any) -> Task:
    """Make the task the last child of the sibling just above it (MS Project's indent)."""
    current = _locked_task(task)
    require_edit(user, current.project)
    rows = _outline(current.project)
    siblings = [row for row in rows if row.parent_id == current.parent_id]
    mine = next(i for i, row in enumerate(siblings) if row.pk == current.pk)
    if mine == 0:
        raise ValidationError({"parent": [_("The first task of a level cannot be indented.")]})
    new_parent = siblings[mine - 1]
    return task_move(
        task=current,
        version=version,
        user=user,
        parent=Task.objects.get(pk=new_parent.pk),
        index=sum(1 for row in rows if row.parent_id == new_parent.pk),
    )


@service
def task_outdent(*, task: Task, version: int | None, user: Any) -> Task:
    """Move the task up one level, as MS Project does: it stays where it is in the list and
    the siblings below it become its subtasks."""
    current = _locked_task(task)
    project = current.project
    require_edit(user, project)
    if current.parent_id is None:
        raise ValidationError({"parent": [_("A top-level task cannot be outdented.")]})
    _check_version(
        current,
        version,
        {"parent": None},
        _("Task %(wbs)s '%(name)s'") % {"wbs": current.wbs, "name": current.name},
    )
    old_parent = Task.objects.only("parent_id").get(pk=current.parent_id)
    rows = _outline(project)
    parents: dict[int, int | None] = {current.pk: old_parent.parent_id}
    after = False
    for row in rows:
        if row.pk == current.pk:
            after = True
        elif after and row.parent_id == old_parent.pk:
            parents[row.pk] = current.pk
    _store_outline(rows, parents)
    Task.objects.filter(pk=current.pk).update(version=current.version + 1)
    _record(current)
    schedule_recompute(project=project)
    current.refresh_from_db()
    return current


# -- links ----------------------------------------------------------------------------------


def _same_project(project: Project, *tasks: Task) -> None:
    for t in tasks:
        if t.project_id != project.pk:
            raise ValidationError({"task": [_("The tasks must belong to the same project.")]})


@service
def link_create(
    *,
    predecessor: Task,
    successor: Task,
    user: Any,
    type: str = "FS",  # the engine's word
    lag_value: float = 0,
    lag_kind: str = "work",
    lag_unit: str = "d",
) -> Link:
    project = successor.project
    require_edit(user, project)
    _same_project(project, predecessor)
    if Link.objects.filter(predecessor=predecessor, successor=successor).exists():
        raise ValidationError({"predecessor": [_("These tasks are already linked.")]})
    link = Link(
        project=project,
        predecessor=predecessor,
        successor=successor,
        type=type,
        lag_value=lag_value,
        lag_kind=lag_kind,
        lag_unit=lag_unit,
    )
    _clean(link, ["type", "lag_value", "lag_kind", "lag_unit"])
    link.save()
    _result, changed = _reschedule(project=project)
    link.rescheduled = changed | {successor.pk}
    return link


def _row_update(
    row: Any, data: Mapping[str, Any], allowed: Iterable[str], what: str, user: Any
) -> None:
    """Edit a plain planning row (link, assignment) and reschedule, in the caller's
    transaction."""
    require_edit(user, row.project)
    _check_fields(data, allowed, what)
    for name, value in data.items():
        setattr(row, name, value)
    _clean(row, data)
    row.save()
    schedule_recompute(project=row.project)


def _row_delete(row: Any, user: Any) -> None:
    project = row.project
    require_edit(user, project)
    row.delete()
    schedule_recompute(project=project)


@service
def link_update(*, link: Link, data: Mapping[str, Any], user: Any) -> Link:
    _row_update(link, data, LINK_FIELDS, _("A link"), user)
    return link


@service
def link_delete(*, link: Link, user: Any) -> None:
    _row_delete(link, user)


# -- calendars ------------------------------------------------------------------------------


def _check_calendar_json(calendar: Calendar) -> None:
    from jalon.web.planning.mapping import calendar_spec

    try:
        calendar_spec(calendar)
    except (PlanError, KeyError, TypeError, ValueError) as exc:
        raise ValidationError(
            {"week": [_("Invalid working times: %(error)s") % {"error": exc}]}
        ) from exc


@service
def calendar_create(*, project: Project, data: Mapping[str, Any], user: Any) -> Calendar:
    require_edit(user, project)
    _check_fields(data, CALENDAR_FIELDS, _("A calendar"))
    calendar = Calendar(project=project, **data)
    _clean(calendar, [*data, "name"])
    if Calendar.objects.filter(project=project, name=calendar.name).exists():
        raise ValidationError({"name": [_("This project already has a calendar with this name.")]})
    _check_calendar_json(calendar)
    calendar.save()
    schedule_recompute(project=project)
    return calendar


@service
def calendar_update(*, calendar: Calendar, data: Mapping[str, Any], user: Any) -> Calendar:
    if calendar.project is None:
        raise PermissionDenied(_("Portfolio calendars are changed on the resources page."))
    project = calendar.project
    require_edit(user, project)
    _check_fields(data, CALENDAR_FIELDS, _("A calendar"))
    old_name = calendar.name
    for name, value in data.items():
        setattr(calendar, name, value)
    _clean(calendar, data)
    _check_calendar_json(calendar)
    calendar.save()
    if old_name != calendar.name:
        # calendars are referred to by name from derived calendars and the project
        Calendar.objects.filter(project=project, base_name=old_name).update(base_name=calendar.name)
        if project.calendar_name == old_name:
            Project.objects.filter(pk=project.pk).update(calendar_name=calendar.name)
            project.calendar_name = calendar.name
    schedule_recompute(project=project)
    return calendar


@service
def calendar_delete(*, calendar: Calendar, user: Any) -> None:
    if calendar.project is None:
        raise PermissionDenied(_("Portfolio calendars are changed on the resources page."))
    project = calendar.project
    require_edit(user, project)
    if calendar.tasks.exists() or project.calendar_name == calendar.name:
        raise ValidationError({"calendar": [_("This calendar is in use.")]})
    calendar.delete()
    schedule_recompute(project=project)


# -- resources (portfolio-wide) and assignments ---------------------------------------------


def _require_resource_editor(user: Any) -> None:
    from jalon.web.accounts.selectors import can_create_projects

    if not can_create_projects(user):
        raise PermissionDenied(_("Only PMO admins and project managers can change resources."))


@service
def resource_create(*, data: Mapping[str, Any], user: Any) -> Resource:
    _require_resource_editor(user)
    _check_fields(data, RESOURCE_FIELDS, _("A resource"))
    resource = Resource(**data)
    _clean(resource, [*data, "name"])
    resource.save()
    return resource


@service
def resource_update(
    *, resource: Resource, data: Mapping[str, Any], version: int | None, user: Any
) -> Resource:
    _require_resource_editor(user)
    _check_fields(data, RESOURCE_FIELDS, _("A resource"))
    current = Resource.objects.select_for_update().get(pk=resource.pk)
    _check_version(current, version, data, _("Resource '%(name)s'") % {"name": current.name})
    for name, value in data.items():
        setattr(current, name, value)
    _clean(current, data)
    current.version += 1
    current.save()
    # a calendar change moves the tasks of every project that uses the resource
    if "calendar" in data:
        for project in Project.objects.filter(assignments__resource=current).distinct():
            schedule_recompute(project=project)
    return current


@service
def assignment_create(
    *, task: Task, resource: Resource, user: Any, units: float = 1.0, work: int | None = None
) -> Assignment:
    project = task.project
    require_edit(user, project)
    if Assignment.objects.filter(task=task, resource=resource).exists():
        raise ValidationError({"resource": [_("This resource is already assigned to the task.")]})
    assignment = Assignment(project=project, task=task, resource=resource, units=units, work=work)
    _clean(assignment, ["units", "work"])
    assignment.save()
    schedule_recompute(project=project)
    return assignment


@service
def assignment_update(*, assignment: Assignment, data: Mapping[str, Any], user: Any) -> Assignment:
    _row_update(assignment, data, ASSIGNMENT_FIELDS, _("An assignment"), user)
    return assignment


@service
def assignment_delete(*, assignment: Assignment, user: Any) -> None:
    _row_delete(assignment, user)


# -- baselines and status -------------------------------------------------------------------


@service
def baseline_set(*, project: Project, user: Any, number: int = 0) -> Baseline:
    """Save the current schedule as baseline ``number`` (0-10), replacing it."""
    require_edit(user, project)
    if not 0 <= number <= 10:
        raise ValidationError({"number": [_("A baseline number is between 0 and 10.")]})
    result = schedule_recompute(project=project)
    saved = timezone.now().replace(microsecond=0)
    snapshot = next(
        b for b in save_baseline(result.plan, result, number, saved).baselines if b.number == number
    )
    Baseline.objects.filter(project=project, number=number).delete()
    baseline = Baseline.objects.create(project=project, number=number, saved_at=saved)
    by_uid = dict(Task.objects.filter(project=project).values_list("uid", "pk"))
    BaselineTask.objects.bulk_create(
        [
            BaselineTask(
                baseline=baseline,
                task_id=by_uid[uid],
                start=bt.start,
                finish=bt.finish,
                duration=bt.duration,
                work=bt.work,
                cost=bt.cost,
            )
            for uid, bt in snapshot.tasks.items()
        ],
        batch_size=500,
    )
    schedule_recompute(project=project)
    return baseline


PROJECT_FIELDS = frozenset(
    {
        "name",
        "code",
        "description",
        "status",
        "method",
        "start",
        "finish",
        "schedule_from_finish",
        "status_date",
        "calendar_name",
        "minutes_per_day",
        "minutes_per_week",
        "days_per_month",
        "critical_slack_limit",
        "currency",
    }
)


@service
def project_update(
    *, project: Project, data: Mapping[str, Any], version: int | None, user: Any
) -> Project:
    """Change a project's settings (status date included) and reschedule."""
    current = Project.objects.select_for_update().get(pk=project.pk)
    require_edit(user, current)
    _check_fields(data, PROJECT_FIELDS, _("A project"))
    _check_version(current, version, data, _("Project '%(name)s'") % {"name": current.name})
    for name, value in data.items():
        setattr(current, name, value)
    _clean(current, data)
    current.version += 1
    current.save()
    schedule_recompute(project=current)
    return current


def today_status_date() -> dt.datetime:
    return dt.datetime.combine(dt.date.today(), dt.time(17, 0))


@service
def progress_bulk_update(
    *, project: Project, updates: Mapping[int, Mapping[str, Any]], user: Any
) -> int:
    """A status update: progress fields of many tasks (task pk -> fields), one reschedule.

    Managers only; returns the number of tasks changed.
    """
    require_edit(user, project)
    rows = {t.pk: t for t in Task.objects.filter(project=project, pk__in=list(updates))}
    missing = set(updates) - set(rows)
    if missing:
        raise ValidationError({"task": [_("No such task in this project: %s") % sorted(missing)]})
    for pk, data in updates.items():
        _check_fields(data, PROGRESS_FIELDS, _("Progress"))
        row = rows[pk]
        for name, value in data.items():
            setattr(row, name, value)
        _clean(row, data)
        row.version += 1
        row.save()
    schedule_recompute(project=project, tasks=list(rows))
    return len(rows)


def _bump_and_reschedule(project: Project, current: Task) -> Task:
    """A task whose links or assignments changed: a new version, the project rescheduled;
    ``rescheduled`` names the rows the reschedule wrote and the task itself."""
    current.version += 1
    current.save(update_fields=["version"])
    _result, changed = _reschedule(project=project)
    current.refresh_from_db()
    current.rescheduled = changed | {current.pk}
    return current


@service
def task_predecessors_set(*, task: Task, text: str, version: int | None, user: Any) -> Task:
    """Replace a task's predecessors with those typed in ``text`` (``"3FS+2d, 5"``)."""
    from jalon.web.planning.linktext import LinkTextError, parse_predecessors

    current = _locked_task(task)
    project = current.project
    require_edit(user, project)
    _check_version(
        current,
        version,
        {"predecessors": text},
        _("Task %(wbs)s '%(name)s'") % {"wbs": current.wbs, "name": current.name},
    )
    refs: dict[str, int] = {}
    codes: dict[str, int] = {}
    for pk, uid, code, number in Task.objects.filter(project=project).values_list(
        "pk", "uid", "wbs_code", "outline_number"
    ):
        refs[number] = pk
        refs[f"#{uid}"] = pk
        if code:
            codes[code] = pk
    refs.update(codes)  # a WBS code wins over an outline number that reads the same
    try:
        specs = parse_predecessors(
            text,
            refs,
            minutes_per_day=project.minutes_per_day,
            minutes_per_week=project.minutes_per_week,
            days_per_month=project.days_per_month,
        )
    except LinkTextError as exc:
        raise ValidationError({"predecessors": [str(exc)]}) from exc
    existing = {link.predecessor_id: link for link in Link.objects.filter(successor=current)}
    wanted = {spec.predecessor: spec for spec in specs}
    for pk, link in existing.items():
        if pk not in wanted:
            link.delete()
    for pk, spec in wanted.items():
        values = {
            "type": spec.type,
            "lag_value": spec.lag_value,
            "lag_kind": spec.lag_kind,
            "lag_unit": spec.lag_unit,
        }
        link = existing.get(pk)
        if link is None:
            Link.objects.create(project=project, predecessor_id=pk, successor=current, **values)
        elif any(getattr(link, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(link, name, value)
            link.save()
    return _bump_and_reschedule(project, current)


@service
def task_resources_set(
    *, task: Task, resources: Iterable[tuple[str, float]], version: int | None, user: Any
) -> Task:
    """Replace a task's assignments with ``[(resource name, units), ...]``, as typed in
    MS Project's Resource Names column (``"Alice, Bob[50%]"``). An unknown name creates
    the resource when the user may create resources (as MS Project does)."""
    from jalon.web.accounts.selectors import can_create_projects

    current = _locked_task(task)
    project = current.project
    require_edit(user, project)
    wanted = list(resources)
    _check_version(
        current,
        version,
        {"resources": ", ".join(name for name, _units in wanted)},
        _("Task %(wbs)s '%(name)s'") % {"wbs": current.wbs, "name": current.name},
    )
    by_name: dict[str, Resource] = {}
    for name, units in wanted:
        if not 0 < units <= 100:
            raise ValidationError({"resources": [_("Units are between 1% and 10000%.")]})
        found = Resource.objects.filter(name__iexact=name).order_by("pk").first()
        if found is None:
            if not can_create_projects(user):
                raise ValidationError(
                    {"resources": [_("No resource named '%(name)s'.") % {"name": name}]}
                )
            found = Resource(name=name)
            _clean(found, ["name"])
            found.save()
        by_name[name] = found
    units_of = {by_name[name].pk: units for name, units in wanted}
    existing = {a.resource_id: a for a in Assignment.objects.filter(task=current)}
    for pk, assignment in existing.items():
        if pk not in units_of:
            assignment.delete()
    for pk, units in units_of.items():
        assignment = existing.get(pk)
        if assignment is None:
            Assignment.objects.create(project=project, task=current, resource_id=pk, units=units)
        elif assignment.units != units:
            assignment.units = units
            assignment.save()
    return _bump_and_reschedule(project, current)
