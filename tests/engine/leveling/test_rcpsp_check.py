"""The independent checker: it accepts a valid schedule and names every kind of violation."""

from __future__ import annotations

from jalon.engine.leveling import Rcpsp, check


def problem(**changes: object) -> Rcpsp:
    base: dict[str, object] = {
        "durations": (2, 3, 1),
        "precedences": ((0, 1, 2), (0, 2, 1)),  # 1 after 0 ends; 2 may start 1 after 0
        "capacities": (2,),
        "demands": ((1,), (2,), (1,)),
        "names": ("a", "b", "c"),
        "resource_names": ("crew",),
    }
    base.update(changes)
    return Rcpsp(**base)  # type: ignore[arg-type]


def test_a_valid_schedule_passes() -> None:
    # a [0,2) 1 unit; c [1,2) 1 unit; b [2,5) 2 units
    assert check(problem(), [0, 2, 1]) == []


def test_wrong_length() -> None:
    assert check(problem(), [0, 2]) == ["2 start times for 3 tasks"]


def test_precedence_violation() -> None:
    out = check(problem(), [0, 1, 3])
    assert any("precedence a -> b (lag 2)" in m for m in out), out


def test_negative_start() -> None:
    out = check(problem(precedences=()), [-1, 2, 1])
    assert any("a: starts at -1, before period 0" in m for m in out), out


def test_release_violation() -> None:
    out = check(problem(releases=(0, 0, 4)), [0, 2, 1])
    assert out == ["c: starts at 1, before its release 4"]


def test_fixed_violation() -> None:
    out = check(problem(fixed=((2, 3),)), [0, 2, 1])
    assert any("c: fixed at 3 but starts at 1" in m for m in out), out


def test_deadline_violation() -> None:
    out = check(problem(deadline=4), [0, 2, 1])
    assert out == ["b: finishes at 5, after the deadline 4"]


def test_capacity_violation_names_resource_and_period() -> None:
    # b (2 units) over [2,5) and c moved to [2,3): 3 units in period 2
    out = check(problem(), [0, 2, 2])
    assert out == ["crew: 3 units used in period 2, capacity 2"]


def test_capacity_that_varies_over_time() -> None:
    # the crew is away in periods 3 and 4
    p = problem(capacity_profiles=(((3, 0), (5, 2)),))
    out = check(p, [0, 2, 1])
    assert out == [
        "crew: 2 units used in period 3, capacity 0",
        "crew: 2 units used in period 4, capacity 0",
    ]
    assert check(p, [0, 5, 1]) == []


def test_fractional_start() -> None:
    out = check(problem(), [0, 2.5, 1])  # type: ignore[list-item]
    assert any("not a whole period" in m for m in out), out


def test_milestones_use_no_capacity() -> None:
    p = Rcpsp(durations=(0, 0), capacities=(1,), demands=((1,), (1,)))
    assert check(p, [0, 0]) == []
