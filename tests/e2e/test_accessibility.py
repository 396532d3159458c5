"""WCAG 2.1 AA: axe-core (bundled by axe-playwright-python) finds no violation on any public
page, in the elderly-friendly mode too, or on the main staff pages."""

from __future__ import annotations

from typing import Any

import pytest

from onestop.portal import content
from tests.e2e.test_applications import sign_in, sign_out

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}

PUBLIC = [
    "/",
    "/services/",
    "/services/SX-SI-006/",
    "/services/bundles/BUNDLE-RETIRE/",
    "/content/",
    "/content/?kind=policy",
    "/search/?q=养老保险",
    "/calculators/retirement/",
    "/calculators/pension/",
    "/calculators/unemployment-benefit/?province=610000&contribution_months=84"
    "&separation=ended_by_employer&registered_unemployed=on",
    "/calculators/flexible-contribution/?province=610000&base=6000&frequency=quarterly"
    "&month=2026-05&days_late=30",
    "/status/",
    "/verify/",
    "/ratings/",
    "/indicators/",
    "/login/",
    "/rate/visit/CV000000000000/",
]
#: The main staff pages, each seen by the role that works on it.
STAFF = {
    "carol": [
        "/",
        "/staff/queue/",
        "/staff/cases/?status=submitted",
        "/staff/persons/",
        "/staff/visits/",
        "/staff/quality/",
        "/staff/rectifications/",
    ],
    "sam": ["/supervision/", "/supervision/indicators/", "/dashboards/", "/staff/queue/"],
    "erin": ["/staff/content/", "/staff/content/new/"],
}


def violations(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=WCAG)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]


def publish_one(world: Any) -> None:
    article = content.article_create(
        actor=world.erin,
        draft=content.Draft(
            kind="policy",
            title="关于2026年度养老保险缴费基数的通知",
            body="缴费基数按全省平均工资确定。",
            document_number="陕人社发〔2026〕12号",
        ),
    )
    content.article_submit(actor=world.erin, article=article)
    content.article_publish(actor=world.sam, article=article)


@pytest.mark.parametrize("elderly", [False, True], ids=["standard", "elderly"])
def test_public_pages_have_no_wcag_violation(world: Any, page: Any, elderly: bool) -> None:
    publish_one(world)
    found: dict[str, list[str]] = {}
    if elderly:
        page.goto("/")
        page.locator("#elderly-toggle").click()
    article = content.published().first()
    assert article is not None
    for url in [*PUBLIC, f"/content/{article.pk}/"]:
        page.goto(url)
        if elderly:
            assert "elderly" in (page.locator("body").get_attribute("class") or "")
        problems = violations(page)
        if problems:
            found[url] = problems
    assert found == {}


def test_staff_pages_have_no_wcag_violation(world: Any, page: Any) -> None:
    from onestop.applications import services as cases

    # A case in the queue, so its rows, colours and selection boxes are checked too.
    cases.application_submit(
        actor=world.alice.user,
        item_code="SX-SI-006",
        applicant=world.alice,
        answers={"retirement_month": "2026-05", "bank_account": "6222020200112233446"},
    )
    found: dict[str, list[str]] = {}
    for login, urls in STAFF.items():
        sign_in(page, login, getattr(world, login))
        for url in urls:
            page.goto(url)
            problems = violations(page)
            if problems:
                found[f"{login} {url}"] = problems
        sign_out(page)
    assert found == {}


def test_the_checker_finds_violations(page: Any) -> None:
    """The check above can fail: a page with an unlabelled input and an image without text."""
    page.set_content(
        '<html lang="zh-CN"><head><title>t</title></head><body><main>'
        '<img src="data:,"><input type="text"><p style="color:#bbb;background:#fff">低对比度</p>'
        "</main></body></html>"
    )
    ids = {v.split(" ")[0] for v in violations(page)}
    assert {"image-alt", "label", "color-contrast"} <= ids
