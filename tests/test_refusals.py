"""Refusals on the record: mallory (Baota) pokes at Xi'an's cases, persons and API paths."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from onestop.applications import services as applications
from onestop.audit.models import Entry
from onestop.notifications.models import Notification

pytestmark = pytest.mark.django_db

ANSWERS = {"retirement_month": "2026-05", "bank_account": "6222020200112233446"}


@pytest.fixture
def xian_case(world: Any) -> Any:
    return applications.application_submit(
        actor=world.alice.user,
        item_code="SX-SI-006",
        applicant=world.alice,
        answers=ANSWERS,
    ).application


def refusals(actor: str) -> list[Entry]:
    return list(Entry.objects.filter(action="access.refused", actor_label=actor).order_by("seq"))


def test_mallory_refusals_are_journaled_with_route_target_and_reason(
    world: Any, xian_case: Any
) -> None:
    mallory = Client()
    mallory.force_login(world.mallory)
    alice = world.alice.pk
    assert mallory.get(f"/applications/{xian_case.number}/").status_code == 404
    assert mallory.get(f"/staff/persons/{alice}/").status_code == 404
    assert mallory.get(f"/api/v1/persons/{alice}").status_code == 404
    assert mallory.get(f"/api/v1/applications/{xian_case.number}").status_code == 404
    assert mallory.get("/audit/").status_code == 403
    assert mallory.get("/api/v1/audit/entries").status_code == 403
    got = [
        (e.target_type, e.target_id, e.changes["reason"], e.changes["status"])
        for e in refusals("mallory")
    ]
    assert got == [
        ("applications:case", xian_case.number, "not_found", 404),
        ("identity:person_detail", str(alice), "not_found", 404),
        ("api:person_detail", str(alice), "not_found", 404),
        ("api:case", xian_case.number, "not_found", 404),
        ("audit:journal", "", "forbidden", 403),
        ("api:entries", "", "forbidden", 403),
    ]
    first = refusals("mallory")[0]
    assert (first.outcome, first.role) == ("denied", "case_worker")
    assert first.actor_id == str(world.mallory.pk)
    assert first.changes["path"] == f"/applications/{xian_case.number}/"


def test_the_audit_administrator_finds_mallorys_refusals(world: Any, xian_case: Any) -> None:
    mallory = Client()
    mallory.force_login(world.mallory)
    mallory.get(f"/staff/persons/{world.alice.pk}/")
    mallory.get(f"/api/v1/persons/{world.alice.pk}")
    audrey = Client()
    audrey.force_login(world.audrey)
    page = audrey.get("/audit/", {"action": "access.refused", "actor": "mallory"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "identity:person_detail" in html and "api:person_detail" in html
    api = audrey.get("/api/v1/audit/entries", {"action": "access.refused", "actor": "mallory"})
    rows = api.json()["items"]
    assert [(r["target_type"], r["target_id"]) for r in rows] == [
        ("api:person_detail", str(world.alice.pk)),
        ("identity:person_detail", str(world.alice.pk)),
    ]


def test_plain_404s_and_own_objects_are_not_refusals(world: Any) -> None:
    """A mistyped page, or the anonymous on a missing object, is no refusal."""
    alice = Client()
    alice.force_login(world.alice.user)
    assert alice.get("/no-such-page/").status_code == 404
    assert Client().get("/api/v1/persons/999999").status_code == 401
    assert not Entry.objects.filter(action__startswith="access.").exists()


def test_a_flood_is_capped_and_raises_one_security_notice(world: Any, settings: Any) -> None:
    settings.ONESTOP_REFUSAL_JOURNAL_CAP = 12
    settings.ONESTOP_REFUSAL_ALERT_THRESHOLD = 10
    mallory = Client()
    mallory.force_login(world.mallory)
    for n in range(40):
        assert mallory.get(f"/api/v1/persons/{100000 + n}").status_code == 404
    assert len(refusals("mallory")) == 12
    assert Entry.objects.filter(action="access.refused.capped").count() == 1
    notices = Notification.objects.filter(event="security.refusals")
    assert [n.recipient.username for n in notices] == ["sean"]
    assert "mallory" in notices[0].title_en and "10" in notices[0].body_en
    assert Entry.objects.filter(action="access.refusals.alerted").count() == 1


def test_a_cap_per_actor_leaves_others_on_record(world: Any, settings: Any) -> None:
    settings.ONESTOP_REFUSAL_JOURNAL_CAP = 3
    mallory, carol = Client(), Client()
    mallory.force_login(world.mallory)
    carol.force_login(world.carol)
    for _ in range(6):
        mallory.get("/audit/")
    carol.get("/audit/")
    assert len(refusals("mallory")) == 3
    assert len(refusals("carol")) == 1
