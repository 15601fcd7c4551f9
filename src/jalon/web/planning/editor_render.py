"""The planning editor's grid rows, built in Python (thousands of rows of inputs render in
a fraction of the time the template language takes), and the values typed in its cells
turned into service arguments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from html import escape
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from jalon.io.links import Units
from jalon.web.planning.linktext import days_text, duration_text, read_duration
from jalon.web.projects.models import Project

EDITOR_FIELDS = (
    "pk",
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
    "constraint_type",
    "percent_complete",
    "rolled_percent",
    "critical",
    "is_summary",
    "is_milestone",
)
# the grid's editable columns, in order
COLUMNS = ("name", "duration", "start", "finish", "predecessors", "resources", "percent_complete")


def _sizes(project: Project) -> dict[str, int]:
    return {
        "minutes_per_day": project.minutes_per_day,
        "minutes_per_week": project.minutes_per_week,
        "days_per_month": project.days_per_month,
    }


def editor_rows(
    rows: Iterable[Mapping[str, Any]],
    project: Project,
    *,
    predecessors: Mapping[int, str],
    resources: Mapping[int, str],
    can_edit: bool,
    own_tasks: Collection[int] = (),
    invalid: Mapping[tuple[int, str], str] | None = None,
    oob: bool = False,
    collapsed: Collection[int] = (),
) -> SafeString:
    """``<tr>`` per task, one ``<input>`` per editable cell. ``invalid``: (task pk, field)
    -> the text the user typed, shown again and flagged. ``oob``: each row swapped out of
    band (htmx), in place of the row with its id. ``collapsed``: the summaries shown
    folded (every row, in outline order: the rows under them are rendered ``hidden``)."""
    sizes = _sizes(project)
    per_day = project.minutes_per_day
    invalid = invalid or {}
    labels = {
        "name": _("Task name"),
        "duration": _("Duration"),
        "start": _("Start"),
        "finish": _("Finish"),
        "predecessors": _("Predecessors"),
        "resources": _("Resources"),
        "percent_complete": _("% complete"),
    }
    # what every row's cells share, escaped once (thousands of rows)
    tail = {
        field: f' aria-label="{escape(label)}" autocomplete="off" class="cell'
        + (" num" if field in ("duration", "percent_complete") else "")
        + '"'
        for field, label in labels.items()
    }
    toggle = f' role="button" title="{escape(_("Show or hide the subtasks"))}"'
    swap = ' hx-swap-oob="true"' if oob else ""
    durations: dict[tuple[Any, ...], str] = {}  # the same durations recur: text them once
    out = []
    under = 0  # outline level of the folded summary whose subtree this is (0: none)
    for t in rows:
        pk = t["pk"]
        summary = t["is_summary"]
        level = t["outline_level"]
        if under and level <= under:
            under = 0
        hidden = " hidden" if under else ""
        folded = summary and pk in collapsed
        if folded and not under:
            under = level
        if summary:
            key: tuple[Any, ...] = (t["scheduled_duration"],)
            if key not in durations:
                durations[key] = days_text(t["scheduled_duration"], per_day)
            percent = t["rolled_percent"]
        else:
            key = (t["duration"], t["duration_unit"], t["elapsed"])
            if key not in durations:
                durations[key] = duration_text(*key, **sizes)
            percent = t["percent_complete"]
        start, finish = t["start"], t["finish"]
        values = {
            "name": t["name"],
            "duration": durations[key],
            "start": start.isoformat()[:10] if start else "",
            "finish": finish.isoformat()[:10] if finish else "",
            "predecessors": predecessors.get(pk, ""),
            "resources": resources.get(pk, ""),
            "percent_complete": f"{percent:.0f}",
        }
        classes = " ".join(
            c
            for c, on in (
                ("summary", summary),
                ("critical", t["critical"]),
                ("milestone", t["is_milestone"]),
                ("constrained", t["constraint_type"] != 0),
                ("collapsed", folded),
            )
            if on
        )
        cells = []
        for field in COLUMNS:
            readonly = not can_edit or (summary and field in ("duration", "start", "finish"))
            if field == "percent_complete" and pk in own_tasks and not summary:
                readonly = False
            value = values[field]
            flags = " readonly" if readonly else ""
            typed = invalid.get((pk, field)) if invalid else None
            if typed is not None:
                value = typed
                flags += ' aria-invalid="true"'
            cell = f'<input name="{field}" value="{escape(value)}"{tail[field]}{flags}>'
            if field == "name":
                cells.append(
                    f'<td class="name" style="--level:{max(0, level - 1)}">'
                    f'<span class="kind"{toggle if summary else ""}></span>{cell}</td>'
                )
            else:
                cells.append(f'<td class="c-{field}">{cell}</td>')
        code = escape(t["wbs_code"] or t["outline_number"])
        out.append(
            f'<tr id="task-{pk}" data-pk="{pk}" data-version="{t["version"]}"'
            f' data-level="{level}" class="{classes}"{swap}{hidden}>'
            f'<td class="wbs" title="{code}">{code}</td>{"".join(cells)}</tr>'
        )
    return mark_safe("".join(out))  # every value above is escaped


# -- typed text -> service arguments ----------------------------------------------------------


def parse_date(text: str, field: str, default_time: dt.time) -> dt.datetime:
    """``2027-03-01`` or ``2027-03-01 10:00`` (also ``01/03/2027``, day first)."""
    text = text.strip()
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"):
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            pass
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.combine(dt.datetime.strptime(text, fmt).date(), default_time)
        except ValueError:
            pass
    raise ValidationError(
        {
            field: [
                _("'%(text)s' is not a date: type 2027-03-01 or 2027-03-01 10:00.") % {"text": text}
            ]
        }
    )


def parse_duration_cell(text: str, project: Project) -> dict[str, Any]:
    """``5d``, ``3h``, ``2w``, ``1mo``, ``4ed`` or in French ``5j``, ``2sem``, ``1ms``,
    ``4jé``, whatever the interface's language (a bare number is in days)."""
    units = Units(project.minutes_per_day, project.minutes_per_week, project.days_per_month)
    try:
        minutes, unit, elapsed = read_duration(text, units)
    except ValueError as exc:
        raise ValidationError({"duration": [str(exc)]}) from exc
    return {"duration": minutes, "duration_unit": unit.value, "elapsed": elapsed}


def parse_percent(text: str) -> float:
    text = text.strip().rstrip("%").strip().replace(",", ".")
    try:
        value = float(text or 0)
    except ValueError:
        raise ValidationError(
            {"percent_complete": [_("'%(text)s' is not a percentage.") % {"text": text}]}
        ) from None
    if not 0 <= value <= 100:
        raise ValidationError({"percent_complete": [_("A percentage is between 0 and 100.")]})
    return value


def parse_resources(text: str) -> list[tuple[str, float]]:
    """``"Alice, Bob[50%]"`` -> [("Alice", 1.0), ("Bob", 0.5)]."""
    out: list[tuple[str, float]] = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        units = 1.0
        if item.endswith("]") and "[" in item:
            item, _sep, amount = item[:-1].rpartition("[")
            item = item.strip()
            try:
                units = float(amount.strip().rstrip("%").replace(",", ".")) / 100
            except ValueError:
                raise ValidationError(
                    {"resources": [_("'%(text)s' is not a percentage.") % {"text": amount}]}
                ) from None
            if not 0 < units <= 100:
                raise ValidationError(
                    {"resources": [_("Units are between 1% and 10000%.")]}
                ) from None
        out.append((item, units))
    return out
