"""The staff pages of adjustments and transfers as the hostile tester posted them: amounts
through the money grammar, and each refusal in the page's language only."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from onestop.pensions.models import Adjustment

pytestmark = pytest.mark.django_db


def _post(user: Any, url: str, data: dict[str, str], language: str) -> str:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found is not None
    response = client.post(
        url,
        {**data, "csrfmiddlewaretoken": found.group(1)},
        HTTP_ACCEPT_LANGUAGE=language,
        follow=True,
    )
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("percentage", "fixed", "zh", "en"),
    [
        ("5", "1e-999999999", "不能使用科学计数法", "it must not use an exponent"),
        ("NaN", "10", "应为数字", "write digits"),
        ("5", "-100", "不能带正负号", "it must not carry a sign"),
    ],
)
def test_an_adjustment_amount_outside_the_grammar_is_refused_in_one_language(
    world: Any, percentage: str, fixed: str, zh: str, en: str
) -> None:
    """rita prepares 2027's adjustment with an exponent, NaN or a sign: the grammar's
    reason, in Chinese on a Chinese page and in English on an English one; nothing made."""
    form = {"action": "prepare", "year": "2027", "percentage": percentage, "fixed_amount": fixed}
    chinese = _post(world.rita, "/staff/adjustments/", form, "zh-hans")
    assert zh in chinese and en not in chinese
    english = _post(world.rita, "/staff/adjustments/", form, "en")
    assert en in english and zh not in english
    assert not Adjustment.objects.exists()


def test_a_transfer_refusal_is_in_the_pages_language_only(world: Any) -> None:
    """carol moves an unknown resident ID: the reason in the page's language, not both."""
    form = {"resident_id": "nope", "region": "610113"}
    chinese = _post(world.carol, "/staff/transfers/", form, "zh-hans")
    assert "请填写您辖区内参保人员的身份号码和迁入地区。" in chinese
    assert "Give the resident ID" not in chinese
    english = _post(world.carol, "/staff/transfers/", form, "en")
    assert "Give the resident ID of a person insured in your scope" in english
    assert "请填写您辖区内参保人员" not in english
