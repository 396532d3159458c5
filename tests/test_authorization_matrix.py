"""Authorization matrix: every route against every persona, object-level cases included.

Each cell is the expected status. For a refused write, the test also checks that nothing
changed: the journal, the target account and the tokens are as they were.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from onestop.audit.models import Entry
from onestop.identity.models import ApiToken, User

PERSONAS = [
    "anonymous",
    "alice",
    "bob",
    "carol",
    "rita",
    "sam",
    "erin",
    "adam",
    "sean",
    "audrey",
    "mallory",
]
STAFF = PERSONAS[3:]
CITIZENS = ["alice", "bob"]


@dataclass(frozen=True)
class Route:
    name: str
    method: str
    url: Callable[[Any], str]
    expect: dict[str, int]
    default: int
    writes: bool = False
    body: dict[str, Any] | None = None
    form: dict[str, Any] | None = None

    def status_for(self, persona: str) -> int:
        return self.expect.get(persona, self.default)


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(PERSONAS, status)


LOGIN = 302  # anonymous users are sent to the login page
API_ANON = 401

ROUTES = [
    Route("home", "get", lambda w: "/", everyone(200), 200),
    Route("login page", "get", lambda w: "/login/", everyone(200), 200),
    Route(
        "person list",
        "get",
        lambda w: "/staff/persons/",
        {"anonymous": LOGIN, "carol": 200, "rita": 200, "sam": 200, "mallory": 200},
        403,
    ),
    Route(
        "person detail in scope",
        "get",
        lambda w: f"/staff/persons/{w.alice.pk}/",
        {"anonymous": LOGIN, "carol": 200, "rita": 200, "sam": 200, "mallory": 404},
        403,
    ),
    Route(
        "person detail out of city",
        "get",
        lambda w: f"/staff/persons/{w.dave.pk}/",
        {"anonymous": LOGIN, "carol": 404, "rita": 404, "sam": 200, "mallory": 200},
        403,
    ),
    Route(
        "person reveal",
        "post",
        lambda w: f"/staff/persons/{w.alice.pk}/reveal/",
        {"anonymous": LOGIN, "carol": 200, "rita": 200, "mallory": 404},
        403,
        writes=True,
    ),
    Route(
        "staff accounts",
        "get",
        lambda w: "/security/staff/",
        {"anonymous": LOGIN, "sean": 200},
        403,
    ),
    Route(
        "unlock staff",
        "post",
        lambda w: f"/security/staff/{w.carol.pk}/unlock/",
        {"anonymous": LOGIN, "sean": 302},
        403,
        writes=True,
    ),
    Route(
        "reset staff mfa",
        "post",
        lambda w: f"/security/staff/{w.rita.pk}/reset-mfa/",
        {"anonymous": LOGIN, "sean": 302},
        403,
        writes=True,
    ),
    Route("journal", "get", lambda w: "/audit/", {"anonymous": LOGIN, "audrey": 200}, 403),
    Route(
        "journal export",
        "get",
        lambda w: "/audit/export.csv",
        {"anonymous": LOGIN, "audrey": 200},
        403,
    ),
    Route(
        "journal verify",
        "post",
        lambda w: "/audit/verify/",
        {"anonymous": LOGIN, "audrey": 200},
        403,
    ),
    Route("own tokens", "get", lambda w: "/account/tokens/", {"anonymous": LOGIN}, 200),
    Route("password change page", "get", lambda w: "/account/password/", {"anonymous": LOGIN}, 200),
    Route(
        "create staff",
        "post",
        lambda w: "/security/staff/",
        {"anonymous": LOGIN, "sean": 302},
        403,
        writes=True,
        form={
            "username": "newbie",
            "display_name": "n",
            "agency": "",
            "role": "case_worker",
            "region": "",
            "password": "Horse-battery-7",
        },
    ),
    Route(
        "revoke carol's token",
        "post",
        lambda w: f"/account/tokens/{w.token.pk}/revoke/",
        {"anonymous": LOGIN, "carol": 302},
        404,
        writes=True,
    ),
    Route("admin index", "get", lambda w: "/admin/", {"adam": 200}, 302),
    Route("admin regions", "get", lambda w: "/admin/identity/region/", {"adam": 200}, 302),
    Route(
        "employer home",
        "get",
        lambda w: f"/employer/{w.acme.pk}/",
        {"anonymous": LOGIN, "bob": 200, "alice": 404},
        403,
    ),
    Route("api regions", "get", lambda w: "/api/v1/regions", everyone(200), 200),
    Route("api me", "get", lambda w: "/api/v1/me", {"anonymous": API_ANON}, 200),
    Route(
        "api persons",
        "get",
        lambda w: "/api/v1/persons",
        {
            "anonymous": API_ANON,
            "alice": 200,
            "bob": 200,
            "carol": 200,
            "rita": 200,
            "sam": 200,
            "mallory": 200,
        },
        403,
    ),
    Route(
        "api person in scope",
        "get",
        lambda w: f"/api/v1/persons/{w.alice.pk}",
        {"anonymous": API_ANON, "alice": 200, "carol": 200, "rita": 200, "sam": 200},
        404,
    ),
    Route(
        "api person reveal",
        "post",
        lambda w: f"/api/v1/persons/{w.alice.pk}/reveal",
        {"anonymous": API_ANON, "alice": 200, "carol": 200, "rita": 200, "sam": 403},
        404,
        writes=True,
    ),
    Route(
        "api employer",
        "get",
        lambda w: f"/api/v1/employers/{w.acme.pk}",
        {"anonymous": API_ANON, "bob": 200, "carol": 200, "rita": 200, "sam": 200},
        404,
    ),
    Route(
        "api journal",
        "get",
        lambda w: "/api/v1/audit/entries",
        {"anonymous": API_ANON, "audrey": 200},
        403,
    ),
    Route(
        "api journal verify",
        "get",
        lambda w: "/api/v1/audit/verify",
        {"anonymous": API_ANON, "audrey": 200},
        403,
    ),
    Route("api tokens", "get", lambda w: "/api/v1/tokens", {"anonymous": API_ANON}, 200),
    Route(
        "retirement calculator page",
        "get",
        lambda w: "/calculators/retirement/?birth_month=1966-01&category=male",
        {},
        200,
    ),
    Route("pension estimator page", "get", lambda w: "/calculators/pension/", {}, 200),
    Route(
        "api retirement",
        "get",
        lambda w: "/api/v1/calculators/retirement?birth_month=1966-01&category=male",
        {},
        200,
    ),
    Route(
        "api pension",
        "post",
        lambda w: "/api/v1/calculators/pension",
        {},
        200,
        body={
            "province": "610000",
            "retirement_month": "2026-05",
            "age": {"years": 60, "months": 4},
            "contribution_months": 300,
            "average_contribution_index": "1.0",
            "account_balance": "100000",
        },
    ),
    Route(
        "api account interest",
        "post",
        lambda w: "/api/v1/calculators/account-interest",
        {},
        200,
        body={"year": 2024, "opening_balance": "1000", "contributions": "100"},
    ),
    Route(
        "api contribution",
        "post",
        lambda w: "/api/v1/calculators/contribution",
        {},
        200,
        body={"province": "610000", "year": 2024, "wage": "5000"},
    ),
    Route(
        "api validate resident id",
        "get",
        lambda w: "/api/v1/validate/resident-id?value=11010519491231002X",
        {},
        200,
    ),
    Route(
        "api validate credit code",
        "get",
        lambda w: "/api/v1/validate/credit-code?value=91110000600037341L",
        {},
        200,
    ),
    Route(
        "api revoke carol's token",
        "delete",
        lambda w: f"/api/v1/tokens/{w.token.pk}",
        {"anonymous": API_ANON, "carol": 204},
        404,
        writes=True,
    ),
]


def state(world: Any) -> tuple[Any, ...]:
    """What a refused write must leave untouched (journal, accounts, tokens)."""
    carol = User.objects.get(pk=world.carol.pk)
    rita = User.objects.get(pk=world.rita.pk)
    return (
        list(Entry.objects.values_list("seq", "action")),
        (carol.failed_logins, carol.locked_until),
        (rita.totp_confirmed_at, rita.totp_secret),
        list(ApiToken.objects.values_list("pk", "revoked_at")),
        list(User.objects.order_by("pk").values_list("username", flat=True)),
    )


@pytest.fixture
def matrix_world(world: Any) -> Any:
    from onestop.identity import services

    world.token = services.token_create(
        actor=world.carol, name="kiosk", scopes=["persons:read"], days=30
    ).token
    User.objects.filter(pk=world.carol.pk).update(
        failed_logins=5, locked_until=timezone.now() + dt.timedelta(minutes=20)
    )
    User.objects.filter(pk=world.rita.pk).update(totp_confirmed_at=timezone.now())
    return world


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("route", ROUTES, ids=[r.name for r in ROUTES])
def test_matrix(matrix_world: Any, persona: str, route: Route) -> None:
    client = Client()
    user = matrix_world.user(persona)
    if user is not None:
        client.force_login(user)
    before = state(matrix_world)
    url = route.url(matrix_world)
    if route.body is not None:
        response = getattr(client, route.method)(url, route.body, content_type="application/json")
    elif route.form is not None:
        data = {
            **route.form,
            "agency": matrix_world.agencies["610113-si"].pk,
            "region": matrix_world.regions["610113"].pk,
        }
        response = getattr(client, route.method)(url, data)
    else:
        response = getattr(client, route.method)(url)
    expected = route.status_for(persona)
    assert response.status_code == expected, (persona, route.name, response.status_code)
    if (route.writes and expected >= 400) or (expected == LOGIN and persona == "anonymous"):
        assert state(matrix_world) == before


def test_every_url_is_in_the_matrix() -> None:
    """A new route must be added to the matrix above."""
    from django.urls import get_resolver

    covered = {
        "",
        "login/",
        "staff/persons/",
        "staff/persons/<int:person_id>/",
        "staff/persons/<int:person_id>/reveal/",
        "security/staff/",
        "security/staff/<int:user_id>/<slug:action>/",
        "audit/",
        "audit/export.csv",
        "audit/verify/",
        "account/password/",
        "account/tokens/",
        "account/tokens/<int:token_id>/revoke/",
        "employer/<int:employer_id>/",
        "calculators/retirement/",
        "calculators/pension/",
        # Sign-in steps, tested in test_auth; language switch, tested in the browser tests.
        "login/mfa/",
        "login/mfa/enrol/",
        "logout/",
        "i18n/setlang/",
    }
    found: set[str] = set()

    def walk(patterns: Any, prefix: str) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if route.startswith(("admin/", "api/")):
                continue
            if hasattr(p, "url_patterns"):
                walk(p.url_patterns, route)
            else:
                found.add(route)

    walk(get_resolver().url_patterns, "")
    assert found == covered


def test_every_api_operation_is_in_the_matrix() -> None:
    from config.api import api

    schema = api.get_openapi_schema()
    operations = {
        (method.upper(), path) for path, item in schema["paths"].items() for method in item
    }
    covered = {
        ("GET", "/api/v1/regions"),
        ("GET", "/api/v1/me"),
        ("GET", "/api/v1/persons"),
        ("GET", "/api/v1/persons/{person_id}"),
        ("POST", "/api/v1/persons/{person_id}/reveal"),
        ("GET", "/api/v1/employers/{employer_id}"),
        ("GET", "/api/v1/audit/entries"),
        ("GET", "/api/v1/audit/verify"),
        ("GET", "/api/v1/tokens"),
        ("DELETE", "/api/v1/tokens/{token_id}"),
        # Creating a token is tested in test_api (it needs a body).
        ("POST", "/api/v1/tokens"),
        ("GET", "/api/v1/calculators/retirement"),
        ("POST", "/api/v1/calculators/pension"),
        ("POST", "/api/v1/calculators/account-interest"),
        ("POST", "/api/v1/calculators/contribution"),
        ("GET", "/api/v1/validate/resident-id"),
        ("GET", "/api/v1/validate/credit-code"),
    }
    assert operations == covered
