"""How ``project_import`` stores a plan: computed dates written with the rows, the same
as a reschedule from the database would find, every row with its history, all or
nothing, and a number of queries that does not grow with the plan."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jalon.engine import (
    Assignment as EAssignment,
)
from jalon.engine import (
    CalendarSpec,
    Link,
    Plan,
    WorkingTime,
    save_baseline,
    schedule,
)
from jalon.engine import (
    Resource as EResource,
)
from jalon.engine import (
    Task as ETask,
)
from jalon.io import load_plan as read_file
from jalon.web.planning.bulk import Table, reserve_ids
from jalon.web.planning.imports import plan_read, project_import
from jalon.web.planning.mapping import calendar_row, load_plan, write_schedule
from jalon.web.planning.models import Assignment, BaselineTask, Calendar, Resource, Task
from jalon.web.planning.models import Link as LinkRow
from jalon.web.planning.selectors import project_history
from jalon.web.projects.models import Project

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data" / "msproject"
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml")) + sorted(
    (ROOT / "src" / "jalon" / "web" / "demo_plans").glob("*.yaml")
)
START = dt.datetime(2027, 1, 4, 8, 0)  # a Monday
NIGHTS = CalendarSpec(
    name="Nights",
    week=dict.fromkeys(range(5), (WorkingTime(1200, 1440),)) | {5: (), 6: ()},
)


def rescheduled_rows(project: Project) -> int:
    """How many task rows a reschedule from the database changes (0: the import wrote
    the dates the database's own plan gives)."""
    loaded = load_plan(project)
    return write_schedule(loaded, schedule(loaded.plan))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_are_stored_with_their_final_dates(admin: Any, path: Path) -> None:
    project = project_import(plan=read_file(path), user=admin)
    assert Task.objects.filter(project=project).count() > 0
    assert rescheduled_rows(project) == 0


@pytest.mark.parametrize(
    "name",
    [
        "projectlibre/New Product.xml",
        "mpxj/junit/data/generated/assignment-assignments/assignment-assignments-project2016-mspdi.xml",
    ],
)
def test_ms_project_files_are_stored_with_their_final_dates(admin: Any, name: str) -> None:
    path = SHARED / name
    if not path.is_file():
        pytest.skip(f"shared test data not found: {path}")
    with path.open("rb") as stream:
        plan = plan_read(stream, filename=path.name)
    project = project_import(plan=plan, user=admin)
    assert rescheduled_rows(project) == 0
    assert not Task.objects.filter(project=project, outline_number="").exists()


def staffed_plan() -> Plan:
    return Plan(
        name="Staffed",
        start=START,
        tasks=(
            ETask(uid=1, name="Phase"),
            ETask(uid=2, name="Pour", duration=960, parent=1),
            ETask(uid=3, name="Cure", duration=480, parent=1),
        ),
        links=(Link(2, 3),),
        resources=(EResource(uid=7, name="Night crew", email="crew@example.org"),),
        assignments=(EAssignment(task=2, resource=7), EAssignment(task=3, resource=7)),
    )


def test_a_known_person_brings_their_own_calendar(admin: Any) -> None:
    nights = calendar_row(NIGHTS, None)
    nights.save()
    Resource.objects.create(name="Crew", email="CREW@example.org", calendar=nights)
    plan = staffed_plan()
    project = project_import(plan=plan, user=admin)
    assert rescheduled_rows(project) == 0
    pour = Task.objects.get(project=project, uid=2)
    # the portfolio's person works nights: the task follows their calendar, not the file's
    assert pour.start == dt.datetime(2027, 1, 4, 20, 0)
    assert pour.start != schedule(plan).task(2).start
    assert Assignment.objects.filter(project=project).count() == 2


def test_a_portfolio_calendar_named_like_the_projects_is_the_projects(admin: Any) -> None:
    calendar_row(CalendarSpec(name="Standard", week=NIGHTS.week), None).save()
    plan = Plan(name="Plain", start=START, tasks=(ETask(uid=1, name="A", duration=480),))
    project = project_import(plan=plan, user=admin)
    assert rescheduled_rows(project) == 0
    assert Task.objects.get(project=project).start == dt.datetime(2027, 1, 4, 20, 0)


def test_two_people_of_the_file_who_are_one_person_make_one_assignment(admin: Any) -> None:
    plan = Plan(
        name="Twice",
        start=START,
        tasks=(ETask(uid=1, name="A", duration=480),),
        resources=(
            EResource(uid=1, name="Ann", email="ann@example.org"),
            EResource(uid=2, name="Ann B.", email="ann@example.org"),
        ),
        assignments=(EAssignment(task=1, resource=1), EAssignment(task=1, resource=2)),
    )
    project = project_import(plan=plan, user=admin)
    assert Assignment.objects.filter(project=project).count() == 1
    assert rescheduled_rows(project) == 0


def test_baselines_are_stored_and_read_back(admin: Any) -> None:
    plan = staffed_plan()
    plan = save_baseline(plan, schedule(plan), 0, saved=START)
    plan = save_baseline(plan, schedule(plan), 3)
    project = project_import(plan=plan, user=admin)
    back = load_plan(project).plan
    assert back.baselines == plan.baselines
    assert project.baseline_finish == schedule(plan).finish
    assert BaselineTask.objects.filter(baseline__project=project).count() == 2 * len(plan.tasks)


def test_every_row_has_its_created_record_naming_the_importer(admin: Any) -> None:
    plan = read_file(ROOT / "examples" / "erp-rollout.yaml")
    project = project_import(plan=plan, user=admin)
    for model, count in ((Task, len(plan.tasks)), (LinkRow, len(plan.links))):
        records = model.history.filter(project_id=project.pk)  # type: ignore[attr-defined]
        assert records.count() == count
        assert set(records.values_list("history_type", "history_user_id")) == {("+", admin.pk)}
    task = Task.objects.get(project=project, uid=plan.tasks[1].uid)
    record = Task.history.get(id=task.pk)  # type: ignore[attr-defined]
    assert (record.name, record.parent_id, record.position) == (
        task.name,
        task.parent_id,
        task.position,
    )
    assignments = Assignment.history.filter(project_id=project.pk)  # type: ignore[attr-defined]
    assert assignments.count() == Assignment.objects.filter(project=project).count() > 0
    entries = project_history(project=project, user=admin, limit=10_000)
    created = {(e.kind, e.label) for e in entries if e.action == "+"}
    assert ("task", task.name) in created
    assert {e.user for e in entries} == {admin.username}


def test_a_plan_that_cannot_be_scheduled_writes_nothing(admin: Any) -> None:
    closed = CalendarSpec(name="Closed", week=dict.fromkeys(range(7), ()))
    plan = Plan(
        name="Closed",
        start=START,
        tasks=(ETask(uid=1, name="A", duration=480, calendar="Closed"),),
        calendars=(closed,),
    )
    with pytest.raises(ValidationError, match="no working time"):
        project_import(plan=plan, user=admin)
    assert not Project.objects.exists()
    assert not Task.objects.exists()
    assert not Calendar.objects.exists()


def test_reserved_keys_are_new_and_never_reused(admin: Any) -> None:
    project = project_import(plan=staffed_plan(), user=admin)
    last = Task.objects.order_by("-pk").values_list("pk", flat=True).first()
    Task.objects.filter(project=project, uid=3).delete()
    ids = reserve_ids(Task, 3)
    assert len(set(ids)) == 3
    assert min(ids) > last
    assert reserve_ids(Task, 0) == []


def test_table_rows_take_defaults_and_json_and_refuse_unknown_columns() -> None:
    with pytest.raises(KeyError, match="reserve_ids"):
        Table(Calendar).params([{"name": "No key"}])
    table = Table(Calendar, skip_primary_key=True)
    week = {"0": [[480, 720]]}
    table.insert([{"name": "Mornings", "week": week}, {"name": "Plain", "uid": 4}])
    mornings, plain = Calendar.objects.order_by("name")
    assert (mornings.week, mornings.exceptions, mornings.project_id) == (week, [], None)
    assert (plain.week, plain.uid, plain.base_name) == ({}, 4, "")
    with pytest.raises(KeyError, match="wek"):
        table.params([{"name": "Typo", "wek": week}])
    # whole and fractional numbers in one float column (one array type on PostgreSQL)
    Table(Resource, skip_primary_key=True).insert(
        [{"name": "Ann", "max_units": 1}, {"name": "Bob", "max_units": 0.5}]
    )
    units = dict(Resource.objects.values_list("name", "max_units"))
    assert units == {"Ann": 1.0, "Bob": 0.5}
    assert Resource.objects.get(name="Ann").skills == []


def chain(n: int) -> Plan:
    tasks, links = [], []
    for group in range(n // 10):
        summary = group * 11 + 1
        tasks.append(ETask(uid=summary, name=f"Phase {group}"))
        for i in range(10):
            uid = summary + 1 + i
            tasks.append(ETask(uid=uid, name=f"T{uid}", duration=480, parent=summary))
            if len(tasks) > 2:
                links.append(Link(tasks[-2].uid if i else tasks[-3].uid, uid))
    return Plan(name=f"{n}", start=START, tasks=tuple(tasks), links=tuple(links))


def test_queries_do_not_grow_with_the_plan(admin: Any) -> None:
    counts = []
    for n in (20, 600):
        with CaptureQueriesContext(connection) as queries:
            project = project_import(plan=chain(n), user=admin)
        counts.append(len(queries))
        assert rescheduled_rows(project) == 0
    assert counts[0] == counts[1]
