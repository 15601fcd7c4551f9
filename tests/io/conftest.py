"""Shared fixtures for the io tests: the real files under ``../shared/data``."""

from __future__ import annotations

from pathlib import Path

import pytest

# the project root is /.../main; the shared data sits next to it, in /.../shared/data
SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of real files written by other tools (see its SOURCES.md)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared test data not found under {SHARED_DATA}")
    return SHARED_DATA


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``mspdi_path``: one test per .xml file under shared/data/msproject."""
    if "mspdi_path" in metafunc.fixturenames:
        root = SHARED_DATA / "msproject"
        paths = sorted(root.rglob("*.xml")) if root.is_dir() else []
        if paths:
            ids = [p.relative_to(root).as_posix() for p in paths]
            metafunc.parametrize("mspdi_path", paths, ids=ids)
        else:
            skip = pytest.mark.skip(reason=f"no MS Project XML files under {root}")
            metafunc.parametrize("mspdi_path", [pytest.param(None, marks=skip, id="no-data")])
