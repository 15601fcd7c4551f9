"""MS Project XML (MSPDI): reading real files, writing, round trips, errors, and MPXJ.

The real files are MPXJ's test corpus (the same small project saved by MS Project 2002
to 2019, one feature per file) and ProjectLibre's "New Product" plan, under
``../shared/data/msproject`` (see SOURCES.md there).
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from jalon.engine import schedule
from jalon.engine.calendar import day_table, recurrence_dates, resolve
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
from jalon.engine.results import Schedule
from jalon.io import load_plan
from jalon.io.msproject_xml import (
    NS,
    read_mspdi,
    read_mspdi_dates,
    read_mspdi_stored,
    write_mspdi,
)

Q = f"{{{NS}}}"
GENERATED = "msproject/mpxj/junit/data/generated"
MPXJ_DATA = "msproject/mpxj/junit/data"
NEW_PRODUCT = "msproject/projectlibre/New Product.xml"


def read(path: Path) -> Plan:
    with path.open("rb") as stream:
        return read_mspdi(stream, name=str(path))


def read_text(text: str, name: str = "test.xml") -> Plan:
    return read_mspdi(io.BytesIO(text.encode("utf-8")), name=name)


def write(plan: Plan, result: Schedule | None = None) -> bytes:
    buffer = io.BytesIO()
    write_mspdi(plan, result or schedule(plan), buffer)
    return buffer.getvalue()


def document(*tasks: str, header: str = "", namespace: bool = True) -> str:
    """A minimal MSPDI document around some ``<Task>`` bodies."""
    xmlns = f' xmlns="{NS}"' if namespace else ""
    rows = "".join(f"<Task>{t}</Task>" for t in tasks)
    return (
        f'<?xml version="1.0"?>\n<Project{xmlns}>\n<Name>t</Name>\n'
        f"<StartDate>2025-03-03T08:00:00</StartDate>\n{header}"
        f"<Tasks>\n{rows}\n</Tasks>\n</Project>\n"
    )


# -- every real file ------------------------------------------------------------------


def test_every_file_reads_or_is_refused_cleanly(mspdi_path: Path) -> None:
    head = mspdi_path.read_bytes()[:400]
    if b"APIBusinessObjects" in head:  # Primavera PMXML shares the .xml suffix
        with pytest.raises(
            FormatError,
            match=r"not an MS Project XML \(MSPDI\) file: root element is <APIBusinessObjects>",
        ):
            read(mspdi_path)
        return
    plan = read(mspdi_path)
    stored = read_mspdi_stored(io.BytesIO(mspdi_path.read_bytes()), name=str(mspdi_path))
    real_rows = [s for s in stored if s.uid != 0 and not s.is_null]
    assert len(plan.tasks) == len(real_rows)
    assert [t.uid for t in plan.tasks] == [s.uid for s in real_rows]  # file order = outline order
    assert plan.calendar in plan.calendar_specs


def test_the_corpus_holds_144_mspdi_files_and_5_primavera_ones(shared_data: Path) -> None:
    read_ok = refused = 0
    for path in sorted((shared_data / "msproject").rglob("*.xml")):
        try:
            read(path)
            read_ok += 1
        except FormatError as exc:
            assert "not an MS Project XML" in str(exc)
            refused += 1
    assert (read_ok, refused) == (144, 5)


def test_new_product_counts(shared_data: Path) -> None:
    # ProjectLibre wrote this file: its project summary is a real task (UID 1) at outline
    # level 0, so all 43 <Task> rows are tasks. 17 of the 45 <Assignment> rows are MS
    # Project's "unassigned" placeholder (ResourceUID -65535) and are not assignments.
    plan = read(shared_data / NEW_PRODUCT)
    assert (len(plan.tasks), len(plan.links), len(plan.resources), len(plan.assignments)) == (
        43,
        37,
        8,
        28,
    )
    root = plan.tasks[0]
    assert (root.uid, root.name, root.parent) == (1, "Product #23 Development", None)
    phases = [t.name for t in plan.tasks if t.parent == 1 and plan.is_summary(t.uid)]
    assert phases == [
        "Design Phase",
        "Finance Phase",
        "Production Phase",
        "Marketing and Sales Phase",
        "Distribution Phase",
        "Regional Promotions",
    ]
    assert plan.outline_numbers[4] == "1.2.1"  # Prototype design
    # "Sales training" starts three weeks before "Create sales materials" ends
    lead = next(link for link in plan.links if link.successor == 28)
    assert lead == Link(25, 28, LinkType.FS, Lag(-7200, LagKind.WORK, DurationUnit.DAY))
    assert plan.calendar == "Standard"
    assert [c.name for c in plan.calendars] == [
        "Standard",
        "24 Hours",
        "Night Shift",
        "Standard[Product #23 Development]",
    ]
    assert plan.task(4).duration == 25 * 480
    assert plan.resources[0].name == "Scott Adams"
    assert plan.resources[0].group == "Production"
    assert plan.start == dt.datetime(2001, 1, 1, 8)


def test_stored_dates_are_the_oracle(shared_data: Path) -> None:
    path = shared_data / NEW_PRODUCT
    dates = read_mspdi_dates(io.BytesIO(path.read_bytes()))
    assert dates[1] == (dt.datetime(2001, 1, 1, 8), dt.datetime(2001, 5, 23, 17))
    assert dates[6] == (dt.datetime(2001, 3, 2, 17), dt.datetime(2001, 3, 2, 17))
    stored = read_mspdi_stored(io.BytesIO(path.read_bytes()))
    assert len(stored) == 43


def test_stored_rows_include_the_project_summary_and_blank_rows(shared_data: Path) -> None:
    path = shared_data / MPXJ_DATA / "mspdinulltasks.xml"
    stored = read_mspdi_stored(io.BytesIO(path.read_bytes()))
    assert [(s.uid, s.is_null, s.summary) for s in stored][:3] == [
        (0, False, True),
        (1, False, True),
        (2, True, False),
    ]
    assert stored[0].outline_level == 0


def test_blank_rows_are_skipped_and_do_not_break_the_outline(shared_data: Path) -> None:
    plan = read(shared_data / MPXJ_DATA / "mspdinulltasks.xml")
    assert [(t.uid, t.name, t.parent) for t in plan.tasks] == [
        (1, "Task 1", None),
        (3, "Task 2", 1),
        (4, "Task 3", 1),
        (6, "Task 4", None),
        (8, "Task 5", 6),
    ]


def test_link_types_and_lag_formats(shared_data: Path) -> None:
    plan = read(shared_data / GENERATED / "task-links/task-links-project2019-mspdi.xml")
    day, week = DurationUnit.DAY, DurationUnit.WEEK
    assert list(plan.links) == [
        Link(1, 2, LinkType.FS, Lag(0, LagKind.WORK, day)),
        Link(3, 4, LinkType.FS, Lag(480, LagKind.WORK, day)),
        Link(5, 6, LinkType.FS, Lag(960, LagKind.WORK, day)),
        Link(7, 8, LinkType.FS, Lag(2400, LagKind.WORK, week)),
        Link(9, 10, LinkType.FS, Lag(4800, LagKind.WORK, week)),
        Link(11, 12, LinkType.SF, Lag(960, LagKind.WORK, day)),
        Link(13, 14, LinkType.SS, Lag(960, LagKind.WORK, day)),
        Link(15, 16, LinkType.FF, Lag(960, LagKind.WORK, day)),
    ]
    # these tasks are manually scheduled: they keep the dates typed in MS Project
    task = plan.task(2)
    assert (task.manual, task.start, task.finish) == (
        True,
        dt.datetime(2018, 10, 19, 8),
        dt.datetime(2018, 10, 19, 17),
    )


def test_duration_formats_and_elapsed_time(shared_data: Path) -> None:
    # MSPDI stores elapsed durations as calendar hours: 1 ed = PT24H, 1 emo = PT720H
    plan = read(shared_data / MPXJ_DATA / "mspdiduration.xml")
    got = [(t.duration, t.duration_unit.value, t.elapsed) for t in plan.tasks]
    assert got == [
        (1, "m", False),
        (60, "h", False),
        (480, "d", False),
        (2400, "w", False),
        (9600, "mo", False),
        (1, "m", True),
        (60, "h", True),
        (1440, "d", True),
        (10080, "w", True),
        (43200, "mo", True),
    ]


def test_resource_calendars_and_types(shared_data: Path) -> None:
    plan = read(
        shared_data / GENERATED / "calendar-calendars/calendar-calendars-project2016-mspdi.xml"
    )
    assert [(c.name, c.base) for c in plan.calendars] == [
        ("Standard", None),
        ("Calendar1", None),
        ("Calendar2", None),
        ("Resource One", "Standard"),
        ("Resource Two", "Standard"),
    ]
    assert [(r.name, r.calendar) for r in plan.resources] == [
        ("Resource One", "Resource One"),
        ("Resource Two", "Resource Two"),
    ]
    plan = read(shared_data / GENERATED / "resource-type/resource-type-project2016-mspdi.xml")
    kinds = [r.type for r in plan.resources]
    assert kinds == [ResourceType.COST] * 5 + [ResourceType.MATERIAL] * 5 + [ResourceType.WORK] * 5


def test_baselines(shared_data: Path) -> None:
    plan = read(shared_data / MPXJ_DATA / "baselines.xml")
    assert [b.number for b in plan.baselines] == list(range(1, 11))
    assert plan.baselines[0].tasks[1] == BaselineTask(
        start=dt.datetime(2001, 1, 1, 9),
        finish=dt.datetime(2000, 1, 1, 17, 30),  # sic: the file's own (odd) baseline finish
        duration=450,
        work=60,
        cost=1.0,  # <Cost>100</Cost>: hundredths of the currency unit
    )


def _exception_days(exceptions: tuple[CalendarException, ...]) -> dict[str, set[dt.date]]:
    first, last = dt.date(1990, 1, 1), dt.date(2030, 12, 31)
    return {e.name: set(recurrence_dates(e, first, last)) for e in exceptions}


def _legacy_days(path: Path) -> set[dt.date]:
    """The days MS Project expanded the recurring exceptions into (pre-2007 "day type 0")."""
    root = etree.parse(str(path)).getroot()
    calendar = root.find(f"{Q}Calendars/{Q}Calendar")
    assert calendar is not None
    days: set[dt.date] = set()
    for day in calendar.iterfind(f"{Q}WeekDays/{Q}WeekDay"):
        if day.findtext(f"{Q}DayType") == "0":
            first = dt.date.fromisoformat((day.findtext(f"{Q}TimePeriod/{Q}FromDate") or "")[:10])
            last = dt.date.fromisoformat((day.findtext(f"{Q}TimePeriod/{Q}ToDate") or "")[:10])
            days.update(first + dt.timedelta(days=i) for i in range((last - first).days + 1))
    return days


RECURRING = (
    GENERATED + "/calendar-recurring-exceptions/calendar-recurring-exceptions-project2016-mspdi.xml"
)


def test_recurring_exceptions_fall_on_the_days_ms_project_expanded(shared_data: Path) -> None:
    path = shared_data / RECURRING
    standard = read(path).calendar_specs["Standard"]
    by_name = _exception_days(standard.exceptions)
    assert len(by_name) == 27
    expanded = _legacy_days(path)
    for name, days in by_name.items():
        assert days, name
        assert days <= expanded, name
    rec = {e.name: e.recurrence for e in standard.exceptions}
    assert rec["Monthly Relative 5"] == Recurrence(
        RecurrenceType.MONTHLY, interval=6, nth=5, weekday=4, occurrences=7
    )  # the last Friday, every 6 months, 7 times
    assert rec["Yearly Absolute 2"] == Recurrence(
        RecurrenceType.YEARLY, day=2, month=3, occurrences=4
    )
    working = next(e for e in standard.exceptions if e.name == "Recurring Working")
    assert working.working_times == (WorkingTime(540, 780), WorkingTime(840, 1020))


def test_weekly_recurrence_on_sunday_counts_weeks_from_sunday(shared_data: Path) -> None:
    # MS Project counts the weeks of a weekly recurrence from Sunday, whatever WeekStartDay
    path = shared_data / RECURRING
    days = _exception_days(read(path).calendar_specs["Standard"].exceptions)["Weekly 7 Sunday"]
    assert min(days) == dt.date(2001, 2, 18)


def test_a_file_without_the_namespace_reads() -> None:
    plan = read_text(
        document("<UID>1</UID><Name>A</Name><Duration>PT8H0M0S</Duration>", namespace=False)
    )
    assert plan.tasks[0].duration == 480


def test_durations_with_fractions_and_days() -> None:
    plan = read_text(
        document(
            "<UID>1</UID><Name>A</Name><Duration>PT1.5H</Duration>",
            "<UID>2</UID><Name>B</Name><Duration>P1DT2H</Duration>",
            "<UID>3</UID><Name>C</Name><Duration>PT0H22M30S</Duration>",
        )
    )
    assert [t.duration for t in plan.tasks] == [90, 1560, 22]


def test_links_to_blank_rows_are_dropped() -> None:
    plan = read_text(
        document(
            "<UID>1</UID><IsNull>1</IsNull>",
            "<UID>2</UID><Name>B</Name><PredecessorLink><PredecessorUID>1</PredecessorUID></PredecessorLink>",
        )
    )
    assert plan.links == ()


def test_percent_lag_is_a_whole_percent() -> None:
    link = (
        "<PredecessorLink><PredecessorUID>1</PredecessorUID>"
        "<LinkLag>50</LinkLag><LagFormat>19</LagFormat></PredecessorLink>"
    )
    plan = read_text(document("<UID>1</UID><Name>A</Name>", f"<UID>2</UID><Name>B</Name>{link}"))
    assert plan.links[0].lag == Lag(50, LagKind.PERCENT)


def test_load_plan_dispatches_xml(shared_data: Path) -> None:
    assert len(load_plan(shared_data / NEW_PRODUCT).tasks) == 43


# -- errors ---------------------------------------------------------------------------


def test_malformed_xml_names_the_line() -> None:
    text = '<?xml version="1.0"?>\n<Project>\n<Tasks>\n<Task><UID>1</Task>\n</Tasks>\n</Project>\n'
    with pytest.raises(FormatError, match="malformed XML") as info:
        read_text(text, name="broken.xml")
    assert info.value.line == 4
    assert info.value.path == "broken.xml"
    assert str(info.value).startswith("broken.xml:4: malformed XML")


def test_empty_file() -> None:
    with pytest.raises(FormatError, match="malformed XML"):
        read_mspdi(io.BytesIO(b""), name="empty.xml")


def test_not_mspdi() -> None:
    with pytest.raises(
        FormatError, match=r"not an MS Project XML \(MSPDI\) file: root element is <project>"
    ):
        read_text('<?xml version="1.0"?><project name="GanttProject"/>')


def test_a_project_root_in_another_namespace_names_it() -> None:
    with pytest.raises(FormatError, match=r"root element is <Project> in namespace 'urn:other'"):
        read_text('<?xml version="1.0"?><Project xmlns="urn:other"><Name>t</Name></Project>')


def test_outline_from_outline_numbers_when_levels_are_absent() -> None:
    # some tools write OutlineNumber only: its dots give the level
    plan = read_text(
        document(
            "<UID>1</UID><Name>Phase</Name><OutlineNumber>1</OutlineNumber>",
            "<UID>2</UID><Name>Design</Name><OutlineNumber>1.1</OutlineNumber>"
            "<Duration>PT16H0M0S</Duration>",
            "<UID>3</UID><Name>Build</Name><OutlineNumber>1.1.1</OutlineNumber>"
            "<Duration>PT8H0M0S</Duration>",
            "<UID>4</UID><Name>Close</Name><OutlineNumber>2</OutlineNumber>",
        )
    )
    assert [(t.uid, t.parent) for t in plan.tasks] == [(1, None), (2, 1), (3, 2), (4, None)]


def test_names_of_a_reindented_file_lose_the_layout() -> None:
    plan = read_text(
        document(
            "<UID>1</UID><Name>\n      Write the\n      tender  </Name>"
            "<OutlineLevel>1</OutlineLevel>"
        )
    )
    assert plan.tasks[0].name == "Write the tender"


@pytest.mark.parametrize(
    ("element", "value", "expected"),
    [
        ("Duration", "abc", "a duration like PT8H0M0S"),
        ("Duration", "-PT8H0M0S", "a duration may not be negative"),
        ("Start", "tomorrow", "a date"),
        ("Priority", "high", "an integer"),
        ("Milestone", "yes", "0 or 1"),
        ("ConstraintType", "9", "0 to 7"),
        ("PercentComplete", "NaN", "a number"),
    ],
)
def test_a_bad_value_names_the_task_the_element_and_the_line(
    element: str, value: str, expected: str
) -> None:
    text = document(
        "<UID>1</UID><Name>Ok</Name>",
        f"<UID>7</UID><Name>Design</Name>\n<{element}>{value}</{element}>",
    )
    with pytest.raises(FormatError) as info:
        read_text(text, name="plan.xml")
    message = str(info.value)
    assert f"task uid 7 'Design': <{element}> has a bad value '{value}'" in message
    assert expected in message
    line = next(
        i
        for i, text_line in enumerate(text.splitlines(), 1)
        if text_line.startswith(f"<{element}>")
    )
    assert info.value.line == line


@pytest.mark.parametrize(
    ("child", "element", "value", "expected"),
    [
        ("PredecessorLink", "Type", "7", "0=FF, 1=FS, 2=SF or 3=SS"),
        ("PredecessorLink", "LinkLag", "soon", "a number"),
        ("PredecessorLink", "LagFormat", "days", "an integer"),
        ("PredecessorLink", "CrossProject", "2", "0 or 1"),
        ("PredecessorLink", "PredecessorUID", "one", "an integer"),
        ("Baseline", "Start", "tomorrow", "a date like 2024-01-31T08:00:00"),
        ("Baseline", "Duration", "-PT1H0M0S", "a duration may not be negative"),
        ("Baseline", "Cost", "cheap", "a number"),
    ],
)
def test_a_bad_value_in_a_link_or_baseline_names_the_task_and_the_line(
    child: str, element: str, value: str, expected: str
) -> None:
    fields = {"PredecessorUID": "1", element: value}
    body = "".join(f"\n<{tag}>{text}</{tag}>" for tag, text in fields.items())
    text = document(
        "<UID>1</UID><Name>Ok</Name>",
        f"<UID>7</UID><Name>Design</Name><{child}>{body}</{child}>",
    )
    with pytest.raises(FormatError) as info:
        read_text(text, name="plan.xml")
    message = str(info.value)
    assert f"task uid 7 'Design': <{element}> has a bad value '{value}' ({expected})" in message
    line = next(
        i
        for i, text_line in enumerate(text.splitlines(), 1)
        if text_line.startswith(f"<{element}>{value}")
    )
    assert info.value.line == line


@pytest.mark.parametrize(
    ("element", "value", "who", "expected"),
    [
        ("TaskUID", "first", "assignment", "an integer"),
        ("Units", "all", "assignment of resource uid 1 to task uid 7", "a number"),
        ("Work", "8 hours", "assignment of resource uid 1 to task uid 7", "a duration like"),
        ("WorkContour", "flat", "assignment of resource uid 1 to task uid 7", "an integer"),
    ],
)
def test_a_bad_value_in_an_assignment_names_it_and_the_line(
    element: str, value: str, who: str, expected: str
) -> None:
    fields = {"UID": "3", "TaskUID": "7", "ResourceUID": "1", element: value}
    body = "".join(f"\n<{tag}>{text}</{tag}>" for tag, text in fields.items())
    header = (
        "<Resources><Resource><UID>1</UID><Name>Ann</Name></Resource></Resources>\n"
        f"<Assignments><Assignment>{body}\n</Assignment></Assignments>\n"
    )
    text = document("<UID>7</UID><Name>Design</Name>", header=header)
    with pytest.raises(FormatError) as info:
        read_text(text, name="plan.xml")
    assert f"{who}: <{element}> has a bad value '{value}' ({expected}" in str(info.value)
    line = next(
        i
        for i, text_line in enumerate(text.splitlines(), 1)
        if text_line.startswith(f"<{element}>{value}")
    )
    assert info.value.line == line


def test_the_same_bad_value_twice_names_its_first_task() -> None:
    # a value is converted once per file: the error still names the first task that has it
    text = document(
        "<UID>1</UID><Name>A</Name><Duration>PT8H0M0S</Duration>",
        "<UID>2</UID><Name>B</Name><Duration>eight</Duration>",
        "<UID>3</UID><Name>C</Name><Duration>eight</Duration>",
    )
    with pytest.raises(FormatError, match=r"task uid 2 'B': <Duration> has a bad value 'eight'"):
        read_text(text)


def test_a_bad_uid_names_the_element() -> None:
    with pytest.raises(FormatError, match=r"task: <UID> has a bad value 'x1' \(an integer\)"):
        read_text(document("<UID>x1</UID><Name>A</Name>"))
    # a whole number written as a decimal is a uid
    assert [t.uid for t in read_text(document("<UID>4.0</UID><Name>A</Name>")).tasks] == [4]


def test_fields_of_nested_elements_are_not_the_tasks_own() -> None:
    # Start, Finish, Duration, Type and UID also name fields of a task's baselines,
    # timephased data and links, which come after the task's own: each value goes to the
    # element it belongs to
    baseline = (
        "<Baseline><Number>0</Number><Start>2025-01-06T08:00:00</Start>"
        "<Finish>2025-01-07T17:00:00</Finish><Duration>PT16H0M0S</Duration></Baseline>"
    )
    timephased = (
        "<TimephasedData><Type>1</Type><UID>9</UID><Start>2025-02-03T08:00:00</Start>"
        "<Finish>2025-02-04T08:00:00</Finish><Value>PT8H0M0S</Value></TimephasedData>"
    )
    link = "<PredecessorLink><PredecessorUID>1</PredecessorUID><Type>3</Type></PredecessorLink>"
    extended = "<ExtendedAttribute><FieldID>188743731</FieldID><DurationFormat>5</DurationFormat>"
    plan = read_text(
        document(
            "<UID>1</UID><Name>A</Name><Duration>PT8H0M0S</Duration>",
            "<UID>2</UID><Name>B</Name><Type>1</Type><Duration>PT24H0M0S</Duration>"
            "<DurationFormat>7</DurationFormat><Manual>1</Manual>"
            "<Start>2025-03-04T08:00:00</Start><Finish>2025-03-06T17:00:00</Finish>"
            f"{link}{extended}</ExtendedAttribute>{baseline}{timephased}",
        )
    )
    task = plan.task(2)
    assert (task.duration, task.duration_unit, task.manual) == (1440, DurationUnit.DAY, True)
    assert (task.start, task.finish) == (dt.datetime(2025, 3, 4, 8), dt.datetime(2025, 3, 6, 17))
    assert [(x.predecessor, x.successor, x.type) for x in plan.links] == [(1, 2, LinkType.SS)]
    (saved,) = plan.baselines
    assert saved.tasks[2].start == dt.datetime(2025, 1, 6, 8)
    assert saved.tasks[2].duration == 960


def test_a_link_to_a_missing_task_names_the_task() -> None:
    link = "<PredecessorLink><PredecessorUID>99</PredecessorUID></PredecessorLink>"
    with pytest.raises(FormatError, match=r"task uid 2 'B': predecessor uid 99 does not exist"):
        read_text(document("<UID>1</UID><Name>A</Name>", f"<UID>2</UID><Name>B</Name>{link}"))


def test_plan_errors_come_out_as_format_errors_naming_the_file() -> None:
    # a summary task linked to its own subtask: the plan refuses it
    link = "<PredecessorLink><PredecessorUID>1</PredecessorUID></PredecessorLink>"
    text = document(
        "<UID>1</UID><Name>Phase</Name><OutlineLevel>1</OutlineLevel>",
        f"<UID>2</UID><Name>Step</Name><OutlineLevel>2</OutlineLevel>{link}",
    )
    with pytest.raises(FormatError, match=r"^phase\.xml: .*cannot be linked to its own subtask"):
        read_text(text, name="phase.xml")


def test_duplicate_task_uids() -> None:
    with pytest.raises(FormatError, match="two tasks have this uid"):
        read_text(document("<UID>1</UID><Name>A</Name>", "<UID>1</UID><Name>B</Name>"))


def test_a_task_without_uid() -> None:
    with pytest.raises(FormatError, match="a <Task> has no <UID>"):
        read_text(document("<Name>A</Name>"))


# -- writing --------------------------------------------------------------------------

MONDAY = dt.datetime(2025, 3, 3, 8)


def rich_plan() -> Plan:
    """A plan using every field the writer writes."""
    early = CalendarSpec(
        "Early shift",
        week={d: (WorkingTime(360, 600), WorkingTime(660, 900)) for d in range(5)} | {5: (), 6: ()},
        exceptions=(
            CalendarException(dt.date(2025, 4, 22), dt.date(2025, 4, 25), name="Offsite"),
            CalendarException(
                dt.date(2025, 5, 10), dt.date(2025, 5, 10), (WorkingTime(480, 720),), "Saturday on"
            ),
            CalendarException(
                dt.date(2025, 6, 2),
                dt.date(2025, 6, 30),
                name="Every third day",
                recurrence=Recurrence(RecurrenceType.DAILY, interval=3, occurrences=4),
            ),
            CalendarException(
                dt.date(2025, 7, 7),
                dt.date(2025, 8, 29),
                name="Mon and Wed, every other week",
                recurrence=Recurrence(RecurrenceType.WEEKLY, interval=2, weekdays=(0, 2)),
            ),
            CalendarException(
                dt.date(2025, 1, 15),
                dt.date(2025, 12, 31),
                name="15th",
                recurrence=Recurrence(RecurrenceType.MONTHLY, day=15, occurrences=12),
            ),
            CalendarException(
                dt.date(2025, 1, 1),
                dt.date(2026, 12, 31),
                name="Last Friday",
                recurrence=Recurrence(RecurrenceType.MONTHLY, interval=2, nth=5, weekday=4),
            ),
            CalendarException(
                dt.date(2025, 1, 1),
                dt.date(2027, 12, 31),
                name="Labour day (US)",
                recurrence=Recurrence(RecurrenceType.YEARLY, nth=1, weekday=0, month=9),
            ),
            CalendarException(
                dt.date(2025, 1, 1),
                dt.date(2027, 12, 31),
                name="Anniversary",
                recurrence=Recurrence(RecurrenceType.YEARLY, day=2, month=10, occurrences=3),
            ),
        ),
        uid=7,
    )
    france = CalendarSpec("France", base="Standard", country="FR")
    four_days = CalendarSpec("Four days", base="Standard", week={4: ()})
    personal = CalendarSpec(
        "Alice",
        base="Standard",
        week={0: ()},
        exceptions=(CalendarException(dt.date(2025, 3, 20), dt.date(2025, 3, 21), name="Leave"),),
    )
    tasks = (
        Task(1, "Build & test <phase>", notes="Notes: a & b < c\nsecond line"),
        Task(2, "Design", 5 * 480, parent=1, priority=800, wbs="B.1"),
        Task(
            3,
            "Review",
            2 * 480,
            parent=1,
            calendar="Four days",
            deadline=dt.datetime(2025, 3, 31, 17),
        ),
        Task(4, "Pour", 3 * 1440, parent=1, elapsed=True, duration_unit=DurationUnit.DAY),
        Task(
            5,
            "Gate",
            0,
            parent=1,
            constraint=Constraint(ConstraintType.MSO, dt.datetime(2025, 4, 1, 8)),
        ),
        Task(6, "Ship", 240, duration_unit=DurationUnit.HOUR, milestone=True),
        Task(
            7,
            "Started",
            10 * 480,
            calendar="Early shift",
            progress=Progress(
                actual_start=dt.datetime(2025, 3, 3, 6), percent_complete=40, remaining_minutes=3000
            ),
        ),
        Task(
            8,
            "Typed dates",
            480,
            manual=True,
            start=dt.datetime(2025, 3, 10, 8),
            finish=dt.datetime(2025, 3, 11, 17),
        ),
        Task(9, "Dropped", 480, active=False),
        Task(10, "Delayed", 480, leveling_delay=2880, calendar="France"),
        Task(
            11,
            "Late finish",
            480,
            constraint=Constraint(ConstraintType.FNLT, dt.datetime(2025, 6, 30, 17)),
        ),
        Task(12, "Not zero but not a milestone", 0, milestone=False),
        Task(13, "As late as possible", 480, constraint=Constraint(ConstraintType.ALAP)),
        Task(
            14,
            "Start no earlier",
            480,
            constraint=Constraint(ConstraintType.SNET, dt.datetime(2025, 3, 12, 13)),
        ),
        Task(
            15,
            "Done",
            960,
            progress=Progress(dt.datetime(2025, 3, 3, 8), dt.datetime(2025, 3, 4, 17), 100.0),
        ),
    )
    links = (
        Link(2, 3),
        Link(3, 4, LinkType.SS, Lag(240, LagKind.WORK, DurationUnit.HOUR)),
        Link(4, 5, LinkType.FF, Lag(2880, LagKind.ELAPSED, DurationUnit.DAY)),
        Link(2, 6, LinkType.SF, Lag(-480, LagKind.WORK, DurationUnit.DAY)),
        Link(2, 10, LinkType.FS, Lag(50, LagKind.PERCENT)),
        Link(5, 11, LinkType.FS, Lag(2400, LagKind.WORK, DurationUnit.WEEK)),
        Link(6, 12),
    )
    resources = (
        Resource(
            1,
            "Alice",
            calendar="Alice",
            standard_rate=62.5,
            overtime_rate=90,
            initials="AL",
            email="a@example.org",
        ),
        Resource(2, "Concrete", ResourceType.MATERIAL, cost_per_use=12.0, group="Supplies"),
        Resource(3, "Travel", ResourceType.COST),
        Resource(4, "Half-time", max_units=0.5, calendar="Four days"),
    )
    assignments = (
        Assignment(2, 1, uid=10),
        Assignment(3, 4, units=0.5, uid=11),
        Assignment(4, 2, units=3.0, work=900, uid=12),
        Assignment(7, 1, actual_work=960, uid=13),
    )
    baselines = (
        Baseline(0, {2: BaselineTask(MONDAY, dt.datetime(2025, 3, 7, 17), 2400, 2400, 1500.0)}),
        Baseline(3, {3: BaselineTask(None, None, 0, 0, 12.5)}),
    )
    return Plan(
        name="Entrepôt & quai",
        start=MONDAY,
        tasks=tasks,
        links=links,
        calendars=(early, france, four_days, personal),
        resources=resources,
        assignments=assignments,
        baselines=baselines,
        status_date=dt.datetime(2025, 3, 14, 17),
        critical_slack_limit=960,
        currency="CHF",
    )


def _calendar_days(plan: Plan, name: str, first: dt.date, last: dt.date) -> Any:
    resolved = resolve(name, plan.calendar_specs)
    return resolved.week, day_table(resolved, first, last)


def test_round_trip_keeps_tasks_links_resources_and_baselines() -> None:
    plan = rich_plan()
    back = read_mspdi(io.BytesIO(write(plan)))
    assert back.tasks == plan.tasks
    assert back.links == plan.links
    assert back.resources == plan.resources
    assert back.assignments == plan.assignments
    assert back.baselines == plan.baselines
    for attr in (
        "name",
        "start",
        "calendar",
        "status_date",
        "critical_slack_limit",
        "currency",
        "minutes_per_day",
    ):
        assert getattr(back, attr) == getattr(plan, attr), attr


def test_round_trip_keeps_working_time_day_by_day() -> None:
    plan = rich_plan()
    back = read_mspdi(io.BytesIO(write(plan)))
    first, last = dt.date(2024, 1, 1), dt.date(2027, 12, 31)
    for name in ("Standard", "Early shift", "Four days", "Alice"):
        assert _calendar_days(back, name, first, last) == _calendar_days(plan, name, first, last), (
            name
        )
    # public holidays are written for the years the schedule spans, here 2025 only
    first, last = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    assert _calendar_days(back, "France", first, last) == _calendar_days(
        plan, "France", first, last
    )


def test_round_trip_keeps_recurring_exceptions_as_patterns() -> None:
    plan = rich_plan()
    back = read_mspdi(io.BytesIO(write(plan)))
    key = lambda e: (e.start, e.name)  # noqa: E731
    assert sorted(back.calendar_specs["Early shift"].exceptions, key=key) == sorted(
        plan.calendar_specs["Early shift"].exceptions, key=key
    )
    assert back.calendar_specs["Early shift"].uid == 7


def test_calendars_as_ms_project_needs_them() -> None:
    plan = rich_plan()
    root = etree.fromstring(write(plan))
    calendars = {c.findtext(f"{Q}Name"): c for c in root.iterfind(f"{Q}Calendars/{Q}Calendar")}
    # tasks may only use base calendars: "Four days" (used by a task and a resource) is flattened
    four = calendars["Four days"]
    assert (four.findtext(f"{Q}IsBaseCalendar"), four.findtext(f"{Q}BaseCalendarUID")) == (
        "1",
        "-1",
    )
    assert len(four.findall(f"{Q}WeekDays/{Q}WeekDay")) == 7
    # a resource's own calendar stays derived from its base
    alice = calendars["Alice"]
    standard_uid = calendars["Standard"].findtext(f"{Q}UID")
    assert (alice.findtext(f"{Q}IsBaseCalendar"), alice.findtext(f"{Q}BaseCalendarUID")) == (
        "0",
        standard_uid,
    )
    assert [d.findtext(f"{Q}DayType") for d in alice.iterfind(f"{Q}WeekDays/{Q}WeekDay")] == ["2"]
    # public holidays become exceptions for the years the schedule spans
    days = [
        e.findtext(f"{Q}TimePeriod/{Q}FromDate")
        for e in calendars["France"].iterfind(f"{Q}Exceptions/{Q}Exception")
    ]
    assert "2025-07-14T00:00:00" in days
    assert len(days) == 11  # French public holidays in 2025


def test_overlapping_exceptions_are_cut_the_way_the_engine_reads_them() -> None:
    # MS Project refuses overlapping exceptions in one calendar
    spec = CalendarSpec(
        "Site",
        base=None,
        country="FR",
        exceptions=(
            CalendarException(dt.date(2025, 7, 10), dt.date(2025, 7, 18), name="Shutdown"),
            CalendarException(
                dt.date(2025, 7, 14), dt.date(2025, 7, 14), (WorkingTime(480, 720),), "Open"
            ),
        ),
    )
    plan = Plan("p", MONDAY, tasks=(Task(1, "A", 480, calendar="Site"),), calendars=(spec,))
    root = etree.fromstring(write(plan))
    site = next(
        c for c in root.iterfind(f"{Q}Calendars/{Q}Calendar") if c.findtext(f"{Q}Name") == "Site"
    )
    spans = [
        (e.findtext(f"{Q}TimePeriod/{Q}FromDate"), e.findtext(f"{Q}Name"))
        for e in site.iterfind(f"{Q}Exceptions/{Q}Exception")
        if "2025-07" in (e.findtext(f"{Q}TimePeriod/{Q}FromDate") or "")
    ]
    assert spans == [
        ("2025-07-10T00:00:00", "Shutdown"),
        ("2025-07-14T00:00:00", "Open"),
        ("2025-07-15T00:00:00", "Shutdown"),
    ]
    back = read_mspdi(io.BytesIO(write(plan)))
    first, last = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    assert _calendar_days(back, "Site", first, last) == _calendar_days(plan, "Site", first, last)


def test_written_tasks_carry_the_schedule() -> None:
    plan = rich_plan()
    result = schedule(plan)
    root = etree.fromstring(write(plan, result))
    rows = {int(t.findtext(f"{Q}UID") or -1): t for t in root.iterfind(f"{Q}Tasks/{Q}Task")}
    assert rows[0].findtext(f"{Q}OutlineLevel") == "0"  # the project summary row
    assert rows[0].findtext(f"{Q}Summary") == "1"
    stored = {s.uid: s for s in read_mspdi_stored(io.BytesIO(write(plan, result)))}
    for st in result.tasks:
        row = stored[st.uid]
        assert (row.start, row.finish) == (st.start, st.finish)
        assert (row.early_start, row.late_finish) == (st.early_start, st.late_finish)
        assert (row.total_slack, row.free_slack, row.critical) == (
            st.total_float,
            st.free_float,
            st.critical,
        )
        assert (row.summary, row.milestone) == (st.summary, st.milestone)
    assert rows[1].findtext(f"{Q}Name") == "Build & test <phase>"
    assert rows[2].findtext(f"{Q}WBS") == "B.1"
    assert rows[3].findtext(f"{Q}WBS") == "1.2"
    percent = rows[10].find(f"{Q}PredecessorLink")
    assert percent is not None
    assert (percent.findtext(f"{Q}LinkLag"), percent.findtext(f"{Q}LagFormat")) == ("50", "19")
    elapsed = rows[5].find(f"{Q}PredecessorLink")
    assert elapsed is not None
    assert (
        elapsed.findtext(f"{Q}Type"),
        elapsed.findtext(f"{Q}LinkLag"),
        elapsed.findtext(f"{Q}LagFormat"),
    ) == (
        "0",
        "28800",
        "8",
    )


def _ms_project_order(shared_data: Path) -> dict[str, set[tuple[str, str]]]:
    """(earlier, later) sibling pairs per element path, from files MS Project 2016/2019 saved."""
    order: dict[str, set[tuple[str, str]]] = defaultdict(set)

    def visit(el: Any, path: str) -> None:
        names = [etree.QName(ch).localname for ch in el if isinstance(ch.tag, str)]
        firsts: dict[str, int] = {}
        for i, n in enumerate(names):
            firsts.setdefault(n, i)
        for a, i in firsts.items():
            for b, j in firsts.items():
                if i < j:
                    order[path].add((a, b))
        for ch in el:
            if (
                isinstance(ch.tag, str)
                and len(ch)
                and etree.QName(ch).localname != "TimephasedData"
            ):
                visit(ch, f"{path}/{etree.QName(ch).localname}")

    for pattern in ("*2016-mspdi.xml", "*2019-mspdi.xml"):
        for path in (shared_data / GENERATED).rglob(pattern):
            visit(etree.parse(str(path)).getroot(), "Project")
    return order


def _pairs(el: Any, path: str) -> Iterator[tuple[str, str, str]]:
    names = [etree.QName(ch).localname for ch in el]
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            if a != b:
                yield path, a, b
    for ch in el:
        if len(ch):
            yield from _pairs(ch, f"{path}/{etree.QName(ch).localname}")


def test_elements_come_in_the_order_ms_project_writes_them(shared_data: Path) -> None:
    order = _ms_project_order(shared_data)
    root = etree.fromstring(write(rich_plan()))
    wrong = {(p, a, b) for p, a, b in _pairs(root, "Project") if (b, a) in order[p]}
    assert not wrong


def test_uid_zero_moves_out_of_ms_projects_way() -> None:
    # MS Project reads task UID 0 as the project summary and resource UID 0 as a placeholder
    plan = Plan(
        "p",
        MONDAY,
        tasks=(Task(0, "Zero", 480), Task(1, "One", 480)),
        links=(Link(0, 1),),
        resources=(Resource(0, "Nobody"),),
        assignments=(Assignment(0, 0),),
    )
    back = read_mspdi(io.BytesIO(write(plan)))
    assert [(t.uid, t.name) for t in back.tasks] == [(2, "Zero"), (1, "One")]
    assert back.links == (Link(2, 1),)
    assert [(r.uid, r.name) for r in back.resources] == [(1, "Nobody")]
    assert (back.assignments[0].task, back.assignments[0].resource) == (2, 1)


def test_the_writer_refuses_a_schedule_of_another_plan() -> None:
    plan = rich_plan()
    other = schedule(Plan("other", MONDAY, tasks=(Task(1, "x", 480),)))
    with pytest.raises(Exception, match="the schedule has no dates"):
        write_mspdi(plan, other, io.BytesIO())


def test_every_file_survives_a_write_and_read(mspdi_path: Path) -> None:
    if b"APIBusinessObjects" in mspdi_path.read_bytes()[:400]:
        pytest.skip("Primavera PMXML, not MSPDI")
    plan = read(mspdi_path)
    back = read_mspdi(io.BytesIO(write(plan)))
    assert (back.tasks, back.links, back.resources, back.assignments) == (
        plan.tasks,
        plan.links,
        plan.resources,
        plan.assignments,
    )
    assert back.baselines == plan.baselines


def big_plan(n: int = 10_000) -> Plan:
    tasks, links = [], []
    for uid in range(1, n + 1):
        parent = None if uid % 50 == 1 else (uid - 1) // 50 * 50 + 1
        tasks.append(
            Task(uid, f"Task {uid}", 0 if parent is None else 480 * (1 + uid % 5), parent=parent)
        )
        if parent is not None and uid % 50 > 2:
            links.append(Link(uid - 1, uid))
    return Plan("big", MONDAY, tasks=tuple(tasks), links=tuple(links))


def test_ten_thousand_tasks_read_quickly() -> None:
    # CPU seconds, generous for slow shared CI machines: a laptop reads it in ~0.4 s
    plan = big_plan()
    data = write(plan)
    started = time.process_time()
    back = read_mspdi(io.BytesIO(data))
    assert time.process_time() - started < 4.0
    assert len(back.tasks) == 10_000


# -- MPXJ reads what we write ---------------------------------------------------------


@pytest.fixture(scope="module")
def mpxj_reader() -> Any:
    if shutil.which("java") is None:
        pytest.skip(
            "Java is not installed: the MPXJ test needs a JVM (apt install default-jre-headless)"
        )
    try:
        import jpype
        import mpxj  # noqa: F401  (puts the MPXJ jars on the class path)
    except ImportError:
        pytest.skip("mpxj and JPype1 are not installed (pip install 'jalon[mpxj]')")
    if not jpype.isJVMStarted():
        jpype.startJVM()
    try:
        from org.mpxj.reader import UniversalProjectReader  # MPXJ 16 and later
    except ImportError:
        from net.sf.mpxj.reader import UniversalProjectReader  # older MPXJ
    return UniversalProjectReader


def _java_datetime(value: Any) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromisoformat(str(value.toString()))


@pytest.mark.mpxj
def test_mpxj_reads_what_we_write(mpxj_reader: Any, tmp_path: Path) -> None:
    plan = rich_plan()
    result = schedule(plan)
    path = tmp_path / "rich.xml"
    path.write_bytes(write(plan, result))
    project = mpxj_reader().read(str(path))
    assert str(project.getProjectProperties().getFileType()) == "MSPDI"
    tasks = {int(t.getUniqueID()): t for t in project.getTasks()}
    for st in result.tasks:
        task = tasks[st.uid]
        assert str(task.getName()) == st.name
        assert int(task.getOutlineLevel()) == st.outline_level
        assert (_java_datetime(task.getStart()), _java_datetime(task.getFinish())) == (
            st.start,
            st.finish,
        )
    links = {
        (int(r.getPredecessorTask().getUniqueID()), int(r.getSuccessorTask().getUniqueID())): r
        for t in project.getTasks()
        for r in t.getPredecessors()
    }
    assert set(links) == {(link.predecessor, link.successor) for link in plan.links}
    units = {"WORK": {"d": "d", "h": "h", "w": "w"}, "ELAPSED": {"d": "ed"}}
    for link in plan.links:
        relation = links[(link.predecessor, link.successor)]
        assert str(relation.getType()) == link.type.value
        lag = relation.getLag()
        if link.lag.kind is LagKind.PERCENT:
            assert (float(lag.getDuration()), str(lag.getUnits())) == (link.lag.value, "%")
            continue
        per_unit = {"d": 480, "h": 60, "w": 2400, "ed": 1440}
        unit = units[link.lag.kind.name][link.lag.unit.value]
        assert str(lag.getUnits()) == unit
        assert float(lag.getDuration()) * per_unit[unit] == pytest.approx(link.lag.value)
    assert {str(c.getName()) for c in project.getCalendars()} >= {
        "Standard",
        "Early shift",
        "France",
        "Alice",
    }
    assert len(project.getResources()) == len(plan.resources)
    assert len(project.getResourceAssignments()) == len(plan.assignments)


@pytest.mark.mpxj
def test_mpxj_agrees_on_the_new_product_counts(mpxj_reader: Any, shared_data: Path) -> None:
    path = shared_data / NEW_PRODUCT
    plan = read(path)
    project = mpxj_reader().read(str(path))
    tasks = list(project.getTasks())
    assert len(tasks) == len(plan.tasks)
    assert sum(len(t.getPredecessors()) for t in tasks) == len(plan.links)
    assigned = [
        a
        for a in project.getResourceAssignments()
        if int(a.getResourceUniqueID() or -65535) != -65535
    ]
    assert len(assigned) == len(plan.assignments)


@pytest.mark.mpxj
@pytest.mark.slow
def test_mpxj_counts_the_same_tasks_links_resources_and_assignments(
    mpxj_reader: Any, mspdi_path: Path
) -> None:
    if b"APIBusinessObjects" in mspdi_path.read_bytes()[:400]:
        pytest.skip("Primavera PMXML, not MSPDI")
    plan = read(mspdi_path)
    project = mpxj_reader().read(str(mspdi_path))

    def uid(value: Any) -> int | None:
        return None if value is None else int(value)

    tasks = [
        t for t in project.getTasks() if uid(t.getUniqueID()) not in (None, 0) and not t.getNull()
    ]
    resources = [r for r in project.getResources() if uid(r.getUniqueID()) not in (None, 0)]
    assignments = [
        a
        for a in project.getResourceAssignments()
        if uid(a.getResourceUniqueID()) not in (None, 0, -65535)
        and a.getTask() is not None
        and uid(a.getTask().getUniqueID()) != 0
    ]
    assert len(plan.tasks) == len(tasks)
    assert len(plan.links) == sum(len(t.getPredecessors()) for t in tasks)
    assert len(plan.resources) == len(resources)
    assert len(plan.assignments) == len(assignments)
