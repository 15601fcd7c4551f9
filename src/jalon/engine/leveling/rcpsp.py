"""The resource-constrained project scheduling problem (RCPSP) on integer periods.

This is the solver core of resource levelling: it knows nothing of dates or calendars.
The caller turns working time into periods (one period per working day, per hour, ...)
and back. Tasks are numbered ``0 .. n-1``; resources ``0 .. m-1``.

Generalised precedences are *minimum time lags between starts*: ``(i, j, lag)`` means
``start[j] >= start[i] + lag``. Every MS Project link type is one such arc:

====  =========================================
FS    ``lag = duration[i] + L``
SS    ``lag = L``
FF    ``lag = duration[i] - duration[j] + L``
SF    ``lag = L - duration[j]``
====  =========================================

(:func:`link_lag` does this arithmetic.) The arcs must form an acyclic graph, as a
plan's links do; lags may be negative.

Capacities are constant per resource, or a step function of time: ``capacity_profiles[r]``
is a tuple of ``(from_period, capacity)`` steps, sorted by period; ``capacities[r]``
applies before the first step and each step holds until the next one. Holidays,
part-time and a person joining the project are such steps.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np
import numpy.typing as npt

from jalon.engine.errors import CycleError, PlanError, ValidationError

Status = Literal["optimal", "feasible", "heuristic"]

IntArray = npt.NDArray[np.int64]


class InfeasibleError(PlanError):
    """No schedule meets the constraints (or none was found in the time allowed)."""


def link_lag(kind: str, duration_pred: int, duration_succ: int, lag: int = 0) -> int:
    """The start-to-start lag that expresses a link ``pred -> succ`` of type ``kind``.

    ``kind`` is ``"FS"``, ``"SS"``, ``"FF"`` or ``"SF"`` and ``lag`` its own lag in periods.
    """
    if kind == "FS":
        return duration_pred + lag
    if kind == "SS":
        return lag
    if kind == "FF":
        return duration_pred - duration_succ + lag
    if kind == "SF":
        return lag - duration_succ
    raise ValueError(f"unknown link type {kind!r} (use FS, SS, FF or SF)")


@dataclass(frozen=True)
class Rcpsp:
    """One RCPSP instance; validated when built (a :class:`ValidationError` says where).

    * ``durations[i]``: periods, ``>= 0`` (0: a milestone, which uses no resource).
    * ``precedences``: ``(i, j, lag)`` arcs, ``start[j] >= start[i] + lag``.
    * ``capacities[r]``: units of resource ``r`` available per period.
    * ``demands[i][r]``: units of ``r`` that task ``i`` uses in each of its periods.
    * ``capacity_profiles``: empty, or one tuple of ``(from_period, capacity)`` steps per
      resource (an empty tuple: constant ``capacities[r]``).
    * ``releases[i]``: earliest start of ``i`` (empty: all 0). Periods are ``>= 0``.
    * ``fixed``: ``(task, start)`` pairs; those tasks do not move (work already done or
      in progress, a task the user pinned). Their start must respect their release.
    * ``deadline``: every task must finish by then (``None``: no deadline).
    * ``names``: for messages (empty: ``"task <i>"``); ``resource_names`` likewise.
    """

    durations: tuple[int, ...]
    precedences: tuple[tuple[int, int, int], ...] = ()
    capacities: tuple[int, ...] = ()
    demands: tuple[tuple[int, ...], ...] = ()
    capacity_profiles: tuple[tuple[tuple[int, int], ...], ...] = ()
    releases: tuple[int, ...] = ()
    fixed: tuple[tuple[int, int], ...] = ()
    deadline: int | None = None
    names: tuple[str, ...] = ()
    resource_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Accept lists from callers, keep tuples (hashable, immutable).
        for name in ("names", "resource_names"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        for name in ("durations", "capacities", "releases"):
            values = tuple(getattr(self, name))
            for k, v in enumerate(values):
                if isinstance(v, bool) or not isinstance(v, int | np.integer):
                    raise ValidationError(
                        f"{v!r} is not a whole number of periods (item {k})", field=name
                    )
            object.__setattr__(self, name, tuple(int(v) for v in values))
        object.__setattr__(
            self, "precedences", tuple((int(i), int(j), int(g)) for i, j, g in self.precedences)
        )
        object.__setattr__(self, "demands", tuple(tuple(int(x) for x in d) for d in self.demands))
        object.__setattr__(
            self,
            "capacity_profiles",
            tuple(tuple((int(t), int(c)) for t, c in p) for p in self.capacity_profiles),
        )
        object.__setattr__(self, "fixed", tuple((int(i), int(s)) for i, s in self.fixed))
        _validate(self)

    @classmethod
    def from_successors(
        cls,
        durations: tuple[int, ...] | list[int],
        successors: dict[int, list[int]] | list[list[int]],
        capacities: tuple[int, ...] | list[int],
        demands: tuple[tuple[int, ...], ...] | list[list[int]],
        **kwargs: object,
    ) -> Rcpsp:
        """A classic RCPSP: finish-to-start successors without lags."""
        items = successors.items() if isinstance(successors, dict) else enumerate(successors)
        arcs = tuple((i, j, int(durations[i])) for i, succ in items for j in succ)
        return cls(
            durations=tuple(int(d) for d in durations),
            precedences=arcs,
            capacities=tuple(int(c) for c in capacities),
            demands=tuple(tuple(int(x) for x in row) for row in demands),
            **kwargs,  # type: ignore[arg-type]
        )

    # -- sizes and look-ups ------------------------------------------------------
    @property
    def n_tasks(self) -> int:
        return len(self.durations)

    @property
    def n_resources(self) -> int:
        return len(self.capacities)

    def task_name(self, i: int) -> str:
        return self.names[i] if self.names else f"task {i}"

    def resource_name(self, r: int) -> str:
        return self.resource_names[r] if self.resource_names else f"resource {r}"

    def release(self, i: int) -> int:
        return self.releases[i] if self.releases else 0

    @cached_property
    def fixed_starts(self) -> dict[int, int]:
        return dict(self.fixed)

    def capacity_steps(self, r: int) -> tuple[tuple[int, int], ...]:
        """The capacity of ``r`` as steps ``(from_period, capacity)``, the first at 0."""
        profile = self.capacity_profiles[r] if self.capacity_profiles else ()
        steps = [(0, self.capacities[r])]
        for t, c in profile:
            if t <= 0:
                steps[0] = (0, c)
            elif c != steps[-1][1]:
                steps.append((t, c))
        return tuple(steps)

    def capacity_at(self, r: int, t: int) -> int:
        """Units of resource ``r`` available in period ``t``."""
        value = self.capacities[r]
        for start, c in self.capacity_profiles[r] if self.capacity_profiles else ():
            if start > t:
                break
            value = c
        return value

    @cached_property
    def has_time_varying_capacity(self) -> bool:
        return any(len(self.capacity_steps(r)) > 1 for r in range(self.n_resources))

    def capacity_array(self, horizon: int) -> IntArray:
        """Capacity per resource and period, shape ``(m, horizon)``; the last step holds on."""
        out = np.empty((self.n_resources, horizon), dtype=np.int64)
        for r in range(self.n_resources):
            steps = self.capacity_steps(r)
            for k, (t, c) in enumerate(steps):
                end = steps[k + 1][0] if k + 1 < len(steps) else horizon
                if t < horizon:
                    out[r, t : min(end, horizon)] = c
        return out

    @cached_property
    def demand_matrix(self) -> IntArray:
        """``demands`` as an ``(n, m)`` array (zeros for tasks of zero duration)."""
        a = np.zeros((self.n_tasks, self.n_resources), dtype=np.int64)
        if self.demands:
            a[:, :] = np.asarray(self.demands, dtype=np.int64).reshape(a.shape)
        a[np.asarray(self.durations, dtype=np.int64) == 0] = 0
        return a

    @cached_property
    def successors(self) -> tuple[tuple[tuple[int, int], ...], ...]:
        """``successors[i]``: ``(j, lag)`` for every arc leaving ``i``."""
        out: list[list[tuple[int, int]]] = [[] for _ in range(self.n_tasks)]
        for i, j, g in self.precedences:
            out[i].append((j, g))
        return tuple(tuple(s) for s in out)

    @cached_property
    def predecessors(self) -> tuple[tuple[tuple[int, int], ...], ...]:
        """``predecessors[j]``: ``(i, lag)`` for every arc entering ``j``."""
        out: list[list[tuple[int, int]]] = [[] for _ in range(self.n_tasks)]
        for i, j, g in self.precedences:
            out[j].append((i, g))
        return tuple(tuple(p) for p in out)

    @cached_property
    def topological_order(self) -> tuple[int, ...]:
        """A topological order of the arcs (computed, and checked acyclic, at build time)."""
        order = _topological_order(self.n_tasks, self.successors)
        assert order is not None  # _validate refused cycles
        return tuple(order)

    @cached_property
    def earliest_starts(self) -> tuple[int, ...]:
        """Earliest starts ignoring resources: releases, fixed starts and lags."""
        es = [self.release(i) for i in range(self.n_tasks)]
        fixed = self.fixed_starts
        for i in self.topological_order:
            if i in fixed:
                es[i] = fixed[i]
            for j, g in self.successors[i]:
                es[j] = max(es[j], es[i] + g)
        return tuple(es)

    @cached_property
    def tails(self) -> tuple[int, ...]:
        """``tails[i]``: the least time from the start of ``i`` to the end of the project."""
        tail = list(self.durations)
        for i in reversed(self.topological_order):
            for j, g in self.successors[i]:
                tail[i] = max(tail[i], g + tail[j])
        return tuple(tail)

    @cached_property
    def critical_path_bound(self) -> int:
        """The makespan ignoring resources (the classic CPM lower bound)."""
        if not self.n_tasks:
            return 0
        return max(e + t for e, t in zip(self.earliest_starts, self.tails, strict=True))

    @cached_property
    def energy_bound(self) -> int:
        """A resource lower bound: each resource's total work fitted into its capacity."""
        best = 0
        d = np.asarray(self.durations, dtype=np.int64)
        for r in range(self.n_resources):
            work = int((d * self.demand_matrix[:, r]).sum())
            if work == 0:
                continue
            steps = self.capacity_steps(r)
            # the first period by which the cumulated capacity reaches the work
            acc, bound = 0, None
            for k, (t, c) in enumerate(steps):
                end = steps[k + 1][0] if k + 1 < len(steps) else None
                if c > 0 and (end is None or acc + c * (end - t) >= work):
                    bound = t + math.ceil((work - acc) / c)
                    break
                if end is not None:
                    acc += c * (end - t)
            if bound is not None:
                best = max(best, bound)
        return best

    @property
    def lower_bound(self) -> int:
        """The better of the critical-path and energy bounds."""
        return max(self.critical_path_bound, self.energy_bound)

    @cached_property
    def horizon(self) -> int:
        """A period by which a schedule certainly exists (if any does): serial scheduling
        never needs more than every task one after the other after the last event."""
        last_event = max(
            [0, *self.releases, *(s + self.durations[i] for i, s in self.fixed)]
            + [t for p in self.capacity_profiles for t, _ in p]
        )
        extra = sum(max(g - self.durations[i], 0) for i, _, g in self.precedences)
        return last_event + sum(self.durations) + extra + 1

    def makespan(self, starts: Sequence[int] | IntArray) -> int:
        """The end of the last task (0 for an empty problem)."""
        if not self.n_tasks:
            return 0
        return max(int(s) + d for s, d in zip(starts, self.durations, strict=True))


@dataclass(frozen=True)
class RcpspSolution:
    """A schedule: ``starts[i]`` per task, and how good it is.

    ``status``: ``"optimal"`` (proven by CP-SAT), ``"feasible"`` (CP-SAT, not proven),
    ``"heuristic"`` (the fast heuristics). ``lower_bound``: a proven lower bound on the
    makespan; ``gap_pct``: ``100 * (makespan - lower_bound) / lower_bound`` (0 when the
    bound is 0). ``seconds``: wall time spent.
    """

    starts: tuple[int, ...]
    makespan: int
    status: Status
    lower_bound: int
    gap_pct: float
    seconds: float

    @staticmethod
    def gap(makespan: int, lower_bound: int) -> float:
        if lower_bound <= 0:
            return 0.0 if makespan <= 0 else math.inf
        return 100.0 * (makespan - lower_bound) / lower_bound


def _topological_order(
    n: int, successors: tuple[tuple[tuple[int, int], ...], ...]
) -> list[int] | None:
    indeg = [0] * n
    for succ in successors:
        for j, _ in succ:
            indeg[j] += 1
    stack = [i for i in range(n - 1, -1, -1) if indeg[i] == 0]
    order: list[int] = []
    while stack:
        i = stack.pop()
        order.append(i)
        for j, _ in successors[i]:
            indeg[j] -= 1
            if indeg[j] == 0:
                stack.append(j)
    return order if len(order) == n else None


def _find_cycle(p: Rcpsp) -> list[int]:
    from jalon.engine.model import find_cycle

    graph = {i: [j for j, _ in p.successors[i]] for i in range(p.n_tasks)}
    return find_cycle(graph, range(p.n_tasks))


def _validate(p: Rcpsp) -> None:
    n, m = p.n_tasks, p.n_resources

    def bad(message: str, task: int | None = None, what: str = "durations") -> ValidationError:
        return ValidationError(
            message, task=None if task is None else p.task_name(task), field=what
        )

    if p.names and len(p.names) != n:
        raise bad(f"{len(p.names)} names for {n} tasks", what="names")
    if p.resource_names and len(p.resource_names) != m:
        raise bad(f"{len(p.resource_names)} resource names for {m} resources", what="resources")
    for i, d in enumerate(p.durations):
        if d < 0:
            raise bad(f"duration {d!r} is not a whole number of periods >= 0", i)
    for r, c in enumerate(p.capacities):
        if c < 0:
            raise bad(f"{p.resource_name(r)}: negative capacity {c}", what="capacities")
    if p.demands and len(p.demands) != n:
        raise bad(f"{len(p.demands)} demand rows for {n} tasks", what="demands")
    for i, row in enumerate(p.demands):
        if len(row) != m:
            raise bad(f"{len(row)} demands for {m} resources", i, "demands")
        if any(q < 0 for q in row):
            raise bad("negative demand", i, "demands")
    if p.capacity_profiles and len(p.capacity_profiles) != m:
        raise bad(
            f"{len(p.capacity_profiles)} capacity profiles for {m} resources",
            what="capacity_profiles",
        )
    for r, profile in enumerate(p.capacity_profiles):
        last = -1
        for t, c in profile:
            if t <= last or t < 0:
                raise bad(
                    f"{p.resource_name(r)}: capacity steps must start at periods >= 0, "
                    "in increasing order",
                    what="capacity_profiles",
                )
            if c < 0:
                raise bad(f"{p.resource_name(r)}: negative capacity {c}", what="capacity_profiles")
            last = t
    if p.releases and len(p.releases) != n:
        raise bad(f"{len(p.releases)} release dates for {n} tasks", what="releases")
    for i, rel in enumerate(p.releases):
        if rel < 0:
            raise bad(f"negative release date {rel}", i, "releases")
    for i, j, _ in p.precedences:
        if not (0 <= i < n and 0 <= j < n):
            raise bad(f"arc {i} -> {j} names a task outside 0..{n - 1}", what="precedences")
        if i == j:
            raise CycleError([p.task_name(i)])
    if _topological_order(n, p.successors) is None:
        raise CycleError([p.task_name(i) for i in _find_cycle(p)])
    seen: set[int] = set()
    for i, s in p.fixed:
        if not 0 <= i < n:
            raise bad(f"fixed task {i} is outside 0..{n - 1}", what="fixed")
        if i in seen:
            raise bad("fixed twice", i, "fixed")
        seen.add(i)
        if s < p.release(i):
            raise bad(f"fixed start {s} is before the release date {p.release(i)}", i, "fixed")
    if p.deadline is not None and p.deadline < 0:
        raise bad(f"negative deadline {p.deadline}", what="deadline")
    if m:
        peak = [max(c for _, c in p.capacity_steps(r)) for r in range(m)]
        for i, row in enumerate(p.demands):
            if p.durations[i] == 0:
                continue
            for r, q in enumerate(row):
                if q > peak[r]:
                    raise bad(
                        f"needs {q} units of {p.resource_name(r)}, "
                        f"which never has more than {peak[r]}",
                        i,
                        "demands",
                    )
