"""Arrears (欠费) are what is unpaid after the due date: a bill not yet due is owed, not in
arrears, on the bills page, its filter and the API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from onestop.contributions.models import Bill
from onestop.contributions.tests.helpers import declare_pair, employ_alice_and_bob
from onestop.identity.services import token_create

pytestmark = pytest.mark.django_db

PAST = 202601  # due 2026-02-15: long past whatever the clock says


@pytest.fixture
def owing(world: Any) -> Any:
    """acme declared January 2026 (past due) and this month (due next month), paid nothing."""
    today = timezone.localdate()
    world.current = today.year * 100 + today.month
    employ_alice_and_bob(world, since=PAST)
    declare_pair(world, "regular", "8000", "9000", period=PAST)
    declare_pair(world, "regular", "8000", "9000", period=world.current)
    return world


def _total(period: int) -> Decimal:
    return sum((b.amount_due for b in Bill.objects.filter(period=period)), Decimal(0))


@pytest.mark.parametrize(
    ("language", "label", "not_due"),
    [
        ("zh-hans", "欠费（逾期未缴）：", "未到缴费期限"),
        ("en", "Arrears (unpaid after", "not yet due"),
    ],
)
def test_the_bills_page_counts_only_past_due_bills_as_arrears(
    owing: Any, language: str, label: str, not_due: str
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(owing.bob.user)
    url = f"/employer/{owing.acme.pk}/bills/"
    html = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert label in html and not_due in html
    assert f'<strong id="arrears">{_total(PAST):.2f}</strong>' in html
    assert f'<strong id="not-yet-due">{_total(owing.current):.2f}</strong>' in html
    only = client.get(f"{url}?arrears_only=1", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    current = f"{owing.current // 100}-{owing.current % 100:02d}"
    assert "2026-01" in only and current not in only


def test_the_api_says_in_arrears_only_after_the_due_date(owing: Any) -> None:
    token = token_create(actor=owing.bob.user, name="erp", scopes=["contributions:read"], days=30)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token.secret}")
    bills = client.get(f"/api/v1/employers/{owing.acme.pk}/bills").json()
    current = f"{owing.current // 100}-{owing.current % 100:02d}"
    for bill in bills:
        past = bill["period"] == "2026-01"
        assert bill["in_arrears"] is past, bill
        assert bill["overdue"] == (bill["arrears"] if past else "0.00")
        assert bill["arrears"] == bill["amount_due"]
    assert {b["period"] for b in bills} == {"2026-01", current}
    only = client.get(f"/api/v1/employers/{owing.acme.pk}/bills?arrears_only=true").json()
    assert {b["period"] for b in only} == {"2026-01"}


@pytest.mark.parametrize(("language", "legend"), [("zh-hans", "参保险种"), ("en", "Insurances")])
def test_the_insurances_checkboxes_are_a_fieldset_with_a_legend(
    world: Any, language: str, legend: str
) -> None:
    """A group of check boxes is named by a legend, never by a ``<label for="">``."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.bob.user)
    html = client.get(
        f"/employer/{world.acme.pk}/employees/", HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    assert 'label for=""' not in html
    assert f"<legend>{legend}</legend>" in html
