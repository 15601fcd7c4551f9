"""User management by PMO admins, through the pages and the services."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from jalon.web.accounts import services
from jalon.web.accounts.selectors import can_create_projects, is_pmo_admin

pytestmark = pytest.mark.django_db
User = get_user_model()


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_admin_creates_a_project_manager(admin: Any) -> None:
    response = client_for(admin).post(
        reverse("accounts:user_create"),
        {
            "username": "nina",
            "first_name": "Nina",
            "email": "nina@example.org",
            "password": "a long enough passphrase",
            "can_create_projects": "on",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    nina = User.objects.get(username="nina")
    assert nina.check_password("a long enough passphrase")
    assert can_create_projects(nina)
    assert not is_pmo_admin(nina)


def test_weak_password_is_a_form_error(admin: Any) -> None:
    response = client_for(admin).post(
        reverse("accounts:user_create"), {"username": "weak", "password": "123", "is_active": "on"}
    )
    assert response.status_code == 200
    assert b"errorlist" in response.content
    assert not User.objects.filter(username="weak").exists()


def test_admin_edits_a_user_and_cannot_demote_themselves(admin: Any, make_user: Any) -> None:
    bob = make_user("bob")
    response = client_for(admin).post(
        reverse("accounts:user_edit", args=[bob.pk]),
        {"username": "bob", "last_name": "Morane", "is_staff": "on", "is_active": "on"},
    )
    assert response.status_code == 302
    bob.refresh_from_db()
    assert bob.last_name == "Morane"
    assert is_pmo_admin(bob)
    response = client_for(admin).post(
        reverse("accounts:user_edit", args=[admin.pk]), {"username": "pmo", "is_active": "on"}
    )
    assert response.status_code == 200
    admin.refresh_from_db()
    assert admin.is_staff


def test_only_admins_manage_users(make_user: Any) -> None:
    manager = make_user("manager", creator=True)
    response = client_for(manager).post(
        reverse("accounts:user_create"), {"username": "x", "password": "a long passphrase"}
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="x").exists()
    with pytest.raises(PermissionDenied):
        services.user_create(username="x", password="a long passphrase", user=manager)
