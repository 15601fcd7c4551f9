"""Writes: make and revoke feed tokens."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from jalon.web.feeds.models import FeedToken


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def feed_token_create(*, user: Any, label: str = "") -> tuple[FeedToken, str]:
    """A new token for ``user``; returns it with its secret, which is not stored."""
    if user is None or not user.is_authenticated or not user.is_active:
        raise PermissionDenied
    secret = secrets.token_urlsafe(32)
    token = FeedToken.objects.create(user=user, label=label[:100], digest=token_digest(secret))
    return token, secret


@transaction.atomic
def feed_token_revoke(*, token: FeedToken, user: Any) -> FeedToken:
    """Revoke a token: its URL answers 404 from now on. Only its owner may."""
    if token.user_id != getattr(user, "pk", None):
        raise PermissionDenied
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
