"""Server time of the web application on a 5,000-task project (SQLite and PostgreSQL).

For each database, in its own subprocess (Django reads its settings once):

1. a fresh database (SQLite: a file in a temporary directory, WAL as in production;
   PostgreSQL: a new database ``jalon_bench_<pid>`` made on the server of
   ``--database-url``, dropped at the end), migrated;
2. ``benchmarks/generator.py``'s ``generate_plan(N)`` written through the import service
   (``project_import``: the import's own reschedule included);
3. with Django's test client (in process: middleware, views, queries, templates, JSON;
   no network), ``--repeat`` times each: the project page, the planning editor page and
   its Gantt data (when the editor exists), the schedule API, one page of the task list
   API; then ``--edits`` task edits through the API (``PATCH`` of a duration: the edit is
   saved, the project rescheduled and the changed rows written back, in one
   transaction), each on a random task (seeded), alternately lengthening and
   shortening it; then as many edits served in turn by two worker processes (each holds
   its own kept plans: the in-process cache is swapped before each edit, untimed), so
   that the plan kept is one edit behind and catches up on the other worker's edit;
   then as many edits with the project's kept plan dropped before each
   (``plancache.clear()``, untimed): a worker's first edit of the project, which reads
   the whole plan; then as
   many edits of a duration typed in the planning editor (its htmx answer: the rows the
   edit changed, or every grid row before that answer existed; the rows and bytes sent
   are recorded);
4. the queries per request, and a breakdown of an edit's time (``task_update`` called
   directly with timers around ``load_plan``, the engine's ``schedule``,
   ``write_schedule`` and the project summary).

Wall time (``perf_counter``) and CPU time of the process (``process_time``; PostgreSQL's
own work is in the wall time only) per request: median, p95, min.

    python benchmarks/web.py                                  # SQLite, 5,000 tasks
    python benchmarks/web.py --database-url postgresql://postgres@127.0.0.1:5432/test
    JALON_TEST_DATABASE_URL=postgresql://... python benchmarks/web.py --json web.json

SQLite always runs; PostgreSQL runs when ``--database-url`` or
``JALON_TEST_DATABASE_URL`` names a server.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def stats(runs: list[float]) -> dict[str, float]:
    ordered = sorted(runs)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "median": statistics.median(ordered),
        "p95": p95,
        "min": ordered[0],
        "n": len(ordered),
    }


def timed(func: Callable[[], Any]) -> tuple[float, float, Any]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = func()
    return time.perf_counter() - wall, time.process_time() - cpu, result


# ---------------------------------------------------------------------------------------
# the child: one database


@contextlib.contextmanager
def postgres_database(url: str) -> Iterator[str]:
    """A fresh database on the server of ``url``; dropped on exit."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    name = f"jalon_bench_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(url)
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


@contextlib.contextmanager
def counting(connection: Any) -> Iterator[list[int]]:
    """The number of queries run inside the block (across reconnections: Django closes
    the SQLite connection after each request)."""
    counted = [0]

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        counted[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        yield counted


class Breakdown:
    """Timers around the steps of ``schedule_recompute`` (monkeypatched)."""

    def __init__(self) -> None:
        self.totals: dict[str, list[float]] = {}
        self.current: dict[str, float] = {}

    def wrap(self, module: Any, name: str, label: str) -> None:
        original = getattr(module, name)

        def timed_step(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.current[label] = self.current.get(label, 0.0) + time.perf_counter() - start

        setattr(module, name, timed_step)

    def close(self, total: float) -> None:
        self.current["other (lock, save, history, refresh)"] = total - sum(self.current.values())
        self.current["total"] = total
        for label, value in self.current.items():
            self.totals.setdefault(label, []).append(value)
        self.current = {}


def child(args: argparse.Namespace) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="jalon-bench-web-"))
    os.environ["JALON_DATA_DIR"] = str(tmp)
    os.environ.setdefault("JALON_SECRET_KEY", "benchmark-only-" + "x" * 40)
    os.environ["DJANGO_SETTINGS_MODULE"] = "jalon.web.settings"
    os.environ["JALON_ALLOWED_HOSTS"] = "testserver"  # Django's test client
    with contextlib.ExitStack() as stack:
        if args.database_url:
            os.environ["JALON_DATABASE_URL"] = stack.enter_context(
                postgres_database(args.database_url)
            )
        else:
            os.environ["JALON_DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
        return measure(args)


def measure(args: argparse.Namespace) -> dict[str, Any]:
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    sys.path.insert(0, str(HERE))
    from generator import generate_plan
    from jalon.web.accounts.services import api_token_create
    from jalon.web.planning import services
    from jalon.web.planning.imports import project_import
    from jalon.web.planning.models import Task

    call_command("migrate", verbosity=0)
    admin = User.objects.create_user("bench", password="bench-only-password", is_staff=True)
    plan = generate_plan(args.tasks, seed=args.seed)
    import_wall, import_cpu, project = timed(lambda: project_import(plan=plan, user=admin))
    pk = project.pk
    _token, secret = api_token_create(user=admin, name="bench")
    auth = {"Authorization": f"Bearer {secret}"}
    browser = Client()
    browser.force_login(admin)
    api = Client()

    reads: dict[str, Callable[[], Any]] = {
        "project page": lambda: browser.get(reverse("projects:detail", args=[pk])),
    }
    with contextlib.suppress(NoReverseMatch):
        plan_url = reverse("planning:plan", args=[pk])
        reads["planning editor page"] = lambda: browser.get(plan_url)
    with contextlib.suppress(NoReverseMatch):
        gantt_url = reverse("planning:gantt_json", args=[pk])
        reads["Gantt data (editor)"] = lambda: browser.get(gantt_url)
    reads["schedule API (every task)"] = lambda: api.get(
        f"/api/v1/projects/{pk}/schedule", headers=auth
    )
    reads["task list API (100 tasks)"] = lambda: api.get(
        f"/api/v1/projects/{pk}/tasks?limit=100&offset=2000", headers=auth
    )

    results: dict[str, Any] = {
        "database": connection.vendor,
        "tasks": Task.objects.filter(project=project).count(),
        "links": project.links.count(),
        "import": {"wall": import_wall, "cpu": import_cpu},
        "requests": {},
    }
    for name, func in reads.items():
        response = func()  # warm-up (and check)
        if response.status_code != 200:
            results["requests"][name] = {"status": response.status_code}
            continue
        with counting(connection) as counted:
            func()
        walls, cpus = [], []
        for _ in range(args.repeat):
            wall, cpu, _response = timed(func)
            walls.append(wall)
            cpus.append(cpu)
        results["requests"][name] = {
            "wall": stats(walls),
            "cpu": stats(cpus),
            "queries": counted[0],
            "bytes": len(response.content),
        }
        print(f"  {name}: {statistics.median(walls) * 1000:.0f} ms", file=sys.stderr)

    rng = random.Random(args.seed)
    leaves = list(
        Task.objects.filter(project=project, is_summary=False, milestone__isnull=True)
        .exclude(duration=0)
        .values_list("pk", flat=True)
    )
    picks = [rng.choice(leaves) for _ in range(args.edits + 1)]

    def edit(task_pk: int, sign: int) -> Any:
        task = Task.objects.only("duration", "version").get(pk=task_pk)
        body = {"duration": max(480, task.duration + sign * 480), "version": task.version}
        return lambda: api.patch(
            f"/api/v1/projects/{pk}/tasks/{task_pk}",
            data=json.dumps(body),
            content_type="application/json",
            headers=auth,
        )

    response = edit(picks[0], 1)()  # warm-up
    assert response.status_code == 200, response.content
    try:
        from jalon.web.planning import plancache
    except ImportError:  # before the plans kept between edits
        plancache = None
    series = {"task edit API (reschedule + save)": "kept"}
    if plancache is not None:
        series["task edit API, two workers taking turns (plan one edit behind)"] = "turns"
        series["task edit API, plan not kept (worker's first edit of the project)"] = "cold"
    workers: list[Any] = []
    if plancache is not None:
        from collections import OrderedDict

        # two worker processes' kept plans, the database shared: each edit is served by
        # the other worker, which holds the plan as it was before the previous edit
        workers = [plancache._plans, OrderedDict()]
    for name, case in series.items():
        walls, cpus, queries = [], [], []
        if case == "turns":
            plancache._plans = workers[1]
            warm = edit(picks[0], 1)()  # the second worker's first edit reads the plan
            assert warm.status_code == 200, warm.content
        for i, task_pk in enumerate(picks[1:]):
            call = edit(task_pk, 1 if i % 2 == 0 else -1)
            if case == "turns":
                plancache._plans = workers[i % 2]
            elif case == "cold" and plancache is not None:
                plancache.clear()
            with counting(connection) as counted:
                wall, cpu, response = timed(call)
            assert response.status_code == 200, response.content
            walls.append(wall)
            cpus.append(cpu)
            queries.append(counted[0])
        results["requests"][name] = {
            "wall": stats(walls),
            "cpu": stats(cpus),
            "queries": max(queries),
        }
        print(f"  {name}: {statistics.median(walls) * 1000:.0f} ms", file=sys.stderr)

    # the same edit typed in the planning editor: its htmx answer carries the rows the
    # edit changed (every grid row before commit f048fe5)
    with contextlib.suppress(NoReverseMatch):
        edit_url = reverse("planning:task_edit", args=[pk])
        walls, cpus, queries, rows, sizes = [], [], [], [], []
        for i, task_pk in enumerate(picks[1:]):
            task = Task.objects.only("duration", "version").get(pk=task_pk)
            days = max(1, task.duration // 480 + (1 if i % 2 == 0 else -1))
            form = {"task": task_pk, "version": task.version, "field": "duration"}
            form["value"] = f"{days}d"
            with counting(connection) as counted:
                wall, cpu, response = timed(lambda form=form: browser.post(edit_url, form))
            assert response.status_code == 200, response.content[:500]
            walls.append(wall)
            cpus.append(cpu)
            queries.append(counted[0])
            rows.append(response.content.count(b'<tr id="task-'))
            sizes.append(len(response.content))
        name = "planning editor edit (htmx: reschedule + save + changed rows)"
        results["requests"][name] = {
            "wall": stats(walls),
            "cpu": stats(cpus),
            "queries": max(queries),
            "rows sent": stats(rows),
            "bytes": statistics.median(sizes),
        }
        print(f"  {name}: {statistics.median(walls) * 1000:.0f} ms", file=sys.stderr)

    # where an edit's time goes: the service with timers around its steps
    import jalon.web.planning.services as svc

    breakdown = Breakdown()
    breakdown.wrap(svc, "load_plan", "load_plan (database -> Plan)")
    if hasattr(svc, "reload_tasks"):
        breakdown.wrap(svc, "reload_tasks", "reload_tasks (edited rows into the kept plan)")
    breakdown.wrap(svc, "schedule", "engine schedule (compile + CPM)")
    breakdown.wrap(svc, "write_schedule", "write_schedule (changed rows)")
    breakdown.wrap(svc, "_store_project_summary", "project summary")
    for i, task_pk in enumerate(picks[1 : 1 + args.breakdown]):
        task = Task.objects.get(pk=task_pk)
        data = {"duration": max(480, task.duration + (480 if i % 2 == 0 else -480))}
        wall, _cpu, _ = timed(
            lambda task=task, data=data: services.task_update(
                task=task, data=data, version=task.version, user=admin
            )
        )
        breakdown.close(wall)
    results["edit breakdown"] = {
        label: statistics.median(values) for label, values in breakdown.totals.items()
    }
    return results


# ---------------------------------------------------------------------------------------
# the parent: one child per database, then a Markdown table


def run_child(args: argparse.Namespace, database_url: str | None) -> dict[str, Any]:
    command = [
        sys.executable,
        __file__,
        "--child",
        "--tasks",
        str(args.tasks),
        "--edits",
        str(args.edits),
        "--repeat",
        str(args.repeat),
        "--seed",
        str(args.seed),
        "--breakdown",
        str(args.breakdown),
    ]
    if database_url:
        command += ["--database-url", database_url]
    print(f"{'PostgreSQL' if database_url else 'SQLite'}: {args.tasks} tasks", file=sys.stderr)
    done = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def ms(value: float) -> str:
    return f"{value * 1000:,.0f}"


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| database | request | wall median (ms) | wall p95 | CPU median | CPU p95 | queries |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        for name, r in result["requests"].items():
            if "wall" not in r:
                lines.append(f"| {result['database']} | {name} | status {r['status']} | | | | |")
                continue
            lines.append(
                f"| {result['database']} | {name} | {ms(r['wall']['median'])} | "
                f"{ms(r['wall']['p95'])} | {ms(r['cpu']['median'])} | {ms(r['cpu']['p95'])} | "
                f"{r['queries']} |"
            )
    lines += ["", "| database | edit step (median, ms) |", "|---|---|"]
    for result in results:
        steps = ", ".join(f"{k} {ms(v)}" for k, v in result["edit breakdown"].items())
        lines.append(f"| {result['database']} | {steps} |")
    lines += [""]
    for result in results:
        lines.append(
            f"{result['database']}: {result['tasks']} tasks, {result['links']} links; import "
            f"{result['import']['wall']:.1f} s wall, {result['import']['cpu']:.1f} s CPU."
        )
        for name, r in result["requests"].items():
            if "rows sent" in r:
                lines.append(
                    f"{result['database']}: {name}: grid rows sent median "
                    f"{r['rows sent']['median']:,.0f}, max {r['rows sent']['p95']:,.0f} (p95); "
                    f"answer {r['bytes'] / 1000:,.0f} kB median."
                )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=5000)
    parser.add_argument("--edits", type=int, default=30, help="timed task edits")
    parser.add_argument("--repeat", type=int, default=10, help="timed runs of each read")
    parser.add_argument("--breakdown", type=int, default=10, help="edits timed step by step")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--database-url", default=os.environ.get("JALON_TEST_DATABASE_URL"))
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--json", type=Path, help="write every measurement there")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args)))
        return
    results = []
    if not args.no_sqlite:
        results.append(run_child(args, None))
    if args.database_url:
        results.append(run_child(args, args.database_url))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    print(table(results))


if __name__ == "__main__":
    main()
