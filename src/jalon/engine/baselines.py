"""Baselines: save up to 11 snapshots of a schedule (0 = "Baseline", 1-10) and compare."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from jalon.engine.errors import ValidationError
from jalon.engine.model import Baseline, BaselineTask, Plan
from jalon.engine.results import Schedule

MAX_BASELINES = 11


def save_baseline(
    plan: Plan, schedule: Schedule, number: int = 0, saved: dt.datetime | None = None
) -> Plan:
    """A copy of ``plan`` whose baseline ``number`` holds the scheduled dates (replacing it)."""
    if not 0 <= number < MAX_BASELINES:
        raise ValidationError(f"baseline number {number} is not between 0 and 10", field="baseline")
    work = {t.uid: 0 for t in plan.tasks}
    for a in plan.assignments:
        task = plan.task(a.task)
        work[a.task] += a.work if a.work is not None else round(task.duration * a.units)
    tasks = {
        st.uid: BaselineTask(
            start=st.start, finish=st.finish, duration=st.duration, work=work.get(st.uid, 0)
        )
        for st in schedule.tasks
    }
    kept = tuple(b for b in plan.baselines if b.number != number)
    baseline = Baseline(number=number, tasks=tasks, saved=saved)
    return plan.replace(baselines=tuple(sorted((*kept, baseline), key=lambda b: b.number)))


@dataclass(frozen=True, slots=True)
class BaselineVariance:
    uid: int
    start_variance: int | None  # working minutes, positive = later than the baseline
    finish_variance: int | None
    duration_variance: int | None
    work_variance: int | None


def baseline_variances(plan: Plan, schedule: Schedule, number: int = 0) -> list[BaselineVariance]:
    """Start/finish/duration/work variances against baseline ``number``, per task."""
    from jalon.engine.cpm import calendars_for

    baseline = next((b for b in plan.baselines if b.number == number), None)
    if baseline is None:
        raise ValidationError(f"the plan has no baseline {number}", field="baseline")
    cset, names = calendars_for(plan, schedule)
    work_now = {t.uid: 0 for t in plan.tasks}
    for a in plan.assignments:
        task = plan.task(a.task)
        work_now[a.task] += a.work if a.work is not None else round(task.duration * a.units)
    out = []
    for t, st in zip(plan.tasks, schedule.tasks, strict=True):
        b = baseline.tasks.get(t.uid)
        if b is None:
            out.append(BaselineVariance(t.uid, None, None, None, None))
            continue
        cal = cset.calendar(names[t.uid])
        sv = cal.working_minutes(b.start, st.start) if b.start else None
        fv = cal.working_minutes(b.finish, st.finish) if b.finish else None
        out.append(
            BaselineVariance(t.uid, sv, fv, st.duration - b.duration, work_now[t.uid] - b.work)
        )
    return out
