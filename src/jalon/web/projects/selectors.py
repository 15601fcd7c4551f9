"""Reads about projects. Every read starts from ``projects_visible_to(user)``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404

from jalon.web.accounts.selectors import is_pmo_admin
from jalon.web.projects.models import Membership, Project

ADMIN = "admin"  # a PMO admin: a manager's rights on every project
MANAGER = Membership.Role.MANAGER.value
MEMBER = Membership.Role.MEMBER.value
VIEWER = Membership.Role.VIEWER.value


def projects_visible_to(user: Any) -> QuerySet[Project]:
    """Every project the user may see: all for PMO admins, else those they belong to."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return Project.objects.none()
    if not user.is_active:
        return Project.objects.none()
    if is_pmo_admin(user):
        return Project.objects.all()
    return Project.objects.filter(
        Exists(Membership.objects.filter(project=OuterRef("pk"), user=user))
    )


def project_get(*, user: Any, pk: int) -> Project:
    """The project, if the user may see it; ``Http404`` otherwise (outsiders learn nothing)."""
    try:
        return projects_visible_to(user).get(pk=pk)
    except (Project.DoesNotExist, ValueError, TypeError):
        raise Http404("No such project") from None


def role_of(user: Any, project: Project) -> str | None:
    """``admin``, ``manager``, ``member``, ``viewer``, or None for an outsider."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if is_pmo_admin(user):
        return ADMIN
    return (
        Membership.objects.filter(project=project, user=user).values_list("role", flat=True).first()
    )


def can_view(user: Any, project: Project) -> bool:
    return role_of(user, project) is not None


def can_edit(user: Any, project: Project) -> bool:
    """Edit the plan: tasks, links, calendars, assignments, baselines, settings."""
    return role_of(user, project) in {ADMIN, MANAGER}


def can_manage(user: Any, project: Project) -> bool:
    """Members and roles, and deleting the project."""
    return role_of(user, project) in {ADMIN, MANAGER}


@dataclass(frozen=True)
class PortfolioRow:
    project: Project
    role: str | None
    managers: list[str]
    next_milestone: Any  # a Task or None
    finish_variance_days: float | None  # scheduled finish - baseline finish, in days


SORTS = {
    "name": ("name",),
    "-name": ("-name",),
    "finish": ("scheduled_finish",),
    "-finish": ("-scheduled_finish",),
    "status": ("status", "name"),
    "progress": ("percent_complete",),
    "-progress": ("-percent_complete",),
}


def portfolio(
    *, user: Any, status: str = "", query: str = "", sort: str = "name"
) -> list[PortfolioRow]:
    """The portfolio page's rows: a handful of queries whatever the number of projects."""
    from jalon.web.planning.models import Task

    projects = projects_visible_to(user)
    if status:
        projects = projects.filter(status=status)
    if query:
        projects = projects.filter(name__icontains=query)
    projects = projects.order_by(*SORTS.get(sort, SORTS["name"]), "pk").prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.select_related("user").order_by("user__username"),
        )
    )
    rows = list(projects)
    # next milestone per project: the first unfinished milestone by date, one query
    milestones: dict[int, Any] = {}
    for task in (
        Task.objects.filter(project__in=rows, is_milestone=True, is_summary=False, active=True)
        .exclude(percent_complete__gte=100)
        .order_by("project_id", "finish", "position")
        .only("id", "project_id", "name", "finish", "uid")
    ):
        milestones.setdefault(task.project_id, task)
    out = []
    for p in rows:
        members = list(p.memberships.all())
        mine = next((m.role for m in members if m.user_id == user.pk), None)
        variance = None
        if p.scheduled_finish and p.baseline_finish:
            variance = round((p.scheduled_finish - p.baseline_finish).total_seconds() / 86400, 1)
        out.append(
            PortfolioRow(
                project=p,
                role=ADMIN if is_pmo_admin(user) and mine is None else mine,
                managers=[
                    m.user.get_full_name() or m.user.username for m in members if m.role == MANAGER
                ],
                next_milestone=milestones.get(p.pk),
                finish_variance_days=variance,
            )
        )
    return out


def project_members(*, project: Project, user: Any) -> QuerySet[Membership]:
    if not can_view(user, project):
        raise Http404("No such project")
    return (
        Membership.objects.filter(project=project)
        .select_related("user")
        .order_by("role", "user__username")
    )
