"""Employment and unemployment registration (SX-EMP-001): register, withdraw, and end by
data comparison when the platform records a new employment.

Every change is journaled in its transaction; the person is told through notifications.
The filing of the registration as a case (catalogue, BPMN) is not here: these services are
what such a process calls.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from onestop.audit.services import record
from onestop.common.errors import NotPermitted, ServiceError
from onestop.contributions import selectors as contributions
from onestop.contributions.periods import current_period, month_of, period_of
from onestop.identity.models import Person
from onestop.identity.policy import REGISTER_UNEMPLOYMENT, VIEW_PERSON
from onestop.notifications.services import notify
from onestop.rules.unemployment import separation_from_text
from onestop.rules.values import echoed
from onestop.unemployment.benefits import benefits_stop_on_reemployment
from onestop.unemployment.models import (
    Channel,
    EndReason,
    Status,
    UnemploymentRegistration,
)


class Conflict(ServiceError):
    status = 409
    code = "conflict"


def _allowed(actor: Any, person: Person, perm: str = REGISTER_UNEMPLOYMENT) -> None:
    if actor is not None and not actor.has_perm(perm, person):
        raise NotPermitted()


def _label(actor: Any) -> str:
    return actor.get_username() if actor is not None else "system"


def unemployment_register(
    *, actor: Any, person: Person, channel: str, today: dt.date | None = None
) -> UnemploymentRegistration:
    """Register ``person`` as unemployed from this month (the person online or through the
    API, or a case worker in scope at a counter).

    The last employment comes from the platform's own record: its employer, end month and
    the employer's removal reason, which decides the separation when it names one (else a
    case worker decides it later). Refused while an employment is open or a registration is.
    """
    _allowed(actor, person)
    if channel not in Channel.values:
        raise ServiceError(
            f"未知的办理渠道{echoed(channel)}。",
            f"Unknown channel {echoed(channel)}.",
            code="channel",
        )
    period = current_period(today or timezone.localdate())
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()  # one at a time
        open_employment = contributions.open_employment_of(person=person)
        if open_employment is not None:
            raise Conflict(
                "平台记录显示您仍在职，请先由用人单位办理减员。",
                "The platform records an open employment: the employer has to remove you first.",
                code="employed",
            )
        if UnemploymentRegistration.objects.filter(
            person=person, status=Status.REGISTERED
        ).exists():
            raise Conflict(
                "您已办理失业登记。", "You are already registered as unemployed.", code="registered"
            )
        last = contributions.last_ended_employment_of(person=person)
        separation = separation_from_text(last.end_reason) if last is not None else None
        try:
            registration = UnemploymentRegistration.objects.create(
                person=person,
                period=period,
                employment_id=last.employment_id if last else None,
                employer_id=last.employer_id if last else None,
                employment_end_period=last.end_period if last else None,
                employer_reason=last.end_reason if last else "",
                separation=separation.value if separation else "",
                channel=channel,
                created_by=_label(actor),
            )
        except IntegrityError as exc:  # a concurrent registration won
            raise Conflict(
                "您已办理失业登记。", "You are already registered as unemployed.", code="registered"
            ) from exc
        record(
            actor=actor,
            action="unemployment.registered",
            target=registration,
            changes={
                "person": person.pk,
                "period": period,
                "employment": registration.employment_id,
                "employment_end": registration.employment_end_period,
                "separation": registration.separation,
                "channel": channel,
            },
        )
        notify(
            recipients=[person.user],
            event="unemployment.registered",
            context={
                "month": str(month_of(period)),
                "date": (str(month_of(last.end_period)) if last and last.end_period else "-"),
            },
        )
    return registration


def _end(
    *, actor: Any, registration: UnemploymentRegistration, reason: str, end_period: int
) -> UnemploymentRegistration:
    UnemploymentRegistration.objects.filter(pk=registration.pk).update(
        status=Status.ENDED, end_reason=reason, end_period=end_period, ended_at=timezone.now()
    )
    registration.refresh_from_db()
    record(
        actor=actor,
        action="unemployment.registration_ended",
        target=registration,
        changes={"reason": reason, "end": end_period},
    )
    return registration


def registration_withdraw(
    *, actor: Any, registration: UnemploymentRegistration, today: dt.date | None = None
) -> UnemploymentRegistration:
    """The person (or a case worker in scope) ends an open registration this month."""
    _allowed(actor, registration.person)
    with transaction.atomic():
        locked = UnemploymentRegistration.objects.select_for_update().get(pk=registration.pk)
        if locked.status != Status.REGISTERED:
            raise Conflict(
                "该失业登记已结束。", "This registration has already ended.", code="ended"
            )
        period = max(current_period(today or timezone.localdate()), locked.period)
        return _end(actor=actor, registration=locked, reason=EndReason.WITHDRAWN, end_period=period)


def registrations_close_on_reemployment(*, actor: Any = None) -> int:
    """Data comparison: every open registration whose person has an employment on record
    that started in or after the registered month ends with the month before that start
    (re-employed), journaled, the person told. Idempotent: ended ones are not seen again.
    Returns how many ended."""
    if actor is not None and not actor.has_perm(VIEW_PERSON):
        raise NotPermitted()
    open_rows = list(
        UnemploymentRegistration.objects.filter(status=Status.REGISTERED).select_related(
            "person__user"
        )
    )
    if not open_rows:
        return 0
    starts = contributions.employment_starts(
        person_ids=[r.person_id for r in open_rows],
        since_period=min(r.period for r in open_rows),
    )
    ended = 0
    for row in open_rows:
        start = next((s for s in starts.get(row.person_id, []) if s >= row.period), None)
        if start is None:
            continue
        end_period = max(period_of(month_of(start).plus(-1)), row.period)
        with transaction.atomic():
            locked = (
                UnemploymentRegistration.objects.select_for_update()
                .filter(pk=row.pk, status=Status.REGISTERED)
                .first()
            )
            if locked is None:
                continue
            _end(
                actor=actor, registration=locked, reason=EndReason.REEMPLOYED, end_period=end_period
            )
            # The benefit in payment stops from the month after the new employment starts.
            benefits_stop_on_reemployment(actor=actor, person_id=row.person_id, start_period=start)
            notify(
                recipients=[row.person.user],
                event="unemployment.reemployed",
                context={"start": str(month_of(start)), "month": str(month_of(end_period))},
            )
        ended += 1
    return ended
