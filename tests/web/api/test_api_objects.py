"""Projects, members, links, calendars, resources, assignments and baselines through the
API: what is written is what the services write, bad input is 422 naming the field."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from jalon.web.planning.models import Assignment, Baseline, Calendar, Link, Resource, Task
from jalon.web.projects.models import Membership, Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_api(project_roles: dict[str, Any], api_for: Any) -> Any:
    return api_for(project_roles["manager"])


def tasks_of(project: Project) -> dict[int, Task]:
    return {t.uid: t for t in Task.objects.filter(project=project)}


def test_project_create_update_delete(project_roles: dict[str, Any], api_for: Any) -> None:
    api = api_for(project_roles["manager"])
    created = api.post(
        "/projects", {"name": "Warehouse", "start": "2027-03-01T08:00:00", "code": "WH"}
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["role"] == "manager"
    assert body["version"] == 1
    pk = body["id"]
    updated = api.patch(
        f"/projects/{pk}", {"status_date": "2027-03-05T17:00:00", "finish": None, "version": 1}
    )
    assert updated.status_code == 200, updated.content
    assert updated.json()["status_date"] == "2027-03-05T17:00:00"
    assert updated.json()["version"] == 2
    stale = api.patch(f"/projects/{pk}", {"name": "Other", "version": 1})
    assert stale.status_code == 409
    assert stale.json()["theirs"] == {"name": "Warehouse"}
    assert api.delete(f"/projects/{pk}").status_code == 204
    assert not Project.objects.filter(pk=pk).exists()


def test_creating_projects_needs_the_permission(
    project_roles: dict[str, Any], api_for: Any
) -> None:
    response = api_for(project_roles["viewer"]).post(
        "/projects", {"name": "Mine", "start": "2027-03-01T08:00:00"}
    )
    assert response.status_code == 403
    assert not Project.objects.filter(name="Mine").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"start": "2027-03-01T08:00:00"}, "name"),
        ({"name": "", "start": "2027-03-01T08:00:00"}, "name"),
        ({"name": "X"}, "start"),
        ({"name": "X", "start": "2027-03-01T08:00:00Z"}, "start"),
        ({"name": "X", "start": "2027-03-01T08:00:00", "status": "dreaming"}, "status"),
    ],
)
def test_bad_project_is_422(
    project_roles: dict[str, Any], manager_api: Any, body: dict[str, Any], field: str
) -> None:
    count = Project.objects.count()
    response = manager_api.post("/projects", body)
    assert response.status_code == 422, response.content
    assert [d["loc"] for d in response.json()["detail"]] == [["body", field]]
    assert Project.objects.count() == count


def test_an_unknown_project_calendar_is_422_and_rolls_back(
    project_roles: dict[str, Any], manager_api: Any
) -> None:
    project = project_roles["project"]
    response = manager_api.patch(
        f"/projects/{project.pk}", {"calendar_name": "Nowhere", "version": project.version}
    )
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["msg"]
    fresh = Project.objects.get(pk=project.pk)
    assert (fresh.calendar_name, fresh.version) == ("Standard", project.version)


def test_members(project_roles: dict[str, Any], manager_api: Any) -> None:
    project = project_roles["project"]
    pk = project.pk
    listed = manager_api.get(f"/projects/{pk}/members").json()
    assert {m["username"]: m["role"] for m in listed["items"]} == {
        "pmo": "manager",  # the importer
        "manager": "manager",
        "member": "member",
        "viewer": "viewer",
    }
    added = manager_api.post(f"/projects/{pk}/members", {"username": "outsider", "role": "viewer"})
    assert added.status_code == 200, added.content
    assert added.json()["role"] == "viewer"
    unknown = manager_api.post(f"/projects/{pk}/members", {"username": "nobody", "role": "viewer"})
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"] == ["body", "username"]
    admin_pk = project_roles["admin"].pk
    assert manager_api.delete(f"/projects/{pk}/members/{admin_pk}").status_code == 204
    last = manager_api.delete(f"/projects/{pk}/members/{project_roles['manager'].pk}")
    assert last.status_code == 422  # a project keeps a manager
    assert manager_api.delete(f"/projects/{pk}/members/999999").status_code == 404
    removed = manager_api.delete(f"/projects/{pk}/members/{project_roles['outsider'].pk}")
    assert removed.status_code == 204
    assert not Membership.objects.filter(project=project, user=project_roles["outsider"]).exists()


def test_links(project_roles: dict[str, Any], manager_api: Any) -> None:
    project = project_roles["project"]
    tasks = tasks_of(project)
    pk = project.pk
    created = manager_api.post(
        f"/projects/{pk}/links",
        {"predecessor": tasks[2].pk, "successor": tasks[4].pk, "type": "FF", "lag_value": 960},
    )
    assert created.status_code == 201, created.content
    link = created.json()
    assert (link["type"], link["lag_value"], link["lag_kind"]) == ("FF", 960, "work")
    again = manager_api.post(
        f"/projects/{pk}/links", {"predecessor": tasks[2].pk, "successor": tasks[4].pk}
    )
    assert again.status_code == 422
    assert again.json()["detail"][0]["loc"] == ["body", "predecessor"]
    bad = manager_api.patch(f"/projects/{pk}/links/{link['id']}", {"type": "XX"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "type"]
    lag = manager_api.patch(f"/projects/{pk}/links/{link['id']}", {"lag_value": 4800})
    assert lag.status_code == 200
    assert Link.objects.get(pk=link["id"]).lag_value == 4800
    listed = manager_api.get(f"/projects/{pk}/links").json()
    assert listed["count"] == 3
    assert manager_api.delete(f"/projects/{pk}/links/{link['id']}").status_code == 204
    assert manager_api.get(f"/projects/{pk}/links/{link['id']}").status_code == 404


def test_calendars(project_roles: dict[str, Any], manager_api: Any) -> None:
    project = project_roles["project"]
    pk = project.pk
    created = manager_api.post(
        f"/projects/{pk}/calendars",
        {
            "name": "Four days",
            "base_name": "Standard",
            "week": {"4": []},
            "exceptions": [
                {"start": "2027-01-06", "finish": "2027-01-06", "name": "Inventory"},
            ],
        },
    )
    assert created.status_code == 201, created.content
    calendar = created.json()
    assert calendar["week"] == {"4": []}
    assert calendar["exceptions"][0]["start"] == "2027-01-06"
    # a task on that calendar skips Fridays and the inventory day
    design = tasks_of(project)[2]
    moved = manager_api.patch(
        f"/projects/{pk}/tasks/{design.pk}", {"calendar": calendar["id"], "version": design.version}
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["finish"] == "2027-01-12T17:00:00"
    in_use = manager_api.delete(f"/projects/{pk}/calendars/{calendar['id']}")
    assert in_use.status_code == 422
    bad = manager_api.patch(
        f"/projects/{pk}/calendars/{calendar['id']}", {"week": {"0": [[720, 480]]}}
    )
    assert bad.status_code == 422, bad.content
    assert bad.json()["detail"][0]["loc"] == ["body", "week"]
    bad_day = manager_api.patch(
        f"/projects/{pk}/calendars/{calendar['id']}", {"week": {"9": [[480, 720]]}}
    )
    assert bad_day.status_code == 422
    renamed = manager_api.patch(f"/projects/{pk}/calendars/{calendar['id']}", {"name": "4 days"})
    assert renamed.status_code == 200
    assert Calendar.objects.get(pk=calendar["id"]).name == "4 days"


def test_resources_and_assignments(project_roles: dict[str, Any], manager_api: Any) -> None:
    project = project_roles["project"]
    pk = project.pk
    tasks = tasks_of(project)
    created = manager_api.post(
        "/resources",
        {"name": "Crane", "type": "material", "standard_rate": 90, "skills": ["lifting"]},
    )
    assert created.status_code == 201, created.content
    crane = created.json()
    assert crane["type"] == "material"
    bad = manager_api.post("/resources", {"name": "Ann", "email": "not an address"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "email"]
    unknown_user = manager_api.post("/resources", {"name": "Ann", "user": 999999})
    assert unknown_user.status_code == 422
    assert not Resource.objects.filter(name="Ann").exists()

    assigned = manager_api.post(
        f"/projects/{pk}/assignments",
        {"task": tasks[3].pk, "resource": crane["id"], "units": 0.5},
    )
    assert assigned.status_code == 201, assigned.content
    assignment = assigned.json()
    # now that the crane works on a visible project, the manager sees it
    assert manager_api.get(f"/resources/{crane['id']}").status_code == 200
    updated = manager_api.patch(
        f"/resources/{crane['id']}", {"max_units": 2, "version": crane["version"]}
    )
    assert updated.status_code == 200, updated.content
    assert updated.json()["version"] == crane["version"] + 1
    stale = manager_api.patch(f"/resources/{crane['id']}", {"max_units": 3, "version": 1})
    assert stale.status_code == 409
    twice = manager_api.post(
        f"/projects/{pk}/assignments", {"task": tasks[3].pk, "resource": crane["id"]}
    )
    assert twice.status_code == 422
    changed = manager_api.patch(
        f"/projects/{pk}/assignments/{assignment['id']}", {"units": 1.5, "work": None}
    )
    assert changed.status_code == 200, changed.content
    assert Assignment.objects.get(pk=assignment["id"]).units == 1.5
    listed = manager_api.get(f"/projects/{pk}/assignments").json()
    assert listed["count"] == 2
    assert manager_api.delete(f"/projects/{pk}/assignments/{assignment['id']}").status_code == 204


def test_viewers_do_not_create_resources(project_roles: dict[str, Any], api_for: Any) -> None:
    response = api_for(project_roles["viewer"]).post("/resources", {"name": "Ghost"})
    assert response.status_code == 403
    assert not Resource.objects.filter(name="Ghost").exists()


def test_baselines(project_roles: dict[str, Any], manager_api: Any) -> None:
    project = project_roles["project"]
    pk = project.pk
    saved = manager_api.post(f"/projects/{pk}/baselines", {"number": 2})
    assert saved.status_code == 201, saved.content
    assert saved.json()["number"] == 2
    assert Baseline.objects.get(project=project, number=2).tasks.count() == 4
    out_of_range = manager_api.post(f"/projects/{pk}/baselines", {"number": 11})
    assert out_of_range.status_code == 422
    listed = manager_api.get(f"/projects/{pk}/baselines").json()
    assert [b["number"] for b in listed["items"]] == [2]
    # baseline 0 gives the project its baseline finish
    manager_api.post(f"/projects/{pk}/baselines", {})
    assert manager_api.get(f"/projects/{pk}").json()["baseline_finish"] == (
        dt.datetime(2027, 1, 22, 17).isoformat()
    )
