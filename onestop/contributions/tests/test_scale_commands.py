"""`onestop generate`, `onestop declare` and `onestop bench posting` at small sizes."""

from __future__ import annotations

import json
import random
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from onestop.contributions.models import Declaration, Employment, LedgerEntry
from onestop.contributions.selectors import ledger_verify
from onestop.identity.models import Employer, Person
from onestop.pensions.models import PayrollRun
from onestop.unemployment.models import BenefitPayment, BenefitPayrollRun

pytestmark = pytest.mark.django_db


def test_generate_then_declare_a_file(tmp_path: Path) -> None:
    out = StringIO()
    call_command(
        "generate",
        "--persons",
        "40",
        "--employers",
        "4",
        "--months",
        "2",
        "--export",
        str(tmp_path),
        stdout=out,
    )
    assert "40 persons and 4 employers loaded" in out.getvalue()
    assert Person.objects.count() == 40 and Employer.objects.count() == 4
    assert Employment.objects.count() == 40
    assert Declaration.objects.count() == 8
    assert LedgerEntry.objects.count() == 40 * 2 * 4  # pension x2 + unemployment x2 kinds
    assert ledger_verify() == []
    assert all(
        p.resident_id_index and p.resident_id.startswith("6") for p in Person.objects.all()[:5]
    )
    employer = Employer.objects.order_by("pk").first()
    assert employer is not None
    file = tmp_path / f"employer-{employer.pk}.csv"
    assert file.read_text(encoding="utf-8-sig").startswith("公民身份号码 resident_id")
    # generate declared the two months before this one; this month is still open.
    this_month = timezone.localdate().strftime("%Y-%m")
    reply = StringIO()
    call_command(
        "declare", str(file), "--employer", str(employer.pk), "--period", this_month, stdout=reply
    )
    assert json.loads(reply.getvalue())["rows"] == 10
    with pytest.raises(CommandError, match="refused"):
        call_command(
            "declare",
            str(file),
            "--employer",
            str(employer.pk),
            "--period",
            this_month,
            stdout=StringIO(),
        )


def test_generate_refuses_bad_sizes() -> None:
    with pytest.raises(CommandError):
        call_command("generate", "--persons", "5", "--employers", "6")


def test_bench_posting() -> None:
    out = StringIO()
    call_command("bench", "posting", "--rows", "50", stdout=out)
    figures = json.loads(out.getvalue().strip().splitlines()[-1])
    expected = {"rows", "seconds", "rows_per_s", "raw_rows_per_s", "ratio", "cpu_seconds"}
    expected |= {"database", "phases"}
    if connection.vendor == "postgresql":
        expected.add("floor_ratio")
        # The floor inserted the declaration's one detail row per employee.
        assert "50 detail rows" in out.getvalue()
    assert set(figures) == expected
    assert figures["rows"] == 50 and figures["ratio"] > 0
    # Each step of the path timed, the rest as "other"; they add up to the whole (the
    # commit is timed too, but inside the test's transaction there is none).
    phases = figures["phases"]
    assert {"read_employees", "check_rows", "stage", "insert_detail", "other"} <= set(phases)
    assert abs(sum(phases.values()) - figures["seconds"]) < 0.01
    # The baseline's table is gone again.
    assert "bench_raw" not in connection.introspection.table_names()


def test_bench_payroll_runs_three_months(world: Any) -> None:
    """The bench prepares its pensioners and benefits (COPY on PostgreSQL, every NOT NULL
    column given), pays three months of each payroll and times both raw baselines, leaving
    no baseline table behind."""
    out = StringIO()
    call_command("bench", "payroll", "--rows", "30", stdout=out)
    figures = json.loads(out.getvalue().strip().splitlines()[-1])
    assert figures["rows"] >= 30 and figures["pensioners_made"] == 30
    for key in ("first_seconds", "second_seconds", "third_seconds", "raw_seconds", "ratio"):
        assert figures[key] > 0, key
        assert figures[f"unemployment_{key}"] > 0, key
    assert figures["second_over_first"] > 0 and figures["third_over_first"] > 0
    assert PayrollRun.objects.count() == 3
    assert BenefitPayrollRun.objects.count() == 3
    assert figures["unemployment_rows"] == 30
    assert BenefitPayment.objects.count() == 90
    tables = connection.introspection.table_names()
    assert "bench_payroll" not in tables and "bench_benefit_payroll" not in tables


@pytest.mark.django_db(transaction=True)
def test_declare_cut_off_by_a_lost_connection_says_so_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The connection dies after the lines are posted, before the commit: the command says
    in one line that nothing was saved and that running again is safe; nothing is left, and
    running again declares the month. On PostgreSQL the server really ends the session."""
    from django.db import OperationalError

    from onestop.contributions import services

    call_command(
        "generate", "--persons", "10", "--employers", "1", "--months", "1",
        "--export", str(tmp_path), stdout=StringIO(),
    )  # fmt: skip
    employer = Employer.objects.get()
    before = (Declaration.objects.count(), LedgerEntry.objects.count())
    real_bills = services._bills

    def lost(*args: object, **kwargs: object) -> object:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
        raise OperationalError(
            "server closed the connection unexpectedly\n\tThis probably means the server "
            "terminated abnormally"
        )

    monkeypatch.setattr(services, "_bills", lost)
    this_month = timezone.localdate().strftime("%Y-%m")
    command = ("declare", str(tmp_path / f"employer-{employer.pk}.csv"))
    options = ("--employer", str(employer.pk), "--period", this_month)
    with pytest.raises(CommandError) as error:
        call_command(*command, *options, stdout=StringIO())
    message = str(error.value)
    assert "\n" not in message and message.startswith("The database connection was lost (")
    assert message.endswith("nothing was saved. Running the same command again is safe.")
    connection.close()  # as a new process would: a fresh connection
    assert (Declaration.objects.count(), LedgerEntry.objects.count()) == before
    monkeypatch.setattr(services, "_bills", real_bills)
    reply = StringIO()
    call_command(*command, *options, stdout=reply)
    assert json.loads(reply.getvalue())["rows"] == 10


def test_people_from_worker_processes_are_exactly_the_persons_asked_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two worker processes make the persons in chunks of 7, each employed once, with the
    resident ID and name encrypted and findable by blind index. A load whose chunks draw the
    same IDs again makes up for every duplicate and still creates exactly the persons asked
    for."""
    from dataclasses import replace

    from onestop.contributions import generate
    from onestop.identity.auth import resident_id_index
    from onestop.identity.fields import name_index

    monkeypatch.setattr(generate, "CHUNK", 7)
    steps: list[int] = []
    first = generate.people(
        count=30,
        employers=3,
        rng=random.Random(5),
        start_period=202401,
        workers=2,
        progress=steps.append,
    )
    assert steps == [7, 7, 7, 7, 2]
    assert Person.objects.count() == 30 and Employment.objects.count() == 30
    number = first.people[first.employer_ids[0]][0][0]
    person = Person.objects.get(resident_id_index=resident_id_index(number))
    assert person.resident_id == number
    assert person.name_index == name_index(person.name)
    employment = Employment.objects.get(person=person)
    assert employment.employer_id == first.employer_ids[0] and employment.start_period == 202401

    real = generate._chunk_rows
    # Every chunk of the second load draws the same seven IDs.
    monkeypatch.setattr(
        generate,
        "_chunk_rows",
        lambda chunk: real(replace(chunk, seed=99) if chunk.first < 30 else chunk),
    )
    steps.clear()
    second = generate.people(
        count=30,
        employers=3,
        rng=random.Random(6),
        start_period=202401,
        workers=1,
        progress=steps.append,
    )
    assert steps[:5] == [7, 7, 7, 7, 2] and sum(steps) >= 30 + 23
    assert Person.objects.count() == 60
    assert Person.objects.values("resident_id_index").distinct().count() == 60
    assert Employment.objects.count() == 60 and Employer.objects.count() == 6
    made = [n for rows in second.people.values() for n, _ in rows]
    assert len(set(made)) == 30


def test_generate_quiet_draws_no_progress_bar(capsys: pytest.CaptureFixture[str]) -> None:
    """--quiet (and a standard error that is not a terminal) leaves standard error empty;
    the summary gives both parts' rates."""
    out = StringIO()
    call_command(
        "generate", "--persons", "12", "--employers", "2", "--months", "1", "--quiet", stdout=out
    )
    assert capsys.readouterr().err == ""
    assert "persons/s" in out.getvalue() and "rows/s" in out.getvalue()
    assert Declaration.objects.count() == 2
