"""PSPLIB reader: the real j30/j60/j120 files, the solution tables, and bad input."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from jalon.engine import schedule
from jalon.engine.errors import FormatError
from jalon.io.psplib import (
    MINUTES_PER_PERIOD,
    instance_key,
    parse_psplib,
    read_psplib,
    read_psplib_plan,
    read_solutions,
)


@pytest.fixture(scope="module")
def psplib(shared_data: Path) -> Path:
    root = shared_data / "psplib"
    if not root.is_dir():
        pytest.skip(f"PSPLIB data not found under {root}")
    return root


def read(path: Path) -> bytes:
    return path.read_bytes()


def test_j301_1_as_printed_in_the_file(psplib: Path) -> None:
    with (psplib / "j30" / "j301_1.sm").open("rb") as stream:
        p = read_psplib(stream, "j301_1.sm")
    assert p.n_tasks == 32
    assert p.capacities == (12, 13, 4, 12)
    assert p.durations[:4] == (0, 8, 4, 6)
    assert p.demands[1] == (4, 0, 0, 0)
    assert p.demands[3] == (0, 0, 0, 3)
    # job 1 -> jobs 2, 3, 4 (finish-to-start, lag = duration of job 1 = 0)
    assert {(i, j, g) for i, j, g in p.precedences if i == 0} == {(0, 1, 0), (0, 2, 0), (0, 3, 0)}
    # job 2 (8 periods) -> jobs 6, 11, 15
    assert {(j, g) for i, j, g in p.precedences if i == 1} == {(5, 8), (10, 8), (14, 8)}
    assert p.names[0] == "job 1"
    assert p.resource_names == ("R1", "R2", "R3", "R4")
    # the "MPM-Time" of the project information is the critical-path length
    assert p.critical_path_bound == 38


@pytest.mark.parametrize(
    ("folder", "jobs", "count"), [("j30", 32, 480), ("j60", 62, 480), ("j120", 122, 600)]
)
def test_every_file_of_each_set_reads(psplib: Path, folder: str, jobs: int, count: int) -> None:
    files = sorted((psplib / folder).glob("*.sm"))
    if len(files) != count:
        pytest.skip(f"{folder}: {len(files)} files, not the full set of {count}")
    for path in files:
        inst = parse_psplib(io.BytesIO(read(path)), path.name)
        assert len(inst.durations) == jobs, path.name
        assert inst.durations[0] == inst.durations[-1] == 0, path.name
        assert len(inst.capacities) == 4, path.name


def test_plan_matches_the_problem(psplib: Path) -> None:
    data = read(psplib / "j30" / "j3013_1.sm")
    p = read_psplib(io.BytesIO(data), "j3013_1.sm")
    plan = read_psplib_plan(io.BytesIO(data), "data/j3013_1.sm")
    assert plan.name == "j3013_1"
    assert [t.duration for t in plan.tasks] == [d * MINUTES_PER_PERIOD for d in p.durations]
    assert [r.max_units for r in plan.resources] == [float(c) for c in p.capacities]
    assert len(plan.links) == len(p.precedences)
    for a in plan.assignments:
        assert a.units == p.demands[a.task - 1][a.resource - 1] > 0
    assert len(plan.assignments) == sum(q > 0 for row in p.demands for q in row)
    # without resources, the plan's critical path is the problem's, in working days
    result = schedule(plan)
    days = (int(result.finish_min.max()) - int(result.start_min.min())) // MINUTES_PER_PERIOD
    assert days >= p.critical_path_bound - 1
    assert result.tasks[0].start == plan.start


def test_j30opt(psplib: Path) -> None:
    with (psplib / "solutions" / "j30opt.sm").open("rb") as stream:
        table = read_solutions(stream, "j30opt.sm")
    assert len(table) == 480
    assert table[(1, 1)] == (43, True)
    assert table[(48, 10)] == (54, True)
    assert all(proven for _, proven in table.values())


@pytest.mark.parametrize(
    ("name", "count", "first"), [("j60hrs.sm", 480, 77), ("j120hrs.sm", 600, 105)]
)
def test_best_known_tables(psplib: Path, name: str, count: int, first: int) -> None:
    with (psplib / "solutions" / name).open("rb") as stream:
        table = read_solutions(stream, name)
    assert len(table) == count
    assert table[(1, 1)] == (first, False)


def test_lower_bound_tables_mark_proven_optima(psplib: Path) -> None:
    with (psplib / "solutions" / "j120lb.sm").open("rb") as stream:  # Latin-1
        table = read_solutions(stream, "j120lb.sm")
    assert table[(1, 1)] == (105, False)  # UB 105, LB 104
    assert table[(1, 2)] == (109, True)
    assert table[(18, 3)] == (101, False)  # the authors' names carry accents
    with (psplib / "solutions" / "j60lb.sm").open("rb") as stream:
        j60 = read_solutions(stream, "j60lb.sm")
    assert j60[(1, 1)] == (77, True)


def test_instance_key() -> None:
    assert instance_key("j12010_1") == ("j120", 10, 1)
    assert instance_key("j3012_7") == ("j30", 12, 7)
    assert instance_key("j601_1", "j60") == ("j60", 1, 1)
    assert instance_key("foo") is None


SMALL = """\
************************************************************************
jobs (incl. supersource/sink ):  3
horizon                       :  5
RESOURCES
  - renewable                 :  1   R
  - nonrenewable              :  0   N
  - doubly constrained        :  0   D
************************************************************************
PRECEDENCE RELATIONS:
jobnr.    #modes  #successors   successors
   1        1          1           2
   2        1          1           3
   3        1          0
************************************************************************
REQUESTS/DURATIONS:
jobnr. mode duration  R 1
------------------------------------------------------------------------
  1      1     0       0
  2      1     4       2
  3      1     0       0
************************************************************************
RESOURCEAVAILABILITIES:
  R 1
    3
************************************************************************
"""


def test_a_small_text_stream() -> None:
    p = read_psplib(io.StringIO(SMALL), "small.sm")
    assert p.durations == (0, 4, 0)
    assert p.capacities == (3,)


@pytest.mark.parametrize(
    ("old", "new", "message", "line"),
    [
        (
            "   2        1          1           3",
            "   2        1          2           3",
            "number of successors",
            12,
        ),
        ("  2      1     4       2", "  2      1     4       x", "whole numbers", 19),
        ("  2      1     4       2", "  2      1     4", "1 demands", 19),
        (
            "   2        1          1           3",
            "   2        2          1           3",
            "2 modes",
            12,
        ),
        (
            "  - nonrenewable              :  0",
            "  - nonrenewable              :  2",
            "renewable",
            6,
        ),
        ("  R 1\n    3\n", "  R 1\n    3 4\n", "2 availabilities", 24),
    ],
)
def test_bad_files_name_the_file_and_line(old: str, new: str, message: str, line: int) -> None:
    text = SMALL.replace(old, new)
    assert text != SMALL
    with pytest.raises(FormatError, match=message) as info:
        read_psplib(io.StringIO(text), "bad.sm")
    assert str(info.value).startswith(f"bad.sm:{line}: ")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("   3        1          0\n", "", "no line for job 3"),
        (
            "   2        1          1           3",
            "   2        1          1           7",
            "successor 7",
        ),
        ("jobs (incl. supersource/sink ):  3", "jobs:", "whole number"),
        ("RESOURCEAVAILABILITIES:\n  R 1\n    3\n", "", "RESOURCEAVAILABILITIES"),
    ],
)
def test_incomplete_files(old: str, new: str, message: str) -> None:
    text = SMALL.replace(old, new)
    assert text != SMALL
    with pytest.raises(FormatError, match=message) as info:
        read_psplib(io.StringIO(text), "bad.sm")
    assert str(info.value).startswith("bad.sm")


def test_a_cycle_is_a_format_error() -> None:
    text = SMALL.replace("   3        1          0\n", "   3        1          1           2\n")
    with pytest.raises(FormatError, match="cycle"):
        read_psplib(io.StringIO(text), "cycle.sm")


def test_not_a_solution_table() -> None:
    with pytest.raises(FormatError, match="not a PSPLIB solution table"):
        read_solutions(io.StringIO("hello\n"), "x.sm")


def test_a_bad_solution_row_names_its_line() -> None:
    text = "Par Inst Makespan Date\n=====\n1 1 43 x\n1 2 y\n"
    with pytest.raises(FormatError, match="unreadable") as info:
        read_solutions(io.StringIO(text), "t.sm")
    assert str(info.value).startswith("t.sm:4: ")


def test_a_duplicate_solution_row() -> None:
    text = "Par Inst Makespan Date\n1 1 43 x\n1 1 44 y\n"
    with pytest.raises(FormatError, match="second row"):
        read_solutions(io.StringIO(text), "t.sm")
