"""Unemployment registration: the end of the last employment comes from the platform's own
record and its removal reason; one open registration; ended by re-employment on record."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from onestop.audit.models import Entry
from onestop.common.errors import NotFound, NotPermitted, ServiceError
from onestop.contributions import services as contributions
from onestop.notifications.models import Notification
from onestop.unemployment import selectors, services
from onestop.unemployment.models import UnemploymentRegistration

pytestmark = pytest.mark.django_db


def employ(world: Any, *, start: int, end: int | None = None, reason: str = "") -> Any:
    employment = contributions.employment_start(
        actor=world.bob.user,
        employer=world.acme,
        resident_id=world.alice.resident_id,
        start_period=start,
        wage=Decimal("6000"),
    )
    if end is not None:
        contributions.employment_end(
            actor=world.bob.user, employment=employment, end_period=end, reason=reason
        )
    return employment


def test_alice_registers_after_bob_ended_her_contract(world: Any) -> None:
    """Removed by bob for "contract ended by the employer": the registration names acme, the
    end month and the separation, is journaled and tells alice."""
    employment = employ(world, start=201801, end=202610, reason="contract ended by the employer")
    registration = services.unemployment_register(
        actor=world.alice.user, person=world.alice, channel="online"
    )
    assert (
        registration.period,
        registration.employment_id,
        registration.employer_id,
        registration.employment_end_period,
        registration.employer_reason,
        registration.separation,
        registration.status,
        registration.created_by,
    ) == (
        202611,
        employment.pk,
        world.acme.pk,
        202610,
        "contract ended by the employer",
        "ended_by_employer",
        "registered",
        world.alice.user.get_username(),
    )
    entry = Entry.objects.get(action="unemployment.registered")
    assert entry.changes == {
        "person": world.alice.pk,
        "period": 202611,
        "employment": employment.pk,
        "employment_end": 202610,
        "separation": "ended_by_employer",
        "channel": "online",
    }
    note = Notification.objects.get(recipient=world.alice.user, event="unemployment.registered")
    assert "2026-10" in note.body_zh and "2026-11" in note.body_en
    assert selectors.open_registration_of(actor=world.alice.user, person=world.alice) == (
        registration
    )


def test_a_free_text_reason_leaves_the_separation_to_a_case_worker(world: Any) -> None:
    employ(world, start=201801, end=202609, reason="moved away")
    registration = services.unemployment_register(
        actor=world.carol, person=world.alice, channel="counter"
    )
    assert (registration.separation, registration.employer_reason, registration.created_by) == (
        "",
        "moved away",
        "carol",
    )


def test_someone_never_employed_may_register_without_an_employment(world: Any) -> None:
    registration = services.unemployment_register(
        actor=world.alice.user, person=world.alice, channel="api"
    )
    assert (registration.employment_id, registration.employer_id, registration.separation) == (
        None,
        None,
        "",
    )


def test_refused_while_employed_or_already_registered(world: Any) -> None:
    employ(world, start=201801)
    with pytest.raises(services.Conflict) as caught:
        services.unemployment_register(actor=world.alice.user, person=world.alice, channel="online")
    assert (caught.value.code, caught.value.status) == ("employed", 409)
    assert "employer has to remove you first" in caught.value.en
    assert not UnemploymentRegistration.objects.exists()
    assert not Entry.objects.filter(action__startswith="unemployment.").exists()


def test_one_open_registration(world: Any) -> None:
    services.unemployment_register(actor=world.alice.user, person=world.alice, channel="online")
    with pytest.raises(services.Conflict) as caught:
        services.unemployment_register(actor=world.carol, person=world.alice, channel="counter")
    assert caught.value.code == "registered"
    assert UnemploymentRegistration.objects.count() == 1


@pytest.mark.parametrize("name", ["bob", "mallory", "sam", "rita"])
def test_others_may_not_register_alice(world: Any, name: str) -> None:
    """bob is her employer, not her; mallory is out of scope; sam and rita hold no such
    permission. Nothing is written."""
    with pytest.raises(NotPermitted):
        services.unemployment_register(
            actor=world.user(name), person=world.alice, channel="counter"
        )
    assert not UnemploymentRegistration.objects.exists()
    assert not Entry.objects.filter(action__startswith="unemployment.").exists()


def test_unknown_channel(world: Any) -> None:
    with pytest.raises(ServiceError) as caught:
        services.unemployment_register(actor=world.alice.user, person=world.alice, channel="fax")
    assert caught.value.code == "channel"
    assert not UnemploymentRegistration.objects.exists()


def test_reemployment_on_record_ends_the_registration(world: Any) -> None:
    """bob re-hires alice from 2027-01: the comparison ends her registration with 2026-12,
    once (a second run finds nothing), journaled, alice told."""
    employ(world, start=201801, end=202610, reason="contract ended by the employer")
    registration = services.unemployment_register(
        actor=world.alice.user, person=world.alice, channel="online"
    )
    assert services.registrations_close_on_reemployment() == 0  # nothing new on record
    employ(world, start=202701)
    assert services.registrations_close_on_reemployment() == 1
    registration.refresh_from_db()
    assert (registration.status, registration.end_reason, registration.end_period) == (
        "ended",
        "reemployed",
        202612,
    )
    assert services.registrations_close_on_reemployment() == 0
    entry = Entry.objects.get(action="unemployment.registration_ended")
    assert entry.changes == {"reason": "reemployed", "end": 202612}
    note = Notification.objects.get(recipient=world.alice.user, event="unemployment.reemployed")
    assert "2027-01" in note.body_en and "2026-12" in note.body_en


def test_an_employment_before_the_registration_does_not_end_it(world: Any) -> None:
    employ(world, start=201801, end=202610, reason="contract ended by the employer")
    services.unemployment_register(actor=world.alice.user, person=world.alice, channel="online")
    assert services.registrations_close_on_reemployment() == 0


def test_withdraw(world: Any) -> None:
    registration = services.unemployment_register(
        actor=world.alice.user, person=world.alice, channel="online"
    )
    with pytest.raises(NotPermitted):
        services.registration_withdraw(actor=world.mallory, registration=registration)
    services.registration_withdraw(actor=world.alice.user, registration=registration)
    registration.refresh_from_db()
    assert (registration.status, registration.end_reason, registration.end_period) == (
        "ended",
        "withdrawn",
        202611,
    )
    with pytest.raises(services.Conflict):
        services.registration_withdraw(actor=world.alice.user, registration=registration)
    # Ended, a new registration may follow.
    services.unemployment_register(actor=world.alice.user, person=world.alice, channel="online")


def test_staff_see_registrations_in_their_scope_only(world: Any) -> None:
    registration = services.unemployment_register(
        actor=world.alice.user, person=world.alice, channel="online"
    )
    assert list(selectors.registrations_for(actor=world.carol)) == [registration]
    assert list(selectors.registrations_for(actor=world.sam)) == [registration]
    assert list(selectors.registrations_for(actor=world.mallory)) == []
    assert list(selectors.registrations_for(actor=world.alice.user)) == []
    assert list(selectors.registrations_of(actor=world.mallory, person=world.alice)) == []
    assert list(selectors.registrations_of(actor=world.bob.user, person=world.alice)) == []


def test_the_comparison_is_for_staff_or_the_system(world: Any) -> None:
    with pytest.raises(NotPermitted):
        services.registrations_close_on_reemployment(actor=world.alice.user)


def test_the_daily_job_runs_the_comparison(world: Any) -> None:
    from onestop.unemployment.tasks import reemployment_check_task

    employ(world, start=201801, end=202610, reason="contract ended by the employer")
    services.unemployment_register(actor=world.alice.user, person=world.alice, channel="online")
    employ(world, start=202612)
    reemployment_check_task.delay()
    registration = UnemploymentRegistration.objects.get()
    assert (registration.status, registration.end_period) == ("ended", 202611)


def contributed(world: Any, months: list[int]) -> Any:
    """acme insures alice for pension and unemployment in ``months`` (declared), then removes
    her for "contract ended by the employer" at the last one."""
    from onestop.contributions.models import Bill
    from onestop.contributions.services import DeclaredRow

    contributions.insurance_register(
        actor=None, employer=world.acme, insurances=["pension", "unemployment"], since_period=202501
    )
    employment = contributions.employment_start(
        actor=None,
        employer=world.acme,
        resident_id=world.alice.resident_id,
        start_period=months[0],
        wage=Decimal("6000"),
    )
    for period in months:
        assert contributions.declaration_submit(
            actor=None,
            employer=world.acme,
            period=period,
            rows=[DeclaredRow(2, world.alice.resident_id, "6000")],
        ).accepted
    contributions.employment_end(
        actor=None,
        employment=employment,
        end_period=months[-1],
        reason="contract ended by the employer",
    )
    return Bill


def pay(bills: Any, *, insurance: str, periods: list[int]) -> None:
    for bill in bills.objects.filter(insurance=insurance, period__in=periods):
        contributions.payment_record(
            actor=None,
            external_id=f"TAX-{bill.pk}",
            bill=bill,
            amount=bill.amount_due,
            paid_on=bill.due_date,
        )


MONTHS = [202501 + i for i in range(12)] + [202601]


def test_the_assessment_counts_the_paid_unemployment_months_on_record(world: Any) -> None:
    """13 months declared; while two unemployment bills are unpaid only 11 count and one year
    is not met; paid, 13 months earn 12 months of 1944.00."""
    import datetime as dt

    bills = contributed(world, MONTHS)
    pay(bills, insurance="pension", periods=MONTHS)
    pay(bills, insurance="unemployment", periods=MONTHS[:11])
    registration = services.unemployment_register(
        actor=world.alice.user, person=world.alice, channel="online"
    )
    today = dt.date(2026, 11, 26)
    short = selectors.benefit_assessment(actor=world.carol, registration=registration, today=today)
    assert not short.eligibility.eligible
    assert [r.code for r in short.eligibility.refusals] == ["contribution"]
    assert "11" in short.eligibility.refusals[0].en
    pay(bills, insurance="unemployment", periods=MONTHS[11:])
    found = selectors.benefit_assessment(
        actor=world.alice.user, registration=registration, today=today
    )
    assert found.eligibility.eligible
    assert (found.entitlement.months, found.monthly_amount, found.total) == (
        12,
        Decimal("1944.00"),
        Decimal("23328.00"),
    )
    with pytest.raises(NotFound):
        selectors.benefit_assessment(actor=world.mallory, registration=registration, today=today)


def test_no_assessment_while_the_separation_is_undetermined(world: Any) -> None:
    import datetime as dt

    employ(world, start=201801, end=202609, reason="moved away")
    registration = services.unemployment_register(
        actor=world.alice.user, person=world.alice, channel="online"
    )
    with pytest.raises(ServiceError) as caught:
        selectors.benefit_assessment(
            actor=world.carol, registration=registration, today=dt.date(2026, 11, 26)
        )
    assert (caught.value.code, caught.value.status) == ("separation_undetermined", 400)
