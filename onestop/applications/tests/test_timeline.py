"""The case timeline as each reader sees it: staff see logins and the work organisation
(claims, hand-overs); the applicant and the public status query see what was done and by
which role and office, never a staff login, and no claim or hand-over."""

from __future__ import annotations

from typing import Any

import pytest
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from onestop.applications import services
from onestop.applications.models import Step

pytestmark = pytest.mark.django_db

ANSWERS = {"retirement_month": "2026-05", "bank_account": "6222020200112233446"}


def browser(user: Any) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.cookies["csrftoken"] = _get_new_csrf_string()
    client.defaults["HTTP_X_CSRFTOKEN"] = client.cookies["csrftoken"].value
    return client


def worked_on(world: Any) -> tuple[Any, str]:
    """alice files SX-SI-006 online; carol claims, releases, claims again and accepts it."""
    filed = services.application_submit(
        actor=world.alice.user, item_code="SX-SI-006", applicant=world.alice, answers=ANSWERS
    )
    case = filed.application
    services.application_claim(actor=world.carol, application=case)
    services.application_release(actor=world.carol, application=case, note="午休")
    services.application_claim(actor=world.carol, application=case)
    case = services.application_act(
        actor=world.carol, application=case, task="accept", decision="accept", note="材料齐全"
    )
    assert set(Step.objects.filter(application=case).values_list("action", flat=True)) >= {
        "claimed",
        "released",
        "accept",
    }
    return case, filed.code


def test_the_applicant_sees_the_office_never_the_login(world: Any) -> None:
    """alice's case page (zh and en) names carol's role and agency for the acceptance, shows
    its note, and shows neither carol's login nor the claims and the release."""
    case, _ = worked_on(world)
    office = world.carol.staff_profile.agency
    zh = browser(world.alice.user).get(
        f"/applications/{case.number}/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert zh.status_code == 200
    timeline = zh.content.decode().split('id="timeline"')[1].split("</ol>")[0]
    assert "carol" not in timeline and "午休" not in timeline
    assert "已领取" not in timeline and "释放" not in timeline
    assert f"经办人员 · {office.name}" in timeline and "材料齐全" in timeline
    en = browser(world.alice.user).get(f"/applications/{case.number}/", HTTP_ACCEPT_LANGUAGE="en")
    timeline = en.content.decode().split('id="timeline"')[1].split("</ol>")[0]
    assert "carol" not in timeline and "claimed" not in timeline
    assert f"case worker · {office.name_en or office.name}" in timeline


def test_the_staff_timeline_is_unchanged(world: Any) -> None:
    """carol's page of the same case shows her login and the claim and release."""
    case, _ = worked_on(world)
    page = browser(world.carol).get(f"/applications/{case.number}/", HTTP_ACCEPT_LANGUAGE="en")
    timeline = page.content.decode().split('id="timeline"')[1].split("</ol>")[0]
    assert "carol" in timeline and "claimed" in timeline and "released" in timeline


def test_the_api_and_the_status_query_hide_logins_and_internal_events(world: Any) -> None:
    """The applicant's API view names no holder and lists no claim; the public status query
    (page and API) lists no claim; carol's API view still shows both."""
    case, code = worked_on(world)
    services.application_claim(actor=world.rita, application=case)  # the review, held
    mine = browser(world.alice.user).get(f"/api/v1/applications/{case.number}").json()
    assert mine["assignee"] is None and all(t["holder"] is None for t in mine["ready"])
    assert "claimed" not in [s["action"] for s in mine["timeline"]]
    assert "accept" in [s["action"] for s in mine["timeline"]]
    assert "rita" not in str(mine) and "carol" not in str(mine)
    staff = browser(world.carol).get(f"/api/v1/applications/{case.number}").json()
    assert staff["assignee"] == "rita"
    assert "claimed" in [s["action"] for s in staff["timeline"]]
    public = (
        Client().get("/api/v1/applications/status", {"number": case.number, "code": code}).json()
    )
    assert [s["action"] for s in public["timeline"]] == ["submitted", "accept"]
    page = (
        Client()
        .get("/status/", {"number": case.number, "code": code}, HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    assert "claimed" not in page and "released" not in page
