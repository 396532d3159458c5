"""A pension in a real browser: the award computed from alice's ledger is reviewed and
approved, the payroll pays her, and a death reported by civil affairs stops it."""

from __future__ import annotations

import datetime as dt
import json
import random
import secrets
import urllib.request
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD
from onestop.applications import services as applications
from onestop.applications.models import Application
from onestop.contributions import services as contributions
from onestop.contributions.services import DeclaredRow
from onestop.exchange import algorithms, gateway, signing
from onestop.exchange.models import Consumer, ConsumerKind, Resource
from onestop.pensions.models import Pensioner
from tests.e2e.test_applications import decide, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_born_1965_notified_applies_awarded_paid_and_stopped_at_death(
    world: Any, page: Any, live_server: Any
) -> None:
    from onestop.identity import demo
    from onestop.identity import services as identity
    from onestop.pensions import services as pensions
    from onestop.pensions.testing import pay_every_bill, worked_elsewhere

    zhou = identity.person_register(
        actor=None,
        name="周建国",
        resident_id=demo.resident_id(random.Random(1965), "610113", dt.date(1965, 12, 5), True),
        region=world.regions["610113"],
        phone="13800000009",
        password=PASSWORD,
    )
    # Fifteen years in Henan (brought in by a transfer), then acme through 2024, still employed.
    worked_elsewhere(zhou, start="2004-01", months=180, base="4000.00", wage="4000.00")
    contributions.insurance_register(
        actor=None, employer=world.acme, insurances=["pension"], since_period=202401
    )
    contributions.employment_start(
        actor=None,
        employer=world.acme,
        resident_id=zhou.resident_id,
        start_period=202401,
        wage=Decimal("7450"),
    )
    for month in range(1, 13):
        contributions.declaration_submit(
            actor=None,
            employer=world.acme,
            period=202400 + month,
            rows=[DeclaredRow(2, zhou.resident_id, "7450")],
            today=dt.date(2026, 11, 23),
        )
    pay_every_bill()  # only paid months count
    # A man born 1965-12 reached his statutory age (60 and 3 months) in 2026-03 and is still
    # at work: the daily job tells him once that he can apply (or retire later, to 2029-03).
    assert pensions.retirement_notices_run(today=dt.date(2026, 11, 24)) == 1

    sign_in(page, "13800000009")
    page.goto("/me/pension/")  # before applying: his retirement outlook
    assert page.locator("#statutory-month").inner_text() == "2026-03"
    assert page.locator("#outlook-months").inner_text() == "192 + 0"
    expect(page.locator("#shortfall")).to_have_count(0)
    page.goto("/me/inbox/")
    assert "2029-03" in page.locator("main").inner_text()
    page.get_by_role("button", name="您已于 2026-03 达到法定退休年龄").click()  # opens the link
    page.wait_for_url("**/services/SX-SI-006/apply/**")
    # Pre-filled: past his statutory month, the next month (a late retirement).
    month = page.get_by_label("退休月份", exact=True)
    assert month.input_value() == "2026-12"
    page.get_by_label("养老金发放银行账号", exact=True).fill("6222020200112233446")
    page.get_by_role("button", name="继续", exact=True).click()
    page.get_by_role("button", name="提交申请").click()
    sign_out(page)
    case = Application.objects.get(applicant=zhou)
    number = case.number
    applications.application_act(
        actor=world.carol, application=case, task="accept", decision="accept"
    )

    sign_in(page, "rita", world.rita)
    page.goto(f"/applications/{number}/")
    # By hand from his ledger: 180 months at 4000.00 over Henan's 4000.00 and 12 at 7450.00
    # over 7450.00: Z = 1.0000, 192 months, N = 16. Basic: P(2025) 7700.00 * (1 + 1) / 2 * 16
    # * 1% = 1232.00. Account: interest not credited yet, to November 2026 (D5, annual
    # method; no rate published after 2024's 2.62%, used as the provisional one):
    # 2024: 7152.00 * 2.62% * 1.083/2 = 101.47; 2025: 7253.47 * 2.62% = 190.04; 2026:
    # 7443.51 * 2.62% * 11/12 + 57600.00 (brought in) * 2.62% * 1.083/2 * 11/12 = 927.86.
    # 64752.00 + 1219.37 = 65971.37 over the divisor at 61, 132: 499.78. Monthly 1731.78,
    # from 2027-01.
    assert page.locator("#award-monthly").inner_text() == "1731.78"
    lines = page.locator("#award-lines").inner_text()
    assert (
        "1232.00" in lines
        and "499.78" in lines
        and "927.86" in lines
        and "陕西省" in lines
        and "Shaanxi" not in lines
    )
    decide(page, number, "approve")
    page.get_by_role("link", name="养老金发放").click()
    page.get_by_label("发放月份（年-月，如 2026-12）").fill("2027-01")
    page.get_by_role("button", name="生成发放名册").click()
    page.get_by_text("2027-01 发放：1 笔。").wait_for()
    assert "1731.78" in page.locator("#runs").inner_text()
    sign_out(page)

    sign_in(page, "13800000009")
    page.goto("/me/pension/")
    assert page.locator("#monthly").inner_text() == "1731.78"
    expect(page.locator("#payments tbody tr")).to_have_count(1)
    expect(page.locator("#my-transfers")).to_contain_text("河南省")
    expect(page.locator("#my-transfers")).not_to_contain_text("Henan")

    # Civil affairs registers his death and pushes it to the gateway: payment is stopped.
    private, public = algorithms.keypair(algorithms.ED25519)
    registry = Consumer.objects.create(
        code="civil_affairs",
        name="civil affairs",
        kind=ConsumerKind.REGISTRY,
        algorithm=algorithms.ED25519,
        public_key=public,
    )
    gateway.grant_approve(
        actor=None,
        consumer=registry,
        resource=Resource.objects.get(code="civil_affairs.deaths"),
        purpose="benefit_eligibility",
        valid_until=None,
    )
    body = signing.canonical(
        {
            "event_id": "CA-E2E-1",
            "source": "civil_affairs",
            "kind": "death_registered",
            "subject": zhou.resident_id,
            "data": {"date": "2026-12-20", "certificate_no": "SW-E2E"},
            "purpose": "benefit_eligibility",
            "timestamp": timezone.now().isoformat(),
            "nonce": secrets.token_hex(8),
        }
    )
    request = urllib.request.Request(
        f"{live_server.url}/api/v1/gateway/events",
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-Signature": algorithms.sign(algorithms.ED25519, private, body),
        },
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert "stopped from 2027-01" in json.loads(response.read())["outcome"]
    page.reload()
    assert page.locator("#pension-status").inner_text().startswith("停发")
    assert Pensioner.objects.get().status == "stopped"


def test_a_transfer_in_filed_online_and_a_move_inside_the_province(
    world: Any, page: Any, settings: Any
) -> None:
    from onestop.pensions.tests.conftest import HENAN, henan_record

    hub = request_hub(settings)
    hub.province_put(HENAN, world.alice.resident_id, henan_record(months=60, account="24000.00"))
    sign_in(page, "13800000001")
    page.goto("/services/SX-SI-007/apply/")
    page.get_by_label("转出地（原参保省份）", exact=True).select_option(HENAN)
    page.get_by_role("button", name="继续", exact=True).click()
    page.get_by_role("button", name="提交申请").click()
    sign_out(page)
    case = Application.objects.get(item_code="SX-SI-007")
    sign_in(page, "carol", world.carol)
    decide(page, case.number, "accept")
    sign_out(page)
    sign_in(page, "rita", world.rita)
    decide(page, case.number, "approve")
    page.get_by_role("link", name="养老保险关系转移").click()
    table = page.locator("#transfers").inner_text()
    assert "河南省" in table and "Henan" not in table
    assert "24000.00" in table and "36000.00" in table
    sign_out(page)

    sign_in(page, "carol", world.carol)
    page.goto("/staff/transfers/")
    page.get_by_label("公民身份号码").fill(world.alice.resident_id)
    page.get_by_label("迁入地区").select_option("610103")
    page.get_by_role("button", name="转移关系").click()
    page.get_by_text("已转移：").wait_for()
    # alice is in Beilin now, out of carol's Yanta scope: her transfers are no longer listed.
    assert "暂无转移记录。" in page.locator("#transfers").inner_text()
    world.alice.refresh_from_db()
    assert world.alice.region.code == "610103"


def request_hub(settings: Any) -> Any:
    import threading
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from onestop.pensions.tests.conftest import HENAN
    from onestop.simulators.registries import RegistrySimulator

    class Quiet(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

    private, public = algorithms.keypair(algorithms.ED25519)
    hub = RegistrySimulator(signing_key=private)
    server = make_server("127.0.0.1", 0, hub, handler_class=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.ONESTOP_TRANSFER_HUB_URL = f"http://127.0.0.1:{server.server_port}"
    Consumer.objects.create(
        code=f"province-{HENAN}",
        name="Henan",
        kind=ConsumerKind.PROVINCE,
        algorithm=algorithms.ED25519,
        public_key=public,
    )
    return hub


def test_adjustment_confirmation_licences_and_revocation(world: Any, page: Any) -> None:
    from onestop.exchange import services as certificates
    from onestop.exchange.facts import insurance_facts
    from onestop.pensions import services as pensions
    from onestop.pensions.testing import worked_elsewhere

    worked_elsewhere(world.alice)

    contributions.insurance_register(
        actor=None, employer=world.acme, insurances=["pension"], since_period=202401
    )
    employment = contributions.employment_start(
        actor=None,
        employer=world.acme,
        resident_id=world.alice.resident_id,
        start_period=202401,
        wage=Decimal("7450"),
    )
    # acme removes her after 2024-12: she retires in 2025-02, after covered employment.
    contributions.employment_end(
        actor=None, employment=employment, end_period=202412, reason="退休 retirement"
    )
    case = applications.application_submit(
        actor=world.alice.user,
        item_code="SX-SI-006",
        applicant=world.alice,
        answers={"retirement_month": "2025-02", "bank_account": "6222020200112233446"},
    ).application
    case = applications.application_act(
        actor=world.carol, application=case, task="accept", decision="accept"
    )
    applications.application_act(
        actor=world.rita,
        application=case,
        task="review",
        decision="approve",
        established={"post_category": "worker"},  # alice's post is not on record
    )
    pensions.payroll_run(actor=None, period="2026-11")

    sign_in(page, "rita", world.rita)
    page.goto("/staff/payroll/")
    page.get_by_role("link", name="年度待遇调整").click()
    page.get_by_label("年度").fill("2027")
    page.get_by_label("按现养老金的调整比例（如 2 表示 2%）").fill("2")
    page.get_by_label("每月定额调整").fill("30")
    page.get_by_role("button", name="测算待复核").click()
    row = page.locator("#adjustments tbody tr").first
    assert "已测算，待复核" in row.inner_text() and "2026-12" in row.inner_text()
    page.get_by_role("button", name="执行").click()
    assert "已执行" in page.locator("#adjustments tbody tr").first.inner_text()
    page.get_by_role("button", name="撤销").click()
    assert "已撤销" in page.locator("#adjustments tbody tr").first.inner_text()
    sign_out(page)

    issued = certificates.proof_of_insurance_issue(
        actor=world.alice.user, person=world.alice, facts=insurance_facts(world.alice)
    )
    sign_in(page, "carol", world.carol)
    page.goto(f"/staff/persons/{world.alice.pk}/")
    page.get_by_role("link", name="已出具的证明").click()
    page.locator("#certificates input[name=reason]").first.fill("信息有误 wrong facts")
    page.locator("#certificates button").first.click()
    page.get_by_text("证明已吊销。").wait_for()
    assert "信息有误" in page.locator("#certificates").inner_text()
    sign_out(page)

    sign_in(page, "13800000001")
    page.goto("/me/pension/")
    page.get_by_role("button", name="自助完成资格认证").click()
    page.get_by_text("资格认证已完成，谢谢。").wait_for()
    page.goto("/")
    page.get_by_role("link", name="我的电子证照").click()
    assert "居民身份证" in page.locator("#licences").inner_text()  # held since her case
    page.goto("/verify/")
    page.get_by_label("证明编号").fill(issued.certificate.number)
    page.get_by_label("验证码").fill(issued.code)
    page.get_by_role("button", name="验证", exact=True).click()
    assert page.locator("#verify-result h2").inner_text() == "已撤销"  # revoked


def test_someone_short_of_the_minimum_sees_both_options_priced(world: Any, page: Any) -> None:
    sign_in(page, "13800000001")  # alice: no month on record yet
    page.goto("/me/pension/")
    shortfall = page.locator("#shortfall").inner_text()
    # 180 months short; 2026's lowest base 7950.00 * 60% = 4770.00, at 20%: 954.00 a month,
    # 180 * 954.00 = 171720.00 at once.
    assert "180" in shortfall and "954.00" in shortfall and "4770.00" in shortfall
    assert "171720.00" in shortfall


def test_a_death_registered_at_the_registry_simulator_stops_the_pension_and_opens_benefits(
    world: Any, page: Any, live_server: Any
) -> None:
    """Any pensioner of the platform, not only the demo's: civil affairs registers the death
    on the registry simulator's own page, which pushes it signed to the gateway; the pension
    stops and the survivors' benefits open, once, even when a second event comes."""
    import threading
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from django.core.management import call_command

    from onestop.identity import demo
    from onestop.identity import services as identity
    from onestop.pensions.models import EntitlementCheck, SurvivorBenefit
    from onestop.pensions.testing import worked_elsewhere
    from onestop.simulators.registries import RegistrySimulator

    class Quiet(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

    private, public = algorithms.keypair(algorithms.ED25519)
    simulator = RegistrySimulator(
        signing_key=private, push_url=f"{live_server.url}/api/v1/gateway/events"
    )
    server = make_server("127.0.0.1", 0, simulator, handler_class=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    registry = Consumer.objects.create(
        code="civil_affairs",
        name="civil affairs",
        kind=ConsumerKind.REGISTRY,
        algorithm=algorithms.ED25519,
        public_key=public,
    )
    gateway.grant_approve(
        actor=None,
        consumer=registry,
        resource=Resource.objects.get(code="civil_affairs.deaths"),
        purpose="benefit_eligibility",
        valid_until=None,
    )
    person = identity.person_register(
        actor=None,
        name="郭守仁",
        resident_id=demo.resident_id(random.Random(1950), "610113", dt.date(1950, 2, 8), True),
        region=world.regions["610113"],
    )
    worked_elsewhere(person)
    Pensioner.objects.create(
        person=person,
        case_number="SX20100301000001",
        region=person.region,
        retirement_month="2010-03",
        start_index=2010 * 12 + 3,
        monthly_amount=Decimal("2100.00"),
        award={},
    )
    died_on = (timezone.localdate() - dt.timedelta(days=10)).isoformat()
    try:
        for _ in range(2):  # registered twice: two events, one stop, one opening
            page.goto(f"http://127.0.0.1:{server.server_port}/")
            page.get_by_label("公民身份号码 resident ID").fill(person.resident_id)
            page.get_by_label("姓名 name").fill("郭守仁")
            page.get_by_label("日期 date").fill(died_on)
            page.get_by_role("button", name="登记 register").click()
            expect(page.locator("table")).to_contain_text(person.resident_id)
    finally:
        server.shutdown()
    assert [p["delivered"] for p in simulator.pushed] == [True, True]
    assert len({p["event_id"] for p in simulator.pushed}) == 2
    pensioner = Pensioner.objects.get()
    assert pensioner.status == "stopped" and died_on in pensioner.status_reason
    assert EntitlementCheck.objects.filter(pensioner=pensioner).count() == 1
    benefit = SurvivorBenefit.objects.get()
    assert benefit.person == person and benefit.died_on.isoformat() == died_on

    sign_in(page, "carol", world.carol)
    page.goto("/staff/survivors/")
    expect(page.locator("#survivors tbody")).to_contain_text(died_on)
    expect(page.locator("#survivors tbody")).not_to_contain_text(person.resident_id)  # masked
    call_command("cases", "verify")
