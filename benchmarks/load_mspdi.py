"""How fast ``jalon.load_plan`` reads a generated MS Project XML (MSPDI) file.

Generates a plan (10,000 tasks by default, ``benchmarks/generator.py``), schedules it and
writes it as MSPDI with ``jalon.io.save_plan`` (untimed), then times
``jalon.load_plan(path)`` ``--repeat`` times with ``time.perf_counter``: median and min
(and the process CPU time, ``time.process_time``, less sensitive to other load).

    python benchmarks/load_mspdi.py
    python benchmarks/load_mspdi.py --n 10000 --repeat 5 --json load.json
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import jalon
from generator import generate_plan
from jalon.io import save_plan


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time jalon.load_plan on a generated MSPDI file.")
    parser.add_argument("--n", type=int, default=10_000, help="tasks (default 10,000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the measurements here")
    parser.add_argument("--keep", type=Path, help="write the MSPDI file here and keep it")
    args = parser.parse_args(argv)

    plan = generate_plan(args.n, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / f"generated-{args.n}-seed{args.seed}.xml"
        t0 = time.perf_counter()
        save_plan(plan, path, schedule=jalon.schedule(plan))
        write_s = time.perf_counter() - t0
        size_mb = path.stat().st_size / 2**20
        runs: list[float] = []
        cpu: list[float] = []
        loaded = None
        for _ in range(args.repeat):
            del loaded
            gc.collect()
            c0, t0 = time.process_time(), time.perf_counter()
            loaded = jalon.load_plan(path)
            runs.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
    assert loaded is not None
    result = {
        "n": args.n,
        "seed": args.seed,
        "links": len(plan.links),
        "file_mb": size_mb,
        "schedule_and_write_s": write_s,
        "load_plan_s": {"median": statistics.median(runs), "min": min(runs), "runs": runs},
        "load_plan_cpu_s": {"median": statistics.median(cpu), "min": min(cpu), "runs": cpu},
        "load_average": os.getloadavg(),
        "loaded_tasks": len(loaded.tasks),
        "loaded_links": len(loaded.links),
    }
    print("| tasks | links | file (MB) | load_plan median / min (ms) | CPU time median (ms) |")
    print("|---:|---:|---:|---:|---:|")
    print(
        f"| {args.n:,} | {len(plan.links):,} | {size_mb:.1f} | "
        f"{statistics.median(runs) * 1000:,.0f} / {min(runs) * 1000:,.0f} | "
        f"{statistics.median(cpu) * 1000:,.0f} |"
    )
    if len(loaded.tasks) != len(plan.tasks) or len(loaded.links) != len(plan.links):
        print(
            f"warning: read back {len(loaded.tasks)} tasks and {len(loaded.links)} links",
            file=sys.stderr,
        )
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
