"""API routes for planning data: tasks, links, calendars, resources, assignments,
baselines, the schedule, imports and exports.

Every route starts from ``project_get`` (404 outside the user's projects), reads through
the selectors and writes through the services, which check the role (403), the
``version`` (409) and the input (422), and reschedule in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Status, UploadedFile
from ninja.pagination import paginate
from pydantic import Field

from jalon.web.history import acting_as
from jalon.web.planning import selectors, services
from jalon.web.planning.imports import import_read, project_export, project_import
from jalon.web.planning.models import Assignment, Baseline, Calendar, Link, Resource, Task
from jalon.web.planning.schemas import (
    ASSIGNMENT_NULLABLE,
    RESOURCE_NULLABLE,
    TASK_NULLABLE,
    AssignmentCreate,
    AssignmentOut,
    AssignmentUpdate,
    BaselineIn,
    BaselineOut,
    CalendarCreate,
    CalendarOut,
    CalendarUpdate,
    ImportIn,
    ImportReportOut,
    LinkCreate,
    LinkOut,
    LinkUpdate,
    MoveIn,
    PredecessorsIn,
    PredecessorsOut,
    ProjectImportedOut,
    ResourceCreate,
    ResourceOut,
    ResourceUpdate,
    ScheduleOut,
    TaskCreate,
    TaskDetailOut,
    TaskOut,
    TaskUpdate,
    VersionIn,
)
from jalon.web.projects.models import Project
from jalon.web.projects.schemas import Input, Page, sent
from jalon.web.projects.selectors import project_get

router = Router(tags=["planning"])


# -- look-ups -------------------------------------------------------------------------------


def _project(request: HttpRequest, pk: int) -> Project:
    return project_get(user=request.auth, pk=pk)


def _editable(request: HttpRequest, pk: int) -> Project:
    """The project, for a change: 404 when hidden, 403 when the role forbids editing (so
    that ids sent in the body are looked up only for those who may use them)."""
    project = _project(request, pk)
    services.require_edit(request.auth, project)
    return project


def _task_ref(project: Project, pk: int | None, field: str) -> Task | None:
    """A task named in the body: in the project, or a 422 on that field."""
    if pk is None:
        return None
    task = Task.objects.select_related("project").filter(project=project, pk=pk).first()
    if task is None:
        raise ValidationError({field: ["No such task in this project."]})
    return task


def _one(queryset: QuerySet[Any], pk: int, what: str) -> Any:
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404(f"No such {what}")
    return found


def _task_detail(project: Project, task: Task, user: Any) -> Task:
    """The task with its predecessors written as in MS Project's column."""
    text = selectors.predecessors_text(project=project, user=user).get(task.pk, "")
    task.predecessors = text  # type: ignore[attr-defined]
    return task


# -- tasks ----------------------------------------------------------------------------------


@router.get("/projects/{pk}/tasks", response=list[TaskOut], tags=["tasks"])
@paginate(Page)
def task_list(request: HttpRequest, pk: int, q: str = "") -> QuerySet[Task]:
    """The project's tasks in outline order, with their computed dates. ``q``: part of
    the name."""
    tasks = selectors.task_list(project=_project(request, pk), user=request.auth)
    if q:
        tasks = tasks.filter(name__icontains=q)
    return tasks.order_by("position", "pk")


@router.post("/projects/{pk}/tasks", response={201: TaskDetailOut}, tags=["tasks"])
def task_create(request: HttpRequest, pk: int, body: TaskCreate) -> Task:
    """A new task (after ``after``'s subtree, else last child of ``parent``, else at the
    end); the project is rescheduled."""
    project = _editable(request, pk)
    parent = _task_ref(project, body.parent, "parent")
    after = _task_ref(project, body.after, "after")
    data = sent(body, TASK_NULLABLE, exclude=frozenset({"parent", "after"}))
    task = services.task_create(
        project=project, data=data, user=request.auth, parent=parent, after=after
    )
    return _task_detail(project, task, request.auth)


@router.get("/projects/{pk}/tasks/{task_id}", response=TaskDetailOut, tags=["tasks"])
def task_get(request: HttpRequest, pk: int, task_id: int) -> Task:
    project = _project(request, pk)
    task = selectors.task_get(user=request.auth, project=project, pk=task_id)
    return _task_detail(project, task, request.auth)


@router.patch("/projects/{pk}/tasks/{task_id}", response=TaskDetailOut, tags=["tasks"])
def task_update(request: HttpRequest, pk: int, task_id: int, body: TaskUpdate) -> Task:
    """Change fields and reschedule. Send the ``version`` you loaded: 409 (with your values
    and the stored ones) if someone saved in between. Members may change the progress
    fields of the tasks they are assigned to."""
    project = _project(request, pk)
    task = selectors.task_get(user=request.auth, project=project, pk=task_id)
    data = sent(body, TASK_NULLABLE)
    task = services.task_update(task=task, data=data, version=body.version, user=request.auth)
    return _task_detail(project, task, request.auth)


@router.delete("/projects/{pk}/tasks/{task_id}", response={204: None}, tags=["tasks"])
def task_delete(request: HttpRequest, pk: int, task_id: int, version: int) -> None:
    """Delete the task with its subtasks, links and assignments (``?version=``)."""
    project = _project(request, pk)
    task = selectors.task_get(user=request.auth, project=project, pk=task_id)
    services.task_delete(task=task, version=version, user=request.auth)


@router.post("/projects/{pk}/tasks/{task_id}/move", response=TaskOut, tags=["tasks"])
def task_move(request: HttpRequest, pk: int, task_id: int, body: MoveIn) -> Task:
    """Make the task (with its subtree) the ``index``-th child of ``parent``."""
    project = _editable(request, pk)
    task = selectors.task_get(user=request.auth, project=project, pk=task_id)
    parent = _task_ref(project, body.parent, "parent")
    return services.task_move(
        task=task, version=body.version, user=request.auth, parent=parent, index=body.index
    )


@router.post("/projects/{pk}/tasks/{task_id}/indent", response=TaskOut, tags=["tasks"])
def task_indent(request: HttpRequest, pk: int, task_id: int, body: VersionIn) -> Task:
    """MS Project's indent: the task becomes the last child of the task above it."""
    project = _project(request, pk)
    task = selectors.task_get(user=request.auth, project=project, pk=task_id)
    return services.task_indent(task=task, version=body.version, user=request.auth)


@router.post("/projects/{pk}/tasks/{task_id}/outdent", response=TaskOut, tags=["tasks"])
def task_outdent(request: HttpRequest, pk: int, task_id: int, body: VersionIn) -> Task:
    """MS Project's outdent: one level up; the siblings below become its subtasks."""
    project = _project(request, pk)
    task = selectors.task_get(user=request.auth, project=project, pk=task_id)
    return services.task_outdent(task=task, version=body.version, user=request.auth)


@router.get("/projects/{pk}/tasks/{task_id}/predecessors", response=PredecessorsOut, tags=["tasks"])
def predecessors_get(request: HttpRequest, pk: int, task_id: int) -> dict[str, Any]:
    project = _project(request, pk)
    task = selectors.task_get(user=request.auth, project=project, pk=task_id)
    text = selectors.predecessors_text(project=project, user=request.auth).get(task.pk, "")
    return {"task": task.pk, "version": task.version, "text": text}


@router.put("/projects/{pk}/tasks/{task_id}/predecessors", response=PredecessorsOut, tags=["tasks"])
def predecessors_set(
    request: HttpRequest, pk: int, task_id: int, body: PredecessorsIn
) -> dict[str, Any]:
    """Replace the task's predecessors with those typed as in MS Project's column
    (``"3FS+2d, 1.2SS, #12FF-1ed, 4FS+50%"``, by WBS code, outline number or ``#uid``)."""
    project = _project(request, pk)
    task = selectors.task_get(user=request.auth, project=project, pk=task_id)
    task = services.task_predecessors_set(
        task=task, text=body.text, version=body.version, user=request.auth
    )
    text = selectors.predecessors_text(project=project, user=request.auth).get(task.pk, "")
    return {"task": task.pk, "version": task.version, "text": text}


# -- links ----------------------------------------------------------------------------------


@router.get("/projects/{pk}/links", response=list[LinkOut], tags=["links"])
@paginate(Page)
def link_list(request: HttpRequest, pk: int) -> QuerySet[Link]:
    return selectors.link_list(project=_project(request, pk), user=request.auth).order_by("pk")


@router.post("/projects/{pk}/links", response={201: LinkOut}, tags=["links"])
def link_create(request: HttpRequest, pk: int, body: LinkCreate) -> Link:
    """A dependency; a cycle or a summary linked to its own subtask is a 422."""
    project = _editable(request, pk)
    predecessor = _task_ref(project, body.predecessor, "predecessor")
    successor = _task_ref(project, body.successor, "successor")
    return services.link_create(
        predecessor=predecessor,
        successor=successor,
        user=request.auth,
        type=body.type,
        lag_value=body.lag_value,
        lag_kind=body.lag_kind,
        lag_unit=body.lag_unit,
    )


def _link(request: HttpRequest, pk: int, link_id: int) -> Link:
    links = selectors.link_list(project=_project(request, pk), user=request.auth)
    link: Link = _one(links.select_related("project"), link_id, "link")
    return link


@router.get("/projects/{pk}/links/{link_id}", response=LinkOut, tags=["links"])
def link_get(request: HttpRequest, pk: int, link_id: int) -> Link:
    return _link(request, pk, link_id)


@router.patch("/projects/{pk}/links/{link_id}", response=LinkOut, tags=["links"])
def link_update(request: HttpRequest, pk: int, link_id: int, body: LinkUpdate) -> Link:
    link = _link(request, pk, link_id)
    return services.link_update(link=link, data=sent(body), user=request.auth)


@router.delete("/projects/{pk}/links/{link_id}", response={204: None}, tags=["links"])
def link_delete(request: HttpRequest, pk: int, link_id: int) -> None:
    services.link_delete(link=_link(request, pk, link_id), user=request.auth)


# -- calendars ------------------------------------------------------------------------------


@router.get("/projects/{pk}/calendars", response=list[CalendarOut], tags=["calendars"])
@paginate(Page)
def calendar_list(request: HttpRequest, pk: int) -> QuerySet[Calendar]:
    return selectors.calendar_list(project=_project(request, pk), user=request.auth).order_by(
        "name", "pk"
    )


@router.post("/projects/{pk}/calendars", response={201: CalendarOut}, tags=["calendars"])
def calendar_create(request: HttpRequest, pk: int, body: CalendarCreate) -> Calendar:
    project = _project(request, pk)
    data = sent(body, mode="json")
    return services.calendar_create(project=project, data=data, user=request.auth)


def _calendar(request: HttpRequest, pk: int, calendar_id: int) -> Calendar:
    calendars = selectors.calendar_list(project=_project(request, pk), user=request.auth)
    calendar: Calendar = _one(calendars.select_related("project"), calendar_id, "calendar")
    return calendar


@router.get("/projects/{pk}/calendars/{calendar_id}", response=CalendarOut, tags=["calendars"])
def calendar_get(request: HttpRequest, pk: int, calendar_id: int) -> Calendar:
    return _calendar(request, pk, calendar_id)


@router.patch("/projects/{pk}/calendars/{calendar_id}", response=CalendarOut, tags=["calendars"])
def calendar_update(
    request: HttpRequest, pk: int, calendar_id: int, body: CalendarUpdate
) -> Calendar:
    calendar = _calendar(request, pk, calendar_id)
    data = sent(body, mode="json")
    return services.calendar_update(calendar=calendar, data=data, user=request.auth)


@router.delete("/projects/{pk}/calendars/{calendar_id}", response={204: None}, tags=["calendars"])
def calendar_delete(request: HttpRequest, pk: int, calendar_id: int) -> None:
    services.calendar_delete(calendar=_calendar(request, pk, calendar_id), user=request.auth)


# -- resources (shared by the portfolio) ----------------------------------------------------


def _resource_refs(data: dict[str, Any]) -> dict[str, Any]:
    """``calendar`` and ``user`` ids as objects (a portfolio calendar, an active account)."""
    if data.get("calendar") is not None:
        calendar = Calendar.objects.filter(project__isnull=True, pk=data["calendar"]).first()
        if calendar is None:
            raise ValidationError({"calendar": ["No such portfolio calendar."]})
        data["calendar"] = calendar
    if data.get("user") is not None:
        account = get_user_model().objects.filter(pk=data["user"], is_active=True).first()
        if account is None:
            raise ValidationError({"user": ["No such active user."]})
        data["user"] = account
    return data


def _require_resource_editor(request: HttpRequest) -> None:
    from jalon.web.accounts.selectors import can_create_projects

    if not can_create_projects(request.auth):
        raise PermissionDenied("Only PMO admins and project managers can change resources.")


@router.get("/resources", response=list[ResourceOut], tags=["resources"])
@paginate(Page)
def resource_list(request: HttpRequest, q: str = "") -> QuerySet[Resource]:
    """The people, teams and materials working on the projects you can see (all of them
    for PMO admins). ``q``: part of the name."""
    resources = selectors.resources_visible_to(request.auth)
    if q:
        resources = resources.filter(name__icontains=q)
    return resources.order_by("name", "pk")


@router.post("/resources", response={201: ResourceOut}, tags=["resources"])
def resource_create(request: HttpRequest, body: ResourceCreate) -> Resource:
    _require_resource_editor(request)
    data = _resource_refs(sent(body, RESOURCE_NULLABLE))
    return services.resource_create(data=data, user=request.auth)


@router.get("/resources/{resource_id}", response=ResourceOut, tags=["resources"])
def resource_get(request: HttpRequest, resource_id: int) -> Resource:
    resource: Resource = _one(selectors.resources_visible_to(request.auth), resource_id, "resource")
    return resource


@router.patch("/resources/{resource_id}", response=ResourceOut, tags=["resources"])
def resource_update(request: HttpRequest, resource_id: int, body: ResourceUpdate) -> Resource:
    """Change a resource (PMO admins and project creators); a calendar change reschedules
    every project using it."""
    resource = _one(selectors.resources_visible_to(request.auth), resource_id, "resource")
    _require_resource_editor(request)
    data = _resource_refs(sent(body, RESOURCE_NULLABLE))
    return services.resource_update(
        resource=resource, data=data, version=body.version, user=request.auth
    )


# -- assignments ----------------------------------------------------------------------------


@router.get("/projects/{pk}/assignments", response=list[AssignmentOut], tags=["assignments"])
@paginate(Page)
def assignment_list(request: HttpRequest, pk: int) -> QuerySet[Assignment]:
    project = _project(request, pk)
    return selectors.assignment_list(project=project, user=request.auth).order_by("pk")


@router.post("/projects/{pk}/assignments", response={201: AssignmentOut}, tags=["assignments"])
def assignment_create(request: HttpRequest, pk: int, body: AssignmentCreate) -> Assignment:
    project = _editable(request, pk)
    task = _task_ref(project, body.task, "task")
    resource = Resource.objects.filter(pk=body.resource).first()
    if resource is None:
        raise ValidationError({"resource": ["No such resource."]})
    return services.assignment_create(
        task=task, resource=resource, user=request.auth, units=body.units, work=body.work
    )


def _assignment(request: HttpRequest, pk: int, assignment_id: int) -> Assignment:
    assignments = selectors.assignment_list(project=_project(request, pk), user=request.auth)
    assignment: Assignment = _one(
        assignments.select_related("project"), assignment_id, "assignment"
    )
    return assignment


@router.get(
    "/projects/{pk}/assignments/{assignment_id}", response=AssignmentOut, tags=["assignments"]
)
def assignment_get(request: HttpRequest, pk: int, assignment_id: int) -> Assignment:
    return _assignment(request, pk, assignment_id)


@router.patch(
    "/projects/{pk}/assignments/{assignment_id}", response=AssignmentOut, tags=["assignments"]
)
def assignment_update(
    request: HttpRequest, pk: int, assignment_id: int, body: AssignmentUpdate
) -> Assignment:
    assignment = _assignment(request, pk, assignment_id)
    data = sent(body, ASSIGNMENT_NULLABLE)
    return services.assignment_update(assignment=assignment, data=data, user=request.auth)


@router.delete(
    "/projects/{pk}/assignments/{assignment_id}", response={204: None}, tags=["assignments"]
)
def assignment_delete(request: HttpRequest, pk: int, assignment_id: int) -> None:
    assignment = _assignment(request, pk, assignment_id)
    services.assignment_delete(assignment=assignment, user=request.auth)


# -- baselines ------------------------------------------------------------------------------


@router.get("/projects/{pk}/baselines", response=list[BaselineOut], tags=["baselines"])
@paginate(Page)
def baseline_list(request: HttpRequest, pk: int) -> QuerySet[Baseline]:
    return selectors.baseline_list(project=_project(request, pk), user=request.auth).order_by(
        "number"
    )


@router.post("/projects/{pk}/baselines", response={201: BaselineOut}, tags=["baselines"])
def baseline_set(request: HttpRequest, pk: int, body: BaselineIn) -> Baseline:
    """Save the current schedule as baseline ``number`` (0-10), replacing it."""
    project = _project(request, pk)
    return services.baseline_set(project=project, user=request.auth, number=body.number)


# -- the schedule ---------------------------------------------------------------------------

SCHEDULE_FIELDS = (
    "id",
    "uid",
    "start",
    "finish",
    "early_start",
    "early_finish",
    "late_start",
    "late_finish",
    "total_float",
    "free_float",
    "critical",
    "is_summary",
    "is_milestone",
    "outline_level",
    "outline_number",
)


DATE_FIELDS = frozenset(name for name in SCHEDULE_FIELDS if name.endswith(("start", "finish")))


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _schedule(project: Project, user: Any) -> HttpResponse:
    """The schedule as JSON, built directly from value rows: validating thousands of rows
    against ``ScheduleOut`` would take longer than reading them (the schema documents the
    same shape; ``test_api_tasks`` checks it)."""
    rows = selectors.task_list(project=project, user=user).values_list(*SCHEDULE_FIELDS)
    dates = [i for i, name in enumerate(SCHEDULE_FIELDS) if name in DATE_FIELDS]
    tasks = []
    for row in rows:
        values = list(row)
        for i in dates:
            if values[i] is not None:
                values[i] = values[i].isoformat()
        tasks.append(dict(zip(SCHEDULE_FIELDS, values, strict=True)))
    body = {
        "project": project.pk,
        "version": project.version,
        "start": _iso(project.scheduled_start),
        "finish": _iso(project.scheduled_finish),
        "baseline_finish": _iso(project.baseline_finish),
        "percent_complete": project.percent_complete,
        "scheduled_at": _iso(project.scheduled_at),
        "warnings": project.schedule_warnings,
        "tasks": tasks,
    }
    return HttpResponse(json.dumps(body), content_type="application/json; charset=utf-8")


@router.get("/projects/{pk}/schedule", response=ScheduleOut, tags=["schedule"])
def schedule_get(request: HttpRequest, pk: int) -> HttpResponse:
    """The computed schedule of every task (dates, floats in working minutes, critical),
    in outline order, as stored by the last reschedule: not paginated (the Gantt needs it
    whole)."""
    return _schedule(_project(request, pk), request.auth)


@router.post("/projects/{pk}/schedule", response=ScheduleOut, tags=["schedule"])
def schedule_recompute(request: HttpRequest, pk: int) -> HttpResponse:
    """Reschedule the project now (edits already do it); managers."""
    project = _project(request, pk)
    with transaction.atomic(), acting_as(request.auth):
        services.require_edit(request.auth, project)
        services.schedule_recompute(project=project)
    return _schedule(project, request.auth)


# -- export ---------------------------------------------------------------------------------


class ExportQuery(Input):
    format: str = Field("xml", pattern="^(xml|yaml)$", description="xml (MSPDI) or yaml")


@router.get("/projects/{pk}/export", tags=["schedule"], response={200: None})
def export(request: HttpRequest, pk: int, query: Query[ExportQuery]) -> HttpResponse:
    """The project as a file: MS Project XML (``format=xml``) or Jalon YAML (``yaml``)."""
    project = _project(request, pk)
    content, filename, content_type = project_export(
        project=project, user=request.auth, format=query.format
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# -- import ---------------------------------------------------------------------------------


@router.post(
    "/imports",
    tags=["schedule"],
    response={200: ImportReportOut, 201: ProjectImportedOut},
)
def import_file(
    request: HttpRequest, file: File[UploadedFile], form: Form[ImportIn]
) -> Status[Any]:
    """Import a file as ``jalon import`` does (multipart: ``file`` and the form fields).
    ``dry_run``: 200 and the report of what would be created, nothing written; else 201,
    the new project (you become its manager) with the report. Needs the right to create
    projects; an unreadable file, a wrong ``format`` or an option the format does not take
    is a 422 naming the file and the row or field."""
    from jalon.web.accounts.selectors import can_create_projects
    from jalon.web.projects.selectors import role_of

    if not can_create_projects(request.auth):
        raise PermissionDenied("You may not create projects.")
    filename = Path(file.name or "upload").name
    result = import_read(
        file.read(), filename=filename, format=form.format, options=form.reader_options()
    )
    report = result.report.to_json()
    if form.dry_run:
        return Status(200, report)
    project = project_import(plan=result.plan, user=request.auth, name=form.name or None)
    project.role = role_of(request.auth, project)  # type: ignore[attr-defined]
    project.report = report  # type: ignore[attr-defined]
    return Status(201, project)
