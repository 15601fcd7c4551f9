"""The number of queries per API request does not grow with the number of tasks."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jalon.engine import Link, Plan
from jalon.engine import Task as ETask
from jalon.web.planning.imports import project_import
from jalon.web.planning.models import Task
from jalon.web.projects.models import Project

pytestmark = pytest.mark.django_db


def chain(n: int) -> Plan:
    """Summaries of ten tasks, every task linked to the one before: an edit moves all."""
    tasks, links, uid, previous = [], [], 0, None
    for group in range(n // 10):
        uid += 1
        summary = uid
        tasks.append(ETask(uid=summary, name=f"Phase {group + 1}"))
        for i in range(9):
            uid += 1
            tasks.append(ETask(uid=uid, name=f"Task {group}.{i}", duration=480, parent=summary))
            if previous is not None:
                links.append(Link(previous, uid))
            previous = uid
    return Plan(
        name=f"{n}", start=dt.datetime(2027, 1, 4, 8), tasks=tuple(tasks), links=tuple(links)
    )


def count(func: Any) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as ctx:
        response = func()
    return len(ctx.captured_queries), response


def measures(api: Any, admin: Any, n: int) -> dict[str, int]:
    project = project_import(plan=chain(n), user=admin)
    p = project.pk
    api.get("/projects")  # warm up: the token's "last used" mark
    task = Task.objects.filter(project=project, is_summary=False).order_by("position")[3]
    calls = {
        "task list": lambda: api.get(f"/projects/{p}/tasks", limit=1000),
        "task list page": lambda: api.get(f"/projects/{p}/tasks", limit=20, offset=20),
        "links": lambda: api.get(f"/projects/{p}/links", limit=1000),
        "schedule": lambda: api.get(f"/projects/{p}/schedule"),
        "task": lambda: api.get(f"/projects/{p}/tasks/{task.pk}"),
        "task edit": lambda: api.patch(
            f"/projects/{p}/tasks/{task.pk}", {"duration": 960, "version": task.version}
        ),
        "projects": lambda: api.get("/projects"),
    }
    out = {}
    for name, func in calls.items():
        queries, response = count(func)
        assert response.status_code == 200, (name, response.content)
        out[name] = queries
    return out


def test_api_queries_do_not_grow_with_tasks(admin: Any, api_for: Any) -> None:
    api = api_for(admin)
    small = measures(api, admin, 50)
    Project.objects.all().delete()
    large = measures(api, admin, 500)
    assert small == large
    # the edit moved every successor: rows written in bulk, not one by one
    assert large["task edit"] < 25
    assert large["schedule"] <= 5
