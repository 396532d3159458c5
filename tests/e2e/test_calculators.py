"""Calculator pages in a real browser, on a desktop and on a phone-sized screen."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_retirement_calculator(page: Any) -> None:
    page.goto("/calculators/retirement/")
    page.get_by_label("出生年月").fill("1966-01")
    page.get_by_label("男（原退休年龄60岁）").check()
    page.get_by_role("button", name="计算").click()
    page.locator("#retirement-month").wait_for()
    assert page.locator("#retirement-month").inner_text() == "2026-05"
    assert page.locator("#statutory-age").inner_text() == "60岁4个月"
    assert page.locator("#earliest-month").inner_text() == "2026-01"
    assert page.locator("#minimum-months").inner_text() == "180个月"
    assert "birth_month=1966-01" in page.url  # the result can be bookmarked


def test_pension_estimator_on_a_phone(browser: Any, live_server: Any) -> None:
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.goto("/calculators/pension/")
    page.get_by_label("出生年月").fill("1975-06")
    page.get_by_label("当前个人账户余额（元）").fill("80000")
    page.get_by_label("当前月工资（元）").fill("8000")
    page.get_by_role("button", name="估算").click()
    page.locator("#total").wait_for()
    assert float(page.locator("#total").inner_text()) > 0
    rows = page.locator("#explanation tbody tr")
    expect(rows.first.locator("td").first).to_have_text("全省平均工资 A")
    expect(rows.first.locator("td").nth(1)).to_have_text("公布的政策参数")
    expect(rows.last.locator("td").first).to_have_text("月养老金合计")
    # What was entered is echoed as entered, the blended index is derived.
    expect(page.locator("#entered tbody tr", has_text="出生年月").locator("td")).to_have_text(
        "1975-06"
    )
    z = page.locator("#explanation tbody tr", has_text="平均缴费指数 Z（至退休）")
    expect(z.locator("td").nth(1)).to_have_text("推算")
    expect(page.locator("figure.chart svg polyline")).to_have_count(1)
    # Nothing wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()


def test_unemployment_benefit_calculator(page: Any) -> None:
    """Seven years paid, contract ended by the employer: 18 months of 1944.00; then a
    resignation shows why nothing is due, without reloading the page."""
    page.goto("/")
    page.get_by_role("link", name="失业保险金能领多久、领多少？").click()
    expect(page.get_by_role("heading", name="失业保险金计算器")).to_be_visible()
    page.get_by_label("单位和您累计缴纳失业保险的月数").fill("84")
    page.get_by_label("用人单位解除劳动合同").check()
    expect(page.get_by_label("我已办理失业登记并有求职要求")).to_be_checked()
    page.get_by_role("button", name="计算").click()
    expect(page.locator("#verdict")).to_have_text("您可领取18个月，每月1944.00元。")
    expect(page.locator("#benefit-months")).to_have_text("18")
    expect(page.locator("#benefit-total")).to_have_text("34992.00")
    expect(page.locator("#explanation tbody tr")).to_have_count(7)
    expect(page.locator("#explanation tbody tr").last.locator("td").first).to_have_text(
        "失业保险金合计"
    )
    expect(page).to_have_url(re.compile(r"separation=ended_by_employer"))
    page.get_by_label("本人辞职").check()
    page.get_by_role("button", name="计算").click()
    expect(page.locator("#verdict")).to_have_text("您目前不能领取失业保险金。")
    expect(page.locator("#refusals li")).to_have_text(
        ["离职原因为“本人辞职”，不属于非因本人意愿中断就业。"]
    )
    expect(page.locator("#benefit-total")).to_have_text("0.00")


def test_flexible_contribution_calculator(page: Any) -> None:
    """Base 6000, quarterly, for May 2026: April to June, 3600.00, of which 1440.00 to the
    account; a base below 60% of the average wage is refused with the bounds."""
    page.goto("/")
    page.get_by_role("link", name="灵活就业人员每期缴多少养老保险费？").click()
    expect(page.get_by_role("heading", name="灵活就业人员养老保险费计算器")).to_be_visible()
    page.get_by_label("您选择的月缴费基数（元）").fill("6000")
    page.get_by_label("按季").check()
    page.get_by_label("所缴期间内的一个月份").fill("2026-05")
    page.get_by_role("button", name="计算").click()
    expect(page.locator("#period")).to_have_text("2026-04 – 2026-06")
    expect(page.locator("#period-amount")).to_have_text("3600.00")
    expect(page.locator("#to-account")).to_have_text("1440.00")
    expect(page.locator("#pooled")).to_have_text("2160.00")
    page.get_by_label("您选择的月缴费基数（元）").fill("3000")
    page.get_by_role("button", name="计算").click()
    expect(page.get_by_role("alert")).to_have_text("灵活就业缴费基数应在4770.00至23850.00之间。")
    expect(page.locator("#flexible-result")).to_have_count(0)
