"""NUL and other control characters in a request are a 400 before any view or the database
sees them (issue 21: ``%00`` gave HTTP 500 on PostgreSQL), on every route.

Runs on SQLite and on PostgreSQL (``DATABASE_URL``), the one where NUL used to reach the
database and fail there.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from onestop.applications.models import Application
from onestop.audit.models import Entry
from onestop.identity import services as identity

pytestmark = pytest.mark.django_db


def _patterns(resolver: URLResolver, prefix: str = "") -> list[str]:
    """Every route of the site as a path template (``<...>`` for each parameter)."""
    found: list[str] = []
    for entry in resolver.url_patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            found.extend(_patterns(entry, prefix + route))
        elif isinstance(entry, URLPattern):
            found.append(prefix + route)
    return found


def _with_nul(template: str) -> str:
    """The route with ``%00`` in place of each parameter, or appended when it has none."""
    template = template.lstrip("^").rstrip("$")
    path = "/" + re.sub(r"<[^>]+>|\(\?P<[^>]+>[^)]*\)", "x%00", template)
    return path if "%00" in path else path + "%00"


ROUTES = sorted({_with_nul(t) for t in _patterns(get_resolver())})


def problem(response: Any) -> None:
    assert response.status_code == 400, response.status_code
    body = response.content.decode()
    assert "Traceback" not in body
    if response["Content-Type"].startswith("application/json"):
        reply = response.json()
        assert reply["code"] == "control_character"
        assert "控制字符" in reply["message_zh"] and "control character" in reply["message_en"]


def test_every_route_refuses_a_nul_in_the_path(world: Any) -> None:
    """Signed out and signed in as a case worker: 400 on every route pattern, nothing
    journaled as a refusal of access and no 500."""
    assert len(ROUTES) > 100
    anonymous, carol = Client(), Client()
    carol.force_login(world.carol)
    before = Entry.objects.count()
    for client in (anonymous, carol):
        for path in ROUTES:
            response = client.get(path)
            assert response.status_code == 400, (path, response.status_code)
    assert Entry.objects.count() == before


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/applications/status?number=%00&code=%00",
        "/api/v1/catalogue/items/%00",
        "/services/%00/",
        "/verify/?number=%00",
        "/api/v1/applications/%00",
        "/api/v1/persons?q=%00",
        "/staff/persons/?q=a%01b",
        "/api/v1/applications/status?number=SX0%7F&code=x",
    ],
)
def test_reported_urls_are_a_400_in_both_languages(world: Any, url: str) -> None:
    """The addresses of the report, with a token where the route needs one."""
    issued = identity.token_create(
        actor=world.carol, name="t", scopes=["applications:read", "persons:read"], days=1
    )
    client = Client()
    response = client.get(url, headers={"Authorization": f"Bearer {issued.secret}"})
    problem(response)
    web = Client(headers={"Accept-Language": "en"})
    web.force_login(world.carol)
    problem(web.get(url))


def test_chinese_page_names_the_refusal_in_chinese(world: Any) -> None:
    response = Client().get("/services/%00/", headers={"Accept-Language": "zh-hans"})
    assert response.status_code == 400
    assert "控制字符" in response.content.decode()


def test_form_fields_with_nul_are_refused_before_the_csrf_check_and_the_view(world: Any) -> None:
    """A sign-in form whose identifier carries NUL: 400, no sign-in attempt counted."""
    client = Client(enforce_csrf_checks=True)
    page = client.get("/login/")
    token = page.cookies["csrftoken"].value
    response = client.post(
        "/login/",
        {"identifier": "carol\x00", "password": "x", "csrfmiddlewaretoken": token},
    )
    problem(response)
    assert not Entry.objects.filter(action__startswith="identity.login").exists()


def test_json_strings_with_nul_are_refused_and_nothing_is_written(world: Any) -> None:
    """A case filed through the API with ``\\u0000`` in an answer (or a key): 400, no case."""
    client = Client(enforce_csrf_checks=True)
    issued = identity.token_create(
        actor=world.alice.user, name="t", scopes=["applications:write"], days=1
    )
    auth = {"Authorization": f"Bearer {issued.secret}"}
    for payload in (
        {"item": "SX-YL-001", "answers": {"note": "a\u0000b"}},
        {"item": "SX-YL-001", "answers": {"no\u0000te": "ab"}},
        {"item": "SX-YL-001\u0001", "answers": {}},
    ):
        response = client.post(
            "/api/v1/applications",
            json.dumps(payload),
            content_type="application/json",
            headers=auth,
        )
        problem(response)
    assert not Application.objects.exists()


def test_tab_and_newlines_in_text_still_pass(world: Any) -> None:
    """Tab, CR and LF are text: a JSON body with them reaches the API (its own answer)."""
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/v1/calculators/pension",
        json.dumps({"note": "line\r\nnext\tcolumn"}),
        content_type="application/json",
    )
    assert response.status_code != 400 or response.json()["code"] != "control_character"
    assert response.status_code == 422  # the calculator's own validation, not the boundary


@pytest.mark.parametrize(
    "path", ["/login/", "/verify/", "/no/such/page/", "/api/v1/calculators/pension"]
)
def test_json_nested_thousands_deep_is_a_400_not_a_500(path: str) -> None:
    """``[[[[...`` 2,000 deep made the JSON parser give up (RecursionError, HTTP 500) before
    sign-in or CSRF: now a 400 with the reason in both languages, on pages and the API."""
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    response = client.post(path, data="[" * 2000, content_type="application/json")
    assert response.status_code == 400
    text = response.content.decode()
    assert "嵌套" in text or "nested" in text


def test_an_unparsable_api_body_is_refused_in_both_languages() -> None:
    client = Client(raise_request_exception=False)
    response = client.post(
        "/api/v1/calculators/pension", data=b"{not json", content_type="application/json"
    )
    assert response.status_code == 400
    body = response.json()
    assert "JSON" in body["message_en"] and "无法解析" in body["message_zh"]
