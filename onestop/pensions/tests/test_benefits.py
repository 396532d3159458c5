"""Pension benefits end to end: the award computed from the ledger inside the retirement
process, approval making a pensioner, the monthly payroll (idempotent, with arrears and a
reconciliation), and a reported death stopping payment and recovering what followed it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from onestop.applications import services as applications
from onestop.audit.models import Entry
from onestop.common.errors import NotPermitted, ServiceError
from onestop.contributions import services as contributions
from onestop.pensions import services
from onestop.pensions.models import EntitlementCheck, Payment, PayrollRun, Pensioner
from onestop.pensions.tests.conftest import bring_in, retire
from onestop.rules.values import RuleError

pytestmark = pytest.mark.django_db


#: alice's post is not on record: the reviewer establishes it to approve her retirement (any
#: month she files is past the statutory one of either category).
POST_ESTABLISHED = {"post_category": "worker"}


def test_the_award_matches_a_hand_calculation_from_the_ledger(insured: Any) -> None:
    case = retire(insured)
    award = case.facts["award"]
    # 168 months brought in from Henan at base 5000.00 over Henan's wage 5000.00 and 12 months
    # at 7450.00 over the 2024 average wage 7450.00: Z = 1.0000, 180 months, N = 15 years.
    # Basic: P(2024) 7450.00 * (1 + 1.0) / 2 * 15 * 1% = 1117.50.
    # Account: 12 * 596.00 = 7152.00 contributed in 2024, which the yearly job has not
    # credited: 7152.00 * 2.62% * 1.083 / 2 = 101.47 (D5, annual method); January 2025 with
    # 2024's rate as the provisional one: 7253.47 * 2.62% * 1/12 = 15.84. The 67200.00
    # brought in from Henan after the retirement month carries Henan's interest. 74352.00 +
    # 117.31 = 74469.31 over the divisor at 59y1m, 145 - 6/12 = 144.5 -> 515.358... ->
    # 515.36. Monthly 1117.50 + 515.36 = 1632.86.
    assert (award["contribution_months"], award["average_index"]) == (180, "1.0000")
    assert (award["account_balance"], award["basic"], award["account"]) == (
        "74469.31",
        "1117.50",
        "515.36",
    )
    assert (award["account_ledger"], award["interest_accrued"]) == ("74352.00", "117.31")
    interest = [line for line in award["explanation"] if line[0].endswith("个月）")]
    assert [(line[3], line[4]) for line in interest] == [
        ("101.47", "D5"),
        ("15.84", "D5 临时利率 provisional rate"),
    ]
    assert award["monthly"] == "1632.86" and award["divisor"] == "144.5"
    assert (award["minimum_months"], award["meets_minimum"], award["shortfall"]) == (
        180,
        True,
        None,
    )
    # alice's ID was issued in Shaanxi and her relation is here: Shaanxi pays (D6 rule 1).
    assert award["payer"] == {
        "place": "610000",
        "place_name": "陕西省 Shaanxi",
        "rule": 1,
        "hukou": "610000",
        "hukou_source": "resident_id",  # no household register reachable in this test
    }
    assert any("7450" in " ".join(map(str, line)) for line in award["explanation"])
    assert [line[0] for line in award["explanation"] if line[3] == "168"] == [
        "其中从外省转入的缴费月数（按转出地平均工资计算指数）"
    ]


def test_approval_makes_a_pensioner_paid_from_the_next_month(insured: Any) -> None:
    case = applications.application_act(
        actor=insured.rita,
        application=retire(insured),
        task="review",
        decision="approve",
        established=POST_ESTABLISHED,
    )
    pensioner = Pensioner.objects.get()
    assert (pensioner.person_id, pensioner.case_number, pensioner.monthly_amount) == (
        insured.alice.pk,
        case.number,
        Decimal("1632.86"),
    )
    assert services.month_label(pensioner.start_index) == "2025-03"
    assert pensioner.owed_from_index == services.month_index("2025-03")  # a late award

    run = services.payroll_run(actor=insured.rita, period="2026-11")
    assert (run.count, run.total) == (2, Decimal("1632.86") * 21)
    arrears = Payment.objects.get(kind="arrears")
    assert (arrears.months, arrears.amount) == (20, Decimal("32657.20"))  # 2025-03..2026-10
    assert run.report["joined"] == 1 and run.report["arrears"] == 1
    again = services.payroll_run(actor=insured.rita, period="2026-11")
    assert again.pk == run.pk and Payment.objects.count() == 2  # once per month
    december = services.payroll_run(actor=None, period="2026-12")
    assert (december.count, december.report["previous"], december.report["joined"]) == (
        1,
        "2026-11",
        0,
    )


@pytest.mark.parametrize(
    ("language", "header", "wrong"), [("zh-hans", "补发", "欠费"), ("en", "Back pay", "Arrears")]
)
def test_the_payroll_names_back_pay_owed_to_pensioners_as_such(
    insured: Any, language: str, header: str, wrong: str
) -> None:
    """The column of months paid late to pensioners reads 补发 (back pay), never 欠费 (unpaid
    contributions)."""
    from django.test import Client

    applications.application_act(
        actor=insured.rita,
        application=retire(insured),
        task="review",
        decision="approve",
        established=POST_ESTABLISHED,
    )
    services.payroll_run(actor=insured.rita, period="2026-11")
    client = Client()
    client.force_login(insured.rita)
    page = client.get("/staff/payroll/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'<th scope="col">{header}</th>' in page and wrong not in page
    assert "<td>1 (32657.20)</td>" in page


def test_only_payroll_staff_run_the_payroll(insured: Any) -> None:
    before = Entry.objects.count()
    for actor in (insured.carol, insured.sam, insured.alice.user, insured.adam):
        with pytest.raises(NotPermitted):
            services.payroll_run(actor=actor, period="2026-11")
    assert (PayrollRun.objects.count(), Entry.objects.count()) == (0, before)


def test_a_reported_death_stops_payment_and_recovers_the_rest(retired: Any) -> None:
    services.payroll_run(actor=None, period="2026-12")
    pensioner = Pensioner.objects.get()
    outcome = services.death_event(
        {"subject": retired.alice.resident_id, "data": {"date": "2026-10-15"}, "source": "ca"}
    )
    # Died in October: nothing is due from November; November's and December's pensions are
    # overpaid, and so is nothing of the arrears (they covered months before the death).
    assert outcome == "stopped from 2026-11; to recover 3265.72; survivors' benefits opened"
    pensioner.refresh_from_db()
    assert pensioner.status == "stopped"
    assert Payment.objects.get(kind="recovery").amount == Decimal("-3265.72")
    assert services.death_event({"subject": retired.alice.resident_id, "data": {}}) == (
        "already stopped"
    )
    assert services.payroll_run(actor=None, period="2027-01").count == 0
    assert EntitlementCheck.objects.count() == 1


def test_an_award_that_cannot_be_computed_blocks_approval(world: Any, hub: Any) -> None:
    """alice, her Henan record brought in and never employed here (so 1990-01 comes after
    any covered employment), files for 1990-01: no parameters for 1989, so the award cannot
    be computed and approval is refused."""
    bring_in(world, world.alice, hub)
    case = retire(world, month="1990-01")  # no parameters for 1989
    assert "award" not in case.facts and case.facts["award_error"]
    with pytest.raises(ServiceError) as refused:
        applications.application_act(
            actor=world.rita,
            application=case,
            task="review",
            decision="approve",
            established=POST_ESTABLISHED,
        )
    assert refused.value.code == "award"
    case.refresh_from_db()
    assert case.status == "in_review" and not Pensioner.objects.exists()


def test_arrears_paid_after_a_death_are_recovered_for_the_months_after_it(retired: Any) -> None:
    outcome = services.death_event(
        {"subject": retired.alice.resident_id, "data": {"date": "2026-08-03"}, "source": "ca"}
    )
    # Nothing is due from 2026-09: September, October (in the arrears) and November.
    assert outcome == "stopped from 2026-09; to recover 4898.58; survivors' benefits opened"


def test_the_payment_statement_is_signed(retired: Any) -> None:
    from django.test import Client

    from onestop.exchange import signing
    from onestop.exchange.models import Certificate

    client = Client()
    client.force_login(retired.alice.user)
    assert client.get("/me/pension/statement.pdf").content.startswith(b"%PDF-")
    statement = Certificate.objects.get(kind="pension_statement")
    assert statement.payload["facts"] == {
        "monthly": "1632.86",
        "status": "active",
        "status_zh": "按月发放",
        "status_en": "paid monthly",
        "start_month": "2025-03",
        "paid_12_months": "34290.06",
        "paid_total": "34290.06",
    }
    assert signing.verify(statement.payload, statement.signature)


def test_payment_kinds_and_the_status_read_in_the_pages_language(retired: Any) -> None:
    """alice's pension page and API name each payment's kind and the stopped pension's
    reason in the reader's language only: 补发 and 死亡 in Chinese, never the stored code
    ("arrears") or the journal's bilingual note; arrears and death in English."""
    import re

    from django.test import Client

    from onestop.identity.services import token_create

    services.death_event(
        {"subject": retired.alice.resident_id, "data": {"date": "2026-08-03"}, "source": "ca"}
    )
    client = Client()
    client.force_login(retired.alice.user)
    zh = client.get("/me/pension/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    kinds = re.findall(r"<tr><td>\d{4}-\d{2}</td><td>([^<]+)</td>", zh)
    assert sorted(set(kinds)) == sorted({"补发", "月养老金", "待追回多发金额"})
    assert 'id="pension-status">停发 (死亡)</dd>' in zh
    assert "arrears" not in zh and "death" not in zh
    en = client.get("/me/pension/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert sorted(set(re.findall(r"<tr><td>\d{4}-\d{2}</td><td>([^<]+)</td>", en))) == sorted(
        {"arrears", "monthly pension", "overpayment to recover"}
    )
    assert 'id="pension-status">stopped (death)</dd>' in en and "死亡" not in en
    token = token_create(actor=retired.alice.user, name="app", scopes=["persons:read"], days=30)
    api = (
        Client()
        .get(
            "/api/v1/me/pension",
            HTTP_AUTHORIZATION=f"Bearer {token.secret}",
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
        .json()
    )
    assert {(p["kind"], p["kind_label"]) for p in api["payments"]} == {
        ("regular", "月养老金"),
        ("arrears", "补发"),
        ("recovery", "待追回多发金额"),
    }
    assert (api["pensioner"]["status_label"], api["pensioner"]["reason_label"]) == ("停发", "死亡")


def test_people_due_to_retire_are_told_ahead_once(world: Any) -> None:
    import random

    from onestop.identity import demo
    from onestop.identity import services as identity
    from onestop.notifications.models import Notification

    # A man born 1966-01: 60 years and 4 months (D1), so he retires in 2026-05.
    zhang = identity.person_register(
        actor=None,
        name="张振华",
        resident_id=demo.resident_id(random.Random(9), "610113", dt.date(1966, 1, 15), male=True),
        region=world.regions["610113"],
        phone="13800000009",
        password="Correct-horse-42",
    )
    contributions.insurance_register(
        actor=None, employer=world.acme, insurances=["pension"], since_period=202401
    )
    contributions.employment_start(
        actor=None,
        employer=world.acme,
        resident_id=zhang.resident_id,
        start_period=202401,
        wage=Decimal("6000"),
    )
    assert services.retirement_notices_run(today=dt.date(2026, 1, 20)) == 0  # four months off
    assert services.retirement_notices_run(today=dt.date(2026, 2, 20)) == 1
    assert services.retirement_notices_run(today=dt.date(2026, 3, 20)) == 0  # told already
    mine = Notification.objects.get(recipient=zhang.user)
    assert (mine.event, mine.link) == ("pensions.retirement_due", "/services/SX-SI-006/apply/")
    assert "2026-05" in mine.body_zh
    employer = Notification.objects.get(recipient=world.bob.user)  # acme's representative
    assert employer.event == "pensions.retirement_due_employer" and "张振华" in employer.body_zh


def test_unconfirmed_for_a_year_asks_then_suspends_and_confirming_pays_back(
    retired: Any,
) -> None:
    from django.test import Client

    from onestop.notifications.models import Notification

    Pensioner.objects.update(last_confirmed=dt.date(2025, 10, 1))
    day = dt.date(2026, 11, 25)
    assert services.confirmation_run(today=day) == {"requested": 1, "suspended": 0}
    assert services.confirmation_run(today=day) == {"requested": 0, "suspended": 0}
    assert Notification.objects.filter(event="pensions.confirm").count() == 1
    late = dt.date(2026, 12, 26)
    assert services.confirmation_run(today=late) == {"requested": 0, "suspended": 1}
    pensioner = Pensioner.objects.get()
    assert pensioner.status == "suspended"
    assert services.month_label(pensioner.suspended_from_index or 0) == "2027-01"
    assert services.payroll_run(actor=None, period="2027-01").count == 0
    client = Client()
    client.force_login(retired.alice.user)
    assert client.post("/me/pension/confirm/").status_code == 302
    pensioner.refresh_from_db()
    assert (pensioner.status, services.month_label(pensioner.owed_from_index or 0)) == (
        "active",
        "2027-01",
    )
    february = services.payroll_run(actor=None, period="2027-02")
    arrears = Payment.objects.get(run=february, kind="arrears")
    assert (arrears.months, arrears.amount, february.count) == (1, Decimal("1632.86"), 2)
    # Someone without a pension has nothing to confirm.
    other = Client()
    other.force_login(retired.bob.user)
    assert other.post("/me/pension/confirm/").status_code == 403


def test_the_daily_comparison_confirms_by_settlements_and_stops_at_a_death(
    insured: Any, settings: Any
) -> None:
    import threading
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from onestop.simulators.registries import RegistrySimulator

    class Quiet(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

    registries = RegistrySimulator()
    server = make_server("127.0.0.1", 0, registries, handler_class=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.ONESTOP_REGISTRY_URL = f"http://127.0.0.1:{server.server_port}"
    try:
        applications.application_act(
            actor=insured.rita,
            application=retire(insured),
            task="review",
            decision="approve",
            established=POST_ESTABLISHED,
        )
        Pensioner.objects.update(last_confirmed=dt.date(2025, 1, 1))
        assert services.entitlement_check_run()["confirmed"] == 0  # no sign of life yet
        seen = timezone_today() - dt.timedelta(days=20)
        registries.put(
            "medical_insurance",
            "settlements",
            insured.alice.resident_id,
            {"last_date": seen.isoformat(), "hospital": "西安市第一医院"},
        )
        assert services.entitlement_check_run() == {
            "checked": 1,
            "stopped": 0,
            "suspended": 0,
            "resumed": 0,
            "unavailable": 0,
            "confirmed": 1,
        }
        assert Pensioner.objects.get().last_confirmed == seen
        registries.put(
            "civil_affairs",
            "deaths",
            insured.alice.resident_id,
            {"date": timezone_today().isoformat(), "certificate_no": "SW9"},
        )
        assert services.entitlement_check_run()["stopped"] == 1
        assert Pensioner.objects.get().status == "stopped"
    finally:
        server.shutdown()


def timezone_today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


def test_the_annual_adjustment_is_reviewed_applied_and_reversible_until_paid(
    retired: Any,
) -> None:
    with pytest.raises(NotPermitted):
        services.adjustment_prepare(
            actor=retired.carol, year=2027, percentage=Decimal("0.02"), fixed_amount=Decimal(30)
        )
    with pytest.raises(RuleError):  # 25% is outside the rule's bounds
        services.adjustment_prepare(
            actor=None, year=2027, percentage=Decimal("0.25"), fixed_amount=Decimal(30)
        )
    batch = services.adjustment_prepare(
        actor=retired.rita, year=2027, percentage=Decimal("0.02"), fixed_amount=Decimal(30)
    )
    # 1632.86 * 1.02 + 30 = 1695.521 -> 1695.52, from the next month to be paid.
    assert (batch.count, batch.increase, batch.effective_month) == (1, Decimal("62.66"), "2026-12")
    assert Pensioner.objects.get().monthly_amount == Decimal("1632.86")  # nothing changed yet
    services.adjustment_apply(actor=retired.rita, year=2027)
    assert Pensioner.objects.get().monthly_amount == Decimal("1695.52")
    services.adjustment_reverse(actor=retired.rita, year=2027)
    assert Pensioner.objects.get().monthly_amount == Decimal("1632.86")
    with pytest.raises(ServiceError):  # reversed: not applied any more
        services.adjustment_reverse(actor=retired.rita, year=2027)
    second = services.adjustment_prepare(
        actor=None, year=2028, percentage=Decimal("0.01"), fixed_amount=Decimal(0)
    )
    services.adjustment_apply(actor=None, year=second.year)
    services.payroll_run(actor=None, period="2026-12")  # paid at the new amount
    assert Payment.objects.get(period_index=services.month_index("2026-12")).amount == Decimal(
        "1649.19"
    )
    with pytest.raises(ServiceError):
        services.adjustment_reverse(actor=None, year=2028)


def test_a_prison_term_suspends_recovers_and_release_resumes_without_the_months_inside(
    insured: Any, registry: Any
) -> None:
    from django.test import Client

    applications.application_act(
        actor=insured.rita,
        application=retire(insured),
        task="review",
        decision="approve",
        established=POST_ESTABLISHED,
    )
    november = services.payroll_run(actor=None, period="2026-11")
    assert november.count == 2  # 2026-11 and the arrears from 2025-03
    subject = insured.alice.resident_id
    registry.put("public_security", "imprisonment", subject, {"from": "2026-10-15", "to": ""})
    counts = services.entitlement_check_run(today=dt.date(2026, 11, 24))
    assert (counts["checked"], counts["suspended"], counts["confirmed"]) == (1, 1, 0)
    pensioner = Pensioner.objects.get()
    assert (pensioner.status, pensioner.suspended_by) == ("suspended", "imprisonment")
    assert services.month_label(pensioner.suspended_from_index or 0) == "2026-11"
    # November was paid for a month inside the term: recovered.
    recovery = Payment.objects.get(kind="recovery")
    assert (services.month_label(recovery.period_index), recovery.amount) == (
        "2026-11",
        Decimal("-1632.86"),
    )
    # Checking again changes nothing; a self-service confirmation does not resume it.
    assert services.entitlement_check_run(today=dt.date(2026, 11, 25))["suspended"] == 0
    client = Client()
    client.force_login(insured.alice.user)
    client.post("/me/pension/confirm/")
    assert Pensioner.objects.get().status == "suspended"
    assert services.payroll_run(actor=None, period="2026-12").count == 0
    # Released on 2027-01-10: January is not paid, and before January's payroll ran the
    # pension stays held.
    registry.put(
        "public_security", "imprisonment", subject, {"from": "2026-10-15", "to": "2027-01-10"}
    )
    assert services.entitlement_check_run(today=dt.date(2027, 1, 12))["resumed"] == 0
    assert services.payroll_run(actor=None, period="2027-01").count == 0
    counts = services.entitlement_check_run(today=dt.date(2027, 2, 3))
    assert counts["resumed"] == 1
    pensioner.refresh_from_db()
    assert (pensioner.status, pensioner.suspended_by, pensioner.owed_from_index) == (
        "active",
        "",
        None,
    )
    february = services.payroll_run(actor=None, period="2027-02")
    assert [(p.kind, p.amount) for p in Payment.objects.filter(run=february)] == [
        ("regular", Decimal("1632.86"))
    ]
    assert Payment.objects.filter(kind="recovery").count() == 1
    assert list(
        EntitlementCheck.objects.filter(source="public_security.imprisonment")
        .order_by("at")
        .values_list("outcome", flat=True)
    ) == [
        "suspended from 2026-11; to recover 1632.86",
        "released 2027-01-10; paid again from 2027-02",
    ]
    assert Entry.objects.filter(action="pensions.imprisonment").count() == 2


def test_a_term_served_between_two_checks_is_recovered_once(retired: Any, registry: Any) -> None:
    services.payroll_run(actor=None, period="2026-12")
    registry.put(
        "public_security",
        "imprisonment",
        retired.alice.resident_id,
        {"from": "2026-09-20", "to": "2026-11-05"},
    )
    # Months 2026-10 and 2026-11: October inside the arrears paid in November, November
    # itself. December (after the release month) was due.
    for day in (dt.date(2026, 12, 20), dt.date(2026, 12, 21)):
        services.entitlement_check_run(today=day)
    recovery = Payment.objects.get(kind="recovery")
    assert recovery.amount == Decimal("-3265.72")
    assert Pensioner.objects.get().status == "active"


def test_the_household_register_decides_the_hukou_place_over_the_id(
    insured: Any, registry: Any
) -> None:
    """alice's ID was issued in Shaanxi, but public security registers her household in
    Zhengzhou: her relation is not at the household-registration place, Shaanxi has 12
    months, so the last place with ten years, Henan, pays (D6 rule 3) and approval is
    refused."""
    registry.put(
        "public_security",
        "household",
        insured.alice.resident_id,
        {"name": "alice", "address": "郑州市金水区", "region_code": "410105"},
    )
    award = services.award_from_record(person=insured.alice, retirement_month="2025-02")
    assert award["payer"] == {
        "place": "410000",
        "place_name": "河南省 Henan",
        "rule": 3,
        "hukou": "410000",
        "hukou_source": "public_security.household",
    }
    assert [
        "户籍所在地",
        "Household-registration place",
        "公安户籍信息 household register",
        "河南省 Henan",
        "D6",
    ] in award["explanation"]
    case = retire(insured)
    with pytest.raises(ServiceError):
        applications.application_act(
            actor=insured.rita,
            application=case,
            task="review",
            decision="approve",
            established=POST_ESTABLISHED,
        )
    assert not Pensioner.objects.exists()
    # A register entry without a usable code falls back to the ID.
    registry.put("public_security", "household", insured.alice.resident_id, {"region_code": "99"})
    payer = services.award_from_record(person=insured.alice, retirement_month="2025-02")["payer"]
    assert (payer["place"], payer["hukou_source"]) == ("610000", "resident_id")


def test_the_payroll_reconciliation_names_who_joined_left_and_moved(world: Any) -> None:
    """Three pensioners in November; in December one has died, one's amount was adjusted and
    a fourth was awarded: the report counts each once, against November."""
    import random

    from onestop.identity.demo import resident_id
    from onestop.identity.services import person_register

    rng = random.Random(5)
    region = world.alice.region
    made = []
    for i in range(4):
        person = person_register(
            actor=None,
            name=f"退休{i}",
            resident_id=resident_id(rng, "610113", dt.date(1960, 1 + i, 3), male=True),
            region=region,
        )
        made.append(
            Pensioner.objects.create(
                person=person,
                case_number=f"RC{i}",
                region=region,
                retirement_month="2020-01",
                start_index=services.month_index("2020-02"),
                monthly_amount=Decimal("3000.00"),
                award={},
                status="active" if i < 3 else "stopped",
            )
        )
    november = services.payroll_run(actor=None, period="2026-11")
    assert (november.count, november.report["joined"], november.report["left"]) == (3, 3, 0)
    Pensioner.objects.filter(pk=made[0].pk).update(status="stopped")
    Pensioner.objects.filter(pk=made[1].pk).update(monthly_amount=Decimal("3100.00"))
    Pensioner.objects.filter(pk=made[3].pk).update(status="active")
    december = services.payroll_run(actor=None, period="2026-12")
    assert {k: december.report[k] for k in ("previous", "joined", "left", "changed")} == {
        "previous": "2026-11",
        "joined": 1,
        "left": 1,
        "changed": 1,
    }
    assert (december.report["regular_total"], december.report["previous_total"]) == (
        "9100.00",
        "9000.00",
    )


def test_the_award_explains_each_figure_in_words_in_the_pages_language(insured: Any) -> None:
    """alice's pension page and her retirement case explain the benefit base and the average
    contribution index in words, name where each came from, and name the province of the
    parameters, in the reader's language only: never "as entered" or a region code."""
    import re

    from django.test import Client

    case = retire(insured)
    applications.application_act(
        actor=insured.rita,
        application=case,
        task="review",
        decision="approve",
        established=POST_ESTABLISHED,
    )
    client = Client()
    client.force_login(insured.alice.user)
    for url, table in (
        ("/me/pension/", 'id="award"'),
        (f"/applications/{case.number}/", 'id="award-lines"'),
    ):
        zh = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        en = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        zh, en = (page.split(table, 1)[1].split("</table>", 1)[0] for page in (zh, en))
        assert "即平均缴费指数" in zh and "本人缴费记录" in zh and "即计发基数" in zh
        assert "陕西省" in zh and "录入值" not in zh and "610000" not in zh
        assert "averaged over the years: the average contribution index" in en
        assert "your contribution record" in en and "Shaanxi" in en
        assert "as entered" not in en and "610000" not in en
        assert not re.search(r"[\u4e00-\u9fff]", en), url
