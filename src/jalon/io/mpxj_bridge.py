"""Files MPXJ reads -> engine data: MS Project .mpp/.mpt/.mpx, Primavera P6 .xer and PMXML,
GanttProject .gan, GNOME Planner (and whatever else MPXJ's UniversalProjectReader knows).

MPXJ is a Java library: this module needs Java 11+ and the optional extra
``jalon[mpxj]`` (the ``mpxj`` package, which carries the jars, and ``JPype1``). One JVM
per process, started on the first read and kept for the life of the process (JPype
cannot restart it). Without Java or the extra, reading raises a :class:`FormatError`
that says what to install.

Every Java value is turned into plain Python at the boundary; what the engine does not
model (work weeks, secondary constraints, Primavera's level-of-effort activities ...) is
listed in the report's ``ignored`` or ``warnings``.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import threading
from pathlib import Path
from typing import Any, BinaryIO

from jalon.engine.errors import FormatError, PlanError
from jalon.io.mpxj_mapping import Mapper
from jalon.io.report import ImportResult, result_for

INSTALL_HINT = "needs Java 11+ and `pip install jalon[mpxj]` (mpxj, JPype1)"

# Log4j (used by MPXJ's dependencies) prints an error to stderr when it has no provider.
# Reading a file is short work: the client compiler alone (C1) and one garbage-collector
# thread halve the CPU time of a process's first read (a 4,000-activity .xer: 2.6 s
# instead of 5.1 s, JVM start included) and leave later reads as fast.
_JVM_ARGS = (
    "-Dlog4j2.loggerContextFactory=org.apache.logging.log4j.simple.SimpleLoggerContextFactory",
    "-Djava.awt.headless=true",
    "-XX:TieredStopAtLevel=1",
    "-XX:+UseSerialGC",
)
_lock = threading.Lock()
_packages: list[str] = []  # the MPXJ package found: "org.mpxj" (16+) or "net.sf.mpxj"


def _java_missing() -> str | None:
    """Why MPXJ cannot run here, or None when it can (the JVM may not be started yet)."""
    try:
        import jpype
    except ImportError:
        return "JPype1 is not installed"
    if jpype.isJVMStarted():
        return None
    try:
        import mpxj  # noqa: F401  (puts the MPXJ jars on JPype's class path)
    except ImportError:
        return "the mpxj package is not installed"
    java_home = os.environ.get("JAVA_HOME")
    if shutil.which("java") is None and not (java_home and Path(java_home).is_dir()):
        return "Java is not installed"
    return None


def mpxj_available() -> bool:
    """True when Java, JPype and MPXJ are all there (for tests and the UI)."""
    return _java_missing() is None


def _start(what: str, name: str) -> str:
    """Start the JVM once per process; return the MPXJ package name."""
    with _lock:
        if _packages:
            return _packages[0]
        reason = _java_missing()
        if reason is not None:
            raise FormatError(f"reading {what} files {INSTALL_HINT}: {reason}", path=name)
        import jpype

        if not jpype.isJVMStarted():
            try:
                # Java strings come back as str: one call less per text field
                jpype.startJVM(*_JVM_ARGS, convertStrings=True)
            except Exception as exc:  # no usable JVM: JPype raises its own exception types
                raise FormatError(
                    f"reading {what} files {INSTALL_HINT}: cannot start Java ({exc})", path=name
                ) from None
        for package in ("org.mpxj", "net.sf.mpxj"):
            try:
                jpype.JClass(f"{package}.reader.UniversalProjectReader")
            except Exception:  # not this package name: try the older one
                continue
            _packages.append(package)
            return package
        raise FormatError(
            f"reading {what} files {INSTALL_HINT}: Java runs but the MPXJ classes are not on "
            "its class path (import mpxj before anything starts the JVM)",
            path=name,
        )


def _what(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return suffix if suffix else "project"


def _read_projects(source: Any, name: str) -> tuple[Any, int]:
    """Read with MPXJ: the first project in the file and how many the file holds."""
    import jpype

    package = _start(_what(name), name)
    reader = jpype.JClass(f"{package}.reader.UniversalProjectReader")()
    try:
        projects = reader.readAll(source)
    except jpype.JException as exc:
        raise FormatError(f"MPXJ cannot read this file: {_java_message(exc)}", path=name) from None
    if projects is None or projects.isEmpty():
        raise FormatError(
            "not a project file MPXJ recognises (MS Project, Primavera, GanttProject, Planner, "
            "MPX ...)",
            path=name,
        )
    return projects.get(0), int(projects.size())


def _java_message(exc: Any) -> str:
    """The innermost Java message: MPXJ wraps the cause in 'Error reading file'."""
    messages = []
    current = exc
    depth = 0
    while current is not None and depth < 10:
        text = current.getMessage()
        if text is not None:
            messages.append(str(text))
        current = current.getCause()
        depth += 1
    useful = [m for m in messages if m and not m.startswith(("org.", "net.sf.", "java."))]
    return "; ".join(dict.fromkeys(useful or messages or [type(exc).__name__]))


def read_mpxj(path: str | os.PathLike[str]) -> ImportResult:
    """Read any file MPXJ knows into a plan and its import report."""
    return _read_path(path)[0]


def read_mpxj_with_dates(
    path: str | os.PathLike[str],
) -> tuple[ImportResult, dict[int, tuple[dt.datetime | None, dt.datetime | None]]]:
    """:func:`read_mpxj` plus the start and finish stored in the file for each task uid
    (the dates MS Project or Primavera computed: an oracle for the scheduler)."""
    return _read_path(path)


def _read_path(
    path: str | os.PathLike[str],
) -> tuple[ImportResult, dict[int, tuple[dt.datetime | None, dt.datetime | None]]]:
    name = str(path)
    p = Path(path)
    if not p.exists():
        raise FormatError("no such file", path=name)
    if p.is_file() and p.stat().st_size == 0:
        raise FormatError("the file is empty", path=name)
    project, count = _read_projects(str(p), name)
    return _convert(project, count, name)


def import_mpxj(stream: BinaryIO, name: str = "<input>") -> ImportResult:
    """The importer registry's entry: read the bytes of a file MPXJ knows."""
    data = stream.read()
    if not data:
        raise FormatError("the file is empty", path=name)
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"ERMHDR") and not data.rstrip().endswith(
        b"%E"
    ):  # MPXJ reads a cut .xer up to where it stops, which would import part of a project
        raise FormatError(
            "the Primavera .xer file is cut short: it does not end with its end marker (%E)",
            path=name,
        )
    _start(_what(name), name)
    import jpype

    java_bytes = jpype.JArray(jpype.JByte)(data)
    source = jpype.JClass("java.io.ByteArrayInputStream")(java_bytes)
    project, count = _read_projects(source, name)
    return _convert(project, count, name)[0]


def _convert(
    project: Any, count: int, name: str
) -> tuple[ImportResult, dict[int, tuple[dt.datetime | None, dt.datetime | None]]]:
    mapper = Mapper(project, name)
    if count > 1:
        mapper.warn(f"the file holds {count} projects: only the first one is imported")
    try:
        plan = mapper.plan()
    except FormatError:
        raise
    except PlanError as exc:
        raise FormatError(str(exc), path=name) from exc
    except Exception as exc:  # a Java exception while walking the project, or a bad value
        import jpype

        if isinstance(exc, jpype.JException):
            raise FormatError(
                f"MPXJ failed on this file: {_java_message(exc)}", path=name
            ) from None
        raise
    result = result_for(plan, mapper.format, mapper.warnings, mapper.ignored)
    return result, mapper.stored


__all__ = [
    "INSTALL_HINT",
    "import_mpxj",
    "mpxj_available",
    "read_mpxj",
    "read_mpxj_with_dates",
]
