"""Tasks, the schedule and exports through the API: edits reschedule, stale versions are
409 with both versions, bad input is 422 naming the field, lists are paginated."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from jalon.web.planning.models import Link, Task
from jalon.web.planning.schemas import ScheduleOut

pytestmark = pytest.mark.django_db


def task_by_uid(project: Any, uid: int) -> Task:
    return Task.objects.get(project=project, uid=uid)


@pytest.fixture
def manager_api(project_roles: dict[str, Any], api_for: Any) -> Any:
    return api_for(project_roles["manager"])


def test_task_list_in_outline_order_with_computed_dates(
    project_roles: dict[str, Any], manager_api: Any
) -> None:
    project = project_roles["project"]
    response = manager_api.get(f"/projects/{project.pk}/tasks")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    assert [t["name"] for t in body["items"]] == ["Phase", "Design", "Build", "Done"]
    design = body["items"][1]
    assert design["parent"] == body["items"][0]["id"]
    assert design["duration"] == 5 * 480
    assert design["start"] == "2027-01-04T08:00:00"
    assert design["finish"] == "2027-01-08T17:00:00"
    assert body["items"][0]["is_summary"] is True
    assert design["critical"] is True


def test_task_list_is_paginated_and_searchable(
    project_roles: dict[str, Any], manager_api: Any
) -> None:
    pk = project_roles["project"].pk
    page = manager_api.get(f"/projects/{pk}/tasks", limit=2, offset=1).json()
    assert page["count"] == 4
    assert [t["name"] for t in page["items"]] == ["Design", "Build"]
    assert manager_api.get(f"/projects/{pk}/tasks", limit=2, offset=4).json()["items"] == []
    found = manager_api.get(f"/projects/{pk}/tasks", q="buil").json()
    assert [t["name"] for t in found["items"]] == ["Build"]
    too_many = manager_api.get(f"/projects/{pk}/tasks", limit=0)
    assert too_many.status_code == 422
    assert too_many.json()["detail"][0]["loc"] == ["query", "limit"]


def test_task_update_reschedules_and_bumps_the_version(
    project_roles: dict[str, Any], manager_api: Any
) -> None:
    project = project_roles["project"]
    design = task_by_uid(project, 2)
    response = manager_api.patch(
        f"/projects/{project.pk}/tasks/{design.pk}",
        {"duration": 10 * 480, "name": "Design v2", "version": design.version},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == "Design v2"
    assert body["version"] == design.version + 1
    assert body["finish"] == "2027-01-15T17:00:00"
    # the successor moved in the same request
    assert task_by_uid(project, 3).start == dt.datetime(2027, 1, 18, 8)


def test_stale_version_is_409_with_both_versions(
    project_roles: dict[str, Any], manager_api: Any, api_for: Any
) -> None:
    project = project_roles["project"]
    design = task_by_uid(project, 2)
    url = f"/projects/{project.pk}/tasks/{design.pk}"
    first = api_for(project_roles["admin"]).patch(url, {"name": "Mine", "version": design.version})
    assert first.status_code == 200
    response = manager_api.patch(url, {"name": "Theirs", "version": design.version})
    assert response.status_code == 409
    body = response.json()
    assert body["version"] == design.version
    assert body["current_version"] == design.version + 1
    assert body["yours"] == {"name": "Theirs"}
    assert body["theirs"] == {"name": "Mine"}
    assert "changed by someone else" in body["detail"]
    assert task_by_uid(project, 2).name == "Mine"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"duration": -1}, "duration"),
        ({"duration": 2**40}, "duration"),
        ({"duration": "long"}, "duration"),
        ({"duration_unit": "fortnight"}, "duration_unit"),
        ({"constraint_type": 9}, "constraint_type"),
        ({"deadline": "2027-01-04T08:00:00+02:00"}, "deadline"),
        ({"deadline": "not a date"}, "deadline"),
        ({"percent_complete": 101}, "percent_complete"),
        ({"name": "x" * 501}, "name"),
        ({"name": "nul\x00byte"}, "name"),
        ({"name": None}, "name"),
        ({"colour": "red"}, "colour"),
        ({"calendar": 999999}, "calendar"),
    ],
)
def test_bad_task_input_is_422_naming_the_field(
    project_roles: dict[str, Any], manager_api: Any, body: dict[str, Any], field: str
) -> None:
    project = project_roles["project"]
    design = task_by_uid(project, 2)
    response = manager_api.patch(
        f"/projects/{project.pk}/tasks/{design.pk}", {**body, "version": design.version}
    )
    assert response.status_code == 422, response.content
    detail = response.json()["detail"]
    assert any(item["loc"][:2] == ["body", field] for item in detail), detail
    assert all(item["msg"] for item in detail)
    fresh = task_by_uid(project, 2)
    assert (fresh.version, fresh.name, fresh.duration) == (design.version, "Design", 5 * 480)


def test_missing_version_is_422(project_roles: dict[str, Any], manager_api: Any) -> None:
    project = project_roles["project"]
    design = task_by_uid(project, 2)
    response = manager_api.patch(f"/projects/{project.pk}/tasks/{design.pk}", {"name": "x"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "version"]
    assert task_by_uid(project, 2).name == "Design"


def test_a_cycle_is_422_and_writes_nothing(project_roles: dict[str, Any], manager_api: Any) -> None:
    project = project_roles["project"]
    build, design = task_by_uid(project, 3), task_by_uid(project, 2)
    links = Link.objects.count()
    response = manager_api.post(
        f"/projects/{project.pk}/links", {"predecessor": build.pk, "successor": design.pk}
    )
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["msg"]
    assert Link.objects.count() == links


def test_task_create_move_indent_outdent_delete(
    project_roles: dict[str, Any], manager_api: Any
) -> None:
    project = project_roles["project"]
    pk = project.pk
    phase, design = task_by_uid(project, 1), task_by_uid(project, 2)
    created = manager_api.post(
        f"/projects/{pk}/tasks", {"name": "Review", "duration": 480, "after": design.pk}
    )
    assert created.status_code == 201, created.content
    review = created.json()
    assert review["parent"] == phase.pk
    assert review["outline_number"] == "1.2"
    names = [t["name"] for t in manager_api.get(f"/projects/{pk}/tasks").json()["items"]]
    assert names == ["Phase", "Design", "Review", "Build", "Done"]

    indented = manager_api.post(
        f"/projects/{pk}/tasks/{review['id']}/indent", {"version": review["version"]}
    )
    assert indented.status_code == 200, indented.content
    assert indented.json()["parent"] == design.pk
    outdented = manager_api.post(
        f"/projects/{pk}/tasks/{review['id']}/outdent", {"version": indented.json()["version"]}
    )
    assert outdented.status_code == 200, outdented.content
    assert outdented.json()["parent"] == phase.pk

    moved = manager_api.post(
        f"/projects/{pk}/tasks/{review['id']}/move",
        {"version": outdented.json()["version"], "parent": None, "index": 0},
    )
    assert moved.status_code == 200, moved.content
    names = [t["name"] for t in manager_api.get(f"/projects/{pk}/tasks").json()["items"]]
    assert names == ["Review", "Phase", "Design", "Build", "Done"]

    stale = manager_api.delete(f"/projects/{pk}/tasks/{review['id']}", version=1)
    assert stale.status_code == 409
    deleted = manager_api.delete(
        f"/projects/{pk}/tasks/{review['id']}", version=moved.json()["version"]
    )
    assert deleted.status_code == 204
    assert not Task.objects.filter(pk=review["id"]).exists()
    assert manager_api.get(f"/projects/{pk}/tasks/{review['id']}").status_code == 404


def test_unknown_parent_is_422(project_roles: dict[str, Any], manager_api: Any) -> None:
    pk = project_roles["project"].pk
    response = manager_api.post(f"/projects/{pk}/tasks", {"name": "X", "parent": 999999})
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["body", "parent"], "msg": "No such task in this project.", "type": "value_error"}
    ]


def test_predecessors_text(project_roles: dict[str, Any], manager_api: Any) -> None:
    project = project_roles["project"]
    done, design = task_by_uid(project, 4), task_by_uid(project, 2)
    url = f"/projects/{project.pk}/tasks/{done.pk}/predecessors"
    assert manager_api.get(url).json()["text"] == "1.2"
    response = manager_api.put(url, {"text": "1.1FS+2d, 1.2", "version": done.version})
    assert response.status_code == 200, response.content
    assert sorted(response.json()["text"].split(", ")) == ["1.1FS+2d", "1.2"]
    assert Link.objects.filter(successor=done).count() == 2
    detail = manager_api.get(f"/projects/{project.pk}/tasks/{done.pk}").json()
    assert detail["predecessors"] == response.json()["text"]
    bad = manager_api.put(url, {"text": "7ZZ", "version": response.json()["version"]})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "predecessors"]
    assert design.pk in set(
        Link.objects.filter(successor=done).values_list("predecessor", flat=True)
    )


def test_schedule_get_and_recompute(project_roles: dict[str, Any], manager_api: Any) -> None:
    project = project_roles["project"]
    response = manager_api.get(f"/projects/{project.pk}/schedule")
    assert response.status_code == 200
    body = response.json()
    ScheduleOut.model_validate(body)  # the documented shape
    assert body["finish"] == "2027-01-22T17:00:00"
    assert body["tasks"][1]["start"] == "2027-01-04T08:00:00"
    assert [t["uid"] for t in body["tasks"]] == [1, 2, 3, 4]
    assert body["tasks"][1]["total_float"] == 0
    assert body["tasks"][3]["is_milestone"] is True
    Task.objects.filter(project=project).update(start=None)  # simulate stale stored values
    recomputed = manager_api.post(f"/projects/{project.pk}/schedule")
    assert recomputed.status_code == 200
    assert recomputed.json()["tasks"] == body["tasks"]


@pytest.mark.parametrize(("fmt", "marker"), [("xml", b"<Project"), ("yaml", b"Design")])
def test_export(project_roles: dict[str, Any], api_for: Any, fmt: str, marker: bytes) -> None:
    project = project_roles["project"]
    response = api_for(project_roles["viewer"]).get(f"/projects/{project.pk}/export", format=fmt)
    assert response.status_code == 200
    assert marker in response.content
    assert response["Content-Disposition"].startswith("attachment;")


def test_export_format_is_validated(project_roles: dict[str, Any], manager_api: Any) -> None:
    project = project_roles["project"]
    response = manager_api.get(f"/projects/{project.pk}/export", format="pdf")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "format"]
