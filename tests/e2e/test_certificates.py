"""A bank checks a proof of insurance on the public verification page."""

from __future__ import annotations

from typing import Any

import pytest

from onestop.exchange import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_verify_a_proof_of_insurance(world: Any, page: Any) -> None:
    issued = services.proof_of_insurance_issue(
        actor=world.alice.user,
        person=world.alice,
        facts={
            "insured": False,
            "contribution_months": 0,
            "paid_months": 0,
            "last_month": None,
            "employer": None,
        },
    )
    page.goto("/verify/")
    page.get_by_label("证明编号").fill(issued.certificate.number)
    page.get_by_label("验证码").fill("WRONG")
    page.get_by_role("button", name="验证", exact=True).click()
    assert page.locator("#verify-result").inner_text() == "未找到该证明，请核对编号和验证码。"
    page.get_by_label("验证码").fill(issued.code)
    page.get_by_role("button", name="验证", exact=True).click()
    assert page.locator("#verify-result h2").inner_text() == "真实有效"
    assert world.alice.name in page.locator("#verify-result").inner_text()
