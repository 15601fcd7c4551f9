"""Portfolio, project page and members. Thin: selectors read, services write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jalon.web.accounts.selectors import can_create_projects
from jalon.web.planning.linktext import french
from jalon.web.planning.render import ROW_FIELDS, wbs_rows
from jalon.web.planning.selectors import predecessors_text, task_list
from jalon.web.projects import services
from jalon.web.projects.forms import MembershipForm, PortfolioFilterForm, ProjectCreateForm
from jalon.web.projects.selectors import (
    can_edit,
    can_manage,
    portfolio,
    project_get,
    project_members,
    role_of,
)

User = get_user_model()


@login_required
def portfolio_view(request: HttpRequest) -> HttpResponse:
    form = PortfolioFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = portfolio(
        user=request.user,
        status=filters.get("status") or "",
        query=filters.get("q") or "",
        sort=filters.get("sort") or "name",
    )
    return render(
        request,
        "projects/portfolio.html",
        {"rows": rows, "form": form, "can_create": can_create_projects(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_create_view(request: HttpRequest) -> HttpResponse:
    if not can_create_projects(request.user):
        raise PermissionDenied
    form = ProjectCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(
                name=form.cleaned_data["name"],
                start=form.start_datetime(),
                method=form.cleaned_data["method"],
                status=form.cleaned_data["status"],
                description=form.cleaned_data["description"],
                user=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("projects:detail", pk=project.pk)
    return render(request, "projects/project_form.html", {"form": form})


@login_required
def project_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_get(user=request.user, pk=pk)
    rows = task_list(project=project, user=request.user).values(*ROW_FIELDS)
    predecessors = predecessors_text(project=project, user=request.user, french=french())
    return render(
        request,
        "projects/project_detail.html",
        {
            "project": project,
            "rows": wbs_rows(rows, project, predecessors),
            "role": role_of(request.user, project),
            "can_edit": can_edit(request.user, project),
            "can_manage": can_manage(request.user, project),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def members_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_get(user=request.user, pk=pk)
    manage = can_manage(request.user, project)
    form = MembershipForm(request.POST or None)
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.membership_set(
                    project=project,
                    member=form.cleaned_data["user"],
                    role=form.cleaned_data["role"],
                    user=request.user,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Roles saved."))
                return redirect("projects:members", pk=project.pk)
    return render(
        request,
        "projects/members.html",
        {
            "project": project,
            "members": project_members(project=project, user=request.user),
            "form": form,
            "can_manage": manage,
        },
    )


@login_required
@require_POST
def member_remove_view(request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
    project = project_get(user=request.user, pk=pk)
    member = get_object_or_404(User, pk=user_pk)
    try:
        services.membership_remove(project=project, member=member, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(user)s removed.") % {"user": member.get_username()})
    return redirect("projects:members", pk=project.pk)
