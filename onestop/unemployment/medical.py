"""The basic medical insurance contribution the unemployment fund pays on a benefit
recipient's behalf (D10 art. 19, D11 art. 48), and its delivery to the medical insurance
department.

- ``medical_lines_make``: inside a payroll run's transaction, one ``INSERT ... SELECT ... ON
  CONFLICT DO NOTHING`` per province and year among the run's regular payments (the amount
  is the province's ``unemployment_medical_contribution`` of the month's year, or of the
  latest published year, said so in the line's ``parameters``): one line per person and
  month, however often a month is run. The run's new lines go out as one batch through the
  gateway's outbox (``exchange.outbox``: delivered after commit, retried until the
  department acknowledges it, applied once there by its key).
- ``medical_runs`` / ``medical_lines_of_benefit``: what staff and the person see, with the
  delivery state and the department's acknowledgement.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, F, IntegerField, Max, Sum
from django.db.models.functions import Cast, Substr

from onestop.audit.services import record
from onestop.contributions.periods import month_of
from onestop.exchange import outbox
from onestop.identity.models import Region
from onestop.parameters import selectors as parameters
from onestop.unemployment.models import (
    BenefitPayment,
    BenefitPaymentKind,
    BenefitPayrollRun,
    MedicalContribution,
    UnemploymentBenefit,
)

REGISTRY, DATASET = "medical_insurance", "contributions"
PURPOSE = "unemployment_medical_contribution"  # exchange.labels.PURPOSES
CENT = Decimal("0.01")


def _province_years(run: BenefitPayrollRun) -> list[tuple[str, int]]:
    """The (province, year) pairs among the run's regular payments: one row each."""
    found = (
        BenefitPayment.objects.filter(run=run, kind=BenefitPaymentKind.REGULAR)
        .annotate(
            prefix=Substr("benefit__region__code", 1, 2),
            year=Cast(F("period") / 100, IntegerField()),
        )
        .values_list("prefix", "year")
        .distinct()
    )
    return sorted({(f"{prefix}0000", int(year)) for prefix, year in found})


def medical_lines_make(*, run: BenefitPayrollRun, now: Any) -> dict[str, Any]:
    """The run's medical insurance lines, set-based, and their batch in the outbox (see the
    module docstring). Returns what was made, for the run's journal entry; a province and
    year with no published amount makes no line and is named under ``missing``."""
    made: dict[str, Any] = {"count": 0, "total": "0.00", "batch": "", "missing": []}
    table = MedicalContribution._meta.db_table
    payments = BenefitPayment._meta.db_table
    benefits = UnemploymentBenefit._meta.db_table
    regions = Region._meta.db_table
    for province, year in _province_years(run):
        try:
            data, _ = parameters.province_year_or_latest(province=province, year=year)
        except parameters.ParametersMissing:
            data = None
        if data is None or data.unemployment_medical_contribution is None:
            made["missing"].append(f"{province}/{year}")
            continue
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (run_id, benefit_id, person_id, period, amount, "  # noqa: S608
                "parameters, created_at) "
                f"SELECT %s, p.benefit_id, b.person_id, p.period, %s, %s, %s FROM {payments} p "
                f"JOIN {benefits} b ON b.id = p.benefit_id "
                f"JOIN {regions} r ON r.id = b.region_id "
                "WHERE p.run_id = %s AND p.kind = %s AND r.code LIKE %s "
                "AND p.period BETWEEN %s AND %s "
                "ON CONFLICT (person_id, period) DO NOTHING",
                [
                    run.pk,
                    data.unemployment_medical_contribution,
                    data.reference,
                    now,
                    run.pk,
                    BenefitPaymentKind.REGULAR,
                    f"{province[:2]}%",
                    year * 100 + 1,
                    year * 100 + 12,
                ],
            )
    lines = list(
        MedicalContribution.objects.filter(run=run)
        .order_by("period", "pk")
        .values_list("person__resident_id", "period", "amount")
    )
    if not lines:
        return made
    total = sum((amount for _, _, amount in lines), Decimal(0)).quantize(CENT)
    key = f"UI-MED-{run.period}-{secrets.token_hex(4)}"
    message = outbox.outbox_put(
        key=key,
        registry=REGISTRY,
        dataset=DATASET,
        purpose=PURPOSE,
        payload={
            "batch": key,
            "payer": "unemployment_insurance_fund",
            "payroll_month": str(month_of(run.period)),
            "count": len(lines),
            "total": f"{total:.2f}",
            "lines": [
                {"resident_id": rid, "month": str(month_of(period)), "amount": f"{amount:.2f}"}
                for rid, period, amount in lines
            ],
        },
        count=len(lines),
    )
    MedicalContribution.objects.filter(run=run).update(outbox_id=message.pk)
    made.update(count=len(lines), total=f"{total:.2f}", batch=message.key)
    record(
        actor=None,
        action="unemployment.medical.batched",
        target=run,
        changes={"period": run.period, **made},
    )
    return made


@dataclass(frozen=True)
class RunMedical:
    """A payroll run's medical insurance lines, and their batch's delivery."""

    count: int
    total: Decimal
    delivery: outbox.Delivery | None


def medical_runs(*, runs: list[BenefitPayrollRun]) -> dict[int, RunMedical]:
    """Per run id: its lines' count and total and the batch's delivery (two queries)."""
    totals = {
        row["run_id"]: row
        for row in MedicalContribution.objects.filter(run__in=runs)
        .values("run_id")
        .annotate(n=Count("pk"), t=Sum("amount"), box=Max("outbox_id"))
    }
    found = outbox.deliveries(ids=[int(r["box"]) for r in totals.values() if r["box"]])
    return {
        run.pk: RunMedical(
            count=totals[run.pk]["n"] if run.pk in totals else 0,
            total=Decimal(totals[run.pk]["t"] or 0).quantize(CENT)
            if run.pk in totals
            else Decimal("0.00"),
            delivery=found.get(int(totals[run.pk]["box"] or 0)) if run.pk in totals else None,
        )
        for run in runs
    }


@dataclass(frozen=True)
class MedicalLine:
    period: int
    amount: Decimal
    status: str  # the batch's delivery: pending, delivered, failed ("" before a batch)
    acknowledgement: str  # the department's acknowledgement number, when delivered


def medical_lines_of_benefit(*, benefit: UnemploymentBenefit) -> list[MedicalLine]:
    """The medical insurance paid on the person's behalf during ``benefit``, month by month,
    with each line's delivery to the medical insurance department (callers check that the
    actor may see the benefit)."""
    lines = list(MedicalContribution.objects.filter(benefit=benefit).order_by("period", "pk"))
    found = outbox.deliveries(ids=[line.outbox_id for line in lines if line.outbox_id])
    shown = []
    for line in lines:
        delivery = found.get(line.outbox_id or 0)
        shown.append(
            MedicalLine(
                period=line.period,
                amount=line.amount,
                status=delivery.status if delivery else "",
                acknowledgement=str(delivery.acknowledgement.get("ack_id", "")) if delivery else "",
            )
        )
    return shown


def medical_lines_of_run(*, run: BenefitPayrollRun) -> list[MedicalContribution]:
    """A run's lines with their people (staff who run the payroll; masked on screens)."""
    return list(MedicalContribution.objects.filter(run=run).select_related("person").order_by("pk"))
