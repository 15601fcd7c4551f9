"""Who made a change: the user a service acts for, recorded by django-simple-history.

Services run inside ``acting_as(user)``; every history row written meanwhile (cascaded
deletes included) names that user. Outside a service, the request's user is used.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_acting: ContextVar[Any] = ContextVar("jalon_history_user", default=None)


@contextmanager
def acting_as(user: Any) -> Iterator[None]:
    token = _acting.set(user if user is not None and user.is_authenticated else None)
    try:
        yield
    finally:
        _acting.reset(token)


def current_user(instance: Any = None, request: Any = None, **_: Any) -> Any:
    """simple-history's ``get_user`` hook."""
    explicit = getattr(instance, "_history_user", None)
    if explicit is not None:
        return explicit
    user = _acting.get()
    if user is not None:
        return user
    if request is not None and getattr(request, "user", None) is not None:
        return request.user if request.user.is_authenticated else None
    return None
