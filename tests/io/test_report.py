"""The import report: counts taken from the plan, JSON keys as `jalon import --json` prints."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from jalon.engine.model import Assignment, Link, Plan, Resource, Task
from jalon.io.report import REPORT_KEYS, ImportReport, ImportResult, report_for, result_for

START = dt.datetime(2025, 3, 3, 8)


def plan() -> Plan:
    tasks = (
        Task(1, "Phase", 0),
        Task(2, "Design", 2400, parent=1),
        Task(3, "Review", 0, parent=1),  # a milestone
        Task(4, "Phase 2", 0),
        Task(5, "Build", 4800, parent=4),
        Task(6, "Sign-off", 480, parent=4, milestone=True),  # flagged milestone, with a duration
        Task(7, "Empty summary-looking task", 0),  # no children: a milestone, not a summary
    )
    return Plan(
        name="p",
        start=START,
        tasks=tasks,
        links=(Link(2, 3), Link(3, 5), Link(5, 6)),
        resources=(Resource(1, "Alice"), Resource(2, "Bob")),
        assignments=(Assignment(2, 1), Assignment(5, 1), Assignment(5, 2, units=0.5)),
    )


def test_counts_come_from_the_plan() -> None:
    p = plan()
    report = report_for(p, "yaml")
    summaries = {t.parent for t in p.tasks if t.parent is not None}
    assert report.tasks == len(p.tasks)
    assert report.summary_tasks == len(summaries) == 2
    # milestones: zero-duration or flagged tasks that are not summaries
    assert report.milestones == 3
    assert (report.links, report.resources, report.assignments) == (3, 2, 3)
    assert report.format == "yaml"


def test_a_summary_is_never_counted_as_a_milestone() -> None:
    p = plan()
    flagged = p.replace(tasks=(p.tasks[0].__class__(1, "Phase", 0, milestone=True), *p.tasks[1:]))
    assert report_for(flagged, "x").milestones == report_for(p, "x").milestones


def test_json_has_exactly_the_documented_keys() -> None:
    report = report_for(plan(), "csv", warnings=["w1"], ignored=["column 'Cost'"])
    data = report.to_json()
    assert tuple(data) == REPORT_KEYS
    assert set(data) == {
        "format",
        "tasks",
        "summary_tasks",
        "milestones",
        "links",
        "resources",
        "assignments",
        "warnings",
        "ignored",
    }
    assert data["warnings"] == ["w1"]
    assert data["ignored"] == ["column 'Cost'"]
    assert json.loads(json.dumps(data)) == data


def test_repeated_messages_are_kept_once_in_order() -> None:
    report = report_for(plan(), "csv", warnings=["b", "a", "b"], ignored=["x", "x"])
    assert report.warnings == ("b", "a")
    assert report.ignored == ("x",)


def test_result_for_pairs_the_plan_with_its_report() -> None:
    p = plan()
    result = result_for(p, "mpp", warnings=("w",))
    assert isinstance(result, ImportResult)
    assert result.plan is p
    assert result.report == report_for(p, "mpp", warnings=("w",))


def test_report_is_frozen() -> None:
    report = ImportReport("csv", 1, 0, 0, 0, 0, 0)
    with pytest.raises(AttributeError):
        report.tasks = 2  # type: ignore[misc]
    assert report.to_json()["warnings"] == []
