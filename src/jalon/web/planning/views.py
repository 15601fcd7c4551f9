"""Import, export and baselines. Thin: selectors read, services write."""

from __future__ import annotations

import io
import secrets
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jalon.web.accounts.selectors import can_create_projects
from jalon.web.paths import data_dir
from jalon.web.planning import services
from jalon.web.planning.forms import BaselineForm, ImportConfirmForm, ImportForm
from jalon.web.planning.imports import import_preview, plan_read, project_export, project_import
from jalon.web.projects.selectors import project_get

SESSION_KEY = "jalon_import"


def _upload_dir() -> Path:
    path = data_dir() / "uploads"
    path.mkdir(exist_ok=True)
    return path


@login_required
@require_http_methods(["GET", "POST"])
def import_view(request: HttpRequest) -> HttpResponse:
    """Upload a file, see what it holds, then create the project (two steps)."""
    if not can_create_projects(request.user):
        raise PermissionDenied
    if request.method == "POST" and "token" in request.POST:
        return _import_confirm(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        options = form.reader_options()
        try:
            plan = plan_read(io.BytesIO(content), filename=upload.name, options=options)
        except ValidationError as exc:
            form.add_error("file", exc.message_dict.get("file", exc.messages))
        else:
            # the file waits in the data dir (not in the session) until it is confirmed
            token = secrets.token_hex(16)
            suffix = Path(upload.name).suffix.lower()
            (_upload_dir() / f"{token}{suffix}").write_bytes(content)
            request.session[SESSION_KEY] = {
                "token": token,
                "filename": upload.name,
                "options": options,
            }
            confirm = ImportConfirmForm(
                initial={"token": token, "name": form.cleaned_data["name"] or plan.name}
            )
            return render(
                request,
                "planning/import_preview.html",
                {"preview": import_preview(plan), "form": confirm, "filename": upload.name},
            )
    return render(request, "planning/import.html", {"form": form})


def _import_confirm(request: HttpRequest) -> HttpResponse:
    form = ImportConfirmForm(request.POST)
    pending = request.session.get(SESSION_KEY) or {}
    if not form.is_valid() or pending.get("token") != form.cleaned_data["token"]:
        messages.error(request, _("This import has expired: please upload the file again."))
        return redirect("planning:import")
    filename = pending["filename"]
    path = _upload_dir() / f"{pending['token']}{Path(filename).suffix.lower()}"
    if not path.is_file():
        messages.error(request, _("This import has expired: please upload the file again."))
        return redirect("planning:import")
    try:
        plan = plan_read(
            io.BytesIO(path.read_bytes()), filename=filename, options=pending.get("options")
        )
        project = project_import(plan=plan, user=request.user, name=form.cleaned_data["name"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("planning:import")
    finally:
        path.unlink(missing_ok=True)
        request.session.pop(SESSION_KEY, None)
    messages.success(request, _("Project '%(name)s' imported.") % {"name": project.name})
    return redirect("projects:detail", pk=project.pk)


@login_required
def export_view(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    project = project_get(user=request.user, pk=pk)
    try:
        content, filename, content_type = project_export(
            project=project, user=request.user, format=fmt
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("projects:detail", pk=project.pk)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_POST
def baseline_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_get(user=request.user, pk=pk)
    form = BaselineForm(request.POST)
    number = form.cleaned_data["number"] if form.is_valid() else 0
    try:
        services.baseline_set(project=project, number=number, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Baseline saved."))
    return redirect("projects:detail", pk=project.pk)
