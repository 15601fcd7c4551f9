"""``jalon import`` and ``jalon export``: dry runs, JSON reports, plan files, the database,
and one-line errors with exit code 1 (bad input) or 2 (bad usage)."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner, Result

from jalon.cli.main import app
from jalon.engine.cpm import schedule
from jalon.engine.model import Link, Plan, Task
from jalon.io import load_plan
from jalon.io.csv_table import write_csv
from jalon.io.importers import import_file
from jalon.io.plan_yaml import write_plan

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
NEW_PRODUCT = DATA / "msproject" / "projectlibre" / "New Product.mpp"
REPORT_KEYS = [
    "format",
    "tasks",
    "summary_tasks",
    "milestones",
    "links",
    "resources",
    "assignments",
    "warnings",
    "ignored",
]
ENV: dict[str, str | None] = {"COLUMNS": "100", "FORCE_COLOR": None, "JALON_DEBUG": None}
runner = CliRunner()


def run(*args: str | Path) -> Result:
    return runner.invoke(app, [str(a) for a in args], env=ENV)


def plan() -> Plan:
    return Plan(
        name="Office move",
        start=dt.datetime(2025, 3, 3, 8),
        tasks=(
            Task(1, "Prepare", 0),
            Task(2, "Pack", 960, parent=1),
            Task(3, "Move", 480),
            Task(4, "Moved", 0),
        ),
        links=(Link(2, 3), Link(3, 4)),
    )


@pytest.fixture
def csv_file(tmp_path: Path) -> Path:
    p = plan()
    path = tmp_path / "move.csv"
    with path.open("wb") as stream:
        write_csv(p, schedule(p), stream)
    return path


@pytest.fixture
def yaml_file(tmp_path: Path) -> Path:
    path = tmp_path / "move.yaml"
    with path.open("wb") as stream:
        write_plan(plan(), stream)
    return path


# -- jalon import --dry-run ----------------------------------------------------------------


def test_dry_run_prints_what_would_be_created(csv_file: Path) -> None:
    result = run("import", csv_file, "--dry-run")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "format: csv"
    assert lines[1] == (
        "would create 4 tasks (1 summary task, 1 milestone), 2 links, 0 resources, 0 assignments"
    )
    assert any(line.startswith("ignored: column 'Cost'") for line in lines)


def test_dry_run_json_is_exactly_the_report(csv_file: Path) -> None:
    result = run("import", csv_file, "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data) == REPORT_KEYS
    assert data == import_file(csv_file).report.to_json()


def test_dry_run_writes_nothing(csv_file: Path) -> None:
    before = sorted(csv_file.parent.iterdir())
    assert run("import", csv_file, "--dry-run").exit_code == 0
    assert sorted(csv_file.parent.iterdir()) == before


def test_the_format_can_be_forced(tmp_path: Path, yaml_file: Path) -> None:
    odd = tmp_path / "plan.txt"
    odd.write_bytes(yaml_file.read_bytes())
    result = run("import", odd, "--from", "yaml", "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["format"] == "yaml"


# -- errors and exit codes -----------------------------------------------------------------


def test_bad_input_is_one_line_and_exit_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("Name,Duration\nA,forever\nB,\n", encoding="utf-8")
    result = run("import", bad, "--dry-run")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"error: {bad}:2:")
    assert "column 2 (Duration): cannot read 'forever' as a duration" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_content_is_exit_1(tmp_path: Path) -> None:
    odd = tmp_path / "notes.md"
    odd.write_text("just some words\n", encoding="utf-8")
    result = run("import", odd, "--dry-run")
    assert result.exit_code == 1
    assert "cannot tell the format" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "docx", "--dry-run"], "unknown import format 'docx'"),
        (["--json"], "--json goes with --dry-run"),
        (["--dry-run", "--out", "x.yaml"], "--dry-run writes nothing"),
        (["--out", "x.docx"], "use a .yaml, .json or .xml file"),
    ],
)
def test_usage_errors_are_exit_2(csv_file: Path, args: list[str], message: str) -> None:
    result = run("import", csv_file, *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_a_missing_file_is_exit_2(tmp_path: Path) -> None:
    result = run("import", tmp_path / "gone.csv", "--dry-run")
    assert result.exit_code == 2
    assert "no such file" in result.stderr


# -- reader options ------------------------------------------------------------------------

TRELLO_BOARD = (
    Path(__file__).resolve().parents[1] / "io" / "data" / "trello" / "website-relaunch.json"
)


@pytest.fixture
def jira_file(tmp_path: Path) -> Path:
    """A Jira export whose dates are in a format of the site's own."""
    path = tmp_path / "jira.csv"
    path.write_text(
        "Summary,Issue key,Issue id,Issue Type,Status,Created\n"
        "Checkout,P-1,1,Task,To Do,2025.04.03\n",
        encoding="utf-8",
    )
    return path


def test_jira_date_format_and_start(tmp_path: Path, jira_file: Path) -> None:
    unread = run("import", jira_file, "--dry-run")
    assert unread.exit_code == 1
    assert "2025.04.03" in unread.stderr
    out = tmp_path / "jira.yaml"
    result = run("import", jira_file, "--date-format", "%Y.%m.%d", "--out", out)
    assert result.exit_code == 0, result.stderr
    assert load_plan(out).start == dt.datetime(2025, 4, 3, 8, 0)
    result = run(
        "import", jira_file, "--date-format", "%Y.%m.%d", "--start", "2025-03-31", "--out", out
    )
    assert result.exit_code == 0, result.stderr
    assert load_plan(out).start == dt.datetime(2025, 3, 31, 8, 0)


def test_trello_archived_cards_on_request() -> None:
    plain = run("import", TRELLO_BOARD, "--dry-run", "--json")
    everything = run("import", TRELLO_BOARD, "--dry-run", "--json", "--include-archived")
    assert plain.exit_code == everything.exit_code == 0, plain.stderr + everything.stderr
    assert json.loads(everything.stdout)["tasks"] == json.loads(plain.stdout)["tasks"] + 3
    assert "Chatbot" in " ".join(json.loads(plain.stdout)["ignored"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--include-archived"], "--include-archived is for trello files; "),
        (["--date-format", "%d.%m.%Y"], "--date-format is for jira files; "),
        (["--default-days", "2"], "--default-days is for jira and trello files; "),
        (["--start", "next monday", "--from", "jira"], "--start next monday: give a date"),
        (["--checklists", "both", "--from", "trello"], "--checklists both: use tasks or notes"),
    ],
)
def test_reader_options_go_with_their_formats(
    csv_file: Path, args: list[str], message: str
) -> None:
    result = run("import", csv_file, "--dry-run", *args)
    assert result.exit_code == 2
    assert message in result.stderr


# -- jalon import --out ----------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".yaml", ".json", ".xml"])
def test_import_to_a_plan_file(tmp_path: Path, csv_file: Path, suffix: str) -> None:
    out = tmp_path / f"plan{suffix}"
    result = run("import", csv_file, "--out", out, "--project", "Renamed")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Wrote {out}: 4 tasks, 2 links (from csv)")
    written = load_plan(out)
    assert written.name == "Renamed"
    assert [t.name for t in written.tasks] == [t.name for t in plan().tasks]


# -- jalon export ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "yaml", "json", "xml", "ics"])
def test_export_a_plan_file(tmp_path: Path, yaml_file: Path, fmt: str) -> None:
    out = tmp_path / f"out.{fmt}"
    result = run("export", yaml_file, "--format", fmt, "--out", out)
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0
    if fmt == "ics":
        assert out.read_bytes().startswith(b"BEGIN:VCALENDAR")
        return
    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(out.read_bytes()))["Tasks"]
        assert sheet.cell(2, 4).value == "Prepare"
    back = import_file(out)
    assert [t.name for t in back.plan.tasks] == [t.name for t in plan().tasks]


def test_export_to_standard_output(yaml_file: Path) -> None:
    result = run("export", yaml_file, "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.lstrip("\ufeff").startswith("ID,WBS,Outline level,Name")


def test_export_errors(tmp_path: Path, yaml_file: Path) -> None:
    assert run("export", yaml_file, "--format", "pdf").exit_code == 2
    assert run("export", yaml_file, "--format", "xlsx").exit_code == 2  # a workbook needs --out
    assert run("export", yaml_file).exit_code == 2  # no format, no suffix to tell it
    result = run("export", tmp_path / "gone.yaml", "--format", "csv")
    assert result.exit_code == 2
    assert "no such file" in result.stderr


# -- the database ----------------------------------------------------------------------------


def _jalon(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jalon.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )


def test_import_into_the_database_and_export_the_project(tmp_path: Path, csv_file: Path) -> None:
    pytest.importorskip("django")
    env = {
        **os.environ,
        "JALON_DATABASE_URL": f"sqlite:///{tmp_path / 'jalon.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "jalon.web.settings",
    }
    env.pop("JALON_DEBUG", None)
    # without an owner, and no PMO admin yet: a usage error, and nothing is created
    refused = _jalon(["import", str(csv_file)], env)
    assert refused.returncode == 2, refused.stderr
    assert "--owner" in refused.stderr
    made = _jalon(
        [
            "manage",
            "shell",
            "-c",
            "from django.contrib.auth import get_user_model; "
            "get_user_model().objects.create_superuser('pmo', 'pmo@example.org', 'x')",
        ],
        env,
    )
    assert made.returncode == 0, made.stderr
    created = _jalon(["import", str(csv_file), "--project", "Move 2025"], env)
    assert created.returncode == 0, created.stderr
    assert created.stdout.startswith("Created project 'Move 2025' (id ")
    out = tmp_path / "back.csv"
    exported = _jalon(["export", "Move 2025", "--out", str(out)], env)
    assert exported.returncode == 0, exported.stderr
    back = import_file(out).plan
    assert [t.name for t in back.tasks] == [t.name for t in plan().tasks]
    missing = _jalon(["export", "No such project", "--format", "csv"], env)
    assert missing.returncode == 2
    assert "no project of that name or id" in missing.stderr


@pytest.mark.mpxj
def test_an_mpp_file_through_the_command(tmp_path: Path) -> None:
    if shutil.which("java") is None or not NEW_PRODUCT.is_file():
        pytest.skip("needs Java and the shared .mpp file")
    pytest.importorskip("jpype")
    out = tmp_path / "new-product.yaml"
    result = _jalon(["import", str(NEW_PRODUCT), "--out", str(out)], dict(os.environ))
    assert result.returncode == 0, result.stderr
    assert "(from mpp)" in result.stdout
    assert len(load_plan(out).tasks) == len(import_file(NEW_PRODUCT).plan.tasks)
