"""User management for PMO admins. Login, logout and passwords are Django's views."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jalon.web.accounts import services
from jalon.web.accounts.forms import UserForm
from jalon.web.accounts.selectors import is_pmo_admin, user_list

User = get_user_model()


def _admin_only(request: HttpRequest) -> None:
    if not is_pmo_admin(request.user):
        raise PermissionDenied


@login_required
def user_list_view(request: HttpRequest) -> HttpResponse:
    _admin_only(request)
    return render(request, "accounts/user_list.html", {"users": user_list(user=request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def user_create_view(request: HttpRequest) -> HttpResponse:
    _admin_only(request)
    form = UserForm(request.POST or None, creating=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_create(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                data=form.account_data(),
                can_create_projects=form.cleaned_data["can_create_projects"],
                user=request.user,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("User created."))
            return redirect("accounts:users")
    return render(request, "accounts/user_form.html", {"form": form, "creating": True})


@login_required
@require_http_methods(["GET", "POST"])
def user_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    _admin_only(request)
    account = get_object_or_404(User, pk=pk)
    initial = {
        "username": account.username,
        "first_name": account.first_name,
        "last_name": account.last_name,
        "email": account.email,
        "is_staff": account.is_staff,
        "is_active": account.is_active,
        "can_create_projects": account.has_perm("projects.add_project"),
    }
    form = UserForm(request.POST or None, initial=initial, creating=False)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(
                account=account,
                data=form.account_data(),
                can_create_projects=form.cleaned_data["can_create_projects"],
                user=request.user,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("User saved."))
            return redirect("accounts:users")
    return render(
        request, "accounts/user_form.html", {"form": form, "creating": False, "account": account}
    )


def _add_errors(form: UserForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error("password" if "password" in form.fields else None, exc.messages)


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens_view(request: HttpRequest) -> HttpResponse:
    """The user's personal API tokens: make one (its secret shown once), see the others."""
    from jalon.web.accounts.selectors import api_tokens_of

    secret = ""
    error = ""
    if request.method == "POST":
        try:
            _token, secret = services.api_token_create(
                user=request.user, name=request.POST.get("name", "").strip()
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    return render(
        request,
        "accounts/api_tokens.html",
        {"tokens": api_tokens_of(request.user), "secret": secret, "error": error},
    )


@login_required
@require_http_methods(["POST"])
def api_token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    from jalon.web.accounts.selectors import api_tokens_of

    token = get_object_or_404(api_tokens_of(request.user), pk=pk)
    services.api_token_revoke(token=token, user=request.user)
    messages.success(request, _("The token is revoked."))
    return redirect("accounts:api_tokens")
