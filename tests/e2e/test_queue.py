"""The work queue, the clock and the inbox in a real browser: claim, comment, transfer,
a supervisor's reassignment, escalation, a red warning on the supervision page; the applicant's
inbox and a material upload."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from conftest import PASSWORD
from onestop.applications import demo as applications_demo
from onestop.applications import services as cases
from onestop.applications.models import Application, Material
from onestop.identity import demo
from onestop.identity import services as identity
from onestop.identity.models import StaffRole
from onestop.pensions.testing import worked_elsewhere
from onestop.supervision.services import clock_run
from tests.e2e.test_applications import decide, sign_in, sign_out


def _pick(page: Any, label: str, name: str) -> None:
    """Choose the colleague called ``name`` in the list labelled ``label`` (each option reads
    "name · role · agency")."""
    select = page.get_by_label(label)
    value = select.locator("option", has_text=name).first.get_attribute("value")
    select.select_option(value=value)


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANSWERS = {"retirement_month": "2026-05", "bank_account": "6222020200112233446"}


def staff(world: Any, login: str, display: str, region: str) -> Any:
    return identity.staff_create(
        actor=None,
        username=login,
        display_name=display,
        password=PASSWORD,
        agency=world.agencies[f"{region}-si"],
        role=StaffRole.CASE_WORKER,
        region=world.regions[region],
    )


def file(world: Any) -> Application:
    return cases.application_submit(
        actor=world.alice.user, item_code="SX-SI-006", applicant=world.alice, answers=ANSWERS
    ).application


def test_claim_transfer_reassign_escalate_and_supervise(world: Any, page: Any) -> None:
    chloe = staff(world, "chloe", "柯洛伊", "610113")
    xavier = staff(world, "xavier", "谢维尔", "610100")
    number = file(world).number

    sign_in(page, "carol", world.carol)
    page.get_by_role("link", name="我的待办").click()
    page.get_by_role("link", name=number).click()
    page.get_by_role("button", name="认领").click()
    page.get_by_text("您已认领该环节。").wait_for()
    assert page.locator("#step-accept .holder").inner_text() == "陈卡罗"
    page.get_by_label("内部意见（仅工作人员可见）").fill("已电话核实档案 verified by phone")
    page.get_by_role("button", name="添加意见").click()
    assert "已电话核实档案" in page.locator("#comments").inner_text()
    _pick(page, "同事", "柯洛伊")
    page.get_by_role("button", name="转交", exact=True).click()
    page.get_by_text("已移交。").wait_for()
    assert page.locator("#step-accept .holder").inner_text() == "柯洛伊"
    expect(page.locator("section#task-accept form.act-form")).to_have_count(0)  # chloe's step now
    sign_out(page)

    sign_in(page, "chloe", chloe)
    page.goto("/staff/queue/?view=mine")
    expect(page.locator("#queue tbody tr")).to_have_count(1)
    sign_out(page)

    sign_in(page, "sam", world.sam)
    page.goto(f"/applications/{number}/")
    _pick(page, "同事", "陈卡罗")
    page.get_by_role("button", name="改派", exact=True).click()
    page.get_by_text("已移交。").wait_for()
    assert page.locator("#step-accept .holder").inner_text() == "陈卡罗"
    sign_out(page)

    sign_in(page, "carol", world.carol)
    page.goto(f"/applications/{number}/")
    page.get_by_label("提级原因").fill("涉及跨市视同缴费认定")
    page.get_by_role("button", name="提级", exact=True).click()
    page.get_by_text("已提交上级办理。").wait_for()
    assert page.locator("#escalated-to").inner_text() == "西安市"
    assert page.locator("#step-accept .holder").inner_text() == "—"  # back in a queue: Xi'an's
    page.get_by_role("link", name="我的待办").click()
    expect(page.get_by_text("暂无待办。")).to_have_count(1)  # escalated out of the county's queue
    sign_out(page)

    # Weeks go by: the clock turns the case red. Nobody at the province may accept, so it
    # stays with Xi'an (escalating it would leave it in nobody's queue).
    case = Application.objects.get()
    report = clock_run(today=case.deadline + dt.timedelta(days=1))
    assert (report.red, report.escalated) == (1, 0)
    call_command("cases", "verify")
    sign_in(page, "sam", world.sam)
    page.get_by_role("link", name="效能监察").click()
    rows = page.locator("#warnings tbody tr")
    expect(rows).to_have_count(1)
    assert number in rows.first.inner_text()
    assert "红牌" in rows.first.inner_text() and "个工作日" in rows.first.inner_text()
    page.get_by_label("级别").select_option("yellow")
    page.get_by_role("button", name="显示").click()
    page.wait_for_url("**level=yellow**")
    empty = page.get_by_text("暂无预警。")
    empty.wait_for()  # the filtered page may still be loading when its address changes
    expect(empty).to_have_count(1)
    sign_out(page)

    sign_in(page, "xavier", xavier)
    page.goto("/staff/queue/")
    expect(page.locator(f"#queue a:text('{number}')")).to_have_count(1)


def demo_cases(world: Any) -> None:
    """The applications demo on the test world: nine Yanta men (each with 15 years' record),
    their cases in every state and colour, and the clock run once."""
    for n in range(9):
        person = identity.person_register(
            actor=None,
            name=f"示例{n}",
            resident_id=demo.resident_id(random.Random(n), "610113", dt.date(1960, 1 + n, 3), True),
            region=world.regions["610113"],
        )
        worked_elsewhere(person)
    assert applications_demo.load() == {"cases": 9}
    clock_run()


def test_sam_reassigns_the_escalated_demo_case_and_rita_decides_it(world: Any, page: Any) -> None:
    demo_cases(world)
    call_command("cases", "verify")
    late = Application.objects.get(escalated_to__code="610100", status="submitted")

    # Yanta's queue marks its yellow case; the escalated one is not carol's any more.
    sign_in(page, "carol", world.carol)
    page.goto("/staff/queue/")
    expect(page.locator("#queue tr.clock-row-yellow")).to_have_count(1)
    expect(page.locator("#queue tr.clock-row-red")).to_have_count(0)
    expect(page.locator(f"#queue a:text('{late.number}')")).to_have_count(0)
    yellow = page.locator("#queue tr.clock-row-yellow a").first.inner_text()
    page.get_by_role("link", name=yellow).click()
    expect(page.locator("#clock [data-clock=yellow]")).to_have_count(1)
    assert "剩余" in page.locator("#clock").inner_text()
    sign_out(page)

    # Xi'an's queue holds it, red, among a green, a yellow and a red review.
    sign_in(page, "rita", world.rita)
    page.goto("/staff/queue/")
    row = page.locator(f"#queue tr[data-number='{late.number}']")
    assert "clock-row-red" in (row.get_attribute("class") or "")
    assert "已提级至 西安市" in row.inner_text()
    colours = {
        colour: page.locator(f"#queue tr.clock-row-{colour}").count()
        for colour in ("green", "yellow", "red")
    }
    assert colours == {"green": 1, "yellow": 1, "red": 2}
    sign_out(page)

    sign_in(page, "sam", world.sam)
    page.goto(f"/applications/{late.number}/")
    assert page.locator("#escalated-to").inner_text() == "西安市"
    assert "逾期" in page.locator("#clock").inner_text()
    _pick(page, "同事", "任丽塔")
    page.get_by_label("备注").fill("提级案件请市局办理")
    page.get_by_role("button", name="改派", exact=True).click()
    page.get_by_text("已移交。").wait_for()
    assert page.locator("#step-accept .holder").inner_text() == "任丽塔"
    sign_out(page)
    call_command("cases", "verify")

    sign_in(page, "rita", world.rita)
    page.goto("/staff/queue/?view=mine")
    page.get_by_role("link", name=late.number).click()
    decide(page, late.number, "accept")
    decide(page, late.number, "approve")
    assert page.locator("#case-status").inner_text() == "已批准"
    call_command("cases", "verify")


def test_the_applicant_reads_the_inbox_and_uploads_a_material(
    world: Any, page: Any, tmp_path: Any, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    case = file(world)
    sign_in(page, "13800000001")
    page.get_by_role("link", name="消息").click()
    page.get_by_role("button", name="申请已提交：基本养老金申领（退休）").click()
    page.wait_for_url(f"**/applications/{case.number}/")
    # The gathered facts read as labels, never as their keys.
    expect(page.locator("#gathered")).to_contain_text("缴费月数")
    expect(page.locator("#gathered")).not_to_contain_text("contribution_months")
    scan = tmp_path / "档案.pdf"
    scan.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n")
    page.get_by_label("材料", exact=True).select_option("人事档案（视同缴费年限认定）")
    page.get_by_label("文件（PDF、JPEG 或 PNG，不超过 10 MB）").set_input_files(str(scan))
    page.get_by_role("button", name="上传").click()
    page.get_by_text("文件已上传。").wait_for()
    assert "人事档案" in page.locator("#materials").inner_text()
    assert Material.objects.get().content_type == "application/pdf"
    bad = tmp_path / "fake.pdf"
    bad.write_bytes(b"MZ this is a program")
    page.get_by_label("文件（PDF、JPEG 或 PNG，不超过 10 MB）").set_input_files(str(bad))
    page.get_by_role("button", name="上传").click()
    page.get_by_text("仅接受 PDF、JPEG 或 PNG 文件（按文件内容判断）。").wait_for()
    assert Material.objects.count() == 1
    page.get_by_role("link", name="消息").click()
    expect(page.locator("#inbox li.unread")).to_have_count(0)


def test_carol_filters_and_claims_in_bulk_and_sam_assigns_all_or_nothing(
    world: Any, page: Any
) -> None:
    import re

    from onestop.applications.models import Channel, OpenStep

    chloe = staff(world, "chloe", "柯洛伊", "610113")
    online = file(world)
    counter = cases.application_submit(
        actor=world.carol,
        item_code="SX-SI-006",
        applicant=world.alice,
        answers=ANSWERS,
        channel=Channel.COUNTER,
        consent=True,
    ).application

    sign_in(page, "carol", world.carol)
    page.goto("/staff/queue/")
    page.get_by_label("渠道").select_option("counter")
    page.get_by_role("button", name="显示").click()
    expect(page).to_have_url(re.compile(r"channel=counter"))
    expect(page.locator(f"#queue tr[data-number='{counter.number}']")).to_be_visible()
    expect(page.locator(f"#queue tr[data-number='{online.number}']")).to_have_count(0)
    page.goto("/staff/queue/")
    page.get_by_label(f"选择 {online.number}").check()
    page.get_by_label(f"选择 {counter.number}").check()
    page.get_by_role("button", name="认领所选办件").click()
    expect(page.get_by_text("已认领：2 件。")).to_be_visible()
    sign_out(page)

    # sam assigns both to rita, a reviewer: refused, each case named; then to chloe.
    sign_in(page, "sam", world.sam)
    page.goto("/staff/queue/")
    page.get_by_label(f"选择 {online.number}").check()
    page.get_by_label(f"选择 {counter.number}").check()
    _pick(page, "指派给", "任丽塔")
    page.get_by_role("button", name="批量指派").click()
    expect(page.get_by_text("未作任何改动：2 件不能办理", exact=False)).to_be_visible()
    expect(page.get_by_text(f"{online.number}: 接收人无权办理该环节", exact=False)).to_be_visible()
    assert set(OpenStep.objects.values_list("assignee__username", flat=True)) == {"carol"}
    page.get_by_label(f"选择 {online.number}").check()
    page.get_by_label(f"选择 {counter.number}").check()
    _pick(page, "指派给", "柯洛伊")
    page.get_by_label("备注").fill("均衡工作量")
    page.get_by_role("button", name="批量指派").click()
    expect(page.get_by_text("已指派给柯洛伊：2 件。")).to_be_visible()
    assert set(OpenStep.objects.values_list("assignee", flat=True)) == {chloe.pk}
    call_command("cases", "verify")


def test_carol_s_home_shows_her_counts_and_leads_to_the_yellow_case(world: Any, page: Any) -> None:
    import re

    from onestop.applications import selectors

    demo_cases(world)
    counts = selectors.work_counts(actor=world.carol)
    assert counts["yellow"] == 1 and counts["supplements"] == 1
    sign_in(page, "carol", world.carol)
    home = page.locator("#home-counts")
    expect(home.get_by_role("link", name=f"{counts['todo']} 待办")).to_be_visible()
    expect(home.get_by_role("link", name=f"{counts['red']} 已超期")).to_be_visible()
    expect(home.get_by_role("link", name="1 等待补正")).to_be_visible()
    home.get_by_role("link", name="1 即将到期").click()
    expect(page).to_have_url(re.compile(r"/staff/queue/\?colour=yellow$"))
    expect(page.locator("#queue tbody tr")).to_have_count(1)
    expect(page.locator("#queue tr.clock-row-yellow")).to_have_count(1)
    expect(page.locator("#queue tr.clock-row-yellow")).to_contain_text("剩余")
    call_command("cases", "verify")
