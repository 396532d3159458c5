"""attack1, finding 4: each page, message and API answer in one language, no raw keys. Each
test reads the same thing in Chinese and in English and asserts the other language's text
(and the stored code) is absent."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from onestop.applications.models import Application
from onestop.applications.services import results
from onestop.exchange import services as certificates
from onestop.notifications.models import Notification
from onestop.unemployment.tests.test_filing import (
    MONTHS,
    browser,
    claim,
    insured,
    register_online,
)

pytestmark = pytest.mark.django_db

LANGUAGES = ["zh-hans", "en"]


def read(client: Client, path: str, language: str) -> str:
    answer = client.get(path, headers={"accept-language": language})
    assert answer.status_code == 200, answer.content[:300]
    return answer.content.decode()


def test_a_refusal_notice_in_the_inbox_is_in_one_language(world: Any) -> None:
    """alice claims the benefit before registering as unemployed: the case is refused at
    once. Her inbox in Chinese gives the Chinese reason only, in English the English one,
    each with a single closing stop."""
    insured(world, MONTHS)
    claim(world)
    notice = Notification.objects.get(event="applications.rejected")
    assert "尚未办理失业登记" in notice.body_zh and "Not registered" not in notice.body_zh
    assert "Not registered as unemployed" in notice.body_en and "失业登记" not in notice.body_en
    assert "。。" not in notice.body_zh and ".." not in notice.body_en
    alice = browser(world.alice.user)
    chinese = read(alice, "/me/inbox/", "zh-hans")
    english = read(alice, "/me/inbox/", "en")
    assert "尚未办理失业登记" in chinese and "Not registered as unemployed" not in chinese
    assert "Not registered as unemployed" in english and "尚未办理失业登记" not in english


def test_several_refusals_are_told_in_one_language() -> None:
    """Two reasons of ineligibility: the Chinese reader gets both in Chinese, the English
    reader both in English, as recorded now (each language apart) and as a case decided
    before recorded them (one text, every Chinese reason then every English one)."""
    from onestop.applications import labels
    from onestop.rules import unemployment as rules
    from onestop.unemployment.benefits import assessment_facts  # noqa: F401 (the writer)

    found = rules.eligibility(
        lifetime_contribution_months=3,
        separation=rules.Separation.RESIGNED,
        registered_unemployed=True,
    )
    assert len(found.refusals) >= 2
    refusals = found.refusals
    from django.utils import translation

    from onestop.common.errors import both_languages

    old = " ".join([*(r.zh for r in refusals), *(r.en for r in refusals)])
    now = both_languages("".join(r.zh for r in refusals), " ".join(r.en for r in refusals))
    for stored in (now, old):
        with translation.override("zh-hans"):
            chinese = labels.fact_value("refusal", stored)
        with translation.override("en"):
            english = labels.fact_value("refusal", stored)
        assert all(r.zh in chinese and r.en not in chinese for r in refusals)
        assert all(r.en in english and r.zh not in english for r in refusals)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_registration_case_page_names_the_separation_in_one_language(
    world: Any, language: str
) -> None:
    """The SX-EMP-001 case page: how the last employment ended, in the reader's language."""
    insured(world, MONTHS)
    number = register_online(world).json()["number"]
    assert Application.objects.get(number=number).facts["separation"] == "ended_by_employer"
    page = read(browser(world.alice.user), f"/applications/{number}/", language)
    if language == "en":
        assert "contract ended by the employer" in page and "用人单位解除劳动合同" not in page
    else:
        assert "用人单位解除劳动合同" in page and "contract ended by the employer" not in page
    assert "ended_by_employer" not in page


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_benefit_case_page_shows_no_rule_keys(world: Any, language: str) -> None:
    """The SX-SI-009 case page's explanation: the separation's kind and the legal sources in
    words of the reader's language; no INVOLUNTARY, no D10/D11/D13."""
    insured(world, MONTHS)
    register_online(world)
    case = claim(world)
    page = read(browser(world.alice.user), f"/applications/{case.number}/", language)
    lines = page[page.index('id="unemployment-lines"') :]
    lines = lines[: lines.index("</table>")]
    for key in ("INVOLUNTARY", "VOLUNTARY", "D10", "D11", "D12", "D13", "610000/"):
        assert key not in lines, key
    if language == "en":
        assert "Unemployment Insurance Regulations art. 18" in lines
        assert "not of the person&#x27;s own will" in lines
        assert not re.search(r"[\u4e00-\u9fff]", re.sub(r"〔2017〕", "", lines))
    else:
        assert "《失业保险条例》第18条" in lines and "非因本人意愿" in lines
        assert "Regulations" not in lines and "own will" not in lines


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_public_verification_shows_the_decision_and_time_as_read(
    world: Any, language: str
) -> None:
    """/verify/ with a decision notice's number and code: the decision as a word of the
    reader's language (not ``approve``), the time as 2026-12-01 10:00 in Asia/Shanghai."""
    insured(world, MONTHS)
    number = register_online(world).json()["number"]
    case = Application.objects.get(number=number)
    issued = certificates.decision_notice_issue(
        actor=world.alice.user, person=world.alice, facts=results.decision_facts(case)
    )
    page = read(
        Client(),
        f"/verify/?number={issued.certificate.number}&code={issued.code}",
        language,
    )
    decision = re.search(r'id="verified-decision">([^<]*)<', page)
    decided = re.search(r'id="verified-decided">([^<]*)<', page)
    assert decision is not None and decided is not None
    assert decision.group(1) == ("approved" if language == "en" else "已批准")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", decided.group(1))
    from django.utils import timezone

    assert decided.group(1) == f"{timezone.localtime(case.completed_at):%Y-%m-%d %H:%M}"
    assert "approve<" not in page and "+08:00" not in page
    if language == "en":
        assert "陕西省社会保险经办中心" not in page and "Shaanxi Social Insurance Centre" in page
    else:
        assert "Shaanxi Social Insurance Centre" not in page


def test_the_receipt_states_its_sources_and_times_as_read(world: Any) -> None:
    """The acceptance receipt: an e-licence's source as a label (both languages, as the
    document is), every time at +08:00 (Asia/Shanghai), none at +00:00."""
    insured(world, MONTHS)
    number = register_online(world).json()["number"]
    case = Application.objects.get(number=number)
    case.licences = [
        {"material": "居民身份证", "status": "found", "source": "platform"},
        {"material": "户口簿", "status": "found", "source": "public_security via gateway"},
    ]
    facts = results.receipt_facts(case)
    assert "（platform）" not in facts["materials"]
    assert "居民身份证（平台电子证照库 the platform's licence library）" in facts["materials"]
    assert "via gateway" not in facts["materials"]
    issued = certificates.acceptance_receipt_issue(
        actor=world.alice.user, person=world.alice, facts=facts, region=case.region
    )
    payload = issued.certificate.payload
    assert payload["issued_at"].endswith("+08:00")
    assert facts["filed_at"].endswith("+08:00")
    from onestop.exchange.certificate_pdf import printed_lines

    printed = "\n".join(printed_lines(payload))
    assert "+00:00" not in printed


@pytest.mark.parametrize(("language", "other"), [("zh-hans", "en"), ("en", "zh-hans")])
def test_the_public_status_api_names_the_item_in_the_asked_language(
    world: Any, language: str, other: str
) -> None:
    """GET /api/v1/applications/status with Accept-Language: the item's name in that
    language."""
    from onestop.catalogue.models import ServiceItem

    insured(world, MONTHS)
    answer = register_online(world).json()
    item = ServiceItem.objects.filter(code="SX-EMP-001").order_by("-version").first()
    assert item is not None and item.name_en and item.name != item.name_en
    status = Client().get(
        "/api/v1/applications/status",
        {"number": answer["number"], "code": answer["code"]},
        headers={"accept-language": language},
    )
    assert status.status_code == 200, status.content
    expected = {"zh-hans": item.name, "en": item.name_en}
    assert status.json()["item_name"] == expected[language]
    assert status.json()["item_name"] != expected[other]


# --- attack1, finding 6: parameter references in words ------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_payroll_run_names_its_parameters_in_words(world: Any, language: str) -> None:
    """The 参数 column of /staff/unemployment/payroll/<month>/ reads "陕西省 2026 年参数（第 1
    版）" or "Shaanxi 2026 parameters, version 1", never 610000/2026/v1; the API keeps the
    reference and adds its label in the asked-for language."""
    from onestop.unemployment.tests.test_filing import granted, pay

    granted(world)
    pay(world, 202611)
    staff = browser(world.rita)
    page = read(staff, "/staff/unemployment/payroll/2026-11/", language)
    lines = page[page.index('id="medical-lines"') :]
    assert "610000/" not in lines
    english = "Shaanxi 2026 parameters, version 1"
    if language == "en":
        assert english in lines and "年参数" not in lines
    else:
        assert "2026 年参数（第 1 版）" in lines and english not in lines
    [line] = staff.get(
        "/api/v1/unemployment/payroll/runs/2026-11/medical", headers={"accept-language": language}
    ).json()
    assert line["parameters"].startswith("610000/2026/")
    assert ("2026 年参数" in line["parameters_label"]) == (language != "en")
    assert (english in line["parameters_label"]) == (language == "en")


def test_a_case_workers_reasons_reach_the_applicant_as_written(world: Any) -> None:
    """rita rejects with reasons she writes in Chinese, with a name in Latin letters: both
    messages carry them whole, as written (a person's text is never cut at its last
    Chinese character)."""
    from onestop.applications import services as applications
    from onestop.reviews.tests.test_reviews import ANSWERS

    filed = applications.application_submit(
        actor=world.alice.user, item_code="SX-SI-006", applicant=world.alice, answers=ANSWERS
    )
    case = applications.application_act(
        actor=world.carol, application=filed.application, task="accept", decision="accept"
    )
    applications.application_act(
        actor=world.rita,
        application=case,
        task="review",
        decision="reject",
        note="缴费不足，请联系 Zhang Wei",
    )
    notice = Notification.objects.get(event="applications.rejected")
    assert "缴费不足，请联系 Zhang Wei" in notice.body_zh
    assert "缴费不足，请联系 Zhang Wei" in notice.body_en
