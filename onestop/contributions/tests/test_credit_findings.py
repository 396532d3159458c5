"""What a hostile tester found in "what counts as paid" (``credit.py``), each as it was reported:

- F1: a lowering supplementary behind an unpaid raise showed a negative "owed" on a paid
  month and took it off the total owed; the month's base and amounts were two figures.
- F2: a refund lowered what the regular bill was asked for, and paying that made the regular
  declaration count in full while the refund itself did not.
- F3: formula cells in any column of a declaration file (an XLSX array formula, a remarks
  column, a full-width ＝) passed.
- F4: ``ledger verify`` dated a bill settled by a later refund from the payment, before the
  yearly interest job: a false ``account_year`` alarm.
- F5: a payment above its bill, recorded and netted into a credit, failed verify's ``paid``.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook
from openpyxl.worksheet.formula import ArrayFormula

from conftest import World
from onestop.contributions import files, services
from onestop.contributions.credit import unpaid_declarations
from onestop.contributions.interest import account_interest_credit
from onestop.contributions.models import Bill, Declaration, LedgerEntry, MonthCredit, Payment
from onestop.contributions.selectors import ledger_verify, statement_of
from onestop.contributions.tests.helpers import declare_pair, employ_alice_and_bob
from onestop.contributions.tests.test_credit_rule import interest_job_unpaid
from onestop.rules.contributions import Rates, late_surcharge

pytestmark = pytest.mark.django_db

D = Decimal
OCT, SEP = 202410, 202409
TODAY = dt.date(2024, 11, 26)


@pytest.fixture
def acme(world: World) -> World:
    """acme (pension and unemployment) employing alice and bob from 2024-01."""
    return employ_alice_and_bob(world, since=202401)


def declare(world: World, kind: str, alice: str, bob: str, period: int = OCT) -> Declaration:
    return declare_pair(world, kind, alice, bob, period=period, today=TODAY)


def bill(declaration: Declaration, insurance: str = "pension") -> Bill:
    return Bill.objects.get(declaration=declaration, insurance=insurance)


def pay(target: Bill, amount: D | str, external_id: str) -> None:
    services.payment_record(
        actor=None, external_id=external_id, bill=target, amount=D(amount), paid_on=TODAY
    )


def pay_all(declaration: Declaration, prefix: str) -> None:
    """Every bill of the declaration paid what it is asked for."""
    for b in Bill.objects.filter(declaration=declaration):
        b.refresh_from_db()
        asked = b.collect_amount if b.collect_amount is not None else b.amount_due
        if asked > 0:
            pay(b, asked, f"{prefix}-{b.pk}")


def counting(*declarations: Declaration) -> list[bool]:
    """Whether each declaration counts, by the statement's rule and the interest job's SQL
    alike (they must agree)."""
    ids = [d.pk for d in declarations]
    unpaid = unpaid_declarations(declaration_ids=ids)
    assert unpaid & set(ids) == interest_job_unpaid() & set(ids)
    return [pk not in unpaid for pk in ids]


# --- F1 ------------------------------------------------------------------------------------


def test_a_lowering_behind_an_unpaid_raise_owes_nothing_and_shows_the_credited_figure(
    acme: World,
) -> None:
    """Regular paid; a raise of bob (unpaid); a lowering of alice below the regular figure.
    alice's month owes nothing (never below zero), shows the credited figure (base 8000,
    amounts of 8000) and says a later declaration is pending; a month not paid at all owes
    its full figure and the total owed is the sum of the months'. Through the API and page."""
    regular = declare(acme, "regular", "8000", "9000")
    pay_all(regular, "R")
    declare(acme, "supplementary", "8000", "30000")
    declare(acme, "supplementary", "4000", "30000")
    declare(acme, "regular", "8000", "9000", period=SEP)  # not paid: 640.00 owed
    statement = statement_of(person=acme.alice)
    sep, oct_ = statement.months
    assert (sep.paid, sep.owed, sep.individual_amount) == (False, D("640.00"), D("640.00"))
    assert (oct_.paid, oct_.owed, oct_.pending) == (True, D("0.00"), True)
    assert (oct_.base, oct_.individual_amount, oct_.employer_amount) == (
        D("8000.00"),
        D("640.00"),
        D("1280.00"),
    )
    # Over-credited until the raise is paid: the account holds the regular figure.
    assert statement.account_balance == D("640.00")
    assert statement.owed == D("640.00") == sum((m.owed for m in statement.months), D(0))
    assert [y.owed for y in statement.years] == [D("640.00")]
    assert acme.alice.user is not None
    client = Client(enforce_csrf_checks=True)
    client.force_login(acme.alice.user)
    api = client.get(f"/api/v1/persons/{acme.alice.pk}/statement").json()
    assert api["owed"] == "640.00"
    assert [(m["owed"], m["pending"], m["base"]) for m in api["months"]] == [
        ("640.00", False, "8000.00"),
        ("0.00", True, "8000.00"),
    ]
    page = client.get("/me/contributions/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert re.search(r'id="owed">640.00<', page)
    assert "-" not in "".join(re.findall(r"difference of ([^<]*) owed", page))
    assert "a later declaration counts once the month" in page
    # The raise paid: the lowered figure is credited, nothing owed.
    pay_all(Declaration.objects.filter(period=OCT, kind="supplementary").earliest("pk"), "S")
    statement = statement_of(person=acme.alice)
    assert (statement.months[1].base, statement.months[1].individual_amount) == (
        D("4470.00"),  # 4000 is below the floor: the base is the minimum
        D("357.60"),
    )
    assert statement.months[1].pending is False
    assert ledger_verify() == []


# --- F2 ------------------------------------------------------------------------------------


def test_a_regular_bill_lowered_by_a_refund_counts_only_once_the_refund_does(
    acme: World,
) -> None:
    """R (alice 8000, bob 9000) unpaid; S raises alice to 10000 unpaid; L lowers alice to
    5000. Netting asks 2880 of R. Paying exactly that pays R with L's refund: nothing counts
    until S is paid too, then all three do (alice at 5000)."""
    r = declare(acme, "regular", "8000", "9000")
    s = declare(acme, "supplementary", "10000", "9000")
    low = declare(acme, "supplementary", "5000", "9000")
    rb = bill(r)
    assert (rb.amount_due, rb.collect_amount) == (D("4080.00"), D("2880.00"))
    pay(rb, "2880.00", "R")
    assert counting(r, s, low) == [False, False, False]
    assert statement_of(person=acme.alice).account_balance == D("0.00")
    assert ledger_verify() == []
    pay(bill(s), "480.00", "S")
    assert counting(r, s, low) == [True, True, True]
    assert statement_of(person=acme.alice).account_balance == D("400.00")
    assert statement_of(person=acme.bob).account_balance == D("720.00")
    assert ledger_verify() == []


def test_a_bill_paid_in_full_on_its_own_counts_whatever_refund_follows(acme: World) -> None:
    """The prefix rule alone where no refund lowered the bill: R paid in full counts though a
    later raise and lowering are unpaid."""
    r = declare(acme, "regular", "8000", "9000")
    pay_all(r, "R")
    s = declare(acme, "supplementary", "10000", "30000")
    low = declare(acme, "supplementary", "5000", "30000")
    assert counting(r, s, low) == [True, False, False]
    assert statement_of(person=acme.alice).account_balance == D("640.00")
    assert ledger_verify() == []


# --- F4 ------------------------------------------------------------------------------------


def test_a_bill_settled_by_a_later_refund_counts_from_the_refund_not_the_payment(
    acme: World,
) -> None:
    """2024-10 partly paid; the yearly interest job credits 2024 (October not counted); a
    lowering supplementary then makes what was paid enough. verify dates the settlement at
    the refund, after the job: no ``account_year`` alarm."""
    sep = declare(acme, "regular", "8000", "9000", period=SEP)
    pay_all(sep, "SEP")
    r = declare(acme, "regular", "8000", "9000")
    pay(bill(r), "3000.00", "P1")
    pay(bill(r, "unemployment"), bill(r, "unemployment").amount_due, "U1")
    account_interest_credit(actor=None, year=2024, province="610000")
    declare(acme, "supplementary", "1000", "1000")
    assert counting(r) == [True]
    assert ledger_verify() == []


# --- F5 ------------------------------------------------------------------------------------


def test_a_payment_above_the_bill_is_recorded_as_the_employers_credit(acme: World) -> None:
    """The authority reports the regular and raise's sum (and 100.00 more) paid on the
    raise's bill 11 days late: recorded (the money was received), set against the regular
    bill, then paying the raise's late surcharge (principal first, then the surcharge:
    ``netting.late_fee_part``), the rest kept as the employer's credit; both declarations
    count and verify holds."""
    r = declare(acme, "regular", "8000", "9000")
    s = declare(acme, "supplementary", "10000", "9000")
    account_interest_credit(actor=None, year=2024, province="610000")
    total = bill(r).amount_due + bill(s).amount_due + D("100.00")
    pay(bill(s), total, "OVER")
    assert counting(r, s) == [True, True]
    fee = late_surcharge(overdue=bill(s).amount_due, days=11, rates=Rates())
    assert Payment.objects.get(external_id="OVER").late_fee == fee > 0
    held = MonthCredit.objects.filter(period=OCT, insurance="pension")
    assert sum((c.amount for c in held), D(0)) == D("100.00") - fee
    assert statement_of(person=acme.alice).account_balance == D("800.00")
    assert ledger_verify() == []


# --- F3 ------------------------------------------------------------------------------------


def xlsx(header: list[str], rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for n, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            sheet.cell(row=n, column=c).value = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def errors_of(world: World, name: str, content: bytes) -> list[tuple[int, str, str, str]]:
    result = services.declaration_submit(
        actor=world.bob.user,
        employer=world.acme,
        period=OCT,
        rows=files.parse(name, content),
        today=TODAY,
        preview=True,
    )
    return [(e.line, e.reason, e.zh, e.en) for e in result.errors]


def test_an_xlsx_array_formula_in_the_name_is_refused_through_the_upload_page(
    acme: World,
) -> None:
    """openpyxl gives an array formula as an object, not text: the row is refused naming
    the column, through the upload page (CSRF enforced), nothing posted."""
    content = xlsx(
        ["公民身份号码 resident_id", "姓名 name", "月工资 wage"],
        [
            [
                acme.alice.resident_id,
                ArrayFormula("B2", '=HYPERLINK("http://e","x")'),
                8000,
            ],
            [acme.bob.resident_id, "鲍勃", 9000],
        ],
    )
    assert acme.bob.user is not None
    client = Client(enforce_csrf_checks=True)
    client.force_login(acme.bob.user)
    url = f"/employer/{acme.acme.pk}/declarations/"
    page = client.get(url).content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    token = re.search(r'name="token" value="([^"]+)"', page)
    assert csrf is not None and token is not None
    response = client.post(
        url,
        {
            "csrfmiddlewaretoken": csrf.group(1),
            "token": token.group(1),
            "period": "2024-10",
            "kind": "regular",
            "file": SimpleUploadedFile("wages.xlsx", content),
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302
    result = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The column “姓名 name” holds a formula" in result
    assert not Declaration.objects.exists() and not LedgerEntry.objects.exists()


def test_an_xlsx_formula_in_any_column_is_refused_as_a_formula(acme: World) -> None:
    """A formula cell in the wage column (=8000*1) or a column of the file's own (备注) is a
    formula error naming that column; a number in a remarks column is no formula."""
    content = xlsx(
        ["公民身份号码", "月工资", "备注"],
        [
            [acme.alice.resident_id, "=8000*1", 5],
            [acme.bob.resident_id, 9000, '=HYPERLINK("http://e")'],
        ],
    )
    found = errors_of(acme, "w.xlsx", content)
    assert [(line, reason) for line, reason, _, _ in found] == [(2, "formula"), (3, "formula")]
    assert "“月工资”列" in found[0][2] and "column “备注”" in found[1][3]
    assert "CR" in found[0][3] and "回车" in found[0][2]


@pytest.mark.parametrize(
    ("header", "cell"),
    [
        ("员工姓名", '=HYPERLINK(""http://e"")'),
        ("姓名(name)", "=1+1"),
        ("姓名", "\n=1+1"),
        ("姓名", "\u00a0=1+1"),
        ("姓名", "\u3000=1+1"),
        ("姓名", "＝1+1"),
        ("姓名", "'=1+1"),
        ("备注", "=cmd|' /C calc'!A0"),
        ("备注", "\r=1+1"),
        ("备注", "-2+3"),
        ("部门 department", "＠SUM(A1)"),
    ],
)
def test_a_text_cell_starting_like_a_formula_is_refused_in_any_text_column(
    acme: World, header: str, cell: str
) -> None:
    content = (
        f'公民身份号码,{header},月工资\n{acme.alice.resident_id},"{cell}",8000\n'
        f"{acme.bob.resident_id},x,9000\n"
    ).encode()
    found = errors_of(acme, "w.csv", content)
    assert [(line, reason) for line, reason, _, _ in found] == [(2, "formula")]
    assert f"“{header}”列" in found[0][2] and f"column “{header}”" in found[0][3]


def test_the_id_and_wage_keep_their_own_checks_and_plain_text_passes(acme: World) -> None:
    """A wage of -5 is a wage error, not a formula; O'Brien-Li, a remark of "n/a" pass."""
    content = (
        "公民身份号码,姓名,月工资,备注\n"
        f"{acme.alice.resident_id},O'Brien-Li,-5,n/a\n"
        f"{acme.bob.resident_id},鲍勃,9000,\n"
    ).encode()
    found = errors_of(acme, "w.csv", content)
    assert [(line, reason) for line, reason, _, _ in found] != []
    assert all(reason != "formula" for _, reason, _, _ in found)
    fine = content.replace(b",-5,", b",8000,")
    assert errors_of(acme, "w.csv", fine) == []


def test_a_header_cell_holding_a_formula_refuses_the_file(acme: World) -> None:
    content = f"公民身份号码,=HYPERLINK(1),月工资\n{acme.alice.resident_id},x,8000\n".encode()
    with pytest.raises(files.FileRefused) as refused:
        files.parse("w.csv", content)
    assert refused.value.code == "formula"
