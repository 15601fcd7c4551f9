"""Account forms (login, password forms are Django's own)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class UserForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    is_staff = forms.BooleanField(
        label=_("PMO admin (sees and manages every project)"), required=False
    )
    can_create_projects = forms.BooleanField(label=_("Can create projects"), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput, required=False, strip=False
    )

    def __init__(self, *args: object, creating: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.creating = creating
        if creating:
            self.fields["password"].required = True
        else:
            self.fields["username"].disabled = True
            del self.fields["password"]

    def account_data(self) -> dict[str, object]:
        return {
            name: self.cleaned_data[name]
            for name in ("first_name", "last_name", "email", "is_staff", "is_active")
        }
