"""Solve an RCPSP to optimality, or near it, with CP-SAT."""

from __future__ import annotations

import time
from collections.abc import Sequence

from ortools.sat.python import cp_model

from jalon.engine.leveling.cpsat.model import build_model
from jalon.engine.leveling.rcpsp import InfeasibleError, Rcpsp, RcpspSolution

#: The machine Jalon is measured on has two cores.
NUM_WORKERS = 2

#: The heuristic budget (task placements) spent on the warm start before CP-SAT runs.
HINT_BUDGET = 4_000

#: From this many tasks on, the warm start gets ``HINT_SHARE`` of the time limit instead.
LARGE = 100
HINT_SHARE = 0.3


def solve_optimal(
    problem: Rcpsp,
    *,
    time_limit: float | None = 30.0,
    hint: Sequence[int] | None = None,
    workers: int = NUM_WORKERS,
    seed: int = 0,
) -> RcpspSolution:
    """Minimise the makespan with CP-SAT, warm-started from a heuristic schedule.

    ``hint``: a feasible schedule to start from (default: :func:`solve_fast`'s). Its
    makespan is also an upper bound, so the result is never worse than the hint.
    ``time_limit``: seconds for the whole call (``None``: until proven optimal).
    Status ``"optimal"`` when proven, else ``"feasible"`` with CP-SAT's best bound in
    ``lower_bound``. Raises :class:`InfeasibleError` when there is no schedule, or none
    was found in time.
    """
    from jalon.engine.leveling.check import check
    from jalon.engine.leveling.heuristic import Heuristic

    t0 = time.perf_counter()
    if hint is not None and check(problem, hint):
        hint = None  # an infeasible hint would only mislead the search
    if hint is None:
        heuristic = Heuristic(problem)
        if time_limit is not None and problem.n_tasks >= LARGE:
            # on large problems CP-SAT's neighbourhood search improves slowly on two
            # cores; iterated justification gains faster at first, so it gets a share
            found = heuristic.solve(seed=seed, budget=10**9, seconds=HINT_SHARE * time_limit)
        else:
            found = heuristic.solve(seed=seed, budget=HINT_BUDGET)
        hint = found if found is not None else None
    if hint is not None:
        upper = problem.makespan(hint)
    else:
        upper = problem.horizon
    trivial = hint is not None and upper <= problem.lower_bound
    if trivial and hint is not None:
        return _solution(problem, hint, "optimal", upper, t0)

    built = build_model(problem, upper_bound=upper, hint=hint)
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.num_workers = workers
    params.random_seed = seed
    if time_limit is not None:
        params.max_time_in_seconds = max(0.05, time_limit - (time.perf_counter() - t0))
    status = solver.solve(built.model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        starts = [int(solver.value(v)) for v in built.starts]
        bound = max(problem.lower_bound, int(solver.best_objective_bound))
        if hint is not None and problem.makespan(hint) <= problem.makespan(starts):
            starts = list(hint)  # never return worse than the warm start
        proven = status == cp_model.OPTIMAL or problem.makespan(starts) <= bound
        return _solution(problem, starts, "optimal" if proven else "feasible", bound, t0)
    if status == cp_model.INFEASIBLE:
        raise InfeasibleError("no schedule meets the links, capacities, pins and deadline")
    if hint is not None:
        bound = max(problem.lower_bound, int(solver.best_objective_bound))
        return _solution(problem, hint, "heuristic", bound, t0)
    raise InfeasibleError(f"CP-SAT found no schedule in {time_limit} s ({status.name})")


def _solution(
    problem: Rcpsp, starts: Sequence[int], status: str, bound: int, t0: float
) -> RcpspSolution:
    makespan = problem.makespan(starts)
    bound = min(bound, makespan)
    return RcpspSolution(
        starts=tuple(int(s) for s in starts),
        makespan=makespan,
        status="optimal"
        if status == "optimal"
        else "feasible"
        if status == "feasible"
        else "heuristic",
        lower_bound=bound,
        gap_pct=RcpspSolution.gap(makespan, bound),
        seconds=time.perf_counter() - t0,
    )
