"""Writes to accounts: PMO admins create and change users."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jalon.web.accounts.selectors import is_pmo_admin

User = get_user_model()

USER_FIELDS = frozenset({"first_name", "last_name", "email", "is_staff", "is_active"})


def _require_admin(user: Any) -> None:
    if not is_pmo_admin(user):
        raise PermissionDenied(_("Only PMO admins manage users."))


def _set_creator(account: Any, can_create_projects: bool) -> None:
    permission = Permission.objects.get(codename="add_project", content_type__app_label="projects")
    if can_create_projects:
        account.user_permissions.add(permission)
    else:
        account.user_permissions.remove(permission)


def user_create(
    *,
    username: str,
    password: str,
    user: Any,
    data: dict[str, Any] | None = None,
    can_create_projects: bool = False,
) -> Any:
    """A new account. ``can_create_projects``: may create and import projects (managers)."""
    _require_admin(user)
    data = dict(data or {})
    unknown = set(data) - USER_FIELDS
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in unknown})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": [_("This username is taken.")]})
    account = User(username=username, **data)
    validate_password(password, account)
    with transaction.atomic():
        account.set_password(password)
        account.full_clean(exclude=["password"])
        account.save()
        _set_creator(account, can_create_projects)
    return account


def user_update(
    *, account: Any, data: dict[str, Any], user: Any, can_create_projects: bool | None = None
) -> Any:
    _require_admin(user)
    unknown = set(data) - USER_FIELDS
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in unknown})
    if account.pk == user.pk and (data.get("is_staff") is False or data.get("is_active") is False):
        raise ValidationError({"is_staff": [_("You cannot remove your own admin rights.")]})
    with transaction.atomic():
        for name, value in data.items():
            setattr(account, name, value)
        account.full_clean(exclude=["password"])
        account.save()
        if can_create_projects is not None:
            _set_creator(account, can_create_projects)
    return account


# -- personal API tokens --------------------------------------------------------------------

API_TOKEN_PREFIX = "jalon_"


def api_token_digest(secret: str) -> str:
    import hashlib

    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_create(*, user: Any, name: str = "") -> tuple[Any, str]:
    """A new API token for ``user``: returns it with its secret, shown once (only the
    SHA-256 digest is stored)."""
    import secrets

    from jalon.web.accounts.models import ApiToken

    if user is None or not user.is_authenticated or not user.is_active:
        raise PermissionDenied
    if len(name) > 100:
        raise ValidationError({"name": [_("At most 100 characters.")]})
    secret = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name, digest=api_token_digest(secret))
    return token, secret


def api_token_revoke(*, token: Any, user: Any) -> Any:
    """Revoke a token: requests carrying it get 401 from now on. Only its owner may."""
    from django.utils import timezone

    if token.user_id != getattr(user, "pk", None):
        raise PermissionDenied
    with transaction.atomic():
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
    return token
