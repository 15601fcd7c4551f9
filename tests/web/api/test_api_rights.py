"""The API's rights are the UI's: every endpoint for every role. Outsiders get 404 (as for
an object that does not exist) and see nothing in lists; viewers and members get 403 on
changes (members may update the progress of their own tasks); anonymous calls get 401."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from jalon.web.planning.models import Assignment, Calendar, Link, Resource, Task
from jalon.web.projects.models import Project

pytestmark = pytest.mark.django_db

ROLES = ("admin", "manager", "member", "viewer", "outsider", "anonymous")


@dataclass(frozen=True)
class Call:
    method: str
    path: Callable[[dict[str, Any]], str]
    body: Callable[[dict[str, Any]], Any] | None = None
    ok: int = 200
    params: Callable[[dict[str, Any]], dict[str, Any]] | None = None


@pytest.fixture
def ctx(project_roles: dict[str, Any]) -> dict[str, Any]:
    project = project_roles["project"]
    tasks = {t.uid: t for t in Task.objects.filter(project=project)}
    calendar = Calendar.objects.create(project=project, name="Night shift")
    return {
        **project_roles,
        "p": project.pk,
        "phase": tasks[1],
        "design": tasks[2],
        "build": tasks[3],
        "done": tasks[4],
        "link": Link.objects.get(project=project, predecessor=tasks[2]),
        "calendar": calendar,
        "assignment": Assignment.objects.get(project=project),
        "resource": Resource.objects.get(name="Member person"),
    }


def _v(task: Task) -> int:
    return Task.objects.get(pk=task.pk).version


READS: dict[str, Call] = {
    "project": Call("get", lambda c: f"/projects/{c['p']}"),
    "members": Call("get", lambda c: f"/projects/{c['p']}/members"),
    "tasks": Call("get", lambda c: f"/projects/{c['p']}/tasks"),
    "task": Call("get", lambda c: f"/projects/{c['p']}/tasks/{c['design'].pk}"),
    "predecessors": Call("get", lambda c: f"/projects/{c['p']}/tasks/{c['build'].pk}/predecessors"),
    "links": Call("get", lambda c: f"/projects/{c['p']}/links"),
    "link": Call("get", lambda c: f"/projects/{c['p']}/links/{c['link'].pk}"),
    "calendars": Call("get", lambda c: f"/projects/{c['p']}/calendars"),
    "calendar": Call("get", lambda c: f"/projects/{c['p']}/calendars/{c['calendar'].pk}"),
    "assignments": Call("get", lambda c: f"/projects/{c['p']}/assignments"),
    "assignment": Call("get", lambda c: f"/projects/{c['p']}/assignments/{c['assignment'].pk}"),
    "baselines": Call("get", lambda c: f"/projects/{c['p']}/baselines"),
    "schedule": Call("get", lambda c: f"/projects/{c['p']}/schedule"),
    "export-xml": Call("get", lambda c: f"/projects/{c['p']}/export", params=lambda _c: {}),
    "export-yaml": Call(
        "get", lambda c: f"/projects/{c['p']}/export", params=lambda _c: {"format": "yaml"}
    ),
    "resource": Call("get", lambda c: f"/resources/{c['resource'].pk}"),
}

EDITS: dict[str, Call] = {
    "project-update": Call(
        "patch", lambda c: f"/projects/{c['p']}", lambda _c: {"name": "Renamed", "version": 1}
    ),
    "project-delete": Call("delete", lambda c: f"/projects/{c['p']}", ok=204),
    "member-set": Call(
        "post",
        lambda c: f"/projects/{c['p']}/members",
        lambda _c: {"username": "outsider", "role": "viewer"},
    ),
    "member-remove": Call(
        "delete", lambda c: f"/projects/{c['p']}/members/{c['viewer'].pk}", ok=204
    ),
    "task-create": Call(
        "post", lambda c: f"/projects/{c['p']}/tasks", lambda _c: {"name": "New"}, ok=201
    ),
    "task-update": Call(
        "patch",
        lambda c: f"/projects/{c['p']}/tasks/{c['build'].pk}",
        lambda c: {"duration": 480, "version": _v(c["build"])},
    ),
    "task-delete": Call(
        "delete",
        lambda c: f"/projects/{c['p']}/tasks/{c['done'].pk}",
        ok=204,
        params=lambda c: {"version": _v(c["done"])},
    ),
    "task-move": Call(
        "post",
        lambda c: f"/projects/{c['p']}/tasks/{c['done'].pk}/move",
        lambda c: {"version": _v(c["done"]), "parent": c["phase"].pk, "index": 0},
    ),
    "task-indent": Call(
        "post",
        lambda c: f"/projects/{c['p']}/tasks/{c['done'].pk}/indent",
        lambda c: {"version": _v(c["done"])},
    ),
    "task-outdent": Call(
        "post",
        lambda c: f"/projects/{c['p']}/tasks/{c['build'].pk}/outdent",
        lambda c: {"version": _v(c["build"])},
    ),
    "predecessors-set": Call(
        "put",
        lambda c: f"/projects/{c['p']}/tasks/{c['done'].pk}/predecessors",
        lambda c: {"text": "1.1", "version": _v(c["done"])},
    ),
    "link-create": Call(
        "post",
        lambda c: f"/projects/{c['p']}/links",
        lambda c: {"predecessor": c["design"].pk, "successor": c["done"].pk, "type": "SS"},
        ok=201,
    ),
    "link-update": Call(
        "patch",
        lambda c: f"/projects/{c['p']}/links/{c['link'].pk}",
        lambda _c: {"lag_value": 480},
    ),
    "link-delete": Call("delete", lambda c: f"/projects/{c['p']}/links/{c['link'].pk}", ok=204),
    "calendar-create": Call(
        "post",
        lambda c: f"/projects/{c['p']}/calendars",
        lambda _c: {"name": "Weekends", "week": {"5": [[480, 720]]}},
        ok=201,
    ),
    "calendar-update": Call(
        "patch",
        lambda c: f"/projects/{c['p']}/calendars/{c['calendar'].pk}",
        lambda _c: {"name": "Nights"},
    ),
    "calendar-delete": Call(
        "delete", lambda c: f"/projects/{c['p']}/calendars/{c['calendar'].pk}", ok=204
    ),
    "assignment-create": Call(
        "post",
        lambda c: f"/projects/{c['p']}/assignments",
        lambda c: {"task": c["build"].pk, "resource": c["resource"].pk, "units": 0.5},
        ok=201,
    ),
    "assignment-update": Call(
        "patch",
        lambda c: f"/projects/{c['p']}/assignments/{c['assignment'].pk}",
        lambda _c: {"units": 0.5},
    ),
    "assignment-delete": Call(
        "delete", lambda c: f"/projects/{c['p']}/assignments/{c['assignment'].pk}", ok=204
    ),
    "baseline-set": Call(
        "post", lambda c: f"/projects/{c['p']}/baselines", lambda _c: {"number": 1}, ok=201
    ),
    "schedule-recompute": Call("post", lambda c: f"/projects/{c['p']}/schedule"),
}


def call(api_for: Any, ctx: dict[str, Any], role: str, spec: Call) -> Any:
    client = api_for(None if role == "anonymous" else ctx[role])
    path = spec.path(ctx)
    params = spec.params(ctx) if spec.params else {}
    if spec.method in {"get", "delete"}:
        return getattr(client, spec.method)(path, **params)
    return getattr(client, spec.method)(path, spec.body(ctx) if spec.body else None)


READ_STATUS = {"admin": 200, "manager": 200, "member": 200, "viewer": 200, "outsider": 404}
EDIT_STATUS = {"member": 403, "viewer": 403, "outsider": 404, "anonymous": 401}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(READS))
def test_reads(ctx: dict[str, Any], api_for: Any, role: str, name: str) -> None:
    response = call(api_for, ctx, role, READS[name])
    expected = {**READ_STATUS, "anonymous": 401}[role]
    if name == "resource" and role == "outsider":
        expected = 404  # people are seen through the projects one can see
    assert response.status_code == expected, response.content
    if response.status_code != 200:
        assert b"Design" not in response.content
        assert ctx["project"].name.encode() not in response.content
        assert b"Member person" not in response.content


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(EDITS))
def test_edits(ctx: dict[str, Any], api_for: Any, role: str, name: str) -> None:
    before = Project.objects.get(pk=ctx["p"]).scheduled_at
    tasks_before = list(Task.objects.filter(project=ctx["project"]).values().order_by("pk"))
    response = call(api_for, ctx, role, EDITS[name])
    if role in {"admin", "manager"}:
        assert response.status_code == EDITS[name].ok, response.content
        if response.status_code != 204 and "delete" not in name:
            assert response.json()
    else:
        assert response.status_code == EDIT_STATUS[role], response.content
        assert b"Design" not in response.content
        # nothing written, nothing rescheduled
        assert list(Task.objects.filter(project=ctx["project"]).values().order_by("pk")) == (
            tasks_before
        )
        assert Project.objects.get(pk=ctx["p"]).scheduled_at == before


@pytest.mark.parametrize(
    ("task", "body", "status"),
    [
        ("design", {"percent_complete": 50}, 200),  # their own task, progress
        ("design", {"duration": 480}, 403),  # their own task, not progress
        ("build", {"percent_complete": 50}, 403),  # someone else's task
    ],
)
def test_members_update_the_progress_of_their_own_tasks(
    ctx: dict[str, Any], api_for: Any, task: str, body: dict[str, Any], status: int
) -> None:
    target = ctx[task]
    response = api_for(ctx["member"]).patch(
        f"/projects/{ctx['p']}/tasks/{target.pk}", {**body, "version": target.version}
    )
    assert response.status_code == status, response.content
    if status == 200:
        assert response.json()["percent_complete"] == 50
        assert Task.objects.get(pk=target.pk).percent_complete == 50


@pytest.mark.parametrize("role", ["admin", "manager", "member", "viewer", "outsider"])
def test_lists_hold_only_visible_projects_and_people(
    ctx: dict[str, Any], api_for: Any, role: str
) -> None:
    client = api_for(ctx[role])
    inside = role != "outsider"
    projects = client.get("/projects").json()
    assert [p["id"] for p in projects["items"]] == ([ctx["p"]] if inside else [])
    assert projects["count"] == (1 if inside else 0)
    searched = client.get("/projects", q=ctx["project"].name[:3]).json()
    assert searched["count"] == (1 if inside else 0)
    people = [r["name"] for r in client.get("/resources").json()["items"]]
    assert ("Member person" in people) is inside
    assert client.get("/resources", q="Member").json()["count"] == (1 if inside else 0)


def test_objects_of_another_project_are_404_through_a_visible_one(
    ctx: dict[str, Any], api_for: Any
) -> None:
    """An outsider's own project does not open the door to the hidden one's objects."""
    outsider = api_for(ctx["outsider"])
    own = outsider.post("/projects", {"name": "Mine", "start": "2027-01-04T08:00:00"})
    assert own.status_code == 201, own.content
    mine = own.json()["id"]
    for path in [
        f"/projects/{mine}/tasks/{ctx['design'].pk}",
        f"/projects/{mine}/links/{ctx['link'].pk}",
        f"/projects/{mine}/calendars/{ctx['calendar'].pk}",
        f"/projects/{mine}/assignments/{ctx['assignment'].pk}",
    ]:
        assert outsider.get(path).status_code == 404, path
    # nor can the hidden project's tasks be named in a body
    response = outsider.post(
        f"/projects/{mine}/links",
        {"predecessor": ctx["design"].pk, "successor": ctx["build"].pk},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "predecessor"]
    assert not Link.objects.filter(project_id=mine).exists()


def test_unknown_ids_are_404_like_hidden_ones(ctx: dict[str, Any], api_for: Any) -> None:
    admin = api_for(ctx["admin"])
    assert admin.get("/projects/999999").status_code == 404
    assert admin.get(f"/projects/{ctx['p']}/tasks/999999").status_code == 404
    assert admin.get("/resources/999999").status_code == 404
