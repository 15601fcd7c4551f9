"""The calendars page of a project: its calendars, the portfolio's and the built-in ones;
create, edit and delete the project's own; choose the project calendar. Thin: selectors
read, services write (and reschedule the project)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jalon.web.errors import ConflictError
from jalon.web.planning import selectors, services
from jalon.web.planning.calendartext import format_exceptions, format_times, recurring
from jalon.web.planning.forms import (
    WEEKDAYS,
    CalendarForm,
    ProjectCalendarForm,
    add_service_errors,
    regions_of,
)
from jalon.web.planning.models import Calendar
from jalon.web.projects.models import Project
from jalon.web.projects.selectors import can_edit, project_get


def _require_edit(request: HttpRequest, project: Project) -> None:
    if not can_edit(request.user, project):
        raise PermissionDenied(_("Only the project's managers can change its plan."))


def _calendar_names(overview: list[selectors.CalendarView]) -> list[str]:
    return [c.name for c in overview]


@login_required
def calendars_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_get(user=request.user, pk=pk)
    overview = selectors.calendar_overview(project=project, user=request.user)
    form = ProjectCalendarForm(
        initial={"calendar_name": project.calendar_name, "version": project.version},
        names=_calendar_names(overview),
    )
    return render(
        request,
        "planning/calendars.html",
        {
            "project": project,
            "calendars": overview,
            "weekdays": WEEKDAYS,
            "project_form": form,
            "can_edit": can_edit(request.user, project),
        },
    )


@login_required
@require_POST
def project_calendar_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose the project calendar (the calendar of tasks without one of their own)."""
    project = project_get(user=request.user, pk=pk)
    overview = selectors.calendar_overview(project=project, user=request.user)
    form = ProjectCalendarForm(request.POST, names=_calendar_names(overview))
    if form.is_valid():
        try:
            services.project_update(
                project=project,
                data={"calendar_name": form.cleaned_data["calendar_name"]},
                version=form.cleaned_data["version"],
                user=request.user,
            )
        except ConflictError as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("The project now works on the calendar '%(name)s'; it was rescheduled.")
                % {"name": form.cleaned_data["calendar_name"]},
            )
    else:
        messages.error(request, _("Choose one of the calendars listed."))
    return redirect("planning:calendars", pk=project.pk)


def _bases(project: Project, user: Any, exclude: str = "") -> list[str]:
    overview = selectors.calendar_overview(project=project, user=user)
    return [c.name for c in overview if c.name != exclude]


def _hints(project: Project, user: Any, base: str) -> dict[int, str]:
    """What an empty weekday means: the base calendar's hours for that day."""
    overview = selectors.calendar_overview(project=project, user=user)
    found = next((c for c in overview if c.name == (base or "Standard")), None)
    if found is None:
        return {}
    return {d.day: format_times(d.times) for d in found.week}


def _initial(calendar: Calendar) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "name": calendar.name,
        "base_name": calendar.base_name,
        "country": calendar.country,
        "subdivision": calendar.subdivision,
        "exceptions": format_exceptions(calendar.exceptions),
    }
    for day, times in calendar.week.items():
        initial[f"day_{day}"] = format_times(times)
    return initial


def _form_page(
    request: HttpRequest, project: Project, form: CalendarForm, calendar: Calendar | None
) -> HttpResponse:
    country = form["country"].value() or ""
    return render(
        request,
        "planning/calendar_form.html",
        {
            "project": project,
            "form": form,
            "calendar": calendar,
            "recurring": recurring(calendar.exceptions) if calendar else [],
            "regions": regions_of(country) if country else [],
        },
        status=422 if form.is_bound and form.errors else 200,
    )


def _data(form: CalendarForm, keep: list[Any]) -> dict[str, Any]:
    d = form.cleaned_data
    return {
        "name": d["name"].strip(),
        "base_name": d["base_name"] or "",
        "country": d["country"] or "",
        "subdivision": d["subdivision"],
        "week": d["week"],
        "exceptions": d["exceptions_json"] + list(keep),
    }


SERVICE_FIELDS = {"week": "__all__", "base_name": "base_name", "calendar": "name"}


@login_required
@require_http_methods(["GET", "POST"])
def calendar_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_get(user=request.user, pk=pk)
    _require_edit(request, project)
    base = request.POST.get("base_name", "")
    form = CalendarForm(
        request.POST or None,
        bases=_bases(project, request.user),
        week_hints=_hints(project, request.user, base),
    )
    if request.method == "POST" and form.is_valid():
        try:
            calendar = services.calendar_create(
                project=project, data=_data(form, []), user=request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc, SERVICE_FIELDS)
        else:
            messages.success(
                request,
                _("Calendar '%(name)s' created; the project was rescheduled.")
                % {"name": calendar.name},
            )
            return redirect("planning:calendars", pk=project.pk)
    return _form_page(request, project, form, None)


@login_required
@require_http_methods(["GET", "POST"])
def calendar_edit_view(request: HttpRequest, pk: int, calendar_pk: int) -> HttpResponse:
    project = project_get(user=request.user, pk=pk)
    calendar = selectors.calendar_get(project=project, user=request.user, pk=calendar_pk)
    _require_edit(request, project)
    base = request.POST.get("base_name", calendar.base_name)
    form = CalendarForm(
        request.POST or None,
        initial=_initial(calendar),
        bases=_bases(project, request.user, exclude=calendar.name),
        week_hints=_hints(project, request.user, base),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.calendar_update(
                calendar=calendar,
                data=_data(form, recurring(calendar.exceptions)),
                user=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc, SERVICE_FIELDS)
            calendar.refresh_from_db()
        else:
            messages.success(
                request,
                _("Calendar '%(name)s' saved; the project was rescheduled.")
                % {"name": calendar.name},
            )
            return redirect("planning:calendars", pk=project.pk)
    return _form_page(request, project, form, calendar)


@login_required
@require_POST
def calendar_delete_view(request: HttpRequest, pk: int, calendar_pk: int) -> HttpResponse:
    project = project_get(user=request.user, pk=pk)
    calendar = selectors.calendar_get(project=project, user=request.user, pk=calendar_pk)
    name = calendar.name
    uses = next(
        (
            c
            for c in selectors.calendar_overview(project=project, user=request.user)
            if c.row is not None and c.row.pk == calendar.pk
        ),
        None,
    )
    if uses is not None and uses.in_use and can_edit(request.user, project):
        reasons = []
        if uses.is_project_calendar:
            reasons.append(_("it is the project calendar"))
        if uses.tasks:
            reasons.append(_("%(n)d task(s) work on it") % {"n": uses.tasks})
        if uses.derived:
            reasons.append(
                _("calendar(s) %(names)s are based on it") % {"names": ", ".join(uses.derived)}
            )
        if uses.resources:
            reasons.append(_("%(n)d resource(s) work on it") % {"n": uses.resources})
        messages.error(
            request,
            _("Calendar '%(name)s' cannot be deleted: %(reasons)s.")
            % {"name": name, "reasons": "; ".join(reasons)},
        )
        return redirect("planning:calendars", pk=project.pk)
    try:
        services.calendar_delete(calendar=calendar, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Calendar '%(name)s' deleted.") % {"name": name})
    return redirect("planning:calendars", pk=project.pk)
