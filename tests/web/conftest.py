"""Django for the web tests only: the engine and io tests never load it.

The database is SQLite (in memory) unless ``JALON_DATABASE_URL`` names another one;
``make test`` runs these tests a second time on PostgreSQL when
``JALON_TEST_DATABASE_URL`` is set.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jalon.web.settings")
os.environ.setdefault("JALON_SECRET_KEY", "tests-only-secret-key-" + "x" * 40)
os.environ.setdefault("JALON_DATA_DIR", tempfile.mkdtemp(prefix="jalon-tests-"))

import django

django.setup()

from django.contrib.auth.models import Permission  # noqa: E402

from jalon.engine import Plan  # noqa: E402
from jalon.web.planning.imports import project_import  # noqa: E402
from jalon.web.planning.models import Assignment, Resource, Task  # noqa: E402
from jalon.web.projects.models import Membership, Project  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


@pytest.fixture
def make_user(django_user_model: Any) -> Callable[..., Any]:
    def make(username: str, *, staff: bool = False, creator: bool = False) -> Any:
        user = django_user_model.objects.create_user(
            username=username, password="correct horse battery", is_staff=staff
        )
        if creator:
            user.user_permissions.add(Permission.objects.get(codename="add_project"))
        return user

    return make


@pytest.fixture
def admin(make_user: Callable[..., Any]) -> Any:
    return make_user("pmo", staff=True)


@pytest.fixture
def small_plan() -> Plan:
    from jalon.engine import Link
    from jalon.engine import Task as ETask

    return Plan(
        name="Small",
        start=dt.datetime(2027, 1, 4, 8),
        tasks=(
            ETask(uid=1, name="Phase"),
            ETask(uid=2, name="Design", duration=5 * 480, parent=1),
            ETask(uid=3, name="Build", duration=10 * 480, parent=1),
            ETask(uid=4, name="Done", duration=0),
        ),
        links=(Link(2, 3), Link(3, 4)),
    )


@pytest.fixture
def project_roles(
    db: None, admin: Any, make_user: Callable[..., Any], small_plan: Plan
) -> dict[str, Any]:
    """A small project and one user per role (and an outsider), keyed by role."""
    project = project_import(plan=small_plan, user=admin)
    users = {
        "admin": admin,
        "manager": make_user("manager", creator=True),
        "member": make_user("member"),
        "viewer": make_user("viewer"),
        "outsider": make_user("outsider", creator=True),
    }
    for role in ("manager", "member", "viewer"):
        Membership.objects.create(project=project, user=users[role], role=role)
    # the member is assigned to "Design" through their resource
    resource = Resource.objects.create(name="Member person", user=users["member"])
    design = Task.objects.get(project=project, uid=2)
    Assignment.objects.create(project=project, task=design, resource=resource)
    return {"project": project, **users}


def project_of(data: dict[str, Any]) -> Project:
    return data["project"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """Argon2 is the production hasher (tested in test_settings); tests need speed."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
