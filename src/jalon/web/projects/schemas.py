"""API schemas for projects and members, and the input types every API schema shares.

Input schemas refuse unknown fields, NUL characters, time-zone-aware datetimes (plan dates
are wall-clock times), NaN and integers the databases cannot hold: bad input is a 422
naming the field, never a 500.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import AfterValidator, ConfigDict, Field, NaiveDatetime

from jalon.web.projects.models import Membership, Project

INT32 = 2**31 - 1


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("NUL characters are not allowed")
    return value


def text(max_length: int | None = None, min_length: int = 0) -> Any:
    """A string type: no NUL character, at most ``max_length`` characters."""
    return Annotated[
        str, Field(min_length=min_length, max_length=max_length), AfterValidator(_no_nul)
    ]


Int = Annotated[int, Field(ge=-INT32, le=INT32)]
Count = Annotated[int, Field(ge=0, le=INT32)]
Number = Annotated[float, Field(allow_inf_nan=False, ge=-1e15, le=1e15)]
When = NaiveDatetime


class Input(Schema):
    """Base of request bodies: unknown fields are refused (422), not ignored."""

    model_config = ConfigDict(extra="forbid")


class Page(LimitOffsetPagination):
    """``?limit=`` (default 100, at most 1000) and ``?offset=``; the answer is
    ``{"items": [...], "count": total}``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=1000, **kwargs)


ProjectStatus = Literal[tuple(Project.Status.values)]  # type: ignore[valid-type]
ProjectMethod = Literal[tuple(Project.Method.values)]  # type: ignore[valid-type]
Role = Literal[tuple(Membership.Role.values)]  # type: ignore[valid-type]


class ProjectOut(Schema):
    id: int
    name: str
    code: str
    description: str
    status: str
    method: str
    start: dt.datetime
    finish: dt.datetime | None
    schedule_from_finish: bool
    status_date: dt.datetime | None
    calendar_name: str
    minutes_per_day: int
    minutes_per_week: int
    days_per_month: int
    critical_slack_limit: int
    currency: str
    scheduled_start: dt.datetime | None
    scheduled_finish: dt.datetime | None
    baseline_finish: dt.datetime | None
    percent_complete: float
    schedule_warnings: list[dict[str, Any]]
    scheduled_at: dt.datetime | None
    created_at: dt.datetime
    version: int


class ProjectDetailOut(ProjectOut):
    role: str | None = Field(None, description="your role: admin, manager, member or viewer")


class ProjectCreate(Input):
    name: text(200, 1)  # type: ignore[valid-type]
    start: When
    status: ProjectStatus = Project.Status.ACTIVE.value
    method: ProjectMethod = Project.Method.WATERFALL.value
    description: text() = ""  # type: ignore[valid-type]
    code: text(40) = ""  # type: ignore[valid-type]


class ProjectUpdate(Input):
    version: int = Field(description="the version you loaded: a stale one is a 409")
    name: text(200, 1) | None = None  # type: ignore[valid-type]
    code: text(40) | None = None  # type: ignore[valid-type]
    description: text() | None = None  # type: ignore[valid-type]
    status: ProjectStatus | None = None
    method: ProjectMethod | None = None
    start: When | None = None
    finish: When | None = None
    schedule_from_finish: bool | None = None
    status_date: When | None = None
    calendar_name: text(100, 1) | None = None  # type: ignore[valid-type]
    minutes_per_day: Annotated[int, Field(ge=1, le=1440)] | None = None
    minutes_per_week: Annotated[int, Field(ge=1, le=10080)] | None = None
    days_per_month: Annotated[int, Field(ge=1, le=31)] | None = None
    critical_slack_limit: Int | None = None
    currency: text(3) | None = None  # type: ignore[valid-type]


# fields that may be set to null; for the others, null means "not sent"
PROJECT_NULLABLE = frozenset({"finish", "status_date"})


class MemberOut(Schema):
    user: int
    username: str
    full_name: str
    role: str

    @staticmethod
    def resolve_user(obj: Membership) -> int:
        return obj.user_id

    @staticmethod
    def resolve_username(obj: Membership) -> str:
        return str(obj.user.get_username())

    @staticmethod
    def resolve_full_name(obj: Membership) -> str:
        return str(obj.user.get_full_name())


class MemberIn(Input):
    username: text(150, 1)  # type: ignore[valid-type]
    role: Role


def sent(
    body: Schema,
    nullable: frozenset[str] = frozenset(),
    *,
    exclude: frozenset[str] = frozenset(),
    mode: str = "python",
) -> dict[str, Any]:
    """The fields the client sent (``version`` and ``exclude`` aside). A null is "empty"
    for the fields in ``nullable`` and a 422 for the others. ``mode="json"``: plain JSON
    values (dates as ISO strings), for JSON fields."""
    from django.core.exceptions import ValidationError

    data: dict[str, Any] = body.model_dump(
        exclude_unset=True, exclude={"version", *exclude}, mode=mode
    )
    errors = {
        name: ["This field may not be null."]
        for name, value in data.items()
        if value is None and name not in nullable
    }
    if errors:
        raise ValidationError(errors)
    return data
