"""The fast heuristics: every schedule passes the independent checker, on real PSPLIB
instances and on problems with lags, releases, pinned tasks and capacity that varies."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jalon.engine.leveling import InfeasibleError, Rcpsp, check, solve_fast
from jalon.engine.leveling.heuristic import RULES, Heuristic
from jalon.io.psplib import read_psplib, read_solutions

PSPLIB = Path(__file__).resolve().parents[4] / "shared" / "data" / "psplib"
J30 = ["j301_1", "j305_3", "j3013_1", "j3029_5", "j3046_2", "j3048_10"]


def load(name: str) -> Rcpsp:
    folder = PSPLIB / f"j{name[1:3]}"
    path = folder / f"{name}.sm"
    if not path.is_file():
        pytest.skip(f"PSPLIB instance not found: {path}")
    with path.open("rb") as stream:
        return read_psplib(stream, path.name)


@pytest.fixture(scope="module")
def j30_optima() -> dict[tuple[int, int], tuple[int, bool]]:
    path = PSPLIB / "solutions" / "j30opt.sm"
    if not path.is_file():
        pytest.skip(f"PSPLIB solutions not found: {path}")
    with path.open("rb") as stream:
        return read_solutions(stream, path.name)


@pytest.mark.parametrize("name", J30)
def test_psplib_schedules_pass_the_checker_and_respect_the_optimum(
    name: str, j30_optima: dict[tuple[int, int], tuple[int, bool]]
) -> None:
    p = load(name)
    result = solve_fast(p)
    assert check(p, result.starts) == []
    assert result.makespan == p.makespan(result.starts)
    par, inst = (int(x) for x in name[3:].split("_"))
    optimum = j30_optima[(par, inst)][0]
    assert result.makespan >= optimum
    assert result.lower_bound <= optimum
    assert result.status in ("heuristic", "optimal")
    assert (result.status == "optimal") == (result.makespan == result.lower_bound)


@pytest.mark.parametrize("rule", RULES)
def test_each_rule_and_scheme_gives_a_valid_schedule(rule: str) -> None:
    p = load("j3013_1")
    h = Heuristic(p)
    for starts in (h.serial(h.keys[rule]), h.parallel(h.keys[rule])):
        assert starts is not None
        assert check(p, starts) == []


def test_justification_never_lengthens_a_classic_schedule() -> None:
    p = load("j3029_5")
    h = Heuristic(p)
    for rule in RULES:
        starts = h.serial(h.keys[rule])
        assert starts is not None
        improved = h.improve(starts, rounds=5)
        assert check(p, improved) == []
        assert h.makespan(improved) <= h.makespan(starts)


def test_deterministic_for_a_seed() -> None:
    p = load("j3013_1")
    assert solve_fast(p, seed=3).starts == solve_fast(p, seed=3).starts


def test_the_budget_bounds_the_work() -> None:
    p = load("j3013_1")
    h = Heuristic(p)
    h.solve(budget=1000)
    # the eight rule/scheme passes and the improvement of two of them come first
    assert h.placements <= 1000 + 30 * p.n_tasks


def test_capacity_that_varies_over_time_is_respected() -> None:
    # two tasks of 3 periods need the only unit; the unit is away in periods 2..5
    p = Rcpsp(
        durations=(3, 3),
        capacities=(1,),
        demands=((1,), (1,)),
        capacity_profiles=(((2, 0), (6, 1)),),
    )
    result = solve_fast(p)
    assert check(p, result.starts) == []
    assert sorted(result.starts) == [6, 9]


def test_generalised_lags_including_negative_ones() -> None:
    # SS +1, FF 0 (negative start lag), SF; a shared unit forces sequencing
    d = (4, 2, 5, 3)
    p = Rcpsp(
        durations=d,
        precedences=(
            (0, 1, 1),  # SS +1
            (1, 2, d[1] - d[2]),  # FF: start lag -3
            (0, 3, -d[3] + 2),  # SF +2: start lag -1
        ),
        capacities=(1,),
        demands=((1,), (0,), (1,), (1,)),
    )
    result = solve_fast(p)
    assert check(p, result.starts) == []


def test_releases_and_pinned_tasks() -> None:
    p = Rcpsp(
        durations=(2, 2, 2, 2),
        precedences=((0, 1, 2),),
        capacities=(1,),
        demands=((1,), (1,), (1,), (1,)),
        releases=(0, 0, 5, 0),
        fixed=((3, 2),),
    )
    result = solve_fast(p)
    assert check(p, result.starts) == []
    assert result.starts[3] == 2


def test_a_pinned_task_out_of_reach_falls_back_to_cp_sat_which_proves_it() -> None:
    # task 1 must start 5 after task 0 starts, but is pinned at 2
    p = Rcpsp(durations=(5, 1), precedences=((0, 1, 5),), fixed=((1, 2),))
    with pytest.raises(InfeasibleError):
        solve_fast(p)


def test_an_empty_problem() -> None:
    result = solve_fast(Rcpsp(durations=()))
    assert result.starts == ()
    assert result.makespan == 0


@st.composite
def problems(draw: st.DrawFn) -> Rcpsp:
    n = draw(st.integers(1, 8))
    m = draw(st.integers(1, 2))
    durations = tuple(draw(st.integers(0, 4)) for _ in range(n))
    capacities = tuple(draw(st.integers(1, 4)) for _ in range(m))
    demands = tuple(tuple(draw(st.integers(0, capacities[r])) for r in range(m)) for _ in range(n))
    arcs = []
    for j in range(n):
        for i in range(j):
            if draw(st.booleans()) and draw(st.booleans()):
                arcs.append((i, j, draw(st.integers(-3, 5))))
    profiles: tuple[tuple[tuple[int, int], ...], ...] = ()
    if draw(st.booleans()):
        profiles = tuple(
            ((draw(st.integers(1, 6)), draw(st.integers(0, capacities[r]))), (9, capacities[r]))
            for r in range(m)
        )
    releases = tuple(draw(st.integers(0, 3)) for _ in range(n))
    return Rcpsp(
        durations=durations,
        precedences=tuple(arcs),
        capacities=capacities,
        demands=demands,
        capacity_profiles=profiles,
        releases=releases,
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_random_problems_always_pass_the_checker(p: Rcpsp) -> None:
    result = solve_fast(p, budget=200)
    assert check(p, result.starts) == []
    assert result.makespan >= p.lower_bound


def test_the_genetic_search_keeps_valid_schedules_and_never_worsens() -> None:
    p = load("j3013_1")
    heuristic = Heuristic(p)
    start = heuristic.solve(budget=300)
    assert start is not None
    result = heuristic.evolve(start, seconds=0.5)
    assert check(p, result) == []
    assert p.makespan(result) <= p.makespan(start)
    # it stops when asked
    assert heuristic.evolve(start, seconds=10, halt=lambda: True) == start


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_the_genetic_search_on_random_problems_passes_the_checker(p: Rcpsp) -> None:
    heuristic = Heuristic(p)
    start = heuristic.solve(budget=100)
    if start is None:  # pinned tasks or a deadline the heuristics cannot meet
        return
    result = heuristic.evolve(start, seconds=0.02)
    assert check(p, result) == []
    assert p.makespan(result) <= p.makespan(start)
