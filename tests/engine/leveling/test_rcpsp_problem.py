"""The Rcpsp problem type: validation, link arithmetic, bounds and capacity profiles."""

from __future__ import annotations

import numpy as np
import pytest

from jalon.engine.errors import CycleError, ValidationError
from jalon.engine.leveling import Rcpsp, RcpspSolution, link_lag


def small() -> Rcpsp:
    # 0 -> 1 -> 3, 0 -> 2 -> 3; 1 and 2 both need 2 of the 3 units of resource 0
    return Rcpsp.from_successors(
        [2, 3, 4, 1],
        [[1, 2], [3], [3], []],
        [3],
        [[0], [2], [2], [1]],
    )


def test_from_successors_builds_finish_to_start_arcs() -> None:
    p = small()
    assert p.precedences == ((0, 1, 2), (0, 2, 2), (1, 3, 3), (2, 3, 4))
    assert p.n_tasks == 4
    assert p.n_resources == 1
    assert p.topological_order[0] == 0
    assert p.topological_order[-1] == 3


def test_bounds() -> None:
    p = small()
    assert p.earliest_starts == (0, 2, 2, 6)
    assert p.tails == (7, 4, 5, 1)
    assert p.critical_path_bound == 7
    # work on resource 0: 3*2 + 4*2 + 1*1 = 15 units, 3 per period
    assert p.energy_bound == 5
    assert p.lower_bound == 7


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("FS", 5 + 2), ("SS", 2), ("FF", 5 - 3 + 2), ("SF", 2 - 3)],
)
def test_link_lag(kind: str, expected: int) -> None:
    assert link_lag(kind, 5, 3, 2) == expected


def test_link_lag_refuses_unknown_type() -> None:
    with pytest.raises(ValueError, match="XX"):
        link_lag("XX", 1, 1)


def test_capacity_profile_steps() -> None:
    p = Rcpsp(
        durations=(1,),
        capacities=(4,),
        demands=((1,),),
        capacity_profiles=(((3, 0), (5, 2)),),
    )
    assert [p.capacity_at(0, t) for t in range(7)] == [4, 4, 4, 0, 0, 2, 2]
    assert p.capacity_array(7).tolist() == [[4, 4, 4, 0, 0, 2, 2]]
    assert p.has_time_varying_capacity
    # 1 unit of work: done in period 0
    assert p.energy_bound == 1


def test_energy_bound_follows_the_profile() -> None:
    # 10 units of work, 2 per period in [0, 2), none in [2, 5), 3 per period after
    p = Rcpsp(
        durations=(10,),
        capacities=(2,),
        demands=((1,),),
        capacity_profiles=(((2, 0), (5, 3)),),
    )
    # 4 units by period 2, then 6 more at 3 per period from period 5: done by 7
    assert p.energy_bound == 7


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"durations": (-1,)}, "duration"),
        ({"durations": (1.5,)}, "not a whole number"),
        ({"durations": (1,), "releases": ("2",)}, "not a whole number"),
        ({"durations": (1,), "precedences": ((0, 3, 1),)}, "outside"),
        ({"durations": (1, 1), "releases": (0,)}, "release dates"),
        ({"durations": (1,), "releases": (-2,)}, "negative release"),
        ({"durations": (1,), "capacities": (1,), "demands": ((2,),)}, "never has more"),
        ({"durations": (1,), "capacities": (1,), "demands": ((1, 1),)}, "2 demands"),
        ({"durations": (1,), "capacities": (-1,), "demands": ((0,),)}, "negative capacity"),
        ({"durations": (1,), "fixed": ((0, 1), (0, 2))}, "fixed twice"),
        ({"durations": (1,), "releases": (3,), "fixed": ((0, 1),)}, "before the release"),
        (
            {
                "durations": (1,),
                "capacities": (1,),
                "demands": ((1,),),
                "capacity_profiles": (((5, 1), (2, 0)),),
            },
            "increasing order",
        ),
        ({"durations": (1,), "deadline": -1}, "negative deadline"),
        ({"durations": (1,), "names": ("a", "b")}, "2 names"),
    ],
)
def test_invalid_problems_are_refused_with_a_clear_message(
    kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        Rcpsp(**kwargs)  # type: ignore[arg-type]


def test_a_demand_above_capacity_names_the_task_and_resource() -> None:
    with pytest.raises(ValidationError) as info:
        Rcpsp(
            durations=(2, 3),
            capacities=(4,),
            demands=((1,), (5,)),
            names=("design", "build"),
            resource_names=("Alice",),
        )
    assert "build" in str(info.value)
    assert "Alice" in str(info.value)


def test_numpy_integers_become_python_integers() -> None:
    p = Rcpsp(durations=np.array([2, 3]), capacities=(np.int64(1),), demands=((1,), (1,)))
    assert p.durations == (2, 3)
    assert all(type(d) is int for d in (*p.durations, *p.capacities))


def test_a_milestone_may_carry_any_demand() -> None:
    p = Rcpsp(durations=(0,), capacities=(1,), demands=((9,),))
    assert p.demand_matrix.tolist() == [[0]]


def test_cycles_are_refused_and_listed() -> None:
    with pytest.raises(CycleError) as info:
        Rcpsp(durations=(1, 1, 1), precedences=((0, 1, 1), (1, 2, 1), (2, 1, -5)))
    assert "task 1" in str(info.value)
    assert "task 2" in str(info.value)


def test_gap() -> None:
    assert RcpspSolution.gap(110, 100) == pytest.approx(10.0)
    assert RcpspSolution.gap(0, 0) == 0.0
