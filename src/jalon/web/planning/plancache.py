"""Plans kept loaded between reschedules, in the process, keyed by the project's revision.

Reading a 5,000-task project back into an engine ``Plan`` costs more than scheduling it.
``schedule_recompute`` locks the project row, reads ``Project.plan_revision`` and stores
revision + 1 in the same transaction; once that transaction commits, the plan it
scheduled (with the values it wrote) is kept here under the new revision. Any other
write to the plan, in this process or another, goes through a reschedule and moves the
revision on. A rolled-back transaction keeps nothing (the plan taken is dropped), and
so does a plan taken out and not put back: an entry is used once.

Each reschedule also records what it changed (``PlanChange``, in its transaction): the
task rows whose own fields changed, or "everything" for any other change, and the rows
whose computed values it wrote. A process whose kept plan is a few revisions behind —
the previous edits of the project were served by other worker processes — reads what
those revisions name and catches up instead of reading the whole plan.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Collection
from dataclasses import dataclass

from django.db import connection, transaction

from jalon.web.planning.mapping import LoadedPlan
from jalon.web.planning.models import PlanChange

#: Tasks kept per process, over all the plans kept (a 5,000-task plan holds a few
#: megabytes): a portfolio of many small projects keeps them all, and the least recently
#: scheduled plans go first.
MAX_TASKS = 60_000

#: Revisions whose changes are kept per project: a process more than this behind reads
#: the whole plan.
KEEP = 16

#: Above this many rows written by one reschedule, its record says "all rows" instead.
MAX_LISTED = 2_000

_lock = threading.Lock()
_plans: OrderedDict[tuple[str, str, int], tuple[int, LoadedPlan]] = OrderedDict()


def _key(project_pk: int) -> tuple[str, str, int]:
    return (connection.alias, str(connection.settings_dict["NAME"]), project_pk)


def take(project_pk: int) -> tuple[int, LoadedPlan] | None:
    """The plan kept for the project and its revision, removed from the cache; None if
    there is none."""
    with _lock:
        return _plans.pop(_key(project_pk), None)


def keep_on_commit(project_pk: int, revision: int, loaded: LoadedPlan) -> None:
    """Keep ``loaded`` as the project's plan at ``revision`` once the current transaction
    commits (never if it rolls back)."""
    key = _key(project_pk)

    def keep() -> None:
        with _lock:
            _plans.pop(key, None)
            _plans[key] = (revision, loaded)
            kept = sum(len(plan.tasks) for _revision, plan in _plans.values())
            while kept > MAX_TASKS and len(_plans) > 1:
                _revision, oldest = _plans.popitem(last=False)[1]
                kept -= len(oldest.tasks)

    transaction.on_commit(keep)


def clear() -> None:
    with _lock:
        _plans.clear()


def record(
    project_pk: int, revision: int, tasks: Collection[int] | None, written: Collection[int]
) -> None:
    """Record what the reschedule that makes ``revision`` changed (one query): ``tasks``,
    the task rows whose own fields changed (None: anything else changed too);
    ``written``, the rows whose computed values it stored."""
    PlanChange.objects.bulk_create(
        [
            PlanChange(
                project_id=project_pk,
                slot=revision % KEEP,
                revision=revision,
                tasks=None if tasks is None else sorted(tasks),
                written=sorted(written) if len(written) <= MAX_LISTED else None,
            )
        ],
        update_conflicts=True,
        unique_fields=["project", "slot"],
        update_fields=["revision", "tasks", "written"],
    )


@dataclass(frozen=True, slots=True)
class Changes:
    """What revisions (kept, current] changed: ``tasks``, the task rows whose own fields
    changed; ``written``, the rows whose computed values were stored (None: any row)."""

    tasks: frozenset[int]
    written: frozenset[int] | None


def changes_since(project_pk: int, kept: int, current: int) -> Changes | None:
    """What the revisions after ``kept`` up to ``current`` changed, or None when the
    records do not say it (too old, or a change other than task fields)."""
    if not 0 < current - kept < KEEP:
        return None
    rows = list(
        PlanChange.objects.filter(
            project_id=project_pk, revision__gt=kept, revision__lte=current
        ).values_list("tasks", "written")
    )
    if len(rows) != current - kept:
        return None
    tasks: set[int] = set()
    written: set[int] | None = set()
    for edited, stored in rows:
        if edited is None:
            return None
        tasks.update(edited)
        if stored is None:
            written = None
        elif written is not None:
            written.update(stored)
    if written is not None and len(written) > MAX_LISTED:
        written = None
    return Changes(frozenset(tasks), None if written is None else frozenset(written))
