"""An API client per user: a personal token in ``Authorization: Bearer``, JSON bodies."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from jalon.web.accounts.services import api_token_create

API = "/api/v1"


class ApiClient:
    """Django's test client speaking JSON to ``/api/v1`` with a token (or none)."""

    def __init__(self, secret: str | None = None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

    def _call(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        url = API + path
        kwargs: dict[str, Any] = {"headers": self.headers}
        if method in {"get", "delete"}:
            kwargs["data"] = params or None
            if method == "delete" and params:
                url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
                kwargs["data"] = None
        else:
            kwargs["data"] = json.dumps(body if body is not None else {})
            kwargs["content_type"] = "application/json"
        return getattr(self.client, method)(url, **kwargs)

    def get(self, path: str, **params: Any) -> Any:
        return self._call("get", path, **params)

    def post(self, path: str, body: Any = None) -> Any:
        return self._call("post", path, body)

    def patch(self, path: str, body: Any = None) -> Any:
        return self._call("patch", path, body)

    def put(self, path: str, body: Any = None) -> Any:
        return self._call("put", path, body)

    def delete(self, path: str, **params: Any) -> Any:
        return self._call("delete", path, **params)


@pytest.fixture
def api_for() -> Callable[[Any], ApiClient]:
    """``api_for(user)``: a client with a fresh token of ``user``; ``api_for("secret")``:
    with that token; ``api_for(None)``: anonymous."""

    def make(user: Any) -> ApiClient:
        if user is None:
            return ApiClient()
        if isinstance(user, str):
            return ApiClient(user)
        _token, secret = api_token_create(user=user, name="tests")
        return ApiClient(secret)

    return make
