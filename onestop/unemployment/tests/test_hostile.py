"""What a hostile tester found in the unemployment benefit: a bank account shown in full,
another person's account accepted."""

from __future__ import annotations

from typing import Any

import pytest

from onestop.applications import labels
from onestop.applications import services as applications
from onestop.common.errors import ServiceError
from onestop.unemployment import benefits
from onestop.unemployment.models import UnemploymentBenefit
from onestop.unemployment.tests.test_filing import (
    ACCOUNT,
    MONTHS,
    browser,
    claim,
    insured,
    register_online,
)

pytestmark = pytest.mark.django_db


def test_the_bank_account_is_masked_on_the_case_page(world: Any) -> None:
    """carol, rita, sam and alice read alice's claim: the account's last four digits only."""
    insured(world, MONTHS)
    register_online(world)
    case = claim(world)
    for user in (world.carol, world.rita, world.sam, world.alice.user):
        page = browser(user).get(f"/applications/{case.number}/")
        assert page.status_code == 200
        shown = page.content.decode()
        assert ACCOUNT not in shown
        assert "*" * 15 + ACCOUNT[-4:] in shown


def test_a_bank_account_fact_is_masked() -> None:
    assert labels.fact_value("bank_account", ACCOUNT) == "*" * 15 + ACCOUNT[-4:]
    assert labels.masked("note", ACCOUNT) == ACCOUNT
    assert labels.masked("payee", ACCOUNT, {"x-mask": "bank_account"}) == "*" * 15 + ACCOUNT[-4:]


def bob_claims(world: Any, account: str) -> Any:
    """bob files SX-SI-009 by API (the account is checked before anything else)."""
    return browser(world.bob.user).post(
        "/api/v1/applications",
        {"item_code": "SX-SI-009", "answers": {"bank_account": account}},
        content_type="application/json",
    )


def test_another_persons_account_is_refused(world: Any) -> None:
    """alice claimed with her account (open, then granted): bob's claim naming the same
    account is refused with a 400 in both languages, nothing filed."""
    from onestop.applications.models import Application

    insured(world, MONTHS)
    register_online(world)
    case = claim(world)
    filed = Application.objects.count()
    answer = bob_claims(world, ACCOUNT)
    assert answer.status_code == 400, answer.content
    body = answer.json()
    assert body["code"] == "bank_account_taken"
    assert "他人" in body["message_zh"] and "another person" in body["message_en"]
    assert Application.objects.count() == filed
    # Once granted (the claim closed), the account is found on the active benefit.
    applications.application_act(
        actor=world.carol, application=case, task="review", decision="approve"
    )
    assert UnemploymentBenefit.objects.get().bank_account_index
    again = bob_claims(world, ACCOUNT)
    assert again.status_code == 400 and again.json()["code"] == "bank_account_taken"
    with pytest.raises(ServiceError):
        benefits.bank_account_check(world.bob, {"bank_account": ACCOUNT})
    benefits.bank_account_check(world.alice, {"bank_account": ACCOUNT})  # her own: fine


@pytest.mark.parametrize(
    "account",
    [
        "6222020200112233445",
        "12345678901",
        "62220202001122334451234",
        "６２２２０２０２００１１２２３３４４６",
    ],
)
def test_a_malformed_account_is_refused(world: Any, account: str) -> None:
    """A card number with a wrong check digit, too short, too long, not ASCII digits: 400."""
    insured(world, MONTHS)
    register_online(world)
    answer = browser(world.alice.user).post(
        "/api/v1/applications",
        {"item_code": "SX-SI-009", "answers": {"bank_account": account}},
        content_type="application/json",
    )
    assert answer.status_code == 400, answer.content
    assert answer.json()["message_zh"] and answer.json()["message_en"]
