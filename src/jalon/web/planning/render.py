"""The WBS table's rows, built in Python: a project of thousands of tasks renders in a
fraction of the time the template language takes for the same cells."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from jalon.web.planning.linktext import days_text, duration_text
from jalon.web.projects.models import Project

ROW_FIELDS = (
    "pk",
    "uid",
    "version",
    "name",
    "wbs_code",
    "outline_number",
    "outline_level",
    "duration",
    "duration_unit",
    "elapsed",
    "scheduled_duration",
    "start",
    "finish",
    "total_float",
    "percent_complete",
    "rolled_percent",
    "critical",
    "is_summary",
    "is_milestone",
)


def _date(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else ""


def wbs_rows(
    rows: Iterable[Mapping[str, Any]], project: Project, predecessors: Mapping[int, str]
) -> SafeString:
    per_day = project.minutes_per_day
    sizes = {
        "minutes_per_day": project.minutes_per_day,
        "minutes_per_week": project.minutes_per_week,
        "days_per_month": project.days_per_month,
    }
    critical = f'<span class="critical-text">{escape(_("yes"))}</span>'
    out = []
    for t in rows:
        summary = t["is_summary"]
        if summary:
            duration = days_text(t["scheduled_duration"], per_day)
            percent = t["rolled_percent"]
        else:
            duration = duration_text(t["duration"], t["duration_unit"], t["elapsed"], **sizes)
            percent = t["percent_complete"]
        classes = ("summary " if summary else "") + ("critical" if t["critical"] else "")
        name = ("◆ " if t["is_milestone"] else "") + t["name"]
        out.append(
            f'<tr id="task-{t["pk"]}" data-uid="{t["uid"]}" data-version="{t["version"]}"'
            f' class="{classes.strip()}">'
            f"<td>{escape(t['wbs_code'] or t['outline_number'])}</td>"
            f'<td class="name" style="padding-left: {max(0, t["outline_level"] - 1) * 1.25}rem">'
            f"{escape(name)}</td>"
            f'<td class="num">{escape(duration)}</td>'
            f"<td>{_date(t['start'])}</td><td>{_date(t['finish'])}</td>"
            f"<td>{escape(predecessors.get(t['pk'], ''))}</td>"
            f'<td class="num">{days_text(t["total_float"], per_day)}</td>'
            f'<td class="num">{percent:.0f}</td>'
            f"<td>{critical if t['critical'] else ''}</td>"
            "</tr>"
        )
    return mark_safe("".join(out))  # every value above is escaped
