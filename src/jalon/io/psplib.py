"""PSPLIB single-mode RCPSP instances (``.sm``) and their solution tables.

PSPLIB (Kolisch & Sprecher, 1996) is the standard benchmark of resource-constrained
project scheduling. An ``.sm`` file lists jobs ``1 .. N`` (1 and N are dummies of zero
duration), their finish-to-start successors, one duration and one demand per renewable
resource per job, and each resource's capacity.

* :func:`read_psplib` gives the solver's :class:`~jalon.engine.leveling.rcpsp.Rcpsp`
  (task ``k`` is job ``k + 1``).
* :func:`read_psplib_plan` gives a :class:`~jalon.engine.model.Plan`: one task per job
  (uid = job number, ``Job <k>``), one period = one working day of 480 minutes on the
  Standard calendar, starting Monday 2024-01-01 08:00; resources ``R1 .. R4`` with
  ``max_units`` = capacity (1.0 = one unit) and one assignment per positive demand.
* :func:`read_solutions` reads ``j30opt.sm`` (proven optima), ``jXXhrs.sm`` (best-known
  makespans) and ``jXXlb.sm`` (upper and lower bounds; ``*`` marks proven optima).

Errors are :class:`~jalon.engine.errors.FormatError`, naming the file and the line.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import IO

from jalon.engine.errors import FormatError, PlanError
from jalon.engine.leveling.rcpsp import Rcpsp
from jalon.engine.model import (
    Assignment,
    DurationUnit,
    Link,
    Plan,
    Resource,
    Task,
    standard_calendar,
)

#: The start of a plan read from PSPLIB: a Monday, at the Standard calendar's 08:00.
PLAN_START = dt.datetime(2024, 1, 1, 8, 0)
MINUTES_PER_PERIOD = 480


@dataclass(frozen=True)
class PsplibInstance:
    """The raw content of an ``.sm`` file (jobs numbered from 1)."""

    name: str
    durations: tuple[int, ...]
    successors: tuple[tuple[int, ...], ...]  # job numbers
    demands: tuple[tuple[int, ...], ...]
    capacities: tuple[int, ...]
    horizon: int | None


def _text(stream: IO[bytes] | IO[str]) -> str:
    data = stream.read()
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")  # j120lb.sm, for one


def _ints(line: str, name: str, lineno: int, what: str) -> list[int]:
    try:
        return [int(x) for x in line.split()]
    except ValueError:
        raise FormatError(
            f"expected whole numbers in {what}: {line.strip()!r}", path=name, line=lineno
        ) from None


def _first_int(text: str, name: str, lineno: int, what: str) -> int:
    words = text.split()
    if not words:
        raise FormatError(f"expected a whole number for {what}", path=name, line=lineno)
    return _ints(words[0], name, lineno, what)[0]


def parse_psplib(stream: IO[bytes] | IO[str], name: str = "<input>") -> PsplibInstance:
    """Parse an ``.sm`` file; see :func:`read_psplib` for the solver's problem."""
    lines = _text(stream).splitlines()
    n_jobs: int | None = None
    horizon: int | None = None
    n_resources: int | None = None
    successors: dict[int, tuple[int, ...]] = {}
    durations: dict[int, int] = {}
    demands: dict[int, tuple[int, ...]] = {}
    capacities: tuple[int, ...] | None = None
    section = ""
    for k, raw in enumerate(lines):
        lineno = k + 1
        line = raw.strip()
        if not line or set(line) <= {"*", "-", "="}:
            continue
        upper = line.upper()
        if ":" in line:
            key, _, value = line.partition(":")
            key_l = key.strip().lower()
            if key_l.startswith("jobs"):
                n_jobs = _first_int(value, name, lineno, "the number of jobs")
                continue
            if key_l.startswith("horizon"):
                horizon = _first_int(value, name, lineno, "the horizon")
                continue
            if key_l.startswith("- renewable"):
                n_resources = _first_int(value, name, lineno, "the number of resources")
                continue
            if key_l.startswith("- nonrenewable") or key_l.startswith("- doubly"):
                if _first_int(value, name, lineno, "the number of resources") != 0:
                    raise FormatError(
                        "only renewable resources are supported (single-mode .sm files)",
                        path=name,
                        line=lineno,
                    )
                continue
        if upper.startswith("PRECEDENCE RELATIONS"):
            section = "PRECEDENCE"
            continue
        if upper.startswith("REQUESTS/DURATIONS"):
            section = "REQUESTS"
            continue
        if upper.startswith("RESOURCEAVAILABILITIES"):
            section = "AVAILABILITY"
            continue
        if upper.startswith("PROJECT INFORMATION"):
            section = "PROJECT"
            continue
        if section == "PROJECT" or upper.startswith("JOBNR") or upper.startswith("PRONR"):
            continue
        if section == "PRECEDENCE":
            values = _ints(line, name, lineno, "a precedence line")
            if len(values) < 3 or len(values) != 3 + values[2]:
                raise FormatError(
                    "a precedence line is: job, modes, number of successors, successors",
                    path=name,
                    line=lineno,
                )
            if values[1] != 1:
                raise FormatError(
                    f"job {values[0]} has {values[1]} modes; only single-mode files are read",
                    path=name,
                    line=lineno,
                )
            successors[values[0]] = tuple(values[3:])
        elif section == "REQUESTS":
            values = _ints(line, name, lineno, "a request line")
            if n_resources is None or len(values) != 3 + n_resources:
                raise FormatError(
                    f"a request line is: job, mode, duration and {n_resources} demands",
                    path=name,
                    line=lineno,
                )
            durations[values[0]] = values[2]
            demands[values[0]] = tuple(values[3:])
        elif section == "AVAILABILITY":
            if upper.startswith("R"):
                continue  # the "R 1  R 2 ..." heading
            values = _ints(line, name, lineno, "the resource availabilities")
            if n_resources is not None and len(values) != n_resources:
                raise FormatError(
                    f"{len(values)} availabilities for {n_resources} resources",
                    path=name,
                    line=lineno,
                )
            capacities = tuple(values)
            section = "DONE"
    if n_jobs is None:
        raise FormatError(
            "no 'jobs (incl. supersource/sink )' line: not a PSPLIB .sm file", path=name
        )
    if capacities is None or n_resources is None:
        raise FormatError("no RESOURCEAVAILABILITIES section", path=name)
    for what, table in (("PRECEDENCE RELATIONS", successors), ("REQUESTS/DURATIONS", durations)):
        missing = [j for j in range(1, n_jobs + 1) if j not in table]
        if missing:
            raise FormatError(f"{what}: no line for job {missing[0]} (of {n_jobs})", path=name)
    for j, succ in successors.items():
        for s in succ:
            if not 1 <= s <= n_jobs:
                raise FormatError(f"job {j}: successor {s} is not a job 1..{n_jobs}", path=name)
    return PsplibInstance(
        name=name,
        durations=tuple(durations[j] for j in range(1, n_jobs + 1)),
        successors=tuple(successors[j] for j in range(1, n_jobs + 1)),
        demands=tuple(demands[j] for j in range(1, n_jobs + 1)),
        capacities=capacities,
        horizon=horizon,
    )


def read_psplib(stream: IO[bytes] | IO[str], name: str = "<input>") -> Rcpsp:
    """An ``.sm`` file as the solver's problem: task ``k`` is job ``k + 1``."""
    inst = parse_psplib(stream, name)
    try:
        return Rcpsp.from_successors(
            inst.durations,
            [[s - 1 for s in succ] for succ in inst.successors],
            inst.capacities,
            inst.demands,
            names=tuple(f"job {j}" for j in range(1, len(inst.durations) + 1)),
            resource_names=tuple(f"R{r}" for r in range(1, len(inst.capacities) + 1)),
        )
    except PlanError as exc:
        raise FormatError(str(exc), path=name) from None


def read_psplib_plan(stream: IO[bytes] | IO[str], name: str = "<input>") -> Plan:
    """An ``.sm`` file as a plan (one period = one working day on the Standard calendar)."""
    inst = parse_psplib(stream, name)
    n = len(inst.durations)
    tasks = tuple(
        Task(
            uid=j,
            name=f"Job {j}",
            duration=inst.durations[j - 1] * MINUTES_PER_PERIOD,
            duration_unit=DurationUnit.DAY,
        )
        for j in range(1, n + 1)
    )
    links = tuple(
        Link(predecessor=j, successor=s) for j in range(1, n + 1) for s in inst.successors[j - 1]
    )
    resources = tuple(
        Resource(uid=r, name=f"R{r}", max_units=float(c))
        for r, c in enumerate(inst.capacities, start=1)
    )
    assignments = tuple(
        Assignment(task=j, resource=r, units=float(q))
        for j in range(1, n + 1)
        for r, q in enumerate(inst.demands[j - 1], start=1)
        if q > 0
    )
    stem = re.sub(r"\.sm$", "", name.replace("\\", "/").rsplit("/", 1)[-1])
    try:
        return Plan(
            name=stem,
            start=PLAN_START,
            tasks=tasks,
            links=links,
            calendars=(standard_calendar(),),
            resources=resources,
            assignments=assignments,
            minutes_per_day=MINUTES_PER_PERIOD,
            metadata={"source": "PSPLIB", "periods": "days", "horizon": inst.horizon},
        )
    except PlanError as exc:
        raise FormatError(str(exc), path=name) from None


_ROW = re.compile(r"^\s*(\d+)\s+(\d+)\s+(\d+)(?:\s+(\d+))?(.*)$")


def read_solutions(
    stream: IO[bytes] | IO[str], name: str = "<input>"
) -> dict[tuple[int, int], tuple[int, bool]]:
    """A PSPLIB solution table: ``(parameter, instance) -> (makespan, proven optimal)``.

    ``j30opt.sm``: every makespan is a proven optimum. ``jXXhrs.sm``: best-known
    makespans (upper bounds), not marked as proven. ``jXXlb.sm``: the upper bound, proven
    when the row carries ``*`` (lower bound = upper bound).
    """
    lines = _text(stream).splitlines()
    kind: str | None = None
    out: dict[tuple[int, int], tuple[int, bool]] = {}
    for k, raw in enumerate(lines):
        lineno = k + 1
        words = raw.split()
        low = [w.lower() for w in words]
        if kind is None:
            if len(low) >= 3 and low[0] in ("paramter", "parameter") and low[1] == "instance":
                kind = "opt"
            elif len(low) >= 3 and low[:3] == ["par", "inst", "makespan"]:
                kind = "hrs"
            elif len(low) >= 4 and low[:4] == ["par", "inst", "ub", "lb"]:
                kind = "lb"
            continue
        if not words or not words[0].isdigit():
            continue
        match = _ROW.match(raw)
        if match is None:
            raise FormatError(f"unreadable solution row {raw.strip()!r}", path=name, line=lineno)
        par, inst, value = int(match[1]), int(match[2]), int(match[3])
        if kind == "lb":
            if match[4] is None:
                raise FormatError("a row is: Par, Inst, UB, LB", path=name, line=lineno)
            proven = int(match[4]) == value or "*" in (match[5] or "")
        else:
            proven = kind == "opt"
        if (par, inst) in out:
            raise FormatError(
                f"a second row for parameter {par}, instance {inst}", path=name, line=lineno
            )
        out[(par, inst)] = (value, proven)
    if kind is None:
        raise FormatError(
            "not a PSPLIB solution table (no 'Par Inst Makespan', 'Par Inst UB LB' or "
            "'Paramter Instance Makespan' heading)",
            path=name,
        )
    return out


def instance_key(stem: str, set_name: str | None = None) -> tuple[str, int, int] | None:
    """``"j3012_7"`` -> ``("j30", 12, 7)``; ``None`` when the name is not PSPLIB's.

    The set's name is needed to split the digits (``j12010_1`` is j120, parameter 10);
    without it, the known sets j30, j60, j90 and j120 are tried, longest first.
    """
    candidates = [set_name] if set_name else ["j120", "j90", "j60", "j30"]
    for prefix in candidates:
        if prefix and stem.startswith(prefix):
            rest = stem[len(prefix) :]
            m = re.fullmatch(r"(\d+)_(\d+)", rest)
            if m:
                return prefix, int(m[1]), int(m[2])
    return None


__all__ = [
    "MINUTES_PER_PERIOD",
    "PLAN_START",
    "PsplibInstance",
    "instance_key",
    "parse_psplib",
    "read_psplib",
    "read_psplib_plan",
    "read_solutions",
]
