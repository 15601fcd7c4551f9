"""How fast Jalon exchanges plans with other tools (docs/benchmarks.md, "Interop").

Figures, each the median and min of ``--repeat`` runs (wall clock, ``time.perf_counter``,
and process CPU time, ``time.process_time``, which other load disturbs less):

* ``xlsx_export``: ``write_xlsx`` of a generated plan of ``--n`` tasks (10,000), scheduled
  beforehand (untimed); ``csv_export`` likewise.
* ``mspdi_import``: ``jalon.io.importers.import_file`` of that plan written as MS Project
  XML: detection, parsing, the plan's validation and the report.
* ``xer_import``: ``import_file`` of a Primavera .xer of ``--xer-n`` activities (4,000),
  written by MPXJ's own XER writer from the MS Project XML of a generated plan, in this
  process, whose JVM is already started (by the writer). ``xer_cold_read``: the same read
  in a new Python process, the JVM's start and MPXJ's class loading included (wall time
  and the child's CPU time, once per repeat).
* with ``--store``: "parse, schedule, store" on SQLite, the figure of the issue: for the
  MS Project XML and the .xer, ``import_file`` then the web application's
  ``project_import`` service (which stores and schedules, in one transaction), in a
  fresh temporary database (or ``--store-url``'s); ``*_store_queries`` counts its SQL
  statements.

    python benchmarks/interop.py
    python benchmarks/interop.py --n 10000 --xer-n 4000 --repeat 5 --store --json interop.json
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generator import generate_plan
from jalon.engine.cpm import schedule
from jalon.engine.model import Plan
from jalon.io.csv_table import write_csv
from jalon.io.excel import write_xlsx
from jalon.io.importers import import_file
from jalon.io.msproject_xml import write_mspdi


def timed(func: Callable[[], Any], repeat: int) -> dict[str, float]:
    walls, cpus = [], []
    for _ in range(repeat):
        gc.collect()
        c0, t0 = time.process_time(), time.perf_counter()
        func()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return {
        "median_s": round(statistics.median(walls), 3),
        "min_s": round(min(walls), 3),
        "cpu_median_s": round(statistics.median(cpus), 3),
        "cpu_min_s": round(min(cpus), 3),
    }


def write_xer(mspdi: Path, xer: Path) -> None:
    """MPXJ reads the MS Project XML and writes it as a Primavera .xer."""
    import jpype

    from jalon.io import mpxj_bridge

    package = mpxj_bridge._start("benchmark", str(mspdi))
    project = jpype.JClass(f"{package}.reader.UniversalProjectReader")().read(str(mspdi))
    jpype.JClass(f"{package}.primavera.PrimaveraXERFileWriter")().write(project, str(xer))


def store(paths: dict[str, Path], repeat: int, tmp: Path, url: str | None = None) -> dict[str, Any]:
    """Parse, schedule and store each file in a fresh SQLite database (or ``url``)."""
    os.environ["JALON_DATABASE_URL"] = url or f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jalon.web.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from jalon.web.planning.imports import project_import

    call_command("migrate", "--no-input", "--verbosity", "0")
    users = get_user_model().objects
    user = users.filter(username="bench").first() or users.create_superuser(
        "bench", "bench@example.org", "x"
    )
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    out: dict[str, Any] = {}
    for label, path in paths.items():

        def run(path: Path = path) -> None:
            result = import_file(path)
            project_import(plan=result.plan, user=user, name=f"bench {path.name}")

        out[label] = timed(run, repeat)
        plan = import_file(path).plan
        with CaptureQueriesContext(connection) as queries:
            project_import(plan=plan, user=user, name=f"queries {path.name}")
        out[f"{label}_queries"] = len(queries)
    return out


def cold_read(path: Path, repeat: int) -> dict[str, float]:
    """``import_file(path)`` in a new Python process: start-up (the JVM's) included."""
    code = "import sys; from jalon.io.importers import import_file; import_file(sys.argv[1])"
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code, str(path)], check=True)
        walls.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return {
        "median_s": round(statistics.median(walls), 3),
        "min_s": round(min(walls), 3),
        "cpu_median_s": round(statistics.median(cpus), 3),
        "cpu_min_s": round(min(cpus), 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time Jalon's imports and exports.")
    parser.add_argument("--n", type=int, default=10_000, help="tasks for Excel and MSPDI")
    parser.add_argument("--xer-n", type=int, default=4_000, help="activities of the .xer")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-mpxj", action="store_true", help="leave out the .xer figures")
    parser.add_argument("--store", action="store_true", help="also parse, schedule and store")
    parser.add_argument("--json", type=Path, help="also write the measurements here")
    parser.add_argument(
        "--store-url",
        help="with --store: this database (e.g. postgresql://…/db, created beforehand) "
        "instead of a fresh SQLite file",
    )
    args = parser.parse_args(argv)

    results: dict[str, Any] = {"n": args.n, "xer_n": args.xer_n, "seed": args.seed}
    results["load_average"] = os.getloadavg()
    plan: Plan = generate_plan(args.n, args.seed)
    result = schedule(plan)
    results["xlsx_export"] = timed(lambda: write_xlsx(plan, result, io.BytesIO()), args.repeat)
    results["csv_export"] = timed(lambda: write_csv(plan, result, io.BytesIO()), args.repeat)

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        mspdi = tmp / f"generated-{args.n}.xml"
        with mspdi.open("wb") as stream:
            write_mspdi(plan, result, stream)
        results["mspdi_import"] = timed(lambda: import_file(mspdi), args.repeat)
        to_store = {"mspdi_store": mspdi}
        if not args.no_mpxj:
            small = generate_plan(args.xer_n, args.seed)
            source = tmp / f"generated-{args.xer_n}.xml"
            with source.open("wb") as stream:
                write_mspdi(small, schedule(small), stream)
            xer = tmp / f"generated-{args.xer_n}.xer"
            t0 = time.perf_counter()
            write_xer(source, xer)  # starts the JVM: untimed
            results["xer_write_s"] = round(time.perf_counter() - t0, 3)
            report = import_file(xer).report
            results["xer_tasks"] = report.tasks
            results["xer_import"] = timed(lambda: import_file(xer), args.repeat)
            results["xer_cold_read"] = cold_read(xer, args.repeat)
            to_store["xer_store"] = xer
        if args.store:
            results.update(store(to_store, args.repeat, tmp, args.store_url))

    for key, value in results.items():
        print(f"{key}: {value}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
