"""The calendars page: list, create, edit, delete, project calendar; every save
reschedules the project; bad input is shown next to the field, never a 500."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jalon.web.planning.calendartext import (
    CalendarTextError,
    format_exceptions,
    parse_exceptions,
    parse_times,
)
from jalon.web.planning.models import Calendar, Task

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def task(project: Any, uid: int) -> Task:
    return Task.objects.get(project=project, uid=uid)


def form_data(**overrides: str) -> dict[str, str]:
    data = {
        "name": "France",
        "base_name": "",
        "country": "FR",
        "subdivision": "",
        "exceptions": "",
        **{f"day_{d}": "" for d in range(7)},
    }
    data.update(overrides)
    return data


# -- the text the page reads -----------------------------------------------------------------


def test_times_are_read_and_written_back() -> None:
    assert parse_times("08:00-12:00, 13:00-17:00") == [[480, 720], [780, 1020]]
    assert parse_times("8-12,13h30-17") == [[480, 720], [810, 1020]]
    assert parse_times("off") == []
    assert parse_times("22:00-00:00") == [[1320, 1440]]


@pytest.mark.parametrize("text", ["8 to 12", "12:00-08:00", "08:00-12:00, 11:00-13:00", "25-26"])
def test_bad_times_are_refused(text: str) -> None:
    with pytest.raises(CalendarTextError):
        parse_times(text)


def test_exceptions_round_trip() -> None:
    text = (
        "2027-05-07 Bridge day\n"
        "2027-08-02..2027-08-13 Summer closure\n"
        "2027-06-05 08:00-12:00 Saturday worked"
    )
    parsed = parse_exceptions(text)
    assert parsed[0] == {
        "start": "2027-05-07",
        "finish": "2027-05-07",
        "name": "Bridge day",
        "working_times": [],
        "recurrence": None,
    }
    assert parsed[1]["finish"] == "2027-08-13"
    assert parsed[2]["working_times"] == [[480, 720]]
    assert format_exceptions(parsed) == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("next friday", "Line 1"),
        ("2027-02-30", "does not exist"),
        ("2027-05-09..2027-05-07", "comes before"),
        ("\n2027-05-07 13:00-12:00", "Line 2"),
    ],
)
def test_bad_exception_lines_name_the_line(text: str, message: str) -> None:
    with pytest.raises(CalendarTextError, match=message):
        parse_exceptions(text)


# -- the pages -------------------------------------------------------------------------------


def test_page_lists_project_portfolio_and_builtin_calendars(project_roles: dict[str, Any]) -> None:
    project = project_roles["project"]
    Calendar.objects.create(project=None, name="Part time", week={"4": []})
    Calendar.objects.create(project=project, name="Site", country="DE", subdivision="BY")
    response = client_for(project_roles["viewer"]).get(
        reverse("planning:calendars", args=[project.pk])
    )
    assert response.status_code == 200
    body = response.content.decode()
    for name in ("Site", "Part time", "Standard", "24 Hours"):
        assert name in body
    assert "DE-BY" in body
    assert "Heilige Drei Könige" in body or "Epiphany" in body  # Bavaria's 6 January
    # a viewer sees no edit controls
    assert reverse("planning:calendar_create", args=[project.pk]) not in body
    manager_body = (
        client_for(project_roles["manager"])
        .get(reverse("planning:calendars", args=[project.pk]))
        .content.decode()
    )
    assert reverse("planning:calendar_create", args=[project.pk]) in manager_body


def test_create_with_holidays_then_use_it_moves_tasks(project_roles: dict[str, Any]) -> None:
    project = project_roles["project"]
    client = client_for(project_roles["manager"])
    design_finish = task(project, 2).finish
    response = client.post(
        reverse("planning:calendar_create", args=[project.pk]),
        form_data(exceptions="2027-01-05 Team day"),
    )
    assert response.status_code == 302
    calendar = Calendar.objects.get(project=project, name="France")
    assert calendar.country == "FR"
    assert calendar.exceptions[0]["start"] == "2027-01-05"
    project.refresh_from_db()
    response = client.post(
        reverse("planning:project_calendar", args=[project.pk]),
        {"calendar_name": "France", "version": project.version},
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.calendar_name == "France"
    # 2027-01-05 is off: Design (5 days from Monday 4 January) ends on Monday, not Friday
    assert design_finish.date() == dt.date(2027, 1, 8)
    assert task(project, 2).finish.date() == dt.date(2027, 1, 11)


def test_edit_week_reschedules(project_roles: dict[str, Any]) -> None:
    project = project_roles["project"]
    calendar = Calendar.objects.create(project=project, name="Short")
    project.calendar_name = "Short"
    project.save()
    client = client_for(project_roles["manager"])
    url = reverse("planning:calendar_edit", args=[project.pk, calendar.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b"08:00-12:00, 13:00-17:00" in page.content  # the Standard week, as a hint
    response = client.post(
        url, form_data(name="Short", country="", day_0="09:00-13:00", day_4="off")
    )
    assert response.status_code == 302
    calendar.refresh_from_db()
    assert calendar.week == {"0": [[540, 780]], "4": []}
    # Design: 5 days of 8 h, now on a week of 3 x 8 h + 4 h: it ends in its second week
    assert task(project, 2).finish.date() > dt.date(2027, 1, 11)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"day_2": "8 to 12"}, "day_2"),
        ({"exceptions": "tomorrow"}, "exceptions"),
        ({"subdivision": "XX"}, "subdivision"),
        ({"name": ""}, "name"),
        ({"country": "ZZ"}, "country"),
    ],
)
def test_bad_input_is_shown_next_to_the_field(
    project_roles: dict[str, Any], overrides: dict[str, str], field: str
) -> None:
    project = project_roles["project"]
    response = client_for(project_roles["manager"]).post(
        reverse("planning:calendar_create", args=[project.pk]), form_data(**overrides)
    )
    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert b'class="errorlist"' in response.content
    assert not Calendar.objects.filter(project=project).exists()


def test_duplicate_name_is_a_name_error(project_roles: dict[str, Any]) -> None:
    project = project_roles["project"]
    Calendar.objects.create(project=project, name="France")
    response = client_for(project_roles["manager"]).post(
        reverse("planning:calendar_create", args=[project.pk]), form_data()
    )
    assert response.status_code == 422
    assert "name" in response.context["form"].errors


def test_recurring_exceptions_are_kept(project_roles: dict[str, Any]) -> None:
    project = project_roles["project"]
    yearly = {
        "start": "2027-12-24",
        "finish": "2027-12-24",
        "name": "Christmas Eve",
        "working_times": [],
        "recurrence": {"type": "yearly", "interval": 1, "day": 24, "month": 12},
    }
    calendar = Calendar.objects.create(project=project, name="Office", exceptions=[yearly])
    client = client_for(project_roles["manager"])
    url = reverse("planning:calendar_edit", args=[project.pk, calendar.pk])
    assert b"Christmas Eve" not in client.get(url).content  # not in the text area
    response = client.post(url, form_data(name="Office", country="", exceptions="2027-03-01"))
    assert response.status_code == 302
    calendar.refresh_from_db()
    assert [e["name"] for e in calendar.exceptions] == ["", "Christmas Eve"]


def test_delete_unused_and_refuse_used(project_roles: dict[str, Any]) -> None:
    project = project_roles["project"]
    client = client_for(project_roles["manager"])
    unused = Calendar.objects.create(project=project, name="Spare")
    used = Calendar.objects.create(project=project, name="Site")
    Calendar.objects.create(project=project, name="Site night", base_name="Site")
    t = task(project, 3)
    t.calendar = used
    t.save()
    response = client.post(
        reverse("planning:calendar_delete", args=[project.pk, used.pk]), follow=True
    )
    body = response.content.decode()
    assert "cannot be deleted" in body
    assert "1 task(s) work on it" in body
    assert "Site night" in body
    assert Calendar.objects.filter(pk=used.pk).exists()
    response = client.post(
        reverse("planning:calendar_delete", args=[project.pk, unused.pk]), follow=True
    )
    assert "Calendar &#x27;Spare&#x27; deleted." in response.content.decode()
    assert not Calendar.objects.filter(pk=unused.pk).exists()


def test_project_calendar_cannot_be_deleted(project_roles: dict[str, Any]) -> None:
    project = project_roles["project"]
    calendar = Calendar.objects.create(project=project, name="Main")
    project.calendar_name = "Main"
    project.save()
    response = client_for(project_roles["admin"]).post(
        reverse("planning:calendar_delete", args=[project.pk, calendar.pk]), follow=True
    )
    assert "it is the project calendar" in response.content.decode()
    assert Calendar.objects.filter(pk=calendar.pk).exists()


def test_stale_project_version_is_a_message(project_roles: dict[str, Any]) -> None:
    project = project_roles["project"]
    response = client_for(project_roles["manager"]).post(
        reverse("planning:project_calendar", args=[project.pk]),
        {"calendar_name": "24 Hours", "version": project.version + 5},
        follow=True,
    )
    # a conflict: someone changed the project since the page was loaded
    assert "changed by someone else" in response.content.decode()
    project.refresh_from_db()
    assert project.calendar_name == "Standard"


def test_calendar_of_another_project_is_404(project_roles: dict[str, Any], small_plan: Any) -> None:
    from jalon.web.planning.imports import project_import

    other = project_import(plan=small_plan, user=project_roles["admin"])
    foreign = Calendar.objects.create(project=other, name="Theirs")
    project = project_roles["project"]
    response = client_for(project_roles["manager"]).get(
        reverse("planning:calendar_edit", args=[project.pk, foreign.pk])
    )
    assert response.status_code == 404
