"""`onestop bench reads` at a tiny size: every endpoint it drives answers 200 on the platform
and on the raw app, and the whole bench (gunicorn, raw app, wrk) runs. No timing is asserted."""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from bench import reads, reads_raw
from onestop.applications import services as applications
from onestop.identity.models import ApiToken, Person

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


def _wsgi_get(path: str) -> tuple[str, Any]:
    answer: list[str] = []
    body = b"".join(
        reads_raw.app({"PATH_INFO": path}, lambda status, headers: answer.append(status))
    )
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
    monkeypatch.setattr(reads_raw, "_connection", None)
    for endpoint in endpoints:
        status, rows = _wsgi_get(endpoint.raw[0])
        assert status == "200 OK", endpoint.name
    status, rows = _wsgi_get(endpoints[0].raw[0])
    assert len(rows) == 2 * reads.MONTHS
    assert _wsgi_get("/nothing/1")[0].startswith("404")


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
    assert len(figures["endpoints"]) == 8
    for row in figures["endpoints"]:
        assert row["errors"] == 0, row
        assert row["rps"] > 0 and row["baseline_rps"] > 0 and row["ratio"] > 0, row
        assert row["p99_ms"] >= row["p50_ms"] > 0, row


@pytest.mark.django_db
def test_the_bench_refuses_bad_options() -> None:
    for options in (["--persons", "0"], ["--duration", "0"], ["--connections", "0"]):
        with pytest.raises(CommandError):
            call_command("bench", "reads", *options, stdout=StringIO())
