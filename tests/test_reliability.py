"""Posting survives being killed, and concurrent retries with one idempotency key post once.

The kill test runs the real `onestop declare` command in a process of its own against a
database of its own (a SQLite file, or a new PostgreSQL database when the suite runs on
PostgreSQL) and kills it with SIGKILL at random moments.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
PERSONS = 3000
COUNTS = (
    "import json; from onestop.contributions.models import Declaration, "
    "ContributionDetail, LedgerEntry, Bill; print(json.dumps([Declaration.objects.count(), "
    "ContributionDetail.objects.count(), LedgerEntry.objects.count(), Bill.objects.count()]))"
)


def onestop(
    env: dict[str, str], *args: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "onestop.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=check,
    )


@pytest.fixture
def own_database(tmp_path: Path) -> Iterator[dict[str, str]]:
    skip = {"DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL"}
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env["ONESTOP_VAR_DIR"] = str(tmp_path / "var")
    name = ""
    if connection.vendor == "postgresql":
        import psycopg

        db = settings.DATABASES["default"]
        name = f"onestop_kill_{uuid.uuid4().hex[:10]}"
        admin = (
            f"host={db['HOST'] or '127.0.0.1'} port={db['PORT'] or 5432} "
            f"user={db['USER']} dbname=postgres"
        )
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
        )
    yield env
    if name:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def counts(env: dict[str, str]) -> list[int]:
    found: list[int] = json.loads(
        onestop(env, "shell", "-c", COUNTS).stdout.strip().splitlines()[-1]
    )
    return found


@pytest.mark.slow
def test_a_killed_posting_leaves_all_or_nothing(
    own_database: dict[str, str], tmp_path: Path
) -> None:
    env = own_database
    onestop(env, "migrate", "-v0")
    files = tmp_path / "files"
    onestop(
        env,
        "generate",
        "--persons",
        str(PERSONS),
        "--employers",
        "1",
        "--months",
        "0",
        "--export",
        str(files),
    )
    file = next(files.glob("employer-*.csv"))
    employer = file.stem.split("-")[1]
    period = time.strftime("%Y-%m")
    complete = [1, PERSONS, PERSONS * 4, 2]  # a detail row a person; entries: 4 kinds
    command = [
        sys.executable,
        "-m",
        "onestop.cli",
        "declare",
        str(file),
        "--employer",
        employer,
        "--period",
        period,
    ]
    rng = random.Random()
    outcomes = []
    for _ in range(4):
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.3, 3.0))
        process.kill()
        process.wait()
        state = counts(env)
        assert state in ([0, 0, 0, 0], complete), state
        outcomes.append(state[0])
        if state == complete:
            break
    if outcomes[-1] == 0:
        onestop(env, "declare", str(file), "--employer", employer, "--period", period)
    assert counts(env) == complete
    onestop(env, "ledger", "verify")


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_submissions_with_one_key_post_once(world: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent writers need PostgreSQL: SQLite serialises them by design.")
    from onestop.common.errors import ServiceError
    from onestop.contributions import services
    from onestop.contributions.models import Declaration, LedgerEntry

    services.insurance_register(
        actor=None, employer=world.acme, insurances=["pension"], since_period=202401
    )
    for person in (world.alice, world.bob):
        services.employment_start(
            actor=None,
            employer=world.acme,
            resident_id=person.resident_id,
            start_period=202401,
            wage=Decimal("5000"),
        )
    rows = [
        services.DeclaredRow(2, world.alice.resident_id, "5000"),
        services.DeclaredRow(3, world.bob.resident_id, "6000"),
    ]
    barrier = threading.Barrier(50)
    replies: list[Any] = []
    failures: list[BaseException] = []

    def submit() -> None:
        try:
            barrier.wait()
            result = services.declaration_submit(
                actor=None,
                employer=world.acme,
                period=202410,
                rows=rows,
                idempotency_key="acme-2024-10",
            )
            replies.append((result.accepted, result.replayed, result.reply))
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not failures, failures[:3]
    assert len(replies) == 50
    assert all(accepted for accepted, _, _ in replies), [r for a, _, r in replies if not a][:2]
    assert sum(not replayed for _, replayed, _ in replies) == 1
    assert len({json.dumps(reply, sort_keys=True) for _, _, reply in replies}) == 1
    assert Declaration.objects.count() == 1
    assert LedgerEntry.objects.count() == 4
    changed = [services.DeclaredRow(2, world.alice.resident_id, "5001"), rows[1]]
    with pytest.raises(ServiceError):
        services.declaration_submit(
            actor=None,
            employer=world.acme,
            period=202410,
            rows=changed,
            idempotency_key="acme-2024-10",
        )
