"""Catalogue items filed end to end in a browser, each through its own process."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from onestop.applications.models import Application, Status
from onestop.contributions import services as contributions
from onestop.contributions.models import Declaration, Employment
from onestop.exchange.models import Certificate
from onestop.identity.models import Employer
from onestop.simulators.registries import RegistrySimulator
from tests.e2e.test_applications import decide, sign_in, sign_out
from tests.test_items import (
    NEWCOMER_ID,
    NEWCOMER_NAME,
    SECOND_ID,
    STARTUP,
    STARTUP_CODE,
    add_the_eleventh_item,
    employ,
    registries,
)

__all__ = ["registries"]  # the fixture, shared with the service tests

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_proof_of_insurance_online_at_once(world: Any, page: Any) -> None:
    """alice finds the item fileable in the catalogue, files it, and downloads the signed
    proof from the case page at once: no case worker touched it."""
    employ(world.acme, world.alice, [202610, 202611])
    sign_in(page, "13800000001")
    page.goto("/services/")
    row = page.locator("#items tr", has_text="参保缴费证明")
    row.get_by_role("link", name="在线申请").click()
    page.get_by_label("用途（选填）").fill("办理居住证")
    page.get_by_role("button", name="继续", exact=True).click()
    page.get_by_role("button", name="提交申请").click()
    link = page.locator("#result-link")
    expect(link).to_have_text("下载参保缴费证明（电子签章文件）")
    expect(page.locator("#rate-link")).to_be_visible()
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".pdf")
    case = Application.objects.get()
    assert case.status == Status.APPROVED
    assert Certificate.objects.filter(kind="proof_of_insurance", person=world.alice).count() == 1


def test_employer_enrols_a_first_job_hire_online(
    world: Any, page: Any, registries: RegistrySimulator
) -> None:
    """bob, on acme's employees page, enrols a never-insured hire: the form comes with
    acme's credit code, the household register confirms the person, and the new employee
    is on the page at once (masked)."""
    sign_in(page, "13800000002")
    page.goto(f"/employer/{world.acme.pk}/employees/")
    page.get_by_role("link", name="办理职工首次参保登记").click()
    expect(page.get_by_label("用人单位统一社会信用代码")).to_have_value(world.acme.credit_code)
    page.get_by_label("职工姓名").fill(NEWCOMER_NAME)
    page.get_by_label("职工公民身份号码").fill(NEWCOMER_ID)
    page.get_by_label("参保起始月份").fill("2026-11")
    page.get_by_label("月工资（元）").fill("5200")
    page.get_by_label("岗位类别").select_option("general")
    page.get_by_role("button", name="继续", exact=True).click()
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator("#case-status")).to_have_text("已批准")
    page.goto(f"/employer/{world.acme.pk}/employees/")
    expect(page.locator("#employees tbody tr", has_text="张*")).to_have_count(1)
    assert Employment.objects.get(employer=world.acme).start_period == 202611


def test_employer_enrols_two_first_job_hires_from_a_file_and_declares_them(
    world: Any, page: Any, registries: RegistrySimulator, tmp_path: Any
) -> None:
    """bob uploads a file of two never-insured hires on acme's enrolment page: the household
    register confirms both, both are on the employees page (masked), and acme declares them
    for the same month in the grid, accepted at once."""
    registries.put("public_security", "household", SECOND_ID, {"name": "王小二"})
    contributions.insurance_register(
        actor=None, employer=world.acme, insurances=["pension"], since_period=202601
    )
    month = f"{timezone.localdate():%Y-%m}"
    enrolment = tmp_path / "enrol.csv"
    enrolment.write_text(
        f"姓名,公民身份号码,参保起始月份,月工资\n{NEWCOMER_NAME},{NEWCOMER_ID},{month},5200\n"
        f"王小二,{SECOND_ID},{month},6100\n",
        encoding="utf-8",
    )
    sign_in(page, "13800000002")
    page.goto(f"/employer/{world.acme.pk}/employees/")
    page.get_by_role("link", name="按文件批量办理").click()
    expect(page.locator("#enrol-columns")).to_be_visible()
    page.get_by_label("参保登记文件（CSV，UTF-8 编码）").set_input_files(str(enrolment))
    page.get_by_role("button", name="办理", exact=True).click()
    expect(page.get_by_text("已为 2 名职工办理参保登记并增员。")).to_be_visible()
    expect(page.locator("#employees tbody tr", has_text="张*")).to_have_count(1)
    expect(page.locator("#employees tbody tr", has_text="王*")).to_have_count(1)
    expect(page.get_by_text(NEWCOMER_ID)).to_have_count(0)
    jobs = {e.person.name: e for e in Employment.objects.select_related("person")}
    assert sorted(jobs) == sorted([NEWCOMER_NAME, "王小二"])
    page.goto(f"/employer/{world.acme.pk}/declarations/")
    page.locator("#grid").get_by_label("申报月份").fill(month)
    expect(page.locator("#grid-rows tbody tr")).to_have_count(2)
    page.locator(f"#wage-{jobs[NEWCOMER_NAME].pk}").fill("5200")
    page.locator(f"#wage-{jobs['王小二'].pk}").fill("6100")
    page.get_by_role("button", name="提交以上工资").click()
    expect(page.locator("#declaration-accepted")).to_be_visible()
    declaration = Declaration.objects.get(employer=world.acme)
    assert (declaration.rows, declaration.total_wage) == (2, Decimal("11300.00"))


def test_proof_of_insurance_at_the_counter(world: Any, page: Any) -> None:
    """carol files alice's proof at the Yanta counter with her consent: decided at once,
    the proof downloadable from the case page."""
    employ(world.acme, world.alice, [202611])
    sign_in(page, "carol", world.carol)
    page.goto("/services/SX-SI-004/")
    page.get_by_role("link", name="窗口代办").click()
    page.get_by_label("申请人公民身份号码").fill(world.alice.resident_id)
    page.get_by_label("申请人已出示身份证件并同意代为申请").check()
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator("#result-link")).to_have_text("下载参保缴费证明（电子签章文件）")
    assert Application.objects.get().channel == "counter"


def test_employer_registered_online_approved_and_users_added(
    world: Any, page: Any, registries: RegistrySimulator
) -> None:
    """alice registers her company online, carol approves it in her queue, and alice, now
    its legal representative, adds bob on the employer's users page."""
    registries.put(
        "market_regulation",
        "enterprises",
        STARTUP_CODE,
        {"name": STARTUP, "status": "存续", "legal_representative": world.alice.name},
    )
    sign_in(page, "13800000001")
    page.goto("/services/SX-SI-001/")
    page.get_by_role("link", name="在线申请").click()
    page.get_by_label("统一社会信用代码").fill(STARTUP_CODE)
    page.get_by_label("申请人身份").select_option("legal_representative")
    page.get_by_role("button", name="继续", exact=True).click()
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator("#case-status")).to_have_text("已提交，待受理")
    number = Application.objects.get().number
    sign_out(page)
    sign_in(page, "carol", world.carol)
    decide(page, number, "approve")
    expect(page.locator("#case-status")).to_have_text("已批准")
    sign_out(page)
    sign_in(page, "13800000001")
    employer = Employer.objects.get(credit_code=STARTUP_CODE)
    page.goto(f"/employer/{employer.pk}/users/")
    page.get_by_label("要添加人员的公民身份号码").fill(world.bob.resident_id)
    page.get_by_label("角色").select_option("agent")
    page.get_by_role("button", name="添加", exact=True).click()
    expect(page.locator("#employer-users tbody tr")).to_have_count(2)
    expect(page.locator("#employer-users tbody tr", has_text="白*")).to_have_count(1)


def test_contribution_correction_online_reviewed_at_the_county(
    world: Any, page: Any, tmp_path: Any
) -> None:
    """bob files acme's corrected wage for alice's 2026-10 online with the evidence; carol
    approves it, and the supplementary declaration is posted."""
    employ(world.acme, world.alice, [202610])
    sign_in(page, "13800000002")
    page.goto("/services/SX-SI-003/")
    page.get_by_role("link", name="在线申请").click()
    page.get_by_label("用人单位统一社会信用代码").fill(world.acme.credit_code)
    page.get_by_label("更正内容", exact=False).fill(f"2026-10, {world.alice.resident_id}, 7200")
    page.get_by_label("更正原因").fill("漏报绩效")
    page.get_by_role("button", name="继续", exact=True).click()
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator("#case-status")).to_have_text("已提交，待受理")
    scan = tmp_path / "工资.pdf"
    scan.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n")
    for material in ("工资发放记录", "更正情况说明"):
        page.get_by_label("材料", exact=True).select_option(material)
        page.get_by_label("文件（PDF、JPEG 或 PNG，不超过 10 MB）").set_input_files(str(scan))
        page.get_by_role("button", name="上传").click()
        page.get_by_text("文件已上传。").wait_for()
    number = Application.objects.get().number
    sign_out(page)
    sign_in(page, "carol", world.carol)
    decide(page, number, "approve")
    expect(page.locator("#case-status")).to_have_text("已批准")
    declaration = Declaration.objects.get(kind="supplementary")
    assert (declaration.period, declaration.total_wage) == (202610, Decimal("7200.00"))


def test_the_eleventh_item_from_the_admin_is_filed_online_and_at_the_counter(
    world: Any, page: Any
) -> None:
    """SX-SI-011, added in the admin with its process, form and materials, is in the
    catalogue, filed by alice online and by carol at the counter; nothing else changed."""
    add_the_eleventh_item(world)
    sign_in(page, "13800000001")
    page.goto("/services/")
    page.locator("#items tr", has_text="通讯地址变更").get_by_role("link", name="在线申请").click()
    page.get_by_label("新通讯地址").fill("雁塔路2号")
    page.get_by_role("button", name="继续", exact=True).click()
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator("#case-status")).to_have_text("已提交，待受理")
    sign_out(page)
    sign_in(page, "carol", world.carol)
    page.goto("/services/SX-SI-011/")
    expect(page.get_by_text("居住证明")).to_be_visible()
    page.get_by_role("link", name="窗口代办").click()
    page.get_by_label("申请人公民身份号码").fill(world.alice.resident_id)
    page.get_by_label("新通讯地址").fill("长安路4号")
    page.get_by_label("申请人已出示身份证件并同意代为申请").check()
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator("#case-status")).to_have_text("已提交，待受理")
    assert sorted(Application.objects.values_list("item_code", "channel")) == [
        ("SX-SI-011", "counter"),
        ("SX-SI-011", "online"),
    ]
