"""Writes to projects and memberships (one transaction each, rights checked here)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jalon.web.accounts.selectors import can_create_projects
from jalon.web.history import acting_as
from jalon.web.projects.models import Membership, Project
from jalon.web.projects.selectors import MANAGER, can_manage, role_of

User = get_user_model()


def _require_manage(user: Any, project: Project) -> None:
    from django.http import Http404

    if role_of(user, project) is None:
        raise Http404("No such project")
    if not can_manage(user, project):
        raise PermissionDenied(_("Only the project's managers can change its members."))


def project_create(
    *,
    name: str,
    start: dt.datetime,
    user: Any,
    status: str = Project.Status.ACTIVE,
    method: str = Project.Method.WATERFALL,
    description: str = "",
    code: str = "",
) -> Project:
    """An empty project; its creator becomes its manager."""
    if not can_create_projects(user):
        raise PermissionDenied(_("You may not create projects."))
    with transaction.atomic(), acting_as(user):
        project = Project(
            name=name, start=start, status=status, method=method, description=description, code=code
        )
        project.full_clean()
        project.save()
        Membership.objects.create(project=project, user=user, role=MANAGER)
        from jalon.web.planning.services import schedule_recompute

        schedule_recompute(project=project)
    return project


def project_delete(*, project: Project, user: Any) -> None:
    _require_manage(user, project)
    with transaction.atomic(), acting_as(user):
        project.delete()


def membership_set(*, project: Project, member: Any, role: str, user: Any) -> Membership:
    """Give ``member`` a role on the project (adding or changing it)."""
    _require_manage(user, project)
    if role not in Membership.Role.values:
        raise ValidationError({"role": [_("Unknown role '%(role)s'.") % {"role": role}]})
    with transaction.atomic(), acting_as(user):
        membership = (
            Membership.objects.select_for_update().filter(project=project, user=member).first()
        )
        if membership is None:
            membership = Membership(project=project, user=member, role=role)
        elif membership.role == role:
            return membership
        _keep_a_manager(project, member, role)
        membership.role = role
        membership.save()
    return membership


def membership_remove(*, project: Project, member: Any, user: Any) -> None:
    _require_manage(user, project)
    with transaction.atomic(), acting_as(user):
        _keep_a_manager(project, member, None)
        Membership.objects.filter(project=project, user=member).delete()


def _keep_a_manager(project: Project, member: Any, new_role: str | None) -> None:
    """A project keeps at least one manager: the last one cannot leave or step down."""
    if new_role == MANAGER:
        return
    managers = Membership.objects.filter(project=project, role=MANAGER)
    if managers.filter(user=member).exists() and managers.count() == 1:
        raise ValidationError({"role": [_("A project needs at least one manager.")]})
