"""A token carries only scopes its user's role can use (issue 21), offered in the user's
language."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from onestop.audit.models import Entry
from onestop.identity.models import ApiToken

pytestmark = pytest.mark.django_db


def csrf_client(user: Any) -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/account/tokens/")
    return client, client.cookies["csrftoken"].value


@pytest.mark.parametrize("scope", ["audit:read", "persons:reveal", "quality:read"])
def test_citizen_cannot_take_a_staff_scope(world: Any, scope: str) -> None:
    """Through the API: 400 naming the scope in both languages; no token, no journal entry."""
    client, token = csrf_client(world.alice.user)
    before = Entry.objects.count()
    response = client.post(
        "/api/v1/tokens",
        {"name": "app", "scopes": ["profile:read", scope], "days": 7},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "scopes"
    assert body["message_zh"] == f"您的角色不能使用这些权限范围：{scope}"
    assert body["message_en"] == f"Your role cannot use these scopes: {scope}"
    assert not ApiToken.objects.exists()
    assert Entry.objects.count() == before


def test_staff_take_the_scopes_of_their_role(world: Any) -> None:
    """carol (case worker) may reveal but not read the journal; audrey reads the journal."""
    client, token = csrf_client(world.carol)
    ok = client.post(
        "/api/v1/tokens",
        {"name": "desk", "scopes": ["persons:read", "persons:reveal", "quality:read"]},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert ok.status_code == 201
    refused = client.post(
        "/api/v1/tokens",
        {"name": "desk", "scopes": ["audit:read"]},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert refused.status_code == 400 and "audit:read" in refused.json()["message_en"]
    client, token = csrf_client(world.audrey)
    ok = client.post(
        "/api/v1/tokens",
        {"name": "siem", "scopes": ["audit:read"]},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert ok.status_code == 201
    assert sorted(ApiToken.objects.values_list("user__username", flat=True)) == [
        world.audrey.username,
        world.carol.username,
    ]


def test_token_page_offers_the_role_scopes_in_chinese(world: Any) -> None:
    """The citizen's page lists no staff scope, and every label is in Chinese; a forged
    post of a staff scope is refused without a token."""
    client, token = csrf_client(world.alice.user)
    html = client.get("/account/tokens/", headers={"Accept-Language": "zh-hans"}).content.decode()
    offered = re.findall(r'name="scopes" value="([^"]+)"', html)
    assert "profile:read" in offered and "consents:write" in offered
    assert not {"audit:read", "persons:reveal", "quality:read"} & set(offered)
    assert "读取登录用户本人的资料" in html
    assert "Read the signed-in user" not in html and "Read one's own inbox" not in html
    page = client.post(
        "/account/tokens/",
        {"name": "x", "scopes": ["audit:read"], "days": 7, "csrfmiddlewaretoken": token},
    )
    assert page.status_code == 200
    assert not ApiToken.objects.exists()


def test_employer_representative_may_take_persons_reveal_for_the_template(world: Any) -> None:
    """bob acts for acme: his payroll system downloads the pre-filled template (full IDs)."""
    client, token = csrf_client(world.bob.user)
    ok = client.post(
        "/api/v1/tokens",
        {"name": "payroll", "scopes": ["persons:reveal", "contributions:read"]},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert ok.status_code == 201
    secret = ok.json()["secret"]
    template = Client().get(
        f"/api/v1/employers/{world.acme.pk}/declarations/template?format=csv",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert template.status_code == 200


def test_a_default_token_reads_its_own_records_only(world: Any) -> None:
    """alice's token made with the default scope (``profile:read``, her own profile and
    records) reads her own statement, pension, benefits, bills and licences; bob's
    statement is refused (403 scope; 404 for her session); carol's ``profile:read`` token
    does not read alice's statement (403 scope): staff access is not widened."""
    client, csrf = csrf_client(world.alice.user)
    created = client.post(
        "/api/v1/tokens",
        {"name": "phone"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf,
    )
    assert created.status_code == 201
    assert created.json()["token"]["scopes"] == ["profile:read"]
    machine = Client(enforce_csrf_checks=True)
    auth = {"Authorization": f"Bearer {created.json()['secret']}"}
    own = machine.get(f"/api/v1/persons/{world.alice.pk}/statement", headers=auth)
    assert own.status_code == 200, own.content
    assert own.json() == client.get(f"/api/v1/persons/{world.alice.pk}/statement").json()
    for path in (
        f"/api/v1/persons/{world.alice.pk}",
        "/api/v1/me/pension",
        "/api/v1/me/retirement",
        "/api/v1/me/unemployment",
        "/api/v1/me/licences",
        "/api/v1/me/consents",
    ):
        assert machine.get(path, headers=auth).status_code == 200, path
    # Her bills as an individual payer: what her session gets.
    flexible = machine.get("/api/v1/me/flexible", headers=auth)
    assert flexible.status_code == 200
    assert flexible.json() == client.get("/api/v1/me/flexible").json()
    # Anyone else's (existing or not) needs the scope the token lacks: 403 before any read;
    # her session, which has no scope limit, is told 404 as ever.
    for person_id in (world.bob.pk, 999_999):
        other = machine.get(f"/api/v1/persons/{person_id}/statement", headers=auth)
        assert other.status_code == 403 and other.json()["code"] == "scope"
    assert client.get(f"/api/v1/persons/{world.bob.pk}/statement").status_code == 404
    assert machine.get(f"/api/v1/persons/{world.bob.pk}", headers=auth).status_code == 403
    # Writes still need their scope.
    refused = machine.post(
        "/api/v1/applications",
        {"item_code": "SX-SI-006", "answers": {}},
        content_type="application/json",
        headers=auth,
    )
    assert refused.status_code == 403 and refused.json()["code"] == "scope"
    staff, staff_csrf = csrf_client(world.carol)
    desk = staff.post(
        "/api/v1/tokens",
        {"name": "desk"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=staff_csrf,
    ).json()["secret"]
    staff_read = machine.get(
        f"/api/v1/persons/{world.alice.pk}/statement", headers={"Authorization": f"Bearer {desk}"}
    )
    assert staff_read.status_code == 403 and staff_read.json()["code"] == "scope"
    assert client.get(f"/api/v1/persons/{world.alice.pk}/statement").status_code == 200


def test_the_token_page_offers_the_own_data_scope_checked(world: Any) -> None:
    client, _ = csrf_client(world.alice.user)
    page = client.get("/account/tokens/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert re.search(r'<input[^>]*value="profile:read"[^>]*checked', page), page
    assert "own profile and records" in page


def _token(user: Any, scopes: list[str]) -> dict[str, str]:
    client, csrf = csrf_client(user)
    created = client.post(
        "/api/v1/tokens",
        {"name": "reader", "scopes": scopes},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf,
    )
    assert created.status_code == 201, created.content
    return {"Authorization": f"Bearer {created.json()['secret']}"}


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/applications", {"item_code": 7, "answers": "not an object"}),
        ("/api/v1/applications", "[not json"),
        ("/api/v1/queue/claim", {"numbers": "none"}),
        ("/api/v1/applications/NO-SUCH/handover", {}),
        ("/api/v1/applications/NO-SUCH/tasks/accept", {"unknown": True}),
    ],
)
def test_a_read_only_token_is_refused_before_its_body_is_read(
    world: Any, path: str, body: Any
) -> None:
    """A token without the write scope posting an invalid (or unparsable) body gets 403
    ``scope`` in the request's language, not 422 about its body; nothing is journaled
    but the refusal."""
    auth = _token(world.carol, ["applications:read"])
    machine = Client(enforce_csrf_checks=True)
    for language, message in (
        ("zh-hans", "令牌缺少权限范围 applications:write。"),
        ("en", "The token lacks the scope applications:write."),
    ):
        response = machine.post(
            path,
            body,
            content_type="application/json",
            headers={**auth, "Accept-Language": language},
        )
        assert response.status_code == 403, response.content
        answer = response.json()
        assert answer["code"] == "scope"
        assert answer["message"] == message
        assert "errors" not in answer


def test_a_write_token_with_an_invalid_body_still_gets_422(world: Any) -> None:
    """With the scope, the body is read and its errors named (422 ``invalid``)."""
    auth = _token(world.carol, ["applications:write"])
    response = Client(enforce_csrf_checks=True).post(
        "/api/v1/queue/claim",
        {"numbers": "none"},
        content_type="application/json",
        headers=auth,
    )
    assert response.status_code == 422 and response.json()["code"] == "invalid"


def test_an_own_data_token_is_refused_a_staff_list_before_its_query(world: Any) -> None:
    """A default token asking a staff list with a bad query parameter: 403, not 422."""
    auth = _token(world.alice.user, ["profile:read"])
    response = Client().get("/api/v1/supervision/rates?since=not-a-date", headers=auth)
    assert response.status_code == 403 and response.json()["code"] == "scope"
