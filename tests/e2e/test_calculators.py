"""Calculator pages in a real browser, on a desktop and on a phone-sized screen."""

from __future__ import annotations

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
