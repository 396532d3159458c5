"""Catalogue items filed end to end in a browser, each through its own process."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from onestop.applications.models import Application, Status
from onestop.exchange.models import Certificate
from tests.e2e.test_applications import sign_in
from tests.test_items import employ

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_proof_of_insurance_online_at_once(world: Any, page: Any) -> None:
    """alice finds the item fileable in the catalogue, files it, and downloads the signed
    proof from the case page at once: no case worker touched it."""
    employ(world.acme, world.alice, [202610, 202611])
    sign_in(page, "13800000001")
    page.goto("/services/")
    row = page.locator("#items tr", has_text="参保缴费证明")
    row.get_by_role("link", name="在线申请").click()
    page.get_by_label("用途（选填） Purpose (optional)").fill("办理居住证")
    page.get_by_role("button", name="继续", exact=True).click()
    page.get_by_role("button", name="提交申请").click()
    link = page.locator("#result-link")
    expect(link).to_have_text("下载参保缴费证明（电子签章文件）")
    expect(page.locator("#rate-link")).to_be_visible()
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".pdf")
    case = Application.objects.get()
    assert case.status == Status.APPROVED
    assert Certificate.objects.filter(kind="proof_of_insurance", person=world.alice).count() == 1
