"""Fast RCPSP heuristics: schedule generation schemes, priority rules and justification.

* The *serial* scheme takes the tasks one by one in a priority order that respects the
  arcs and starts each at the first period where its predecessors allow it and every
  resource it needs has room for its whole duration.
* The *parallel* scheme walks through time and, at each decision point, starts whatever
  eligible tasks fit, best priority first.
* Priority rules: LFT (latest finish), LST (latest start), MTS (most total successors),
  GRPW (greatest rank positional weight); then, in turn, random-biased sampling (the
  parallel scheme on LFT plus seeded noise) and iterated justification (the serial
  scheme on the current schedule's start times plus seeded noise).
* Forward-backward improvement (justification): schedule backwards from the current
  makespan, latest finishers first, then forwards again, earliest starters first. Each
  pass packs the schedule against one end and never makes a classic schedule longer.

Resource availability is kept per period, one list of free units per resource (see
:class:`_Direction`), so capacity that varies over time costs nothing extra. Every
schedule is checked against what its scheme does not guarantee (releases, the deadline,
pins) before it is kept, so negative lags, where justification loses its guarantee,
are safe. Everything is deterministic for a given seed.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable, Sequence

import numpy as np

from jalon.engine.leveling.rcpsp import InfeasibleError, IntArray, Rcpsp, RcpspSolution

RULES = ("LFT", "LST", "MTS", "GRPW")

#: Work budget, in task placements (one placement: one task put on one schedule): about
#: 75 schedule passes for 120 tasks, forward and backward ones included. On j120 it
#: buys 4.96 % above the best known (14,000: 4.72 %, for half as much time again).
DEFAULT_BUDGET = 9_000

#: Noise of random-biased sampling, as a share of the range of the LFT priorities.
SAMPLING_SPREAD = 0.1

#: The genetic search (:meth:`Heuristic.evolve`): schedules kept, and the noise added
#: to a child's positions (in positions of its activity list).
POPULATION = 20
MUTATION = 2.0


def _first_fit(
    avail: list[list[int]], use: list[tuple[int, int]], t: int, duration: int, horizon: int
) -> int:
    """The first period from ``t`` where ``use`` fits for ``duration``; -1 if none."""
    while True:
        if t + duration > horizon:
            return -1
        for r, q in use:
            window = avail[r][t : t + duration]
            if min(window) < q:
                k = duration - 1
                while window[k] >= q:
                    k -= 1
                t += k + 1
                break
        else:
            return t


class _Direction:
    """Everything one scheduling direction needs: forward, or backward (time reversed).

    What is left of each resource is a plain list of units per period (``avail[r]``):
    checking a window is ``min`` of a slice and taking it a slice assignment, both done
    in C, so one placement costs a few microseconds whatever the capacities.
    """

    def __init__(
        self,
        n: int,
        durations: list[int],
        preds: list[list[tuple[int, int]]],
        succs: list[list[int]],
        releases: list[int],
        fixed: dict[int, int],
        capacity: IntArray,
        uses: list[list[tuple[int, int]]],
    ) -> None:
        self.n = n
        self.d = durations
        self.preds = preds
        self.succs = succs
        self.releases = releases
        self.fixed = fixed
        self.horizon = capacity.shape[1]
        self.uses = uses
        self.indegree = [0] * n
        for i in range(n):
            for j in succs[i]:
                self.indegree[j] += 1
        self.sources = [i for i in range(n) if self.indegree[i] == 0]
        # With no negative lag, sorting a valid schedule's starts (ties: topological
        # rank) gives a topological order, and :meth:`by_start` needs no heap.
        self.monotone = all(lag >= 0 for p in preds for _, lag in p)
        self.rank = [0] * n
        for k, i in enumerate(self.order([0.0] * n)):
            self.rank[i] = k
        # resources already taken by the fixed tasks
        base = capacity.copy()
        for i, s in fixed.items():
            for r, q in uses[i]:
                base[r, s : s + durations[i]] -= q
        self.avail: list[list[int]] = base.tolist()

    def order(self, key: Sequence[float]) -> list[int]:
        """A topological order of the arcs, smallest key first among the ready tasks."""
        indeg = self.indegree.copy()
        heap = [(key[i], i) for i in self.sources]
        heapq.heapify(heap)
        out = []
        succs = self.succs
        push, pop = heapq.heappush, heapq.heappop
        while heap:
            i = pop(heap)[1]
            out.append(i)
            for j in succs[i]:
                indeg[j] -= 1
                if not indeg[j]:
                    push(heap, (key[j], j))
        return out

    def by_start(self, starts: Sequence[int]) -> list[int]:
        """A topological order by the start times of a valid schedule (this direction's)."""
        n, rank = self.n, self.rank
        key = [starts[i] * n + rank[i] for i in range(n)]
        if self.monotone:
            return sorted(range(n), key=key.__getitem__)
        return self.order(key)

    def serial(self, order: Sequence[int]) -> list[int] | None:
        """The serial scheme on ``order`` (a topological order); None if it fails.

        Each task starts at the first period its predecessors allow where every
        resource it uses has room for its whole length: when a resource lacks room in
        the window, the search jumps past the last period lacking it.
        """
        avail = [a.copy() for a in self.avail]
        horizon = self.horizon
        starts = [0] * self.n
        d, uses, fixed, preds, releases = self.d, self.uses, self.fixed, self.preds, self.releases
        for i in order:
            t = releases[i]
            for p, lag in preds[i]:
                v = starts[p] + lag
                # a comparison costs less than a call to max() in this loop
                if v > t:  # noqa: PLR1730
                    t = v
            if fixed and i in fixed:
                if fixed[i] < t:
                    return None  # a predecessor ended up too late for the pinned task
                starts[i] = fixed[i]
                continue
            di = d[i]
            use = uses[i]
            if di and use:
                if t + di > horizon:
                    return None
                while True:
                    for r, q in use:
                        window = avail[r][t : t + di]
                        if min(window) < q:
                            k = di - 1
                            while window[k] >= q:
                                k -= 1
                            t += k + 1
                            break
                    else:
                        break
                    if t + di > horizon:
                        return None
                end = t + di
                for r, q in use:
                    a = avail[r]
                    a[t:end] = [x - q for x in a[t:end]]
            starts[i] = t
        return starts

    def parallel(self, key: Sequence[float]) -> list[int] | None:
        """The parallel scheme, best (smallest) key first at each decision point.

        At each decision point the ready tasks are tried best key first (one that a
        predecessor just made ready competes at once). A task that does not fit waits
        until the first period where it fits now: periods only fill up, so it could not
        start earlier. The decision points are thus the periods where some task's
        predecessors first allow it or where it first fits, which are among the ends
        of tasks and the changes of capacity of the textbook scheme.
        """
        n, d, uses, fixed = self.n, self.d, self.uses, self.fixed
        avail = [a.copy() for a in self.avail]
        horizon = self.horizon
        starts = [0] * n
        earliest = self.releases.copy()
        waiting = self.indegree.copy()
        succ_lags = self.succ_lags
        push, pop = heapq.heappush, heapq.heappop
        future: list[tuple[int, int]] = []  # (earliest start, task): not ready yet
        ready: list[tuple[float, int]] = []  # (key, task)
        left = n
        t = 0

        def release(i: int, s: int) -> None:
            for j, lag in succ_lags[i]:
                earliest[j] = max(earliest[j], s + lag)
                waiting[j] -= 1
                if not waiting[j] and j not in fixed:
                    push(future, (earliest[j], j))

        # pinned tasks are in place from the outset (their resources are in ``avail``)
        for i, s in fixed.items():
            starts[i] = s
            left -= 1
            release(i, s)
        for i in self.sources:
            if i not in fixed:
                push(future, (earliest[i], i))
        while left:
            while future and future[0][0] <= t:
                i = pop(future)[1]
                push(ready, (key[i], i))
            while ready:
                i = pop(ready)[1]
                di = d[i]
                use = uses[i]
                if di and use:
                    fit = _first_fit(avail, use, t, di, horizon)
                    if fit != t:
                        if fit < 0:
                            return None
                        # it cannot start before it first fits now: the periods only fill
                        push(future, (fit, i))
                        continue
                    end = t + di
                    for r, q in use:
                        a = avail[r]
                        a[t:end] = [x - q for x in a[t:end]]
                starts[i] = t
                left -= 1
                release(i, t)
                while future and future[0][0] <= t:
                    j = pop(future)[1]
                    push(ready, (key[j], j))
            if not left:
                break
            if not future or future[0][0] >= horizon:
                return None
            t = future[0][0]
        return starts

    @property
    def succ_lags(self) -> list[list[tuple[int, int]]]:
        got: list[list[tuple[int, int]]] | None = self.__dict__.get("_succ_lags")
        if got is None:
            got = [[] for _ in range(self.n)]
            for j in range(self.n):
                for i, lag in self.preds[j]:
                    got[i].append((j, lag))
            self.__dict__["_succ_lags"] = got
        return got


class Heuristic:
    """Schedule generation for one problem; build once, then call :meth:`solve`."""

    def __init__(self, problem: Rcpsp) -> None:
        self.problem = p = problem
        n = p.n_tasks
        self.n = n
        d = list(p.durations)
        self.d = d
        max_d = max(d, default=0)
        horizon = p.horizon + max_d + 1
        self.horizon = horizon
        capacity = p.capacity_array(horizon)
        demand = p.demand_matrix
        uses = [[(int(r), int(demand[i, r])) for r in np.flatnonzero(demand[i])] for i in range(n)]
        preds = [list(x) for x in p.predecessors]
        succs = [[j for j, _ in x] for x in p.successors]
        releases = [p.release(i) for i in range(n)]
        self.releases = releases
        self.forward = _Direction(n, d, preds, succs, releases, p.fixed_starts, capacity, uses)
        # The backward direction mirrors time around a makespan, so it is built per pass.
        self.uses, self.capacity = uses, capacity
        self.back_preds: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        self.back_succs: list[list[int]] = [[] for _ in range(n)]
        for i, j, lag in p.precedences:
            # start[j] >= start[i] + lag  <=>  rev[i] >= rev[j] + lag + d[j] - d[i]
            self.back_preds[i].append((j, lag + d[j] - d[i]))
            self.back_succs[j].append(i)
        arcs = np.asarray(p.precedences, dtype=np.int64).reshape(-1, 3)
        self.arc_i, self.arc_j, self.arc_lag = arcs[:, 0], arcs[:, 1], arcs[:, 2]
        # With constant capacity and nothing pinned, time mirrored around any makespan
        # sees the same capacity: one backward direction serves every pass (a task it
        # would put before period 0 makes the pass fail, as with a mirrored profile).
        self.back: _Direction | None = None
        if not p.fixed and not p.has_time_varying_capacity:
            self.back = _Direction(
                n, d, self.back_preds, self.back_succs, [0] * n, {}, capacity, uses
            )
        self.has_releases = any(releases)
        self.dur_arr = np.asarray(d, dtype=np.int64)
        self.lower_bound = p.lower_bound
        self.placements = 0
        self._priorities()

    # -- priority values (smaller is better) -------------------------------------------
    def _priorities(self) -> None:
        p, n, d = self.problem, self.n, self.d
        # latest starts against the critical-path bound, tightened by pinned tasks
        bound = p.critical_path_bound
        ls = [bound - t for t in p.tails]
        for i, s in p.fixed:
            ls[i] = min(ls[i], s)
        for i in reversed(p.topological_order):
            for j, lag in p.successors[i]:
                ls[i] = min(ls[i], ls[j] - lag)
        total_successors = [0] * n
        reach = [0] * n
        for i in reversed(p.topological_order):
            bits = 0
            for j, _ in p.successors[i]:
                bits |= reach[j] | (1 << j)
            reach[i] = bits
            total_successors[i] = bits.bit_count()
        self.keys: dict[str, list[float]] = {
            "LFT": [ls[i] + d[i] + i * 1e-6 for i in range(n)],
            "LST": [ls[i] + i * 1e-6 for i in range(n)],
            "MTS": [-total_successors[i] + 1e-3 * (ls[i] + d[i]) for i in range(n)],
            "GRPW": [
                -(d[i] + sum(d[j] for j, _ in p.successors[i])) + 1e-3 * (ls[i] + d[i])
                for i in range(n)
            ],
        }
        self.latest_finish = np.asarray([ls[i] + d[i] for i in range(n)], dtype=float)

    # -- checks --------------------------------------------------------------------------
    def valid(self, starts: Sequence[int]) -> bool:
        """Releases and deadline; with pinned tasks, also the arcs and the pins.

        Capacity holds by construction. So do the arcs when nothing is pinned: both
        schemes place a task once all its predecessors are placed, where every arc
        allows it (backward passes likewise in reversed time). A pinned task is placed
        first, so an arc into it must be checked; a backward pass ignores releases.
        """
        if self.problem.fixed:
            s = np.asarray(starts, dtype=np.int64)
            if self.arc_i.size and (s[self.arc_j] < s[self.arc_i] + self.arc_lag).any():
                return False
            if any(s[i] != v for i, v in self.problem.fixed):
                return False
        if self.has_releases and any(s < r for s, r in zip(starts, self.releases, strict=True)):
            return False
        deadline = self.problem.deadline
        return deadline is None or self.makespan(starts) <= deadline

    def makespan(self, starts: Sequence[int]) -> int:
        if not self.n:
            return 0
        return max(s + d for s, d in zip(starts, self.d, strict=True))

    # -- passes ----------------------------------------------------------------------
    def serial(self, key: Sequence[float]) -> list[int] | None:
        self.placements += self.n
        starts = self.forward.serial(self.forward.order(key))
        return starts if starts is not None and self.valid(starts) else None

    def parallel(self, key: Sequence[float]) -> list[int] | None:
        self.placements += self.n
        starts = self.forward.parallel(key)
        return starts if starts is not None and self.valid(starts) else None

    def backward(self, starts: list[int]) -> list[int] | None:
        """Right-justify ``starts``: latest finishers first, against its makespan."""
        n, d = self.n, self.d
        m = self.makespan(starts)
        back = self.back
        if back is None:
            # reversed time: tau = m - t; capacity mirrored, nothing before period 0
            cap = np.zeros_like(self.capacity)
            cap[:, :m] = self.capacity[:, m - 1 :: -1] if m else 0
            fixed = {i: m - s - d[i] for i, s in self.problem.fixed}
            back = _Direction(
                n, d, self.back_preds, self.back_succs, [0] * n, fixed, cap, self.uses
            )
        self.placements += n
        rev = back.serial(back.by_start([m - starts[i] - d[i] for i in range(n)]))
        if rev is None:
            return None
        out = [m - rev[i] - d[i] for i in range(n)]
        return out if min(out, default=0) >= 0 and self.valid(out) else None

    def forward_pass(self, starts: list[int]) -> list[int] | None:
        """Left-justify ``starts``: earliest starters first."""
        self.placements += self.n
        out = self.forward.serial(self.forward.by_start(starts))
        return out if out is not None and self.valid(out) else None

    def improve(self, starts: list[int], rounds: int = 4) -> list[int]:
        """Forward-backward improvement until it stops paying (at most ``rounds``)."""
        best, best_m = starts, self.makespan(starts)
        current = starts
        for _ in range(rounds):
            if best_m <= self.lower_bound:
                break
            back = self.backward(current)
            if back is None:
                break
            fwd = self.forward_pass(back)
            if fwd is None:
                break
            m = self.makespan(fwd)
            current = fwd
            if m < best_m:
                best, best_m = fwd, m
            else:
                break
        return best

    # -- the whole heuristic -------------------------------------------------------------
    def solve(
        self, *, seed: int = 0, budget: int = DEFAULT_BUDGET, seconds: float | None = None
    ) -> list[int] | None:
        """The best schedule found within ``budget`` task placements (and ``seconds`` of
        wall time, when given: then the result depends on the machine); None if none."""
        stop = None if seconds is None else time.perf_counter() + seconds
        candidates: list[list[int]] = []
        for rule in RULES:
            for scheme in (self.serial, self.parallel):
                got = scheme(self.keys[rule])
                if got is not None:
                    candidates.append(got)
        if not candidates:
            return None
        candidates.sort(key=self.makespan)
        best = candidates[0]
        seen: set[tuple[int, ...]] = set()
        for cand in candidates[:2]:
            if tuple(cand) in seen:
                continue
            seen.add(tuple(cand))
            improved = self.improve(cand)
            if self.makespan(improved) < self.makespan(best):
                best = improved
        best_m = self.makespan(best)
        # Then two moves in turn, each followed by forward-backward improvement:
        # * random-biased sampling: the parallel scheme on the LFT rule plus noise of a
        #   tenth of its range, which explores schedules far from the best one;
        # * iterated justification: the serial scheme on the current schedule's starts
        #   plus noise of about one mean duration, which searches near it; ties are
        #   kept to drift across plateaus.
        rng = np.random.default_rng(seed)
        n = self.n
        width = sum(self.d) / max(1, n)
        lft = np.asarray(self.keys["LFT"])
        spread = SAMPLING_SPREAD * (float(lft.max() - lft.min()) if n else 0.0) or 1.0
        current, current_m = best, best_m
        turn = 0
        while self.placements < budget and best_m > self.lower_bound:
            if stop is not None and time.perf_counter() > stop:
                break
            turn += 1
            if turn % 2:
                got = self.parallel((lft + rng.random(n) * spread).tolist())
            else:
                noise = rng.random(n) * width
                got = self.serial([current[i] + noise[i] for i in range(n)])
            if got is None:
                continue
            got = self.improve(got, rounds=2)
            m = self.makespan(got)
            if m <= current_m:
                current, current_m = got, m
            if m < best_m:
                best, best_m = got, m
        return best

    def evolve(
        self,
        start: list[int],
        *,
        seed: int = 0,
        seconds: float,
        halt: Callable[[], bool] | None = None,
        population: int = POPULATION,
    ) -> list[int]:
        """A genetic search from ``start`` for ``seconds`` of wall time: the best found.

        Individuals are schedules; a child takes the order of one parent's tasks (by
        start) up to one cut, the other parent's order of the rest up to a second cut,
        then the first parent's (two-point crossover on activity lists), with a little
        noise, goes through the serial scheme and forward-backward improvement, and
        replaces the worst individual when it is no worse and not already there.
        """
        stop = time.perf_counter() + seconds
        n = self.n
        rng = np.random.default_rng(seed)
        best, best_m = list(start), self.makespan(start)
        if n < 2:
            return best
        lft = np.asarray(self.keys["LFT"])
        spread = SAMPLING_SPREAD * (float(lft.max() - lft.min()) or 1.0)
        pool: list[tuple[int, list[int]]] = [(best_m, best)]
        seen = {tuple(best)}

        def done() -> bool:
            return (
                best_m <= self.lower_bound
                or time.perf_counter() > stop
                or (halt is not None and halt())
            )

        while len(pool) < population and not done():
            got = self.parallel((lft + rng.random(n) * spread).tolist())
            if got is None:
                continue
            got = self.improve(got, rounds=2)
            if tuple(got) in seen:
                continue
            seen.add(tuple(got))
            m = self.makespan(got)
            pool.append((m, got))
            if m < best_m:
                best, best_m = got, m
        while not done():
            # binary tournaments on the pool sorted by makespan (a lower index wins)
            pool.sort(key=lambda x: x[0])
            a, b = (int(min(rng.choice(len(pool), 2, replace=False))) for _ in range(2))
            if a == b:
                continue
            order_a = sorted(range(n), key=pool[a][1].__getitem__)
            order_b = sorted(range(n), key=pool[b][1].__getitem__)
            q1, q2 = sorted(int(x) for x in rng.integers(0, n + 1, 2))
            child = order_a[:q1]
            taken = set(child)
            for i in order_b:
                if len(child) >= q2:
                    break
                if i not in taken:
                    child.append(i)
                    taken.add(i)
            child += [i for i in order_a if i not in taken]
            key = [0.0] * n
            noise = rng.random(n) * MUTATION
            for pos, i in enumerate(child):
                key[i] = pos + noise[i]
            got = self.serial(key)
            if got is None:
                continue
            got = self.improve(got, rounds=2)
            m = self.makespan(got)
            t = tuple(got)
            if m <= pool[-1][0] and t not in seen:
                seen.add(t)
                pool[-1] = (m, got)
                if m < best_m:
                    best, best_m = got, m
        return best


def solve_fast(
    problem: Rcpsp,
    *,
    seed: int = 0,
    budget: int | None = None,
    fallback: Callable[[Rcpsp], RcpspSolution] | None = None,
) -> RcpspSolution:
    """Level ``problem`` with the heuristics; deterministic for a given ``seed``.

    Serial and parallel schemes with the LFT, LST, MTS and GRPW rules, forward-backward
    improvement of the best two, then random-biased sampling and iterated justification
    in turn, each followed by improvement, until ``budget`` task placements are spent (default
    :data:`DEFAULT_BUDGET`, at least 20 per task) or the lower bound is reached. Status
    ``"heuristic"``, or ``"optimal"`` when the makespan meets the lower bound.

    When no schedule meets the pinned tasks or the deadline (the heuristics cannot
    search for those), ``fallback`` is tried (CP-SAT, by default, for 10 s); if that
    finds nothing either, :class:`InfeasibleError`.
    """
    t0 = time.perf_counter()
    heuristic = Heuristic(problem)
    work = budget if budget is not None else max(DEFAULT_BUDGET, 20 * problem.n_tasks)
    starts = heuristic.solve(seed=seed, budget=work)
    if starts is None:
        if fallback is None:
            from jalon.engine.leveling.cpsat.solve import solve_optimal

            return solve_optimal(problem, time_limit=10.0)
        return fallback(problem)
    makespan = heuristic.makespan(starts)
    bound = problem.lower_bound
    return RcpspSolution(
        starts=tuple(starts),
        makespan=makespan,
        status="optimal" if makespan <= bound else "heuristic",
        lower_bound=bound,
        gap_pct=RcpspSolution.gap(makespan, bound),
        seconds=time.perf_counter() - t0,
    )


__all__ = ["RULES", "Heuristic", "InfeasibleError", "solve_fast"]
