"""Properties of the benchmark network generator (benchmarks/generator.py)."""

from __future__ import annotations

from collections import Counter

import pytest

from generator import (
    FOUR_DAY_CALENDAR,
    PROJECT_CALENDAR,
    UK_CALENDAR,
    generate_plan,
    network_stats,
)
from jalon.engine.model import (
    DATED_CONSTRAINTS,
    ConstraintType,
    LagKind,
    LinkType,
    Plan,
    find_cycle,
)

N = 2000


@pytest.fixture(scope="module")
def plan() -> Plan:
    return generate_plan(N, seed=7)


def leaves(plan: Plan) -> list[int]:
    return [t.uid for t in plan.tasks if not plan.is_summary(t.uid)]


def test_exact_size_and_unique_uids(plan: Plan) -> None:
    assert len(plan.tasks) == N
    assert len({t.uid for t in plan.tasks}) == N


@pytest.mark.parametrize("n", [20, 21, 57, 137, 999, 3001])
def test_any_size_from_20(n: int) -> None:
    assert len(generate_plan(n, seed=n).tasks) == n


def test_too_small() -> None:
    with pytest.raises(ValueError, match="at least 20"):
        generate_plan(19)


def test_no_cycle_and_links_go_forward(plan: Plan) -> None:
    index = plan.task_index
    successors: dict[int, list[int]] = {}
    for link in plan.links:
        assert index[link.predecessor] < index[link.successor]
        successors.setdefault(link.predecessor, []).append(link.successor)
    assert find_cycle(successors, [t.uid for t in plan.tasks]) == []
    # network_stats also checks that a summary's links leave after its subtasks
    assert network_stats(plan).depth > 10


def test_no_duplicate_links(plan: Plan) -> None:
    pairs = [(lk.predecessor, lk.successor) for lk in plan.links]
    assert len(pairs) == len(set(pairs))


def test_wbs_shape(plan: Plan) -> None:
    numbers = plan.outline_numbers
    levels = {uid: number.count(".") + 1 for uid, number in numbers.items()}
    leaf_levels = {levels[uid] for uid in leaves(plan)}
    assert min(leaf_levels) >= 2  # phase gates sit right under their phase
    assert max(levels.values()) == 5
    assert {3, 4, 5} <= leaf_levels
    for kids in plan.children.values():
        assert 3 <= len(kids) <= 12
    top = [t for t in plan.tasks if t.parent is None]
    assert all(plan.is_summary(t.uid) for t in top)


def test_links_per_task(plan: Plan) -> None:
    per_leaf = len(plan.links) / len(leaves(plan))
    assert 1.6 <= per_leaf <= 1.8


def test_links_are_mostly_local(plan: Plan) -> None:
    index = plan.task_index
    gaps = sorted(index[lk.successor] - index[lk.predecessor] for lk in plan.links)
    assert gaps[len(gaps) // 2] <= 3  # the median link joins neighbours


def test_link_type_mix(plan: Plan) -> None:
    counts = Counter(lk.type for lk in plan.links)
    share = {t: counts[t] / len(plan.links) for t in LinkType}
    assert 0.74 <= share[LinkType.FS] <= 0.85
    assert 0.08 <= share[LinkType.SS] <= 0.16
    assert 0.05 <= share[LinkType.FF] <= 0.11
    assert share[LinkType.SF] <= 0.02


def test_lags(plan: Plan) -> None:
    lagged = [lk.lag for lk in plan.links if not lk.lag.is_zero]
    assert 0.07 <= len(lagged) / len(plan.links) <= 0.13
    kinds = Counter(lag.kind for lag in lagged)
    assert kinds[LagKind.WORK] > kinds[LagKind.ELAPSED] > 0
    assert kinds[LagKind.PERCENT] > 0
    positive = sum(1 for lag in lagged if lag.value > 0)
    negative = sum(1 for lag in lagged if lag.value < 0)
    assert positive > 3 * negative > 0


def test_durations_and_milestones(plan: Plan) -> None:
    leaf_tasks = [plan.task(uid) for uid in leaves(plan)]
    milestones = [t for t in leaf_tasks if t.is_milestone]
    assert 0.03 <= len(milestones) / len(leaf_tasks) <= 0.08
    durations = sorted(t.duration for t in leaf_tasks if not t.is_milestone)
    assert durations[0] >= 240
    assert durations[-1] <= 20 * 480
    assert all(d % 240 == 0 for d in durations)
    median = durations[len(durations) // 2]
    mean = sum(durations) / len(durations)
    assert 2 * 480 <= median <= 4 * 480
    assert mean > median  # skewed to the right


def test_constraints_and_deadlines(plan: Plan) -> None:
    constrained = [t for t in plan.tasks if t.constraint.type is not ConstraintType.ASAP]
    assert 0.03 <= len(constrained) / len(plan.tasks) <= 0.07
    types = {t.constraint.type for t in constrained}
    assert {ConstraintType.SNET, ConstraintType.FNLT} <= types
    for t in constrained:
        if t.constraint.type in DATED_CONSTRAINTS:
            assert t.constraint.date is not None
            assert plan.start <= t.constraint.date
            assert t.constraint.date.weekday() < 5
    deadlines = [t for t in plan.tasks if t.deadline is not None]
    assert 0.005 <= len(deadlines) / len(plan.tasks) <= 0.05


def test_calendars(plan: Plan) -> None:
    specs = {c.name: c for c in plan.calendars}
    assert set(specs) == {PROJECT_CALENDAR, FOUR_DAY_CALENDAR, UK_CALENDAR}
    assert plan.calendar == PROJECT_CALENDAR
    assert specs[PROJECT_CALENDAR].country == "FR"
    assert specs[UK_CALENDAR].country == "GB"
    assert specs[FOUR_DAY_CALENDAR].base == PROJECT_CALENDAR
    assert specs[FOUR_DAY_CALENDAR].week[4] == ()
    assert specs[FOUR_DAY_CALENDAR].exceptions
    used = Counter(plan.task(uid).calendar for uid in leaves(plan))
    other = (used[FOUR_DAY_CALENDAR] + used[UK_CALENDAR]) / sum(used.values())
    assert 0.12 <= other <= 0.28
    assert used[FOUR_DAY_CALENDAR] > 0
    assert used[UK_CALENDAR] > 0


def test_summary_links(plan: Plan) -> None:
    on_summary = [
        lk for lk in plan.links if plan.is_summary(lk.predecessor) or plan.is_summary(lk.successor)
    ]
    assert 0 < len(on_summary) <= 0.02 * len(plan.links)
    assert all(lk.type in (LinkType.FS, LinkType.SS) for lk in on_summary)
    none = generate_plan(N, seed=7, summary_link_share=0.0)
    assert not any(
        none.is_summary(lk.predecessor) or none.is_summary(lk.successor) for lk in none.links
    )


def test_deterministic(plan: Plan) -> None:
    again = generate_plan(N, seed=7)
    assert again.tasks == plan.tasks
    assert again.links == plan.links
    assert again.calendars == plan.calendars
    other = generate_plan(N, seed=8)
    assert other.links != plan.links


def test_stats(plan: Plan) -> None:
    stats = network_stats(plan)
    assert stats.tasks == N
    assert stats.leaves + stats.summaries == N
    assert stats.wbs_depth == 5
    assert stats.max_fanout <= 12
    assert 10 < stats.depth < stats.leaves


def test_schedules(plan: Plan) -> None:
    import jalon

    result = jalon.schedule(plan)
    assert len(result) == N
    assert result.finish > plan.start
