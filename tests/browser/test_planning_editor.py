"""The planning editor in a real browser: log in, create a project, add tasks, type
durations and links, drag a bar (its successor moves, the critical path changes), get a
conflict message from a concurrent edit, read the history, switch to French."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from browser_helpers import bar_centre, drag, login, shot
from django.contrib.auth.models import Permission, User

from jalon.web.planning import services
from jalon.web.planning.models import Task
from jalon.web.projects.models import Membership, Project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _user(username: str, first_name: str = "", *, creator: bool = False) -> User:
    user = User.objects.create_user(
        username=username, password="correct horse battery", first_name=first_name
    )
    if creator:
        user.user_permissions.add(Permission.objects.get(codename="add_project"))
    return user


def row(page: Any, name: str) -> Any:
    return page.locator("#wbs-body tr", has=page.locator(f"input[name=name][value='{name}']"))


def wait_rescheduled(page: Any, ready: str | None) -> None:
    """The Gantt was redrawn after the last edit."""
    page.wait_for_function(
        "r => document.querySelector('#gantt').dataset.ready !== r", arg=ready or ""
    )


def type_cell(page: Any, name: str, field: str, text: str) -> None:
    ready = page.get_attribute("#gantt", "data-ready")
    cell = row(page, name).locator(f"input[name={field}]")
    cell.fill(text)
    cell.press("Enter")
    try:
        page.wait_for_function(
            "([n, f, t]) => [...document.querySelectorAll('#wbs-body tr')].some(r =>"
            " r.querySelector('input[name=name]').value === n"
            " && r.querySelector(`input[name=${f}]`).defaultValue === t)",
            arg=[name, field, text],
        )
    except Exception:
        shot(page, "debug")
        print(name, field, text, page.inner_text("#editor-message"))
        raise
    wait_rescheduled(page, ready)


def wait_bar(page: Any, pk: int, cls: str, *, present: bool = True) -> None:
    """The Gantt bar of task ``pk`` has (or has not) the class ``cls``."""
    page.wait_for_function(
        "([id, c, on]) => {"
        " const b = document.querySelector(`#gantt .bar-wrapper[data-id=t${id}]`);"
        " return b && b.classList.contains(c) === on; }",
        arg=[pk, cls, present],
    )


def bar_class(page: Any, pk: int) -> str:
    return page.get_attribute(f'#gantt .bar-wrapper[data-id="t{pk}"]', "class") or ""


def test_plan_edit_drag_conflict_french(live_server: Any, context: Any) -> None:
    _user("manager", "Claire", creator=True)
    other = _user("sophie", "Sophie")
    base = live_server.url
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # log in, create a project
    login(page, base, "manager")
    page.goto(f"{base}/projects/new/")
    page.fill("input[name=name]", "Website relaunch")
    page.fill("input[name=start]", "2027-03-01")
    page.click("main form button[type=submit]")
    page.wait_for_selector("h1:has-text('Website relaunch')")
    project = Project.objects.get(name="Website relaunch")
    Membership.objects.create(project=project, user=other, role="manager")
    page.click("nav.tabs >> text=Gantt")
    page.wait_for_selector("#empty-state:not([hidden])")
    shot(page, "01-empty-plan")

    # add tasks by typing their names
    for i, name in enumerate(["Design", "Build", "Test", "Write the user guide", "Launch"]):
        page.fill("#add-task input[name=name]", name)
        page.press("#add-task input[name=name]", "Enter")
        page.wait_for_function(f"document.querySelectorAll('#wbs-body tr').length === {i + 1}")
    page.wait_for_selector("#gantt .bar-wrapper[data-id]")

    # durations and links, typed as in MS Project
    for name, duration in [("Design", "5d"), ("Build", "10d"), ("Test", "3d"), ("Launch", "0d")]:
        type_cell(page, name, "duration", duration)
    type_cell(page, "Build", "predecessors", "1")
    type_cell(page, "Test", "predecessors", "2")
    type_cell(page, "Write the user guide", "predecessors", "1FS+1d")
    type_cell(page, "Launch", "predecessors", "3, 4")
    tasks = {t.name: t for t in Task.objects.filter(project=project)}
    assert [n for n, t in tasks.items() if t.critical] == ["Design", "Build", "Test", "Launch"]
    guide, launch = tasks["Write the user guide"], tasks["Launch"]
    wait_bar(page, launch.pk, "milestone-critical")
    assert "critical" not in bar_class(page, guide.pk).split()
    assert "critical" in bar_class(page, tasks["Build"].pk).split()
    assert "critical" in (row(page, "Test").get_attribute("class") or "").split()
    shot(page, "02-plan-typed")

    # drag the user guide's bar four weeks to the right: Launch (its successor) moves and
    # the critical path goes through the guide instead of Build and Test
    ready = page.get_attribute("#gantt", "data-ready")
    page.click("[data-zoom=Month]")  # about 4 px a day: the drag stays in view
    wait_rescheduled(page, ready)
    page.locator(f'#gantt .bar-wrapper[data-id="t{guide.pk}"] .bar').scroll_into_view_if_needed()
    page.wait_for_load_state("networkidle")
    ready = page.get_attribute("#gantt", "data-ready")
    drag(page, *bar_centre(page, guide.pk), 160)
    wait_rescheduled(page, ready)
    shot(page, "03-after-drag")
    page.wait_for_function(
        f"document.querySelector('#gantt .bar-wrapper[data-id=\"t{guide.pk}\"]')"
        ".classList.contains('critical')"
    )
    guide.refresh_from_db()
    old_launch = launch.start
    launch.refresh_from_db()
    assert guide.constraint_type == Task.ConstraintType.SNET
    assert guide.critical
    assert launch.start > old_launch  # the successor moved
    assert not Task.objects.get(pk=tasks["Build"].pk).critical
    assert "critical" not in bar_class(page, tasks["Build"].pk).split()
    assert row(page, "Launch").locator("input[name=start]").input_value() == (
        launch.start.strftime("%Y-%m-%d")
    )
    shot(page, "03-after-drag")

    # a typed cell answers with the rows it changed only: the other rows stay in place
    design_pk, test_pk = tasks["Design"].pk, tasks["Test"].pk
    page.evaluate(
        "pks => { window.keptRows = pks.map(pk => document.getElementById(`task-${pk}`)); }",
        [design_pk, test_pk],
    )
    type_cell(page, "Test", "percent_complete", "10")
    assert page.evaluate("() => window.keptRows.map(r => r.isConnected)") == [True, False]
    assert page.locator(f"#task-{design_pk}").count() == 1
    shot(page, "03b-typed-percent")

    # a concurrent edit: Sophie changes Build while the page still shows the old version
    build = Task.objects.get(pk=tasks["Build"].pk)
    services.task_update(task=build, data={"duration": 12 * 480}, version=build.version, user=other)
    cell = row(page, "Build").locator("input[name=duration]")
    cell.fill("6d")
    cell.press("Enter")
    conflict = page.wait_for_selector("#editor-message .conflict")
    text = conflict.inner_text()
    assert "Sophie changed this task" in text
    assert "10d" in text or "4800" in text or "Duration" in text
    assert "6d" in text
    assert Task.objects.get(pk=build.pk).duration == 12 * 480  # nothing overwritten
    shot(page, "04-conflict")
    page.click("[data-conflict=mine]")
    page.wait_for_selector("#editor-message .conflict", state="detached")
    assert Task.objects.get(pk=build.pk).duration == 6 * 480

    # the history lists who changed what
    page.click("nav.tabs >> text=History")
    page.wait_for_selector("#history")
    history = page.inner_text("#history")
    assert "sophie" in history
    assert "Build" in history
    shot(page, "05-history")

    # French
    page.click("nav.tabs >> text=Gantt")
    page.wait_for_selector("#gantt .bar-wrapper")
    page.click("form.langs button[value=fr]")
    page.wait_for_selector("html[lang=fr]")
    page.wait_for_selector("#gantt .bar-wrapper")
    assert page.inner_text("[data-zoom=Day]").strip() == "Jour"
    assert page.is_visible("nav.tabs >> text=Historique")
    # durations and lags in French MS Project's units, typed in either language
    assert row(page, "Design").locator("input[name=duration]").input_value() == "5j"
    guide_links = row(page, "Write the user guide").locator("input[name=predecessors]")
    assert guide_links.input_value() == "1FD+1j"
    type_cell(page, "Test", "duration", "2sem")
    type_cell(page, "Write the user guide", "predecessors", "1FD+2j")
    assert Task.objects.get(pk=test_pk).duration == 2 * 2400
    ready = page.get_attribute("#gantt", "data-ready")
    cell = row(page, "Test").locator("input[name=duration]")
    cell.fill("3d")  # English units are read too, and shown in French
    cell.press("Enter")
    wait_rescheduled(page, ready)
    page.wait_for_function(
        "() => [...document.querySelectorAll('#wbs-body tr')].some(r =>"
        " r.querySelector('input[name=name]').value === 'Test'"
        " && r.querySelector('input[name=duration]').value === '3j')"
    )
    shot(page, "06-french")
    assert not errors
    assert dt.date(2027, 3, 1) <= Task.objects.get(pk=launch.pk).start.date()
