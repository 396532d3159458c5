"""The flexible-employment contribution calculator, through the API and the page, on the
seeded (illustrative) Shaanxi 2026 average wage 7950.00: bases 4770.00 to 23850.00."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from onestop.audit.models import Entry

pytestmark = pytest.mark.django_db

URL = "/api/v1/calculators/flexible-contribution"
PAGE = "/calculators/flexible-contribution/"
BASE = {"province": "610000", "year": 2026, "base": "6000", "frequency": "quarterly"}


def post(client: Client, body: dict[str, Any]) -> Any:
    return client.post(URL, body, content_type="application/json")


def test_a_quarter_at_6000_with_its_parts_and_steps() -> None:
    """1200.00 a month (480.00 to the account, 720.00 pooled); the quarter of 2026-05 is
    April to June: 3600.00, 1440.00 and 2160.00."""
    response = post(Client(enforce_csrf_checks=True), {**BASE, "month": "2026-05"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert {k: body[k] for k in ("first_month", "last_month", "months")} == {
        "first_month": "2026-04",
        "last_month": "2026-06",
        "months": 3,
    }
    assert (body["lowest_base"], body["highest_base"]) == ("4770.00", "23850.00")
    assert (body["monthly"], body["monthly_to_account"], body["monthly_pooled"]) == (
        "1200.00",
        "480.00",
        "720.00",
    )
    assert (body["amount"], body["to_account"], body["pooled"]) == ("3600.00", "1440.00", "2160.00")
    assert (body["surcharge"], body["total"], body["parameters"]) == (
        "0.00",
        "3600.00",
        "610000/2026/v1",
    )
    steps = {line["label_en"]: (line["formula"], line["value"]) for line in body["explanation"]}
    assert steps["Lowest base"] == ("7950.00 * 0.60000", "4770.00")
    assert steps["Due for the period"] == ("1200.00 * 3 (2026-04..2026-06)", "3600.00")
    assert "Late-payment surcharge" not in steps
    assert not Entry.objects.exists()


@pytest.mark.parametrize(
    ("frequency", "amount", "first", "last"),
    [
        ("monthly", "1200.00", "2026-01", "2026-01"),
        ("half_yearly", "7200.00", "2026-01", "2026-06"),
        ("yearly", "14400.00", "2026-01", "2026-12"),
    ],
)
def test_each_frequency(client: Client, frequency: str, amount: str, first: str, last: str) -> None:
    body = post(client, {**BASE, "frequency": frequency}).json()
    assert (body["amount"], body["first_month"], body["last_month"]) == (amount, first, last)


def test_late_payment_surcharge_as_for_employers(client: Client) -> None:
    """3600.00 thirty days late: 0.05% a day -> 54.00, 3654.00 in all."""
    body = post(client, {**BASE, "days_late": 30}).json()
    assert (body["surcharge"], body["total"]) == ("54.00", "3654.00")
    assert body["explanation"][-1]["formula"] == "3600.00 * 0.00050 * 30"


@pytest.mark.parametrize(
    ("change", "code", "english"),
    [
        ({"base": "4769.99"}, "base_range", "between 4770.00 and 23850.00"),
        ({"base": "23850.01"}, "base_range", "between 4770.00 and 23850.00"),
        ({"frequency": "weekly"}, "frequency", "Unknown payment frequency 'weekly'"),
        ({"month": "2025-12"}, "month", "The month 2025-12 is not in 2026."),
        ({"month": "2026-13"}, "month", "The month must be 1 to 12"),
        ({"province": "990000"}, "province", "Unknown province code"),
        ({"year": 2010}, "parameters_missing", "in 2010"),
        ({"days_late": 3651}, "invalid", "days_late"),
        ({"base": "abc"}, "invalid", "base"),
    ],
)
def test_bad_input_is_a_422_in_both_languages(
    client: Client, change: dict[str, Any], code: str, english: str
) -> None:
    response = post(client, {**BASE, **change})
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == code and english in body["message_en"]
    assert body["message_zh"] and body["message_zh"] != body["message_en"]


def test_the_page_echoes_inputs_and_explains(client: Client) -> None:
    text = client.get(
        PAGE,
        {
            "province": "610000",
            "base": "6000",
            "frequency": "quarterly",
            "month": "2026-05",
            "days_late": "30",
        },
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    ).content.decode()
    assert '<dd id="period">2026-04 – 2026-06</dd>' in text
    assert '<dd id="period-amount">3600.00</dd>' in text
    assert '<dd id="to-account">1440.00</dd>' in text and '<dd id="pooled">2160.00</dd>' in text
    assert (
        '<dd id="surcharge">54.00</dd>' in text and '<dd id="flexible-total">3654.00</dd>' in text
    )
    assert "<dd>按季</dd>" in text and "<dd>6000.00</dd>" in text  # inputs echoed
    assert "其中每月记入个人账户" in text and "<code>6000.00 * 0.08000</code>" in text


def test_the_fragment_in_english(client: Client) -> None:
    fragment = client.get(
        PAGE,
        {"province": "610000", "base": "6000", "frequency": "yearly", "month": "2026-05"},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert "<html" not in fragment
    assert "Due for 2026-01 to 2026-12: 14400.00 yuan" in fragment
    assert 'id="surcharge"' not in fragment


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"base": "100"}, "灵活就业缴费基数应在4770.00至23850.00之间。"),
        ({"base": ""}, "这个字段是必填项。"),
        ({"month": "May"}, "月份格式应为YYYY-MM"),
        ({"month": "2031-01"}, "没有2031年的政策参数"),
        ({"frequency": "weekly"}, "选择一个有效的选项"),
        ({"days_late": "-1"}, "确保该值大于或等于0。"),
    ],
)
def test_the_page_shows_each_bad_input(client: Client, query: dict[str, str], message: str) -> None:
    params = {"province": "610000", "base": "6000", "frequency": "quarterly", "month": "2026-05"}
    text = client.get(PAGE, {**params, **query}, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert message in text and 'id="flexible-result"' not in text


def test_the_empty_page_offers_this_month_and_the_home_links_it(client: Client) -> None:
    text = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'value="2026-11"' in text and 'id="flexible-result"' not in text
    assert PAGE in client.get("/").content.decode()
