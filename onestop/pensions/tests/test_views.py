"""Calculator pages: full page, HTMX fragment, bad input shown not crashed."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_retirement_page_and_fragment(client: Client) -> None:
    page = client.get(
        "/calculators/retirement/",
        {"birth_month": "1966-01", "category": "male"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    text = page.content.decode()
    assert '<dd id="retirement-month">2026-05</dd>' in text
    assert "<html" in text
    fragment = client.get(
        "/calculators/retirement/",
        {"birth_month": "1966-01", "category": "male"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "<html" not in fragment and 'id="retirement-result"' in fragment


def test_retirement_page_shows_errors(client: Client) -> None:
    text = client.get(
        "/calculators/retirement/",
        {"birth_month": "1966-13", "category": "male"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    ).content.decode()
    assert "月份应为1至12，收到13。" in text


def test_estimate_page(client: Client) -> None:
    text = client.get(
        "/calculators/pension/",
        {
            "birth_month": "1975-06",
            "category": "male",
            "province": "610000",
            "contribution_months": "240",
            "deemed_months": "0",
            "account_balance": "80000",
            "monthly_wage": "8000",
            "average_index": "1.1",
        },
    ).content.decode()
    assert 'id="total"' in text and "<polyline" in text and 'id="projection"' in text


def test_estimate_page_after_retirement_says_so(client: Client) -> None:
    text = client.get(
        "/calculators/pension/",
        {
            "birth_month": "1950-01",
            "category": "male",
            "province": "610000",
            "contribution_months": "240",
            "account_balance": "80000",
            "monthly_wage": "8000",
            "average_index": "1.1",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert "You have reached the statutory retirement month" in text
