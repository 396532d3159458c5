"""Identity API: masking, scoping, tokens as bearer credentials, CSRF for sessions."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from onestop.audit.models import Entry
from onestop.identity import services
from onestop.identity.models import ApiToken

pytestmark = pytest.mark.django_db


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_person_is_masked(world: Any, client: Client) -> None:
    client.force_login(world.carol)
    body = client.get(f"/api/v1/persons/{world.alice.pk}").json()
    rid = world.alice.resident_id
    assert body["resident_id"] == rid[:4] + "*" * 10 + rid[-4:]
    assert body["phone"] == "138****0001"
    assert body["sex"] == "female" and body["region"] == "610113"


def test_person_list_is_region_scoped_and_searchable(world: Any, client: Client) -> None:
    client.force_login(world.rita)
    body = client.get("/api/v1/persons").json()
    assert {p["id"] for p in body["items"]} == {world.alice.pk, world.bob.pk}
    found = client.get("/api/v1/persons", {"q": world.alice.resident_id}).json()
    assert [p["id"] for p in found["items"]] == [world.alice.pk]
    client.force_login(world.mallory)
    assert client.get("/api/v1/persons", {"q": world.alice.resident_id}).json()["count"] == 0


def test_citizen_lists_only_themselves(world: Any, client: Client) -> None:
    client.force_login(world.alice.user)
    body = client.get("/api/v1/persons").json()
    assert [p["id"] for p in body["items"]] == [world.alice.pk]


def test_reveal_through_api_is_journaled(world: Any, client: Client) -> None:
    client.force_login(world.rita)
    body = client.post(f"/api/v1/persons/{world.alice.pk}/reveal").json()
    assert body == {"resident_id": world.alice.resident_id, "phone": "13800000001"}
    entry = Entry.objects.get(action="identity.person.revealed")
    assert (entry.actor_label, entry.role, entry.channel) == ("rita", "reviewer", "api")
    assert entry.request_id


def test_token_acts_within_its_scopes(world: Any) -> None:
    client = Client()
    issued = services.token_create(
        actor=world.carol, name="kiosk", scopes=["persons:read"], days=30
    )
    ok = client.get(f"/api/v1/persons/{world.alice.pk}", headers=bearer(issued.secret))
    assert ok.status_code == 200
    before = Entry.objects.count()
    denied = client.post(f"/api/v1/persons/{world.alice.pk}/reveal", headers=bearer(issued.secret))
    assert denied.status_code == 403
    assert denied.json()["code"] == "scope"
    # Nothing is revealed; the one new entry is the refusal itself, with its reason.
    assert Entry.objects.count() == before + 1
    refused = Entry.objects.get(action="access.refused")
    assert (refused.actor_label, refused.target_id, refused.changes["reason"]) == (
        "carol",
        str(world.alice.pk),
        "scope",
    )
    assert not Entry.objects.filter(action="identity.person.revealed").exists()
    assert client.get("/api/v1/me", headers=bearer(issued.secret)).status_code == 403
    assert client.get("/api/v1/persons/1", headers=bearer("ost_nope_nope")).status_code == 401
    # The token cannot follow its user out of region scope either.
    assert (
        client.get(f"/api/v1/persons/{world.dave.pk}", headers=bearer(issued.secret)).status_code
        == 404
    )


def test_token_cannot_manage_tokens(world: Any) -> None:
    """A valid token is a known caller doing what tokens may not: 403 ``session_only`` with
    the way to do it (the API tokens page, or the session), in both languages; the same
    request with a session cookie too is the machine's (the token wins). An unknown token
    stays a 401. Nothing is created or revoked."""
    issued = services.token_create(
        actor=world.carol, name="kiosk", scopes=["profile:read"], days=30
    )
    session = Client(enforce_csrf_checks=True)
    session.force_login(world.carol)
    for client in (Client(), session):
        listed = client.get("/api/v1/tokens", headers=bearer(issued.secret))
        assert listed.status_code == 403 and listed.json()["code"] == "session_only"
        response = client.post(
            "/api/v1/tokens",
            {"name": "x", "scopes": ["profile:read"]},
            content_type="application/json",
            headers={**bearer(issued.secret), "accept-language": "en"},
        )
        assert response.status_code == 403
        body = response.json()
        assert body["code"] == "session_only"
        assert "/account/tokens/" in body["message_zh"] and "API 令牌" in body["message_zh"]
        assert (
            body["message"]
            == body["message_en"]
            == (
                "An API token cannot create, list or revoke tokens: sign in and use the API "
                "tokens page (/account/tokens/), or call this with the browser session."
            )
        )
        revoked = client.delete(f"/api/v1/tokens/{issued.token.pk}", headers=bearer(issued.secret))
        assert revoked.status_code == 403
    unknown = Client().post(
        "/api/v1/tokens",
        {"name": "x", "scopes": ["profile:read"]},
        content_type="application/json",
        headers=bearer("ost_nope_nope"),
    )
    assert unknown.status_code == 401 and unknown.json()["code"] == "unauthenticated"
    assert ApiToken.objects.count() == 1
    assert ApiToken.objects.get().revoked_at is None


def test_token_created_through_the_api_with_csrf(world: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice.user)
    payload = {"name": "bank app", "scopes": ["profile:read"], "days": 7}
    refused = client.post("/api/v1/tokens", payload, content_type="application/json")
    assert refused.status_code == 403
    assert ApiToken.objects.count() == 0
    client.get("/account/tokens/")
    token = client.cookies["csrftoken"].value
    created = client.post(
        "/api/v1/tokens", payload, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert created.status_code == 201
    secret = created.json()["secret"]
    me = Client().get("/api/v1/me", headers=bearer(secret)).json()
    assert me["username"] == world.alice.user.username
    assert me["person"]["resident_id"].count("*") == 10


def test_bad_token_request_is_422_or_400_with_both_languages(world: Any, client: Client) -> None:
    client.force_login(world.alice.user)
    response = client.post(
        "/api/v1/tokens", {"name": "x", "scopes": ["root"]}, content_type="application/json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "scopes" and body["message_zh"] and body["message_en"]
    assert (
        client.post(
            "/api/v1/tokens", {"scopes": ["x"]}, content_type="application/json"
        ).status_code
        == 422
    )
    # Without scopes: the own-data scope, the least a token can carry.
    default = client.post("/api/v1/tokens", {"name": "x"}, content_type="application/json")
    assert default.status_code == 201 and default.json()["token"]["scopes"] == ["profile:read"]


def test_employer_users_see_their_employers(world: Any, client: Client) -> None:
    client.force_login(world.bob.user)
    me = client.get("/api/v1/me").json()
    assert me["employers"] == [world.acme.pk]
    assert (
        client.get(f"/api/v1/employers/{world.acme.pk}").json()["credit_code"]
        == world.acme.credit_code
    )


def test_staff_reads_are_journaled_without_the_searched_value(world: Any, client: Client) -> None:
    client.force_login(world.carol)
    client.get(f"/api/v1/persons/{world.alice.pk}")
    client.get("/api/v1/persons", {"q": world.alice.resident_id})
    viewed = Entry.objects.get(action="identity.person.viewed")
    assert (viewed.actor_label, viewed.target_id, viewed.channel) == (
        "carol",
        str(world.alice.pk),
        "api",
    )
    listed = Entry.objects.get(action="identity.person.listed")
    assert listed.changes == {"query": "resident_id", "scope": "610113"}
    assert world.alice.resident_id not in str(listed.changes)


def test_a_citizen_reading_their_own_record_is_not_journaled(world: Any, client: Client) -> None:
    client.force_login(world.alice.user)
    before = Entry.objects.count()
    assert client.get(f"/api/v1/persons/{world.alice.pk}").status_code == 200
    assert Entry.objects.count() == before
