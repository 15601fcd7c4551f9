"""The feed URL (no login: the secret is the key), the token page, and one project's
calendar file."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jalon.web.feeds import selectors, services
from jalon.web.feeds.models import FeedToken
from jalon.web.projects.selectors import project_get

CALENDAR = "text/calendar; charset=utf-8"


@require_GET
def feed_view(_request: HttpRequest, secret: str) -> HttpResponse:
    token = selectors.feed_token_for(secret)
    if token is None:
        raise Http404("No such feed")
    response = HttpResponse(selectors.user_calendar(token=token), content_type=CALENDAR)
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
@require_GET
def project_calendar_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_get(user=request.user, pk=pk)
    response = HttpResponse(selectors.project_calendar(project=project), content_type=CALENDAR)
    response["Content-Disposition"] = f'attachment; filename="project-{project.pk}.ics"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def tokens_view(request: HttpRequest) -> HttpResponse:
    new_url = ""
    if request.method == "POST":
        _, secret = services.feed_token_create(
            user=request.user, label=request.POST.get("label", "")
        )
        # shown once: only the digest is kept
        new_url = request.build_absolute_uri(f"/feeds/{secret}.ics")
    return render(
        request,
        "feeds/tokens.html",
        {"tokens": selectors.feed_tokens_of(request.user), "new_url": new_url},
    )


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(FeedToken, pk=pk, user=request.user)
    services.feed_token_revoke(token=token, user=request.user)
    return redirect("feeds:tokens")
