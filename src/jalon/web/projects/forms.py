"""Forms of the projects app: they validate input; services do the writing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from jalon.web.projects.models import Membership, Project

User = get_user_model()


class ProjectCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    start = forms.DateField(
        label=_("Start"), widget=forms.DateInput(attrs={"type": "date"}), initial=dt.date.today
    )
    method = forms.ChoiceField(label=_("Method"), choices=Project.Method.choices)
    status = forms.ChoiceField(
        label=_("Status"), choices=Project.Status.choices, initial=Project.Status.ACTIVE
    )
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)

    def start_datetime(self) -> dt.datetime:
        return dt.datetime.combine(self.cleaned_data["start"], dt.time(8, 0))


class MembershipForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("Person"), queryset=User.objects.filter(is_active=True).order_by("username")
    )
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].label_from_instance = (  # type: ignore[attr-defined]
            lambda u: f"{u.get_full_name()} ({u.username})" if u.get_full_name() else u.username
        )


class PortfolioFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *Project.Status.choices], required=False
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("name", _("Name")),
            ("finish", _("Finish")),
            ("-finish", _("Finish (latest first)")),
            # xgettext:no-python-format
            ("progress", _("% complete")),
            # xgettext:no-python-format
            ("-progress", _("% complete (highest first)")),
            ("status", _("Status")),
        ],
    )
