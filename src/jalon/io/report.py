"""What an import will create: the report every importer returns with its plan.

Every importer in :mod:`jalon.io` is a pure function returning an :class:`ImportResult`:
the :class:`~jalon.engine.model.Plan` to create and an :class:`ImportReport` counting what
the plan holds, with the warnings met while reading and what the file held that Jalon
leaves out. Nothing is written anywhere: a service stores the plan, atomically.

Error type: importers raise :class:`~jalon.engine.errors.FormatError` and nothing else.
It names the file and, where known, the row, field or element (``FormatError(message,
path=..., line=...)``). There is no importer-specific subclass: callers catch one type.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from jalon.engine.model import Plan

REPORT_KEYS = (
    "format",
    "tasks",
    "summary_tasks",
    "milestones",
    "links",
    "resources",
    "assignments",
    "warnings",
    "ignored",
)


@dataclass(frozen=True)
class ImportReport:
    """Counts of what an import would create.

    ``tasks`` counts every task (summary tasks and milestones included); ``summary_tasks``
    and ``milestones`` are the parts of it that are summaries and (non-summary) milestones.
    """

    format: str
    tasks: int
    summary_tasks: int
    milestones: int
    links: int
    resources: int
    assignments: int
    warnings: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The report as ``jalon import --dry-run --json`` prints it."""
        return {
            "format": self.format,
            "tasks": self.tasks,
            "summary_tasks": self.summary_tasks,
            "milestones": self.milestones,
            "links": self.links,
            "resources": self.resources,
            "assignments": self.assignments,
            "warnings": list(self.warnings),
            "ignored": list(self.ignored),
        }


@dataclass(frozen=True)
class ImportResult:
    plan: Plan
    report: ImportReport


def report_for(
    plan: Plan, format: str, warnings: Iterable[str] = (), ignored: Iterable[str] = ()
) -> ImportReport:
    """Count what ``plan`` holds. Repeated messages are kept once, in first-seen order."""
    summaries = {t.parent for t in plan.tasks if t.parent is not None}
    milestones = sum(1 for t in plan.tasks if t.uid not in summaries and t.is_milestone)
    return ImportReport(
        format=format,
        tasks=len(plan.tasks),
        summary_tasks=len(summaries),
        milestones=milestones,
        links=len(plan.links),
        resources=len(plan.resources),
        assignments=len(plan.assignments),
        warnings=tuple(dict.fromkeys(warnings)),
        ignored=tuple(dict.fromkeys(ignored)),
    )


def result_for(
    plan: Plan, format: str, warnings: Iterable[str] = (), ignored: Iterable[str] = ()
) -> ImportResult:
    """Shorthand: the plan with its report."""
    return ImportResult(plan, report_for(plan, format, warnings, ignored))


__all__ = ["REPORT_KEYS", "ImportReport", "ImportResult", "report_for", "result_for"]
