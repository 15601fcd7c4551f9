"""What scheduling returns: per-task dates, floats and the critical path."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from jalon.engine.calendar import minutes_to_datetimes

if TYPE_CHECKING:
    from jalon.engine.model import Plan

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class ScheduledTask:
    uid: int
    name: str
    wbs: str
    outline_level: int
    start: dt.datetime
    finish: dt.datetime
    early_start: dt.datetime
    early_finish: dt.datetime
    late_start: dt.datetime
    late_finish: dt.datetime
    total_float: int  # working minutes in the task's calendar; negative when late
    free_float: int
    critical: bool
    summary: bool
    milestone: bool
    duration: int  # working minutes
    manual: bool
    active: bool

    @property
    def total_float_days(self) -> float:
        return self.total_float / 480


@dataclass(frozen=True, slots=True)
class ScheduleWarning:
    """A scheduling conflict, worded the way MS Project's Planning Wizard words it."""

    kind: str  # "constraint-conflict" | "deadline-missed" | "negative-float" | ...
    task: int
    message: str


@dataclass(frozen=True)
class Schedule:
    """Dates (epoch minutes) and floats per task, in the plan's outline order.

    The arrays are the computed result; :attr:`tasks` turns them into
    :class:`ScheduledTask` objects on first use.
    """

    plan: Plan
    start_min: IntArray
    finish_min: IntArray
    early_start_min: IntArray
    early_finish_min: IntArray
    late_start_min: IntArray
    late_finish_min: IntArray
    total_float: IntArray
    free_float: IntArray
    critical: BoolArray
    duration: IntArray
    summary: BoolArray
    milestone: BoolArray
    warnings: tuple[ScheduleWarning, ...] = ()
    status_date: dt.datetime | None = None
    leveling_delay: IntArray | None = field(default=None)

    @cached_property
    def tasks(self) -> tuple[ScheduledTask, ...]:
        plan = self.plan
        starts = minutes_to_datetimes(self.start_min)
        finishes = minutes_to_datetimes(self.finish_min)
        es = minutes_to_datetimes(self.early_start_min)
        ef = minutes_to_datetimes(self.early_finish_min)
        ls = minutes_to_datetimes(self.late_start_min)
        lf = minutes_to_datetimes(self.late_finish_min)
        tf = self.total_float.tolist()
        ff = self.free_float.tolist()
        crit = self.critical.tolist()
        summ = self.summary.tolist()
        mile = self.milestone.tolist()
        dur = self.duration.tolist()
        numbers = plan.outline_numbers
        out = []
        for i, t in enumerate(plan.tasks):
            number = numbers[t.uid]
            out.append(
                ScheduledTask(
                    uid=t.uid,
                    name=t.name,
                    wbs=t.wbs or number,
                    outline_level=number.count(".") + 1,
                    start=starts[i],
                    finish=finishes[i],
                    early_start=es[i],
                    early_finish=ef[i],
                    late_start=ls[i],
                    late_finish=lf[i],
                    total_float=tf[i],
                    free_float=ff[i],
                    critical=crit[i],
                    summary=summ[i],
                    milestone=mile[i],
                    duration=dur[i],
                    manual=t.manual,
                    active=t.active,
                )
            )
        return tuple(out)

    def __iter__(self) -> Iterator[ScheduledTask]:
        return iter(self.tasks)

    def __len__(self) -> int:
        return len(self.plan.tasks)

    def task(self, uid: int) -> ScheduledTask:
        return self.tasks[self.plan.task_index[uid]]

    @property
    def start(self) -> dt.datetime:
        return (
            minutes_to_datetimes(np.array([self.start_min.min()]))[0]
            if len(self)
            else self.plan.start
        )

    @property
    def finish(self) -> dt.datetime:
        return (
            minutes_to_datetimes(np.array([self.finish_min.max()]))[0]
            if len(self)
            else self.plan.start
        )

    @property
    def critical_path(self) -> Sequence[int]:
        """uids of the critical tasks (summaries excluded), in outline order."""
        idx = np.flatnonzero(self.critical & ~self.summary)
        return [self.plan.tasks[i].uid for i in idx.tolist()]
