"""A retirement application in a real browser: filed online, a supplement requested and
supplied, accepted at the county, approved at the city; the public status query; and the same
item filed at a counter."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import pyotp
import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD
from onestop.applications.models import Application, Status
from onestop.exchange.models import Certificate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def sign_in(page: Any, identifier: str, user: Any = None) -> None:
    if user is not None:
        # A fresh authenticator each time: the platform refuses a code used twice in one
        # 30-second step, and these sign-ins can fall in the same step.
        user.totp_secret = SECRET
        user.totp_confirmed_at = timezone.now()
        user.totp_last_step = 0
        user.save(update_fields=["totp_secret", "totp_confirmed_at", "totp_last_step"])
    page.goto("/login/")
    page.get_by_label("身份证号、手机号或用户名").fill(identifier)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").last.click()
    if user is not None:
        page.get_by_label("身份验证器应用中的六位验证码").fill(pyotp.TOTP(SECRET).now())
        page.get_by_role("button", name="验证").click()
    page.wait_for_url(lambda url: urlparse(url).path == "/")


def sign_out(page: Any) -> None:
    page.get_by_role("button", name="退出").click()


def decide(page: Any, number: str, decision: str, note: str = "", post: str = "") -> None:
    """Act on the case's open step; ``post``: the post category the reviewer establishes
    (a woman whose post was not on record)."""
    page.goto(f"/applications/{number}/")
    page.get_by_label("办理意见").select_option(decision)
    if post:
        page.get_by_label("岗位类别（由审核人员确定，批准时必填）").select_option(post)
    if note:
        page.get_by_label("理由或备注（补正须一次性列明全部所需材料）").fill(note)
    page.get_by_role("button", name="提交", exact=True).click()
    page.get_by_text("已办理。").wait_for()


def test_retirement_filed_online_supplemented_and_approved(world: Any, page: Any) -> None:
    from onestop.pensions.testing import worked_elsewhere

    worked_elsewhere(world.alice)  # 180 months: the award can be approved
    sign_in(page, "13800000001")
    page.goto("/services/SX-SI-006/")
    page.get_by_role("link", name="在线申请").click()
    # The statutory month is already filled in from her record (born 1966-01, a woman in a
    # cadre post would be 55; with no post on record the field stays for her to fill).
    page.get_by_label("退休月份", exact=True).fill("2026-05")
    page.get_by_label("养老金发放银行账号", exact=True).fill("6222020200112233446")
    page.get_by_role("button", name="保存，稍后继续").click()
    page.get_by_text("已保存。").wait_for()
    # The unfinished application, listed by the item's name.
    page.locator("#drafts").get_by_role("link", name="基本养老金申领（退休）").click()
    assert page.locator("h1").inner_text().startswith("核对填写内容")
    page.get_by_role("link", name="修改", exact=True).click()
    page.get_by_label("备注", exact=True).fill("请按月发放")
    page.get_by_role("button", name="继续", exact=True).click()
    assert "请按月发放" in page.locator("main").inner_text()
    page.get_by_role("button", name="提交申请").click()
    code = page.locator("#query-code").inner_text()
    number = Application.objects.get().number
    assert page.locator("#case-status").inner_text() == "已提交，待受理"
    sign_out(page)

    sign_in(page, "carol", world.carol)
    page.get_by_role("link", name="我的待办").click()
    page.get_by_role("link", name=number).click()
    decide(page, number, "supplement", "请补充人事档案 personnel file")
    assert "计时暂停" in page.locator("#deadline").inner_text()
    sign_out(page)

    sign_in(page, "13800000001")
    page.get_by_role("link", name="我的办件").click()
    page.get_by_role("link", name=number).click()
    page.get_by_role("button", name="提交", exact=True).click()  # the supplement step
    page.get_by_text("已办理。").wait_for()
    sign_out(page)

    sign_in(page, "carol", world.carol)
    decide(page, number, "accept")
    sign_out(page)
    sign_in(page, "rita", world.rita)
    decide(page, number, "approve", post="worker")  # alice's post is not on record
    assert page.locator("#case-status").inner_text() == "已批准"
    expect(page.locator("#timeline li")).to_have_count(5)
    with page.expect_download() as download:
        page.get_by_role("link", name="下载办理结果决定书（电子签名文件）").click()
    assert download.value.suggested_filename == f"decision-{number}.pdf"
    with open(download.value.path(), "rb") as notice:
        assert notice.read(5) == b"%PDF-"
    sign_out(page)

    page.goto("/status/")
    page.get_by_label("办件编号").fill(number)
    page.get_by_label("查询码").fill(code)
    page.get_by_role("button", name="查询").click()
    assert "已批准" in page.locator("#status-result").inner_text()


def test_the_same_item_filed_at_a_counter(world: Any, page: Any) -> None:
    sign_in(page, "carol", world.carol)
    page.goto("/services/SX-SI-006/")
    page.get_by_role("link", name="窗口代办").click()
    page.get_by_label("申请人公民身份号码").fill(world.alice.resident_id)
    page.get_by_label("退休月份", exact=True).fill("2026-05")
    page.get_by_label("养老金发放银行账号", exact=True).fill("6222020200112233446")
    page.get_by_label("申请人已出示身份证件并同意代为申请").check()
    page.get_by_role("button", name="提交申请").click()
    case = Application.objects.get()
    assert (case.channel, case.status, case.applicant_id) == (
        "counter",
        Status.SUBMITTED,
        world.alice.pk,
    )
    assert case.consent_at is not None
    decide(page, case.number, "accept")
    assert page.locator("#case-status").inner_text() == "已受理，审核中"
    # carol prints the receipt for the applicant at the counter: a signed PDF.
    link = page.locator("#receipt-link")
    assert link.inner_text() == "打印受理回执（电子签章文件）"
    receipt = page.request.get(link.get_attribute("href") or "")
    assert receipt.status == 200 and receipt.headers["content-type"] == "application/pdf"
    assert receipt.body().startswith(b"%PDF")
    issued = Certificate.objects.get(kind="acceptance_receipt")
    assert issued.payload["facts"]["case"] == case.number
    call_command("cases", "verify")


def test_carol_prints_the_one_time_notice_of_missing_materials(world: Any, page: Any) -> None:
    """At the counter carol asks for a supplement and prints the one-time notice (一次性告知书):
    a signed PDF listing it, verifiable on the public page."""
    from onestop.applications import services
    from onestop.applications.models import Channel

    case = services.application_submit(
        actor=world.carol,
        item_code="SX-SI-006",
        applicant=world.alice,
        answers={"retirement_month": "2026-05", "bank_account": "6222020200112233446"},
        channel=Channel.COUNTER,
        consent=True,
    ).application
    sign_in(page, "carol", world.carol)
    page.goto(f"/applications/{case.number}/")
    expect(page.locator("#receipt-link")).to_be_visible()
    expect(page.locator("#notice-link")).to_have_count(0)  # nothing is missing yet
    decide(page, case.number, "supplement", "请补充人事档案（视同缴费年限认定）")
    link = page.locator("#notice-link")
    expect(link).to_have_text("打印一次性告知书（电子签章文件）")
    notice = page.request.get(link.get_attribute("href") or "")
    assert notice.status == 200 and notice.headers["content-type"] == "application/pdf"
    assert notice.body().startswith(b"%PDF")
    issued = Certificate.objects.get(kind="supplement_notice")
    assert issued.payload["facts"]["note"] == "请补充人事档案（视同缴费年限认定）"
    call_command("cases", "verify")


def test_a_death_opens_the_survivors_claim_and_it_runs_its_joint_review(
    world: Any, page: Any
) -> None:
    """Civil affairs reports the death of an insured man whose son (bob) registered it: the
    platform opens the survivors' benefits, bob is told the amounts and finds the form filled
    in; the case goes to the deceased's county, three departments review in parallel, and the
    approval marks the benefits claimed."""
    import datetime as dt
    import random

    from onestop.identity import demo
    from onestop.identity import services as identity
    from onestop.pensions import services as pensions
    from onestop.pensions.models import SurvivorBenefit
    from onestop.pensions.testing import worked_elsewhere

    father = identity.person_register(
        actor=None,
        name="白振国",
        resident_id=demo.resident_id(random.Random(1958), "610113", dt.date(1958, 4, 2), True),
        region=world.regions["610113"],
    )
    worked_elsewhere(father)
    pensions.death_event(
        {
            "subject": father.resident_id,
            "source": "civil_affairs",
            "data": {"date": "2026-11-10", "declarant_resident_id": world.bob.resident_id},
        }
    )
    facts = SurvivorBenefit.objects.get(person=father).facts
    assert (facts["funeral_grant"], facts["survivor_benefit"]) == ("7800.00", "58500.00")
    sign_in(page, "13800000002")
    page.goto("/me/inbox/")
    assert facts["total"] in page.locator("main").inner_text()
    page.goto("/services/SX-SI-008/")
    page.get_by_role("link", name="在线申请").click()
    deceased = page.get_by_label("逝者公民身份号码", exact=True)
    assert deceased.input_value() == father.resident_id  # filled in from the death record
    page.get_by_label("与逝者关系", exact=True).select_option("child")
    page.get_by_role("button", name="继续", exact=True).click()
    page.get_by_role("button", name="提交申请").click()
    case = Application.objects.get()
    assert case.region == father.region  # the deceased's county, not bob's
    # The kinship proof is not asked: civil affairs confirms the family from its records.
    kinship = page.locator("#material-status tr", has_text="亲属关系证明")
    expect(kinship).to_have_attribute("data-supply", "at_review")
    expect(kinship).to_contain_text("无需提交")
    sign_out(page)
    sign_in(page, "carol", world.carol)
    decide(page, case.number, "accept")
    assert page.locator("#survivor-total").inner_text() == facts["total"]
    assert "7800.00" in page.locator("#survivor-lines").inner_text()
    # Three departments now hold a step each; carol's is the pension record check.
    expect(page.locator("section[id^=task-]")).to_have_count(1)
    sign_out(page)
    # mei claims her branch first: cheng and carol keep their tasks and forms.
    sign_in(page, "mei", world.mei)
    page.get_by_role("link", name="我的待办").click()
    expect(page.locator("#queue tbody tr")).to_have_count(1)
    page.get_by_role("link", name=case.number).click()
    page.get_by_role("button", name="认领").click()
    page.get_by_text("您已认领该环节。").wait_for()
    decide(page, case.number, "confirm")
    sign_out(page)
    sign_in(page, "carol", world.carol)
    assert page.goto(f"/applications/{case.number}/") is not None
    expect(page.locator("section#task-hrss_review form.act-form")).to_have_count(1)
    decide(page, case.number, "confirm")
    sign_out(page)
    sign_in(page, "cheng", world.cheng)
    page.get_by_role("link", name="我的待办").click()
    expect(page.locator("#queue tbody tr")).to_have_count(1)
    decide(page, case.number, "confirm")
    expect(page.locator("#open-steps")).to_contain_text("核定待遇")  # joined
    sign_out(page)
    sign_in(page, "rita", world.rita)
    decide(page, case.number, "approve")
    assert page.locator("#case-status").inner_text() == "已批准"
    tasks = [line for line in page.locator("#timeline").inner_text().splitlines()]
    # filed, accepted, mei's claim, the three reviews (mei, carol, cheng), approved
    assert len(tasks) == 7
    assert [t.split(" (")[1].split(")")[0] for t in tasks[3:6]] == [
        "终止医保关系",
        "核查养老保险记录",
        "核实死亡和亲属关系",
    ]
    call_command("cases", "verify")
    page.goto("/staff/survivors/")
    row = page.locator("#survivors tbody tr").first.inner_text()
    # The name masked as in the queue (in full on the person's journaled page).
    assert "白**" in row and "白振国" not in row
    assert case.number in row and father.resident_id not in row
