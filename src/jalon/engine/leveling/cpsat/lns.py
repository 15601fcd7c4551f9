"""Large neighbourhood search around the best schedule, one small CP-SAT solve at a time.

Each step frees some tasks of the current schedule and re-optimises the makespan with a
small CP-SAT solve; the other tasks are held by one of two relaxations:

* *window*: the tasks that end before the window stay where they are and the tasks
  after it slide left together (one shared shift keeps their resource profile feasible
  among themselves);
* *order*: every task may move, but two tasks that are not freed and share a resource
  keep their order (one that ends before the other starts still does). Tasks that run
  together in any such schedule ran together in the current one, so the held tasks stay
  feasible among themselves, and the whole schedule can close up on both sides.

Neighbourhoods, chosen at random, more often those that have improved the schedule:
a time window of the schedule (with either relaxation), a random set of tasks, and the
tasks of one resource in a time window. Every step has its own wall-clock limit, so
one hard neighbourhood cannot eat the whole budget; each neighbourhood's size grows
while its steps are solved to optimality and shrinks when they time out.
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

#: The neighbourhoods: name, relaxation, and about how many tasks a step frees at first
#: (CP-SAT re-packs 10 to 15 tasks of j120 to optimality in 0.05 to 0.25 s, more rarely).
NEIGHBOURHOODS: tuple[tuple[str, str, int], ...] = (
    ("window", "window", 10),
    ("window", "order", 10),
    ("random", "order", 12),
    ("resource", "order", 8),
)


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
    d = np.asarray(problem.durations, dtype=np.int64)
    dem = problem.demand_matrix
    users = [np.flatnonzero((dem[:, r] > 0) & (d > 0)) for r in range(problem.n_resources)]
    used = [r for r in range(problem.n_resources) if len(users[r]) > 1]
    rng = np.random.default_rng(seed)
    best, best_m = list(starts), problem.makespan(starts)
    current, current_m = best, best_m
    k = len(NEIGHBOURHOODS)
    # sizes: a share of the makespan for time windows (tasks spread evenly over it),
    # of the tasks for random sets, of one resource's tasks for resource windows
    share = [min(0.8, free / max(1, n)) for _, _, free in NEIGHBOURHOODS]
    size = [
        2 * x if kind == "resource" else x
        for x, (kind, _, _) in zip(share, NEIGHBOURHOODS, strict=True)
    ]
    gains = np.ones(k)  # a running score per neighbourhood: improvements, decayed
    bound = problem.lower_bound
    while best_m > bound and not stop():
        left = until - time.perf_counter()
        if left <= 0.02:
            break
        choice = int(rng.choice(k, p=gains / gains.sum()))
        kind, relax, _ = NEIGHBOURHOODS[choice]
        if kind == "resource" and not used:
            kind = "window"
        s = np.asarray(current, dtype=np.int64)
        m = current_m
        if kind == "random":
            free = rng.random(n) < size[choice]
            a, b = 0, 0
        else:
            w = max(2, int(size[choice] * m))
            a = int(rng.integers(0, max(1, m - w + 1)))
            b = a + w
            free = (s + d > a) & (s < b)
            if kind == "resource":
                r = used[int(rng.integers(0, len(used)))]
                mask = np.zeros(n, dtype=bool)
                mask[users[r]] = True
                free &= mask
        model = base.model.clone()
        model.clear_hints()  # type: ignore[no-untyped-call]
        var = [model.get_int_var_from_proto_index(v.index) for v in base.starts]
        if relax == "window":
            shift = model.new_int_var(-m, 0, "shift")
            for i in range(n):
                if s[i] + d[i] <= a:
                    model.add(var[i] == int(s[i]))
                elif s[i] >= b:
                    model.add(var[i] == int(s[i]) + shift)
            model.add_hint(shift, 0)
        else:
            for i, j in _held_order(s, d, users, free):
                model.add(var[j] >= var[i] + int(d[i]))
        for i in range(n):
            model.add_hint(var[i], int(s[i]))
        makespan = model.get_int_var_from_proto_index(base.makespan.index)
        model.add(makespan <= current_m)
        model.add_hint(makespan, current_m)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = int(rng.integers(0, 2**31 - 1))
        solver.parameters.max_time_in_seconds = min(STEP_SECONDS, left)
        status = solver.solve(model)
        improved = False
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            got = [int(solver.value(v)) for v in var]
            got_m = problem.makespan(got)
            if got_m <= current_m:
                improved = got_m < current_m
                current, current_m = got, got_m
            if got_m < best_m:
                best, best_m = got, got_m
                if on_better is not None:
                    on_better(best)
        gains *= 0.95
        gains[choice] += 1.0 if improved else 0.0
        gains = np.maximum(gains, 0.2)
        if status == cp_model.OPTIMAL:
            size[choice] = min(0.8, size[choice] * 1.1)
        else:
            size[choice] = max(0.02, size[choice] * 0.85)
    return best


def _held_order(
    s: np.ndarray[tuple[int], np.dtype[np.int64]],
    d: np.ndarray[tuple[int], np.dtype[np.int64]],
    users: list[np.ndarray[tuple[int], np.dtype[np.intp]]],
    free: np.ndarray[tuple[int], np.dtype[np.bool_]],
) -> set[tuple[int, int]]:
    """Arcs ``i -> j`` (``j`` starts after ``i`` ends) that keep the order of the held
    tasks on each resource: for each ``j``, the tasks that end by its start and after
    the latest start of any other such task (the others follow by transitivity)."""
    arcs: set[tuple[int, int]] = set()
    for tasks in users:
        held = tasks[~free[tasks]]
        if len(held) < 2:
            continue
        st = s[held]
        en = st + d[held]
        before = en[:, None] <= st[None, :]  # [i, j]: i ends by j's start
        # the latest start among the tasks that end by j's start
        latest = np.where(before, st[:, None], -1).max(axis=0)
        needed = before & (en[:, None] > latest[None, :])
        ii, jj = np.nonzero(needed)
        arcs.update(zip(held[ii].tolist(), held[jj].tolist(), strict=True))
    return arcs
