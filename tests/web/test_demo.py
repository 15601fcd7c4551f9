"""The demo portfolio and the web commands of the CLI."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from jalon.cli.main import app
from jalon.web.demo import USERS, load_demo
from jalon.web.planning.models import Baseline, Resource, Task
from jalon.web.projects.models import Project
from jalon.web.projects.selectors import projects_visible_to


@pytest.mark.django_db
def test_demo_portfolio() -> None:
    from django.contrib.auth import get_user_model

    load_demo()
    projects = {p.name: p for p in Project.objects.all()}
    assert len(projects) == 3
    erp = next(p for name, p in projects.items() if name.startswith("Déploiement ERP"))
    assert Task.objects.filter(project=erp).count() > 140
    assert Baseline.objects.filter(project=erp, number=0).exists()
    assert erp.status_date is not None
    assert 0 < erp.percent_complete < 100
    assert erp.scheduled_finish > erp.baseline_finish  # the slip shows on the portfolio
    assert sum(1 for person in Resource.objects.all() if person.skills) == 10
    users = get_user_model().objects
    assert users.count() == len(USERS)
    assert projects_visible_to(users.get(username="pmo")).count() == 3
    client_projects = projects_visible_to(users.get(username="client"))
    assert erp in client_projects
    assert client_projects.count() == 2


def test_web_commands_are_registered() -> None:
    result = CliRunner().invoke(app, ["--help"])
    for name in ("demo", "serve", "createsuperuser", "worker", "manage"):
        assert name in result.output
