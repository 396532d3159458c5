"""Daily reads under load: the platform served by gunicorn against a raw WSGI app reading the
same rows, both driven by ``wrk`` at the same concurrency, in the same run.

``onestop bench reads --persons N --duration S --connections C`` needs a PostgreSQL database
with the demo loaded (``onestop demo --no-serve``). It tops the database up to N persons
(``contributions.generate.people``) with ten pension ledger rows each (five months, employer
and individual part; ``bench.dashboards.pension_ledger``), runs ANALYZE, signs a sample of
persons in (real sessions through Django's login; API tokens through
``identity.services.token_create``), then starts two gunicorn servers on free ports, the
platform (``config.wsgi``) and the raw app (``bench/reads_raw.py``), with the same workers
(sync, or gthread with ``--threads``). Every endpoint is first driven for two unrecorded
seconds on each server (warming every worker on every page), then each for S seconds at C
connections, every request for a person, case, employer or item picked at random
from the sample (a Lua script). The last line printed is
JSON: per endpoint rps, p50, p99, the authorized baseline's rps, p50, p99 and the ratio of
the rps (``ratio``), and the bare baseline's (``bare_*``, ``ratio_bare``): see
``bench/reads_raw.py`` for what each baseline checks.

Rate limits stay on but are raised for the run (all load comes from one address and a few
hundred tokens), so their bookkeeping is measured and their refusals are not.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import platform
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.utils import timezone

from bench.dashboards import pension_ledger
from onestop.applications.models import Application
from onestop.catalogue.models import ServiceItem
from onestop.common.bulk import refresh_statistics
from onestop.common.digests import code_hash
from onestop.contributions.generate import people
from onestop.contributions.models import LedgerEntry
from onestop.contributions.periods import current_period, month_of, period_of
from onestop.identity import services as identity
from onestop.identity.models import Employer, Person
from onestop.identity.selectors import resident_id_key

MONTHS = 5  # ten ledger rows a person: 10^7 rows at 10^6 persons
SAMPLE = 200  # persons signed in, each with a session and a token
STATUS_CODE = "BENCH1"  # the query code the sampled cases get (bench database only)
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Endpoint:
    """One daily read: ``requests`` for the platform, ``authorized`` requests for the raw
    app's authorized baseline (the same session cookie or token), ``raw`` paths for its bare
    one (no credentials)."""

    name: str
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)
    authorized: list[tuple[str, dict[str, str]]] = field(default_factory=list)


def run(
    *,
    persons: int,
    duration: int = 10,
    connections: int = 16,
    workers: int = 0,
    threads: int = 4,
    seed: int = 7,
    write: Callable[[str], Any] = print,
) -> dict[str, Any]:
    if connection.vendor != "postgresql":
        raise RuntimeError("onestop bench reads needs PostgreSQL (DATABASE_URL).")
    if shutil.which("wrk") is None:
        raise RuntimeError("onestop bench reads needs wrk (apt-get install wrk).")
    if not ServiceItem.objects.exists() or not Application.objects.exists():
        raise RuntimeError("Load the demo first: onestop demo --no-serve --persons 50")
    rng = random.Random(seed)
    prepare(persons=persons, rng=rng, write=write)
    endpoints = sign_in(rng=rng)
    workers = workers or max(2, 2 * (os.cpu_count() or 1))
    kind = f"{workers} sync workers" if threads == 1 else f"{workers} gthread workers x {threads}"
    write(
        f"Driving {len(endpoints)} endpoints for {duration} s each at {connections} connections "
        f"(gunicorn, {kind} for each server)..."
    )
    results = []
    with (
        _server("config.wsgi:application", workers, threads) as site,
        _server("bench.reads_raw:app", workers, threads) as raw,
    ):
        for endpoint in endpoints:
            _check(site, endpoint.requests[0])
            _check(raw, endpoint.authorized[0])
            _check(raw, (endpoint.raw[0], {}))
        # Every endpoint warmed on each server before any is measured: each worker has then
        # served every page (modules imported, templates compiled, catalogues and connections
        # opened), as on a server that has been up for a while. Warming each endpoint just
        # before its own run left the first endpoint's figures carrying every worker's first
        # requests of everything (the statement page's p50 was 1.9 s, the API's 0.4 s).
        for _ in range(2):
            for endpoint in endpoints:
                drive(site, endpoint.requests, duration=1, connections=connections)
                drive(raw, endpoint.authorized, duration=1, connections=connections)
                drive(raw, [(p, {}) for p in endpoint.raw], duration=1, connections=connections)
        for endpoint in endpoints:
            mine = drive(site, endpoint.requests, duration=duration, connections=connections)
            base = drive(raw, endpoint.authorized, duration=duration, connections=connections)
            bare = drive(
                raw, [(p, {}) for p in endpoint.raw], duration=duration, connections=connections
            )
            results.append(
                {
                    "endpoint": endpoint.name,
                    "rps": mine["rps"],
                    "p50_ms": mine["p50_ms"],
                    "p99_ms": mine["p99_ms"],
                    "errors": mine["errors"],
                    "baseline_rps": base["rps"],
                    "baseline_p50_ms": base["p50_ms"],
                    "baseline_p99_ms": base["p99_ms"],
                    "baseline_errors": base["errors"],
                    "bare_rps": bare["rps"],
                    "bare_p50_ms": bare["p50_ms"],
                    "bare_p99_ms": bare["p99_ms"],
                    "ratio": round(mine["rps"] / base["rps"], 3) if base["rps"] else 0.0,
                    "ratio_bare": round(mine["rps"] / bare["rps"], 3) if bare["rps"] else 0.0,
                }
            )
            write(_row(results[-1]))
    result = {
        "persons": Person.objects.count(),
        "ledger_rows": _ledger_rows(),
        "connections": connections,
        "duration_s": duration,
        "workers": workers,
        "threads": threads,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, load {os.getloadavg()[0]:.1f}",
        "endpoints": results,
    }
    write(json.dumps(result, ensure_ascii=False))
    return result


def _row(r: dict[str, Any]) -> str:
    return (
        f"{r['endpoint']:<18} {r['rps']:>8.1f} rps  p50 {r['p50_ms']:>7.2f} ms  "
        f"p99 {r['p99_ms']:>7.2f} ms | raw {r['baseline_rps']:>8.1f} rps  "
        f"p50 {r['baseline_p50_ms']:>6.2f}  p99 {r['baseline_p99_ms']:>6.2f} | "
        f"bare {r['bare_rps']:>8.1f} rps  p50 {r['bare_p50_ms']:>6.2f}  "
        f"p99 {r['bare_p99_ms']:>6.2f} | ratio {r['ratio']:.3f}  bare {r['ratio_bare']:.3f}"
    )


def _ledger_rows() -> int:
    if connection.vendor != "postgresql":
        return LedgerEntry.objects.count()
    # The planner's estimate (a count(*) of 10^7 is slow): the ledger is a view, so the
    # records plus the detail's partitions (up to 5 entries a detail row; 4 with pension and
    # unemployment, what the bench declares).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(CASE WHEN relname = 'contributions_ledgerrecord' THEN 1 "
            "ELSE 4 END * GREATEST(reltuples, 0)), 0)::bigint FROM pg_class "
            "WHERE relkind = 'r' AND (relname = 'contributions_ledgerrecord' "
            "OR relname LIKE 'contributions\\_contributiondetail\\_%%')"
        )
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] > 0 else LedgerEntry.objects.count()


def prepare(*, persons: int, rng: random.Random, write: Callable[[str], Any]) -> None:
    """Top the database up to ``persons`` persons with ``MONTHS`` months of pension ledger
    each (bulk paths, not timed), in batches, then refresh the planner's statistics."""
    missing = persons - Person.objects.count()
    first = period_of(month_of(current_period(timezone.localdate())).plus(-MONTHS))
    batch = 100_000
    while missing > 0:
        count = min(batch, missing)
        write(f"Preparing {count} persons and {count * 2 * MONTHS} ledger rows (not timed)...")
        people(
            count=count,
            employers=max(1, count // 50),
            rng=rng,
            start_period=first,
            prefix="读",
        )
        ids = list(Person.objects.order_by("-pk").values_list("pk", flat=True)[:count])
        pension_ledger(ids, first, MONTHS)
        missing -= count
    write("ANALYZE...")
    refresh_statistics()


def sign_in(*, rng: random.Random) -> list[Endpoint]:
    """Sessions and tokens for a sample of persons with ledger rows, for the applicants of
    cases, for carol (case worker) and bob (acme's legal representative); the endpoints with
    their platform requests and raw paths."""
    cookie = settings.SESSION_COOKIE_NAME
    user_model = get_user_model()
    first = Person.objects.order_by("pk").values_list("pk", flat=True).first() or 1
    last = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 1
    picked = sorted({rng.randrange(first, last + 1) for _ in range(SAMPLE * 2)})
    sample = list(
        Person.objects.filter(
            pk__in=LedgerEntry.objects.filter(person_id__in=picked).values("person_id")
        ).select_related("user")[:SAMPLE]
    )
    if not sample:  # ids with gaps (a database that has seen deletions): the first ones
        sample = list(
            Person.objects.filter(pk__in=LedgerEntry.objects.values("person_id"))
            .select_related("user")
            .order_by("pk")[:SAMPLE]
        )
    applicants = list(
        Person.objects.filter(pk__in=Application.objects.values("applicant_id"))
        .select_related("user")
        .order_by("pk")[:SAMPLE]
    )
    sessions: dict[int, str] = {}
    tokens: dict[int, str] = {}
    for person in [*sample, *applicants]:
        if person.pk in sessions:
            continue
        user = person.user if person.user_id else None
        if user is None:
            user = user_model.objects.create(username=f"bench-reads-{person.pk}")
            user.set_unusable_password()
            user.save(update_fields=["password"])
            Person.objects.filter(pk=person.pk).update(user=user)
        sessions[person.pk] = _session_of(user)
        tokens[person.pk] = identity.token_create(
            actor=user, name="bench reads", scopes=["contributions:read", "profile:read"], days=1
        ).secret
    carol = user_model.objects.get(username="carol")
    carol_session = _session_of(carol)
    bob = user_model.objects.get(username=_bob_username())
    bob_token = identity.token_create(
        actor=bob, name="bench reads", scopes=["contributions:read"], days=1
    ).secret
    employers = list(
        Employer.objects.filter(roles__person__user=bob, roles__revoked_at__isnull=True)
        .values_list("pk", flat=True)
        .distinct()
    )
    cases = list(Application.objects.order_by("pk").values_list("pk", "number")[:SAMPLE])
    Application.objects.filter(pk__in=[pk for pk, _ in cases]).update(
        code_hash=code_hash(STATUS_CODE)
    )
    items = list(
        ServiceItem.objects.filter(published=True).values_list("code", flat=True).distinct()
    )
    scope = carol.staff_profile.region.scope_prefix

    def session(pk: int) -> dict[str, str]:
        return {"Cookie": f"{cookie}={sessions[pk]}"}

    def bearer(pk: int) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[pk]}"}

    carol_cookie = {"Cookie": f"{cookie}={carol_session}"}
    bob_bearer = {"Authorization": f"Bearer {bob_token}"}

    return [
        Endpoint(
            "statement page",
            [("/me/contributions/", session(p.pk)) for p in sample],
            [f"/statement/{p.pk}" for p in sample],
            [("/auth/statement", session(p.pk)) for p in sample],
        ),
        Endpoint(
            "statement API",
            [(f"/api/v1/persons/{p.pk}/statement", bearer(p.pk)) for p in sample],
            [f"/statement/{p.pk}" for p in sample],
            [(f"/auth/statement-api/{p.pk}", bearer(p.pk)) for p in sample],
        ),
        Endpoint(
            # The cheapest signed-in read (the token's own user): what any API call costs
            # before its own work, the floor under every other row's ratio.
            "who am I API",
            [("/api/v1/me", bearer(p.pk)) for p in sample],
            [f"/me/{p.pk}" for p in sample],
            [("/auth/me", bearer(p.pk)) for p in sample],
        ),
        Endpoint(
            "my cases page",
            [("/me/applications/", session(p.pk)) for p in applicants],
            [f"/cases/{p.pk}" for p in applicants],
            [("/auth/cases", session(p.pk)) for p in applicants],
        ),
        Endpoint(
            "e-licences page",
            [("/me/licences/", session(p.pk)) for p in sample],
            [f"/licences/{resident_id_key(p.resident_id)}" for p in sample],
            [("/auth/licences", session(p.pk)) for p in sample],
        ),
        Endpoint(
            "queue page",
            [("/staff/queue/", carol_cookie)],
            [f"/queue/{scope}"],
            [("/auth/queue", carol_cookie)],
        ),
        Endpoint(
            "bills API",
            [(f"/api/v1/employers/{e}/bills", bob_bearer) for e in employers],
            [f"/bills/{e}" for e in employers],
            [(f"/auth/bills/{e}", bob_bearer) for e in employers],
        ),
        Endpoint(
            "catalogue item API",
            [(f"/api/v1/catalogue/items/{code}", {}) for code in items],
            [f"/item/{code}" for code in items],
            [(f"/auth/item/{code}", {}) for code in items],
        ),
        Endpoint(
            "status page",
            [(f"/status/?number={number}&code={STATUS_CODE}", {}) for _, number in cases],
            [f"/status/{number}" for _, number in cases],
            [(f"/auth/status/{number}?code={STATUS_CODE}", {}) for _, number in cases],
        ),
    ]


def _session_of(user: Any) -> str:
    """A real signed-in session of ``user`` (Django's login, in the configured session store).
    A fresh client each time: signing a different user in on one client ends its session."""
    client = Client()
    client.force_login(user)
    return str(client.cookies[settings.SESSION_COOKIE_NAME].value)


def _bob_username() -> str:
    """The login of acme's legal representative (bob): the user of the person holding a role."""
    person = (
        Person.objects.filter(
            employer_roles__isnull=False,
            employer_roles__revoked_at__isnull=True,
            user__isnull=False,
        )
        .order_by("pk")
        .select_related("user")
        .first()
    )
    if person is None or person.user is None:
        raise RuntimeError("The demo's employer representative (bob) is missing.")
    return str(person.user.username)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def _server(application: str, workers: int, threads: int = 1) -> Iterator[int]:
    """gunicorn serving ``application`` on a free port, for the duration of the block:
    ``workers`` sync workers, or gthread workers of ``threads`` threads each."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DEBUG": "0",
        # For the raw app's authorized baseline: the session's user-hash, the idle limit.
        "SECRET_KEY": settings.SECRET_KEY,
        "SESSION_COOKIE_NAME": settings.SESSION_COOKIE_NAME,
        "STAFF_IDLE_TIMEOUT_SECONDS": str(settings.STAFF_IDLE_TIMEOUT_SECONDS),
        "ONESTOP_THROTTLE_RATES": "token=100000000/min,lookup=100000000/min",
    }
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "gunicorn",
            application,
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--worker-class",
            "sync" if threads == 1 else "gthread",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--preload",  # import once, before the workers fork: they answer at once
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 180  # a loaded machine imports Django slowly
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn {application} did not start.") from None
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _database_url() -> str:
    """The URL of the database this process uses (the test database under pytest)."""
    db = connection.settings_dict
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or "5432"
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


def _check(port: int, request: tuple[str, dict[str, str]]) -> None:
    """One request before the load: it must answer 200, not a login redirect or an error."""
    path, headers = request
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
    finally:
        conn.close()
    if response.status != 200:
        raise RuntimeError(
            f"GET {path} answered {response.status} {response.getheader('Location', '')}"
        )


LUA = """
local requests = %s
local count = #requests
request = function()
  local r = requests[math.random(count)]
  return wrk.format("GET", r[1], r[2])
end
done = function(summary, latency, _)
  io.write(string.format(
    "RESULT %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99),
    summary.errors.status + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout))
end
"""


def _lua_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=True)  # a JSON string is a valid Lua string here


def drive(
    port: int, requests: list[tuple[str, dict[str, str]]], *, duration: int, connections: int
) -> dict[str, Any]:
    """``wrk`` at ``connections`` connections for ``duration`` seconds, each request picked at
    random from ``requests``; rps, p50 and p99 in ms, and the count of errors (non-2xx/3xx,
    socket errors, timeouts)."""
    table = (
        "{"
        + ",".join(
            "{"
            + _lua_string(path)
            + ",{"
            + ",".join(f"[{_lua_string(k)}]={_lua_string(v)}" for k, v in headers.items())
            + "}}"
            for path, headers in requests
        )
        + "}"
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % table)
    try:
        out = subprocess.run(  # noqa: S603 - wrk found on PATH, our own arguments
            [
                shutil.which("wrk") or "wrk",
                "-t",
                str(min(2, connections)),
                "-c",
                str(connections),
                "-d",
                f"{duration}s",
                "--timeout",
                "10s",
                "-s",
                script.name,
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    done, micros, p50, p99, errors = (int(x) for x in line.split()[1:])
    return {
        "rps": round(done / (micros / 1e6), 1) if micros else 0.0,
        "p50_ms": round(p50 / 1000, 2),
        "p99_ms": round(p99 / 1000, 2),
        "errors": errors,
    }
