"""Who may claim survivors' benefits (SX-SI-008), through the API as a user would: online
only the relative who registered the death; the refusal is the same for a dead person, a
living one and a number of nobody (no register of deaths for strangers), no registry is
asked about the deceased on a filer's word, no certificate number goes back to the filer,
and one open claim per deceased per claimant (hostile pass H1, L3)."""

from __future__ import annotations

from typing import Any

import pytest
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from onestop.applications.models import Application
from onestop.exchange.licences import death_registered
from onestop.exchange.models import Message
from onestop.pensions import services

pytestmark = pytest.mark.django_db

NOBODY = "110101199003077774"  # a valid number no one holds


def browser(user: Any) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.cookies["csrftoken"] = _get_new_csrf_string()
    return client


def claim(client: Client, resident_id: str, language: str = "en") -> Any:
    return client.post(
        "/api/v1/applications",
        {
            "item_code": "SX-SI-008",
            "answers": {"deceased_resident_id": resident_id, "relation": "child"},
        },
        content_type="application/json",
        headers={"X-CSRFToken": client.cookies["csrftoken"].value, "Accept-Language": language},
    )


def died(person: Any, declarant: Any = None) -> None:
    data = {"date": "2026-10-01", "certificate_no": "SW20261001000009"}
    if declarant is not None:
        data["declarant_resident_id"] = declarant.resident_id
    event = {"subject": person.resident_id, "source": "civil_affairs", "data": data}
    death_registered(event)  # both handlers of civil affairs' pushed event
    services.death_event(event)


def test_a_stranger_gets_one_answer_for_the_living_the_dead_and_nobody(world: Any) -> None:
    died(world.dave)  # registered by someone else
    bob = browser(world.bob.user)
    before = Application.objects.count()
    answers = [claim(bob, rid) for rid in (world.alice.resident_id, world.dave.resident_id, NOBODY)]
    assert [a.status_code for a in answers] == [403, 403, 403]
    assert len({a.content for a in answers}) == 1
    body = answers[0].json()
    assert "counter" in body["message_en"] and "窗口" in body["message_zh"]
    assert "SW2026" not in answers[1].content.decode()
    assert Application.objects.count() == before
    # Nobody's data-use log got a registry query on bob's word.
    assert not Message.objects.filter(direction="out").exists()


def test_the_relative_who_registered_the_death_claims_once_online(insured: Any) -> None:
    died(insured.alice, declarant=insured.bob)  # alice was insured: her survivors' benefits
    alice = browser(insured.bob.user)
    filed = claim(alice, insured.alice.resident_id)
    assert filed.status_code == 201, filed.content
    assert "SW20261001000009" not in filed.content.decode()
    [death] = [r for r in filed.json()["licences"] if r["licence_type"] == "death_certificate"]
    assert death["status"] == "found" and "number" not in death
    again = claim(alice, insured.alice.resident_id, language="zh-hans")
    assert again.status_code == 409
    assert again.json()["code"] == "open_case"
    assert "请勿重复提交" in again.json()["message_zh"]
    assert Application.objects.filter(item_code="SX-SI-008").count() == 1


def test_no_claim_for_oneself(world: Any) -> None:
    answer = claim(browser(world.alice.user), world.alice.resident_id)
    assert answer.status_code == 400
    assert answer.json()["code"] == "standing"
