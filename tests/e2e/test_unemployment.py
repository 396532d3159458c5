"""Unemployment insurance in a browser, the issue's journey: bob removes alice for "contract
ended by the employer"; she registers as unemployed and claims the benefit online; carol
approves it on the explanation; rita's two monthly payrolls pay it; bob re-hires her and the
daily comparison stops it from the next month."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from onestop.applications.models import Application
from onestop.common import jobs
from onestop.unemployment.models import BenefitPayment, UnemploymentBenefit
from onestop.unemployment.services import registrations_close_on_reemployment
from onestop.unemployment.tests.test_filing import MONTHS, insured
from onestop.unemployment.tests.test_medical import medical_department
from tests.e2e.test_applications import decide, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

__all__ = ["medical_department"]  # the fixture: the medical insurance department's registry


def test_removed_registered_paid_twice_and_stopped_on_rehiring(world: Any, page: Any) -> None:
    insured(world, MONTHS, reason="")  # 13 paid months at acme, still employed

    sign_in(page, "13800000002")  # bob removes her
    page.goto(f"/employer/{world.acme.pk}/employees/")
    row = page.locator("#employees tbody tr", has_text="李*")
    row.get_by_text("减员", exact=True).click()
    row.get_by_label("最后在职月份").fill("2026-01")
    row.get_by_label("原因").fill("contract ended by the employer")
    row.get_by_role("button", name="确认减员").click()
    expect(page.locator("#employees tbody tr", has_text="李*")).to_contain_text("2026-01")
    sign_out(page)

    sign_in(page, "13800000001")  # alice registers, then claims
    page.goto("/services/")
    page.locator("#items tr", has_text="就业失业登记").get_by_role("link", name="在线申请").click()
    page.get_by_label("本人有劳动能力并有求职要求").check()
    page.get_by_role("button", name="继续", exact=True).click()
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator("#case-status")).to_have_text("已批准")
    page.goto("/services/")
    benefit_row = page.locator("#items tr", has_text="失业保险金申领")
    benefit_row.get_by_role("link", name="在线申请").click()
    page.get_by_label("失业保险金发放银行账号").fill("6222020200112233446")
    page.get_by_role("button", name="继续", exact=True).click()
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator("#case-status")).to_have_text(re.compile("已提交"))
    sign_out(page)
    claim = Application.objects.get(item_code="SX-SI-009")

    sign_in(page, "carol", world.carol)  # carol reads the explanation and approves
    page.goto(f"/applications/{claim.number}/")
    expect(page.locator("#unemployment-monthly")).to_have_text("1944.00")
    expect(page.locator("#unemployment-months")).to_have_text("12")
    expect(page.locator("#unemployment-lines")).to_contain_text("《失业保险条例》第17条")
    decide(page, claim.number, "approve")
    expect(page.locator("#case-status")).to_have_text("已批准")
    sign_out(page)

    sign_in(page, "rita", world.rita)  # two monthly payrolls
    for month in ("2026-11", "2026-12"):
        page.goto("/staff/unemployment/payroll/")
        page.get_by_label("发放月份").fill(month)
        page.get_by_role("button", name="生成发放名册").click()
        page.wait_for_load_state()
        # The run's medical-insurance batch goes out in a background thread; the test's
        # in-memory SQLite (shared cache) answers "table is locked" to a concurrent reader
        # instead of waiting as a database file does, so the page is read once it is sent.
        assert jobs.wait(60)
        page.goto("/staff/unemployment/payroll/")
        expect(page.locator("#runs tbody tr", has_text=month)).to_contain_text("1944.00")
    sign_out(page)

    sign_in(page, "13800000002")  # bob re-hires her from 2026-12
    page.goto(f"/employer/{world.acme.pk}/employees/")
    page.get_by_label("公民身份号码").fill(world.alice.resident_id)
    page.get_by_label("起始月份", exact=True).fill("2026-12")
    page.get_by_label("月工资（元）").fill("6000")
    page.get_by_role("button", name="增员").click()
    expect(page.get_by_text("已增加人员")).to_be_visible()
    sign_out(page)

    assert registrations_close_on_reemployment() == 1  # the daily comparison

    sign_in(page, "13800000001")
    page.goto("/me/unemployment/")
    expect(page.locator("#benefit-status")).to_contain_text("停发")
    expect(page.locator("#benefit-status")).to_contain_text("重新就业")
    expect(page.locator("#benefit-end")).to_have_text("2026-12")
    benefit = UnemploymentBenefit.objects.get()
    assert list(BenefitPayment.objects.values_list("period", "kind")) == [
        (202611, "regular"),
        (202612, "regular"),
    ]
    assert (benefit.end_period, benefit.carried_out_months) == (202612, 10)


def test_the_medical_insurance_lines_month_by_month(
    world: Any, page: Any, medical_department: Any
) -> None:
    """Two months paid: rita reads each month's medical insurance line and its batch's
    acknowledgement on the payroll pages; alice reads the same two months on her page, each
    acknowledged by the medical insurance department."""
    from django.utils import translation

    from onestop.exchange.models import OutboundStatus
    from onestop.unemployment.tests.test_filing import granted, pay

    granted(world)
    for period in (202611, 202612):
        pay(world, period)
        # Each month's batch goes out in a background thread: the test's in-memory SQLite
        # answers "table is locked" to concurrent writers, so one month at a time.
        assert jobs.wait(60)
    with translation.override("zh-hans"):
        delivered = str(OutboundStatus.DELIVERED.label)

    sign_in(page, "rita", world.rita)
    page.goto("/staff/unemployment/payroll/")
    for period in (202611, 202612):
        expect(page.locator(f"#medical-{period}")).to_have_text("1 · 260.00")
    page.locator("#runs").get_by_role("link", name="2026-11").click()
    lines = page.locator("#medical-lines tbody tr")
    expect(lines).to_have_count(1)
    expect(lines.first).to_contain_text("2026-11")
    expect(lines.first).to_contain_text("260.00")
    expect(page.locator("#medical-total")).to_have_text("1 · 260.00")
    expect(page.locator("#medical-delivery")).to_contain_text(delivered)
    sign_out(page)

    sign_in(page, "13800000001")
    page.goto("/me/unemployment/")
    rows = page.locator("#medical-on-behalf tbody tr")
    expect(rows).to_have_count(2)
    for month in ("2026-11", "2026-12"):
        row = page.locator("#medical-on-behalf tbody tr", has_text=month)
        expect(row).to_contain_text("260.00")
        expect(row).to_contain_text(delivered)
