"""An edit in the grid answers with the project header too (out-of-band), so the
finish date and % complete above the grid follow the new schedule."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jalon.web.planning.models import Task

pytestmark = pytest.mark.django_db


def test_edit_refreshes_the_project_header(project_roles: dict[str, Any]) -> None:
    project = project_roles["project"]
    client = Client()
    client.force_login(project_roles["manager"])
    design = Task.objects.get(project=project, uid=2)
    page = client.get(reverse("planning:plan", args=[project.pk])).content.decode()
    assert 'id="project-facts"' in page
    response = client.post(
        reverse("planning:task_edit", args=[project.pk]),
        {"task": design.pk, "version": design.version, "field": "duration", "value": "10d"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    facts = re.search(
        r'<div class="facts" id="project-facts" hx-swap-oob="true">(.*?)</div>', body, re.S
    )
    assert facts is not None
    project.refresh_from_db()
    assert project.scheduled_finish.strftime("%Y-%m-%d") in facts.group(1)
    # Design 10 days + Build 10 days from Monday 4 January 2027: finish on 29 January
    assert "2027-01-29" in facts.group(1)
    response = client.post(
        reverse("planning:task_edit", args=[project.pk]),
        {
            "task": design.pk,
            "version": design.version + 1,
            "field": "percent_complete",
            "value": "50",
        },
    )
    facts = re.search(
        r'id="project-facts" hx-swap-oob="true">(.*?)</div>', response.content.decode(), re.S
    )
    assert facts is not None
    assert "Complete <b>25 %</b>" in facts.group(1)
