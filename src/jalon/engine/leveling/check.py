"""An independent checker for RCPSP schedules.

It shares no code with the solvers on purpose: plain loops over tasks, arcs and periods,
written to be obviously right rather than fast. The solvers' results are only trusted
once it accepts them (the tests run it on every result).
"""

from __future__ import annotations

from collections.abc import Sequence

from jalon.engine.leveling.rcpsp import Rcpsp


def check(problem: Rcpsp, starts: Sequence[int]) -> list[str]:
    """Every way ``starts`` breaks ``problem``, one message each; ``[]`` when it is valid.

    Checks: one whole start per task, ``>= 0``; release dates; fixed starts; every
    precedence arc with its lag; the deadline; and, period by period, each resource's use
    against its capacity in that period (time-varying capacity included).
    """
    n = len(problem.durations)
    if len(starts) != n:
        return [f"{len(starts)} start times for {n} tasks"]
    out: list[str] = []
    s: list[int] = []
    for i, value in enumerate(starts):
        if int(value) != value:
            out.append(f"{_name(problem, i)}: start {value!r} is not a whole period")
        s.append(int(value))
    for i in range(n):
        if s[i] < 0:
            out.append(f"{_name(problem, i)}: starts at {s[i]}, before period 0")
        release = problem.releases[i] if problem.releases else 0
        if s[i] < release:
            out.append(f"{_name(problem, i)}: starts at {s[i]}, before its release {release}")
    for i, pinned in problem.fixed:
        if s[i] != pinned:
            out.append(f"{_name(problem, i)}: fixed at {pinned} but starts at {s[i]}")
    for i, j, lag in problem.precedences:
        if s[j] < s[i] + lag:
            out.append(
                f"precedence {_name(problem, i)} -> {_name(problem, j)} (lag {lag}): "
                f"start {s[j]} < {s[i]} + {lag}"
            )
    if problem.deadline is not None:
        for i in range(n):
            if s[i] + problem.durations[i] > problem.deadline:
                out.append(
                    f"{_name(problem, i)}: finishes at {s[i] + problem.durations[i]}, "
                    f"after the deadline {problem.deadline}"
                )
    for r in range(len(problem.capacities)):
        use: dict[int, int] = {}
        for i in range(n):
            demand = problem.demands[i][r] if problem.demands else 0
            if demand == 0:
                continue
            for t in range(s[i], s[i] + problem.durations[i]):
                use[t] = use.get(t, 0) + demand
        for t in sorted(use):
            capacity = _capacity(problem, r, t)
            if use[t] > capacity:
                name = problem.resource_names[r] if problem.resource_names else f"resource {r}"
                out.append(f"{name}: {use[t]} units used in period {t}, capacity {capacity}")
    return out


def _name(problem: Rcpsp, i: int) -> str:
    return problem.names[i] if problem.names else f"task {i}"


def _capacity(problem: Rcpsp, r: int, t: int) -> int:
    capacity = problem.capacities[r]
    profile = problem.capacity_profiles[r] if problem.capacity_profiles else ()
    for start, value in profile:
        if start <= t:
            capacity = value
    return capacity
