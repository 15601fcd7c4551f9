"""The importer registry: telling formats apart from content and suffix, dispatching, and
turning every failure into one FormatError."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import BinaryIO

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jalon.engine.errors import FormatError
from jalon.engine.model import Link, Plan, Task
from jalon.io import importers
from jalon.io.importers import (
    IMPORT_FORMATS,
    detect_import_format,
    import_bytes,
    import_file,
    normalize_format,
    parser_for,
    register,
)
from jalon.io.plan_yaml import write_plan
from jalon.io.report import ImportResult, result_for

# formats read in Java (MPXJ): the fuzz tests keep to the others, which run in this process
JAVA_FORMATS = {"mpp", "xer", "pmxml", "gan", "mpx", "planner"}

# what each suffix of the shared data holds (the expected format of every real file)
SUFFIX_FORMATS = {
    ".mpp": "mpp",
    ".mpx": "mpx",
    ".xer": "xer",
    ".pmxml": "pmxml",
    ".planner": "planner",
    ".gan": "gan",
}


def small_plan() -> Plan:
    return Plan(
        name="Small",
        start=dt.datetime(2025, 3, 3, 8),
        tasks=(Task(1, "A", 960), Task(2, "B", 480), Task(3, "Done", 0)),
        links=(Link(1, 2), Link(2, 3)),
    )


def yaml_bytes() -> bytes:
    out = io.BytesIO()
    write_plan(small_plan(), out)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    return out.getvalue()


# -- detection --------------------------------------------------------------------------


def shared_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in SUFFIX_FORMATS)


def test_every_real_file_is_told_from_its_content(shared_data: Path) -> None:
    files = shared_files(shared_data)
    assert files, "no MPXJ-format files in the shared data"
    for path in files:
        data = path.read_bytes()
        # the suffix is hidden: the content alone must tell
        assert detect_import_format("upload.bin", data) == SUFFIX_FORMATS[path.suffix], path


def test_mspdi_and_pmxml_xml_files_are_told_apart(shared_data: Path) -> None:
    seen = set()
    for path in sorted((shared_data / "msproject").rglob("*.xml")):
        head = path.read_bytes()[:2000]
        expected = "pmxml" if b"APIBusinessObjects" in head else "mspdi"
        assert detect_import_format("upload.xml", path.read_bytes()) == expected, path
        seen.add(expected)
    assert seen == {"mspdi", "pmxml"}


def test_trello_exports_are_told_from_plan_json(shared_data: Path) -> None:
    boards = sorted((shared_data / "trello").rglob("*.json"))
    assert boards
    for path in boards:
        assert detect_import_format("board.json", path.read_bytes()) == "trello"
    assert detect_import_format("plan.json", b'{"project": {"name": "x"}, "tasks": []}') == "json"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "mpp"),
        (b"ERMHDR\t8.2.0\t2020-03-17", "xer"),
        (b"MPX,Microsoft Project for Windows,4.0,ANSI\n", "mpx"),
        (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", "ics"),
        (b'<?xml version="1.0"?>\n<Project xmlns="http://schemas.microsoft.com/project">', "mspdi"),
        (b"<?xml version='1.0'?><!-- x --><APIBusinessObjects xmlns='x'>", "pmxml"),
        (b'<project name="" mrproject-version="2">', "planner"),
        (b'<?xml version="1.0"?><project name="x" company="" view-date="2024-01-01">', "gan"),
        (b"Summary,Issue key,Issue id,Status\nA,P-1,1,Done\n", "jira"),
        (b"\xef\xbb\xbfIssue Type,Issue key,Summary\n", "jira"),
        (b'{"name": "b", "lists": [], "cards": []}', "trello"),
    ],
)
def test_content_decides_before_the_suffix(data: bytes, expected: str) -> None:
    assert detect_import_format("misnamed.csv", data) == expected


def test_an_xlsx_is_a_zip_with_an_xl_folder() -> None:
    assert detect_import_format("book.bin", xlsx_bytes()) == "xlsx"
    other = io.BytesIO()
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("word/document.xml", "<x/>")
    with pytest.raises(FormatError, match="cannot tell the format"):
        detect_import_format("doc.docx", other.getvalue())


def test_old_xls_workbooks_are_refused_with_advice() -> None:
    with pytest.raises(FormatError, match=r"save the sheet as \.xlsx"):
        detect_import_format("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(10))


def test_the_suffix_decides_for_plain_text() -> None:
    assert detect_import_format("tasks.csv", b"Name,Duration\nA,2d\n") == "csv"
    assert detect_import_format("plan.yml", b"# a comment\n") == "yaml"
    assert detect_import_format("tasks.tsv", b"Name\tDuration\n") == "csv"


def test_without_suffix_text_is_guessed() -> None:
    assert detect_import_format("plan", yaml_bytes()) == "yaml"
    assert detect_import_format("tasks", b"Name;Duration\nA;2j\n") == "csv"
    with pytest.raises(FormatError, match="empty"):
        detect_import_format("nothing", b"  \n")
    with pytest.raises(FormatError, match="--from"):
        detect_import_format("notes.md", b"just words\n")


# -- dispatching ------------------------------------------------------------------------


def test_format_names_and_aliases() -> None:
    assert normalize_format("XML") == "mspdi"
    assert normalize_format("excel") == "xlsx"
    assert normalize_format("Primavera") == "xer"
    assert normalize_format("jira-csv") == "jira"
    with pytest.raises(FormatError, match="unknown import format 'docx'"):
        normalize_format("docx", "f.docx")
    assert set(IMPORT_FORMATS) >= {"mspdi", "yaml", "json", "mpp", "xlsx", "csv"}


def test_a_yaml_plan_comes_back_with_its_report(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_bytes(yaml_bytes())
    result = import_file(path)
    assert result.report.format == "yaml"
    assert [t.name for t in result.plan.tasks] == ["A", "B", "Done"]
    assert (result.report.tasks, result.report.links, result.report.milestones) == (3, 2, 1)


def test_an_mspdi_file_goes_to_the_mspdi_reader(shared_data: Path) -> None:
    path = shared_data / "msproject" / "projectlibre" / "New Product.xml"
    result = import_file(path)
    assert result.report.format == "mspdi"
    from jalon.io.msproject_xml import read_mspdi

    with path.open("rb") as stream:
        assert result.plan == read_mspdi(stream, str(path))


def test_the_given_format_wins_over_detection(tmp_path: Path) -> None:
    path = tmp_path / "plan.txt"
    path.write_bytes(yaml_bytes())
    assert import_file(path, format="yml").report.format == "yaml"


def test_missing_files_and_folders(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="no such file"):
        import_file(tmp_path / "gone.csv")
    with pytest.raises(FormatError, match="folder"):
        import_file(tmp_path)


def test_register_adds_a_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importers, "_PARSERS", dict(importers._PARSERS))
    seen: list[str] = []

    def parse(stream: BinaryIO, name: str) -> ImportResult:
        seen.append(stream.read().decode())
        return result_for(small_plan(), "demo")

    register("demo", parse)
    assert parser_for("demo") is parse
    result = import_bytes(b"hello", "x.demo", format="demo")
    assert (seen, result.report.format) == (["hello"], "demo")


def test_a_parser_bug_still_comes_out_as_a_format_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importers, "_PARSERS", dict(importers._PARSERS))

    def broken(stream: BinaryIO, name: str) -> ImportResult:
        raise KeyError("boom")

    register("csv", broken)
    with pytest.raises(FormatError, match=r"x\.csv: unreadable csv file \(KeyError"):
        import_bytes(b"Name\nA\n", "x.csv")


def test_a_missing_parser_module_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importers, "_PARSERS", {})
    monkeypatch.setitem(importers._LAZY, "csv", "jalon.io.no_such_module:read")
    with pytest.raises(FormatError, match="cannot read csv files yet"):
        parser_for("csv")


# -- fuzzing: only FormatError may come out ---------------------------------------------

SEEDS = [
    b"ID,Name,Duration,Predecessors\n1,A,2d,\n2,B,3j,1FS+1d\n",
    b"N\xc2\xb0;Nom;Dur\xc3\xa9e;D\xc3\xa9but\n1;A;2j;03/03/2025\n",
    yaml_bytes(),
    b'{"project": {"name": "x", "start": "2025-01-06"}, "tasks": [{"name": "a"}]}',
    b'<?xml version="1.0"?><Project xmlns="http://schemas.microsoft.com/project"><Tasks/></Project>',
]


def _check(data: bytes, name: str) -> None:
    try:
        fmt = detect_import_format(name, data)
    except FormatError:
        return
    if fmt in JAVA_FORMATS:
        return  # read by MPXJ in Java: fuzzed in test_mpxj_bridge
    with contextlib.suppress(FormatError):
        import_bytes(data, name, format=fmt)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=600), name=st.sampled_from(["f.csv", "f.yaml", "f", "f.xml"]))
def test_random_bytes_give_only_format_errors(data: bytes, name: str) -> None:
    _check(data, name)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.sampled_from(SEEDS),
    edits=st.lists(st.tuples(st.integers(0, 10_000), st.binary(max_size=4)), max_size=6),
    name=st.sampled_from(["f.csv", "f.yaml", "f.json", "f.xml", "f"]),
)
def test_mutated_files_give_only_format_errors(
    seed: bytes, edits: list[tuple[int, bytes]], name: str
) -> None:
    data = bytearray(seed)
    for position, chunk in edits:
        at = position % (len(data) + 1)
        data[at : at + len(chunk)] = chunk
    _check(bytes(data), name)


# -- reader options ------------------------------------------------------------------------

TRELLO_BOARD = Path(__file__).parent / "data" / "trello" / "website-relaunch.json"


def test_options_go_to_the_formats_reader() -> None:
    plain = import_file(TRELLO_BOARD)
    everything = import_file(TRELLO_BOARD, options={"include_archived": True})
    assert len(everything.plan.tasks) == len(plain.plan.tasks) + 3
    jira = b"Summary,Issue key,Issue Type,Status,Created\nA,P-1,Task,To Do,2025.04.03\n"
    with pytest.raises(FormatError, match=r"2025\.04\.03"):
        import_bytes(jira, "export.csv")
    read = import_bytes(jira, "export.csv", options={"date_format": "%Y.%m.%d"})
    assert read.plan.start == dt.datetime(2025, 4, 3, 8, 0)
    assert importers.PARSER_OPTIONS["trello"] >= {"include_archived", "checklists"}


def test_an_option_of_another_format_is_an_error() -> None:
    with pytest.raises(
        FormatError, match=r"include_archived does not apply to jira files \(only to trello"
    ):
        import_bytes(
            b"Summary,Issue key,Issue Type,Status\nA,P-1,Task,To Do\n",
            "export.csv",
            options={"include_archived": True},
        )
    with pytest.raises(FormatError, match=r"colour does not apply to trello files \(to no format"):
        import_file(TRELLO_BOARD, options={"colour": "red"})
