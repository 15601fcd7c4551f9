"""The resources page: people with their assignments, the weekly workload with
over-allocations, people added and edited by resource managers, assignments by the
project's managers; bad input shown next to the field, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jalon.web.planning import selectors, services
from jalon.web.planning.models import Assignment, Calendar, Resource, Task

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def task(project: Any, uid: int) -> Task:
    return Task.objects.get(project=project, uid=uid)


def person(**values: Any) -> dict[str, Any]:
    data = {
        "name": "Alice Martin",
        "code": "AM",
        "email": "alice@example.org",
        "type": "work",
        "group": "Dev",
        "max_units": "100",
        "standard_rate": "80",
        "overtime_rate": "120",
        "cost_per_use": "0",
        "calendar": "",
        "skills": "Python, SQL",
        "version": "",
    }
    data.update(values)
    return data


def test_page_lists_people_assignments_and_workload(project_roles: dict[str, Any]) -> None:
    project = project_roles["project"]
    response = client_for(project_roles["viewer"]).get(
        reverse("planning:resources", args=[project.pk])
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Member person" in body
    assert 'id="workload"' in body
    assert 'id="assign"' not in body  # a viewer cannot assign
    # Design: 5 days of 8 h from Monday 4 January 2027, all in one week
    row = response.context["workload"].rows[0]
    assert row.name == "Member person"
    assert [c.load for c in row.cells if c.load] == [40.0]
    assert not row.over_periods


def test_overallocation_is_flagged(project_roles: dict[str, Any]) -> None:
    project = project_roles["project"]
    resource = Resource.objects.get(name="Member person")
    # Design and Build in parallel for the same person: two tasks at 100 % in one week
    build = task(project, 3)
    manager = project_roles["manager"]
    for link in build.predecessor_links.all():
        services.link_delete(link=link, user=manager)
    services.assignment_create(task=build, resource=resource, user=manager)
    workload = selectors.project_workload(project=project, user=project_roles["manager"])
    row = workload.rows[0]
    assert row.cells[0].load == 80.0 and row.cells[0].capacity == 40.0
    assert row.cells[0].over
    page = client_for(project_roles["manager"]).get(
        reverse("planning:resources", args=[project.pk])
    )
    assert 'class="num over"' in page.content.decode()


def test_holiday_lowers_the_capacity(project_roles: dict[str, Any]) -> None:
    project = project_roles["project"]
    part_time = Calendar.objects.create(
        project=None,
        name="Holiday week",
        exceptions=[
            {"start": "2027-01-05", "finish": "2027-01-05", "name": "Off", "working_times": []}
        ],
    )
    resource = Resource.objects.get(name="Member person")
    resource.calendar = part_time
    resource.save()
    workload = selectors.project_workload(project=project, user=project_roles["manager"])
    assert workload.rows[0].cells[0].capacity == 32.0


def test_work_in_other_projects_counts_against_capacity(
    project_roles: dict[str, Any], admin: Any, small_plan: Any
) -> None:
    """The same person on another project's task the same week: for whoever may see
    that project the week is over and the page shows its hours (nothing else of it); for
    a user outside it, nothing of it counts; a done project's work does not count."""
    from jalon.web.planning.imports import project_import
    from jalon.web.projects.models import Membership, Project

    project = project_roles["project"]
    resource = Resource.objects.get(name="Member person")
    other = project_import(plan=small_plan.replace(name="Secret bid"), user=admin)
    Assignment.objects.create(project=other, task=task(other, 2), resource=resource)
    Membership.objects.create(project=other, user=project_roles["viewer"], role="viewer")
    workload = selectors.project_workload(project=project, user=project_roles["viewer"])
    week = workload.rows[0].cells[0]
    assert (week.load, week.other, week.capacity) == (40.0, 40.0, 40.0)
    assert week.over and week.percent == 200.0
    body = (
        client_for(project_roles["viewer"])
        .get(reverse("planning:resources", args=[project.pk]))
        .content.decode()
    )
    assert "+40" in body and "Secret bid" not in body
    # the project's manager is not in the other project: its work stays out of sight
    hidden = selectors.project_workload(project=project, user=project_roles["manager"])
    assert hidden.rows[0].cells[0].other == 0.0 and not hidden.rows[0].over_periods
    assert "+40" not in (
        client_for(project_roles["manager"])
        .get(reverse("planning:resources", args=[project.pk]))
        .content.decode()
    )
    Project.objects.filter(pk=other.pk).update(status=Project.Status.DONE)
    week = selectors.project_workload(project=project, user=project_roles["viewer"])
    assert week.rows[0].cells[0].other == 0.0
    assert not week.rows[0].over_periods


def test_manager_creates_and_edits_a_person(project_roles: dict[str, Any]) -> None:
    project = project_roles["project"]
    client = client_for(project_roles["manager"])
    calendar = Calendar.objects.create(project=None, name="Part time", week={"4": []})
    response = client.post(
        reverse("planning:resource_create", args=[project.pk]),
        person(max_units="50", calendar=str(calendar.pk)),
    )
    assert response.status_code == 302
    alice = Resource.objects.get(name="Alice Martin")
    assert alice.max_units == 0.5
    assert alice.skills == ["Python", "SQL"]
    assert alice.calendar == calendar
    url = reverse("planning:resource_edit", args=[project.pk, alice.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b'value="Alice Martin"' in page.content
    response = client.post(url, person(name="Alice M.", version=str(alice.version)))
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.name == "Alice M." and alice.calendar is None
    # a stale version: someone saved in between
    response = client.post(url, person(name="Alice Old", version="1"))
    assert response.status_code == 422
    assert "changed by someone else" in response.content.decode()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name": ""}, "name"),
        ({"email": "not-an-address"}, "email"),
        ({"max_units": "-5"}, "max_units"),
        ({"standard_rate": "lots"}, "standard_rate"),
        ({"calendar": "99999"}, "calendar"),
    ],
)
def test_bad_person_is_shown_next_to_the_field(
    project_roles: dict[str, Any], values: dict[str, str], field: str
) -> None:
    project = project_roles["project"]
    response = client_for(project_roles["manager"]).post(
        reverse("planning:resource_create", args=[project.pk]), person(**values)
    )
    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert not Resource.objects.filter(name="Alice Martin").exists()


def test_assign_edit_and_remove(project_roles: dict[str, Any]) -> None:
    project = project_roles["project"]
    client = client_for(project_roles["manager"])
    alice = Resource.objects.create(name="Alice")
    build = task(project, 3)
    response = client.post(
        reverse("planning:resources", args=[project.pk]),
        {"task": build.pk, "resource": alice.pk, "units": "50", "work": ""},
    )
    assert response.status_code == 302
    assignment = Assignment.objects.get(task=build, resource=alice)
    assert assignment.units == 0.5 and assignment.work is None
    response = client.post(
        reverse("planning:assignment_edit", args=[project.pk, assignment.pk]),
        {"units": "100", "work": "20"},
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.units == 1.0 and assignment.work == 20 * 60
    # a bad value is a message; nothing changes
    response = client.post(
        reverse("planning:assignment_edit", args=[project.pk, assignment.pk]),
        {"units": "0", "work": ""},
        follow=True,
    )
    assert "Units (%)" in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.units == 1.0
    response = client.post(reverse("planning:assignment_delete", args=[project.pk, assignment.pk]))
    assert response.status_code == 302
    assert not Assignment.objects.filter(pk=assignment.pk).exists()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"units": "0"}, "units"),
        ({"task": "99999"}, "task"),
        ({"resource": ""}, "resource"),
        ({"work": "-1"}, "work"),
    ],
)
def test_bad_assignment_is_shown_next_to_the_field(
    project_roles: dict[str, Any], values: dict[str, str], field: str
) -> None:
    project = project_roles["project"]
    alice = Resource.objects.create(name="Alice")
    data = {"task": task(project, 3).pk, "resource": alice.pk, "units": "100", "work": ""}
    data.update(values)
    response = client_for(project_roles["manager"]).post(
        reverse("planning:resources", args=[project.pk]), data
    )
    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert not Assignment.objects.filter(resource=alice).exists()


def test_assigning_twice_is_a_resource_error(project_roles: dict[str, Any]) -> None:
    project = project_roles["project"]
    member_person = Resource.objects.get(name="Member person")
    response = client_for(project_roles["manager"]).post(
        reverse("planning:resources", args=[project.pk]),
        {"task": task(project, 2).pk, "resource": member_person.pk, "units": "100"},
    )
    assert response.status_code == 422
    assert "already assigned" in response.content.decode()


def test_summary_tasks_cannot_be_chosen(project_roles: dict[str, Any]) -> None:
    project = project_roles["project"]
    alice = Resource.objects.create(name="Alice")
    response = client_for(project_roles["manager"]).post(
        reverse("planning:resources", args=[project.pk]),
        {"task": task(project, 1).pk, "resource": alice.pk, "units": "100"},
    )
    assert response.status_code == 422
    assert "task" in response.context["form"].errors


def test_assignment_of_another_project_is_404(
    project_roles: dict[str, Any], small_plan: Any
) -> None:
    from jalon.web.planning.imports import project_import

    other = project_import(plan=small_plan, user=project_roles["admin"])
    theirs = Assignment.objects.create(
        project=other, task=task(other, 2), resource=Resource.objects.create(name="Bob")
    )
    project = project_roles["project"]
    response = client_for(project_roles["manager"]).post(
        reverse("planning:assignment_delete", args=[project.pk, theirs.pk])
    )
    assert response.status_code == 404
    assert Assignment.objects.filter(pk=theirs.pk).exists()
