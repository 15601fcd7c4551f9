"""File formats <-> engine data. Pure functions: no Django, no network."""

from __future__ import annotations

import os
from pathlib import Path

from jalon.engine.errors import FormatError
from jalon.engine.model import Plan
from jalon.engine.results import Schedule

FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".xml": "mspdi"}


def detect_format(path: str | os.PathLike[str], format: str | None = None) -> str:
    if format:
        fmt = format.lower()
        if fmt in ("yaml", "yml"):
            return "yaml"
        if fmt in ("json", "mspdi"):
            return fmt
        if fmt in ("xml", "msproject"):
            return "mspdi"
        raise FormatError(f"unknown format '{format}' (use yaml, json or xml)", path=str(path))
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise FormatError(
            f"cannot tell the format from the suffix '{suffix}' (use .yaml, .yml, .json or .xml)",
            path=str(path),
        )
    return FORMATS[suffix]


def load_plan(path: str | os.PathLike[str], format: str | None = None) -> Plan:
    """Read a plan: Jalon YAML/JSON or MS Project XML (format from the suffix by default)."""
    fmt = detect_format(path, format)
    p = Path(path)
    if not p.is_file():
        raise FormatError("no such file", path=str(path))
    if fmt == "mspdi":
        from jalon.io.msproject_xml import read_mspdi

        with p.open("rb") as stream:
            return read_mspdi(stream, name=str(path))
    from jalon.io.plan_yaml import read_plan

    with p.open("rb") as stream:
        return read_plan(stream, name=str(path), format=fmt)


def save_plan(
    plan: Plan,
    path: str | os.PathLike[str],
    format: str | None = None,
    schedule: Schedule | None = None,
) -> None:
    """Write a plan as Jalon YAML/JSON or MS Project XML."""
    fmt = detect_format(path, format)
    if fmt == "mspdi":
        from jalon.engine.cpm import schedule as compute
        from jalon.io.msproject_xml import write_mspdi

        with Path(path).open("wb") as stream:
            write_mspdi(plan, schedule or compute(plan), stream)
        return
    from jalon.io.plan_yaml import write_plan

    with Path(path).open("wb") as stream:
        write_plan(plan, stream, format=fmt)


__all__ = ["detect_format", "load_plan", "save_plan"]
