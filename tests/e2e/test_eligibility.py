"""Eligibility before filing, in a real browser: the retirement form refuses a month outside
the person's window with the reason (online and at the counter), offers only the months the
person may file, pre-filled from the record, and says what is wrong in plain words."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from onestop.applications.models import Application
from onestop.contributions import services as contributions
from onestop.identity import demo
from onestop.identity import services as identity
from onestop.identity.models import Person
from onestop.pensions.testing import worked_elsewhere
from tests.e2e.test_applications import sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def insured(world: Any, born: dt.date, *, male: bool, phone: str, post: str) -> Person:
    person = identity.person_register(
        actor=None,
        name="测试人",
        resident_id=demo.resident_id(random.Random(int(phone[-4:])), "610113", born, male=male),
        region=world.regions["610113"],
        phone=phone,
        password=PASSWORD,
    )
    contributions.insurance_register(
        actor=None, employer=world.acme, insurances=["pension"], since_period=202401
    )
    contributions.employment_start(
        actor=None,
        employer=world.acme,
        resident_id=person.resident_id,
        start_period=202611,
        wage=Decimal("6000"),
        post_category=post,
    )
    return person


def test_a_month_outside_the_window_is_refused_with_the_reason(world: Any, page: Any) -> None:
    """Like the demo's alice: a woman born 1974-05 in a cadre post (statutory 2030-07,
    flexibly 2029-05 to 2033-07). Online the form says why she cannot apply yet and offers
    no month; at the counter, carol's filing for 2026-12 is refused with the window."""
    woman = insured(world, dt.date(1974, 5, 15), male=False, phone="13900001001", post="cadre")
    sign_in(page, "13900001001")
    page.goto("/services/SX-SI-006/apply/")
    notes = page.locator("#precheck")
    expect(notes.locator("h2")).to_have_text("您暂时不能申请此事项")
    expect(notes.locator('li[data-code="window"]')).to_contain_text(
        "您的法定退休月份为2030-07（56岁2个月），可选弹性退休时间为2029-05至2033-07。"
    )
    expect(notes.locator('li[data-code="minimum"]')).to_contain_text("一次性补缴")
    expect(notes.locator('li[data-code="no_month"]')).to_have_text("目前没有可以申请的退休月份。")
    expect(page.get_by_label("退休月份", exact=True)).to_have_count(0)
    sign_out(page)

    sign_in(page, "carol", world.carol)
    page.goto("/counter/SX-SI-006/apply/")
    page.get_by_label("申请人公民身份号码").fill(woman.resident_id)
    page.get_by_label("退休月份", exact=True).fill("2026-12")
    page.get_by_label("养老金发放银行账号", exact=True).fill("6222020200112233446")
    page.get_by_label("申请人已出示身份证件并同意代为申请").check()
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator("form div.error[role=alert]")).to_contain_text(
        "不能选择2026-12退休：法定退休月份为2030-07。可选退休时间为2029-05至2033-07。"
    )
    assert not Application.objects.exists()


def test_the_form_is_prefilled_offers_only_allowed_months_and_speaks_plainly(
    world: Any, page: Any
) -> None:
    """A man born 1967-01 with 200 months: statutory 2027-08 already chosen; the months on
    offer run from 2027-02 (three months ahead) to 2027-12 (the last month published
    parameters can compute); a malformed account is told in plain words; then filed."""
    man = insured(world, dt.date(1967, 1, 10), male=True, phone="13900001002", post="general")
    worked_elsewhere(man, months=200)
    sign_in(page, "13900001002")
    page.goto("/services/SX-SI-006/apply/")
    expect(page.locator("#precheck h2")).to_have_text("申请前请了解")
    month = page.get_by_label("退休月份", exact=True)
    expect(month).to_have_value("2027-08")
    expect(month.locator("option")).to_have_count(12)  # "—" and 2027-02 to 2027-12
    expect(month.locator("option").nth(1)).to_have_text("2027-02")
    expect(month.locator("option").last).to_have_text("2027-12")
    page.get_by_label("养老金发放银行账号", exact=True).fill("62220202")
    page.get_by_role("button", name="继续", exact=True).click()
    expect(page.locator("form div.error[role=alert]")).to_have_text(
        "“养老金发放银行账号”填写有误：应为12至19位数字。"
    )
    expect(page.locator("main")).not_to_contain_text("^[0-9]")
    page.get_by_label("养老金发放银行账号", exact=True).fill("6222020200112233446")
    page.get_by_role("button", name="继续", exact=True).click()
    expect(page.locator("h1")).to_contain_text("核对填写内容")
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator("#case-status")).to_have_text("已提交，待受理")
    case = Application.objects.get()
    assert case.answers == {"retirement_month": "2027-08", "bank_account": "6222020200112233446"}
    # The bank account the guide says the platform obtains is not asked for as a file.
    bank = page.locator("#material-status tr").filter(has_text="本人社会保障卡或银行账户")
    expect(bank).to_have_attribute("data-supply", "obtained")
    expect(bank).to_contain_text("免提交：平台已获取")
    expect(page.locator("#upload-form")).not_to_contain_text("本人社会保障卡或银行账户")
