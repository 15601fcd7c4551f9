"""The ``jalon`` command line: every command and format, and one-line errors for bad input."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner, Result

from jalon import Plan, Schedule, __version__, load_plan
from jalon.cli import render
from jalon.cli.main import app
from jalon.engine.errors import PlanError
from jalon.engine.results import ScheduleWarning

TASK_KEYS = {
    "uid",
    "wbs",
    "name",
    "start",
    "finish",
    "early_start",
    "early_finish",
    "late_start",
    "late_finish",
    "total_float_minutes",
    "free_float_minutes",
    "critical",
    "summary",
    "milestone",
}
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")
MSPDI_NS = "http://schemas.microsoft.com/project"
TASK_LINKS = Path("/work/shared/data/msproject/mpxj/junit/data/generated/task-links")

PLAN_YAML = """\
project:
  name: Website redesign
  start: 2024-01-08

tasks:
  - id: D
    name: Discovery
    tasks:
      - {id: D1, name: Stakeholder interviews, duration: 3d}
      - {id: D2, name: Requirements workshop, duration: 2d, after: D1}
  - id: B
    name: Build the new site, a task whose name is far too long for an 80-column terminal
    duration: 10d
    after: D
  - {id: R, name: Review, duration: 2d, after: D2}
  - {id: GO, name: Go-live, duration: 0d, after: [B, R]}
"""

runner = CliRunner()


#: The terminal the tests assume, whatever the developer's shell says.
PLAIN_ENV: dict[str, str | None] = {
    "COLUMNS": "80",
    "LINES": "25",
    "FORCE_COLOR": None,
    "TTY_COMPATIBLE": None,
    "JALON_DEBUG": None,
}


def run(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    return runner.invoke(app, [str(a) for a in args], env={**PLAIN_ENV, **(env or {})})


def single_error_line(result: Result) -> str:
    """The one line a failing command prints on stderr (no traceback, no usage box)."""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    assert "Traceback" not in result.output
    return lines[0]


@pytest.fixture
def plan_file(tmp_path: Path) -> Path:
    path = tmp_path / "website.yaml"
    path.write_text(PLAN_YAML, encoding="utf-8")
    return path


# -- jalon --version / --help ---------------------------------------------------------


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"jalon {__version__}"


def test_help_lists_the_commands() -> None:
    result = run("--help")
    assert result.exit_code == 0
    for command in ("schedule", "validate", "convert"):
        assert command in result.stdout


# -- jalon schedule -------------------------------------------------------------------


def test_schedule_table(plan_file: Path) -> None:
    result = run("schedule", plan_file)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("Website redesign\n")
    assert "Start 2024-01-08 08:00" in out
    for header in ("WBS", "Name", "Start", "Finish", "Dur.", "Float"):
        assert header in out
    assert "  Stakeholder interviews" in out  # indented under its summary
    assert "10d" in out
    assert "0d ◆" in out  # the go-live milestone
    assert "Build the new site" in out
    assert "…" in out  # the long name is cut, not wrapped
    assert result.stderr == ""


def test_schedule_table_fits_80_columns(plan_file: Path) -> None:
    result = run("schedule", plan_file, env={"COLUMNS": "80"})
    assert result.exit_code == 0
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    row = next(line for line in result.stdout.splitlines() if line.startswith("GO "))
    assert "2024-01-26" in row


def test_schedule_table_wide_shows_times(plan_file: Path) -> None:
    result = run("schedule", plan_file, env={"COLUMNS": "140"})
    assert result.exit_code == 0
    row = next(line for line in result.stdout.splitlines() if line.startswith("D1 "))
    assert "2024-01-08 08:00" in row
    assert "2024-01-10 17:00" in row


def test_schedule_json(plan_file: Path) -> None:
    result = run("schedule", plan_file, "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert set(doc) == {"project", "tasks", "warnings"}
    assert doc["project"] == {
        "name": "Website redesign",
        "start": "2024-01-08T08:00:00",
        "finish": "2024-01-26T17:00:00",
    }
    assert [t["wbs"] for t in doc["tasks"]] == ["D", "D1", "D2", "B", "R", "GO"]
    for task in doc["tasks"]:
        assert set(task) == TASK_KEYS
        for key in ("start", "finish", "early_start", "early_finish", "late_start", "late_finish"):
            assert ISO.match(task[key]), task[key]
        assert isinstance(task["total_float_minutes"], int)
        assert isinstance(task["free_float_minutes"], int)
        assert isinstance(task["critical"], bool)
    by_wbs = {t["wbs"]: t for t in doc["tasks"]}
    assert by_wbs["D"]["summary"] is True
    assert by_wbs["GO"]["milestone"] is True
    assert by_wbs["R"]["total_float_minutes"] == 8 * 480
    assert by_wbs["R"]["critical"] is False
    assert by_wbs["B"]["critical"] is True
    assert doc["warnings"] == []


def test_schedule_csv(plan_file: Path) -> None:
    result = run("schedule", plan_file, "-f", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == list(render.TASK_FIELDS)
    assert set(rows[0]) == TASK_KEYS
    assert len(rows) == 1 + 6
    record = dict(zip(rows[0], rows[5], strict=True))
    assert record["name"] == "Review"
    assert record["total_float_minutes"] == "3840"
    assert record["critical"] == "false"


def test_schedule_xml_is_mspdi(plan_file: Path, tmp_path: Path) -> None:
    result = run("schedule", plan_file, "--format", "xml")
    assert result.exit_code == 0, result.output
    root = etree.fromstring(result.stdout_bytes)
    assert root.tag == f"{{{MSPDI_NS}}}Project"
    back = tmp_path / "back.xml"
    back.write_bytes(result.stdout_bytes)
    assert [t.name for t in load_plan(back).tasks][-1] == "Go-live"


def test_schedule_critical_only(plan_file: Path) -> None:
    result = run("schedule", plan_file, "--format", "json", "--critical-only")
    assert result.exit_code == 0
    tasks = json.loads(result.stdout)["tasks"]
    assert tasks
    assert all(t["critical"] for t in tasks)
    assert "Review" not in {t["name"] for t in tasks}
    table = run("schedule", plan_file, "--critical-only").stdout
    assert "Review" not in table
    assert "Go-live" in table


def test_schedule_critical_only_with_xml_is_a_usage_error(plan_file: Path) -> None:
    result = run("schedule", plan_file, "--format", "xml", "--critical-only")
    assert result.exit_code == 2
    assert "--critical-only" in single_error_line(result)


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "xml"])
def test_schedule_out_writes_a_file(plan_file: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"result.{fmt}"
    result = run("schedule", plan_file, "--format", fmt, "--out", out)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    data = out.read_bytes()
    if fmt == "json":
        assert set(json.loads(data)["tasks"][0]) == TASK_KEYS
    elif fmt == "csv":
        assert data.decode().splitlines()[0] == ",".join(render.TASK_FIELDS)
    elif fmt == "xml":
        assert etree.fromstring(data).tag == f"{{{MSPDI_NS}}}Project"
    else:
        text = data.decode()
        assert "Website redesign" in text
        assert "\x1b[" not in text  # no colour codes in files


@pytest.mark.parametrize(("suffix", "check"), [(".json", "{"), (".csv", "uid,wbs,name")])
def test_schedule_out_suffix_chooses_the_format(
    plan_file: Path, tmp_path: Path, suffix: str, check: str
) -> None:
    out = tmp_path / f"result{suffix}"
    assert run("schedule", plan_file, "-o", out).exit_code == 0
    assert out.read_text().startswith(check)


@pytest.mark.parametrize("value", ["2024-01-09", "2024-01-09T12:00", "2024-01-09T12:00:00"])
def test_schedule_status_date(plan_file: Path, value: str) -> None:
    result = run("schedule", plan_file, "--status-date", value, "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["project"]["name"] == "Website redesign"


def test_status_date_parsing() -> None:
    from jalon.cli.common import UsageError, parse_status_date

    assert parse_status_date("2024-01-09").isoformat() == "2024-01-09T17:00:00"  # type: ignore[union-attr]
    assert parse_status_date("2024-01-09T12:30").isoformat() == "2024-01-09T12:30:00"  # type: ignore[union-attr]
    assert parse_status_date(None) is None
    with pytest.raises(UsageError, match="time zone"):
        parse_status_date("2024-01-09T12:00+02:00")


def test_schedule_warnings(plan_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from jalon import schedule as real

    def with_warning(plan: Plan, status_date: dt.datetime | None = None) -> Schedule:
        result = real(plan, status_date)
        warning = ScheduleWarning("deadline-missed", 4, "4 'Review' (uid 4) is late.")
        return dataclasses.replace(result, warnings=(warning,))

    monkeypatch.setattr("jalon.cli.schedule.compute_schedule", with_warning)
    table = run("schedule", plan_file)
    assert table.exit_code == 0
    assert "1 warning:" in table.stdout
    assert "deadline-missed: 4 'Review' (uid 4) is late." in table.stdout
    doc = json.loads(run("schedule", plan_file, "-f", "json").stdout)
    assert doc["warnings"] == [
        {"kind": "deadline-missed", "task": 4, "message": "4 'Review' (uid 4) is late."}
    ]
    as_csv = run("schedule", plan_file, "-f", "csv")
    assert as_csv.exit_code == 0
    assert as_csv.stderr.strip().startswith("warning: ")
    assert "deadline-missed" in as_csv.stderr
    assert "deadline-missed" not in as_csv.stdout


def test_schedule_deadline_warning_from_the_engine(tmp_path: Path) -> None:
    path = tmp_path / "late.yaml"
    path.write_text(
        "project: {name: Late, start: 2024-01-08}\n"
        "tasks:\n"
        "  - {id: A, name: Design, duration: 5d, deadline: 2024-01-10}\n"
        "  - {id: B, name: Ship, duration: 0d, after: A}\n"
    )
    result = run("validate", path)
    assert result.exit_code == 0
    assert result.stdout.startswith("OK: 2 tasks, 1 link, finish 2024-01-12 17:00")
    assert "warning: " in result.stderr
    assert "deadline" in result.stderr


def test_schedule_mspdi_file() -> None:
    path = TASK_LINKS / "task-links-project2010-mspdi.xml"
    if not path.exists():
        pytest.skip("MPXJ test data not available")
    result = run("schedule", path, "-f", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["project"]["finish"] == "2014-11-03T17:00:00"
    assert len(doc["tasks"]) == 16


# -- jalon validate -------------------------------------------------------------------


def test_validate_ok(plan_file: Path) -> None:
    result = run("validate", plan_file)
    assert result.exit_code == 0, result.output
    assert result.stdout == "OK: 6 tasks, 5 links, finish 2024-01-26 17:00\n"


# -- jalon convert --------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".json", ".xml", ".yaml"])
def test_convert(plan_file: Path, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"converted{suffix}"
    result = run("convert", plan_file, out)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Wrote {out} (")
    again = load_plan(out)
    assert [t.name for t in again.tasks] == [t.name for t in load_plan(plan_file).tasks]
    assert len(again.links) == 5


def test_convert_with_explicit_formats(plan_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan.txt"
    result = run("convert", plan_file, out, "--to", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["project"]["name"] == "Website redesign"
    copy = tmp_path / "plan.data"
    copy.write_text(PLAN_YAML)
    result = run("convert", copy, tmp_path / "plan.xml", "--from", "yaml")
    assert result.exit_code == 0, result.output
    assert load_plan(tmp_path / "plan.xml").name == "Website redesign"


def test_convert_mspdi_to_yaml(tmp_path: Path) -> None:
    path = TASK_LINKS / "task-links-project2010-mspdi.xml"
    if not path.exists():
        pytest.skip("MPXJ test data not available")
    out = tmp_path / "links.yaml"
    assert run("convert", path, out).exit_code == 0
    assert len(load_plan(out).tasks) == 16


# -- bad input: one line on stderr, exit 1 (invalid plan) or 2 (usage) ----------------

BAD_PLANS = {
    "malformed.xml": (
        "<Project xmlns='http://schemas.microsoft.com/project'>\n<Tasks>\n</Project>",
        3,
    ),
    "not-mspdi.xml": ("<?xml version='1.0'?>\n<html><body/></html>\n", 2),
    "typo.yaml": (
        "project: {name: Typo, start: 2024-01-08}\ntasks:\n  - {id: A, name: A, duraton: 3d}\n",
        3,
    ),
    "cycle.yaml": (
        "project: {name: Cycle, start: 2024-01-08}\n"
        "tasks:\n"
        "  - {id: A, name: A, duration: 1d, after: B}\n"
        "  - {id: B, name: B, duration: 1d, after: A}\n",
        None,
    ),
    "broken.yaml": ("project: [\n  name: x\n", None),
    "broken.json": ('{"project": {"name": "x",\n', None),
}
EXPECTED_WORDS = {
    "malformed.xml": "malformed XML",
    "not-mspdi.xml": "not an MS Project XML",
    "typo.yaml": "duraton",
    "cycle.yaml": "cycle",
    "broken.yaml": "YAML",
    "broken.json": "JSON",
}


@pytest.mark.parametrize("command", ["schedule", "validate"])
@pytest.mark.parametrize("name", sorted(BAD_PLANS))
def test_invalid_plan_is_one_line_and_exit_1(tmp_path: Path, name: str, command: str) -> None:
    text, line = BAD_PLANS[name]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = run(command, path)
    assert result.exit_code == 1, result.output
    message = single_error_line(result)
    assert message.startswith(f"error: {path}")
    if line is not None:
        assert message.startswith(f"error: {path}:{line}: ")
    assert EXPECTED_WORDS[name].lower() in message.lower()
    assert result.stdout == ""


def test_cycle_names_the_tasks(tmp_path: Path) -> None:
    path = tmp_path / "cycle.yaml"
    path.write_text(BAD_PLANS["cycle.yaml"][0])
    message = single_error_line(run("validate", path))
    assert "'A'" in message
    assert "'B'" in message


def test_convert_invalid_plan(tmp_path: Path) -> None:
    path = tmp_path / "typo.yaml"
    path.write_text(BAD_PLANS["typo.yaml"][0])
    result = run("convert", path, tmp_path / "out.json")
    assert result.exit_code == 1
    assert "duraton" in single_error_line(result)
    assert not (tmp_path / "out.json").exists()


@pytest.mark.parametrize("command", ["schedule", "validate", "convert"])
def test_missing_file_is_a_usage_error(tmp_path: Path, command: str) -> None:
    missing = tmp_path / "nope.yaml"
    args: list[str | Path] = [command, missing]
    if command == "convert":
        args.append(tmp_path / "out.json")
    result = run(*args)
    assert result.exit_code == 2
    assert single_error_line(result) == f"error: {missing}: no such file"


def test_directory_is_a_usage_error(tmp_path: Path) -> None:
    result = run("schedule", tmp_path)
    assert result.exit_code == 2
    assert "directory" in single_error_line(result)


def test_unknown_input_format_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "plan.txt"
    path.write_text(PLAN_YAML)
    result = run("validate", path)
    assert result.exit_code == 2
    assert "suffix '.txt'" in single_error_line(result)
    result = run("validate", path, "--from", "docx")
    assert result.exit_code == 2
    assert "unknown format 'docx'" in single_error_line(result)
    assert run("validate", path, "--from", "yaml").exit_code == 0


def test_unknown_output_format_is_a_usage_error(plan_file: Path, tmp_path: Path) -> None:
    result = run("convert", plan_file, tmp_path / "plan.docx")
    assert result.exit_code == 2
    assert "suffix '.docx'" in single_error_line(result)
    result = run("convert", plan_file, tmp_path / "plan.json", "--to", "pdf")
    assert result.exit_code == 2
    assert "unknown format 'pdf'" in single_error_line(result)


@pytest.mark.parametrize("value", ["2024-13-01", "tomorrow", "2024-01-09T25:00"])
def test_bad_status_date_is_a_usage_error(plan_file: Path, value: str) -> None:
    result = run("schedule", plan_file, "--status-date", value)
    assert result.exit_code == 2
    assert single_error_line(result).startswith(f"error: --status-date: '{value}' is not a date")


def test_unwritable_out_is_a_usage_error(plan_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "no-such-dir" / "result.json"
    result = run("schedule", plan_file, "-f", "json", "--out", out)
    assert result.exit_code == 2
    assert single_error_line(result) == f"error: {out}: No such file or directory"
    result = run("convert", plan_file, out)
    assert result.exit_code == 2
    assert single_error_line(result) == f"error: {out}: No such file or directory"


def test_typer_usage_errors_exit_2(plan_file: Path) -> None:
    assert run("schedule", plan_file, "--format", "pdf").exit_code == 2
    assert run("schedule", plan_file, "--no-such-option").exit_code == 2
    assert run("schedule").exit_code == 2
    assert run("frobnicate").exit_code == 2


def test_internal_error_is_one_line(plan_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(plan: Plan, status_date: dt.datetime | None = None) -> Schedule:
        raise KeyError("boom")

    monkeypatch.setattr("jalon.cli.schedule.compute_schedule", broken)
    result = run("schedule", plan_file)
    assert result.exit_code == 1
    message = single_error_line(result)
    assert "internal error: KeyError" in message
    assert "JALON_DEBUG=1" in message


def test_jalon_debug_reraises(tmp_path: Path) -> None:
    path = tmp_path / "cycle.yaml"
    path.write_text(BAD_PLANS["cycle.yaml"][0])
    result = run("validate", path, env={"JALON_DEBUG": "1"})
    assert result.exit_code == 1
    assert isinstance(result.exception, PlanError)


# -- renderers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "text"),
    [(0, "0d"), (2400, "5d"), (1200, "2.5d"), (-960, "-2d"), (30, "0.06d"), (-1, "0d")],
)
def test_format_days(minutes: int, text: str) -> None:
    assert render.format_days(minutes) == text


# -- the installed console script ----------------------------------------------------


def test_console_script(plan_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script = Path(sys.executable).with_name("jalon")
    if not script.exists():
        pytest.skip("the jalon console script is not installed in this environment")
    for name, value in PLAIN_ENV.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    ok = subprocess.run(
        [script, "validate", plan_file], capture_output=True, text=True, check=False, timeout=120
    )
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("OK: 6 tasks, 5 links")
    bad = tmp_path / "bad.xml"
    bad.write_text("<Project>\n<Tasks>\n")
    failed = subprocess.run(
        [script, "schedule", bad], capture_output=True, text=True, check=False, timeout=120
    )
    assert failed.returncode == 1
    assert failed.stderr.count("\n") == 1
    assert failed.stderr.startswith(f"error: {bad}")
    assert "Traceback" not in failed.stderr
    missing = subprocess.run(
        [script, "schedule", tmp_path / "missing.yaml"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert missing.returncode == 2
    assert missing.stderr == f"error: {tmp_path / 'missing.yaml'}: no such file\n"


def test_console_that_is_not_utf8(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script = Path(sys.executable).with_name("jalon")
    if not script.exists():
        pytest.skip("the jalon console script is not installed in this environment")
    monkeypatch.setenv("PYTHONIOENCODING", "ascii")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    path = tmp_path / "cafe.yaml"
    path.write_text(
        "project: {name: Café, start: 2024-01-08}\n"
        "tasks:\n  - {id: A, name: Réunion ☕, duration: 0d}\n",
        encoding="utf-8",
    )
    table = subprocess.run([script, "schedule", path], capture_output=True, check=False)
    assert table.returncode == 0, table.stderr
    assert b"R?union ?" in table.stdout
    assert b"0d *" in table.stdout  # the ASCII milestone mark
    as_json = subprocess.run(
        [script, "schedule", path, "-f", "json"], capture_output=True, check=False
    )
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout)["tasks"][0]["name"] == "Réunion ☕"
