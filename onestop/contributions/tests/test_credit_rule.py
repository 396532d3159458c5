"""What counts as paid (``credit.py``): a declaration's entries count once its bill and
every earlier bill of its employer, month and insurance are paid in full.

- A supplementary declaration that lowers the wages of a month still owed leaves the
  account as it was (nothing credited) until the month is paid; then the lowered figure is
  credited. Before the fix its refund bill counted at once and the account fell below zero.
- A supplementary that raises a paid month leaves the month paid and the regular figure
  credited; only its difference is owed until its bill is paid.
- ``ledger verify`` (``credited``) names an account figure the paid bills do not imply: the
  old rule (a refund settled when billed) is caught.
- A declaration file whose name column holds a formula is refused row by row.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from conftest import World
from onestop.contributions import files, services, verify
from onestop.contributions.collection import HttpCollectionAdapter, collection_sync
from onestop.contributions.credit import UNPAID_DECLARATIONS_SQL, unpaid_declarations
from onestop.contributions.models import Bill, Declaration, LedgerEntry
from onestop.contributions.selectors import (
    ledger_verify,
    statement_of,
    unemployment_months_of,
)
from onestop.contributions.tests.helpers import declare_pair, employ_alice_and_bob, pay_arrears
from onestop.contributions.tests.test_netting import pay_at_authority
from onestop.simulators.tax import TaxSimulator

pytestmark = pytest.mark.django_db

PERIOD = 202610
TODAY = dt.date(2026, 11, 26)
D = Decimal
#: The old rule: a bill of zero or less is settled when billed (the reported bug).
OLD_UNPAID_SQL = (
    "SELECT b.declaration_id FROM contributions_bill b LEFT JOIN ("
    "SELECT bill_id, SUM(amount) AS paid FROM contributions_payment GROUP BY bill_id) p "
    "ON p.bill_id = b.id WHERE b.insurance = 'pension' "
    "AND COALESCE(p.paid, 0) < COALESCE(b.collect_amount, b.amount_due)"
)


@pytest.fixture
def acme(world: World) -> World:
    """acme (pension and unemployment) employing alice and bob from 2026-01, nothing declared."""
    return employ_alice_and_bob(world, since=202601)


def declare(world: World, kind: str, alice: str, bob: str, period: int = PERIOD) -> Declaration:
    return declare_pair(world, kind, alice, bob, period=period)


def interest_job_unpaid() -> set[int]:
    """The declarations the yearly interest job leaves out (its own SQL)."""
    with connection.cursor() as cursor:
        cursor.execute(UNPAID_DECLARATIONS_SQL)
        return {int(row[0]) for row in cursor.fetchall()}


def figures(world: World) -> tuple[D, D, int, D]:
    """alice's (account balance, owed, paid months, the month's owed) on her statement."""
    s = statement_of(person=world.alice)
    return s.account_balance, s.owed, s.paid_months, s.months[0].owed if s.months else D(0)


# --- the reported figure: a lowering supplementary of a month still owed ------------------


def test_a_lowering_supplementary_of_an_owed_month_credits_nothing_until_it_is_paid(
    acme: World,
) -> None:
    """Regular declared (alice 8000: 640.00 to her account), not paid: nothing credited,
    640.00 owed. Lowered to 5000 (400.00): still nothing credited, 400.00 owed, the month not
    paid; the interest job leaves both declarations out. Paid: 400.00 credited."""
    regular = declare(acme, "regular", "8000", "9000")
    assert figures(acme) == (D("0.00"), D("640.00"), 0, D("640.00"))
    lowering = declare(acme, "supplementary", "5000", "9000")
    refund = Bill.objects.get(declaration=lowering, insurance="pension")
    assert refund.amount_due == D("-720.00")  # 16% + 8% of the 3000 lowered
    assert figures(acme) == (D("0.00"), D("400.00"), 0, D("400.00"))
    assert statement_of(person=acme.alice).months[0].paid is False
    assert unpaid_declarations(declaration_ids=[regular.pk, lowering.pk]) == {
        regular.pk,
        lowering.pk,
    }
    assert interest_job_unpaid() == {regular.pk, lowering.pk}
    assert ledger_verify() == []
    # The regular bill is asked for net of the refund: 4080.00 - 720.00.
    regular_bill = Bill.objects.get(declaration=regular, insurance="pension")
    assert regular_bill.collect_amount == D("3360.00")
    pay_arrears(acme, "TAX")
    assert figures(acme) == (D("400.00"), D("0.00"), 1, D("0.00"))
    assert statement_of(person=acme.bob).account_balance == D("720.00")
    assert unpaid_declarations(declaration_ids=[regular.pk, lowering.pk]) == set()
    assert interest_job_unpaid() == set()
    assert ledger_verify() == []


def test_a_lowering_supplementary_of_a_paid_month_is_credited_at_once(acme: World) -> None:
    """The month paid, then lowered: nothing it is set against is owed, so the lowered
    figure is credited at once and the refund is owed to the employer."""
    declare(acme, "regular", "8000", "9000")
    pay_arrears(acme, "TAX")
    assert figures(acme) == (D("640.00"), D("0.00"), 1, D("0.00"))
    declare(acme, "supplementary", "5000", "9000")
    assert figures(acme) == (D("400.00"), D("0.00"), 1, D("0.00"))
    assert ledger_verify() == []


def test_a_refund_set_against_a_raise_not_paid_waits_for_it(acme: World) -> None:
    """Paid at 8000, raised to 10000 (not paid), lowered to 9000: the regular figure stays
    credited (640.00) and the month paid; the raise and the refund set against it wait, and
    only 80.00 is owed. Once the raise's bill is paid, 720.00 is credited."""
    declare(acme, "regular", "8000", "9000")
    pay_arrears(acme, "TAX")
    declare(acme, "supplementary", "10000", "9000")
    assert figures(acme) == (D("640.00"), D("160.00"), 1, D("160.00"))
    declare(acme, "supplementary", "9000", "9000")
    assert figures(acme) == (D("640.00"), D("80.00"), 1, D("80.00"))
    assert ledger_verify() == []
    pay_arrears(acme, "TAX2")
    assert figures(acme) == (D("720.00"), D("0.00"), 1, D("0.00"))
    assert ledger_verify() == []


# --- a supplementary that raises a paid month --------------------------------------------


def test_a_raising_supplementary_of_a_paid_month_owes_only_its_difference(acme: World) -> None:
    """Paid at 8000 (640.00 credited), raised to 10000: the month stays paid at its base of
    8000.00, 640.00 stays credited and 160.00 is owed; unemployment counts the month too.
    Paid: 800.00 at a base of 10000.00."""
    declare(acme, "regular", "8000", "9000")
    pay_arrears(acme, "TAX")
    assert unemployment_months_of(person=acme.alice) == 1
    raising = declare(acme, "supplementary", "10000", "9000")
    assert figures(acme) == (D("640.00"), D("160.00"), 1, D("160.00"))
    statement = statement_of(person=acme.alice)
    assert (statement.contribution_months, statement.months[0].paid) == (1, True)
    # The award's index reads the month's base: the paid one until the raise is paid.
    assert statement.months[0].base == D("8000.00")
    assert [(y.year, y.paid_months, y.credited, y.owed) for y in statement.years] == [
        (2026, 1, D("640.00"), D("160.00"))
    ]
    assert unemployment_months_of(person=acme.alice) == 1
    assert interest_job_unpaid() == {raising.pk}
    assert ledger_verify() == []
    pay_arrears(acme, "TAX2")
    assert figures(acme) == (D("800.00"), D("0.00"), 1, D("0.00"))
    assert statement_of(person=acme.alice).months[0].base == D("10000.00")
    assert interest_job_unpaid() == set()
    assert ledger_verify() == []


def test_a_raise_paid_before_its_regular_declaration_waits_for_it(acme: World) -> None:
    """The month counts from its regular declaration: a raise paid first is not credited
    while the regular bill is owed (the account never holds a difference without the
    figure it adds to)."""
    declare(acme, "regular", "8000", "9000")
    raising = declare(acme, "supplementary", "10000", "9000")
    bill = Bill.objects.get(declaration=raising, insurance="pension")
    services.payment_record(
        actor=None, external_id="TAX-R", bill=bill, amount=bill.amount_due, paid_on=TODAY
    )
    assert figures(acme) == (D("0.00"), D("800.00"), 0, D("800.00"))
    assert ledger_verify() == []
    pay_arrears(acme, "TAX")
    assert figures(acme) == (D("800.00"), D("0.00"), 1, D("0.00"))


# --- the same through the API, the pages and the collecting authority --------------------


def test_the_reported_scenario_through_the_api_the_page_and_the_authority(
    acme: World, tax_authority: tuple[TaxSimulator, str]
) -> None:
    """acme declares through the API (CSRF enforced), alice reads her statement page and the
    API: lowered while owed, her account stays 0.00 with 400.00 owed; the authority is asked
    for the net and reports it paid; then 400.00 is credited."""
    _, url = tax_authority
    assert acme.bob.user is not None and acme.alice.user is not None
    employer = Client(enforce_csrf_checks=True)
    employer.force_login(acme.bob.user)
    employer.get(f"/employer/{acme.acme.pk}/declarations/")  # the CSRF cookie
    api = f"/api/v1/employers/{acme.acme.pk}/declarations"

    def post(kind: str, alice: str) -> int:
        body = {
            "period": "2026-10",
            "kind": kind,
            "rows": [
                {"resident_id": acme.alice.resident_id, "wage": alice},
                {"resident_id": acme.bob.resident_id, "wage": "9000"},
            ],
        }
        response = employer.post(
            api,
            body,
            content_type="application/json",
            headers={"X-CSRFToken": employer.cookies["csrftoken"].value},
        )
        assert response.status_code == 201, response.content
        return int(response.json()["declaration_id"])

    alice = Client(enforce_csrf_checks=True)
    alice.force_login(acme.alice.user)

    def shown() -> tuple[str, str, str, int, bool, str]:
        page = alice.get("/me/contributions/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        balance = re.search(r'id="account-balance">([^<]+)<', page)
        owed = re.search(r'id="owed">([^<]+)<', page)
        assert balance is not None and owed is not None
        body = alice.get(f"/api/v1/persons/{acme.alice.pk}/statement").json()
        month = body["months"][0]
        return (
            balance.group(1),
            owed.group(1),
            body["account_balance"],
            body["paid_months"],
            month["paid"],
            month["owed"],
        )

    post("regular", "8000")
    assert shown() == ("0.00", "640.00", "0.00", 0, False, "640.00")
    post("supplementary", "5000")
    assert shown() == ("0.00", "400.00", "0.00", 0, False, "400.00")
    adapter = HttpCollectionAdapter(url, "secret")
    collection_sync(adapter=adapter)
    regular = Bill.objects.get(declaration__kind="regular", insurance="pension")
    pay_at_authority(url, str(regular.pk), "3360.00")
    assert collection_sync(adapter=adapter).payments_new == 1
    # Pension paid, unemployment not yet: the pension account is credited all the same.
    assert shown() == ("400.00", "0.00", "400.00", 1, True, "0.00")
    assert ledger_verify() == []


def test_the_statement_page_shows_a_raises_difference_owed_on_a_paid_month(acme: World) -> None:
    """The paid month's row says "yes" and names the difference owed."""
    assert acme.alice.user is not None
    declare(acme, "regular", "8000", "9000")
    pay_arrears(acme, "TAX")
    declare(acme, "supplementary", "10000", "9000")
    alice = Client(enforce_csrf_checks=True)
    alice.force_login(acme.alice.user)
    page = alice.get("/me/contributions/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "yes; a later difference of 160.00 owed" in page
    assert 'id="paid-months">1<' in page
    zh = alice.get("/me/contributions/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "其后补充申报的差额160.00尚欠缴" in zh


# --- ledger verify -----------------------------------------------------------------------


def test_verify_names_a_refund_credited_while_its_month_is_owed(
    acme: World, monkeypatch: Any
) -> None:
    """With the old rule (a refund settled when billed) the account shown is -240.00 for
    alice while the paid bills imply 0.00 (none of the month is paid): verify's
    ``credited`` names her year."""
    declare(acme, "regular", "8000", "9000")
    declare(acme, "supplementary", "5000", "9000")
    assert ledger_verify() == []
    monkeypatch.setattr(verify, "UNPAID_DECLARATIONS_SQL", OLD_UNPAID_SQL)
    findings = [f for f in ledger_verify() if f.rule == "credited"]
    assert [f.detail for f in findings] == [
        f"person {acme.alice.pk} 2026: account credited -240.00, the paid bills imply 0.00"
    ]


def test_verify_names_a_declaration_counted_before_the_bills_before_it(
    acme: World, monkeypatch: Any
) -> None:
    """A raise paid before its regular declaration, counted on its own payment (a rule
    without the earlier bills): alice's year shows 160.00 the paid bills do not imply."""
    declare(acme, "regular", "8000", "9000")
    raising = declare(acme, "supplementary", "10000", "9000")
    bill = Bill.objects.get(declaration=raising, insurance="pension")
    services.payment_record(
        actor=None, external_id="TAX-R", bill=bill, amount=bill.amount_due, paid_on=TODAY
    )
    assert ledger_verify() == []
    monkeypatch.setattr(verify, "UNPAID_DECLARATIONS_SQL", OLD_UNPAID_SQL)
    details = [f.detail for f in ledger_verify() if f.rule == "credited"]
    assert f"person {acme.alice.pk} 2026: account credited 160.00, the paid bills imply 0.00" in (
        details
    )


# --- formulas in the name column ---------------------------------------------------------


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x","a")', "+1", "-1+2", "@SUM(A1)"])
def test_a_formula_in_the_name_column_is_refused_with_the_row(acme: World, name: str) -> None:
    """Through the upload page (CSRF enforced): the row holding a formula in its name is
    refused with its reason in both languages, nothing is posted, and the error report
    never starts a cell with a formula character."""
    assert acme.bob.user is not None
    client = Client(enforce_csrf_checks=True)
    client.force_login(acme.bob.user)
    url = f"/employer/{acme.acme.pk}/declarations/"
    page = client.get(url).content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    token = re.search(r'name="token" value="([^"]+)"', page)
    assert csrf is not None and token is not None
    quoted = '"' + name.replace('"', '""') + '"'
    content = (
        "公民身份号码,姓名,月工资\n"
        f"{acme.alice.resident_id},{quoted},8000\n"
        f"{acme.bob.resident_id},鲍勃,9000\n"
    ).encode()
    response = client.post(
        url,
        {
            "csrfmiddlewaretoken": csrf.group(1),
            "token": token.group(1),
            "period": "2026-10",
            "kind": "regular",
            "file": SimpleUploadedFile("wages.csv", content),
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302  # to the upload's page, checked within the request
    assert not Declaration.objects.exists() and not LedgerEntry.objects.exists()
    result = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="declaration-rejected"' in result
    assert "The column “姓名” holds a formula or starts with a special character" in result
    rows = files.parse("wages.csv", content)
    reply = services.declaration_submit(
        actor=acme.bob.user, employer=acme.acme, period=PERIOD, rows=rows, preview=True
    )
    assert [(e.line, e.field, e.reason) for e in reply.errors] == [(2, "row", "formula")]
    assert reply.errors[0].zh.startswith("“姓名”列含公式或以特殊字符")
    report = files.error_report(reply.errors, zh=True).decode("utf-8-sig")
    assert report.splitlines()[1].startswith("2,") and "“姓名”列含公式" in report
    assert not any(
        cell.startswith(("=", "+", "-", "@"))
        for line in report.splitlines()
        for cell in line.split(",")
    )


def test_an_xlsx_formula_cell_in_the_name_column_is_refused(acme: World) -> None:
    """A real formula cell (not its cached value) is read as its formula and refused."""
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["公民身份号码 resident_id", "姓名 name", "月工资 wage"])
    sheet.append([acme.alice.resident_id, '=HYPERLINK("http://x","a")', 8000])
    buffer = io.BytesIO()
    book.save(buffer)
    rows = files.parse("wages.xlsx", buffer.getvalue())
    result = services.declaration_submit(
        actor=acme.bob.user, employer=acme.acme, period=PERIOD, rows=rows
    )
    assert not result.accepted
    assert ("row", "formula") in {(e.field, e.reason) for e in result.errors}
    assert not Declaration.objects.exists()


def test_a_name_without_a_formula_is_accepted(acme: World) -> None:
    """Names such as 鲍勃 or O'Brien-Li pass: only a leading formula character is refused."""
    content = (
        "公民身份号码,姓名,月工资\n"
        f"{acme.alice.resident_id},O'Brien-Li,8000\n"
        f"{acme.bob.resident_id},鲍勃,9000\n"
    ).encode()
    result = services.declaration_submit(
        actor=acme.bob.user,
        employer=acme.acme,
        period=PERIOD,
        rows=files.parse("wages.csv", content),
    )
    assert result.accepted, result.reply
