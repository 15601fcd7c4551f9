"""Critical path scheduling with MS Project's semantics, vectorised with NumPy.

How it works
------------
* Every instant is held as a *key* in the working time of the task's calendar:
  ``key = 2 * packed_working_minutes + position`` where position 1 means "at the start
  of the next working period" (where starts sit: Mon 08:00) and 0 means "at the end of
  the previous one" (where finishes sit: Fri 17:00). The two share a working-minute
  count; the key orders them the way time does, so ``max`` and ``min`` of keys are the
  max and min of instants.
* Tasks are sorted into topological *levels* (longest path in links from a task
  without predecessors). No link joins two tasks of one level, so each level is
  computed in one vectorised step: the forward pass walks the levels up, the backward
  pass walks them down.
* Links on summary tasks are expanded the way MS Project applies them: a link into a
  summary constrains the start of every subtask (through one virtual "gate" node per
  summary), a link out of a summary leaves from its subtasks.

The network of a plan (levels, expanded links, constraint keys) is compiled once and
cached on the immutable :class:`~jalon.engine.model.Plan`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from jalon.engine.calendar import (
    SHIFT,
    CalendarSet,
    from_minutes,
    minutes_to_datetimes,
    to_minutes,
)
from jalon.engine.errors import ValidationError
from jalon.engine.model import (
    ConstraintType,
    LagKind,
    LinkType,
    Plan,
    ResourceType,
    cycle_error,
    find_cycle,
    twenty_four_hours_calendar,
)
from jalon.engine.results import Schedule, ScheduleWarning

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

ELAPSED_CALENDAR = "\x00elapsed"  # 24/7 time for elapsed durations
NEG = np.int64(-(1 << 62))
POS = np.int64(1 << 62)
_FS, _SS, _FF, _SF = 0, 1, 2, 3
_TYPE_CODE = {LinkType.FS: _FS, LinkType.SS: _SS, LinkType.FF: _FF, LinkType.SF: _SF}
CONSTRAINT_LABEL = {
    ConstraintType.MSO: "Must Start On",
    ConstraintType.MFO: "Must Finish On",
    ConstraintType.SNLT: "Start No Later Than",
    ConstraintType.FNLT: "Finish No Later Than",
    ConstraintType.SNET: "Start No Earlier Than",
    ConstraintType.FNET: "Finish No Earlier Than",
}


@dataclass
class _Edges:
    src: IntArray
    dst: IntArray
    type: IntArray
    lag_work: IntArray  # working minutes in the successor's calendar
    lag_elapsed: IntArray  # calendar minutes


@dataclass
class Network:
    """A plan compiled for scheduling: nodes (tasks + summary gates) and links by level."""

    n_tasks: int
    n_nodes: int
    leaf: BoolArray  # per task: scheduled from its links (not a summary)
    depth: IntArray  # outline depth per task, 0 = top level
    parent: IntArray  # parent task index, -1 at the top
    cal_names: list[str]
    node_cal: IntArray
    node_cal_name: list[str]
    dur: IntArray  # working minutes (full duration)
    rem: IntArray  # remaining working minutes
    milestone: BoolArray
    manual: BoolArray
    alap: BoolArray
    active: BoolArray
    done: BoolArray  # actual finish known
    ctype: IntArray
    cdate: IntArray  # epoch minutes or 0
    deadline: IntArray  # epoch minutes or -1
    actual_start: IntArray  # epoch minutes or -1
    actual_finish: IntArray
    manual_start: IntArray
    manual_finish: IntArray
    level_of: IntArray
    levels: int
    perm: IntArray  # nodes sorted by level (ascending id within a level)
    level_ptr: IntArray
    edges: _Edges  # sorted by (level of successor, successor)
    fw_ptr: IntArray  # edge ranges per level (by successor)
    bw_order: IntArray  # edge permutation sorted by (level of predecessor, predecessor)
    bw_ptr: IntArray
    summary_ss_links: list[tuple[int, int, int, int, int]]  # summary pred SS/SF, resolved later
    has_alap: bool


# ---------------------------------------------------------------------------------------
# compilation
# ---------------------------------------------------------------------------------------


def _task_calendars(plan: Plan) -> list[str]:
    """The calendar each task is scheduled on (MS Project's effective calendar)."""
    res_cal = {r.uid: r.calendar for r in plan.resources if r.type is ResourceType.WORK}
    by_task: dict[int, set[str | None]] = {}
    for a in plan.assignments:
        if a.resource in res_cal:
            by_task.setdefault(a.task, set()).add(res_cal[a.resource])
    names = []
    for t in plan.tasks:
        if t.elapsed:
            names.append(ELAPSED_CALENDAR)
        elif t.calendar is not None:
            names.append(t.calendar)
        else:
            cals = by_task.get(t.uid)
            # a task driven by resources follows their calendar when they all share one
            if cals and len(cals) == 1 and None not in cals:
                names.append(next(iter(cals)))  # type: ignore[arg-type]
            else:
                names.append(plan.calendar)
    return names


def compile_network(plan: Plan) -> Network:
    cached: Network | None = plan.__dict__.get("_network")
    if cached is not None:
        return cached
    net = _compile(plan)
    plan.__dict__["_network"] = net
    return net


def _compile(plan: Plan) -> Network:
    tasks = plan.tasks
    n = len(tasks)
    index = plan.task_index
    parent = np.fromiter(
        (index[t.parent] if t.parent is not None else -1 for t in tasks), dtype=np.int64, count=n
    )
    is_summary = np.zeros(n, dtype=bool)
    if n:
        is_summary[parent[parent >= 0]] = True
    depth = np.zeros(n, dtype=np.int64)
    for i in np.flatnonzero(parent >= 0).tolist():  # parents come first
        depth[i] = depth[parent[i]] + 1
    leaf = ~is_summary

    task_cals = _task_calendars(plan)
    cal_names = sorted(set(task_cals) | {plan.calendar})
    cal_index = {c: k for k, c in enumerate(cal_names)}

    # per-task scalars
    dur = np.fromiter((t.duration for t in tasks), dtype=np.int64, count=n)
    ms = np.fromiter((t.is_milestone for t in tasks), dtype=bool, count=n)
    manual = np.fromiter((t.manual for t in tasks), dtype=bool, count=n)
    active = np.fromiter((t.active for t in tasks), dtype=bool, count=n)
    ctype = np.fromiter((int(t.constraint.type) for t in tasks), dtype=np.int64, count=n)
    cdate = np.fromiter(
        (to_minutes(t.constraint.date) if t.constraint.date is not None else 0 for t in tasks),
        dtype=np.int64,
        count=n,
    )
    deadline = np.fromiter(
        (to_minutes(t.deadline) if t.deadline is not None else -1 for t in tasks),
        dtype=np.int64,
        count=n,
    )
    a_start = np.full(n, -1, dtype=np.int64)
    a_finish = np.full(n, -1, dtype=np.int64)
    m_start = np.full(n, -1, dtype=np.int64)
    m_finish = np.full(n, -1, dtype=np.int64)
    rem = dur.copy()
    for i, t in enumerate(tasks):
        p = t.progress
        if p.actual_start is not None:
            a_start[i] = to_minutes(p.actual_start)
            if p.actual_finish is not None:
                a_finish[i] = to_minutes(p.actual_finish)
                rem[i] = 0
            elif p.remaining_minutes is not None:
                rem[i] = p.remaining_minutes
            else:
                rem[i] = round(t.duration * (100 - p.percent_complete) / 100)
        if t.manual:
            m_start[i] = to_minutes(t.start)  # type: ignore[arg-type]
            m_finish[i] = to_minutes(t.finish)  # type: ignore[arg-type]
    milestone = ms & (dur == 0)
    # a milestone flag on a task with a duration only changes how it is drawn
    alap = ctype == int(ConstraintType.ALAP)

    # links, with summary links expanded
    children: dict[int, list[int]] = {}
    for i in np.flatnonzero(parent >= 0).tolist():
        children.setdefault(int(parent[i]), []).append(i)

    def leaves_under(i: int) -> list[int]:
        out: list[int] = []
        stack = [i]
        while stack:
            j = stack.pop()
            kids = children.get(j)
            if kids is None:
                if j != i and active[j]:
                    out.append(j)
            else:
                stack.extend(reversed(kids))
        return out

    src: list[int] = []
    dst: list[int] = []
    typ: list[int] = []
    lagw: list[int] = []
    lage: list[int] = []
    gates: dict[int, int] = {}  # summary task index -> gate node
    gate_parent: list[int] = []
    summary_ss: list[tuple[int, int, int, int, int]] = []

    def gate(i: int) -> int:
        g = gates.get(i)
        if g is None:
            g = n + len(gates)
            gates[i] = g
            gate_parent.append(i)
        return g

    for link in plan.links:
        p, s = index[link.predecessor], index[link.successor]
        if not active[p]:
            continue  # an inactive task drives nothing
        code = _TYPE_CODE[link.type]
        lag = link.lag
        if lag.kind is LagKind.PERCENT:
            work, elapsed = round(tasks[p].duration * lag.value / 100), 0
        elif lag.kind is LagKind.ELAPSED:
            work, elapsed = 0, round(lag.value)
        else:
            work, elapsed = round(lag.value), 0
        preds = [p] if leaf[p] else None
        if preds is None:
            if code in (_SS, _SF):
                # from the summary's start: its earliest subtask, found after a first pass
                if is_summary[s]:
                    summary_ss.append((p, gate(s), _SS if code == _SS else _SF, work, elapsed))
                else:
                    summary_ss.append((p, s, code, work, elapsed))
                continue
            preds = leaves_under(p)
        if is_summary[s]:
            if code in (_FS, _SS):
                succs = [gate(s)]
            else:
                succs = leaves_under(s)
        else:
            succs = [s]
        for a in preds:
            for b in succs:
                src.append(a)
                dst.append(b)
                typ.append(code)
                lagw.append(work)
                lage.append(elapsed)
    n_nodes = n + len(gates)
    # gates feed the start of every direct child (child gates or leaves)
    for summary, g in list(gates.items()):
        for child in children[summary]:
            target = gates.get(child) if is_summary[child] else child
            if is_summary[child] and target is None:
                # nested summary without its own links: reach its leaves directly
                for leaf_child in leaves_under(child):
                    src.append(g)
                    dst.append(leaf_child)
                    typ.append(_SS)
                    lagw.append(0)
                    lage.append(0)
                continue
            assert target is not None
            src.append(g)
            dst.append(target)
            typ.append(_SS)
            lagw.append(0)
            lage.append(0)

    # node arrays (tasks, then gates)
    def extend(arr: Any, fill: Any) -> Any:
        if not gates:
            return arr
        extra = np.full(len(gates), fill, dtype=arr.dtype)
        return np.concatenate([arr, extra])

    node_cal_name = task_cals + [task_cals[gp] if task_cals[gp] != ELAPSED_CALENDAR else plan.calendar for gp in gate_parent]
    node_cal = np.fromiter((cal_index[c] for c in node_cal_name), dtype=np.int64, count=n_nodes)
    e = _Edges(
        np.array(src, dtype=np.int64),
        np.array(dst, dtype=np.int64),
        np.array(typ, dtype=np.int64),
        np.array(lagw, dtype=np.int64),
        np.array(lage, dtype=np.int64),
    )
    # leveling delay: elapsed time before the task may start (MS Project's "Leveling Delay")
    delay = np.fromiter((t.leveling_delay for t in tasks), dtype=np.int64, count=n)
    if delay.any() and len(e.dst):
        task_dst = e.dst < n
        e.lag_elapsed[task_dst] += delay[e.dst[task_dst]]

    level_of, levels, perm, level_ptr = _levels(plan, n_nodes, e.src, e.dst)
    order = np.lexsort((e.dst, level_of[e.dst])) if len(e.dst) else np.empty(0, np.int64)
    e = _Edges(e.src[order], e.dst[order], e.type[order], e.lag_work[order], e.lag_elapsed[order])
    fw_ptr = np.searchsorted(level_of[e.dst], np.arange(levels + 1), side="left").astype(np.int64)
    bw_order = np.lexsort((e.src, level_of[e.src])) if len(e.src) else np.empty(0, np.int64)
    bw_ptr = np.searchsorted(level_of[e.src][bw_order], np.arange(levels + 1), side="left").astype(np.int64)

    return Network(
        n_tasks=n,
        n_nodes=n_nodes,
        leaf=leaf,
        depth=depth,
        parent=parent,
        cal_names=cal_names,
        node_cal=node_cal,
        node_cal_name=node_cal_name,
        dur=extend(dur, 0),
        rem=extend(rem, 0),
        milestone=extend(milestone, True),
        manual=extend(manual, False),
        alap=extend(alap, False),
        active=extend(active, True),
        done=extend(a_finish >= 0, False),
        ctype=extend(ctype, 0),
        cdate=extend(cdate, 0),
        deadline=extend(deadline, -1),
        actual_start=extend(a_start, -1),
        actual_finish=extend(a_finish, -1),
        manual_start=extend(m_start, -1),
        manual_finish=extend(m_finish, -1),
        level_of=level_of,
        levels=levels,
        perm=perm,
        level_ptr=level_ptr,
        edges=e,
        fw_ptr=fw_ptr,
        bw_order=bw_order,
        bw_ptr=bw_ptr,
        summary_ss_links=summary_ss,
        has_alap=bool(alap.any()),
    )


def _levels(plan: Plan, n_nodes: int, src: IntArray, dst: IntArray) -> tuple[IntArray, int, IntArray, IntArray]:
    """Topological levels by Kahn's algorithm, one vectorised step per level."""
    level_of = np.zeros(n_nodes, dtype=np.int64)
    if len(src) == 0:
        perm = np.arange(n_nodes, dtype=np.int64)
        return level_of, 1, perm, np.array([0, n_nodes], dtype=np.int64)
    indeg = np.bincount(dst, minlength=n_nodes)
    order = np.argsort(src, kind="stable")
    succ = dst[order]
    ptr = np.zeros(n_nodes + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n_nodes), out=ptr[1:])
    frontier = np.flatnonzero(indeg == 0)
    level = 0
    seen = 0
    while frontier.size:
        level_of[frontier] = level
        seen += frontier.size
        starts = ptr[frontier]
        counts = ptr[frontier + 1] - starts
        total = int(counts.sum())
        if total == 0:
            break
        offsets = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(total)
        targets = succ[offsets]
        uniq, cnt = np.unique(targets, return_counts=True)
        indeg[uniq] -= cnt
        frontier = uniq[indeg[uniq] == 0]
        level += 1
    if seen < n_nodes:
        _raise_cycle(plan, n_nodes, src, dst, indeg)
    levels = level + 1
    perm = np.argsort(level_of, kind="stable").astype(np.int64)
    level_ptr = np.searchsorted(level_of[perm], np.arange(levels + 1), side="left").astype(np.int64)
    return level_of, levels, perm, level_ptr


def _raise_cycle(plan: Plan, n_nodes: int, src: IntArray, dst: IntArray, indeg: IntArray) -> None:
    n = len(plan.tasks)
    stuck = set(np.flatnonzero(indeg > 0).tolist())
    graph: dict[int, list[int]] = {}
    for a, b in zip(src.tolist(), dst.tolist(), strict=True):
        if a in stuck and b in stuck:
            graph.setdefault(a, []).append(b)
    cycle = find_cycle(graph, sorted(stuck))
    # gates (virtual nodes for summary links) are left out of the message
    uids = [plan.tasks[node].uid for node in cycle if node < n]
    if not uids:
        uids = [plan.tasks[i].uid for i in sorted(stuck) if i < n][:10]
    raise cycle_error(plan, uids)


# ---------------------------------------------------------------------------------------
# scheduling
# ---------------------------------------------------------------------------------------


@dataclass
class _Keys:
    """Key conversions for one network over one calendar set."""

    cs: CalendarSet
    cal: IntArray  # per node calendar index

    def off(self, k: Any) -> Any:
        return k * SHIFT

    def start_key(self, t: Any, k: Any) -> Any:
        """Key of the first working instant at or after ``t`` (a start)."""
        return 2 * self.cs.work_at(t, k) + 1

    def finish_key(self, t: Any, k: Any) -> Any:
        """Key of the last working instant at or before ``t`` (a finish)."""
        return 2 * self.cs.work_at(t, k)

    def exact_key(self, t: Any, k: Any) -> Any:
        """Key of ``t`` itself: a finish position when t ends working time, else a start."""
        w = self.cs.work_at(t, k)
        pos = (self.cs.finish_at(w) != t).astype(np.int64)
        return 2 * w + pos

    def to_time(self, key: Any) -> Any:
        w = key >> 1
        return self.cs.at(w, 1 - (key & 1))


def calendars_for(plan: Plan, schedule: Schedule | None = None) -> tuple[CalendarSet, dict[int, str]]:
    """A calendar set covering the plan (and its schedule) and each task's calendar name."""
    net = compile_network(plan)
    first = plan.start.date()
    last = (plan.finish or plan.start).date()
    if schedule is not None and len(schedule):
        first = min(first, from_minutes(int(schedule.start_min.min())).date())
        last = max(last, from_minutes(int(schedule.finish_min.max())).date())
    cs = _calendar_set(plan, net, first - dt.timedelta(days=7), last + dt.timedelta(days=400))
    return cs, {t.uid: net.node_cal_name[i] for i, t in enumerate(plan.tasks)}


def _calendar_set(plan: Plan, net: Network, first: dt.date, last: dt.date) -> CalendarSet:
    specs = dict(plan.calendar_specs)
    specs[ELAPSED_CALENDAR] = twenty_four_hours_calendar(ELAPSED_CALENDAR)
    cs = CalendarSet(specs, net.cal_names, first, last)
    used = {net.cal_names[k] for k in np.unique(net.node_cal).tolist()}
    for name in cs.empty:
        if name in used:
            raise ValidationError(f"calendar '{name}' has no working time", field="calendar")
    return cs


def schedule(
    plan: Plan, status_date: dt.datetime | None = None, *, critical_slack: int | None = None
) -> Schedule:
    """Schedule ``plan``: early/late dates, total and free float, critical path.

    ``status_date`` (default: the plan's) moves work that is not done yet after the
    status date, as MS Project's "reschedule uncompleted work to start after" does;
    without one, MS Project's own rules apply (remaining work follows the actual start).
    ``critical_slack`` overrides the plan's critical float threshold (minutes).
    """
    net = compile_network(plan)
    status = status_date or plan.status_date
    threshold = plan.critical_slack_limit if critical_slack is None else critical_slack
    # a horizon wide enough for most plans; doubled until no date falls outside it
    dates = [plan.start] + ([plan.finish] if plan.finish else [])
    if status is not None:
        dates.append(status)
    for arr in (net.cdate[net.ctype >= 2], net.actual_start, net.manual_start, net.deadline):
        valid = arr[arr > 0]
        if valid.size:
            dates.append(from_minutes(int(valid.min())))
            dates.append(from_minutes(int(valid.max())))
    first = min(dates).date() - dt.timedelta(days=370)
    span_days = max(4 * 366, int(net.dur.sum() // max(plan.minutes_per_day, 1) // 4))
    last = max(dates).date() + dt.timedelta(days=min(span_days, 60 * 366))
    for _ in range(12):
        cs = _calendar_set(plan, net, first, last)
        result = _schedule_on(plan, net, cs, status, threshold)
        if result is not None:
            return result
        span = (last - first).days
        first -= dt.timedelta(days=span // 2)
        last += dt.timedelta(days=span)
    raise ValidationError("the schedule runs beyond the year 9999", field="start")


def _schedule_on(
    plan: Plan, net: Network, cs: CalendarSet, status: dt.datetime | None, threshold: int
) -> Schedule | None:
    keys = _Keys(cs, net.node_cal)
    N = net.n_nodes
    cal = net.node_cal
    ps = to_minutes(plan.start)
    # fixed keys known before any pass
    ctype = net.ctype
    has_c = ctype >= 2
    cstart = np.where(has_c, keys.start_key(net.cdate, cal), 0)
    cfin = np.where(has_c, keys.finish_key(net.cdate, cal), 0)
    dur2 = 2 * net.dur
    rem2 = 2 * net.rem
    span2 = np.where(net.actual_start >= 0, rem2, dur2)  # work still ahead of the start key
    started = net.actual_start >= 0
    is_ms = net.milestone

    def es_from_finish(fkey: Any, d2: Any) -> Any:
        # start key of a task whose finish key is fkey: start position unless zero work
        return np.where(d2 > 0, (fkey - d2) | 1, fkey)

    # lower bound of the early start (SNET/FNET), upper bound (SNLT/FNLT), fixed (MSO/MFO)
    lb = np.full(N, NEG, dtype=np.int64)
    ub = np.full(N, POS, dtype=np.int64)
    lb = np.where(ctype == ConstraintType.SNET, cstart, lb)
    lb = np.where(ctype == ConstraintType.FNET, es_from_finish(cfin, dur2), lb)
    ub = np.where(ctype == ConstraintType.SNLT, cstart, ub)
    ub = np.where(ctype == ConstraintType.FNLT, es_from_finish(cfin, dur2), ub)
    fixed = (ctype == ConstraintType.MSO) | (ctype == ConstraintType.MFO)
    fixed_es = np.where(ctype == ConstraintType.MSO, cstart, es_from_finish(cfin, dur2))
    fixed_ef = np.full(N, NEG, dtype=np.int64)
    fixed_ef = np.where(ctype == ConstraintType.MFO, cfin, fixed_ef)

    # progress and manual tasks pin their dates
    if started.any():
        fixed = fixed | started
        as_key = keys.exact_key(np.where(started, net.actual_start, ps), cal) | np.where(is_ms, 0, 1)
        fixed_es = np.where(started, as_key, fixed_es)
        done = net.actual_finish >= 0
        af_key = keys.finish_key(np.where(done, net.actual_finish, ps), cal)
        ef_from_start = np.where(dur2 > 0, (as_key & ~1) + dur2, as_key)
        if status is not None:
            # remaining work of tasks in progress restarts at the status date
            sk = keys.start_key(np.full(N, to_minutes(status)), cal)
            ef_rem = np.where(rem2 > 0, np.maximum(as_key, sk & ~1) + rem2, ef_from_start)
            ef_from_start = np.maximum(ef_from_start, ef_rem)
        fixed_ef = np.where(started, np.where(done, af_key, ef_from_start), fixed_ef)
    manual = net.manual
    if manual.any():
        fixed = fixed | manual
        mk_s = keys.exact_key(np.where(manual, net.manual_start, ps), cal)
        mk_f = keys.exact_key(np.where(manual, net.manual_finish, ps), cal)
        fixed_es = np.where(manual & ~started, mk_s, fixed_es)
        fixed_ef = np.where(manual & ~started, mk_f, fixed_ef)
    if status is not None:
        # work not started yet cannot start before the status date
        sk = keys.start_key(np.full(N, to_minutes(status)), cal)
        lb = np.where(started | manual, lb, np.maximum(lb, sk))

    force_start = np.where(is_ms, 0, 1).astype(np.int64)
    has_dur = (dur2 > 0).astype(np.int64)
    ps_key = keys.start_key(np.full(N, ps), cal)
    # MS Project: without predecessors a task starts at the project start, or at its
    # SNET/FNET date even when that is earlier
    base0 = np.where((ctype == ConstraintType.SNET) | (ctype == ConstraintType.FNET), lb, np.maximum(ps_key, lb))
    if net.n_nodes > net.n_tasks:
        base0[net.n_tasks :] = ps_key[net.n_tasks :]

    e = net.edges
    fw = _Forward(net, cs, keys, lb, ub, fixed, fixed_es, fixed_ef, force_start, has_dur, span2, ps_key)
    es, ef, cand, pred_bound = fw.run(base0, alap_late=None)
    if net.summary_ss_links:
        # links from the start of a summary leave from its earliest subtask
        extra_src, extra_dst, extra_type, extra_w, extra_e = [], [], [], [], []
        for summary, target, code, work, elapsed in net.summary_ss_links:
            kids = _leaves(net, summary)
            if not kids:
                continue
            best = min(kids, key=lambda i: int(es[i]))
            extra_src.append(best)
            extra_dst.append(target)
            extra_type.append(code)
            extra_w.append(work)
            extra_e.append(elapsed)
        if extra_src:
            net = _with_extra_edges(plan, net, extra_src, extra_dst, extra_type, extra_w, extra_e)
            plan.__dict__["_network"] = net
            return _schedule_on(plan, net, cs, status, threshold)

    if cs.overflowed(keys.to_time(es), keys.to_time(ef)):
        return None
    active = net.active
    # project finish: the latest early finish of active tasks, in each task's calendar
    ef_time = keys.to_time(ef)
    if plan.schedule_from_finish and plan.finish is not None:
        pf_time = to_minutes(plan.finish)
    else:
        pf_time = int(ef_time[active].max()) if active.any() else ps
    pf_key = keys.finish_key(np.full(N, pf_time), cal)

    bw = _Backward(net, cs, keys, pf_key, ctype, cstart, cfin, dur2, rem2, span2)
    ls, lf = bw.run()
    if plan.schedule_from_finish:
        # backward scheduling: the project starts at the earliest late start
        ls_time = keys.to_time(ls)
        new_ps = int(ls_time[active].min()) if active.any() else ps
        ps_key = keys.start_key(np.full(N, new_ps), cal)
        base0 = np.where((ctype == ConstraintType.SNET) | (ctype == ConstraintType.FNET), lb, np.maximum(ps_key, lb))
        fw.ps_key = ps_key
        es, ef, cand, pred_bound = fw.run(base0, alap_late=None)
    alap = net.alap
    if alap.any():
        # ALAP tasks sit at their late dates; their successors follow from there
        es, ef, cand, pred_bound = fw.run(base0, alap_late=(alap & ~fixed, ls, lf))
    if cs.overflowed(keys.to_time(ls), keys.to_time(lf)):
        return None

    n = net.n_tasks
    start_key = np.where(alap & ~fixed, ls, es)[:n]
    finish_key = np.where(alap & ~fixed, lf, ef)[:n]
    # floats in working minutes of the task's calendar
    start_slack = (ls >> 1) - (es >> 1)
    finish_slack = (lf >> 1) - (ef >> 1)
    total = np.where(started, finish_slack, np.minimum(start_slack, finish_slack))
    free = _free_float(net, es, cand, total)

    start = keys.to_time(start_key)
    finish = keys.to_time(finish_key)
    e_s, e_f = keys.to_time(es[:n]), keys.to_time(ef[:n])
    l_s, l_f = keys.to_time(ls[:n]), keys.to_time(lf[:n])
    # dates the user fixed are shown as typed
    m = net.manual[:n]
    start = np.where(m, net.manual_start[:n], start)
    finish = np.where(m, net.manual_finish[:n], finish)
    st = started[:n]
    start = np.where(st, net.actual_start[:n], start)
    d = (net.actual_finish >= 0)[:n]
    finish = np.where(d, net.actual_finish[:n], finish)

    total_f = total[:n].copy()
    free_f = free[:n].copy()
    critical = (total_f <= threshold) & net.active[:n] & ~d
    summary = ~net.leaf
    duration = net.dur[:n].copy()
    if summary.any():
        _roll_up(plan, net, cs, summary, start, finish, e_s, e_f, l_s, l_f, total_f, free_f, critical, duration, alap[:n])
    warnings = _warnings(plan, net, keys, es, pred_bound, ub, fixed, ctype, lf, ef, total)
    return Schedule(
        plan=plan,
        start_min=start,
        finish_min=finish,
        early_start_min=e_s,
        early_finish_min=e_f,
        late_start_min=l_s,
        late_finish_min=l_f,
        total_float=total_f,
        free_float=free_f,
        critical=critical,
        duration=duration,
        summary=summary,
        milestone=np.fromiter((t.is_milestone for t in plan.tasks), dtype=bool, count=n),
        warnings=tuple(warnings),
        status_date=status,
    )


def _leaves(net: Network, summary: int) -> list[int]:
    kids = np.flatnonzero(net.parent == summary).tolist()
    out: list[int] = []
    for k in kids:
        if net.leaf[k]:
            if net.active[k]:
                out.append(k)
        else:
            out.extend(_leaves(net, k))
    return out


def _with_extra_edges(
    plan: Plan,
    net: Network,
    src: list[int],
    dst: list[int],
    typ: list[int],
    lagw: list[int],
    lage: list[int],
) -> Network:
    e = net.edges
    all_src = np.concatenate([e.src, np.array(src, dtype=np.int64)])
    all_dst = np.concatenate([e.dst, np.array(dst, dtype=np.int64)])
    all_typ = np.concatenate([e.type, np.array(typ, dtype=np.int64)])
    all_w = np.concatenate([e.lag_work, np.array(lagw, dtype=np.int64)])
    all_e = np.concatenate([e.lag_elapsed, np.array(lage, dtype=np.int64)])
    level_of, levels, perm, level_ptr = _levels(plan, net.n_nodes, all_src, all_dst)
    order = np.lexsort((all_dst, level_of[all_dst]))
    edges = _Edges(all_src[order], all_dst[order], all_typ[order], all_w[order], all_e[order])
    fw_ptr = np.searchsorted(level_of[edges.dst], np.arange(levels + 1), side="left").astype(np.int64)
    bw_order = np.lexsort((edges.src, level_of[edges.src]))
    bw_ptr = np.searchsorted(level_of[edges.src][bw_order], np.arange(levels + 1), side="left").astype(np.int64)
    from dataclasses import replace

    return replace(
        net,
        level_of=level_of,
        levels=levels,
        perm=perm,
        level_ptr=level_ptr,
        edges=edges,
        fw_ptr=fw_ptr,
        bw_order=bw_order,
        bw_ptr=bw_ptr,
        summary_ss_links=[],
    )


class _Forward:
    """The forward pass: early start and finish keys, level by level."""

    def __init__(
        self,
        net: Network,
        cs: CalendarSet,
        keys: _Keys,
        lb: IntArray,
        ub: IntArray,
        fixed: BoolArray,
        fixed_es: IntArray,
        fixed_ef: IntArray,
        force_start: IntArray,
        has_dur: IntArray,
        span2: IntArray,
        ps_key: IntArray,
    ) -> None:
        self.net, self.cs, self.keys = net, cs, keys
        self.lb, self.ub, self.fixed = lb, ub, fixed
        self.fixed_es, self.fixed_ef = fixed_es, fixed_ef
        self.force_start, self.has_dur, self.span2 = force_start, has_dur, span2
        self.ps_key = ps_key
        e = net.edges
        self.uses_finish = ((e.type == _FS) | (e.type == _FF)).astype(np.int64)
        self.src_key_index = e.src + net.n_nodes * self.uses_finish
        self.to_finish = (e.type == _FF) | (e.type == _SF)
        # FF/SF: the bound is on the successor's finish; turn it into a start bound
        self.finish_sub = np.where(self.to_finish, span2[e.dst], 0)
        self.same_cal = net.node_cal[e.src] == net.node_cal[e.dst]
        self.simple = self.same_cal & (e.lag_elapsed == 0)
        # per level: can every link of the level stay in one calendar's working time?
        ptr = net.fw_ptr
        self.level_simple = np.ones(net.levels, dtype=bool)
        if len(e.src):
            not_simple = np.flatnonzero(~self.simple)
            lvl = np.searchsorted(ptr, not_simple, side="right") - 1
            self.level_simple[np.unique(lvl)] = False
        self.dst_off = net.node_cal[e.dst] * SHIFT
        self.src_off = net.node_cal[e.src] * SHIFT
        self.is_ff = (e.type == _FF).astype(bool)
        # the successor's own position: segment starts for the max-reduce
        dst = e.dst
        self.seg_start = np.flatnonzero(np.concatenate(([True], dst[1:] != dst[:-1]))) if len(dst) else np.empty(0, np.int64)

    def run(
        self, base0: IntArray, alap_late: tuple[BoolArray, IntArray, IntArray] | None
    ) -> tuple[IntArray, IntArray, IntArray, IntArray]:
        net, cs = self.net, self.cs
        N = net.n_nodes
        e = net.edges
        fixed = self.fixed
        fixed_es, fixed_ef = self.fixed_es, self.fixed_ef
        if alap_late is not None:
            mask, ls, lf = alap_late
            fixed = fixed | mask
            fixed_es = np.where(mask, ls, fixed_es)
            fixed_ef = np.where(mask, lf, fixed_ef)
        force, has_dur, span2 = self.force_start, self.has_dur, self.span2
        lb, ub = self.lb, self.ub
        K = np.empty(2 * N, dtype=np.int64)
        ES = K[:N]
        EF = K[N:]
        pred_bound = np.full(N, NEG, dtype=np.int64)
        # level 0 and defaults for everyone
        es0 = np.minimum(base0, ub) | force
        es0 = np.where(fixed, fixed_es, es0)
        ES[:] = es0
        EF[:] = np.where(fixed_ef != NEG, fixed_ef, np.where(has_dur > 0, (es0 & ~1) + span2, es0))
        cand_all = np.empty(len(e.src), dtype=np.int64)
        ptr = net.fw_ptr
        lp = net.level_ptr
        perm = net.perm
        seg = self.seg_start
        seg_ptr = np.searchsorted(seg, ptr) if len(seg) else np.zeros_like(ptr)
        src_key_index = self.src_key_index
        lag_w = e.lag_work
        lag_e = e.lag_elapsed
        finish_sub = self.finish_sub
        simple_level = self.level_simple
        starts, lens, cum, cum_end, diff = cs.starts, cs.lens, cs.cum, cs.cum_end, cs.diff
        dst_off = self.dst_off
        ps_key = self.ps_key
        is_ff = self.is_ff
        any_ff = bool(is_ff.any())
        for level in range(1, net.levels):
            a, b = int(ptr[level]), int(ptr[level + 1])
            if a == b:
                continue
            pk = K[src_key_index[a:b]]
            lw = lag_w[a:b]
            if simple_level[level]:
                # one calendar: a work lag is plain arithmetic on keys
                cand = np.where(lw != 0, ((pk >> 1) + lw) * 2 + (lw < 0), pk)
            else:
                w = pk >> 1
                t = diff[np.searchsorted(cum_end, w + (pk & 1), side="left")] + w
                t = t + lag_e[a:b]
                g = t + dst_off[a:b]
                i = np.searchsorted(starts, g, side="right") - 1
                w2 = cum[i] + np.minimum(g - starts[i], lens[i])
                # where t ends a working period of the successor's calendar, keep it there
                at_end = (diff[np.searchsorted(cum_end, w2, side="left")] + w2) == t
                cand = 2 * w2 + (~at_end).astype(np.int64)
                cand = np.where(lw != 0, (w2 + lw) * 2 + (lw < 0), cand)
            fs = finish_sub[a:b]
            cand = np.where(fs > 0, (cand - fs) | 1, cand)
            cand_all[a:b] = cand  # before the clamp below: free float measures the link itself
            if any_ff:
                # MS Project never lets an FF link pull a task before the project start
                ffm = is_ff[a:b]
                cand = np.where(ffm, np.maximum(cand, ps_key[e.dst[a:b]]), cand)
            s0, s1 = int(seg_ptr[level]), int(seg_ptr[level + 1])
            red = np.maximum.reduceat(cand, seg[s0:s1] - a)
            nodes = perm[lp[level] : lp[level + 1]]
            pred_bound[nodes] = red
            es = np.minimum(np.maximum(red, lb[nodes]), ub[nodes]) | force[nodes]
            fx = fixed[nodes]
            es = np.where(fx, fixed_es[nodes], es)
            ES[nodes] = es
            d = has_dur[nodes]
            ef = (es & ~d) + span2[nodes]
            ef = np.where(fixed_ef[nodes] != NEG, fixed_ef[nodes], ef)
            EF[nodes] = ef
        return ES.copy(), EF.copy(), cand_all, pred_bound


class _Backward:
    """The backward pass: late finish and start keys, level by level down."""

    def __init__(
        self,
        net: Network,
        cs: CalendarSet,
        keys: _Keys,
        pf_key: IntArray,
        ctype: IntArray,
        cstart: IntArray,
        cfin: IntArray,
        dur2: IntArray,
        rem2: IntArray,
        span2: IntArray,
    ) -> None:
        self.net, self.cs, self.keys = net, cs, keys
        N = net.n_nodes
        # upper bound of the late finish: project finish, constraints, deadline
        ub = pf_key.copy()
        ub = np.where(ctype == ConstraintType.SNLT, np.minimum(ub, (cstart & ~1) + dur2), ub)
        ub = np.where(ctype == ConstraintType.FNLT, np.minimum(ub, cfin), ub)
        has_deadline = net.deadline >= 0
        if has_deadline.any():
            dl = keys.finish_key(np.where(has_deadline, net.deadline, 0), net.node_cal)
            ub = np.where(has_deadline, np.minimum(ub, dl), ub)
        fixed = (ctype == ConstraintType.MSO) | (ctype == ConstraintType.MFO)
        fixed_lf = np.where(ctype == ConstraintType.MSO, (cstart & ~1) + dur2, cfin)
        done = net.actual_finish >= 0
        if done.any():
            fixed = fixed | done
            fixed_lf = np.where(done, keys.finish_key(np.where(done, net.actual_finish, 0), net.node_cal), fixed_lf)
        self.ub, self.fixed, self.fixed_lf = ub, fixed, fixed_lf
        self.pf_key = pf_key
        self.rem2 = rem2
        self.dur2 = dur2
        self.started = net.actual_start >= 0
        self.as_key = np.where(self.started, keys.start_key(np.where(self.started, net.actual_start, 0), net.node_cal), 0)
        e = net.edges
        order = net.bw_order
        self.src = e.src[order]
        self.dst = e.dst[order]
        t = e.type[order]
        # successors whose work is done no longer constrain their predecessors
        self.live = ~done[self.dst]
        self.uses_finish = ((t == _FF) | (t == _SF)).astype(np.int64)
        self.dst_key_index = self.dst + N * self.uses_finish
        self.from_start = (t == _SS) | (t == _SF)
        self.add_dur = np.where(self.from_start, dur2[self.src], 0)
        self.lag_w = e.lag_work[order]
        self.lag_e = e.lag_elapsed[order]
        self.src_off = net.node_cal[self.src] * SHIFT
        self.same = (net.node_cal[self.src] == net.node_cal[self.dst]) & (self.lag_e == 0)
        src = self.src
        self.seg_start = np.flatnonzero(np.concatenate(([True], src[1:] != src[:-1]))) if len(src) else np.empty(0, np.int64)

    def _ls(self, lf: IntArray, rem2: IntArray) -> IntArray:
        return np.where(rem2 > 0, (lf - rem2) | 1, lf)

    def run(self) -> tuple[IntArray, IntArray]:
        net, cs = self.net, self.cs
        N = net.n_nodes
        K = np.empty(2 * N, dtype=np.int64)
        LS = K[:N]
        LF = K[N:]
        lf0 = np.where(self.fixed, self.fixed_lf, self.ub)
        LF[:] = lf0
        LS[:] = np.where(self.started, self.as_key, self._ls(lf0, self.rem2))
        ptr = net.bw_ptr
        seg = self.seg_start
        seg_ptr = np.searchsorted(seg, ptr) if len(seg) else np.zeros_like(ptr)
        starts, lens, cum, cum_end, diff = cs.starts, cs.lens, cs.cum, cs.cum_end, cs.diff
        big = POS
        for level in range(net.levels - 1, -1, -1):
            a, b = int(ptr[level]), int(ptr[level + 1])
            if a == b:
                continue
            sk = K[self.dst_key_index[a:b]]
            lw = self.lag_w[a:b]
            if self.same[a:b].all():
                w = (sk >> 1) - lw
                cand = 2 * w
            else:
                w = (sk >> 1) - lw  # the lag is removed in the successor's calendar
                t = diff[np.searchsorted(cum_end, w + (sk & 1), side="left")] + w
                t = t - self.lag_e[a:b]
                g = t + self.src_off[a:b]
                i = np.searchsorted(starts, g, side="right") - 1
                w2 = cum[i] + np.minimum(g - starts[i], lens[i])
                cand = 2 * w2
            # SS/SF bound the predecessor's start; its finish is one duration later
            cand = cand + self.add_dur[a:b]
            cand = np.where(self.live[a:b], cand, big)
            s0, s1 = int(seg_ptr[level]), int(seg_ptr[level + 1])
            red = np.minimum.reduceat(cand, seg[s0:s1] - a)
            nodes = self.src[seg[s0:s1]]
            lf = np.minimum(red, self.ub[nodes])
            lf = np.where(self.fixed[nodes], self.fixed_lf[nodes], lf)
            LF[nodes] = lf
            LS[nodes] = np.where(self.started[nodes], self.as_key[nodes], self._ls(lf, self.rem2[nodes]))
        return LS.copy(), LF.copy()


def _free_float(net: Network, es: IntArray, cand: IntArray, total: IntArray) -> IntArray:
    """Free float: how far a task can slip before it delays any successor's early start."""
    e = net.edges
    N = net.n_nodes
    free = np.maximum(total, 0).astype(np.int64)
    if len(e.src) == 0:
        return np.minimum(free, np.maximum(total, 0))
    gap = (es[e.dst] >> 1) - (cand >> 1)
    gap = np.maximum(gap, 0)
    best = np.full(N, POS, dtype=np.int64)
    np.minimum.at(best, e.src, gap)
    return np.where(best < POS, np.minimum(best, free), free)


def _roll_up(
    plan: Plan,
    net: Network,
    cs: CalendarSet,
    summary: BoolArray,
    start: IntArray,
    finish: IntArray,
    e_s: IntArray,
    e_f: IntArray,
    l_s: IntArray,
    l_f: IntArray,
    total: IntArray,
    free: IntArray,
    critical: BoolArray,
    duration: IntArray,
    alap: BoolArray,
) -> None:
    """Summary tasks span their subtasks (deepest first); MS Project's roll-up rules."""
    n = net.n_tasks
    parent = net.parent
    depth = net.depth
    active = net.active[:n]
    sidx = np.flatnonzero(summary)
    big, small = POS, NEG
    for arr, fill in ((start, big), (e_s, big), (l_s, big), (finish, small), (e_f, small), (l_f, small)):
        arr[sidx] = fill
    critical[sidx] = False
    # ALAP children contribute their late dates to the early roll-up, manual ones their
    # own dates to the late roll-up (as MS Project does)
    child_es = np.where(alap, l_s, e_s)
    child_ef = np.where(alap, l_f, e_f)
    for d in range(int(depth.max()), 0, -1):
        idx = np.flatnonzero((depth == d) & active)
        if idx.size == 0:
            continue
        par = parent[idx]
        np.minimum.at(start, par, start[idx])
        np.maximum.at(finish, par, finish[idx])
        np.minimum.at(e_s, par, child_es[idx])
        np.maximum.at(e_f, par, child_ef[idx])
        child_ls = np.where(net.manual[:n][idx], e_s[idx], l_s[idx])
        child_lf = np.where(net.manual[:n][idx], e_f[idx], l_f[idx])
        np.minimum.at(l_s, par, child_ls)
        np.maximum.at(l_f, par, child_lf)
        np.logical_or.at(critical, par, critical[idx])
        # a summary's own children at this depth are final now: refresh child views
        child_es[par] = e_s[par]
        child_ef[par] = e_f[par]
    empty = sidx[start[sidx] == big]
    if empty.size:
        ps = to_minutes(plan.start)
        for arr in (start, finish, e_s, e_f, l_s, l_f):
            arr[empty] = ps
    # manual summary tasks keep the dates the user typed
    man = sidx[net.manual[:n][sidx]]
    if man.size:
        start[man] = net.manual_start[:n][man]
        finish[man] = net.manual_finish[:n][man]
    k = net.node_cal[sidx]
    duration[sidx] = cs.work_at(finish[sidx], k) - cs.work_at(start[sidx], k)
    ts = (cs.work_at(l_s[sidx], k) - cs.work_at(e_s[sidx], k))
    tf = (cs.work_at(l_f[sidx], k) - cs.work_at(e_f[sidx], k))
    total[sidx] = np.minimum(ts, tf)
    free[sidx] = np.maximum(np.minimum(free[sidx], total[sidx]), 0)


def _warnings(
    plan: Plan,
    net: Network,
    keys: _Keys,
    es: IntArray,
    pred_bound: IntArray,
    ub: IntArray,
    fixed: BoolArray,
    ctype: IntArray,
    lf: IntArray,
    ef: IntArray,
    total: IntArray,
) -> list[ScheduleWarning]:
    n = net.n_tasks
    out: list[ScheduleWarning] = []
    constrained = (ctype >= 2) & ~net.manual & (net.actual_start < 0)
    # links that would push the task past a constraint the task must honour
    conflict = constrained[:n] & (pred_bound[:n] != NEG) & (pred_bound[:n] > es[:n])
    for i in np.flatnonzero(conflict).tolist():
        t = plan.tasks[i]
        label = CONSTRAINT_LABEL.get(t.constraint.type, t.constraint.type.name)
        allowed = minutes_to_datetimes(np.array([keys.to_time(pred_bound[i : i + 1])[0]]))[0]
        out.append(
            ScheduleWarning(
                "constraint-conflict",
                t.uid,
                f"{plan.label(t.uid)} has a '{label}' constraint on "
                f"{t.constraint.date:%Y-%m-%d %H:%M} that conflicts with its predecessor links: "
                f"they allow a start no earlier than {allowed:%Y-%m-%d %H:%M} "
                f"(total float {total[i] / plan.minutes_per_day:+.2f} days).",
            )
        )
    has_deadline = net.deadline[:n] >= 0
    if has_deadline.any():
        late = has_deadline & (keys.to_time(ef[:n]) > net.deadline[:n])
        for i in np.flatnonzero(late).tolist():
            t = plan.tasks[i]
            out.append(
                ScheduleWarning(
                    "deadline-missed",
                    t.uid,
                    f"{plan.label(t.uid)} finishes after its deadline of {t.deadline:%Y-%m-%d %H:%M}.",
                )
            )
    neg = (total[:n] < 0) & net.leaf[:n] & ~conflict & net.active[:n]
    if has_deadline.any():
        neg &= ~(has_deadline & (keys.to_time(ef[:n]) > net.deadline[:n]))
    count = int(neg.sum())
    if count:
        first = np.flatnonzero(neg)[:5].tolist()
        names = ", ".join(plan.label(plan.tasks[i].uid) for i in first)
        more = f" and {count - 5} more" if count > 5 else ""
        out.append(
            ScheduleWarning(
                "negative-float",
                plan.tasks[first[0]].uid,
                f"{count} task(s) have negative total float, so a constraint or deadline "
                f"cannot be met: {names}{more}.",
            )
        )
    return out
