"""``jalon level``, ``jalon overallocations`` and ``jalon schedule --level``."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner, Result

from jalon import load_plan, schedule
from jalon.cli.main import app
from jalon.engine.leveling import overallocations

MSPDI_NS = "http://schemas.microsoft.com/project"

# Monday: Ann has three tasks at once, Bob (half time) two half-time tasks
TEAM_YAML = """\
project:
  name: Team plan
  start: 2027-01-04
resources:
  - {id: ANN, name: Ann}
  - {id: BOB, name: Bob, max_units: 50%}
tasks:
  - {id: A, name: Design, duration: 3d, resources: [ANN]}
  - {id: B, name: Build, duration: 2d, resources: [ANN]}
  - {id: C, name: Test, duration: 1d, after: B, resources: ["BOB:50%"]}
  - {id: D, name: Doc, duration: 2d, resources: ["BOB:50%"]}
  - {id: E, name: Release notes, duration: 1d, resources: [ANN, "BOB:50%"]}
"""

runner = CliRunner()
PLAIN_ENV: dict[str, str | None] = {
    "COLUMNS": "100",
    "LINES": "25",
    "FORCE_COLOR": None,
    "TTY_COMPATIBLE": None,
    "JALON_DEBUG": None,
}


def run(*args: str | Path) -> Result:
    return runner.invoke(app, [str(a) for a in args], env=PLAIN_ENV)


def error_line(result: Result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.output
    return lines[0]


@pytest.fixture
def team(tmp_path: Path) -> Path:
    path = tmp_path / "team.yaml"
    path.write_text(TEAM_YAML, encoding="utf-8")
    return path


def test_level_table(team: Path) -> None:
    result = run("level", team)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("Team plan levelled (fast)\n")
    assert "Finish 2027-01-06 17:00 -> 2027-01-12 17:00 (+6 days)   3 tasks moved" in out
    assert "Status heuristic, lower bound 2027-01-11 17:00, gap 16.7 %" in out
    lines = out.splitlines()
    moved = lines[lines.index("Moved tasks") + 1 :]
    assert moved[0].split() == [
        "WBS",
        "Name",
        "Start",
        "before",
        "Start",
        "after",
        "Moved",
        "Delay",
    ]
    table = moved[1 : moved.index("")]
    rows = {line.split()[0]: line.split()[-4:] for line in table}
    assert rows == {
        "B": ["2027-01-07", "08:00", "3d", "3d"],  # Build waits for Design
        "C": ["2027-01-12", "08:00", "4d", "3d"],  # Test follows, then waits a day for Bob
        "E": ["2027-01-11", "08:00", "5d", "5d"],  # Release notes wait for Ann's 5 days
    }
    assert "No resource is over-allocated (by day)." in out
    assert result.stderr == ""


def test_level_json(team: Path) -> None:
    result = run("level", team, "--format", "json", "--mode", "optimal", "--time-limit", "5")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    lev = doc["leveling"]
    assert (lev["mode"], lev["status"]) == ("optimal", "optimal")
    assert lev["finish_after"] == lev["lower_bound"] == "2027-01-11T17:00:00"
    assert [(m["uid"], m["leveling_delay_minutes"]) for m in doc["moved"]] == [
        (1, 2 * 1440),  # Design after Build
        (5, 5 * 1440),  # Release notes last
    ]
    assert lev["gap_pct"] == 0
    assert doc["remaining_overallocations"] == []
    assert {m["uid"] for m in doc["moved"]} <= {t["uid"] for t in doc["tasks"]}
    assert all(m["leveling_delay_minutes"] >= 0 for m in doc["moved"])
    delays = {t["uid"]: t["leveling_delay_minutes"] for t in doc["tasks"]}
    assert sum(delays.values()) > 0
    # stdout is the document; the summary goes to stderr
    assert "levelled: finish 2027-01-06 17:00 -> 2027-01-11 17:00" in result.stderr


def test_level_csv_has_the_schedule_and_the_delays(team: Path) -> None:
    result = run("level", team, "-f", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["wbs"] for r in rows] == ["A", "B", "C", "D", "E"]
    build = rows[1]
    assert (build["start"], build["start_before"]) == ("2027-01-07T08:00:00", "2027-01-04T08:00:00")
    assert build["leveling_delay_minutes"] == str(3 * 1440)


def test_level_out_xml_is_the_levelled_plan(team: Path, tmp_path: Path) -> None:
    out = tmp_path / "levelled.xml"
    result = run("level", team, "--out", out)
    assert result.exit_code == 0, result.output
    root = etree.parse(str(out)).getroot()
    delays = [int(e.text or 0) for e in root.iter(f"{{{MSPDI_NS}}}LevelingDelay")]
    assert delays == [0, 3 * 14400, 3 * 14400, 0, 5 * 14400]  # tenths of a minute
    again = load_plan(out)
    levelled = schedule(again)
    assert overallocations(again, levelled) == []
    assert levelled.task(2).start.isoformat() == "2027-01-07T08:00:00"


def test_level_within_slack_reports_what_is_left(team: Path) -> None:
    result = run("level", team, "--within-slack")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Finish 2027-01-06 17:00 -> 2027-01-06 17:00   0 tasks moved" in out
    # Ann has 6 days of work in 3 days, Bob's Monday cannot move within its slack either
    assert "3 over-allocated periods left (by day)" in out
    table = out.split("left (by day)")[1].splitlines()[2:]
    assert [line.split()[:2] for line in table] == [
        ["Ann", "2027-01-04"],
        ["Ann", "2027-01-05"],
        ["Bob", "2027-01-04"],
    ]


def test_level_one_resource(team: Path) -> None:
    result = run("level", team, "--resource", "BOB", "-f", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["remaining_overallocations"] == []  # nothing left for Bob
    assert [m["uid"] for m in doc["moved"]] == [3, 5]  # Test follows, Release notes waits
    assert doc["leveling"]["finish_after"] == "2027-01-07T17:00:00"


def test_level_weekly_report(team: Path) -> None:
    result = run("level", team, "--within-slack", "--period", "week", "-f", "json")
    doc = json.loads(result.stdout)
    (week,) = doc["remaining_overallocations"]  # Bob's week is fine, Ann's is not
    assert (week["resource"], week["period_start"]) == ("Ann", "2027-01-04T00:00:00")
    assert (week["load_minutes"], week["capacity_minutes"]) == (6 * 480, 5 * 480)


def test_overallocations_table_json_csv(team: Path) -> None:
    result = run("overallocations", team)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Team plan"
    assert lines[1] == "3 over-allocated periods (by day): Ann 2, Bob 1"
    assert lines[2].split() == ["Resource", "Period", "Load", "Capacity", "Use", "Tasks"]
    assert lines[3].split() == ["Ann", "2027-01-04", "3d", "1d", "300%", "A,", "B,", "E"]
    assert lines[5].split() == ["Bob", "2027-01-04", "1d", "0.5d", "200%", "D,", "E"]
    doc = json.loads(run("overallocations", team, "-f", "json", "-p", "week").stdout)
    assert doc["period"] == "week"
    assert [o["resource"] for o in doc["overallocations"]] == ["Ann"]
    rows = list(csv.DictReader(io.StringIO(run("overallocations", team, "-f", "csv").stdout)))
    assert rows[0]["tasks"] == "1 2 5"
    assert float(rows[0]["excess_minutes"]) == 960


def test_overallocations_none(tmp_path: Path) -> None:
    path = tmp_path / "calm.yaml"
    path.write_text(
        "project: {name: Calm, start: 2027-01-04}\n"
        "resources: [{id: ANN, name: Ann}]\n"
        "tasks: [{id: A, name: A, duration: 1d, resources: [ANN]}]\n",
        encoding="utf-8",
    )
    result = run("overallocations", path)
    assert result.exit_code == 0
    assert "No resource is over-allocated (by day)." in result.stdout


def test_schedule_level_shows_the_levelled_dates(team: Path) -> None:
    plain = run("schedule", team, "-f", "json")
    levelled = run("schedule", team, "-f", "json", "--level", "fast")
    assert levelled.exit_code == 0, levelled.output
    before = json.loads(plain.stdout)["project"]["finish"]
    after = json.loads(levelled.stdout)["project"]["finish"]
    assert (before, after) == ("2027-01-06T17:00:00", "2027-01-12T17:00:00")
    assert "levelled: finish" in levelled.stderr


def test_errors_are_one_line(team: Path, tmp_path: Path) -> None:
    result = run("level", team, "--resource", "Zed")
    assert result.exit_code == 2
    assert "no resource 'Zed' in the plan (resources: Ann, Bob)" in error_line(result)
    result = run("level", tmp_path / "missing.yaml")
    assert result.exit_code == 2
    assert error_line(result).endswith("missing.yaml: no such file")
    bad = tmp_path / "bad.yaml"
    bad.write_text(TEAM_YAML.replace("[ANN]}", "[ZOE]}", 1), encoding="utf-8")
    result = run("overallocations", bad)
    assert result.exit_code == 1
    assert "ZOE" in error_line(result)
    result = run("level", team, "--mode", "best")
    assert result.exit_code == 2
