"""Import and export: every example and real MS Project files, through the database."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from jalon.engine import Plan, schedule
from jalon.io import load_plan as read_file
from jalon.io.plan_yaml import read_plan
from jalon.web.planning.imports import plan_read, project_export, project_import
from jalon.web.planning.mapping import load_plan
from jalon.web.planning.models import Task
from jalon.web.projects.models import Project

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data" / "msproject"
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml")) + sorted(
    (ROOT / "src" / "jalon" / "web" / "demo_plans").glob("*.yaml")
)
MSPDI = [
    "projectlibre/New Product.xml",
    "mpxj/junit/data/legacy/sample1.xml",
    "mpxj/junit/data/generated/assignment-assignments/assignment-assignments-project2016-mspdi.xml",
]


def stored_equals_engine(project: Project, plan: Plan) -> None:
    """The dates stored in the database are the engine's dates for the original plan."""
    expected = {st.uid: st for st in schedule(plan).tasks}
    rows = list(Task.objects.filter(project=project).order_by("position"))
    assert [row.uid for row in rows] == [t.uid for t in plan.tasks]
    for row in rows:
        st = expected[row.uid]
        got = (row.start, row.finish, row.total_float, row.critical, row.is_summary)
        assert got == (st.start, st.finish, st.total_float, st.critical, st.summary), row.name


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_import_with_the_engines_dates(admin: Any, path: Path) -> None:
    plan = read_file(path)
    project = project_import(plan=plan, user=admin)
    stored_equals_engine(project, plan)


@pytest.mark.parametrize("name", MSPDI)
def test_ms_project_files_import_with_the_engines_dates(admin: Any, name: str) -> None:
    path = SHARED / name
    if not path.is_file():
        pytest.skip(f"shared test data not found: {path}")
    with path.open("rb") as stream:
        plan = plan_read(stream, filename=path.name)
    project = project_import(plan=plan, user=admin)
    stored_equals_engine(project, plan)


PROJECT_FIELDS = (
    "name",
    "start",
    "finish",
    "schedule_from_finish",
    "status_date",
    "calendar",
    "minutes_per_day",
    "minutes_per_week",
    "days_per_month",
    "critical_slack_limit",
    "currency",
    "metadata",
)


def test_round_trip_plan_database_plan(admin: Any) -> None:
    original = read_file(ROOT / "examples" / "erp-rollout.yaml")
    project = project_import(plan=original, user=admin)
    back = load_plan(project).plan
    assert back.tasks == original.tasks
    assert back.links == original.links
    assert set(back.calendars) >= set(original.calendars)
    for spec in original.calendars:
        assert back.calendar_specs[spec.name] == spec
    assert back.baselines == original.baselines
    for name in PROJECT_FIELDS:
        assert getattr(back, name) == getattr(original, name), name
    # resources are the portfolio's: compared by name, with their assignments
    name_of = {r.uid: r.name for r in back.resources}
    original_names = {r.uid: r.name for r in original.resources}
    assert sorted(
        (a.task, name_of[a.resource], a.units, a.work) for a in back.assignments
    ) == sorted((a.task, original_names[a.resource], a.units, a.work) for a in original.assignments)


def test_second_import_reuses_the_portfolios_people(admin: Any) -> None:
    from jalon.web.planning.models import Resource

    plan = read_file(ROOT / "examples" / "erp-rollout.yaml")
    project_import(plan=plan, user=admin)
    count = Resource.objects.count()
    project_import(plan=plan, user=admin)
    assert Resource.objects.count() == count == len(plan.resources)


def test_bad_file_is_a_clear_error_and_writes_nothing(admin: Any) -> None:
    bad = b"project: {name: X, start: 2027-01-04}\ntasks:\n  - {name: A, durration: 2d}\n"
    with pytest.raises(ValidationError) as caught:
        plan_read(io.BytesIO(bad), filename="bad.yaml")
    assert "bad.yaml:3" in str(caught.value)
    assert "durration" in str(caught.value)
    with pytest.raises(ValidationError, match=r"plan\.mpp: the file is empty"):
        plan_read(io.BytesIO(b""), filename="plan.mpp")
    with pytest.raises(ValidationError, match="cannot tell the format"):
        plan_read(io.BytesIO(b"hello"), filename="notes.docx")
    assert not Project.objects.exists()


def test_export_reads_back(admin: Any) -> None:
    plan = read_file(ROOT / "examples" / "website.yaml")
    project = project_import(plan=plan, user=admin)
    content, filename, _ = project_export(project=project, user=admin, format="yaml")
    assert filename.endswith(".yaml")
    assert read_plan(io.BytesIO(content), name=filename).tasks == plan.tasks
    content, filename, _ = project_export(project=project, user=admin, format="xml")
    with pytest.raises(ValidationError):
        project_export(project=project, user=admin, format="mpp")
    again = plan_read(io.BytesIO(content), filename=filename)
    assert [t.name for t in again.tasks] == [t.name for t in plan.tasks]


def test_import_page_preview_then_create(admin: Any) -> None:
    client = Client()
    client.force_login(admin)
    url = reverse("planning:import")
    upload = io.BytesIO((ROOT / "examples" / "website.yaml").read_bytes())
    upload.name = "website.yaml"
    response = client.post(url, {"file": upload, "name": ""})
    assert response.status_code == 200
    assert b"Tasks" in response.content
    assert not Project.objects.exists()  # nothing is written before the confirmation
    token = response.context["form"].initial["token"]
    response = client.post(url, {"token": token, "name": "Site web"})
    project = Project.objects.get()
    assert project.name == "Site web"
    assert response["Location"] == reverse("projects:detail", args=[project.pk])
    # the token is used up
    response = client.post(url, {"token": token, "name": "Again"}, follow=True)
    assert Project.objects.count() == 1


def test_import_page_shows_reader_errors(admin: Any) -> None:
    client = Client()
    client.force_login(admin)
    upload = io.BytesIO(b"<Project><Tasks><Task><UID>x</UID></Task></Tasks>")
    upload.name = "broken.xml"
    response = client.post(reverse("planning:import"), {"file": upload})
    assert response.status_code == 200
    assert b"broken.xml" in response.content
    assert not Project.objects.exists()


TRELLO_BOARD = ROOT / "tests" / "io" / "data" / "trello" / "website-relaunch.json"


def test_import_page_passes_reader_options(admin: Any) -> None:
    client = Client()
    client.force_login(admin)
    url = reverse("planning:import")

    def preview(data: dict[str, Any]) -> Any:
        upload = io.BytesIO(TRELLO_BOARD.read_bytes())
        upload.name = TRELLO_BOARD.name
        response = client.post(url, {"file": upload, "name": "", **data})
        assert response.status_code == 200
        return response.context

    plain = preview({})["preview"].tasks
    # a Jira option on a Trello board is left out
    context = preview({"include_archived": "on", "date_format": "%d.%m.%Y"})
    assert context["preview"].tasks == plain + 3
    client.post(url, {"token": context["form"].initial["token"], "name": "Site"})
    project = Project.objects.get()
    assert Task.objects.filter(project=project).count() == plain + 3
    assert Task.objects.filter(project=project, name="Chatbot").exists()
