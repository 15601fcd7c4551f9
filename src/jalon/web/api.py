"""The REST API at ``/api/v1`` (django-ninja): one router per app, errors mapped here.

Authentication: a personal token (``Authorization: Bearer <secret>``, see
``accounts.ApiToken``) or the browser's session (with its CSRF token on unsafe methods).
The authenticated user is ``request.auth``; every route reads through selectors and writes
through services, which check the user's rights.

Errors (see docs/api.md):

* 401 not authenticated (no, unknown or revoked token);
* 404 the object does not exist *or* lies in a project the user cannot see;
* 403 the project is visible but the user's role forbids the change;
* 409 ``ConflictError``: the object changed since the client loaded it (both versions);
* 422 bad input, from ninja's validation or a service's ``ValidationError``:
  ``{"detail": [{"loc": ["body", "duration"], "msg": "...", "type": "..."}]}``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, django_auth

from jalon.web.errors import ConflictError


class ApiTokenAuth(HttpBearer):
    """``Authorization: Bearer <secret>``: a personal API token."""

    def authenticate(self, _request: HttpRequest, token: str) -> Any | None:
        from jalon.web.accounts.selectors import api_token_user

        return api_token_user(token)


api = NinjaAPI(
    title="Jalon API",
    version="1",
    description=(
        "Projects, plans and schedules of a Jalon portfolio. Authenticate with a personal "
        "token (`Authorization: Bearer <token>`, made on the account's API tokens page) or "
        "the browser session. See docs/api.md."
    ),
    urls_namespace="api-v1",
    auth=[ApiTokenAuth(), django_auth],
)


def plain(value: Any) -> Any:
    """A JSON-friendly value: model instances become their primary key."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def validation_details(exc: ValidationError, where: str = "body") -> list[dict[str, Any]]:
    """A Django ``ValidationError`` as ninja's 422 list of ``{loc, msg, type}``."""
    details = []
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            loc = [where] if name == NON_FIELD_ERRORS else [where, name]
            details.extend({"loc": loc, "msg": msg, "type": "value_error"} for msg in errors)
    else:
        details.extend({"loc": [where], "msg": msg, "type": "value_error"} for msg in exc.messages)
    return details


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": validation_details(exc)}, status=422)


@api.exception_handler(NinjaValidationError)
def _input_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    """ninja's own 422, in the same shape as the services' errors: the body parameter's
    name is left out of ``loc`` (``["body", "duration"]``), messages kept plain."""
    details = []
    for error in exc.errors:
        loc = list(error.get("loc", ()))
        if len(loc) > 2 and loc[:2] == ["body", "body"]:
            del loc[1]
        details.append({"loc": loc, "msg": error.get("msg", ""), "type": error.get("type", "")})
    return api.create_response(request, {"detail": details}, status=422)


@api.exception_handler(PermissionDenied)
def _permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    message = str(exc) or "You may not do this on this project."
    return api.create_response(request, {"detail": message}, status=403)


@api.exception_handler(ConflictError)
def _conflict(request: HttpRequest, exc: ConflictError) -> HttpResponse:
    return api.create_response(
        request,
        {
            "detail": str(exc),
            "version": exc.version,
            "current_version": exc.current_version,
            "yours": plain(exc.yours),
            "theirs": plain(exc.theirs),
        },
        status=409,
    )


def _add_routers() -> None:
    from jalon.web.planning.api import router as planning_router
    from jalon.web.projects.api import router as projects_router

    api.add_router("/", projects_router)
    api.add_router("/", planning_router)


_add_routers()
