"""Plans kept loaded between edits (``plancache``): an edit on a kept plan stores exactly
what a full reload would; a plan a few revisions behind (other worker processes served
the project's last edits) catches up on what those revisions record, and is read again
whole when they do not say enough."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db.models import F

from jalon.engine import Link, Plan, schedule
from jalon.engine import Task as ETask
from jalon.web.planning import mapping, plancache, services
from jalon.web.planning.imports import project_import
from jalon.web.planning.mapping import load_plan, write_schedule
from jalon.web.planning.models import Task
from jalon.web.projects.models import Project

pytestmark = pytest.mark.django_db

COMPUTED = ("start", "finish", "total_float", "critical", "scheduled_duration", "rolled_percent")


def chain(n: int) -> Plan:
    """Summaries of five tasks each, every task linked to the one before."""
    tasks, links = [], []
    uid, previous = 0, None
    for group in range(n // 5):
        uid += 1
        summary = uid
        tasks.append(ETask(uid=summary, name=f"Phase {group + 1}"))
        for i in range(5):
            uid += 1
            tasks.append(ETask(uid=uid, name=f"Task {group}.{i}", duration=480, parent=summary))
            if previous is not None:
                links.append(Link(previous, uid))
            previous = uid
    return Plan(
        name=f"{n} tasks", start=dt.datetime(2027, 1, 4, 8), tasks=tuple(tasks), links=tuple(links)
    )


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    plancache.clear()
    yield
    plancache.clear()


@pytest.fixture
def full_loads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The projects ``schedule_recompute`` read whole (``load_plan``)."""
    loads: list[int] = []

    def counted(project: Project) -> mapping.LoadedPlan:
        loads.append(project.pk)
        return load_plan(project)

    monkeypatch.setattr(services, "load_plan", counted)
    return loads


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[[Callable[[], Any]], Any]:
    """Run a service as if its transaction committed (the cache keeps plans on commit)."""

    def run(func: Callable[[], Any]) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return func()

    return run


def edit(task_pk: int, user: Any, **data: Any) -> Callable[[], Task]:
    def call() -> Task:
        task = Task.objects.get(pk=task_pk)
        return services.task_update(task=task, data=data, version=task.version, user=user)

    return call


def stored(project: Project) -> list[tuple[Any, ...]]:
    return list(Task.objects.filter(project=project).order_by("position").values_list(*COMPUTED))


def assert_same_as_full_reload(project: Project) -> None:
    """A full reload and reschedule finds every stored value right."""
    loaded = load_plan(project)
    assert write_schedule(loaded, schedule(loaded.plan)) == 0


def leaves(project: Project) -> list[int]:
    return list(
        Task.objects.filter(project=project, is_summary=False)
        .order_by("position")
        .values_list("pk", flat=True)
    )


def test_edits_on_a_kept_plan_store_what_a_full_reload_stores(
    admin: Any, full_loads: list[int], committed: Callable[[Callable[[], Any]], Any]
) -> None:
    project = project_import(plan=chain(40), user=admin)
    pks = leaves(project)
    committed(edit(pks[3], admin, duration=960))
    assert full_loads == [project.pk]
    before = stored(project)
    committed(edit(pks[10], admin, duration=2400))
    committed(edit(pks[20], admin, percent_complete=50.0))
    committed(edit(pks[5], admin, constraint_type=4, constraint_date=dt.datetime(2027, 6, 1, 8)))
    committed(edit(pks[30], admin, duration=0))  # becomes a milestone
    assert full_loads == [project.pk]  # the kept plan served every edit after the first
    after = stored(project)
    assert after != before
    assert_same_as_full_reload(project)
    # the project's summary agrees with a full reschedule too
    project.refresh_from_db()
    summary = (project.scheduled_finish, project.percent_complete)
    services.schedule_recompute(project=project)
    assert (project.scheduled_finish, project.percent_complete) == summary


def test_a_plan_changed_elsewhere_is_read_again(
    admin: Any, full_loads: list[int], committed: Callable[[Callable[[], Any]], Any]
) -> None:
    project = project_import(plan=chain(20), user=admin)
    pks = leaves(project)
    committed(edit(pks[2], admin, duration=960))
    # another process's service: a change and its reschedule, which moves the revision on
    Task.objects.filter(pk=pks[0]).update(duration=4800)
    Project.objects.filter(pk=project.pk).update(plan_revision=F("plan_revision") + 1)
    committed(edit(pks[8], admin, duration=960))
    assert full_loads == [project.pk, project.pk]
    assert_same_as_full_reload(project)
    first = Task.objects.get(pk=pks[0])
    assert first.scheduled_duration == 4800


def test_structural_changes_read_the_whole_plan(
    admin: Any, full_loads: list[int], committed: Callable[[Callable[[], Any]], Any]
) -> None:
    project = project_import(plan=chain(20), user=admin)
    pks = leaves(project)
    committed(edit(pks[2], admin, duration=960))
    first = Task.objects.get(pk=pks[1])
    committed(lambda: services.task_delete(task=first, version=first.version, user=admin))
    committed(edit(pks[6], admin, duration=1440))
    # the delete read the plan whole; the edit after it reused the plan the delete kept
    assert full_loads == [project.pk, project.pk]
    assert_same_as_full_reload(project)


def test_a_failed_edit_keeps_nothing(
    admin: Any, full_loads: list[int], committed: Callable[[Callable[[], Any]], Any]
) -> None:
    project = project_import(plan=chain(20), user=admin)
    pks = leaves(project)
    committed(edit(pks[2], admin, duration=960))
    revision = Project.objects.get(pk=project.pk).plan_revision
    with pytest.raises(ValidationError):  # a dated constraint without its date
        committed(edit(pks[4], admin, constraint_type=4, constraint_date=None))
    kept = plancache.take(project.pk)
    assert kept is None or kept[0] != revision + 1
    committed(edit(pks[6], admin, duration=1440))
    assert len(full_loads) == 2
    assert_same_as_full_reload(project)


def test_a_portfolio_calendar_change_is_seen(
    admin: Any, full_loads: list[int], committed: Callable[[Callable[[], Any]], Any]
) -> None:
    """Portfolio-wide rows (calendars, resources) are compared on every reuse."""
    from jalon.web.planning.models import Calendar

    project = project_import(plan=chain(20), user=admin)
    pks = leaves(project)
    committed(edit(pks[2], admin, duration=960))
    Calendar.objects.create(name="Night shift", week={"0": [[1320, 1440]]})
    committed(edit(pks[6], admin, duration=1440))
    assert full_loads == [project.pk, project.pk]


@pytest.fixture
def processes(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], None]:
    """``serve(k)``: what runs next runs in worker process ``k``, with its own kept plans
    (the cache is per process; the database is shared)."""
    kept: dict[int, OrderedDict[Any, Any]] = {}

    def serve(k: int) -> None:
        monkeypatch.setattr(plancache, "_plans", kept.setdefault(k, OrderedDict()))

    return serve


def test_a_plan_behind_catches_up_on_other_processes_edits(
    admin: Any,
    full_loads: list[int],
    committed: Callable[[Callable[[], Any]], Any],
    processes: Callable[[int], None],
) -> None:
    project = project_import(plan=chain(40), user=admin)
    pks = leaves(project)
    edits = [
        (pks[3], {"duration": 960}),
        (pks[10], {"duration": 2400}),  # moves every successor
        (pks[10], {"duration": 480}),  # and back, where process 0 last wrote them
        (pks[20], {"percent_complete": 50.0}),
        (pks[5], {"constraint_type": 4, "constraint_date": dt.datetime(2027, 6, 1, 8)}),
        (pks[30], {"duration": 0}),
        (pks[3], {"duration": 480}),
        (pks[12], {"duration": 1440}),
        (pks[13], {"duration": 1440}),
    ]
    # processes 0 and 1 take turns, then a third joins: 0 and 1 are two revisions behind
    workers = [0, 1, 0, 1, 0, 1, 2, 0, 1]
    for worker, (pk, data) in zip(workers, edits, strict=True):
        processes(worker)
        committed(edit(pk, admin, **data))
        assert_same_as_full_reload(project)
    # each process read the plan whole once, on its first edit
    assert full_loads == [project.pk] * 3


@pytest.fixture
def held_by_process_0(
    admin: Any,
    committed: Callable[[Callable[[], Any]], Any],
    processes: Callable[[int], None],
) -> tuple[Project, list[int]]:
    """A project whose plan process 0 holds after an edit; process 1 runs next."""
    project = project_import(plan=chain(20), user=admin)
    pks = leaves(project)
    processes(0)
    committed(edit(pks[2], admin, duration=960))
    processes(1)
    return project, pks


def test_a_plan_behind_a_structural_change_is_read_again(
    admin: Any,
    full_loads: list[int],
    committed: Callable[[Callable[[], Any]], Any],
    processes: Callable[[int], None],
    held_by_process_0: tuple[Project, list[int]],
) -> None:
    project, pks = held_by_process_0
    first = Task.objects.get(pk=pks[1])
    committed(lambda: services.task_delete(task=first, version=first.version, user=admin))
    processes(0)
    committed(edit(pks[6], admin, duration=1440))
    assert full_loads == [project.pk] * 3
    assert_same_as_full_reload(project)


def test_a_plan_behind_many_written_rows_compares_every_row(
    admin: Any,
    full_loads: list[int],
    committed: Callable[[Callable[[], Any]], Any],
    processes: Callable[[int], None],
    held_by_process_0: tuple[Project, list[int]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A reschedule that wrote more rows than its record lists: the process behind reads
    every row's computed values again (not the plan)."""
    monkeypatch.setattr(plancache, "MAX_LISTED", 3)
    project, pks = held_by_process_0
    committed(edit(pks[1], admin, duration=2400))  # moves more than 3 rows
    processes(0)
    committed(edit(pks[1], admin, duration=480))  # and back
    assert full_loads == [project.pk] * 2
    assert_same_as_full_reload(project)


def test_a_plan_too_far_behind_is_read_again(
    admin: Any,
    full_loads: list[int],
    committed: Callable[[Callable[[], Any]], Any],
    processes: Callable[[int], None],
    held_by_process_0: tuple[Project, list[int]],
) -> None:
    project, pks = held_by_process_0
    for i in range(plancache.KEEP):
        committed(edit(pks[3], admin, duration=480 * (1 + i % 2)))
    processes(0)
    committed(edit(pks[6], admin, duration=1440))
    assert full_loads == [project.pk] * 3
    assert_same_as_full_reload(project)


def test_plans_kept_are_bounded_by_their_tasks(
    admin: Any,
    full_loads: list[int],
    committed: Callable[[Callable[[], Any]], Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Over ``MAX_TASKS`` tasks kept, the least recently scheduled plan goes first."""
    monkeypatch.setattr(plancache, "MAX_TASKS", 50)
    projects = [project_import(plan=chain(20), user=admin) for _ in range(3)]
    for project in projects:  # 24 rows each: the third pushes the first out
        committed(edit(leaves(project)[2], admin, duration=960))
    for project in projects:
        committed(edit(leaves(project)[3], admin, duration=960))
    # the first project was read again, and then pushed the second one out, and so on
    assert full_loads == [p.pk for p in projects] * 2
    committed(edit(leaves(projects[2])[4], admin, duration=960))
    assert len(full_loads) == 6  # the last one scheduled is still kept
