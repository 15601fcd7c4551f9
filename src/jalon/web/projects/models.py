"""Projects and who may do what on them."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jalon.web.history import current_user


def first_plan_revision() -> int:
    """A project's plan revision starts at a random number: a project created again with
    the same id (a restored or test database) never matches a plan kept for another."""
    return secrets.randbits(48)


class Project(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACTIVE = "active", _("Active")
        ON_HOLD = "on_hold", _("On hold")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    class Method(models.TextChoices):
        WATERFALL = "waterfall", _("Waterfall")
        AGILE = "agile", _("Agile")
        HYBRID = "hybrid", _("Hybrid")

    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=40, blank=True)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.ACTIVE)
    method = models.CharField(_("method"), max_length=20, choices=Method, default=Method.WATERFALL)

    # what the engine's Plan holds at project level
    start = models.DateTimeField(_("start"))
    finish = models.DateTimeField(_("finish"), null=True, blank=True)
    schedule_from_finish = models.BooleanField(_("schedule from the finish"), default=False)
    status_date = models.DateTimeField(_("status date"), null=True, blank=True)
    calendar_name = models.CharField(_("calendar"), max_length=100, default="Standard")
    minutes_per_day = models.PositiveIntegerField(default=480)
    minutes_per_week = models.PositiveIntegerField(default=2400)
    days_per_month = models.PositiveIntegerField(default=20)
    critical_slack_limit = models.IntegerField(default=0)
    currency = models.CharField(max_length=3, default="EUR")
    metadata = models.JSONField(default=dict, blank=True)

    # computed by schedule_recompute, stored so that lists never reschedule
    scheduled_start = models.DateTimeField(null=True, blank=True, editable=False)
    scheduled_finish = models.DateTimeField(null=True, blank=True, editable=False)
    baseline_finish = models.DateTimeField(null=True, blank=True, editable=False)
    percent_complete = models.FloatField(default=0, editable=False)
    schedule_warnings = models.JSONField(default=list, blank=True, editable=False)
    scheduled_at = models.DateTimeField(null=True, blank=True, editable=False)
    # + 1 by every reschedule, in its transaction: the key of the plans kept loaded
    # between edits (planning/plancache.py)
    plan_revision = models.PositiveBigIntegerField(default=first_plan_revision, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    history = HistoricalRecords(
        get_user=current_user,
        excluded_fields=[
            "scheduled_start",
            "scheduled_finish",
            "baseline_finish",
            "percent_complete",
            "schedule_warnings",
            "scheduled_at",
            "plan_revision",
        ],
    )

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's role on one project. PMO admins (``is_staff``) need none to see everything."""

    class Role(models.TextChoices):
        MANAGER = "manager", _("Manager")
        MEMBER = "member", _("Member")
        VIEWER = "viewer", _("Viewer")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role, default=Role.MEMBER)

    history = HistoricalRecords(get_user=current_user)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="membership_unique_user")
        ]
        ordering = ["project", "role", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} — {self.role} on {self.project}"
