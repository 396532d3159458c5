"""An employer's month in a real browser: employees, a declaration from XLSX, a refused file
with its error report, the bill paid at the tax simulator, and the employee's statement."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import urlparse
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from django.utils import timezone
from openpyxl import Workbook
from playwright.sync_api import expect

from conftest import PASSWORD
from onestop.contributions import services
from onestop.contributions.files import TEMPLATE_HEADER
from onestop.contributions.models import Bill, Payment
from onestop.simulators.tax import TaxSimulator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def tax(settings: Any) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, TaxSimulator(), handler_class=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.ONESTOP_TAX_URL = f"http://127.0.0.1:{server.server_port}"
    yield settings.ONESTOP_TAX_URL
    server.shutdown()
    server.server_close()


def sign_in(page: Any, identifier: str) -> None:
    page.goto("/login/")
    page.get_by_label("身份证号、手机号或用户名").fill(identifier)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").last.click()
    page.wait_for_url(lambda url: urlparse(url).path == "/")


def upload_form(page: Any) -> Any:
    return page.locator("form[enctype='multipart/form-data']")


def workbook(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(TEMPLATE_HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_employer_declares_pays_and_the_employee_sees_it(
    world: Any, page: Any, tax: str, tmp_path: Any
) -> None:
    services.insurance_register(
        actor=None, employer=world.acme, insurances=["pension"], since_period=202401
    )
    services.employment_start(
        actor=None,
        employer=world.acme,
        resident_id=world.alice.resident_id,
        start_period=202401,
        wage=Decimal("6000"),
    )
    month = timezone.localdate().strftime("%Y-%m")

    sign_in(page, "13800000002")  # bob, legal representative of acme
    page.get_by_role("link", name=world.acme.name).click()
    page.get_by_role("link", name="单位职工").click()
    page.get_by_label("公民身份号码").fill(world.bob.resident_id)
    page.get_by_label("起始月份", exact=True).fill("2024-01")
    page.get_by_label("月工资（元）").fill("9000")
    page.get_by_role("button", name="增员").click()
    expect(page.get_by_text("已增加人员")).to_be_visible()
    expect(page.locator("#employees tbody tr")).to_have_count(2)

    # A file with a bad wage is refused whole, with its reasons and a report to download.
    page.get_by_role("link", name="工资申报").click()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(
        workbook(
            [[world.alice.resident_id, "李爱丽", "=B2*2"], [world.bob.resident_id, "白博文", 9000]]
        )
    )
    upload_form(page).get_by_label("申报月份").fill(month)
    page.get_by_label("文件（CSV或XLSX，请使用模板）").set_input_files(str(bad))
    page.get_by_role("button", name="提交申报").click()
    expect(page.locator("#declaration-rejected")).to_be_visible()
    expect(page.locator("#errors tbody tr")).to_have_count(1)
    with page.expect_download() as download:
        page.get_by_role("link", name="下载错误报告（CSV）").click()
    report = download.value.path().read_text(encoding="utf-8-sig")
    assert "含有公式" in report
    assert not Bill.objects.exists()

    good = tmp_path / "good.xlsx"
    good.write_bytes(
        workbook(
            [[world.alice.resident_id, "李爱丽", 6000], [world.bob.resident_id, "白博文", 9000]]
        )
    )
    upload_form(page).get_by_label("申报月份").fill(month)
    page.get_by_label("文件（CSV或XLSX，请使用模板）").set_input_files(str(good))
    page.get_by_role("button", name="提交申报").click()
    expect(page.locator("#declaration-accepted")).to_be_visible()
    total = page.locator("#total-due").inner_text()
    assert Decimal(total) == Bill.objects.get().amount_due

    # The bill went to the collecting authority; pay it there, then fetch the payment.
    page.get_by_role("link", name="账单与欠费").click()
    page.get_by_role("button", name="立即查询到账").click()
    assert page.locator("#arrears").inner_text() == total
    page.goto(tax + "/")
    page.get_by_role("button", name="缴款 pay").click()
    page.goto(f"/employer/{world.acme.pk}/bills/")
    page.get_by_role("button", name="立即查询到账").click()
    assert page.locator("#arrears").inner_text() == "0.00"
    assert Payment.objects.count() == 1

    # alice sees the month as paid, and can download her statement.
    page.get_by_role("button", name="退出").click()
    sign_in(page, "13800000001")
    page.get_by_role("link", name="我的缴费与账户").click()
    assert page.locator("#contribution-months").inner_text() == "1"
    assert page.locator("#months tbody tr td").last.inner_text() == "是"
    with page.expect_download() as download:
        page.get_by_role("link", name="下载PDF").click()
    assert download.value.path().read_bytes().startswith(b"%PDF")
