"""Large neighbourhood search around the best schedule, one small CP-SAT solve at a time.

Each step frees the tasks that start in a time window of the current schedule, keeps
the tasks that end before the window where they are, and lets the tasks after it slide
left together (one shared shift keeps their resource profile feasible among
themselves); CP-SAT then re-packs the window and minimises the makespan. Every step has
its own wall-clock limit, so one hard neighbourhood cannot eat the whole budget; the
window widens while steps are solved to optimality and narrows when they time out.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from ortools.sat.python import cp_model

from jalon.engine.leveling.cpsat.model import RcpspModel
from jalon.engine.leveling.rcpsp import Rcpsp

#: Wall-clock limit of one step, in seconds.
STEP_SECONDS = 0.5


def improve(
    problem: Rcpsp,
    base: RcpspModel,
    starts: list[int],
    *,
    until: float,
    seed: int = 0,
    stop: Callable[[], bool] = lambda: False,
    on_better: Callable[[list[int]], None] | None = None,
) -> list[int]:
    """The best schedule found from ``starts`` by ``until`` (a ``perf_counter`` time)."""
    n = problem.n_tasks
    d = problem.durations
    rng = np.random.default_rng(seed)
    best, best_m = list(starts), problem.makespan(starts)
    current, current_m = best, best_m
    width = 0.3
    bound = problem.lower_bound
    while best_m > bound and not stop():
        left = until - time.perf_counter()
        if left <= 0.02:
            break
        m = current_m
        w = max(2, int(width * m))
        a = int(rng.integers(0, max(1, m - w + 1)))
        b = a + w
        model = base.model.clone()
        shift = model.new_int_var(-m, 0, "shift")
        model.clear_hints()  # type: ignore[no-untyped-call]
        for i in range(n):
            var = model.get_int_var_from_proto_index(base.starts[i].index)
            s = current[i]
            if s + d[i] <= a:
                model.add(var == s)
            elif s >= b:
                model.add(var == s + shift)
            model.add_hint(var, s)
        model.add_hint(shift, 0)
        makespan = model.get_int_var_from_proto_index(base.makespan.index)
        model.add(makespan <= current_m)
        model.add_hint(makespan, current_m)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = int(rng.integers(0, 2**31 - 1))
        solver.parameters.max_time_in_seconds = min(STEP_SECONDS, left)
        status = solver.solve(model)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            got = [
                int(solver.value(model.get_int_var_from_proto_index(v.index))) for v in base.starts
            ]
            got_m = problem.makespan(got)
            if got_m <= current_m:
                current, current_m = got, got_m
            if got_m < best_m:
                best, best_m = got, got_m
                if on_better is not None:
                    on_better(best)
        width = min(0.8, width * 1.2) if status == cp_model.OPTIMAL else max(0.05, width * 0.9)
    return best
