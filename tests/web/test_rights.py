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


# -- the calendars, resources and progress pages -------------------------------------------

PAGES = ["planning:calendars", "planning:resources", "planning:progress"]
# forms of changes: managers (and PMO admins) 200, members and viewers 403, outsiders 404
CHANGE_FORMS = {"admin": 200, "manager": 200, "member": 403, "viewer": 403, "outsider": 404}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", PAGES)
def test_planning_pages(project_roles: dict[str, Any], role: str, name: str) -> None:
    project = project_roles["project"]
    response = client_for(project_roles[role]).get(reverse(name, args=[project.pk]))
    assert response.status_code == READ[role]
    if role == "outsider":
        assert b"Design" not in response.content
        assert b"Member person" not in response.content


def _calendar(project: Any) -> Any:
    from jalon.web.planning.models import Calendar

    return Calendar.objects.get_or_create(project=project, name="Site")[0]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["planning:calendar_create", "planning:calendar_edit"])
def test_calendar_forms(project_roles: dict[str, Any], role: str, name: str) -> None:
    project = project_roles["project"]
    args = [project.pk] if name.endswith("create") else [project.pk, _calendar(project).pk]
    response = client_for(project_roles[role]).get(reverse(name, args=args))
    assert response.status_code == CHANGE_FORMS[role]


@pytest.mark.parametrize("role", ROLES)
def test_calendar_create_post(project_roles: dict[str, Any], role: str) -> None:
    from jalon.web.planning.models import Calendar

    project = project_roles["project"]
    response = client_for(project_roles[role]).post(
        reverse("planning:calendar_create", args=[project.pk]), {"name": "Mine", "country": "FR"}
    )
    assert response.status_code == EDIT[role]
    assert Calendar.objects.filter(project=project, name="Mine").exists() == (EDIT[role] == 302)


@pytest.mark.parametrize("role", ROLES)
def test_calendar_delete_post(project_roles: dict[str, Any], role: str) -> None:
    from jalon.web.planning.models import Calendar

    project = project_roles["project"]
    calendar = _calendar(project)
    response = client_for(project_roles[role]).post(
        reverse("planning:calendar_delete", args=[project.pk, calendar.pk])
    )
    assert response.status_code == EDIT[role]
    assert Calendar.objects.filter(pk=calendar.pk).exists() == (EDIT[role] != 302)


@pytest.mark.parametrize("role", ROLES)
def test_project_calendar_post(project_roles: dict[str, Any], role: str) -> None:
    project = project_roles["project"]
    response = client_for(project_roles[role]).post(
        reverse("planning:project_calendar", args=[project.pk]),
        {"calendar_name": "24 Hours", "version": project.version},
    )
    assert response.status_code == EDIT[role]
    project.refresh_from_db()
    assert (project.calendar_name == "24 Hours") == (EDIT[role] == 302)


@pytest.mark.parametrize("role", ROLES)
def test_status_date_post(project_roles: dict[str, Any], role: str) -> None:
    project = project_roles["project"]
    response = client_for(project_roles[role]).post(
        reverse("planning:status_date", args=[project.pk]),
        {"status_date": "2027-01-13", "version": project.version},
    )
    assert response.status_code == EDIT[role]
    project.refresh_from_db()
    assert (project.status_date is not None) == (EDIT[role] == 302)


# progress: members may update their own task (Design)
PROGRESS = {"admin": 302, "manager": 302, "member": 302, "viewer": 403, "outsider": 404}


@pytest.mark.parametrize("role", ROLES)
def test_progress_post(project_roles: dict[str, Any], role: str) -> None:
    project = project_roles["project"]
    design = Task.objects.get(project=project, uid=2)
    response = client_for(project_roles[role]).post(
        reverse("planning:progress", args=[project.pk]),
        {f"pc_{design.pk}": "30", f"v_{design.pk}": design.version},
    )
    assert response.status_code == PROGRESS[role]
    design.refresh_from_db()
    assert (design.percent_complete == 30) == (PROGRESS[role] == 302)


@pytest.mark.parametrize("role", ROLES)
def test_assignment_post(project_roles: dict[str, Any], role: str) -> None:
    from jalon.web.planning.models import Assignment

    project = project_roles["project"]
    person = Resource.objects.get(name="Member person")
    build = Task.objects.get(project=project, uid=3)
    response = client_for(project_roles[role]).post(
        reverse("planning:resources", args=[project.pk]),
        {"task": build.pk, "resource": person.pk, "units": "100"},
    )
    assert response.status_code == EDIT[role]
    assert Assignment.objects.filter(task=build).exists() == (EDIT[role] == 302)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ["assignment_edit", "assignment_delete"])
def test_assignment_change_posts(project_roles: dict[str, Any], role: str, action: str) -> None:
    from jalon.web.planning.models import Assignment

    project = project_roles["project"]
    assignment = Assignment.objects.get(project=project)
    response = client_for(project_roles[role]).post(
        reverse(f"planning:{action}", args=[project.pk, assignment.pk]),
        {"units": "50", "work": ""},
    )
    assert response.status_code == EDIT[role]
    changed = (
        not Assignment.objects.filter(pk=assignment.pk).exists()
        if action == "assignment_delete"
        else Assignment.objects.get(pk=assignment.pk).units == 0.5
    )
    assert changed == (EDIT[role] == 302)


# people are the portfolio's: PMO admins and project creators change them
RESOURCE_FORMS = {"admin": 200, "manager": 200, "member": 403, "viewer": 403, "outsider": 404}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["planning:resource_create", "planning:resource_edit"])
def test_resource_forms(project_roles: dict[str, Any], role: str, name: str) -> None:
    project = project_roles["project"]
    person = Resource.objects.get(name="Member person")
    args = [project.pk] if name.endswith("create") else [project.pk, person.pk]
    response = client_for(project_roles[role]).get(reverse(name, args=args))
    assert response.status_code == RESOURCE_FORMS[role]


@pytest.mark.parametrize("role", ROLES)
def test_resource_create_post(project_roles: dict[str, Any], role: str) -> None:
    project = project_roles["project"]
    data = {
        "name": "Newcomer",
        "type": "work",
        "max_units": "100",
        "standard_rate": "0",
        "overtime_rate": "0",
        "cost_per_use": "0",
    }
    response = client_for(project_roles[role]).post(
        reverse("planning:resource_create", args=[project.pk]), data
    )
    expected = {"admin": 302, "manager": 302, "member": 403, "viewer": 403, "outsider": 404}
    assert response.status_code == expected[role]
    assert Resource.objects.filter(name="Newcomer").exists() == (expected[role] == 302)
