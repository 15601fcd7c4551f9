"""Rights on every view and every kind of object: outsiders get 404 and see nothing,
viewers read, members update only their own progress, managers and PMO admins edit."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import Http404
from django.test import Client
from django.urls import reverse

from jalon.web.planning import selectors
from jalon.web.planning.models import Resource, Task
from jalon.web.projects.selectors import portfolio, projects_visible_to

pytestmark = pytest.mark.django_db

ROLES = ("admin", "manager", "member", "viewer", "outsider")


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def project_urls(pk: int) -> dict[str, str]:
    return {
        "detail": reverse("projects:detail", args=[pk]),
        "members": reverse("projects:members", args=[pk]),
        "export-xml": reverse("planning:export", args=[pk, "xml"]),
        "export-yaml": reverse("planning:export", args=[pk, "yaml"]),
    }


# expected status of GET per role
READ = {"admin": 200, "manager": 200, "member": 200, "viewer": 200, "outsider": 404}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", ["detail", "members", "export-xml", "export-yaml"])
def test_project_pages(project_roles: dict[str, Any], role: str, page: str) -> None:
    project = project_roles["project"]
    response = client_for(project_roles[role]).get(project_urls(project.pk)[page])
    assert response.status_code == READ[role]
    if response.status_code == 200 and page == "detail":
        assert b"Design" in response.content
    if response.status_code == 404:
        assert b"Design" not in response.content
        assert project.name.encode() not in response.content


def test_unknown_project_is_404_like_a_hidden_one(project_roles: dict[str, Any]) -> None:
    response = client_for(project_roles["admin"]).get(reverse("projects:detail", args=[99999]))
    assert response.status_code == 404


# expected status of POST per role (302: done, then redirected)
EDIT = {"admin": 302, "manager": 302, "member": 403, "viewer": 403, "outsider": 404}


@pytest.mark.parametrize("role", ROLES)
def test_baseline_post(project_roles: dict[str, Any], role: str) -> None:
    project = project_roles["project"]
    response = client_for(project_roles[role]).post(
        reverse("planning:baseline", args=[project.pk]), {"number": 1}
    )
    assert response.status_code == EDIT[role]
    assert project.baselines.filter(number=1).exists() == (EDIT[role] == 302)


@pytest.mark.parametrize("role", ROLES)
def test_members_post(project_roles: dict[str, Any], role: str, make_user: Any) -> None:
    project = project_roles["project"]
    newcomer = make_user("newcomer")
    response = client_for(project_roles[role]).post(
        reverse("projects:members", args=[project.pk]), {"user": newcomer.pk, "role": "viewer"}
    )
    assert response.status_code == EDIT[role]
    assert project.memberships.filter(user=newcomer).exists() == (EDIT[role] == 302)


@pytest.mark.parametrize("role", ROLES)
def test_member_remove(project_roles: dict[str, Any], role: str) -> None:
    project = project_roles["project"]
    viewer = project_roles["viewer"]
    response = client_for(project_roles[role]).post(
        reverse("projects:member_remove", args=[project.pk, viewer.pk])
    )
    assert response.status_code == EDIT[role]
    assert project.memberships.filter(user=viewer).exists() == (EDIT[role] != 302)


def test_last_manager_cannot_leave(project_roles: dict[str, Any], admin: Any) -> None:
    project = project_roles["project"]
    manager = project_roles["manager"]
    project.memberships.filter(user=admin).delete()
    response = client_for(manager).post(
        reverse("projects:member_remove", args=[project.pk, manager.pk]), follow=True
    )
    assert b"at least one manager" in response.content
    assert project.memberships.filter(user=manager, role="manager").exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("manager", 200), ("member", 403), ("viewer", 403), ("outsider", 200)],
)
@pytest.mark.parametrize("name", ["planning:import", "projects:create"])
def test_creating_projects_needs_the_permission(
    project_roles: dict[str, Any], role: str, status: int, name: str
) -> None:
    # the outsider fixture may create projects of their own: that gives no access to others
    assert client_for(project_roles[role]).get(reverse(name)).status_code == status


@pytest.mark.parametrize(("role", "status"), [("admin", 200), ("manager", 403), ("viewer", 403)])
@pytest.mark.parametrize("name", ["accounts:users", "accounts:user_create"])
def test_user_management_is_for_pmo_admins(
    project_roles: dict[str, Any], role: str, status: int, name: str
) -> None:
    assert client_for(project_roles[role]).get(reverse(name)).status_code == status


def test_user_edit_is_for_pmo_admins(project_roles: dict[str, Any]) -> None:
    url = reverse("accounts:user_edit", args=[project_roles["viewer"].pk])
    assert client_for(project_roles["manager"]).get(url).status_code == 403
    assert client_for(project_roles["admin"]).get(url).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/projects/new/",
        "/projects/import/",
        "/accounts/users/",
        "/projects/1/",
        "/projects/1/export.xml",
    ],
)
def test_anonymous_is_sent_to_login(db: None, url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("role", ROLES)
def test_portfolio_lists_only_visible_projects(project_roles: dict[str, Any], role: str) -> None:
    project = project_roles["project"]
    user = project_roles[role]
    visible = role != "outsider"
    response = client_for(user).get("/", {"q": "Small"})
    assert response.status_code == 200
    assert (f'href="/projects/{project.pk}/"'.encode() in response.content) == visible
    assert (project in projects_visible_to(user)) == visible
    assert any(row.project == project for row in portfolio(user=user)) == visible


LISTS = [
    selectors.task_list,
    selectors.link_list,
    selectors.calendar_list,
    selectors.assignment_list,
    selectors.baseline_list,
    selectors.predecessors_text,
]


@pytest.mark.parametrize("select", LISTS, ids=lambda f: f.__name__)
def test_outsiders_get_404_from_every_list(project_roles: dict[str, Any], select: Any) -> None:
    project = project_roles["project"]
    with pytest.raises(Http404):
        select(project=project, user=project_roles["outsider"])
    select(project=project, user=project_roles["viewer"])  # a viewer may read it


def test_outsiders_get_404_for_a_task(project_roles: dict[str, Any]) -> None:
    project = project_roles["project"]
    task = Task.objects.get(project=project, uid=2)
    with pytest.raises(Http404):
        selectors.task_get(user=project_roles["outsider"], project=project, pk=task.pk)
    assert selectors.task_get(user=project_roles["viewer"], project=project, pk=task.pk) == task


def test_people_are_visible_through_visible_projects(project_roles: dict[str, Any]) -> None:
    person = Resource.objects.get(name="Member person")
    assert person in selectors.resources_visible_to(project_roles["viewer"])
    assert person not in selectors.resources_visible_to(project_roles["outsider"])
    assert person in selectors.resources_visible_to(project_roles["admin"])


def test_export_holds_the_plan_for_viewers(project_roles: dict[str, Any]) -> None:
    project = project_roles["project"]
    response = client_for(project_roles["viewer"]).get(project_urls(project.pk)["export-yaml"])
    assert response["Content-Disposition"].startswith('attachment; filename="Small-')
    assert b"Design" in response.content
