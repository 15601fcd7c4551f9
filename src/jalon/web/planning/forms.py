"""Forms of the planning app."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Plan file"),
        help_text=_(
            "MS Project (.xml, .mpp), Primavera (.xer, PMXML), GanttProject (.gan), Jalon plan "
            "(.yaml, .json), Excel (.xlsx), CSV, Jira CSV, Trello JSON or iCalendar (.ics)"
        ),
    )
    name = forms.CharField(
        label=_("Project name"),
        required=False,
        max_length=200,
        help_text=_("Leave empty to use the name in the file."),
    )
    date_format = forms.CharField(
        label=_("Date format"),
        required=False,
        max_length=100,
        help_text=_(
            "Jira CSV only: the dates' format, e.g. %d.%m.%Y %H:%M, when they are in none of "
            "Jira's usual forms."
        ),
    )
    include_archived = forms.BooleanField(
        label=_("Include archived cards and lists"), required=False, help_text=_("Trello only.")
    )

    def reader_options(self) -> dict[str, Any]:
        """The options for the file's reader (``plan_read``)."""
        options: dict[str, Any] = {}
        if self.cleaned_data.get("date_format"):
            options["date_format"] = self.cleaned_data["date_format"]
        if self.cleaned_data.get("include_archived"):
            options["include_archived"] = True
        return options


class ImportConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    name = forms.CharField(label=_("Project name"), required=False, max_length=200)


class BaselineForm(forms.Form):
    number = forms.IntegerField(label=_("Baseline"), min_value=0, max_value=10, initial=0)


# -- the calendars page ---------------------------------------------------------------------

COUNTRY_NAMES = {
    "FR": _("France"),
    "DE": _("Germany"),
    "GB": _("United Kingdom"),
    "US": _("United States"),
    "ES": _("Spain"),
    "IT": _("Italy"),
    "BE": _("Belgium"),
    "CH": _("Switzerland"),
    "CA": _("Canada"),
    "NL": _("Netherlands"),
    "LU": _("Luxembourg"),
    "PT": _("Portugal"),
    "AT": _("Austria"),
    "IE": _("Ireland"),
}
WEEKDAYS = (
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
)


def country_choices() -> list[tuple[str, Any]]:
    from jalon.engine.calendar import SUPPORTED_COUNTRIES

    return [("", _("No public holidays"))] + [
        (code, f"{COUNTRY_NAMES.get(code, code)} ({code})") for code in SUPPORTED_COUNTRIES
    ]


def regions_of(country: str) -> list[str]:
    """The regions (states, cantons, ...) the ``holidays`` package knows for a country."""
    import holidays

    return list(holidays.list_supported_countries().get(country, []))


class CalendarForm(forms.Form):
    """A project calendar: its base, public holidays, working week and exceptions."""

    name = forms.CharField(label=_("Name"), max_length=100)
    base_name = forms.ChoiceField(label=_("Based on"), required=False)
    country = forms.ChoiceField(label=_("Public holidays of"), required=False)
    subdivision = forms.CharField(
        label=_("Region"),
        max_length=20,
        required=False,
        help_text=_("Optional: BY (Bavaria), ENG (England), QC (Quebec), 57 (Moselle)…"),
    )
    exceptions = forms.CharField(
        label=_("Exceptions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text=_(
            "One a line: a date or a range, then optional working hours, then a name. "
            "2027-05-07 Bridge day · 2027-08-02..2027-08-13 Summer closure · "
            "2027-06-05 08:00-12:00 Saturday worked"
        ),
    )

    def __init__(self, *args: Any, bases: list[str], week_hints: dict[int, str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["base_name"].choices = [("", _("Standard (Mon–Fri 8 h)"))] + [
            (name, name) for name in bases
        ]
        self.fields["country"].choices = country_choices()
        for day, label in enumerate(WEEKDAYS):
            self.fields[f"day_{day}"] = forms.CharField(
                label=label,
                required=False,
                max_length=200,
                widget=forms.TextInput(attrs={"placeholder": week_hints.get(day, "")}),
            )

    def day_fields(self) -> list[forms.BoundField]:
        return [self[f"day_{day}"] for day in range(7)]

    def clean(self) -> dict[str, Any]:
        from jalon.web.planning.calendartext import (
            CalendarTextError,
            parse_exceptions,
            parse_times,
        )

        data = super().clean()
        week: dict[str, list[list[int]]] = {}
        for day in range(7):
            text = (data.get(f"day_{day}") or "").strip()
            if not text:
                continue  # inherited from the base
            try:
                week[str(day)] = parse_times(text)
            except CalendarTextError as exc:
                self.add_error(f"day_{day}", str(exc))
        data["week"] = week
        try:
            data["exceptions_json"] = parse_exceptions(data.get("exceptions") or "")
        except CalendarTextError as exc:
            self.add_error("exceptions", str(exc))
        country = data.get("country") or ""
        region = (data.get("subdivision") or "").strip()
        data["subdivision"] = region
        if region and not country:
            self.add_error("subdivision", _("Choose the country of this region."))
        elif region and region not in regions_of(country):
            self.add_error(
                "subdivision",
                _("Unknown region for %(country)s; known: %(regions)s.")
                % {"country": country, "regions": ", ".join(regions_of(country)) or "—"},
            )
        return data


class ProjectCalendarForm(forms.Form):
    calendar_name = forms.ChoiceField(label=_("Project calendar"))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, names: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["calendar_name"].choices = [(n, n) for n in names]


def add_service_errors(form: forms.Form, exc: Any, fields: dict[str, str] | None = None) -> None:
    """A service's ``ValidationError`` shown on the form: next to the field it names
    (``fields`` maps a service field to a form field), else above the form."""
    fields = fields or {}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, messages in exc.message_dict.items():
        target = fields.get(name, name)
        form.add_error(target if target in form.fields else None, messages)


# -- the resources page ---------------------------------------------------------------------


class ResourceForm(forms.Form):
    """A person (or team, material, cost) of the portfolio. Units in %, rates per hour."""

    name = forms.CharField(label=_("Name"), max_length=200)
    code = forms.CharField(label=_("Initials"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    type = forms.ChoiceField(label=_("Type"))
    group = forms.CharField(label=_("Group"), max_length=100, required=False)
    max_units = forms.FloatField(
        label=_("Max units (%)"),
        min_value=0,
        max_value=10000,
        initial=100,
        help_text=_("100 % = one full-time person; 50 % = half-time; 300 % = a team of 3."),
    )
    standard_rate = forms.FloatField(label=_("Standard rate / h"), min_value=0, initial=0)
    overtime_rate = forms.FloatField(label=_("Overtime rate / h"), min_value=0, initial=0)
    cost_per_use = forms.FloatField(label=_("Cost per use"), min_value=0, initial=0)
    calendar = forms.ModelChoiceField(
        label=_("Calendar"),
        queryset=None,
        required=False,
        empty_label=_("The project's calendar"),
        help_text=_("A portfolio calendar: part time, another country's holidays…"),
    )
    skills = forms.CharField(
        label=_("Skills"),
        max_length=500,
        required=False,
        help_text=_("Separated by commas: Python, SQL, testing"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        from jalon.web.planning.models import Calendar, Resource

        super().__init__(*args, **kwargs)
        self.fields["type"].choices = Resource.Type.choices
        self.fields["calendar"].queryset = Calendar.objects.filter(project__isnull=True)

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "name": d["name"].strip(),
            "code": d["code"].strip(),
            "email": d["email"],
            "type": d["type"],
            "group": d["group"].strip(),
            "max_units": d["max_units"] / 100,
            "standard_rate": d["standard_rate"],
            "overtime_rate": d["overtime_rate"],
            "cost_per_use": d["cost_per_use"],
            "calendar": d["calendar"],
            "skills": [s.strip() for s in d["skills"].split(",") if s.strip()],
        }

    @staticmethod
    def initial_of(resource: Any) -> dict[str, Any]:
        return {
            "name": resource.name,
            "code": resource.code,
            "email": resource.email,
            "type": resource.type,
            "group": resource.group,
            "max_units": round(resource.max_units * 100, 2),
            "standard_rate": resource.standard_rate,
            "overtime_rate": resource.overtime_rate,
            "cost_per_use": resource.cost_per_use,
            "calendar": resource.calendar_id,
            "skills": ", ".join(str(s) for s in resource.skills or []),
            "version": resource.version,
        }


class AssignmentForm(forms.Form):
    """Who works on a task: units in %, work in hours (empty: duration x units)."""

    task = forms.ModelChoiceField(label=_("Task"), queryset=None)
    resource = forms.ModelChoiceField(label=_("Resource"), queryset=None)
    units = forms.FloatField(label=_("Units (%)"), min_value=1, max_value=10000, initial=100)
    work = forms.FloatField(
        label=_("Work (h)"),
        min_value=0,
        required=False,
        help_text=_("Empty: the task's duration × units."),
    )

    def __init__(self, *args: Any, tasks: Any, resources: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["task"].queryset = tasks
        self.fields["task"].label_from_instance = lambda t: f"{t.wbs} {t.name}"
        self.fields["resource"].queryset = resources


class AssignmentEditForm(forms.Form):
    units = forms.FloatField(label=_("Units (%)"), min_value=1, max_value=10000)
    work = forms.FloatField(label=_("Work (h)"), min_value=0, required=False)
