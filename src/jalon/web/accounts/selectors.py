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


def api_tokens_of(user: Any) -> QuerySet[Any]:
    """The user's own API tokens, newest first (revoked ones included)."""
    from jalon.web.accounts.models import ApiToken

    return ApiToken.objects.filter(user=user)


def api_token_user(secret: str) -> Any | None:
    """The active user owning an active token with this secret, or None. Marks the token
    used (at most once a minute, so that reads stay reads)."""
    import datetime as dt

    from django.utils import timezone

    from jalon.web.accounts.models import ApiToken
    from jalon.web.accounts.services import api_token_digest

    if not secret or len(secret) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=api_token_digest(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
