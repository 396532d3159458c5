"""Findings of the hostile pass (HOSTILE.md), each written as the behaviour that should hold.

They fail until the finding is fixed; each test's docstring names the finding.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.utils import timezone

from onestop.applications.models import Application
from onestop.audit.models import Entry
from onestop.contributions import individual
from onestop.pensions import services as pensions

pytestmark = pytest.mark.django_db


def browser(user: Any) -> Client:
    """A signed-in browser holding a CSRF cookie, as after loading any page."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.cookies["csrftoken"] = _get_new_csrf_string()
    return client


def csrf(client: Client) -> dict[str, str]:
    return {"X-CSRFToken": client.cookies["csrftoken"].value}


def _claim(client: Client, resident_id: str) -> Any:
    return client.post(
        "/api/v1/applications",
        {
            "item_code": "SX-SI-008",
            "answers": {"deceased_resident_id": resident_id, "relation": "child"},
        },
        content_type="application/json",
        headers=csrf(client),
    )


def test_h1_survivors_claim_for_a_living_person_is_refused(world: Any) -> None:
    """H1: bob files the funeral grant and survivors' benefits (SX-SI-008) for alice, who is
    alive and no relation of his. The filing is refused with a 4xx and no case is opened
    (today: 201, a case in Yanta's queue; any citizen can fill the queue this way)."""
    bob = browser(world.bob.user)
    before = Application.objects.count()
    answer = _claim(bob, world.alice.resident_id)
    assert 400 <= answer.status_code < 500, answer.content
    assert Application.objects.count() == before


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/applications", b'{"item_code": "\\ud800", "answers": {}}'),
        (
            "/api/v1/me/consents",
            b'{"consumer": "\\ud800", "resource": "x", "purpose": "x", "days": 90}',
        ),
    ],
)
def test_h2_a_lone_surrogate_in_json_is_a_400(world: Any, path: str, body: bytes) -> None:
    """H2: JSON may spell a lone UTF-16 surrogate (``"\\ud800"``); Python decodes it to a
    string the database cannot encode, and the API answers 500 (SQLite and PostgreSQL; also
    ``/api/v1/applications/<n>/handover`` ``"to"``). It is bad input: a 4xx in both
    languages, nothing written."""
    alice = browser(world.alice.user)
    answer = alice.post(path, body, content_type="application/json", headers=csrf(alice))
    assert 400 <= answer.status_code < 500, answer.content
    assert "message_zh" in answer.json() and "message_en" in answer.json()


def test_h3_an_employer_cannot_enrol_a_person_after_their_death(world: Any) -> None:
    """H3: civil affairs reported dave's death (2026-10-01); bob enrols him at acme from the
    next month on through the API and gets 201 (a ghost employee: contributions and, later,
    benefits on a dead person's record). The enrolment is refused with a 4xx."""
    pensions.death_event(
        {
            "subject": world.dave.resident_id,
            "source": "civil_affairs",
            "data": {"date": "2026-10-01", "certificate_no": "SW20261001000009"},
        }
    )
    bob = browser(world.bob.user)
    base = f"/api/v1/employers/{world.acme.pk}"
    registered = bob.post(
        f"{base}/registrations",
        {"insurances": ["pension"], "since": "2024-01"},
        content_type="application/json",
        headers=csrf(bob),
    )
    assert registered.status_code == 201, registered.content
    hired = bob.post(
        f"{base}/employments",
        {"resident_id": world.dave.resident_id, "start": "2026-11", "wage": "6000.00"},
        content_type="application/json",
        headers=csrf(bob),
    )
    assert 400 <= hired.status_code < 500, hired.content


def test_h4_a_person_number_past_the_database_integer_is_not_a_500(world: Any) -> None:
    """H4: carol's case search takes ``?person=`` (an IntegerField with no maximum);
    ``99999999999999999999`` reaches the query and the page answers 500 (SQLite: "Python
    int too large to convert to SQLite INTEGER"). It is bad input: the page with the form's
    error, or a 4xx."""
    carol = browser(world.carol)
    answer = carol.get("/staff/cases/?person=99999999999999999999")
    assert answer.status_code < 500


@pytest.mark.django_db(transaction=True)
def test_h6_two_suspensions_at_once_are_one(world: Any) -> None:
    """H6: alice, an individual payer, sends "suspend" from two tabs at the same moment
    (PostgreSQL, two threads through the API). ``payer_suspend`` checks the status without
    a row lock, so both answer 200 and the journal holds two suspensions (seen on the demo:
    three at once, seq 452-454). One wins; the other is 400 ``suspended``; one entry."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks under real concurrency need PostgreSQL (DATABASE_URL)")
    today = timezone.localdate()
    individual.payer_register(
        actor=None,
        person=world.alice,
        base="6000",
        frequency="monthly",
        start_period=today.year * 100 + today.month,
    )
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def suspend() -> None:
        try:
            client = browser(world.alice.user)
            barrier.wait(timeout=10)
            answer = client.post(
                "/api/v1/me/flexible/suspend",
                {},
                content_type="application/json",
                headers=csrf(client),
            )
            statuses.append(answer.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=suspend) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(statuses) == [200, 400]
    assert Entry.objects.filter(action="contributions.individual_payer.suspended").count() == 1
