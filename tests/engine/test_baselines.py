"""Baselines: up to 11 snapshots per plan, and variances against them."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from jalon.engine import (
    Assignment,
    Link,
    Plan,
    Resource,
    Task,
    ValidationError,
    baseline_variances,
    save_baseline,
    schedule,
)

MON = dt.datetime(2027, 1, 4, 8)


def make_plan(days_2: int = 2) -> Plan:
    return Plan(
        name="b",
        start=MON,
        tasks=(
            Task(uid=1, name="A", duration=3 * 480),
            Task(uid=2, name="B", duration=days_2 * 480),
        ),
        links=(Link(1, 2),),
        resources=(Resource(uid=1, name="Ana"),),
        assignments=(Assignment(task=2, resource=1, units=0.5),),
    )


def test_save_and_compare() -> None:
    plan = make_plan()
    plan = save_baseline(plan, schedule(plan), number=0, saved=MON)
    assert [b.number for b in plan.baselines] == [0]
    assert plan.baselines[0].tasks[2].start == dt.datetime(2027, 1, 7, 8)
    assert plan.baselines[0].tasks[2].work == 480  # 2 days at 50 %
    # the plan slips: task A takes 2 more days, task B one more
    later = dataclasses.replace(
        plan,
        tasks=(
            dataclasses.replace(plan.tasks[0], duration=5 * 480),
            dataclasses.replace(plan.tasks[1], duration=3 * 480),
        ),
    )
    var = {v.uid: v for v in baseline_variances(later, schedule(later), 0)}
    assert var[1].start_variance == 0
    assert var[1].finish_variance == 2 * 480
    assert var[2].start_variance == 2 * 480
    assert var[2].finish_variance == 3 * 480
    assert var[2].duration_variance == 480
    assert var[2].work_variance == 240


def test_eleven_baselines_and_replacing_one() -> None:
    plan = make_plan()
    result = schedule(plan)
    for number in range(11):
        plan = save_baseline(plan, result, number=number)
    assert [b.number for b in plan.baselines] == list(range(11))
    plan = save_baseline(plan, result, number=3)
    assert len(plan.baselines) == 11
    with pytest.raises(ValidationError, match="between 0 and 10"):
        save_baseline(plan, result, number=11)


def test_variance_against_a_missing_baseline() -> None:
    plan = make_plan()
    with pytest.raises(ValidationError, match="no baseline 4"):
        baseline_variances(plan, schedule(plan), 4)
