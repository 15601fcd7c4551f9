"""Real-browser tests: Playwright driving Debian's chromium (never a downloaded browser)
against pytest-django's live server (SQLite). Skipped, with the reason, when chromium or
the front-end assets (``npm ci``) are missing. Screenshots go to ``screenshots/``."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jalon.web.settings")
os.environ.setdefault("JALON_SECRET_KEY", "tests-only-secret-key-" + "x" * 40)
os.environ.setdefault("JALON_DATA_DIR", tempfile.mkdtemp(prefix="jalon-tests-"))
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API loop

import django

django.setup()

CHROMIUM = os.environ.get("JALON_CHROMIUM", "/usr/bin/chromium")
VENDOR = Path(__file__).resolve().parents[2] / "src/jalon/web/static/vendor"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    reason = None
    if not Path(CHROMIUM).exists():
        reason = f"chromium not found at {CHROMIUM} (Debian: apt-get install chromium)"
    elif not (VENDOR / "frappe-gantt/frappe-gantt.umd.js").exists():
        reason = "front-end assets missing: run `npm ci` (make test does)"
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    # launch() gives chromium a fresh, temporary user-data-dir of its own
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-GB")
    context.set_default_timeout(20_000)
    yield context
    context.close()
