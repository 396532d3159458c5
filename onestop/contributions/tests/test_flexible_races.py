"""A flexible payer's suspend sent twice at once is one suspension (hostile pass H6):
PostgreSQL threads through the API, the status checked on the locked row."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.utils import timezone

from onestop.audit.models import Entry
from onestop.contributions import individual


def browser(user: Any) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.cookies["csrftoken"] = _get_new_csrf_string()
    return client


def _race(world: Any, path: str, count: int) -> list[int]:
    barrier = threading.Barrier(count)
    statuses: list[int] = []

    def send() -> None:
        try:
            client = browser(world.alice.user)
            barrier.wait(timeout=10)
            answer = client.post(
                path,
                {},
                content_type="application/json",
                headers={"X-CSRFToken": client.cookies["csrftoken"].value},
            )
            statuses.append(answer.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return statuses


@pytest.mark.django_db(transaction=True)
def test_suspensions_and_resumptions_at_once_are_one_each(world: Any) -> None:
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
    assert sorted(_race(world, "/api/v1/me/flexible/suspend", 3)) == [200, 400, 400]
    assert Entry.objects.filter(action="contributions.individual_payer.suspended").count() == 1
    assert sorted(_race(world, "/api/v1/me/flexible/resume", 3)) == [200, 400, 400]
    assert Entry.objects.filter(action="contributions.individual_payer.resumed").count() == 1
    payer = individual.payer_of(person=world.alice)
    assert payer is not None and len(payer.pauses) == 1


@pytest.mark.django_db(transaction=True)
def test_a_token_revoked_four_times_at_once_is_journaled_once(world: Any) -> None:
    """Hostile pass L4: ``DELETE /api/v1/tokens/<id>`` four times at once: 204 each, one
    ``identity.token.revoked`` entry."""
    from onestop.identity import services as identity

    if connection.vendor != "postgresql":
        pytest.skip("concurrent requests need PostgreSQL (DATABASE_URL)")
    issued = identity.token_create(
        actor=world.alice.user, name="payroll", scopes=["profile:read"], days=30
    )
    barrier = threading.Barrier(4)
    statuses: list[int] = []

    def revoke() -> None:
        try:
            client = browser(world.alice.user)
            barrier.wait(timeout=10)
            answer = client.delete(
                f"/api/v1/tokens/{issued.token.pk}",
                headers={"X-CSRFToken": client.cookies["csrftoken"].value},
            )
            statuses.append(answer.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=revoke) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert statuses == [204] * 4
    assert Entry.objects.filter(action="identity.token.revoked").count() == 1
