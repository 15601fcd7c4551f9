"""Forms of the planning app."""

from __future__ import annotations

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


class ImportConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    name = forms.CharField(label=_("Project name"), required=False, max_length=200)


class BaselineForm(forms.Form):
    number = forms.IntegerField(label=_("Baseline"), min_value=0, max_value=10, initial=0)
