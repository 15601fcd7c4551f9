"""Which importer reads a file, and reading it: :func:`import_file`.

The format is told from the content first (magic numbers, the XML root element, the
first line of a text file), then from the suffix. Each format has one parser,
``parser(stream, name) -> ImportResult``, that raises nothing but
:class:`~jalon.engine.errors.FormatError`. Parsers are imported on first use so that
reading a CSV file does not load Java, openpyxl or lxml.

Adding a format: one line in ``_LAZY`` (``"format": "module:function"``) or
``register("format", parser)`` at run time.
"""

from __future__ import annotations

import functools
import importlib
import io
import os
import re
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from jalon.engine.cpm import compile_network
from jalon.engine.errors import FormatError, PlanError
from jalon.io.report import ImportResult, result_for

Parser = Callable[[BinaryIO, str], ImportResult]

# format -> "module:function"; the function is a Parser
_LAZY: dict[str, str] = {
    "mspdi": "jalon.io.importers:read_mspdi_result",
    "yaml": "jalon.io.importers:read_yaml_result",
    "json": "jalon.io.importers:read_json_result",
    "mpp": "jalon.io.mpxj_bridge:import_mpxj",
    "xer": "jalon.io.mpxj_bridge:import_mpxj",
    "pmxml": "jalon.io.mpxj_bridge:import_mpxj",
    "gan": "jalon.io.mpxj_bridge:import_mpxj",
    "mpx": "jalon.io.mpxj_bridge:import_mpxj",
    "planner": "jalon.io.mpxj_bridge:import_mpxj",
    "xlsx": "jalon.io.excel:import_xlsx",
    "csv": "jalon.io.csv_table:import_csv",
    "jira": "jalon.io.jira_csv:import_jira_csv",
    "trello": "jalon.io.trello_json:import_trello_json",
    "ics": "jalon.io.ical:import_ics",
}
_PARSERS: dict[str, Parser] = {}

# the readers that take options (keyword arguments), and the options each takes
_WITH_OPTIONS: dict[str, tuple[str, frozenset[str]]] = {
    "jira": (
        "jalon.io.jira_csv:read_jira_csv",
        frozenset({"date_format", "start", "days_per_point", "default_days"}),
    ),
    "trello": (
        "jalon.io.trello_json:read_trello_json",
        frozenset({"include_archived", "checklists", "default_days"}),
    ),
}
PARSER_OPTIONS = {fmt: names for fmt, (_, names) in _WITH_OPTIONS.items()}

IMPORT_FORMATS = tuple(_LAZY)

_ALIASES = {
    "xml": "mspdi",
    "msproject": "mspdi",
    "ms-project-xml": "mspdi",
    "yml": "yaml",
    "excel": "xlsx",
    "xlsm": "xlsx",
    "mpt": "mpp",
    "primavera": "xer",
    "p6": "xer",
    "p6xml": "pmxml",
    "ganttproject": "gan",
    "gnome-planner": "planner",
    "jira-csv": "jira",
    "jira_csv": "jira",
    "trello-json": "trello",
    "trello_json": "trello",
    "ical": "ics",
    "icalendar": "ics",
}

_SUFFIXES = {
    ".xml": "mspdi",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".json": "json",
    ".mpp": "mpp",
    ".mpt": "mpp",
    ".xer": "xer",
    ".pmxml": "pmxml",
    ".gan": "gan",
    ".mpx": "mpx",
    ".planner": "planner",
    ".mrproject": "planner",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".csv": "csv",
    ".tsv": "csv",
    ".ics": "ics",
    ".ical": "ics",
}

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
_ROOT_RE = re.compile(rb"<([A-Za-z_][\w.:-]*)([^>]*)>")
_SKIP_RE = re.compile(rb"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>)", re.S)
_YAML_RE = re.compile(r"^(?:project|tasks|calendars|resources|name|start)\s*:", re.M)
_JIRA_KEYS = ("issue key", "issue id", "clé de ticket", "id de ticket")
_JIRA_SUMMARY = ("summary", "résumé")


def register(format: str, parser: Parser) -> None:
    """Make ``parser`` the reader of ``format`` (a new one, or replacing a built-in one)."""
    _PARSERS[format] = parser


def normalize_format(format: str, path: str = "<input>") -> str:
    fmt = format.strip().lower()
    fmt = _ALIASES.get(fmt, fmt)
    if fmt not in _LAZY and fmt not in _PARSERS:
        known = ", ".join(sorted({*_LAZY, *_PARSERS}))
        raise FormatError(f"unknown import format '{format}' (use one of: {known})", path=path)
    return fmt


def parser_for(format: str, path: str = "<input>") -> Parser:
    fmt = normalize_format(format, path)
    got = _PARSERS.get(fmt)
    if got is not None:
        return got
    module_name, _, func = _LAZY[fmt].partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        raise FormatError(f"this version of Jalon cannot read {fmt} files yet", path=path) from None
    parser: Parser = getattr(module, func)
    _PARSERS[fmt] = parser
    return parser


def _xml_root(head: bytes) -> tuple[str, bytes] | None:
    pos = 0
    while True:
        m = _SKIP_RE.match(head, pos)
        if not m or m.end() == pos:
            break
        pos = m.end()
    m = _ROOT_RE.search(head, pos)
    if m is None or head[pos : m.start()].strip():
        return None
    return m.group(1).decode("ascii", "replace"), m.group(2)


def _text_head(data: bytes) -> bytes:
    """The first bytes as 8-bit text: UTF-16 files are narrowed, BOMs dropped."""
    head = data[:65536]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        codec = "utf-16-le" if head.startswith(b"\xff\xfe") else "utf-16-be"
        text = head[2:].decode(codec, "replace")
        return text.encode("utf-8", "replace")
    return head.removeprefix(b"\xef\xbb\xbf")


def _from_content(data: bytes, suffix: str, name: str) -> str | None:
    if data.startswith(_OLE2):
        if suffix == ".xls":
            raise FormatError(
                "old Excel .xls workbooks are not read: save the sheet as .xlsx", path=name
            )
        return "mpp"
    if data.startswith(_ZIP):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
            return "xlsx" if suffix in (".xlsx", ".xlsm") else None
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
        return None
    head = _text_head(data)
    stripped = head.lstrip()
    if stripped.startswith(b"ERMHDR"):
        return "xer"
    if stripped[:3] == b"MPX" and stripped[3:4] in (b",", b";", b"\t"):  # any list separator
        return "mpx"
    if stripped[:15].upper() == b"BEGIN:VCALENDAR":
        return "ics"
    if stripped.startswith(b"<"):
        root = _xml_root(stripped)
        if root is None:
            return None
        tag, attrs = root
        local = tag.rpartition(":")[2]
        if local == "APIBusinessObjects":
            return "pmxml"
        if local == "Project" and b"schemas.microsoft.com/project" in attrs:
            return "mspdi"
        if local == "project":
            if b"mrproject-version" in attrs:
                return "planner"
            return "gan"
        return None
    if stripped.startswith((b"{", b"[")):
        # a board's "actions" (up to 1,000) come before its cards and lists: look further
        body = head if len(data) <= len(head) else data
        if re.search(rb'"cards"\s*:', body) and re.search(rb'"lists"\s*:', body):
            return "trello"
        return "json" if stripped.startswith(b"{") else None
    first = stripped.split(b"\n", 1)[0].decode("utf-8", "replace").lower()
    if any(k in first for k in _JIRA_KEYS) and any(k in first for k in _JIRA_SUMMARY):
        return "jira"
    return None


def detect_import_format(path: str | os.PathLike[str], data: bytes) -> str:
    """The format of a file: from its content first, then its suffix."""
    name = str(path)
    suffix = Path(name).suffix.lower()
    found = _from_content(data, suffix, name)
    if found is not None:
        return found
    if suffix in _SUFFIXES:
        return _SUFFIXES[suffix]
    text = _text_head(data).decode("utf-8", "replace")
    if _YAML_RE.search(text):
        return "yaml"
    first = text.lstrip().split("\n", 1)[0]
    if suffix in (".txt", "") and any(d in first for d in ",;\t"):
        return "csv"
    if not data.strip():
        raise FormatError("the file is empty", path=name)
    raise FormatError(
        "cannot tell the format of this file from its content or its suffix "
        f"(give one with --from: {', '.join(IMPORT_FORMATS)})",
        path=name,
    )


def import_bytes(
    data: bytes,
    name: str,
    *,
    format: str | None = None,
    options: Mapping[str, Any] | None = None,
) -> ImportResult:
    """Read ``data`` (the content of the file ``name``) into a plan and its report.

    ``options``: keyword arguments of the format's reader (:data:`PARSER_OPTIONS`: Jira's
    ``date_format``, Trello's ``include_archived``, ...); an option the format's reader
    does not take is an error.
    """
    fmt = normalize_format(format, name) if format else detect_import_format(name, data)
    parser = _with_options(fmt, name, options) if options else parser_for(fmt, name)
    try:
        result = parser(io.BytesIO(data), name)
        # links that loop (a file edited by hand, a tool that does not check): refused here,
        # naming the tasks, rather than a project that cannot be scheduled
        compile_network(result.plan)
        return result
    except FormatError:
        raise
    except PlanError as exc:  # the plan's own validation: same message, plus the file
        raise FormatError(str(exc), path=name) from exc
    except RecursionError:
        raise FormatError(f"unreadable {fmt} file: nested too deeply", path=name) from None
    except Exception as exc:  # a safety net: each parser names the problems it knows
        raise FormatError(
            f"unreadable {fmt} file ({type(exc).__name__}: {exc})", path=name
        ) from exc


def _with_options(fmt: str, name: str, options: Mapping[str, Any]) -> Parser:
    """The reader of ``fmt`` with ``options`` given to it."""
    target, known = _WITH_OPTIONS.get(fmt, ("", frozenset()))
    unknown = sorted(set(options) - known)
    if unknown:
        takes = [f for f, (_, names) in _WITH_OPTIONS.items() if unknown[0] in names]
        where = f"only to {' and '.join(takes)} files" if takes else "to no format"
        raise FormatError(
            f"the option {unknown[0]} does not apply to {fmt} files ({where})", path=name
        )
    module, function = target.split(":")
    reader = getattr(importlib.import_module(module), function)
    return functools.partial(reader, **options)


def import_file(
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    options: Mapping[str, Any] | None = None,
) -> ImportResult:
    """Read any file Jalon imports: the format is detected unless ``format`` is given;
    ``options`` go to the format's reader (see :func:`import_bytes`)."""
    name = str(path)
    p = Path(path)
    if p.is_dir():
        raise FormatError("is a folder, not a file", path=name)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise FormatError("no such file", path=name) from None
    except OSError as exc:
        raise FormatError(f"cannot read the file ({exc.strerror or exc})", path=name) from None
    return import_bytes(data, name, format=format, options=options)


# -- Jalon's own formats --------------------------------------------------------------


def read_mspdi_result(stream: BinaryIO, name: str) -> ImportResult:
    from jalon.io.msproject_xml import read_mspdi

    data = stream.read()
    plan = read_mspdi(io.BytesIO(data), name)
    # what the reader leaves out, counted in the text (UTF-8 files without a namespace
    # prefix, as MS Project writes them; a cheap count, not a second parse)
    ignored = []
    cross = data.count(b"<CrossProject>1</CrossProject>")
    if cross:
        ignored.append(f"{cross} link{'s' * (cross > 1)} to tasks of other projects")
    fields = data.count(b"<FieldName>") if b"<ExtendedAttributes>" in data else 0
    if fields:
        ignored.append(f"{fields} custom field{'s' * (fields > 1)} (extended attributes)")
    codes = data.count(b"<OutlineCode>") if b"<OutlineCodes>" in data else 0
    if codes:
        ignored.append("outline codes")
    return result_for(plan, "mspdi", (), ignored)


def read_yaml_result(stream: BinaryIO, name: str) -> ImportResult:
    from jalon.io.plan_yaml import read_plan

    return result_for(read_plan(stream, name, format="yaml"), "yaml")


def read_json_result(stream: BinaryIO, name: str) -> ImportResult:
    from jalon.io.plan_yaml import read_plan

    return result_for(read_plan(stream, name, format="json"), "json")


__all__ = [
    "IMPORT_FORMATS",
    "PARSER_OPTIONS",
    "Parser",
    "detect_import_format",
    "import_bytes",
    "import_file",
    "normalize_format",
    "parser_for",
    "register",
]
