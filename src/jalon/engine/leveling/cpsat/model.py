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
  can run together, and the disjunctive propagators are stronger than cumulative ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from jalon.engine.leveling.rcpsp import InfeasibleError, Rcpsp


@dataclass
class RcpspModel:
    model: cp_model.CpModel
    starts: list[cp_model.IntVar]
    makespan: cp_model.IntVar


def build_model(
    problem: Rcpsp, *, upper_bound: int, hint: Sequence[int] | None = None
) -> RcpspModel:
    """The model, with every schedule of makespan ``<= upper_bound`` as a solution.

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
        # tasks using more than half of the peak exclude one another
        big = [x for x, q in items if 2 * q > peak]
        if len(big) > 1:
            model.add_no_overlap(big)

    model.minimize(makespan)
    if hint is not None:
        for var, value in zip(starts, hint, strict=True):
            model.add_hint(var, int(value))
        model.add_hint(makespan, max((int(s) + d[i] for i, s in enumerate(hint)), default=0))
    return RcpspModel(model=model, starts=starts, makespan=makespan)
