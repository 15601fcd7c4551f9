"""Background tasks: enqueued in the database, run by the worker (`jalon worker`)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from jalon.web.planning.tasks import project_reschedule

# the worker closes its database connections between tasks, as a long-running process
# must: the test's data has to be committed, not held in a test transaction
pytestmark = pytest.mark.django_db(transaction=True)


def test_worker_runs_a_reschedule(project_roles: dict[str, Any]) -> None:
    project = project_roles["project"]
    result = project_reschedule.enqueue(project.pk)
    assert result.status == "READY"
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    result.refresh()
    assert result.status == "SUCCESSFUL"
    assert result.return_value == "2027-01-22T17:00:00"
