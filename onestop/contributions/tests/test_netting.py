"""Issue #16: a supplementary declaration that lowers wages gets a refund (negative) bill.
What the employer owes for a month and insurance is the net of its bills minus payments: the
refund lowers the month's unpaid bills (and what the collecting authority asks for), what
was paid above the net is a visible credit, the surcharge runs on the net, and ``ledger
verify`` names a month paid above its net without a recorded credit."""

from __future__ import annotations

import datetime as dt
import json
import re
import urllib.request
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import Sum
from django.test import Client

from conftest import World
from onestop.audit.models import Entry
from onestop.contributions import services
from onestop.contributions.collection import HttpCollectionAdapter, collection_sync
from onestop.contributions.credit import unpaid_declarations
from onestop.contributions.models import Bill, MonthCredit, Payment
from onestop.contributions.netting import BillFigures, net_month
from onestop.contributions.selectors import bills_of, credits_of, ledger_verify
from onestop.contributions.tests.helpers import declare_pair, employ_alice_and_bob, pay_arrears
from onestop.identity.services import token_create
from onestop.rules.contributions import Rates, late_fee_accrued, late_surcharge
from onestop.simulators.tax import TaxSimulator

pytestmark = pytest.mark.django_db

PERIOD = 202610  # due 2026-11-15; the suite's clock is 2026-11-26: 11 days late
TODAY = dt.date(2026, 11, 26)
D = Decimal


def pay_at_authority(url: str, bill_id: str, amount: str) -> None:
    request = urllib.request.Request(
        f"{url}/bills/{bill_id}/pay",
        data=json.dumps({"amount": amount, "paid_on": "2026-11-20"}).encode(),
        headers={"Content-Type": "application/json", "X-Api-Key": "secret"},
        method="POST",
    )
    with urllib.request.urlopen(request) as response:
        assert response.status == 201


@pytest.fixture
def acme(world: World) -> World:
    """acme (pension and unemployment) employing alice and bob; the regular 2026-10."""
    employ_alice_and_bob(world, since=202601)
    declare(world, "regular", "8000", "9000")
    return world


def declare(world: World, kind: str, alice: str, bob: str) -> None:
    declare_pair(world, kind, alice, bob, period=PERIOD)


def month(world: World, insurance: str) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """(net declared, paid, arrears on the bills page, recorded credit) for the month."""
    net = Bill.objects.filter(period=PERIOD, insurance=insurance).aggregate(s=Sum("amount_due"))[
        "s"
    ]
    paid = Payment.objects.filter(bill__period=PERIOD, bill__insurance=insurance).aggregate(
        s=Sum("amount")
    )["s"] or D(0)
    rows = [r for r in bills_of(employer=world.acme, today=TODAY) if r.bill.insurance == insurance]
    credit = sum(
        (c.amount for c in credits_of(employer=world.acme) if c.insurance == insurance), D(0)
    )
    return net, paid, sum((r.arrears for r in rows), D(0)), credit


# --- the arithmetic ----------------------------------------------------------------------


def test_refunds_and_overpayments_are_set_against_the_earliest_unpaid_bills() -> None:
    day = dt.date(2026, 11, 15)
    net = net_month(
        [
            BillFigures(1, D("100.00"), day, D("0")),
            BillFigures(2, D("50.00"), day, D("0")),
            BillFigures(3, D("-120.00"), day, D("0")),
        ]
    )
    assert net.arrears == {1: D("0.00"), 2: D("30.00"), 3: D("0.00")}
    assert net.collect == {1: D("0.00"), 2: D("30.00")}
    assert net.credit == D("0.00")
    # Paid in full before the refund: the whole refund is a credit.
    paid = net_month(
        [BillFigures(1, D("100.00"), day, D("100.00")), BillFigures(3, D("-40.00"), day, D("0"))]
    )
    assert (paid.arrears[1], paid.collect[1], paid.credit) == (D("0.00"), D("100.00"), D("40"))
    # Paid above one bill while another is unpaid: the excess goes to the other.
    over = net_month(
        [BillFigures(1, D("100.00"), day, D("130.00")), BillFigures(2, D("50.00"), day, D("0"))]
    )
    assert (over.arrears[2], over.collect[2], over.credit) == (D("20.00"), D("20.00"), D("0"))


# --- through the services ----------------------------------------------------------------


def test_a_lowering_supplementary_lowers_the_arrears_and_the_surcharge_runs_on_the_net(
    acme: World,
) -> None:
    before = {r.bill.insurance: r for r in bills_of(employer=acme.acme, today=TODAY)}
    declare(acme, "supplementary", "5000", "9000")
    for insurance in ("pension", "unemployment"):
        net, paid, arrears, credit = month(acme, insurance)
        assert Bill.objects.filter(period=PERIOD, insurance=insurance, amount_due__lt=0).exists()
        assert (arrears, paid, credit) == (net, D(0), D(0))
        assert net < before[insurance].arrears
    rows = bills_of(employer=acme.acme, today=TODAY)
    regular = next(r for r in rows if r.bill.pk == before["pension"].bill.pk)
    net = month(acme, "pension")[0]
    assert (regular.collect, regular.arrears, regular.days_late) == (net, net, 11)
    assert regular.surcharge == late_surcharge(overdue=net, days=11, rates=Rates())
    assert regular.bill.collect_amount == net  # what the authority is asked for now
    # Paying what is asked settles the month: nothing owed, no credit, the months credited.
    pay_arrears(acme, "TAX")
    for insurance in ("pension", "unemployment"):
        net, paid, arrears, credit = month(acme, insurance)
        assert (paid, arrears, credit) == (net, D(0), D(0))
    declarations = Bill.objects.filter(period=PERIOD).values_list("declaration_id", flat=True)
    assert unpaid_declarations(declaration_ids=declarations) == set()
    assert not MonthCredit.objects.exists()
    assert ledger_verify() == []


def test_the_attackers_month_paid_in_full_then_lowered_shows_a_credit(acme: World) -> None:
    """Issue #16: every bill paid as first billed, then wages lowered: the refund is a
    visible credit, journaled; a later raise uses it up before anything is owed again."""
    pay_arrears(acme, "TAX")
    paid_before = month(acme, "pension")[1]
    declare(acme, "supplementary", "5000", "9000")
    net, paid, arrears, credit = month(acme, "pension")
    assert (paid, arrears) == (paid_before, D(0))
    assert credit == paid - net > 0
    assert Entry.objects.filter(action="contributions.credit.changed").count() == 2
    assert ledger_verify() == []
    # A raise smaller than the credit: still nothing owed, a smaller credit.
    declare(acme, "supplementary", "6000", "9000")
    net2, _, arrears2, credit2 = month(acme, "pension")
    assert (arrears2, credit2) == (D(0), paid - net2)
    assert D(0) < credit2 < credit
    # A raise above what was paid: the credit is gone and only the difference is owed.
    declare(acme, "supplementary", "9000", "9000")
    net3, _, arrears3, credit3 = month(acme, "pension")
    assert (arrears3, credit3) == (net3 - paid, D(0))
    assert ledger_verify() == []


def test_the_bills_page_and_api_show_the_net_arrears_and_the_credit(acme: World) -> None:
    assert acme.bob.user is not None
    pay_arrears(acme, "TAX")
    declare(acme, "supplementary", "5000", "9000")
    credit = sum((c.amount for c in credits_of(employer=acme.acme)), D(0))
    client = Client(enforce_csrf_checks=True)
    client.force_login(acme.bob.user)
    page = client.get(f"/employer/{acme.acme.pk}/bills/")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<strong id="arrears">0.00</strong>' in html
    assert f'<strong id="credit">{credit:.2f}</strong>' in html
    assert 'id="credits"' in html
    api = client.get(f"/api/v1/employers/{acme.acme.pk}/credits")
    assert api.status_code == 200
    assert {c["insurance"]: c["amount"] for c in api.json()} == {
        c.insurance: f"{c.amount:.2f}" for c in credits_of(employer=acme.acme)
    }
    assert {c["period"] for c in api.json()} == {"2026-10"}
    bills = client.get(f"/api/v1/employers/{acme.acme.pk}/bills").json()
    assert {b["status"] for b in bills} == {"paid", "refund"}
    # Someone who is not acme's representative or agent does not see its credits.
    assert acme.alice.user is not None
    stranger = Client(enforce_csrf_checks=True)
    stranger.force_login(acme.alice.user)
    assert stranger.get(f"/api/v1/employers/{acme.acme.pk}/credits").status_code == 404
    assert stranger.get(f"/employer/{acme.acme.pk}/bills/").status_code == 404


def test_the_authority_is_asked_for_the_net_and_the_month_ends_exact(
    acme: World, tax_authority: tuple[TaxSimulator, str]
) -> None:
    app, url = tax_authority
    adapter = HttpCollectionAdapter(url, "secret")
    assert collection_sync(adapter=adapter).bills_sent == 2
    regular = {b.insurance: b for b in Bill.objects.filter(period=PERIOD)}
    declare(acme, "supplementary", "5000", "9000")
    sync = collection_sync(adapter=adapter)
    assert sync.bills_sent == 2  # the two regular bills again, lowered; refunds stay here
    for insurance, bill in regular.items():
        bill.refresh_from_db()
        assert app.bills[str(bill.pk)]["amount_due"] == f"{month(acme, insurance)[0]:.2f}"
        assert bill.collect_amount is not None and bill.sent_at is not None
    assert len(app.bills) == 2  # the refund bills are not collected
    for key, sent in list(app.bills.items()):
        pay_at_authority(url, key, f"{D(sent['amount_due']) - D(sent['paid']):.2f}")
    assert collection_sync(adapter=adapter).payments_new == 2
    for insurance in ("pension", "unemployment"):
        net, paid, arrears, credit = month(acme, insurance)
        assert (paid, arrears, credit) == (net, D(0), D(0))
    assert ledger_verify() == []


def test_the_simulator_takes_a_lowered_bill_and_keeps_what_was_paid() -> None:
    app = TaxSimulator()
    bill = {
        "bill_id": "7",
        "credit_code": "X",
        "period": "2026-10",
        "insurance": "pension",
        "amount_due": "100.00",
        "due_date": "2026-11-15",
    }
    assert app.add_bill(bill)[0] == 201
    assert app.pay("7", "30.00", "2026-11-20")[0] == 201
    status, stored = app.add_bill(bill | {"amount_due": "60.00"})
    assert (status, stored["amount_due"], stored["paid"]) == (200, "60.00", "30.00")


# --- verify ------------------------------------------------------------------------------


def test_verify_names_a_month_paid_above_its_net_without_its_credit(acme: World) -> None:
    pay_arrears(acme, "TAX")
    declare(acme, "supplementary", "5000", "9000")
    assert ledger_verify() == []
    row = MonthCredit.objects.filter(insurance="pension").get()
    net, paid, _, _ = month(acme, "pension")
    with connection.cursor() as cursor:  # past the append-only model, as a tamperer would
        cursor.execute("DELETE FROM contributions_monthcredit WHERE id = %s", [row.pk])
    findings = ledger_verify()
    assert {f.rule for f in findings} == {"credit"}, findings
    assert [f.detail for f in findings] == [
        f"employer {acme.acme.pk} 2026-10 pension: net declared {net:.2f}, paid {paid:.2f}, "
        "recorded credit 0.00"
    ]


def test_verify_names_a_credit_recorded_without_an_overpayment(acme: World) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO contributions_monthcredit (employer_id, period, insurance, amount, "
            "source_type, source_id, created_at) VALUES (%s, %s, 'unemployment', 500.00, "
            "'manual', 1, CURRENT_TIMESTAMP)",
            [acme.acme.pk, PERIOD],
        )
    findings = ledger_verify()
    assert {f.rule for f in findings} == {"credit"}, findings
    assert "2026-10 unemployment" in findings[0].detail
    assert "recorded credit 500.00" in findings[0].detail


def test_a_late_payment_keeps_the_surcharge_it_earned_on_the_page_and_the_api(
    acme: World, tax_authority: tuple[TaxSimulator, str], settings: Any, _fixed_clock: Any
) -> None:
    """The pension bill of 2026-10 (due 2026-11-15) paid in full at the authority on
    2026-12-02 keeps the 17 days' surcharge after the payment comes in, on the page and the
    API; the unpaid unemployment bill runs on to today (2026-12-20, 35 days late)."""
    assert acme.bob.user is not None
    _app, url = tax_authority
    settings.ONESTOP_TAX_URL, settings.ONESTOP_TAX_KEY = url, "secret"
    _fixed_clock.move_to(dt.datetime(2026, 12, 20, 10, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    client = Client(enforce_csrf_checks=True)
    client.force_login(acme.bob.user)
    bills_url = f"/employer/{acme.acme.pk}/bills/"

    def sync() -> None:
        page = client.get(bills_url).content.decode()
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert found is not None
        response = client.post(f"{bills_url}sync/", {"csrfmiddlewaretoken": found.group(1)})
        assert response.status_code == 302

    sync()  # the bills go out
    pension = Bill.objects.get(period=PERIOD, insurance="pension")
    unemployment = Bill.objects.get(period=PERIOD, insurance="unemployment")
    request = urllib.request.Request(
        f"{url}/bills/{pension.pk}/pay",
        data=json.dumps({"amount": f"{pension.amount_due:.2f}", "paid_on": "2026-12-02"}).encode(),
        headers={"Content-Type": "application/json", "X-Api-Key": "secret"},
        method="POST",
    )
    with urllib.request.urlopen(request) as response:
        assert response.status == 201
    sync()  # the payment comes in
    assert Payment.objects.get(bill=pension).paid_on == dt.date(2026, 12, 2)
    kept = late_surcharge(overdue=pension.amount_due, days=17, rates=Rates())
    running = late_surcharge(overdue=unemployment.amount_due, days=35, rates=Rates())
    assert kept > 0 and running > 0
    bills = {
        b["insurance"]: b for b in client.get(f"/api/v1/employers/{acme.acme.pk}/bills").json()
    }
    assert (bills["pension"]["status"], bills["pension"]["arrears"]) == ("paid", "0.00")
    assert (bills["pension"]["days_late"], bills["pension"]["surcharge"]) == (17, f"{kept:.2f}")
    assert (bills["unemployment"]["days_late"], bills["unemployment"]["surcharge"]) == (
        35,
        f"{running:.2f}",
    )
    html = client.get(bills_url).content.decode()
    assert f'<strong id="surcharge">{kept + running:.2f}</strong>' in html
    assert f"<td>17</td><td>{kept:.2f}</td>" in html
    # Paid in principal, the pension bill still owes its kept surcharge: it is in arrears
    # for the API with a token and for the page's filter alike.
    token = token_create(actor=acme.bob.user, name="erp", scopes=["contributions:read"], days=30)
    owing = Client().get(
        f"/api/v1/employers/{acme.acme.pk}/bills",
        {"arrears_only": "true"},
        HTTP_AUTHORIZATION=f"Bearer {token.secret}",
    )
    assert owing.status_code == 200
    assert sorted((b["insurance"], b["in_arrears"]) for b in owing.json()) == [
        ("pension", True),
        ("unemployment", True),
    ]
    filtered = client.get(bills_url, {"arrears_only": "1"}).content.decode()
    assert filtered.count('<tr class="in-arrears">') == 2
    assert f"<td>17</td><td>{kept:.2f}</td>" in filtered


def test_a_bill_paid_on_time_is_not_in_arrears(acme: World) -> None:
    """Bills paid in full by their due date owe no surcharge: neither the API's
    ``arrears_only`` (with a token) nor the page's filter lists them."""
    assert acme.bob.user is not None
    for bill in Bill.objects.filter(period=PERIOD):
        services.payment_record(
            actor=None,
            external_id=f"ON-TIME-{bill.pk}",
            bill=bill,
            amount=bill.amount_due,
            paid_on=dt.date(2026, 11, 15),
        )
    token = token_create(actor=acme.bob.user, name="erp", scopes=["contributions:read"], days=30)
    headers = {"Authorization": f"Bearer {token.secret}"}
    url = f"/api/v1/employers/{acme.acme.pk}/bills"
    assert [b["in_arrears"] for b in Client().get(url, headers=headers).json()] == [False, False]
    assert Client().get(url, {"arrears_only": "true"}, headers=headers).json() == []
    client = Client(enforce_csrf_checks=True)
    client.force_login(acme.bob.user)
    page = client.get(f"/employer/{acme.acme.pk}/bills/", {"arrears_only": "1"}).content.decode()
    assert "in-arrears" not in page and page.count("<tr><td>") == 0


def test_the_surcharge_runs_at_the_rate_the_province_published_for_the_month(
    acme: World,
) -> None:
    """Shaanxi publishes a late surcharge of 0.1% a day for 2026 (not the default 0.05%): the
    bills API (with a token) and the bills page charge the unpaid 2026-10 bills 11 days at
    that rate, as an individual payer's bills do."""
    from onestop.parameters.services import province_parameters_publish

    assert acme.bob.user is not None
    province_parameters_publish(
        actor=None,
        province="610000",
        year=2026,
        values={"late_daily_rate": D("0.001")},
        sources="test: a surcharge rate other than the default",
    )
    published = Rates(late_daily_rate=D("0.001"))
    assert published.late_daily_rate != Rates().late_daily_rate
    token = token_create(actor=acme.bob.user, name="erp", scopes=["contributions:read"], days=30)
    bills = (
        Client()
        .get(
            f"/api/v1/employers/{acme.acme.pk}/bills",
            HTTP_AUTHORIZATION=f"Bearer {token.secret}",
        )
        .json()
    )
    assert len(bills) == 2
    for bill in bills:
        due = D(bill["collect"])
        assert bill["days_late"] == 11
        assert bill["surcharge"] == f"{late_surcharge(overdue=due, days=11, rates=published):.2f}"
        assert bill["surcharge"] != f"{late_surcharge(overdue=due, days=11, rates=Rates()):.2f}"
    client = Client(enforce_csrf_checks=True)
    client.force_login(acme.bob.user)
    html = client.get(f"/employer/{acme.acme.pk}/bills/").content.decode()
    total = sum((D(b["surcharge"]) for b in bills), D(0))
    assert f'<strong id="surcharge">{total:.2f}</strong>' in html


# --- an overpayment of a bill lowered by a refund ------------------------------------------


def test_an_overpayment_of_a_lowered_bill_is_a_credit_and_keeps_collect() -> None:
    """The tester's figures: a bill of 1944.70 lowered by a refund of 100.00 to 1844.70,
    paid 1844.70, then 10.00 more. The 10.00 is a credit; the bill is still asked for
    1844.70 (not 1854.70, the refund handed back as credit instead), nothing is owed."""
    day = dt.date(2026, 11, 15)
    lowered = net_month(
        [BillFigures(1, D("1944.70"), day, D("0")), BillFigures(2, D("-100.00"), day, D("0"))]
    )
    assert (lowered.collect[1], lowered.arrears[1], lowered.credit) == (
        D("1844.70"),
        D("1844.70"),
        D("0.00"),
    )
    for paid, credit in ((D("1844.70"), D("0.00")), (D("1854.70"), D("10.00"))):
        net = net_month(
            [
                BillFigures(1, D("1944.70"), day, paid, lowered.collect[1]),
                BillFigures(2, D("-100.00"), day, D("0")),
            ]
        )
        assert (net.collect[1], net.arrears[1], net.credit) == (D("1844.70"), D("0.00"), credit)
    # The surcharge runs on what was asked: 1844.70 paid 10 days late is 9.22 and stays so.
    fee = late_fee_accrued(
        owed=D("1844.70"),
        due_date=day,
        payments=[(dt.date(2026, 11, 25), D("1844.70")), (dt.date(2026, 11, 26), D("10.00"))],
        today=TODAY,
        rates=Rates(),
    )
    assert fee.surcharge == D("9.22")


def test_an_overpayment_of_one_bill_pays_another_and_then_stays_a_credit() -> None:
    """100.00 paid 130.00 while 50.00 is unpaid: the 30.00 lowers the other to 20.00; that
    one then paid 30.00 stays asked 20.00, and its extra 10.00 is a credit."""
    day = dt.date(2026, 11, 15)
    first = net_month(
        [BillFigures(1, D("100.00"), day, D("130.00")), BillFigures(2, D("50.00"), day, D("0"))]
    )
    assert (first.collect[2], first.arrears[2], first.credit) == (D("20.00"), D("20.00"), D(0))
    then = net_month(
        [
            BillFigures(1, D("100.00"), day, D("130.00"), first.collect[1]),
            BillFigures(2, D("50.00"), day, D("30.00"), first.collect[2]),
        ]
    )
    assert (then.collect, then.arrears, then.credit) == (
        {1: D("100.00"), 2: D("20.00")},
        {1: D("0.00"), 2: D("0.00")},
        D("10.00"),
    )


def test_paying_more_than_a_refund_lowered_bill_asks_leaves_its_surcharge(acme: World) -> None:
    """The month lowered by a supplementary (a refund bill); each positive bill paid what
    it is asked on 2026-11-25 (10 days late), then 10.00 more on 2026-11-26: the bill's
    collect and surcharge stay as they were, the 10.00 pays the surcharge first
    (``netting.late_fee_part``) and what is left of it is the employer's credit, and
    ``ledger verify`` holds."""
    declare(acme, "supplementary", "5000", "9000")
    asked = {r.bill.pk: r for r in bills_of(employer=acme.acme, today=TODAY) if r.collect > 0}
    assert all(r.collect < r.bill.amount_due for r in asked.values())  # lowered by the refund
    for row in asked.values():
        services.payment_record(
            actor=None,
            external_id=f"exact-{row.bill.pk}",
            bill=row.bill,
            amount=row.collect,
            paid_on=dt.date(2026, 11, 25),
        )
    paid = {r.bill.pk: r for r in bills_of(employer=acme.acme, today=TODAY) if r.bill.pk in asked}
    for row in asked.values():
        services.payment_record(
            actor=None,
            external_id=f"more-{row.bill.pk}",
            bill=row.bill,
            amount=D("10.00"),
            paid_on=dt.date(2026, 11, 26),
        )
    after = {r.bill.pk: r for r in bills_of(employer=acme.acme, today=TODAY) if r.bill.pk in asked}
    for pk, row in asked.items():
        assert after[pk].collect == row.collect
        assert after[pk].arrears == D("0.00")
        assert (
            after[pk].surcharge
            == paid[pk].surcharge
            == late_surcharge(overdue=row.collect, days=10, rates=Rates())
        )
        assert Bill.objects.get(pk=pk).collect_amount == row.collect
        assert after[pk].late_fee_paid == min(D("10.00"), after[pk].surcharge)
        insurance = row.bill.insurance
        assert month(acme, insurance)[3] == max(D(0), D("10.00") - after[pk].surcharge)
    assert ledger_verify() == []
