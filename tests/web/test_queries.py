"""The number of queries per request does not grow with the number of tasks."""

from __future__ import annotations

import datetime as dt
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
from jalon.web.projects.models import Project

pytestmark = pytest.mark.django_db


def chain(n: int) -> Plan:
    """Summaries of ten tasks each, every task linked to the one before."""
    tasks = []
    links = []
    uid = 0
    previous = None
    for group in range(n // 10):
        uid += 1
        summary = uid
        tasks.append(ETask(uid=summary, name=f"Phase {group + 1}"))
        for i in range(10):
            uid += 1
            tasks.append(ETask(uid=uid, name=f"Task {group}.{i}", duration=480, parent=summary))
            if previous is not None:
                links.append(Link(previous, uid))
            previous = uid
    return Plan(
        name=f"{n} tasks", start=dt.datetime(2027, 1, 4, 8), tasks=tuple(tasks), links=tuple(links)
    )


def count(func: Any) -> int:
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)


def measures(admin: Any, n: int) -> dict[str, int]:
    project = project_import(plan=chain(n), user=admin)
    client = Client()
    client.force_login(admin)
    client.get("/")  # warm the session
    task = Task.objects.filter(project=project, is_summary=False).order_by("position")[3]
    return {
        "project page": count(lambda: client.get(reverse("projects:detail", args=[project.pk]))),
        "portfolio": count(lambda: client.get("/")),
        "task edit": count(
            lambda: services.task_update(
                task=task, data={"duration": 960}, version=task.version, user=admin
            )
        ),
        "export": count(lambda: client.get(reverse("planning:export", args=[project.pk, "xml"]))),
        # typed in the planning editor: moves every successor, answers with their rows
        "editor edit": editor_edit(client, project, task),
    }


def editor_edit(client: Client, project: Project, task: Task) -> int:
    form = {"task": task.pk, "version": Task.objects.get(pk=task.pk).version}
    url = reverse("planning:task_edit", args=[project.pk])
    responses = []
    queries = count(
        lambda: responses.append(client.post(url, {**form, "field": "duration", "value": "3d"}))
    )
    assert responses[0].status_code == 200
    assert responses[0]["HX-Reswap"] == "none"  # the changed rows only
    return queries


def test_queries_do_not_grow_with_tasks(admin: Any) -> None:
    small = measures(admin, 50)
    Project.objects.all().delete()
    large = measures(admin, 500)
    assert small == large
    # the edit moved every successor: rows are written in bulk, not one by one
    assert large["task edit"] < 20


def test_an_edit_on_a_kept_plan_does_not_grow_with_tasks(
    admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The plan kept from the last reschedule (``plancache``) is reused: the rows of the
    edited task are read again, not the whole plan."""
    from jalon.web.planning import plancache

    def kept_edit(n: int) -> tuple[int, int]:
        plancache.clear()
        project = project_import(plan=chain(n), user=admin)
        tasks = Task.objects.filter(project=project, is_summary=False).order_by("position")
        with django_capture_on_commit_callbacks(execute=True):
            first = count(  # reads the whole plan, keeps it on commit
                lambda: services.task_update(
                    task=tasks[3], data={"duration": 960}, version=tasks[3].version, user=admin
                )
            )
        task = tasks[5]
        with django_capture_on_commit_callbacks(execute=True):
            kept = count(
                lambda: services.task_update(
                    task=task, data={"duration": 1440}, version=task.version, user=admin
                )
            )
        return first, kept

    small = kept_edit(50)
    Project.objects.all().delete()
    large = kept_edit(500)
    plancache.clear()
    assert small == large
    first, kept = large
    assert kept < first


def test_history_page_does_not_grow_with_tasks_or_records(
    admin: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page of the history reads the page's records, the previous records of the
    objects it shows as changed, and names: the same queries for 50 tasks and 25 edits as
    for 500 tasks and 60 edits."""
    from jalon.web.planning import selectors

    monkeypatch.setattr(selectors, "HISTORY_PAGE", 20)

    def history(n: int, edits: int) -> tuple[int, int]:
        project = project_import(plan=chain(n), user=admin)
        tasks = list(Task.objects.filter(project=project, is_summary=False).order_by("position"))
        for i in range(edits):  # each task changed once: its previous record is the import's
            task = tasks[i]
            services.task_update(
                task=task, data={"duration": 960}, version=task.version, user=admin
            )
        client = Client()
        client.force_login(admin)
        client.get("/")  # warm the session
        url = reverse("planning:history", args=[project.pk])
        responses = []
        newest = count(lambda: responses.append(client.get(url)))
        older = re.search(r'href="\?before=([^"]+)"', responses[0].content.decode())
        assert older is not None
        second = count(lambda: responses.append(client.get(url, {"before": older.group(1)})))
        assert all(r.status_code == 200 for r in responses)
        assert "<s>1d</s> → 2d" in responses[0].content.decode()  # the diff, previous off the page
        return newest, second

    small = history(50, 25)  # the newest two pages show changes
    Project.objects.all().delete()
    large = history(500, 60)
    assert small == large
