"""API routes for projects and their members. Reads through selectors, writes through
services: rights are checked there (404 outside the user's projects, 403 for a role)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from jalon.web.projects import selectors, services
from jalon.web.projects.models import Membership, Project
from jalon.web.projects.schemas import (
    PROJECT_NULLABLE,
    MemberIn,
    MemberOut,
    Page,
    ProjectCreate,
    ProjectDetailOut,
    ProjectOut,
    ProjectUpdate,
    sent,
)

router = Router(tags=["projects"])


def _detail(project: Project, user: Any) -> Project:
    """The project with the user's role on it."""
    project.role = selectors.role_of(user, project)  # type: ignore[attr-defined]
    return project


@router.get("/projects", response=list[ProjectOut])
@paginate(Page)
def project_list(request: HttpRequest, q: str = "", status: str = "") -> QuerySet[Project]:
    """The projects you can see, by name. ``q``: part of the name; ``status``: one status."""
    projects = selectors.projects_visible_to(request.auth)
    if q:
        projects = projects.filter(name__icontains=q)
    if status:
        projects = projects.filter(status=status)
    return projects.order_by("name", "pk")


@router.post("/projects", response={201: ProjectDetailOut})
def project_create(request: HttpRequest, body: ProjectCreate) -> Project:
    """A new, empty project; you become its manager (needs the right to create projects)."""
    project = services.project_create(user=request.auth, **body.model_dump())
    return _detail(project, request.auth)


@router.get("/projects/{pk}", response=ProjectDetailOut)
def project_get(request: HttpRequest, pk: int) -> Project:
    return _detail(selectors.project_get(user=request.auth, pk=pk), request.auth)


@router.patch("/projects/{pk}", response=ProjectDetailOut)
def project_update(request: HttpRequest, pk: int, body: ProjectUpdate) -> Project:
    """Change settings (status date included) and reschedule; send the ``version`` you
    loaded (409 when someone saved in between)."""
    from jalon.web.planning.services import project_update as update

    project = selectors.project_get(user=request.auth, pk=pk)
    data = sent(body, PROJECT_NULLABLE)
    project = update(project=project, data=data, version=body.version, user=request.auth)
    return _detail(project, request.auth)


@router.delete("/projects/{pk}", response={204: None})
def project_delete(request: HttpRequest, pk: int) -> None:
    project = selectors.project_get(user=request.auth, pk=pk)
    services.project_delete(project=project, user=request.auth)


@router.get("/projects/{pk}/members", response=list[MemberOut])
@paginate(Page)
def member_list(request: HttpRequest, pk: int) -> QuerySet[Membership]:
    project = selectors.project_get(user=request.auth, pk=pk)
    return selectors.project_members(project=project, user=request.auth)


@router.post("/projects/{pk}/members", response=MemberOut)
def member_set(request: HttpRequest, pk: int, body: MemberIn) -> Membership:
    """Give a user a role on the project (adds them, or changes their role). Managers."""
    project = selectors.project_get(user=request.auth, pk=pk)
    if not selectors.can_manage(request.auth, project):
        raise PermissionDenied("Only the project's managers can change its members.")
    member = (
        get_user_model()
        .objects.filter(username__iexact=body.username, is_active=True)
        .order_by("pk")
        .first()
    )
    if member is None:
        raise ValidationError({"username": ["No active user has this username."]})
    return services.membership_set(
        project=project, member=member, role=body.role, user=request.auth
    )


@router.delete("/projects/{pk}/members/{user_id}", response={204: None})
def member_remove(request: HttpRequest, pk: int, user_id: int) -> None:
    project = selectors.project_get(user=request.auth, pk=pk)
    membership = (
        selectors.project_members(project=project, user=request.auth)
        .filter(user_id=user_id)
        .first()
    )
    if membership is None:
        from django.http import Http404

        raise Http404("No such member")
    services.membership_remove(project=project, member=membership.user, user=request.auth)
