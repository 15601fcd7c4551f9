"""The MPXJ bridge against real files: MS Project .mpp/.mpx, Primavera .xer/PMXML, Planner,
GanttProject. One module, so that one JVM starts per test worker.

Oracles: the MSPDI reader (MPXJ reads MSPDI too: both readers must give the same plan),
the same project saved by the same MS Project version as .mpp and as .xml, the dates MS
Project stored in its files, and files MPXJ itself writes (XER, PMXML, MPX, Planner).
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import datetime as dt
import io
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jalon.engine.cpm import schedule
from jalon.engine.errors import FormatError
from jalon.engine.model import Plan, WorkPeriod
from jalon.io import mpxj_bridge
from jalon.io.importers import import_bytes, import_file
from jalon.io.mpxj_bridge import INSTALL_HINT, read_mpxj, read_mpxj_with_dates
from jalon.io.msproject_xml import read_mspdi, write_mspdi
from jalon.io.report import report_for

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
MSPROJECT = DATA / "msproject"
MPXJ_SUFFIXES = {".mpp": "mpp", ".mpx": "mpx", ".xer": "xer", ".pmxml": "pmxml",
                 ".planner": "planner", ".gan": "gan"}  # fmt: skip
NEW_PRODUCT = MSPROJECT / "projectlibre" / "New Product.mpp"


def _files() -> list[Path]:
    if not DATA.is_dir():
        return []
    found = [p for p in DATA.rglob("*") if p.is_file() and p.suffix in MPXJ_SUFFIXES]
    found += [p for p in MSPROJECT.rglob("*.xml") if b"APIBusinessObjects" in p.read_bytes()[:600]]
    return sorted(found)


def _mspdi_files() -> list[Path]:
    if not MSPROJECT.is_dir():
        return []
    return sorted(
        p for p in MSPROJECT.rglob("*.xml") if b"APIBusinessObjects" not in p.read_bytes()[:600]
    )


def _ids(paths: list[Path]) -> list[str]:
    return [p.relative_to(DATA).as_posix() for p in paths]


def _params(paths: list[Path]) -> Any:
    if paths:
        return pytest.mark.parametrize("path", paths, ids=_ids(paths))
    skip = pytest.mark.skip(reason=f"no real files under {DATA}")
    return pytest.mark.parametrize("path", [pytest.param(None, marks=skip, id="no-data")])


FILES = _files()
MSPDI_FILES = _mspdi_files()


@pytest.fixture(scope="module")
def jvm() -> None:
    if shutil.which("java") is None:
        pytest.skip("Java is not installed: the MPXJ tests need Java 11+ (apt install default-jre)")
    if not mpxj_bridge.mpxj_available():
        pytest.skip("mpxj and JPype1 are not installed (pip install 'jalon[mpxj]')")


def _expected_format(path: Path) -> str:
    return MPXJ_SUFFIXES.get(path.suffix, "pmxml")


# -- without Java -----------------------------------------------------------------------


def test_without_java_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mpxj_bridge, "_packages", [])
    monkeypatch.setattr(mpxj_bridge, "_java_missing", lambda: "Java is not installed")
    with pytest.raises(FormatError) as caught:
        import_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "plan.mpp")
    message = str(caught.value)
    assert message.startswith("plan.mpp: reading .mpp files needs Java 11+")
    assert INSTALL_HINT in message and "Java is not installed" in message


def test_an_empty_file_is_refused_before_java_starts(tmp_path: Path) -> None:
    path = tmp_path / "empty.mpp"
    path.write_bytes(b"")
    with pytest.raises(FormatError, match="empty"):
        read_mpxj(path)
    with pytest.raises(FormatError, match="no such file"):
        read_mpxj(tmp_path / "gone.xer")


# -- every real file ----------------------------------------------------------------------


@pytest.mark.mpxj
@_params(FILES)
def test_every_file_imports_and_schedules_or_fails_cleanly(jvm: None, path: Path) -> None:
    try:
        result = import_file(path)
    except FormatError as exc:
        assert str(path) in str(exc)  # names the file; never anything but a FormatError
        return
    plan, report = result.plan, result.report
    assert report.format == _expected_format(path)
    assert report == report_for(plan, report.format, report.warnings, report.ignored)
    result_schedule = schedule(plan)
    assert len(result_schedule.tasks) == len(plan.tasks)


@pytest.mark.mpxj
def test_nearly_every_file_is_read(jvm: None) -> None:
    if not FILES:
        pytest.skip(f"no real files under {DATA}")
    failed = []
    for path in FILES:
        try:
            read_mpxj(path)
        except FormatError as exc:
            failed.append(str(exc))
    # MPXJ itself cannot read a German .mpx whose duration units are localised
    assert len(failed) <= len(FILES) // 20, failed


# -- the MSPDI reader as oracle -----------------------------------------------------------


def _rates(plan: Plan) -> Plan:
    """Rates rounded to the cent: MPXJ converts per-week rates to per-hour with more digits."""
    resources = tuple(
        dataclasses.replace(
            r, standard_rate=round(r.standard_rate, 2), overtime_rate=round(r.overtime_rate, 2)
        )
        for r in plan.resources
    )
    return plan.replace(resources=resources)


@pytest.mark.mpxj
@_params(MSPDI_FILES)
def test_mpxj_and_the_mspdi_reader_read_the_same_plan(jvm: None, path: Path) -> None:
    with path.open("rb") as stream:
        ours = read_mspdi(stream, str(path))
    bridged = read_mpxj(path).plan
    (a, a_work), (b, b_work) = _contours_apart(_rates(bridged)), _contours_apart(_rates(ours))
    assert a.tasks == b.tasks
    assert _links(a) == _links(b)
    assert a.resources == b.resources
    assert collections.Counter(a.assignments) == collections.Counter(b.assignments)
    assert a_work.keys() == b_work.keys()
    for key, (calendar, periods) in b_work.items():
        _same_timephased_work(ours, calendar, a_work[key][1], periods, key)
    assert _calendars(a) == _calendars(b)
    assert a.baselines == b.baselines
    for key in ("start", "finish", "calendar", "minutes_per_day", "minutes_per_week",
                "days_per_month", "status_date", "critical_slack_limit"):  # fmt: skip
        assert getattr(a, key) == getattr(b, key), key


Contours = dict[tuple[Any, ...], tuple[str, tuple[WorkPeriod, ...]]]


def _contours_apart(plan: Plan) -> tuple[Plan, Contours]:
    """The plan without its timephased work, and that work by task / assignment with the
    calendar it is done on."""
    calendars = {r.uid: r.calendar or plan.calendar for r in plan.resources}
    work: Contours = {}
    for t in plan.tasks:
        if t.contour:
            work["task", t.uid] = (t.calendar or plan.calendar, t.contour)
    for x in plan.assignments:
        if x.contour:
            work["assignment", x.task, x.resource, x.uid] = (calendars[x.resource], x.contour)
    tasks = tuple(dataclasses.replace(t, contour=()) for t in plan.tasks)
    assignments = tuple(dataclasses.replace(x, contour=()) for x in plan.assignments)
    return plan.replace(tasks=tasks, assignments=assignments), work


def _same_timephased_work(
    plan: Plan,
    calendar: str,
    bridged: tuple[WorkPeriod, ...],
    ours: tuple[WorkPeriod, ...],
    key: tuple[Any, ...],
) -> None:
    """MPXJ keeps an MSPDI file's timephased rows except those without a value, which MS
    Project writes over non-working time (nights, lunch breaks, weekends): the bridge's
    periods are the MSPDI reader's in the same order, less such rows lying between two
    kept periods. Same total work, same span, same pauses (rows of 0 work in working time).
    """
    from jalon.engine.calendar import CalendarSet

    kept = set(bridged)
    left_out = [p for p in ours if p not in kept]
    assert [p for p in ours if p in kept] == list(bridged), key
    assert len(bridged) + len(left_out) == len(ours), key  # no period twice
    first, last = ours[0].start.date(), ours[-1].finish.date()
    hours = CalendarSet(plan.calendar_specs, [calendar], first, last).calendar(calendar)
    for p in left_out:
        assert p.work == 0, (key, p)
        assert hours.working_minutes(p.start, p.finish) == 0, (key, p)
        assert bridged[0].start < p.start and p.finish < bridged[-1].finish, (key, p)


def _calendars(plan: Plan) -> dict[str, Any]:
    """Calendars by name; the order of exceptions does not matter."""
    return {c.name: (dict(c.week), c.base, c.uid, set(c.exceptions)) for c in plan.calendars}


def _pairs() -> list[tuple[Path, Path]]:
    pairs = []
    for mpp in sorted((MSPROJECT / "mpxj" / "junit" / "data" / "generated").rglob("*.mpp")):
        m = re.fullmatch(r"(.*-project\d{4})-mpp\d+", mpp.stem)
        if m:
            xml = mpp.with_name(f"{m.group(1)}-mspdi.xml")
            if xml.is_file():
                pairs.append((mpp, xml))
    return pairs


PAIRS = _pairs()


@pytest.mark.mpxj
@pytest.mark.parametrize(
    ("mpp", "xml"),
    PAIRS or [pytest.param(None, None, marks=pytest.mark.skip(reason="no .mpp/.xml pairs"))],
    ids=[p[0].name for p in PAIRS] or ["no-data"],
)
def test_mpp_and_xml_saved_by_the_same_version_agree(jvm: None, mpp: Path, xml: Path) -> None:
    binary = read_mpxj(mpp).plan
    with xml.open("rb") as stream:
        text = read_mspdi(stream, str(xml))
    # what the older .mpp formats cannot hold is compared as they hold it
    assert _as_auto(binary.tasks) == _as_auto(text.tasks)
    assert _links(binary) == _links(text)
    old_format = mpp.stem.endswith("-mpp9")  # no cost resources before Project 2007

    def resources(plan: Plan) -> list[tuple[Any, ...]]:
        return [
            (r.uid, r.name, r.max_units, "material" if old_format and r.type.value == "cost"
             else r.type.value)
            for r in plan.resources
        ]  # fmt: skip

    assert resources(binary) == resources(text)
    # an .mpp keeps calendars MS Project leaves out of its XML (an unused resource calendar)
    ours, theirs = _calendars(binary), _calendars(text)
    assert set(theirs) <= set(ours)
    for name in theirs:
        assert ours[name][:2] == theirs[name][:2] and ours[name][3] == theirs[name][3], name


def _as_auto(tasks: tuple[Any, ...]) -> list[Any]:
    """A manually scheduled task as the .mpp formats before Project 2010 keep it: an
    automatic task that starts no earlier than its date."""
    from jalon.engine.model import Constraint, ConstraintType

    out = []
    for t in tasks:
        if t.manual:
            t = dataclasses.replace(
                t, manual=False, start=None, finish=None,
                constraint=Constraint(ConstraintType.SNET, t.start),
            )  # fmt: skip
        out.append(t)
    return out


def _links(plan: Plan) -> collections.Counter[Any]:
    """Links, a zero lag in any unit being no lag."""
    from jalon.engine.model import Lag

    return collections.Counter(
        dataclasses.replace(k, lag=Lag()) if k.lag.is_zero else k for k in plan.links
    )


@pytest.mark.mpxj
def test_new_product_mpp_matches_its_xml(jvm: None) -> None:
    if not NEW_PRODUCT.is_file():
        pytest.skip(f"{NEW_PRODUCT} not found")
    binary = read_mpxj(NEW_PRODUCT).plan
    with NEW_PRODUCT.with_suffix(".xml").open("rb") as stream:
        text = read_mspdi(stream, "New Product.xml")

    # the two files were saved apart: uids differ, names do not (the .xml keeps the
    # project summary as a task of its own)
    def by_name(plan: Plan) -> dict[str, tuple[int, str | None]]:
        names = {t.uid: t.name for t in plan.tasks}
        return {
            t.name: (t.duration, names.get(t.parent) if t.parent is not None else None)
            for t in plan.tasks
            if plan.is_summary(t.uid) is False
        }

    def links(plan: Plan) -> collections.Counter[tuple[str, str, str, float]]:
        names = {t.uid: t.name for t in plan.tasks}
        return collections.Counter(
            (names[k.predecessor], names[k.successor], k.type.value, k.lag.value)
            for k in plan.links
        )

    leaves_binary, leaves_text = by_name(binary), by_name(text)
    assert {n: d for n, (d, _) in leaves_binary.items()} == {
        n: d for n, (d, _) in leaves_text.items()
    }
    assert links(binary) == links(text)
    assert sorted(r.name for r in binary.resources) == sorted(r.name for r in text.resources)


# -- MS Project's own dates ---------------------------------------------------------------


def _agreement(paths: list[Path], *, day_only: bool) -> tuple[int, int]:
    same = total = 0
    for path in paths:
        try:
            result, stored = read_mpxj_with_dates(path)
        except FormatError:
            continue
        for st_task in schedule(result.plan).tasks:
            start, finish = stored.get(st_task.uid, (None, None))
            if start is None or finish is None:
                continue
            total += 1
            if day_only:
                same += (st_task.start.date(), st_task.finish.date()) == (
                    start.date(),
                    finish.date(),
                )
            else:
                same += (st_task.start, st_task.finish) == (start, finish)
    return same, total


@pytest.mark.mpxj
def test_scheduling_an_mpp_file_gives_ms_projects_dates(jvm: None) -> None:
    paths = [p for p in FILES if p.suffix == ".mpp"]
    if not paths:
        pytest.skip("no .mpp files")
    same, total = _agreement(paths, day_only=False)
    print(f".mpp: {same}/{total} task dates equal to MS Project's, to the minute")
    assert total > 0 and same / total >= 0.95


@pytest.mark.mpxj
def test_scheduling_an_mpx_file_gives_ms_projects_days(jvm: None) -> None:
    # MPX files keep dates without times of day
    paths = [p for p in FILES if p.suffix == ".mpx"]
    if not paths:
        pytest.skip("no .mpx files")
    same, total = _agreement(paths, day_only=True)
    print(f".mpx: {same}/{total} task start and finish days equal to MS Project's")
    assert total > 0 and same / total >= 0.95


def _edited_work_files() -> list[Path]:
    """MS Project files with work edited by hand (contoured assignments, split tasks)."""
    return [p for p in MSPDI_FILES if b"<WorkContour>8</WorkContour>" in p.read_bytes()]


EDITED_WORK_FILES = _edited_work_files()


@pytest.mark.mpxj
@_params(EDITED_WORK_FILES)
def test_split_and_hand_edited_work_read_by_mpxj_gives_ms_projects_dates(
    jvm: None, path: Path
) -> None:
    # the data hold no .mpp with splits or edited work: the bridge maps what MPXJ reads
    # from these MSPDI saves with the same code as an .mpp's (MPXJ's ResourceAssignment)
    result, stored = read_mpxj_with_dates(path)
    plan = result.plan
    edited = {t.uid for t in plan.tasks if t.contour} | {
        a.task for a in plan.assignments if a.contour
    }
    assert edited
    got = {t.uid: (t.start, t.finish) for t in schedule(plan).tasks}
    wrong = {
        uid: (got[uid], dates) for uid, dates in stored.items() if uid in got and got[uid] != dates
    }
    assert not wrong
    assert edited <= stored.keys()


@pytest.mark.mpxj
def test_split_and_edited_work_written_by_jalon_come_back_through_mpxj(
    jvm: None, tmp_path: Path
) -> None:
    from jalon.engine.model import Assignment, Resource, Task

    def at(day: int, hour: int) -> dt.datetime:
        return dt.datetime(2027, 1, day, hour)

    # 2 days of work, a pause of 1 working day (written with 0 minutes), 1 more day
    split = (
        WorkPeriod(at(4, 8), at(5, 17), 960),
        WorkPeriod(at(5, 17), at(6, 17), 0),
        WorkPeriod(at(6, 17), at(7, 17), 480),
    )
    plan = Plan(
        "Edited",
        at(4, 8),
        tasks=(Task(1, "Split", 1440, contour=split), Task(2, "Edited", 1440),
               Task(3, "Flat", 1440)),
        resources=(Resource(1, "Ann"), Resource(2, "Bob")),
        assignments=(Assignment(2, 1, contour=split), Assignment(3, 2)),
    )  # fmt: skip
    path = tmp_path / "edited.xml"
    with path.open("wb") as stream:
        write_mspdi(plan, schedule(plan), stream)
    back = read_mpxj(path).plan
    assert [t.contour for t in back.tasks] == [split, (), ()]
    assert {a.task: a.contour for a in back.assignments} == {2: split, 3: ()}
    finish = {t.uid: t.finish for t in schedule(back).tasks}
    assert finish == {1: at(7, 17), 2: at(7, 17), 3: at(6, 17)}


# -- bytes and paths, and files MPXJ writes -----------------------------------------------


@pytest.mark.mpxj
def test_reading_bytes_and_reading_the_path_agree(jvm: None) -> None:
    if not NEW_PRODUCT.is_file():
        pytest.skip(f"{NEW_PRODUCT} not found")
    from_bytes = import_bytes(NEW_PRODUCT.read_bytes(), str(NEW_PRODUCT))
    assert from_bytes.plan == read_mpxj(NEW_PRODUCT).plan
    assert from_bytes.report.format == "mpp"


def _written_by_mpxj(source: Path, target: Path, writer: str) -> None:
    import jpype

    package = mpxj_bridge._start("test", str(source))
    reader = jpype.JClass(f"{package}.reader.UniversalProjectReader")()
    project = reader.read(str(source))
    jpype.JClass(f"{package}.{writer}")().write(project, str(target))


@pytest.fixture(scope="module")
def mspdi_plan_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Plan]:
    from jalon.engine.model import Assignment, Link, LinkType, Resource, Task

    plan = Plan(
        name="Written",
        start=dt.datetime(2025, 3, 3, 8),
        tasks=(
            Task(1, "Phase", 0),
            Task(2, "Design", 2400, parent=1),
            Task(3, "Build", 4800, parent=1),
            Task(4, "Test", 1440, parent=1),
            Task(5, "Done", 0),
        ),
        links=(Link(2, 3), Link(3, 4, LinkType.SS), Link(4, 5)),
        resources=(Resource(1, "Alice", standard_rate=50.0), Resource(2, "Bob")),
        assignments=(Assignment(2, 1), Assignment(3, 2, units=0.5)),
    )
    path = tmp_path_factory.mktemp("mpxj") / "written.xml"
    with path.open("wb") as stream:
        write_mspdi(plan, schedule(plan), stream)
    return path, plan


@pytest.mark.mpxj
@pytest.mark.parametrize(
    ("writer", "suffix"),
    [
        ("primavera.PrimaveraXERFileWriter", ".xer"),
        ("primavera.PrimaveraPMFileWriter", ".pmxml"),
        ("mpx.MPXWriter", ".mpx"),
        ("planner.PlannerWriter", ".planner"),
    ],
)
def test_files_mpxj_writes_come_back(
    jvm: None, mspdi_plan_file: tuple[Path, Plan], tmp_path: Path, writer: str, suffix: str
) -> None:
    source, plan = mspdi_plan_file
    target = tmp_path / f"written{suffix}"
    _written_by_mpxj(source, target, writer)
    result = import_file(target)
    assert result.report.format == suffix[1:]
    names = [t.name for t in result.plan.tasks]
    for task in plan.tasks:
        assert task.name in names
    leaves = {t.name: t.duration for t in result.plan.tasks if not result.plan.is_summary(t.uid)}
    assert {t.name: t.duration for t in plan.tasks if not plan.is_summary(t.uid)} == {
        n: d for n, d in leaves.items() if n in {t.name for t in plan.tasks}
    }
    got = {r.name for r in result.plan.resources}
    assert {"Alice", "Bob"} <= got
    original = schedule(plan)
    back = schedule(result.plan)
    finish = {t.name: t.finish for t in back.tasks}
    assert finish["Done"] == next(t.finish for t in original.tasks if t.name == "Done")


# -- fuzzing the text formats MPXJ reads --------------------------------------------------

_SEED_NAMES = ["PredecessorCalendar.xer", "legacy/sample.mpx", "planner-resource.planner"]


def _seeds() -> list[tuple[str, bytes]]:
    base = MSPROJECT / "mpxj" / "junit" / "data"
    return [(n, (base / n).read_bytes()) for n in _SEED_NAMES if (base / n).is_file()]


@pytest.mark.mpxj
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    pick=st.integers(0, 10),
    edits=st.lists(
        st.tuples(st.integers(0, 100_000), st.binary(min_size=1, max_size=6)),
        min_size=1,
        max_size=5,
    ),
    cut=st.one_of(st.none(), st.integers(0, 100_000)),
)
def test_mutated_files_give_only_format_errors(
    jvm: None, pick: int, edits: list[tuple[int, bytes]], cut: int | None
) -> None:
    seeds = _seeds()
    if not seeds:
        pytest.skip("no seed files")
    name, seed = seeds[pick % len(seeds)]
    data = bytearray(seed)
    for position, chunk in edits:
        at = position % (len(data) + 1)
        data[at : at + len(chunk)] = chunk
    if cut is not None:
        del data[cut % (len(data) + 1) :]
    with contextlib.suppress(FormatError):
        import_bytes(bytes(data), Path(name).name, format=Path(name).suffix[1:])


@pytest.mark.mpxj
def test_a_truncated_mpp_is_a_clean_error(jvm: None) -> None:
    if not NEW_PRODUCT.is_file():
        pytest.skip(f"{NEW_PRODUCT} not found")
    data = NEW_PRODUCT.read_bytes()
    with pytest.raises(FormatError) as caught:
        import_bytes(data[: len(data) // 3], "cut.mpp")
    assert str(caught.value).startswith("cut.mpp: ")
    with pytest.raises(FormatError):
        import_bytes(io.BytesIO(b"not a project at all" * 50).getvalue(), "x.mpp", format="mpp")
