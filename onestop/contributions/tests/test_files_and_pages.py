"""Declaration files, the employer pages and the statement, through the web and the API."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook, load_workbook

from conftest import World
from onestop.contributions import files, services
from onestop.contributions.models import Bill, Declaration, LedgerEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(world: World) -> World:
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
    return world


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


def xlsx(rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(files.TEMPLATE_HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_csv_in_gbk_and_utf8(acme: Any) -> None:
    text = (
        f"公民身份号码,姓名,月工资\n{acme.alice.resident_id},李爱丽,3000\n\n"
        f'{acme.bob.resident_id},白博文,"8,000.50"\n'
    )
    for encoding in ("gbk", "utf-8-sig"):
        rows = files.parse("wages.csv", text.encode(encoding))
        assert [(r.line, r.wage) for r in rows] == [(2, "3000"), (4, "8,000.50")]


def test_xlsx_with_a_formula_is_refused(acme: Any) -> None:
    content = xlsx(
        [[acme.alice.resident_id, "李爱丽", 3000], [acme.bob.resident_id, "白博文", "=A1*2"]]
    )
    rows = files.parse("wages.xlsx", content)
    result = services.declaration_submit(actor=None, employer=acme.acme, period=202410, rows=rows)
    assert not result.accepted
    assert [(e.line, e.field) for e in result.errors] == [(3, "row")]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("wages.pdf", b"%PDF-1.4", "CSV or XLSX"),
        ("wages.xlsx", b"not a zip", "not a valid XLSX"),
        ("wages.xlsx", b"PK\x03\x04broken", "not a valid XLSX"),
        ("wages.csv", b"", "empty"),
        ("wages.csv", "姓名,月工资\n张三,100\n".encode(), "Missing column"),
        (
            "wages.csv",
            "公民身份号码,工资,wage\n110101199003074477,100,200\n".encode(),
            "Columns 2, 3 all name wage; keep one",
        ),
    ],
)
def test_unreadable_files_are_refused_clearly(name: str, content: bytes, message: str) -> None:
    with pytest.raises(files.FileRefused) as error:
        files.parse(name, content)
    assert message in error.value.en and error.value.zh


def test_templates_round_trip() -> None:
    sheet = load_workbook(io.BytesIO(files.template_xlsx())).active
    assert sheet is not None
    assert [c.value for c in sheet[1]] == files.TEMPLATE_HEADER
    assert files.template_csv().decode("utf-8-sig").startswith("公民身份号码 resident_id")


def test_upload_page_accepts_then_refuses_with_report(acme: Any, client: Client) -> None:
    """A file with a wage above the cap waits for the confirmation, then is posted; a bad
    file is refused whole with its report."""
    client.force_login(acme.bob.user)
    good = xlsx([[acme.alice.resident_id, "李爱丽", 3000], [acme.bob.resident_id, "白博文", 30000]])
    page = client.post(
        f"/employer/{acme.acme.pk}/declarations/",
        {"period": "2024-10", "kind": "regular", "file": SimpleUploadedFile("wages.xlsx", good)},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    text = page.content.decode()
    assert 'id="declaration-preview"' in text and "lowered to" in text
    assert not Declaration.objects.exists()
    confirm = page.redirect_chain[-1][0] + "confirm/"
    page = client.post(confirm, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    text = page.content.decode()
    assert 'id="declaration-accepted"' in text and 'id="total-due"' in text
    assert Declaration.objects.count() == 1
    bad = f"公民身份号码,姓名,月工资\n{acme.alice.resident_id},李爱丽,abc\n".encode()
    page = client.post(
        f"/employer/{acme.acme.pk}/declarations/",
        {"period": "2024-11", "kind": "regular", "file": SimpleUploadedFile("wages.csv", bad)},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    assert 'id="declaration-rejected"' in page.content.decode()
    report = client.get(page.redirect_chain[-1][0] + "errors.csv", HTTP_ACCEPT_LANGUAGE="en")
    lines = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    # In the reader's language only (this reader asked for English).
    assert lines[0] == ["Line", "Field", "Reason"]
    assert lines[1][:2] == ["0", "the rows as a whole"] and lines[2][:2] == ["2", "monthly wage"]
    assert lines[2][2].startswith("Row 2") or lines[2][2].isascii()
    assert Declaration.objects.count() == 1


def test_employees_page_adds_and_removes(acme: Any, client: Client) -> None:
    client.force_login(acme.bob.user)
    response = client.post(
        f"/employer/{acme.acme.pk}/employees/",
        {
            "add": "1",
            "resident_id": acme.dave.resident_id,
            "start": "2026-10",
            "wage": "5000",
            "post_category": "worker",
        },
    )
    assert response.status_code == 302
    employment = acme.dave.employments.get()
    response = client.post(
        f"/employer/{acme.acme.pk}/employees/{employment.pk}/end/",
        {"end": "2026-11", "reason": "合同到期"},
    )
    employment.refresh_from_db()
    assert (employment.end_period, employment.end_reason) == (202611, "合同到期")
    page = client.get(f"/employer/{acme.acme.pk}/employees/").content.decode()
    assert "丁**" in page and acme.dave.resident_id not in page


def test_api_declaration_with_idempotency_key(acme: Any, client: Client) -> None:
    client.force_login(acme.bob.user)
    body: dict[str, Any] = {
        "period": "2024-10",
        "rows": [
            {"resident_id": acme.alice.resident_id, "wage": "3000"},
            {"resident_id": acme.bob.resident_id, "wage": "30000"},
        ],
    }
    first = client.post(
        f"/api/v1/employers/{acme.acme.pk}/declarations",
        body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert first.status_code == 201
    again = client.post(
        f"/api/v1/employers/{acme.acme.pk}/declarations",
        body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert again.status_code == 200 and again.json() == first.json()
    body["rows"][0]["wage"] = "3100"
    conflict = client.post(
        f"/api/v1/employers/{acme.acme.pk}/declarations",
        body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert conflict.status_code == 409
    assert conflict.json()["code"] == "idempotency_conflict"
    assert "幂等键" in conflict.json()["message_zh"]
    assert "different declaration" in conflict.json()["message_en"]
    assert Declaration.objects.count() == 1
    bills = client.get(f"/api/v1/employers/{acme.acme.pk}/bills").json()
    assert {b["insurance"]: b["status"] for b in bills} == {
        "pension": "unpaid",
        "unemployment": "unpaid",
    }
    statement = client.get(f"/api/v1/persons/{acme.bob.pk}/statement").json()
    assert statement["months"] == [
        {
            "period": "2024-10",
            "employer": acme.acme.name,
            "source": "employer",
            "base": "22350.00",
            "employer_amount": "3576.00",
            "individual_amount": "1788.00",
            "paid": False,
            "owed": "1788.00",
            "pending": False,
        }
    ]
    # Not paid yet: declared and owed, not credited.
    assert (
        statement["contribution_months"],
        statement["paid_months"],
        statement["account_balance"],
        statement["owed"],
    ) == (1, 0, "0.00", "1788.00")
    assert [(y["year"], y["months"], y["paid_months"], y["owed"]) for y in statement["years"]] == [
        (2024, 1, 0, "1788.00")
    ]


def test_api_rejection_lists_rows(acme: Any, client: Client) -> None:
    client.force_login(acme.bob.user)
    response = client.post(
        f"/api/v1/employers/{acme.acme.pk}/declarations",
        {"period": "2024-10", "rows": [{"resident_id": "123", "wage": "1"}]},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["accepted"] is False
    assert {e["field"] for e in response.json()["errors"]} == {"resident_id", "rows"}
    assert not LedgerEntry.objects.exists() and not Bill.objects.exists()


def test_statement_page_and_pdf(acme: Any, client: Client) -> None:
    services.declaration_submit(
        actor=None,
        employer=acme.acme,
        period=202410,
        rows=[
            services.DeclaredRow(1, acme.alice.resident_id, "3000"),
            services.DeclaredRow(2, acme.bob.resident_id, "3000"),
        ],
    )
    client.force_login(acme.alice.user)
    page = client.get("/me/contributions/").content.decode()
    # Declared, not paid: owed, not credited, and not counted as a contribution month.
    assert '<dd id="contribution-months">1</dd>' in page
    assert '<dd id="paid-months">0</dd>' in page
    assert '<dd id="account-balance">0.00</dd>' in page
    assert '<dd id="owed">357.60</dd>' in page
    pay_all()
    page = client.get("/me/contributions/").content.decode()
    assert '<dd id="paid-months">1</dd>' in page
    assert '<dd id="account-balance">357.60</dd>' in page
    assert '<dd id="owed">0.00</dd>' in page
    assert "<td>2024</td><td>1 / 1</td><td>357.60</td><td>0.00</td>" in page
    pdf = client.get("/me/contributions/statement.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and len(pdf.content) > 1500


def test_every_year_with_months_is_in_the_yearly_table(acme: Any, client: Client) -> None:
    """2024 paid and credited with interest, 2025 declared and unpaid: both years are in the
    table, the balance counts the paid 2024 month with its interest only, and the unpaid
    2025 month is shown as owed."""
    from onestop.contributions.interest import account_interest_credit

    for period in (202410, 202503):
        assert services.declaration_submit(
            actor=None,
            employer=acme.acme,
            period=period,
            rows=[
                services.DeclaredRow(1, acme.alice.resident_id, "3000"),
                services.DeclaredRow(2, acme.bob.resident_id, "3000"),
            ],
        ).accepted
        if period == 202410:
            pay_all()
    assert account_interest_credit(actor=None, year=2024, province="610000") == 2
    client.force_login(acme.alice.user)
    statement = client.get(f"/api/v1/persons/{acme.alice.pk}/statement").json()
    # 2024: 357.60 credited, interest 357.60 * 2.62% * 1.083 / 2 = 5.07.
    assert [
        (y["year"], y["months"], y["paid_months"], y["credited"], y["owed"], y["interest"])
        for y in statement["years"]
    ] == [(2024, 1, 1, "357.60", "0.00", "5.07"), (2025, 1, 0, "0.00", "369.60", "0.00")]
    assert [y["closing"] for y in statement["years"]] == ["362.67", None]
    # 2025: the base is the floor, 60% of 2025's average wage 7700.00 = 4620.00; 8% = 369.60.
    assert (statement["account_balance"], statement["owed"]) == ("362.67", "369.60")
    assert (statement["paid_months"], statement["contribution_months"]) == (1, 2)
    page = client.get("/me/contributions/").content.decode()
    assert "<td>2025</td><td>0 / 1</td><td>0.00</td><td>369.60</td>" in page


def test_wages_entered_in_the_page(acme: Any, client: Client) -> None:
    client.force_login(acme.bob.user)
    page = client.get(f"/employer/{acme.acme.pk}/declarations/").content.decode()
    employments = {e.person_id: e for e in acme.acme.employments.all()}
    alice, bob = employments[acme.alice.pk], employments[acme.bob.pk]
    assert f'name="wage-{alice.pk}" value="6000.00"' in page
    response = client.post(
        f"/employer/{acme.acme.pk}/declarations/",
        {
            "grid": "1",
            "period": "2024-10",
            "kind": "regular",
            f"wage-{alice.pk}": "3000",
            f"wage-{bob.pk}": "abc",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert 'id="declaration-rejected"' in response.content.decode()
    assert 'value="abc"' in response.content.decode()  # what was typed is kept
    response = client.post(
        f"/employer/{acme.acme.pk}/declarations/",
        {
            "grid": "1",
            "period": "2024-10",
            "kind": "regular",
            f"wage-{alice.pk}": "5000",
            f"wage-{bob.pk}": "6000",
        },
    )
    assert 'id="declaration-accepted"' in response.content.decode()
    assert Declaration.objects.get().rows == 2


def test_interest_catch_up_task_credits_the_latest_published_year(acme: Any) -> None:
    from onestop.contributions.models import AccountYear
    from onestop.contributions.tasks import interest_catch_up_task

    services.declaration_submit(
        actor=None,
        employer=acme.acme,
        period=202410,
        rows=[
            services.DeclaredRow(1, acme.alice.resident_id, "3000"),
            services.DeclaredRow(2, acme.bob.resident_id, "3000"),
        ],
    )
    pay_all()
    interest_catch_up_task()
    interest_catch_up_task()
    assert set(AccountYear.objects.values_list("year", flat=True)) == {2024}
    assert AccountYear.objects.count() == 2


def test_an_error_report_says_how_many_reasons_it_leaves_out() -> None:
    from onestop.contributions.services import RowError

    kept = [RowError(n, "wage", "工资无效。", "The wage is not valid.") for n in range(2, 5)]
    import csv

    text = files.error_report(kept, total=12_345).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[-1][2].startswith("另有12,342条原因未列出")
    english = files.error_report(kept, zh=False, total=12_345).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(english)))[-1][2] == (
        "12,342 more reasons are not listed (12,345 in all): correct the rows above, then "
        "upload again to check the rest."
    )
    assert "more reasons" not in files.error_report(kept, total=3).decode("utf-8-sig")


def test_staff_see_the_employees_without_forms_they_may_not_use(world: Any) -> None:
    """sam (province supervisor) reads acme's employees page; the forms that would answer
    403 (register, add, remove, enrol) are not offered to him; bob gets them."""
    sam, bob = Client(), Client()
    sam.force_login(world.sam)
    bob.force_login(world.bob.user)
    url = f"/employer/{world.acme.pk}/employees/"
    seen = sam.get(url)
    assert seen.status_code == 200
    page = seen.content.decode()
    assert 'name="add"' not in page and 'name="register"' not in page
    assert "enrol-new" not in page
    assert 'name="add"' in bob.get(url).content.decode()
