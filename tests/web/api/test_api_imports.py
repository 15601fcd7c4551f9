"""``POST /imports``: a file imported through the API as ``jalon import`` does: the dry
run's report, the project created atomically, the right to create projects, and bad files
or options refused with the reader's message and nothing written."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jalon.io.importers import import_file
from jalon.web.planning.models import Assignment, Resource, Task
from jalon.web.projects.models import Membership, Project

pytestmark = pytest.mark.django_db

API = "/api/v1"
DATA = Path(__file__).resolve().parents[2] / "io" / "data"
TRELLO = DATA / "trello" / "conference-2026.json"
JIRA = DATA / "jira" / "checkout-fr-dates.csv"
MSPDI = DATA / "msproject" / "plm-rollout-online.xml"


def upload(api: Any, path: Path, content: bytes | None = None, **fields: Any) -> Any:
    """A multipart ``POST /imports`` of ``path`` (or ``content`` under its name)."""
    data = path.read_bytes() if content is None else content
    body = {"file": SimpleUploadedFile(path.name, data), **fields}
    return api.client.post(f"{API}/imports", data=body, headers=api.headers)


@pytest.fixture
def manager_api(project_roles: dict[str, Any], api_for: Any) -> Any:
    return api_for(project_roles["manager"])


def test_dry_run_is_the_cli_report_and_writes_nothing(manager_api: Any) -> None:
    projects, tasks = Project.objects.count(), Task.objects.count()
    response = upload(manager_api, TRELLO, dry_run="true")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body == import_file(TRELLO).report.to_json()
    assert {k: body[k] for k in ("format", "tasks", "summary_tasks", "resources")} == {
        "format": "trello",
        "tasks": 17,
        "summary_tasks": 7,
        "resources": 3,
    }
    assert body["assignments"] == 10
    assert any("archived" in line for line in body["ignored"])
    assert (Project.objects.count(), Task.objects.count()) == (projects, tasks)


def test_reader_options_reach_the_reader(manager_api: Any) -> None:
    plain = upload(manager_api, TRELLO, dry_run="true").json()
    archived = upload(manager_api, TRELLO, dry_run="true", include_archived="true").json()
    assert archived == import_file(TRELLO, options={"include_archived": True}).report.to_json()
    assert archived["tasks"] > plain["tasks"]


def test_import_creates_the_project_with_the_report(
    project_roles: dict[str, Any], manager_api: Any
) -> None:
    response = upload(manager_api, TRELLO, name="Conference (API)", format="trello")
    assert response.status_code == 201, response.content
    body = response.json()
    project = Project.objects.get(pk=body["id"])
    assert body["name"] == project.name == "Conference (API)"
    assert body["role"] == "manager"
    assert body["report"] == import_file(TRELLO).report.to_json()
    assert Task.objects.filter(project=project).count() == 17
    assert Assignment.objects.filter(project=project).count() == 10
    assert Membership.objects.filter(
        project=project, user=project_roles["manager"], role="manager"
    ).exists()
    shown = manager_api.get(f"/projects/{project.pk}").json()
    assert {k: shown[k] for k in shown} == {k: body[k] for k in shown}


@pytest.mark.parametrize("role", ["member", "viewer"])
def test_users_who_may_not_create_projects_get_403(
    project_roles: dict[str, Any], api_for: Any, role: str
) -> None:
    projects = Project.objects.count()
    for fields in ({"dry_run": "true"}, {}):
        response = upload(api_for(project_roles[role]), TRELLO, **fields)
        assert response.status_code == 403, response.content
    assert Project.objects.count() == projects


def test_anonymous_and_bad_tokens_get_401(project_roles: dict[str, Any], api_for: Any) -> None:
    assert upload(api_for(None), TRELLO, dry_run="true").status_code == 401
    assert upload(api_for("not-a-token"), TRELLO).status_code == 401


def test_a_truncated_file_is_422_naming_the_file_and_writes_nothing(manager_api: Any) -> None:
    counts = (Project.objects.count(), Task.objects.count(), Resource.objects.count())
    data = MSPDI.read_bytes()
    response = upload(manager_api, MSPDI, content=data[: len(data) // 2])
    assert response.status_code == 422, response.content
    [detail] = response.json()["detail"]
    assert detail["loc"] == ["body", "file"]
    assert re.match(rf"{re.escape(MSPDI.name)}:\d+: malformed XML", detail["msg"]), detail
    assert (Project.objects.count(), Task.objects.count(), Resource.objects.count()) == counts


def test_a_file_that_does_not_fit_its_format_is_422(manager_api: Any) -> None:
    projects = Project.objects.count()
    response = upload(manager_api, TRELLO, format="jira")
    assert response.status_code == 422, response.content
    [detail] = response.json()["detail"]
    assert detail["loc"] == ["body", "file"]
    assert detail["msg"].startswith(f"{TRELLO.name}")
    assert Project.objects.count() == projects


def test_an_unknown_format_is_422_on_format(manager_api: Any) -> None:
    response = upload(manager_api, TRELLO, format="lotus-notes", dry_run="true")
    assert response.status_code == 422, response.content
    [detail] = response.json()["detail"]
    assert detail["loc"] == ["body", "format"]
    assert "unknown import format 'lotus-notes'" in detail["msg"]


@pytest.mark.parametrize(
    ("path", "fields", "option", "message"),
    [
        (MSPDI, {"include_archived": "true"}, "include_archived", "mspdi files (only to trello"),
        (TRELLO, {"date_format": "%d/%m/%y"}, "date_format", "trello files (only to jira"),
        (JIRA, {"checklists": "notes"}, "checklists", "jira files (only to trello"),
    ],
)
def test_an_option_the_format_does_not_take_is_422(
    manager_api: Any, path: Path, fields: dict[str, str], option: str, message: str
) -> None:
    projects = Project.objects.count()
    response = upload(manager_api, path, **fields)
    assert response.status_code == 422, response.content
    [detail] = response.json()["detail"]
    assert detail["loc"] == ["body", option]
    assert detail["msg"].startswith(f"{path.name}: the option {option} does not apply")
    assert message in detail["msg"]
    assert Project.objects.count() == projects


def test_a_bad_option_value_is_422_on_it(manager_api: Any) -> None:
    response = upload(manager_api, TRELLO, checklists="bullets", dry_run="true")
    assert response.status_code == 422, response.content
    assert [d["loc"] for d in response.json()["detail"]] == [["form", "checklists"]]
