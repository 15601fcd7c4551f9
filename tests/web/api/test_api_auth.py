"""Authentication: personal tokens (only a digest stored, revocable), the browser session
with CSRF on unsafe methods, the token page; the OpenAPI document and the docs page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from jalon.web.accounts.models import ApiToken
from jalon.web.accounts.services import api_token_create, api_token_digest, api_token_revoke

API = "/api/v1"

pytestmark = pytest.mark.django_db


def test_anonymous_is_401(project_roles: dict[str, Any], api_for: Any) -> None:
    response = api_for(None).get("/projects")
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


@pytest.mark.parametrize(
    "header", ["Bearer nope", "Bearer ", "Basic dXNlcjpwdw==", "Bearer " + "x" * 300]
)
def test_bad_credentials_are_401(project_roles: dict[str, Any], header: str) -> None:
    response = Client().get(f"{API}/projects", headers={"Authorization": header})
    assert response.status_code == 401


def test_a_token_acts_as_its_user_and_is_stored_as_a_digest(
    project_roles: dict[str, Any],
    api_for: Any,
) -> None:
    viewer = project_roles["viewer"]
    token, secret = api_token_create(user=viewer, name="script")
    assert secret.startswith("jalon_")
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.digest == api_token_digest(secret)
    assert secret not in stored.digest
    assert stored.last_used_at is None
    response = api_for(secret).get(f"/projects/{project_roles['project'].pk}")
    assert response.status_code == 200
    assert response.json()["role"] == "viewer"
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None


def test_a_revoked_token_is_401(project_roles: dict[str, Any], api_for: Any) -> None:
    manager = project_roles["manager"]
    token, secret = api_token_create(user=manager)
    client = api_for(secret)
    assert client.get("/projects").status_code == 200
    api_token_revoke(token=token, user=manager)
    assert client.get("/projects").status_code == 401
    assert client.post("/projects", {"name": "X", "start": "2027-01-04T08:00:00"}).status_code == (
        401
    )


def test_a_deactivated_users_token_is_401(project_roles: dict[str, Any], api_for: Any) -> None:
    member = project_roles["member"]
    _token, secret = api_token_create(user=member)
    member.is_active = False
    member.save()
    assert api_for(secret).get("/projects").status_code == 401


def test_only_the_owner_revokes_a_token(project_roles: dict[str, Any]) -> None:
    from django.core.exceptions import PermissionDenied

    token, _secret = api_token_create(user=project_roles["manager"])
    with pytest.raises(PermissionDenied):
        api_token_revoke(token=token, user=project_roles["admin"])
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_session_auth_reads_and_needs_csrf_to_write(project_roles: dict[str, Any]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(project_roles["manager"])
    pk = project_roles["project"].pk
    assert client.get(f"{API}/projects/{pk}").status_code == 200
    url = f"{API}/projects/{pk}/schedule"
    refused = client.post(url, content_type="application/json")
    assert refused.status_code == 403
    # the CSRF token of a page, sent back in the header as htmx does
    client.get("/accounts/tokens/")
    csrf = client.cookies["csrftoken"].value
    accepted = client.post(url, content_type="application/json", headers={"X-CSRFToken": csrf})
    assert accepted.status_code == 200, accepted.content


def test_token_page_makes_and_revokes_tokens(project_roles: dict[str, Any], api_for: Any) -> None:
    client = Client()
    user = project_roles["member"]
    client.force_login(user)
    page = client.post("/accounts/tokens/", {"name": "laptop"})
    assert page.status_code == 200
    token = ApiToken.objects.get(user=user)
    assert token.name == "laptop"
    secret = page.context["secret"]
    assert secret.encode() in page.content
    assert api_token_digest(secret) == token.digest
    # shown once: the page does not show it again
    assert secret.encode() not in client.get("/accounts/tokens/").content
    # another user cannot revoke it
    other = Client()
    other.force_login(project_roles["viewer"])
    assert other.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    assert api_for(secret).get("/projects").status_code == 401


def test_openapi_document_lists_the_paths(db: None) -> None:
    response = Client().get(f"{API}/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == "Jalon API"
    paths = document["paths"]
    for path in [
        "/api/v1/projects",
        "/api/v1/projects/{pk}/tasks",
        "/api/v1/projects/{pk}/tasks/{task_id}",
        "/api/v1/projects/{pk}/links",
        "/api/v1/projects/{pk}/calendars",
        "/api/v1/resources",
        "/api/v1/projects/{pk}/assignments",
        "/api/v1/projects/{pk}/baselines",
        "/api/v1/projects/{pk}/schedule",
        "/api/v1/projects/{pk}/export",
    ]:
        assert path in paths, path
    schemes = document["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} >= {"http", "apiKey"}


def test_docs_page_serves_swagger_without_a_cdn(db: None, admin: Any) -> None:
    client = Client()
    client.force_login(admin)
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()
    assert b"cdn." not in response.content
