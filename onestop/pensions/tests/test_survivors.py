"""Survivors' benefits opened by a confirmed death: the amounts from the record, the
person who registered the death told and their form filled in, one claim through SX-SI-008
with the inherited account leaving the ledger, and staff seeing only their scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from onestop.applications import services as applications
from onestop.applications.models import Application
from onestop.applications.prefill import prefill
from onestop.audit.models import Entry
from onestop.catalogue import selectors as catalogue
from onestop.common.errors import ServiceError
from onestop.contributions.models import LedgerEntry
from onestop.contributions.selectors import ledger_verify
from onestop.identity import services as identity
from onestop.identity.masking import mask_name, mask_resident_id
from onestop.identity.models import StaffRole
from onestop.notifications.models import Notification
from onestop.parameters.models import ProvinceParameters
from onestop.parameters.services import province_parameters_publish
from onestop.pensions import services
from onestop.pensions.models import SurvivorBenefit

pytestmark = pytest.mark.django_db


#: alice's post is not on record: the reviewer establishes it to approve her retirement (any
#: month she files is past the statutory one of either category).
POST_ESTABLISHED = {"post_category": "worker"}

PASSWORD = "Test-Passw0rd!"


def died(world: Any, person: Any, date: str, declarant: Any = None) -> str:
    data = {"date": date, "certificate_no": "SW1"}
    if declarant is not None:
        data["declarant_resident_id"] = declarant.resident_id
    return services.death_event(
        {"subject": person.resident_id, "source": "civil_affairs", "data": data}
    )


def claim(world: Any, claimant: Any, deceased: Any, *, counter: bool = False) -> Application:
    """File SX-SI-008 (online, or at carol's counter) and take it through acceptance and
    the joint review."""

    def staff(name: str, agency: str) -> Any:
        return identity.staff_create(
            actor=None,
            username=name,
            display_name=name,
            password=PASSWORD,
            agency=world.agencies[agency],
            role=StaffRole.CASE_WORKER,
            region=world.regions["610000"],
        )

    case = applications.application_submit(
        actor=world.carol if counter else claimant.user,
        item_code="SX-SI-008",
        applicant=claimant,
        answers={"deceased_resident_id": deceased.resident_id, "relation": "child"},
        channel="counter" if counter else "online",
        consent=counter,
    ).application
    case = applications.application_act(
        actor=world.carol, application=case, task="accept", decision="accept"
    )
    if "survivor" not in case.facts:
        return case
    applications.material_upload(
        actor=claimant.user,
        application=case,
        name="亲属关系证明",
        file_name="kinship.pdf",
        data=b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n",
    )
    civil = staff(f"ca{case.pk}", "610000-civil_affairs")
    medical = staff(f"mi{case.pk}", "610000-medical_insurance")
    case = applications.application_act(
        actor=civil, application=case, task="civil_affairs_review", decision="confirm"
    )
    case = applications.application_act(
        actor=medical, application=case, task="medical_insurance_review", decision="confirm"
    )
    return applications.application_act(
        actor=world.carol, application=case, task="hrss_review", decision="confirm"
    )


def test_a_pensioners_death_opens_the_benefits_and_the_survivor_claims_once(
    retired: Any,
) -> None:
    outcome = died(retired, retired.alice, "2026-11-10", declarant=retired.bob)
    assert outcome == "stopped from 2026-12; to recover 0.00; survivors' benefits opened"
    benefit = SurvivorBenefit.objects.get()
    # By hand: the 2025 income (the year before the death) 3900.00; funeral grant 2 x 3900.00
    # = 7800.00; 180 months = 15 years -> 15 months (within 6 to 24): 58500.00. Account:
    # 74469.31 at retirement less 515.36 a month for 21 months paid (2025-03 to 2026-11):
    # 63646.75. Total 129946.75.
    facts = benefit.facts
    assert (facts["funeral_grant"], facts["survivor_months"], facts["survivor_benefit"]) == (
        "7800.00",
        15,
        "58500.00",
    )
    assert (facts["account"], facts["total"], facts["income_year"]) == (
        "63646.75",
        "129946.75",
        2025,
    )
    assert (benefit.declarant, benefit.status, benefit.region) == (
        retired.bob,
        "open",
        retired.alice.region,
    )
    # Told: the person who registered the death, and the county's case workers.
    invited = Notification.objects.get(event="pensions.survivors_invited")
    assert invited.recipient == retired.bob.user and "129946.75" in invited.body_zh
    assert Notification.objects.filter(
        event="pensions.survivors_opened", recipient=retired.carol
    ).exists()
    assert not Notification.objects.filter(
        event="pensions.survivors_opened", recipient=retired.mallory
    ).exists()
    # A second report of the same death opens nothing more.
    died(retired, retired.alice, "2026-11-10", declarant=retired.bob)
    assert SurvivorBenefit.objects.count() == 1
    assert Notification.objects.filter(event="pensions.survivors_invited").count() == 1
    # bob's claim form names the deceased already.
    item = catalogue.item_get(code="SX-SI-008")
    assert prefill(person=retired.bob, item=item)["deceased_resident_id"] == (
        retired.alice.resident_id
    )
    case = claim(retired, retired.bob, retired.alice)
    assert case.facts["survivor"]["total"] == "129946.75"
    page = Client()
    page.force_login(retired.rita)
    html = page.get(f"/applications/{case.number}/").content.decode()
    assert 'id="survivor-total">129946.75<' in html
    case = applications.application_act(
        actor=retired.rita, application=case, task="decide", decision="approve"
    )
    benefit.refresh_from_db()
    assert (benefit.status, benefit.case_number, benefit.claimant) == (
        "claimed",
        case.number,
        retired.bob,
    )
    inherited = LedgerEntry.objects.get(kind="inherited")
    assert (inherited.amount, inherited.period, inherited.account) == (
        Decimal("-63646.75"),
        202611,
        True,
    )
    assert ledger_verify() == []
    assert Entry.objects.filter(action="pensions.survivors_claimed").count() == 1
    # Nobody claims twice: the next case is told, and cannot be approved.
    again = claim(retired, retired.bob, retired.alice)
    assert "Claimed by" in again.facts["survivor_error"]
    with pytest.raises(ServiceError):
        _approve_after_reviews(retired, again)
    assert LedgerEntry.objects.filter(kind="inherited").count() == 1


def test_an_insured_workers_death_counts_the_account_with_interest(insured: Any) -> None:
    assert died(insured, insured.alice, "2025-06-15").endswith("survivors' benefits opened")
    facts = SurvivorBenefit.objects.get().facts
    # 2024 income 3760.00: funeral 7520.00, 15 months 56400.00. Account: the ledger's
    # 74352.00 with 2024's 101.47 and 2025 to June: 7253.47 x 2.62% x 6/12 = 95.02.
    assert (facts["funeral_grant"], facts["survivor_benefit"], facts["account"]) == (
        "7520.00",
        "56400.00",
        "74548.49",
    )
    assert facts["total"] == "138468.49"
    assert not Notification.objects.filter(event="pensions.survivors_invited").exists()
    # Someone the platform never insured opens nothing.
    assert died(insured, insured.dave, "2025-06-15") == "no pensioner"


def test_unpublished_income_is_stated_and_the_claim_computes_it_once_published(
    insured: Any,
) -> None:
    ProvinceParameters.objects.filter(province="610000", year=2025).update(
        residents_monthly_income=None
    )
    died(insured, insured.alice, "2026-03-01", declarant=insured.bob)
    benefit = SurvivorBenefit.objects.get()
    assert "2025" in benefit.facts["error"]
    page = Client()
    page.force_login(insured.carol)
    assert "2025" in page.get("/staff/survivors/").content.decode()
    province_parameters_publish(
        actor=None,
        province="610000",
        year=2025,
        values={"residents_monthly_income": Decimal("3900.00")},
        sources="test: published income",
    )
    case = claim(insured, insured.bob, insured.alice)
    assert case.facts["survivor"]["funeral_grant"] == "7800.00"
    benefit.refresh_from_db()
    assert "error" not in benefit.facts


def test_a_claim_without_a_known_death_cannot_be_approved(insured: Any) -> None:
    # No registry here, no death known: filed at a counter (online only the declarant).
    case = claim(insured, insured.bob, insured.alice, counter=True)
    assert "survivor_error" in case.facts
    with pytest.raises(ServiceError):
        _approve_after_reviews(insured, case)
    assert not SurvivorBenefit.objects.exists()
    assert not LedgerEntry.objects.filter(kind="inherited").exists()


def _approve_after_reviews(world: Any, case: Application) -> None:
    for task, lane in [(r[0], r[1]) for r in case.ready]:
        if lane == "case_worker":
            actor = world.carol
        else:
            agency = f"610000-{lane}"
            actor = _staff(world, f"{lane[:2]}-{case.pk}", agency)
        case = applications.application_act(actor=actor, application=case, task=task)
    applications.application_act(
        actor=world.rita, application=case, task="decide", decision="approve"
    )


def _staff(world: Any, name: str, agency: str) -> Any:
    return identity.staff_create(
        actor=None,
        username=name,
        display_name=name,
        password=PASSWORD,
        agency=world.agencies[agency],
        role=StaffRole.CASE_WORKER,
        region=world.regions["610000"],
    )


def test_staff_see_the_survivors_of_their_scope_only(insured: Any) -> None:
    died(insured, insured.alice, "2026-11-10")
    carol, mallory = Client(), Client()
    carol.force_login(insured.carol)
    mallory.force_login(insured.mallory)
    page = carol.get("/staff/survivors/").content.decode()
    # Masked as in the queue; in full only on the person's (journaled) page.
    masked = mask_name(insured.alice.name)
    assert insured.alice.name not in page and insured.alice.resident_id not in page
    assert f'<a href="/staff/persons/{insured.alice.pk}/">{masked}</a>' in page
    assert masked not in mallory.get("/staff/survivors/").content.decode()
    api = carol.get("/api/v1/survivors").json()
    assert [(r["person_id"], r["name"], r["status"], r["total"]) for r in api] == [
        (insured.alice.pk, masked, "open", api[0]["total"])
    ]
    assert api[0]["resident_id"] != insured.alice.resident_id
    assert mallory.get("/api/v1/survivors").json() == []
    citizen = Client()
    citizen.force_login(insured.bob.user)
    assert citizen.get("/api/v1/survivors").status_code == 403
    assert dt.date.fromisoformat(api[0]["died_on"]) == dt.date(2026, 11, 10)


def test_a_survivors_case_shows_the_deceaseds_resident_id_masked_to_everyone(
    insured: Any,
) -> None:
    """The deceased's resident ID is masked on the case page for the applicant, the case
    worker and the supervisor alike (first and last four, as the survivors' list); staff who
    may see the deceased get a link to the person page, whose reveal is journaled, and the
    applicant none. Nothing is written by reading."""
    died(insured, insured.alice, "2026-11-10", declarant=insured.bob)
    case = claim(insured, insured.bob, insured.alice)
    full = insured.alice.resident_id
    masked = mask_resident_id(full)
    url = f"/applications/{case.number}/"
    reveals = Entry.objects.filter(action="identity.person.revealed").count()
    for user, link in ((insured.bob.user, False), (insured.carol, True), (insured.sam, True)):
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        for language in ("zh-hans", "en"):
            page = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
            assert full not in page and masked in page, (user, language)
            assert (f'href="/staff/persons/{insured.alice.pk}/"' in page) is link, user
        api = client.get(f"/api/v1/applications/{case.number}")
        assert api.status_code == 200 and full not in api.content.decode()
    assert Entry.objects.filter(action="identity.person.revealed").count() == reveals


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_survivor_lines_read_in_one_language(insured: Any, language: str) -> None:
    """The case's survivor lines name their sources as documents and state their formulas
    in the reader's language: no "ledger", no "MOHRSS" nor "years" in Chinese, no Chinese
    in English; a record stored before the keyed source reads the same."""
    import re

    died(insured, insured.alice, "2025-06-15", declarant=insured.bob)
    case = claim(insured, insured.bob, insured.alice)
    client = Client()
    client.force_login(insured.bob.user)

    def lines() -> str:
        page = client.get(f"/applications/{case.number}/", HTTP_ACCEPT_LANGUAGE=language)
        found = re.search(r'<table id="survivor-lines">(.*?)</table>', page.content.decode(), re.S)
        assert found is not None
        return re.sub(r"<[^>]+>", " ", found.group(1))

    shown = lines()
    if language == "zh-hans":
        assert "人社部发〔2021〕18号" in shown and "按个人账户记账记录计息" in shown
        assert "3760.00 × 15（缴费15年；6至24个月）" in shown
        assert not re.search(r"[A-Za-z]{2,}", shown), shown
    else:
        assert "MOHRSS [2021] 18" in shown and "3760.00 × 15 (15 years of contributions" in shown
        assert not re.search(r"[\u4e00-\u9fff]", shown), shown
    # The lines as stored before the source had its key read the same.
    facts = case.facts["survivor"]
    for line in facts["explanation"]:
        line[4] = line[4].replace("D14;", "MOHRSS [2021] 18;")
    Application.objects.filter(pk=case.pk).update(facts={**case.facts, "survivor": facts})
    assert lines() == shown
