"""The Jalon plan file (YAML and JSON): examples, schema, round trips, errors, fuzzing."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jalon.engine.errors import FormatError
from jalon.engine.model import (
    Assignment,
    Baseline,
    BaselineTask,
    CalendarException,
    CalendarSpec,
    Constraint,
    ConstraintType,
    DurationUnit,
    Lag,
    LagKind,
    Link,
    LinkType,
    Plan,
    Progress,
    Recurrence,
    RecurrenceType,
    Resource,
    ResourceType,
    Task,
    WorkingTime,
)
from jalon.io import load_plan
from jalon.io.plan_yaml import (
    dumps_plan,
    format_duration,
    loads_plan,
    parse_duration,
    read_plan,
    write_plan,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
SCHEMA = json.loads((ROOT / "src/jalon/io/schemas/plan.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
DOC = ROOT / "docs/plan-format.md"

D = dt.datetime


def plain_data(value: Any) -> Any:
    """What a generic YAML reader sees, as JSON data (dates as ISO text)."""
    if isinstance(value, dict):
        return {str(k): plain_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain_data(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def schema_errors(text: str, fmt: str = "yaml") -> list[str]:
    data = yaml.safe_load(text) if fmt == "yaml" else json.loads(text)
    return [f"{e.json_path}: {e.message[:200]}" for e in VALIDATOR.iter_errors(plain_data(data))]


def load(text: str, name: str = "plan.yaml", fmt: str = "yaml") -> Plan:
    return loads_plan(text, name, fmt)


def error(text: str, fmt: str = "yaml") -> FormatError:
    with pytest.raises(FormatError) as info:
        load(text, f"plan.{fmt}", fmt)
    return info.value


# -- the examples ------------------------------------------------------------------------


def test_there_are_examples() -> None:
    assert {p.name for p in EXAMPLES} >= {"erp-rollout.yaml", "website.yaml"}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_matches_the_schema(path: Path) -> None:
    assert schema_errors(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_schedules_without_warnings(path: Path) -> None:
    from jalon.engine.cpm import schedule

    plan = load_plan(path)
    result = schedule(plan)
    assert [w.message for w in result.warnings] == []
    assert result.tasks


def test_erp_example_is_a_realistic_plan() -> None:
    from jalon.engine.cpm import schedule

    plan = load_plan(ROOT / "examples/erp-rollout.yaml")
    assert 140 <= len(plan.tasks) <= 170
    assert len(plan.resources) >= 10
    assert all(r.standard_rate > 0 for r in plan.resources)
    assert {link.type for link in plan.links} >= {LinkType.FS, LinkType.SS, LinkType.FF}
    assert any(link.lag.value for link in plan.links)
    assert any(t.constraint.type is ConstraintType.SNET for t in plan.tasks)
    assert sum(t.deadline is not None for t in plan.tasks) >= 3
    france = plan.calendar_specs["France"]
    assert (france.base, france.country) == ("Standard", "FR")
    result = schedule(plan)
    finish = max(t.finish for t in result.tasks)
    months = (finish - plan.start).days / 30.4
    assert 12 <= months <= 14.5
    golive = next(t for t in result.tasks if t.wbs == "golive")
    assert golive.milestone
    assert golive.start == D(2028, 1, 3, 8, 0)


def test_website_example_is_small() -> None:
    plan = load_plan(ROOT / "examples/website.yaml")
    assert 15 <= len(plan.tasks) <= 30
    assert plan.status_date == D(2027, 3, 19, 17, 0)
    assert any(t.elapsed for t in plan.tasks)
    assert any(link.lag.kind is LagKind.PERCENT for link in plan.links)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_example_round_trips(path: Path, fmt: str) -> None:
    plan = load_plan(path)
    text = dumps_plan(plan, fmt)
    assert schema_errors(text, fmt) == []
    assert load(text, f"again.{fmt}", fmt) == plan
    assert dumps_plan(load(text, f"again.{fmt}", fmt), fmt) == text  # stable output


# -- the documentation -------------------------------------------------------------------


def doc_blocks() -> list[tuple[int, str]]:
    text = DOC.read_text(encoding="utf-8")
    blocks = []
    for m in re.finditer(r"^```yaml\n(.*?)^```", text, flags=re.S | re.M):
        blocks.append((text[: m.start()].count("\n") + 2, m.group(1)))
    return blocks


def test_the_documentation_has_examples() -> None:
    assert sum("project:" in block for _, block in doc_blocks()) >= 3


@pytest.mark.parametrize(("line", "block"), doc_blocks(), ids=lambda v: str(v)[:20])
def test_documentation_example(line: int, block: str) -> None:
    data = yaml.safe_load(block)  # every block is valid YAML
    if not (isinstance(data, dict) and "project" in data):
        return  # a fragment
    assert schema_errors(block) == [], f"docs/plan-format.md:{line}"
    plan = load(block, f"docs/plan-format.md:{line}")
    assert load(dumps_plan(plan)) == plan


def test_documentation_json_example() -> None:
    text = DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"^```json\n(.*?)^```", text, flags=re.S | re.M)
    assert blocks
    for block in blocks:
        assert schema_errors(block, "json") == []
        assert load(block, "doc.json", "json").tasks


# -- reading: values ---------------------------------------------------------------------

HEAD = "project: {name: P, start: 2027-01-04}\n"


def one_task(fields: str, head: str = HEAD) -> Task:
    return load(f"{head}tasks:\n  - {{name: T, {fields}}}\n").tasks[0]


@pytest.mark.parametrize(
    ("text", "minutes", "unit", "elapsed"),
    [
        ("30m", 30, DurationUnit.MINUTE, False),
        ("4h", 240, DurationUnit.HOUR, False),
        ("2d", 960, DurationUnit.DAY, False),
        ("1.5d", 720, DurationUnit.DAY, False),
        ("1w", 2400, DurationUnit.WEEK, False),
        ("1mo", 9600, DurationUnit.MONTH, False),
        ("2ed", 2880, DurationUnit.DAY, True),
        ("3eh", 180, DurationUnit.HOUR, True),
        ("1ew", 10080, DurationUnit.WEEK, True),
        ("1emo", 43200, DurationUnit.MONTH, True),
        ("45em", 45, DurationUnit.MINUTE, True),
        (" 0.25 d ", 120, DurationUnit.DAY, False),
    ],
)
def test_durations(text: str, minutes: int, unit: DurationUnit, elapsed: bool) -> None:
    assert parse_duration(text) == (minutes, unit, elapsed)
    task = one_task(f"duration: '{text}'")
    assert (task.duration, task.duration_unit, task.elapsed) == (minutes, unit, elapsed)
    assert parse_duration(format_duration(minutes, unit, elapsed)) == (minutes, unit, elapsed)


def test_durations_follow_the_project_settings() -> None:
    head = "project: {name: P, start: 2027-01-04, hours_per_day: 7.5, days_per_month: 21}\n"
    plan = load(
        f"{head}tasks:\n  - {{name: A, duration: 2d}}\n  - {{name: B, duration: 1w}}\n"
        "  - {name: C, duration: 1mo}\n"
    )
    assert (plan.minutes_per_day, plan.minutes_per_week, plan.days_per_month) == (450, 2250, 21)
    assert [t.duration for t in plan.tasks] == [900, 2250, 21 * 450]
    assert parse_duration("2d", minutes_per_day=450) == (900, DurationUnit.DAY, False)
    assert format_duration(900, minutes_per_day=450) == "2d"
    assert format_duration(700) == "1.458d"
    assert parse_duration(format_duration(700))[0] == 700


def test_dates_without_a_time() -> None:
    text = HEAD + (
        "tasks:\n"
        "  - {name: A, duration: 1d, deadline: 2027-02-01, constraint: SNET 2027-01-11,\n"
        "     progress: {actual_start: 2027-01-04, actual_finish: '2027-01-05'}}\n"
        "  - {name: B, duration: 1d, constraint: 'FNLT 2027-03-01 12:30'}\n"
        "  - {name: C, duration: 1d, constraint: {type: MFO, date: 2027-03-02}}\n"
        "  - {name: D, duration: 1d, manual: {start: 2027-03-01, finish: 2027-03-01T12:00}}\n"
    )
    a, b, c, d = load(text).tasks
    assert load(text).start == D(2027, 1, 4, 8, 0)
    assert a.deadline == D(2027, 2, 1, 17, 0)
    assert a.constraint == Constraint(ConstraintType.SNET, D(2027, 1, 11, 8, 0))
    assert a.progress.actual_start == D(2027, 1, 4, 8, 0)
    assert a.progress.actual_finish == D(2027, 1, 5, 17, 0)
    assert b.constraint == Constraint(ConstraintType.FNLT, D(2027, 3, 1, 12, 30))
    assert c.constraint == Constraint(ConstraintType.MFO, D(2027, 3, 2, 17, 0))
    assert (d.manual, d.start, d.finish) == (True, D(2027, 3, 1, 8, 0), D(2027, 3, 1, 12, 0))


def test_project_settings() -> None:
    plan = load(
        "project:\n  name: 1984\n  finish: 2027-06-30\n  schedule_from: finish\n"
        "  status_date: 2027-03-15 12:00\n  currency: CHF\n  critical_float: 2d\n"
        "  hours_per_week: 35\n"
    )
    assert plan.name == "1984"
    assert plan.schedule_from_finish
    assert plan.finish == D(2027, 6, 30, 17, 0)
    assert plan.start == plan.finish  # a placeholder: the start is computed
    assert plan.status_date == D(2027, 3, 15, 12, 0)
    assert (plan.currency, plan.critical_slack_limit, plan.minutes_per_week) == ("CHF", 960, 2100)


def test_links() -> None:
    text = HEAD + (
        "tasks:\n"
        "  - {id: 1.10, name: A, duration: 2d}\n"
        "  - {id: B-2, name: B, duration: 2d}\n"
        "  - {name: C, duration: 2d, after: [1.10, B-2SS]}\n"
        "  - {name: D, duration: 1d, after: '3FS+25%, 1.10 FF-1d'}\n"
        "  - {name: E, duration: 1d, after: {task: 4, type: SS, lag: -2h}}\n"
        "  - {name: F, duration: 1d, after: ['#2SF+2ed', 4+1d]}\n"
        "  - {name: G, duration: 1d, after: 1.10SS+0.5w}\n"
    )
    plan = load(text)
    assert plan.tasks[0].wbs == "1.10"  # kept as written, not the number 1.1
    got = [(link.predecessor, link.successor, link.type, link.lag) for link in plan.links]
    assert got == [
        (1, 3, LinkType.FS, Lag()),
        (2, 3, LinkType.SS, Lag()),
        (3, 4, LinkType.FS, Lag(25, LagKind.PERCENT)),
        (1, 4, LinkType.FF, Lag(-480, LagKind.WORK, DurationUnit.DAY)),
        (4, 5, LinkType.SS, Lag(-120, LagKind.WORK, DurationUnit.HOUR)),
        (2, 6, LinkType.SF, Lag(2880, LagKind.ELAPSED, DurationUnit.DAY)),
        (4, 6, LinkType.FS, Lag(480, LagKind.WORK, DurationUnit.DAY)),
        (1, 7, LinkType.SS, Lag(1200, LagKind.WORK, DurationUnit.WEEK)),
    ]


def test_outline_numbers_are_references_unless_an_id_takes_them() -> None:
    text = HEAD + (
        "tasks:\n"
        "  - name: Phase\n"
        "    tasks:\n"
        "      - {name: A, duration: 1d}\n"
        "      - {name: B, duration: 1d, after: 1.1}\n"
        "  - {id: '1.1', name: C, duration: 1d}\n"
        "  - {name: D, duration: 1d, after: [1.1, 1.2]}\n"
    )
    plan = load(text)
    assert [t.uid for t in plan.tasks] == [1, 2, 3, 4, 5]
    assert [t.parent for t in plan.tasks] == [None, 1, 1, None, None]
    assert [(lk.predecessor, lk.successor) for lk in plan.links] == [(4, 3), (4, 5), (3, 5)]


def test_uids() -> None:
    text = HEAD + (
        "tasks:\n  - {name: A, uid: 2}\n  - {name: B}\n  - {name: C, uid: 10}\n  - {name: D}\n"
    )
    assert [t.uid for t in load(text).tasks] == [2, 1, 10, 3]


def test_resources_and_assignments() -> None:
    text = HEAD + (
        "resources:\n"
        "  - {id: PM, name: Claire Martin, rate: 650/d, overtime_rate: 100/h, max_units: 50%}\n"
        "  - {name: Dev team, rate: 4000/w, max_units: 300%, cost_per_use: 50, group: IT}\n"
        "  - {id: CEM, name: Cement, type: material}\n"
        "tasks:\n"
        "  - {name: A, duration: 2d, resources: [PM, 'Dev team:150%', 'CEM:2.5']}\n"
        "  - name: B\n"
        "    duration: 2d\n"
        "    resources: 'PM:25%, #2'\n"
        "  - {name: C, duration: 2d, resources: {resource: PM, units: 80%, work: 10h,"
        " actual_work: 2h, uid: 7}}\n"
    )
    plan = load(text)
    pm, dev, cement = plan.resources
    assert (pm.uid, pm.initials, pm.standard_rate, pm.overtime_rate, pm.max_units) == (
        1,
        "PM",
        81.25,
        100.0,
        0.5,
    )
    assert (dev.standard_rate, dev.max_units, dev.cost_per_use, dev.group) == (
        100.0,
        3.0,
        50.0,
        "IT",
    )
    assert cement.type is ResourceType.MATERIAL
    assert plan.assignments == (
        Assignment(1, 1, 1.0),
        Assignment(1, 2, 1.5),
        Assignment(1, 3, 2.5),
        Assignment(2, 1, 0.25),
        Assignment(2, 2, 1.0),
        Assignment(3, 1, 0.8, work=600, actual_work=120, uid=7),
    )


def test_resource_ids_may_repeat_but_then_name_nobody() -> None:
    head = HEAD + "resources:\n  - {id: R, name: Resource One}\n  - {id: R, name: Resource Two}\n"
    plan = load(head + "tasks:\n  - {name: A, resources: [Resource One, '#2:50%']}\n")
    assert [r.initials for r in plan.resources] == ["R", "R"]
    assert plan.assignments == (Assignment(1, 1), Assignment(1, 2, 0.5))
    message = str(error(head + "tasks:\n  - {name: A, resources: [R]}\n"))
    assert message.startswith("plan.yaml:6: task 1 'A', 'resources': two resources have")


def test_calendars() -> None:
    text = HEAD + (
        "calendars:\n"
        "  - name: France\n"
        "    base: Standard\n"
        "    country: FR\n"
        "    subdivision: '57'\n"
        "    week: {sat: off, mon-thu: '08:00-12:00, 13:00-17:30', fri: [08:00-12:00]}\n"
        "    exceptions:\n"
        "      - {date: 2027-08-16, name: Bridge day}\n"
        "      - {from: 2027-12-24, to: 2027-12-31, name: Christmas shutdown}\n"
        "      - {date: 2027-06-05, hours: '09:00-13:00'}\n"
        "      - {name: Inventory, every: month, day: 1, from: 2027-01-01, to: 2027-12-31}\n"
        "      - {name: Team day, every: month, nth: last, weekday: fri, from: 2027-01-01,"
        " occurrences: 3}\n"
        "      - {name: Gym, every: 2 weeks, days: [tue, thu], from: 2027-01-04, to: 2027-03-31,"
        " hours: '07:00-08:00'}\n"
        "      - {name: Fête, every: year, month: jul, day: 14, from: 2027-01-01, to: 2030-12-31}\n"
        "  - {name: Nights, base: France, week: {sat-sunday: 22:00-24:00}}\n"
        "project_calendar_is_checked_after: null\n"
    )
    with pytest.raises(FormatError, match="unknown key 'project_calendar_is_checked_after'"):
        load(text)
    plan = load(text.rsplit("project_calendar", 1)[0])
    france, nights = plan.calendars
    day = (WorkingTime(480, 720), WorkingTime(780, 1050))
    assert france.week == {0: day, 1: day, 2: day, 3: day, 4: (WorkingTime(480, 720),), 5: ()}
    assert (france.country, france.subdivision, nights.base) == ("FR", "57", "France")
    assert nights.week == {5: (WorkingTime(1320, 1440),), 6: (WorkingTime(1320, 1440),)}
    bridge, shutdown, saturday, inventory, team, gym, fete = france.exceptions
    assert bridge == CalendarException(dt.date(2027, 8, 16), dt.date(2027, 8, 16), (), "Bridge day")
    assert (shutdown.start, shutdown.finish, shutdown.working) == (
        dt.date(2027, 12, 24),
        dt.date(2027, 12, 31),
        False,
    )
    assert saturday.working_times == (WorkingTime(540, 780),)
    assert inventory.recurrence == Recurrence(RecurrenceType.MONTHLY, day=1)
    assert team.recurrence == Recurrence(RecurrenceType.MONTHLY, nth=5, weekday=4, occurrences=3)
    assert team.finish == dt.date(2027, 3, 26)  # the last Friday of March
    assert gym.recurrence == Recurrence(RecurrenceType.WEEKLY, interval=2, weekdays=(1, 3))
    assert fete.recurrence == Recurrence(RecurrenceType.YEARLY, day=14, month=7)


def test_task_fields() -> None:
    text = HEAD + (
        "tasks:\n"
        "  - name: Y\n"
        "    duration: 2d\n"
        "    calendar: 24 Hours\n"
        "    active: no\n"
        "    priority: 700\n"
        "    leveling_delay: 1.5ed\n"
        "    milestone: false\n"
        "    progress: {percent: 50%, actual_start: 2027-01-04 10:00, remaining: 1d}\n"
        "    notes: |\n"
        "      First line\n"
        "      second line\n"
        "  - {name: Z, progress: 12.5}\n"
        "  - {name: 'Yes', milestone: true, constraint: ALAP, manual: false}\n"
    )
    y, z, yes = load(text).tasks
    assert (y.calendar, y.active, y.priority, y.leveling_delay, y.milestone) == (
        "24 Hours",
        False,
        700,
        2160,
        False,
    )
    assert y.progress == Progress(D(2027, 1, 4, 10, 0), None, 50.0, 480)
    assert y.notes == "First line\nsecond line\n"
    assert z.progress.percent_complete == 12.5
    assert (yes.name, yes.milestone, yes.duration, yes.constraint) == (
        "Yes",
        True,
        0,
        Constraint(ConstraintType.ALAP),
    )


def test_baselines() -> None:
    text = HEAD + (
        "tasks:\n  - {id: A, name: A, duration: 2d}\n  - {name: B, duration: 1d, after: A}\n"
        "baselines:\n"
        "  - number: 0\n"
        "    saved: 2027-01-03 18:00\n"
        "    tasks:\n"
        "      A: {start: 2027-01-04, finish: 2027-01-05, duration: 2d, work: 16h, cost: 1300}\n"
        "      '2': {start: 2027-01-06, finish: 2027-01-06}\n"
        "  - {number: 3}\n"
    )
    b0, b3 = load(text).baselines
    assert b0.saved == D(2027, 1, 3, 18, 0)
    assert b0.tasks == {
        1: BaselineTask(D(2027, 1, 4, 8), D(2027, 1, 5, 17), 960, 960, 1300.0),
        2: BaselineTask(D(2027, 1, 6, 8), D(2027, 1, 6, 17)),
    }
    assert (b3.number, b3.tasks, b3.saved) == (3, {}, None)


def test_yaml_merge_keys_and_anchors() -> None:
    text = HEAD + (
        "tasks:\n"
        "  - &review {name: Review, duration: 2d, priority: 800}\n"
        "  - {<<: *review, name: Second review}\n"
    )
    first, second = load(text).tasks
    assert (second.name, second.duration, second.priority) == ("Second review", 960, 800)
    assert first.name == "Review"


def test_metadata() -> None:
    plan = load(
        HEAD + "metadata: {client: ACME, budget: 120000, tags: [erp, fr], signed: 2027-01-02}\n"
    )
    assert plan.metadata == {
        "client": "ACME",
        "budget": 120000,
        "tags": ["erp", "fr"],
        "signed": "2027-01-02",
    }
    assert load(dumps_plan(plan)) == plan


def test_json_is_the_same_structure() -> None:
    yaml_text = (ROOT / "examples/website.yaml").read_text(encoding="utf-8")
    data = plain_data(yaml.safe_load(yaml_text))
    json_text = json.dumps(data, indent=2, ensure_ascii=False)
    assert load(json_text, "website.json", "json") == load(yaml_text)
    assert read_plan(io.BytesIO(json_text.encode()), "website.json", format="json") == load(
        yaml_text
    )


def test_byte_order_marks_and_encodings() -> None:
    text = HEAD + "tasks:\n  - {name: Été, duration: 1d}\n"
    for data in (text.encode("utf-8-sig"), text.encode("utf-16")):
        assert read_plan(io.BytesIO(data)).tasks[0].name == "Été"
    with pytest.raises(FormatError, match=r"^x.yaml:2: not UTF-8"):
        read_plan(io.BytesIO(HEAD.encode() + b"tasks: [\xff]\n"), "x.yaml")


# -- errors name the file, the line and the task ----------------------------------------

BASE = """\
project:
  name: P
  start: 2027-01-04
resources:
  - {id: PM, name: Claire}
tasks:
  - id: A
    name: Alpha
    duration: 2d
  - id: B
    name: Beta
    duration: 1d
"""

ERRORS = [
    # (text appended to the task B, line, words in the message)
    (
        "    durration: 3d\n",
        13,
        ["task B 'Beta'", "unknown key 'durration'", "did you mean 'duration'"],
    ),
    ("    predecessors: A\n", 13, ["'predecessors'", "did you mean 'after'"]),
    ("    start: 2027-01-05\n", 13, ["unknown key 'start'", "SNET"]),
    ("    deadline: 2027-02-30\n", 13, ["task B 'Beta'", "'deadline'", "not a valid date"]),
    ("    deadline: tomorrow\n", 13, ["'deadline'", "cannot read 'tomorrow' as a date"]),
    ("    after: C\n", 13, ["task B 'Beta'", "unknown task 'C'"]),
    ("    after: AFS+2x\n", 13, ["cannot read 'FS+2x' after task 'A'"]),
    ("    after: [A,\n      Alpha]\n", 14, ["unknown task 'Alpha'"]),
    ("    after: B\n", 13, ["cannot follow itself"]),
    ("    after: [A, AFS]\n", 13, ["given twice"]),
    ("    after: {task: A, type: XX}\n", 13, ["expected FS, SS, FF or SF"]),
    ("    after: {task: A, lag: 2q}\n", 13, ["cannot read '2q' as a lag"]),
    ("    resources: [PX]\n", 13, ["unknown resource 'PX'", "did you mean 'PM'"]),
    ("    resources: ['PM:50']\n", 13, ["percentage", "'50%'"]),
    ("    resources: [PM, PM]\n", 13, ["assigned twice"]),
    ("    constraint: SNET\n", 13, ["SNET needs a date"]),
    ("    constraint: SNXT 2027-01-01\n", 13, ["unknown constraint 'SNXT'", "did you mean 'SNLT'"]),
    ("    constraint: snet 2027-01-01\n", 13, ["did you mean 'SNET'"]),
    ("    calendar: Standrd\n", 13, ["unknown calendar 'Standrd'", "did you mean 'Standard'"]),
    ("    priority: 2000\n", 13, ["'priority'", "not between 0 and 1000"]),
    ("    progress: {percent: 150}\n", 13, ["'percent'", "not between"]),
    ("    progress: {pct: 3}\n", 13, ["unknown key 'pct'", "did you mean 'percent'"]),
    ("    manual: true\n", 13, ["needs its dates"]),
    ("    leveling_delay: 2d\n", 13, ["elapsed"]),
    ("    milestone: maybe\n", 13, ["expected true or false"]),
    ("    notes: [a]\n", 13, ["expected a text, not a list"]),
    ("    id: A\n", 13, ["'id' is given twice"]),
    ("    uid: x\n", 13, ["expected a number"]),
    ("    duration: abc\n", 13, ["the key 'duration' is given twice"]),
    ("    tasks: 3\n", 13, ["expected a list of tasks"]),
    ("  - {name: C, duration: 5}\n", 13, ["task 3 'C'", "'5' needs a unit", "did you mean '5d'"]),
    ("  - {name: C, duration: abc}\n", 13, ["cannot read 'abc' as a duration"]),
    ("  - {name: C, duration: 1e9mo}\n", 13, ["cannot read"]),
    ("  - {name: C, duration: 99999999999999999999d}\n", 13, ["too long"]),
    ("  - {name: C, Phase 2, duration: 1d}\n", 13, ["unknown key 'Phase 2'", "quote"]),
    ("  - {id: A, name: C}\n", 13, ["the id 'A' is also the id of the task on line 7"]),
    ("  - {name: C, uid: 1}\n  - {name: D, uid: 1}\n", 14, ["uid 1 is also the uid"]),
    ("  - {name: C, id: '#1'}\n", 13, ["must not contain"]),
    ("  - {duration: 1d}\n", 13, ["task 3", "'name' is missing"]),
    ("  - just a name\n", 13, ["task 3", "expected a mapping"]),
    ("  - {name: C, after: 4}\n  - {name: D, after: 3}\n", 13, ["dependency cycle", "'C'", "'D'"]),
    ("  - name: Phase\n    tasks:\n      - {name: Sub, after: 3}\n", 15, ["summary", "subtask"]),
]


@pytest.mark.parametrize(("extra", "line", "words"), ERRORS, ids=[e[0].strip() for e in ERRORS])
def test_error_names_the_file_and_line(extra: str, line: int, words: list[str]) -> None:
    message = str(error(BASE + extra))
    assert message.startswith(f"plan.yaml:{line}: "), message
    for word in words:
        assert word in message, message


FILE_ERRORS = [
    ("", 1, "the file is empty"),
    ("# only a comment\n", 1, "the file is empty"),
    ("project: 3\n", 1, "project: expected a mapping"),
    ("[1, 2\n", 2, "not valid YAML"),
    ("project:\n  name: x\n\tstart: 2027-01-01\n", 3, "not valid YAML"),
    ("project: {name: x, start: 2027-01-01}\ntask: []\n", 2, "did you mean 'tasks'"),
    ("project: {name: x}\n", 1, "'start' is missing"),
    ("project: {name: x, start: 2027-01-01, schedule_from: end}\n", 1, "start or finish"),
    ("project: {name: x, start: 2027-01-01, schedule_from: finish}\n", 1, "needs 'finish'"),
    ("project: {name: x, start: 2027-01-01, calendar: Paris}\n", 1, "unknown calendar 'Paris'"),
    ("project: {name: x, start: 1066-10-14}\n", 1, "not between 1900 and 2199"),
    ("project: {name: x, start: 2027-01-01 25:00}\n", 1, "not a valid date"),
    ("project: {name: x, start: 2027-01-01T08:00:00Z}\n", 1, "cannot read"),
    ("project: {name: x, start: 2027-01-01, hours_per_day: 30}\n", 1, "not between"),
    ("a: &a [*a]\n", 1, "alias"),
    ("project: !!python/object:os.system x\n", 1, "unsupported YAML tag"),
    ("project: !!binary aGVsbG8=\n", 1, "unsupported YAML tag"),
    ("--- {project: {name: x}}\n--- {}\n", 2, "not valid YAML"),
    ("project: {name: x, start: 2027-01-01}\ntasks: {name: A}\n", 2, "must be a list"),
]
CALENDAR_ERRORS = [
    ("{name: C, country: XX}", "no public holidays known for country 'XX'"),
    ("{name: C, country: FR, subdivision: '67'}", "no subdivision '67'"),
    ("{name: C, subdivision: '57'}", "needs a 'country'"),
    ("{name: C, week: {sat: on}}", "expected hours"),
    ("{name: C, week: {satday: off}}", "did you mean 'sat'"),
    ("{name: C, week: {Sat: off}}", "did you mean 'sat'"),
    ("{name: C, week: {fri-mon: off}}", "backwards"),
    ("{name: C, week: {mon-fri: off, wed: off}}", "wed is given twice"),
    ("{name: C, week: {mon: '08:00-12:00, 11:00-13:00'}}", "overlap"),
    ("{name: C, week: {mon: '08:00-25:00'}}", "within one day"),
    ("{name: C, week: {mon: '8h-12h'}}", "cannot read '8h-12h'"),
    ("{name: C, base: D}", "unknown calendar 'D'"),
    ("{name: C, exceptions: [{name: X}]}", "give 'date'"),
    ("{name: C, exceptions: [{from: 2027-01-05, to: 2027-01-01}]}", "before"),
    ("{name: C, exceptions: [{from: 2027-01-05}]}", "'to' is missing"),
    ("{name: C, exceptions: [{date: 2027-01-05, every: week}]}", "not both"),
    (
        "{name: C, exceptions: [{every: fortnight, from: 2027-01-01, to: 2027-02-01}]}",
        "expected day",
    ),
    (
        "{name: C, exceptions: [{every: week, day: 3, from: 2027-01-01, to: 2027-02-01}]}",
        "does not apply",
    ),
    (
        "{name: C, exceptions: [{every: month, nth: 2, from: 2027-01-01, to: 2027-09-01}]}",
        "go together",
    ),
    (
        "{name: C, exceptions: [{every: day, from: 2027-01-01, to: 2027-02-01, hours: x}]}",
        "cannot read 'x'",
    ),
    ("{name: C, exceptions: [{date: 2027-01-01 10:00}]}", "without a time"),
]


@pytest.mark.parametrize(("text", "line", "words"), FILE_ERRORS)
def test_file_errors(text: str, line: int, words: str) -> None:
    message = str(error(text))
    assert message.startswith(f"plan.yaml:{line}: "), message
    assert words in message


@pytest.mark.parametrize(("calendar", "words"), CALENDAR_ERRORS)
def test_calendar_errors(calendar: str, words: str) -> None:
    text = f"project: {{name: x, start: 2027-01-01}}\ncalendars:\n  - {calendar}\n"
    message = str(error(text))
    assert message.startswith("plan.yaml:3: calendar 'C'"), message
    assert words in message


def test_calendar_cycle_and_duplicates() -> None:
    head = "project: {name: x, start: 2027-01-01}\ncalendars:\n"
    message = str(error(head + "  - {name: C, base: D}\n  - {name: D, base: C}\n"))
    assert message.startswith("plan.yaml:3: ") and "derives from itself" in message
    message = str(error(head + "  - {name: C}\n  - {name: C}\n"))
    assert message.startswith("plan.yaml:4: ") and "defined twice" in message


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (
            '{"project": {"name": "x", "start": "2027-01-01"},\n "tasks": [{"name": "a",'
            ' "durration": "2d"}]}',
            2,
            "did you mean 'duration'",
        ),
        ('{"project": {"name": "x",\n "start": 2027}}', 2, "cannot read '2027' as a date"),
        ('{"project": {"name": "x", "start": "2027-01-01"},\n"a": NaN}', 2, "NaN"),
        ('{"a": 1,}', 1, "not valid JSON"),
        ('{"project": {"name": "x",\n', 2, "not valid JSON"),
        (
            '{"project": {"name": "x", "start": "2027-01-01"},\n "tasks": [],\n "tasks": []}',
            3,
            "given twice",
        ),
        ("[" * 100_000, None, "not valid JSON"),
        (
            '{"project": {"name": "x", "start": "2027-01-01"}, "tasks": [\n{"name": "a", "after":'
            ' "b"}]}',
            2,
            "unknown task 'b'",
        ),
    ],
)
def test_json_errors(text: str, line: int | None, words: str) -> None:
    message = str(error(text, "json"))
    assert message.startswith(f"plan.json:{line}: " if line else "plan.json: "), message
    assert words in message


def test_unknown_format() -> None:
    with pytest.raises(FormatError, match=r"^p\.yaml: unknown plan format 'toml'"):
        loads_plan(HEAD, "p.yaml", "toml")


# -- writing -----------------------------------------------------------------------------


def rich_plan() -> Plan:
    day = (WorkingTime(480, 720), WorkingTime(780, 1020))
    calendars = (
        CalendarSpec(
            "France",
            week={4: (WorkingTime(480, 720), WorkingTime(780, 960)), 5: ()},
            base="Standard",
            exceptions=(
                CalendarException(dt.date(2027, 8, 16), dt.date(2027, 8, 16), (), "Bridge day"),
                CalendarException(dt.date(2027, 12, 24), dt.date(2027, 12, 31), (), "Shutdown"),
                CalendarException(
                    dt.date(2027, 6, 5), dt.date(2027, 6, 5), (WorkingTime(540, 780),)
                ),
                CalendarException(
                    dt.date(2027, 1, 1),
                    dt.date(2027, 12, 31),
                    (),
                    "Inventory",
                    Recurrence(RecurrenceType.MONTHLY, day=1),
                ),
                CalendarException(
                    dt.date(2027, 1, 1),
                    dt.date(2027, 6, 25),
                    (),
                    "Team day",
                    Recurrence(RecurrenceType.MONTHLY, nth=5, weekday=4, occurrences=6),
                ),
                CalendarException(
                    dt.date(2027, 1, 4),
                    dt.date(2028, 12, 31),
                    day[:1],
                    "Training",
                    Recurrence(RecurrenceType.WEEKLY, interval=2, weekdays=(0, 2)),
                ),
                CalendarException(
                    dt.date(2027, 1, 1),
                    dt.date(2035, 12, 31),
                    (),
                    "Yearly",
                    Recurrence(RecurrenceType.YEARLY, interval=1, nth=1, weekday=0, month=9),
                ),
            ),
            country="FR",
            subdivision="57",
            uid=4,
        ),
        CalendarSpec("Nights", week={d: (WorkingTime(1320, 1440),) for d in range(7)}),
    )
    resources = (
        Resource(
            1,
            "Claire Martin",
            max_units=0.5,
            calendar="France",
            standard_rate=81.25,
            initials="PM",
            email="claire@example.com",
            group="PMO",
        ),
        Resource(
            2, "Dev team", max_units=3.0, standard_rate=80.0, overtime_rate=120.0, cost_per_use=15.5
        ),
        Resource(3, "Cement", type=ResourceType.MATERIAL, standard_rate=0.125, initials="CEM"),
        Resource(4, "Dev team", initials="DEV2", standard_rate=1 / 3),
    )
    tasks = (
        Task(1, "Phase 1 – Cadrage", wbs="P1"),
        Task(2, "Kick-off", 480, parent=1, wbs="1.1", notes="Agenda:\n- intro\n- plan\n"),
        Task(3, "Specs: draft", 4800, parent=1, wbs="1.2", deadline=D(2027, 2, 15, 17)),
        Task(4, "Specs signed", 0, parent=1, milestone=True, deadline=D(2027, 2, 15, 12)),
        Task(
            5,
            "X",
            7200,
            parent=1,
            duration_unit=DurationUnit.WEEK,
            constraint=Constraint(ConstraintType.SNET, D(2027, 3, 1, 8)),
        ),
        Task(
            6,
            "Y",
            960,
            parent=1,
            calendar="24 Hours",
            manual=True,
            start=D(2027, 2, 1, 8),
            finish=D(2027, 2, 3, 17),
            active=False,
            priority=700,
            progress=Progress(D(2027, 2, 1, 8), None, 50.0, 480),
            notes="hello",
        ),
        Task(
            7,
            "Z",
            2880,
            elapsed=True,
            constraint=Constraint(ConstraintType.FNLT, D(2027, 4, 1, 9, 30)),
            leveling_delay=90,
            milestone=False,
        ),
        Task(
            8,
            "Yes",
            7,
            duration_unit=DurationUnit.HOUR,
            wbs="1.10",
            constraint=Constraint(ConstraintType.ALAP),
        ),
        Task(
            9,
            "off",
            0,
            duration_unit=DurationUnit.MONTH,
            calendar="Nights",
            constraint=Constraint(ConstraintType.ASAP, D(2027, 1, 5, 8)),
            progress=Progress(D(2027, 1, 4, 9, 15, 30), D(2027, 1, 5, 17), 100.0, 0),
        ),
        Task(10, "Last", 300, duration_unit=DurationUnit.MINUTE, wbs="1.1FS", priority=0),
    )
    links = (
        Link(2, 3, LinkType.SS, Lag(960, LagKind.WORK, DurationUnit.DAY)),
        Link(3, 4),
        Link(2, 5, LinkType.FS, Lag(4320, LagKind.ELAPSED, DurationUnit.DAY)),
        Link(3, 5, LinkType.FF, Lag(-480)),
        Link(5, 7, LinkType.FS, Lag(50.0, LagKind.PERCENT)),
        Link(1, 8, LinkType.SF, Lag(0, LagKind.ELAPSED, DurationUnit.HOUR)),
        Link(5, 8, LinkType.FS, Lag(90.5, LagKind.WORK, DurationUnit.MINUTE)),
        Link(8, 9, LinkType.FS, Lag(-12.5, LagKind.PERCENT)),
        Link(2, 9, LinkType.FS, Lag(480)),  # "1.1FS+1d" would read as task "1.1FS" + 1d
        Link(10, 9),
    )
    assignments = (
        Assignment(2, 1, 1.0),
        Assignment(2, 2, 0.5),
        Assignment(3, 2, 1.5, work=7200, actual_work=600),
        Assignment(3, 3, 2.5),
        Assignment(5, 4, 0.3, uid=12),
        Assignment(5, 1),
    )
    baselines = (
        Baseline(
            0,
            {
                2: BaselineTask(D(2027, 1, 4, 8), D(2027, 1, 4, 17), 480, 480, 650.0),
                7: BaselineTask(None, None),
            },
            saved=D(2027, 1, 3, 18, 30),
        ),
        Baseline(10, {}),
    )
    return Plan(
        name="ERP roll-out",
        start=D(2027, 1, 4, 8),
        tasks=tasks,
        links=links,
        calendars=calendars,
        calendar="France",
        resources=resources,
        assignments=assignments,
        baselines=baselines,
        status_date=D(2027, 3, 15, 17),
        days_per_month=21,
        critical_slack_limit=900,
        currency="EUR",
        metadata={"client": "ACME", "budget": 1.5e6, "tags": ["erp"], "nested": {"a": None}},
    )


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_round_trip(fmt: str) -> None:
    plan = rich_plan()
    stream = io.BytesIO()
    write_plan(plan, stream, format=fmt)
    text = stream.getvalue().decode("utf-8")
    assert schema_errors(text, fmt) == []
    again = read_plan(io.BytesIO(stream.getvalue()), f"again.{fmt}", format=fmt)
    for name in ("tasks", "links", "calendars", "resources", "assignments", "baselines"):
        assert getattr(again, name) == getattr(plan, name), name
    assert again == plan


def test_round_trip_from_finish_and_odd_ids() -> None:
    plan = Plan(
        name="Backwards",
        start=D(2027, 6, 30, 17),
        finish=D(2027, 6, 30, 17),
        schedule_from_finish=True,
        tasks=(
            Task(5, "A", 480, wbs="2"),  # an id that is another task's outline number
            Task(3, "B", 480),
            Task(9, "C", 480, wbs="#bad, id"),  # not a valid id: not written
        ),
        links=(Link(3, 5), Link(5, 3 + 6)),
        resources=(Resource(7, "Same"), Resource(8, "Same"), Resource(9, "a:b")),
        assignments=(Assignment(5, 7), Assignment(5, 8, 0.5), Assignment(3, 9)),
    )
    again = load(dumps_plan(plan))
    assert [t.wbs for t in again.tasks] == ["2", None, None]
    assert again.replace(tasks=plan.tasks) == plan
    assert "#3" in dumps_plan(plan)


def test_yaml_layout() -> None:
    text = dumps_plan(rich_plan())
    assert text.startswith("project:\n  name: ERP roll-out\n  start: 2027-01-04\n")
    assert "\n\ncalendars:\n  - name: France\n" in text
    assert "    week: {fri: '08:00-12:00, 13:00-16:00', sat: off}\n" in text
    assert "  - {id: PM, name: Claire Martin, max_units: 50%, rate: 650/d," in text
    assert "      - id: 1.2\n        name: 'Specs: draft'\n        duration: 10d\n" in text
    assert "        after: 1.1SS+2d\n" in text
    assert (
        "      - {name: Specs signed, milestone: true, after: 1.2, deadline: '2027-02-15 12:00'}\n"
        in text
    )
    assert "  - id: P1\n    name: Phase 1 – Cadrage\n    tasks:\n" in text
    assert "        notes: |\n          Agenda:\n" in text  # multi-line notes in block style
    assert "{task: 1.1, type: FS, lag: +1d}" in text  # "1.1FS+1d" would read as 1.1FS + 1d
    nights = CalendarSpec("N", week={d: (WorkingTime(0, 60),) for d in range(5)})
    plan = Plan("p", D(2027, 1, 4, 8), calendars=(nights,))
    assert "week: {mon-fri: '00:00-01:00'}" in dumps_plan(plan)


def test_written_files_are_stable() -> None:
    plan = rich_plan()
    assert dumps_plan(plan) == dumps_plan(load(dumps_plan(plan)))
    assert dumps_plan(plan, "json") == dumps_plan(
        load(dumps_plan(plan, "json"), fmt="json"), "json"
    )


def test_rates_are_written_per_day_when_that_reads_well() -> None:
    def rate(per_hour: float) -> str:
        plan = Plan("p", D(2027, 1, 4, 8), resources=(Resource(1, "R", standard_rate=per_hour),))
        return re.search(r"rate: (\S+?)[,}]", dumps_plan(plan)).group(1)  # type: ignore[union-attr]

    assert rate(81.25) == "650/d"
    assert rate(80.0) == "80/h"
    assert rate(1 / 3) == "0.3333333333333333/h"
    for value in (81.25, 80.0, 1 / 3, 0.1, 123.456):
        plan = Plan("p", D(2027, 1, 4, 8), resources=(Resource(1, "R", standard_rate=value),))
        assert load(dumps_plan(plan)).resources[0].standard_rate == value


# -- property tests ----------------------------------------------------------------------

IDENT = st.from_regex(r"[A-Za-z][A-Za-z0-9._-]{0,6}", fullmatch=True)
TEXT = (
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
    | st.text(st.sampled_from(" \n\t:#-'\"|>{}[],&*!%@`?~x1."), max_size=8)
    | st.sampled_from(
        [
            "",
            "yes",
            "1.10",
            "08:00",
            "null",
            "a: b",
            "# x",
            "- y",
            "[z]",
            "é\nà\n",
            "a\n\n",
            "\ufeffbom",
            "line\u2028sep",
            "\x85",
            "tab\there",
            " lead",
            "trail ",
            "a\r\nb",
            "...",
            "---",
            "1e16",
            ".inf",
            "0x1F",
            "2027-01-04",
            "~",
            "=",
            "<<",
        ]
    )
)
DATES = st.datetimes(D(2020, 1, 1), D(2031, 12, 31)).map(lambda d: d.replace(microsecond=0))
UNITS = st.sampled_from(list(DurationUnit))


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    n = draw(st.integers(0, 8))
    depths = [0]
    for _ in range(n - 1):
        depths.append(draw(st.integers(0, depths[-1] + 1)))
    sequential = draw(st.booleans())
    uids = (
        list(range(1, n + 1))
        if sequential
        else draw(st.lists(st.integers(0, 10_000), min_size=n, max_size=n, unique=True))
    )
    ids = draw(st.lists(IDENT, min_size=n, max_size=n, unique=True))
    calendars: list[CalendarSpec] = []
    for k in range(draw(st.integers(0, 2))):
        week = {
            d: draw(
                st.sampled_from(
                    [
                        (),
                        (WorkingTime(480, 720), WorkingTime(780, 1020)),
                        (WorkingTime(0, 1440),),
                        (WorkingTime(1, 1439),),
                    ]
                )
            )
            for d in draw(st.sets(st.integers(0, 6), max_size=4))
        }
        start = draw(st.dates(dt.date(2025, 1, 1), dt.date(2028, 1, 1)))
        recurrence = draw(
            st.sampled_from(
                [
                    None,
                    Recurrence(RecurrenceType.DAILY, interval=3),
                    Recurrence(RecurrenceType.WEEKLY, weekdays=(1, 4)),
                    Recurrence(RecurrenceType.MONTHLY, day=31, occurrences=4),
                    Recurrence(RecurrenceType.MONTHLY, nth=2, weekday=6),
                    Recurrence(RecurrenceType.YEARLY, month=12, day=25),
                ]
            )
        )
        finish = start + dt.timedelta(days=draw(st.integers(0, 400)))
        exception = CalendarException(
            start,
            finish,
            draw(st.sampled_from([(), (WorkingTime(600, 660),)])),
            draw(TEXT.filter(lambda s: "\n" not in s)),
            recurrence,
        )
        base = draw(st.sampled_from([None, "Standard", "24 Hours", *[c.name for c in calendars]]))
        calendars.append(
            CalendarSpec(
                f"Cal {k} é",
                week=week,
                base=base,
                exceptions=(exception,),
                country=draw(st.sampled_from([None, "FR", "DE"])),
                uid=draw(st.none() | st.integers(0, 9)),
            )
        )
    calendar_names = [None, "Standard", "24 Hours", *[c.name for c in calendars]]
    tasks: list[Task] = []
    stack: list[int] = []
    for i in range(n):
        del stack[depths[i] :]
        parent = stack[-1] if stack else None
        unit = draw(UNITS)
        elapsed = draw(st.booleans())
        manual = draw(st.booleans())
        dated = draw(st.sampled_from(list(ConstraintType)))
        tasks.append(
            Task(
                uid=uids[i],
                name=draw(TEXT),
                duration=draw(st.integers(0, 50_000)),
                parent=parent,
                elapsed=elapsed,
                duration_unit=unit,
                milestone=draw(st.sampled_from([None, True, False])),
                constraint=Constraint(dated, draw(DATES))
                if dated not in (ConstraintType.ASAP, ConstraintType.ALAP)
                else Constraint(dated),
                deadline=draw(st.none() | DATES),
                calendar=draw(st.sampled_from(calendar_names)),
                manual=manual,
                start=draw(DATES) if manual else None,
                finish=draw(DATES) if manual else None,
                active=draw(st.booleans()),
                progress=draw(st.sampled_from([Progress(), Progress(percent_complete=12.5)]))
                if draw(st.booleans())
                else Progress(
                    draw(DATES),
                    draw(st.none() | DATES),
                    draw(st.sampled_from([0.0, 33.3, 100.0])),
                    draw(st.none() | st.integers(0, 9999)),
                ),
                priority=draw(st.integers(0, 1000)),
                leveling_delay=draw(st.integers(0, 5000)),
                wbs=ids[i] if draw(st.booleans()) else None,
                notes=draw(TEXT),
            )
        )
        stack.append(uids[i])
    ancestors: dict[int, set[int]] = {t.uid: set() for t in tasks}
    for t in tasks:
        if t.parent is not None:
            ancestors[t.uid] = ancestors[t.parent] | {t.parent}
    links: list[Link] = []
    pairs = set()
    for _ in range(draw(st.integers(0, 2 * n))):
        a, b = (
            sorted(draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2, unique=True)))
            if n >= 2
            else (0, 0)
        )
        p, s = uids[a], uids[b]
        if n < 2 or (p, s) in pairs or p in ancestors[s] or s in ancestors[p]:
            continue
        pairs.add((p, s))
        kind = draw(st.sampled_from(list(LagKind)))
        value = draw(st.sampled_from([0, 480, -240, 1.5, 12.5, -100, 10000]))
        lag = Lag(value, kind, DurationUnit.DAY if kind is LagKind.PERCENT else draw(UNITS))
        links.append(Link(p, s, draw(st.sampled_from(list(LinkType))), lag))
    order = {uid: i for i, uid in enumerate(uids)}
    links.sort(key=lambda link: order[link.successor])
    resources = tuple(
        Resource(
            uid=k + 1,
            name=draw(st.sampled_from(["Claire", "Bob", "Team: A", "Bob"])),
            type=draw(st.sampled_from(list(ResourceType))),
            max_units=draw(st.sampled_from([1.0, 0.5, 3.0, 0.3])),
            calendar=draw(st.sampled_from(calendar_names)),
            standard_rate=draw(st.sampled_from([0.0, 81.25, 80.0, 0.1])),
            initials=draw(st.sampled_from(["", f"R{k}", "PM"])),
        )
        for k in range(draw(st.integers(0, 4)))
    )
    assignments = [
        Assignment(
            t.uid,
            r.uid,
            draw(st.sampled_from([1.0, 0.5, 2.5])),
            draw(st.none() | st.integers(0, 9999)),
            draw(st.integers(0, 99)),
            draw(st.none() | st.integers(0, 99)),
        )
        for t in tasks
        for r in resources
        if draw(st.booleans())
    ]
    return Plan(
        "p",
        D(2027, 1, 4, 8),
        tasks=tuple(tasks),
        links=tuple(links),
        calendars=tuple(calendars),
        resources=resources,
        assignments=tuple(assignments),
        minutes_per_day=draw(st.sampled_from([480, 450, 420, 457])),
        status_date=draw(st.none() | DATES),
        metadata=draw(st.sampled_from([{}, {"k": [1, "two", None]}])),
    )


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans(), st.sampled_from(["yaml", "json"]))
def test_round_trip_of_generated_plans(plan: Plan, fmt: str) -> None:
    # resources with clashing initials: ids must be unique, keep the first
    seen: set[str] = set()
    resources = []
    for r in plan.resources:
        resources.append(r if r.initials not in seen else dataclasses.replace(r, initials=""))
        seen.add(r.initials)
    plan = plan.replace(resources=tuple(resources))
    text = dumps_plan(plan, fmt)
    assert load(text, f"p.{fmt}", fmt) == plan, text
    assert schema_errors(text, fmt) == [], text  # generic YAML/JSON readers see the same file


EXAMPLE_TEXT = (ROOT / "examples/website.yaml").read_text(encoding="utf-8")


def read_or_format_error(text: str, fmt: str = "yaml") -> None:
    try:
        load(text, f"fuzz.{fmt}", fmt)
    except FormatError as exc:
        assert str(exc).startswith(f"fuzz.{fmt}")


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_random_text_only_raises_format_error(text: str) -> None:
    read_or_format_error(text)
    read_or_format_error(text, "json")


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_only_raise_format_error(data: bytes) -> None:
    with contextlib.suppress(FormatError):
        read_plan(io.BytesIO(data), "fuzz.yaml")


@st.composite
def mutated(draw: st.DrawFn, source: str) -> str:
    text = source
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 12)))
        piece = draw(
            st.sampled_from(
                [
                    "",
                    " ",
                    "\n",
                    ":",
                    "-",
                    "[",
                    "{",
                    "}",
                    "]",
                    ",",
                    "'",
                    '"',
                    "#",
                    "&a",
                    "*a",
                    "!!int ",
                    "%",
                    "0",
                    "1.5",
                    "FS",
                    "e",
                    "x",
                    "2027-13-45",
                    "<<: ",
                    "\t",
                    "\\",
                ]
            )
            | st.text(max_size=4)
        )
        text = text[:i] + piece + text[j:]
    return text


@settings(max_examples=200, deadline=None)
@given(mutated(EXAMPLE_TEXT))
def test_mutated_yaml_only_raises_format_error(text: str) -> None:
    read_or_format_error(text)


JSON_TEXT = dumps_plan(load(EXAMPLE_TEXT), "json")


@settings(max_examples=200, deadline=None)
@given(mutated(JSON_TEXT))
def test_mutated_json_only_raises_format_error(text: str) -> None:
    read_or_format_error(text, "json")


def test_aliases_do_not_blow_up() -> None:
    lines = [
        "project: {name: x, start: 2027-01-01}",
        "metadata:",
        "  l0: &l0 [x, x, x, x, x, x, x, x]",
    ]
    lines += [f"  l{k}: &l{k} [{', '.join([f'*l{k - 1}'] * 8)}]" for k in range(1, 12)]
    assert len(load("\n".join(lines) + "\n").metadata) == 12
    bomb = ["metadata:", "  p0: &p0 {name: a}"]
    bomb += [
        f"  p{k}: &p{k} {{name: p, tasks: [{', '.join([f'*p{k - 1}'] * 8)}]}}" for k in range(1, 9)
    ]
    text = "project: {name: x, start: 2027-01-01}\n" + "\n".join(bomb) + "\ntasks: [*p8]\n"
    assert "more than" in str(error(text))


def test_deep_nesting_is_a_format_error() -> None:
    read_or_format_error("[" * 5000 + "]" * 5000)
    read_or_format_error("- " * 3000 + "x")
    tasks = "".join("  " * k + "- name: t\n" + "  " * k + "  tasks:\n" for k in range(400))
    read_or_format_error(HEAD + "tasks:\n" + tasks)
    read_or_format_error('{"a": ' * 3000 + "1" + "}" * 3000, "json")


RICH_TEXT = dumps_plan(rich_plan())


@settings(max_examples=150, deadline=None)
@given(mutated(RICH_TEXT))
def test_mutated_rich_plan_only_raises_format_error(text: str) -> None:
    read_or_format_error(text)
