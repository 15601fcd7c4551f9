"""The resources page of a project: its people with their assignments and a weekly
workload (assigned work against capacity, over-allocations flagged); add and edit people
(PMO admins and project managers: ``resource_create``/``resource_update``) and
assignments (the project's managers). Thin: selectors read, services write."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jalon.web.accounts.selectors import can_create_projects
from jalon.web.errors import ConflictError
from jalon.web.planning import selectors, services
from jalon.web.planning.forms import (
    AssignmentEditForm,
    AssignmentForm,
    ResourceForm,
    add_service_errors,
)
from jalon.web.planning.models import Assignment, Resource
from jalon.web.projects.models import Project
from jalon.web.projects.selectors import can_edit, project_get


def _assignment_form(request: HttpRequest, project: Project, data: Any = None) -> AssignmentForm:
    tasks = selectors.task_list(project=project, user=request.user).filter(is_summary=False)
    resources = selectors.assignable_resources(user=request.user).filter(active=True)
    return AssignmentForm(data, tasks=tasks, resources=resources.order_by("name", "pk"))


def _page(
    request: HttpRequest,
    project: Project,
    *,
    form: AssignmentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    editor = can_edit(user, project)
    workload = selectors.project_workload(project=project, user=user)
    return render(
        request,
        "planning/resources.html",
        {
            "project": project,
            "resources": selectors.project_resources(project=project, user=user),
            "workload": workload,
            "over": any(row.over_periods for row in workload.rows),
            "can_edit": editor,
            "can_edit_resources": can_create_projects(user),
            "form": form or (_assignment_form(request, project) if editor else None),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def resources_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The page; a POST assigns a resource to a task."""
    project = project_get(user=request.user, pk=pk)
    if request.method == "GET":
        return _page(request, project)
    if not can_edit(request.user, project):
        raise PermissionDenied(_("Only the project's managers can change its plan."))
    form = _assignment_form(request, project, request.POST)
    if form.is_valid():
        d = form.cleaned_data
        work = d["work"]
        try:
            services.assignment_create(
                task=d["task"],
                resource=d["resource"],
                units=d["units"] / 100,
                work=round(work * 60) if work is not None else None,
                user=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(resource)s assigned to %(task)s; the project was rescheduled.")
                % {"resource": d["resource"].name, "task": d["task"].name},
            )
            return redirect("planning:resources", pk=project.pk)
    return _page(request, project, form=form, status=422)


def _require_resource_editor(request: HttpRequest) -> None:
    if not can_create_projects(request.user):
        raise PermissionDenied(_("Only PMO admins and project managers can change resources."))


def _resource_page(
    request: HttpRequest, project: Project, form: ResourceForm, resource: Resource | None
) -> HttpResponse:
    return render(
        request,
        "planning/resource_form.html",
        {"project": project, "form": form, "resource": resource},
        status=422 if form.is_bound and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def resource_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_get(user=request.user, pk=pk)
    _require_resource_editor(request)
    form = ResourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            resource = services.resource_create(data=form.service_data(), user=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s added to the portfolio: assign them to tasks below.")
                % {"name": resource.name},
            )
            return redirect("planning:resources", pk=project.pk)
    return _resource_page(request, project, form, None)


@login_required
@require_http_methods(["GET", "POST"])
def resource_edit_view(request: HttpRequest, pk: int, resource_pk: int) -> HttpResponse:
    project = project_get(user=request.user, pk=pk)
    try:
        resource = selectors.assignable_resources(user=request.user).get(pk=resource_pk)
    except Resource.DoesNotExist:
        raise Http404("No such resource") from None
    _require_resource_editor(request)
    form = ResourceForm(request.POST or None, initial=ResourceForm.initial_of(resource))
    if request.method == "POST" and form.is_valid():
        try:
            services.resource_update(
                resource=resource,
                data=form.service_data(),
                version=form.cleaned_data["version"],
                user=request.user,
            )
        except ConflictError as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": form.cleaned_data["name"]})
            return redirect("planning:resources", pk=project.pk)
    return _resource_page(request, project, form, resource)


def _assignment(request: HttpRequest, project: Project, assignment_pk: int) -> Assignment:
    try:
        assignment: Assignment = (
            selectors.assignment_list(project=project, user=request.user)
            .select_related("project")
            .get(pk=assignment_pk)
        )
    except Assignment.DoesNotExist:
        raise Http404("No such assignment") from None
    return assignment


@login_required
@require_POST
def assignment_edit_view(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    project = project_get(user=request.user, pk=pk)
    assignment = _assignment(request, project, assignment_pk)
    form = AssignmentEditForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _("%(resource)s on %(task)s: %(errors)s")
            % {
                "resource": assignment.resource.name,
                "task": assignment.task.name,
                "errors": " ".join(
                    f"{form.fields[name].label}: {' '.join(errs)}"
                    for name, errs in form.errors.items()
                ),
            },
        )
        return redirect("planning:resources", pk=project.pk)
    work = form.cleaned_data["work"]
    try:
        services.assignment_update(
            assignment=assignment,
            data={
                "units": form.cleaned_data["units"] / 100,
                "work": round(work * 60) if work is not None else None,
            },
            user=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Assignment saved; the project was rescheduled."))
    return redirect("planning:resources", pk=project.pk)


@login_required
@require_POST
def assignment_delete_view(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    project = project_get(user=request.user, pk=pk)
    assignment = _assignment(request, project, assignment_pk)
    names = {"resource": assignment.resource.name, "task": assignment.task.name}
    services.assignment_delete(assignment=assignment, user=request.user)
    messages.success(request, _("%(resource)s no longer works on %(task)s.") % names)
    return redirect("planning:resources", pk=project.pk)
