"""Reading pensions: one's own pension and payments, payroll runs for staff."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from onestop.common.errors import NotPermitted
from onestop.identity import policy
from onestop.pensions.models import Adjustment, Payment, PayrollRun, Pensioner


def pensioner_of(*, actor: Any) -> Pensioner | None:
    person = getattr(actor, "person", None) if actor.is_authenticated else None
    if person is None:
        return None
    return Pensioner.objects.filter(person=person).first()


def payments_of(*, pensioner: Pensioner) -> QuerySet[Payment]:
    return pensioner.payments.order_by("-period_index", "pk")


def runs_for(*, actor: Any) -> QuerySet[PayrollRun]:
    if not policy.allows(actor, policy.RUN_PAYROLL):
        raise NotPermitted()
    return PayrollRun.objects.order_by("-period_index")[:36]


def adjustments_for(*, actor: Any) -> QuerySet[Adjustment]:
    if not policy.allows(actor, policy.RUN_PAYROLL):
        raise NotPermitted()
    return Adjustment.objects.order_by("-year")


def pension_starts(*, person_ids: list[int]) -> dict[int, int]:
    """For those of ``person_ids`` awarded a pension, the first month it pays (YYYYMM), in one
    query (the unemployment benefit stops before it, D10 art. 15 (4))."""
    return {
        person_id: (start // 12) * 100 + start % 12 + 1
        for person_id, start in Pensioner.objects.filter(person_id__in=person_ids).values_list(
            "person_id", "start_index"
        )
    }
