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

import copy
import datetime as dt
import threading
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from itertools import product
from operator import attrgetter
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
    ASAP as ASAP_CONSTRAINT,
)
from jalon.engine.model import (
    NO_PROGRESS,
    ConstraintType,
    LagKind,
    LinkType,
    Plan,
    Progress,
    cycle_error,
    find_cycle,
    twenty_four_hours_calendar,
)
from jalon.engine.results import Schedule, ScheduleWarning
from jalon.engine.spans import (
    MultiCalendarTask,
    refit,
    task_calendars,
    with_derived_calendars,
)

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

ELAPSED_CALENDAR = "\x00elapsed"  # 24/7 time for elapsed durations
NEG = np.int64(-(1 << 62))
POS = np.int64(1 << 62)
# constants of the per-level steps as 0-d arrays: NumPy takes them as fast as an array
# operand, where a Python int costs a scalar conversion on every call
_ONE = np.array(1, dtype=np.int64)
_EVEN = np.array(-2, dtype=np.int64)
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
    """Links between nodes after summary expansion (original node numbering)."""

    src: IntArray
    dst: IntArray
    type: IntArray
    lag_work: IntArray  # working minutes in the successor's calendar
    lag_elapsed: IntArray  # calendar minutes


@dataclass
class _Pass:
    """Links of one pass in level order: ``ptr`` slices them by level, ``seg`` by node."""

    src: IntArray  # level-order node numbers
    dst: IntArray
    type: IntArray
    lag_work: IntArray
    lag_elapsed: IntArray
    ptr: IntArray  # edges of level L: ptr[L]:ptr[L+1]
    seg: IntArray  # first edge of each node's run (by successor forward, predecessor backward)
    seg_ptr: IntArray  # runs of level L: seg_ptr[L]:seg_ptr[L+1]
    simple: BoolArray  # same calendar at both ends and no elapsed lag: plain key arithmetic
    level_simple: BoolArray  # per level: every link is simple
    nonsimple: IntArray  # positions of the links that are not simple


@dataclass
class Network:
    """A plan compiled for scheduling: nodes (tasks + summary gates) and links by level.

    Node arrays are in the plan's order (tasks first, then one gate per linked summary);
    ``order``/``pos`` map them to *level order*, where the nodes of one level are
    contiguous, so each level is a slice.
    """

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
    ctype: IntArray
    cdate: IntArray  # epoch minutes or 0
    deadline: IntArray  # epoch minutes or -1
    actual_start: IntArray  # epoch minutes or -1
    actual_finish: IntArray
    manual_start: IntArray
    manual_finish: IntArray
    has_ff_in: BoolArray  # node has an incoming FF link
    in_progress: BoolArray  # % complete without actual dates: not held by the status date
    complete: BoolArray  # 100 % without actual dates: never critical
    delay: IntArray  # leveling delay, elapsed minutes
    milestone_flag: BoolArray  # per task: shown as a milestone
    edges: _Edges
    levels: int
    order: IntArray  # level order -> node
    pos: IntArray  # node -> level order
    level_ptr: IntArray
    forward: _Pass
    backward: _Pass
    summary_ss_links: list[tuple[int, int, int, int, int]]  # summary pred SS/SF, resolved later
    passes: dict[str, Any] = field(default_factory=dict)  # pass tables built on first use
    # tasks whose span depends on where they start (resources on several calendars)
    multi_calendar: tuple[MultiCalendarTask, ...] = ()
    # summary tasks that a link with a percent lag leaves from (their span is the duration)
    summary_percent: tuple[int, ...] = ()
    # the links those lags are on: edge positions (before summary starts are resolved),
    # their summary and percentage; the same for the summary start links
    percent_edges: IntArray = field(default_factory=lambda: np.empty(0, np.int64))
    percent_of: tuple[tuple[int, float], ...] = ()
    percent_ss: tuple[tuple[int, int, float], ...] = ()
    level_of: IntArray = field(default_factory=lambda: np.empty(0, np.int64))
    # the network as compiled, before summary starts are resolved or spans refitted
    pristine: Network | None = None
    # levels of resolved networks, by the links added (shared by derived networks)
    resolved_levels: dict[tuple[int, ...], tuple[IntArray, int]] = field(default_factory=dict)
    # derived networks: the compiled plan's total duration, so that its horizon (and its
    # calendar set) serves them too
    dur_total: int | None = None
    # the links added to the compiled ones (summary starts resolved), and per such set the
    # passes of the first network of this compile that had them (shared by derived ones)
    links_key: tuple[int, ...] = ()
    family: dict[tuple[int, ...], dict[str, Any]] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------
# compilation
# ---------------------------------------------------------------------------------------


def compile_network(plan: Plan) -> Network:
    cached: Network | None = plan.__dict__.get("_network")
    if cached is not None:
        return cached
    net = _compile(plan)
    plan.__dict__["_network"] = net
    return net


def _ints(values: Iterable[int], n: int) -> IntArray:
    return np.fromiter(values, dtype=np.int64, count=n)


def _bools(values: Iterable[bool], n: int) -> BoolArray:
    return np.fromiter(values, dtype=bool, count=n)


def _compile(plan: Plan) -> Network:
    tasks = plan.tasks
    n = len(tasks)
    index = plan.task_index
    get_index = index.__getitem__
    parent_uids = list(map(attrgetter("parent"), tasks))
    parent = _ints((-1 if p is None else get_index(p) for p in parent_uids), n)
    is_summary = np.zeros(n, dtype=bool)
    if n:
        is_summary[parent[parent >= 0]] = True
    # outline depth, one vectorised step per outline level
    depth = np.zeros(n, dtype=np.int64)
    up = parent.copy()
    while (up >= 0).any():
        has = up >= 0
        depth += has
        up = np.where(has, parent[np.maximum(up, 0)], -1)
    leaf = ~is_summary

    resolved = task_calendars(plan, ELAPSED_CALENDAR)
    task_cals = resolved.names
    cal_names = sorted(set(task_cals) | {plan.calendar})
    cal_index = {c: k for k, c in enumerate(cal_names)}

    # per-task scalars, read at C speed; the rare special values in Python
    dur = _ints(map(attrgetter("duration"), tasks), n)
    # shown as a milestone: flagged so, or without work (summaries only when flagged)
    flagged = list(map(attrgetter("milestone"), tasks))
    ms = _bools((f is True for f in flagged), n) | (
        (dur == 0) & ~is_summary & _bools((f is None for f in flagged), n)
    )
    manual = _bools(map(attrgetter("manual"), tasks), n)
    active = _bools(map(attrgetter("active"), tasks), n)
    constraints = list(map(attrgetter("constraint"), tasks))
    ctype = np.zeros(n, dtype=np.int64)
    cdate = np.zeros(n, dtype=np.int64)
    for i, c in enumerate(constraints):
        if c is not ASAP_CONSTRAINT and c.type is not ConstraintType.ASAP:
            ctype[i] = int(c.type)
            if c.date is not None:
                cdate[i] = to_minutes(c.date)
    deadline = np.full(n, -1, dtype=np.int64)
    for i, d in enumerate(map(attrgetter("deadline"), tasks)):
        if d is not None:
            deadline[i] = to_minutes(d)
    a_start = np.full(n, -1, dtype=np.int64)
    a_finish = np.full(n, -1, dtype=np.int64)
    m_start = np.full(n, -1, dtype=np.int64)
    m_finish = np.full(n, -1, dtype=np.int64)
    rem = dur.copy()
    # progress typed without actual dates (MS Project would fill them in): the task has
    # started where it is scheduled, and is complete at 100 %
    in_progress = np.zeros(n, dtype=bool)
    complete = np.zeros(n, dtype=bool)
    for i, prog in enumerate(map(attrgetter("progress"), tasks)):
        if prog is NO_PROGRESS:
            continue
        if prog.actual_start is None:
            if prog.percent_complete > 0:
                in_progress[i] = True
                complete[i] = prog.percent_complete >= 100
            continue
        a_start[i] = to_minutes(prog.actual_start)
        if prog.actual_finish is not None:
            a_finish[i] = to_minutes(prog.actual_finish)
            rem[i] = 0
        elif prog.remaining_minutes is not None:
            rem[i] = prog.remaining_minutes
        else:
            rem[i] = round(tasks[i].duration * (100 - prog.percent_complete) / 100)
    for i in np.flatnonzero(manual).tolist():
        t = tasks[i]
        m_start[i] = to_minutes(t.start)  # type: ignore[arg-type]
        m_finish[i] = to_minutes(t.finish)  # type: ignore[arg-type]
    # a task without work sits where its predecessors leave it, like a milestone; a
    # milestone flag on a task with a duration only changes how it is drawn
    milestone = dur == 0
    alap = ctype == int(ConstraintType.ALAP)

    # links: plain ones (leaf to leaf, work lag, active predecessor) as whole arrays
    links = plan.links
    n_links = len(links)
    l_src = _ints(map(get_index, map(attrgetter("predecessor"), links)), n_links)
    l_dst = _ints(map(get_index, map(attrgetter("successor"), links)), n_links)
    l_type = _ints(map(_TYPE_CODE.__getitem__, map(attrgetter("type"), links)), n_links)
    lags = list(map(attrgetter("lag"), links))
    l_work = np.zeros(n_links, dtype=np.int64)
    l_elapsed = np.zeros(n_links, dtype=np.int64)
    summary_percent: set[int] = set()
    percent_link: dict[int, float] = {}  # link -> its percentage, links from summaries
    for i, lag in enumerate(lags):
        if lag.value == 0:
            continue
        if lag.kind is LagKind.WORK:
            l_work[i] = round(lag.value)
        elif lag.kind is LagKind.ELAPSED:
            l_elapsed[i] = round(lag.value)
        else:  # percent of the predecessor's duration, in the successor's calendar
            l_work[i] = round(int(dur[l_src[i]]) * lag.value / 100)
            if is_summary[l_src[i]]:
                summary_percent.add(int(l_src[i]))
                percent_link[i] = lag.value
    keep = active[l_src] if n_links else np.zeros(0, dtype=bool)  # an inactive task drives nothing
    plain = keep & leaf[l_src] & leaf[l_dst]
    src: list[IntArray] = [l_src[plain]]
    dst: list[IntArray] = [l_dst[plain]]
    typ: list[IntArray] = [l_type[plain]]
    lagw: list[IntArray] = [l_work[plain]]
    lage: list[IntArray] = [l_elapsed[plain]]

    # links on summary tasks, expanded the way MS Project applies them
    gates: dict[int, int] = {}  # summary task index -> gate node
    gate_parent: list[int] = []
    summary_ss: list[tuple[int, int, int, int, int]] = []
    special = np.flatnonzero(keep & ~plain)
    children: dict[int, list[int]] = {}
    if special.size:
        # children in outline order, grouped by parent in one sort
        kids = np.flatnonzero(parent >= 0)
        kids = kids[_stable_argsort(parent[kids])]
        children = _group(kids, parent[kids])

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

    def gate(i: int) -> int:
        g = gates.get(i)
        if g is None:
            g = n + len(gates)
            gates[i] = g
            gate_parent.append(i)
        return g

    extra: list[tuple[int, int, int, int, int]] = []
    percent_extra: list[int] = []  # positions in ``extra`` of links with a summary's percent
    percent_of: list[tuple[int, float]] = []
    percent_ss: list[tuple[int, int, float]] = []
    for k in special.tolist():
        p, s, code = int(l_src[k]), int(l_dst[k]), int(l_type[k])
        work, elapsed = int(l_work[k]), int(l_elapsed[k])
        before = len(summary_ss), len(extra)
        if leaf[p]:
            preds = [p]
        elif code in (_SS, _SF):
            # from the summary's start: its earliest subtask, found after a first pass
            target = gate(s) if is_summary[s] and code == _SS else s
            if is_summary[s] and code == _SF:
                for b in leaves_under(s):
                    summary_ss.append((p, b, code, work, elapsed))
            else:
                summary_ss.append((p, target, code, work, elapsed))
            if k in percent_link:
                value = percent_link[k]
                percent_ss.extend((j, p, value) for j in range(before[0], len(summary_ss)))
            continue
        else:
            preds = leaves_under(p)
        if is_summary[s]:
            succs = [gate(s)] if code in (_FS, _SS) else leaves_under(s)
        else:
            succs = [s]
        extra.extend(product(preds, succs, (code,), (work,), (elapsed,)))
        if k in percent_link:
            percent_extra.extend(range(before[1], len(extra)))
            percent_of.extend([(p, percent_link[k])] * (len(extra) - before[1]))
    n_nodes = n + len(gates)
    # gates feed the start of every direct child (child gates or leaves)
    for summary, g in list(gates.items()):
        for child in children[summary]:
            if not is_summary[child]:
                extra.append((g, child, _SS, 0, 0))
            elif child in gates:
                extra.append((g, gates[child], _SS, 0, 0))
            else:  # a nested summary without links of its own: reach its leaves
                extra.extend((g, b, _SS, 0, 0) for b in leaves_under(child))
    if extra:
        cols = np.array(extra, dtype=np.int64).reshape(-1, 5)
        src.append(cols[:, 0])
        dst.append(cols[:, 1])
        typ.append(cols[:, 2])
        lagw.append(cols[:, 3])
        lage.append(cols[:, 4])

    # node arrays (tasks, then gates)
    def extend(arr: Any, fill: Any) -> Any:
        if not gates:
            return arr
        extra = np.full(len(gates), fill, dtype=arr.dtype)
        return np.concatenate([arr, extra])

    node_cal_name = task_cals + [
        task_cals[gp] if task_cals[gp] != ELAPSED_CALENDAR else plan.calendar for gp in gate_parent
    ]
    node_cal = np.fromiter((cal_index[c] for c in node_cal_name), dtype=np.int64, count=n_nodes)
    edges = _Edges(
        np.concatenate(src),
        np.concatenate(dst),
        np.concatenate(typ),
        np.concatenate(lagw),
        np.concatenate(lage),
    )
    # leveling delay: elapsed time before the task may start (MS Project's "Leveling Delay")
    delay = _ints(map(attrgetter("leveling_delay"), tasks), n)
    if delay.any() and len(edges.dst):
        task_dst = edges.dst < n
        edges.lag_elapsed[task_dst] += delay[edges.dst[task_dst]]

    a_finish_all = extend(a_finish, -1)
    has_ff_in = np.zeros(n_nodes, dtype=bool)
    has_ff_in[edges.dst[edges.type == _FF]] = True
    net = Network(
        n_tasks=n,
        n_nodes=n_nodes,
        leaf=leaf,
        depth=depth,
        parent=parent,
        cal_names=cal_names,
        node_cal=node_cal,
        node_cal_name=node_cal_name,
        dur=extend(_with_spans(dur, resolved.spans), 0),
        rem=extend(rem, 0),
        milestone=extend(milestone, True),
        manual=extend(manual, False),
        alap=extend(alap, False),
        active=extend(active, True),
        ctype=extend(ctype, 0),
        cdate=extend(cdate, 0),
        deadline=extend(deadline, -1),
        actual_start=extend(a_start, -1),
        actual_finish=a_finish_all,
        manual_start=extend(m_start, -1),
        manual_finish=extend(m_finish, -1),
        has_ff_in=has_ff_in,
        in_progress=extend(in_progress, False),
        complete=extend(complete, False),
        delay=extend(delay, 0),
        milestone_flag=ms,
        edges=edges,
        levels=0,
        order=np.empty(0, np.int64),
        pos=np.empty(0, np.int64),
        level_ptr=np.empty(0, np.int64),
        forward=_empty_pass(),
        backward=_empty_pass(),
        summary_ss_links=summary_ss,
        multi_calendar=resolved.multi,
        summary_percent=tuple(sorted(summary_percent)),
        percent_edges=np.array(percent_extra, dtype=np.int64) + len(src[0]),
        percent_of=tuple(percent_of),
        percent_ss=tuple(percent_ss),
    )
    _order_network(plan, net)
    if summary_percent:
        # kept as compiled: derived networks (summaries' spans) start from it
        net.pristine = replace(
            net, has_ff_in=has_ff_in.copy(), dur=net.dur.copy(), rem=net.rem.copy(), passes={}
        )
    return net


def _with_summary_durations(plan: Plan, net: Network, durations: dict[int, int]) -> Network:
    """``net`` as compiled from ``plan`` with the summary tasks in ``durations`` given
    those durations: the same network, but for the percent lags of the links that leave
    them (and those summaries' own durations), so the levels are kept."""
    base = net.pristine
    assert base is not None
    tasks = plan.tasks

    def lag_of(summary: int, value: float) -> int:
        return round(durations.get(summary, tasks[summary].duration) * value / 100)

    e = base.edges
    lag_work = e.lag_work.copy()
    if base.percent_of:
        lag_work[base.percent_edges] = [lag_of(i, v) for i, v in base.percent_of]
    summary_ss = list(base.summary_ss_links)
    for j, i, v in base.percent_ss:
        p, target, code, _, elapsed = summary_ss[j]
        summary_ss[j] = (p, target, code, lag_of(i, v), elapsed)
    dur, rem, milestone = base.dur.copy(), base.rem.copy(), base.milestone.copy()
    for i, d in durations.items():
        dur[i] = d
        rem[i] = _remaining(tasks[i].progress, d)
        milestone[i] = d == 0
    derived = replace(
        base,
        edges=_Edges(e.src, e.dst, e.type, lag_work, e.lag_elapsed),
        dur=dur,
        rem=rem,
        milestone=milestone,
        has_ff_in=base.has_ff_in.copy(),
        summary_ss_links=summary_ss,
        passes={},
        pristine=None,
        dur_total=int(base.dur.sum()),
    )
    _order_network(plan, derived, (base.level_of, base.levels))
    return derived


def _remaining(prog: Progress, duration: int) -> int:
    """Remaining working minutes of a task of ``duration`` with progress ``prog``."""
    if prog is NO_PROGRESS or prog.actual_start is None:
        return duration
    if prog.actual_finish is not None:
        return 0
    if prog.remaining_minutes is not None:
        return int(prog.remaining_minutes)
    return round(duration * (100 - prog.percent_complete) / 100)


def _with_spans(dur: IntArray, spans: dict[int, int]) -> IntArray:
    """Durations -> the working time each task spans (splits and edited work included)."""
    if not spans:
        return dur
    out = dur.copy()
    for i, span in spans.items():
        out[i] = span
    return out


def _empty_pass() -> _Pass:
    z = np.empty(0, np.int64)
    return _Pass(
        z,
        z,
        z,
        z,
        z,
        np.zeros(2, np.int64),
        z,
        np.zeros(2, np.int64),
        z.astype(bool),
        np.ones(1, bool),
        z,
    )


def _order_network(plan: Plan, net: Network, known: tuple[IntArray, int] | None = None) -> None:
    """Sort nodes into levels (unless ``known``) and build both passes' link tables."""
    e = net.edges
    level_of, levels = _levels(plan, net.n_nodes, e.src, e.dst) if known is None else known
    net.level_of = level_of
    order = _stable_argsort(level_of)
    pos = np.empty_like(order)
    pos[order] = np.arange(len(order), dtype=np.int64)
    net.levels = levels
    net.order, net.pos = order, pos
    net.passes = {}
    net.level_ptr = np.searchsorted(level_of[order], np.arange(levels + 1), side="left").astype(
        np.int64
    )
    src, dst = pos[e.src], pos[e.dst]
    cal = net.node_cal
    simple = (cal[e.src] == cal[e.dst]) & (e.lag_elapsed == 0)
    net.forward = _make_pass(dst, src, dst, e, simple, level_of[e.dst], levels)
    # links into finished tasks no longer constrain their predecessors' late dates
    live = net.actual_finish[e.dst] < 0
    net.backward = _make_pass(
        src[live],
        src[live],
        dst[live],
        _subset(e, live),
        simple[live],
        level_of[e.src][live],
        levels,
    )


def _subset(e: _Edges, mask: BoolArray) -> _Edges:
    return _Edges(e.src[mask], e.dst[mask], e.type[mask], e.lag_work[mask], e.lag_elapsed[mask])


def _make_pass(
    key: IntArray,
    src: IntArray,
    dst: IntArray,
    e: _Edges,
    simple: BoolArray,
    level: IntArray,
    levels: int,
) -> _Pass:
    order = _stable_argsort(key)
    key_sorted = key[order]
    lvl = level[order]
    ptr = np.searchsorted(lvl, np.arange(levels + 1), side="left").astype(np.int64)
    if len(key_sorted):
        seg = np.flatnonzero(np.concatenate(([True], key_sorted[1:] != key_sorted[:-1]))).astype(
            np.int64
        )
    else:
        seg = np.empty(0, np.int64)
    seg_ptr = np.searchsorted(seg, ptr).astype(np.int64)
    simple_sorted = simple[order]
    level_simple = np.ones(levels, dtype=bool)
    nonsimple = np.flatnonzero(~simple_sorted).astype(np.int64)
    if nonsimple.size:
        level_simple[lvl[nonsimple]] = False
    return _Pass(
        src=src[order],
        dst=dst[order],
        type=e.type[order],
        lag_work=e.lag_work[order],
        lag_elapsed=e.lag_elapsed[order],
        ptr=ptr,
        seg=seg,
        seg_ptr=seg_ptr,
        simple=simple_sorted,
        level_simple=level_simple,
        nonsimple=nonsimple,
    )


# Kahn's algorithm handles a level of at most this many nodes in plain Python (a dozen
# NumPy calls per level cost about as much as walking 100 to 200 links one at a time).
LEVELS_SCALAR = 128
# Up to this many links, the levels are found in plain Python altogether.
LEVELS_PLAIN = 50_000


def _levels(plan: Plan, n_nodes: int, src: IntArray, dst: IntArray) -> tuple[IntArray, int]:
    """Topological levels by Kahn's algorithm, one vectorised step per level."""
    level_of = np.zeros(n_nodes, dtype=np.int64)
    if len(src) == 0:
        return level_of, 1
    if len(src) <= LEVELS_PLAIN:
        return _levels_plain(plan, n_nodes, src, dst)
    indeg = np.bincount(dst, minlength=n_nodes)
    order = _stable_argsort(src)
    succ = dst[order]
    ptr = np.zeros(n_nodes + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n_nodes), out=ptr[1:])
    frontier = np.flatnonzero(indeg == 0)
    level = 0
    seen = 0
    lists: tuple[list[int], list[int]] | None = None
    while frontier.size:
        level_of[frontier] = level
        seen += frontier.size
        if frontier.size <= LEVELS_SCALAR:
            # a narrow level (a long chain): plain Python is cheaper than NumPy calls
            if lists is None:
                lists = (succ.tolist(), ptr.tolist())
            succ_l, ptr_l = lists
            ready: list[int] = []
            for u in frontier.tolist():
                for v in succ_l[ptr_l[u] : ptr_l[u + 1]]:
                    left = indeg.item(v) - 1
                    indeg[v] = left
                    if left == 0:
                        ready.append(v)
            frontier = np.array(sorted(ready), dtype=np.int64)
            level += 1
            continue
        starts = ptr[frontier]
        counts = ptr[frontier + 1] - starts
        total = int(counts.sum())
        if total == 0:
            break
        offsets = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(total)
        targets = succ[offsets]
        uniq, cnt = _unique(targets, counts=True)
        indeg[uniq] -= cnt
        frontier = uniq[indeg[uniq] == 0]
        level += 1
    if seen < n_nodes:
        _raise_cycle(plan, src, dst, indeg)
    return level_of, int(level_of.max()) + 1


def _levels_plain(plan: Plan, n_nodes: int, src: IntArray, dst: IntArray) -> tuple[IntArray, int]:
    """The same levels in plain Python, cheaper on smaller networks than a dozen NumPy
    calls per level."""
    indeg = np.bincount(dst, minlength=n_nodes)
    succ = dst[_stable_argsort(src)].tolist()
    ptr = np.zeros(n_nodes + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n_nodes), out=ptr[1:])
    first = ptr.tolist()
    deg = indeg.tolist()
    frontier = np.flatnonzero(indeg == 0).tolist()
    level_of = [0] * n_nodes
    level = seen = 0
    while frontier:
        seen += len(frontier)
        ready: list[int] = []
        push = ready.append
        for u in frontier:
            level_of[u] = level
            for v in succ[first[u] : first[u + 1]]:
                left = deg[v] - 1
                deg[v] = left
                if not left:
                    push(v)
        frontier = ready
        level += 1
    if seen < n_nodes:
        _raise_cycle(plan, src, dst, np.array(deg, dtype=np.int64))
    return np.array(level_of, dtype=np.int64), level


def _group(items: IntArray, keys: IntArray) -> dict[int, list[int]]:
    """Items sorted by ``keys`` -> {key: [its items, in order]}, one list slice per key."""
    if len(items) == 0:
        return {}
    firsts = np.flatnonzero(np.diff(keys, prepend=keys[0] - 1))
    items_l = items.tolist()
    starts = firsts.tolist()
    ends = [*starts[1:], len(items_l)]
    return {k: items_l[a:b] for k, a, b in zip(keys[firsts].tolist(), starts, ends, strict=True)}


def _stable_argsort(key: IntArray) -> IntArray:
    """``np.argsort(key, kind="stable")`` for non-negative integer keys: the positions
    come out of one sort of ``key * n + position`` (NumPy sorts int64 with SIMD, 4 to 6
    times faster than its stable merge sort on the link and node arrays here)."""
    n = len(key)
    if n == 0 or int(key.min()) < 0 or int(key.max()) >= (1 << 62) // n:
        return np.argsort(key, kind="stable").astype(np.int64)
    comp = key.astype(np.int64) * n + np.arange(n, dtype=np.int64)
    comp.sort()
    out: IntArray = comp % n
    return out


def _unique(a: IntArray, counts: bool = False) -> Any:
    """``np.unique`` by sorting (NumPy's hash-based unique is several times slower on the
    integer arrays met here); with ``counts``, also how often each value occurs."""
    a = np.sort(a)
    first = np.ones(len(a), dtype=bool)
    np.not_equal(a[1:], a[:-1], out=first[1:])
    if not counts:
        return a[first]
    at = np.flatnonzero(first)
    return a[at], np.diff(np.append(at, len(a)))


def _raise_cycle(plan: Plan, src: IntArray, dst: IntArray, indeg: IntArray) -> None:
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


class _Keys:
    """Conversions between epoch minutes and keys, each node in its own calendar."""

    def __init__(self, cs: CalendarSet) -> None:
        self.cs = cs

    def start_key(self, t: Any, k: Any) -> Any:
        """Key of the first working instant at or after ``t`` (where a start sits)."""
        return 2 * self.cs.work_at(t, k) + 1

    def finish_key(self, t: Any, k: Any) -> Any:
        """Key of the last working instant at or before ``t`` (where a finish sits)."""
        return 2 * self.cs.work_at(t, k)

    def exact_key(self, t: Any, k: Any) -> Any:
        """Key of ``t`` itself: a finish position when t ends working time, else a start."""
        w = self.cs.work_at(t, k)
        pos = (self.cs.finish_at(w) != t).astype(np.int64)
        return 2 * w + pos

    def to_time(self, key: Any) -> Any:
        return self.cs.at(key >> 1, 1 - (key & 1))


def calendars_for(
    plan: Plan, schedule: Schedule | None = None
) -> tuple[CalendarSet, dict[int, str]]:
    """A calendar set covering the plan (and its schedule) and each task's calendar name."""
    net = compile_network(plan)
    first = plan.start.date()
    last = (plan.finish or plan.start).date()
    if schedule is not None and len(schedule):
        first = min(first, from_minutes(int(schedule.start_min.min())).date())
        last = max(last, from_minutes(int(schedule.finish_min.max())).date())
    cs = _calendar_set(plan, net, first - dt.timedelta(days=7), last + dt.timedelta(days=400))
    return cs, {t.uid: net.node_cal_name[i] for i, t in enumerate(plan.tasks)}


# Calendar sets are also shared between plans with the same calendars and horizon: a
# plan rebuilt after an edit (the web app's) finds its calendars' tables ready.
SHARED_CALENDAR_SETS = 8
_shared_sets: OrderedDict[tuple[Any, ...], CalendarSet] = OrderedDict()
_shared_lock = threading.Lock()


def _calendar_set(plan: Plan, net: Network, first: dt.date, last: dt.date) -> CalendarSet:
    cache: dict[tuple[Any, ...], CalendarSet] = plan.__dict__.setdefault("_calendar_sets", {})
    key = (tuple(net.cal_names), first, last)
    cached = cache.get(key)
    if cached is not None:
        return cached
    shared_key = (tuple(plan.calendars), *key)
    with _shared_lock:
        cs = _shared_sets.get(shared_key)
        if cs is not None:
            _shared_sets.move_to_end(shared_key)
    if cs is None:
        specs = dict(plan.calendar_specs)
        specs[ELAPSED_CALENDAR] = twenty_four_hours_calendar(ELAPSED_CALENDAR)
        with_derived_calendars(specs, net.cal_names, first, last)
        cs = CalendarSet(specs, net.cal_names, first, last)
        with _shared_lock:
            _shared_sets[shared_key] = cs
            while len(_shared_sets) > SHARED_CALENDAR_SETS:
                _shared_sets.popitem(last=False)
    counts = np.bincount(net.node_cal, minlength=len(net.cal_names))
    used = {net.cal_names[k] for k in np.flatnonzero(counts).tolist()}
    for name in cs.empty:
        if name in used:
            raise ValidationError(f"calendar '{name}' has no working time", field="calendar")
    if len(cache) > 4:
        cache.clear()
    cache[key] = cs
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
    # a plan whose summary spans feed percent lags: start from the spans found last time
    settled = plan.__dict__.get(_SETTLED)
    if settled is not None and settled[0] == (status_date, critical_slack):
        derived: Network = settled[1]
        durations: dict[int, int] = settled[2]
        result = _schedule_with_spans(plan, derived, status_date, critical_slack)
        if not _stale_summary_spans(plan, durations, result):
            return result
    net = compile_network(plan)
    result = _schedule_with_spans(plan, net, status_date, critical_slack)
    return _summary_percent_lags(plan, net, result, status_date, critical_slack)


def _schedule_with_spans(
    plan: Plan, net: Network, status_date: dt.datetime | None, critical_slack: int | None
) -> Schedule:
    """One schedule of ``plan`` on ``net`` (compiled from it, or derived with summaries'
    spans)."""
    status = status_date or plan.status_date
    threshold = plan.critical_slack_limit if critical_slack is None else critical_slack
    dates = [plan.start] + ([plan.finish] if plan.finish else [])
    if status is not None:
        dates.append(status)
    for arr in (
        net.cdate[net.ctype >= 2],
        net.actual_start,
        net.manual_start,
        net.manual_finish,
        net.deadline,
    ):
        valid = arr[arr > 0]
        if valid.size:
            dates.append(from_minutes(int(valid.min())))
            dates.append(from_minutes(int(valid.max())))
    first = min(dates).date() - dt.timedelta(days=370)
    # a horizon wide enough for most plans; doubled until no date falls outside it
    total = int(net.dur.sum()) if net.dur_total is None else net.dur_total
    span_days = max(10 * 366, total // max(plan.minutes_per_day, 1) // 20)
    last = max(dates).date() + dt.timedelta(days=min(span_days, 40 * 366))
    for _ in range(12):
        cs = _calendar_set(plan, net, first, last)
        result = _schedule_on(plan, net, cs, status, threshold)
        if result is not None and net.multi_calendar:
            result = _refit_spans(plan, net, cs, status, threshold, result)
        if result is not None:
            return result
        span = (last - first).days
        first -= dt.timedelta(days=min(span // 2, 3650))
        last += dt.timedelta(days=span)
        if last.year > 9000:
            break
    raise ValidationError("the schedule runs beyond the year 9000", field="start")


# plan attribute: (arguments, network with the summaries' spans, those spans)
_SETTLED = "_summary_percent_settled"


def _durations(plan: Plan, net: Network) -> IntArray:
    """The tasks' durations as the plan gives them (a copy: summaries' are rolled up)."""
    cached: IntArray | None = net.passes.get("durations")
    if cached is None:
        cached = net.passes["durations"] = _ints(
            map(attrgetter("duration"), plan.tasks), net.n_tasks
        )
    return cached.copy()


def _stale_summary_spans(plan: Plan, durations: dict[int, int], result: Schedule) -> dict[int, int]:
    """Summary tasks with a percent-lag link whose span differs from their duration
    (``durations`` where given, else the plan's)."""
    spans = {i: int(result.duration[i]) for i in compile_network(plan).summary_percent}
    return {i: s for i, s in spans.items() if durations.get(i, plan.tasks[i].duration) != s}


def _summary_percent_lags(
    plan: Plan,
    net: Network,
    result: Schedule,
    status_date: dt.datetime | None,
    critical_slack: int | None,
) -> Schedule:
    """A percent lag is a share of its predecessor's duration; a summary task's duration
    is the span of its subtasks (MS Project), known once they are scheduled. When a link
    with a percent lag leaves a summary whose span differs from the duration the plan
    gives it, the plan is scheduled again with the spans (once per summary in a chain;
    a span that keeps moving, through the late dates of ALAP subtasks, is left so), on a
    network derived from the compiled one: only those links' lags and the summaries'
    durations change, so nothing is compiled again. The derived network is kept on
    ``plan``, so that scheduling it again costs one pass."""
    durations: dict[int, int] = {}
    current = net
    for _ in range(len(net.summary_percent) + 1):
        stale = _stale_summary_spans(plan, durations, result)
        if not stale:
            break
        durations = {**durations, **stale}
        current = _with_summary_durations(plan, net, durations)
        result = _schedule_with_spans(plan, current, status_date, critical_slack)
    if current is not net:
        plan.__dict__[_SETTLED] = ((status_date, critical_slack), current, durations)
    return result


def _refit_spans(
    plan: Plan,
    net: Network,
    cs: CalendarSet,
    status: dt.datetime | None,
    threshold: int,
    result: Schedule,
) -> Schedule | None:
    """Tasks on several resource calendars last as long as their assignments do from
    where they start: their spans are refitted and the plan rescheduled until none moves."""
    multi = net.multi_calendar
    for _ in range(2 * len(multi) + 2):
        spans = refit(
            plan, multi, result.start_min[[m.index for m in multi]].tolist(), cs.first, cs.last
        )
        moved = {i: s for i, s in spans.items() if s != int(net.dur[i])}
        if not moved:
            break
        for i, span in moved.items():
            if net.actual_finish[i] < 0:
                net.rem[i] = max(int(net.rem[i]) + span - int(net.dur[i]), 0)
            net.dur[i] = span
        net.passes.clear()  # their tables hold the spans
        again = _schedule_on(plan, net, cs, status, threshold)
        if again is None:
            return None
        result = again
    return result


@dataclass
class _Inputs:
    """Per-node inputs in level order, for one calendar set."""

    cal: IntArray
    dur2: IntArray
    rem2: IntArray
    span2: IntArray  # work still ahead of the start key, doubled
    force: IntArray  # 1: a start sits at the start of working time (not milestones)
    clear: IntArray  # ~1 for tasks with work, -1 (no-op mask) for milestones
    lb: IntArray  # early start: lower bound
    ub: IntArray  # early start: upper bound (fixed tasks: lb == ub)
    fixed: BoolArray
    fixed_ef: IntArray  # NEG where the early finish follows from the start
    started: BoolArray
    as_key: IntArray
    ctype: IntArray
    cstart: IntArray
    cfin: IntArray
    ps_key: IntArray


@dataclass
class _Static:
    """Per-node arrays in level order that depend on the network only (cached on it)."""

    cal: IntArray
    dur2: IntArray
    rem2: IntArray
    span2: IntArray
    ctype: IntArray
    cdate: IntArray
    started: BoolArray
    started_idx: IntArray
    done_idx: IntArray  # started nodes with an actual finish
    finished_idx: IntArray  # nodes with an actual finish
    a_start: IntArray
    a_finish: IntArray
    manual_idx: IntArray
    is_ms: BoolArray
    force: IntArray
    clear: IntArray
    dated: IntArray  # nodes with a dated constraint
    by_type: dict[int, IntArray]  # dated nodes per constraint type
    fixed: BoolArray  # MSO / MFO
    delay_idx: IntArray
    ff_in: IntArray  # nodes with an incoming FF link
    not_held: BoolArray  # started, manual or in progress: the status date does not hold them
    active: BoolArray
    alap: BoolArray
    snet_fnet: BoolArray
    has_succ: BoolArray  # nodes some link leaves from
    deadline_idx: IntArray
    deadline: IntArray
    constrained: IntArray  # tasks with a dated constraint, not manual, not started
    task_deadline_idx: IntArray  # tasks with a deadline
    active_task: BoolArray  # active tasks (gates excluded)
    cal_order: IntArray  # level-order positions sorted by calendar
    cal_ptr: IntArray  # the nodes of calendar k: cal_order[cal_ptr[k]:cal_ptr[k + 1]]


def _static(net: Network) -> _Static:
    cached: _Static | None = net.passes.get("static")
    if cached is not None:
        return cached
    o = net.order
    cal = net.node_cal[o]
    dur2 = 2 * net.dur[o]
    rem2 = 2 * net.rem[o]
    ctype = net.ctype[o]
    a_start = net.actual_start[o]
    a_finish = net.actual_finish[o]
    started = a_start >= 0
    manual = net.manual[o]
    is_ms = net.milestone[o]
    dated = np.flatnonzero(ctype >= 2)
    has_succ = np.zeros(net.n_nodes, dtype=bool)
    has_succ[net.forward.src] = True
    deadline = net.deadline[o]
    cal_order = np.argsort(cal, kind="stable").astype(np.int64)
    s = _Static(
        cal=cal,
        dur2=dur2,
        rem2=rem2,
        span2=np.where(started, rem2, dur2),
        ctype=ctype,
        cdate=net.cdate[o],
        started=started,
        started_idx=np.flatnonzero(started),
        done_idx=np.flatnonzero(started & (a_finish >= 0)),
        finished_idx=np.flatnonzero(a_finish >= 0),
        a_start=a_start,
        a_finish=a_finish,
        manual_idx=np.flatnonzero(manual),
        is_ms=is_ms,
        force=np.where(is_ms, 0, 1).astype(np.int64),
        clear=np.where(dur2 > 0, -2, -1).astype(np.int64),
        dated=dated,
        by_type={int(t): dated[ctype[dated] == t] for t in _unique(ctype[dated]).tolist()},
        fixed=(ctype == ConstraintType.MSO) | (ctype == ConstraintType.MFO),
        delay_idx=np.flatnonzero(net.delay[o] > 0),
        ff_in=np.flatnonzero(net.has_ff_in[o]),
        not_held=started | manual | net.in_progress[o],
        active=net.active[o],
        alap=net.alap[o],
        snet_fnet=(ctype == ConstraintType.SNET) | (ctype == ConstraintType.FNET),
        has_succ=has_succ,
        deadline_idx=np.flatnonzero(deadline >= 0),
        deadline=deadline,
        constrained=np.flatnonzero((ctype >= 2) & ~manual & ~started & (o < net.n_tasks)),
        task_deadline_idx=np.flatnonzero((deadline >= 0) & (o < net.n_tasks)),
        active_task=net.active[o] & (o < net.n_tasks),
        cal_order=cal_order,
        cal_ptr=np.searchsorted(cal[cal_order], np.arange(len(net.cal_names) + 1)).astype(np.int64),
    )
    net.passes["static"] = s
    return s


def _per_calendar(keys: _Keys, s: _Static, t: int, finish: bool = False) -> IntArray:
    """Every node's key of instant ``t`` in its own calendar (one look-up per calendar)."""
    k = np.arange(len(s.cal_ptr) - 1, dtype=np.int64)
    tt = np.full(len(k), t, dtype=np.int64)
    per_cal: IntArray = keys.finish_key(tt, k) if finish else keys.start_key(tt, k)
    return per_cal[s.cal]


def _extremes(
    keys: _Keys,
    s: _Static,
    key: IntArray,
    reduce: Any,
    mask: BoolArray | None = None,
) -> tuple[int, int]:
    """The earliest and latest instants of ``key`` (nodes in ``mask`` only, reduced with
    ``np.minimum`` or ``np.maximum`` per calendar first), one look-up per calendar."""
    v = key[s.cal_order]
    ptr = s.cal_ptr
    if mask is not None:
        fill = POS if reduce is np.minimum else NEG
        v = np.where(mask[s.cal_order], v, fill)
    starts = ptr[:-1][ptr[:-1] < ptr[1:]]
    if mask is None:
        t = keys.to_time(
            np.concatenate((np.minimum.reduceat(v, starts), np.maximum.reduceat(v, starts)))
        )
    else:
        r = reduce.reduceat(v, starts)
        t = keys.to_time(r[(r != POS) & (r != NEG)])
    return int(t.min()), int(t.max())


def _inputs(net: Network, keys: _Keys, status: dt.datetime | None, ps: int) -> _Inputs:
    s = _static(net)
    N = net.n_nodes
    cal, dur2, rem2, ctype = s.cal, s.dur2, s.rem2, s.ctype
    dated = s.dated
    cstart = np.zeros(N, dtype=np.int64)
    cfin = np.zeros(N, dtype=np.int64)
    if dated.size:
        cstart[dated] = keys.start_key(s.cdate[dated], cal[dated])
        cfin[dated] = keys.finish_key(s.cdate[dated], cal[dated])

    def es_from_finish(idx: IntArray) -> IntArray:
        fkey, d2 = cfin[idx], dur2[idx]
        return np.where(d2 > 0, (fkey - d2) | 1, fkey)

    ps_key = _per_calendar(keys, s, ps)
    if s.delay_idx.size:
        # a leveling delay also holds back a task without predecessors
        d = s.delay_idx
        ps_key[d] = keys.start_key(ps + net.delay[net.order[d]], cal[d])
    empty = np.empty(0, np.int64)
    lb = np.full(N, NEG, dtype=np.int64)
    ub = np.full(N, POS, dtype=np.int64)
    fixed_es = np.zeros(N, dtype=np.int64)
    fixed_ef = np.full(N, NEG, dtype=np.int64)
    by_type = s.by_type
    i = by_type.get(ConstraintType.SNET, empty)
    lb[i] = cstart[i]
    i = by_type.get(ConstraintType.FNET, empty)
    lb[i] = es_from_finish(i)
    i = by_type.get(ConstraintType.SNLT, empty)
    ub[i] = cstart[i]
    i = by_type.get(ConstraintType.FNLT, empty)
    ub[i] = es_from_finish(i)
    # MS Project never lets an FF link pull a task before the project start
    i = s.ff_in
    lb[i] = np.maximum(lb[i], ps_key[i])
    i = by_type.get(ConstraintType.MSO, empty)
    fixed_es[i] = cstart[i]
    i = by_type.get(ConstraintType.MFO, empty)
    fixed_es[i] = es_from_finish(i)
    fixed_ef[i] = cfin[i]
    fixed = s.fixed
    started = s.started
    as_key = np.zeros(N, dtype=np.int64)
    st = s.started_idx
    if st.size:
        fixed = fixed | started
        as_key[st] = keys.exact_key(s.a_start[st], cal[st]) | s.force[st]
        a_st = as_key[st]
        d2, r2 = dur2[st], rem2[st]
        ef_from_start = np.where(d2 > 0, (a_st & ~1) + d2, a_st)
        if status is not None:
            # the remaining work of a task in progress restarts at the status date
            sk = keys.start_key(np.full(st.size, to_minutes(status)), cal[st])
            ef_rem = np.where(r2 > 0, np.maximum(a_st & ~1, sk & ~1) + r2, ef_from_start)
            ef_from_start = np.maximum(ef_from_start, ef_rem)
        fixed_es[st] = a_st
        fixed_ef[st] = ef_from_start
        dn = s.done_idx
        if dn.size:
            fixed_ef[dn] = keys.finish_key(s.a_finish[dn], cal[dn])
    mi = s.manual_idx
    if mi.size:
        mi = mi[~started[mi]]
        nodes = net.order[mi]
        fixed_es[mi] = keys.exact_key(net.manual_start[nodes], cal[mi]) | s.force[mi]
        fixed_ef[mi] = keys.exact_key(net.manual_finish[nodes], cal[mi])
        fixed = fixed.copy() if fixed is s.fixed else fixed
        fixed[s.manual_idx] = True
    if status is not None:
        # work not started yet cannot start before the status date
        sk_all = _per_calendar(keys, s, to_minutes(status))
        held = ~s.not_held
        lb = np.where(held, np.maximum(lb, sk_all), lb)
    lb = np.where(fixed, fixed_es, lb)
    ub = np.where(fixed, fixed_es, ub)
    return _Inputs(
        cal=cal,
        dur2=dur2,
        rem2=rem2,
        span2=s.span2,
        force=s.force,
        clear=s.clear,
        lb=lb,
        ub=ub,
        fixed=fixed,
        fixed_ef=fixed_ef,
        started=started,
        as_key=as_key,
        ctype=ctype,
        cstart=cstart,
        cfin=cfin,
        ps_key=ps_key,
    )


def _schedule_on(
    plan: Plan, net: Network, cs: CalendarSet, status: dt.datetime | None, threshold: int
) -> Schedule | None:
    keys = _Keys(cs)
    ps = to_minutes(plan.start)
    inp = _inputs(net, keys, status, ps)
    N = net.n_nodes
    n = net.n_tasks
    pos = net.pos
    stat = _static(net)
    active = stat.active

    # MS Project: without predecessors a task starts at the project start, or at its
    # SNET/FNET date even when that is earlier
    snet_fnet = stat.snet_fnet
    base0 = np.where(snet_fnet & ~inp.fixed, inp.lb, np.maximum(inp.ps_key, inp.lb))
    passes = net.passes
    # networks derived from one compile (summaries' spans) with the same links share
    # their passes' tables, lag terms excepted
    donor = None if net.multi_calendar else net.family.setdefault(net.links_key, passes)
    if donor is passes:
        donor = None
    if "forward" not in passes:
        if donor is not None and "forward" in donor:
            passes["forward"] = donor["forward"].derive(net, inp)
        else:
            passes["forward"] = _Forward(net, inp)
    fw = passes["forward"].bind(cs, inp)
    if net.summary_ss_links:
        # only the starts of the subtasks these links may leave from are needed
        leaves = _leaves_of(net, [link[0] for link in net.summary_ss_links])
        needed = [k for kids in leaves.values() for k in kids]
        until = int(net.level_of[needed].max()) + 1 if needed else 1
        K = fw.run(base0, inp.lb, inp.ub, inp.fixed_ef, until=until)
        _resolve_summary_starts(plan, net, K[:N], keys, leaves)
        return _schedule_on(plan, net, cs, status, threshold)
    K = fw.run(base0, inp.lb, inp.ub, inp.fixed_ef)
    # keys map to instants monotonically within a calendar: the extremes of each
    # calendar's keys give the extreme instants
    if N:
        first_ef, last_ef = _extremes(keys, stat, K[N:], np.maximum)
        if first_ef < cs.horizon_start or last_ef >= cs.horizon_end:
            return None
    # project finish: the latest early finish of active tasks, in each task's calendar
    if plan.schedule_from_finish and plan.finish is not None:
        pf_time = to_minutes(plan.finish)
    else:
        pf_time = _extremes(keys, stat, K[N:], np.maximum, active)[1] if active.any() else ps
    pf_key = _per_calendar(keys, stat, pf_time, finish=True)
    if "backward" not in passes:  # not built before summary starts are resolved
        if donor is not None and "backward" in donor:
            passes["backward"] = donor["backward"].derive(net, inp)
        else:
            passes["backward"] = _Backward(net, inp)
    bw = passes["backward"].bind(cs, keys, inp, pf_key)
    ls, lf = bw.run()
    lb, ub = inp.lb, inp.ub
    if plan.schedule_from_finish:
        # backward scheduling: the project starts at the earliest late start
        new_ps = _extremes(keys, stat, ls, np.minimum, active)[0] if active.any() else ps
        ps_key = _per_calendar(keys, stat, new_ps)
        base0 = np.where(snet_fnet & ~inp.fixed, lb, np.maximum(ps_key, lb))
        K = fw.run(base0, lb, ub, inp.fixed_ef)
    alap = stat.alap & ~inp.fixed
    if alap.any():
        # ALAP tasks sit at their late dates; their successors follow from there
        lb2, ub2 = np.where(alap, ls, lb), np.where(alap, ls, ub)
        fef2 = np.where(alap, lf, inp.fixed_ef)
        # only the levels above the first ALAP task that drives a successor can change
        driving = stat.has_succ & alap
        if driving.any():
            level_of = np.searchsorted(net.level_ptr, np.flatnonzero(driving), side="right") - 1
            K = fw.run(np.where(alap, ls, K[:N]), lb2, ub2, fef2, int(level_of.min()) + 1)
        else:
            K = K.copy()
            K[:N] = np.where(alap, ls, K[:N])
            K[N:] = np.where(alap, lf, K[N:])
    es, ef = K[:N], K[N:]
    fb = fw.finish_bound(K)
    ef = np.where(((fb >> 1) == (ef >> 1)) & (fb > ef) & ~inp.fixed, fb, ef)
    cand = fw.candidates(K)
    pred_bound = fw.pred_bound(cand)

    # same working minute, earlier position (Fri 17:00 vs Mon 08:00): show the late
    # dates where the early ones are
    ls = np.where((ls >> 1) == (es >> 1), np.maximum(ls, es), ls)
    lf = np.where((lf >> 1) == (ef >> 1), np.maximum(lf, ef), lf)
    start_slack = (ls >> 1) - (es >> 1)
    finish_slack = (lf >> 1) - (ef >> 1)
    total = np.where(inp.started, finish_slack, np.minimum(start_slack, finish_slack))
    free = _free_float(net, es, cand, total)
    # back to the plan's order
    t_idx = pos[:n]
    alap_t = alap[t_idx]
    es_t, ef_t, ls_t, lf_t = es[t_idx], ef[t_idx], ls[t_idx], lf[t_idx]
    e_s, e_f = keys.to_time(es_t), keys.to_time(ef_t)
    l_s, l_f = keys.to_time(ls_t), keys.to_time(lf_t)
    if cs.overflowed(l_s):
        return None
    start = np.where(alap_t, l_s, e_s)
    finish = np.where(alap_t, l_f, e_f)
    # dates the user typed are shown as typed
    m = net.manual[:n]
    if m.any():
        start = np.where(m, net.manual_start[:n], start)
        finish = np.where(m, net.manual_finish[:n], finish)
    st = net.actual_start[:n] >= 0
    done = net.actual_finish[:n] >= 0
    if st.any():
        start = np.where(st, net.actual_start[:n], start)
        finish = np.where(done, net.actual_finish[:n], finish)
    total_t = total[t_idx]
    free_t = free[t_idx]
    critical = (total_t <= threshold) & net.active[:n] & ~done & ~net.complete[:n]
    summary = ~net.leaf
    duration = _durations(plan, net)
    if summary.any():
        _roll_up(
            plan,
            net,
            cs,
            summary,
            (start, finish, e_s, e_f, l_s, l_f),
            total_t,
            free_t,
            critical,
            duration,
            alap_t,
        )
    warnings = _warnings(plan, net, keys, es, ef, pred_bound, total)
    return Schedule(
        plan=plan,
        start_min=start,
        finish_min=finish,
        early_start_min=e_s,
        early_finish_min=e_f,
        late_start_min=l_s,
        late_finish_min=l_f,
        total_float=total_t,
        free_float=free_t,
        critical=critical,
        duration=duration,
        summary=summary,
        milestone=net.milestone_flag,
        warnings=tuple(warnings),
        status_date=status,
    )


def _resolve_summary_starts(
    plan: Plan,
    net: Network,
    es_level_order: IntArray,
    keys: _Keys,
    leaves: dict[int, list[int]] | None = None,
) -> None:
    """Links from the start of a summary leave from its earliest subtask (MS Project)."""
    es = es_level_order[net.pos]
    src, dst, typ, lagw, lage = [], [], [], [], []
    for summary, target, code, work, elapsed in net.summary_ss_links:
        kids = leaves[summary] if leaves is not None else _leaves(net, summary)
        if not kids:
            continue
        # the earliest in time: the keys of subtasks on different calendars do not compare
        src.append(kids[int(np.argmin(keys.to_time(es[kids])))])
        dst.append(target)
        typ.append(code)
        lagw.append(work)
        lage.append(elapsed)
    e = net.edges
    net.edges = _Edges(
        np.concatenate([e.src, np.array(src, dtype=np.int64)]),
        np.concatenate([e.dst, np.array(dst, dtype=np.int64)]),
        np.concatenate([e.type, np.array(typ, dtype=np.int64)]),
        np.concatenate([e.lag_work, np.array(lagw, dtype=np.int64)]),
        np.concatenate([e.lag_elapsed, np.array(lage, dtype=np.int64)]),
    )
    net.has_ff_in[net.edges.dst[net.edges.type == _FF]] = True
    net.summary_ss_links = []
    # the networks derived from one compile (summaries' spans) often resolve to the same
    # links: their levels are found once
    added = (*src, *dst)
    known = net.resolved_levels.get(added)
    _order_network(plan, net, known)
    net.links_key = added
    if known is None:
        net.resolved_levels[added] = (net.level_of, net.levels)


def _leaves_of(net: Network, summaries: list[int]) -> dict[int, list[int]]:
    """``_leaves`` of each summary, the subtasks grouped by parent in one sort."""
    parent = net.parent
    kids = np.flatnonzero(parent >= 0)
    kids = kids[_stable_argsort(parent[kids])]
    children = _group(kids, parent[kids])
    leaf, active = net.leaf.tolist(), net.active.tolist()

    def walk(summary: int, out: list[int]) -> list[int]:
        for k in children.get(summary, ()):
            if not leaf[k]:
                walk(k, out)
            elif active[k]:
                out.append(k)
        return out

    return {s: walk(s, []) for s in dict.fromkeys(summaries)}


def _leaves(net: Network, summary: int) -> list[int]:
    out: list[int] = []
    for k in np.flatnonzero(net.parent == summary).tolist():
        if net.leaf[k]:
            if net.active[k]:
                out.append(k)
        else:
            out.extend(_leaves(net, k))
    return out


class _Convert:
    """Moves instants between calendars: packed working minutes of one calendar to the
    working minutes of another, with all the look-up tables pre-shifted."""

    def __init__(self, cs: CalendarSet) -> None:
        self.cum_end = cs.cum_end
        self.diff = cs.diff
        self.starts = cs.starts
        # the interval holding key k is the first whose doubled end is >= k, for both
        # positions (a start key is odd and never equals an even doubled end)
        self.cum_end2 = 2 * cs.cum_end
        # work done by instant g: min(g - (start - cum), cum_end) in the interval before
        # the first start after g; shifted by one so that searchsorted indexes it directly
        self.start_minus_cum1 = np.concatenate(([0], cs.starts - cs.cum))
        self.cum_end1 = np.concatenate(([0], cs.cum_end))

    def time_of(self, key: IntArray) -> IntArray:
        return self.diff[self.cum_end2.searchsorted(key)] + (key >> _ONE)

    def work_at(self, g: IntArray) -> IntArray:
        """Packed working minutes done by packed instant ``g``."""
        i = self.starts.searchsorted(g, side="right")
        return np.minimum(g - self.start_minus_cum1[i], self.cum_end1[i])

    def is_finish(self, w: IntArray, t: IntArray) -> BoolArray:
        """Does ``t`` end a working period (is it where ``w`` minutes are first done)?"""
        return (self.diff[self.cum_end.searchsorted(w)] + w) == t  # type: ignore[no-any-return]

    # the same on plain ints, for the narrow levels walked one task at a time
    def lists(self) -> None:
        if not hasattr(self, "_cum_end2_l"):
            self._cum_end2_l = self.cum_end2.tolist()
            self._diff_l = self.diff.tolist()
            self._starts_l = self.starts.tolist()
            self._smc1_l = self.start_minus_cum1.tolist()
            self._ce1_l = self.cum_end1.tolist()
            self._cum_end_l = self.cum_end.tolist()

    def time_of_1(self, key: int) -> int:
        return int(self._diff_l[bisect_left(self._cum_end2_l, key)] + (key >> 1))

    def work_at_1(self, g: int) -> int:
        i = bisect_right(self._starts_l, g)
        return int(min(g - self._smc1_l[i], self._ce1_l[i]))

    def is_finish_1(self, w: int, t: int) -> bool:
        return bool(self._diff_l[bisect_left(self._cum_end_l, w)] + w == t)


# A level with at most this many links is walked one task at a time in plain Python:
# below it, NumPy's per-call cost outweighs the work (long chains of tasks).
SCALAR_LEVEL = 4


def _scalar_levels(
    ptr: list[int], seg: IntArray, sp: list[int], owners: IntArray
) -> tuple[list[Any], IntArray]:
    """Per level, None (vectorised) or [(node, (j, ...)), ...] for a narrow level, where j
    indexes the returned array of the links of all narrow levels (their per-run values are
    turned into plain lists once, for those links only)."""
    out: list[Any] = []
    seg_l = seg.tolist()
    owners_l = owners.tolist()
    picked: list[int] = []
    for lv in range(len(ptr) - 1):
        a, b = ptr[lv], ptr[lv + 1]
        if b - a == 0 or b - a > SCALAR_LEVEL:
            out.append(None)
            continue
        runs = [*seg_l[sp[lv] : sp[lv + 1]], b]
        level = []
        for k in range(len(runs) - 1):
            first = len(picked)
            picked.extend(range(runs[k], runs[k + 1]))
            level.append((owners_l[runs[k]], tuple(range(first, len(picked)))))
        out.append(level)
    return out, np.array(picked, dtype=np.int64)


@dataclass
class _Layout:
    """A pass's links with one extra *bound* entry per node, placed before the node's own
    links, so that a level's reduction also applies the node's bound (its lower bound
    forward, its upper bound backward) and covers every node of the level in order: the
    result is written straight into the level's slice of the key array."""

    real: IntArray  # position of each link in the extended layout
    bound: IntArray  # position of each node's bound entry
    ptr: list[int]  # entries of level L: ptr[L]:ptr[L+1]
    seg: list[IntArray]  # per level, where each node's run starts (relative to ptr[L])
    size: int


def _level_views(ptr: list[int], levels: int, *arrays: IntArray) -> list[tuple[IntArray, ...]]:
    """Per level, views of each array on that level's entries (``ptr[L]:ptr[L+1]``), made
    once per network so that a pass reads them without slicing."""
    return [tuple(a[ptr[lv] : ptr[lv + 1]] for a in arrays) for lv in range(levels)]


def _narrow_positions(
    lay: _Layout, ptr: list[int], links: IntArray, per_level: list[Any], links_ptr: list[int]
) -> list[IntArray | None]:
    """Per level, where ``links`` (those of the level with a side path, ``per_level[L]``
    not None) stand in the level's slice of the extended layout."""
    return [
        None
        if per_level[lv] is None
        else lay.real[links[links_ptr[lv] : links_ptr[lv + 1]]] - ptr[lv]
        for lv in range(len(per_level))
    ]


def _layout(owner: IntArray, level_ptr: IntArray) -> _Layout:
    """``owner``: per link (sorted), the level-order node whose run it belongs to."""
    n_nodes = int(level_ptr[-1])
    nodes = np.arange(n_nodes, dtype=np.int64)
    real = np.arange(len(owner), dtype=np.int64) + owner + 1
    bound = np.searchsorted(owner, nodes, side="left").astype(np.int64) + nodes
    ptr_a = np.append(bound, len(owner) + n_nodes)[level_ptr]
    ptr = ptr_a.tolist()
    seg = [bound[level_ptr[lv] : level_ptr[lv + 1]] - ptr[lv] for lv in range(len(ptr) - 1)]
    return _Layout(real, bound, ptr, seg, len(owner) + n_nodes)


def _converter(cs: CalendarSet) -> _Convert:
    """One converter per calendar set (its plain-list tables are built once)."""
    conv: _Convert | None = cs.__dict__.get("_converter")
    if conv is None:
        conv = cs.__dict__["_converter"] = _Convert(cs)
    return conv


# Calendars per plan above which instants are moved between calendars through time (the
# packed keys of 32 calendars fill 2**46, the spacing of the pair tables below).
PAIR_TABLE_CALENDARS = 32
PAIR_BITS = 46


def pair_offset(c1: Any, c2: Any, n_cal: int) -> Any:
    """Where the table that moves keys of calendar ``c1`` to calendar ``c2`` starts."""
    return (c1 * n_cal + c2 + 1) << PAIR_BITS


def _pair_tables(
    cs: CalendarSet, pairs: tuple[tuple[int, int], ...]
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Tables that move a key of one calendar to another in one look-up.

    For a key ``g`` of calendar c1 (plus the pair's offset), with
    ``i = S.searchsorted(g, "right")``, ``h = min(g - X[i], Y[i])`` has ``h >> 1`` = the
    working minutes of c2 done at the instant of ``g`` (packed), and ``(h | 1) - P[i]``
    is that instant's key in c2 where a milestone would sit (a finish position when the
    instant ends c2's working time or falls inside it). The function is piecewise linear
    in ``g``: segments start where c1's working periods start (the instant jumps), where
    c2's periods start inside c1's (c2's minutes start counting), and one minute after
    c2's periods start or end (the position changes); inside a segment ``h`` grows with
    ``g`` and stops at ``Y`` when c2's period ends. Each segment's terms are computed with
    the two-step conversion itself, at its first and last key.
    """
    cached: dict[tuple[tuple[int, int], ...], Any] = cs.__dict__.setdefault("_pair_tables", {})
    hit = cached.get(pairs)
    if hit is not None:
        return hit  # type: ignore[no-any-return]
    conv = _converter(cs)
    n_cal = len(cs.names)
    block = np.searchsorted(cs.starts, np.arange(n_cal + 1, dtype=np.int64) * SHIFT).tolist()
    S_all, X_all, Y_all, P_all = [], [], [], []
    for c1, c2 in sorted(pairs):
        a1, b1 = block[c1], block[c1 + 1]
        s1 = cs.starts[a1:b1] - c1 * SHIFT
        e1 = s1 + cs.lens[a1:b1]
        cum1 = cs.cum[a1:b1]
        a2, b2 = block[c2], block[c2 + 1]
        s2 = cs.starts[a2:b2] - c2 * SHIFT
        e2 = s2 + cs.lens[a2:b2]
        T = np.concatenate((s2, s2 + 1, e2 + 1))
        k = np.searchsorted(s1, T, side="left") - 1
        ok = (k >= 0) & (e1[np.maximum(k, 0)] >= T)
        k, T = k[ok], T[ok]
        starts = _unique(np.concatenate(([2 * cum1[0]], 2 * cum1 + 1, 2 * (cum1[k] + T - s1[k]))))
        last = 2 * (cum1[-1] + cs.lens[b1 - 1])
        ends = np.append(starts[1:] - 1, last)
        t_s = conv.time_of(starts)
        w_s = conv.work_at(t_s + c2 * SHIFT)
        w_e = conv.work_at(conv.time_of(ends) + c2 * SHIFT)
        off = pair_offset(c1, c2, n_cal)
        S_all.append(starts + off)
        X_all.append(starts - 2 * w_s - (starts & 1) + off)
        Y_all.append(2 * w_e + 1)
        P_all.append(conv.is_finish(w_s, t_s).astype(np.int64))
    zero = [np.zeros(1, np.int64)]
    out = (
        np.concatenate(S_all) if S_all else np.empty(0, np.int64),
        np.concatenate(zero + X_all),
        np.concatenate(zero + Y_all),
        np.concatenate(zero + P_all),
    )
    cached[pairs] = out
    return out


def _by_level(arr: Any, ptr: list[int]) -> list[Any]:
    return [arr[ptr[lv] : ptr[lv + 1]] for lv in range(len(ptr) - 1)]


# a level's links converted through time: predecessors, this run's key terms (views),
# elapsed lag plus the successor calendar's offset, that offset, any to a milestone
_NsLevel = tuple[IntArray, IntArray, IntArray, IntArray, IntArray, bool]


class _Forward:
    """The forward pass: early starts, one level at a time.

    Only starts are stored while walking the levels: a link that leaves from its
    predecessor's finish reads the start and adds the duration in the same three integer
    operations that apply the lag, ``((ES[pred] & mask) + add) | position``.
    """

    def __init__(self, net: Network, inp: _Inputs) -> None:
        # what depends on the network only: built once, cached on it
        self.net, self.inp = net, inp
        f = net.forward
        self.uses_finish = (f.type == _FS) | (f.type == _FF)
        self.dst_off = inp.cal[f.dst] * SHIFT
        self.to_milestone = inp.force[f.dst] == 0
        # the predecessor's own key: its start, or its finish = start + remaining work
        finish_from_start = self.uses_finish & (inp.span2[f.src] > 0)
        self.key_and = np.where(finish_from_start, -2, -1).astype(np.int64)
        self.key_add = np.where(self.uses_finish, inp.span2[f.src], 0).astype(np.int64)
        ptr = f.ptr.tolist()
        self.ptr = ptr
        self.lp = net.level_ptr.tolist()
        sp = f.seg_ptr.tolist()
        self.seg_rel = [f.seg[sp[lv] : sp[lv + 1]] - ptr[lv] for lv in range(net.levels)]
        self.src_l = _by_level(f.src, ptr)
        self.scalar, sc = _scalar_levels(ptr, f.seg, sp, f.dst)
        self.scalar_links = sc
        self.src_list = f.src[sc].tolist()
        self.simple_list = f.simple[sc].tolist()
        self.lag_e_list = f.lag_elapsed[sc].tolist()
        self.dst_off_list = self.dst_off[sc].tolist()
        self.to_ms_list = self.to_milestone[sc].tolist()
        # per level: the links that change calendar or wait elapsed time, with what
        # their conversion needs (positions in the level, predecessors, offsets)
        # links that change calendar without an elapsed lag go through a pair table (one
        # look-up); the others through time, in two
        ns, self.tab = _split_nonsimple(f.nonsimple, f.lag_elapsed, len(net.cal_names))
        self.ela = ns
        self.ns_ptr = np.searchsorted(ns, f.ptr).tolist()
        # per run, the predecessor-key terms of these links (filled by run(), read by
        # level through views)
        self.ns_and = np.empty(len(ns), np.int64)
        self.ns_add = np.empty(len(ns), np.int64)
        lag_off = f.lag_elapsed[ns] + self.dst_off[ns]
        self.ns_l: list[_NsLevel | None] = []
        for lv in range(net.levels):
            n0, n1 = self.ns_ptr[lv], self.ns_ptr[lv + 1]
            idx = ns[n0:n1]
            if idx.size == 0:
                self.ns_l.append(None)
                continue
            self.ns_l.append(
                (
                    f.src[idx],
                    self.ns_and[n0:n1],
                    self.ns_add[n0:n1],
                    lag_off[n0:n1],
                    self.dst_off[idx],
                    bool(self.to_milestone[idx].any()),
                )
            )
        # the vectorised levels work on the extended layout (see _Layout): per entry, the
        # key it reads (a start, a pinned finish, or the node's lower bound) and this
        # run's ``(key | o) + a``, which applies the lag and the positions
        N = net.n_nodes
        lay = self.lay = _layout(f.dst, net.level_ptr)
        self.x_src = np.empty(lay.size, np.int64)
        self.x_src[lay.bound] = 2 * N + np.arange(N, dtype=np.int64)
        self.x_o = np.zeros(lay.size, np.int64)
        self.x_a = np.zeros(lay.size, np.int64)
        xp = lay.ptr
        self.x_l = _level_views(xp, net.levels, self.x_src, self.x_o, self.x_a)
        self.ns_x = _narrow_positions(lay, xp, ns, self.ns_l, self.ns_ptr)
        tab = self.tab
        n_cal = len(net.cal_names)
        c_src, c_dst = inp.cal[f.src[tab]], inp.cal[f.dst[tab]]
        self.pairs = tuple(sorted(set(zip(c_src.tolist(), c_dst.tolist(), strict=True))))
        self.tab_po = pair_offset(c_src, c_dst, n_cal)
        self.tab_ptr = np.searchsorted(tab, f.ptr).tolist()
        self.tab_and = np.empty(len(tab), np.int64)
        self.tab_add = np.empty(len(tab), np.int64)
        self.tab_at: list[tuple[IntArray, IntArray, IntArray, IntArray] | None] = []
        for lv in range(net.levels):
            t0, t1 = self.tab_ptr[lv], self.tab_ptr[lv + 1]
            idx = tab[t0:t1]
            self.tab_at.append(
                None
                if t0 == t1
                else (lay.real[idx] - xp[lv], f.src[idx], self.tab_and[t0:t1], self.tab_add[t0:t1])
            )
        self.Z = np.empty(3 * N, np.int64)
        lp = self.lp
        self.es_v = [self.Z[lp[lv] : lp[lv + 1]] for lv in range(net.levels)]
        self._lag_terms()

    def _lag_terms(self) -> None:
        """What depends on the links' work lags (the rest depends on the links alone)."""
        f, inp = self.net.forward, self.inp
        # FF/SF links bound the successor's finish: turn that into a start bound
        fs = np.where((f.type == _FF) | (f.type == _SF), inp.span2[f.dst], 0)
        lag = f.lag_work
        plain = (lag == 0) & (fs == 0)
        self.andm = np.where(plain, -1, -2).astype(np.int64)
        self.add = (2 * lag - fs).astype(np.int64)
        self.orm = ((lag < 0) | (fs > 0)).astype(np.int64)
        # a start sits at the start of working time unless the successor is a milestone
        self.orm_start = self.orm | inp.force[f.dst]
        # where the link's own position does not override the key's, a milestone keeps
        # the position the conversion gives
        tab, tp = self.tab, self.tab_ptr
        exact = (self.andm[tab] != -2) & (self.orm_start[tab] == 0)
        self.tab_l: list[tuple[IntArray, IntArray, IntArray, IntArray, bool] | None] = [
            None if at is None else (*at, bool(exact[tp[lv] : tp[lv + 1]].any()))
            for lv, at in enumerate(self.tab_at)
        ]
        # the extended layout's terms of a run where no predecessor's finish is pinned;
        # run() patches the pinned links (see there for the identity)
        is_ns = np.zeros(len(f.src), dtype=bool)
        is_ns[f.nonsimple] = True
        self.is_ns = is_ns
        clear = np.where(is_ns, self.andm, self.key_and & self.andm) == -2
        self.x_o0 = (clear | (self.orm_start == 1)).astype(np.int64)
        self.x_a0 = np.where(is_ns, self.add, self.key_add + self.add) - (
            clear & (self.orm_start == 0)
        )

    def derive(self, net: Network, inp: _Inputs) -> _Forward:
        """This pass for ``net``, a network with the same links but other work lags
        (summaries' spans): only the lag terms are computed again; the buffers, which
        every run fills afresh, are shared."""
        fw = copy.copy(self)
        fw.net, fw.inp = net, inp
        fw._lag_terms()
        return fw

    def bind(self, cs: CalendarSet, inp: _Inputs) -> _Forward:
        self.cs, self.inp, self.conv = cs, inp, _converter(cs)
        self.tables = _pair_tables(cs, self.pairs)
        return self

    def _edge_terms(
        self, fixed_ef: IntArray, sel: IntArray
    ) -> tuple[IntArray, IntArray, IntArray, IntArray]:
        """For the links ``sel``, this run's ``mask``/``add`` on the predecessor's start,
        and the predecessor-key terms the calendar conversions need."""
        src = self.net.forward.src[sel]
        key_and, key_add = self.key_and[sel], self.key_add[sel]
        andm, add_ = self.andm[sel], self.add[sel]
        # a predecessor whose finish is pinned (MFO, actual or manual finish, ALAP) gives
        # a constant: mask 0, add = that finish
        pinned = self.uses_finish[sel] & (fixed_ef[src] != NEG)
        if pinned.any():
            key_and = np.where(pinned, 0, key_and)
            key_add = np.where(pinned, fixed_ef[src], key_add)
        # ((ES & key_and) + key_add) & andm == ES & (key_and & andm) + key_add, as key_add
        # is even unless pinned; pinned keys are folded whole
        mask = np.where(pinned, 0, key_and & andm)
        add = np.where(pinned, (key_add & andm) + add_, key_add + add_)
        # converted links get their predecessor's key ready-made: only the lag is left
        ns = self.is_ns[sel]
        mask[ns] = andm[ns]
        add[ns] = add_[ns]
        return mask, add, key_and, key_add

    def run(
        self,
        base0: IntArray,
        lb: IntArray,
        ub: IntArray,
        fixed_ef: IntArray,
        from_level: int = 1,
        until: int | None = None,
    ) -> IntArray:
        """Early start and finish keys, as one array: ES = K[:N], EF = K[N:].

        Levels below ``from_level`` keep ``base0`` (clamped to the bounds): that is how
        the ALAP pass, which only moves nodes from a given level on, stays cheaper.
        Levels from ``until`` on are left uncomputed (their keys mean nothing).
        """
        net, inp = self.net, self.inp
        N = net.n_nodes
        f = net.forward
        Z = self.Z
        ES = Z[:N]
        np.bitwise_or(np.minimum(np.maximum(base0, lb), ub), inp.force, out=ES)
        Z[N : 2 * N] = fixed_ef
        Z[2 * N :] = lb
        # (key & m) + A) | r == (key | o) + a, for m in (-1, -2), r in (0, 1) and A even;
        # a pinned finish is read from Z[N:] as it is
        real = self.lay.real
        self.x_src[real] = f.src
        self.x_o[real] = self.x_o0
        self.x_a[real] = self.x_a0
        key_and, key_add = self.key_and, self.key_add
        p = np.flatnonzero(self.uses_finish & (fixed_ef[f.src] != NEG))
        if p.size:
            # a predecessor whose finish is pinned gives a constant: key_and 0, key_add
            # that finish (converted links read it so)
            key_and, key_add = key_and.copy(), key_add.copy()
            key_and[p] = 0
            key_add[p] = fixed_ef[f.src[p]]
            d = p[~self.is_ns[p]]
            clear = self.andm[d] == -2
            r = self.orm_start[d]
            self.x_src[real[d]] = f.src[d] + N
            self.x_o[real[d]] = clear | (r == 1)
            self.x_a[real[d]] = self.add[d] - (clear & (r == 0))
        lp = self.lp
        has_ub = (np.minimum.reduceat(ub, lp[:-1]) < POS).tolist() if N else []
        ns_l, ns_x, x_l, es_v = self.ns_l, self.ns_x, self.x_l, self.es_v
        seg_x = self.lay.seg
        ela, tab = self.ela, self.tab
        np.take(key_and, ela, out=self.ns_and)
        np.take(key_add, ela, out=self.ns_add)
        np.take(key_and, tab, out=self.tab_and)
        np.add(key_add[tab], self.tab_po, out=self.tab_add)
        tab_l = self.tab_l
        conv = self.conv
        time_of, work_at, is_finish = conv.time_of, conv.work_at, conv.is_finish
        S, X1, Y1, P1 = self.tables
        maxred = np.maximum.reduceat
        minimum, bor, add_ = np.minimum, np.bitwise_or, np.add
        scalar = self.scalar
        lists: tuple[list[int], ...] | None = None
        for level in range(max(from_level, 1), net.levels if until is None else until):
            narrow = scalar[level]
            if narrow is not None:
                if lists is None:
                    sc = self.scalar_links
                    mask, add, kand_sc, kadd_sc = self._edge_terms(fixed_ef, sc)
                    lists = (
                        mask.tolist(),
                        add.tolist(),
                        self.orm_start[sc].tolist(),
                        kand_sc.tolist(),
                        kadd_sc.tolist(),
                    )
                    self.conv.lists()
                self._narrow(narrow, ES, lb, ub, lists)
                continue
            xs, xo, xa = x_l[level]
            cand = Z[xs]
            tl = tab_l[level]
            if tl is not None:
                q = (ES[tl[1]] & tl[2]) + tl[3]
                i = S.searchsorted(q, "right")
                h = minimum(q - X1[i], Y1[i])
                cand[tl[0]] = (h | _ONE) - P1[i] if tl[4] else h
            nsl = ns_l[level]
            if nsl is not None:
                # as _convert: the instant, plus the elapsed lag, in the successor's
                # calendar (lag and calendar offset added at once)
                g = time_of((ES[nsl[0]] & nsl[1]) + nsl[2]) + nsl[3]
                w2 = work_at(g)
                if nsl[5]:
                    w2 = (w2 + w2) + ~is_finish(w2, g - nsl[4])
                else:
                    w2 = (w2 + w2) | _ONE
                cand[ns_x[level]] = w2
            bor(cand, xo, out=cand)
            add_(cand, xa, out=cand)
            out = es_v[level]
            maxred(cand, seg_x[level], out=out)
            if has_ub[level]:
                minimum(out, ub[lp[level] : lp[level + 1]], out=out)
        K = np.empty(2 * N, dtype=np.int64)
        K[:N] = ES
        K[N:] = self._finishes(ES, fixed_ef)
        return K

    def _narrow(
        self,
        narrow: list[tuple[int, tuple[int, ...]]],
        ES: IntArray,
        lb: IntArray,
        ub: IntArray,
        lists: tuple[list[int], ...],
    ) -> None:
        """One narrow level, task by task: the same arithmetic as the vectorised step."""
        mask, add, orm, key_and, key_add = lists
        src, simple = self.src_list, self.simple_list
        conv = self.conv
        for node, links in narrow:
            best = int(NEG)
            for e in links:
                pk = ES.item(src[e])
                if not simple[e]:
                    t = conv.time_of_1((pk & key_and[e]) + key_add[e]) + self.lag_e_list[e]
                    w2 = conv.work_at_1(t + self.dst_off_list[e])
                    at_end = self.to_ms_list[e] and conv.is_finish_1(w2, t)
                    pk = 2 * w2 + (0 if at_end else 1)
                cand = ((pk & mask[e]) + add[e]) | orm[e]
                best = max(best, cand)
            ES[node] = min(max(best, lb.item(node)), ub.item(node))

    def _finishes(self, ES: IntArray, fixed_ef: IntArray) -> IntArray:
        inp = self.inp
        EF = (ES & inp.clear) + inp.span2
        return np.where(fixed_ef != NEG, fixed_ef, EF)

    def _convert(
        self, key: IntArray, lag_elapsed: IntArray, dst_off: IntArray, to_milestone: bool
    ) -> IntArray:
        """A predecessor's key -> that instant (plus elapsed lag) in the successor's calendar."""
        conv = self.conv
        t = conv.time_of(key) + lag_elapsed
        w2 = conv.work_at(t + dst_off)
        if not to_milestone:
            return (w2 + w2) | _ONE
        # an instant that ends working time stays a finish position (milestones keep it)
        return (w2 + w2) + ~conv.is_finish(w2, t)

    def candidates(self, K: IntArray) -> IntArray:
        """Every link's bound on its successor's start, from the final keys (all at once)."""
        f = self.net.forward
        N = self.net.n_nodes
        pk = K[f.src + N * self.uses_finish]
        if f.nonsimple.size:
            idx = f.nonsimple
            pk[idx] = self._convert(pk[idx], f.lag_elapsed[idx], self.dst_off[idx], True)
        cand: IntArray = ((pk & self.andm) + self.add) | self.orm
        return cand

    def finish_bound(self, K: IntArray) -> IntArray:
        """Per node, the finish its FF/SF links ask for (NEG without such links).

        MS Project leaves a finish set by such a link where the link puts it, even at the
        start of a working period (Mon 08:00 rather than Fri 17:00)."""
        f = self.net.forward
        N = self.net.n_nodes
        out = np.full(N, NEG, dtype=np.int64)
        to_finish = (f.type == _FF) | (f.type == _SF)
        if not to_finish.any():
            return out
        idx = np.flatnonzero(to_finish)
        pk = K[f.src[idx] + N * self.uses_finish[idx]]
        nonsimple = ~f.simple[idx]
        if nonsimple.any():
            j = idx[nonsimple]
            pk[nonsimple] = self._convert(pk[nonsimple], f.lag_elapsed[j], self.dst_off[j], True)
        lag = f.lag_work[idx]
        raw = np.where(lag != 0, (((pk >> 1) + lag) << 1) | (lag < 0), pk)
        np.maximum.at(out, f.dst[idx], raw)
        return out

    def pred_bound(self, cand: IntArray) -> IntArray:
        """Per node, the start its links alone would give (NEG without predecessors)."""
        f = self.net.forward
        out = np.full(self.net.n_nodes, NEG, dtype=np.int64)
        if len(cand):
            out[f.dst[f.seg]] = np.maximum.reduceat(cand, f.seg)
        return out


class _Backward:
    """The backward pass: late finishes, one level at a time, downwards.

    Only finishes are stored while walking the levels; a link that reads its successor's
    late start derives it from the late finish in the same two operations that remove the
    lag, ``(LF[succ] & mask) + add``.
    """

    def __init__(self, net: Network, inp: _Inputs) -> None:
        # the link tables depend on the network only: built once, cached on it
        self.net, self.inp = net, inp
        b = net.backward
        self.reads_start = (b.type == _FS) | (b.type == _SS)
        self.orr = (inp.rem2 > 0).astype(np.int64)
        self.terms: tuple[IntArray, IntArray, IntArray, IntArray, IntArray] | None = None
        self.add_dur = np.where((b.type == _SS) | (b.type == _SF), inp.dur2[b.src], 0)
        self.lag_add = (self.add_dur - 2 * b.lag_work).astype(np.int64)
        self.nodes = b.src[b.seg] if len(b.seg) else np.empty(0, np.int64)
        ptr = b.ptr.tolist()
        sp = b.seg_ptr.tolist()
        self.ptr = ptr
        self.seg_rel = [b.seg[sp[lv] : sp[lv + 1]] - ptr[lv] for lv in range(net.levels)]
        self.nodes_l = [self.nodes[sp[lv] : sp[lv + 1]] for lv in range(net.levels)]
        self.dst_l = _by_level(b.dst, ptr)
        self.scalar, sc = _scalar_levels(ptr, b.seg, sp, b.src)
        self.scalar_links = sc
        self.dst_list = b.dst[sc].tolist()
        self.simple_list = b.simple[sc].tolist()
        self.lag2_list = (2 * b.lag_work[sc]).tolist()
        self.add_dur_list = self.add_dur[sc].tolist()
        src_shift = inp.cal[b.src] * SHIFT - b.lag_elapsed
        self.src_shift_list = src_shift[sc].tolist()
        ns, self.tab = _split_nonsimple(b.nonsimple, b.lag_elapsed, len(net.cal_names))
        self.ela = ns
        self.ns_ptr = np.searchsorted(ns, b.ptr).tolist()
        # per run, the successor-key terms of these links (filled by run(), read by level
        # through views): successors, and, add, or, the predecessor's calendar less the
        # elapsed lag, the duration added
        self.ns_terms = np.empty((3, len(ns)), np.int64)
        self.ns_l: list[tuple[IntArray, ...] | None] = []
        for lv in range(net.levels):
            n0, n1 = self.ns_ptr[lv], self.ns_ptr[lv + 1]
            idx = ns[n0:n1]
            if idx.size == 0:
                self.ns_l.append(None)
                continue
            t = self.ns_terms[:, n0:n1]
            self.ns_l.append((b.dst[idx], t[0], t[1], t[2], src_shift[idx], self.add_dur[idx]))
        # the vectorised levels work on the extended layout (see _Layout): per entry, the
        # late finish it reads (a successor's, or the node's own upper bound)
        N = net.n_nodes
        lay = self.lay = _layout(b.src, net.level_ptr)
        self.x_dst = np.empty(lay.size, np.int64)
        self.x_dst[lay.real] = b.dst
        self.x_dst[lay.bound] = N + np.arange(N, dtype=np.int64)
        self.x_m = np.full(lay.size, -1, np.int64)
        self.x_a = np.zeros(lay.size, np.int64)
        xp = lay.ptr
        self.x_l = _level_views(xp, net.levels, self.x_dst, self.x_m, self.x_a)
        self.ns_x = _narrow_positions(lay, xp, ns, self.ns_l, self.ns_ptr)
        tab = self.tab
        c_src, c_dst = inp.cal[b.src[tab]], inp.cal[b.dst[tab]]
        self.pairs = tuple(sorted(set(zip(c_dst.tolist(), c_src.tolist(), strict=True))))
        self.tab_po = pair_offset(c_dst, c_src, len(net.cal_names))
        self.tab_shift = self.tab_po - 2 * b.lag_work[tab]
        self.tab_dur = self.add_dur[tab]
        self.tab_ptr = np.searchsorted(tab, b.ptr).tolist()
        # the links a pair table converts: the level's step computes their successor's
        # key, shifted to the pair's table, less the lag, but for the position (k_or,
        # filled by run())
        self.tab_real = lay.real[tab]
        self.tab_or = np.empty(len(tab), np.int64)
        self.tab_l: list[tuple[IntArray, IntArray, IntArray] | None] = []
        for lv in range(net.levels):
            t0, t1 = self.tab_ptr[lv], self.tab_ptr[lv + 1]
            self.tab_l.append(
                None
                if t0 == t1
                else (self.tab_real[t0:t1] - xp[lv], self.tab_or[t0:t1], self.tab_dur[t0:t1])
            )
        self.has_links = [ptr[lv + 1] > ptr[lv] for lv in range(net.levels)]
        self.Z = np.empty(2 * N, np.int64)
        lp = net.level_ptr.tolist()
        self.lp = lp
        self.lf_v = [self.Z[lp[lv] : lp[lv + 1]] for lv in range(net.levels)]

    def derive(self, net: Network, inp: _Inputs) -> _Backward:
        """This pass for ``net``, a network with the same links but other work lags
        (summaries' spans): the lag terms and their buffers are its own."""
        bw = copy.copy(self)
        bw.net, bw.inp = net, inp
        b = net.backward
        bw.orr = (inp.rem2 > 0).astype(np.int64)
        bw.terms = None
        bw.lag_add = (self.add_dur - 2 * b.lag_work).astype(np.int64)
        bw.lag2_list = (2 * b.lag_work[self.scalar_links]).tolist()
        bw.tab_shift = self.tab_po - 2 * b.lag_work[self.tab]
        xp = self.lay.ptr
        bw.x_m = np.full(self.lay.size, -1, np.int64)
        bw.x_a = np.zeros(self.lay.size, np.int64)
        bw.x_l = [
            (xd, bw.x_m[xp[lv] : xp[lv + 1]], bw.x_a[xp[lv] : xp[lv + 1]])
            for lv, (xd, _, _) in enumerate(self.x_l)
        ]
        return bw

    def bind(self, cs: CalendarSet, keys: _Keys, inp: _Inputs, pf_key: IntArray) -> _Backward:
        """The bounds of this run: project finish, constraints, deadlines, actual finishes."""
        net = self.net
        self.cs, self.inp, self.conv = cs, inp, _converter(cs)
        self.tables = _pair_tables(cs, self.pairs)
        s = _static(net)
        cstart, cfin, dur2, cal = inp.cstart, inp.cfin, inp.dur2, inp.cal
        empty = np.empty(0, np.int64)
        # the late finish is bounded by the project finish, constraints and the deadline
        ub = pf_key.copy()
        i = s.by_type.get(ConstraintType.SNLT, empty)
        ub[i] = np.minimum(ub[i], (cstart[i] & ~1) + dur2[i])
        i = s.by_type.get(ConstraintType.FNLT, empty)
        ub[i] = np.minimum(ub[i], cfin[i])
        lb = np.full(net.n_nodes, NEG, dtype=np.int64)
        for t, lf_of in (
            (ConstraintType.MSO, lambda i: (cstart[i] & ~1) + dur2[i]),
            (ConstraintType.MFO, lambda i: cfin[i]),
        ):
            i = s.by_type.get(t, empty)
            ub[i] = lb[i] = lf_of(i)
        i = s.deadline_idx
        if i.size:  # also below a late finish pinned by MSO/MFO (MS Project)
            deadline = keys.finish_key(s.deadline[i], cal[i])
            ub[i] = np.minimum(ub[i], deadline)
            lb[i] = np.minimum(lb[i], deadline)
        i = s.finished_idx
        if i.size:
            ub[i] = lb[i] = keys.finish_key(s.a_finish[i], cal[i])
        self.ub, self.lb = ub, lb
        if self.terms is None or s.started_idx.size:
            self.terms = self._link_terms(inp)
            self.x_m[self.lay.real] = self.terms[3]
            self.x_a[self.lay.real] = self.terms[4]
            self.x_m[self.tab_real] = self.terms[0][self.tab]
            self.x_a[self.tab_real] = self.terms[1][self.tab] + self.tab_shift
        self.k_and, self.k_add, self.k_or, self.mask, self.add = self.terms
        return self

    def _link_terms(self, inp: _Inputs) -> tuple[IntArray, IntArray, IntArray, IntArray, IntArray]:
        """Per link: the successor's key from its late finish, ((LF & k_and) + k_add) | k_or
        (on a link that changes calendar, in the position its lag leaves it), and folded
        with the lag, (LF & mask) + add."""
        b = self.net.backward
        started = inp.started[b.dst]
        k_and = np.where(self.reads_start & started, 0, -1).astype(np.int64)
        k_add = np.where(
            self.reads_start, np.where(started, inp.as_key[b.dst], -inp.rem2[b.dst]), 0
        ).astype(np.int64)
        k_or = np.where(self.reads_start & ~started, self.orr[b.dst], 0).astype(np.int64)
        mask = np.where(self.reads_start & started, 0, -2).astype(np.int64)
        add = (np.where(mask == 0, k_add & -2, k_add) + self.lag_add).astype(np.int64)
        ns = b.nonsimple
        if ns.size:
            mask[ns] = 0
            add[ns] = 0
            # a link that changes calendar takes its lag off in the successor's calendar,
            # then moves the instant to the predecessor's: as in the forward pass, working
            # time taken off lands on the start of a working period (lag > 0) and working
            # time added (a lead taken off) on the end of one; without a lag the key keeps
            # its own position (k_add is even wherever k_and keeps the key)
            lag = b.lag_work[ns]
            moved = lag != 0
            k_and[ns] = np.where(moved, k_and[ns] & -2, k_and[ns])
            k_add[ns] = np.where(moved, k_add[ns] & -2, k_add[ns])
            k_or[ns] = np.where(moved, lag > 0, k_or[ns])
        return k_and, k_add, k_or, mask, add

    def run(self) -> tuple[IntArray, IntArray]:
        net, inp = self.net, self.inp
        b = net.backward
        N = net.n_nodes
        ub, lb = self.ub, self.lb
        Z = self.Z
        Z[:N] = ub
        Z[N:] = ub
        LF = Z[:N]
        lp = self.lp
        has_lb = (np.maximum.reduceat(lb, lp[:-1]) > NEG).tolist() if N else []
        ns_l, ns_x, x_l, lf_v = self.ns_l, self.ns_x, self.x_l, self.lf_v
        seg_x, has_links = self.lay.seg, self.has_links
        ns, tab = self.ela, self.tab
        np.take(self.k_and, ns, out=self.ns_terms[0])
        # the lag comes off the successor's key before it changes calendar
        np.subtract(self.k_add[ns], 2 * b.lag_work[ns], out=self.ns_terms[1])
        np.take(self.k_or, ns, out=self.ns_terms[2])
        np.take(self.k_or, tab, out=self.tab_or)
        tab_l = self.tab_l
        S, X1, Y1, _ = self.tables
        minimum = np.minimum
        minred = np.minimum.reduceat
        maximum, band, add_ = np.maximum, np.bitwise_and, np.add
        conv = self.conv
        time_of, work_at = conv.time_of, conv.work_at
        scalar = self.scalar
        lists: tuple[list[int], ...] | None = None
        for level in range(net.levels - 1, -1, -1):
            if not has_links[level]:
                continue
            narrow = scalar[level]
            if narrow is not None:
                if lists is None:
                    sc = self.scalar_links
                    lists = (
                        self.mask[sc].tolist(),
                        self.add[sc].tolist(),
                        self.k_and[sc].tolist(),
                        self.k_add[sc].tolist(),
                        self.k_or[sc].tolist(),
                    )
                    conv.lists()
                self._narrow(narrow, LF, lists)
                continue
            xd, xm, xa = x_l[level]
            cand = Z[xd]
            band(cand, xm, out=cand)
            add_(cand, xa, out=cand)
            tl = tab_l[level]
            if tl is not None:
                q = cand[tl[0]] | tl[1]
                i = S.searchsorted(q, "right")
                cand[tl[0]] = (minimum(q - X1[i], Y1[i]) & _EVEN) + tl[2]
            nsl = ns_l[level]
            if nsl is not None:
                # the successor's key, less the lag in its own calendar, then the instant
                # moves to the predecessor's calendar
                w = work_at(time_of(((LF[nsl[0]] & nsl[1]) + nsl[2]) | nsl[3]) + nsl[4])
                cand[ns_x[level]] = (w + w) + nsl[5]
            out = lf_v[level]
            minred(cand, seg_x[level], out=out)
            if has_lb[level]:
                maximum(out, lb[lp[level] : lp[level + 1]], out=out)
        LF = LF.copy()
        LS = (LF - inp.rem2) | self.orr
        if inp.started.any():
            LS = np.where(inp.started, inp.as_key, LS)
        return LS, LF

    def _narrow(
        self, narrow: list[tuple[int, tuple[int, ...]]], LF: IntArray, lists: tuple[list[int], ...]
    ) -> None:
        """One narrow level, task by task: the same arithmetic as the vectorised step."""
        mask, add, k_and, k_add, k_or = lists
        dst, simple, conv = self.dst_list, self.simple_list, self.conv
        ub, lb = self.ub, self.lb
        for node, links in narrow:
            best = int(POS)
            for e in links:
                v = LF.item(dst[e])
                if simple[e]:
                    cand = (v & mask[e]) + add[e]
                else:
                    key = ((v & k_and[e]) + k_add[e]) | k_or[e]
                    t = conv.time_of_1(key - self.lag2_list[e])
                    cand = 2 * conv.work_at_1(t + self.src_shift_list[e]) + self.add_dur_list[e]
                best = min(best, cand)
            LF[node] = max(min(best, ub.item(node)), lb.item(node))


def _split_nonsimple(ns: IntArray, lag_elapsed: IntArray, n_cal: int) -> tuple[IntArray, IntArray]:
    """The links converted through time (elapsed lags) and those a pair table converts."""
    if n_cal >= PAIR_TABLE_CALENDARS:
        return ns, ns[:0]
    by_table = lag_elapsed[ns] == 0
    return ns[~by_table], ns[by_table]


def _free_float(net: Network, es: IntArray, cand: IntArray, total: IntArray) -> IntArray:
    """Free float: how far a task can slip before it delays a successor's early start."""
    f = net.forward
    free = np.maximum(total, 0).astype(np.int64)
    if len(f.src) == 0:
        return free
    gap = np.maximum((es[f.dst] >> 1) - (cand >> 1), 0)
    best = np.full(net.n_nodes, POS, dtype=np.int64)
    np.minimum.at(best, f.src, gap)
    return np.where(best < POS, np.minimum(best, free), free)


def _roll_up_steps(net: Network) -> list[tuple[IntArray, IntArray, IntArray]]:
    """Per outline level, deepest first: the active tasks of that level grouped by parent
    (``idx``), where each parent's group starts (``seg``) and the parents (``par``)."""
    cached: list[tuple[IntArray, IntArray, IntArray]] | None = net.passes.get("roll_up")
    if cached is not None:
        return cached
    n = net.n_tasks
    depth, parent, active = net.depth, net.parent, net.active[:n]
    steps = []
    for d in range(int(depth.max()) if n else 0, 0, -1):
        idx = np.flatnonzero((depth == d) & active)
        if idx.size == 0:
            continue
        idx = idx[np.argsort(parent[idx], kind="stable")]
        p = parent[idx]
        seg = np.flatnonzero(np.concatenate(([True], p[1:] != p[:-1]))).astype(np.int64)
        steps.append((idx, seg, p[seg]))
    net.passes["roll_up"] = steps
    return steps


def _roll_up(
    plan: Plan,
    net: Network,
    cs: CalendarSet,
    summary: BoolArray,
    dates: tuple[IntArray, IntArray, IntArray, IntArray, IntArray, IntArray],
    total: IntArray,
    free: IntArray,
    critical: BoolArray,
    duration: IntArray,
    alap: BoolArray,
) -> None:
    """Summary tasks span their subtasks, deepest first, with MS Project's roll-up rules."""
    start, finish, e_s, e_f, l_s, l_f = dates
    n = net.n_tasks
    manual = net.manual[:n]
    sidx = np.flatnonzero(summary)
    for arr in (start, e_s, l_s):
        arr[sidx] = POS
    for arr in (finish, e_f, l_f):
        arr[sidx] = NEG
    critical[sidx] = False
    # ALAP subtasks give their late dates to the early roll-up, manual ones their own
    # dates to the late roll-up (as MS Project does); the children of a summary all sit
    # one outline level below it, so each summary is reduced in one step
    mn, mx = np.minimum, np.maximum
    for idx, seg, par in _roll_up_steps(net):
        al, man = alap[idx], manual[idx]
        start[par] = mn(start[par], mn.reduceat(start[idx], seg))
        finish[par] = mx(finish[par], mx.reduceat(finish[idx], seg))
        e_s[par] = mn(e_s[par], mn.reduceat(np.where(al, l_s[idx], e_s[idx]), seg))
        e_f[par] = mx(e_f[par], mx.reduceat(np.where(al, l_f[idx], e_f[idx]), seg))
        l_s[par] = mn(l_s[par], mn.reduceat(np.where(man, e_s[idx], l_s[idx]), seg))
        l_f[par] = mx(l_f[par], mx.reduceat(np.where(man, e_f[idx], l_f[idx]), seg))
        critical[par] |= np.logical_or.reduceat(critical[idx], seg)
    empty = sidx[start[sidx] == POS]
    if empty.size:
        ps = to_minutes(plan.start)
        for arr in (start, finish, e_s, e_f, l_s, l_f):
            arr[empty] = ps
    # a manually scheduled summary keeps the dates the user typed
    man_s = sidx[manual[sidx]]
    if man_s.size:
        start[man_s] = net.manual_start[:n][man_s]
        finish[man_s] = net.manual_finish[:n][man_s]
    k = net.node_cal[sidx]
    duration[sidx] = cs.work_at(finish[sidx], k) - cs.work_at(start[sidx], k)
    ts = cs.work_at(l_s[sidx], k) - cs.work_at(e_s[sidx], k)
    tf = cs.work_at(l_f[sidx], k) - cs.work_at(e_f[sidx], k)
    total[sidx] = np.minimum(ts, tf)
    free[sidx] = np.maximum(np.minimum(free[sidx], total[sidx]), 0)


def _warnings(
    plan: Plan,
    net: Network,
    keys: _Keys,
    es: IntArray,
    ef: IntArray,
    pred_bound: IntArray,
    total: IntArray,
) -> list[ScheduleWarning]:
    """Scheduling conflicts, in level order arrays, reported per task."""
    o = net.order
    st = _static(net)
    N = net.n_nodes
    out: list[ScheduleWarning] = []
    # predecessor links that would push a task past a constraint it must honour
    c = st.constrained
    pb = pred_bound[c]
    conflict = np.zeros(N, dtype=bool)
    conflict[c] = (pb != NEG) & (pb > es[c])
    rows = np.flatnonzero(conflict)
    allowed_t = keys.to_time(pred_bound[rows])
    d = st.task_deadline_idx
    late = np.zeros(N, dtype=bool)
    if d.size:
        late[d] = keys.to_time(ef[d]) > st.deadline[d]
    late_rows = np.flatnonzero(late)
    finish_t = keys.to_time(ef[late_rows])
    neg = (total < 0) & st.active_task & ~conflict & ~late
    count = int(neg.sum())
    first = [int(o[j]) for j in np.flatnonzero(neg)[:5].tolist()] if count else []
    # the same figures as last time (a repeated call): the same messages
    figures = (
        rows.tobytes(),
        allowed_t.tobytes(),
        total[rows].tobytes(),
        late_rows.tobytes(),
        finish_t.tobytes(),
        count,
        tuple(first),
    )
    cached = net.passes.get("warnings")
    if cached is not None and cached[0] == figures:
        return list(cached[1])
    for j, allowed in zip(rows.tolist(), minutes_to_datetimes(allowed_t), strict=True):
        t = plan.tasks[int(o[j])]
        label = CONSTRAINT_LABEL.get(t.constraint.type, t.constraint.type.name)
        out.append(
            ScheduleWarning(
                "constraint-conflict",
                t.uid,
                f"{plan.label(t.uid)} has a '{label}' constraint on "
                f"{t.constraint.date:%Y-%m-%d %H:%M} that conflicts with its predecessor links: "
                f"they allow a start no earlier than {allowed:%Y-%m-%d %H:%M} "
                f"(total float {int(total[j]) / plan.minutes_per_day:+.2f} days).",
            )
        )
    for j, finish in zip(late_rows.tolist(), minutes_to_datetimes(finish_t), strict=True):
        t = plan.tasks[int(o[j])]
        out.append(
            ScheduleWarning(
                "deadline-missed",
                t.uid,
                f"{plan.label(t.uid)} finishes on {finish:%Y-%m-%d %H:%M}, after its deadline "
                f"of {t.deadline:%Y-%m-%d %H:%M}.",
            )
        )
    if count:
        names = ", ".join(plan.label(plan.tasks[i].uid) for i in first)
        more = f" and {count - 5} more" if count > 5 else ""
        out.append(
            ScheduleWarning(
                "negative-float",
                plan.tasks[first[0]].uid,
                f"{count} task(s) have negative total float: a constraint or deadline cannot be "
                f"met ({names}{more}).",
            )
        )
    net.passes["warnings"] = (figures, tuple(out))
    return out
