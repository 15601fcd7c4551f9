"""Planning services: every edit reschedules in the same transaction, atomically."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from jalon.web.errors import ConflictError
from jalon.web.planning import services
from jalon.web.planning.models import Link, Task
from jalon.web.planning.selectors import project_history

pytestmark = pytest.mark.django_db


def task(project: Any, uid: int) -> Task:
    return Task.objects.get(project=project, uid=uid)


def test_import_schedules_and_stores_computed_dates(project_roles: dict[str, Any]) -> None:
    project = project_roles["project"]
    build = task(project, 3)
    assert build.start == dt.datetime(2027, 1, 11, 8)
    assert build.finish == dt.datetime(2027, 1, 22, 17)
    assert build.critical
    assert task(project, 1).is_summary
    assert task(project, 4).is_milestone
    project.refresh_from_db()
    assert project.scheduled_finish == dt.datetime(2027, 1, 22, 17)


def test_update_reschedules_successors_in_the_same_transaction(
    project_roles: dict[str, Any],
) -> None:
    project, manager = project_roles["project"], project_roles["manager"]
    design = task(project, 2)
    updated = services.task_update(
        task=design, data={"duration": 2 * 480}, version=design.version, user=manager
    )
    assert updated.version == design.version + 1
    assert updated.finish == dt.datetime(2027, 1, 5, 17)
    assert task(project, 3).start == dt.datetime(2027, 1, 6, 8)
    assert task(project, 4).finish == dt.datetime(2027, 1, 19, 17)


def test_engine_error_rolls_the_edit_back(project_roles: dict[str, Any]) -> None:
    project, manager = project_roles["project"], project_roles["manager"]
    done, design = task(project, 4), task(project, 2)
    with pytest.raises(ValidationError) as caught:
        services.link_create(predecessor=done, successor=design, user=manager)
    assert "cycle" in str(caught.value)
    assert not Link.objects.filter(predecessor=done).exists()
    with pytest.raises(ValidationError) as caught:
        services.task_update(
            task=design, data={"constraint_type": 2}, version=design.version, user=manager
        )
    assert "constraint" in str(caught.value)
    assert "Design" in str(caught.value)
    fresh = task(project, 2)
    assert fresh.constraint_type == 0
    assert fresh.version == design.version


def test_stale_version_is_a_conflict_with_both_versions(project_roles: dict[str, Any]) -> None:
    project, manager = project_roles["project"], project_roles["manager"]
    loaded = task(project, 3)
    services.task_update(
        task=loaded, data={"name": "Build it"}, version=loaded.version, user=manager
    )
    with pytest.raises(ConflictError) as caught:
        services.task_update(
            task=loaded, data={"name": "Construire"}, version=loaded.version, user=manager
        )
    assert caught.value.yours == {"name": "Construire"}
    assert caught.value.theirs == {"name": "Build it"}
    assert caught.value.current_version == loaded.version + 1
    assert task(project, 3).name == "Build it"


def test_rights_on_task_edits(project_roles: dict[str, Any]) -> None:
    project = project_roles["project"]
    design, build = task(project, 2), task(project, 3)
    with pytest.raises(Http404):
        services.task_update(
            task=design, data={"name": "x"}, version=design.version, user=project_roles["outsider"]
        )
    with pytest.raises(PermissionDenied):
        services.task_update(
            task=design, data={"name": "x"}, version=design.version, user=project_roles["viewer"]
        )
    member = project_roles["member"]
    with pytest.raises(PermissionDenied):
        services.task_update(task=design, data={"name": "x"}, version=design.version, user=member)
    with pytest.raises(PermissionDenied):  # not assigned to Build
        services.task_update(
            task=build, data={"percent_complete": 10}, version=build.version, user=member
        )
    done = services.task_update(
        task=design,
        data={"percent_complete": 50, "actual_start": dt.datetime(2027, 1, 4, 8)},
        version=design.version,
        user=member,
    )
    assert done.percent_complete == 50


def test_history_records_who_and_what(project_roles: dict[str, Any]) -> None:
    project, manager = project_roles["project"], project_roles["manager"]
    design = task(project, 2)
    services.task_update(
        task=design,
        data={"name": "Design v2", "duration": 960},
        version=design.version,
        user=manager,
    )
    entries = project_history(project=project, user=manager)
    latest = entries[0]
    assert latest.user == manager.username
    assert {(c.field, c.old, c.new) for c in latest.changes} >= {("name", "Design", "Design v2")}
    with pytest.raises(Http404):
        project_history(project=project, user=project_roles["outsider"])


def test_outline_edits(project_roles: dict[str, Any]) -> None:
    project, manager = project_roles["project"], project_roles["manager"]
    new = services.task_create(
        project=project,
        data={"name": "Test", "duration": 480},
        user=manager,
        after=task(project, 3),
    )
    assert new.parent_id == task(project, 1).pk
    assert [t.uid for t in Task.objects.filter(project=project).order_by("position")] == [
        1,
        2,
        3,
        5,
        4,
    ]
    done = task(project, 4)
    services.task_indent(task=done, version=done.version, user=manager)
    assert task(project, 4).parent_id == task(project, 1).pk
    test = task(project, 5)
    services.task_outdent(task=test, version=test.version, user=manager)
    # MS Project's outdent: the siblings below become subtasks of the outdented task
    assert task(project, 5).parent_id is None
    assert [t.uid for t in Task.objects.filter(parent=task(project, 5))] == [4]
    assert task(project, 5).is_summary
    # outdenting Design would make it the summary of Build, its own successor: refused
    design = task(project, 2)
    with pytest.raises(ValidationError, match="summary task cannot be linked"):
        services.task_outdent(task=design, version=design.version, user=manager)
    assert task(project, 2).parent_id == task(project, 1).pk
    services.task_delete(task=task(project, 5), version=task(project, 5).version, user=manager)
    # the subtree goes with it
    assert [t.uid for t in Task.objects.filter(project=project).order_by("position")] == [1, 2, 3]
    assert [t.position for t in Task.objects.filter(project=project).order_by("position")] == [
        0,
        1,
        2,
    ]


def test_summaries_roll_up_duration_and_progress(project_roles: dict[str, Any]) -> None:
    project, manager = project_roles["project"], project_roles["manager"]
    design = task(project, 2)
    services.progress_bulk_update(
        project=project,
        updates={design.pk: {"percent_complete": 50, "actual_start": dt.datetime(2027, 1, 4, 8)}},
        user=manager,
    )
    phase = task(project, 1)
    assert phase.scheduled_duration == 15 * 480
    # Design is 5 of the phase's 15 days of work, half done
    assert phase.rolled_percent == pytest.approx(100 * 0.5 * 5 / 15, abs=0.1)
    project.refresh_from_db()
    assert project.percent_complete == pytest.approx(100 * 0.5 * 5 / 15, abs=0.1)
    with pytest.raises(PermissionDenied):
        services.progress_bulk_update(
            project=project,
            updates={design.pk: {"percent_complete": 60}},
            user=project_roles["viewer"],
        )


def test_rescheduling_an_unchanged_plan_writes_nothing(project_roles: dict[str, Any]) -> None:
    from jalon.engine import schedule
    from jalon.web.planning.mapping import load_plan, write_schedule

    project = project_roles["project"]
    loaded = load_plan(project)
    assert write_schedule(loaded, schedule(loaded.plan)) == 0
    Task.objects.filter(project=project, uid=3).update(critical=False)  # a stale value
    loaded = load_plan(project)
    assert write_schedule(loaded, schedule(loaded.plan)) == 1
    assert task(project, 3).critical


def test_history_of_project_settings_and_links(project_roles: dict[str, Any]) -> None:
    project, manager = project_roles["project"], project_roles["manager"]
    services.project_update(
        project=project,
        data={"status_date": dt.datetime(2027, 1, 8, 17)},
        version=project.version,
        user=manager,
    )
    services.link_create(predecessor=task(project, 2), successor=task(project, 4), user=manager)
    entries = project_history(project=project, user=project_roles["viewer"])
    kinds = [(e.kind, e.action, e.user) for e in entries[:2]]
    assert ("link", "+", "manager") in kinds
    assert ("project", "~", "manager") in kinds
    settings_change = next(e for e in entries if e.kind == "project" and e.action == "~")
    assert [(c.field, c.new) for c in settings_change.changes] == [
        ("status_date", dt.datetime(2027, 1, 8, 17))
    ]
