"""``ledger verify``: each invariant holds on a real ledger, and breaking it on purpose
(raw SQL past the services and the append-only model) makes verify fail naming the row."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from conftest import World
from onestop.contributions import services
from onestop.contributions.interest import account_interest_credit
from onestop.contributions.models import (
    AccountYear,
    Bill,
    Declaration,
    LedgerEntry,
    LedgerRecord,
    Payment,
    PensionMonth,
)
from onestop.contributions.services import DeclaredRow
from onestop.contributions.verify import RULES, ledger_verify

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def ledger(world: World) -> World:
    """acme (pension and unemployment) employing alice and bob: a regular declaration and a
    supplementary one for 2024-10, both bills paid, 2024's interest credited."""
    services.insurance_register(
        actor=None, employer=world.acme, insurances=["pension", "unemployment"], since_period=202401
    )
    for person in (world.alice, world.bob):
        services.employment_start(
            actor=None,
            employer=world.acme,
            resident_id=person.resident_id,
            start_period=202401,
            wage=Decimal("6000"),
        )
    for kind, alice in (("regular", "6000"), ("supplementary", "7000")):
        result = services.declaration_submit(
            actor=None,
            employer=world.acme,
            period=202410,
            rows=[
                DeclaredRow(2, world.alice.resident_id, alice),
                DeclaredRow(3, world.bob.resident_id, "9000"),
            ],
            kind=kind,
            today=TODAY,
        )
        assert result.accepted, result.reply
    for number, bill in enumerate(Bill.objects.order_by("pk")):
        services.payment_record(
            actor=None,
            external_id=f"TAX-{number}",
            bill=bill,
            amount=bill.amount_due,
            paid_on=dt.date(2024, 11, 10),
        )
    assert account_interest_credit(actor=None, year=2024, province="610000") == 2
    return world


def sql(statement: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def fails(rule: str, *named: str) -> None:
    """verify reports ``rule`` (and only it) naming every text in ``named``; the command
    exits non-zero with the same lines."""
    findings = ledger_verify()
    assert {f.rule for f in findings} == {rule}, findings
    text = "\n".join(f.detail for f in findings)
    for name in named:
        assert name in text, text
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("ledger", "verify", stdout=io.StringIO(), stderr=err)
    for name in named:
        assert name in err.getvalue()


def entry(**match: object) -> LedgerEntry:
    return LedgerEntry.objects.filter(**match).order_by("pk").first()  # type: ignore[return-value]


def test_a_sound_ledger_passes_with_a_progress_line(ledger: World) -> None:
    out = io.StringIO()
    call_command("ledger", "verify", stdout=out)
    lines = out.getvalue().splitlines()
    steps = len(RULES) + 1  # gathering, then one line per rule
    assert lines[0].startswith(f"[1/{steps}] declared and paid amounts gathered in ")
    assert [line.split()[1] for line in lines[1:steps]] == [f"{rule}:" for rule in RULES]
    assert all("0 finding(s)" in line for line in lines[1:steps])
    assert lines[-1] == "Ledger invariants hold."


def test_a_changed_declaration_entry_is_named(ledger: World) -> None:
    """A regular declaration's entries are its contribution detail: a part changed there no
    longer matches the declaration's bill ("bill"), the month no longer holds what the newer
    supplementary declaration says ("declared"), the account year no longer closes, and the
    account credited is no longer what the paid bills imply ("credited")."""
    regular = Declaration.objects.get(kind="regular")
    row = entry(person=ledger.alice, kind="individual_account", source_id=regular.pk)
    sql(
        "UPDATE contributions_contributiondetail SET pension_individual = pension_individual "
        "+ 1 WHERE declaration_id = %s AND person_id = %s",
        [row.source_id, ledger.alice.pk],
    )
    findings = ledger_verify()
    assert {f.rule for f in findings} == {"declared", "bill", "account_year", "credited"}
    bill = Bill.objects.get(declaration_id=row.source_id, insurance="pension")
    assert any(f.detail.startswith(f"bill {bill.pk}: due ") for f in findings)


def test_a_changed_record_of_a_declaration_is_named(ledger: World) -> None:
    """An entry written as a record against a regular declaration (a double post, or one
    restored by hand) breaks "declared", naming the person's month and the entry."""
    regular = Declaration.objects.get(kind="regular")
    row = entry(person=ledger.alice, kind="individual_account", source_id=regular.pk)
    sql(
        "INSERT INTO contributions_ledgerrecord (person_id, employer_id, period, insurance, "
        "kind, account, amount, base, source_type, source_id, created_at) SELECT person_id, "
        "employer_id, period, insurance, 'employer_pooled', account, 1, base, source_type, "
        "source_id, created_at FROM contributions_ledgerentry WHERE id = %s",
        [row.pk],
    )
    findings = ledger_verify()
    assert {f.rule for f in findings} >= {"declared", "bill"}
    declared = next(f.detail for f in findings if f.rule == "declared")
    assert declared.startswith(
        f"employer {ledger.acme.pk} 2024-10 pension employer_pooled person {ledger.alice.pk}:"
    )


def test_an_inserted_entry_is_named(ledger: World) -> None:
    """An entry posted from no declaration line (a double post, say) breaks "declared"."""
    declaration = Declaration.objects.order_by("pk").first()
    assert declaration is not None
    sql(
        "INSERT INTO contributions_ledgerrecord (person_id, employer_id, period, insurance, kind, "
        "account, amount, base, source_type, source_id, created_at) VALUES "
        "(%s, %s, 202410, 'unemployment', 'employer_pooled', %s, 10.00, NULL, 'declaration', "
        "%s, CURRENT_TIMESTAMP)",
        [ledger.bob.pk, ledger.acme.pk, False, declaration.pk + 1000],
    )
    findings = ledger_verify()
    assert {f.rule for f in findings} == {"declared"}
    assert findings[0].detail.startswith(
        f"employer {ledger.acme.pk} 2024-10 unemployment employer_pooled person {ledger.bob.pk}"
    )


def test_a_duplicate_entry_is_named(ledger: World) -> None:
    # A regular declaration's entry restored as a record as well: the view shows it twice.
    row = entry(person=ledger.bob, kind="employer_pooled", insurance="pension")
    sql(
        "INSERT INTO contributions_ledgerrecord (person_id, employer_id, period, insurance, kind, "
        "account, amount, base, source_type, source_id, created_at) SELECT person_id, "
        "employer_id, period, insurance, kind, account, amount, base, source_type, source_id, "
        "created_at FROM contributions_ledgerentry WHERE id = %s",
        [row.pk],
    )
    findings = ledger_verify()
    assert "duplicate" in {f.rule for f in findings}
    duplicate = next(f.detail for f in findings if f.rule == "duplicate")
    assert duplicate == (
        f"2 entries from declaration {row.source_id} for person {ledger.bob.pk} 2024-10 "
        "pension employer_pooled"
    )


def test_a_bill_not_its_parts_is_named(ledger: World) -> None:
    bill = Bill.objects.filter(insurance="unemployment").order_by("pk").first()
    assert bill is not None
    sql(
        "UPDATE contributions_bill SET employer_amount = employer_amount - 1 WHERE id = %s",
        [bill.pk],
    )
    fails("bill", f"bill {bill.pk}: due {bill.amount_due}")


def test_bills_not_adding_up_to_the_declared_amounts_are_named(ledger: World) -> None:
    """A bill changed together with its declaration's entries passes "bill" and "declared"
    per person only if the lines change too; change a bill and its entries: the month's bills
    no longer add up to what was declared."""
    bill = Bill.objects.filter(insurance="pension").order_by("pk").first()
    assert bill is not None
    sql(
        "UPDATE contributions_bill SET amount_due = amount_due + 5, employer_amount = "
        "employer_amount + 5 WHERE id = %s",
        [bill.pk],
    )
    findings = ledger_verify()
    # The raised bill is no longer paid in full, so its month no longer counts as credited
    # when 2024 was: the account year is named too.
    assert {f.rule for f in findings} == {"bill", "bills_declared", "account_year"}
    assert f"employer {ledger.acme.pk} 2024-10 pension: bills" in "\n".join(
        f.detail for f in findings
    )


def test_a_negative_month_is_named(ledger: World) -> None:
    """A person's month driven below zero (what the race did) is named, and a transfer out
    (a reversing entry) is not."""
    sql(
        "INSERT INTO contributions_ledgerrecord (person_id, employer_id, period, insurance, kind, "
        "account, amount, base, source_type, source_id, created_at) VALUES "
        "(%s, NULL, 202411, 'pension', 'individual_account', %s, -50.00, NULL, 'manual', 1, "
        "CURRENT_TIMESTAMP)",
        [ledger.alice.pk, True],
    )
    sql(
        "INSERT INTO contributions_ledgerrecord (person_id, employer_id, period, insurance, kind, "
        "account, amount, base, source_type, source_id, created_at) VALUES "
        "(%s, NULL, 202411, 'pension', 'transfer_out', %s, -100.00, NULL, 'transfer_acct', 1, "
        "CURRENT_TIMESTAMP)",
        [ledger.bob.pk, True],
    )
    findings = ledger_verify()
    negative = [f.detail for f in findings if f.rule == "negative"]
    assert any(
        d.startswith(f"person {ledger.alice.pk} month 2024-11 pension individual_account: -50.00")
        for d in negative
    ), negative
    assert any(d.startswith(f"person {ledger.alice.pk} account month 2024-11") for d in negative)
    assert not any(f"person {ledger.bob.pk} " in d for d in negative)


def test_a_negative_account_is_named(ledger: World) -> None:
    total = sum(
        LedgerEntry.objects.filter(person=ledger.bob, account=True).values_list("amount", flat=True)
    )
    sql(
        "INSERT INTO contributions_ledgerrecord (person_id, employer_id, period, insurance, kind, "
        "account, amount, base, source_type, source_id, created_at) VALUES "
        "(%s, NULL, 202501, 'pension', 'interest', %s, %s, NULL, 'manual', 2, "
        "CURRENT_TIMESTAMP)",
        [ledger.bob.pk, True, -(total + 1)],
    )
    findings = ledger_verify()
    negative = [f.detail for f in findings if f.rule == "negative"]
    assert any(d.startswith(f"person {ledger.bob.pk} account: -1.00") for d in negative), negative


def test_an_account_year_not_closing_is_named(ledger: World) -> None:
    year = AccountYear.objects.get(person=ledger.alice, year=2024)
    sql("UPDATE contributions_accountyear SET closing = closing + 1 WHERE id = %s", [year.pk])
    fails("account_year", f"person {ledger.alice.pk} 2024: opening ")


def test_money_paid_above_the_bill_without_its_credit_is_named(ledger: World) -> None:
    """A payment above its bill is recorded (the authority already received it) and netting
    keeps the excess as the employer's credit: a payment raised behind netting's back leaves
    the month paid above its net with no credit recorded (``credit``); ``paid`` only names
    payments that are not positive."""
    payment = Payment.objects.order_by("pk").first()
    assert payment is not None
    sql("UPDATE contributions_payment SET amount = amount + 1 WHERE id = %s", [payment.pk])
    findings = ledger_verify()
    assert "credit" in {f.rule for f in findings} and "paid" not in {f.rule for f in findings}
    sql("UPDATE contributions_payment SET amount = 0 WHERE id = %s", [payment.pk])
    assert "paid" in {f.rule for f in ledger_verify()}


def test_a_payment_posted_twice_is_named(ledger: World) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite cannot drop a column's inline UNIQUE constraint.")
    sql("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred check may be pending at ALTER
    sql("ALTER TABLE contributions_payment DROP CONSTRAINT contributions_payment_external_id_key")
    sql(
        "INSERT INTO contributions_payment (external_id, bill_id, amount, paid_on, created_at) "
        "SELECT external_id, bill_id, 0.01, paid_on, created_at FROM contributions_payment "
        "WHERE external_id = 'TAX-0'"
    )
    findings = ledger_verify()
    assert "payment TAX-0 posted 2 times" in "\n".join(
        f.detail for f in findings if f.rule == "payment_once"
    )


def test_interest_credited_twice_is_named(ledger: World) -> None:
    interest = entry(person=ledger.bob, kind="interest")
    sql(
        "INSERT INTO contributions_ledgerrecord (person_id, employer_id, period, insurance, kind, "
        "account, amount, base, source_type, source_id, created_at) SELECT person_id, "
        "employer_id, 202411, insurance, kind, account, amount, base, source_type, source_id, "
        "created_at FROM contributions_ledgerentry WHERE id = %s",
        [interest.pk],
    )
    findings = ledger_verify()
    assert {f.rule for f in findings} == {"interest_once", "account_year"}
    assert f"person {ledger.bob.pk} 2024: 2 interest entries (first {interest.pk})" in "\n".join(
        f.detail for f in findings
    )


def test_many_findings_are_counted_beyond_the_limit(ledger: World) -> None:
    sql(
        "INSERT INTO contributions_ledgerrecord (person_id, employer_id, period, insurance, "
        "kind, account, amount, base, source_type, source_id, created_at) SELECT person_id, "
        "employer_id, period, insurance, kind, account, 1, base, source_type, source_id + 1000, "
        "created_at FROM contributions_ledgerentry WHERE source_type = 'declaration'"
    )
    findings = [f for f in ledger_verify(limit=2) if f.rule == "declared"]
    assert len(findings) == 3 and findings[-1].detail.startswith("... and ")


def test_an_entry_of_no_person_is_named(ledger: World) -> None:
    """The ledger has no database foreign keys: an entry, line or pension month naming a
    person, employer or declaration that does not exist is a ``references`` finding."""
    declaration = Declaration.objects.order_by("pk").first()
    assert declaration is not None
    ghost = ledger.bob.pk + 10_000
    sql(
        "INSERT INTO contributions_ledgerrecord (person_id, employer_id, period, insurance, kind, "
        "account, amount, base, source_type, source_id, created_at) VALUES "
        "(%s, %s, 202410, 'pension', 'correction', %s, 0.00, NULL, 'correction', 1, "
        "CURRENT_TIMESTAMP)",
        [ghost, ledger.acme.pk, False],
    )
    sql(
        "INSERT INTO contributions_pensionmonth (person_id, period, employer_id, declaration_id) "
        "VALUES (%s, 202411, %s, %s)",
        [ledger.alice.pk, ledger.acme.pk, declaration.pk + 10_000],
    )
    findings = [f.detail for f in ledger_verify() if f.rule == "references"]
    entry_id = LedgerRecord.objects.get(person_id=ghost).pk
    month_id = PensionMonth.objects.get(period=202411).pk
    assert findings == [
        f"ledger record {entry_id}: no person {ghost}",
        f"pension month {month_id}: no declaration {declaration.pk + 10_000}",
    ]
