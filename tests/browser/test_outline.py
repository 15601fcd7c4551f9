"""Summaries collapse and expand in the planning editor (their subtasks leave the grid
and the Gantt), outline levels are chosen from the toolbar, and the browser remembers the
choice per project; edits of the rows shown still reschedule in place."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from browser_helpers import login, shot
from django.contrib.auth.models import Permission, User

from jalon.engine import Link, Plan
from jalon.engine import Task as ETask
from jalon.web.planning.imports import project_import
from jalon.web.planning.models import Task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def visible_names(page: Any) -> list[str]:
    return page.evaluate(
        "[...document.querySelectorAll('#wbs-body tr[data-pk]')].filter(r => !r.hidden)"
        ".map(r => r.querySelector('input[name=name]').value)"
    )


def bars(page: Any) -> int:
    return page.locator("#gantt .bar-wrapper[data-id]").count()


def test_collapse_levels_and_remembered(live_server: Any, context: Any) -> None:
    user = User.objects.create_user(username="claire", password="correct horse battery")
    user.user_permissions.add(Permission.objects.get(codename="add_project"))
    tasks = (
        ETask(uid=1, name="Build"),
        ETask(uid=2, name="Back end", parent=1),
        ETask(uid=3, name="API", duration=3 * 480, parent=2),
        ETask(uid=4, name="Database", duration=2 * 480, parent=2),
        ETask(uid=5, name="Front end", duration=4 * 480, parent=1),
        ETask(uid=6, name="Launch", duration=0),
    )
    plan = Plan(
        name="Portal",
        start=dt.datetime(2027, 1, 4, 8),
        tasks=tasks,
        links=(Link(3, 4), Link(4, 6), Link(5, 6)),
    )
    project = project_import(plan=plan, user=user)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, live_server.url, "claire")
    url = f"{live_server.url}/projects/{project.pk}/plan/"
    page.goto(url)
    page.wait_for_function("document.querySelector('#gantt').dataset.ready")
    assert len(visible_names(page)) == 6 and bars(page) == 6

    # collapse "Back end": its two tasks leave the grid and the Gantt
    back_end = Task.objects.get(project=project, name="Back end")
    ready = page.get_attribute("#gantt", "data-ready")
    page.click(f"#task-{back_end.pk} .kind")
    page.wait_for_function("r => document.querySelector('#gantt').dataset.ready !== r", arg=ready)
    assert visible_names(page) == ["Build", "Back end", "Front end", "Launch"]
    assert bars(page) == 4
    shot(page, "outline-collapsed")

    # an edit of a row shown: rescheduled, the hidden rows stay hidden
    ready = page.get_attribute("#gantt", "data-ready")
    cell = page.locator(
        f"#task-{Task.objects.get(project=project, name='Front end').pk} input[name=duration]"
    )
    cell.fill("8d")
    cell.press("Enter")
    page.wait_for_function("r => document.querySelector('#gantt').dataset.ready !== r", arg=ready)
    assert visible_names(page) == ["Build", "Back end", "Front end", "Launch"]
    assert bars(page) == 4
    launch = Task.objects.get(project=project, name="Launch")
    assert launch.start == dt.datetime(2027, 1, 13, 17, 0)  # after Front end's 8 days

    # outline level 1 from the toolbar; remembered after a reload
    ready = page.get_attribute("#gantt", "data-ready")
    page.select_option("#outline-level", "1")
    page.wait_for_function("r => document.querySelector('#gantt').dataset.ready !== r", arg=ready)
    assert visible_names(page) == ["Build", "Launch"]
    page.reload()
    page.wait_for_function("document.querySelector('#gantt').dataset.ready")
    assert visible_names(page) == ["Build", "Launch"] and bars(page) == 2
    assert page.input_value("#outline-level") == "1"

    # all subtasks again
    ready = page.get_attribute("#gantt", "data-ready")
    page.select_option("#outline-level", "")
    page.wait_for_function("r => document.querySelector('#gantt').dataset.ready !== r", arg=ready)
    assert len(visible_names(page)) == 6 and bars(page) == 6
    assert errors == []
