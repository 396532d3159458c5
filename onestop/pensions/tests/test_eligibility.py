"""Eligibility before filing the retirement item (SX-SI-006): the months offered, the refusals
with their reasons on every channel, the shortfall and its options, what is missing."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from onestop.applications import prechecks, services
from onestop.applications.models import Application, Channel
from onestop.audit.models import Entry
from onestop.common.errors import ServiceError
from onestop.contributions import services as contributions
from onestop.identity import demo
from onestop.identity import services as identity
from onestop.identity.models import Person
from onestop.pensions import eligibility
from onestop.pensions.testing import worked_elsewhere

pytestmark = pytest.mark.django_db

ITEM = "SX-SI-006"
TODAY = dt.date(2026, 11, 26)
BANK = "6222020200112233446"


def person(world: Any, born: dt.date, *, male: bool, post: str | None, seed: int) -> Person:
    """Someone in Yanta (with a login), employed by acme in ``post`` unless None."""
    found = identity.person_register(
        actor=None,
        name="测试人",
        resident_id=demo.resident_id(random.Random(seed), "610113", born, male=male),
        region=world.regions["610113"],
        phone=f"1390000{seed:04d}",
        password="Onestop2026demo",
    )
    if post is not None:
        contributions.insurance_register(
            actor=None, employer=world.acme, insurances=["pension"], since_period=202401
        )
        contributions.employment_start(
            actor=None,
            employer=world.acme,
            resident_id=found.resident_id,
            start_period=202611,
            wage=Decimal("6000"),
            post_category=post,
        )
    return found


def file(who: Person, month: str, channel: str = Channel.ONLINE, actor: Any = None) -> Any:
    return services.application_submit(
        actor=actor or who.user,
        item_code=ITEM,
        applicant=who,
        answers={"retirement_month": month, "bank_account": BANK},
        channel=channel,
        consent=channel == Channel.COUNTER,
    )


def test_a_cadre_woman_far_from_retirement_is_refused_with_her_window(world: Any) -> None:
    """The demo's alice: a woman born 1974-05 in a cadre post retires at 56y2m (2030-07),
    flexibly 2029-05 to 2033-07. Filing 2026-12 is refused on every channel with the reason
    and the window; nothing is saved or journaled."""
    alice = person(world, dt.date(1974, 5, 15), male=False, post="cadre", seed=11)
    before = Entry.objects.count()
    for channel, actor in (
        (Channel.ONLINE, None),
        (Channel.API, None),
        (Channel.COUNTER, world.carol),
    ):
        with pytest.raises(ServiceError) as refused:
            file(alice, "2026-12", channel, actor)
        assert refused.value.code == "window"
        assert refused.value.zh.startswith(
            "不能选择2026-12退休：法定退休月份为2030-07。可选退休时间为2029-05至2033-07。"
            # Every reason at once: early also needs the minimum and three months' notice.
            "提前退休须满足最低缴费年限。累计缴费1个月，不足最低缴费年限180个月，差179个月。"
        )
        assert refused.value.zh.endswith("提前退休应至少提前3个月书面申请。")
        assert "2029-05 to 2033-07" in refused.value.en
    assert not Application.objects.exists()
    assert Entry.objects.count() == before
    # Before filing the form already says so: no month can be filed now (parameters are
    # published to 2026, so 2027-12 is the last computable month), and why.
    found = prechecks.precheck(person=alice, item_code=ITEM, today=TODAY)
    assert not found.eligible
    assert [n.code for n in found.notes] == ["window", "minimum", "parameters", "no_month"]
    assert found.choices == {"retirement_month": []}
    assert "2030-07" in found.notes[0].zh and "2029-05至2033-07" in found.notes[0].zh
    # The parameters note speaks of her own first month (the statutory one: short of the
    # minimum, no early month), not of months she could never choose.
    assert found.notes[2].zh == (
        "可选退休月份最早为2030-07，需要2029年的计发基数，该年度政策参数尚未公布，公布后即可申请。"
    )
    assert found.notes[2].en.startswith("The earliest month you may choose, 2030-07, needs")
    assert "2027" not in found.notes[2].zh + found.notes[2].en


def test_the_form_offers_only_months_inside_the_window(world: Any) -> None:
    """A man born 1967-01 retires at 60y7m, 2027-08; early from 2027-01 (never below 60).
    With the minimum met: early months at least three months ahead (from 2027-02), up to
    what the published parameters can compute (2027-12)."""
    man = person(world, dt.date(1967, 1, 10), male=True, post="general", seed=12)
    worked_elsewhere(man, months=200)
    found = prechecks.precheck(person=man, item_code=ITEM, today=TODAY)
    assert found.eligible
    assert found.choices["retirement_month"] == [f"2027-{m:02d}" for m in range(2, 13)]
    assert [n.code for n in found.notes] == ["window", "parameters"]
    # His statutory month (2027-08) can be filed: the note tells of the later months only.
    assert found.notes[1].zh.endswith(
        "目前只能受理2027-12及以前的退休月份。其后的月份请待参数公布后再申请。"
    )
    # Months outside are refused with their reason, inside are filed.
    with pytest.raises(ServiceError) as early:
        file(man, "2027-01")
    assert early.value.code == "notice"
    assert "提前退休应至少提前3个月书面申请" in early.value.zh
    with pytest.raises(ServiceError) as beyond:
        file(man, "2028-03")
    assert beyond.value.code == "parameters"
    assert beyond.value.zh == (
        "2027-12以后的退休月份需要退休前一年（2027年及以后）的计发基数，尚未公布，"
        "目前只能受理2027-12及以前的退休月份。2028-03退休需要2027年的计发基数，公布后即可申请。"
    )
    assert Application.objects.count() == 0
    assert file(man, "2027-08").application.answers["retirement_month"] == "2027-08"


def test_short_of_the_minimum_tells_the_gap_and_the_options(world: Any) -> None:
    """Without the minimum, early retirement is not offered (D2); the form says how many
    months are missing and the options before filing; an early month is refused with them."""
    man = person(world, dt.date(1967, 1, 10), male=True, post="general", seed=13)
    worked_elsewhere(man, months=100)
    found = prechecks.precheck(person=man, item_code=ITEM, today=TODAY)
    assert found.choices["retirement_month"] == [f"2027-{m:02d}" for m in range(8, 13)]
    minimum = next(n for n in found.notes if n.code == "minimum")
    # 100 brought in + 9 months at work (2026-11 to 2027-07) = 109, 71 short of 180.
    assert "预计109个月" in minimum.zh and "差71个月" in minimum.zh
    assert "继续按月缴费至" in minimum.zh and "一次性补缴" in minimum.zh
    assert "延迟退休" in minimum.zh and "retire later (up to 2030-08)" in minimum.en
    assert not minimum.blocks
    with pytest.raises(ServiceError) as early:
        file(man, "2027-03")
    assert early.value.code == "minimum"
    assert "提前退休须满足最低缴费年限" in early.value.zh and "差" in early.value.zh


def test_what_is_missing_is_said(world: Any) -> None:
    """A woman whose post is not on record is told so (the reviewer establishes it); a
    person whose sex is not on record cannot file and is told why."""
    woman = person(world, dt.date(1972, 3, 1), male=False, post="general", seed=14)
    found = prechecks.precheck(person=woman, item_code=ITEM, today=TODAY)
    assert [n.code for n in found.notes] == ["post_unknown"]
    assert found.eligible and found.choices == {}
    assert "工人岗位" in found.notes[0].zh and "worker" in found.notes[0].en
    Person.objects.filter(pk=woman.pk).update(sex="")
    woman.refresh_from_db()
    found = prechecks.precheck(person=woman, item_code=ITEM, today=TODAY)
    assert [(n.code, n.blocks) for n in found.notes] == [("sex_unknown", True)]
    with pytest.raises(ServiceError) as refused:
        file(woman, "2027-03")
    assert refused.value.code == "sex_unknown"
    assert not Application.objects.exists()


def test_a_malformed_month_is_told_in_plain_words(world: Any) -> None:
    """Never a pattern or a validator's message."""
    for month in ("2026-1", "2026-13"):
        with pytest.raises(ServiceError) as refused:
            file(world.alice, month)
        assert "^" not in refused.value.zh + refused.value.en
        assert "does not match" not in refused.value.en
    with pytest.raises(ServiceError) as refused:
        file(world.alice, "2026-1")
    assert refused.value.zh == "“退休月份”填写有误：应写成“年-月”，例如2027-03。"
    assert refused.value.en == (
        "“Retirement month (YYYY-MM)” is not valid: write it as year-month, e.g. 2027-03."
    )
    with pytest.raises(ServiceError) as refused:
        eligibility.retirement_check(
            person=world.alice, answers={"retirement_month": "2026-13"}, today=TODAY
        )
    assert refused.value.zh == "退休月份应写成“年-月”，例如2027-03。"


def test_the_api_answers_the_precheck_and_refuses_the_same(world: Any) -> None:
    alice = person(world, dt.date(1974, 5, 15), male=False, post="cadre", seed=15)
    client = Client()
    assert alice.user is not None
    client.force_login(alice.user)
    body = client.get("/api/v1/applications/precheck", {"item_code": ITEM}).json()
    assert body["eligible"] is False
    assert [n["code"] for n in body["notes"]] == ["window", "minimum", "parameters", "no_month"]
    assert body["choices"] == {"retirement_month": []}
    refused = client.post(
        "/api/v1/applications",
        {"item_code": ITEM, "answers": {"retirement_month": "2026-12", "bank_account": BANK}},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert refused.json()["code"] == "window"
    assert "2029-05至2033-07" in refused.json()["message_zh"]
    assert not Application.objects.exists()


def test_a_woman_whose_post_is_unknown_is_approved_only_once_the_reviewer_establishes_it(
    world: Any,
) -> None:
    """A woman born 1974-05 whose post is not on record files for 2026-12 (a worker's late
    month: her statutory month as a worker is 2024-05). The case page tells the reviewer the
    post category is to be established and offers it in the decision form; approving
    without it is refused (API and page, nothing changed); as a cadre (statutory 2030-07,
    earliest 2029-05) the month is an unlawful early retirement and is refused; established
    as a worker she is approved, the post journaled and shown."""
    from onestop.pensions.models import Pensioner
    from onestop.pensions.testing import worked_elsewhere

    woman = person(world, dt.date(1974, 5, 15), male=False, post="general", seed=15)
    worked_elsewhere(woman)
    case = file(woman, "2026-12").application
    case = services.application_act(
        actor=world.carol, application=case, task="accept", decision="accept"
    )
    assert case.facts["establish"] == ["post_category"]
    assert services.to_establish(case) == ["post_category"]
    page = Client()
    page.force_login(world.rita)
    text = page.get(f"/applications/{case.number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The applicant's post category is not on record." in text
    assert 'name="review-post_category"' in text
    zh = page.get(f"/applications/{case.number}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "申请人的岗位类别未登记。" in zh.content.decode()
    before = (Entry.objects.count(), case.steps.count())
    api = Client()
    api.force_login(world.rita)
    refused = api.post(
        f"/api/v1/applications/{case.number}/tasks/review",
        {"decision": "approve"},
        content_type="application/json",
    )
    assert refused.status_code == 400, refused.content
    assert refused.json()["code"] == "establish"
    assert "岗位类别" in refused.json()["message_zh"]
    assert "post category" in refused.json()["message_en"]
    shown = page.post(
        f"/applications/{case.number}/tasks/review/",
        {"review-decision": "approve", "review-post_category": ""},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    assert "Establish before approving: post category" in shown.content.decode()
    with pytest.raises(ServiceError) as cadre:
        services.application_act(
            actor=world.rita,
            application=case,
            task="review",
            decision="approve",
            established={"post_category": "cadre"},
        )
    assert "2030-07" in cadre.value.zh and "2029-05" in cadre.value.en
    case.refresh_from_db()
    assert (Entry.objects.count(), case.steps.count()) == before
    assert case.status == "in_review" and "post_category" not in case.facts
    assert not Pensioner.objects.exists()
    page.post(
        f"/applications/{case.number}/tasks/review/",
        {"review-decision": "approve", "review-post_category": "worker"},
    )
    case.refresh_from_db()
    assert case.status == "approved" and case.facts["post_category"] == "worker"
    assert Pensioner.objects.filter(person=woman).exists()
    entry = Entry.objects.get(action="applications.review.approve")
    assert entry.changes["established"] == {"post_category": "worker"}
    text = page.get(f"/applications/{case.number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "production or operating post (original retirement age 50)" in text
    assert 'id="establish-notice"' not in text


def test_a_person_still_employed_is_offered_only_months_after_the_employment(
    world: Any,
) -> None:
    """A man born 1965-06 (statutory month 2025-08, flexible to 2028-08) with 200 months,
    still employed by acme (an open employment) on 2026-11-26: a pension is not paid for a
    month he works and contributes (SIL art. 16, Labour Contract Law art. 44), so the form
    offers months from 2026-12 only and says why; a past or the current month is refused on
    the API (with a token) with the reason in both languages, nothing saved. Once acme ends
    the employment with 2026-09, 2026-10 can be filed."""
    from onestop.contributions.models import Employment
    from onestop.identity.services import token_create

    man = person(world, dt.date(1965, 6, 10), male=True, post="general", seed=16)
    Employment.objects.filter(person=man).update(start_period=202401)
    worked_elsewhere(man, months=200)
    found = prechecks.precheck(person=man, item_code=ITEM, today=TODAY)
    assert found.eligible
    assert found.choices["retirement_month"] == ["2026-12", "2027-01"] + [
        f"2027-{m:02d}" for m in range(2, 13)
    ]
    employed = next(n for n in found.notes if n.code == "employed")
    assert "退休月份最早为2026-12" in employed.zh and "办理减员" in employed.zh
    assert "The earliest retirement month is 2026-12" in employed.en
    assert man.user is not None
    token = token_create(
        actor=man.user, name="app", scopes=["applications:read", "applications:write"], days=30
    )
    api = Client()
    headers = {"Authorization": f"Bearer {token.secret}"}
    body = api.get("/api/v1/applications/precheck", {"item_code": ITEM}, headers=headers).json()
    assert body["choices"]["retirement_month"][0] == "2026-12"
    for month in ("2025-08", "2026-11"):
        refused = api.post(
            "/api/v1/applications",
            {"item_code": ITEM, "answers": {"retirement_month": month, "bank_account": BANK}},
            content_type="application/json",
            headers=headers,
        )
        assert refused.status_code == 400, refused.content
        assert refused.json()["code"] == "employed"
        assert refused.json()["message_zh"].startswith(
            f"不能选择{month}退休：您目前仍在参保单位就业"
        )
        assert f"Retirement in {month} is not possible." in refused.json()["message_en"]
    assert not Application.objects.exists()
    # acme removes him after 2026-09: 2026-10, after his covered employment, can be filed.
    employment = Employment.objects.get(person=man)
    contributions.employment_end(
        actor=None, employment=employment, end_period=202609, reason="退休 retirement"
    )
    with pytest.raises(ServiceError) as refused_ended:
        file(man, "2026-09")
    assert refused_ended.value.code == "employed"
    assert "退休月份最早为2026-10" in refused_ended.value.zh
    assert file(man, "2026-10").application.answers["retirement_month"] == "2026-10"
