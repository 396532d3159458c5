"""A late surcharge (滞纳金, SIL art. 86) can be paid: a payment reported by the collecting
authority pays the bill's principal first, then the surcharge it earned (the law is silent
on the order; ``netting.late_fee_part``), and what is left is the month's credit. Paying
principal and surcharge takes the bill out of arrears on the bills page and the API."""

from __future__ import annotations

import datetime as dt
import json
import re
import urllib.request
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from conftest import World
from onestop.contributions.models import Bill, Payment
from onestop.contributions.selectors import credits_of, ledger_verify
from onestop.contributions.tests.helpers import declare_pair, employ_alice_and_bob
from onestop.identity.services import token_create
from onestop.rules.contributions import Rates, late_fee_accrued, late_surcharge
from onestop.simulators.tax import TaxSimulator

pytestmark = pytest.mark.django_db

PERIOD = 202610  # due 2026-11-15
DUE = dt.date(2026, 11, 15)
D = Decimal
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def late(
    world: World, tax_authority: tuple[TaxSimulator, str], settings: Any, _fixed_clock: Any
) -> tuple[World, str]:
    """acme's regular 2026-10 (pension and unemployment), its bills at the authority, the
    clock on 2026-12-20 (35 days late); (world, the authority's URL)."""
    employ_alice_and_bob(world, since=202601)
    declare_pair(world, "regular", "8000", "9000", period=PERIOD)
    _app, url = tax_authority
    settings.ONESTOP_TAX_URL, settings.ONESTOP_TAX_KEY = url, "secret"
    _fixed_clock.move_to(dt.datetime(2026, 12, 20, 10, tzinfo=SHANGHAI))
    return world, url


def signed_in(world: World, language: str = "en") -> Client:
    assert world.bob.user is not None
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(world.bob.user)
    return client


def sync(client: Client, world: World) -> None:
    """The employer's "check for payments now" button, CSRF token and all."""
    bills_url = f"/employer/{world.acme.pk}/bills/"
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', client.get(bills_url).text)
    assert found is not None
    response = client.post(f"{bills_url}sync/", {"csrfmiddlewaretoken": found.group(1)})
    assert response.status_code == 302


def pay(url: str, bill: Bill, amount: Decimal, paid_on: str) -> None:
    request = urllib.request.Request(
        f"{url}/bills/{bill.pk}/pay",
        data=json.dumps({"amount": f"{amount:.2f}", "paid_on": paid_on}).encode(),
        headers={"Content-Type": "application/json", "X-Api-Key": "secret"},
        method="POST",
    )
    with urllib.request.urlopen(request) as response:
        assert response.status == 201


def api_bills(world: World, **query: str) -> dict[str, dict[str, Any]]:
    assert world.bob.user is not None
    token = token_create(actor=world.bob.user, name="erp", scopes=["contributions:read"], days=30)
    response = Client().get(
        f"/api/v1/employers/{world.acme.pk}/bills",
        query,
        HTTP_AUTHORIZATION=f"Bearer {token.secret}",
    )
    assert response.status_code == 200
    return {b["insurance"]: b for b in response.json()}


def test_paying_principal_and_surcharge_at_once_settles_the_bill(late: tuple[World, str]) -> None:
    """The pension bill paid on 2026-12-02 (17 days late) with its principal and the
    surcharge earned by then, in one payment: it owes nothing, is not in arrears (API with a
    token, the page's filter), no credit is made of the surcharge, and the ledger verifies.
    The unpaid unemployment bill stays in arrears."""
    world, url = late
    client = signed_in(world)
    sync(client, world)  # the bills go out
    pension = Bill.objects.get(period=PERIOD, insurance="pension")
    fee = late_surcharge(overdue=pension.amount_due, days=17, rates=Rates())
    assert fee > 0
    pay(url, pension, pension.amount_due + fee, "2026-12-02")
    sync(client, world)  # the payment comes in
    payment = Payment.objects.get(bill=pension)
    assert (payment.amount, payment.late_fee) == (pension.amount_due, fee)
    bills = api_bills(world)
    assert {k: bills["pension"][k] for k in ("status", "arrears", "surcharge")} == {
        "status": "paid",
        "arrears": "0.00",
        "surcharge": f"{fee:.2f}",
    }
    assert (bills["pension"]["late_fee_paid"], bills["pension"]["late_fee_owed"]) == (
        f"{fee:.2f}",
        "0.00",
    )
    assert bills["pension"]["in_arrears"] is False
    assert bills["unemployment"]["in_arrears"] is True
    assert list(api_bills(world, arrears_only="true")) == ["unemployment"]
    filtered = client.get(f"/employer/{world.acme.pk}/bills/", {"arrears_only": "1"}).text
    assert filtered.count('<tr class="in-arrears">') == 1
    page = client.get(f"/employer/{world.acme.pk}/bills/").text
    assert f"<td>17</td><td>{fee:.2f}</td><td>{fee:.2f}</td><td>0.00</td>" in page
    unemployment = bills["unemployment"]
    assert f'<strong id="late-fee-owed">{D(unemployment["surcharge"]):.2f}</strong>' in page
    assert credits_of(employer=world.acme) == []
    assert ledger_verify() == []


def test_partial_payments_pay_principal_first_then_the_surcharge(
    late: tuple[World, str],
) -> None:
    """The unemployment bill paid short by 1.00 on 2026-12-02 (all principal), then 1.00
    and part of the surcharge on 2026-12-10 (the principal first), then the rest of the
    surcharge and 5.00 more on 2026-12-15: the surcharge is earned on the principal as it
    was paid, the bill stays in arrears while any surcharge is owed, and the 5.00 beyond
    both is the employer's credit. Shown the same in Chinese."""
    world, url = late
    client = signed_in(world)
    sync(client, world)
    bill = Bill.objects.get(period=PERIOD, insurance="unemployment")
    due = bill.amount_due
    pay(url, bill, due - D("1.00"), "2026-12-02")
    sync(client, world)
    first = api_bills(world)["unemployment"]
    assert (first["arrears"], first["late_fee_paid"], first["in_arrears"]) == ("1.00", "0.00", True)

    earned = late_fee_accrued(
        owed=due,
        due_date=DUE,
        payments=[(dt.date(2026, 12, 2), due - D("1.00")), (dt.date(2026, 12, 10), D("1.00"))],
        today=dt.date(2026, 12, 20),
        rates=Rates(),
    ).surcharge
    assert earned > D("0.50")
    pay(url, bill, D("1.00") + D("0.50"), "2026-12-10")
    sync(client, world)
    second = api_bills(world)["unemployment"]
    assert {k: second[k] for k in ("arrears", "surcharge", "late_fee_paid", "late_fee_owed")} == {
        "arrears": "0.00",
        "surcharge": f"{earned:.2f}",
        "late_fee_paid": "0.50",
        "late_fee_owed": f"{earned - D('0.50'):.2f}",
    }
    assert second["status"] == "paid" and second["in_arrears"] is True
    assert credits_of(employer=world.acme) == []

    pay(url, bill, earned - D("0.50") + D("5.00"), "2026-12-15")
    sync(client, world)
    third = api_bills(world)["unemployment"]
    assert (third["late_fee_paid"], third["late_fee_owed"], third["in_arrears"]) == (
        f"{earned:.2f}",
        "0.00",
        False,
    )
    assert [(c.insurance, c.amount) for c in credits_of(employer=world.acme)] == [
        ("unemployment", D("5.00"))
    ]
    assert sum(p.amount + p.late_fee for p in Payment.objects.filter(bill=bill)) == (
        due + earned + D("5.00")
    )
    zh = signed_in(world, "zh-hans").get(f"/employer/{world.acme.pk}/bills/").text
    assert "尚欠滞纳金" in zh and "先抵缴本金" in zh
    assert ledger_verify() == []
