"""Template context: what the navigation needs to know about the user."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from jalon.web.accounts.selectors import is_pmo_admin


def rights(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {"is_pmo_admin": user is not None and is_pmo_admin(user)}
