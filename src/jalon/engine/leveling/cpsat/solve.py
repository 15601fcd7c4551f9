"""Solve an RCPSP to optimality, or near it, with CP-SAT."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

from ortools.sat.python import cp_model

from jalon.engine.leveling.cpsat import lns
from jalon.engine.leveling.cpsat.model import build_model
from jalon.engine.leveling.rcpsp import InfeasibleError, Rcpsp, RcpspSolution

#: The machine Jalon is measured on has two cores.
NUM_WORKERS = 2

#: The heuristic budget (task placements) spent on the warm start before CP-SAT runs.
HINT_BUDGET = 4_000

#: From this many tasks on, with two workers and a time limit, one worker proves while
#: the other thread searches: the genetic search for ``GENETIC_SHARE`` of the time
#: limit, then the neighbourhood search. Below it every worker goes to CP-SAT's own
#: search: the warm start or CP-SAT soon finds the optimum and what is left is to prove
#: it, which two CP-SAT workers do better than one (3 more of the 9 j30 instances one
#: worker left unproven in 10 s).
SMALL = 50
GENETIC_SHARE = 0.5


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
    heuristic = None
    if hint is None:
        heuristic = Heuristic(problem)
        hint = heuristic.solve(seed=seed, budget=HINT_BUDGET)
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
    # One worker proves (CP-SAT's own search); with two or more, on problems of SMALL
    # tasks or more, our neighbourhood search runs beside it on the warm start (see
    # lns.py: it keeps a wall-clock limit per step, which CP-SAT's interleaved
    # neighbourhoods did not on a loaded machine).
    side_search = (
        workers >= 2 and hint is not None and time_limit is not None and problem.n_tasks >= SMALL
    )
    params.num_workers = workers - 1 if side_search else workers
    params.random_seed = seed
    until = None if time_limit is None else t0 + time_limit
    if until is not None:
        params.max_time_in_seconds = max(0.05, until - time.perf_counter())
    found: list[Sequence[int]] = []
    if side_search and hint is not None and until is not None:
        outcome: list[cp_model.CpSolverStatus] = []
        main = threading.Thread(target=lambda: outcome.append(solver.solve(built.model)))
        main.start()

        def better(starts: list[int]) -> None:
            if problem.makespan(starts) <= problem.lower_bound:
                solver.stop_search()  # nothing left to prove

        start_from = list(hint)
        if heuristic is not None:
            # CP-SAT's neighbourhoods gain slowly on large problems at first, the genetic
            # search faster; it holds Python's lock, CP-SAT works on the other core
            share = max(0.0, t0 + GENETIC_SHARE * (until - t0) - time.perf_counter())
            more = heuristic.evolve(
                start_from, seed=seed, seconds=share, halt=lambda: not main.is_alive()
            )
            if problem.makespan(more) < problem.makespan(start_from):
                start_from = more
                found.append(more)
                better(more)
        # the side search copies its model at every step: the lean one, without the
        # redundant constraints that only help proofs, copies and presolves faster
        lean = build_model(problem, upper_bound=upper, redundant=False)
        found.append(
            lns.improve(
                problem,
                lean,
                start_from,
                until=until,
                seed=seed,
                stop=lambda: not main.is_alive(),
                on_better=better,
            )
        )
        solver.stop_search()
        main.join()
        status = outcome[0]
    else:
        status = solver.solve(built.model)
    if hint is not None:
        found.append(list(hint))
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        found.append([int(solver.value(v)) for v in built.starts])
    if status == cp_model.INFEASIBLE:
        raise InfeasibleError("no schedule meets the links, capacities, pins and deadline")
    if not found:
        raise InfeasibleError(f"CP-SAT found no schedule in {time_limit} s ({status.name})")
    # the best of CP-SAT's, the side search's and the warm start (never worse than it);
    # among equals CP-SAT's, which does not depend on how far the side search got
    starts = min(reversed(found), key=problem.makespan)
    bound = max(problem.lower_bound, int(solver.best_objective_bound))
    if status == cp_model.OPTIMAL:
        bound = max(bound, problem.makespan(found[-1]))
    proven = problem.makespan(starts) <= bound
    searched = status in (cp_model.OPTIMAL, cp_model.FEASIBLE) or len(found) > 1
    label = "optimal" if proven else "feasible" if searched else "heuristic"
    return _solution(problem, starts, label, bound, t0)


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
