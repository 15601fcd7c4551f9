"""Template filters for plan values: durations and floats in the project's units."""

from __future__ import annotations

from typing import Any

from django import template

from jalon.web.planning.linktext import days_text, duration_text

register = template.Library()


@register.simple_tag
def task_duration(task: Any, project: Any) -> str:
    """A task's duration in its own unit ("5d", "2w", "3ed"; French "5j", "2sem", "3jé")."""
    return duration_text(
        task.duration,
        task.duration_unit,
        task.elapsed,
        minutes_per_day=project.minutes_per_day,
        minutes_per_week=project.minutes_per_week,
        days_per_month=project.days_per_month,
    )


@register.simple_tag
def float_days(minutes: int | None, project: Any) -> str:
    """Working minutes of float as days ("-2.5d", French "-2.5j"); empty when not computed."""
    return days_text(minutes, project.minutes_per_day)


@register.filter
def working_times(spans: Any) -> str:
    """``[[480, 720], [780, 1020]]`` as ``08:00-12:00, 13:00-17:00``."""
    from jalon.web.planning.calendartext import format_times

    return format_times(spans or [])
