"""Catalogue items filed end to end through their own processes: the person's proof of
insurance (SX-SI-004), decided at once by a service task."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.middleware.csrf import _get_new_csrf_string  # type: ignore[attr-defined]
from django.test import Client

from onestop.applications import services as applications
from onestop.applications.models import Application, Status, Step
from onestop.audit.models import Entry
from onestop.contributions import services as contributions
from onestop.contributions.services import DeclaredRow
from onestop.exchange.models import Certificate
from onestop.identity.models import Person, User
from onestop.reviews.models import DIMENSIONS

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 26)


def employ(employer: Any, person: Person, months: list[int], wage: str = "6000") -> None:
    """``person`` employed by ``employer`` and declared for ``months``."""
    contributions.insurance_register(
        actor=None, employer=employer, insurances=["pension"], since_period=months[0]
    )
    contributions.employment_start(
        actor=None,
        employer=employer,
        resident_id=person.resident_id,
        start_period=months[0],
        wage=Decimal(wage),
    )
    for period in months:
        result = contributions.declaration_submit(
            actor=None,
            employer=employer,
            period=period,
            rows=[DeclaredRow(2, person.resident_id, wage)],
            today=TODAY,
        )
        assert result.accepted, result.reply


def browser(user: User) -> Client:
    """A signed-in browser: CSRF enforced, the token sent as the page's script sends it."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.cookies["csrftoken"] = _get_new_csrf_string()
    client.defaults["HTTP_X_CSRFTOKEN"] = client.cookies["csrftoken"].value
    return client


# --- SX-SI-004: proof of insurance, decided at once ---------------------------------------


def test_proof_of_insurance_is_decided_at_once_and_delivered(world: Any) -> None:
    """alice, with three months on record, files SX-SI-004 through the API: the case is
    approved by the service task with no human step, journaled, the signed proof of
    insurance comes at once, and she can rate the case."""
    employ(world.acme, world.alice, [202609, 202610, 202611])
    client = browser(world.alice.user)
    answer = client.post(
        "/api/v1/applications",
        {"item_code": "SX-SI-004", "answers": {"purpose": "租房"}},
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["status"] == "approved"
    case = Application.objects.get(number=answer.json()["number"])
    assert case.ready == [] and case.completed_at is not None
    assert not case.open_steps.exists()
    assert case.facts["insured"] is True and case.facts["contribution_months"] == 3
    assert list(case.steps.values_list("action", "task", "actor_label")) == [
        ("submitted", "", world.alice.user.get_username()),
        ("approve", "decide", "system"),
    ]
    actions = set(Entry.objects.filter(target_id=str(case.pk)).values_list("action", flat=True))
    assert {"applications.submitted", "applications.decide.approve"} <= actions
    pdf = client.get(f"/applications/{case.number}/result.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    proof = Certificate.objects.get(kind="proof_of_insurance")
    assert proof.person == world.alice
    assert proof.payload["facts"]["contribution_months"] == 3
    assert proof.payload["facts"]["case"] == case.number
    rated = client.post(
        f"/api/v1/applications/{case.number}/review",
        {"level": 5, "scores": dict.fromkeys(DIMENSIONS, 5), "comment": "立等可取"},
        content_type="application/json",
    )
    assert rated.status_code == 201, rated.content


def test_proof_of_insurance_without_a_record_is_refused_with_the_reason(world: Any) -> None:
    """bob has no contribution month: the case is refused at once with the reason, and no
    proof is issued (the decision notice states the reason)."""
    filed = applications.application_submit(
        actor=world.bob.user, item_code="SX-SI-004", applicant=world.bob, answers={}
    )
    case = filed.application
    assert case.status == Status.REJECTED
    refusal = Step.objects.get(application=case, action="reject")
    assert "no contribution record" in refusal.note
    applications.decision_notice_pdf(actor=world.bob.user, case=case, absolute=str)
    assert list(Certificate.objects.values_list("kind", flat=True)) == ["decision_notice"]


def test_proof_of_insurance_at_the_counter(world: Any) -> None:
    """carol files it at the Yanta counter for alice, with her consent: decided at once."""
    employ(world.acme, world.alice, [202611])
    case = applications.application_submit(
        actor=world.carol,
        item_code="SX-SI-004",
        applicant=world.alice,
        answers={},
        channel="counter",
        consent=True,
    ).application
    assert case.status == Status.APPROVED and case.channel == "counter"
