"""The bulk path of `onestop generate` writes what the declaration service writes."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction

from onestop.audit.selectors import journal_verify
from onestop.contributions import bulk_declare
from onestop.contributions.models import (
    Bill,
    ContributionDetail,
    Declaration,
    LedgerEntry,
    PensionMonth,
)
from onestop.contributions.selectors import statement_of
from onestop.identity.models import Employer, Person

pytestmark = pytest.mark.django_db

PERSONS, EMPLOYERS, MONTHS = 60, 5, 3


def _generate(*, slow: bool) -> None:
    call_command(
        "generate",
        "--persons",
        str(PERSONS),
        "--employers",
        str(EMPLOYERS),
        "--months",
        str(MONTHS),
        "--seed",
        "7",
        "--quiet",
        *(["--slow-path"] if slow else []),
        stdout=StringIO(),
    )


def _snapshot() -> dict[str, Any]:
    """Everything a reader sees of the declared months, keyed by what does not depend on
    primary keys or names (both move with the database's sequences): employers by credit
    code, persons by blind index."""
    code = dict(Employer.objects.values_list("pk", "credit_code"))
    name_code = dict(Employer.objects.values_list("name", "credit_code"))
    person = dict(Person.objects.values_list("pk", "resident_id_index"))
    declaration_key: dict[int, tuple[str, int]] = {}
    declarations = {}
    for d in Declaration.objects.all():
        declaration_key[d.pk] = (code[d.employer_id], d.period)
        reply = dict(d.reply)
        assert reply.pop("declaration_id") == d.pk
        declarations[(code[d.employer_id], d.period)] = (
            d.kind,
            d.idempotency_key,
            d.idempotency_client,
            d.payload_hash,
            d.rows,
            d.total_wage,
            json.dumps(reply, sort_keys=True),
            d.parameters,
            d.created_by,
        )
    details = sorted(
        (
            declaration_key[r.declaration_id],
            person[r.person_id],
            code[r.employer_id],
            r.period,
            r.wage,
            r.base,
            r.pension_employer,
            r.pension_individual,
            r.unemployment_employer,
            r.unemployment_individual,
            r.work_injury_employer,
        )
        for r in ContributionDetail.objects.all()
    )
    # Within each declaration, the detail rows' order (their ids) follows the persons'.
    order = [
        (r.declaration_id, r.person_id)
        for r in ContributionDetail.objects.order_by("declaration_id", "id")
    ]
    assert order == sorted(order)
    bills = sorted(
        (
            declaration_key[b.declaration_id],
            code[b.employer_id],
            b.period,
            b.insurance,
            b.employer_amount,
            b.individual_amount,
            b.amount_due,
            b.collect_amount,
            b.due_date,
            b.sent_at,
        )
        for b in Bill.objects.all()
    )
    months = sorted(
        (person[m.person_id], m.period, code[m.employer_id], declaration_key[m.declaration_id])
        for m in PensionMonth.objects.all()
    )
    entries = sorted(
        (
            person[e.person_id],
            code.get(e.employer_id or 0, ""),
            e.period,
            e.insurance,
            e.kind,
            e.account,
            e.amount,
            e.base,
            e.source_type,
            declaration_key[e.source_id],
        )
        for e in LedgerEntry.objects.all()
    )
    statements = []
    for p in Person.objects.order_by("resident_id_index")[:4]:
        statement = dataclasses.asdict(statement_of(person=p))
        for month in statement["months"]:
            month["employer"] = name_code[month["employer"]]
        statements.append((p.resident_id_index, statement))
    return {
        "declarations": declarations,
        "details": details,
        "bills": bills,
        "pension_months": months,
        "entries": entries,
        "statements": statements,
    }


def test_bulk_months_equal_the_service_path() -> None:
    """The same province (same seed) declared through `declaration_submit` one employer and
    month at a time, then, from the same empty database, in bulk: declarations (their
    replies with the base adjustments), detail rows, ledger entries, bills, pension months
    and statements are the same; the ledger's invariants and the journal's chain hold."""
    with transaction.atomic():
        _generate(slow=True)
        slow = _snapshot()
        transaction.set_rollback(True)
    assert not Declaration.objects.exists() and not Person.objects.exists()
    _generate(slow=False)
    fast = _snapshot()
    assert len(slow["declarations"]) == EMPLOYERS * MONTHS
    assert len(slow["details"]) == PERSONS * MONTHS
    assert len(slow["pension_months"]) == PERSONS * MONTHS
    assert len(slow["bills"]) == EMPLOYERS * MONTHS * 2  # pension, unemployment
    # Wages from 3,000 to 30,000: some bases are raised to the floor or cut to the cap.
    replies = [json.loads(d[6]) for d in slow["declarations"].values()]
    assert sum(r["adjustment_count"] for r in replies) > 0
    for part in slow:
        assert fast[part] == slow[part], part
    out = StringIO()
    call_command("ledger", "verify", stdout=out)
    assert "Ledger invariants hold." in out.getvalue()
    checked, broken = journal_verify()
    assert broken is None and checked >= MONTHS


def test_a_month_declared_twice_is_refused_whole() -> None:
    """Declaring a month again in bulk is refused by the database and writes nothing."""
    _generate(slow=False)
    declared = Declaration.objects.count()
    period = Declaration.objects.order_by("period").values_list("period", flat=True).first()
    assert period is not None
    people = {
        d.employer_id: [
            (
                "",
                r.wage,
                r.person_id,
            )
            for r in ContributionDetail.objects.filter(declaration=d)
        ]
        for d in Declaration.objects.filter(period=period)
    }
    from django.db import IntegrityError

    with pytest.raises(IntegrityError), transaction.atomic():
        bulk_declare.declare_month(people=people, period=period)
    assert Declaration.objects.count() == declared
    assert ContributionDetail.objects.filter(period=period).count() == PERSONS
    assert Bill.objects.filter(period=period).count() == EMPLOYERS * 2
    assert sum(r[1] for rows in people.values() for r in rows) > Decimal(0)
