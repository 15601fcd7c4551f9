"""Helpers of the browser tests (screenshots, log-in)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

SCREENSHOTS = Path(__file__).parent / "screenshots"


def shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def login(page: Any, base: str, username: str, password: str = "correct horse battery") -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")
    page.wait_for_selector("header .usermenu")


def bar_centre(page: Any, pk: int) -> tuple[float, float]:
    """Where to grab task ``pk``'s Gantt bar."""
    box = page.locator(f'#gantt .bar-wrapper[data-id="t{pk}"] .bar').bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def drag(page: Any, x: float, y: float, dx: float, steps: int = 10) -> None:
    """Press at (x, y), move ``dx`` pixels right in ``steps`` moves, release."""
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, steps + 1):
        page.mouse.move(x + dx * step / steps, y)
    page.mouse.up()
