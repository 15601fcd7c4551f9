"""The progress page of a project: the status date, and per task % complete, actual
start and actual finish, entered in bulk. Managers update every task in one
``progress_bulk_update`` (one reschedule); members update their own tasks only
(``task_update`` checks it); viewers read. Bad input is shown in its cell and nothing
is saved."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jalon.web.errors import ConflictError
from jalon.web.planning import selectors, services
from jalon.web.planning.models import Assignment, Task
from jalon.web.projects.models import Project
from jalon.web.projects.selectors import MEMBER, can_edit, project_get, role_of

START_TIME = dt.time(8, 0)  # an actual date typed without a time, as MS Project's defaults
FINISH_TIME = dt.time(17, 0)


@dataclass
class ProgressRow:
    task: Task
    editable: bool
    percent: str = ""
    actual_start: str = ""
    actual_finish: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    late: bool = False  # baseline: should have started (or finished) by the status date


def _day(value: dt.datetime | None) -> str:
    return value.date().isoformat() if value else ""


def _own_tasks(user: Any, project: Project) -> set[int]:
    return set(
        Assignment.objects.filter(project=project, resource__user=user).values_list(
            "task_id", flat=True
        )
    )


def _rows(request: HttpRequest, project: Project) -> list[ProgressRow]:
    user = request.user
    manager = can_edit(user, project)
    own = _own_tasks(user, project) if role_of(user, project) == MEMBER else set()
    status = project.status_date
    # the scheduler moves unfinished work past the status date: "behind" compares the
    # progress with the baseline, as MS Project's "Slipping tasks" filter
    baseline = selectors.baseline_dates(project=project, user=user)
    rows = []
    for t in selectors.task_list(project=project, user=user):
        start, finish = baseline.get(t.pk, (None, None))
        late = bool(
            status
            and not t.is_summary
            and (
                (finish is not None and finish <= status and t.percent_complete < 100)
                or (start is not None and start <= status and t.percent_complete == 0)
            )
        )
        rows.append(
            ProgressRow(
                task=t,
                editable=not t.is_summary and (manager or t.pk in own),
                percent=f"{t.percent_complete:g}",
                actual_start=_day(t.actual_start),
                actual_finish=_day(t.actual_finish),
                late=late,
            )
        )
    return rows


def _parse_day(text: str) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    raise ValueError(text)


def _changes(row: ProgressRow, post: Any) -> dict[str, Any]:
    """What the form changes on one task; cell errors go into ``row.errors``."""
    t = row.task
    pk = t.pk
    row.percent = post.get(f"pc_{pk}", row.percent).strip()
    row.actual_start = post.get(f"as_{pk}", row.actual_start).strip()
    row.actual_finish = post.get(f"af_{pk}", row.actual_finish).strip()
    data: dict[str, Any] = {}
    try:
        percent = float(row.percent.rstrip("%").replace(",", ".") or 0)
        if not 0 <= percent <= 100:
            row.errors["percent"] = _("A percentage is between 0 and 100.")
    except ValueError:
        row.errors["percent"] = _("'%(text)s' is not a percentage.") % {"text": row.percent}
        percent = t.percent_complete
    days: dict[str, dt.date | None] = {}
    for key, text in (("actual_start", row.actual_start), ("actual_finish", row.actual_finish)):
        try:
            days[key] = _parse_day(text)
        except ValueError:
            row.errors[key] = _("'%(text)s' is not a date: type 2027-03-01.") % {"text": text}
    if row.errors:
        return {}
    start, finish = days["actual_start"], days["actual_finish"]
    if finish is not None and start is None:
        start = t.actual_start.date() if t.actual_start else (t.start.date() if t.start else None)
    if start is not None and finish is not None and finish < start:
        row.errors["actual_finish"] = _("The actual finish comes before the actual start.")
        return {}
    if finish is not None and (t.actual_finish is None or t.actual_finish.date() != finish):
        percent = 100.0  # a task that finished is complete, as in MS Project
    if percent != t.percent_complete:
        data["percent_complete"] = percent
    for key, day, time in (
        ("actual_start", start, START_TIME),
        ("actual_finish", finish, FINISH_TIME),
    ):
        current = getattr(t, key)
        if day is None and current is not None:
            data[key] = None
        elif day is not None and (current is None or current.date() != day):
            keep = current.time() if current is not None else time
            data[key] = dt.datetime.combine(day, keep)
    return data


def _page(
    request: HttpRequest, project: Project, rows: list[ProgressRow], status: int = 200
) -> HttpResponse:
    show = request.GET.get("show", "")
    shown = [r for r in rows if r.late or r.errors] if show == "late" else rows
    return render(
        request,
        "planning/progress.html",
        {
            "project": project,
            "rows": shown,
            "show": show,
            "can_edit": can_edit(request.user, project),
            "editable": any(r.editable for r in rows),
            "today": services.today_status_date().date(),
            "errors": any(r.errors for r in rows),
            "has_baseline": project.baseline_finish is not None,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def progress_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_get(user=request.user, pk=pk)
    rows = _rows(request, project)
    if request.method == "GET":
        return _page(request, project, rows)
    if not any(r.editable for r in rows):
        raise PermissionDenied(_("You cannot update the progress of this project."))
    updates = {r.task.pk: _changes(r, request.POST) for r in rows if r.editable}
    if any(r.errors for r in rows):
        return _page(request, project, rows, status=422)
    updates = {pk: data for pk, data in updates.items() if data}
    if not updates:
        messages.info(request, _("Nothing changed."))
        return redirect(request.get_full_path())
    try:
        if can_edit(request.user, project):
            count = services.progress_bulk_update(
                project=project, updates=updates, user=request.user
            )
        else:
            versions = {r.task.pk: r.task.version for r in rows}
            with transaction.atomic():
                for task_pk, data in updates.items():
                    services.task_update(
                        task=Task(pk=task_pk),
                        data=data,
                        version=int(request.POST.get(f"v_{task_pk}", versions[task_pk])),
                        user=request.user,
                    )
            count = len(updates)
    except ConflictError as exc:
        messages.error(request, str(exc))
        return redirect(request.get_full_path())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _page(request, project, rows, status=422)
    messages.success(
        request,
        _("Progress saved on %(n)d task(s); the project was rescheduled.") % {"n": count},
    )
    return redirect(request.get_full_path())


@login_required
@require_POST
def status_date_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The project's status date (the day progress is measured at), or today."""
    project = project_get(user=request.user, pk=pk)
    text = request.POST.get("status_date", "").strip()
    if "today" in request.POST:
        value: dt.datetime | None = services.today_status_date()
    elif not text:
        value = None
    else:
        try:
            day = _parse_day(text)
        except ValueError:
            messages.error(
                request, _("'%(text)s' is not a date: type 2027-03-01.") % {"text": text}
            )
            return redirect("planning:progress", pk=project.pk)
        value = dt.datetime.combine(day, FINISH_TIME) if day else None
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    try:
        services.project_update(
            project=project, data={"status_date": value}, version=version, user=request.user
        )
    except ConflictError as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Status date set to %(day)s.") % {"day": value.date().isoformat()}
            if value
            else _("Status date cleared."),
        )
    return redirect("planning:progress", pk=project.pk)
