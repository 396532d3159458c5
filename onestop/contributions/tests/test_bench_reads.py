"""`onestop bench reads` at a tiny size: every endpoint it drives answers 200 on the platform
and on the raw app, and the whole bench (gunicorn, raw app, wrk) runs. No timing is asserted."""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
import threading
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from django.test import Client
from django.utils import timezone

from bench import reads, reads_raw
from onestop.applications import services as applications
from onestop.identity.models import ApiToken, Person, User

ANSWERS = {"retirement_month": "2026-05", "bank_account": "6222020200112233446"}


def file_case(world: Any) -> None:
    applications.application_submit(
        actor=world.alice.user, item_code="SX-SI-006", applicant=world.alice, answers=ANSWERS
    )


@pytest.mark.django_db
def test_every_endpoint_of_the_bench_answers_200(world: Any) -> None:
    """Topped up to 40 persons with five months of ledger each, the bench's sample signs in
    (one session and one token each) and every request it would send answers 200, with the
    person's own statement, cases and licences."""
    file_case(world)
    reads.prepare(persons=40, rng=random.Random(1), write=lambda _: None)
    assert Person.objects.count() == 40
    endpoints = reads.sign_in(rng=random.Random(2))
    assert [e.name for e in endpoints] == [
        "statement page",
        "statement API",
        "who am I API",
        "my cases page",
        "e-licences page",
        "queue page",
        "bills API",
        "catalogue item API",
        "status page",
    ]
    # Tokens were issued the platform's way (hashed, journaled), one a signed-in person + bob.
    assert ApiToken.objects.filter(name="bench reads").count() >= 2
    client = Client()
    for endpoint in endpoints:
        assert endpoint.requests and endpoint.raw, endpoint.name
        for path, headers in endpoint.requests[:5]:
            response = client.get(path, headers=headers)
            assert response.status_code == 200, (endpoint.name, path, response.status_code)
    statement = endpoints[1].requests[0]
    body = client.get(statement[0], headers=statement[1]).json()
    assert body["contribution_months"] == reads.MONTHS


def _wsgi_get(path: str, headers: dict[str, str] | None = None) -> tuple[str, Any]:
    answer: list[str] = []
    path, _, query = path.partition("?")
    environ = {"PATH_INFO": path, "QUERY_STRING": query}
    for name, value in (headers or {}).items():
        environ[f"HTTP_{name.upper().replace('-', '_')}"] = value
    body = b"".join(reads_raw.app(environ, lambda status, headers: answer.append(status)))
    return answer[0], json.loads(body) if answer[0].startswith("200") else None


needs_postgres_and_wrk = pytest.mark.skipif(
    connection.vendor != "postgresql" or shutil.which("wrk") is None,
    reason="the bench serves PostgreSQL through gunicorn and drives it with wrk",
)


@needs_postgres_and_wrk
@pytest.mark.django_db(transaction=True)
def test_the_raw_app_reads_the_same_rows(world: Any, monkeypatch: Any) -> None:
    """The baseline answers each path of the bench with the rows the page reads: ten ledger
    rows (grouped by month, kind and source) for a sampled person's statement."""
    file_case(world)
    reads.prepare(persons=10, rng=random.Random(1), write=lambda _: None)
    endpoints = reads.sign_in(rng=random.Random(2))
    monkeypatch.setenv("DATABASE_URL", reads._database_url())
    monkeypatch.setattr(reads_raw, "_local", threading.local())
    for endpoint in endpoints:
        status, rows = _wsgi_get(endpoint.raw[0])
        assert status == "200 OK", endpoint.name
    status, rows = _wsgi_get(endpoints[0].raw[0])
    assert len(rows) == 2 * reads.MONTHS
    assert _wsgi_get("/nothing/1")[0].startswith("404")


@needs_postgres_and_wrk
@pytest.mark.django_db(transaction=True)
def test_the_authorized_baseline_shows_only_what_the_caller_may_see(
    world: Any, monkeypatch: Any, settings: Any, _fixed_clock: Any
) -> None:
    """The authorized baseline answers the bench's requests with the same rows as the bare
    one, and refuses (401, no rows) a request without credentials, with a forged session or
    token, for another person's statement, another employer's bills, a wrong status code,
    a revoked token, a user made inactive since signing in, and a session whose trust ended."""
    # The raw app reads PostgreSQL's clock: sessions and tokens born in real time.
    _fixed_clock.move_to(time_machine.escape_hatch.datetime.datetime.now(tz=dt.UTC))
    file_case(world)
    reads.prepare(persons=10, rng=random.Random(1), write=lambda _: None)
    endpoints = {e.name: e for e in reads.sign_in(rng=random.Random(2))}
    monkeypatch.setenv("DATABASE_URL", reads._database_url())
    monkeypatch.setenv("SECRET_KEY", settings.SECRET_KEY)
    monkeypatch.setenv("REDIS_URL", settings.REDIS_URL)
    monkeypatch.setattr(reads_raw, "_local", threading.local())
    monkeypatch.setattr(reads_raw, "_redis", None)
    for endpoint in endpoints.values():
        for (path, headers), bare in zip(endpoint.authorized[:3], endpoint.raw, strict=False):
            status, rows = _wsgi_get(path, headers)
            assert status == "200 OK", (endpoint.name, path)
            same = sorted(map(json.dumps, _wsgi_get(bare)[1]))
            assert sorted(map(json.dumps, rows)) == same, endpoint.name
    statement, api = endpoints["statement page"], endpoints["statement API"]
    assert len(_wsgi_get(*statement.authorized[0])[1]) == 2 * reads.MONTHS
    cookie = statement.authorized[0][1]
    bearer = api.authorized[0][1]
    mine, theirs = api.authorized[0][0], api.authorized[1][0]
    refused = [
        ("/auth/statement", {}),
        ("/auth/statement", {"Cookie": "sessionid=forged"}),
        (mine, {}),
        (mine, {"Authorization": "Bearer ost_nothing_here"}),
        (mine, {"Authorization": bearer["Authorization"][:-2] + "xx"}),
        (theirs, bearer),
        (endpoints["bills API"].authorized[0][0], bearer),
        ("/auth/queue", cookie),
    ]
    for path, headers in refused:
        assert _wsgi_get(path, headers) == ("401 Unauthorized", None), (path, headers)
    number = endpoints["status page"].authorized[0][0].split("?")[0]
    assert _wsgi_get(number + "?code=WRONG1")[0].startswith("404")
    prefix = bearer["Authorization"].split("_")[1]
    ApiToken.objects.filter(prefix=prefix).update(revoked_at=timezone.now())
    assert _wsgi_get(mine, bearer)[0] == "401 Unauthorized"
    person = Person.objects.get(pk=int(theirs.rsplit("/", 1)[1]))
    assert _wsgi_get(theirs, api.authorized[1][1])[0] == "200 OK"
    assert person.user_id is not None
    User.objects.filter(pk=person.user_id).update(is_active=False)
    assert _wsgi_get(theirs, api.authorized[1][1])[0] == "401 Unauthorized"
    assert _wsgi_get(*statement.authorized[1])[0] == "401 Unauthorized"
    # Trust ended (a password, role or scope change raises the generation): the session ends.
    third = Person.objects.get(pk=int(api.authorized[2][0].rsplit("/", 1)[1]))
    assert _wsgi_get(*statement.authorized[2])[0] == "200 OK"
    assert third.user_id is not None
    User.objects.filter(pk=third.user_id).update(session_generation=F("session_generation") + 1)
    assert _wsgi_get(*statement.authorized[2])[0] == "401 Unauthorized"


@needs_postgres_and_wrk
@pytest.mark.django_db(transaction=True)
def test_the_bench_runs_small(world: Any, _fixed_clock: Any) -> None:
    """``onestop bench reads`` at 12 persons, one second an endpoint: every endpoint driven on
    both servers without an error, the JSON has both sides and the ratio."""
    # The servers run in real time: sessions and tokens must not be born in the test's past.
    _fixed_clock.move_to(time_machine.escape_hatch.datetime.datetime.now(tz=dt.UTC))
    file_case(world)
    out = StringIO()
    call_command(
        "bench",
        "reads",
        "--persons",
        "12",
        "--duration",
        "1",
        "--connections",
        "2",
        "--workers",
        "1",
        stdout=out,
    )
    figures = json.loads(out.getvalue().strip().splitlines()[-1])
    assert figures["persons"] == 12 and figures["connections"] == 2
    assert len(figures["endpoints"]) == 9
    for row in figures["endpoints"]:
        assert row["errors"] == 0, row
        assert row["rps"] > 0 and row["baseline_rps"] > 0 and row["ratio"] > 0, row
        assert row["p99_ms"] >= row["p50_ms"] > 0, row


@pytest.mark.django_db
def test_the_bench_refuses_bad_options() -> None:
    for options in (["--persons", "0"], ["--duration", "0"], ["--connections", "0"]):
        with pytest.raises(CommandError):
            call_command("bench", "reads", *options, stdout=StringIO())
