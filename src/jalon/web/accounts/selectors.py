"""Reads about users. PMO admins are ``is_staff`` users (or superusers)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

User = get_user_model()


def is_pmo_admin(user: AbstractBaseUser | AnonymousUser) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (getattr(user, "is_staff", False) or getattr(user, "is_superuser", False))
    )


def can_create_projects(user: AbstractBaseUser | AnonymousUser) -> bool:
    """PMO admins, and users given the ``projects.add_project`` permission (managers)."""
    return is_pmo_admin(user) or bool(
        user.is_authenticated and user.has_perm("projects.add_project")
    )


def user_list(*, user: Any) -> QuerySet[Any]:
    """Every account, for PMO admins only (others get none)."""
    if not is_pmo_admin(user):
        return User.objects.none()
    return User.objects.order_by("username")
