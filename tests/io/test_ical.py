"""iCalendar: milestones and deadlines out, events and to-dos in; round trips through
the icalendar package's own parser."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import icalendar
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jalon.engine import schedule
from jalon.engine.errors import FormatError
from jalon.engine.model import ConstraintType, Plan, Task
from jalon.io import load_plan
from jalon.io.ical import project_slug, read_ics, write_feed, write_ics
from jalon.io.importers import import_bytes

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
STAMP = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def erp() -> Plan:
    return load_plan(EXAMPLES / "erp-rollout.yaml")


def ics(plan: Plan, **kw: object) -> bytes:
    out = io.BytesIO()
    write_ics(plan, schedule(plan), out, stamp=STAMP, **kw)  # type: ignore[arg-type]
    return out.getvalue()


def events(data: bytes) -> list[icalendar.cal.Component]:
    return list(icalendar.Calendar.from_ical(data).walk("VEVENT"))


def test_milestones_and_deadlines(erp: Plan) -> None:
    result = schedule(erp)
    got = events(ics(erp, project_id="erp"))
    milestones = {
        t.uid: t for t in result.tasks if t.milestone and not t.summary and erp.task(t.uid).active
    }
    by_uid = {str(e["uid"]): e for e in got}
    for uid, st_ in milestones.items():
        ev = by_uid[f"erp-{uid}@jalon"]
        assert str(ev["summary"]) == st_.name
        assert ev.decoded("dtstart") == st_.finish.date()  # all day, on the milestone's day
        assert ev.decoded("dtend") == st_.finish.date() + dt.timedelta(days=1)
        assert ev.decoded("dtstamp") == STAMP
        assert str(ev["transp"]) == "TRANSPARENT"
    with_deadline = [t for t in erp.tasks if t.deadline is not None and t.active]
    assert with_deadline, "the example has deadlines"
    for task in with_deadline:
        ev = by_uid[f"erp-{task.uid}-deadline@jalon"]
        assert ev.decoded("dtstart") == task.deadline.date()  # type: ignore[union-attr]
    assert len(got) == len(milestones) + len(with_deadline)


def test_uids_are_stable_and_tasks_optional(erp: Plan) -> None:
    first, again = ics(erp), ics(erp)
    assert first == again
    assert {str(e["uid"]) for e in events(first)} == {str(e["uid"]) for e in events(again)}
    slug = project_slug(erp.name)
    assert slug.isascii() and all(str(e["uid"]).startswith(slug) for e in events(first))
    more = events(ics(erp, include_tasks=True, include_summaries=True))
    kinds = {str(e["x-jalon-kind"]) for e in more}
    assert kinds == {"milestone", "deadline", "task", "summary"}
    assert len(more) > len(events(first))
    timed = events(ics(erp, all_day=False))
    assert all(
        isinstance(e.decoded("dtstart"), dt.datetime)
        for e in timed
        if str(e["x-jalon-kind"]) == "milestone"
    )


def test_escaping_survives() -> None:
    name = 'Go-live; "v2", backslash \\ and\nnew line'
    plan = Plan(
        name="Escapes",
        start=dt.datetime(2026, 3, 2, 8),
        tasks=(Task(uid=1, name="Build", duration=960), Task(uid=2, name=name, notes="a, b; c")),
    )
    data = ics(plan)
    assert b"\\;" in data and b"\\," in data and b"\\n" in data
    ev = events(data)[0]
    assert str(ev["summary"]) == name and str(ev["description"]) == "a, b; c"
    back = read_ics(io.BytesIO(data), "escapes.ics").plan
    assert back.tasks[0].name == name


def test_round_trip_milestones(erp: Plan) -> None:
    result = schedule(erp)
    back = read_ics(io.BytesIO(ics(erp)), "erp.ics")
    plan = back.plan
    assert back.report.format == "ics"
    expected = {
        t.name: t.finish.date()
        for t in result.tasks
        if t.milestone and not t.summary and erp.task(t.uid).active
    }
    got = {t.name: t.constraint.date for t in plan.tasks}
    assert set(got) == set(expected)
    for name, day in expected.items():
        assert got[name] is not None and got[name].date() == day  # type: ignore[union-attr]
    deadlines = {t.name: t.deadline for t in erp.tasks if t.deadline and t.active}
    for t in plan.tasks:  # deadlines go back onto their milestones
        if t.name in deadlines:
            assert t.deadline is not None
            assert t.deadline.date() == deadlines[t.name].date()
    assert back.report.milestones == len(expected)
    rescheduled = schedule(plan)
    for st_ in rescheduled.tasks:
        assert st_.finish.date() == expected[st_.name]


def test_feed_of_several_projects(erp: Plan) -> None:
    web = load_plan(EXAMPLES / "website.yaml")
    out = io.BytesIO()
    write_feed([("erp", erp, schedule(erp)), ("web", web, schedule(web))], out, name="Mine")
    got = events(out.getvalue())
    projects = {str(e["uid"]).split("-")[0] for e in got}
    assert projects == {"erp", "web"}
    assert all(str(e["summary"]).startswith((erp.name, web.name)) for e in got)


FOREIGN = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Example Corp//Calendar 1.0//EN\r
X-WR-CALNAME:Release train\r
BEGIN:VTIMEZONE\r
TZID:Europe/Paris\r
BEGIN:STANDARD\r
DTSTART:19701025T030000\r
TZOFFSETFROM:+0200\r
TZOFFSETTO:+0100\r
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r
END:STANDARD\r
END:VTIMEZONE\r
BEGIN:VEVENT\r
UID:1@example.com\r
DTSTAMP:20260101T000000Z\r
DTSTART;TZID=Europe/Paris:20260302T090000\r
DTEND;TZID=Europe/Paris:20260302T110000\r
SUMMARY:Kick-off\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:2@example.com\r
DTSTAMP:20260101T000000Z\r
DTSTART;VALUE=DATE:20260309\r
DTEND;VALUE=DATE:20260314\r
SUMMARY:Acceptance week\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:3@example.com\r
DTSTAMP:20260101T000000Z\r
DTSTART:20260316T100000Z\r
RRULE:FREQ=WEEKLY;COUNT=4\r
DURATION:PT1H\r
SUMMARY:Steering committee\r
END:VEVENT\r
BEGIN:VTODO\r
UID:4@example.com\r
DTSTAMP:20260101T000000Z\r
DUE;VALUE=DATE:20260331\r
SUMMARY:Sign the contract\r
END:VTODO\r
BEGIN:VJOURNAL\r
UID:5@example.com\r
DTSTAMP:20260101T000000Z\r
SUMMARY:Notes\r
END:VJOURNAL\r
END:VCALENDAR\r
"""


def test_read_a_foreign_calendar() -> None:
    result = read_ics(io.BytesIO(FOREIGN), "train.ics")
    plan = result.plan
    tasks = {t.name: t for t in plan.tasks}
    assert plan.name == "Release train"
    kickoff = tasks["Kick-off"]
    assert kickoff.duration == 120
    assert kickoff.constraint.type is ConstraintType.MSO
    assert kickoff.constraint.date == dt.datetime(2026, 3, 2, 9, 0)  # Paris wall-clock time
    assert tasks["Acceptance week"].duration == 5 * 480
    assert tasks["Steering committee"].duration == 60
    contract = tasks["Sign the contract"]
    assert contract.is_milestone and contract.deadline == dt.datetime(2026, 3, 31, 17, 0)
    assert any("recurring" in w for w in result.report.warnings)
    assert result.report.ignored == ("1 VJOURNAL",)
    assert plan.start == dt.datetime(2026, 3, 2, 8, 0)
    schedule(plan)
    assert import_bytes(FOREIGN, "train.ics").report.tasks == 4


def message(data: bytes, name: str = "bad.ics") -> str:
    with pytest.raises(FormatError) as info:
        read_ics(io.BytesIO(data), name)
    return str(info.value)


def test_errors() -> None:
    assert "BEGIN:VCALENDAR" in message(b"hello", "x.ics")
    cut = FOREIGN[: FOREIGN.index(b"SUMMARY:Kick-off")]
    assert message(cut, "cut.ics").startswith("cut.ics")
    bad = FOREIGN.replace(b"DTSTART;VALUE=DATE:20260309", b"DTSTART;VALUE=DATE:2026ABCD")
    got = message(bad)
    assert "Acceptance week" in got and "DTSTART" in got
    assert "UTF-8" in message(b"BEGIN:VCALENDAR\r\nSUMMARY:\xff\r\n")


FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)


def only_format_errors(data: bytes) -> None:
    try:
        result = read_ics(io.BytesIO(data), "fuzz.ics")
    except FormatError:
        return
    assert result.report.tasks == len(result.plan.tasks)


@FUZZ
@given(st.binary(max_size=1000))
def test_fuzz_random_bytes(data: bytes) -> None:
    only_format_errors(b"BEGIN:VCALENDAR\r\n" + data)


@FUZZ
@given(
    st.lists(
        st.tuples(st.integers(0, len(FOREIGN) - 1), st.integers(0, 255), st.booleans()),
        min_size=1,
        max_size=8,
    )
)
def test_fuzz_mutated_calendar(edits: list[tuple[int, int, bool]]) -> None:
    data = bytearray(FOREIGN)
    for pos, byte, insert in edits:
        pos %= len(data)
        if insert:
            data.insert(pos, byte)
        else:
            data[pos] = byte
    only_format_errors(bytes(data))


@FUZZ
@given(st.lists(st.sampled_from(FOREIGN.split(b"\r\n")), max_size=40))
def test_fuzz_shuffled_lines(lines: list[bytes]) -> None:
    only_format_errors(b"\r\n".join([b"BEGIN:VCALENDAR", *lines, b"END:VCALENDAR"]))
