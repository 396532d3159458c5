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
    # This month: an employer dates a hire at most two months back by itself.
    page.get_by_label("起始月份", exact=True).fill(month)
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
    assert "含公式" in report
    assert not Bill.objects.exists()

    page.get_by_role("link", name="返回工资申报").click()
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
    # This month's bill is due next month: owed, not yet in arrears.
    assert page.locator("#not-yet-due").inner_text() == total
    assert page.locator("#arrears").inner_text() == "0.00"
    page.goto(tax + "/")
    page.get_by_role("button", name="缴款 pay").click()
    page.goto(f"/employer/{world.acme.pk}/bills/")
    page.get_by_role("button", name="立即查询到账").click()
    assert page.locator("#not-yet-due").inner_text() == "0.00"
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


def hire(world: Any) -> None:
    services.insurance_register(
        actor=None, employer=world.acme, insurances=["pension"], since_period=202401
    )
    for person, wage in ((world.alice, "6000"), (world.bob, "9000")):
        services.employment_start(
            actor=None,
            employer=world.acme,
            resident_id=person.resident_id,
            start_period=202401,
            wage=Decimal(wage),
        )


def test_the_legal_representative_downloads_the_prefilled_template(world: Any, page: Any) -> None:
    """The pre-filled CSV holds the full IDs the page masks; the download is journaled."""
    from onestop.audit.models import Entry

    hire(world)
    sign_in(page, "13800000002")
    page.goto(f"/employer/{world.acme.pk}/declarations/")
    expect(page.locator("#grid-rows")).not_to_contain_text(world.alice.resident_id)
    with page.expect_download() as download:
        page.get_by_role("link", name="已填好的CSV").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    assert f"{world.alice.resident_id},李爱丽,6000.00" in text
    assert f"{world.bob.resident_id},白博文,9000.00" in text
    assert Entry.objects.filter(action="contributions.employees.exported").count() == 1
    with page.expect_download() as download:
        page.get_by_role("link", name="已填好的XLSX").click()
    assert download.value.path().read_bytes().startswith(b"PK")
    assert Entry.objects.filter(action="contributions.employees.exported").count() == 2


def test_grid_with_a_last_month_and_a_wage_below_the_floor(world: Any, page: Any) -> None:
    """bob leaves at the end of this month: his row is in the grid. alice's 1.00 is
    checked first: her row says the base is raised to the floor and why; confirmed, the
    month is posted once."""
    from onestop.contributions.models import Declaration, Employment

    hire(world)
    bob_job = Employment.objects.get(person=world.bob)
    services.employment_end(actor=None, employment=bob_job, end_period=202611, reason="合同到期")
    alice_job = Employment.objects.get(person=world.alice)
    sign_in(page, "13800000002")
    page.goto(f"/employer/{world.acme.pk}/declarations/")
    grid = page.locator("#grid")
    expect(page.locator("#grid-rows tbody tr")).to_have_count(2)
    expect(page.locator("#grid-rows tbody tr", has_text="白**")).to_contain_text("最后一个月")
    grid.get_by_label("申报月份").fill("2026-11")
    page.locator(f"#wage-{alice_job.pk}").fill("1.00")
    page.get_by_role("button", name="提交以上工资").click()
    note = page.locator(f"#adjustment-{alice_job.pk}")
    expect(note).to_have_text(
        "工资1.00元低于缴费基数下限，缴费基数调高至下限4770.00元"
        "（2026年度全省平均工资7950.00元的60%，国办发〔2019〕13号）。"
    )
    expect(page.locator("#grid-preview")).to_be_visible()
    assert not Declaration.objects.exists()
    page.get_by_role("button", name="确认并申报").click()
    expect(page.locator("#declaration-accepted")).to_be_visible()
    expect(page.locator("#adjustments tbody tr")).to_have_count(1)
    assert Declaration.objects.get().rows == 2


def test_a_large_upload_shows_its_progress_then_its_result(
    world: Any, page: Any, tmp_path: Any, settings: Any
) -> None:
    """A file above the synchronous limit goes to the background job: the page it lands on
    polls, then shows the refusal with the row's reason, nothing posted; the corrected
    file waits for the confirmation of the cap and is then accepted."""
    from onestop.contributions.models import Declaration, DeclarationUpload

    settings.ONESTOP_DECLARATION_SYNC_BYTES = 0
    hire(world)
    month = timezone.localdate().strftime("%Y-%m")
    sign_in(page, "13800000002")
    page.goto(f"/employer/{world.acme.pk}/declarations/")
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(
        workbook([[world.alice.resident_id, "李爱丽", 6000], [world.bob.resident_id, "白博文", -1]])
    )
    upload_form(page).get_by_label("申报月份").fill(month)
    page.get_by_label("文件（CSV或XLSX，请使用模板）").set_input_files(str(bad))
    page.get_by_role("button", name="提交申报").click()
    expect(page.locator("#declaration-rejected")).to_be_visible()
    expect(page.locator("#upload-status")).to_have_text("已拒绝")
    expect(page.locator("#errors tbody tr")).to_have_count(1)
    assert not Declaration.objects.exists()
    assert DeclarationUpload.objects.get().background

    page.get_by_role("link", name="返回工资申报").click()
    good = tmp_path / "good.xlsx"
    good.write_bytes(
        workbook(
            [[world.alice.resident_id, "李爱丽", 6000], [world.bob.resident_id, "白博文", 90000]]
        )
    )
    upload_form(page).get_by_label("申报月份").fill(month)
    page.get_by_label("文件（CSV或XLSX，请使用模板）").set_input_files(str(good))
    page.get_by_role("button", name="提交申报").click()
    expect(page.locator("#declaration-preview")).to_be_visible()
    expect(page.locator("#adjustments tbody tr")).to_contain_text("调低至上限23850.00元")
    page.get_by_role("button", name="确认并申报").click()
    expect(page.locator("#declaration-accepted")).to_be_visible()
    assert Declaration.objects.count() == 1


def test_the_upload_page_polls_until_the_worker_is_done(
    world: Any, page: Any, settings: Any
) -> None:
    """With a broker (production), an upload waiting for a worker shows its progress bar;
    once a worker (here the test, as a Celery worker on another host would) has run it,
    the polling page shows the result by itself."""
    from onestop.contributions import uploads
    from onestop.contributions.models import DeclarationUpload

    settings.CELERY_TASK_ALWAYS_EAGER = False  # jobs go to the broker, not to a thread here
    hire(world)
    content = (
        f"公民身份号码,姓名,月工资\n{world.alice.resident_id},,6000\n{world.bob.resident_id},,9000\n"
    ).encode()
    upload, _ = uploads.upload_receive(
        actor=world.bob.user,
        employer=world.acme,
        period=202611,
        kind="regular",
        name="wages.csv",
        content=content,
        token="from-elsewhere",
    )
    DeclarationUpload.objects.filter(pk=upload.pk).update(
        background=True, status="running", phase="checking", done=1, total=2
    )
    sign_in(page, "13800000002")
    page.goto(f"/employer/{world.acme.pk}/declarations/uploads/{upload.pk}/")
    expect(page.locator("#upload-progress")).to_be_visible()
    expect(page.locator("#upload-bar")).to_have_attribute("value", "60")
    expect(page.locator("#upload-progress")).to_contain_text("正在逐行校验")
    uploads.upload_run(upload_id=upload.pk)
    expect(page.locator("#declaration-accepted")).to_be_visible()
    expect(page.locator("#upload-progress")).to_have_count(0)


def test_a_month_paid_then_lowered_shows_its_credit_and_the_authority_the_net(
    world: Any, page: Any, tax: str
) -> None:
    """Issue #16 in a browser: the month paid at the tax simulator, then a supplementary
    declaration lowers a wage: the bills page shows nothing owed and the refund due; a
    second month lowered before it is paid is asked for at the net at the simulator."""
    from onestop.contributions.models import MonthCredit

    hire(world)

    def declare(period: int, kind: str, alice: str) -> None:
        assert services.declaration_submit(
            actor=None,
            employer=world.acme,
            period=period,
            rows=[
                services.DeclaredRow(2, world.alice.resident_id, alice),
                services.DeclaredRow(3, world.bob.resident_id, "9000"),
            ],
            kind=kind,
        ).accepted

    declare(202410, "regular", "6000")
    sign_in(page, "13800000002")
    page.goto(f"/employer/{world.acme.pk}/bills/")
    page.get_by_role("button", name="立即查询到账").click()
    first = Bill.objects.get()
    expect(page.locator("#arrears")).to_have_text(f"{first.amount_due:.2f}")
    page.goto(tax + "/")
    page.get_by_role("button", name="缴款 pay").click()
    page.goto(f"/employer/{world.acme.pk}/bills/")
    page.get_by_role("button", name="立即查询到账").click()
    expect(page.locator("#arrears")).to_have_text("0.00")

    declare(202410, "supplementary", "5000")
    refund = Bill.objects.get(amount_due__lt=0)
    page.goto(f"/employer/{world.acme.pk}/bills/")
    expect(page.locator("#arrears")).to_have_text("0.00")
    expect(page.locator("#credit")).to_have_text(f"{-refund.amount_due:.2f}")
    expect(page.locator("#credits tbody tr")).to_have_count(1)
    expect(page.locator("#credits tbody tr")).to_contain_text("2024-10")
    assert MonthCredit.objects.get().amount == -refund.amount_due

    # Lowered before it is paid: the simulator asks for the net, and paying it settles.
    declare(202411, "regular", "6000")
    declare(202411, "supplementary", "4000")
    net = sum(b.amount_due for b in Bill.objects.filter(period=202411))
    page.get_by_role("button", name="立即查询到账").click()
    expect(page.locator("#arrears")).to_have_text(f"{net:.2f}")
    page.goto(tax + "/")
    lowered = Bill.objects.get(period=202411, amount_due__gt=0)
    form = page.locator(f"form[action='/bills/{lowered.pk}/pay']")
    expect(form.locator("input[name=amount]")).to_have_value(f"{net:.2f}")
    form.get_by_role("button", name="缴款 pay").click()
    page.goto(f"/employer/{world.acme.pk}/bills/")
    page.get_by_role("button", name="立即查询到账").click()
    expect(page.locator("#arrears")).to_have_text("0.00")
    expect(page.locator("#credit")).to_have_text(f"{-refund.amount_due:.2f}")
