"""CSV task tables: delimiters, encodings, the header mapping, errors by line and column,
and the grammar of durations and predecessors shared with Excel."""

from __future__ import annotations

import contextlib
import datetime as dt
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jalon.engine.cpm import schedule
from jalon.engine.errors import FormatError
from jalon.engine.model import (
    Assignment,
    DurationUnit,
    Lag,
    LagKind,
    Link,
    LinkType,
    Plan,
    Resource,
    Task,
)
from jalon.io.csv_table import read_csv, sniff_delimiter, write_csv
from jalon.io.links import (
    CellValueError,
    Units,
    format_link,
    parse_duration,
    parse_predecessors,
)
from jalon.io.table_cells import header_key, parse_date, parse_resources
from jalon.io.task_table import EXPORT_HEADERS

START = dt.datetime(2025, 3, 3, 8)


def sample_plan() -> Plan:
    return Plan(
        name="Move",
        start=START,
        tasks=(
            Task(1, "Prepare", 0),
            Task(2, "Pack, label", 1440, parent=1),
            Task(3, "Book truck", 240, parent=1, duration_unit=DurationUnit.HOUR),
            Task(4, "Move day", 480),
            Task(5, "Unpack", 960),
            Task(6, "Wait for paint", 2880, elapsed=True),
            Task(7, "-Done-", 0),
        ),
        links=(
            Link(2, 4),
            Link(3, 4, LinkType.FF, Lag(-240, LagKind.WORK, DurationUnit.HOUR)),
            Link(4, 5, LinkType.FS, Lag(50, LagKind.PERCENT)),
            Link(4, 6, LinkType.SS, Lag(1440, LagKind.ELAPSED, DurationUnit.DAY)),
            Link(5, 7),
            Link(6, 7),
        ),
        resources=(Resource(1, "Zoë"), Resource(2, "Movers Inc")),
        assignments=(Assignment(2, 1), Assignment(4, 2, units=2.0), Assignment(5, 1, units=0.25)),
    )


def _links(plan: Plan) -> list[tuple[int, int, str, str]]:
    return [(k.predecessor, k.successor, k.type.value, k.lag.kind.value) for k in plan.links]


def export(plan: Plan, delimiter: str = ",") -> bytes:
    out = io.BytesIO()
    write_csv(plan, schedule(plan), out, delimiter=delimiter)
    return out.getvalue()


def read(data: bytes | str, name: str = "tasks.csv") -> object:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return read_csv(io.BytesIO(raw), name)


# -- writing and reading back ------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_a_written_table_reads_back_to_the_same_schedule(delimiter: str) -> None:
    plan = sample_plan()
    data = export(plan, delimiter)
    assert data.startswith(b"\xef\xbb\xbf")  # Excel shows 'Zoë' only with the BOM
    back = read_csv(io.BytesIO(data), "move.csv")
    assert back.report.format == "csv"
    assert back.plan.name == "move"
    assert [t.name for t in back.plan.tasks] == [t.name for t in plan.tasks]
    assert [t.parent for t in back.plan.tasks] == [t.parent for t in plan.tasks]
    assert sorted(_links(back.plan)) == sorted(_links(plan))
    assert {r.name for r in back.plan.resources} == {"Zoë", "Movers Inc"}
    first, second = schedule(plan), schedule(back.plan)
    assert [(t.start, t.finish) for t in second.tasks] == [(t.start, t.finish) for t in first.tasks]


def test_formula_like_cells_are_quoted_and_read_back() -> None:
    plan = sample_plan()
    text = export(plan).decode("utf-8-sig")
    assert ",'-Done-," in text
    back = read(text)
    assert back.plan.task(7).name == "-Done-"  # type: ignore[attr-defined]


def test_the_header_row_is_the_documented_one() -> None:
    text = export(sample_plan()).decode("utf-8-sig")
    assert text.splitlines()[0].split(",") == list(EXPORT_HEADERS)


# -- reading what people write -----------------------------------------------------------


def test_a_french_semicolon_file_in_windows_1252() -> None:
    text = (
        "N°;Nom;Durée;Début;Fin;Prédécesseurs;Ressources;% achevé\n"
        "1;Étude;3j;03/03/2025;;;Zoé[50%];100%\n"
        "2;Réalisation;2 sem;;;1FD+1j;Zoé;\n"
        "3;Recette;;10/03/2025;12/03/2025;2DD;;\n"
    )
    result = read(text.encode("cp1252"), "planning.csv")
    plan = result.plan  # type: ignore[attr-defined]
    report = result.report  # type: ignore[attr-defined]
    assert report.warnings[0].startswith("the file is not UTF-8")
    assert [t.name for t in plan.tasks] == ["Étude", "Réalisation", "Recette"]
    assert [t.duration for t in plan.tasks] == [3 * 480, 10 * 480, 3 * 480]
    assert plan.start == dt.datetime(2025, 3, 3, 8)  # day first under French headers
    assert plan.task(1).progress.percent_complete == 100
    assert plan.task(1).progress.actual_start == plan.start
    links = {(k.predecessor, k.successor): k for k in plan.links}
    assert links[(1, 2)].type is LinkType.FS and links[(1, 2)].lag.value == 480
    assert links[(2, 3)].type is LinkType.SS


@pytest.mark.parametrize(
    ("prefix", "encoding"), [(b"", "utf-8"), (b"\xef\xbb\xbf", "utf-8"), (b"", "utf-16")]
)
def test_utf8_with_or_without_bom_and_utf16(prefix: bytes, encoding: str) -> None:
    text = "Name,Duration\nÉtape,2d\n"
    result = read(prefix + text.encode(encoding))
    assert result.plan.tasks[0].name == "Étape"  # type: ignore[attr-defined]
    warnings = result.report.warnings  # type: ignore[attr-defined]
    assert not [w for w in warnings if "UTF-8" in w]


def test_a_missing_name_column_is_named() -> None:
    with pytest.raises(FormatError, match=r"no header row with a task name column \(Name"):
        read("Owner,Duration\nA,2d\n")


def test_a_missing_duration_column_is_named() -> None:
    with pytest.raises(FormatError, match=r"tasks\.csv:1: line 1: no 'Duration' column"):
        read("Name,Owner\nA,Bob\n")


def test_start_and_finish_give_the_duration() -> None:
    plan = read("Name,Start,Finish\nA,2025-03-03,2025-03-07\n").plan  # type: ignore[attr-defined]
    assert plan.tasks[0].duration == 5 * 480


def test_errors_are_listed_by_line_and_column() -> None:
    text = 'Name,Duration,Predecessors\nA,2d,\n"B\nwith a line break",x,1\nC,1d,7\n'
    with pytest.raises(FormatError) as caught:
        read(text, "bad.csv")
    message = str(caught.value)
    assert message.startswith("bad.csv:3: 2 problems")
    assert "line 3, column 2 (Duration): cannot read 'x' as a duration" in message
    assert "line 5, column 3 (Predecessors): no task has the ID or WBS '7'" in message


def test_a_task_without_duration_gets_one_day_and_a_warning() -> None:
    result = read("Name,Duration\nA,\nB,2d\n")
    assert result.plan.tasks[0].duration == 480  # type: ignore[attr-defined]
    assert "rows 2" in result.report.warnings[-1]  # type: ignore[attr-defined]


def test_unknown_columns_are_reported_as_ignored() -> None:
    result = read("Name,Duration,Colour\nA,1d,red\n")
    assert "column 'Colour'" in result.report.ignored  # type: ignore[attr-defined]


def test_a_nul_byte_or_an_empty_file() -> None:
    with pytest.raises(FormatError, match="NUL"):
        read(b"Name,Duration\nA\x00,1d\n")
    with pytest.raises(FormatError, match="empty"):
        read(b"\n\n")


def test_delimiter_sniffing_ignores_quoted_text() -> None:
    assert sniff_delimiter('"a;b;c",x,y\n') == ","
    assert sniff_delimiter("a;b,c;d\n") == ";"
    assert sniff_delimiter("a\tb\tc\n") == "\t"
    assert sniff_delimiter("single\n") == ","


# -- the shared grammar ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "minutes", "unit", "elapsed"),
    [
        ("5d", 2400, DurationUnit.DAY, False),
        ("5 jours", 2400, DurationUnit.DAY, False),
        ("5j", 2400, DurationUnit.DAY, False),
        ("2 sem", 4800, DurationUnit.WEEK, False),
        ("2w", 4800, DurationUnit.WEEK, False),
        ("1,5j", 720, DurationUnit.DAY, False),
        ("4h?", 240, DurationUnit.HOUR, False),
        ("30 min", 30, DurationUnit.MINUTE, False),
        ("1 mois", 9600, DurationUnit.MONTH, False),
        ("3ed", 4320, DurationUnit.DAY, True),
        ("7", 3360, DurationUnit.DAY, False),
    ],
)
def test_durations(text: str, minutes: int, unit: DurationUnit, elapsed: bool) -> None:
    assert parse_duration(text) == (minutes, unit, elapsed)


@pytest.mark.parametrize("text", ["", "five", "-2d", "2 parsecs", "1e999d"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(CellValueError):
        parse_duration(text)


def test_predecessor_lists_in_english_and_french() -> None:
    def read_links(text: str) -> list[tuple[str, LinkType, float, LagKind]]:
        return [(k.ref, k.type, k.lag.value, k.lag.kind) for k in parse_predecessors(text)]

    assert read_links("3FS+2d") == [("3", LinkType.FS, 960, LagKind.WORK)]
    assert read_links("3FD+2j") == [("3", LinkType.FS, 960, LagKind.WORK)]
    assert read_links("3DD") == [("3", LinkType.SS, 0, LagKind.WORK)]
    assert read_links("3DF-1j") == [("3", LinkType.SF, -480, LagKind.WORK)]
    both = [("2", LinkType.FS, 0, LagKind.WORK), ("3", LinkType.FS, 0, LagKind.WORK)]
    assert read_links("2;3") == both
    assert read_links("2,3") == read_links("2;3")
    assert read_links("3FS+1,5j") == [("3", LinkType.FS, 720, LagKind.WORK)]
    assert read_links("4FD+1,5j;5") == [
        ("4", LinkType.FS, 720, LagKind.WORK),
        ("5", LinkType.FS, 0, LagKind.WORK),
    ]
    assert read_links("1.2.3FF") == [("1.2.3", LinkType.FF, 0, LagKind.WORK)]
    assert read_links("5FS+50%") == [("5", LinkType.FS, 50, LagKind.PERCENT)]
    assert read_links("5SS+2ed") == [("5", LinkType.SS, 2880, LagKind.ELAPSED)]
    with pytest.raises(CellValueError, match="cannot read the predecessor"):
        parse_predecessors("3XY")


@pytest.mark.parametrize(
    "link",
    [
        Link(1, 2),
        Link(1, 2, LinkType.SS),
        Link(1, 2, LinkType.FF, Lag(-720, LagKind.WORK, DurationUnit.DAY)),
        Link(1, 2, LinkType.FS, Lag(50, LagKind.PERCENT)),
        Link(1, 2, LinkType.SF, Lag(2880, LagKind.ELAPSED, DurationUnit.DAY)),
        Link(1, 2, LinkType.FS, Lag(90, LagKind.WORK, DurationUnit.HOUR)),
    ],
)
def test_links_written_are_read_back(link: Link) -> None:
    units = Units()
    (back,) = parse_predecessors(format_link("7", link, units), units)
    assert (back.ref, back.type, back.lag) == ("7", link.type, link.lag)


def test_headers_dates_and_resources() -> None:
    assert header_key("Durée (jours)") == "duration"
    assert header_key("Nom de la tâche") == "name"
    assert header_key("  Prédécesseurs ") == "predecessors"
    assert header_key("% achevé") == "percent"
    assert header_key("N°") == "id"
    assert header_key("Colour") is None
    assert parse_date("04/03/2025", day_first=True)[0] == dt.datetime(2025, 3, 4)
    assert parse_date("04/03/2025", day_first=False)[0] == dt.datetime(2025, 4, 3)
    assert parse_date("25/03/2025", day_first=False)[0] == dt.datetime(2025, 3, 25)
    assert parse_date("lun 03/03/25 08:00", day_first=True) == (dt.datetime(2025, 3, 3, 8), True)
    assert parse_date("2025-03-03T09:30", day_first=False) == (dt.datetime(2025, 3, 3, 9, 30), True)
    assert parse_resources("Alice[50%]; Bob, Carol[2]") == [
        ("Alice", 0.5),
        ("Bob", 1.0),
        ("Carol", 2.0),
    ]
    with pytest.raises(CellValueError):
        parse_resources("Alice[lots]")


# -- fuzzing: only FormatError may come out ----------------------------------------------

_SEED = export(sample_plan())
_FRENCH = "N°;Nom;Durée;Début;Prédécesseurs;Ressources\n1;A;2j;03/03/2025;;Zoé\n2;B;1j;;1FD+1j;\n"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_random_text_gives_only_format_errors(text: str) -> None:
    with contextlib.suppress(FormatError):
        result = read(text)
        schedule(result.plan)  # type: ignore[attr-defined]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.sampled_from([_SEED, _FRENCH.encode("utf-8"), _FRENCH.encode("cp1252")]),
    edits=st.lists(st.tuples(st.integers(0, 3000), st.binary(min_size=1, max_size=5)), max_size=6),
    cut=st.one_of(st.none(), st.integers(0, 3000)),
)
def test_mutated_files_give_only_format_errors(
    seed: bytes, edits: list[tuple[int, bytes]], cut: int | None
) -> None:
    data = bytearray(seed)
    for position, chunk in edits:
        at = position % (len(data) + 1)
        data[at : at + len(chunk)] = chunk
    if cut is not None:
        del data[cut % (len(data) + 1) :]
    with contextlib.suppress(FormatError):
        result = read(bytes(data))
        schedule(result.plan)  # type: ignore[attr-defined]
