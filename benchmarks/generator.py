"""Realistic project networks for the scheduling benchmarks.

``generate_plan(n_tasks, seed)`` builds a :class:`~jalon.engine.model.Plan` of exactly
``n_tasks`` tasks (summary tasks included) that looks like a real programme plan:

* **WBS** 3 to 5 levels deep: phases > deliverables > work packages (> sub-packages) >
  tasks. Every summary task holds 3 to 12 children. Phases run one after the other in
  *streams* of 4 to 8 phases (a stream is one project of the programme; streams run in
  parallel, which is how a plan of 100,000 tasks or more is organised in practice).
  Every phase ends with a gate milestone; every deliverable made of work packages ends
  with an acceptance milestone.
* **Durations**: a log-normal distribution (median 3 days) cut to 0.5-20 days and
  rounded to half days; about 5 % of the non-summary tasks are milestones.
* **Links**, 1.7 per non-summary task on average, mostly local: within a work package each
  task follows one or two of the previous ones; some work packages follow the previous
  one, the others start from the deliverable's start; tasks with no successor feed
  the deliverable's milestone, which feeds the phase gate, which starts the next phase.
  About a quarter of the links are cross links: to a later work package or deliverable,
  to the next phases, to a later phase of another stream. A link always goes from a task
  to a later one in outline order, and a cross link only joins two tasks whose
  *structural level* (longest chain of structural links before them) is increasing,
  so cross links never lengthen the longest path: the depth of the network is set
  by the WBS (see :func:`network_stats`), not by the number of tasks.
* Link types about 79.5 % FS, 12 % SS, 8 % FF, 0.5 % SF; 10 % of the links carry a lag
  (mostly positive work lags, some leads, a few elapsed and percent lags).
* 5 % of the non-summary tasks carry a constraint (SNET, FNLT, MSO, ...) dated near where the task
  would fall, 1.5 % a deadline (and a quarter of the milestones).
* Three calendars: ``Standard`` (the project calendar: Standard week + French public
  holidays), ``Plant 4-day week`` (derived from Standard: no Fridays, a three-week summer
  shutdown every August) and ``UK site`` (Standard week + British public holidays);
  about 20 % of the tasks use one of the last two (chosen per work package).
* 1 % of the links start or end on a summary task (none from 500,000 tasks on, unless
  asked: MS Project expands them to every subtask).

Deterministic for a given ``(n_tasks, seed)``. One million tasks take about 20 s on a
lightly loaded machine (8 s of which is the ``Plan``'s own validation) and 0.8 GB.
``python benchmarks/generator.py N OUT.xml|OUT.yaml [--seed S]`` writes one.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import gc
import itertools
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from jalon.engine.model import (
    STANDARD_DAY,
    CalendarException,
    CalendarSpec,
    Constraint,
    ConstraintType,
    Lag,
    LagKind,
    Link,
    LinkType,
    Plan,
    Task,
)

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

PROJECT_START = dt.datetime(2027, 1, 4, 8, 0)  # a Monday
PROJECT_CALENDAR = "Standard"
FOUR_DAY_CALENDAR = "Plant 4-day week"
UK_CALENDAR = "UK site"
CALENDARS = (PROJECT_CALENDAR, FOUR_DAY_CALENDAR, UK_CALENDAR)
DAY = 480  # working minutes in a day

# node kinds in the outline
LEAF, PHASE, DELIVERABLE, PACKAGE, SUBPACKAGE = 0, 1, 2, 3, 4
# special leaves
PLAIN, GATE, ACCEPTANCE = 0, 1, 2

# children per summary: 3..12, most often 4 to 7
_FANOUT = list(range(3, 13))
_FANOUT_WEIGHTS = [8, 14, 16, 15, 13, 10, 8, 6, 5, 5]
# link types: FS, SS, FF, SF
_TYPES = (LinkType.FS, LinkType.SS, LinkType.FF, LinkType.SF)
_TYPE_P = (0.795, 0.12, 0.08, 0.005)
# constraint types of constrained tasks
_CONSTRAINTS = (
    ConstraintType.SNET,
    ConstraintType.FNLT,
    ConstraintType.MSO,
    ConstraintType.MFO,
    ConstraintType.SNLT,
    ConstraintType.FNET,
    ConstraintType.ALAP,
)
_CONSTRAINT_P = (0.45, 0.20, 0.08, 0.04, 0.08, 0.08, 0.07)

_PHASE_NAMES = (
    "Initiation",
    "Specification",
    "Design",
    "Build",
    "Integration",
    "Acceptance testing",
    "Deployment",
    "Closure",
)
_VERBS = (
    "Specify",
    "Design",
    "Build",
    "Review",
    "Test",
    "Document",
    "Integrate",
    "Validate",
    "Deploy",
    "Migrate",
    "Configure",
    "Train users on",
)
_OBJECTS = (
    "interface",
    "data model",
    "report",
    "workflow",
    "user screens",
    "batch jobs",
    "API",
    "security rules",
    "test plan",
    "infrastructure",
    "archive",
    "dashboard",
    "import",
    "billing module",
)

# the outline as a tree of counts: a holder (a summary whose children are tasks) is an
# int, the number of its tasks; a deliverable is an int (it holds tasks) or a list of
# work packages; a work package is an int or a list of sub-packages (ints).
Package = int | list[int]
Deliverable = int | list[Package]
Phase = list[Deliverable]


@dataclass(frozen=True)
class Outline:
    """The generated structure, as arrays in outline order (index = position in tasks)."""

    parent: IntArray  # index of the summary task, -1 at the top
    kind: IntArray  # LEAF, PHASE, DELIVERABLE, PACKAGE, SUBPACKAGE
    special: IntArray  # PLAIN, GATE, ACCEPTANCE (leaves only)
    holder: IntArray  # leaves: the summary holding them
    deliverable: IntArray  # index of the deliverable (or the phase for gates)
    phase: IntArray  # phase number (0, 1, ...) of every task
    entry: IntArray  # holders: the task their first task follows (-1: none)
    end: IntArray  # summaries: index one past their last descendant
    phase_stream: IntArray  # per phase: stream number
    phase_rank: IntArray  # per phase: position in its stream
    phase_gate: IntArray  # per phase: index of its gate milestone


_FANOUT_CUM = list(itertools.accumulate(_FANOUT_WEIGHTS))


def _fanout(rnd: random.Random) -> int:
    return _FANOUT[bisect.bisect_right(_FANOUT_CUM, rnd.random() * _FANOUT_CUM[-1])]


def _new_phase(rnd: random.Random) -> Phase:
    deliverables: Phase = []
    for _ in range(_fanout(rnd) - 1):  # the last child is the gate
        if rnd.random() < 0.2:
            deliverables.append(_fanout(rnd))
            continue
        packages: list[Package] = []
        for _ in range(_fanout(rnd) - 1):  # the last child is the acceptance milestone
            if rnd.random() < 0.15:
                packages.append([_fanout(rnd) for _ in range(rnd.randint(3, 8))])
            else:
                packages.append(_fanout(rnd))
        deliverables.append(packages)
    return deliverables


def _phase_size(phase: Phase) -> int:
    return 2 + sum(_deliverable_size(d) for d in phase)


def _deliverable_size(d: Deliverable) -> int:
    if isinstance(d, int):
        return 1 + d
    return 2 + sum(1 + p if isinstance(p, int) else 1 + sum(1 + k for k in p) for p in d)


def _holders(phase: Phase) -> list[tuple[list[Any], int]]:
    """(container, index) of every holder count of a phase, in outline order."""
    out: list[tuple[list[Any], int]] = []
    for i, d in enumerate(phase):
        if isinstance(d, int):
            out.append((phase, i))
            continue
        for j, p in enumerate(d):
            if isinstance(p, int):
                out.append((d, j))
            else:
                out.extend((p, k) for k in range(len(p)))
    return out


def _min_size(phase: Phase) -> int:
    """The size of ``phase`` with 3 tasks in every work package."""
    return _phase_size(phase) - sum(int(c[i]) - 3 for c, i in _holders(phase))


def _simplify(phase: Phase) -> None:
    """One step towards a smaller phase (at least two deliverables of 3 tasks)."""
    for d in reversed(phase):
        if isinstance(d, list):
            for j in range(len(d) - 1, -1, -1):
                if isinstance(d[j], list):
                    d[j] = 3
                    return
    for d in reversed(phase):
        if isinstance(d, list) and len(d) > 2:
            d.pop()
            return
    for i in range(len(phase) - 1, -1, -1):
        if isinstance(phase[i], list):
            phase[i] = 3
            return
    if len(phase) > 2:
        phase.pop()


def _resize(phases: list[Phase], total: int, n: int) -> int:
    """Tasks off (down to 3) or onto (up to 12) work packages, from the end."""
    for phase in reversed(phases):
        for container, i in reversed(_holders(phase)):
            k: int = container[i]
            new = min(max(k + n - total, 3), 12)
            container[i] = new
            total += new - k
            if total == n:
                return total
    return total


def _build_tree(n: int, rnd: random.Random) -> list[Phase]:
    phases: list[Phase] = []
    total = 0
    while total < n:
        phase = _new_phase(rnd)
        phases.append(phase)
        total += _phase_size(phase)
    # fit exactly: simplify the last phase until it can hold what is left (or drop it),
    # then resize the work packages from the end
    last = phases[-1]
    before = total - _phase_size(last)
    room = n - before
    if room < _phase_size([3, 3]):
        phases.pop()
        total = before
    else:
        while _min_size(last) > room:
            _simplify(last)
        total = before + _phase_size(last)
    total = _resize(phases[-1:], total, n) if total != n else total
    total = _resize(phases, total, n) if total != n else total
    if total != n:
        raise ValueError(f"cannot build a WBS of {n} tasks")
    return phases


def _flatten(phases: list[Phase], n: int, rnd: random.Random) -> Outline:
    parent = np.full(n, -1, dtype=np.int64)
    kind = np.zeros(n, dtype=np.int64)
    special = np.zeros(n, dtype=np.int64)
    holder = np.full(n, -1, dtype=np.int64)
    deliverable = np.full(n, -1, dtype=np.int64)
    phase_of = np.zeros(n, dtype=np.int64)
    entry = np.full(n, -1, dtype=np.int64)
    end = np.zeros(n, dtype=np.int64)
    n_phases = len(phases)
    phase_stream = np.zeros(n_phases, dtype=np.int64)
    phase_rank = np.zeros(n_phases, dtype=np.int64)
    phase_gate = np.zeros(n_phases, dtype=np.int64)
    chance = rnd.random

    pos = 0
    stream, rank, stream_len = 0, 0, rnd.randint(4, 8)

    def holder_block(par: int, k: int, ent: int, *, kind_code: int, ph: int, dl: int) -> int:
        """A summary holding ``k`` tasks, at ``pos``; returns its last task."""
        nonlocal pos
        h = pos
        parent[h], kind[h], entry[h], phase_of[h], deliverable[h] = par, kind_code, ent, ph, dl
        lo, hi = h + 1, h + 1 + k
        parent[lo:hi], holder[lo:hi], phase_of[lo:hi], deliverable[lo:hi] = h, h, ph, dl
        end[h] = hi
        pos = hi
        return hi - 1

    for ph, phase in enumerate(phases):
        if rank == stream_len:
            stream, rank, stream_len = stream + 1, 0, rnd.randint(4, 8)
        phase_stream[ph], phase_rank[ph] = stream, rank
        p_idx = pos
        kind[p_idx], phase_of[p_idx] = PHASE, ph
        phase_entry = int(phase_gate[ph - 1]) if rank > 0 else -1
        pos += 1
        for d in phase:
            if isinstance(d, int):
                holder_block(p_idx, d, phase_entry, kind_code=DELIVERABLE, ph=ph, dl=pos)
                continue
            d_idx = pos
            parent[d_idx], kind[d_idx], phase_of[d_idx], deliverable[d_idx] = (
                p_idx,
                DELIVERABLE,
                ph,
                d_idx,
            )
            pos += 1
            last = -1  # last task of the previous work package
            for p in d:
                # a work package follows the previous one (35 %) or the deliverable's start
                ent = last if last >= 0 and chance() < 0.35 else phase_entry
                if isinstance(p, int):
                    last = holder_block(d_idx, p, ent, kind_code=PACKAGE, ph=ph, dl=d_idx)
                    continue
                w_idx = pos
                parent[w_idx], kind[w_idx], phase_of[w_idx], deliverable[w_idx] = (
                    d_idx,
                    PACKAGE,
                    ph,
                    d_idx,
                )
                pos += 1
                sub_last = -1
                for k in p:
                    sub_ent = sub_last if sub_last >= 0 and chance() < 0.5 else ent
                    sub_last = holder_block(
                        w_idx, k, sub_ent, kind_code=SUBPACKAGE, ph=ph, dl=d_idx
                    )
                end[w_idx] = pos
                last = sub_last
            # the acceptance milestone of the deliverable
            parent[pos], special[pos], phase_of[pos], deliverable[pos] = (
                d_idx,
                ACCEPTANCE,
                ph,
                d_idx,
            )
            pos += 1
            end[d_idx] = pos
        # the phase gate
        parent[pos], special[pos], phase_of[pos], deliverable[pos] = p_idx, GATE, ph, p_idx
        phase_gate[ph] = pos
        pos += 1
        end[p_idx] = pos
        rank += 1
    assert pos == n
    return Outline(
        parent,
        kind,
        special,
        holder,
        deliverable,
        phase_of,
        entry,
        end,
        phase_stream,
        phase_rank,
        phase_gate,
    )


def _dedupe(pred: IntArray, succ: IntArray, n: int) -> tuple[IntArray, IntArray]:
    """Links without duplicates, sorted by successor, then predecessor."""
    keys = np.sort(succ * n + pred)
    if len(keys):
        keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]
    return keys % n, keys // n


def _fresh(
    pred: IntArray, succ: IntArray, new_pred: IntArray, new_succ: IntArray, n: int
) -> tuple[IntArray, IntArray]:
    """The new links that are not already there, without duplicates, in drawing order."""
    keys = new_succ * n + new_pred
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    first = order[np.concatenate(([True], sorted_keys[1:] != sorted_keys[:-1]))]
    first.sort()
    old = succ * n + pred  # sorted: ``pred, succ`` come from ``_dedupe``
    if len(old):
        pos = np.minimum(np.searchsorted(old, keys[first]), len(old) - 1)
        first = first[old[pos] != keys[first]]
    return new_pred[first], new_succ[first]


def _structural_links(o: Outline, rng: np.random.Generator) -> tuple[IntArray, IntArray]:
    n = len(o.parent)
    leaves = np.flatnonzero(o.kind == LEAF)
    plain = leaves[o.special[leaves] == PLAIN]
    h = o.holder[plain]
    first = np.ones(len(plain), dtype=bool)
    first[1:] = h[1:] != h[:-1]
    second = np.zeros(len(plain), dtype=bool)
    second[1:] = ~first[1:] & first[:-1]
    preds: list[IntArray] = []
    succs: list[IntArray] = []
    # within a work package: each task follows the previous one (80 %) or the one before
    # (otherwise, and as an extra link 25 % of the time)
    inner = plain[~first]
    u = rng.random(len(inner))
    can_skip = ~second[~first]
    prev1 = (u < 0.8) | ~can_skip
    prev2 = can_skip & ((u >= 0.8) | (rng.random(len(inner)) < 0.25))
    preds += [inner[prev1] - 1, inner[prev2] - 2]
    succs += [inner[prev1], inner[prev2]]
    # every task but the last of its package leads somewhere in the package
    has_succ = np.zeros(n, dtype=bool)
    for p in preds:
        has_succ[p] = True
    last = np.ones(len(plain), dtype=bool)
    last[:-1] = h[:-1] != h[1:]
    dangling = plain[~last & ~has_succ[plain]]
    preds.append(dangling)
    succs.append(dangling + 1)
    # the first task of a package follows its entry (previous package or phase gate)
    starts = plain[first]
    ent = o.entry[o.holder[starts]]
    preds.append(ent[ent >= 0])
    succs.append(starts[ent >= 0])
    # tasks with no successor feed the acceptance milestone, or the gate
    pred = np.concatenate(preds)
    succ = np.concatenate(succs)
    has_succ = np.zeros(n, dtype=bool)
    has_succ[pred] = True
    sinks = leaves[~has_succ[leaves] & (o.special[leaves] != GATE)]
    acceptance = o.special[sinks] == ACCEPTANCE
    d = o.deliverable[sinks]
    target = np.where(
        acceptance | (o.kind[d] != DELIVERABLE) | ~_has_acceptance(o, d),
        o.phase_gate[o.phase[sinks]],
        o.end[d] - 1,
    )
    pred = np.concatenate([pred, sinks])
    succ = np.concatenate([succ, target])
    return _dedupe(pred, succ, n)


def _has_acceptance(o: Outline, d: IntArray) -> BoolArray:
    """Deliverables (by index) that end with an acceptance milestone."""
    last = o.end[d] - 1
    return o.special[last] == ACCEPTANCE  # type: ignore[no-any-return]


def _levels(n: int, pred: IntArray, succ: IntArray) -> IntArray:
    """Longest path (in tasks) ending at each task; links sorted by successor."""
    level = [0] * n
    for p, s in zip(pred.tolist(), succ.tolist(), strict=True):
        level[s] = max(level[s], level[p] + 1)
    return np.array(level, dtype=np.int64)


def _cross_links(
    o: Outline, level: IntArray, count: int, rng: np.random.Generator
) -> tuple[IntArray, IntArray]:
    """Up to ``count`` links from a task to a later one, at a strictly higher level."""
    if count <= 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    leaves = np.flatnonzero((o.kind == LEAF) & (o.special == PLAIN))
    n_leaves = len(leaves)
    if n_leaves < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    # ranges of leaves (positions in ``leaves``) per deliverable and per phase
    leaf_deliv = o.deliverable[leaves]
    leaf_phase = o.phase[leaves]
    d_hi = np.searchsorted(leaves, o.end[leaf_deliv])
    n_phases = len(o.phase_gate)
    phase_lo = np.searchsorted(leaf_phase, np.arange(n_phases), side="left")
    phase_hi = np.searchsorted(leaf_phase, np.arange(n_phases), side="right")
    # phases by (stream, rank)
    stream = o.phase_stream
    rank = o.phase_rank
    n_streams = int(stream.max()) + 1
    stream_first = np.searchsorted(stream, np.arange(n_streams), side="left")
    stream_len = np.searchsorted(stream, np.arange(n_streams), side="right") - stream_first

    m = count * 4
    src = rng.integers(0, n_leaves, m)
    u = rng.random(m)
    what = rng.random(m)
    dst = np.full(m, -1, dtype=np.int64)
    ph = leaf_phase[src]
    # 45 %: a later task of the same deliverable
    sel = what < 0.45
    span = d_hi[src[sel]] - src[sel] - 1
    dst[sel] = np.where(
        span > 0, src[sel] + 1 + (u[sel] * np.maximum(span, 1)).astype(np.int64), -1
    )
    # 30 %: a task of a later deliverable of the same phase
    sel = (what >= 0.45) & (what < 0.75)
    lo = d_hi[src[sel]]
    span = phase_hi[ph[sel]] - lo
    dst[sel] = np.where(span > 0, lo + (u[sel] * np.maximum(span, 1)).astype(np.int64), -1)
    # 17 %: a task of one of the next two phases of the stream
    sel = (what >= 0.75) & (what < 0.92)
    step = 1 + (rng.random(int(sel.sum())) < 0.3)
    tp = ph[sel] + step
    ok = (tp < n_phases) & (stream[np.minimum(tp, n_phases - 1)] == stream[ph[sel]])
    tp = np.minimum(tp, n_phases - 1)
    span = phase_hi[tp] - phase_lo[tp]
    dst[sel] = np.where(
        ok & (span > 0), phase_lo[tp] + (u[sel] * np.maximum(span, 1)).astype(np.int64), -1
    )
    # 8 %: a task of a later phase of another, later stream
    sel = what >= 0.92
    s_from = stream[ph[sel]]
    ok = s_from + 1 < n_streams
    s_to = np.minimum(s_from + 1 + (rng.random(int(sel.sum())) * 3).astype(np.int64), n_streams - 1)
    r_to = rank[ph[sel]] + 1
    ok &= r_to < stream_len[s_to]
    tp = np.minimum(stream_first[s_to] + r_to, n_phases - 1)
    span = phase_hi[tp] - phase_lo[tp]
    dst[sel] = np.where(
        ok & (span > 0), phase_lo[tp] + (u[sel] * np.maximum(span, 1)).astype(np.int64), -1
    )

    keep = dst >= 0
    src, dst = leaves[src[keep]], leaves[np.minimum(dst[keep], n_leaves - 1)]
    keep = (dst > src) & (level[dst] > level[src])
    return src[keep][:count], dst[keep][:count]


def _summary_links(
    o: Outline, level: IntArray, count: int, rng: np.random.Generator
) -> tuple[IntArray, IntArray]:
    """Up to ``count`` links from or to work packages (FS/SS), never lengthening a path."""
    if count <= 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    packages = np.flatnonzero((o.kind == PACKAGE) | (o.kind == SUBPACKAGE))
    if len(packages) < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    leaves = np.flatnonzero(o.kind == LEAF)
    pred: list[int] = []
    succ: list[int] = []
    tries = 0
    while len(pred) < count and tries < count * 20:
        tries += 1
        k = int(rng.integers(0, len(packages) - 1))
        a = int(packages[k])
        a_max = int(level[a + 1 : o.end[a]].max())
        mode = rng.random()
        if mode < 0.4:  # package -> a later package of the same phase or the next
            b = int(packages[min(k + 1 + int(rng.integers(0, 12)), len(packages) - 1)])
            if b < o.end[a] or o.parent[b] == a:
                continue
            if int(level[b + 1 : o.end[b]].min()) > a_max:
                pred.append(a)
                succ.append(b)
        elif mode < 0.7:  # package -> a later task
            j = int(np.searchsorted(leaves, o.end[a])) + int(rng.integers(0, 40))
            if j < len(leaves) and level[leaves[j]] > a_max:
                pred.append(a)
                succ.append(int(leaves[j]))
        else:  # an earlier task -> package
            j = int(np.searchsorted(leaves, a)) - 1 - int(rng.integers(0, 40))
            a_min = int(level[a + 1 : o.end[a]].min())
            if j >= 0 and level[leaves[j]] < a_min:
                pred.append(int(leaves[j]))
                succ.append(a)
    return np.array(pred, dtype=np.int64), np.array(succ, dtype=np.int64)


def _nominal_starts(
    n: int, pred: IntArray, succ: IntArray, level: IntArray, dur_days: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Early starts in working days, every link taken as FS without lag (for dates)."""
    es = np.zeros(n, dtype=np.float64)
    if len(pred) == 0:
        return es
    order = np.argsort(level[succ], kind="stable")
    p, s = pred[order], succ[order]
    bounds = np.searchsorted(level[s], np.arange(int(level.max()) + 2))
    for lv in range(1, len(bounds) - 1):
        a, b = int(bounds[lv]), int(bounds[lv + 1])
        if a < b:
            np.maximum.at(es, s[a:b], es[p[a:b]] + dur_days[p[a:b]])
    return es


def calendars(start_year: int, years: int) -> tuple[CalendarSpec, ...]:
    week = dict.fromkeys(range(5), STANDARD_DAY) | {5: (), 6: ()}
    shutdowns = tuple(
        CalendarException(dt.date(y, 8, 2), dt.date(y, 8, 20), name=f"Summer shutdown {y}")
        for y in range(start_year, start_year + years)
    )
    return (
        CalendarSpec(PROJECT_CALENDAR, week=week, country="FR", uid=1),
        CalendarSpec(
            FOUR_DAY_CALENDAR, week={4: ()}, base=PROJECT_CALENDAR, exceptions=shutdowns, uid=2
        ),
        CalendarSpec(UK_CALENDAR, week=week, country="GB", uid=3),
    )


def _fr_holidays(first: int, last: int) -> list[dt.date]:
    import holidays

    return sorted(holidays.country_holidays("FR", years=range(first, last + 1)))


def generate_plan(
    n_tasks: int,
    seed: int = 0,
    *,
    summary_link_share: float | None = None,
    start: dt.datetime = PROJECT_START,
) -> Plan:
    """A realistic plan of exactly ``n_tasks`` tasks (summary tasks included).

    ``summary_link_share``: the share of links that start or end on a summary task
    (default 1 % below 500,000 tasks, none above).
    """
    if n_tasks < 20:
        raise ValueError("generate_plan needs at least 20 tasks")
    # millions of small objects and no cycles: the cyclic collector would only slow down
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _generate(n_tasks, seed, summary_link_share, start)
    finally:
        if enabled:
            gc.enable()


def _generate(
    n_tasks: int, seed: int, summary_link_share: float | None, start: dt.datetime
) -> Plan:
    rnd = random.Random(seed)
    rng = np.random.default_rng(seed)
    n = n_tasks
    o = _flatten(_build_tree(n, rnd), n, rnd)
    is_leaf = o.kind == LEAF
    n_leaves = int(is_leaf.sum())

    # structural links, their levels, then cross links up to 1.7 links per task
    pred, succ = _structural_links(o, rng)
    level = _levels(n, pred, succ)
    target = round(1.7 * n_leaves)
    share = (0.01 if n < 500_000 else 0.0) if summary_link_share is None else summary_link_share
    n_summary = round(share * target)
    n_cross = target - len(pred) - n_summary
    cp, cs = _fresh(pred, succ, *_cross_links(o, level, n_cross + n_cross // 5, rng), n)
    sp, ss = _summary_links(o, level, n_summary, rng)
    pred, succ = _dedupe(
        np.concatenate([pred, cp[:n_cross], sp]), np.concatenate([succ, cs[:n_cross], ss]), n
    )
    n_links = len(pred)

    # durations: log-normal, median 3 days, 0.5-20 days in half days; milestones
    days = np.clip(np.round(rng.lognormal(np.log(3.0), 0.85, n) * 2) / 2, 0.5, 20.0)
    wp_last = np.zeros(n, dtype=bool)
    wp_last[:-1] = is_leaf[:-1] & (o.holder[:-1] != o.holder[1:]) & (o.special[:-1] == PLAIN)
    milestone = (o.special != PLAIN) | (wp_last & (rng.random(n) < 0.2))
    days[milestone | ~is_leaf] = 0.0

    # calendars, per work package: 80 % project, 10 % 4-day week, 10 % UK
    holder_cal = rng.choice(3, size=n, p=(0.8, 0.1, 0.1))
    cal = np.where(is_leaf & (o.holder >= 0), holder_cal[np.maximum(o.holder, 0)], 0)
    cal[milestone] = 0

    # nominal dates for plausible constraints and deadlines
    leaf_links = is_leaf[pred] & is_leaf[succ]
    es = _nominal_starts(n, pred[leaf_links], succ[leaf_links], level, days)
    ef = es + days
    span_days = float(ef.max()) if n else 0.0
    years = int(span_days / 230) + 4
    hol = np.array(_fr_holidays(start.year, start.year + years), dtype="datetime64[D]")
    d0 = np.datetime64(start.date(), "D")

    # constraint dates near where the task would fall: the nominal dates run about 8 %
    # early (lags, calendars and constraints are left out), and planners leave a margin
    # before upper bounds (FNLT, SNLT, deadlines), which one time in ten is too tight
    constrained = is_leaf & (rng.random(n) < 0.05) & (o.special == PLAIN)
    ctype = rng.choice(len(_CONSTRAINTS), size=n, p=_CONSTRAINT_P)
    is_finish = np.isin(ctype, (1, 3, 5))  # FNLT, MFO, FNET
    upper = np.isin(ctype, (1, 4))  # FNLT, SNLT
    tight = rng.random(n) < 0.1
    margin = np.where(tight, rng.integers(-10, 1, n), rng.integers(5, 31, n))
    shift = np.where(upper, margin, rng.integers(-3, 11, n))
    base = 1.08 * np.where(is_finish, np.ceil(ef) - 1, np.floor(es))
    c_day = np.busday_offset(
        d0, np.maximum(base + shift, 0).astype(np.int64), roll="forward", holidays=hol
    )
    with_deadline = is_leaf & ((rng.random(n) < 0.015) | (milestone & (rng.random(n) < 0.25)))
    dl_day = np.busday_offset(
        d0,
        np.maximum(1.08 * (np.ceil(ef) - 1) + margin, 0).astype(np.int64),
        roll="forward",
        holidays=hol,
    )

    # link types and lags
    ltype = rng.choice(4, size=n_links, p=_TYPE_P)
    summary_end = ~is_leaf[pred] | ~is_leaf[succ]
    ltype[summary_end] = np.where(rng.random(int(summary_end.sum())) < 0.85, 0, 1)
    lag_kind = rng.random(n_links)
    lag_draw = rng.random(n_links)
    has_lag = rng.random(n_links) < 0.10

    uid_objs = np.arange(1, n + 1).astype(object)  # one int per uid, shared by tasks and links
    tasks = _make_tasks(
        o,
        uid_objs=uid_objs,
        days=days,
        cal=cal,
        constrained=constrained,
        ctype=ctype,
        is_finish=is_finish,
        c_day=c_day,
        with_deadline=with_deadline,
        dl_day=dl_day,
    )
    del o, level, es, ef
    links = _make_links(
        uid_objs=uid_objs,
        pred=pred,
        succ=succ,
        ltype=ltype,
        has_lag=has_lag,
        lag_kind=lag_kind,
        lag_draw=lag_draw,
    )
    return Plan(
        name=f"Generated programme ({n} tasks, seed {seed})",
        start=start,
        tasks=tasks,
        links=links,
        calendars=calendars(start.year, years),
        calendar=PROJECT_CALENDAR,
        metadata={"generator": "benchmarks/generator.py", "seed": seed, "n_tasks": n},
    )


def _make_tasks(
    o: Outline,
    *,
    uid_objs: npt.NDArray[np.object_],
    days: npt.NDArray[np.float64],
    cal: IntArray,
    constrained: BoolArray,
    ctype: IntArray,
    is_finish: BoolArray,
    c_day: npt.NDArray[np.datetime64],
    with_deadline: BoolArray,
    dl_day: npt.NDArray[np.datetime64],
) -> tuple[Task, ...]:
    n = len(o.parent)
    minutes = (days * DAY).astype(np.int64).tolist()
    parents = (o.parent + 1).tolist()  # uid = index + 1; 0 = top level
    uid_list = uid_objs.tolist()
    kinds = o.kind.tolist()
    specials = o.special.tolist()
    phases = o.phase.tolist()
    cal_names: list[str | None] = [None, FOUR_DAY_CALENDAR, UK_CALENDAR]
    cals = cal.tolist()
    extra = np.flatnonzero(constrained | with_deadline | (cal > 0))
    alap = Constraint(ConstraintType.ALAP)
    constraint_of: dict[int, Constraint] = {}
    deadline_of: dict[int, dt.datetime] = {}
    start_time, finish_time = dt.time(8, 0), dt.time(17, 0)
    for i in np.flatnonzero(constrained).tolist():
        t = _CONSTRAINTS[int(ctype[i])]
        if t is ConstraintType.ALAP:
            constraint_of[i] = alap
        else:
            day = c_day[i].astype(dt.date)
            constraint_of[i] = Constraint(
                t, dt.datetime.combine(day, finish_time if is_finish[i] else start_time)
            )
    for i in np.flatnonzero(with_deadline).tolist():
        deadline_of[i] = dt.datetime.combine(dl_day[i].astype(dt.date), finish_time)
    n_verbs, n_objects = len(_VERBS), len(_OBJECTS)
    names: list[str] = []
    append = names.append
    for i in range(n):
        uid = i + 1
        k = kinds[i]
        if k == LEAF:
            sp = specials[i]
            if sp == PLAIN:
                append(f"{_VERBS[uid % n_verbs]} {_OBJECTS[(uid // n_verbs) % n_objects]} {uid}")
            elif sp == GATE:
                ph = phases[i]
                append(f"Gate: {_PHASE_NAMES[ph % 8].lower()} done (phase {ph + 1})")
            else:
                append(f"Deliverable {parents[i]} accepted")
        elif k == PHASE:
            ph = phases[i]
            append(f"Phase {ph + 1}: {_PHASE_NAMES[ph % 8]}")
        elif k == DELIVERABLE:
            append(f"Deliverable {uid}")
        else:
            append(f"Work package {uid}")
    parent_uids = [uid_list[p - 1] if p else None for p in parents]
    out = list(map(Task, uid_list, names, minutes, parent_uids))
    for i in extra.tolist():
        out[i] = Task(
            uid_list[i],
            names[i],
            minutes[i],
            parent_uids[i],
            constraint=constraint_of.get(i, Constraint()),
            deadline=deadline_of.get(i),
            calendar=cal_names[cals[i]],
        )
    return tuple(out)


def _make_links(
    *,
    uid_objs: npt.NDArray[np.object_],
    pred: IntArray,
    succ: IntArray,
    ltype: IntArray,
    has_lag: BoolArray,
    lag_kind: npt.NDArray[np.float64],
    lag_draw: npt.NDArray[np.float64],
) -> tuple[Link, ...]:
    # lags come from a small set of shared objects: positive work lags (72 %), leads
    # (15 %), elapsed lags (7 %), percent lags (6 %)
    pools = (
        [Lag(h * DAY // 2) for h in range(1, 21)],  # 0.5 to 10 days
        [Lag(-h * DAY // 2) for h in range(1, 7)],  # -0.5 to -3 days
        [Lag(d * 1440, LagKind.ELAPSED) for d in (1, 2, 3, 5, 7, 10, 14)],
        [Lag(p, LagKind.PERCENT) for p in (25, 50, 75, -25)],
    )
    lag_objs = np.array([Lag(), *(lag for pool in pools for lag in pool)], dtype=object)
    kind_code = np.searchsorted(np.array([0.72, 0.87, 0.94]), lag_kind, side="right")
    lag_idx = np.zeros(len(pred), dtype=np.int64)
    offset = 1
    for k, pool in enumerate(pools):
        sel = has_lag & (kind_code == k)
        lag_idx[sel] = offset + (lag_draw[sel] * len(pool)).astype(np.int64)
        offset += len(pool)
    type_objs = np.array(_TYPES, dtype=object)
    return tuple(
        map(
            Link,
            uid_objs[pred].tolist(),
            uid_objs[succ].tolist(),
            type_objs[ltype].tolist(),
            lag_objs[lag_idx].tolist(),
        )
    )


# ---------------------------------------------------------------------------------------
# statistics
@dataclass(frozen=True)
class NetworkStats:
    tasks: int
    leaves: int
    summaries: int
    milestones: int
    links: int
    links_per_leaf: float
    summary_links: int
    type_share: dict[str, float]
    lag_share: float
    constrained: int
    deadlines: int
    calendar_share: dict[str, float]
    wbs_depth: int
    depth: int  # longest path, in tasks, following links (summary links expanded)
    max_fanout: int


def network_stats(plan: Plan) -> NetworkStats:
    """Counts and the depth of a plan's network (links from earlier to later tasks)."""
    tasks = plan.tasks
    n = len(tasks)
    index = plan.task_index
    parent = np.array(
        [index[t.parent] if t.parent is not None else -1 for t in tasks], dtype=np.int64
    )
    is_summary = np.zeros(n, dtype=bool)
    is_summary[parent[parent >= 0]] = True
    outline_level = np.zeros(n, dtype=np.int64)
    for i in np.flatnonzero(parent >= 0).tolist():
        outline_level[i] = outline_level[parent[i]] + 1
    children = np.bincount(parent[parent >= 0], minlength=n)
    # subtree ends, for summary links
    end = np.arange(1, n + 1, dtype=np.int64)
    for i in range(n - 1, -1, -1):
        p = parent[i]
        if p >= 0 and end[i] > end[p]:
            end[p] = end[i]
    pred = np.array([index[lk.predecessor] for lk in plan.links], dtype=np.int64)
    succ = np.array([index[lk.successor] for lk in plan.links], dtype=np.int64)
    if np.any(pred >= succ) or np.any((succ < end[pred]) & is_summary[pred]):
        raise ValueError("a link does not go from a task to a later one in outline order")
    # longest path: every node in outline order; a link out of a summary leaves from its
    # end (after its subtasks), a link into a summary reaches its subtasks
    level = np.ones(n, dtype=np.int64)
    level[is_summary] = 0
    into: dict[int, list[int]] = {}
    for p, s in zip(pred.tolist(), succ.tolist(), strict=True):
        into.setdefault(s, []).append(p)
    lv = level.tolist()
    summary_done = [0] * n  # longest path through the subtasks of a summary
    floor = [0] * n  # what a summary's subtasks must follow
    par = parent.tolist()
    summ = is_summary.tolist()
    for i in range(n):
        base = floor[par[i]] if par[i] >= 0 else 0
        for p in into.get(i, ()):
            v = summary_done[p] if summ[p] else lv[p]
            base = max(base, v)
        if summ[i]:
            floor[i] = base
        else:
            lv[i] = base + 1
            j = par[i]
            while j >= 0 and summary_done[j] < lv[i]:
                summary_done[j] = lv[i]
                j = par[j]
    depth = max((lv[i] for i in range(n) if not summ[i]), default=0)
    types = [lk.type.value for lk in plan.links]
    n_links = len(types)
    names = [tasks[i].calendar or plan.calendar for i in np.flatnonzero(~is_summary).tolist()]
    n_leaves = int((~is_summary).sum())
    return NetworkStats(
        tasks=n,
        leaves=n_leaves,
        summaries=n - n_leaves,
        milestones=sum(1 for i in np.flatnonzero(~is_summary).tolist() if tasks[i].is_milestone),
        links=n_links,
        links_per_leaf=n_links / max(n_leaves, 1),
        summary_links=int((is_summary[pred] | is_summary[succ]).sum()),
        type_share={t: types.count(t) / max(n_links, 1) for t in ("FS", "SS", "FF", "SF")},
        lag_share=sum(1 for lk in plan.links if not lk.lag.is_zero) / max(n_links, 1),
        constrained=sum(1 for t in tasks if t.constraint.type is not ConstraintType.ASAP),
        deadlines=sum(1 for t in tasks if t.deadline is not None),
        calendar_share={c: names.count(c) / max(n_leaves, 1) for c in sorted(set(names))},
        wbs_depth=int(outline_level.max()) + 1 if n else 0,
        depth=depth,
        max_fanout=int(children.max()) if n else 0,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a generated plan to a file.")
    parser.add_argument("n_tasks", type=int)
    parser.add_argument("out", type=Path, help="OUT.xml (MS Project XML) or OUT.yaml")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--stats", action="store_true", help="print the network statistics")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    plan = generate_plan(args.n_tasks, args.seed)
    t1 = time.perf_counter()
    print(
        f"generated {len(plan.tasks)} tasks, {len(plan.links)} links in {t1 - t0:.2f} s",
        file=sys.stderr,
    )
    if args.stats:
        print(network_stats(plan), file=sys.stderr)
    from jalon.io import save_plan

    save_plan(plan, args.out)
    print(f"wrote {args.out} in {time.perf_counter() - t1:.2f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
