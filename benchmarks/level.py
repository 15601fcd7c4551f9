"""How fast ``jalon.engine.leveling.level`` levels a large plan.

The plan is ``benchmarks/generator.py``'s ``generate_plan(n, seed)`` (10,000 tasks by
default) staffed here with ``--resources`` people (50 by default), as a programme
office would staff it:

* each work package (the summary holding the tasks) is given a team of two or three
  people, chosen at random; each task takes one of them (one task in ten two of them),
  at 100 % (one in five at 50 %), never above the person's maximum units;
* one person in ten works part time (``max_units`` 0.5) and one in ten works on the
  UK site's calendar (British holidays); one is a team of two (``max_units`` 2);
* milestones and summary tasks get no one.

Then, on one process: the CPM schedule (untimed: ``level`` is given it, as
``jalon level`` and ``jalon schedule --level`` do), over-allocations per day before,
``level(plan, schedule, mode="fast")`` ``--repeat`` times (median and min: the machine
may be shared), the finish before and after, tasks moved, over-allocations left; with
``--optimal S``, one ``mode="optimal"`` run with that time limit (status, bound, gap).

    python benchmarks/level.py                          # 10,000 tasks, 50 people, 5 runs
    python benchmarks/level.py --n 2000 --optimal 30 --json level.json

Prints a Markdown table; ``--json`` also writes every measurement.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generator import UK_CALENDAR, generate_plan  # noqa: E402
from jalon.engine import Assignment, Constraint, Plan, Resource, schedule  # noqa: E402
from jalon.engine.leveling import level, overallocations  # noqa: E402


def staffed_plan(n: int, seed: int = 0, people: int = 50) -> Plan:
    """``generate_plan(n, seed)`` with ``people`` resources and their assignments."""
    plan = generate_plan(n, seed)
    rnd = random.Random(seed * 7919 + people)
    resources = []
    for k in range(people):
        max_units = 1.0
        calendar = None
        if k % 10 == 3:
            max_units = 0.5
        elif k % 10 == 7:
            calendar = UK_CALENDAR
        if k == people - 1:
            max_units = 2.0
        resources.append(
            Resource(uid=k + 1, name=f"Person {k + 1:02d}", max_units=max_units, calendar=calendar)
        )
    teams: dict[int | None, list[int]] = {}
    assignments = []
    summaries = {t.parent for t in plan.tasks if t.parent is not None}
    uid = 1
    for t in plan.tasks:
        if t.uid in summaries or t.duration == 0:
            continue
        team = teams.get(t.parent)
        if team is None:
            team = rnd.sample(range(1, people + 1), k=rnd.choice((2, 3, 3)))
            teams[t.parent] = team
        who = rnd.sample(team, k=2 if rnd.random() < 0.1 else 1)
        for r in who:
            units = 0.5 if rnd.random() < 0.2 else 1.0
            units = min(units, resources[r - 1].max_units)  # nobody booked above their time
            assignments.append(Assignment(task=t.uid, resource=r, units=units, uid=uid))
            uid += 1
    return plan.replace(resources=tuple(resources), assignments=tuple(assignments))


def run(
    n: int, seed: int, people: int, repeat: int, optimal: float | None, plain: bool = False
) -> dict[str, Any]:
    t = time.perf_counter()
    plan = staffed_plan(n, seed, people)
    if plain:
        plan = plan.replace(tasks=tuple(replace(t, constraint=Constraint()) for t in plan.tasks))
    generate_s = time.perf_counter() - t
    before = schedule(plan)
    conflicts = overallocations(plan, before, "day")
    runs = []
    cpu = []
    result = None
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        result = level(plan, before, mode="fast")
        runs.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    assert result is not None
    out: dict[str, Any] = {
        "tasks": len(plan.tasks),
        "resources": len(plan.resources),
        "assignments": len(plan.assignments),
        "seed": seed,
        "constraints": not plain,
        "generate_s": generate_s,
        "overallocated_days_before": len(conflicts),
        "fast": {
            "median_s": statistics.median(runs),
            "min_s": min(runs),
            "runs_s": runs,
            "cpu_median_s": statistics.median(cpu),
            "cpu_min_s": min(cpu),
            "finish_before": result.finish_before.isoformat(),
            "finish_after": result.finish_after.isoformat(),
            "lower_bound": result.lower_bound.isoformat(),
            "gap_pct": result.gap_pct,
            "moved": len(result.moved),
            "delayed": len(result.delays),
            "remaining_overallocated_days": len(result.remaining_overallocations),
            "granularity_min": result.granularity,
        },
        "machine": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "loadavg": os.getloadavg(),
        },
    }
    if optimal is not None:
        t, c = time.perf_counter(), time.process_time()
        best = level(plan, before, mode="optimal", time_limit=optimal)
        out["optimal"] = {
            "time_limit_s": optimal,
            "seconds": time.perf_counter() - t,
            "cpu_s": time.process_time() - c,
            "status": best.status,
            "finish_after": best.finish_after.isoformat(),
            "lower_bound": best.lower_bound.isoformat(),
            "gap_pct": best.gap_pct,
            "moved": len(best.moved),
            "remaining_overallocated_days": len(best.remaining_overallocations),
        }
    return out


def table(r: dict[str, Any]) -> str:
    f = r["fast"]
    lines = [
        "| tasks | people | assignments | over-allocated person-days before | "
        "fast: wall median (min) | CPU median | finish before -> after | lower bound | gap "
        "| tasks moved | over-allocated days left |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        f"| {r['tasks']:,} | {r['resources']} | {r['assignments']:,} | "
        f"{r['overallocated_days_before']:,} | {f['median_s']:.2f} s ({f['min_s']:.2f} s) | "
        f"{f['cpu_median_s']:.2f} s | "
        f"{f['finish_before'][:10]} -> {f['finish_after'][:10]} | {f['lower_bound'][:10]} | "
        f"{f['gap_pct']:.1f} % | {f['moved']:,} | {f['remaining_overallocated_days']} |",
    ]
    if "optimal" in r:
        o = r["optimal"]
        lines.append("")
        lines.append(
            f"optimal ({o['time_limit_s']:g} s limit, {o['seconds']:.1f} s wall, "
            f"{o['cpu_s']:.1f} s CPU): {o['status']}, "
            f"finish {o['finish_after'][:10]}, bound {o['lower_bound'][:10]}, "
            f"gap {o['gap_pct']:.1f} %, {o['moved']:,} tasks moved, "
            f"{o['remaining_overallocated_days']} over-allocated days left"
        )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000, help="tasks (default 10,000)")
    ap.add_argument("--resources", type=int, default=50, help="people (default 50)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--optimal", type=float, default=None, help="also run optimal mode, S s")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument(
        "--plain",
        action="store_true",
        help="drop the generator's dated constraints (SNET, FNLT, MSO, ALAP...) first",
    )
    args = ap.parse_args()
    r = run(args.n, args.seed, args.resources, args.repeat, args.optimal, args.plain)
    print(table(r))
    print(f"\nload average {r['machine']['loadavg'][0]:.1f} on {r['machine']['cpus']} CPUs")
    if args.json:
        args.json.write_text(json.dumps(r, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
