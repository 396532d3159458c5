"""An employer cannot enrol a person after their death (hostile pass H3: a ghost employee
whose months land in the declaration template), through the API and the page."""

from __future__ import annotations

from typing import Any

import pytest
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from onestop.contributions.models import Employment
from onestop.exchange.licences import death_registered

pytestmark = pytest.mark.django_db


def browser(user: Any) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.cookies["csrftoken"] = _get_new_csrf_string()
    return client


@pytest.fixture
def dead(world: Any) -> Client:
    """civil affairs registered dave's death on 2026-10-01; acme is registered; bob's browser."""
    death_registered(
        {
            "subject": world.dave.resident_id,
            "source": "civil_affairs",
            "data": {"date": "2026-10-01", "certificate_no": "SW20261001000009"},
        }
    )
    bob = browser(world.bob.user)
    registered = bob.post(
        f"/api/v1/employers/{world.acme.pk}/registrations",
        {"insurances": ["pension"], "since": "2024-01"},
        content_type="application/json",
        headers={"X-CSRFToken": bob.cookies["csrftoken"].value},
    )
    assert registered.status_code == 201, registered.content
    return bob


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_api_refuses_to_enrol_the_dead(world: Any, dead: Client, language: str) -> None:
    hired = dead.post(
        f"/api/v1/employers/{world.acme.pk}/employments",
        {"resident_id": world.dave.resident_id, "start": "2026-11", "wage": "6000.00"},
        content_type="application/json",
        headers={"X-CSRFToken": dead.cookies["csrftoken"].value, "Accept-Language": language},
    )
    assert hired.status_code == 400, hired.content
    problem = hired.json()
    assert problem["code"] == "deceased"
    assert "2026-10" in problem["message_en"] and "死亡" in problem["message_zh"]
    assert not Employment.objects.filter(person=world.dave).exists()


def test_the_page_refuses_to_enrol_the_dead(world: Any, dead: Client) -> None:
    answer = dead.post(
        f"/employer/{world.acme.pk}/employees/",
        {
            "csrfmiddlewaretoken": dead.cookies["csrftoken"].value,
            "resident_id": world.dave.resident_id,
            "start": "2026-11",
            "wage": "6000.00",
            "post_category": "general",
            "add": "1",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert answer.status_code in (200, 400)
    assert "died in 2026-10" in answer.content.decode()
    assert not Employment.objects.filter(person=world.dave).exists()


def test_months_before_the_death_may_still_be_enrolled(world: Any, dead: Client) -> None:
    hired = dead.post(
        f"/api/v1/employers/{world.acme.pk}/employments",
        {"resident_id": world.dave.resident_id, "start": "2026-10", "wage": "6000.00"},
        content_type="application/json",
        headers={"X-CSRFToken": dead.cookies["csrftoken"].value},
    )
    assert hired.status_code != 400 or hired.json()["code"] != "deceased", hired.content
