"""Background tasks of the planning app (run by `jalon worker`)."""

from __future__ import annotations

from django_tasks import task

from jalon.web.planning.services import schedule_recompute
from jalon.web.projects.models import Project


@task()
def project_reschedule(project_id: int) -> str:
    """Reschedule a project outside a request (after a calendar or holiday change, say)."""
    from django.db import transaction

    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project_id)
        result = schedule_recompute(project=project)
    return result.finish.isoformat()
