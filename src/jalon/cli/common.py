"""What every command shares: exit codes, one-line error reports, input checks, output.

Commands stay thin: they check their arguments with the helpers here, call the public
API inside :func:`reporting_errors`, and hand the result to :mod:`jalon.cli.render`.
"""

from __future__ import annotations

import datetime as dt
import errno
import io
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import typer

from jalon.engine.errors import FormatError, PlanError
from jalon.io import detect_format

EXIT_OK = 0
EXIT_INVALID = 1  # the plan is invalid (or Jalon failed on it)
EXIT_USAGE = 2  # bad arguments: missing file, unknown format, bad option value

DEBUG_ENV = "JALON_DEBUG"


class UsageError(Exception):
    """A bad argument found by a command itself (not by Typer): reported with exit 2."""


def debugging() -> bool:
    """``JALON_DEBUG=1`` lets errors escape with their traceback, for developers."""
    return os.environ.get(DEBUG_ENV, "").strip().lower() not in ("", "0", "false", "no")


def one_line(text: str) -> str:
    """Collapse a (possibly multi-line) message into one line."""
    return " ".join(text.split())


def error(message: str) -> None:
    """Print ``error: <message>`` on one line of stderr."""
    typer.echo(f"{typer.style('error:', fg='red', bold=True)} {one_line(message)}", err=True)


def warn(message: str) -> None:
    """Print ``warning: <message>`` on one line of stderr."""
    typer.echo(f"{typer.style('warning:', fg='yellow', bold=True)} {one_line(message)}", err=True)


def fail(message: str, code: int) -> NoReturn:
    error(message)
    raise typer.Exit(code)


def describe_plan_error(exc: PlanError, file: str | None) -> str:
    """``<file>[:<line>]: <what and where>`` for an error raised while reading or scheduling."""
    text = one_line(str(exc))
    if file is None:
        return text
    if isinstance(exc, FormatError):
        if text.startswith("<input>"):
            return file + text[len("<input>") :]
        if exc.path is not None:
            return text  # the reader already put the file (and line) first
    if text.startswith(f"{file}:"):
        return text
    return f"{file}: {text}"


def describe_os_error(exc: OSError) -> str:
    reason = exc.strerror or one_line(str(exc)) or type(exc).__name__
    if exc.filename is not None:
        return f"{os.fsdecode(exc.filename)}: {reason}"
    return reason


@contextmanager
def reporting_errors(file: str | None = None) -> Iterator[None]:
    """Turn every failure inside the block into one ``error:`` line and an exit code.

    :class:`PlanError` (a :class:`FormatError` included) -> exit 1; :class:`UsageError`
    and :class:`OSError` -> exit 2; anything else is a bug in Jalon -> exit 1 with a hint
    to rerun with ``JALON_DEBUG=1``, which re-raises instead of reporting.
    """
    try:
        yield
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except UsageError as exc:
        if debugging():
            raise
        fail(str(exc), EXIT_USAGE)
    except PlanError as exc:
        if debugging():
            raise
        fail(describe_plan_error(exc, file), EXIT_INVALID)
    except OSError as exc:
        if debugging() or exc.errno == errno.EPIPE:
            raise  # Typer exits quietly on a closed pipe (`jalon schedule x | head`)
        fail(describe_os_error(exc), EXIT_USAGE)
    except Exception as exc:
        if debugging():
            raise
        where = f"{file}: " if file else ""
        fail(
            f"{where}internal error: {type(exc).__name__}: {exc} "
            f"(rerun with {DEBUG_ENV}=1 for the traceback)",
            EXIT_INVALID,
        )


def check_input(path: Path, format: str | None = None) -> str:
    """Check that ``path`` is a readable file in a known format; return the format.

    Raises :class:`UsageError` (exit 2) for a missing file, a directory or an unknown
    format, so that exit 1 stays reserved for invalid plans.
    """
    if not path.exists():
        raise UsageError(f"{path}: no such file")
    if path.is_dir():
        raise UsageError(f"{path}: is a directory, not a plan file")
    return plan_format(path, format)


def plan_format(path: Path, format: str | None = None) -> str:
    """The plan format of ``path``: ``yaml``, ``json`` or ``mspdi``, as :mod:`jalon.io` names it."""
    try:
        return detect_format(path, format)
    except FormatError as exc:
        raise UsageError(one_line(str(exc))) from None


def parse_status_date(value: str | None) -> dt.datetime | None:
    """``YYYY-MM-DD`` or an ISO date and time (``YYYY-MM-DDTHH:MM[:SS]``).

    A date alone means the end of that working day, 17:00, as MS Project's status date
    does with the Standard calendar.
    """
    if value is None:
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            return dt.datetime.combine(dt.date.fromisoformat(text), dt.time(17, 0))
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"--status-date: '{value}' is not a date (use YYYY-MM-DD or YYYY-MM-DDTHH:MM)"
        ) from None
    if parsed.tzinfo is not None:
        raise UsageError(
            f"--status-date: '{value}' has a time zone; give the local date and time of the plan"
        )
    return parsed


def is_utf8(stream: object) -> bool:
    encoding = getattr(stream, "encoding", None) or ""
    return encoding.lower().replace("-", "").replace("_", "") == "utf8"


def tolerate_narrow_encodings() -> None:
    """On a console that is not UTF-8, print '?' for what it cannot show instead of failing."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and not is_utf8(stream):
            stream.reconfigure(errors="replace")


def write_output(data: str | bytes, out: Path | None) -> None:
    """Write to ``out``, or to stdout when ``out`` is None."""
    if out is not None:
        if isinstance(data, str):
            out.write_text(data, encoding="utf-8", newline="")
        else:
            out.write_bytes(data)
        return
    if isinstance(data, str):
        sys.stdout.write(data)
        sys.stdout.flush()
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
