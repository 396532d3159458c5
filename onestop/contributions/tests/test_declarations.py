"""Declarations: validated whole, posted set-based and idempotently, bills and the ledger."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import World
from onestop.audit.models import Entry
from onestop.common.errors import NotPermitted, ServiceError
from onestop.contributions import partitions, services
from onestop.contributions.interest import account_interest_credit
from onestop.contributions.models import (
    AccountYear,
    Bill,
    ContributionDetail,
    Declaration,
    LedgerEntry,
)
from onestop.contributions.selectors import bills_of, ledger_verify, statement_of
from onestop.contributions.services import DeclaredRow
from onestop.identity import demo
from onestop.identity import services as identity_services

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 23)
PERIOD = 202410


@pytest.fixture
def acme(world: World) -> World:
    """acme registered for all three insurances, employing alice and bob from 2024-01."""
    services.insurance_register(
        actor=world.bob.user,
        employer=world.acme,
        insurances=["pension", "unemployment", "work_injury"],
        since_period=202401,
        risk_class=2,
    )
    for person in (world.alice, world.bob):
        services.employment_start(
            actor=world.bob.user,
            employer=world.acme,
            resident_id=person.resident_id,
            start_period=202401,
            wage=Decimal("6000"),
        )
    return world


def rows(world: World, alice: str = "3000", bob: str = "30000") -> list[DeclaredRow]:
    return [
        DeclaredRow(2, world.alice.resident_id, alice),
        DeclaredRow(3, world.bob.resident_id.lower(), bob),
    ]


def submit(world: World, data: list[DeclaredRow], **kwargs: Any) -> services.DeclarationResult:
    return services.declaration_submit(
        actor=world.bob.user,
        employer=world.acme,
        period=kwargs.pop("period", PERIOD),
        rows=data,
        today=TODAY,
        **kwargs,
    )


def pay_all() -> None:
    """The employer pays every open bill in full (only paid months are credited)."""
    for bill in Bill.objects.filter(payments__isnull=True, amount_due__gt=0).order_by("pk"):
        services.payment_record(
            actor=None,
            external_id=f"TAX-{bill.pk}",
            bill=bill,
            amount=bill.amount_due,
            paid_on=bill.due_date,
        )


def test_accepted_declaration_posts_amounts_bills_and_ledger(acme: World) -> None:
    result = submit(acme, rows(acme))
    assert result.accepted, result.reply
    # 2024: average wage 7450.00 -> floor 4470.00, ceiling 22350.00
    details = {d.person_id: d for d in ContributionDetail.objects.all()}
    alice = details[acme.alice.pk]
    assert (alice.base, alice.pension_employer, alice.pension_individual) == (
        Decimal("4470.00"),
        Decimal("715.20"),
        Decimal("357.60"),
    )
    bob = details[acme.bob.pk]
    assert (bob.base, bob.pension_individual) == (Decimal("22350.00"), Decimal("1788.00"))
    assert bob.work_injury_employer == Decimal("89.40")  # 0.4%
    bills = {b.insurance: b for b in Bill.objects.all()}
    assert bills["pension"].amount_due == Decimal("715.20") + Decimal("357.60") + Decimal(
        "3576.00"
    ) + Decimal("1788.00")
    assert bills["unemployment"].amount_due == Decimal("268.20")  # (4470 + 22350) * 1%
    assert bills["pension"].due_date == dt.date(2024, 11, 15)
    assert bills["work_injury"].amount_due == Decimal("107.28")  # 26820.00 * 0.4%
    assert result.reply["total_due"] == "6812.28"
    assert LedgerEntry.objects.filter(account=True).count() == 2
    assert ledger_verify() == []
    assert Entry.objects.filter(action="contributions.declaration.accepted").count() == 1


def test_bad_rows_reject_the_whole_file_with_reasons(acme: World) -> None:
    stranger = demo.resident_id(random.Random(9), "610113", dt.date(1980, 2, 2), male=True)
    data = [
        DeclaredRow(2, acme.alice.resident_id, "3000.123"),
        DeclaredRow(3, acme.bob.resident_id, "=1+1"),
        DeclaredRow(4, "610113198002020000", "3000"),
        DeclaredRow(5, acme.alice.resident_id, "3000"),
        DeclaredRow(6, stranger, "3000"),
        DeclaredRow(7, acme.bob.resident_id, "-5"),
        DeclaredRow(8, acme.bob.resident_id, "abc"),
    ]
    before = (LedgerEntry.objects.count(), Declaration.objects.count(), Bill.objects.count())
    result = submit(acme, data)
    assert not result.accepted
    assert [(e.line, e.field) for e in result.errors] == [
        (2, "wage"),
        (3, "row"),
        (4, "resident_id"),
        (6, "resident_id"),
        (7, "wage"),
        (8, "wage"),
    ]
    assert all(e.zh and e.en for e in result.errors)
    assert (
        LedgerEntry.objects.count(),
        Declaration.objects.count(),
        Bill.objects.count(),
    ) == before


def test_unregistered_and_unemployed_people_are_refused(acme: World) -> None:
    stranger = demo.resident_id(random.Random(9), "610113", dt.date(1980, 2, 2), male=True)
    result = submit(
        acme,
        [
            *rows(acme),
            DeclaredRow(4, stranger, "5000"),
            DeclaredRow(5, acme.dave.resident_id, "5000"),
        ],
    )
    assert not result.accepted
    assert [(e.line, e.en) for e in result.errors] == [
        (4, "This person is not registered."),
        (5, "Not employed by this employer in that month."),
    ]
    assert not LedgerEntry.objects.exists() and not Declaration.objects.exists()


def test_a_regular_declaration_must_list_every_employee(acme: World) -> None:
    result = submit(acme, rows(acme)[:1])
    assert not result.accepted
    assert result.errors[0].field == "rows" and "白**" in result.errors[0].zh


@pytest.mark.parametrize(("period", "text"), [(202701, "future"), (202312, "registration")])
def test_period_must_be_open(acme: World, period: int, text: str) -> None:
    result = submit(acme, rows(acme), period=period)
    assert not result.accepted and text in result.errors[0].en


def test_month_declared_once_then_supplementary_adjusts(acme: World) -> None:
    assert submit(acme, rows(acme)).accepted
    again = submit(acme, rows(acme))
    assert not again.accepted and "supplementary" in again.errors[0].en
    fix = submit(acme, [DeclaredRow(2, acme.alice.resident_id, "8000")], kind="supplementary")
    assert fix.accepted, fix.reply
    # alice: base 4470 -> 8000; individual 357.60 -> 640.00, employer 715.20 -> 1280.00
    pension = next(b for b in fix.reply["bills"] if b["insurance"] == "pension")
    assert (pension["individual"], pension["employer"]) == ("282.40", "564.80")
    statement = statement_of(person=acme.alice)
    assert [(m.period, m.individual_amount) for m in statement.months] == [
        ("2024-10", Decimal("640.00"))
    ]
    # Unpaid, the month is owed, not credited (the law counts actual contributions).
    assert (statement.account_balance, statement.owed) == (Decimal("0.00"), Decimal("640.00"))
    pay_all()
    statement = statement_of(person=acme.alice)
    assert (statement.account_balance, statement.owed) == (Decimal("640.00"), Decimal("0.00"))
    assert ledger_verify() == []
    # Both entries are kept: the original and the adjustment.
    assert sorted(
        LedgerEntry.objects.filter(person=acme.alice, kind="individual_account").values_list(
            "amount", flat=True
        )
    ) == [Decimal("282.40"), Decimal("357.60")]


def test_idempotency_key(acme: World) -> None:
    first = submit(acme, rows(acme), idempotency_key="acme-2024-10")
    second = submit(acme, rows(acme), idempotency_key="acme-2024-10")
    assert second.replayed and second.reply == first.reply
    assert Declaration.objects.count() == 1
    with pytest.raises(ServiceError) as error:
        submit(acme, rows(acme, alice="4000"), idempotency_key="acme-2024-10")
    assert error.value.code == "idempotency_conflict" and error.value.status == 409
    assert Declaration.objects.count() == 1


def test_idempotency_key_belongs_to_its_client_and_employer(acme: World) -> None:
    """bob's key for acme does not refuse bob's same key for another employer, nor the same
    key of another client for acme; each replays only its own answer."""
    other = identity_services.employer_register(
        actor=None,
        name="西安贝塔商贸有限公司",
        credit_code=demo.credit_code(random.Random(99), "610113"),
        region=acme.regions["610113"],
        legal_representative="白博文",
    )
    identity_services.employer_role_grant(
        actor=None, employer=other, person=acme.bob, role="legal_representative"
    )
    services.insurance_register(
        actor=None, employer=other, insurances=["pension"], since_period=202401
    )
    services.employment_start(
        actor=None,
        employer=other,
        resident_id=acme.dave.resident_id,
        start_period=202401,
        wage=Decimal("5000"),
    )
    key = "payroll-2024-10"
    mine = submit(acme, rows(acme), idempotency_key=key)
    theirs = services.declaration_submit(
        actor=acme.bob.user,
        employer=other,
        period=PERIOD,
        rows=[DeclaredRow(2, acme.dave.resident_id, "5000")],
        idempotency_key=key,
        today=TODAY,
    )
    assert mine.accepted and theirs.accepted and not theirs.replayed
    assert theirs.reply["declaration_id"] != mine.reply["declaration_id"]
    # Another client of acme (a batch command) with the same key: its own supplementary.
    system = services.declaration_submit(
        actor=None,
        employer=acme.acme,
        period=PERIOD,
        rows=[DeclaredRow(2, acme.alice.resident_id, "3500")],
        kind="supplementary",
        idempotency_key=key,
        today=TODAY,
    )
    assert system.accepted and not system.replayed
    assert Declaration.objects.count() == 3
    # Each retry replays its own answer.
    again = submit(acme, rows(acme), idempotency_key=key)
    assert again.replayed and again.reply == mine.reply
    bob = acme.bob.user
    assert bob is not None
    assert set(
        Declaration.objects.values_list("employer_id", "idempotency_client", "idempotency_key")
    ) == {
        (acme.acme.pk, f"user:{bob.pk}", key),
        (other.pk, f"user:{bob.pk}", key),
        (acme.acme.pk, "system", key),
    }
    assert ledger_verify() == []


def test_statement_count_does_not_grow_with_rows(world: World) -> None:
    services.insurance_register(
        actor=None, employer=world.acme, insurances=["pension"], since_period=202401
    )
    regions = world.regions

    def batch(n: int, seed: int, period: int) -> list[DeclaredRow]:
        rng = random.Random(seed)
        data = []
        for i in range(n):
            number = demo.resident_id(
                rng, "610116", dt.date(1970, 1, 1) + dt.timedelta(i), male=True
            )
            identity_services.person_register(
                actor=None, name=f"员工{i}", resident_id=number, region=regions["610116"]
            )
            services.employment_start(
                actor=None,
                employer=world.acme,
                resident_id=number,
                start_period=period,
                wage=Decimal("5000"),
            )
            data.append(DeclaredRow(i + 2, number, "5000"))
        return data

    small, large = batch(3, 1, 202402), batch(60, 2, 202403)
    # The March declaration must list February's three employees too.
    large += [DeclaredRow(100 + i, r.resident_id, "5000") for i, r in enumerate(small)]

    def count(data: list[DeclaredRow], period: int) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert services.declaration_submit(
                actor=None, employer=world.acme, period=period, rows=data, today=TODAY
            ).accepted
        return len(ctx.captured_queries)

    # The year's partition of the detail (PostgreSQL) is made once, ahead, as the yearly job
    # does: a declaration then only looks it up.
    partitions.create_partitions(years=[2024])
    assert count(small, 202402) == count(large, 202403)


def test_only_the_employers_people_and_scoped_staff_declare(acme: World) -> None:
    before = Declaration.objects.count()
    for actor in (acme.alice.user, acme.mallory, acme.rita, acme.adam):
        with pytest.raises(NotPermitted):
            services.declaration_submit(
                actor=actor, employer=acme.acme, period=PERIOD, rows=rows(acme), today=TODAY
            )
    assert Declaration.objects.count() == before
    assert services.declaration_submit(
        actor=acme.carol, employer=acme.acme, period=PERIOD, rows=rows(acme), today=TODAY
    ).accepted


def test_payments_arrears_and_surcharge(acme: World) -> None:
    submit(acme, rows(acme))
    bill = Bill.objects.get(insurance="pension")
    payment, new = services.payment_record(
        actor=None,
        external_id="TAX-1",
        bill=bill,
        amount=Decimal("1000.00"),
        paid_on=dt.date(2024, 11, 10),
    )
    assert new
    again, new = services.payment_record(
        actor=None,
        external_id="TAX-1",
        bill=bill,
        amount=Decimal("1000.00"),
        paid_on=dt.date(2024, 11, 10),
    )
    assert not new and again.pk == payment.pk
    row = next(
        r
        for r in bills_of(employer=acme.acme, today=dt.date(2024, 12, 15))
        if r.bill.insurance == "pension"
    )
    assert (row.paid, row.arrears, row.days_late) == (Decimal("1000.00"), Decimal("5436.80"), 30)
    assert row.surcharge == Decimal("81.55")  # 5436.80 * 0.05% * 30
    assert statement_of(person=acme.alice).paid_months == 0
    services.payment_record(
        actor=None,
        external_id="TAX-2",
        bill=bill,
        amount=Decimal("5436.80"),
        paid_on=dt.date(2024, 12, 20),
    )
    assert statement_of(person=acme.alice).paid_months == 1
    assert ledger_verify() == []


def test_interest_job_credits_once_and_verify_holds(acme: World) -> None:
    submit(acme, rows(acme))
    # Unpaid months are not in the interest base: nothing to credit yet.
    assert account_interest_credit(actor=None, year=2024, province="610000") == 0
    AccountYear.objects.all().delete()
    pay_all()
    assert account_interest_credit(actor=None, year=2024, province="610000") == 2
    assert account_interest_credit(actor=None, year=2024, province="610000") == 0
    year = AccountYear.objects.get(person=acme.alice, year=2024)
    # 357.60 credited in 2024: interest = 357.60 * 2.62% * 1.083 / 2 = 5.07
    assert (year.opening, year.contributions, year.interest, year.closing) == (
        Decimal("0.00"),
        Decimal("357.60"),
        Decimal("5.07"),
        Decimal("362.67"),
    )
    assert statement_of(person=acme.alice).account_balance == Decimal("362.67")
    assert ledger_verify() == []
    call_command("ledger", "verify")


def test_interest_accrued_to_a_month_matches_what_the_job_then_credits(acme: World) -> None:
    """An award before the yearly job ran sees the same 2024 interest the job credits later,
    and nothing twice after it ran; later years use the latest published rate as a
    provisional one, and part years count the months before the one asked for."""
    from onestop.contributions.interest import accrued_to
    from onestop.parameters.models import BookRate
    from onestop.parameters.selectors import ParametersMissing
    from onestop.rules.values import YearMonth

    submit(acme, rows(acme))
    unpaid = accrued_to(person_id=acme.alice.pk, month=YearMonth(2025, 4), province="610000")
    assert (unpaid.balance, unpaid.years) == (Decimal("0.00"), [])  # nothing paid yet
    pay_all()
    before = accrued_to(person_id=acme.alice.pk, month=YearMonth(2025, 4), province="610000")
    # 2024: 357.60 * 2.62% * 1.083/2 = 5.07; 2025 to March: 362.67 * 2.62% * 3/12 = 2.38.
    assert [(y.year, y.months, y.interest, y.provisional) for y in before.years] == [
        (2024, 12, Decimal("5.07"), False),
        (2025, 3, Decimal("2.38"), True),
    ]
    assert before.balance == Decimal("365.05")
    account_interest_credit(actor=None, year=2024, province="610000")
    after = accrued_to(person_id=acme.alice.pk, month=YearMonth(2025, 4), province="610000")
    assert [(y.year, y.interest) for y in after.years] == [(2025, Decimal("2.38"))]
    assert after.balance == before.balance
    # January: no month of the year before it, nothing accrued.
    assert (
        accrued_to(person_id=acme.alice.pk, month=YearMonth(2025, 1), province="610000").years == []
    )
    # With no published rate at all, an explicit error rather than a guess.
    BookRate.objects.all().delete()
    with pytest.raises(ParametersMissing):
        accrued_to(person_id=acme.bob.pk, month=YearMonth(2025, 4), province="610000")


def test_verify_names_broken_invariants(acme: World) -> None:
    submit(acme, rows(acme))
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE contributions_bill SET amount_due = amount_due + 1 WHERE insurance = 'pension'"
        )
    findings = ledger_verify()
    assert [f.rule for f in findings] == ["bill", "bills_declared"]
    with pytest.raises(CommandError):
        call_command("ledger", "verify")


def test_employment_rules(acme: World) -> None:
    with pytest.raises(ServiceError) as error:
        services.employment_start(
            actor=None,
            employer=acme.acme,
            resident_id=acme.alice.resident_id,
            start_period=202405,
            wage=Decimal("1"),
        )
    assert error.value.code == "already_employed"
    employment = acme.alice.employments.get()
    with pytest.raises(ServiceError):
        services.employment_end(actor=None, employment=employment, end_period=202312, reason="left")
    services.employment_end(actor=None, employment=employment, end_period=202409, reason="resigned")
    result = submit(acme, rows(acme))
    assert [e.en for e in result.errors] == ["Not employed by this employer in that month."]
    services.employment_start(
        actor=None,
        employer=acme.acme,
        resident_id=acme.alice.resident_id,
        start_period=202501,
        wage=Decimal("1"),
    )
    assert acme.alice.employments.count() == 2


def test_an_uploaded_file_with_full_width_ids_declares_the_same_people(acme: World) -> None:
    """IDs keyed in full width, with an ideographic space (as a Chinese input method types
    them), are the same people; an O typed for a zero is named as such."""

    def wide(text: str) -> str:
        return "".join(chr(ord(c) + 0xFEE0) for c in text)

    alice, bob = acme.alice.resident_id, acme.bob.resident_id
    refused = submit(acme, [DeclaredRow(2, wide(alice[:16]) + "O" + alice[17], "3000")])
    assert not refused.accepted
    assert [e.zh for e in refused.errors if e.line == 2] == [
        "公民身份号码无效：第17位“O”不允许：应为数字。"
    ]
    result = submit(
        acme,
        [
            DeclaredRow(2, wide(alice[:6]) + "\u3000" + wide(alice[6:]), "３０００"),
            DeclaredRow(3, wide(bob.lower()), "30000"),
        ],
    )
    assert result.accepted, result.reply
    assert set(ContributionDetail.objects.values_list("person_id", flat=True)) == {
        acme.alice.pk,
        acme.bob.pk,
    }


def test_an_id_that_is_no_employees_gets_the_full_check_and_its_precise_reason(
    acme: World,
) -> None:
    """Rows matched to an employee by blind index skip the GB 11643 check; any other ID is
    checked in full: one digit off an employee's ID is refused for its check digit, an
    employee's ID typed full-width is matched after normalising, and a second listing of an
    employee (lower-case x or not) is a duplicate of the first line."""
    alice = acme.alice.resident_id
    wrong = alice[:16] + str((int(alice[16]) + 1) % 10) + alice[17]
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in acme.bob.resident_id)
    result = submit(
        acme,
        [
            DeclaredRow(2, alice, "3000"),
            DeclaredRow(3, full_width, "30000"),
            DeclaredRow(4, wrong, "3000"),
            DeclaredRow(5, acme.bob.resident_id.lower(), "3000"),
        ],
    )
    assert not result.accepted
    assert [(e.line, e.en) for e in result.errors] == [
        (4, "Invalid resident ID: The check character is wrong."),
        (5, "Duplicates line 3."),
    ]
    assert not LedgerEntry.objects.exists() and not Declaration.objects.exists()
