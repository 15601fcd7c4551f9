"""Reads: tokens, and the calendars they give. A feed shows what its owner may see
now: rights are checked at every request, not when the token was made."""

from __future__ import annotations

import io
import logging
from typing import Any

from django.db.models import QuerySet

from jalon.engine import PlanError, schedule
from jalon.io.ical import write_feed, write_ics
from jalon.web.feeds.models import FeedToken
from jalon.web.feeds.services import token_digest
from jalon.web.planning.mapping import load_plan
from jalon.web.projects.models import Project
from jalon.web.projects.selectors import projects_visible_to

log = logging.getLogger(__name__)


def feed_tokens_of(user: Any) -> QuerySet[FeedToken]:
    return FeedToken.objects.filter(user=user, revoked_at__isnull=True)


def feed_token_for(secret: str) -> FeedToken | None:
    """The active token with this secret, if its owner may still log in; else None."""
    token = (
        FeedToken.objects.select_related("user")
        .filter(digest=token_digest(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    return token


def project_calendar(*, project: Project) -> bytes:
    """One project's milestones and deadlines as an .ics file (rights checked by the
    caller, through ``project_get``)."""
    loaded = load_plan(project)
    out = io.BytesIO()
    write_ics(loaded.plan, schedule(loaded.plan), out, project_id=f"p{project.pk}")
    return out.getvalue()


def user_calendar(*, token: FeedToken) -> bytes:
    """Every project the token's owner may see, in one calendar."""
    entries = []
    for project in projects_visible_to(token.user).order_by("name", "pk"):
        try:
            plan = load_plan(project).plan
            entries.append((f"p{project.pk}", plan, schedule(plan)))
        except PlanError:  # one broken plan must not empty everyone's calendar
            log.warning("feed: project %s cannot be scheduled", project.pk)
    out = io.BytesIO()
    write_feed(entries, out, name=f"Jalon · {token.user.get_username()}")
    return out.getvalue()
