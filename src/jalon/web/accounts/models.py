"""Accounts use django.contrib.auth's User; PMO admins are users with ``is_staff``.

``ApiToken``: a personal token for the REST API (``Authorization: Bearer <secret>``). Only
the SHA-256 digest of the secret is stored: a leaked database does not leak working
tokens; the secret is shown once, when the token is made.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user} · {self.name or self.pk}"

    @property
    def active(self) -> bool:
        return self.revoked_at is None
