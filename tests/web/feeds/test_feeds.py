"""Calendar feeds: the per-user feed behind a secret URL (rights at every request,
revocation), the token page, and one project's .ics file."""

from __future__ import annotations

from typing import Any

import icalendar
import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from jalon.web.feeds.models import FeedToken
from jalon.web.feeds.services import feed_token_create, feed_token_revoke
from jalon.web.projects.models import Membership

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def summaries(body: bytes) -> list[str]:
    return [str(e["summary"]) for e in icalendar.Calendar.from_ical(body).walk("VEVENT")]


def test_feed_shows_what_its_owner_may_see(project_roles: dict[str, Any]) -> None:
    project = project_roles["project"]
    _, secret = feed_token_create(user=project_roles["viewer"])
    anonymous = Client()  # calendar applications do not log in
    response = anonymous.get(reverse("feeds:feed", args=[secret]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert summaries(response.content) == [f"{project.name}: Done"]  # the plan's milestone
    # rights are checked at each request: out of the project, out of the feed
    Membership.objects.filter(project=project, user=project_roles["viewer"]).delete()
    assert summaries(anonymous.get(reverse("feeds:feed", args=[secret])).content) == []
    _, outsider = feed_token_create(user=project_roles["outsider"])
    assert summaries(anonymous.get(reverse("feeds:feed", args=[outsider])).content) == []


def test_revoked_unknown_and_inactive_give_404(project_roles: dict[str, Any]) -> None:
    viewer = project_roles["viewer"]
    token, secret = feed_token_create(user=viewer)
    url = reverse("feeds:feed", args=[secret])
    assert Client().get(url).status_code == 200
    assert token.digest != secret and secret not in token.digest  # only a digest is kept
    with pytest.raises(PermissionDenied):
        feed_token_revoke(token=token, user=project_roles["manager"])  # not the owner
    feed_token_revoke(token=token, user=viewer)
    assert Client().get(url).status_code == 404
    assert Client().get(reverse("feeds:feed", args=["not-a-token"])).status_code == 404
    _, again = feed_token_create(user=viewer)
    viewer.is_active = False
    viewer.save()
    assert Client().get(reverse("feeds:feed", args=[again])).status_code == 404


def test_token_page_makes_shows_once_and_revokes(project_roles: dict[str, Any]) -> None:
    viewer = project_roles["viewer"]
    client = client_for(viewer)
    assert client.get(reverse("feeds:tokens")).status_code == 200
    response = client.post(reverse("feeds:tokens"), {"label": "Phone"})
    assert response.status_code == 200
    url = response.context["new_url"]
    assert url.endswith(".ics")
    token = FeedToken.objects.get(user=viewer)
    assert token.label == "Phone"
    path = url.split("://", 1)[1].split("/", 1)[1]
    assert Client().get("/" + path).status_code == 200
    # someone else cannot revoke it
    other = client_for(project_roles["manager"])
    assert other.post(reverse("feeds:revoke", args=[token.pk])).status_code == 404
    assert client.post(reverse("feeds:revoke", args=[token.pk])).status_code == 302
    assert Client().get("/" + path).status_code == 404
    assert Client().get(reverse("feeds:tokens")).status_code == 302  # login first


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("manager", 200), ("member", 200), ("viewer", 200), ("outsider", 404)],
)
def test_project_calendar_rights(project_roles: dict[str, Any], role: str, status: int) -> None:
    project = project_roles["project"]
    response = client_for(project_roles[role]).get(reverse("feeds:project", args=[project.pk]))
    assert response.status_code == status
    if status == 200:
        assert summaries(response.content) == ["Done"]
        uid = str(icalendar.Calendar.from_ical(response.content).walk("VEVENT")[0]["uid"])
        assert uid == f"p{project.pk}-4@jalon"
