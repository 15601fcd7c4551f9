"""The planning data: tasks, links, calendars, resources, assignments, baselines.

Fields mirror ``jalon.engine.model`` (durations, work and lags in minutes, naive dates);
``mapping.py`` turns these rows into an engine ``Plan`` and writes the computed schedule
back into the ``computed`` fields, which pages read without rescheduling.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jalon.web.history import current_user
from jalon.web.projects.models import Project

# fields written by schedule_recompute: derived data, left out of the change history
TASK_COMPUTED_FIELDS = (
    "start",
    "finish",
    "early_start",
    "early_finish",
    "late_start",
    "late_finish",
    "total_float",
    "free_float",
    "critical",
    "is_summary",
    "is_milestone",
    "outline_level",
    "outline_number",
    "scheduled_duration",
    "rolled_percent",
)


class Calendar(models.Model):
    """A working calendar. ``project`` None: a portfolio calendar, for people."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="calendars", null=True, blank=True
    )
    name = models.CharField(_("name"), max_length=100)
    base_name = models.CharField(_("based on"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=10, blank=True)
    subdivision = models.CharField(_("region"), max_length=20, blank=True)
    # {"0": [[480, 720], [780, 1020]], ...}: weekday (0 = Monday) -> working minutes;
    # a missing weekday is inherited from the base (or the Standard week)
    week = models.JSONField(default=dict, blank=True)
    # [{"start": "2027-05-07", "finish": "2027-05-07", "name": ..., "working_times": [[s, e]],
    #   "recurrence": {...} | null}, ...]
    exceptions = models.JSONField(default=list, blank=True)
    uid = models.IntegerField(null=True, blank=True)

    history = HistoricalRecords(get_user=current_user)

    class Meta:
        ordering = ["project_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "name"],
                condition=Q(project__isnull=False),
                name="calendar_unique_name_in_project",
            ),
            models.UniqueConstraint(
                fields=["name"], condition=Q(project__isnull=True), name="calendar_unique_global"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Resource(models.Model):
    """A person, team, material or cost, shared by the whole portfolio."""

    class Type(models.TextChoices):
        WORK = "work", _("Work")
        MATERIAL = "material", _("Material")
        COST = "cost", _("Cost")

    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=40, blank=True)  # MS Project's initials
    type = models.CharField(_("type"), max_length=10, choices=Type, default=Type.WORK)
    email = models.EmailField(_("e-mail"), blank=True)
    group = models.CharField(_("group"), max_length=100, blank=True)
    max_units = models.FloatField(_("max units"), default=1.0)
    standard_rate = models.FloatField(_("rate per hour"), default=0)
    overtime_rate = models.FloatField(_("overtime rate per hour"), default=0)
    cost_per_use = models.FloatField(_("cost per use"), default=0)
    calendar = models.ForeignKey(
        Calendar,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resources",
        limit_choices_to={"project__isnull": True},
    )
    skills = models.JSONField(_("skills"), default=list, blank=True)
    # the account of the person, so that members can update progress on their own tasks
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resource",
    )
    active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)

    history = HistoricalRecords(get_user=current_user)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class Task(models.Model):
    class Unit(models.TextChoices):
        MINUTE = "m", _("minutes")
        HOUR = "h", _("hours")
        DAY = "d", _("days")
        WEEK = "w", _("weeks")
        MONTH = "mo", _("months")

    class ConstraintType(models.IntegerChoices):  # MSPDI codes, as the engine
        ASAP = 0, "ASAP"
        ALAP = 1, "ALAP"
        MSO = 2, "MSO"
        MFO = 3, "MFO"
        SNET = 4, "SNET"
        SNLT = 5, "SNLT"
        FNET = 6, "FNET"
        FNLT = 7, "FNLT"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tasks")
    uid = models.IntegerField()  # the engine's and MS Project's task UID, unique per project
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    position = models.IntegerField()  # outline order over the whole project, 0-based
    name = models.CharField(_("name"), max_length=500, blank=True)
    wbs_code = models.CharField(_("WBS code"), max_length=100, blank=True)
    duration = models.IntegerField(_("duration"), default=0)  # minutes
    duration_unit = models.CharField(max_length=2, choices=Unit, default=Unit.DAY)
    elapsed = models.BooleanField(default=False)
    milestone = models.BooleanField(null=True, blank=True)  # None: zero duration
    constraint_type = models.IntegerField(choices=ConstraintType, default=ConstraintType.ASAP)
    constraint_date = models.DateTimeField(null=True, blank=True)
    deadline = models.DateTimeField(null=True, blank=True)
    calendar = models.ForeignKey(
        Calendar, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks"
    )
    manual = models.BooleanField(default=False)
    manual_start = models.DateTimeField(null=True, blank=True)
    manual_finish = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(default=True)
    priority = models.IntegerField(default=500)
    leveling_delay = models.IntegerField(default=0)
    notes = models.TextField(blank=True)
    # progress
    percent_complete = models.FloatField(default=0)
    actual_start = models.DateTimeField(null=True, blank=True)
    actual_finish = models.DateTimeField(null=True, blank=True)
    remaining_minutes = models.IntegerField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)  # optimistic concurrency

    # computed by schedule_recompute
    start = models.DateTimeField(null=True, blank=True, editable=False)
    finish = models.DateTimeField(null=True, blank=True, editable=False)
    early_start = models.DateTimeField(null=True, blank=True, editable=False)
    early_finish = models.DateTimeField(null=True, blank=True, editable=False)
    late_start = models.DateTimeField(null=True, blank=True, editable=False)
    late_finish = models.DateTimeField(null=True, blank=True, editable=False)
    total_float = models.IntegerField(null=True, blank=True, editable=False)
    free_float = models.IntegerField(null=True, blank=True, editable=False)
    critical = models.BooleanField(default=False, editable=False)
    is_summary = models.BooleanField(default=False, editable=False)
    is_milestone = models.BooleanField(default=False, editable=False)
    outline_level = models.IntegerField(default=1, editable=False)
    outline_number = models.CharField(max_length=100, blank=True, editable=False)
    # a summary's span in working minutes and its children's % complete (duration-weighted)
    scheduled_duration = models.IntegerField(default=0, editable=False)
    rolled_percent = models.FloatField(default=0, editable=False)

    history = HistoricalRecords(get_user=current_user, excluded_fields=list(TASK_COMPUTED_FIELDS))

    class Meta:
        ordering = ["project_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["project", "uid"], name="task_unique_uid"),
        ]
        indexes = [models.Index(fields=["project", "position"], name="task_outline_order")]

    def __str__(self) -> str:
        return f"{self.outline_number} {self.name}".strip()

    @property
    def wbs(self) -> str:
        return self.wbs_code or self.outline_number


class Link(models.Model):
    class Type(models.TextChoices):
        FS = "FS", _("finish-to-start")
        SS = "SS", _("start-to-start")
        FF = "FF", _("finish-to-finish")
        SF = "SF", _("start-to-finish")

    class LagKind(models.TextChoices):
        WORK = "work", _("working time")
        ELAPSED = "elapsed", _("elapsed time")
        PERCENT = "percent", _("percent of the predecessor")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="links")
    predecessor = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="successor_links")
    successor = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="predecessor_links")
    type = models.CharField(max_length=2, choices=Type, default=Type.FS)
    lag_value = models.FloatField(default=0)  # minutes, or percent for PERCENT
    lag_kind = models.CharField(max_length=10, choices=LagKind, default=LagKind.WORK)
    lag_unit = models.CharField(max_length=2, choices=Task.Unit, default=Task.Unit.DAY)

    history = HistoricalRecords(get_user=current_user)

    class Meta:
        ordering = ["project_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="link_unique_pair")
        ]

    def __str__(self) -> str:
        return f"{self.predecessor_id} {self.type} {self.successor_id}"


class Assignment(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="assignments")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments")
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="assignments")
    units = models.FloatField(default=1.0)
    work = models.IntegerField(null=True, blank=True)  # minutes; None: duration x units
    actual_work = models.IntegerField(default=0)
    uid = models.IntegerField(null=True, blank=True)

    history = HistoricalRecords(get_user=current_user)

    class Meta:
        ordering = ["project_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["task", "resource"], name="assignment_unique_pair")
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} on {self.task_id}"


class Baseline(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="baselines")
    number = models.PositiveSmallIntegerField()  # 0 = "Baseline", 1..10
    saved_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(get_user=current_user)

    class Meta:
        ordering = ["project_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="baseline_unique_number"),
            models.CheckConstraint(condition=Q(number__lte=10), name="baseline_number_0_to_10"),
        ]

    def __str__(self) -> str:
        return f"Baseline {self.number}" if self.number else "Baseline"


class BaselineTask(models.Model):
    """One task's planned values in a baseline (bulk data: no history of its own)."""

    baseline = models.ForeignKey(Baseline, on_delete=models.CASCADE, related_name="tasks")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="baseline_values")
    start = models.DateTimeField(null=True, blank=True)
    finish = models.DateTimeField(null=True, blank=True)
    duration = models.IntegerField(default=0)
    work = models.IntegerField(default=0)
    cost = models.FloatField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["baseline", "task"], name="baseline_task_unique")
        ]


class PlanChange(models.Model):
    """What one reschedule of a project changed, for the plans other processes keep
    (``plancache``): a process whose plan is a few revisions old reads the rows these
    name instead of the whole plan.

    One row per project and ``slot`` (``revision`` modulo ``plancache.KEEP``), overwritten
    as revisions go by. ``tasks``: the pks of the task rows whose own fields changed, or
    None when anything else did (outline, links, assignments, calendars, the project);
    ``written``: the pks of the rows whose computed values the reschedule wrote, or None
    when there were too many to list.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    slot = models.PositiveSmallIntegerField()
    revision = models.PositiveBigIntegerField()
    tasks = models.JSONField(null=True)
    written = models.JSONField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "slot"], name="plan_change_unique_slot")
        ]

    def __str__(self) -> str:
        return f"revision {self.revision} of project {self.project_id}"
