"""Predecessors typed as text: "3FS+2d, 5SS"."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from jalon.io import load_plan as read_file
from jalon.web.planning import services
from jalon.web.planning.imports import project_import
from jalon.web.planning.linktext import LinkTextError, parse_predecessors
from jalon.web.planning.models import Link, Task
from jalon.web.planning.selectors import predecessors_text

REFS = {"1": 10, "2": 20, "1.2": 12, "fgFS": 30, "#7": 70}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", [(10, "FS", 0.0, "work", "d")]),
        ("1.2SS+2d", [(12, "SS", 960.0, "work", "d")]),
        ("2FF-1ed, #7", [(20, "FF", -1440.0, "elapsed", "d"), (70, "FS", 0.0, "work", "d")]),
        ("1FS+50%; 2sf", [(10, "FS", 50.0, "percent", "d"), (20, "SF", 0.0, "work", "d")]),
        ("fgFS", [(30, "FS", 0.0, "work", "d")]),
        ("fgFSFS+1w", [(30, "FS", 2400.0, "work", "w")]),
        ("", []),
    ],
)
def test_parse(text: str, expected: list[tuple[Any, ...]]) -> None:
    got = [
        (s.predecessor, s.type, s.lag_value, s.lag_kind, s.lag_unit)
        for s in parse_predecessors(text, REFS)
    ]
    assert got == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [("9FS", "unknown task '9'"), ("1XX+2d", "unknown task"), ("1, 1SS", "already")],
)
def test_errors_name_the_item(text: str, message: str) -> None:
    with pytest.raises(LinkTextError, match=message):
        parse_predecessors(text, REFS)


@pytest.mark.django_db
def test_typed_links_reschedule(project_roles: dict[str, Any]) -> None:
    project, manager = project_roles["project"], project_roles["manager"]
    build = Task.objects.get(project=project, uid=3)
    services.task_predecessors_set(task=build, text="1.1SS+2d", version=build.version, user=manager)
    build.refresh_from_db()
    assert build.start == dt.datetime(2027, 1, 6, 8)
    link = Link.objects.get(successor=build)
    assert (link.type, link.lag_value) == ("SS", 960.0)
    with pytest.raises(ValidationError, match="unknown task"):
        services.task_predecessors_set(task=build, text="9", version=build.version, user=manager)
    with pytest.raises(ValidationError, match="cycle"):
        services.task_predecessors_set(task=build, text="2", version=build.version, user=manager)
    assert Link.objects.get(successor=build).type == "SS"  # rolled back


@pytest.mark.django_db
def test_the_predecessors_column_reads_back_unchanged(admin: Any) -> None:
    root = Path(__file__).resolve().parents[2]
    project = project_import(plan=read_file(root / "examples" / "erp-rollout.yaml"), user=admin)
    before = set(
        Link.objects.filter(project=project).values_list(
            "predecessor_id", "successor_id", "type", "lag_value", "lag_kind", "lag_unit"
        )
    )
    texts = predecessors_text(project=project, user=admin)
    for task in Task.objects.filter(project=project, pk__in=list(texts))[:40]:
        services.task_predecessors_set(
            task=task, text=texts[task.pk], version=task.version, user=admin
        )
    after = set(
        Link.objects.filter(project=project).values_list(
            "predecessor_id", "successor_id", "type", "lag_value", "lag_kind", "lag_unit"
        )
    )
    assert after == before
