"""Durations and predecessors in the interface's language: shown "5d", "3FS+2d" in
English and "5j", "3FD+2j" in French (MS Project's French edition), read in either
language whatever the interface's; the API stays English."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from jalon.engine import DurationUnit
from jalon.io.links import Units
from jalon.web.planning import services
from jalon.web.planning.editor_render import parse_duration_cell
from jalon.web.planning.linktext import (
    LinkTextError,
    bilingual_input,
    days_text,
    duration_text,
    parse_predecessors,
    read_duration,
)
from jalon.web.planning.models import Link, Task
from jalon.web.planning.selectors import link_suffix, predecessors_text

D, W, H, M, MO = (DurationUnit.DAY, DurationUnit.WEEK, DurationUnit.HOUR, DurationUnit.MINUTE,
                  DurationUnit.MONTH)  # fmt: skip
REFS = {"1": 10, "2": 20, "1.2": 12, "ADD": 30, "#7": 70}


@pytest.mark.parametrize(
    ("minutes", "unit", "elapsed", "english", "french"),
    [
        (5 * 480, D, False, "5d", "5j"),
        (720, D, False, "1.5d", "1.5j"),
        (2 * 2400, W, False, "2w", "2sem"),
        (240, H, False, "4h", "4h"),
        (30, M, False, "30m", "30min"),
        (9600, MO, False, "1mo", "1ms"),
        (3 * 1440, D, True, "3ed", "3jé"),
        (2 * 10080, W, True, "2ew", "2semé"),
        (0, D, False, "0d", "0j"),
    ],
)
def test_duration_shown_in_the_language(
    minutes: int, unit: DurationUnit, elapsed: bool, english: str, french: str
) -> None:
    with translation.override("en"):
        assert duration_text(minutes, unit, elapsed) == english
        assert duration_text(minutes, unit.value, elapsed) == english
    with translation.override("fr"):
        assert duration_text(minutes, unit, elapsed) == french


def test_days_shown_in_the_language() -> None:
    with translation.override("en"):
        assert (days_text(1200, 480), days_text(-480, 480), days_text(None, 480)) == (
            "2.5d",
            "-1d",
            "",
        )
    with translation.override("fr"):
        assert (days_text(1200, 480), days_text(-480, 480)) == ("2.5j", "-1j")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5d", (2400, D, False)),
        ("5j", (2400, D, False)),
        ("5 jours", (2400, D, False)),
        ("5", (2400, D, False)),
        ("1,5j", (720, D, False)),
        ("1.5d", (720, D, False)),
        ("2w", (4800, W, False)),
        ("2sem", (4800, W, False)),
        ("4h", (240, H, False)),
        ("30min", (30, M, False)),
        ("30mn", (30, M, False)),
        ("1mo", (9600, MO, False)),
        ("1ms", (9600, MO, False)),
        ("1 mois", (9600, MO, False)),
        ("3ed", (4320, D, True)),
        ("3jé", (4320, D, True)),
        ("3je", (4320, D, True)),
        ("3JÉ", (4320, D, True)),
        ("1semé", (10080, W, True)),
        ("2hé", (120, H, True)),
    ],
)
@pytest.mark.parametrize("language", ["en", "fr"])
def test_duration_read_in_either_language(
    text: str, expected: tuple[int, DurationUnit, bool], language: str
) -> None:
    with translation.override(language):
        assert read_duration(text, Units()) == expected


def test_duration_read_back_from_what_is_shown() -> None:
    units = Units(420, 2100, 21)  # a 7-hour day
    for minutes, unit, elapsed in [(630, D, False), (2100, W, False), (8820, MO, True)]:
        for language in ("en", "fr"):
            with translation.override(language):
                shown = duration_text(
                    minutes,
                    unit,
                    elapsed,
                    minutes_per_day=420,
                    minutes_per_week=2100,
                    days_per_month=21,
                )
                assert read_duration(shown, units) == (minutes, unit, elapsed)


@pytest.mark.parametrize(
    ("language", "text", "message"),
    [
        ("en", "abc", "'abc' is not a duration: type a number and a unit, like 5d, 4h, 2w"),
        (
            "fr",
            "abc",
            "« abc » n'est pas une durée : tapez un nombre et une unité, comme 5j, 4h, 2sem",
        ),
        ("fr", "5x", "« 5x » n'est pas une durée"),
        ("en", "-2d", "A duration cannot be negative."),
        ("fr", "-2j", "Une durée ne peut pas être négative."),
        ("fr", "99999999j", "La durée « 99999999j » est trop longue."),
    ],
)
def test_duration_errors_are_translated(language: str, text: str, message: str) -> None:
    with translation.override(language), pytest.raises(ValueError, match="^" + re.escape(message)):
        read_duration(text, Units())


def specs(text: str, **kw: Any) -> list[tuple[Any, ...]]:
    return [
        (s.predecessor, s.type, s.lag_value, s.lag_kind, s.lag_unit)
        for s in parse_predecessors(text, REFS, **kw)
    ]


@pytest.mark.parametrize(
    ("french", "english"),
    [
        ("1FD+2j", "1FS+2d"),
        ("1.2DD-1sem", "1.2SS-1w"),
        ("2DF+3jé; #7FF", "2SF+3ed; #7FF"),
        ("1FD+50%", "1FS+50%"),
        ("ADDDD+4h", "ADDSS+4h"),  # the WBS code "ADD", then "DD"
        ("1fd+2J", "1FS+2d"),
    ],
)
@pytest.mark.parametrize("language", ["en", "fr"])
def test_predecessors_read_in_either_language(french: str, english: str, language: str) -> None:
    with translation.override(language):
        expected = specs(english)
        assert specs(french, bilingual=True) == expected
        assert specs(english, bilingual=True) == expected
        with bilingual_input():
            assert specs(french) == expected


def test_predecessors_english_only_without_bilingual() -> None:
    """The API's reading (no ``bilingual``): French types and units are unknown."""
    for text in ("1FD+2j", "1FS+2j", "1DD"):
        with pytest.raises(LinkTextError):
            specs(text)


@pytest.mark.parametrize(
    ("language", "text", "message"),
    [
        ("en", "9FS", "'9FS': unknown task '9' (use a WBS code or outline number, like 3FS+2d)"),
        ("fr", "9FD", "« 9FD » : tâche « 9 » inconnue (utilisez un code WBS ou un numéro "
                      "hiérarchique, comme 3FD+2j)"),
        ("fr", "1FD+2x", "« 1FD+2x » : unité inconnue (écrivez 3FD+2j"),
        ("en", "1FS+2x", "'1FS+2x': unknown unit (write 3FS+2d"),
        ("fr", "1, 1DD", "« 1DD » : cette tâche est déjà un prédécesseur"),
    ],
)  # fmt: skip
def test_predecessor_errors_are_translated(language: str, text: str, message: str) -> None:
    with translation.override(language), pytest.raises(LinkTextError, match=re.escape(message)):
        specs(text, bilingual=True)


@pytest.mark.parametrize(
    ("args", "english", "french"),
    [
        (("FS", 0, "work", "d"), "", ""),
        (("SS", 0, "work", "d"), "SS", "DD"),
        (("FS", 960, "work", "d"), "FS+2d", "FD+2j"),
        (("SF", -2400, "work", "w"), "SF-1w", "DF-1sem"),
        (("FF", 4320, "elapsed", "d"), "FF+3ed", "FF+3jé"),
        (("FS", 50, "percent", "d"), "FS+50%", "FD+50%"),
        (("FS", 30, "work", "m"), "FS+30m", "FD+30min"),
    ],
)
def test_link_suffix(args: tuple[Any, ...], english: str, french: str) -> None:
    assert link_suffix(*args, 480) == english
    assert link_suffix(*args, 480, french=True) == french


# -- through the editor ---------------------------------------------------------------------


def client_for(user: Any, language: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def edit(client: Client, project: Any, t: Task, field: str, value: str) -> Any:
    return client.post(
        reverse("planning:task_edit", args=[project.pk]),
        {"task": t.pk, "version": t.version, "field": field, "value": value},
    )


def test_grid_shows_french_units(project_roles: dict[str, Any]) -> None:
    project = project_roles["project"]
    build = Task.objects.get(project=project, uid=3)
    Link.objects.filter(successor=build).update(type="SS", lag_value=960)
    url = reverse("planning:plan", args=[project.pk])
    fr = client_for(project_roles["manager"], "fr").get(url).content.decode()
    en = client_for(project_roles["manager"], "en").get(url).content.decode()
    assert 'name="duration" value="5j"' in fr and 'name="duration" value="5d"' in en
    assert 'value="1.1DD+2j"' in fr and 'value="1.1SS+2d"' in en
    # the summary's duration and the project page's read-only WBS table
    assert 'name="duration" value="15j"' in fr
    detail = reverse("projects:detail", args=[project.pk])
    table = client_for(project_roles["manager"], "fr").get(detail).content.decode()
    assert ">1.1DD+2j<" in table and '<td class="num">5j</td>' in table


@pytest.mark.parametrize("value", ["3sem", "3w"])
def test_french_duration_edit(project_roles: dict[str, Any], value: str) -> None:
    project = project_roles["project"]
    design = Task.objects.get(project=project, uid=2)
    response = edit(client_for(project_roles["manager"], "fr"), project, design, "duration", value)
    assert response.status_code == 200
    design.refresh_from_db()
    assert (design.duration, design.duration_unit, design.elapsed) == (3 * 2400, "w", False)
    assert 'value="3sem"' in response.content.decode()


@pytest.mark.parametrize("value", ["1.1FD+2jé", "1.1FS+2ed"])
def test_french_predecessors_edit(project_roles: dict[str, Any], value: str) -> None:
    project = project_roles["project"]
    build = Task.objects.get(project=project, uid=3)
    response = edit(
        client_for(project_roles["manager"], "fr"), project, build, "predecessors", value
    )
    assert response.status_code == 200
    link = Link.objects.get(successor=build)
    assert (link.type, link.lag_value, link.lag_kind, link.lag_unit) == ("FS", 2880, "elapsed", "d")
    assert 'value="1.1FD+2jé"' in response.content.decode()
    # the API's text stays English, whatever the language
    with translation.override("fr"):
        text = predecessors_text(project=project, user=project_roles["manager"])
    assert text[build.pk] == "1.1FS+2ed"


def test_english_interface_reads_french(project_roles: dict[str, Any]) -> None:
    project = project_roles["project"]
    build = Task.objects.get(project=project, uid=3)
    response = edit(
        client_for(project_roles["manager"], "en"), project, build, "predecessors", "1.1DD-1j"
    )
    assert response.status_code == 200
    assert 'value="1.1SS-1d"' in response.content.decode()


@pytest.mark.parametrize(
    ("language", "field", "value", "message"),
    [
        ("fr", "duration", "5x", "n&#x27;est pas une durée : tapez un nombre et une unité, "
                                 "comme 5j"),
        ("en", "duration", "5x", "is not a duration: type a number and a unit, like 5d"),
        ("fr", "predecessors", "1.1FD+2x", "unité inconnue (écrivez 3FD+2j"),
        ("fr", "predecessors", "9FD", "tâche « 9 » inconnue"),
    ],
)  # fmt: skip
def test_bad_input_message_in_the_language(
    project_roles: dict[str, Any], language: str, field: str, value: str, message: str
) -> None:
    project = project_roles["project"]
    build = Task.objects.get(project=project, uid=3)
    response = edit(client_for(project_roles["manager"], language), project, build, field, value)
    assert response.status_code == 422
    text = response.content.decode()
    assert message in text
    assert f'value="{value}"' in text and 'aria-invalid="true"' in text


def test_service_alone_stays_english(project_roles: dict[str, Any]) -> None:
    """``task_predecessors_set`` as the API calls it reads English only."""
    project = project_roles["project"]
    build = Task.objects.get(project=project, uid=3)
    with pytest.raises(ValidationError):
        services.task_predecessors_set(
            task=build, text="1.1FD+2j", version=build.version, user=project_roles["manager"]
        )


def test_history_in_french(project_roles: dict[str, Any]) -> None:
    project = project_roles["project"]
    design = Task.objects.get(project=project, uid=2)
    manager = project_roles["manager"]
    data = parse_duration_cell("7j", project)
    services.task_update(task=design, data=data, version=design.version, user=manager)
    url = reverse("planning:history", args=[project.pk])
    fr = client_for(manager, "fr").get(url).content.decode()
    en = client_for(manager, "en").get(url).content.decode()
    assert "7j" in fr and "5j" in fr
    assert "7d" in en and "5d" in en
