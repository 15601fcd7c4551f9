"""The calendars, resources, progress and history pages in a real browser: a holiday
typed on the project calendar moves a task in the Gantt; progress entered in bulk;
the workload flags an over-allocation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from browser_helpers import login, shot
from django.contrib.auth.models import Permission, User

from jalon.engine import Link, Plan
from jalon.engine import Task as ETask
from jalon.web.planning.imports import project_import
from jalon.web.planning.models import Assignment, Calendar, Resource, Task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _project() -> Any:
    user = User.objects.create_user(
        username="claire", password="correct horse battery", first_name="Claire"
    )
    user.user_permissions.add(Permission.objects.get(codename="add_project"))
    plan = Plan(
        name="Office move",
        start=dt.datetime(2027, 1, 4, 8),
        tasks=(
            ETask(uid=1, name="Pack", duration=5 * 480),
            ETask(uid=2, name="Move", duration=5 * 480),
            ETask(uid=3, name="Unpack", duration=2 * 480),
        ),
        links=(Link(1, 2), Link(2, 3)),
    )
    project = project_import(plan=plan, user=user)
    Calendar.objects.create(project=project, name="Office", country="")
    project.calendar_name = "Office"
    project.save()
    return project


def finish_cell(page: Any, name: str) -> str:
    row = page.locator("#wbs-body tr", has=page.locator(f"input[name=name][value='{name}']"))
    return row.locator("input[name=finish]").input_value()


def test_holiday_on_the_project_calendar_moves_a_task(live_server: Any, context: Any) -> None:
    project = _project()
    base = live_server.url
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, base, "claire")

    page.goto(f"{base}/projects/{project.pk}/plan/")
    page.wait_for_selector("#gantt .bar-wrapper[data-id]")
    assert finish_cell(page, "Pack").startswith("2027-01-08")

    # the calendars page: the project calendar, edited to add a bridge day and holidays
    page.click("nav.tabs >> text=Calendars")
    page.wait_for_selector("#calendars")
    shot(page, "10-calendars")
    page.click("#calendar-office >> text=Edit")
    page.wait_for_selector("#calendar-form")
    page.select_option("select[name=country]", "FR")
    page.fill("textarea[name=exceptions]", "2027-01-06 Bridge day")
    page.fill("input[name=day_4]", "nine to five")  # a typo first: shown next to the field
    page.click("#calendar-form button[type=submit]")
    page.wait_for_selector(".day-row.invalid")
    assert "is not a time range" in page.inner_text(".day-row.invalid")
    shot(page, "11-calendar-error")
    page.fill("input[name=day_4]", "")
    page.click("#calendar-form button[type=submit]")
    page.wait_for_selector("#calendars")
    assert "Calendar 'Office' saved" in page.inner_text(".messages")
    assert "1 exception" in page.inner_text("#calendar-office")

    # Pack worked 5 days from Monday 4 January; with Wednesday off it ends on Monday 11
    page.click("nav.tabs >> text=Gantt")
    page.wait_for_selector("#gantt .bar-wrapper[data-id]")
    assert finish_cell(page, "Pack").startswith("2027-01-11")
    pack = Task.objects.get(project=project, uid=1)
    assert pack.finish == dt.datetime(2027, 1, 11, 17)
    shot(page, "12-gantt-after-holiday")
    assert not errors


def test_progress_and_workload(live_server: Any, context: Any) -> None:
    project = _project()
    person = Resource.objects.create(name="Hugo")
    for uid in (1, 2):
        Assignment.objects.create(
            project=project, task=Task.objects.get(project=project, uid=uid), resource=person
        )
    base = live_server.url
    page = context.new_page()
    login(page, base, "claire")

    page.goto(f"{base}/projects/{project.pk}/progress/")
    page.fill("#id_status_date", "2027-01-08")
    page.click("#status-date button[type=submit]:not([name])")
    page.wait_for_selector(".messages >> text=Status date set to 2027-01-08")
    pack = Task.objects.get(project=project, uid=1)
    page.fill(f"input[name=pc_{pack.pk}]", "60")
    page.fill(f"input[name=as_{pack.pk}]", "2027-01-04")
    page.click("#progress-form button[type=submit]")
    page.wait_for_selector(".messages >> text=Progress saved on 1 task(s)")
    pack.refresh_from_db()
    assert pack.percent_complete == 60
    assert pack.actual_start == dt.datetime(2027, 1, 4, 8)
    assert "60 %" not in page.inner_text("#project-facts")  # the project's, not the task's
    shot(page, "13-progress")

    # Move overlaps what is left of Pack for the same person once their link is gone:
    # 2 days of Pack and 5 of Move in the week after the status date, over-allocated
    page.click("nav.tabs >> text=Resources")
    page.wait_for_selector("#workload")
    assert page.locator("#workload td.over").count() == 0
    from jalon.web.planning.services import link_delete

    for link in Task.objects.get(project=project, uid=2).predecessor_links.all():
        link_delete(link=link, user=User.objects.get(username="claire"))
    page.reload()
    page.wait_for_selector("#workload td.over")
    # the assignments show the dates the workload counts: Move after the status date
    move = Assignment.objects.get(task__project=project, task__uid=2)
    assert "2027-01-11" in page.inner_text(f"#assignment-{move.pk}")
    shot(page, "14-resources")
    page.set_viewport_size({"width": 1920, "height": 1080})
    shot(page, "15-resources-wide")

    # Hugo also works on another project in the first week: its hours show after a +
    from jalon.web.planning.imports import project_import

    other = project_import(
        plan=Plan(
            name="Trade fair",
            start=dt.datetime(2027, 1, 4, 8),
            tasks=(ETask(uid=1, name="Stand", duration=2 * 480),),
        ),
        user=User.objects.get(username="claire"),
    )
    Assignment.objects.create(
        project=other, task=Task.objects.get(project=other, uid=1), resource=person
    )
    page.reload()
    first_week = page.locator("#workload tbody tr").first.locator("td.num").first
    assert "+16" in first_week.inner_text()
    assert "over" in (first_week.get_attribute("class") or "").split()
    shot(page, "16-resources-other-projects")
