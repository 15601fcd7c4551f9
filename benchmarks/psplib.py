"""Resource levelling on PSPLIB: the figures of docs/benchmarks.md, "Resource levelling".

Runs ``jalon bench psplib`` (the same code, :func:`jalon.cli.bench.run_bench`) on each
configured set, one after the other (CP-SAT uses both cores), and prints one Markdown
row per run; ``--json DIR`` also keeps every run's full JSON (per-instance results).

    python benchmarks/psplib.py                       # the runs of docs/benchmarks.md
    python benchmarks/psplib.py --only j30-optimal --json /tmp/psplib
    python benchmarks/psplib.py --data ../shared/data/psplib --time-limit 10

Each run is ``(name, set, mode, sample)``: ``sample`` K solves every K-th file in name
order (1 = the whole set).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from jalon.cli.bench import Mode, default_solutions, instance_files, run_bench, set_name
from jalon.io.psplib import read_solutions

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "psplib"

RUNS = [
    ("j30-optimal", "j30", Mode.optimal, 1),
    ("j60-optimal", "j60", Mode.optimal, 10),
    ("j120-optimal", "j120", Mode.optimal, 20),
    ("j120-fast", "j120", Mode.fast, 1),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the folder holding j30, j60 ...")
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds per instance")
    parser.add_argument("--only", help="comma-separated run names (default: all)")
    parser.add_argument("--json", type=Path, help="write each run's JSON in this folder")
    args = parser.parse_args()
    wanted = set(args.only.split(",")) if args.only else None
    print(
        "| run | instances | mean gap to best known | at best known | proven optimal "
        "| mean dev. from CPM bound | mean s | max s |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, folder_name, mode, sample in RUNS:
        if wanted is not None and name not in wanted:
            continue
        folder = args.data / folder_name
        if not folder.is_dir():
            print(f"| {name} | (no data in {folder}) |||||||")
            continue
        files = instance_files(folder, sample)
        set_ = set_name(folder, files)
        table = default_solutions(folder, set_)
        known = {}
        if table is not None:
            with table.open("rb") as stream:
                known = read_solutions(stream, str(table))
        t0 = time.perf_counter()
        summary = run_bench(
            files, name=set_, mode=mode, time_limit=args.time_limit, solutions=known
        )
        summary["run"] = {
            "name": name,
            "sample": sample,
            "time_limit": args.time_limit,
            "wall_seconds": round(time.perf_counter() - t0, 1),
        }
        rows = summary["per_instance"]
        at_best = sum(
            r["best_known"] is not None and r["makespan"] <= r["best_known"] for r in rows
        )
        print(
            f"| {name} (every {sample}) | {summary['instances']} "
            f"| {summary['mean_gap_best_known_pct']:.2f} % | {at_best} "
            f"| {summary['optimal']} | {summary['mean_dev_cpm_lb_pct']:.2f} % "
            f"| {summary['mean_seconds']:.3f} | {summary['max_seconds']:.3f} |",
            flush=True,
        )
        if args.json is not None:
            args.json.mkdir(parents=True, exist_ok=True)
            (args.json / f"{name}.json").write_text(json.dumps(summary, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
