"""SX-EMP-001 and SX-SI-009 filed as cases through their own processes; the benefit's
monthly payroll; the stop on re-employment with overpayments recovered."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from onestop.applications import services as applications
from onestop.applications.models import Application, Status, Step
from onestop.audit.models import Entry
from onestop.common.errors import NotPermitted, ServiceError
from onestop.contributions import services as contributions
from onestop.contributions.models import Bill
from onestop.contributions.services import DeclaredRow
from onestop.identity.models import User
from onestop.notifications.models import Notification
from onestop.unemployment import benefits
from onestop.unemployment.models import (
    BenefitPayment,
    BenefitPayrollRun,
    UnemploymentBenefit,
    UnemploymentRegistration,
)
from onestop.unemployment.services import registrations_close_on_reemployment

pytestmark = pytest.mark.django_db

ENDED_BY_EMPLOYER = "contract ended by the employer"
MONTHS = [202501 + i for i in range(12)] + [202601]
ACCOUNT = "6222020200112233446"


@contextmanager
def in_month(period: int) -> Iterator[None]:
    """The clock on the 20th of ``period`` (a payroll is prepared a month ahead at most; an
    event is recorded once it has happened)."""
    when = dt.datetime(
        period // 100, period % 100, 20, 10, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")
    )
    with time_machine.travel(when, tick=False):
        yield


def pay(world: Any, period: int) -> Any:
    with in_month(period):
        return benefits.payroll_run(actor=world.rita, period=period)


def browser(user: User) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.cookies["csrftoken"] = _get_new_csrf_string()
    client.defaults["HTTP_X_CSRFTOKEN"] = client.cookies["csrftoken"].value
    return client


def insured(world: Any, months: list[int], *, reason: str = ENDED_BY_EMPLOYER) -> Any:
    """acme insures alice for pension and unemployment in ``months``, every bill paid, then
    bob removes her at the last one for ``reason``."""
    contributions.insurance_register(
        actor=None,
        employer=world.acme,
        insurances=["pension", "unemployment"],
        since_period=months[0],
    )
    employment = contributions.employment_start(
        actor=None,
        employer=world.acme,
        resident_id=world.alice.resident_id,
        start_period=months[0],
        wage=Decimal("6000"),
    )
    for period in months:
        assert contributions.declaration_submit(
            actor=None,
            employer=world.acme,
            period=period,
            rows=[DeclaredRow(2, world.alice.resident_id, "6000")],
        ).accepted
    for bill in Bill.objects.filter(period__in=months):
        contributions.payment_record(
            actor=None,
            external_id=f"TAX-{bill.pk}",
            bill=bill,
            amount=bill.amount_due,
            paid_on=bill.due_date,
        )
    if reason:
        contributions.employment_end(
            actor=world.bob.user, employment=employment, end_period=months[-1], reason=reason
        )
    return employment


def register_online(world: Any) -> Any:
    return browser(world.alice.user).post(
        "/api/v1/applications",
        {"item_code": "SX-EMP-001", "answers": {"seeking_work": True}},
        content_type="application/json",
    )


# --- SX-EMP-001 ------------------------------------------------------------------------------


def test_registration_filed_online_is_decided_at_once(world: Any) -> None:
    """alice, removed by bob for "contract ended by the employer", files SX-EMP-001 through
    the API: approved at once, the registration names acme's end month and the separation."""
    insured(world, MONTHS)
    answer = register_online(world)
    assert answer.status_code == 201, answer.content
    assert answer.json()["status"] == "approved"
    case = Application.objects.get(number=answer.json()["number"])
    assert case.facts["registrable"] is True
    assert case.facts["last_employment_end"] == "2026-01"
    registration = UnemploymentRegistration.objects.get(person=world.alice)
    assert (registration.period, registration.separation, registration.channel) == (
        202611,
        "ended_by_employer",
        "api",
    )
    assert Entry.objects.filter(action="unemployment.registered").count() == 1
    assert Entry.objects.filter(action="applications.decide.approve").count() == 1


def test_registration_at_the_counter(world: Any) -> None:
    insured(world, MONTHS)
    case = applications.application_submit(
        actor=world.carol,
        item_code="SX-EMP-001",
        applicant=world.alice,
        answers={"seeking_work": True},
        channel="counter",
        consent=True,
    ).application
    assert case.status == Status.APPROVED
    assert UnemploymentRegistration.objects.get().created_by == "carol"


def test_registration_refused_while_employed_with_the_reason(world: Any) -> None:
    """An open employment on record: refused at once, the reason in both languages, no
    registration."""
    insured(world, MONTHS, reason="")
    answer = register_online(world)
    assert answer.status_code == 201, answer.content
    case = Application.objects.get(number=answer.json()["number"])
    assert case.status == Status.REJECTED
    step = Step.objects.get(application=case, action="reject")
    # Kept in each language apart.
    assert "请先由用人单位办理减员" in step.note and "the employer" not in step.note
    assert "the employer has to remove you first" in step.note_en
    assert not UnemploymentRegistration.objects.exists()
    assert not Entry.objects.filter(action="unemployment.registered").exists()


def test_registration_form_needs_the_job_seeking_answer(world: Any) -> None:
    answer = browser(world.alice.user).post(
        "/api/v1/applications",
        {"item_code": "SX-EMP-001", "answers": {}},
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert not Application.objects.exists()


def test_mallory_may_not_register_alice_at_a_counter(world: Any) -> None:
    with pytest.raises(NotPermitted):
        applications.application_submit(
            actor=world.mallory,
            item_code="SX-EMP-001",
            applicant=world.alice,
            answers={"seeking_work": True},
            channel="counter",
            consent=True,
        )
    assert not Application.objects.exists()


# --- SX-SI-009 -------------------------------------------------------------------------------


def claim(world: Any) -> Application:
    return applications.application_submit(
        actor=world.alice.user,
        item_code="SX-SI-009",
        applicant=world.alice,
        answers={"bank_account": ACCOUNT},
    ).application


def granted(world: Any) -> UnemploymentBenefit:
    insured(world, MONTHS)
    assert register_online(world).status_code == 201
    case = claim(world)
    applications.application_act(
        actor=world.carol, application=case, task="review", decision="approve"
    )
    return UnemploymentBenefit.objects.get()


def test_benefit_assessed_reviewed_and_approved(world: Any) -> None:
    """13 paid months, ended by the employer: the case worker sees eligibility, 12 months of
    1944.00 with their sources; approval opens the benefit from 2026-11, journaled."""
    insured(world, MONTHS)
    register_online(world)
    case = claim(world)
    assert case.status == Status.SUBMITTED
    assert [r[:2] for r in case.ready] == [["review", "case_worker"]]
    facts = case.facts["unemployment"]
    assert (facts["eligible"], facts["months"], facts["monthly_amount"]) == (True, 12, "1944.00")
    sources = {line[4] for line in facts["explanation"]}
    assert "D10 art. 17; D11 art. 46" in sources
    page = browser(world.carol).get(f"/applications/{case.number}/")
    assert page.status_code == 200
    assert b'id="unemployment-lines"' in page.content and b"1944.00" in page.content
    shown = page.content.decode()
    assert "《失业保险条例》第17条" in shown and "非因本人意愿" in shown
    assert "INVOLUNTARY" not in shown
    applications.application_act(
        actor=world.carol, application=case, task="review", decision="approve"
    )
    benefit = UnemploymentBenefit.objects.get()
    assert (
        benefit.start_period,
        benefit.months,
        benefit.end_period,
        benefit.monthly_amount,
        benefit.case_number,
    ) == (202611, 12, 202710, Decimal("1944.00"), case.number)
    entry = Entry.objects.get(action="unemployment.benefit_granted")
    assert entry.changes["months"] == 12
    assert Notification.objects.filter(
        recipient=world.alice.user, event="unemployment.benefit_granted"
    ).exists()


@pytest.mark.parametrize(
    ("months", "reason", "code"),
    [
        (MONTHS, "resigned", "不属于非因本人意愿中断就业"),
        (MONTHS[:6], ENDED_BY_EMPLOYER, "less than one year"),
    ],
)
def test_benefit_refused_by_the_rules_at_once(
    world: Any, months: list[int], reason: str, code: str
) -> None:
    """A voluntary quit, or under one year: refused at once with the reasons, no benefit."""
    insured(world, months, reason=reason)
    register_online(world)
    case = claim(world)
    assert case.status == Status.REJECTED
    step = Step.objects.get(application=case, action="reject")
    # Each language kept apart: the Chinese reason in ``note``, the English in ``note_en``.
    assert code in (step.note_en if code.isascii() else step.note)
    assert not UnemploymentBenefit.objects.exists()


def test_benefit_refused_without_a_registration(world: Any) -> None:
    insured(world, MONTHS)
    case = claim(world)
    assert case.status == Status.REJECTED
    assert "register first" in Step.objects.get(application=case, action="reject").note_en


def test_a_benefit_is_granted_once_per_registration(world: Any) -> None:
    """A second claim for the same registration is not filed at all: the pre-check blocks
    it naming the first case (page, API and counter all go through it)."""
    benefit = granted(world)
    filed = Application.objects.count()
    with pytest.raises(ServiceError) as refused:
        claim(world)
    assert benefit.case_number in refused.value.zh and benefit.case_number in refused.value.en
    assert Application.objects.count() == filed
    assert UnemploymentBenefit.objects.count() == 1
    shown = browser(world.alice.user).get("/api/v1/applications/precheck?item_code=SX-SI-009")
    assert shown.json()["eligible"] is False


# --- payroll and stop ------------------------------------------------------------------------


def test_payroll_pays_each_month_once(world: Any) -> None:
    """Two months paid; a month run twice pays once; a past month before the start is
    refused (nobody is owed it)."""
    benefit = granted(world)
    with pytest.raises(ServiceError) as before_any:
        benefits.payroll_run(actor=world.rita, period=202610)
    assert before_any.value.code == "period_before_benefits"
    first = benefits.payroll_run(actor=world.rita, period=202611)
    again = benefits.payroll_run(actor=world.rita, period=202611)
    second = benefits.payroll_run(actor=world.rita, period=202612)
    assert again.pk == first.pk
    assert (first.count, first.total, second.count) == (1, Decimal("1944.00"), 1)
    assert list(benefit.payments.values_list("period", "kind", "amount")) == [
        (202611, "regular", Decimal("1944.00")),
        (202612, "regular", Decimal("1944.00")),
    ]
    assert Entry.objects.filter(action="unemployment.payroll.run").count() == 2
    with pytest.raises(NotPermitted):
        benefits.payroll_run(actor=world.carol, period=202701)
    with pytest.raises(ServiceError):
        benefits.payroll_run(actor=world.rita, period=202613)
    assert BenefitPayrollRun.objects.count() == 2


def test_reemployment_stops_it_from_the_next_month_and_recovers(world: Any) -> None:
    """bob re-hires alice from 2026-12 after the 2027-01 payroll ran: 2026-12 is still paid,
    2027-01 is recovered, the benefit ends with 10 unused months carried over."""
    benefit = granted(world)
    for period in (202611, 202612, 202701):
        pay(world, period)
    contributions.employment_start(
        actor=world.bob.user,
        employer=world.acme,
        resident_id=world.alice.resident_id,
        start_period=202612,
        wage=Decimal("6000"),
    )
    assert registrations_close_on_reemployment() == 1
    benefit.refresh_from_db()
    assert (benefit.status, benefit.end_period, benefit.stop_reason) == (
        "stopped",
        202612,
        "reemployed",
    )
    assert benefit.carried_out_months == 10
    recovery = BenefitPayment.objects.get(kind="recovery")
    assert (recovery.period, recovery.amount) == (202701, Decimal("-1944.00"))
    assert pay(world, 202702).count == 0
    assert Entry.objects.filter(action="unemployment.benefit_stopped").count() == 1
    assert registrations_close_on_reemployment() == 0  # idempotent
    assert BenefitPayment.objects.filter(kind="recovery").count() == 1


# --- pages and API ---------------------------------------------------------------------------


def test_payroll_page_and_api_pay_a_month_once(world: Any) -> None:
    """rita runs 2026-11 on the page and 2026-12 twice through the API: one line a month;
    a malformed month is a 400 in both languages and pays nothing."""
    benefit = granted(world)
    client = browser(world.rita)
    assert client.post("/staff/unemployment/payroll/", {"period": "2026-11"}).status_code == 302
    for _ in range(2):
        answer = client.post(
            "/api/v1/unemployment/payroll/runs",
            {"period": "2026-12"},
            content_type="application/json",
        )
        assert answer.status_code == 201, answer.content
        assert answer.json() == {
            "period": "2026-12",
            "count": 1,
            "total": "1944.00",
            "created_by": "rita",
            # The medical insurance paid on alice's behalf, waiting for its delivery.
            "medical": {
                "count": 1,
                "total": "260.00",
                "status": "pending",
                "status_label": "待发送",
                "attempts": 0,
                "acknowledgement": "",
                "last_error": "",
                "delivered_at": None,
            },
        }
    bad = client.post(
        "/api/v1/unemployment/payroll/runs", {"period": "2026-13"}, content_type="application/json"
    )
    assert bad.status_code == 400 and "2026-12" in bad.json()["message_en"]
    assert benefit.payments.count() == 2
    page = client.get("/staff/unemployment/payroll/")
    assert b"2026-12" in page.content and b"1944.00" in page.content
    mine = browser(world.alice.user)
    listed = mine.get("/api/v1/me/unemployment").json()
    assert [p["month"] for p in listed["benefits"][0]["payments"]] == ["2026-11", "2026-12"]
    assert listed["registrations"][0]["separation"] == "ended_by_employer"
    shown = mine.get("/me/unemployment/").content.decode()
    assert "1944.00" in shown and "平台暂无您的在职记录" in shown


def test_a_refused_job_offer_recorded_stops_the_benefit(world: Any) -> None:
    """carol records that alice refused a suitable job offer in 2026-12, after the 2027-01
    payroll ran: stopped from 2027-01, that month recovered, nothing carried over."""
    benefit = granted(world)
    for period in (202611, 202612, 202701):
        pay(world, period)
    with in_month(202701):
        answer = browser(world.carol).post(
            f"/api/v1/unemployment/benefits/{benefit.pk}/stop",
            {"reason": "refused_job", "month": "2026-12"},
            content_type="application/json",
        )
    assert answer.status_code == 200, answer.content
    out = answer.json()["benefit"]
    assert (out["status"], out["last_month"], out["stop_reason"], out["carried_out_months"]) == (
        "stopped",
        "2026-12",
        "refused_job",
        0,
    )
    # A recovery is owed back, not paid into an account.
    assert out["payments"][-1] == {
        "month": "2027-01",
        "kind": "recovery",
        "kind_label": "待追回多发金额",
        "amount": "-1944.00",
        "bank_account": "",
    }
    with in_month(202701):
        again = browser(world.carol).post(
            f"/api/v1/unemployment/benefits/{benefit.pk}/stop",
            {"reason": "refused_job", "month": "2026-12"},
            content_type="application/json",
        )
    assert again.status_code == 400 and again.json()["code"] == "stopped"


def test_a_stop_recorded_on_the_staff_page(world: Any) -> None:
    """carol sees alice masked on the benefits page and records a refused job offer there."""
    benefit = granted(world)
    client = browser(world.carol)
    listed = client.get("/staff/unemployment/").content.decode()
    assert "李**" in listed and world.alice.resident_id not in listed
    with in_month(202612):
        answer = browser(world.carol).post(
            f"/staff/unemployment/{benefit.pk}/stop/",
            {"reason": "refused_job", "month": "2026-12"},
            follow=True,
        )
    assert "最后发放月份为 2026-12" in answer.content.decode()
    benefit.refresh_from_db()
    assert (benefit.status, benefit.end_period) == ("stopped", 202612)
    bad = client.post(f"/staff/unemployment/{benefit.pk}/stop/", {"reason": "x", "month": "x"})
    assert bad.status_code == 302


def test_only_a_case_worker_in_scope_records_a_stop(world: Any) -> None:
    benefit = granted(world)
    before = Entry.objects.count()
    with pytest.raises(NotPermitted):
        benefits.benefit_stop_recorded(
            actor=world.alice.user, benefit=benefit, reason="refused_job", event_period=202612
        )
    with pytest.raises(ServiceError) as caught:
        benefits.benefit_stop_recorded(
            actor=world.carol, benefit=benefit, reason="reemployed", event_period=202611
        )
    assert caught.value.code == "reason"
    benefit.refresh_from_db()
    assert (benefit.status, Entry.objects.count()) == ("active", before)


# --- the daily comparison: pension, death, prison ----------------------------------------------


def test_a_pension_stops_the_benefit_before_its_first_month(world: Any) -> None:
    from onestop.pensions.models import Pensioner
    from onestop.unemployment.tasks import reemployment_check_task

    benefit = granted(world)
    Pensioner.objects.create(
        person=world.alice,
        case_number="SXPENSION",
        region=world.alice.region,
        retirement_month="2027-02",
        start_index=2027 * 12 + 2,  # paid from 2027-03
        monthly_amount=Decimal("3000.00"),
        award={},
    )
    reemployment_check_task.delay()
    benefit.refresh_from_db()
    assert (benefit.status, benefit.stop_reason, benefit.end_period) == (
        "stopped",
        "pension",
        202702,
    )
    assert benefit.carried_out_months == 0


@pytest.mark.parametrize(
    ("resource", "record", "reason", "end", "recovered"),
    [
        ("civil_affairs.deaths", {"date": "2026-12-09"}, "died", 202612, 1),
        ("public_security.imprisonment", {"from": "2026-11-20"}, "imprisoned", 202611, 2),
    ],
)
def test_death_or_prison_on_record_stops_the_benefit(
    world: Any,
    monkeypatch: pytest.MonkeyPatch,
    resource: str,
    record: dict[str, str],
    reason: str,
    end: int,
    recovered: int,
) -> None:
    """The registries through the gateway: the event's month is paid, later months recovered."""
    import datetime as dt

    from onestop.exchange import licences

    benefit = granted(world)
    for period in (202611, 202612, 202701):
        pay(world, period)

    def lookup(**kwargs: Any) -> dict[str, str] | None:
        return record if kwargs["resource_code"] == resource else None

    monkeypatch.setattr(licences, "registry_lookup", lookup)
    found = benefits.benefits_compare(today=dt.date(2027, 1, 10))
    assert found[reason] == 1
    benefit.refresh_from_db()
    assert (benefit.status, benefit.stop_reason, benefit.end_period) == ("stopped", reason, end)
    recovery = BenefitPayment.objects.get(kind="recovery")
    assert recovery.amount == -Decimal("1944.00") * recovered
    assert benefits.benefits_compare(today=dt.date(2027, 1, 10))["checked"] == 0


def test_a_later_spell_carries_the_unused_months_over(world: Any) -> None:
    """Re-employed after two months paid, alice keeps 10 months (D10 art. 17); removed again
    with no new year of contributions, her new claim is the 10 carried months alone."""
    granted(world)
    for period in (202611, 202612):
        pay(world, period)
    job = contributions.employment_start(
        actor=world.bob.user,
        employer=world.acme,
        resident_id=world.alice.resident_id,
        start_period=202612,
        wage=Decimal("6000"),
    )
    registrations_close_on_reemployment()
    contributions.employment_end(
        actor=world.bob.user, employment=job, end_period=202612, reason=ENDED_BY_EMPLOYER
    )
    assert register_online(world).status_code == 201
    case = claim(world)
    facts = case.facts["unemployment"]
    assert (facts["earned_months"], facts["carried_months"], facts["months"]) == (0, 10, 10)
    applications.application_act(
        actor=world.carol, application=case, task="review", decision="approve"
    )
    latest = UnemploymentBenefit.objects.order_by("-pk").first()
    assert latest is not None and (latest.months, latest.carried_in_months) == (10, 10)


def test_the_form_says_what_the_record_gives_before_filing(world: Any) -> None:
    """The pre-check: unregistered, then 12 months of 1944.00 once registered; nothing
    blocks (a refusal is a decision the person may contest)."""
    insured(world, MONTHS)
    client = browser(world.alice.user)
    before = client.get("/api/v1/applications/precheck?item_code=SX-SI-009").json()
    assert (before["eligible"], [n["code"] for n in before["notes"]]) == (True, ["unregistered"])
    register_online(world)
    after = client.get("/api/v1/applications/precheck?item_code=SX-SI-009").json()
    assert [n["code"] for n in after["notes"]] == ["assessed"]
    assert "12 months of 1944.00" in after["notes"][0]["message_en"]
    page = client.get("/services/SX-SI-009/apply/").content.decode()
    assert "每月1944.00元" in page


def test_employment_registration_comes_with_the_employers_addition(world: Any) -> None:
    insured(world, MONTHS, reason="")
    shown = browser(world.alice.user).get("/me/unemployment/").content.decode()
    assert f"自 2025-01 起在{world.acme.name}就业" in shown


def test_no_payroll_far_ahead_and_a_late_grant_is_paid_back(world: Any) -> None:
    """A month beyond next is refused (never paid in advance); a benefit granted after its
    first month's payroll ran gets that month in the next run, under its own month."""
    with pytest.raises(ServiceError) as ahead:
        benefits.payroll_run(actor=world.rita, period=202701)  # on 2026-11-26
    assert ahead.value.code == "period_ahead" and "2026-12" in ahead.value.en
    assert benefits.payroll_run(actor=world.rita, period=202611).count == 0  # nobody yet
    benefit = granted(world)  # from 2026-11, granted after that payroll
    second = benefits.payroll_run(actor=world.rita, period=202612)
    assert (second.count, second.total) == (2, Decimal("3888.00"))
    assert sorted(benefit.payments.values_list("period", "amount")) == [
        (202611, Decimal("1944.00")),
        (202612, Decimal("1944.00")),
    ]
    assert pay(world, 202701).count == 1  # nothing paid twice


def test_a_stop_month_outside_the_benefit_is_refused(world: Any) -> None:
    benefit = granted(world)
    for month in (202001, 202701):
        with pytest.raises(ServiceError) as refused:
            benefits.benefit_stop_recorded(
                actor=world.carol, benefit=benefit, reason="refused_job", event_period=month
            )
        assert refused.value.code == "event_month"
    benefit.refresh_from_db()
    assert benefit.status == "active"


def test_flexible_employment_ends_the_registration_and_stops_the_benefit(world: Any) -> None:
    """alice registers as an individual payer (flexible employment) from 2026-12 while
    drawing the benefit: the daily comparison treats it as re-employment, 2026-12 is still
    paid, nothing after."""
    from onestop.contributions.models import IndividualPayer

    benefit = granted(world)
    IndividualPayer.objects.create(
        person=world.alice, frequency="quarterly", start_period=202612, case_number="x"
    )
    assert registrations_close_on_reemployment() == 1
    benefit.refresh_from_db()
    assert (benefit.status, benefit.end_period, benefit.stop_reason) == (
        "stopped",
        202612,
        "reemployed",
    )


@pytest.mark.parametrize(
    ("language", "labels"),
    [
        (
            "zh-hans",
            (
                "已办理失业登记",
                "用人单位解除劳动合同",
                "停发",
                "无正当理由拒不接受介绍的适当工作或培训",
            ),
        ),
        (
            "en",
            (
                "registered as unemployed",
                "contract ended by the employer",
                "stopped",
                "refused suitable work or training without good reason",
            ),
        ),
    ],
)
def test_the_api_labels_its_codes_in_the_request_language(
    world: Any, language: str, labels: tuple[str, str, str, str]
) -> None:
    """alice's registrations and benefits through the API: every status, reason and kind
    keeps its code and has its label in the language asked for; the stop's outcome too."""
    benefit = granted(world)
    for period in (202611, 202612, 202701):
        pay(world, period)
    asked = {"Accept-Language": language}
    with in_month(202701):
        stopped = browser(world.carol).post(
            f"/api/v1/unemployment/benefits/{benefit.pk}/stop",
            {"reason": "refused_job", "month": "2026-12"},
            content_type="application/json",
            headers=asked,
        )
    assert stopped.status_code == 200, stopped.content
    outcome = stopped.json()
    assert outcome["outcome"] == outcome["outcome_zh" if language == "zh-hans" else "outcome_en"]
    mine = browser(world.alice.user).get("/api/v1/me/unemployment", headers=asked).json()
    registered, separation, status, reason = labels
    (registration,) = mine["registrations"]
    assert (registration["status"], registration["status_label"]) == ("registered", registered)
    assert (registration["separation"], registration["separation_label"]) == (
        "ended_by_employer",
        separation,
    )
    assert registration["end_reason"] == registration["end_reason_label"] == ""
    (shown,) = mine["benefits"]
    assert (shown["status"], shown["status_label"]) == ("stopped", status)
    assert (shown["stop_reason"], shown["stop_reason_label"]) == ("refused_job", reason)
    kinds = {(p["kind"], p["kind_label"]) for p in shown["payments"]}
    assert {kind for kind, _ in kinds} == {"regular", "recovery"}
    assert all(label and label != kind for kind, label in kinds)
    for line in shown["medical_contributions"]:
        assert line["status_label"] and line["status_label"] != line["status"]
