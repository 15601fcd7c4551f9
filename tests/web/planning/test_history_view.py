"""The history page: values as people read them (dates, durations, constraint and link
names, people and tasks by name) and entries grouped by save."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jalon.web.planning import services
from jalon.web.planning.history_display import history_groups
from jalon.web.planning.models import Assignment, Calendar, Link, Task

pytestmark = pytest.mark.django_db


def task(project: Any, uid: int) -> Task:
    return Task.objects.get(project=project, uid=uid)


def page(project_roles: dict[str, Any], role: str = "viewer") -> str:
    client = Client()
    client.force_login(project_roles[role])
    response = client.get(reverse("planning:history", args=[project_roles["project"].pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_values_are_formatted_for_people(project_roles: dict[str, Any]) -> None:
    project = project_roles["project"]
    manager = project_roles["manager"]
    design = task(project, 2)
    services.task_update(
        task=design,
        data={
            "duration": 7 * 480,
            "constraint_type": Task.ConstraintType.SNET,
            "constraint_date": dt.datetime(2027, 1, 6, 8),
            "percent_complete": 40,
        },
        version=design.version,
        user=manager,
    )
    link = Link.objects.get(project=project, predecessor=design)
    services.link_update(link=link, data={"type": "SS", "lag_value": 2 * 480.0}, user=manager)
    assignment = Assignment.objects.get(project=project)
    services.assignment_update(assignment=assignment, data={"units": 0.5}, user=manager)
    body = page(project_roles)
    assert "<s>5d</s> → 7d" in body
    assert "<s>ASAP</s> → SNET" in body
    assert "→ 2027-01-06 08:00" in body
    assert "<s>0 %</s> → 40 %" in body
    assert "Design → Build" in body  # the link, by its tasks
    assert "start-to-start" in body
    assert "→ +2d" in body  # the lag in days
    assert "Member person · Design" in body  # the assignment, by person and task
    assert "<s>100 %</s> → 50 %" in body
    assert "manager" in body  # who


def test_calendar_changes_are_readable(project_roles: dict[str, Any]) -> None:
    project = project_roles["project"]
    calendar = Calendar.objects.create(project=project, name="Site")
    services.calendar_update(
        calendar=calendar,
        data={
            "week": {"4": [[480, 720]]},
            "exceptions": [
                {"start": "2027-05-07", "finish": "2027-05-07", "name": "Bridge"},
            ],
        },
        user=project_roles["manager"],
    )
    body = page(project_roles)
    assert "Fri 08:00-12:00" in body
    assert "2027-05-07 Bridge" in body


def test_one_save_is_one_group(project_roles: dict[str, Any]) -> None:
    project = project_roles["project"]
    manager = project_roles["manager"]
    design, build = task(project, 2), task(project, 3)
    services.progress_bulk_update(
        project=project,
        updates={design.pk: {"percent_complete": 100}, build.pk: {"percent_complete": 10}},
        user=manager,
    )
    groups = history_groups(project=project, user=manager)
    newest = groups[0]
    assert newest.user == "manager"
    assert [e.label for e in newest.entries] == ["Design", "Build"]
    assert newest.summary == "changed 2 tasks"
    # the import is an older group of its own
    assert any("created" in g.summary and "tasks" in g.summary for g in groups[1:])


def test_deleted_tasks_keep_their_name(project_roles: dict[str, Any]) -> None:
    project = project_roles["project"]
    build = task(project, 3)
    services.task_delete(task=build, version=build.version, user=project_roles["manager"])
    body = page(project_roles)
    assert "Build" in body
    assert "Design → Build" in body  # the deleted link, named by its deleted task
    assert "deleted" in body


def test_history_is_hidden_from_outsiders(project_roles: dict[str, Any]) -> None:
    project = project_roles["project"]
    client = Client()
    client.force_login(project_roles["outsider"])
    response = client.get(reverse("planning:history", args=[project.pk]))
    assert response.status_code == 404
