"""The unemployment benefit calculator, through the API and the page, on the seeded
(illustrative) Shaanxi parameters: minimum wage 2160.00, share 90% -> 1944.00 a month."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from onestop.audit.models import Entry
from onestop.parameters import services as parameter_services

pytestmark = pytest.mark.django_db

URL = "/api/v1/calculators/unemployment-benefit"
PAGE = "/calculators/unemployment-benefit/"


@pytest.fixture
def browser_client() -> Client:
    """A client that checks CSRF like a browser: the public calculator needs no token."""
    return Client(enforce_csrf_checks=True)


def post(client: Client, body: dict[str, Any]) -> Any:
    return client.post(URL, body, content_type="application/json")


BASE: dict[str, Any] = {
    "province": "610000",
    "contribution_months": 84,
    "separation": "ended_by_employer",
}


def test_seven_years_and_a_contract_ended_by_the_employer(browser_client: Client) -> None:
    """84 months -> 18 months of 1944.00 = 34992.00; every step explained with its rule."""
    response = post(browser_client, BASE)
    assert response.status_code == 200, response.content
    body = response.json()
    assert {k: body[k] for k in ("eligible", "refusals", "earned_months", "months")} == {
        "eligible": True,
        "refusals": [],
        "earned_months": 18,
        "months": 18,
    }
    assert (body["monthly_amount"], body["total"]) == ("1944.00", "34992.00")
    assert (body["parameters"], body["illustrative"]) == ("610000/2026/v1", True)
    steps = {line["label_en"]: (line["formula"], line["value"]) for line in body["explanation"]}
    assert steps["Monthly benefit"] == ("2160.00 * 0.900", "1944.00")
    assert steps["Benefit in all"] == ("1944.00 * 18", "34992.00")
    assert steps["Benefit months (with carried-over months)"] == ("min(18 + 0, 24)", "18")
    assert all(line["source"] for line in body["explanation"])
    assert not Entry.objects.exists()  # a public calculation records nothing


def test_earlier_spell_months_are_added_up_to_24(client: Client) -> None:
    body = post(
        client,
        {**BASE, "contribution_months": 150, "months_since_last_benefit": 36, "carried_months": 14},
    ).json()
    assert (body["earned_months"], body["carried_months"], body["months"]) == (12, 14, 24)
    assert body["total"] == "46656.00"


def test_not_eligible_names_every_missing_condition(client: Client) -> None:
    body = post(
        client,
        {
            **BASE,
            "contribution_months": 8,
            "separation": "resigned",
            "registered_unemployed": False,
        },
    ).json()
    assert body["eligible"] is False and (body["months"], body["total"]) == (0, "0.00")
    assert [r["code"] for r in body["refusals"]] == ["contribution", "voluntary", "unregistered"]
    assert body["refusals"][1]["message_zh"] == "离职原因为“本人辞职”，不属于非因本人意愿中断就业。"


@pytest.mark.parametrize(
    ("change", "code", "english"),
    [
        ({"separation": "fired"}, "separation", "Unknown end of employment 'fired'"),
        ({"province": "990000"}, "province", "Unknown province code '990000'"),
        ({"contribution_months": 721}, "invalid", "contribution_months"),
        ({"carried_months": 25}, "invalid", "carried_months"),
        (
            {"months_since_last_benefit": 85},
            "months",
            "Months counted for this spell cannot exceed the lifetime months.",
        ),
        ({"year": 2010}, "parameters_missing", "no policy parameters for province 610000 in 2010"),
    ],
)
def test_bad_input_is_a_422_in_both_languages(
    client: Client, change: dict[str, Any], code: str, english: str
) -> None:
    response = post(client, {**BASE, **change})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == code and english in body["message_en"]
    assert body["message_zh"] and body["message_zh"] != body["message_en"]


def test_a_year_without_a_minimum_wage_says_so(client: Client, world: Any) -> None:
    parameter_services.province_parameters_publish(
        actor=world.adam,
        province="610000",
        year=2027,
        values={"average_wage": Decimal("8200"), "benefit_base": Decimal("8200")},
        sources="test",
    )
    response = post(client, {**BASE, "year": 2027})
    assert response.status_code == 422
    assert response.json()["code"] == "minimum_wage_missing"
    # The province's figures named as people read them, not by their reference.
    assert (
        "Shaanxi 2027 parameters, version 1 state no minimum wage"
        in (response.json()["message_en"])
    )
    assert "2027 年参数（第 1 版）尚未公布最低工资标准" in response.json()["message_zh"]
    assert "610000/" not in response.json()["message_en"] + response.json()["message_zh"]


def test_a_later_year_uses_the_latest_published_and_says_so(client: Client) -> None:
    body = post(client, {**BASE, "year": 2030}).json()
    assert body["parameters"] == "610000/2026/v1"
    assert body["explanation"][0]["value"] == (
        "610000/2026/v1 (latest published year 2026 stands in for 2030)"
    )


def test_the_page_echoes_inputs_and_explains(client: Client) -> None:
    text = client.get(
        PAGE,
        {**BASE, "registered_unemployed": "on"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    ).content.decode()
    assert '<dd id="benefit-months">18</dd>' in text
    assert '<dd id="monthly-amount">1944.00</dd>' in text
    assert '<dd id="benefit-total">34992.00</dd>' in text
    assert "<dd>用人单位解除劳动合同</dd>" in text  # the input, echoed in the reader's language
    assert "<code>1944.00 * 18</code>" in text and "失业保险金合计" in text
    assert 'id="illustrative"' in text and "<html" in text


def test_the_page_in_english_and_the_fragment(client: Client) -> None:
    fragment = client.get(
        PAGE, {**BASE, "separation": "resigned"}, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "<html" not in fragment and 'id="benefit-result"' in fragment
    assert "You could not draw unemployment benefit now." in fragment
    assert (
        "The last employment ended as “resigned”: that is of the person&#x27;s own will."
        in fragment
    )
    assert "The person is not registered as unemployed." in fragment  # the box was not ticked


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"contribution_months": "abc"}, "输入整数。"),
        ({"contribution_months": "721"}, "确保该值小于或等于720。"),
        ({"separation": "fired"}, "选择一个有效的选项"),
        ({"months_since_last_benefit": "90"}, "不能多于"),
        ({"carried_months": "5"}, "请填写前次失业保险金结束后的缴费月数。"),
    ],
)
def test_the_page_shows_each_bad_input(client: Client, query: dict[str, str], message: str) -> None:
    response = client.get(PAGE, {**BASE, **query}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    text = response.content.decode()
    assert message in text and 'id="benefit-result"' not in text


def test_the_empty_page_and_the_home_link(client: Client) -> None:
    text = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'id="benefit-result"' not in text and 'role="alert"' not in text
    assert PAGE in client.get("/").content.decode()
