"""How fast ``jalon.schedule`` is on generated networks, next to MPXJ's MicrosoftScheduler.

For each size (10,000, 100,000 and 1,000,000 tasks by default), one subprocess (so that
peak memory is per size):

1. generates the plan with ``benchmarks/generator.py`` (same seed for every size);
2. times ``jalon.schedule(plan)`` with ``time.perf_counter`` (and ``time.process_time``):
   (a) *first call*: on a fresh ``Plan`` (a copy made by ``dataclasses.replace``, so it
   is validated like a plan just read from a file, but nothing is compiled or cached),
   ``--repeat`` times; (b) *repeated calls* on one plan whose network is already
   compiled, ``--repeat`` times; median and min of each;
3. records memory: the peak RSS while generating, and the peak RSS while scheduling
   (the plan included: the peak is reset with ``/proc/self/clear_refs`` once the plan
   is built), both as ``ru_maxrss``;
4. writes the plan and Jalon's schedule as MS Project XML (``jalon.io.save_plan``).

Then, unless ``--no-mpxj``, a second subprocess starts a JVM (``-Xmx4g``), reads that
file with MPXJ's ``UniversalProjectReader`` and times
``org.mpxj.cpm.MicrosoftScheduler().schedule(project, start)`` ``--repeat`` times after
untimed warm-up runs (at least ``--mpxj-warmup`` runs and ``--mpxj-warmup-s`` seconds,
then until three runs in a row agree within 15 %: its JIT needs them), and counts the
tasks on which MPXJ and Jalon agree (same start and finish to the minute). Above
``--mpxj-max-size`` tasks (default 100,000) MPXJ is skipped: it would take a quarter of
an hour or more.

    python benchmarks/schedule.py                       # 10k, 100k, 1M, 7 runs each
    python benchmarks/schedule.py --sizes 10000,100000 --repeat 7 --json out.json
    python benchmarks/schedule.py --sizes 1000000 --no-mpxj

Prints a Markdown table; ``--json`` also writes every measurement.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import gc
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
JVM_HEAP = "-Xmx4g"


# ---------------------------------------------------------------------------------------
# helpers
def summary(runs: list[float]) -> dict[str, Any]:
    return {"median": statistics.median(runs), "min": min(runs), "runs": runs}


def rss_mb() -> float:
    """Current resident set size (MB)."""
    text = Path("/proc/self/status").read_text()
    match = re.search(r"VmRSS:\s+(\d+)", text)
    return int(match.group(1)) / 1024 if match else float("nan")


def max_rss_mb() -> float:
    """Peak resident set size so far (MB); Linux reports ``ru_maxrss`` in KB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak_rss() -> bool:
    """Reset the peak RSS to the current RSS (Linux >= 4.0); False if not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def machine_info() -> dict[str, Any]:
    def run(cmd: list[str]) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout
        except OSError:
            return ""

    lscpu = run(["lscpu"])
    model = re.search(r"Model name:\s*(.+)", lscpu)
    java = subprocess.run(["java", "-version"], capture_output=True, text=True, check=False)
    return {
        "nproc": os.cpu_count(),
        "cpu": model.group(1).strip() if model else platform.processor(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "java": java.stderr.splitlines()[0] if java.stderr else "",
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "load_average": os.getloadavg(),
        "date": dt.datetime.now().isoformat(timespec="seconds"),
    }


def source_info() -> dict[str, Any]:
    """Which Jalon is measured: its path, commit and whether its sources are modified.

    A git checkout is asked with ``git``; a snapshot (``git archive``) may carry its
    commit in a ``COMMIT`` file next to ``src/``.
    """
    import jalon

    package = Path(jalon.__file__).resolve().parent
    root = package.parent.parent
    info: dict[str, Any] = {"path": str(package), "commit": None, "dirty": None}
    git = ["git", "-C", str(root)]
    head = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=False)
    if head.returncode == 0:
        info["commit"] = head.stdout.strip()
        status = subprocess.run(
            [*git, "status", "--porcelain", "--", str(package)],
            capture_output=True,
            text=True,
            check=False,
        )
        info["dirty"] = bool(status.stdout.strip())
    elif (root / "COMMIT").is_file():
        info["commit"] = (root / "COMMIT").read_text().strip()
        info["dirty"] = False
    return info


# ---------------------------------------------------------------------------------------
# the Jalon side (in its own process)
def jalon_worker(n: int, seed: int, repeat: int, mspdi: Path | None) -> dict[str, Any]:
    import numpy as np

    import jalon
    from generator import generate_plan, network_stats
    from jalon.io import save_plan

    out: dict[str, Any] = {"n": n, "seed": seed, "source": source_info()}
    t0 = time.perf_counter()
    plan = generate_plan(n, seed)
    out["generate_s"] = time.perf_counter() - t0
    out["links"] = len(plan.links)
    gc.collect()
    out["generate_peak_rss_mb"] = max_rss_mb()
    out["plan_rss_mb"] = rss_mb()
    out["peak_reset"] = reset_peak_rss()

    # (a) the first call on a fresh plan: compiles the network
    first: list[float] = []
    first_cpu: list[float] = []
    for _ in range(repeat):
        fresh = dataclasses.replace(plan)  # validated again, nothing cached
        gc.collect()
        c0, t0 = time.process_time(), time.perf_counter()
        result = jalon.schedule(fresh)
        first.append(time.perf_counter() - t0)
        first_cpu.append(time.process_time() - c0)
        del fresh, result
    gc.collect()
    # (b) repeated calls on a plan whose network is compiled
    result = jalon.schedule(plan)
    again: list[float] = []
    again_cpu: list[float] = []
    for _ in range(repeat):
        del result
        gc.collect()
        c0, t0 = time.process_time(), time.perf_counter()
        result = jalon.schedule(plan)
        again.append(time.perf_counter() - t0)
        again_cpu.append(time.process_time() - c0)
    out["first_call_s"] = summary(first)
    out["repeat_call_s"] = summary(again)
    out["first_call_cpu_s"] = summary(first_cpu)
    out["repeat_call_cpu_s"] = summary(again_cpu)
    out["schedule_peak_rss_mb"] = max_rss_mb()
    out["finish"] = result.finish.isoformat()
    out["warnings"] = len(result.warnings)
    out["critical_share"] = float(result.critical[~result.summary].mean())
    net = plan.__dict__.get("_network")
    out["engine_levels"] = getattr(net, "levels", None)

    if mspdi is not None:
        t0 = time.perf_counter()
        save_plan(plan, mspdi, schedule=result)
        out["write_mspdi_s"] = time.perf_counter() - t0
        out["mspdi_mb"] = mspdi.stat().st_size / 2**20
        uids = np.fromiter((t.uid for t in plan.tasks), dtype=np.int64, count=len(plan.tasks))
        np.save(
            mspdi.with_suffix(".npy"),
            np.stack([uids, result.start_min, result.finish_min, result.summary.astype(np.int64)]),
        )
    t0 = time.perf_counter()
    stats = network_stats(plan)
    out["stats_s"] = time.perf_counter() - t0
    out["network"] = dataclasses.asdict(stats)
    return out


# ---------------------------------------------------------------------------------------
# the MPXJ side (in its own process, with a JVM)
def mpxj_worker(
    mspdi: Path, start: str, repeat: int, warmup: int, warmup_s: float
) -> dict[str, Any]:
    import jpype
    import mpxj  # noqa: F401  (puts MPXJ's jars on the class path)
    import numpy as np

    jpype.startJVM(JVM_HEAP, convertStrings=False)
    from java.time import LocalDateTime, ZoneOffset
    from org.mpxj.cpm import MicrosoftScheduler
    from org.mpxj.reader import UniversalProjectReader

    out: dict[str, Any] = {"jvm": f"{jpype.getDefaultJVMPath()} {JVM_HEAP}"}
    t0 = time.perf_counter()
    project = UniversalProjectReader().read(str(mspdi))
    out["read_s"] = time.perf_counter() - t0
    out["tasks"] = int(project.getTasks().size())
    when = dt.datetime.fromisoformat(start)
    start_at = LocalDateTime.of(when.year, when.month, when.day, when.hour, when.minute)

    cpu: list[float] = []

    def once() -> float:
        c0, t0 = time.process_time(), time.perf_counter()
        MicrosoftScheduler().schedule(project, start_at)
        wall = time.perf_counter() - t0
        cpu.append(time.process_time() - c0)  # the whole JVM: GC and JIT threads too
        return wall

    # warm up until the JIT has settled: at least ``warmup`` runs and ``warmup_s``
    # seconds, then until the last three runs agree within 15 % (at most 60 runs)
    warm: list[float] = []
    try:
        while len(warm) < 60:
            warm.append(once())
            last = warm[-3:]
            if (
                len(warm) >= max(warmup, 3)
                and sum(warm) >= warmup_s
                and max(last) <= 1.15 * min(last)
            ):
                break
        runs = [once() for _ in range(repeat)]
    except jpype.JException as exc:
        out["error"] = f"{exc.getClass().getName()}: {exc.getMessage()}"
        return out
    out["warmup_s"] = warm
    out["schedule_s"] = summary(runs)
    out["schedule_cpu_s"] = summary(cpu[len(warm) :])

    # agreement with Jalon: same start and finish, to the minute
    expected = np.load(mspdi.with_suffix(".npy"))
    row = {int(uid): k for k, uid in enumerate(expected[0].tolist())}
    utc = ZoneOffset.UTC
    same = same_leaves = leaves = 0
    for task in project.getTasks():
        uid = int(task.getUniqueID())
        k = row.get(uid)
        if k is None or task.getStart() is None or task.getFinish() is None:
            continue
        s = int(task.getStart().toEpochSecond(utc)) // 60
        f = int(task.getFinish().toEpochSecond(utc)) // 60
        ok = s == expected[1, k] and f == expected[2, k]
        same += ok
        if not expected[3, k]:
            leaves += 1
            same_leaves += ok
    out["agree_share"] = same / max(len(row), 1)
    out["agree_leaf_share"] = same_leaves / max(leaves, 1)
    return out


# ---------------------------------------------------------------------------------------
# the driver
def run_worker(args: list[str], timeout: float) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        result_path = Path(handle.name)
    cmd = [sys.executable, str(Path(__file__).resolve()), *args, "--result", str(result_path)]
    try:
        proc = subprocess.run(cmd, timeout=timeout, check=False, capture_output=True, text=True)
        if proc.returncode != 0:
            return {"error": (proc.stderr.strip().splitlines() or ["?"])[-1]}
        data: dict[str, Any] = json.loads(result_path.read_text())
        return data
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    finally:
        result_path.unlink(missing_ok=True)


def ms(value: float) -> str:
    return f"{value * 1000:,.0f}" if value >= 0.1 else f"{value * 1000:.1f}"


def markdown(results: list[dict[str, Any]]) -> str:
    lines = [
        "| tasks | links | depth | first call median / min (ms) | repeated call median / min "
        "(ms) | peak RSS scheduling (MB) | MPXJ median / min (ms) | MPXJ ÷ Jalon repeated | "
        "MPXJ ÷ Jalon first | same dates |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        j = r["jalon"]
        if "error" in j:
            lines.append(f"| {r['n']:,} | | | error: {j['error']} | | | | | | |")
            continue
        first, again = j["first_call_s"], j["repeat_call_s"]
        m = r.get("mpxj") or {}
        if "schedule_s" in m:
            mm = m["schedule_s"]
            mpxj_cell = f"{ms(mm['median'])} / {ms(mm['min'])}"
            ratio_again = f"{mm['median'] / again['median']:.1f}×"
            ratio_first = f"{mm['median'] / first['median']:.1f}×"
            agree = f"{m['agree_leaf_share']:.1%}"
        else:
            mpxj_cell = m.get("skipped") or m.get("error") or "not run"
            ratio_again = ratio_first = agree = ""
        lines.append(
            f"| {r['n']:,} | {j['links']:,} | {j['network']['depth']} | "
            f"{ms(first['median'])} / {ms(first['min'])} | "
            f"{ms(again['median'])} / {ms(again['min'])} | {j['schedule_peak_rss_mb']:,.0f} | "
            f"{mpxj_cell} | {ratio_again} | {ratio_first} | {agree} |"
        )
    lines += [
        "",
        "CPU time of the process (less sensitive to other load; MPXJ's includes its GC and "
        "JIT threads), median ms:",
        "",
        "| tasks | Jalon first call | Jalon repeated call | MPXJ | MPXJ ÷ Jalon repeated | "
        "MPXJ ÷ Jalon first |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        j = r["jalon"]
        if "first_call_cpu_s" not in j:
            continue
        first, again = j["first_call_cpu_s"]["median"], j["repeat_call_cpu_s"]["median"]
        m = r.get("mpxj") or {}
        cells = ["", "", ""]
        if "schedule_cpu_s" in m:
            mc = m["schedule_cpu_s"]["median"]
            cells = [ms(mc), f"{mc / again:.1f}×", f"{mc / first:.1f}×"]
        lines.append(f"| {r['n']:,} | {ms(first)} | {ms(again)} | {' | '.join(cells)} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(str(s) for s in DEFAULT_SIZES))
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write every measurement here")
    parser.add_argument("--no-mpxj", action="store_true", help="Jalon only")
    parser.add_argument("--mpxj-warmup", type=int, default=5, help="at least this many runs")
    parser.add_argument("--mpxj-warmup-s", type=float, default=30, help="and this long (s)")
    parser.add_argument("--mpxj-max-size", type=int, default=100_000)
    parser.add_argument("--timeout", type=float, default=3600, help="per subprocess (s)")
    parser.add_argument("--keep", type=Path, help="keep the MSPDI files in this directory")
    # internal: the subprocesses
    parser.add_argument("--worker", choices=("jalon", "mpxj"), help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--mspdi", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--start", help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        load_start = os.getloadavg()
        sys.path.insert(0, str(HERE))
        if args.worker == "jalon":
            data = jalon_worker(args.n, args.seed, args.repeat, args.mspdi)
        else:
            data = mpxj_worker(
                args.mspdi, args.start, args.repeat, args.mpxj_warmup, args.mpxj_warmup_s
            )
        data["load_average"] = {"start": load_start, "end": os.getloadavg()}
        args.result.write_text(json.dumps(data))
        return 0

    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    machine = machine_info()
    print(
        f"# {machine['cpu']}, {machine['nproc']} CPUs, {machine['memory_gb']} GB, "
        f"Python {machine['python']}",
        file=sys.stderr,
    )
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        last_mpxj: tuple[int, float] | None = None
        for n in sizes:
            use_mpxj = not args.no_mpxj and n <= args.mpxj_max_size
            mspdi = folder / f"generated-{n}-seed{args.seed}.xml" if use_mpxj else None
            common = ["--n", str(n), "--seed", str(args.seed), "--repeat", str(args.repeat)]
            print(f"n={n:,}: Jalon ...", file=sys.stderr, flush=True)
            jalon_args = ["--worker", "jalon", *common]
            if mspdi is not None:
                jalon_args += ["--mspdi", str(mspdi)]
            j = run_worker(jalon_args, args.timeout)
            entry: dict[str, Any] = {"n": n, "jalon": j}
            if "error" not in j:
                print(
                    f"  first {ms(j['first_call_s']['median'])} ms, repeated "
                    f"{ms(j['repeat_call_s']['median'])} ms, peak "
                    f"{j['schedule_peak_rss_mb']:.0f} MB",
                    file=sys.stderr,
                )
            if args.no_mpxj:
                entry["mpxj"] = None
            elif mspdi is None:
                entry["mpxj"] = {"skipped": skipped_note(n, args, last_mpxj)}
            elif "error" not in j:
                print(f"n={n:,}: MPXJ ...", file=sys.stderr, flush=True)
                from generator import PROJECT_START

                m = run_worker(
                    [
                        "--worker",
                        "mpxj",
                        "--mspdi",
                        str(mspdi),
                        "--start",
                        PROJECT_START.isoformat(),
                        "--repeat",
                        str(args.repeat),
                        "--mpxj-warmup",
                        str(args.mpxj_warmup),
                        "--mpxj-warmup-s",
                        str(args.mpxj_warmup_s),
                    ],
                    args.timeout,
                )
                entry["mpxj"] = m
                if "schedule_s" in m:
                    spent = m["read_s"] + sum(m["warmup_s"]) + sum(m["schedule_s"]["runs"])
                    last_mpxj = (n, spent)
                    print(f"  MPXJ {ms(m['schedule_s']['median'])} ms", file=sys.stderr)
            results.append(entry)

    table = markdown(results)
    print(table)
    if args.json:
        report = {
            "command": " ".join([Path(sys.executable).name, *sys.argv]),
            "machine": machine,
            "results": results,
        }
        args.json.write_text(json.dumps(report, indent=1) + "\n")
    return 0


def skipped_note(n: int, args: argparse.Namespace, last: tuple[int, float] | None) -> str:
    if last is None:
        return f"skipped (over --mpxj-max-size {args.mpxj_max_size:,})"
    m, seconds = last
    estimate = seconds * n / m / 60
    return f"skipped (≈{estimate:.0f} min if linear from {m:,} tasks)"


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    raise SystemExit(main())
