"""What a hostile tester found in the unemployment benefit: a bank account shown in full,
another person's account accepted."""

from __future__ import annotations

from typing import Any

import pytest

from onestop.applications import labels
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
    assert labels.fact_value("bank_account", ACCOUNT) == "*" * 15 + "3445"
    assert labels.masked("note", ACCOUNT) == ACCOUNT
    assert labels.masked("payee", ACCOUNT, {"x-mask": "bank_account"}) == "*" * 15 + "3445"
