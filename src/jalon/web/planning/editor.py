"""The planning editor: the WBS grid and the Gantt, edited in place (htmx), and the
project's history. Thin: each edit validates the typed text, calls ONE service (which
reschedules in the same transaction) and answers with what changed.

Answers to an edit: 200 — after a cell typed, a bar dragged or a link drawn, only the
rows the service names as changed (``rescheduled``) and their Gantt bars, swapped out of
band; after a structural edit (add, delete, indent, outdent, move), every grid row, and
the page reloads the Gantt's bars from ``gantt_json_view``. 422 (the rows, the bad cell
flagged, the message), 409 (someone else saved the task: the rows and both versions),
403 (the role forbids it).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import numpy as np
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jalon.web.errors import ConflictError
from jalon.web.planning import selectors, services
from jalon.web.planning.editor_render import (
    EDITOR_FIELDS,
    editor_rows,
    parse_date,
    parse_duration_cell,
    parse_percent,
    parse_resources,
)
from jalon.web.planning.history_display import task_changes_text
from jalon.web.planning.linktext import bilingual_input, french
from jalon.web.planning.models import Assignment, Task
from jalon.web.projects.models import Project
from jalon.web.projects.selectors import can_edit, project_get, role_of


def _labels() -> dict[str, str]:
    return {
        "name": _("Name"),
        "duration": _("Duration"),
        "start": _("Start"),
        "finish": _("Finish"),
        "predecessors": _("Predecessors"),
        "resources": _("Resources"),
        "percent_complete": _("% complete"),
        "constraint_type": _("Constraint"),
        "constraint_date": _("Constraint date"),
        "duration_unit": _("Duration unit"),
        "parent": _("Outline"),
        "index": _("Position"),
    }


#: Above this many tasks, with no outline chosen, the editor opens on outline level 2.
LARGE_PLAN = 2000


@dataclass(frozen=True)
class Outline:
    """The summaries the user folded (``collapsed``, pks) or the outline level shown
    (``level``: "" every row, "1" to "3"), as the browser keeps them: a cookie per
    project that ``planning.js`` writes, read here so that folded rows come ``hidden``
    (the browser neither lays them out nor draws their bars)."""

    collapsed: frozenset[int]
    level: str

    def as_json(self) -> str:
        return json.dumps({"collapsed": sorted(self.collapsed), "level": self.level})


def _outline(request: HttpRequest, project: Project, rows: list[dict[str, Any]]) -> Outline:
    saved: Any = None
    try:
        saved = json.loads(unquote(request.COOKIES.get(f"jalon_outline_{project.pk}", "")))
    except ValueError:
        saved = None
    if not isinstance(saved, dict):
        level = "2" if len(rows) > LARGE_PLAN else ""
        collapsed: Collection[Any] = ()
    else:
        level = str(saved.get("level") or "")
        collapsed = saved.get("collapsed") or ()
    if level in ("1", "2", "3"):
        deep = int(level)
        return Outline(
            frozenset(r["pk"] for r in rows if r["is_summary"] and r["outline_level"] >= deep),
            level,
        )
    pks = frozenset(int(pk) for pk in collapsed if str(pk).isdigit()) if collapsed else frozenset()
    return Outline(pks, "")


def _rows(
    request: HttpRequest,
    project: Project,
    invalid: dict[tuple[int, str], str] | None = None,
    *,
    tasks: Collection[int] | None = None,
) -> Any:
    """The grid rows: every task, or (``tasks``) those tasks' rows, swapped out of band."""
    return _grid(request, project, invalid, tasks=tasks)[0]


def _grid(
    request: HttpRequest,
    project: Project,
    invalid: dict[tuple[int, str], str] | None = None,
    *,
    tasks: Collection[int] | None = None,
) -> tuple[Any, Outline]:
    """``_rows`` and the outline they are shown with (every row: the browser's; some
    rows, swapped out of band: none, ``planning.js`` folds them again)."""
    user = request.user
    own: set[int] = set()
    if role_of(user, project) == "member":
        own = set(
            Assignment.objects.filter(project=project, resource__user=user).values_list(
                "task_id", flat=True
            )
        )
    rows = selectors.task_list(project=project, user=user)
    if tasks is not None:
        rows = rows.filter(pk__in=list(tasks))
    values = list(rows.values(*EDITOR_FIELDS))
    outline = Outline(frozenset(), "") if tasks is not None else _outline(request, project, values)
    html = editor_rows(
        values,
        project,
        predecessors=selectors.predecessors_text(
            project=project, user=user, tasks=tasks, french=french()
        ),
        resources=selectors.assignments_text(project=project, user=user, tasks=tasks),
        can_edit=can_edit(user, project),
        own_tasks=own,
        invalid=invalid,
        oob=tasks is not None,
        collapsed=outline.collapsed,
    )
    return html, outline


def _answer(
    request: HttpRequest,
    project: Project,
    *,
    status: int = 200,
    message: str = "",
    level: str = "",
    invalid: dict[tuple[int, str], str] | None = None,
    conflict: dict[str, Any] | None = None,
    focus: int | None = None,
) -> HttpResponse:
    project.refresh_from_db()
    html = render_to_string(
        "planning/_grid_answer.html",
        {
            "project": project,
            "rows": _rows(request, project, invalid),
            "message": message,
            "level": level,
            "conflict": conflict,
        },
        request=request,
    )
    response = HttpResponse(html, status=status)
    response["HX-Trigger"] = json.dumps({"jalon:scheduled": {"focus": focus or 0}})
    return response


# above this many changed rows, an edit answers with the whole grid (about as cheap)
CHANGED_ROWS_LIMIT = 1000


def _edited(request: HttpRequest, project: Project, result: Any, focus: int) -> HttpResponse:
    """The answer to a successful edit: when the service named the rows it changed
    (``rescheduled``), those rows and their Gantt bars only, swapped out of band (the
    grid itself is left as it is: ``HX-Reswap: none``); else every row."""
    changed = getattr(result, "rescheduled", None)
    if changed is None or len(changed) > CHANGED_ROWS_LIMIT:
        return _answer(request, project, focus=focus)
    project.refresh_from_db()
    user = request.user
    html = render_to_string(
        "planning/_rows_answer.html",
        {
            "project": project,
            "rows": _rows(request, project, tasks=changed),
            "bars": selectors.gantt_tasks(project=project, user=user, tasks=changed),
        },
        request=request,
    )
    response = HttpResponse(html)
    response["HX-Reswap"] = "none"
    # "bars": the answer carries the changed bars (#gantt-changes), no reload
    response["HX-Trigger"] = json.dumps({"jalon:scheduled": {"focus": focus, "bars": True}})
    return response


def _messages(exc: ValidationError) -> str:
    labels = _labels()
    if hasattr(exc, "error_dict"):
        return " ".join(
            f"{labels.get(field, field)}: {' '.join(msgs)}"
            if field != "__all__"
            else " ".join(msgs)
            for field, msgs in exc.message_dict.items()
        )
    return " ".join(exc.messages)


def _conflict(
    request: HttpRequest, task: Task, exc: ConflictError, field: str, value: str
) -> dict[str, Any]:
    since = selectors.task_changes_since(task=task, user=request.user, version=exc.version)
    labels = _labels()
    return {
        "task": task,
        "who": since.user or _("Someone"),
        "when": since.when,
        "theirs": [
            {"field": label, "old": old, "new": new}
            for label, old, new in task_changes_text(since, task.project)
        ],
        "field": field,
        "field_label": labels.get(field, field),
        "value": value,
        "current_version": exc.current_version,
    }


def _task(request: HttpRequest, project: Project, pk: Any) -> Task:
    try:
        number = int(pk)
    except (TypeError, ValueError):
        number = 0
    return selectors.task_get(user=request.user, project=project, pk=number)


def _version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


# -- pages ----------------------------------------------------------------------------------


@login_required
@require_GET
def plan_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_get(user=request.user, pk=pk)
    rows, outline = _grid(request, project)
    return render(
        request,
        "planning/plan.html",
        {
            "project": project,
            "rows": rows,
            "outline": outline,
            "role": role_of(request.user, project),
            "can_edit": can_edit(request.user, project),
        },
    )


@login_required
@require_GET
def rows_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The grid rows as stored (after "keep theirs")."""
    project = project_get(user=request.user, pk=pk)
    return _answer(request, project)


@login_required
@require_GET
def gantt_json_view(request: HttpRequest, pk: int) -> JsonResponse:
    project = project_get(user=request.user, pk=pk)
    return JsonResponse(
        {
            "tasks": selectors.gantt_tasks(project=project, user=request.user),
            "can_edit": can_edit(request.user, project),
            "status_date": project.status_date.strftime("%Y-%m-%d")
            if project.status_date
            else None,
            "finish": project.scheduled_finish.strftime("%Y-%m-%d")
            if project.scheduled_finish
            else None,
        }
    )


@login_required
@require_GET
def history_view(request: HttpRequest, pk: int) -> HttpResponse:
    from jalon.web.planning.history_display import history_page
    from jalon.web.planning.selectors import HistoryCursor

    project = project_get(user=request.user, pk=pk)
    view = history_page(
        project=project,
        user=request.user,
        before=HistoryCursor.parse(request.GET.get("before")),
        after=HistoryCursor.parse(request.GET.get("after")),
    )
    return render(
        request,
        "planning/history.html",
        {"project": project, "groups": view.groups, "older": view.older, "newer": view.newer},
    )


# -- edits ----------------------------------------------------------------------------------


def _edit(request: HttpRequest, project: Project, task: Task, field: str, value: str) -> Any:
    """Call the one service the typed cell asks for."""
    user, version = request.user, _version(request)
    if field == "name":
        return services.task_update(
            task=task, data={"name": value.strip()}, version=version, user=user
        )
    if field == "duration":
        data = parse_duration_cell(value, project)
        return services.task_update(task=task, data=data, version=version, user=user)
    if field in ("start", "finish"):
        if not value.strip():  # an empty date removes the constraint
            data = {"constraint_type": Task.ConstraintType.ASAP, "constraint_date": None}
        else:
            keep = task.start if field == "start" else task.finish
            default = keep.time() if keep else dt.time(8 if field == "start" else 17)
            when = parse_date(value, field, default)
            # as MS Project: typing a start sets "start no earlier than", a finish
            # "finish no earlier than"
            kind = Task.ConstraintType.SNET if field == "start" else Task.ConstraintType.FNET
            data = {"constraint_type": kind, "constraint_date": when}
        return services.task_update(task=task, data=data, version=version, user=user)
    if field == "predecessors":
        with bilingual_input():  # "3FD+2j" as well as "3FS+2d", whatever the language
            return services.task_predecessors_set(task=task, text=value, version=version, user=user)
    if field == "resources":
        return services.task_resources_set(
            task=task, resources=parse_resources(value), version=version, user=user
        )
    if field == "percent_complete":
        return services.task_update(
            task=task,
            data={"percent_complete": parse_percent(value)},
            version=version,
            user=user,
        )
    raise ValidationError({"field": [_("This column cannot be edited.")]})


@login_required
@require_POST
def task_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One cell typed in the grid: ``task``, ``version``, ``field``, ``value``."""
    project = project_get(user=request.user, pk=pk)
    task = _task(request, project, request.POST.get("task"))
    field = request.POST.get("field", "")
    value = request.POST.get("value", "")
    try:
        result = _edit(request, project, task, field, value)
    except ConflictError as exc:
        return _answer(
            request,
            project,
            status=409,
            conflict=_conflict(request, task, exc, field, value),
            focus=task.pk,
        )
    except ValidationError as exc:
        return _answer(
            request,
            project,
            status=422,
            message=_messages(exc),
            level="error",
            invalid={(task.pk, field): value},
            focus=task.pk,
        )
    except PermissionDenied as exc:
        return _answer(request, project, status=403, message=str(exc), level="error")
    return _edited(request, project, result, task.pk)


@login_required
@require_POST
def task_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A new task, after ``after`` (the selected row) or at the end."""
    project = project_get(user=request.user, pk=pk)
    after = request.POST.get("after")
    after_task = _task(request, project, after) if after else None
    name = request.POST.get("name", "").strip() or _("New task")
    try:
        task = services.task_create(
            project=project,
            data={"name": name, "duration": project.minutes_per_day},
            after=after_task,
            user=request.user,
        )
    except ValidationError as exc:
        return _answer(request, project, status=422, message=_messages(exc), level="error")
    except PermissionDenied as exc:
        return _answer(request, project, status=403, message=str(exc), level="error")
    return _answer(request, project, focus=task.pk)


def _sibling_index(task: Task, delta: int) -> int:
    siblings = list(
        Task.objects.filter(project_id=task.project_id, parent_id=task.parent_id)
        .order_by("position")
        .values_list("pk", flat=True)
    )
    return siblings.index(task.pk) + delta


ACTIONS = ("indent", "outdent", "up", "down", "delete")


@login_required
@require_POST
def task_action_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """indent, outdent, up, down, delete the task ``task`` (with ``version``)."""
    project = project_get(user=request.user, pk=pk)
    task = _task(request, project, request.POST.get("task"))
    user, version = request.user, _version(request)
    try:
        if action == "indent":
            services.task_indent(task=task, version=version, user=user)
        elif action == "outdent":
            services.task_outdent(task=task, version=version, user=user)
        elif action in ("up", "down"):
            index = _sibling_index(task, -1 if action == "up" else 1)
            if index >= 0:
                services.task_move(
                    task=task, version=version, user=user, parent=task.parent, index=index
                )
        elif action == "delete":
            services.task_delete(task=task, version=version, user=user)
        else:
            raise ValidationError({"action": [_("Unknown action.")]})
    except ConflictError as exc:
        return _answer(
            request,
            project,
            status=409,
            conflict=_conflict(request, task, exc, action, ""),
            focus=task.pk,
        )
    except ValidationError as exc:
        return _answer(request, project, status=422, message=_messages(exc), level="error")
    except PermissionDenied as exc:
        return _answer(request, project, status=403, message=str(exc), level="error")
    return _answer(request, project, focus=0 if action == "delete" else task.pk)


@login_required
@require_POST
def gantt_drag_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A bar dragged (``start``: a new "start no earlier than") or resized (``finish``:
    the duration becomes the working days from the start to the new finish)."""
    project = project_get(user=request.user, pk=pk)
    task = _task(request, project, request.POST.get("task"))
    user, version = request.user, _version(request)
    mode = request.POST.get("mode", "")
    value = request.POST.get("value", "")
    try:
        if mode == "move":
            when = parse_date(value, "start", task.start.time() if task.start else dt.time(8))
            data: dict[str, Any] = {
                "constraint_type": Task.ConstraintType.SNET,
                "constraint_date": when,
            }
            field = "start"
        elif mode == "resize" and task.start is not None:
            end = parse_date(value, "finish", dt.time(17)).date()
            days = max(1, int(np.busday_count(task.start.date(), end + dt.timedelta(days=1))))
            data = {"duration": days * project.minutes_per_day, "duration_unit": "d"}
            field = "duration"
        else:
            raise ValidationError({"mode": [_("Unknown change.")]})
        result = services.task_update(task=task, data=data, version=version, user=user)
    except ConflictError as exc:
        return _answer(
            request,
            project,
            status=409,
            conflict=_conflict(request, task, exc, field, value),
            focus=task.pk,
        )
    except ValidationError as exc:
        return _answer(request, project, status=422, message=_messages(exc), level="error")
    except PermissionDenied as exc:
        return _answer(request, project, status=403, message=str(exc), level="error")
    return _edited(request, project, result, task.pk)


@login_required
@require_POST
def link_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A finish-to-start link drawn from one bar to another."""
    project = project_get(user=request.user, pk=pk)
    predecessor = _task(request, project, request.POST.get("predecessor"))
    successor = _task(request, project, request.POST.get("successor"))
    try:
        if predecessor.pk == successor.pk:
            raise ValidationError({"predecessor": [_("A task cannot follow itself.")]})
        link = services.link_create(predecessor=predecessor, successor=successor, user=request.user)
    except ValidationError as exc:
        return _answer(request, project, status=422, message=_messages(exc), level="error")
    except PermissionDenied as exc:
        return _answer(request, project, status=403, message=str(exc), level="error")
    return _edited(request, project, link, successor.pk)
