"""The benchmark scripts run end to end on small plans (no timing is checked)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import editor_browser
import load_mspdi
import schedule

VENDOR = Path(__file__).resolve().parents[2] / "src/jalon/web/static/vendor"


def test_schedule_script(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "schedule.json"
    assert schedule.main(["--sizes", "300", "--repeat", "2", "--no-mpxj", "--json", str(out)]) == 0
    table = capsys.readouterr().out
    assert "| 300 |" in table
    report = json.loads(out.read_text())
    jalon = report["results"][0]["jalon"]
    assert "error" not in jalon, jalon
    assert len(jalon["first_call_s"]["runs"]) == 2
    assert len(jalon["repeat_call_cpu_s"]["runs"]) == 2
    assert jalon["network"]["tasks"] == 300
    assert jalon["schedule_peak_rss_mb"] > 0
    assert report["results"][0]["mpxj"] is None


def test_mpxj_skipped_above_the_limit(capsys: pytest.CaptureFixture[str]) -> None:
    assert schedule.main(["--sizes", "300", "--repeat", "1", "--mpxj-max-size", "100"]) == 0
    assert "skipped (over --mpxj-max-size 100)" in capsys.readouterr().out


def test_load_mspdi_script(tmp_path: Path) -> None:
    out = tmp_path / "load.json"
    assert load_mspdi.main(["--n", "300", "--repeat", "2", "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["loaded_tasks"] == 300
    assert report["loaded_links"] == report["links"]
    assert len(report["load_plan_s"]["runs"]) == 2


@pytest.mark.skipif(
    not Path(editor_browser.CHROMIUM).exists()
    or not (VENDOR / "frappe-gantt/frappe-gantt.umd.js").exists(),
    reason="needs Debian's chromium and the front-end assets (npm ci)",
)
def test_editor_browser_script(tmp_path: Path) -> None:
    # in its own process: Playwright's sync API refuses to start inside the browser
    # tests' event loop when both run in one pytest worker
    out = tmp_path / "editor.json"
    script = Path(editor_browser.__file__)
    args = ["--tasks", "60", "--edits", "2", "--json", str(out)]
    subprocess.run([sys.executable, str(script), *args], check=True, timeout=600)
    report = json.loads(out.read_text())
    assert report["tasks"] == 60
    assert len(report["edit_until_gantt_shows_it"]) == 2
    assert all(s > 0 for s in report["edit_server"])
