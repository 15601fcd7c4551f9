"""Levelling a whole plan: delay tasks until no resource works above its capacity.

1. The plan is scheduled with CPM, leveling delays cleared first (MS Project's "clear
   leveling values before leveling").
2. :mod:`~jalon.engine.leveling.plan_model` turns it into a model on periods of the
   project calendar's working time, tasks keeping their own calendars.
3. ``mode="fast"``: one serial pass in MS Project's order (priority first, then least
   float, then earliest start), each task at the first period where its resources have
   room for its whole length. ``mode="optimal"``: CP-SAT, through the solver core's
   :func:`~jalon.engine.leveling.cpsat.solve_optimal`, minimises the finish from the
   fast result (its warm start and upper bound), then a serial pass in CP-SAT's order
   pulls every task back as early as it goes, with exact calendar lengths.
4. The result is written back as MS Project does: a **leveling delay** (elapsed minutes)
   on each task the resources held back, then the plan is scheduled again. The levelled
   plan therefore saves and reloads (YAML, MS Project XML) with the same dates.

Tasks that cannot move far enough (within slack, a No Later Than constraint, a pinned
successor, an assignment above its resource's maximum units) stay where CPM puts them;
their conflicts are in :attr:`LevelingResult.remaining_overallocations`.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
import numpy.typing as npt

from jalon.engine.calendar import SHIFT, from_minutes, minutes_to_datetimes, to_minutes
from jalon.engine.cpm import schedule as cpm_schedule
from jalon.engine.errors import ValidationError
from jalon.engine.leveling.analysis import Overallocation, overallocations, resource_uid
from jalon.engine.leveling.plan_model import (
    NONE,
    Model,
    Network,
    SgsResult,
    build_model,
    link_bounds,
    lower_bound,
    makespan,
    priority_key,
    serial_sgs,
)
from jalon.engine.leveling.rcpsp import Rcpsp
from jalon.engine.model import Plan
from jalon.engine.results import Schedule

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

Mode = Literal["fast", "optimal"]
_FS, _SS, _FF, _SF = 0, 1, 2, 3
#: Seconds for ``mode="optimal"`` when no time limit is given.
DEFAULT_TIME_LIMIT = 30.0
#: Above this many nodes, optimal mode builds its own lean CP-SAT model (see _solve_lean).
LARGE = 2500


@dataclass(frozen=True, slots=True)
class MovedTask:
    """A task whose dates changed.

    ``delay``: the leveling delay levelling gave it (elapsed minutes, MS Project's
    field; 0 for a task only pushed by a delayed predecessor). ``shift``: how far its
    start moved, in working minutes of its calendar.
    """

    uid: int
    name: str
    delay: int
    shift: int
    start_before: dt.datetime
    start_after: dt.datetime
    finish_before: dt.datetime
    finish_after: dt.datetime


@dataclass(frozen=True)
class LevelingResult:
    """What :func:`level` returns.

    * ``schedule``: the levelled schedule. ``schedule.plan`` (also :attr:`plan`) is the
      plan with the leveling delays set; ``schedule.leveling_delay`` holds them per task,
      in outline order, in elapsed minutes (MS Project's unit for the field).
    * ``before``: the CPM schedule levelling started from.
    * ``moved``: the tasks whose start or finish changed, in outline order.
    * ``status``: ``"heuristic"`` (fast mode), ``"optimal"`` (CP-SAT proved that no
      levelled schedule finishes earlier) or ``"feasible"`` (CP-SAT stopped at the time
      limit).
    * ``lower_bound``: no levelled schedule finishes before this date (links and
      resources alone; CP-SAT's bound in optimal mode). ``gap_pct``: how far the finish
      may be from the best possible, as a percentage of the working time from the
      project start to the bound.
    * ``remaining_overallocations``: the conflicts left, per ``period`` (those levelling
      cannot remove).
    * ``granularity``: working minutes per period of the model.
    """

    schedule: Schedule
    before: Schedule
    moved: tuple[MovedTask, ...]
    status: str
    lower_bound: dt.datetime
    gap_pct: float
    remaining_overallocations: tuple[Overallocation, ...]
    granularity: int
    seconds: float
    model: Model | None = field(default=None, repr=False, compare=False)
    solution: SgsResult | None = field(default=None, repr=False, compare=False)

    def as_rcpsp(self) -> tuple[Rcpsp, tuple[int, ...]]:
        """The levelling model as the solver core's problem, and the periods where
        levelling started each node: for :func:`~jalon.engine.leveling.check`, which
        verifies links, releases, pinned tasks and capacities independently."""
        if self.model is None or self.solution is None:
            raise ValidationError("this result carries no levelling model")
        problem = to_rcpsp(self.model, self.solution)
        return problem, (*self.solution.starts.tolist(), 0)

    @property
    def plan(self) -> Plan:
        return self.schedule.plan

    @property
    def finish_before(self) -> dt.datetime:
        return self.before.finish

    @property
    def finish_after(self) -> dt.datetime:
        return self.schedule.finish

    @property
    def delays(self) -> dict[int, int]:
        """uid -> leveling delay (elapsed minutes), for the tasks that have one."""
        return {t.uid: t.leveling_delay for t in self.plan.tasks if t.leveling_delay}


def level(
    plan: Plan,
    schedule: Schedule | None = None,
    mode: Mode | str = "fast",
    time_limit: float | None = None,
    *,
    within_slack: bool = False,
    resource: int | str | None = None,
    seed: int = 0,
    period: str = "day",
    granularity: int | None = None,
) -> LevelingResult:
    """Level ``plan``: delay tasks so that no work resource works above its capacity.

    ``schedule``: the plan's CPM schedule if already computed (its status date is kept).
    ``mode``: ``"fast"`` (one pass in MS Project's order) or ``"optimal"`` (CP-SAT for up
    to ``time_limit`` seconds, 30 by default). As in MS Project: ``within_slack`` never
    delays the finish (conflicts that would need it stay and are reported); ``resource``
    (uid or name) levels that resource only; task priority (0-1000) orders the tasks,
    1000 never moves; manual tasks and work started or done never move. ``period``
    (``hour``/``day``/``week``/``month``) is that of the remaining over-allocations;
    ``granularity`` (working minutes) that of the model (default: the largest that
    divides every levelled duration, between 15 minutes and a day). ``seed`` makes
    CP-SAT's search repeatable.

    Tasks are never moved before their CPM dates, nor against links, constraints or
    calendars.
    """
    t0 = time.perf_counter()
    if mode not in ("fast", "optimal"):
        raise ValidationError(
            f"unknown levelling mode '{mode}' (use fast or optimal)", field="mode"
        )
    if time_limit is not None and not time_limit > 0:
        raise ValidationError("the time limit must be a positive number of seconds")
    if granularity is not None and granularity <= 0:
        raise ValidationError(
            "the granularity must be a positive number of minutes", field="granularity"
        )
    uid = resource_uid(plan, resource)
    status_date = schedule.status_date if schedule is not None else plan.status_date
    base = _with_delays(plan, {})
    if schedule is None or schedule.plan is not plan or base is not plan:
        schedule = cpm_schedule(base, status_date)
    before = schedule
    n = len(base.tasks)
    first = min(from_minutes(int(before.start_min.min())), base.start) if n else base.start
    last = from_minutes(int(before.finish_min.max())) if n else base.start
    room = max(2 * (last - first).days, 366)  # grown later if levelling needs more
    model = build_model(
        base,
        before,
        (first.date() - dt.timedelta(days=14), last.date() + dt.timedelta(days=room)),
        within_slack=within_slack,
        resource=uid,
        granularity=granularity,
    )

    best = serial_sgs(model, priority_key(model))
    status = "heuristic"
    bound = lower_bound(model)
    if mode == "optimal" and model.has_demand.any():
        limit = DEFAULT_TIME_LIMIT if time_limit is None else time_limit
        left = max(limit - (time.perf_counter() - t0), 0.1)
        got = _optimal(model, best, left, seed)
        if got is not None:
            found, cp_status, cp_bound = got
            bound = max(bound, cp_bound)
            if makespan(found.ends) <= makespan(best.ends) and len(found.unresolved) <= len(
                best.unresolved
            ):
                best, status = found, cp_status
    span = makespan(best.ends)
    if mode == "optimal" and span <= bound:
        status = "optimal"
    elif status == "optimal" and span > bound:
        status = "feasible"  # calendars made the exact lengths differ from CP-SAT's

    result_plan, result = _rebuild(base, before, model, best, status_date)
    remaining = overallocations(result_plan, result, period, resource=uid)
    delays = np.fromiter((t.leveling_delay for t in result_plan.tasks), dtype=np.int64, count=n)
    result = replace(result, leveling_delay=delays)
    timeline = model.timeline
    bound = min(bound, span)
    bound_time = int(timeline.period_end(bound))
    bound_time = min(bound_time, int(result.finish_min.max(initial=bound_time)))
    return LevelingResult(
        schedule=result,
        before=before,
        moved=_moved(result_plan, before, result, model),
        status=status,
        lower_bound=from_minutes(bound_time),
        gap_pct=100.0 * (span - bound) / bound if bound > 0 else 0.0,
        remaining_overallocations=tuple(remaining),
        granularity=timeline.g,
        seconds=time.perf_counter() - t0,
        model=model,
        solution=best,
    )


def _optimal(
    model: Model, fast: SgsResult, time_limit: float, seed: int
) -> tuple[SgsResult, str, int] | None:
    """CP-SAT from the fast schedule, then a serial pass in CP-SAT's order (exact
    calendar lengths, every task as early as that order allows)."""
    from jalon.engine.leveling.cpsat import solve_optimal
    from jalon.engine.leveling.rcpsp import InfeasibleError

    t0 = time.perf_counter()
    problem = to_rcpsp(model, fast)
    hint = [*fast.starts.tolist(), 0]
    left = max(time_limit - (time.perf_counter() - t0), 0.1)
    if problem.n_tasks > LARGE:
        got = _solve_lean(problem, hint, left, seed)
        if got is None:
            return None
        starts, status, bound = got
    else:
        try:
            sol = solve_optimal(problem, time_limit=left, hint=hint, seed=seed)
        except InfeasibleError:
            return None
        starts, status, bound = list(sol.starts), sol.status, int(sol.lower_bound)
    order = np.array(starts[: model.n_nodes], dtype=np.float64)
    again = serial_sgs(model, order + np.arange(model.n_nodes) / (model.n_nodes + 1))
    return again, status, bound


def _solve_lean(
    problem: Rcpsp, hint: list[int], time_limit: float, seed: int
) -> tuple[list[int], str, int] | None:
    """CP-SAT on the plain model (intervals, one cumulative per resource, the arcs),
    within ``time_limit`` seconds. For large plans: the solver core's model adds
    redundant constraints that pay on small, hard problems but take minutes to build
    for thousands of tasks."""
    from ortools.sat.python import cp_model

    n = problem.n_tasks
    d = problem.durations
    es = problem.earliest_starts
    fixed = problem.fixed_starts
    horizon = max(problem.makespan(hint), max(es, default=0)) + max(d, default=0) + 1
    m = cp_model.CpModel()
    starts = [
        m.new_int_var(fixed.get(i, es[i]), fixed.get(i, max(es[i], horizon - d[i])), "")
        for i in range(n)
    ]
    for i, j, lag in problem.precedences:
        m.add(starts[j] >= starts[i] + lag)
    finish = m.new_int_var(0, horizon, "finish")
    for i in range(n):
        m.add(finish >= starts[i] + d[i])
    demand = problem.demand_matrix
    for r in range(problem.n_resources):
        steps = problem.capacity_steps(r)
        peak = max(c for _, c in steps)
        items = [
            (m.new_fixed_size_interval_var(starts[i], d[i], ""), int(demand[i, r]))
            for i in np.flatnonzero(demand[:, r] > 0).tolist()
            if d[i] > 0
        ]
        for k, (t, c) in enumerate(steps):
            end = steps[k + 1][0] if k + 1 < len(steps) else horizon
            if c < peak and t < min(end, horizon):
                block = m.new_fixed_size_interval_var(t, min(end, horizon) - t, "")
                items.append((block, peak - c))
        if sum(q for _, q in items) > peak:
            m.add_cumulative([x for x, _ in items], [q for _, q in items], peak)
    m.minimize(finish)
    for var, value in zip(starts, hint, strict=True):
        m.add_hint(var, int(value))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 2
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = time_limit
    status = solver.solve(m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    values = [int(solver.value(v)) for v in starts]
    proven = "optimal" if status == cp_model.OPTIMAL else "feasible"
    return values, proven, int(solver.best_objective_bound)


def period_lags(model: Model, sgs: SgsResult) -> IntArray:
    """Each link as a start-to-start lag in periods, as it stands in ``sgs``."""
    net = model.net
    bound = link_bounds(model.timeline.cal, net, sgs.start_time, sgs.finish_time, None)
    return model.timeline.period_of(bound) - sgs.starts[net.src]


def to_rcpsp(model: Model, sgs: SgsResult) -> Rcpsp:
    """The model as the solver core's :class:`~jalon.engine.leveling.rcpsp.Rcpsp`.

    Lengths and link lags are those of ``sgs`` (with calendars both depend on where a
    task starts: CP-SAT works with these, and a serial pass in CP-SAT's order brings back
    the exact ones). A latest start becomes an arc to one last node pinned at period 0
    (``start[i] <= L`` is ``start[last] >= start[i] - L``), kept where the links leave
    room for it. Capacity is a step function: what pinned tasks leave free."""
    nn, m = model.n_nodes, model.n_resources
    net = model.net
    lengths = np.where(model.fixed, model.durations0, sgs.ends - sgs.starts)
    lengths = np.where(model.work > 0, np.maximum(lengths, 1), 0).astype(np.int64)
    demands = np.zeros((nn + 1, m), dtype=np.int64)
    for i in np.flatnonzero(model.has_demand & ~model.fixed).tolist():
        rows, q = model.demand_of(i)
        demands[i, rows] = q
    lag = period_lags(model, sgs)
    arcs = list(zip(net.src.tolist(), net.dst.tolist(), lag.tolist(), strict=True))
    release = np.where(model.fixed, model.release, np.minimum(model.release, sgs.starts))
    est = earliest_starts(nn, net, lag, release, model.fixed)
    limited = np.flatnonzero((model.latest < NONE) & ~model.fixed & (model.latest >= est))
    anchor = nn
    arcs += [(i, anchor, -int(model.latest[i])) for i in limited.tolist()]
    profiles = []
    peaks = []
    for r in range(m):
        free = np.maximum(model.capacity[r] - model.base_use[r], 0)
        steps = [(0, int(free[0]))] if free.size else [(0, int(model.capacity[r]))]
        change = np.flatnonzero(np.diff(free)) + 1
        steps += [(int(t), int(free[t])) for t in change.tolist()]
        if free.size and int(free[-1]) != int(model.capacity[r]):
            steps.append((len(free), int(model.capacity[r])))
        profiles.append(tuple(steps))
        peaks.append(max(c for _, c in steps))
    if m:
        demands = np.minimum(demands, np.array(peaks, dtype=np.int64)[None, :])
    fixed = [(int(i), int(model.release[i])) for i in np.flatnonzero(model.fixed).tolist()]
    fixed.append((anchor, 0))
    return Rcpsp(
        durations=(*lengths.tolist(), 0),
        precedences=tuple(arcs),
        capacities=tuple(int(c) for c in model.capacity),
        demands=tuple(map(tuple, demands.tolist())),
        capacity_profiles=tuple(profiles),
        releases=(*release.tolist(), 0),
        fixed=tuple(fixed),
    )


def earliest_starts(
    nn: int, net: Network, lags: IntArray, release: IntArray, fixed: BoolArray
) -> IntArray:
    """Earliest starts from the releases and the start-to-start ``lags`` alone."""
    order = np.argsort(net.src, kind="stable")
    ptr = np.zeros(nn + 1, dtype=np.int64)
    np.cumsum(np.bincount(net.src, minlength=nn), out=ptr[1:])
    lag = lags[order].tolist()
    dst = net.dst[order].tolist()
    es = release.tolist()
    pinned = fixed.tolist()
    indeg = np.bincount(net.dst, minlength=nn).tolist()
    ready = [i for i in range(nn) if indeg[i] == 0]
    p = ptr.tolist()
    while ready:
        i = ready.pop()
        for k in range(p[i], p[i + 1]):
            j = dst[k]
            if not pinned[j] and es[i] + lag[k] > es[j]:
                es[j] = es[i] + lag[k]
            indeg[j] -= 1
            if indeg[j] == 0:
                ready.append(j)
    return np.array(es, dtype=np.int64)


# ---------------------------------------------------------------------------------------
# back to the plan
# ---------------------------------------------------------------------------------------


def _rebuild(
    plan: Plan,
    before: Schedule,
    model: Model,
    sgs: SgsResult,
    status_date: dt.datetime | None,
) -> tuple[Plan, Schedule]:
    """Leveling delays for the tasks the resources held back; the plan rescheduled."""
    n = model.n_tasks
    held = np.flatnonzero(sgs.held[:n])
    if not held.size:
        return plan, before
    got = _delays(plan, model, sgs.start_time, sgs.start_time, sgs.finish_time, held)
    current = _with_delays(plan, dict(zip(held.tolist(), got.tolist(), strict=True)))
    # One pass: the delays follow from the exact dates the serial pass computed. (A
    # second pass from the scheduler's dates would only chase As Late As Possible
    # tasks, which a delay downstream pulls earlier: a delay counts like a lag in the
    # late dates too, and more delay pulls them further.)
    return current, cpm_schedule(current, status_date)


def _delays(
    plan: Plan,
    model: Model,
    target: IntArray,
    start: IntArray,
    finish: IntArray,
    which: IntArray,
) -> IntArray:
    """The leveling delay (elapsed minutes) that starts each task of ``which`` exactly at
    ``target``, its predecessors being at ``start``/``finish`` (per node).

    The scheduler adds a task's delay to each incoming link's instant (and to the
    project start) before moving it onto the task's calendar. A link gives the target
    for every delay from the instant the work the target needs is done to the instant
    work goes on from there (Friday 17:00 to Monday 08:00); the delays that work for the
    task are those that bring one link there and none past it. Among them, a whole
    number of days when there is one, as MS Project's delays usually are."""
    cs = model.timeline.cal.cs
    net = model.net
    k = net.node_cal[which]
    w_target = cs.work_at(target[which], k)
    ps = to_minutes(plan.start)
    low = cs.finish_at(w_target) - ps
    high = cs.start_at(w_target) - ps
    row_of = np.full(net.n_nodes, -1, dtype=np.int64)
    row_of[which] = np.arange(len(which))
    sel = np.flatnonzero(row_of[net.dst] >= 0)
    if sel.size:
        src, dst, typ = net.src[sel], net.dst[sel], net.typ[sel]
        t = np.where((typ == _FS) | (typ == _FF), finish[src], start[src]) + net.lag_elapsed[sel]
        w_eff = net.lag_work[sel] - np.where((typ == _FF) | (typ == _SF), net.span[dst], 0)
        row = row_of[dst]
        need = np.maximum(w_target[row] - w_eff, net.node_cal[dst] * SHIFT)
        np.minimum.at(low, row, cs.finish_at(need) - t)
        np.minimum.at(high, row, cs.start_at(need) - t)
    low = np.maximum(low, 0)
    days = -(-low // 1440) * 1440
    return np.where(days <= high, days, np.maximum(high, 0)).astype(np.int64)  # type: ignore[no-any-return]


def _with_delays(plan: Plan, delays: dict[int, int]) -> Plan:
    """``plan`` with these leveling delays (task index -> minutes), all others 0."""
    tasks = plan.tasks
    changed = [i for i, t in enumerate(tasks) if t.leveling_delay != delays.get(i, 0)]
    if not changed:
        return plan
    new = list(tasks)
    for i in changed:
        new[i] = replace(tasks[i], leveling_delay=delays.get(i, 0))
    return plan.replace(tasks=tuple(new))


def _moved(plan: Plan, before: Schedule, after: Schedule, model: Model) -> tuple[MovedTask, ...]:
    changed = np.flatnonzero(
        ((after.start_min != before.start_min) | (after.finish_min != before.finish_min))
        & ~after.summary
    )
    if not changed.size:
        return ()
    cal = model.timeline.cal
    k = model.cal[changed]
    forward = cal.working_minutes(k, before.start_min[changed], after.start_min[changed])
    backward = cal.working_minutes(k, after.start_min[changed], before.start_min[changed])
    sb = minutes_to_datetimes(before.start_min[changed])
    sa = minutes_to_datetimes(after.start_min[changed])
    fb = minutes_to_datetimes(before.finish_min[changed])
    fa = minutes_to_datetimes(after.finish_min[changed])
    out = []
    for j, i in enumerate(changed.tolist()):
        t = plan.tasks[i]
        out.append(
            MovedTask(
                uid=t.uid,
                name=t.name,
                delay=t.leveling_delay,
                shift=int(forward[j]) - int(backward[j]),
                start_before=sb[j],
                start_after=sa[j],
                finish_before=fb[j],
                finish_after=fa[j],
            )
        )
    return tuple(out)


__all__ = ["DEFAULT_TIME_LIMIT", "LevelingResult", "MovedTask", "level"]
