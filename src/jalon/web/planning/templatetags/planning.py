"""Template filters for plan values: durations and floats in the project's units."""

from __future__ import annotations

from typing import Any

from django import template

from jalon.engine import DurationUnit
from jalon.io.plan_yaml import format_duration

register = template.Library()


@register.simple_tag
def task_duration(task: Any, project: Any) -> str:
    """A task's duration in its own unit ("5d", "2w", "3ed")."""
    try:
        unit = DurationUnit(task.duration_unit)
    except ValueError:
        unit = DurationUnit.DAY
    return format_duration(
        task.duration,
        unit,
        task.elapsed,
        minutes_per_day=project.minutes_per_day,
        minutes_per_week=project.minutes_per_week,
        days_per_month=project.days_per_month,
    )


@register.simple_tag
def float_days(minutes: int | None, project: Any) -> str:
    """Working minutes of float as days ("-2.5d"); empty when not computed."""
    if minutes is None:
        return ""
    days = minutes / project.minutes_per_day
    return f"{days:.1f}".rstrip("0").rstrip(".") + "d"


@register.filter
def working_times(spans: Any) -> str:
    """``[[480, 720], [780, 1020]]`` as ``08:00-12:00, 13:00-17:00``."""
    from jalon.web.planning.calendartext import format_times

    return format_times(spans or [])
