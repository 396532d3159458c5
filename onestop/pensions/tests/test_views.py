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


ESTIMATE = {
    "birth_month": "1975-06",
    "category": "male",
    "province": "610000",
    "contribution_months": "240",
    "deemed_months": "0",
    "account_balance": "80000",
    "monthly_wage": "8000",
    "average_index": "1.1",
}


def _rows(text: str, table: str) -> list[list[str]]:
    import re

    body = re.search(rf'<table id="{table}">.*?<tbody>(.*?)</tbody>', text, re.S)
    assert body is not None, table
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S)
    ]


def test_estimate_echoes_the_inputs_and_labels_the_derived_index(client: Client) -> None:
    """The entered index 1.1 is echoed as entered; the blended index at retirement is a
    derived row with its formula, never labelled as the input."""
    text = client.get(
        "/calculators/pension/", ESTIMATE, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    entered = dict((row[0], row[1]) for row in _rows(text, "entered"))
    assert entered["Average contribution index so far"] == "1.1"
    assert entered["Category"] == "Man (original age 60)"
    assert entered["Individual account balance now (yuan)"] == "80000"
    steps = {row[0]: row for row in _rows(text, "explanation")}
    z = steps["Average contribution index Z at retirement"]
    assert z[1] == "derived"
    assert z[2].startswith("(1.1 × 240 + ") and z[3] != "1.1"
    assert steps["Benefit base P"][1] == "published parameter"
    assert "input" not in [row[1] for row in steps.values()]


def test_estimate_lists_each_month_once(client: Client) -> None:
    """The balance table has one row per month: the entered balance at the end of last
    month (2026-10 at the tests' instant in November), then each year's end."""
    text = client.get("/calculators/pension/", ESTIMATE, HTTP_HX_REQUEST="true").content.decode()
    months = [row[0] for row in _rows(text, "projection")]
    assert len(months) == len(set(months))
    assert months[0] == "2026-10" and months[1] == "2026-12"


@pytest.mark.parametrize(
    ("params", "zh", "en"),
    [
        ({"birth_month": "", "category": "male"}, "这个字段是必填项。", "This field is required."),
        ({"birth_month": "1966-13", "category": "male"}, "月份应为1至12，收到13。", "month"),
    ],
)
def test_retirement_fragment_says_what_is_missing_or_wrong(
    client: Client, params: dict[str, str], zh: str, en: str
) -> None:
    """An empty or invalid birth month gives a message in the result region (the HTMX
    fragment), in the page's language, never an empty answer."""
    for language, expected in (("zh-hans", zh), ("en", en)):
        fragment = client.get(
            "/calculators/retirement/",
            params,
            HTTP_HX_REQUEST="true",
            HTTP_ACCEPT_LANGUAGE=language,
        ).content.decode()
        assert 'role="alert"' in fragment and expected in fragment, (language, fragment)


def test_estimate_fragment_lists_every_missing_input(client: Client) -> None:
    """An empty estimate form names each required input it misses."""
    fragment = client.get(
        "/calculators/pension/",
        {"birth_month": "", "category": "male", "province": "610000"},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert 'id="estimate-errors"' in fragment
    for label in (
        "Month of birth",
        "Months contributed so far (deemed months go below)",
        "Individual account balance now (yuan)",
        "Monthly wage now (yuan)",
        "Average contribution index so far",
    ):
        assert f"<li>{label}: This field is required.</li>" in fragment
