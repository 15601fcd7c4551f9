"""The progress page: status date, % complete and actual dates in bulk (managers), own
tasks only (members), read only (viewers); bad cells are shown and nothing is saved."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jalon.web.planning import services
from jalon.web.planning.models import Task

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def task(project: Any, uid: int) -> Task:
    return Task.objects.get(project=project, uid=uid)


def row_data(project: Any, **cells: dict[str, str]) -> dict[str, str]:
    """The form as the page sends it, every editable task, with ``cells`` by uid."""
    data: dict[str, str] = {}
    for t in Task.objects.filter(project=project, is_summary=False):
        data[f"v_{t.pk}"] = str(t.version)
        data[f"pc_{t.pk}"] = f"{t.percent_complete:g}"
        data[f"as_{t.pk}"] = t.actual_start.date().isoformat() if t.actual_start else ""
        data[f"af_{t.pk}"] = t.actual_finish.date().isoformat() if t.actual_finish else ""
    for key, values in cells.items():
        t = task(project, int(key.removeprefix("uid")))
        for name, value in values.items():
            data[f"{name}_{t.pk}"] = value
    return data


def test_page_shows_inputs_by_role(project_roles: dict[str, Any]) -> None:
    project = project_roles["project"]
    url = reverse("planning:progress", args=[project.pk])
    design, build = task(project, 2), task(project, 3)
    manager = client_for(project_roles["manager"]).get(url).content.decode()
    assert f'name="pc_{design.pk}"' in manager and f'name="pc_{build.pk}"' in manager
    assert 'id="status-date"' in manager
    member = client_for(project_roles["member"]).get(url).content.decode()
    assert f'name="pc_{design.pk}"' in member and f'name="pc_{build.pk}"' not in member
    assert 'id="status-date"' not in member
    viewer = client_for(project_roles["viewer"]).get(url).content.decode()
    assert 'name="pc_' not in viewer
    assert "Build" in viewer


def test_manager_saves_many_tasks_at_once(project_roles: dict[str, Any]) -> None:
    project = project_roles["project"]
    url = reverse("planning:progress", args=[project.pk])
    response = client_for(project_roles["manager"]).post(
        url,
        row_data(
            project,
            uid2={"pc": "100", "as": "2027-01-04", "af": "2027-01-07"},
            uid3={"pc": "25", "as": "2027-01-08"},
        ),
    )
    assert response.status_code == 302
    design, build = task(project, 2), task(project, 3)
    assert design.percent_complete == 100
    assert design.actual_start == dt.datetime(2027, 1, 4, 8)
    assert design.actual_finish == dt.datetime(2027, 1, 7, 17)
    assert build.percent_complete == 25
    assert build.actual_start == dt.datetime(2027, 1, 8, 8)
    # rescheduled: Design finished a day early, Build started on the 8th
    assert build.start == dt.datetime(2027, 1, 8, 8)
    project.refresh_from_db()
    assert project.percent_complete > 0


def test_an_actual_finish_completes_the_task(project_roles: dict[str, Any]) -> None:
    project = project_roles["project"]
    client_for(project_roles["manager"]).post(
        reverse("planning:progress", args=[project.pk]),
        row_data(project, uid2={"af": "2027-01-08"}),
    )
    design = task(project, 2)
    assert design.percent_complete == 100
    assert design.actual_start is not None
    assert design.actual_finish == dt.datetime(2027, 1, 8, 17)


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({"pc": "140"}, "between 0 and 100"),
        ({"pc": "lots"}, "is not a percentage"),
        ({"as": "soon"}, "is not a date"),
        ({"as": "2027-01-08", "af": "2027-01-05"}, "comes before the actual start"),
    ],
)
def test_bad_cells_are_shown_and_nothing_is_saved(
    project_roles: dict[str, Any], cells: dict[str, str], message: str
) -> None:
    project = project_roles["project"]
    response = client_for(project_roles["manager"]).post(
        reverse("planning:progress", args=[project.pk]),
        row_data(project, uid2=cells, uid3={"pc": "50"}),
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert message in body
    assert 'aria-invalid="true"' in body
    assert task(project, 3).percent_complete == 0  # the good cell was not saved either


def test_member_updates_own_task_only(project_roles: dict[str, Any]) -> None:
    project = project_roles["project"]
    url = reverse("planning:progress", args=[project.pk])
    client = client_for(project_roles["member"])
    design, build = task(project, 2), task(project, 3)
    data = {f"v_{design.pk}": design.version, f"pc_{design.pk}": "40", f"pc_{build.pk}": "90"}
    assert client.post(url, data).status_code == 302
    assert task(project, 2).percent_complete == 40
    assert task(project, 3).percent_complete == 0  # not theirs: ignored


def test_viewer_cannot_post(project_roles: dict[str, Any]) -> None:
    project = project_roles["project"]
    response = client_for(project_roles["viewer"]).post(
        reverse("planning:progress", args=[project.pk]), row_data(project, uid2={"pc": "50"})
    )
    assert response.status_code == 403
    assert task(project, 2).percent_complete == 0


def test_status_date_set_cleared_and_today(project_roles: dict[str, Any]) -> None:
    project = project_roles["project"]
    client = client_for(project_roles["manager"])
    services.baseline_set(project=project, user=project_roles["manager"])
    project.refresh_from_db()
    url = reverse("planning:status_date", args=[project.pk])
    assert (
        client.post(url, {"status_date": "2027-01-13", "version": project.version}).status_code
        == 302
    )
    project.refresh_from_db()
    assert project.status_date == dt.datetime(2027, 1, 13, 17)
    # behind at the status date: the baseline says Design should have finished by then
    page = client.get(reverse("planning:progress", args=[project.pk]) + "?show=late")
    body = page.content.decode()
    assert "Design" in body
    assert "behind" in body
    assert "Done" not in body  # due in February
    client.post(url, {"status_date": "", "version": project.version})
    project.refresh_from_db()
    assert project.status_date is None
    client.post(url, {"today": "1", "version": project.version})
    project.refresh_from_db()
    assert project.status_date is not None and project.status_date.time() == dt.time(17)


def test_bad_status_date_is_a_message(project_roles: dict[str, Any]) -> None:
    project = project_roles["project"]
    response = client_for(project_roles["manager"]).post(
        reverse("planning:status_date", args=[project.pk]),
        {"status_date": "31/31/2027", "version": project.version},
        follow=True,
    )
    assert "is not a date" in response.content.decode()
    project.refresh_from_db()
    assert project.status_date is None


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 302), ("manager", 302), ("member", 403), ("viewer", 403), ("outsider", 404)],
)
def test_status_date_rights(project_roles: dict[str, Any], role: str, status: int) -> None:
    project = project_roles["project"]
    response = client_for(project_roles[role]).post(
        reverse("planning:status_date", args=[project.pk]),
        {"status_date": "2027-01-13", "version": project.version},
    )
    assert response.status_code == status
