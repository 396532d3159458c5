"""Flexible employment (individual payers): SX-SI-005 on every channel, bills computed with
the rules, collected through the tax adapter and simulator, posted to the same ledger, and
counted by the statement, interest and the award like employee months."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from decimal import Decimal
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.utils import timezone

from onestop.applications import services as applications
from onestop.applications.models import Application, Status
from onestop.audit.models import Entry
from onestop.common.errors import ServiceError
from onestop.contributions import individual
from onestop.contributions import services as contributions
from onestop.contributions.collection import HttpCollectionAdapter, collection_sync
from onestop.contributions.models import (
    Employment,
    IndividualBill,
    IndividualPayer,
    LedgerEntry,
    LedgerRecord,
    PayerStatus,
)
from onestop.contributions.selectors import statement_of
from onestop.contributions.services import DeclaredRow
from onestop.contributions.verify import ledger_verify
from onestop.identity.models import Person, User
from onestop.notifications.models import Notification
from onestop.rules.contributions import late_surcharge
from onestop.rules.values import YearMonth
from onestop.simulators.registries import RegistrySimulator
from onestop.simulators.tax import TaxSimulator

pytestmark = pytest.mark.django_db

AVERAGE_2026 = Decimal("7950.00")  # parameters/seed.py, Shaanxi 2026 (illustrative)


class Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def serve(app: Any) -> tuple[Any, str]:
    server = make_server("127.0.0.1", 0, app, server_class=ThreadingWSGIServer, handler_class=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


@pytest.fixture
def registries(settings: Any, world: Any) -> Iterator[RegistrySimulator]:
    """The household register knows alice and bob."""
    app = RegistrySimulator()
    server, url = serve(app)
    settings.ONESTOP_REGISTRY_URL = url
    for person in (world.alice, world.bob):
        app.put("public_security", "household", person.resident_id, {"name": person.name})
    yield app
    server.shutdown()
    server.server_close()


@pytest.fixture
def tax(settings: Any) -> Iterator[tuple[TaxSimulator, str]]:
    app = TaxSimulator(api_key="secret")
    server, url = serve(app)
    settings.ONESTOP_TAX_URL = url
    settings.ONESTOP_TAX_KEY = "secret"
    yield app, url
    server.shutdown()
    server.server_close()


def browser(user: User | None) -> Client:
    assert user is not None
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.cookies["csrftoken"] = _get_new_csrf_string()
    client.defaults["HTTP_X_CSRFTOKEN"] = client.cookies["csrftoken"].value
    return client


def two_quarters_back() -> YearMonth:
    """The first month of the quarter before the current one (this year, else January)."""
    today = timezone.localdate()
    quarter = YearMonth(today.year, (today.month - 1) // 3 * 3 + 1)
    back = quarter.plus(-3)
    return back if back.year == today.year else quarter


def enrol(client: Client, **answers: Any) -> Any:
    return client.post(
        "/api/v1/applications",
        {
            "item_code": "SX-SI-005",
            "answers": {
                "base": "6000",
                "frequency": "quarterly",
                "start_month": str(two_quarters_back()),
                **answers,
            },
        },
        content_type="application/json",
    )


def employ(world: Any, person: Person, period: int) -> None:
    contributions.insurance_register(
        actor=None, employer=world.acme, insurances=["pension"], since_period=period
    )
    contributions.employment_start(
        actor=None,
        employer=world.acme,
        resident_id=person.resident_id,
        start_period=period,
        wage=Decimal("6000"),
    )


# --- SX-SI-005: enrolment -------------------------------------------------------------------


def test_alice_enrols_online_and_is_registered_at_once(
    world: Any, registries: RegistrySimulator
) -> None:
    """alice files SX-SI-005 through the API: the household register confirms her through the
    gateway, no employment with pension is open, the case is approved at once and the
    individual payer is registered with her base, frequency and first month, journaled."""
    answer = enrol(browser(world.alice.user))
    assert answer.status_code == 201, answer.content
    assert answer.json()["status"] == "approved"
    case = Application.objects.get(number=answer.json()["number"])
    assert case.facts["identity_matched"] is True and case.facts["eligible"] is True
    payer = IndividualPayer.objects.get(person=world.alice)
    start = two_quarters_back()
    assert (payer.frequency, payer.start_period, payer.status, payer.case_number) == (
        "quarterly",
        start.year * 100 + start.month,
        PayerStatus.ACTIVE,
        case.number,
    )
    base = payer.bases.get()
    assert (base.base, base.floor, base.ceiling, base.parameters) == (
        Decimal("6000.00"),
        Decimal("4770.00"),
        Decimal("23850.00"),
        "610000/2026/v1",
    )
    assert Entry.objects.filter(
        action="contributions.individual_payer.registered", target_id=str(payer.pk)
    ).exists()


def test_someone_employed_with_pension_is_refused_with_the_rule(
    world: Any, registries: RegistrySimulator
) -> None:
    """alice works for acme, registered for pension: the case is refused at once with the rule
    in Chinese and English; no payer is registered."""
    start = two_quarters_back()
    employ(world, world.alice, start.year * 100 + start.month)
    answer = enrol(browser(world.alice.user))
    assert answer.status_code == 201, answer.content
    assert answer.json()["status"] == "rejected"
    step = Application.objects.get().steps.get(action="reject")
    # The platform's note is kept in each language (Step.note, Step.note_en).
    assert "社会保险法》第十条" in step.note and "Social Insurance Law art. 10" in step.note_en
    assert "Social Insurance Law" not in step.note
    assert world.acme.name in step.note
    assert not IndividualPayer.objects.exists()


@pytest.mark.parametrize("base", ["4769.99", "23850.01"])
def test_a_base_out_of_bounds_is_refused_naming_the_bounds_and_source(
    world: Any, registries: RegistrySimulator, base: str
) -> None:
    """A base below 60% or above 300% of 2026's average wage: 400 naming the bounds, the
    parameter version and the rule (Guobanfa [2019] 13), in both languages; nothing filed."""
    answer = enrol(browser(world.alice.user), base=base)
    assert answer.status_code == 400, answer.content
    body = " ".join(str(v) for v in answer.json().values())
    named = (
        "4770.00",
        "23850.00",
        "陕西省 2026 年参数（第 1 版）",
        "Shaanxi 2026 parameters, version 1",
        "国办发〔2019〕13号",
        "Guobanfa [2019] 13",
    )
    for text in named:
        assert text in body
    assert not Application.objects.exists() and not IndividualPayer.objects.exists()


def test_carol_enrols_alice_at_the_counter(world: Any, registries: RegistrySimulator) -> None:
    """At the Yanta counter with alice's consent: the same process, decided at once."""
    start = two_quarters_back()
    case = applications.application_submit(
        actor=world.carol,
        item_code="SX-SI-005",
        applicant=world.alice,
        answers={"base": "4770", "frequency": "monthly", "start_month": str(start)},
        channel="counter",
        consent=True,
    ).application
    assert case.status == Status.APPROVED and case.channel == "counter"
    assert IndividualPayer.objects.get(person=world.alice).frequency == "monthly"


# --- contributions: bills, collection, ledger -----------------------------------------------


def pay_all(app: TaxSimulator, url: str) -> None:
    for key, sent in list(app.bills.items()):
        owed = Decimal(sent["amount_due"]) - Decimal(sent["paid"])
        if owed > 0:
            status, _ = app.pay(key, f"{owed:.2f}", timezone.localdate().isoformat())
            assert status == 201


def test_two_quarters_billed_collected_and_counted_like_employee_months(
    world: Any, registries: RegistrySimulator, tax: tuple[TaxSimulator, str]
) -> None:
    """alice enrols quarterly at 6000 from the quarter before this one: two quarter bills of
    3 x 1200.00 (8 points, 480.00 a month, to her account), sent to the tax simulator under
    her resident ID, paid there, posted to the ledger once; the statement shows six paid
    months of base 6000 after a career month with acme, interest accrues on the account, and
    ``ledger verify`` passes."""
    app, url = tax
    # A month at acme before, as an employee (ended).
    employ(world, world.alice, 202601)
    result = contributions.declaration_submit(
        actor=None,
        employer=world.acme,
        period=202601,
        rows=[DeclaredRow(2, world.alice.resident_id, "6000")],
        today=timezone.localdate(),
    )
    assert result.accepted
    contributions.employment_end(
        actor=None,
        employment=Employment.objects.get(person=world.alice),
        end_period=202601,
        reason="合同期满 contract ended",
    )
    assert enrol(browser(world.alice.user)).json()["status"] == "approved"
    assert individual.bills_issue_due() == 2
    assert individual.bills_issue_due() == 0  # once
    told = Notification.objects.filter(
        recipient=world.alice.user, event="contributions.individual_bill.issued"
    )
    assert told.count() == 2 and "3600.00" in told.first().body_en  # type: ignore[union-attr]
    bills = list(IndividualBill.objects.order_by("first_period"))
    assert [(b.amount_due, b.to_account, b.pooled, len(b.periods)) for b in bills] == [
        (Decimal("3600.00"), Decimal("1440.00"), Decimal("2160.00"), 3)
    ] * 2
    adapter = HttpCollectionAdapter(url, "secret")
    assert collection_sync(adapter=adapter).bills_sent >= 2
    sent = {k: v for k, v in app.bills.items() if k.startswith("P")}
    assert {v["credit_code"] for v in sent.values()} == {world.alice.resident_id}
    assert sorted(v["amount_due"] for v in sent.values()) == ["3600.00", "3600.00"]
    assert statement_of(person=world.alice).paid_months == 0  # nothing paid yet: not counted
    pay_all(app, url)
    sync = collection_sync(adapter=adapter)
    assert sync.payments_new >= 2
    assert collection_sync(adapter=adapter).payments_new == 0
    assert LedgerEntry.objects.filter(source_type="individual_bill").count() == 12
    statement = statement_of(person=world.alice)
    flexible = [m for m in statement.months if m.source == "flexible"]
    assert len(flexible) == 6
    assert {(m.base, m.individual_amount, m.to_account, m.paid) for m in flexible} == {
        (Decimal("6000.00"), Decimal("1200.00"), Decimal("480.00"), True)
    }
    assert statement.paid_months == 7
    assert statement.account_balance == Decimal("480.00") * 7
    assert ledger_verify() == []
    rows = individual.bills_of_person(person=world.alice, today=timezone.localdate())
    assert {r.status for r in rows} == {"paid"}
    # The award reads the same statement: the employee month and the individual months
    # before retirement count alike, each indexed on its base over 2026's average wage.
    from onestop.pensions.services import award_from_record

    today = timezone.localdate()
    retire = YearMonth(today.year, today.month).plus(1)
    counted = [m for m in statement.months if m.paid and m.period < str(retire)]
    award = award_from_record(person=world.alice, retirement_month=str(retire))
    assert award["contribution_months"] == len(counted) > 1
    assert Decimal(award["average_index"]) == (Decimal("6000") / AVERAGE_2026).quantize(
        Decimal("0.0001")
    )


def test_a_base_change_applies_from_the_next_period_and_suspension_skips_months(
    world: Any, registries: RegistrySimulator
) -> None:
    """A new base counts from the next payment period; a suspension leaves the months from
    the next period unbilled until resumed."""
    today = timezone.localdate()
    answer = enrol(browser(world.alice.user), frequency="monthly", start_month=f"{today:%Y-%m}")
    assert answer.json()["status"] == "approved"
    row = individual.payer_base_change(actor=world.alice.user, person=world.alice, base="8000")
    nxt = YearMonth(today.year, today.month).plus(1)
    assert row.from_period == nxt.year * 100 + nxt.month
    payer = IndividualPayer.objects.get()
    assert individual.base_in_force(payer, today.year * 100 + today.month).base == Decimal("6000")
    assert individual.base_in_force(payer, row.from_period).base == Decimal("8000")
    with pytest.raises(ServiceError) as refused:
        individual.payer_base_change(actor=None, person=world.alice, base="100")
    assert refused.value.code == "base_range"
    assert "610000/" not in refused.value.zh + refused.value.en
    assert "Shaanxi" in refused.value.en and "陕西" in refused.value.zh
    with pytest.raises(ServiceError) as same:  # the base already in force then
        individual.payer_base_change(actor=None, person=world.alice, base="8000")
    assert same.value.code == "unchanged"
    individual.payer_suspend(actor=world.alice.user, person=world.alice)
    payer.refresh_from_db()
    assert payer.status == PayerStatus.SUSPENDED
    assert individual.billable(payer, [row.from_period]) == []
    individual.payer_resume(actor=world.alice.user, person=world.alice)
    payer.refresh_from_db()
    assert payer.status == PayerStatus.ACTIVE and payer.pauses
    actions = set(Entry.objects.values_list("action", flat=True))
    assert {
        "contributions.individual_payer.base_changed",
        "contributions.individual_payer.suspended",
        "contributions.individual_payer.resumed",
    } <= actions


def test_a_new_employment_with_pension_ends_the_payment_and_tells_the_person(
    world: Any, registries: RegistrySimulator
) -> None:
    """The daily comparison finds alice employed by acme (pension) from this month: her
    registration ends the month before, her unpaid bill loses the later months, she is told."""
    start = two_quarters_back()
    assert enrol(browser(world.alice.user)).json()["status"] == "approved"
    individual.bills_issue_due()
    today = timezone.localdate()
    employ(world, world.alice, today.year * 100 + today.month)
    assert individual.payers_stop_on_employment() == 1
    assert individual.payers_stop_on_employment() == 0
    payer = IndividualPayer.objects.get()
    last = YearMonth(today.year, today.month).plus(-1)
    assert payer.status == PayerStatus.ENDED
    assert payer.end_period == max(last.year * 100 + last.month, start.year * 100 + start.month - 1)
    for bill in IndividualBill.objects.all():
        assert all(p <= payer.end_period for p in bill.periods)
        assert bill.amount_due == Decimal("1200.00") * len(bill.periods)
    assert Notification.objects.filter(
        recipient=world.alice.user, event="contributions.individual_payer.ended"
    ).exists()


# --- pages and API --------------------------------------------------------------------------


def test_the_payer_sees_bills_and_changes_the_base_on_the_page_and_by_api(
    world: Any, registries: RegistrySimulator
) -> None:
    """alice's own page lists her period bills with the amounts and her masked ID; the base
    change is refused out of bounds with the bounds named, accepted within them (from the
    next period); the API says the same; mallory and another citizen see nothing of hers."""
    client = browser(world.alice.user)
    assert enrol(client).json()["status"] == "approved"
    individual.bills_issue_due()
    page = client.get("/me/flexible/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "3600.00" in html and world.alice.resident_id not in html
    refused = client.post("/me/flexible/base/", {"base": "100"}, follow=True)
    assert "4770.00" in refused.content.decode()
    assert client.post("/me/flexible/base/", {"base": "7000"}).status_code == 302
    api = client.get("/api/v1/me/flexible").json()
    assert [b["base"] for b in api["bases"]] == ["6000.00", "7000.00"]
    assert {b["amount_due"] for b in api["bills"]} == {"3600.00"}
    bad = client.post(
        "/api/v1/me/flexible/base", {"base": "99999999"}, content_type="application/json"
    )
    assert bad.status_code == 400 and bad.json()["code"] in ("base", "base_range")
    assert client.post("/api/v1/me/flexible/suspend").json()["status"] == "suspended"
    assert client.post("/api/v1/me/flexible/resume").json()["status"] == "active"
    staff = browser(world.mallory)
    assert staff.get(f"/api/v1/persons/{world.alice.pk}/flexible").status_code == 404
    assert staff.get(f"/staff/persons/{world.alice.pk}/flexible/").status_code == 404
    assert browser(world.carol).get(f"/staff/persons/{world.alice.pk}/flexible/").status_code == 200
    assert browser(world.bob.user).get("/api/v1/me/flexible").json() == {
        "registered": False,
        "status": None,
        "frequency": None,
        "start": None,
        "end": None,
        "bases": [],
        "bills": [],
        "arrears": "0.00",
        "surcharge": "0.00",
        "frequency_next": None,
        "frequency_from": None,
        "refunds": [],
    }


def test_verify_names_an_individual_bill_whose_ledger_disagrees(
    world: Any, registries: RegistrySimulator
) -> None:
    """A paid individual bill whose months were removed from the ledger behind its back (a
    bulk delete, as an intruder would) is named by ``ledger verify``."""
    assert enrol(browser(world.alice.user)).json()["status"] == "approved"
    individual.bills_issue_due()
    bill = IndividualBill.objects.order_by("first_period").first()
    assert bill is not None
    individual.individual_payment_record(
        actor=None,
        external_id="TAX-X1",
        bill=bill,
        amount=bill.amount_due,
        paid_on=timezone.localdate(),
    )
    assert ledger_verify() == []
    LedgerRecord.objects.filter(source_type="individual_bill", kind="flexible_pooled").delete()
    found = ledger_verify()
    assert [v.rule for v in found] == ["individual"]
    assert f"individual bill {bill.pk}" in found[0].detail


def test_the_base_is_reset_when_the_new_average_wage_is_published(
    world: Any, registries: RegistrySimulator
) -> None:
    """alice pays monthly at 2026's floor (4770.00). Once 2027's average wage (8400.00) is
    published, the daily job moves her base to the new floor (5040.00) from 2027-01 (the first
    month not billed), journaled with the parameter version; a base within the new bounds
    would stay hers. Run again, it changes nothing."""
    from onestop.parameters.models import ProvinceParameters

    today = timezone.localdate()
    answer = enrol(
        browser(world.alice.user), base="4770", frequency="monthly", start_month=f"{today:%Y-%m}"
    )
    assert answer.json()["status"] == "approved"
    found = ProvinceParameters.objects.filter(province="610000", year=today.year).values().first()
    assert found is not None
    row: dict[str, Any] = dict(found)
    for key in ("id", "created_at"):
        row.pop(key, None)
    ProvinceParameters.objects.create(
        **{**row, "year": today.year + 1, "version": 1, "average_wage": Decimal("8400.00")}
    )
    new_year = today.replace(year=today.year + 1, month=1, day=15)
    assert individual.payers_base_reset(today=new_year) == 1
    assert individual.payers_base_reset(today=new_year) == 0
    payer = IndividualPayer.objects.get()
    reset = payer.bases.get(reason="annual_reset")
    assert (reset.from_period, reset.base, reset.floor, reset.parameters) == (
        (today.year + 1) * 100 + 1,
        Decimal("5040.00"),
        Decimal("5040.00"),
        f"610000/{today.year + 1}/v1",
    )
    assert Entry.objects.filter(action="contributions.individual_payer.base_reset").count() == 1


def test_an_unpaid_bill_past_its_due_date_accrues_the_surcharge(
    world: Any, registries: RegistrySimulator
) -> None:
    """As for employers: 0.05% a day of what is owed after the due date; a part payment
    lowers the arrears the surcharge runs on."""
    assert enrol(browser(world.alice.user)).json()["status"] == "approved"
    individual.bills_issue_due()
    bill = IndividualBill.objects.order_by("first_period").first()
    assert bill is not None
    individual.individual_payment_record(
        actor=None,
        external_id="TAX-PART",
        bill=bill,
        amount=Decimal("600.00"),
        paid_on=timezone.localdate(),
    )
    later = bill.due_date + dt.timedelta(days=10)
    row = next(
        r for r in individual.bills_of_person(person=world.alice, today=later) if r.bill == bill
    )
    assert (row.status, row.paid, row.arrears, row.days_late, row.surcharge) == (
        "partly_paid",
        Decimal("600.00"),
        Decimal("3000.00"),
        10,
        Decimal("15.00"),
    )
    assert not LedgerEntry.objects.filter(source_type="individual_bill").exists()


def test_a_month_paid_both_as_individual_and_by_an_employer_is_a_quality_finding(
    world: Any, registries: RegistrySimulator
) -> None:
    """alice paid a quarter as an individual; acme then declares her for its first month: the
    data-quality rule for concurrent contributions names her (one payer at a time)."""
    from onestop.quality import checks

    assert enrol(browser(world.alice.user)).json()["status"] == "approved"
    individual.bills_issue_due()
    bill = IndividualBill.objects.order_by("first_period").first()
    assert bill is not None
    individual.individual_payment_record(
        actor=None, external_id="TAX-Q", bill=bill, amount=bill.amount_due, paid_on=bill.due_date
    )
    assert checks.concurrent_contributions() == []
    employ(world, world.alice, bill.first_period)
    result = contributions.declaration_submit(
        actor=None,
        employer=world.acme,
        period=bill.first_period,
        rows=[DeclaredRow(2, world.alice.resident_id, "6000")],
        today=timezone.localdate(),
    )
    assert result.accepted, result.reply
    [hit] = checks.concurrent_contributions()
    assert (hit.subject_id, hit.detail) == (
        world.alice.pk,
        {"months": 1, "first": bill.first_period},
    )


# --- months paid both as an employee and as an individual -----------------------------------


def test_a_month_an_employer_also_declared_becomes_a_refund(
    world: Any, registries: RegistrySimulator
) -> None:
    """alice paid two quarters as an individual; acme then declares her first month as an
    employee (a late declaration). The daily comparison makes that month's individual
    payment a refund, reverses its individual entries in the ledger so the month counts
    once (the employer's), tells her once, and shows it on her page and in the API."""
    start = two_quarters_back()
    first = start.year * 100 + start.month
    assert enrol(browser(world.alice.user)).json()["status"] == "approved"
    assert individual.bills_issue_due() == 2
    for bill in IndividualBill.objects.order_by("pk"):
        individual.individual_payment_record(
            actor=None,
            external_id=f"TAX-P{bill.pk}",
            bill=bill,
            amount=bill.amount_due,
            paid_on=timezone.localdate(),
        )
    before = statement_of(person=world.alice)
    assert before.paid_months == 6
    employ(world, world.alice, first)
    assert contributions.declaration_submit(
        actor=None,
        employer=world.acme,
        period=first,
        rows=[DeclaredRow(2, world.alice.resident_id, "6000")],
        today=timezone.localdate(),
    ).accepted
    from onestop.contributions.models import Bill

    for employer_bill in Bill.objects.filter(employer=world.acme, period=first):
        contributions.payment_record(
            actor=None,
            external_id=f"TAX-{employer_bill.pk}",
            bill=employer_bill,
            amount=employer_bill.amount_due,
            paid_on=employer_bill.due_date,
        )
    assert individual.payers_daily()["refunds"] == 1
    from onestop.contributions.models import IndividualRefund
    from onestop.contributions.overlaps import refunds_find

    assert refunds_find() == 0  # once
    refund = IndividualRefund.objects.get()
    assert (refund.period, refund.employer_id, refund.amount, refund.to_account) == (
        first,
        world.acme.pk,
        Decimal("1200.00"),
        Decimal("480.00"),
    )
    reversed_ = LedgerEntry.objects.filter(source_type="flexible_refund")
    assert sorted((e.kind, e.amount) for e in reversed_) == [
        ("flexible_account", Decimal("-480.00")),
        ("flexible_pooled", Decimal("-720.00")),
    ]
    after = statement_of(person=world.alice)
    assert after.paid_months == 6  # the month counts once, as the employer's
    # The account holds the employer's month (8% of 6000) and five individual months.
    assert after.account_balance == Decimal("480.00") * 6
    assert ledger_verify() == []
    told = Notification.objects.filter(
        recipient=world.alice.user, event="contributions.individual_refund"
    )
    assert told.count() == 1 and "1200.00" in told.get().body_en
    assert Entry.objects.filter(action="contributions.individual_refund.found").count() == 1
    page = browser(world.alice.user).get("/me/flexible/").content.decode()
    assert 'id="flexible-refunds"' in page and "1200.00" in page
    shown = browser(world.alice.user).get("/api/v1/me/flexible").json()["refunds"]
    assert shown == [
        {
            "month": str(start),
            "reason": "paid_twice",
            "bill": refund.bill_id,
            "employer": world.acme.name,
            "amount": "1200.00",
            "to_account": "480.00",
            "pooled": "720.00",
            "status": "due",
        }
    ]
    staff = browser(world.carol).get(f"/staff/persons/{world.alice.pk}/flexible/")
    assert staff.status_code == 200 and 'id="flexible-refunds"' in staff.content.decode()


# --- payment frequency ------------------------------------------------------------------------


def test_the_frequency_changes_from_the_next_period_online_and_by_api(
    world: Any, registries: RegistrySimulator
) -> None:
    """alice pays quarterly; she switches to monthly on the page: it applies from the next
    quarter's first month, the current quarter's bill stays whole, journaled; by the API she
    then asks for yearly instead, which can only start in January; the same frequency again
    is a 400 with the reason, nothing changed."""
    today = timezone.localdate()
    this = YearMonth(today.year, today.month)
    quarter_end = YearMonth(today.year, (today.month - 1) // 3 * 3 + 3)
    next_quarter = quarter_end.plus(1)
    assert enrol(browser(world.alice.user)).json()["status"] == "approved"
    page = browser(world.alice.user)
    answer = page.post("/me/flexible/frequency/", {"frequency": "monthly"})
    assert answer.status_code == 302
    payer = IndividualPayer.objects.get()
    start = next_quarter.year * 100 + next_quarter.month
    assert payer.frequency_changes == [[start, "monthly"]]
    assert individual.frequency_at(payer, this.year * 100 + this.month).value == "quarterly"
    assert individual.frequency_at(payer, start).value == "monthly"
    entry = Entry.objects.get(action="contributions.individual_payer.frequency_changed")
    assert entry.changes == {"frequency": ["quarterly", "monthly"], "from": start}
    individual.bills_issue_due()
    current = IndividualBill.objects.order_by("-first_period").first()
    assert current is not None and len(current.periods) == 3  # the quarter stays whole
    shown = page.get("/me/flexible/").content.decode()
    assert 'id="frequency-next"' in shown
    api = browser(world.alice.user)
    yearly = api.post(
        "/api/v1/me/flexible/frequency", {"frequency": "yearly"}, content_type="application/json"
    )
    assert yearly.status_code == 200, yearly.content
    body = yearly.json()
    assert (body["frequency"], body["frequency_next"], body["frequency_from"]) == (
        "quarterly",
        "yearly",
        f"{today.year + 1}-01",
    )
    payer.refresh_from_db()
    assert payer.frequency_changes == [[(today.year + 1) * 100 + 1, "yearly"]]
    again = api.post(
        "/api/v1/me/flexible/frequency", {"frequency": "yearly"}, content_type="application/json"
    )
    assert again.status_code == 400 and again.json()["code"] == "unchanged"
    bad = api.post(
        "/api/v1/me/flexible/frequency", {"frequency": "weekly"}, content_type="application/json"
    )
    assert bad.status_code == 400 and bad.json()["message_zh"]
    payer.refresh_from_db()
    assert payer.frequency_changes == [[(today.year + 1) * 100 + 1, "yearly"]]
    assert (
        Entry.objects.filter(action="contributions.individual_payer.frequency_changed").count() == 2
    )


# --- money paid on a cancelled or lowered bill ------------------------------------------------


def current_quarter_bill(world: Any, client: Client) -> IndividualBill:
    """alice enrolled quarterly from two quarters back, her bills issued; the current
    quarter's (3 x 1200.00)."""
    assert enrol(client).json()["status"] == "approved"
    assert individual.bills_issue_due() >= 1
    bill = IndividualBill.objects.order_by("-first_period").first()
    assert bill is not None and bill.amount_due == Decimal("3600.00")
    return bill


def hire_from(world: Any, bill: IndividualBill) -> None:
    """acme hires alice (pension) from the first month of ``bill``'s quarter: the daily job
    ends her registration the month before, so the quarter's bill loses every month."""
    employ(world, world.alice, bill.first_period)


def test_a_cancelled_bill_is_cancelled_at_the_authority_which_refuses_payment(
    world: Any,
    registries: RegistrySimulator,
    tax: tuple[TaxSimulator, str],
    django_capture_on_commit_callbacks: Any,
) -> None:
    """The daily job cancels the quarter's bill; after commit the same outbox and adapter
    tell the tax simulator, which marks the bill cancelled and refuses a payment of it
    (409); nothing is received, nothing is lost, the cancellation is journaled."""
    app, url = tax
    bill = current_quarter_bill(world, browser(world.alice.user))
    collection_sync(adapter=HttpCollectionAdapter(url, "secret"))
    assert app.bills[f"P{bill.pk}"]["amount_due"] == "3600.00"
    hire_from(world, bill)
    with django_capture_on_commit_callbacks(execute=True):
        assert individual.payers_daily()["ended"] == 1
    bill.refresh_from_db()
    assert (bill.amount_due, bill.periods) == (Decimal("0.00"), [])
    sent = app.bills[f"P{bill.pk}"]
    assert (sent["amount_due"], sent["status"]) == ("0.00", "cancelled")
    status, body = app.pay(f"P{bill.pk}", "3600.00", timezone.localdate().isoformat())
    assert status == 409 and "cancelled" in body["error"]
    assert app.payments == []
    entry = Entry.objects.get(action="contributions.individual_bill.cancelled")
    assert entry.target_id == str(bill.pk)
    assert entry.changes["amount_due"] == ["3600.00", "0.00"]
    assert ledger_verify() == []


def test_a_payment_that_raced_the_cancellation_becomes_a_refund_shown_everywhere(
    world: Any, registries: RegistrySimulator, tax: tuple[TaxSimulator, str]
) -> None:
    """The hostile tester's case: the quarter's bill is cancelled on the platform while the
    authority still asks 3600.00; alice pays it there before the cancellation reaches it.
    The payment sync records the payment and makes all of it a refund (reason
    ``cancelled``): journaled in the same transaction, alice told, on her page, the staff's
    page and both APIs; nothing posted; ``ledger verify`` clean."""
    app, url = tax
    client = browser(world.alice.user)
    bill = current_quarter_bill(world, client)
    adapter = HttpCollectionAdapter(url, "secret")
    collection_sync(adapter=adapter)
    hire_from(world, bill)
    assert individual.payers_daily()["ended"] == 1  # the push after commit never ran
    status, _ = app.pay(f"P{bill.pk}", "3600.00", timezone.localdate().isoformat())
    assert status == 201
    sync = collection_sync(adapter=adapter)
    assert sync.payments_new == 1
    assert app.bills[f"P{bill.pk}"]["status"] == "cancelled"
    from onestop.contributions.models import IndividualPayment, IndividualRefund

    refund = IndividualRefund.objects.get()
    payment = IndividualPayment.objects.get()
    assert (refund.reason, refund.bill_id, refund.amount, refund.payment_id, refund.employer) == (
        "cancelled",
        bill.pk,
        Decimal("3600.00"),
        payment.pk,
        None,
    )
    assert not LedgerEntry.objects.filter(source_type="individual_bill", source_id=bill.pk)
    entry = Entry.objects.get(action="contributions.individual_refund.excess")
    assert entry.changes["amount"] == "3600.00" and entry.changes["reason"] == "cancelled"
    told = Notification.objects.get(
        recipient=world.alice.user, event="contributions.individual_refund.cancelled"
    )
    assert "3600.00" in told.body_en and "3600.00" in told.body_zh
    api = client.get("/api/v1/me/flexible").json()
    assert [(r["reason"], r["bill"], r["amount"], r["status"]) for r in api["refunds"]] == [
        ("cancelled", bill.pk, "3600.00", "due")
    ]
    shown = next(b for b in api["bills"] if b["id"] == bill.pk)
    assert (shown["status"], shown["paid"], shown["refunded"], shown["arrears"]) == (
        "cancelled",
        "3600.00",
        "3600.00",
        "0.00",
    )
    page = client.get("/me/flexible/").content.decode()
    assert 'class="refund-cancelled"' in page and "3600.00" in page
    staff = browser(world.carol)
    assert (
        'class="refund-cancelled"'
        in staff.get(f"/staff/persons/{world.alice.pk}/flexible/").content.decode()
    )
    assert (
        staff.get(f"/api/v1/persons/{world.alice.pk}/flexible").json()["refunds"]
        == (api["refunds"])
    )
    assert ledger_verify() == []
    assert collection_sync(adapter=adapter).payments_new == 0  # once
    assert IndividualRefund.objects.count() == 1


def test_a_payment_above_the_bill_posts_the_bill_and_refunds_the_excess(
    world: Any, registries: RegistrySimulator
) -> None:
    """4000.00 paid on a 3600.00 bill: the bill is paid in full and posted, the 400.00 above
    it is a refund (``overpaid``), journaled and told; replaying the payment changes
    nothing; ``ledger verify`` clean."""
    bill = current_quarter_bill(world, browser(world.alice.user))
    for _ in range(2):
        individual.individual_payment_record(
            actor=None,
            external_id="TAX-OVER",
            bill=bill,
            amount=Decimal("4000.00"),
            paid_on=timezone.localdate(),
        )
    from onestop.contributions.models import IndividualRefund

    refund = IndividualRefund.objects.get()
    assert (refund.reason, refund.amount) == ("overpaid", Decimal("400.00"))
    bill.refresh_from_db()
    assert bill.posted_at is not None
    assert LedgerEntry.objects.filter(source_type="individual_bill", source_id=bill.pk).count() == 6
    assert Notification.objects.filter(
        recipient=world.alice.user, event="contributions.individual_refund.overpaid"
    ).exists()
    assert ledger_verify() == []


def test_a_part_payment_of_a_bill_then_cancelled_becomes_a_refund(
    world: Any, registries: RegistrySimulator
) -> None:
    """1200.00 paid on the quarter's bill, then the bill is cancelled (alice hired): the
    1200.00 already received is refunded at the cancellation, in its transaction."""
    bill = current_quarter_bill(world, browser(world.alice.user))
    individual.individual_payment_record(
        actor=None,
        external_id="TAX-PART",
        bill=bill,
        amount=Decimal("1200.00"),
        paid_on=timezone.localdate(),
    )
    assert ledger_verify() == []  # short of the bill: still owed, not lost
    hire_from(world, bill)
    individual.payers_stop_on_employment()
    from onestop.contributions.models import IndividualRefund

    refund = IndividualRefund.objects.get()
    assert (refund.reason, refund.amount, refund.payment_id) == (
        "cancelled",
        Decimal("1200.00"),
        None,
    )
    assert Entry.objects.filter(action="contributions.individual_refund.excess").count() == 1
    assert ledger_verify() == []


def test_verify_names_money_received_on_an_individual_bill_and_not_accounted_for(
    world: Any, registries: RegistrySimulator
) -> None:
    """Money on a cancelled bill written behind the services' back (no refund), and a
    refund deleted: ``ledger verify`` names the bill under ``individual_received``."""
    from onestop.contributions.models import IndividualPayment, IndividualRefund

    bill = current_quarter_bill(world, browser(world.alice.user))
    hire_from(world, bill)
    individual.payers_stop_on_employment()
    assert ledger_verify() == []
    IndividualPayment.objects.create(
        external_id="TAX-LOST", bill=bill, amount=Decimal("3600.00"), paid_on=bill.due_date
    )
    found = ledger_verify()
    assert [v.rule for v in found] == ["individual_received"]
    assert f"individual bill {bill.pk}" in found[0].detail and "3600.00" in found[0].detail
    individual.bill_settle(bill=bill, actor=None)
    assert ledger_verify() == []
    IndividualRefund.objects.all().delete()
    assert [v.rule for v in ledger_verify()] == ["individual_received"]


def test_an_ended_registration_says_so_and_offers_nothing_that_404s(
    world: Any, registries: RegistrySimulator
) -> None:
    """alice asked for yearly payments from January, then an employment ended her
    registration: the page says it ended (when, why), offers no payment check and no future
    frequency; the API says the registration ended, not that she never registered."""
    assert enrol(browser(world.alice.user)).json()["status"] == "approved"
    page = browser(world.alice.user)
    assert page.post("/me/flexible/frequency/", {"frequency": "yearly"}).status_code == 302
    today = timezone.localdate()
    employ(world, world.alice, today.year * 100 + today.month)
    assert individual.payers_stop_on_employment() == 1
    shown = page.get("/me/flexible/").content.decode()
    assert 'id="payer-ended"' in shown
    # Why, in the page's language only (the platform's reason is kept in each).
    ended = shown[shown.index('id="payer-ended"') :]
    ended = ended[: ended.index("</p>")]
    assert "参加职工养老保险" in ended and "employed with pension insurance" not in ended
    english = page.get("/me/flexible/", headers={"Accept-Language": "en"}).content.decode()
    ended = english[english.index('id="payer-ended"') :]
    ended = ended[: ended.index("</p>")]
    assert "employed with pension insurance at" in ended and "参加职工养老保险" not in ended
    assert "my_flexible_sync" not in shown and "/me/flexible/sync/" not in shown
    assert 'id="frequency-next"' not in shown
    answer = page.post(
        "/api/v1/me/flexible/frequency", {"frequency": "monthly"}, content_type="application/json"
    )
    assert answer.status_code == 400, answer.content
    body = answer.json()
    assert body["code"] == "registration_ended"
    assert "终止" in body["message_zh"] and "ended" in body["message_en"]
    assert page.get("/api/v1/me/flexible").json()["frequency_next"] is None


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_api_names_the_parameters_in_the_asked_language(
    world: Any, registries: RegistrySimulator, language: str
) -> None:
    """attack1, finding 6: /api/v1/me/flexible keeps each base's and bill's parameter
    reference (610000/...) for machines and adds its label in the Accept-Language."""
    client = browser(world.alice.user)
    assert enrol(client).json()["status"] == "approved"
    individual.bills_issue_due()
    api = client.get("/api/v1/me/flexible", headers={"accept-language": language}).json()
    rows = [*api["bases"], *api["bills"]]
    assert rows
    for row in rows:
        assert row["parameters"].startswith("610000/")
        label = row["parameters_label"]
        assert "610000/" not in label
        if language == "en":
            assert label.startswith("Shaanxi ") and "参数" not in label
        else:
            assert "年参数" in label and "parameters" not in label


def test_a_long_frequency_is_not_echoed_back(world: Any, registries: RegistrySimulator) -> None:
    """attack1, finding 9: 3000 characters posted as the payment frequency are refused; the
    message quotes at most ``ECHO_LIMIT`` of them, on the page and in the API."""
    from onestop.rules.values import ECHO_LIMIT

    client = browser(world.alice.user)
    assert enrol(client).json()["status"] == "approved"
    typed = "x" * 3000
    page = client.post("/me/flexible/frequency/", {"frequency": typed}, follow=True)
    html = page.content.decode()
    assert "x" * ECHO_LIMIT in html and "x" * (ECHO_LIMIT + 1) not in html
    api = client.post(
        "/api/v1/me/flexible/frequency", {"frequency": typed}, content_type="application/json"
    )
    assert api.status_code in (400, 422)
    assert "x" * (ECHO_LIMIT + 1) not in api.content.decode()


def test_a_late_individual_bill_keeps_the_surcharge_once_paid(
    world: Any,
    registries: RegistrySimulator,
    tax: tuple[TaxSimulator, str],
    _fixed_clock: Any,
) -> None:
    """alice's first quarter bill paid at the authority 10 days after its due date keeps
    10 days' surcharge on her page and the API once the payment is in, 40 days on; her
    other bill, unpaid, runs on to today. Page and API agree on the total."""
    app, _url = tax
    client = browser(world.alice.user)
    assert enrol(client).json()["status"] == "approved"
    assert individual.bills_issue_due() == 2
    assert client.post("/me/flexible/sync/").status_code == 302  # the bills go out
    first, second = IndividualBill.objects.order_by("first_period")
    paid_on = first.due_date + dt.timedelta(days=10)
    status, _ = app.pay(f"P{first.pk}", f"{first.amount_due:.2f}", paid_on.isoformat())
    assert status == 201
    today = first.due_date + dt.timedelta(days=40)
    _fixed_clock.move_to(
        dt.datetime.combine(today, dt.time(10), tzinfo=timezone.get_current_timezone())
    )
    client = browser(world.alice.user)  # signed in again: the session of 40 days ago ended
    synced = client.post("/me/flexible/sync/")
    assert synced.status_code == 302 and synced["Location"] == "/me/flexible/"
    rates = individual.parameters_for(province="610000", year=first.first_period // 100).rates
    kept = late_surcharge(overdue=first.amount_due, days=10, rates=rates)
    late = max(0, (today - second.due_date).days)
    running = late_surcharge(overdue=second.amount_due, days=late, rates=rates)
    assert kept > 0
    api = client.get("/api/v1/me/flexible").json()
    assert len(api["bills"]) == 2
    paid = next(b for b in api["bills"] if b["status"] == "paid")
    assert (paid["days_late"], paid["surcharge"]) == (10, f"{kept:.2f}")
    assert api["surcharge"] == f"{kept + running:.2f}"
    page = client.get("/me/flexible/").content.decode()
    assert f'<dd id="surcharge">{kept + running:.2f}</dd>' in page
