"""A plan as a levelling model on integer periods, and the fast levelling pass.

* :class:`Timeline`: the project calendar's working time cut into periods of ``g``
  working minutes. Every instant maps onto it, and every calendar of the plan has a
  *work table* (its working minutes done by the start of each period), so that a task
  keeps its own calendar: started in period ``s``, a task of ``w`` working minutes ends
  at the first period by which its calendar has done ``w`` more minutes. A task that
  crosses a holiday or a plant shutdown is longer there, as in the real schedule.
* :func:`build_model`: nodes are the plan's tasks, then one *gate* per linked summary
  task (the scheduler applies a summary's links to its subtasks through it). Releases
  are the CPM early starts; demands ``units x 100`` on capacities ``max_units x 100``,
  less what pinned tasks and assignments on summary tasks use. Latest starts (within
  slack, No Later Than dates, pinned successors) are pulled back along the links.
* :func:`serial_sgs`: serial schedule generation. Links are computed to the minute with
  the scheduler's own rules (scheduler keys: packed working minutes, doubled, plus one
  at a start of work), so that where the pass puts a task is where CPM will; resources
  are checked per period, each task at the first period where they have room for its
  whole (calendar-dependent) length.
* :func:`to_rcpsp`: the same model as the solver core's
  :class:`~jalon.engine.leveling.rcpsp.Rcpsp`, for CP-SAT and the independent checker.
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from jalon.engine.calendar import SHIFT, to_minutes
from jalon.engine.cpm import compile_network
from jalon.engine.leveling.analysis import PlanCalendars, plan_calendars
from jalon.engine.model import ConstraintType, Plan, ResourceType
from jalon.engine.results import Schedule

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]

_FS, _SS, _FF, _SF = 0, 1, 2, 3
NONE = 1 << 60  # "no latest start"
_EPS = 1e-9


class Timeline:
    """Periods of the project calendar's working time, and each calendar's work table.

    The calendars cover ``[first, last]`` and grow (same first day, so every count stays
    the same) when levelling pushes work beyond ``last``.
    """

    def __init__(self, plan: Plan, cal: PlanCalendars, origin_time: int, g: int) -> None:
        self.plan = plan
        self.first = cal.cs.first
        self.cal = cal
        self.k = self.cal.project_cal
        self.g = g
        w = int(self.cal.cs.work_at(np.int64(origin_time), self.k)) - self.k * SHIFT
        self.origin = w - w % g
        self._tables: dict[int, IntArray] = {}

    def x(self, t: IntArray) -> FloatArray:
        """Instants -> positions in periods (fractional)."""
        cs = self.cal.cs
        w = cs.work_at(np.asarray(t, dtype=np.int64), self.k) - self.k * SHIFT
        return (w - self.origin) / self.g  # type: ignore[no-any-return]

    def period_of(self, t: IntArray) -> IntArray:
        """The period an instant starts in."""
        return np.floor(self.x(t) + _EPS).astype(np.int64)

    def period_start(self, p: IntArray | int) -> IntArray:
        """The instant period ``p`` starts (a start of the project's working time)."""
        w = self.origin + np.asarray(p, dtype=np.int64) * self.g + self.k * SHIFT
        return self.cal.cs.start_at(w)  # type: ignore[no-any-return]

    def period_end(self, p: IntArray | int) -> IntArray:
        """The instant the project's working time of period ``p - 1`` ends."""
        w = self.origin + np.asarray(p, dtype=np.int64) * self.g + self.k * SHIFT
        return self.cal.cs.finish_at(w)  # type: ignore[no-any-return]

    def covers(self, periods: int) -> bool:
        return int(self.period_start(periods)) < self.cal.cs.horizon_end - 2 * 1440

    def grow(self, periods: int) -> None:
        """Extend the calendars until ``periods`` periods fit."""
        while not self.covers(periods):
            cs = self.cal.cs
            last = cs.last + dt.timedelta(days=max((cs.last - self.first).days, 366))
            self.cal = plan_calendars(self.plan, self.first, last)
            self._tables.clear()

    def table(self, k: int, periods: int) -> IntArray:
        """Working minutes of calendar ``k`` done by the start of periods 0..periods."""
        got = self._tables.get(k)
        if got is None or len(got) <= periods:
            size = max(periods + 1, 2 * len(got) if got is not None else 1024)
            self.grow(size)
            starts = self.period_start(np.arange(size, dtype=np.int64))
            got = (self.cal.cs.work_at(starts, k) - k * SHIFT).astype(np.int64)
            self._tables[k] = got
        return got

    def resume(self, k: int, work: IntArray) -> IntArray:
        """For each amount of work done by calendar ``k``, the period in which its work
        goes on from there (a calendar idle in a period skips it)."""
        work = np.asarray(work, dtype=np.int64)
        top = int(work.max(initial=0))
        table = self.table(k, 1)
        while table[-1] <= top:
            table = self.table(k, 2 * len(table))
        ends = np.searchsorted(table, work, side="right") - 1
        return np.maximum(ends, 0)

    def ends(self, k: int, work: int, starts: IntArray) -> IntArray:
        """Vectorised :meth:`length`: the end period for each start in ``starts``."""
        top = int(starts[-1]) + 1
        table = self.table(k, top)
        while True:
            target = table[starts] + work
            if table[-1] >= target[-1]:
                ends = np.searchsorted(table, target, side="left").astype(np.int64)
                return np.maximum(ends, starts + 1)
            table = self.table(k, 2 * len(table))


@dataclass
class Network:
    """What levelling needs of the compiled network: nodes (tasks, then summary gates)
    with their CPM dates and calendars, and the links after summary expansion."""

    n_tasks: int
    n_nodes: int
    leaf: BoolArray
    node_cal: IntArray  # calendar index in the timeline's calendars
    span: IntArray  # working minutes from the start (remaining work once started)
    start: IntArray  # CPM dates (gates: their early start)
    finish: IntArray
    src: IntArray
    dst: IntArray
    typ: IntArray
    lag_work: IntArray
    lag_elapsed: IntArray
    pos: IntArray  # position in a topological (level) order


def link_bounds(
    cal: PlanCalendars, net: Network, start: IntArray, finish: IntArray, sel: IntArray | None
) -> IntArray:
    """The earliest start each link (all, or those in ``sel``) allows its successor, as
    the scheduler computes it: the predecessor's finish (FS, FF) or start (SS, SF), plus
    the elapsed lag, moved onto the successor's calendar, plus the work lag, minus the
    successor's work for FF and SF."""
    idx = slice(None) if sel is None else sel
    src, dst, typ = net.src[idx], net.dst[idx], net.typ[idx]
    t = np.where((typ == _FS) | (typ == _FF), finish[src], start[src]) + net.lag_elapsed[idx]
    k = net.node_cal[dst]
    to_finish = (typ == _FF) | (typ == _SF)
    w = cal.cs.work_at(t, k) + net.lag_work[idx] - np.where(to_finish, net.span[dst], 0)
    return cal.cs.start_at(np.maximum(w, k * SHIFT))  # type: ignore[no-any-return]


def finish_positions(
    cal: PlanCalendars, node_cal: IntArray, finish: IntArray, span: IntArray
) -> IntArray:
    """Finishes where links see them: at the end of the last working period. (A finish
    set by an FF link is shown at the start of the next one, Monday 08:00 rather than
    Friday 17:00; its successors still follow Friday 17:00.)"""
    cs = cal.cs
    ends = cs.finish_at(cs.work_at(finish, node_cal))
    return np.where(span > 0, ends, finish).astype(np.int64)


def network(plan: Plan, sched: Schedule, cal: PlanCalendars) -> Network:
    net = compile_network(plan)
    n, nn = net.n_tasks, net.n_nodes
    node_cal = np.fromiter((cal.cs.index[c] for c in net.node_cal_name), dtype=np.int64, count=nn)
    started = net.actual_start >= 0
    extra = np.zeros(nn - n, np.int64)
    e = net.edges
    out = Network(
        n_tasks=n,
        n_nodes=nn,
        leaf=net.leaf,
        node_cal=node_cal,
        span=np.where(started, net.rem, net.dur).astype(np.int64),
        start=np.concatenate([sched.start_min, extra]).astype(np.int64),
        finish=np.concatenate([sched.finish_min, extra]).astype(np.int64),
        src=e.src.astype(np.int64),
        dst=e.dst.astype(np.int64),
        typ=e.type.astype(np.int64),
        lag_work=e.lag_work.astype(np.int64),
        lag_elapsed=e.lag_elapsed.astype(np.int64),
        pos=net.pos.astype(np.int64),
    )
    out.finish = finish_positions(cal, node_cal, out.finish, out.span)
    if nn > n:
        _gate_times(out, cal, to_minutes(plan.start))
    return out


def _gate_times(net: Network, cal: PlanCalendars, project_start: int) -> None:
    """Each summary gate's early start: the latest of its incoming links and the project
    start, gates in level order so that a gate feeding another comes first."""
    n = net.n_tasks
    gates = np.arange(n, net.n_nodes)
    gates = gates[np.argsort(net.pos[gates], kind="stable")]
    incoming: dict[int, list[int]] = {}
    for k in np.flatnonzero(net.dst >= n).tolist():
        incoming.setdefault(int(net.dst[k]), []).append(k)
    cs = cal.cs
    for g in gates.tolist():
        k_cal = int(net.node_cal[g])
        best = int(cs.start_at(cs.work_at(np.int64(project_start), k_cal)))
        idx = np.array(incoming.get(g, []), dtype=np.int64)
        if idx.size:
            best = max(best, int(link_bounds(cal, net, net.start, net.finish, idx).max()))
        net.start[g] = net.finish[g] = best


class Clock:
    """Scalar calendar conversions in pure Python (``bisect`` on lists): the serial pass
    converts one instant at a time, where NumPy's per-call cost would dominate. Same
    arithmetic as :class:`~jalon.engine.calendar.CalendarSet` (packed working minutes)."""

    def __init__(self, cal: PlanCalendars) -> None:
        cs = cal.cs
        self.starts: list[int] = cs.starts.tolist()
        self.lens: list[int] = cs.lens.tolist()
        self.cum: list[int] = cs.cum.tolist()
        self.cum_end: list[int] = cs.cum_end.tolist()
        self.diff: list[int] = cs.diff.tolist()

    def work_at(self, t: int, k: int) -> int:
        g = t + k * SHIFT
        i = bisect.bisect_right(self.starts, g) - 1
        return self.cum[i] + min(g - self.starts[i], self.lens[i])

    def start_at(self, w: int) -> int:
        return self.diff[bisect.bisect_left(self.cum_end, w + 1)] + w

    def finish_at(self, w: int) -> int:
        return self.diff[bisect.bisect_left(self.cum_end, w)] + w


@dataclass
class Model:
    """The levelling problem (see the module docstring). Nodes: tasks, then gates."""

    timeline: Timeline
    net: Network
    n_tasks: int
    work: IntArray  # working minutes per node (0: takes no time)
    cal: IntArray  # calendar index per node
    durations0: IntArray  # periods at the CPM dates
    release: IntArray  # CPM start, in periods
    fixed: BoolArray  # levelling never moves it
    latest: IntArray  # latest start in periods (NONE: none); past it, a task stays put
    lb_key: IntArray  # CPM start as a scheduler key (2 x packed work + position)
    ub_key: IntArray  # Start/Finish No Later Than, as a start key (NO_KEY: none)
    res_ptr: IntArray  # demands of node i: res_idx/res_q[res_ptr[i]:res_ptr[i + 1]]
    res_idx: IntArray
    res_q: IntArray
    capacity: IntArray  # per resource, units x 100
    base_use: IntArray  # (resources, periods) used by pinned tasks and summaries
    priority: IntArray
    late_start: IntArray  # CPM late start, in periods (orders the tasks)
    resources: tuple[int, ...]  # resource uids, one per row
    clamped: list[int] = field(default_factory=list)  # above max units on their own

    @property
    def n_nodes(self) -> int:
        return len(self.work)

    @property
    def n_resources(self) -> int:
        return len(self.capacity)

    def demand_of(self, i: int) -> tuple[IntArray, IntArray]:
        a, b = int(self.res_ptr[i]), int(self.res_ptr[i + 1])
        return self.res_idx[a:b], self.res_q[a:b]

    @property
    def has_demand(self) -> BoolArray:
        return (np.diff(self.res_ptr) > 0) & (self.work > 0)

    def ends(self, starts: IntArray) -> IntArray:
        """Each node's end period when it starts at ``starts`` (pinned ones: as in CPM)."""
        out = starts + self.durations0
        move = np.flatnonzero(~self.fixed & (self.work > 0))
        for k in np.unique(self.cal[move]).tolist():
            sel = move[self.cal[move] == k]
            for w in np.unique(self.work[sel]).tolist():
                nodes = sel[self.work[sel] == w]
                order = np.argsort(starts[nodes], kind="stable")
                out[nodes[order]] = self.timeline.ends(k, w, starts[nodes][order])
        return out


NO_KEY = 1 << 62


def granularity_of(plan: Plan, work: IntArray) -> int:
    """The largest period (working minutes) dividing every levelled task's work, within
    [15 minutes, one working day]."""
    values = np.abs(np.concatenate([work, [plan.minutes_per_day]])).astype(np.int64)
    values = values[values > 0]
    g = int(np.gcd.reduce(values)) if values.size else plan.minutes_per_day
    return max(min(g, plan.minutes_per_day), 15)


def pinned_tasks(plan: Plan) -> tuple[BoolArray, BoolArray]:
    """``(pinned, alap)``: tasks levelling never moves, and As Late As Possible tasks.

    Pinned tasks also hold their predecessors back (moving those would break a link);
    ALAP tasks only stay where CPM puts them (their late dates)."""
    n = len(plan.tasks)
    pinned = np.zeros(n, dtype=bool)
    alap = np.zeros(n, dtype=bool)
    fixed_dates = (ConstraintType.MSO, ConstraintType.MFO)
    for i, t in enumerate(plan.tasks):
        prog = t.progress
        if (
            t.manual
            or t.priority >= 1000
            or prog.actual_start is not None
            or prog.percent_complete > 0
            or t.constraint.type in fixed_dates
        ):
            pinned[i] = True
        elif t.constraint.type is ConstraintType.ALAP:
            alap[i] = True
    return pinned, alap


def _start_keys(cal: PlanCalendars, k: IntArray, t: IntArray, milestone: BoolArray) -> IntArray:
    """Instants as the scheduler's start keys: a milestone sitting at the end of working
    time (Friday 17:00) keeps that position; everything else starts where work does."""
    cs = cal.cs
    w = cs.work_at(t, k)
    at_end = milestone & (cs.finish_at(w) == t)
    return (2 * w + np.where(at_end, 0, 1)).astype(np.int64)  # type: ignore[no-any-return]


def _no_later_than(plan: Plan, cal: PlanCalendars, k: IntArray, n: int) -> IntArray:
    """Start No Later Than / Finish No Later Than as start keys, as the scheduler clamps."""
    ub = np.full(len(k), NO_KEY, dtype=np.int64)
    cs = cal.cs
    for i, t in enumerate(plan.tasks[:n]):
        c = t.constraint
        if c.date is None or c.type not in (ConstraintType.SNLT, ConstraintType.FNLT):
            continue
        w = int(cs.work_at(np.int64(to_minutes(c.date)), int(k[i])))
        if c.type is ConstraintType.SNLT:
            ub[i] = 2 * w + 1
        else:
            d2 = 2 * t.duration
            ub[i] = ((2 * w - d2) | 1) if d2 > 0 else 2 * w
    return ub


def build_model(
    plan: Plan,
    sched: Schedule,
    timeline_span: tuple[dt.date, dt.date],
    *,
    within_slack: bool = False,
    resource: int | None = None,
    granularity: int | None = None,
) -> Model:
    """The levelling model of ``plan`` around its CPM schedule ``sched``."""
    first, last = timeline_span
    cal = plan_calendars(plan, first, last)
    net = network(plan, sched, cal)
    n, nn = net.n_tasks, net.n_nodes
    tasks = plan.tasks
    index = plan.task_index
    work_res = [
        r for r in plan.resources if r.type is ResourceType.WORK and resource in (None, r.uid)
    ]
    row_of = {r.uid: k for k, r in enumerate(work_res)}
    assigned = [
        (index[a.task], row_of[a.resource], a.units)
        for a in plan.assignments
        if a.resource in row_of and a.units > 0 and tasks[index[a.task]].active
    ]
    pinned, alap = pinned_tasks(plan)
    fixed = np.zeros(nn, dtype=bool)
    fixed[:n] = pinned | alap | ~net.leaf  # summaries follow their subtasks
    work = np.where(net.finish > net.start, net.span, 0).astype(np.int64)
    work[n:] = 0
    levelled = np.zeros(nn, dtype=bool)
    for i, _, _ in assigned:
        levelled[i] = not fixed[i]
    g = granularity or granularity_of(plan, work[levelled])
    origin = int(min(net.start[:n].min(initial=to_minutes(plan.start)), to_minutes(plan.start)))
    timeline = Timeline(plan, cal, origin, g)

    s0 = np.maximum(timeline.period_of(net.start), 0)
    d0 = np.ceil(timeline.x(net.finish) - _EPS).astype(np.int64) - s0
    d0 = np.where(work > 0, np.maximum(d0, 1), 0)

    m = len(work_res)
    capacity = np.array([round(r.max_units * 100) for r in work_res], dtype=np.int64)
    base_use = np.zeros((m, int((s0 + d0).max(initial=0)) + 1), dtype=np.int64)
    per_node: list[dict[int, int]] = [{} for _ in range(nn)]
    for i, r, units in assigned:
        q = round(units * 100)
        if q <= 0 or d0[i] == 0:
            continue
        if fixed[i]:
            base_use[r, s0[i] : s0[i] + d0[i]] += q
        else:
            per_node[i][r] = per_node[i].get(r, 0) + q
    clamped: list[int] = []
    res_ptr = np.zeros(nn + 1, dtype=np.int64)
    res_idx: list[int] = []
    res_q: list[int] = []
    for i, demand in enumerate(per_node):
        for r, q in demand.items():
            if q > capacity[r]:
                clamped.append(i)  # above max units on its own: no delay can help
                q = int(capacity[r])
            if q > 0:
                res_idx.append(r)
                res_q.append(q)
        res_ptr[i + 1] = len(res_idx)

    late = np.concatenate([sched.late_start_min, net.start[n:]]).astype(np.int64)
    late_p = timeline.period_of(late)
    latest = np.full(nn, NONE, dtype=np.int64)
    if within_slack:
        latest[:n] = late_p[:n]
    else:
        for i, t in enumerate(tasks):
            c = t.constraint
            if c.type in (ConstraintType.SNLT, ConstraintType.FNLT) and c.date is not None:
                p = int(timeline.period_of(np.array([to_minutes(c.date)]))[0])
                latest[i] = p if c.type is ConstraintType.SNLT else p - int(d0[i])
    holds = np.zeros(nn, dtype=bool)
    holds[:n] = pinned
    latest = np.where(holds, s0, latest)
    # the scheduler adds a leveling delay to links and to the project start, and a task
    # with a Start/Finish No Earlier Than date and no predecessor starts on that date
    # whatever its delay: such a task cannot be held back
    linked = np.bincount(net.dst, minlength=nn) > 0
    dated = np.zeros(nn, dtype=bool)
    dated[:n] = [t.constraint.type in (ConstraintType.SNET, ConstraintType.FNET) for t in tasks]
    latest = np.where(dated & ~linked, np.minimum(latest, s0), latest)
    # each link as a start-to-start lag in periods, as it stands in the CPM schedule
    lag = timeline.period_of(link_bounds(cal, net, net.start, net.finish, None)) - s0[net.src]
    latest = np.maximum(_propagate_latest(latest, net, lag), np.minimum(latest, s0))

    milestone = work == 0
    priority = np.array([t.priority for t in tasks] + [1000] * (nn - n), dtype=np.int64)
    return Model(
        timeline=timeline,
        net=net,
        n_tasks=n,
        work=work,
        cal=net.node_cal,
        durations0=d0,
        release=s0,
        fixed=fixed,
        latest=latest,
        lb_key=_start_keys(cal, net.node_cal, net.start, milestone),
        ub_key=_no_later_than(plan, cal, net.node_cal, n),
        res_ptr=res_ptr,
        res_idx=np.array(res_idx, dtype=np.int64),
        res_q=np.array(res_q, dtype=np.int64),
        capacity=capacity,
        base_use=base_use,
        priority=priority,
        late_start=late_p,
        resources=tuple(r.uid for r in work_res),
        clamped=clamped,
    )


def _propagate_latest(latest: IntArray, net: Network, lag: IntArray) -> IntArray:
    """Latest starts pulled back along the links: a predecessor must leave room."""
    out = latest.copy()
    if not len(net.src) or (out >= NONE).all():
        return out
    order = np.argsort(net.pos[net.src], kind="stable")
    s, d, a = net.src[order].tolist(), net.dst[order].tolist(), lag[order].tolist()
    vals = out.tolist()
    # sources in reverse topological order: every successor is final when read
    for k in range(len(s) - 1, -1, -1):
        limit = vals[d[k]]
        if limit < NONE and limit - a[k] < vals[s[k]]:
            vals[s[k]] = limit - a[k]
    return np.array(vals, dtype=np.int64)


# ---------------------------------------------------------------------------------------
# the serial pass
# ---------------------------------------------------------------------------------------


class _Profile:
    """Free capacity per resource and period (one array per resource), grown on demand."""

    def __init__(self, model: Model) -> None:
        self.capacity = model.capacity.tolist()
        free = model.capacity[:, None] - model.base_use
        self.rows = [free[r].copy() for r in range(len(self.capacity))]
        self.size = free.shape[1]

    def ensure(self, end: int) -> None:
        if end > self.size:
            grow = max(end - self.size, self.size, 256)
            self.rows = [
                np.concatenate([row, np.full(grow, c, dtype=np.int64)])
                for row, c in zip(self.rows, self.capacity, strict=True)
            ]
            self.size += grow

    def fits(self, rows: list[int], q: list[int], s: int, e: int) -> bool:
        if e > self.size:
            self.ensure(e)
        return all(self.rows[r][s:e].min() >= qq for r, qq in zip(rows, q, strict=True))

    def first_fit(
        self, rows: list[int], q: list[int], timeline: Timeline, k: int, w: int, t: int, limit: int
    ) -> tuple[int, int] | None:
        """The first period ``>= t`` and ``<= limit`` from whose start a task of ``w``
        minutes on calendar ``k`` has room for its whole length (which depends on where
        it starts); ``(start, end)`` or None. Starts move to where the calendar works."""
        chunk = 64
        while t <= limit:
            table = timeline.table(k, t + chunk + 1)
            cands = timeline.resume(k, table[t : t + chunk])
            ends = timeline.ends(k, w, cands)
            top = int(ends[-1])
            self.ensure(top)
            ok = self.rows[rows[0]][t:top] >= q[0]
            for r, qq in zip(rows[1:], q[1:], strict=True):
                ok &= self.rows[r][t:top] >= qq
            bad = np.concatenate(([0], np.cumsum(~ok)))
            hit = np.flatnonzero(bad[ends - t] == bad[cands - t])
            if hit.size:
                s = int(cands[hit[0]])
                return (s, int(ends[hit[0]])) if s <= limit else None
            t += chunk
            chunk *= 2
        return None

    def take(self, rows: list[int], q: list[int], s: int, e: int) -> None:
        if e > self.size:
            self.ensure(e)
        for r, qq in zip(rows, q, strict=True):
            self.rows[r][s:e] -= qq


@dataclass
class SgsResult:
    """Where the serial pass put each node: periods, and instants as the scheduler will
    compute them (``held``: a leveling delay keeps the node at ``start_time``)."""

    starts: IntArray
    ends: IntArray
    start_time: IntArray
    finish_time: IntArray
    held: BoolArray
    unresolved: list[int]  # past their latest start: no room by then, or pushed there


def serial_sgs(model: Model, key: Sequence[float] | FloatArray) -> SgsResult:
    """Serial schedule generation: among the nodes whose predecessors are placed, the
    smallest ``key`` first. Each goes where the scheduler would put it after its
    predecessors (their links computed as the scheduler computes them, to the minute),
    or, when its resources have no room there, at the first period where they have room
    for its whole length: a leveling delay will hold it there.

    A node that finds no room by its latest start stays where its links put it and
    keeps its conflict (within slack, No Later Than constraints, pinned successors).
    """
    net = model.net
    nn = model.n_nodes
    timeline = model.timeline
    clock = Clock(timeline.cal)
    kp, g, origin = timeline.k, timeline.g, timeline.origin
    work_at, start_at, finish_at = clock.work_at, clock.start_at, clock.finish_at

    def period(t: int) -> int:
        return (work_at(t, kp) - kp * SHIFT - origin) // g

    def end_period(t: int) -> int:
        return -((origin + kp * SHIFT - work_at(t, kp)) // g)

    order_in = np.argsort(net.dst, kind="stable")
    p_ptr = np.zeros(nn + 1, dtype=np.int64)
    np.cumsum(np.bincount(net.dst, minlength=nn), out=p_ptr[1:])
    order_out = np.argsort(net.src, kind="stable")
    s_ptr = np.zeros(nn + 1, dtype=np.int64)
    np.cumsum(np.bincount(net.src, minlength=nn), out=s_ptr[1:])
    pp, sp = p_ptr.tolist(), s_ptr.tolist()
    a_src = net.src[order_in].tolist()
    a_typ = net.typ[order_in].tolist()
    a_lw = net.lag_work[order_in].tolist()
    a_le = net.lag_elapsed[order_in].tolist()
    cal = model.cal.tolist()
    a_simple = ((model.cal[net.src] == model.cal[net.dst]) & (net.lag_elapsed == 0))[
        order_in
    ].tolist()
    s_dst = net.dst[order_out].tolist()
    indeg = np.diff(p_ptr).tolist()
    keys = np.asarray(key, dtype=np.float64).tolist()
    heap = [(keys[i], i) for i in range(nn) if indeg[i] == 0]
    heapq.heapify(heap)
    profile = _Profile(model)

    span = model.work.tolist()
    fixed = model.fixed.tolist()
    release = model.release.tolist()
    d0 = model.durations0.tolist()
    latest = model.latest.tolist()
    lb_key = model.lb_key.tolist()
    ub_key = model.ub_key.tolist()
    cpm_start = net.start.tolist()
    cpm_finish = net.finish.tolist()
    r_ptr = model.res_ptr.tolist()
    res_idx, res_q = model.res_idx.tolist(), model.res_q.tolist()
    starts = [0] * nn
    ends = [0] * nn
    s_time = [0] * nn
    f_time = [0] * nn
    es_key = [0] * nn  # start key (2 x packed work + 1 at a start of work, 0 at an end)
    ef_key = [0] * nn
    held = [False] * nn
    unresolved: list[int] = []
    while heap:
        _, i = heapq.heappop(heap)
        k = cal[i]
        w_i = span[i]
        if fixed[i]:
            st, ft = cpm_start[i], cpm_finish[i]
            es = 2 * work_at(st, k) + (0 if w_i == 0 and finish_at(work_at(st, k)) == st else 1)
            ef = 2 * work_at(ft, k) if w_i > 0 else es
            s, e = release[i], release[i] + d0[i]
        else:
            es = lb_key[i]
            for a in range(pp[i], pp[i + 1]):
                p = a_src[a]
                typ = a_typ[a]
                pk = ef_key[p] if typ in (_FS, _FF) else es_key[p]
                if not a_simple[a]:
                    # another calendar or an elapsed lag: through the instant itself
                    t = (f_time[p] if typ in (_FS, _FF) else s_time[p]) + a_le[a]
                    w2 = work_at(t, k)
                    pk = 2 * w2 + (0 if w_i == 0 and finish_at(w2) == t else 1)
                lag = a_lw[a]
                fs = w_i if typ in (_FF, _SF) else 0
                if lag or fs:
                    pk = 2 * ((pk >> 1) + lag - fs) + (1 if lag < 0 or fs > 0 else 0)
                es = max(es, pk)
            if w_i > 0:
                es |= 1
            if es > ub_key[i]:
                es = ub_key[i] | (1 if w_i > 0 else 0)  # the constraint wins, as in CPM
            w = es >> 1
            st = start_at(w) if es & 1 else finish_at(w)
            ft = finish_at(w + w_i) if w_i > 0 else st
            s = period(st)
            e = max(end_period(ft), s + 1) if w_i > 0 else s
            a, b = r_ptr[i], r_ptr[i + 1]
            # predecessors left past their own latest start can push this one past its own
            late = s > latest[i]
            if w_i > 0 and a < b:
                rl, ql = res_idx[a:b], res_q[a:b]
                if not profile.fits(rl, ql, s, e):
                    got = None
                    if s + 1 <= latest[i]:
                        got = profile.first_fit(rl, ql, timeline, k, w_i, s + 1, latest[i])
                    if got is None:
                        unresolved.append(i)
                        late = False
                    else:
                        s = got[0]
                        wt = work_at(start_at(origin + s * g + kp * SHIFT), k)
                        es = 2 * wt + 1
                        st = start_at(wt)
                        ft = finish_at(wt + w_i)
                        e = max(got[1], end_period(ft))
                        held[i] = True
                profile.take(rl, ql, s, e)
            if late:
                unresolved.append(i)
            ef = 2 * ((es >> 1) + w_i) if w_i > 0 else es
        starts[i], ends[i], s_time[i], f_time[i] = s, e, st, ft
        es_key[i], ef_key[i] = es, ef
        for a in range(sp[i], sp[i + 1]):
            j = s_dst[a]
            indeg[j] -= 1
            if indeg[j] == 0:
                heapq.heappush(heap, (keys[j], j))
    return SgsResult(
        starts=np.array(starts, dtype=np.int64),
        ends=np.array(ends, dtype=np.int64),
        start_time=np.array(s_time, dtype=np.int64),
        finish_time=np.array(f_time, dtype=np.int64),
        held=np.array(held, dtype=bool),
        unresolved=unresolved,
    )


def priority_key(model: Model) -> FloatArray:
    """MS Project's levelling order: higher priority first, then less float (earlier
    late start), then earlier start; the node number breaks ties."""
    nn = model.n_nodes
    ls = np.minimum(model.late_start, model.latest).astype(np.float64)
    rel = model.release.astype(np.float64)
    lo = min(float(ls.min(initial=0)), float(rel.min(initial=0)))
    span = max(float(ls.max(initial=0)), float(rel.max(initial=0))) - lo + 2.0
    return (
        (1000 - model.priority.astype(np.float64)) * span * span
        + (ls - lo) * span
        + (rel - lo)
        + np.arange(nn) / (nn + 1)
    )


def makespan(ends: IntArray) -> int:
    return int(ends.max(initial=0))


def lower_bound(model: Model) -> int:
    """A finish period no levelled schedule beats: the CPM one (a task started later
    never ends earlier), and each resource's work packed into its free capacity from the
    earliest release of its tasks."""
    bound = int(model.ends(model.release).max(initial=0))
    if not model.has_demand.any():
        return bound
    free = np.maximum(model.capacity[:, None] - model.base_use, 0)
    # a task needs at least its work over the most its calendar does in one period
    most: dict[int, int] = {}
    for k in np.unique(model.cal[model.work > 0]).tolist():
        table = model.timeline.table(k, max(bound, 1))
        most[k] = max(int(np.diff(table).max(initial=0)), 1)
    node_of = np.repeat(np.arange(model.n_nodes), np.diff(model.res_ptr))
    least = np.array(
        [
            min(int(model.durations0[i]), math.ceil(int(model.work[i]) / most[int(model.cal[i])]))
            if model.work[i] > 0
            else 0
            for i in node_of.tolist()
        ],
        dtype=np.int64,
    )
    for r in range(model.n_resources):
        sel = model.res_idx == r
        if not sel.any():
            continue
        energy = int((model.res_q[sel] * least[sel]).sum())
        first = int(model.release[node_of[sel]].min())
        got = np.cumsum(free[r, first:])
        if got.size and got[-1] >= energy:
            end = first + int(np.searchsorted(got, energy, side="left")) + 1
        else:
            done = int(got[-1]) if got.size else 0
            rest = math.ceil((energy - done) / max(int(model.capacity[r]), 1))
            end = first + len(got) + rest
        bound = max(bound, end)
    return bound
