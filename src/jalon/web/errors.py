"""Errors raised by services, for views and the API to turn into responses.

* ``django.http.Http404``: the object is not visible to the user (outsiders learn nothing);
* ``django.core.exceptions.PermissionDenied``: visible, but the user's role forbids it;
* ``django.core.exceptions.ValidationError``: bad input, with a message per field;
* ``ConflictError``: someone else saved the object since the user loaded it.
"""

from __future__ import annotations

from typing import Any


class ConflictError(Exception):
    """The object changed since the client loaded it: nothing was written.

    ``yours``: the values the client sent; ``theirs``: the current stored values of the
    same fields; ``version``/``current_version``: the version the client loaded and the
    stored one.
    """

    def __init__(
        self,
        *,
        what: str,
        version: int,
        current_version: int,
        yours: dict[str, Any],
        theirs: dict[str, Any],
    ) -> None:
        self.what = what
        self.version = version
        self.current_version = current_version
        self.yours = yours
        self.theirs = theirs
        super().__init__(
            f"{what} was changed by someone else since you loaded it "
            f"(your version {version}, now {current_version}); nothing was saved"
        )
