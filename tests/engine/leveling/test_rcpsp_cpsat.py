"""CP-SAT: proven optima on real PSPLIB instances, exact on small problems checked by
brute force, and every schedule accepted by the independent checker."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jalon.engine.leveling import InfeasibleError, Rcpsp, check, solve_fast, solve_optimal
from jalon.engine.leveling.cpsat.model import energetic_bounds, exclusion_cliques
from jalon.io.psplib import read_psplib, read_solutions

PSPLIB = Path(__file__).resolve().parents[4] / "shared" / "data" / "psplib"
#: quick ones, among them instances where the heuristic alone does not reach the optimum
J30 = ["j301_1", "j305_3", "j3046_2", "j3012_1", "j3033_1"]


def load(name: str) -> Rcpsp:
    path = PSPLIB / "j30" / f"{name}.sm"
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
def test_cp_sat_proves_the_published_optimum(
    name: str, j30_optima: dict[tuple[int, int], tuple[int, bool]]
) -> None:
    p = load(name)
    result = solve_optimal(p, time_limit=120)
    assert check(p, result.starts) == []
    par, inst = (int(x) for x in name[3:].split("_"))
    assert (result.makespan, result.status) == (j30_optima[(par, inst)][0], "optimal")
    assert result.lower_bound == result.makespan
    assert result.gap_pct == 0.0


def test_the_result_is_never_worse_than_the_hint() -> None:
    p = load("j3012_1")
    fast = solve_fast(p, budget=100)
    result = solve_optimal(p, time_limit=5, hint=fast.starts)
    assert check(p, result.starts) == []
    assert result.makespan <= fast.makespan


def test_an_invalid_hint_is_ignored() -> None:
    p = load("j301_1")
    result = solve_optimal(p, time_limit=30, hint=[0] * p.n_tasks)
    assert check(p, result.starts) == []


def test_energetic_lags_are_valid_for_the_optimum() -> None:
    # every redundant bound must hold in a real optimal schedule
    p = load("j305_3")
    result = solve_optimal(p, time_limit=120)
    heads, tails, lags = energetic_bounds(p)
    s = result.starts
    assert all(s[i] >= heads[i] for i in range(p.n_tasks))
    assert all(s[i] + tails[i] <= result.makespan for i in range(p.n_tasks))
    assert all(s[j] >= s[i] + lag for i, j, lag in lags)
    assert lags  # the instance has some, or this test would prove nothing


@pytest.mark.parametrize("name", ["j3013_1", "j3045_1", "j301_1"])
def test_exclusion_cliques_hold_in_every_valid_schedule(name: str) -> None:
    # no two tasks of a clique may overlap in any valid schedule, whatever its quality
    p = load(name)
    cliques = exclusion_cliques(p)
    assert cliques  # these instances have some, or this test would prove nothing
    for seed in range(5):
        s = solve_fast(p, seed=seed, budget=200).starts
        assert check(p, s) == []
        for clique in cliques:
            assert len(clique) >= 3
            spans = sorted((s[i], s[i] + p.durations[i]) for i in clique)
            assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))


def test_exclusion_cliques_leave_tasks_that_can_overlap_apart() -> None:
    # 0 and 1 fit together (1 + 1 <= 2); 2 needs both units; 3 follows 0
    p = Rcpsp(
        durations=(2, 2, 2, 1),
        precedences=((0, 3, 2),),
        capacities=(2,),
        demands=((1,), (1,), (2,), (1,)),
    )
    cliques = exclusion_cliques(p)
    assert [0, 2, 3] in cliques
    assert all(not {0, 1} <= set(c) for c in cliques)


def test_time_varying_capacity_and_deadline() -> None:
    p = Rcpsp(
        durations=(3, 3, 2),
        precedences=((0, 2, 3),),
        capacities=(2,),
        demands=((1,), (1,), (2,)),
        capacity_profiles=(((1, 1), (4, 2)),),
        deadline=9,
    )
    result = solve_optimal(p, time_limit=10)
    assert check(p, result.starts) == []
    assert result.status == "optimal"


def test_an_impossible_deadline_is_reported() -> None:
    p = Rcpsp(durations=(3, 3), capacities=(1,), demands=((1,), (1,)), deadline=5)
    with pytest.raises(InfeasibleError):
        solve_optimal(p, time_limit=10)


def brute_force(p: Rcpsp) -> int | None:
    horizon = p.horizon  # a schedule exists by then if any does
    best = None
    for starts in itertools.product(range(horizon), repeat=p.n_tasks):
        if not check(p, starts):
            m = p.makespan(starts)
            best = m if best is None else min(best, m)
    return best


@st.composite
def tiny(draw: st.DrawFn) -> Rcpsp:
    n = draw(st.integers(1, 3))
    durations = tuple(draw(st.integers(1, 3)) for _ in range(n))
    arcs = [
        (i, j, draw(st.integers(-2, 4)))
        for j in range(n)
        for i in range(j)
        if draw(st.integers(0, 3)) == 0
    ]
    return _tiny_with_profile(draw, n, durations, arcs)


def _tiny_with_profile(
    draw: st.DrawFn, n: int, durations: tuple[int, ...], arcs: list[tuple[int, int, int]]
) -> Rcpsp:
    profile: tuple[tuple[tuple[int, int], ...], ...] = ()
    if draw(st.booleans()):
        profile = (((draw(st.integers(1, 3)), draw(st.integers(0, 2))), (5, 2)),)
    return Rcpsp(
        durations=durations,
        precedences=tuple(arcs),
        capacities=(2,),
        demands=tuple((draw(st.integers(0, 2)),) for _ in range(n)),
        capacity_profiles=profile,
        releases=tuple(draw(st.integers(0, 2)) for _ in range(n)),
    )


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny())
def test_cp_sat_matches_brute_force_on_tiny_problems(p: Rcpsp) -> None:
    result = solve_optimal(p, time_limit=20)
    assert check(p, result.starts) == []
    assert result.status == "optimal"
    assert result.makespan == brute_force(p)


def test_neighbourhood_search_keeps_valid_schedules_and_never_worsens() -> None:
    import time

    from jalon.engine.leveling.cpsat import lns
    from jalon.engine.leveling.cpsat.model import build_model
    from jalon.engine.leveling.heuristic import Heuristic

    p = load("j3013_1")
    start = Heuristic(p).solve(budget=300)
    assert start is not None
    base = build_model(p, upper_bound=p.makespan(start), hint=start)
    seen: list[list[int]] = []
    result = lns.improve(p, base, start, until=time.perf_counter() + 2, on_better=seen.append)
    assert check(p, result) == []
    assert p.makespan(result) <= p.makespan(start)
    for better in seen:
        assert check(p, better) == []
    assert [p.makespan(s) for s in seen] == sorted((p.makespan(s) for s in seen), reverse=True)
