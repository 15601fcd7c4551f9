"""``jalon bench psplib``: level a folder of PSPLIB instances and compare with the best known.

Every makespan reported comes from a schedule the independent checker
(:func:`jalon.engine.leveling.check`) accepted; a schedule it rejects stops the run.
"""

from __future__ import annotations

import json
import statistics
import sys
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from jalon.cli.common import UsageError, reporting_errors, write_output
from jalon.engine.leveling import check, solve_fast, solve_optimal
from jalon.io.psplib import instance_key, read_psplib, read_solutions

app = typer.Typer(
    help="Benchmarks: measure Jalon's solvers on public instance sets.",
    no_args_is_help=True,
)


class Mode(StrEnum):
    fast = "fast"
    optimal = "optimal"


class BenchFormat(StrEnum):
    table = "table"
    json = "json"


@dataclass(frozen=True)
class InstanceResult:
    name: str
    makespan: int
    best_known: int | None
    cpm_lb: int
    status: str
    seconds: float


def instance_files(folder: Path, sample: int) -> list[Path]:
    """The ``.sm`` files of ``folder`` in name order, every ``sample``-th one."""
    files = sorted(folder.glob("*.sm"), key=lambda p: p.name)
    return files[::sample]


def set_name(folder: Path, files: list[Path]) -> str:
    """``j30``, ``j60``, ``j120`` ...: the folder's name, or the files' common prefix."""
    if instance_key(files[0].stem, folder.name) is not None:
        return folder.name
    key = instance_key(files[0].stem)
    return key[0] if key else folder.name


def default_solutions(folder: Path, name: str) -> Path | None:
    """``<set>opt.sm`` (proven optima), else ``<set>hrs.sm``, in ``DIR/../solutions``."""
    for candidate in (f"{name}opt.sm", f"{name}hrs.sm"):
        path = folder.parent / "solutions" / candidate
        if path.is_file():
            return path
    return None


def solve_instance(
    path: Path, mode: Mode, time_limit: float, name: str
) -> tuple[InstanceResult, tuple[int, int] | None]:
    with path.open("rb") as stream:
        problem = read_psplib(stream, str(path))
    if mode is Mode.fast:
        solution = solve_fast(problem)
    else:
        solution = solve_optimal(problem, time_limit=time_limit)
    problems = check(problem, solution.starts)
    if problems:
        raise RuntimeError(f"{path}: the checker rejected the schedule: {problems[0]}")
    key = instance_key(path.stem, name)
    result = InstanceResult(
        name=path.stem,
        makespan=solution.makespan,
        best_known=None,
        cpm_lb=problem.critical_path_bound,
        status=solution.status,
        seconds=solution.seconds,
    )
    return result, (key[1], key[2]) if key else None


def run_bench(
    files: list[Path],
    *,
    name: str,
    mode: Mode,
    time_limit: float,
    solutions: dict[tuple[int, int], tuple[int, bool]],
    on_done: Callable[[InstanceResult], None] | None = None,
) -> dict[str, Any]:
    """Solve ``files`` and summarise, in the JSON shape ``jalon bench psplib`` prints."""
    results: list[InstanceResult] = []
    for path in files:
        result, key = solve_instance(path, mode, time_limit, name)
        if key is not None and key in solutions:
            result = InstanceResult(**{**result.__dict__, "best_known": solutions[key][0]})
        results.append(result)
        if on_done is not None:
            on_done(result)
    return summarise(results)


def summarise(results: list[InstanceResult]) -> dict[str, Any]:
    def pct(value: int, ref: int) -> float:
        return 100.0 * (value - ref) / ref if ref > 0 else 0.0

    known = [r for r in results if r.best_known is not None]
    seconds = [r.seconds for r in results]
    return {
        "instances": len(results),
        "mean_gap_best_known_pct": (
            round(statistics.fmean(pct(r.makespan, r.best_known or 0) for r in known), 3)
            if known
            else None
        ),
        "mean_dev_cpm_lb_pct": (
            round(statistics.fmean(pct(r.makespan, r.cpm_lb) for r in results), 3)
            if results
            else None
        ),
        "optimal": sum(r.status == "optimal" for r in results),
        "mean_seconds": round(statistics.fmean(seconds), 4) if seconds else 0.0,
        "max_seconds": round(max(seconds), 4) if seconds else 0.0,
        "per_instance": [
            {
                "name": r.name,
                "makespan": r.makespan,
                "best_known": r.best_known,
                "cpm_lb": r.cpm_lb,
                "status": r.status,
                "seconds": round(r.seconds, 4),
            }
            for r in results
        ],
    }


def print_summary(console: Console, summary: dict[str, Any], title: str) -> None:
    rows = summary["per_instance"]
    at_best = sum(
        1 for r in rows if r["best_known"] is not None and r["makespan"] <= r["best_known"]
    )
    with_best = sum(1 for r in rows if r["best_known"] is not None)
    gap = summary["mean_gap_best_known_pct"]
    dev = summary["mean_dev_cpm_lb_pct"]
    console.print(title, markup=False, soft_wrap=True)
    table = Table(show_header=False)
    table.add_column("", style="bold")
    table.add_column("", justify="right")
    table.add_row("instances", str(summary["instances"]))
    table.add_row("mean gap to best known", "n/a" if gap is None else f"{gap:.2f} %")
    table.add_row("at best known", f"{at_best} / {with_best}")
    table.add_row("mean deviation from CPM bound", "n/a" if dev is None else f"{dev:.2f} %")
    table.add_row("proven optimal", str(summary["optimal"]))
    table.add_row("mean time per instance", f"{summary['mean_seconds']:.3f} s")
    table.add_row("max time per instance", f"{summary['max_seconds']:.3f} s")
    console.print(table)


@app.command("psplib")
def psplib_command(
    folder: Annotated[
        Path,
        typer.Argument(
            metavar="DIR",
            help="A folder of PSPLIB .sm files (j30, j60, j120 ...).",
            show_default=False,
        ),
    ],
    *,
    solutions: Annotated[
        Path | None,
        typer.Option(
            "--solutions",
            help="Solution table (default: <set>opt.sm or <set>hrs.sm in DIR/../solutions).",
            show_default=False,
        ),
    ] = None,
    mode: Annotated[
        Mode,
        typer.Option("--mode", help="fast: heuristics; optimal: CP-SAT.", case_sensitive=False),
    ] = Mode.optimal,
    time_limit: Annotated[
        float,
        typer.Option("--time-limit", help="Seconds per instance (optimal mode).", min=0.1),
    ] = 10.0,
    sample: Annotated[
        int, typer.Option("--sample", help="Solve every K-th file in name order.", min=1)
    ] = 1,
    format: Annotated[
        BenchFormat,
        typer.Option("--format", "-f", help="Output format.", case_sensitive=False),
    ] = BenchFormat.table,
) -> None:
    """Solve PSPLIB instances and compare with the best-known makespans."""
    with reporting_errors(str(folder)):
        if not folder.is_dir():
            raise UsageError(f"{folder}: no such folder")
        files = instance_files(folder, sample)
        if not files:
            raise UsageError(f"{folder}: no .sm files")
        name = set_name(folder, files)
        table_path = solutions if solutions is not None else default_solutions(folder, name)
        known: dict[tuple[int, int], tuple[int, bool]] = {}
        if table_path is not None:
            if not table_path.is_file():
                raise UsageError(f"{table_path}: no such file")
            with table_path.open("rb") as stream:
                known = read_solutions(stream, str(table_path))
        err = Console(stderr=True, highlight=False)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[last]}"),
            console=err,
            transient=True,
        ) as progress:
            task = progress.add_task(f"{name} ({mode.value})", total=len(files), last="")

            def advance(result: InstanceResult) -> None:
                progress.update(
                    task, advance=1, last=f"{result.name}: {result.makespan} ({result.status})"
                )

            summary = run_bench(
                files, name=name, mode=mode, time_limit=time_limit, solutions=known, on_done=advance
            )
        if format is BenchFormat.json:
            write_output(json.dumps(summary, indent=2) + "\n", None)
            return
        where = f", solutions from {table_path.name}" if table_path is not None else ""
        title = f"PSPLIB {name}: {mode.value} mode{where}"
        if mode is Mode.optimal:
            title += f", {time_limit:g} s per instance"
        print_summary(Console(highlight=False, file=sys.stdout), summary, title)
