"""The public calculators answer every example of pension-rules.md exactly."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from onestop.parameters import services as parameter_services

pytestmark = pytest.mark.django_db


def post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(f"/api/v1/calculators/{path}", body, content_type="application/json")


@pytest.mark.parametrize(
    ("birth", "category", "expected"),
    [
        (
            "1966-01",
            "male",
            {
                "delay_months": 4,
                "statutory_age": {"years": 60, "months": 4},
                "retirement_month": "2026-05",
                "earliest_month": "2026-01",
                "latest_month": "2029-05",
                "minimum_contribution_months": 180,
            },
        ),
        (
            "1975-03",
            "female_50",
            {
                "delay_months": 2,
                "statutory_age": {"years": 50, "months": 2},
                "retirement_month": "2025-05",
                "earliest_month": "2025-03",
                "latest_month": "2028-05",
                "minimum_contribution_months": 180,
            },
        ),
        # k = 125 months after 1970-01 -> 125 // 4 + 1 = 32 months; 2038's minimum is 234.
        (
            "1980-06",
            "female_55",
            {
                "delay_months": 32,
                "statutory_age": {"years": 57, "months": 8},
                "retirement_month": "2038-02",
                "earliest_month": "2035-06",
                "latest_month": "2041-02",
                "minimum_contribution_months": 234,
            },
        ),
    ],
)
def test_retirement_examples(
    client: Client, birth: str, category: str, expected: dict[str, Any]
) -> None:
    body = client.get(
        "/api/v1/calculators/retirement", {"birth_month": birth, "category": category}
    ).json()
    assert body == {
        "category": category,
        "birth_month": birth,
        "original_age": {
            "years": {"male": 60, "female_55": 55, "female_50": 50}[category],
            "months": 0,
        },
        **expected,
    }


def test_contribution_examples(client: Client) -> None:
    """§1: A = 8000; wage 3000 -> 4800/768/384; wage 30000 -> 24000, individual 1920."""
    low = post(
        client,
        "contribution",
        {"province": "610000", "year": 2024, "wage": "3000", "average_wage": "8000"},
    ).json()
    assert low == {
        "base": "4800.00",
        "employer": "768.00",
        "individual": "384.00",
        "total": "1152.00",
        "to_account": "384.00",
    }
    high = post(
        client,
        "contribution",
        {"province": "610000", "year": 2024, "wage": 30000, "average_wage": 8000},
    ).json()
    assert (high["base"], high["individual"], high["employer"]) == (
        "24000.00",
        "1920.00",
        "3840.00",
    )
    flexible = post(
        client,
        "contribution",
        {
            "province": "610000",
            "year": 2024,
            "wage": "4800",
            "average_wage": "8000",
            "flexible": True,
        },
    ).json()
    assert flexible == {
        "base": "4800.00",
        "employer": "0.00",
        "individual": "960.00",
        "total": "960.00",
        "to_account": "384.00",
    }


def test_contribution_uses_the_provinces_average_wage(client: Client) -> None:
    body = post(client, "contribution", {"province": "610000", "year": 2024, "wage": "1000"})
    assert body.json()["base"] == "4470.00"  # 60% of the seeded 7450.00


def test_interest_example(client: Client) -> None:
    """§2: B_prev 100000.00, C 9600.00, r 2.62% -> 2756.20, 112356.20."""
    body = post(
        client,
        "account-interest",
        {"year": 2024, "opening_balance": "100000.00", "contributions": "9600.00"},
    ).json()
    assert body == {
        "rate": "0.0262",
        "provisional": False,
        "interest": "2756.20",
        "closing_balance": "112356.20",
    }
    monthly = post(
        client,
        "account-interest",
        {
            "year": 2024,
            "opening_balance": "100000.00",
            "contributions": ["800.00"] * 12,
            "method": "month_product",
        },
    ).json()
    assert monthly["interest"] == "2756.24"


def test_missing_rate_is_explicit(client: Client) -> None:
    refused = post(
        client,
        "account-interest",
        {"year": 2025, "opening_balance": "1000", "contributions": "100"},
    )
    assert refused.status_code == 422
    assert refused.json()["code"] == "rate_missing"
    provisional = post(
        client,
        "account-interest",
        {
            "year": 2025,
            "opening_balance": "100000",
            "contributions": "0",
            "provisional_rate": "0.02",
        },
    ).json()
    assert provisional == {
        "rate": "0.02",
        "provisional": True,
        "interest": "2000.00",
        "closing_balance": "102000.00",
    }


def test_pension_examples(client: Client) -> None:
    """§3: P 11883, Z 1.0, N 25 -> 2970.75; balance 100000 at 55 -> 588.24."""
    body = post(
        client,
        "pension",
        {
            "province": "610000",
            "retirement_month": "2026-05",
            "age": {"years": 55, "months": 0},
            "contribution_months": 300,
            "average_contribution_index": "1.0",
            "account_balance": "100000",
            "benefit_base": "11883",
        },
    ).json()
    assert {
        k: body[k]
        for k in (
            "basic_pension",
            "account_pension",
            "transitional_pension",
            "total",
            "divisor",
            "benefit_base",
            "parameters",
        )
    } == {
        "basic_pension": "2970.75",
        "account_pension": "588.24",
        "transitional_pension": "0.00",
        "total": "3558.99",
        "divisor": "170",
        "benefit_base": "11883.00",
        "parameters": "610000/2025/v1",
    }
    steps = [line["label_en"] for line in body["explanation"]]
    assert steps[0] == "Policy parameters used" and steps[-1] == "Monthly pension, total"
    assert body["explanation"][4]["value"] == "2970.75"


def test_pension_from_province_data_with_months_and_deemed_years(client: Client) -> None:
    body = post(
        client,
        "pension",
        {
            "province": "610000",
            "retirement_month": "2026-05",
            "age": {"years": 60, "months": 1},
            "contribution_months": 240,
            "average_contribution_index": "1.2",
            "account_balance": "138400",
            "deemed_months": 60,
        },
    ).json()
    # P = 7700.00 (2025); N = 300/12; basic = 7700 * 2.2 / 2 * 25 * 1% = 2117.50
    # divisor 138.4 (interpolated); account = 1000.00; transitional = 7700*1.2*5*1.2% = 554.40
    assert (
        body["basic_pension"],
        body["account_pension"],
        body["transitional_pension"],
        body["total"],
        body["divisor"],
    ) == ("2117.50", "1000.00", "554.40", "3671.90", "138.4")


def test_transfer_and_adjustment_rules_are_reachable_through_parameters() -> None:
    from onestop.parameters.selectors import province_year

    data = province_year(province="610000", year=2025)
    assert data.adjustment is not None and str(data.adjustment.percentage) == "0.02000"


@pytest.mark.parametrize(
    ("path", "body", "code"),
    [
        (
            "pension",
            {
                "province": "610000",
                "retirement_month": "2026-13",
                "age": {"years": 60},
                "contribution_months": 1,
                "average_contribution_index": 1,
                "account_balance": 1,
            },
            "month",
        ),
        (
            "pension",
            {
                "province": "990000",
                "retirement_month": "2026-05",
                "age": {"years": 60},
                "contribution_months": 1,
                "average_contribution_index": 1,
                "account_balance": 1,
            },
            "province",
        ),
        (
            "pension",
            {
                "province": "610000",
                "retirement_month": "2026-05",
                "age": {"years": 60},
                "contribution_months": 1,
                "average_contribution_index": 1,
                "account_balance": -5,
            },
            "invalid",
        ),
        (
            "pension",
            {
                "province": "610000",
                "retirement_month": "2026-05",
                "age": {"years": 60},
                "contribution_months": 9999,
                "average_contribution_index": 1,
                "account_balance": 1,
            },
            "invalid",
        ),
        (
            "pension",
            {
                "province": "610000",
                "retirement_month": "2026-05",
                "age": {"years": 35},
                "contribution_months": 1,
                "average_contribution_index": 1,
                "account_balance": 1,
            },
            "age",
        ),
        (
            "pension",
            {
                "province": "610000",
                "retirement_month": "2040-05",
                "age": {"years": 60},
                "contribution_months": 1,
                "average_contribution_index": 1,
                "account_balance": 1,
            },
            "parameters_missing",
        ),
        ("account-interest", {"year": 2024, "opening_balance": -1, "contributions": 1}, "invalid"),
        # Absurd figures are refused with a reason, never a 500 (Decimal has 28 digits).
        (
            "account-interest",
            {"year": 2024, "opening_balance": 1, "contributions": "1e309"},
            "invalid",
        ),
        (
            "account-interest",
            {"year": 2024, "opening_balance": 1, "contributions": 1e300},
            "invalid",
        ),
        (
            "account-interest",
            {"year": 2024, "opening_balance": 1, "contributions": ["1e30"]},
            "invalid",
        ),
        (
            "account-interest",
            {"year": 2024, "opening_balance": "1" * 29, "contributions": 1},
            "invalid",
        ),
        (
            "account-interest",
            {"year": 2024, "opening_balance": 1, "contributions": "1" * 23},
            "invalid",
        ),
        (
            "account-interest",
            {"year": 2024, "opening_balance": 1, "contributions": [1] * 13},
            "invalid",
        ),
        (
            "account-interest",
            {"year": 2024, "opening_balance": 1, "contributions": 1, "method": "daily"},
            "method",
        ),
        ("contribution", {"province": "610000", "year": 2024, "wage": "abc"}, "invalid"),
        ("contribution", {"province": "610000", "year": 2031, "wage": "100"}, "parameters_missing"),
        (
            "contribution",
            {"province": "610000", "year": 2024, "wage": "100", "flexible": True},
            "base_range",
        ),
    ],
)
def test_bad_input_is_422_in_both_languages(
    client: Client, path: str, body: dict[str, Any], code: str
) -> None:
    response = post(client, path, body)
    assert response.status_code == 422
    payload = response.json()
    assert payload["code"] == code
    assert payload["message_zh"] and payload["message_en"]


@pytest.mark.parametrize(
    "query",
    [
        {"birth_month": "1966-13", "category": "male"},
        {"birth_month": "1966-01", "category": "other"},
        {"birth_month": "196601", "category": "male"},
        {"category": "male"},
    ],
)
def test_bad_retirement_query_is_422(client: Client, query: dict[str, str]) -> None:
    response = client.get("/api/v1/calculators/retirement", query)
    assert response.status_code == 422
    assert response.json()["message_zh"]


def test_a_new_parameter_version_changes_new_results_only(client: Client, world: Any) -> None:
    first = post(
        client, "contribution", {"province": "610000", "year": 2024, "wage": "1000"}
    ).json()
    parameter_services.province_parameters_publish(
        actor=None,
        province="610000",
        year=2024,
        values={"average_wage": "8000.00"},
        sources="test",
        note="corrected figure",
    )
    second = post(
        client, "contribution", {"province": "610000", "year": 2024, "wage": "1000"}
    ).json()
    assert (first["base"], second["base"]) == ("4470.00", "4800.00")
    from onestop.parameters.selectors import province_year

    assert province_year(province="610000", year=2024, version=1).average_wage == 7450


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "11010519491231002x",
            {
                "valid": True,
                "normalized": "11010519491231002X",
                "birth_date": "1949-12-31",
                "sex": "female",
                "region": "110105 北京市朝阳区",
                "region_history": [],
                "reason": None,
                "reason_zh": None,
                "reason_en": None,
            },
        ),
        (
            "110105194912310021",
            {
                "valid": False,
                "normalized": "110105194912310021",
                "birth_date": None,
                "sex": None,
                "region": None,
                "region_history": [],
                # ``reason`` in the request's language (Chinese by default).
                "reason": "校验位不正确。",
                "reason_zh": "校验位不正确。",
                "reason_en": "The check character is wrong.",
            },
        ),
        (
            "",
            {
                "valid": False,
                "normalized": "",
                "birth_date": None,
                "sex": None,
                "region": None,
                "region_history": [],
                "reason": "长度应为18位（现为0位）。",
                "reason_zh": "长度应为18位（现为0位）。",
                "reason_en": "Must be 18 characters long (this is 0).",
            },
        ),
        ("<script>" * 20, None),
    ],
)
def test_validate_resident_id(client: Client, value: str, expected: dict[str, Any] | None) -> None:
    response = client.get("/api/v1/validate/resident-id", {"value": value})
    assert response.status_code == 200
    if expected is not None:
        assert response.json() == expected
    else:
        assert response.json()["valid"] is False


def test_validate_credit_code(client: Client) -> None:
    ok = client.get("/api/v1/validate/credit-code", {"value": "91110000600037341L"}).json()
    assert ok == {
        "valid": True,
        "normalized": "91110000600037341L",
        "region": "110000 北京市",
        "region_history": [],
        "reason": None,
        "reason_zh": None,
        "reason_en": None,
    }
    bad = client.get("/api/v1/validate/credit-code", {"value": "9111000060003734IL"}).json()
    assert bad["valid"] is False and "format" not in bad["reason"]
