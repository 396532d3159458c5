"""Good/bad reviews in the browser: a bad rating of a completed case, the agency's call back
and rectification on the clock, the applicant's second rating, and the public figures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from onestop.applications import services as applications
from onestop.reviews.forms import ASKED
from onestop.reviews.models import Rectification, Review
from tests.e2e.test_applications import sign_in, sign_out

ANSWERS = {"retirement_month": "2026-05", "bank_account": "6222020200112233446"}


def rate(page: Any, overall: str, dimension: str, comment: str) -> None:
    """Pick the level ``overall`` (1-5) overall and ``dimension`` on each dimension."""
    for name in ("level", *(f"score_{d}" for d in ASKED)):
        page.locator(
            f"input[name={name}][value='{overall if name == 'level' else dimension}']"
        ).check()
    page.get_by_label("评价内容（选填）").fill(comment)
    page.get_by_role("button", name="提交评价").click()


def test_a_bad_review_is_rectified_and_rated_again(world: Any, page: Any) -> None:
    filed = applications.application_submit(
        actor=world.alice.user, item_code="SX-SI-006", applicant=world.alice, answers=ANSWERS
    )
    case = applications.application_act(
        actor=world.carol, application=filed.application, task="accept", decision="accept"
    )
    applications.application_act(
        actor=world.rita, application=case, task="review", decision="reject", note="缴费不足"
    )
    sign_in(page, "13800000001")
    page.goto(f"/applications/{case.number}/")
    page.locator("#rate-link").click()
    form = page.locator("#rating-form").inner_text()
    assert all(label in form for label in ("总体评价", "办事指南准确性", "服务态度", "非常不满意"))
    rate(page, "1", "2", "窗口说法不一，跑了两次")
    assert "一个工作日内" in page.locator("main").inner_text()
    review = Review.objects.get()
    assert (review.level, review.channel, review.scores["attitude"]) == (1, "web", 2)
    sign_out(page)

    sign_in(page, "carol", world.carol)
    page.get_by_role("link", name="差评整改").click()
    row = page.locator("#rectifications tbody tr").first
    assert case.number in row.inner_text() and "窗口说法不一" in row.inner_text()
    row.get_by_label("回访记录").fill("已电话回访并致歉，说明政策依据")
    row.get_by_role("button", name="已回访").click()
    row = page.locator("#rectifications tbody tr").first
    assert "已回访" in row.inner_text()
    row.get_by_label("整改内容").fill("统一窗口口径，增加一次性告知单")
    row.get_by_role("button", name="已整改").click()
    assert Rectification.objects.get().status == "rectified"
    sign_out(page)

    sign_in(page, "13800000001")
    page.goto("/me/inbox/")
    assert case.number in page.locator("main").inner_text()
    page.goto(f"/applications/{case.number}/review/")
    expect(page.locator("#rate-again")).to_have_count(1)
    rate(page, "4", "4", "整改及时")
    assert Rectification.objects.get().status == "closed"
    assert Review.objects.filter(round=2, level=4).exists()
    page.goto(f"/applications/{case.number}/review/")
    expect(page.locator("#rate-closed")).to_have_count(1)  # rated twice: no more
    sign_out(page)

    page.goto("/ratings/")
    text = page.locator("#ratings").inner_text()
    assert "1/1" in text  # one dissatisfied rating, rectified
    page.get_by_role("link", name="按地市").click()
    assert "西安市" in page.locator("#ratings").inner_text()


def test_supervisors_and_the_public_read_the_indicators(world: Any, page: Any) -> None:
    filed = applications.application_submit(
        actor=world.alice.user, item_code="SX-SI-006", applicant=world.alice, answers=ANSWERS
    )
    applications.application_act(
        actor=world.carol,
        application=filed.application,
        task="accept",
        decision="not_accept",
        note="不符合受理条件",
    )
    sign_in(page, "sam", world.sam)
    page.get_by_role("link", name="服务指标").click()
    assert page.locator("#ind-on_time .value").inner_text() == "100.0%"
    page.get_by_label("行政区划").select_option("610602")  # Baota: nothing filed there
    page.get_by_role("button", name="显示").click()
    page.wait_for_url("**region=610602**")
    assert page.locator("#ind-on_time .value").inner_text() == "—"
    sign_out(page)
    page.goto("/indicators/")
    assert "全程网办事项占比" in page.locator("#indicators").inner_text()
    assert page.locator("#ind-online_items .value").inner_text() == "100.0%"


def test_decision_makers_read_the_dashboards_and_export_them(world: Any, page: Any) -> None:
    from onestop.dashboards.rollup import rollup

    filed = applications.application_submit(
        actor=world.alice.user, item_code="SX-SI-006", applicant=world.alice, answers=ANSWERS
    )
    applications.application_act(
        actor=world.carol,
        application=filed.application,
        task="accept",
        decision="not_accept",
        note="不符合受理条件",
    )
    rollup()
    sign_in(page, "sam", world.sam)
    page.get_by_role("link", name="数据看板").click()
    chart = page.locator("#chart-channels")
    chart.locator("svg rect").first.wait_for()
    assert "1" in chart.locator("table tbody").inner_text()
    assert "雁塔区" in page.locator("#regions").inner_text()
    with page.expect_download() as download:
        page.locator("#export-csv").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert text.startswith("月份,参保人数,参保单位数")


def test_a_counter_visit_without_a_case_is_rated_and_rectified(world: Any, page: Any) -> None:
    from onestop.reviews.models import Visit

    sign_in(page, "carol", world.carol)
    page.get_by_role("link", name="窗口接待").click()
    page.get_by_label("办理事项").fill("咨询灵活就业人员缴费档次")
    page.get_by_label("办事人手机号码，用于回访（选填）").fill("13900000009")
    page.get_by_role("button", name="结束接待").click()
    visit = Visit.objects.get()
    assert page.locator("#visit-code").inner_text() == visit.code
    expect(page.locator("#visit-slip svg")).to_have_count(1)
    rate(page, "2", "2", "排队太久")
    assert "不满意" in page.locator("#visits").inner_text()
    page.get_by_role("link", name="差评整改").click()
    row = page.locator("#rectifications tbody tr").first
    assert visit.number in row.inner_text() and "13900000009" in row.inner_text()
    row.get_by_label("回访记录").fill("已电话回访，说明高峰时段")
    row.get_by_role("button", name="已回访").click()
    row = page.locator("#rectifications tbody tr").first
    row.get_by_label("整改内容").fill("增设咨询专窗")
    row.get_by_role("button", name="已整改").click()
    sign_out(page)

    page.goto(f"/rate/visit/{visit.number}/")
    assert "窗口接待" in page.locator("main").inner_text()
    page.get_by_label("查询码（见受理回执）").fill(visit.code)
    rate(page, "5", "5", "")
    assert Rectification.objects.get().status == "closed"
    assert Review.objects.filter(visit=visit, round=2, level=5, channel="qr").exists()
