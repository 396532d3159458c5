"""API clients through the real middleware with CSRF enforced: browsers and machines.

A browser proves itself with the session cookie and, for every write, the CSRF token; a
machine with its bearer token, without CSRF, within the token's scopes.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from onestop.audit.models import Entry
from onestop.contributions.models import Declaration, InsuranceRegistration
from onestop.identity import services as identity
from onestop.identity.models import ApiToken

pytestmark = pytest.mark.django_db


def browser(user: Any) -> Client:
    """A signed-in browser holding a CSRF cookie, as after loading any page."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.cookies["csrftoken"] = _get_new_csrf_string()
    return client


def csrf(client: Client) -> dict[str, str]:
    return {"X-CSRFToken": client.cookies["csrftoken"].value}


def test_machine_client_declares_a_month_and_reads_its_bill(world: Any) -> None:
    """bob issues a token in his browser; a machine with it registers, hires, declares, reads."""
    web = browser(world.bob.user)
    issued = web.post(
        "/api/v1/tokens",
        {"name": "payroll system", "scopes": ["contributions:read", "contributions:write"]},
        content_type="application/json",
        headers=csrf(web),
    )
    assert issued.status_code == 201, issued.content
    machine = Client(enforce_csrf_checks=True)
    auth = {"Authorization": f"Bearer {issued.json()['secret']}"}
    base = f"/api/v1/employers/{world.acme.pk}"

    registered = machine.post(
        f"{base}/registrations",
        {"insurances": ["pension"], "since": "2024-01"},
        content_type="application/json",
        headers=auth,
    )
    assert registered.status_code == 201, registered.content
    hired = machine.post(
        f"{base}/employments",
        {"resident_id": world.alice.resident_id, "start": "2026-10", "wage": "6000.00"},
        content_type="application/json",
        headers=auth,
    )
    assert hired.status_code == 201, hired.content
    declared = machine.post(
        f"{base}/declarations",
        {
            "period": "2026-10",
            "rows": [{"resident_id": world.alice.resident_id, "wage": "6,500.30"}],
        },
        content_type="application/json",
        headers={**auth, "Idempotency-Key": "acme-2026-10"},
    )
    assert declared.status_code == 201, declared.content
    bills = machine.get(f"{base}/bills", headers=auth)
    assert bills.status_code == 200
    assert [(b["period"], b["insurance"]) for b in bills.json()] == [("2026-10", "pension")]
    assert bills.json()[0]["amount_due"] == declared.json()["total_due"]
    entry = Entry.objects.filter(action="contributions.declaration.accepted").get()
    assert (entry.actor_label, entry.channel) == (world.bob.user.username, "api")


def test_session_write_without_csrf_token_is_refused(world: Any) -> None:
    """The same write from a browser session needs the CSRF header; without it nothing changes."""
    web = browser(world.bob.user)
    url = f"/api/v1/employers/{world.acme.pk}/registrations"
    body = {"insurances": ["pension"], "since": "2024-01"}
    refused = web.post(url, body, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf"
    assert "X-CSRFToken" in refused.json()["message_en"]
    assert not InsuranceRegistration.objects.exists()
    wrong = web.post(url, body, content_type="application/json", headers={"X-CSRFToken": "x" * 32})
    assert wrong.status_code == 403
    assert not InsuranceRegistration.objects.exists()
    accepted = web.post(url, body, content_type="application/json", headers=csrf(web))
    assert accepted.status_code == 201


def test_token_with_cookie_of_another_session_acts_as_the_token(world: Any) -> None:
    """A bearer token decides who acts, even when a session cookie travels along."""
    issued = identity.token_create(
        actor=world.bob.user, name="kiosk", scopes=["contributions:read"], days=30
    )
    client = browser(world.carol)
    refused = client.post(
        f"/api/v1/employers/{world.acme.pk}/registrations",
        {"insurances": ["pension"], "since": "2024-01"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {issued.secret}"},
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "scope"
    assert not InsuranceRegistration.objects.exists()


def test_token_cannot_mint_tokens_even_without_csrf(world: Any) -> None:
    issued = identity.token_create(
        actor=world.bob.user, name="kiosk", scopes=["profile:read"], days=30
    )
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/v1/tokens",
        {"name": "more", "scopes": ["contributions:write"]},
        content_type="application/json",
        headers={"Authorization": f"Bearer {issued.secret}"},
    )
    assert response.status_code == 403 and response.json()["code"] == "session_only"
    assert ApiToken.objects.count() == 1
    assert not Declaration.objects.exists()


#: The reads of the caller's own records, which ``profile:read`` (the own-data scope) opens.
OWN_DATA_READS = {
    ("get", "/api/v1/me/pension"),
    ("get", "/api/v1/me/retirement"),
    ("get", "/api/v1/me/unemployment"),
    ("get", "/api/v1/me/flexible"),
    ("get", "/api/v1/me/licences"),
    ("get", "/api/v1/me/consents"),
    ("get", "/api/v1/me/consents/offers"),
    ("get", "/api/v1/me/data-use"),
}


def test_every_authenticated_operation_checks_a_scope(world: Any) -> None:
    """A token carrying only ``profile:read`` is refused by every other operation (403/422)
    but the reads of the caller's own records (``OWN_DATA_READS``), which answer."""
    from config.api import api

    issued = identity.token_create(
        actor=world.bob.user, name="kiosk", scopes=["profile:read"], days=30
    )
    client = Client(enforce_csrf_checks=True)
    auth = {"Authorization": f"Bearer {issued.secret}"}
    schema = api.get_openapi_schema()
    checked = 0
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if not operation.get("security") or path == "/api/v1/me":
                continue
            if (method, path) in OWN_DATA_READS:
                answer = client.get(path, headers=auth)
                assert answer.status_code == 200 or answer.json()["code"] == "not_found", path
                continue
            if not any("TokenAuth" in s for s in operation["security"]):
                continue  # browser session only (token management)
            url = path.replace("{", "").replace("}", "")
            for name in ("employer_id", "person_id", "employment_id", "token_id"):
                url = url.replace(name, "1")
            url = url.replace("material_id", "1").replace("notification_id", "1")
            response = getattr(client, method)(
                url, {}, content_type="application/json", headers=auth
            )
            assert response.status_code in {403, 422}, (method, path, response.status_code)
            checked += response.status_code == 403
    # The others refuse the empty body first (422); tests/test_authorization_matrix.py sends
    # each of them a valid body with a token lacking the scope.
    assert checked >= 35
