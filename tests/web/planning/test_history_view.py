"""The history page: values as people read them (dates, durations, constraint and link
names, people and tasks by name) and entries grouped by save."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jalon.web.planning import selectors, services
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


def _older_link(body: str) -> str | None:
    found = re.search(r'href="\?before=([^"]+)" rel="next"', body)
    return found.group(1) if found else None


def test_paging_reaches_the_oldest_change(
    project_roles: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Older pages, followed from the newest, show every record once, down to the import;
    newer pages, followed back, show the same records."""
    project, manager = project_roles["project"], project_roles["manager"]
    design = task(project, 2)
    for days in (6, 7, 8):
        design.refresh_from_db()
        services.task_update(
            task=design, data={"duration": days * 480}, version=design.version, user=manager
        )
    monkeypatch.setattr(selectors, "HISTORY_PAGE", 3)
    client = Client()
    client.force_login(project_roles["viewer"])
    url = reverse("planning:history", args=[project.pk])
    bodies = [client.get(url).content.decode()]
    while (cursor := _older_link(bodies[-1])) is not None:
        assert len(bodies) < 20
        bodies.append(client.get(url, {"before": cursor}).content.decode())
    assert "<s>7d</s> → 8d" in bodies[0]
    assert "Older changes" in bodies[0] and "Newer changes" not in bodies[0]
    assert "Newer changes" in bodies[-1]
    assert "Small" in bodies[-1] and "created" in bodies[-1]  # the import's project record

    records = sum(
        model.history.filter(**{key: project.pk}).count()  # type: ignore[attr-defined]
        for _kind, model, key in selectors.HISTORY_MODELS
    )
    assert len(bodies) == -(-records // 3)
    seen: list[tuple[str, int]] = []
    page = selectors.project_history_page(project=project, user=manager)
    pages = [page]
    while page.older is not None:
        page = selectors.project_history_page(project=project, user=manager, before=page.older)
        pages.append(page)
    seen = [(e.kind, e.record.history_id) for p in pages for e in p.entries]
    assert len(seen) == len(set(seen)) == records  # each record once (no change is a no-op)
    back = [pages[-1]]
    while back[-1].newer is not None:
        back.append(
            selectors.project_history_page(project=project, user=manager, after=back[-1].newer)
        )
    assert [(e.kind, e.record.history_id) for p in reversed(back) for e in p.entries] == seen


def test_pages_stay_put_while_changes_arrive(
    project_roles: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    project, manager = project_roles["project"], project_roles["manager"]
    monkeypatch.setattr(selectors, "HISTORY_PAGE", 4)
    first = selectors.project_history_page(project=project, user=manager)
    assert first.older is not None
    second = selectors.project_history_page(project=project, user=manager, before=first.older)
    build = task(project, 3)
    services.task_update(task=build, data={"name": "Build it"}, version=build.version, user=manager)
    again = selectors.project_history_page(project=project, user=manager, before=first.older)
    assert [e.record.history_id for e in again.entries] == [
        e.record.history_id for e in second.entries
    ]
    assert selectors.project_history_page(project=project, user=manager).entries[0].label == (
        "Build it"
    )


def test_a_change_shows_its_diff_against_a_record_on_an_older_page(
    project_roles: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    project, manager = project_roles["project"], project_roles["manager"]
    design = task(project, 2)
    services.task_update(
        task=design, data={"duration": 7 * 480}, version=design.version, user=manager
    )
    monkeypatch.setattr(selectors, "HISTORY_PAGE", 1)  # the change alone on its page
    newest = selectors.project_history_page(project=project, user=manager)
    assert [(e.kind, e.action) for e in newest.entries] == [("task", "~")]
    body = page(project_roles)
    assert "Design" in body
    assert "<s>5d</s> → 7d" in body


def test_a_save_cut_by_a_page_says_so(
    project_roles: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    project, manager = project_roles["project"], project_roles["manager"]
    design, build = task(project, 2), task(project, 3)
    services.progress_bulk_update(
        project=project,
        updates={design.pk: {"percent_complete": 100}, build.pk: {"percent_complete": 10}},
        user=manager,
    )
    monkeypatch.setattr(selectors, "HISTORY_PAGE", 1)
    body = page(project_roles, "manager")
    assert "continued on the older page" in body
    older = _older_link(body)
    assert older is not None
    client = Client()
    client.force_login(manager)
    url = reverse("planning:history", args=[project.pk])
    assert "continued from the newer page" in client.get(url, {"before": older}).content.decode()


def test_a_bad_cursor_shows_the_newest_page(project_roles: dict[str, Any]) -> None:
    client = Client()
    client.force_login(project_roles["viewer"])
    url = reverse("planning:history", args=[project_roles["project"].pk])
    response = client.get(url, {"before": "yesterday", "after": "1-2-3"})
    assert response.status_code == 200
    assert "Design" in response.content.decode()


def test_history_pages_are_hidden_from_outsiders(project_roles: dict[str, Any]) -> None:
    project = project_roles["project"]
    cursor = selectors.project_history_page(project=project, user=project_roles["admin"], limit=2)
    assert cursor.older is not None
    client = Client()
    client.force_login(project_roles["outsider"])
    url = reverse("planning:history", args=[project.pk])
    for query in ({"before": str(cursor.older)}, {"after": str(cursor.older)}):
        response = client.get(url, query)
        assert response.status_code == 404
        assert b"Design" not in response.content


def test_history_pages_speak_french(
    project_roles: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors, "HISTORY_PAGE", 3)
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    client.force_login(project_roles["viewer"])
    body = client.get(reverse("planning:history", args=[project_roles["project"].pk]))
    text = body.content.decode()
    assert "Modifications plus anciennes" in text
    assert "suite sur la page plus ancienne" in text  # the import goes on on the older page
    client.force_login(project_roles["manager"])  # may create projects
    form = client.get(reverse("planning:import")).content.decode()
    assert "Format des dates" in form and "Inclure les cartes et listes archivées" in form
