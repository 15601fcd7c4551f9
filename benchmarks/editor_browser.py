"""What a user waits for in the planning editor of a large project, in a real browser.

``benchmarks/web.py`` times the server; this script times the page as Debian's chromium
(headless, driven by Playwright) shows it, against ``jalon serve`` (gunicorn, two
workers) on a fresh SQLite database holding ``benchmarks/generator.py``'s
``generate_plan(N)``:

1. opening the planning editor until its Gantt is drawn (``#gantt[data-ready]``), and
   the navigation timing of the page (server answer, DOM parsed, scripts run); above
   2,000 tasks the editor opens on outline level 2, so then showing every row (the
   toolbar's "All subtasks") is timed too;
2. ``--edits`` durations typed in the grid (a task's cell, Enter) until the Gantt shows
   the result: the htmx request, the swapped rows, the bars redrawn (``data-ready``
   changes), timed in the page from the Enter key's ``keydown`` (Playwright's own
   delay in delivering the key, ~0.2 s, is in ``edit_wall_with_playwright`` only); with
   the server's own time for each request (Resource Timing's
   ``responseStart - requestStart``).

    python benchmarks/editor_browser.py --tasks 5000 --edits 8
    python benchmarks/editor_browser.py --tasks 500 --json editor.json
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("JALON_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "benchmark-only-password"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def populate(env: dict[str, str], tasks: int, seed: int) -> int:
    """Migrate the database and import the generated plan; the project's pk."""
    script = f"""
import sys
import django
django.setup()
from django.contrib.auth.models import User
from django.core.management import call_command
sys.path.insert(0, {str(HERE)!r})
from generator import generate_plan
from jalon.web.planning.imports import project_import
call_command("migrate", verbosity=0)
user = User.objects.create_superuser("bench", "bench@example.org", {PASSWORD!r})
print(project_import(plan=generate_plan({tasks}, seed={seed}), user=user).pk)
"""
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True
    )
    return int(done.stdout.strip().splitlines()[-1])


def wait_for_server(url: str, seconds: float = 30) -> None:
    import urllib.request

    until = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            if time.monotonic() > until:
                raise
            time.sleep(0.2)


def measure(base: str, project: int, edits: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=flags, headless=True)
        page = browser.new_page(viewport={"width": 1600, "height": 900})
        page.goto(f"{base}/accounts/login/")
        page.fill("input[name=username]", "bench")
        page.fill("input[name=password]", PASSWORD)
        page.click("main form button[type=submit]")
        page.wait_for_selector("header .usermenu")

        started = time.perf_counter()
        page.goto(f"{base}/projects/{project}/plan/")
        page.wait_for_function("document.querySelector('#gantt').dataset.ready", timeout=300_000)
        opened = time.perf_counter() - started
        navigation = page.evaluate(
            "(() => { const n = performance.getEntriesByType('navigation')[0];"
            " return {server: n.responseStart - n.requestStart, dom: n.domInteractive,"
            " scripts: n.domContentLoadedEventEnd}; })()"
        )
        shown = page.evaluate(
            "[...document.querySelectorAll('#wbs-body tr[data-pk]')].filter(r => !r.hidden).length"
        )
        # every row shown (large plans open on outline level 2): the edits below run on it
        ready = page.get_attribute("#gantt", "data-ready")
        started = time.perf_counter()
        page.select_option("#outline-level", "")
        if (
            page.get_attribute("#gantt", "data-ready") == ready
            and shown < page.locator("#wbs-body tr[data-pk]").count()
        ):
            page.wait_for_function(
                "r => document.querySelector('#gantt').dataset.ready !== r",
                arg=ready,
                timeout=300_000,
            )
        show_all = time.perf_counter() - started
        cells = page.locator(
            "#wbs-body tr[data-pk]:has(input[name=duration]:not([readonly])) input[name=duration]"
        )
        # in the page: from the Enter key to the Gantt's redraw (Playwright's own delay in
        # delivering the key is left out)
        page.evaluate(
            "(() => { window.jalonBench = {};"
            " document.addEventListener('keydown', e => { if (e.key === 'Enter')"
            " window.jalonBench.key = performance.now(); }, true);"
            " new MutationObserver(() => { window.jalonBench.drawn = performance.now(); })"
            ".observe(document.querySelector('#gantt'),"
            " {attributes: true, attributeFilter: ['data-ready']}); })()"
        )
        waits, walls, servers = [], [], []
        for i in range(edits):
            cell = cells.nth(20 + 7 * i).element_handle()
            value = cell.input_value()
            cell.fill("3d" if value != "3d" else "4d")
            ready = page.get_attribute("#gantt", "data-ready")
            started = time.perf_counter()
            cell.press("Enter")
            page.wait_for_function(
                "r => document.querySelector('#gantt').dataset.ready !== r",
                arg=ready,
                timeout=300_000,
            )
            page.wait_for_function("window.jalonBench.drawn > window.jalonBench.key")
            waits.append(page.evaluate("window.jalonBench.drawn - window.jalonBench.key") / 1000)
            walls.append(time.perf_counter() - started)
            servers.append(
                page.evaluate(
                    "(() => { const e = performance.getEntriesByType('resource')"
                    ".filter(e => e.name.includes('/plan/edit/')).pop();"
                    " return e.responseStart - e.requestStart; })()"
                )
                / 1000
            )
        browser.close()
    return {
        "open_until_gantt_drawn": opened,
        "rows_shown_on_open": shown,
        "show_all_subtasks": show_all,
        "open_navigation_ms": navigation,
        "edit_until_gantt_shows_it": waits,
        "edit_wall_with_playwright": walls,
        "edit_server": servers,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=5000)
    parser.add_argument("--edits", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="write every measurement there")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="jalon-bench-editor-"))
    env = dict(
        os.environ,
        JALON_DATA_DIR=str(tmp),
        JALON_DATABASE_URL=f"sqlite:///{tmp / 'bench.sqlite3'}",
        JALON_SECRET_KEY="benchmark-only-" + "x" * 40,
        DJANGO_SETTINGS_MODULE="jalon.web.settings",
    )
    project = populate(env, args.tasks, args.seed)
    port = free_port()
    jalon = str(Path(sys.executable).with_name("jalon"))
    server = subprocess.Popen(
        [jalon, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for_server(f"{base}/accounts/login/")
        result = measure(base, project, args.edits)
    finally:
        server.terminate()
        server.wait(timeout=30)
    result.update(tasks=args.tasks, load_average=os.getloadavg())
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    waits, servers = result["edit_until_gantt_shows_it"], result["edit_server"]
    nav = result["open_navigation_ms"]
    print(
        f"{args.tasks} tasks, load {result['load_average'][0]:.1f}: editor opened, Gantt drawn "
        f"in {result['open_until_gantt_drawn']:.2f} s with {result['rows_shown_on_open']} rows "
        f"shown (server {nav['server']:.0f} ms, DOM "
        f"parsed {nav['dom'] / 1000:.2f} s, scripts done {nav['scripts'] / 1000:.2f} s); "
        f"every row shown in {result['show_all_subtasks']:.2f} s; "
        f"edit until the Gantt shows it: median {statistics.median(waits):.2f} s, max "
        f"{max(waits):.2f} s (server median {statistics.median(servers) * 1000:.0f} ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
