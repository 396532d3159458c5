"""Flexible employment in a browser: a worker enrols online (SX-SI-005), pays two quarters
at the tax simulator, sees them on the statement with interest, and the months count toward
retirement."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from onestop.applications.models import Application, Status
from onestop.contributions import individual
from onestop.contributions.models import IndividualBill, IndividualPayment
from onestop.simulators.registries import RegistrySimulator
from tests.e2e.test_applications import sign_in
from tests.e2e.test_employer import tax
from tests.test_flexible import registries, two_quarters_back

__all__ = ["registries", "tax"]  # the fixtures, shared with the service tests

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_flexible_worker_enrols_pays_two_quarters_and_they_count(
    world: Any, page: Any, registries: RegistrySimulator, tax: str
) -> None:
    """bob (no employment of his own; born 1975, retiring in the 2030s) enrols online at a
    base of 6000, quarterly, from the quarter before last: approved at once. The daily job
    bills the two quarters, which go to the tax simulator; he pays both there, asks for the
    payments, and sees them paid; his statement lists six paid months with interest
    accruing, and his pension page counts them toward retirement."""
    start = two_quarters_back()
    sign_in(page, "13800000002")
    page.goto("/services/SX-SI-005/")
    page.get_by_role("link", name="在线申请").click()
    page.get_by_label("月缴费基数").fill("6000")
    page.get_by_label("缴费方式").select_option("quarterly")
    page.get_by_label("参保起始月份").fill(str(start))
    page.get_by_role("button", name="继续", exact=True).click()
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator("#case-status")).to_have_text("已批准")
    assert Application.objects.get().status == Status.APPROVED

    assert individual.bills_issue_due() == 2  # the daily job; the bills go out after commit
    page.goto("/me/flexible/")
    expect(page.locator("#flexible-bills tbody tr")).to_have_count(2)
    expect(page.locator("#flexible-bills .bill-status").first).to_have_text("未缴")

    page.goto(tax + "/")
    for bill in IndividualBill.objects.order_by("pk"):
        row = page.locator("tr", has_text=f"P{bill.pk}")
        expect(row.locator("input[name=amount]")).to_have_value("3600.00")
        row.get_by_role("button", name="缴款 pay").click()
        expect(
            page.locator("tr", has_text=f"P{bill.pk}").locator("input[name=amount]")
        ).to_have_value("0.00")

    page.goto("/me/flexible/")
    page.get_by_role("button", name="立即查询到账").click()
    expect(page.locator("#flexible-bills .bill-status", has_text="已缴")).to_have_count(2)
    expect(page.locator("#arrears")).to_have_text("0.00")
    assert IndividualPayment.objects.count() == 2

    page.goto("/me/contributions/")
    expect(page.locator("#paid-months")).to_have_text("6")
    expect(page.locator("#months tbody tr", has_text="灵活就业")).to_have_count(6)
    expect(page.locator("#account-balance")).to_have_text("2880.00")
    expect(page.locator("#interest-accrued")).to_have_text(re.compile(r"^[1-9][0-9]*\.[0-9]{2}$"))

    page.goto("/me/pension/")
    expect(page.locator("#outlook-months")).to_have_text(re.compile(r"^6 \+ [0-9]+$"))


def test_carol_enrols_a_flexible_worker_at_the_counter(
    world: Any, page: Any, registries: RegistrySimulator
) -> None:
    """At the Yanta counter carol files SX-SI-005 for alice, who shows her ID card: decided at
    once; alice's record is on carol's person page, her resident ID masked."""
    sign_in(page, "carol", world.carol)
    page.goto("/services/SX-SI-005/")
    page.get_by_role("link", name="窗口代办").click()
    page.get_by_label("申请人公民身份号码").fill(world.alice.resident_id)
    page.get_by_label("申请人已出示身份证件并同意代为申请").check()
    page.get_by_label("月缴费基数").fill("4770")
    page.get_by_label("缴费方式").select_option("monthly")
    page.get_by_label("参保起始月份").fill(str(two_quarters_back()))
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator("#case-status")).to_have_text("已批准")
    assert Application.objects.get().channel == "counter"
    page.goto(f"/staff/persons/{world.alice.pk}/flexible/")
    expect(page.locator("#payer-status")).to_have_text("正常缴费")
    expect(page.locator("#frequency")).to_have_text("按月")
    expect(page.locator("main")).not_to_contain_text(world.alice.resident_id)
