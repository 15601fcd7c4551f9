"""The demo portfolio: an ERP roll-out, a mobile app, an office move, ten people.

Loaded by ``jalon demo`` (and ``make run``) into an empty database. Passwords are for the
demo only and are printed when the data is loaded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction

from jalon.engine import Plan
from jalon.io.plan_yaml import read_plan
from jalon.web.planning import services
from jalon.web.planning.imports import project_import
from jalon.web.planning.mapping import week_to_json
from jalon.web.planning.models import Calendar, Resource, Task
from jalon.web.projects.models import Project
from jalon.web.projects.services import membership_set

DEMO_PASSWORD = "jalon-demo"  # demo only: printed by `jalon demo`


@dataclass(frozen=True)
class DemoUser:
    username: str
    first: str
    last: str
    role: str  # what the demo shows with this login
    staff: bool = False
    creator: bool = False


USERS = (
    DemoUser("pmo", "Pauline", "Mercier", "PMO admin (sees every project)", staff=True),
    DemoUser("claire", "Claire", "Martin", "project manager, ERP roll-out", creator=True),
    DemoUser("hugo", "Hugo", "Blanc", "project manager, mobile app and office move", creator=True),
    DemoUser("sophie", "Sophie", "Bernard", "team member (finance)"),
    DemoUser("thomas", "Thomas", "Petit", "team member (supply chain)"),
    DemoUser("lucas", "Lucas", "Girard", "team member (mobile developer)"),
    DemoUser("client", "Isabelle", "Fontaine", "client viewer, read-only"),
)

# name, code, group, rate per day, skills, calendar, login
PEOPLE = (
    ("Marc Lefèvre", "DP", "Intégrateur", 1100, ["programme direction", "ERP"], None, None),
    ("Claire Martin", "CP", "Intégrateur", 750, ["project management", "ERP"], None, "claire"),
    ("Julien Moreau", "ARCH", "Intégrateur", 950, ["architecture", "integration"], None, None),
    ("Sophie Bernard", "FIN", "Intégrateur", 850, ["finance", "controlling"], None, "sophie"),
    ("Thomas Petit", "LOG", "Intégrateur", 850, ["purchasing", "logistics", "MRP"], None, "thomas"),
    ("Nadia Haddad", "DATA", "Intégrateur", 780, ["data migration", "SQL"], None, None),
    ("Élodie Garnier", "TEST", "Valmont", 700, ["testing", "acceptance"], None, None),
    (
        "Camille Roux",
        "FORM",
        "Valmont",
        680,
        ["training", "change management"],
        "Temps partiel",
        None,
    ),
    ("Lucas Girard", "MOB", "Digital", 720, ["iOS", "Android", "Kotlin", "Swift"], None, "lucas"),
    ("Hugo Blanc", "PO", "Digital", 800, ["product owner", "agile", "facilities"], None, "hugo"),
)


ERP_STATUS_DATE = dt.datetime(2027, 5, 14, 17, 0)


def _example(name: str) -> Path:
    """The bundled example plans (examples/ in a checkout)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "examples" / name
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"examples/{name} not found above {here}")


def _demo_plan(name: str) -> Plan:
    path = Path(__file__).with_name("demo_plans") / name
    with path.open("rb") as stream:
        return read_plan(stream, name=name)


def is_empty() -> bool:
    return not Project.objects.exists()


def load_demo() -> list[DemoUser]:
    """Create the demo portfolio in one transaction; returns the demo logins."""
    with transaction.atomic():
        users = _users()
        _people(users)
        erp = _erp(users)
        mobile = project_import(plan=_demo_plan("mobile-app.yaml"), user=users["hugo"])
        Project.objects.filter(pk=mobile.pk).update(method=Project.Method.AGILE)
        move = project_import(
            plan=_demo_plan("office-move.yaml"), user=users["hugo"], status=Project.Status.PROPOSED
        )
        for project, manager, roles in (
            (
                erp,
                "claire",
                {"sophie": "member", "thomas": "member", "client": "viewer", "hugo": "viewer"},
            ),
            (mobile, "hugo", {"lucas": "member", "client": "viewer"}),
            (move, "hugo", {"claire": "member"}),
        ):
            for username, role in roles.items():
                membership_set(
                    project=project, member=users[username], role=role, user=users[manager]
                )
        services.baseline_set(project=mobile, number=0, user=users["hugo"])
    return list(USERS)


def _users() -> dict[str, Any]:
    user_model = get_user_model()
    add_project = Permission.objects.get(codename="add_project", content_type__app_label="projects")
    users = {}
    for spec in USERS:
        user = user_model.objects.create_user(
            username=spec.username,
            password=DEMO_PASSWORD,
            first_name=spec.first,
            last_name=spec.last,
            email=f"{spec.username}@jalon.example",
            is_staff=spec.staff,
        )
        if spec.creator:
            user.user_permissions.add(add_project)
        users[spec.username] = user
    return users


def _people(users: dict[str, Any]) -> None:
    france = Calendar.objects.create(name="France", base_name="Standard", country="FR")
    part_time = Calendar.objects.create(
        name="Temps partiel",
        base_name="France",
        week=week_to_json({2: ()}),  # Wednesdays off
    )
    calendars = {"France": france, "Temps partiel": part_time}
    for name, code, group, rate, skills, calendar, login in PEOPLE:
        Resource.objects.create(
            name=name,
            code=code,
            group=group,
            standard_rate=rate / 8,
            skills=skills,
            calendar=calendars[calendar or "France"],
            email=f"{login}@jalon.example" if login else "",
            user=users.get(login) if login else None,
        )


def _erp(users: dict[str, Any]) -> Project:
    from jalon.io import load_plan

    claire = users["claire"]
    project = project_import(plan=load_plan(_example("erp-rollout.yaml")), user=claire)
    services.baseline_set(project=project, number=0, user=claire)
    # progress to the status date: finished work done, work under way partly done
    updates: dict[int, dict[str, Any]] = {}
    for task in Task.objects.filter(project=project, is_summary=False).order_by("position"):
        if task.start is None or task.finish is None or task.start >= ERP_STATUS_DATE:
            continue
        if task.finish <= ERP_STATUS_DATE:
            updates[task.pk] = {
                "percent_complete": 100,
                "actual_start": task.start,
                "actual_finish": task.finish,
            }
        else:
            span = (task.finish - task.start).total_seconds()
            done = (ERP_STATUS_DATE - task.start).total_seconds() / span if span else 0
            # work under way runs a little late, as it does
            updates[task.pk] = {
                "percent_complete": round(max(5, min(95, 100 * done * 0.8))),
                "actual_start": task.start,
            }
    services.progress_bulk_update(project=project, updates=updates, user=claire)
    services.project_update(
        project=project, data={"status_date": ERP_STATUS_DATE}, version=project.version, user=claire
    )
    # the next critical task turns out longer than planned: the finish slips past the baseline
    slipped = (
        Task.objects.filter(project=project, critical=True, is_summary=False, duration__gt=0)
        .filter(percent_complete=0)
        .order_by("position")
        .first()
    )
    if slipped is not None:
        services.task_update(
            task=slipped,
            data={"duration": slipped.duration + 5 * 480},
            version=slipped.version,
            user=claire,
        )
    return project
