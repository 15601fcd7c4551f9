"""Settings and security: production check, passwords, throttling, CSRF, databases."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from jalon.web.settings import database, email_settings

pytestmark = pytest.mark.django_db


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("JALON_", "DJANGO_"))
    }
    env.update(
        JALON_DATA_DIR=str(tmp_path),
        JALON_HTTPS="true",
        JALON_ALLOWED_HOSTS="jalon.example.org",
        DJANGO_SETTINGS_MODULE="jalon.web.settings",
    )
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    # the generated secret key is kept for the next start, readable by its owner only
    key = tmp_path / "secret_key"
    assert len(key.read_text()) >= 50
    assert key.stat().st_mode & 0o077 == 0


def test_argon2_hashes_passwords() -> None:
    assert settings.PASSWORD_HASHERS  # the tests swap in a fast hasher; production:
    from jalon.web import settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_sqlite_uses_wal_and_immediate_transactions(tmp_path: Path) -> None:
    config = database(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert database("postgresql://u:p@db.example:5433/jalon")["ENGINE"].endswith("postgresql")


def test_email_url() -> None:
    smtp = email_settings("smtps://me%40x.org:s3cret@mail.example:465")
    assert smtp["EMAIL_HOST"] == "mail.example"
    assert smtp["EMAIL_HOST_USER"] == "me@x.org"
    assert smtp["EMAIL_USE_SSL"]
    assert email_settings(None)["EMAIL_BACKEND"].endswith("console.EmailBackend")
    with pytest.raises(ValueError, match="JALON_EMAIL_URL"):
        email_settings("imap://x")


def test_login_is_throttled(make_user: Any) -> None:
    make_user("alice")
    client = Client()
    url = reverse("accounts:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": "alice", "password": "wrong"})
    response = client.post(url, {"username": "alice", "password": "correct horse battery"})
    assert response.status_code == 429
    assert b"Too many failed logins" in response.content


def test_login_logout(make_user: Any) -> None:
    make_user("bob")
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": "bob", "password": "correct horse battery"}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get("/").status_code == 302


def test_csrf_is_enforced(project_roles: dict[str, Any]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(project_roles["manager"])
    project = project_roles["project"]
    response = client.post(reverse("planning:baseline", args=[project.pk]), {"number": 0})
    assert response.status_code == 403
    assert not project.baselines.exists()


def test_password_reset_sends_a_link(make_user: Any, mailoutbox: list[Any]) -> None:
    user = make_user("carol")
    user.email = "carol@example.org"
    user.save()
    response = Client().post(reverse("accounts:password_reset"), {"email": "carol@example.org"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "/accounts/password/reset/" in mailoutbox[0].body


def test_pages_send_secure_headers(project_roles: dict[str, Any]) -> None:
    client = Client()
    client.force_login(project_roles["viewer"])
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
