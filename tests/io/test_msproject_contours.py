"""MSPDI: work edited by hand (contoured assignments, split tasks) is read and written."""

from __future__ import annotations

import datetime as dt
import io

from jalon.engine import Assignment, Plan, Resource, Task, WorkPeriod, schedule
from jalon.io.msproject_xml import read_mspdi, write_mspdi

MON = dt.datetime(2027, 1, 4, 8, 0)


def at(day: int, hour: int = 8) -> dt.datetime:
    return dt.datetime(2027, 1, day, hour, 0)


SPLIT = (
    WorkPeriod(at(4), at(4, 17), 480),
    WorkPeriod(at(4, 17), at(5, 17), 0),
    WorkPeriod(at(5, 17), at(6, 17), 480),
)


def roundtrip(plan: Plan) -> Plan:
    out = io.BytesIO()
    write_mspdi(plan, schedule(plan), out)
    return read_mspdi(io.BytesIO(out.getvalue()))


def test_a_split_task_without_resources_keeps_its_split() -> None:
    plan = Plan("p", MON, tasks=(Task(1, "Split", duration=960, contour=SPLIT),))
    back = roundtrip(plan)
    assert back.tasks[0].contour == SPLIT
    assert schedule(back).task(1).finish == at(6, 17)


def test_an_edited_assignment_keeps_its_timephased_work() -> None:
    plan = Plan(
        "p",
        MON,
        tasks=(Task(1, "Edited", duration=960),),
        resources=(Resource(1, "Ann"),),
        assignments=(Assignment(1, 1, contour=SPLIT),),
    )
    back = roundtrip(plan)
    assert back.assignments[0].contour == SPLIT
    assert schedule(back).task(1).finish == at(6, 17)


def test_a_flat_assignment_has_no_contour() -> None:
    plan = Plan(
        "p",
        MON,
        tasks=(Task(1, "Flat", duration=960),),
        resources=(Resource(1, "Ann"),),
        assignments=(Assignment(1, 1),),
    )
    back = roundtrip(plan)
    assert back.assignments[0].contour == ()
    assert schedule(back).task(1).finish == at(5, 17)
