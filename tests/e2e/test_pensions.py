"""A pension in a real browser: the award computed from alice's ledger is reviewed and
approved, the payroll pays her, and a death reported by civil affairs stops it."""

from __future__ import annotations

import datetime as dt
import json
import secrets
import urllib.request
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from onestop.applications import services as applications
from onestop.contributions import services as contributions
from onestop.contributions.services import DeclaredRow
from onestop.exchange import algorithms, signing
from onestop.exchange.models import Consumer, ConsumerKind
from onestop.pensions.models import Pensioner
from tests.e2e.test_applications import decide, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_award_review_payroll_and_a_death(world: Any, page: Any, live_server: Any) -> None:
    contributions.insurance_register(
        actor=None, employer=world.acme, insurances=["pension"], since_period=202401
    )
    contributions.employment_start(
        actor=None,
        employer=world.acme,
        resident_id=world.alice.resident_id,
        start_period=202401,
        wage=Decimal("7450"),
    )
    for month in range(1, 13):
        contributions.declaration_submit(
            actor=None,
            employer=world.acme,
            period=202400 + month,
            rows=[DeclaredRow(2, world.alice.resident_id, "7450")],
            today=dt.date(2026, 11, 23),
        )
    case = applications.application_submit(
        actor=world.alice.user,
        item_code="SX-SI-006",
        applicant=world.alice,
        answers={"retirement_month": "2025-02", "bank_account": "6222020200112233445"},
    ).application
    applications.application_act(
        actor=world.carol, application=case, task="accept", decision="accept"
    )

    sign_in(page, "rita", world.rita)
    page.goto(f"/applications/{case.number}/")
    assert page.locator("#award-monthly").inner_text() == "123.99"
    assert "7450" in page.locator("#award-lines").inner_text()
    decide(page, case.number, "approve")
    page.get_by_role("link", name="养老金发放").click()
    page.get_by_label("发放月份（YYYY-MM）").fill("2026-11")
    page.get_by_role("button", name="生成发放名册").click()
    page.get_by_text("2026-11 发放：2 笔。").wait_for()
    assert "2603.79" in page.locator("#runs").inner_text()  # 21 months of 123.99
    sign_out(page)

    sign_in(page, "13800000001")
    page.goto("/me/pension/")
    assert page.locator("#monthly").inner_text() == "123.99"
    assert page.locator("#payments tbody tr").count() == 2
    with page.expect_download() as download:
        page.locator("#statement-link").click()
    with open(download.value.path(), "rb") as statement:
        assert statement.read(5) == b"%PDF-"

    # Civil affairs registers her death and pushes it to the gateway.
    private, public = algorithms.keypair(algorithms.ED25519)
    Consumer.objects.create(
        code="civil_affairs",
        name="civil affairs",
        kind=ConsumerKind.REGISTRY,
        algorithm=algorithms.ED25519,
        public_key=public,
    )
    body = signing.canonical(
        {
            "event_id": "CA-E2E-1",
            "source": "civil_affairs",
            "kind": "death_registered",
            "subject": world.alice.resident_id,
            "data": {"date": "2026-10-20", "certificate_no": "SW-E2E"},
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
        assert "stopped from 2026-11" in json.loads(response.read())["outcome"]
    page.reload()
    assert page.locator("#pension-status").inner_text().startswith("停发")
    assert Pensioner.objects.get().status == "stopped"


def test_adjustment_confirmation_licences_and_revocation(world: Any, page: Any) -> None:
    from onestop.exchange import services as certificates
    from onestop.exchange.facts import insurance_facts
    from onestop.pensions import services as pensions

    contributions.insurance_register(
        actor=None, employer=world.acme, insurances=["pension"], since_period=202401
    )
    contributions.employment_start(
        actor=None,
        employer=world.acme,
        resident_id=world.alice.resident_id,
        start_period=202401,
        wage=Decimal("7450"),
    )
    case = applications.application_submit(
        actor=world.alice.user,
        item_code="SX-SI-006",
        applicant=world.alice,
        answers={"retirement_month": "2025-02", "bank_account": "6222020200112233445"},
    ).application
    case = applications.application_act(
        actor=world.carol, application=case, task="accept", decision="accept"
    )
    applications.application_act(
        actor=world.rita, application=case, task="review", decision="approve"
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
