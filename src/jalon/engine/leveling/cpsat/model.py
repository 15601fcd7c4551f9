"""The CP-SAT model of an :class:`~jalon.engine.leveling.rcpsp.Rcpsp`.

One interval per task that uses a resource, one ``AddCumulative`` per resource, one
linear inequality per arc. Capacity that varies over time becomes fixed "blocking"
intervals that take away what is missing from the peak capacity. Redundant constraints
that help the solver prove optimality:

* time windows: each start lies between its earliest start (releases and lags) and the
  upper bound minus its tail (the least time from its start to the project end);
* ``makespan >= start + tail`` for every task (the critical-path bound, task by task);
* the makespan's domain starts at the better of the critical-path and energy bounds;
* ``AddNoOverlap`` on the tasks that use more than half of some resource: no two of them
  can run together, and the disjunctive propagators are stronger than cumulative ones;
* ``AddNoOverlap`` on exclusion cliques (:func:`exclusion_cliques`): sets of tasks that
  pairwise either need too much of one resource together or are ordered by the arcs,
  so edge finding reasons over a whole chain of conflicts at once;
* energetic lags: the work of every task between ``i`` and ``j`` in the precedence
  graph must be done between the end of ``i`` and the start of ``j``, so
  ``start[j] >= start[i] + duration[i] + max_r ceil(work_r / capacity_r)``; the same
  with every successor of ``i`` gives a longer tail, with every predecessor a later
  head. This is what moves CP-SAT's lower bound on the hard instances.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.sat.python import cp_model

from jalon.engine.leveling.rcpsp import InfeasibleError, Rcpsp


@dataclass
class RcpspModel:
    model: cp_model.CpModel
    starts: list[cp_model.IntVar]
    makespan: cp_model.IntVar


def build_model(
    problem: Rcpsp,
    *,
    upper_bound: int,
    hint: Sequence[int] | None = None,
    redundant: bool = True,
) -> RcpspModel:
    """The model, with every schedule of makespan ``<= upper_bound`` as a solution.

    ``redundant=False`` leaves out the redundant constraints that only help proofs
    (no-overlap sets, energetic heads, tails and lags): a smaller model, quicker to
    copy and presolve, for the neighbourhood search's many small solves.

    Raises :class:`InfeasibleError` when the time windows alone show there is none.
    """
    p = problem
    n, m = p.n_tasks, p.n_resources
    d = p.durations
    es = p.earliest_starts
    tails = p.tails
    fixed = p.fixed_starts
    lower_bound = p.lower_bound
    if p.deadline is not None:
        upper_bound = min(upper_bound, p.deadline)
    if upper_bound < lower_bound:
        raise InfeasibleError(
            f"no schedule can end by period {upper_bound}: the lower bound is {lower_bound}"
        )
    model = cp_model.CpModel()
    starts: list[cp_model.IntVar] = []
    for i in range(n):
        lo, hi = es[i], upper_bound - tails[i]
        if i in fixed:
            lo = hi = fixed[i]
            if fixed[i] + tails[i] > upper_bound or fixed[i] < es[i]:
                raise InfeasibleError(
                    f"{p.task_name(i)} is pinned at {fixed[i]}, which its links do not allow "
                    f"by period {upper_bound}"
                )
        if hi < lo:
            raise InfeasibleError(
                f"{p.task_name(i)} cannot fit between its earliest start {lo} and the "
                f"end at period {upper_bound}"
            )
        starts.append(model.new_int_var(lo, hi, f"s{i}"))
    makespan = model.new_int_var(lower_bound, upper_bound, "makespan")

    for i, j, lag in p.precedences:
        model.add(starts[j] >= starts[i] + lag)
    for i in range(n):
        model.add(makespan >= starts[i] + tails[i])

    demand = p.demand_matrix
    intervals: list[cp_model.IntervalVar | None] = [
        model.new_fixed_size_interval_var(starts[i], d[i], f"x{i}") if d[i] > 0 else None
        for i in range(n)
    ]
    for r in range(m):
        steps = p.capacity_steps(r)
        peak = max(c for _, c in steps)
        items: list[tuple[cp_model.IntervalVar, int]] = []
        for i in range(n):
            x = intervals[i]
            if x is not None and demand[i, r] > 0:
                items.append((x, int(demand[i, r])))
        if not items:
            continue
        for k, (t, c) in enumerate(steps):
            end = steps[k + 1][0] if k + 1 < len(steps) else upper_bound
            if c < peak and t < end and t < upper_bound:
                block = model.new_fixed_size_interval_var(t, min(end, upper_bound) - t, "")
                items.append((block, peak - c))
        total = sum(q for _, q in items)
        if total <= peak:
            continue  # never binding
        model.add_cumulative([x for x, _ in items], [q for _, q in items], peak)
        if not redundant:
            continue
        # tasks using more than half of the peak exclude one another
        big = [x for x, q in items if 2 * q > peak]
        if len(big) > 1:
            model.add_no_overlap(big)

    if not redundant:
        return _finish(model, starts, makespan, d, hint)
    for clique in exclusion_cliques(p):
        model.add_no_overlap([x for x in (intervals[i] for i in clique) if x is not None])

    heads, energy_tails, lags = energetic_bounds(p)
    for i in range(n):
        if i not in fixed and heads[i] > es[i]:
            model.add(starts[i] >= heads[i])
        if energy_tails[i] > tails[i]:
            model.add(makespan >= starts[i] + energy_tails[i])
    for i, j, lag in lags:
        model.add(starts[j] >= starts[i] + lag)

    return _finish(model, starts, makespan, d, hint)


def _finish(
    model: cp_model.CpModel,
    starts: list[cp_model.IntVar],
    makespan: cp_model.IntVar,
    d: Sequence[int],
    hint: Sequence[int] | None,
) -> RcpspModel:
    model.minimize(makespan)
    if hint is not None:
        for var, value in zip(starts, hint, strict=True):
            model.add_hint(var, int(value))
        model.add_hint(makespan, max((int(s) + d[i] for i, s in enumerate(hint)), default=0))
    return RcpspModel(model=model, starts=starts, makespan=makespan)


#: Exclusion cliques are looked for up to this many tasks.
MAX_CLIQUE_TASKS = 400


def exclusion_cliques(problem: Rcpsp) -> list[list[int]]:
    """Sets of tasks no two of which can run at the same time, for ``AddNoOverlap``.

    Two tasks exclude each other when together they need more than some resource's
    capacity (constant capacities), or when an arc chain of non-negative slack orders
    them in time (one ends before the other starts). Each task seeds one clique, grown
    greedily with the tasks that exclude every member, those excluding the most tasks
    first; cliques of fewer than three tasks, without a resource conflict, or already
    found are dropped. The disjunctive propagators (edge finding, detectable
    precedences) then reason over the whole set where the cumulative sees pairs.
    """
    p = problem
    n = p.n_tasks
    d = np.asarray(p.durations, dtype=np.int64)
    constant = [r for r in range(p.n_resources) if len(p.capacity_steps(r)) == 1]
    if not n or not constant or n > MAX_CLIQUE_TASKS:
        return []
    live = d > 0
    dem = p.demand_matrix[:, constant]
    caps = np.asarray([p.capacities[r] for r in constant], dtype=np.int64)
    uses = np.asarray((dem > 0).any(axis=1), dtype=bool)
    conflict = np.asarray(((dem[:, None, :] + dem[None, :, :]) > caps).any(axis=2), dtype=bool)
    conflict &= uses[:, None] & uses[None, :]
    ordered = _ordered_after(p)
    exclude = conflict | ordered | ordered.T
    exclude &= live[:, None] & live[None, :]
    np.fill_diagonal(exclude, False)
    degree = exclude.sum(axis=1)
    by_degree = [int(i) for i in np.argsort(-degree, kind="stable")]
    seen: set[tuple[int, ...]] = set()
    out: list[list[int]] = []
    for seed in by_degree:
        if not conflict[seed].any():
            continue
        members = [seed]
        common = exclude[seed].copy()
        for j in by_degree:
            if common[j]:
                members.append(j)
                common &= exclude[j]
        if len(members) < 3:
            continue
        key = tuple(sorted(members))
        if key in seen:
            continue
        sub = np.ix_(key, key)
        if not conflict[sub].any():
            continue
        seen.add(key)
        out.append(list(key))
    return out


def _ordered_after(p: Rcpsp) -> npt.NDArray[np.bool_]:
    """``[i, k]``: task ``k`` cannot start before task ``i`` ends (a chain of arcs whose
    lags cover their predecessors' durations; only those order two tasks in time)."""
    n = p.n_tasks
    after = np.zeros((n, n), dtype=bool)
    for i in reversed(p.topological_order):
        for j, lag in p.successors[i]:
            if lag >= p.durations[i]:
                after[i, j] = True
                after[i] |= after[j]
    return after


#: Heads and tails need an n x n reachability matrix; pairwise lags an n^3 product and an
#: n x n longest-path table: both are skipped on large plans (memory and time).
MAX_ENERGETIC_TASKS = 2_000
MAX_PAIRWISE_TASKS = 400


def energetic_bounds(
    problem: Rcpsp, *, max_lags: int = 20_000
) -> tuple[list[int], list[int], list[tuple[int, int, int]]]:
    """Heads, tails and start-to-start lags implied by resource work (see module doc).

    Only resources of constant capacity take part (a capacity step would need the
    bound computed against the profile). Lags are kept where they beat the longest
    path, the largest first, at most ``max_lags`` of them. Nothing above
    :data:`MAX_ENERGETIC_TASKS` tasks, no lags above :data:`MAX_PAIRWISE_TASKS`.
    """
    p = problem
    n = p.n_tasks
    zero = [0] * n
    constant = [r for r in range(p.n_resources) if len(p.capacity_steps(r)) == 1]
    constant = [r for r in constant if p.capacities[r] > 0]
    if not n or not constant or not p.precedences or n > MAX_ENERGETIC_TASKS:
        return zero, list(p.tails), []
    reach = _ordered_after(p)
    d = np.asarray(p.durations, dtype=np.int64)
    work = d[:, None] * p.demand_matrix[:, constant]  # (n, k)
    caps = np.asarray([p.capacities[r] for r in constant], dtype=np.int64)
    r_f = reach.astype(np.float64)
    after = r_f @ work  # work of all successors of i
    before = r_f.T @ work  # work of all predecessors of j
    heads = np.ceil(before / caps).max(axis=1).astype(np.int64)
    tails = d + np.ceil(after / caps).max(axis=1).astype(np.int64)
    heads_l = [int(x) for x in heads]
    tails_l = [max(int(a), b) for a, b in zip(tails, p.tails, strict=True)]
    # between(i, j) = successors of i that are predecessors of j
    lags: list[tuple[int, int, int]] = []
    if n > MAX_PAIRWISE_TASKS:
        return heads_l, tails_l, lags
    longest = _longest_paths(p, reach)
    best = np.zeros((n, n), dtype=np.int64)
    for k in range(len(constant)):
        between = (r_f * work[:, k]) @ r_f  # [i, j] = sum over m of reach[i,m] w[m] reach[m,j]
        np.maximum(best, np.ceil(between / caps[k]).astype(np.int64), out=best)
    bound = d[:, None] + best
    better = reach & (bound > longest)
    ii, jj = np.nonzero(better)
    gain = (bound - longest)[ii, jj]
    for idx in np.argsort(-gain, kind="stable")[:max_lags]:
        lags.append((int(ii[idx]), int(jj[idx]), int(bound[ii[idx], jj[idx]])))
    return heads_l, tails_l, lags


def _longest_paths(
    p: Rcpsp, reach: np.ndarray[tuple[int, int], np.dtype[np.bool_]]
) -> np.ndarray[tuple[int, int], np.dtype[np.int64]]:
    """``[i, j]``: the longest start-to-start path from ``i`` to ``j`` (or a huge value)."""
    n = p.n_tasks
    neg = np.iinfo(np.int64).min // 4
    dist = np.full((n, n), neg, dtype=np.int64)
    order = p.topological_order
    for i in reversed(order):
        row = dist[i]
        row[i] = 0
        for j, lag in p.successors[i]:
            np.maximum(row, dist[j] + lag, out=row, where=dist[j] > neg)
    return np.where(reach, dist, np.iinfo(np.int64).max // 4)
