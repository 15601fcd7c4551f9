"""Plans kept loaded between reschedules, in the process, keyed by the project's revision.

Reading a 5,000-task project back into an engine ``Plan`` costs more than scheduling it.
``schedule_recompute`` locks the project row, reads ``Project.plan_revision`` and stores
revision + 1 in the same transaction; once that transaction commits, the plan it
scheduled (with the values it wrote) is kept here under the new revision. The next
reschedule of the project takes it back only if the database still holds that revision:
any other write to the plan, in this process or another, went through a reschedule and
moved the revision on. A rolled-back transaction keeps nothing (the plan taken is
dropped), and so does a plan taken out and not put back: an entry is used once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from django.db import connection, transaction

from jalon.web.planning.mapping import LoadedPlan

SIZE = 8  # projects kept per process (a 5,000-task plan holds a few megabytes)

_lock = threading.Lock()
_plans: OrderedDict[tuple[str, str, int], tuple[int, LoadedPlan]] = OrderedDict()


def _key(project_pk: int) -> tuple[str, str, int]:
    return (connection.alias, str(connection.settings_dict["NAME"]), project_pk)


def take(project_pk: int, revision: int) -> LoadedPlan | None:
    """The plan kept for the project at ``revision``, removed from the cache; None if
    there is none or it was kept at another revision."""
    with _lock:
        kept = _plans.pop(_key(project_pk), None)
    if kept is None or kept[0] != revision:
        return None
    return kept[1]


def keep_on_commit(project_pk: int, revision: int, loaded: LoadedPlan) -> None:
    """Keep ``loaded`` as the project's plan at ``revision`` once the current transaction
    commits (never if it rolls back)."""
    key = _key(project_pk)

    def keep() -> None:
        with _lock:
            _plans.pop(key, None)
            _plans[key] = (revision, loaded)
            while len(_plans) > SIZE:
                _plans.popitem(last=False)

    transaction.on_commit(keep)


def clear() -> None:
    with _lock:
        _plans.clear()
