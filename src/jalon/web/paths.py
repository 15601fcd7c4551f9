"""Where the web application keeps its files: the user's data directory."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from platformdirs import user_data_path


def data_dir() -> Path:
    """``JALON_DATA_DIR`` or the platform's user data directory, created on first use."""
    configured = os.environ.get("JALON_DATA_DIR")
    path = Path(configured) if configured else user_data_path("jalon", appauthor=False)
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key() -> str:
    """``JALON_SECRET_KEY``, else a key generated on first run and kept in the data dir."""
    key = os.environ.get("JALON_SECRET_KEY")
    if key:
        return key
    path = data_dir() / "secret_key"
    if path.is_file():
        return path.read_text(encoding="ascii").strip()
    key = secrets.token_urlsafe(50)
    try:
        # owner-only permissions: the key signs sessions and password-reset links
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process (a gunicorn worker) wrote it first
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as stream:
        stream.write(key)
    return key
