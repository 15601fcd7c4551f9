"""The planning editor's views: rights per role, one service per edit, field-level errors,
conflicts showing both versions, and query counts independent of the number of tasks."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jalon.engine import Link, Plan
from jalon.engine import Task as ETask
from jalon.web.planning import services
from jalon.web.planning.imports import project_import
from jalon.web.planning.models import Task

pytestmark = pytest.mark.django_db

ROLES = ("admin", "manager", "member", "viewer", "outsider")


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def task(project: Any, uid: int) -> Task:
    return Task.objects.get(project=project, uid=uid)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["plan", "plan_rows", "gantt_json", "history"])
def test_read_views(project_roles: dict[str, Any], role: str, name: str) -> None:
    project = project_roles["project"]
    response = client_for(project_roles[role]).get(reverse(f"planning:{name}", args=[project.pk]))
    assert response.status_code == (404 if role == "outsider" else 200)
    if role == "outsider":
        assert b"Design" not in response.content


def edit(
    client: Client,
    project: Any,
    t: Task,
    field: str,
    value: str,
    version: int | None = None,
    **headers: str,
):
    return client.post(
        reverse("planning:task_edit", args=[project.pk]),
        {
            "task": t.pk,
            "version": t.version if version is None else version,
            "field": field,
            "value": value,
        },
        **headers,
    )


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("manager", 200), ("member", 403), ("viewer", 403), ("outsider", 404)],
)
def test_duration_edit_rights(project_roles: dict[str, Any], role: str, status: int) -> None:
    project = project_roles["project"]
    design = task(project, 2)
    response = edit(client_for(project_roles[role]), project, design, "duration", "7d")
    assert response.status_code == status
    design.refresh_from_db()
    assert design.duration == (7 * 480 if status == 200 else 5 * 480)


def test_member_edits_progress_of_own_task_only(project_roles: dict[str, Any]) -> None:
    project = project_roles["project"]
    client = client_for(project_roles["member"])
    design, build = task(project, 2), task(project, 3)
    assert edit(client, project, design, "percent_complete", "40").status_code == 200
    assert edit(client, project, build, "percent_complete", "40").status_code == 403
    assert task(project, 2).percent_complete == 40
    assert task(project, 3).percent_complete == 0


def test_edit_reschedules_successors(project_roles: dict[str, Any]) -> None:
    project = project_roles["project"]
    client = client_for(project_roles["manager"])
    build_start = task(project, 3).start
    response = edit(client, project, task(project, 2), "duration", "8d")
    assert response.status_code == 200
    assert "jalon:scheduled" in response["HX-Trigger"]
    assert task(project, 3).start > build_start
    # the answer carries the rescheduled rows (out of band: test_editor_answers.py)
    assert f'id="task-{task(project, 3).pk}"'.encode() in response.content


def test_start_typed_sets_snet(project_roles: dict[str, Any]) -> None:
    project = project_roles["project"]
    client = client_for(project_roles["manager"])
    response = edit(client, project, task(project, 3), "start", "2027-06-01")
    assert response.status_code == 200
    done = task(project, 3)
    assert done.constraint_type == Task.ConstraintType.SNET
    assert done.constraint_date == dt.datetime(2027, 6, 1, 8, 0)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("duration", "abc"),
        ("start", "31/31/2027"),
        ("predecessors", "99FS"),
        ("percent_complete", "140"),
        ("resources", "Bob[x%]"),
        ("nope", "1"),
    ],
)
def test_bad_input_is_a_field_message(
    project_roles: dict[str, Any], field: str, value: str
) -> None:
    project = project_roles["project"]
    design = task(project, 2)
    before = (design.duration, design.version)
    response = edit(client_for(project_roles["manager"]), project, design, field, value)
    assert response.status_code == 422
    assert b'class="message error"' in response.content
    design.refresh_from_db()
    assert (design.duration, design.version) == before


def test_conflict_shows_both_versions_and_writes_nothing(project_roles: dict[str, Any]) -> None:
    project = project_roles["project"]
    design = task(project, 2)
    loaded = design.version
    services.task_update(
        task=design, data={"duration": 7 * 480}, version=loaded, user=project_roles["admin"]
    )
    response = edit(client_for(project_roles["manager"]), project, design, "duration", "6d", loaded)
    assert response.status_code == 409
    html = response.content.decode()
    assert "pmo changed this task" in html
    # theirs, old -> new, as the grid writes durations (not minutes)
    assert "<s>5d</s> → <b>7d</b>" in html
    assert "2400" not in html
    assert "6d" in html  # yours
    assert "Apply mine" in html
    assert task(project, 2).duration == 7 * 480
    french = edit(
        client_for(project_roles["manager"]),
        project,
        design,
        "duration",
        "6j",
        loaded,
        HTTP_ACCEPT_LANGUAGE="fr",
    ).content.decode()
    assert "<s>5j</s> → <b>7j</b>" in french


def test_add_move_indent_delete(project_roles: dict[str, Any]) -> None:
    project = project_roles["project"]
    client = client_for(project_roles["manager"])
    url = reverse("planning:task_add", args=[project.pk])
    assert client.post(url, {"name": "Review"}).status_code == 200
    review = Task.objects.get(project=project, name="Review")
    assert review.parent_id is None
    action = lambda name, t: client.post(  # noqa: E731
        reverse("planning:task_action", args=[project.pk, name]),
        {"task": t.pk, "version": Task.objects.get(pk=t.pk).version},
    )
    assert action("up", review).status_code == 200
    assert action("indent", review).status_code == 200
    assert Task.objects.get(pk=review.pk).parent_id == task(project, 1).pk
    assert action("outdent", review).status_code == 200
    assert action("delete", review).status_code == 200
    assert not Task.objects.filter(pk=review.pk).exists()
    # a viewer cannot
    viewer = client_for(project_roles["viewer"])
    assert viewer.post(url, {"name": "X"}).status_code == 403


def test_link_drawn_and_cycle_refused(project_roles: dict[str, Any]) -> None:
    project = project_roles["project"]
    client = client_for(project_roles["manager"])
    url = reverse("planning:link_add", args=[project.pk])
    design, done = task(project, 2), task(project, 4)
    assert client.post(url, {"predecessor": design.pk, "successor": done.pk}).status_code == 200
    response = client.post(url, {"predecessor": done.pk, "successor": design.pk})
    assert response.status_code == 422
    assert not project.links.filter(predecessor=done).exists()


def test_gantt_json(project_roles: dict[str, Any]) -> None:
    project = project_roles["project"]
    data = (
        client_for(project_roles["viewer"])
        .get(reverse("planning:gantt_json", args=[project.pk]))
        .json()
    )
    by_name = {t["name"]: t for t in data["tasks"]}
    assert by_name["Build"]["dependencies"] == f"t{task(project, 2).pk}"
    assert by_name["Phase"]["custom_class"].startswith("summary")
    assert by_name["Done"]["kind"] == "milestone"
    assert data["can_edit"] is False


def chain(n: int) -> Plan:
    return Plan(
        name=f"Chain {n}",
        start=dt.datetime(2027, 1, 4, 8),
        tasks=tuple(ETask(uid=i, name=f"T{i}", duration=480) for i in range(1, n + 1)),
        links=tuple(Link(i, i + 1) for i in range(1, n)),
    )


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", ["plan", "gantt_json"])
def test_query_count_independent_of_size(admin: Any, name: str) -> None:
    client = client_for(admin)
    small = project_import(plan=chain(50), user=admin)
    large = project_import(plan=chain(500), user=admin)
    services.baseline_set(project=large, user=admin)
    services.baseline_set(project=small, user=admin)
    assert queries(client, reverse(f"planning:{name}", args=[small.pk])) == queries(
        client, reverse(f"planning:{name}", args=[large.pk])
    )


def hidden_rows(html: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'<tr id="task-(\d+)"[^>]* hidden>', html)}


def test_folded_rows_come_hidden_from_the_outline_cookie(
    project_roles: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The editor renders the rows under a folded summary ``hidden``, from the cookie
    planning.js writes (a list of summaries, or an outline level); a large plan with no
    cookie opens on outline level 2; a bad cookie is ignored."""
    from urllib.parse import quote

    from jalon.web.planning import editor

    project = project_roles["project"]
    phase, design, build = (task(project, uid) for uid in (1, 2, 3))
    client = client_for(project_roles["manager"])
    url = reverse("planning:plan", args=[project.pk])
    cookie = f"jalon_outline_{project.pk}"
    assert hidden_rows(client.get(url).content.decode()) == set()
    client.cookies[cookie] = quote(json.dumps({"collapsed": [phase.pk], "level": ""}))
    html = client.get(url).content.decode()
    assert hidden_rows(html) == {design.pk, build.pk}
    assert re.search(rf'<tr id="task-{phase.pk}"[^>]* class="[^"]*\bcollapsed\b', html)
    client.cookies[cookie] = quote(json.dumps({"collapsed": [], "level": "1"}))
    assert hidden_rows(client.get(url).content.decode()) == {design.pk, build.pk}
    client.cookies[cookie] = "not json"
    assert hidden_rows(client.get(url).content.decode()) == set()
    del client.cookies[cookie]
    monkeypatch.setattr(editor, "LARGE_PLAN", 3)  # this plan has 4 tasks
    html = client.get(url).content.decode()
    assert hidden_rows(html) == set()  # level 2 folds summaries of level 2 and deeper
    assert '"level": "2"' in html.replace("&quot;", '"')
