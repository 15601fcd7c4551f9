"""Errors raised by the engine. Every error names the task and the field at fault."""

from __future__ import annotations


class PlanError(ValueError):
    """A plan cannot be built or scheduled. The message says what and where."""

    def __init__(self, message: str, *, task: str | None = None, field: str | None = None) -> None:
        self.task = task
        self.field = field
        where = []
        if task is not None:
            where.append(f"task {task}")
        if field is not None:
            where.append(f"field '{field}'")
        self.message = message
        super().__init__(f"{', '.join(where)}: {message}" if where else message)


class ValidationError(PlanError):
    """A value in the plan is invalid (negative duration, unknown calendar, ...)."""


class UnknownReferenceError(ValidationError):
    """A link, assignment or calendar refers to something that does not exist."""


class CycleError(PlanError):
    """The links form a cycle; ``cycle`` lists the tasks in order."""

    def __init__(self, cycle: list[str]) -> None:
        self.cycle = cycle
        path = " -> ".join([*cycle, cycle[0]]) if cycle else "?"
        super().__init__(f"dependency cycle: {path}", field="predecessors")


class FormatError(PlanError):
    """A file could not be read: it names the file and, where known, the line or element."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        self.path = path
        self.line = line
        where = path or "<input>"
        if line is not None:
            where = f"{where}:{line}"
        super().__init__(f"{where}: {message}")
