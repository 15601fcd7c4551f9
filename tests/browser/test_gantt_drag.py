"""A drag on the Gantt survives a reload of the bars that lands while the mouse button is
held (another edit's answer, a reschedule): the redraw waits for the release. An edit's
answer redraws the bars it changed in place, arrows included, not the whole chart."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from browser_helpers import bar_centre, drag, login, shot
from django.contrib.auth.models import Permission, User

from jalon.engine import Link, Plan
from jalon.engine import Task as ETask
from jalon.web.planning.imports import project_import
from jalon.web.planning.models import Task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_drag_outlives_a_gantt_reload(live_server: Any, context: Any) -> None:
    user = User.objects.create_user(username="claire", password="correct horse battery")
    user.user_permissions.add(Permission.objects.get(codename="add_project"))
    plan = Plan(
        name="Office move",
        start=dt.datetime(2027, 1, 4, 8),
        tasks=(
            ETask(uid=1, name="Pack", duration=5 * 480),
            ETask(uid=2, name="Move", duration=5 * 480),
            ETask(uid=3, name="Clean", duration=2 * 480),
        ),
        links=(Link(1, 2),),
    )
    project = project_import(plan=plan, user=user)
    clean = Task.objects.get(project=project, name="Clean")
    before = clean.start
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, live_server.url, "claire")
    page.goto(f"{live_server.url}/projects/{project.pk}/plan/")
    page.wait_for_selector(f'#gantt .bar-wrapper[data-id="t{clean.pk}"]')
    page.wait_for_load_state("networkidle")
    drawn = page.get_attribute("#gantt", "data-ready")
    x, y = bar_centre(page, clean.pk)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 2, y)
    # the bars are reloaded mid-drag, as when another edit's answer arrives
    page.evaluate("document.body.dispatchEvent(new CustomEvent('jalon:scheduled'))")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)
    assert page.get_attribute("#gantt", "data-ready") == drawn  # not redrawn under the mouse
    for step in range(1, 11):
        page.mouse.move(x + 2 + 20 * step, y)
    page.mouse.up()
    page.wait_for_function("r => document.querySelector('#gantt').dataset.ready !== r", arg=drawn)
    page.wait_for_function(
        "pk => [...document.querySelectorAll('#wbs-body tr')].some(r => r.id === `task-${pk}`"
        " && r.querySelector('input[name=start]').defaultValue > '2027-01-05')",
        arg=clean.pk,
    )
    shot(page, "gantt-drag-after-reload")
    clean.refresh_from_db()
    assert clean.start > before
    assert clean.constraint_type == Task.ConstraintType.SNET

    # drag Pack a week on: Move follows, redrawn in place with the arrow between them
    pack, move = (Task.objects.get(project=project, name=n) for n in ("Pack", "Move"))
    page.evaluate("window.chart = document.querySelector('#gantt svg.gantt')")
    arrow = f"#gantt path[data-from=t{pack.pk}]"
    path = page.get_attribute(arrow, "d")
    ready = page.get_attribute("#gantt", "data-ready")
    drag(page, *bar_centre(page, pack.pk), 120)
    page.wait_for_function("r => document.querySelector('#gantt').dataset.ready !== r", arg=ready)
    move_start = move.start
    move.refresh_from_db()
    assert move.start > move_start
    assert page.evaluate("window.chart === document.querySelector('#gantt svg.gantt')")
    assert page.get_attribute(arrow, "d") != path
    bar = page.locator(f'#gantt .bar-wrapper[data-id="t{move.pk}"] .bar').bounding_box()
    assert bar is not None
    tip = page.evaluate(f"document.querySelector('{arrow}').getBoundingClientRect().right")
    assert abs(tip + 13 - bar["x"]) < 3  # the arrow ends where frappe-gantt puts it
    assert page.locator(f'#gantt .bar-wrapper[data-id="t{move.pk}"]').count() == 1
    shot(page, "gantt-drag-in-place")
    assert errors == []
