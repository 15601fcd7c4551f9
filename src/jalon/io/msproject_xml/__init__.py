"""MS Project XML (MSPDI) files <-> engine data.

:func:`read_mspdi` turns a file saved by MS Project (2002 and later), ProjectLibre or MPXJ
into a :class:`~jalon.engine.model.Plan`; :func:`write_mspdi` writes a plan and its schedule
in MS Project 2010's dialect (``SaveVersion`` 14). :func:`read_mspdi_stored` returns the
dates MS Project computed and saved in the file: the oracle the scheduler is tested against.

Units in the file: durations are ISO 8601 (``PT8H0M0S``) in working time, or in calendar
time when their format is elapsed; lags, slacks and leveling delays are integers in tenths
of a minute; rates are per hour; ``CriticalSlackLimit`` is in days.
"""

from __future__ import annotations

import datetime as dt
from typing import BinaryIO

from jalon.engine.errors import FormatError, PlanError
from jalon.engine.model import Plan
from jalon.engine.results import Schedule
from jalon.io.msproject_xml._codes import NS
from jalon.io.msproject_xml._reader import StoredTask, parse, read_plan, read_stored
from jalon.io.msproject_xml._writer import write_document

__all__ = [
    "NS",
    "StoredTask",
    "read_mspdi",
    "read_mspdi_dates",
    "read_mspdi_stored",
    "write_mspdi",
]


def read_mspdi(stream: BinaryIO, name: str = "<input>") -> Plan:
    """Read an MSPDI document. Every problem comes out as a :class:`FormatError`."""
    try:
        return read_plan(parse(stream, name), name)
    except FormatError:
        raise
    except PlanError as exc:  # the plan's own validation: same message, plus the file
        raise FormatError(str(exc), path=name) from exc
    except Exception as exc:  # a safety net: the reader's checks should have named the problem
        raise FormatError(
            f"unreadable MS Project XML ({type(exc).__name__}: {exc})", path=name
        ) from exc


def read_mspdi_stored(stream: BinaryIO, name: str = "<input>") -> list[StoredTask]:
    """Every ``Task`` row in file order, project summary (UID 0) and null rows included."""
    try:
        return read_stored(parse(stream, name), name)
    except FormatError:
        raise
    except Exception as exc:
        raise FormatError(
            f"unreadable MS Project XML ({type(exc).__name__}: {exc})", path=name
        ) from exc


def read_mspdi_dates(
    stream: BinaryIO, name: str = "<input>"
) -> dict[int, tuple[dt.datetime | None, dt.datetime | None]]:
    """MS Project's stored Start and Finish per task UID (see :func:`read_mspdi_stored`)."""
    return {t.uid: (t.start, t.finish) for t in read_mspdi_stored(stream, name)}


def write_mspdi(plan: Plan, schedule: Schedule, stream: BinaryIO) -> None:
    """Write ``plan`` with the dates of ``schedule`` as an MSPDI document (UTF-8).

    Elements follow the schema's order, which MS Project enforces. Derived calendars used
    by tasks are written flattened, as base calendars, because MS Project only lets tasks
    use base calendars; public holidays become exceptions for the years the schedule spans.
    """
    stream.write(write_document(plan, schedule).encode("utf-8"))
