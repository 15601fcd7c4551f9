"""What the planning editor sends back after an edit: a typed cell, a dragged bar or a
drawn link answers with the rows (and Gantt bars) the service names as changed, swapped
out of band; structural edits, bad input and conflicts answer with every row."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jalon.engine import Link, Plan
from jalon.engine import Task as ETask
from jalon.web.planning import services
from jalon.web.planning.imports import project_import
from jalon.web.planning.models import Task

pytestmark = pytest.mark.django_db


def two_branches() -> Plan:
    """Phase A (A1 -> A2, 2 days each) and phase B (B1, 20 days): B1 sets the project's
    finish, so lengthening A1 moves A1, A2 and phase A only."""
    return Plan(
        name="Two branches",
        start=dt.datetime(2027, 1, 4, 8),
        tasks=(
            ETask(uid=1, name="Phase A"),
            ETask(uid=2, name="A1", duration=2 * 480, parent=1),
            ETask(uid=3, name="A2", duration=2 * 480, parent=1),
            ETask(uid=4, name="Phase B"),
            ETask(uid=5, name="B1", duration=20 * 480, parent=4),
            ETask(uid=6, name="B2", duration=480, parent=4),
        ),
        links=(Link(2, 3),),
    )


@pytest.fixture
def setup(admin: Any) -> tuple[Client, Any, dict[str, Task]]:
    project = project_import(plan=two_branches(), user=admin)
    client = Client()
    client.force_login(admin)
    tasks = {t.name: t for t in Task.objects.filter(project=project)}
    return client, project, tasks


def row_ids(html: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'<tr id="task-(\d+)"', html)}


def bars(html: str) -> dict[int, dict[str, Any]]:
    found = re.search(
        r'<script id="gantt-changes-data" type="application/json">(.*?)</script>', html, re.S
    )
    assert found, "no Gantt bars in the answer"
    return {bar["pk"]: bar for bar in json.loads(found.group(1))}


def post_cell(client: Client, project: Any, t: Task, field: str, value: str, version=None):
    return client.post(
        reverse("planning:task_edit", args=[project.pk]),
        {
            "task": t.pk,
            "version": Task.objects.get(pk=t.pk).version if version is None else version,
            "field": field,
            "value": value,
        },
    )


def test_duration_answers_with_the_moved_rows_only(setup: Any) -> None:
    client, project, t = setup
    a2_start = t["A2"].start
    response = post_cell(client, project, t["A1"], "duration", "3d")
    assert response.status_code == 200
    assert response["HX-Reswap"] == "none"  # the grid is left as it is
    assert json.loads(response["HX-Trigger"])["jalon:scheduled"]["bars"] is True
    html = response.content.decode()
    assert 'id="wbs-body"' not in html
    moved = {t["A1"].pk, t["A2"].pk, t["Phase A"].pk}
    assert row_ids(html) == moved
    assert html.count('hx-swap-oob="true"><td class="wbs"') == 3
    # the rows carry the new values and version
    a1, a2 = Task.objects.get(pk=t["A1"].pk), Task.objects.get(pk=t["A2"].pk)
    assert a2.start > a2_start
    assert f'data-version="{a1.version}"' in html
    assert f'value="{a2.start:%Y-%m-%d}"' in html and 'value="3d"' in html
    # the bars of those tasks, with their new dates, and no other
    changed = bars(html)
    assert set(changed) == moved
    assert changed[a2.pk]["start"] == f"{a2.start:%Y-%m-%d %H:%M}"
    assert changed[a1.pk]["version"] == a1.version
    # the project header, out of band
    assert 'id="project-facts" hx-swap-oob="true"' in html


def test_name_answers_with_its_row(setup: Any) -> None:
    client, project, t = setup
    response = post_cell(client, project, t["B2"], "name", "Acceptance <tests>")
    assert response.status_code == 200
    html = response.content.decode()
    assert row_ids(html) == {t["B2"].pk}
    assert 'value="Acceptance &lt;tests&gt;"' in html
    assert bars(html)[t["B2"].pk]["name"] == "Acceptance <tests>"


def test_predecessors_typed_and_link_drawn(setup: Any) -> None:
    client, project, t = setup
    # B2 after A2: B2 moves (B1 still sets the finish)
    response = post_cell(client, project, t["B2"], "predecessors", t["A2"].outline_number)
    assert response.status_code == 200
    html = response.content.decode()
    assert t["B2"].pk in row_ids(html)
    assert t["B1"].pk not in row_ids(html)
    assert f'name="predecessors" value="{t["A2"].outline_number}"' in html
    assert bars(html)[t["B2"].pk]["dependencies"] == f"t{t['A2'].pk}"
    # a link drawn in the Gantt (A1 -> B2: nothing moves): the successor's row shows it
    response = client.post(
        reverse("planning:link_add", args=[project.pk]),
        {"predecessor": t["A1"].pk, "successor": t["B2"].pk},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert row_ids(html) == {t["B2"].pk}
    both = f"{t['A2'].outline_number}, {t['A1'].outline_number}"
    assert f'name="predecessors" value="{both}"' in html


def test_bar_dragged_answers_with_the_moved_rows(setup: Any) -> None:
    client, project, t = setup
    response = client.post(
        reverse("planning:gantt_drag", args=[project.pk]),
        {"task": t["A2"].pk, "version": t["A2"].version, "mode": "move", "value": "2027-01-20"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    # A2 and its phase move; A1 gains float (its stored float changed)
    assert row_ids(html) == {t["A1"].pk, t["A2"].pk, t["Phase A"].pk}
    assert bars(html)[t["A2"].pk]["start"] == "2027-01-20 08:00"


def test_structural_edits_bad_input_and_conflicts_answer_with_every_row(
    setup: Any, admin: Any
) -> None:
    client, project, t = setup
    everyone = {task.pk for task in t.values()}
    response = client.post(
        reverse("planning:task_action", args=[project.pk, "indent"]),
        {"task": t["B2"].pk, "version": t["B2"].version},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="wbs-body"' in html and "HX-Reswap" not in response
    assert row_ids(html) == everyone
    assert "bars" not in json.loads(response["HX-Trigger"])["jalon:scheduled"]

    response = post_cell(client, project, t["A1"], "duration", "abc")
    assert response.status_code == 422
    assert row_ids(response.content.decode()) == everyone
    assert 'aria-invalid="true"' in response.content.decode()

    stale = Task.objects.get(pk=t["A1"].pk).version
    services.task_update(task=t["A1"], data={"duration": 480}, version=stale, user=admin)
    response = post_cell(client, project, t["A1"], "duration", "4d", version=stale)
    assert response.status_code == 409
    assert row_ids(response.content.decode()) == everyone
    assert "Apply mine" in response.content.decode()


def test_many_changed_rows_answer_with_the_grid(setup: Any, monkeypatch: Any) -> None:
    from jalon.web.planning import editor

    client, project, t = setup
    monkeypatch.setattr(editor, "CHANGED_ROWS_LIMIT", 2)
    response = post_cell(client, project, t["A1"], "duration", "4d")  # 3 rows change
    assert response.status_code == 200
    assert 'id="wbs-body"' in response.content.decode() and "HX-Reswap" not in response


def test_the_service_names_the_rows_it_changed(setup: Any, admin: Any) -> None:
    _client, _project, t = setup
    done = services.task_update(
        task=t["A1"], data={"duration": 5 * 480}, version=t["A1"].version, user=admin
    )
    assert done.rescheduled == {t["A1"].pk, t["A2"].pk, t["Phase A"].pk}
    # nothing moves: the edited task only
    done = services.task_update(task=done, data={"name": "First"}, version=done.version, user=admin)
    assert done.rescheduled == {t["A1"].pk}


def test_selectors_restricted_to_tasks_agree_with_the_whole(setup: Any, admin: Any) -> None:
    from jalon.web.planning import selectors

    _client, project, t = setup
    b2 = t["B2"]
    text = f"{t['A2'].outline_number}SS+2d, {t['A1'].outline_number}FF-1ed"
    b2 = services.task_predecessors_set(task=b2, text=text, version=b2.version, user=admin)
    services.task_resources_set(
        task=b2, resources=[("Alice", 1.0), ("Bob", 0.5)], version=b2.version, user=admin
    )
    some = [t["A2"].pk, b2.pk, t["Phase B"].pk]
    for read in (selectors.predecessors_text, selectors.assignments_text):
        whole = read(project=project, user=admin)
        assert whole[b2.pk]
        part = read(project=project, user=admin, tasks=some)
        assert part == {pk: text for pk, text in whole.items() if pk in some}
    whole_bars = [
        bar for bar in selectors.gantt_tasks(project=project, user=admin) if bar["pk"] in some
    ]
    assert selectors.gantt_tasks(project=project, user=admin, tasks=some) == whole_bars


def test_a_members_answer_keeps_their_cells_editable(project_roles: dict[str, Any]) -> None:
    project, member = project_roles["project"], project_roles["member"]
    design = Task.objects.get(project=project, uid=2)  # assigned to the member
    client = Client()
    client.force_login(member)
    response = post_cell(client, project, design, "percent_complete", "30")
    assert response.status_code == 200
    html = response.content.decode()
    assert design.pk in row_ids(html)
    row = re.search(rf'<tr id="task-{design.pk}".*?</tr>', html, re.S)
    assert row is not None
    percent = re.search(r'<input name="percent_complete"[^>]*>', row.group(0))
    assert percent is not None and 'value="30"' in percent.group(0)
    assert "readonly" not in percent.group(0)
    assert re.search(r'<input name="name"[^>]*readonly', row.group(0))
