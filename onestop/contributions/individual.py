"""Individual payers: flexible employment (SX-SI-005; D11 arts. 10 and 12, D3, D4).

A person registered as an individual payer chooses a base within the province's bounds for
the year and a payment frequency. Each calendar-aligned payment period gets one bill
(``IndividualBill``) computed with ``rules.contributions.flexible_due``; the bill goes to the
collecting authority through the same adapter and outbox as employer bills
(``collection.py``), and the authority's payments come back by the same cursor. Once a bill
is paid in full its months are posted to the ledger with the individual-payer kinds
(``flexible_account``, counted in the individual account, and ``flexible_pooled``), so the
statement, the account, interest, the award and transfers count them like employee months.

A change of base, a suspension and a resumption take effect from the next payment period; a
new employment with pension insurance ends the registration the month before it starts
(the daily comparison ``payers_stop_on_employment``), and the person is told.
Every change is journaled in its transaction; money writes take the person's lock.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from onestop.audit.services import record
from onestop.common.amounts import to_amount
from onestop.common.errors import ServiceError, both_languages, languages_of
from onestop.contributions import locks
from onestop.contributions.models import (
    Employment,
    EntryKind,
    IndividualBill,
    IndividualPayer,
    IndividualPayerBase,
    IndividualPayment,
    IndividualRefund,
    InsuranceRegistration,
    LedgerRecord,
    PayerStatus,
    RefundReason,
)
from onestop.contributions.overlaps import refunds_find
from onestop.contributions.periods import month_of, period_of
from onestop.identity.models import Person
from onestop.identity.references import labelled_pair
from onestop.notifications.services import notify
from onestop.parameters import selectors as parameters
from onestop.parameters.contracts import ProvinceYear
from onestop.rules.contributions import (
    FREQUENCY_MONTHS,
    Frequency,
    flexible_due,
    flexible_period,
    late_fee_accrued,
    parse_frequency,
)
from onestop.rules.values import RuleError, YearMonth

#: Ledger source of an individual bill's months.
SOURCE = "individual_bill"
#: The rule behind the bounds of a chosen base, cited in every refusal.
BASE_RULE_ZH = (
    "灵活就业人员缴费基数在上年度全省全口径城镇单位就业人员平均工资的60%至300%之间自行"
    "选择（国办发〔2019〕13号；《社会保险法》第十条、第十二条）"
)
BASE_RULE_EN = (
    "a flexible-employment base is chosen between 60% and 300% of the provincial average "
    "wage used for bases (Guobanfa [2019] 13; Social Insurance Law arts. 10 and 12)"
)
#: The rule behind the refusal while an employment with pension insurance is open.
EMPLOYED_RULE_ZH = (
    "已在用人单位参加职工基本养老保险的人员，不能同时以灵活就业人员身份缴费"
    "（《社会保险法》第十条）。"
)
EMPLOYED_RULE_EN = (
    "Someone insured for pension through an employer cannot pay as a flexibly employed "
    "person for the same months (Social Insurance Law art. 10)."
)
MAX_BASE = Decimal("9999999.99")
CENT = Decimal("0.01")


def province_of(person: Person) -> str:
    return person.region.province_code


@dataclass(frozen=True)
class Bounds:
    floor: Decimal
    ceiling: Decimal
    average_wage: Decimal
    parameters: str  # 610000/2026/v1
    sources: str


def parameters_for(*, province: str, year: int) -> ProvinceYear:
    """The province's parameters of ``year``; before that year's average wage is published,
    the latest published year's (the base is reset when it is: ``payers_base_reset``)."""
    try:
        return parameters.province_year(province=province, year=year)
    except parameters.ParametersMissing:
        latest = parameters.latest_year(province=province)
        if latest is None or latest > year:
            raise
        return parameters.province_year(province=province, year=latest)


def base_bounds(*, province: str, year: int, published_only: bool = False) -> Bounds:
    """The bounds of a chosen base in ``year`` from the province's versioned parameters."""
    data = (
        parameters.province_year(province=province, year=year)
        if published_only
        else parameters_for(province=province, year=year)
    )
    rates = data.rates
    return Bounds(
        floor=(data.average_wage * rates.base_floor_ratio).quantize(CENT),
        ceiling=(data.average_wage * rates.base_ceiling_ratio).quantize(CENT),
        average_wage=data.average_wage,
        parameters=f"{data.province}/{data.year}/v{data.version}",
        sources=data.sources,
    )


def parse_base(text: Any) -> Decimal:
    try:
        value = to_amount(text)  # the money grammar: no exponent, sign, NaN or third decimal
    except RuleError:
        value = Decimal(-1)
    if value <= 0 or value > MAX_BASE:
        raise ServiceError(
            "缴费基数应为大于零、最多两位小数的金额。",
            "The base must be an amount above zero with at most two decimals.",
            code="base",
        )
    return value


def base_check(*, province: str, period: int, base: Decimal) -> Bounds:
    """``base`` within the bounds of ``period``'s year, or a refusal naming the bounds, the
    parameter version and the rule."""
    bounds = base_bounds(province=province, year=period // 100)
    if not bounds.floor <= base <= bounds.ceiling:
        zh, en = labelled_pair(bounds.parameters)
        raise ServiceError(
            f"缴费基数{base}超出{period // 100}年的范围{bounds.floor}至{bounds.ceiling}元"
            f"（平均工资{bounds.average_wage}元，{zh}）：{BASE_RULE_ZH}。",
            f"The base {base} is outside {period // 100}'s bounds {bounds.floor} to "
            f"{bounds.ceiling} (average wage {bounds.average_wage}, {en}): {BASE_RULE_EN}.",
            code="base_range",
        )
    return bounds


def frequency_check(text: Any) -> Frequency:
    try:
        return parse_frequency(str(text or ""))
    except RuleError as exc:
        raise ServiceError(exc.zh, exc.en, code="frequency") from exc


def pension_employers_open(*, person: Person, from_period: int) -> list[str]:
    """Names of the employers where ``person`` holds an employment with pension insurance
    in ``from_period`` or later (open, or ending then or later)."""
    insured = InsuranceRegistration.objects.filter(insurance="pension").values("employer_id")
    rows = (
        Employment.objects.filter(person=person, employer_id__in=insured)
        .filter(Q(end_period__isnull=True) | Q(end_period__gte=from_period))
        .select_related("employer")
        .order_by("pk")
    )
    return [row.employer.name for row in rows]


def employed_refusal(names: list[str]) -> ServiceError:
    return ServiceError(
        f"您在{'、'.join(names)}有参加职工基本养老保险的在职记录。{EMPLOYED_RULE_ZH}",
        f"You hold an employment with pension insurance ({', '.join(names)}). {EMPLOYED_RULE_EN}",
        code="employed",
    )


def payer_of(*, person: Person) -> IndividualPayer | None:
    """The person's registration not ended, if any."""
    return (
        IndividualPayer.objects.filter(person=person)
        .exclude(status=PayerStatus.ENDED)
        .order_by("-pk")
        .first()
    )


def enrolment_check(
    *,
    person: Person,
    base: Any,
    frequency: Any,
    start_period: int,
    today: dt.date,
    employment: bool = True,
) -> tuple[Decimal, Frequency, Bounds]:
    """Everything an enrolment needs, checked before anything is filed or written; the
    employments too unless ``employment`` is false (the process's service task checks them
    and refuses the case with the rule)."""
    amount = parse_base(base)
    chosen = frequency_check(frequency)
    # Months of the current year may be paid back; up to three months ahead may be chosen.
    earliest = today.year * 100 + 1
    latest = period_of(YearMonth(today.year, today.month).plus(3))
    if not earliest <= start_period <= latest:
        raise ServiceError(
            f"参保起始月份应在{month_of(earliest)}至{month_of(latest)}之间（当年月份可补缴）。",
            f"The first month must be between {month_of(earliest)} and {month_of(latest)} "
            "(months of the current year may be paid back).",
            code="start_month",
        )
    if payer_of(person=person) is not None:
        raise ServiceError(
            "您已登记为灵活就业人员。",
            "You are already registered as an individual payer.",
            code="already_registered",
        )
    names = pension_employers_open(person=person, from_period=start_period) if employment else []
    if names:
        raise employed_refusal(names)
    bounds = base_check(province=province_of(person), period=start_period, base=amount)
    return amount, chosen, bounds


def payer_register(
    *,
    actor: Any,
    person: Person,
    base: Any,
    frequency: Any,
    start_period: int,
    case_number: str = "",
    today: dt.date | None = None,
) -> IndividualPayer:
    """Register ``person`` as an individual payer from ``start_period`` (journaled)."""
    today = today or timezone.localdate()
    amount, chosen, bounds = enrolment_check(
        person=person, base=base, frequency=frequency, start_period=start_period, today=today
    )
    with transaction.atomic():
        locks.person_lock(person_ids=[person.pk])
        try:
            with transaction.atomic():
                payer = IndividualPayer.objects.create(
                    person=person,
                    frequency=chosen.value,
                    start_period=start_period,
                    case_number=case_number,
                )
        except IntegrityError as exc:
            raise ServiceError(
                "您已登记为灵活就业人员。",
                "You are already registered as an individual payer.",
                code="already_registered",
            ) from exc
        _base_row(payer, start_period, amount, bounds, "enrolled")
        record(
            actor=actor,
            action="contributions.individual_payer.registered",
            target=payer,
            changes={
                "person": person.pk,
                "base": amount,
                "frequency": chosen.value,
                "start": start_period,
                "parameters": bounds.parameters,
                "case": case_number,
            },
        )
    return payer


def _base_row(
    payer: IndividualPayer, from_period: int, base: Decimal, bounds: Bounds, reason: str
) -> IndividualPayerBase:
    """A new row of the payer's base history (never edited), with the bounds it was checked
    against and their parameters."""
    return IndividualPayerBase.objects.create(
        payer=payer,
        from_period=from_period,
        base=base,
        floor=bounds.floor,
        ceiling=bounds.ceiling,
        parameters=bounds.parameters,
        reason=reason,
    )


def base_in_force(payer: IndividualPayer, period: int) -> IndividualPayerBase:
    row = (
        payer.bases.filter(from_period__lte=period).order_by("-from_period", "-pk").first()
        or payer.bases.order_by("from_period", "pk").first()
    )
    assert row is not None  # a payer is created with its base
    return row


def frequency_at(payer: IndividualPayer, period: int) -> Frequency:
    """The payment frequency in force in ``period`` (the registration's, or the latest
    change from that month or before)."""
    found = payer.frequency
    for start, frequency in payer.frequency_changes or []:
        if int(start) <= period:
            found = str(frequency)
    return Frequency(found)


def next_period_start(payer: IndividualPayer, today: dt.date) -> int:
    """First month of the payment period after the one containing today (not before the
    registration's first month)."""
    month = YearMonth(today.year, today.month)
    frequency = frequency_at(payer, period_of(month))
    _, last = flexible_period(frequency=frequency, month=month)
    return max(period_of(last.plus(1)), payer.start_period)


def payer_frequency_change(
    *, actor: Any, person: Person, frequency: Any, today: dt.date | None = None
) -> tuple[int, Frequency]:
    """Pay monthly, quarterly, half-yearly or yearly from the next payment period: the
    first month after the current period that starts a period of the new frequency too
    (periods are calendar-aligned, so at the latest the next January). A later change
    before it takes effect replaces it. Journaled. Returns (from period, frequency)."""
    today = today or timezone.localdate()
    chosen = frequency_check(frequency)
    payer = _open_payer(person)
    month = month_of(next_period_start(payer, today))
    while flexible_period(frequency=chosen, month=month)[0] != month:
        month = month.plus(1)
    start = period_of(month)
    with transaction.atomic():
        locks.person_lock(person_ids=[person.pk])
        payer = IndividualPayer.objects.select_for_update().get(pk=payer.pk)
        kept: list[tuple[int, str]] = [
            (int(p), str(f)) for p, f in payer.frequency_changes or [] if int(p) < start
        ]
        before = frequency_at(payer, start)
        settled = Frequency(kept[-1][1] if kept else payer.frequency)
        if before == chosen:
            raise ServiceError(
                f"自{month_of(start)}起的缴费方式已是该方式，无需变更。",
                f"The payment frequency from {month_of(start)} is already {chosen.value}; "
                "nothing to change.",
                code="unchanged",
            )
        changes = [[p, f] for p, f in kept]
        payer.frequency_changes = (
            changes if settled == chosen else [*changes, [start, chosen.value]]
        )
        payer.save(update_fields=["frequency_changes"])
        record(
            actor=actor,
            action="contributions.individual_payer.frequency_changed",
            target=payer,
            changes={"frequency": [before.value, chosen.value], "from": start},
        )
    return start, chosen


def _open_payer(person: Person) -> IndividualPayer:
    payer = payer_of(person=person)
    if payer is None:
        ended = (
            IndividualPayer.objects.filter(person=person, status=PayerStatus.ENDED)
            .order_by("-pk")
            .first()
        )
        if ended is not None:
            # Someone who was registered is told it ended, when and why, not "never".
            last = month_of(ended.end_period) if ended.end_period else "—"
            why = ended.end_reason or "—"
            raise ServiceError(
                f"您的灵活就业参保登记已于{last}终止（{why}），无法再变更；如需继续缴费请重新登记。",
                f"Your registration as an individual payer ended with {last} ({why}): it "
                "can no longer be changed; register again to pay again.",
                code="registration_ended",
            )
        raise ServiceError(
            "您尚未登记为灵活就业人员。",
            "You are not registered as an individual payer.",
            code="not_registered",
        )
    return payer


def payer_base_change(
    *, actor: Any, person: Person, base: Any, today: dt.date | None = None
) -> IndividualPayerBase:
    """A new base from the next payment period, within that period's bounds (journaled)."""
    today = today or timezone.localdate()
    payer = _open_payer(person)
    amount = parse_base(base)
    start = next_period_start(payer, today)
    bounds = base_check(province=province_of(person), period=start, base=amount)
    with transaction.atomic():
        locks.person_lock(person_ids=[person.pk])
        before = base_in_force(payer, start).base
        if before == amount:
            raise ServiceError(
                f"自{month_of(start)}起的缴费基数已是{amount}元，无需变更。",
                f"The base from {month_of(start)} is already {amount}; nothing to change.",
                code="unchanged",
            )
        row = _base_row(payer, start, amount, bounds, "changed")
        record(
            actor=actor,
            action="contributions.individual_payer.base_changed",
            target=payer,
            changes={"base": [before, amount], "from": start, "parameters": bounds.parameters},
        )
    return row


def payer_suspend(*, actor: Any, person: Person, today: dt.date | None = None) -> IndividualPayer:
    """No bills from the next payment period on, until resumed (journaled)."""
    today = today or timezone.localdate()
    payer = _open_payer(person)
    with transaction.atomic():
        # Checked on the locked row: two suspensions sent at once are one (hostile pass H6).
        locks.person_lock(person_ids=[person.pk])
        payer = IndividualPayer.objects.select_for_update().get(pk=payer.pk)
        if payer.status == PayerStatus.SUSPENDED:
            raise ServiceError("缴费已暂停。", "Payment is already suspended.", code="suspended")
        payer.status = PayerStatus.SUSPENDED
        payer.suspended_from = next_period_start(payer, today)
        payer.save(update_fields=["status", "suspended_from"])
        record(
            actor=actor,
            action="contributions.individual_payer.suspended",
            target=payer,
            changes={"from": payer.suspended_from},
        )
    return payer


def payer_resume(*, actor: Any, person: Person, today: dt.date | None = None) -> IndividualPayer:
    """Billed again from the next payment period: the months suspended stay unbilled and
    the registration restarts there (journaled)."""
    today = today or timezone.localdate()
    payer = _open_payer(person)
    with transaction.atomic():
        # Checked and appended on the locked row: no pause is lost to a racing change.
        locks.person_lock(person_ids=[person.pk])
        payer = IndividualPayer.objects.select_for_update().get(pk=payer.pk)
        if payer.status != PayerStatus.SUSPENDED:
            raise ServiceError("缴费未暂停。", "Payment is not suspended.", code="not_suspended")
        start = next_period_start(payer, today)
        paused = [payer.suspended_from, period_of(month_of(start).plus(-1))]
        payer.status = PayerStatus.ACTIVE
        payer.pauses = [*payer.pauses, paused]
        payer.suspended_from = None
        payer.save(update_fields=["status", "pauses", "suspended_from"])
        record(
            actor=actor,
            action="contributions.individual_payer.resumed",
            target=payer,
            changes={"from": start, "paused": paused},
        )
    return payer


def _months(first: YearMonth, last: YearMonth) -> list[int]:
    out = []
    month = first
    while period_of(month) <= period_of(last):
        out.append(period_of(month))
        month = month.plus(1)
    return out


def billable(payer: IndividualPayer, periods: list[int]) -> list[int]:
    """Of ``periods``, the months the registration covers and that are not suspended."""
    out = []
    for period in periods:
        if period < payer.start_period:
            continue
        if payer.end_period is not None and period > payer.end_period:
            continue
        if payer.suspended_from is not None and period >= payer.suspended_from:
            continue
        if any(lo <= period <= hi for lo, hi in payer.pauses):
            continue
        out.append(period)
    return out


def _month_end(month: YearMonth) -> dt.date:
    return dt.date(month.year, month.month, calendar.monthrange(month.year, month.month)[1])


def _due_date(last: YearMonth, today: dt.date) -> dt.date:
    """The period's last day; a period billed after it (months paid back) is due at the end
    of the month it is billed in, so no surcharge runs before the person could pay."""
    return max(_month_end(last), _month_end(YearMonth(today.year, today.month)))


def _amounts(payer: IndividualPayer, first: YearMonth, months: list[int]) -> dict[str, Any]:
    """The bill's figures for ``months`` of the period starting at ``first``."""
    base = base_in_force(payer, months[0])
    data = parameters_for(province=province_of(payer.person), year=first.year)
    due = flexible_due(
        chosen_base=base.base,
        average_wage=data.average_wage,
        rates=data.rates,
        frequency=frequency_at(payer, period_of(first)),
        month=first,
    )
    count = len(months)
    return {
        "periods": months,
        "base": due.monthly.base,
        "monthly_amount": due.monthly.individual,
        "monthly_to_account": due.monthly.to_account,
        "amount_due": due.monthly.individual * count,
        "to_account": due.monthly.to_account * count,
        "pooled": due.monthly.pooled * count,
        "parameters": f"{data.province}/{data.year}/v{data.version}",
    }


def bill_issue(*, payer: IndividualPayer, month: YearMonth) -> IndividualBill | None:
    """The bill of the payment period containing ``month`` (once; ``None`` when no month of
    it is billable). Journaled; sent to the collecting authority after commit."""
    first, last = flexible_period(frequency=frequency_at(payer, period_of(month)), month=month)
    months = billable(payer, _months(first, last))
    if not months:
        return None
    existing = IndividualBill.objects.filter(payer=payer, first_period=period_of(first)).first()
    if existing is not None:
        return existing
    try:
        figures = _amounts(payer, first, months)
    except ServiceError:
        return None  # no parameters for that year yet: billed once they are published
    with transaction.atomic():
        locks.person_lock(person_ids=[payer.person_id])
        bill, created = IndividualBill.objects.get_or_create(
            payer=payer,
            first_period=period_of(first),
            defaults={
                **figures,
                "person_id": payer.person_id,
                "last_period": period_of(last),
                "due_date": _due_date(last, timezone.localdate()),
            },
        )
        if created:
            record(
                actor=None,
                action="contributions.individual_bill.issued",
                target=bill,
                changes={
                    "person": payer.person_id,
                    "periods": months,
                    "base": figures["base"],
                    "amount_due": figures["amount_due"],
                    "parameters": figures["parameters"],
                },
            )
            row = IndividualBillRow(bill, Decimal("0.00"), bill.amount_due, 0, Decimal("0.00"))
            notify(
                recipients=[payer.person.user],
                event="contributions.individual_bill.issued",
                context={
                    "months": row.months,
                    "amount": bill.amount_due,
                    "base": bill.base,
                    "due": bill.due_date.isoformat(),
                },
                link="/me/flexible/",
            )
            _sync_after_commit()
    return bill


def _sync_after_commit() -> None:
    from onestop.contributions.services import bills_push_after_commit

    bills_push_after_commit()


def bills_issue_due(*, today: dt.date | None = None) -> int:
    """Daily: for every registration not ended, the bill of each payment period from its
    first month up to the current one (idempotent). Returns how many bills were new."""
    today = today or timezone.localdate()
    now = YearMonth(today.year, today.month)
    new = 0
    for payer in IndividualPayer.objects.exclude(status=PayerStatus.ENDED).select_related(
        "person__region"
    ):
        month = month_of(payer.start_period)
        seen = set(payer.bills.values_list("first_period", flat=True))
        while period_of(month) <= period_of(now):
            first, last = flexible_period(
                frequency=frequency_at(payer, period_of(month)), month=month
            )
            if period_of(first) not in seen and bill_issue(payer=payer, month=month) is not None:
                new += 1
            month = last.plus(1)
    return new


def individual_payment_record(
    *, actor: Any, external_id: str, bill: IndividualBill, amount: Decimal, paid_on: dt.date
) -> tuple[IndividualPayment, bool]:
    """Record a payment of an individual bill (the same id twice is a no-op); once the bill
    is paid in full its months go to the ledger, in the same transaction."""
    if amount <= 0:
        raise ServiceError("缴款金额必须大于零。", "A payment must be positive.", code="amount")
    conflict = ServiceError(
        "缴款编号重复但内容不同。",
        "This payment id was reported with other details.",
        code="payment_conflict",
    )
    with transaction.atomic():
        locks.person_lock(person_ids=[bill.person_id])
        existing = IndividualPayment.objects.filter(external_id=external_id).first()
        if existing is not None:
            if existing.bill_id != bill.pk or existing.amount != amount:
                raise conflict
            return existing, False
        payment = IndividualPayment.objects.create(
            external_id=external_id, bill=bill, amount=amount, paid_on=paid_on
        )
        record(
            actor=actor,
            action="contributions.individual_payment.recorded",
            target=payment,
            changes={"bill": bill.pk, "amount": amount, "paid_on": paid_on},
        )
        bill_settle(bill=bill, actor=actor, payment=payment)
    return payment, True


def excess_refunded(bill: IndividualBill) -> Decimal:
    """What is already held as a refund of money received above ``bill`` (not the refunds
    of months paid twice, which reverse posted months)."""
    total = bill.refunds.exclude(reason=RefundReason.PAID_TWICE).aggregate(total=Sum("amount"))
    return Decimal(total["total"] or 0).quantize(CENT)


def bill_settle(
    *, bill: IndividualBill, actor: Any, payment: IndividualPayment | None = None
) -> IndividualRefund | None:
    """In the caller's transaction, under the person's lock: once paid in full the bill's
    months go to the ledger; money received beyond what the bill asks (all of it once the
    bill is cancelled) becomes a refund for the person, journaled, the person told. Never
    silently kept: what is received is posted, held as a refund, or still short of the bill
    (``ledger verify``'s ``individual_received``). Idempotent."""
    bill.refresh_from_db()
    paid = paid_of(bill)
    if bill.posted_at is None and bill.amount_due > 0 and paid >= bill.amount_due:
        _post(bill)
    excess = paid - max(bill.amount_due, Decimal("0.00")) - excess_refunded(bill)
    if excess <= 0:
        return None
    reason = RefundReason.CANCELLED if bill.amount_due <= 0 else RefundReason.OVERPAID
    refund = IndividualRefund.objects.create(
        person_id=bill.person_id,
        payer_id=bill.payer_id,
        bill=bill,
        period=bill.first_period,
        reason=reason,
        payment=payment,
        amount=excess,
        to_account=Decimal("0.00"),
        pooled=Decimal("0.00"),
        created_at=timezone.now(),
    )
    record(
        actor=actor,
        action="contributions.individual_refund.excess",
        target=refund,
        changes={
            "bill": bill.pk,
            "reason": reason.value,
            "amount": f"{excess:.2f}",
            "received": f"{paid:.2f}",
            "amount_due": f"{bill.amount_due:.2f}",
            "payment": payment.external_id if payment is not None else None,
        },
    )
    row = IndividualBillRow(bill, paid, Decimal("0.00"), 0, Decimal("0.00"))
    notify(
        recipients=[bill.person.user],
        event=f"contributions.individual_refund.{reason.value}",
        context={"months": row.months, "amount": f"{excess:.2f}", "total": f"{paid:.2f}"},
        link="/me/flexible/",
    )
    return refund


def paid_of(bill: IndividualBill) -> Decimal:
    total = bill.payments.aggregate(total=Sum("amount"))["total"]
    return Decimal(total or 0).quantize(CENT)


def _post(bill: IndividualBill) -> None:
    """The bill's months to the ledger: the account part and the pooled part of each."""
    pooled = bill.monthly_amount - bill.monthly_to_account
    rows = []
    for period in bill.periods:
        common = {
            "person_id": bill.person_id,
            "employer": None,
            "period": period,
            "insurance": "pension",
            "base": bill.base,
            "source_type": SOURCE,
            "source_id": bill.pk,
        }
        rows.append(
            LedgerRecord(
                **common,
                kind=EntryKind.FLEXIBLE_ACCOUNT,
                account=True,
                amount=bill.monthly_to_account,
            )
        )
        rows.append(LedgerRecord(**common, kind=EntryKind.FLEXIBLE_POOLED, amount=pooled))
    LedgerRecord.objects.bulk_create(rows, ignore_conflicts=True)
    IndividualBill.objects.filter(pk=bill.pk).update(posted_at=timezone.now())
    record(
        actor=None,
        action="contributions.individual_bill.posted",
        target=bill,
        changes={"periods": bill.periods, "to_account": bill.to_account, "pooled": bill.pooled},
    )


@dataclass(frozen=True)
class IndividualBillRow:
    bill: IndividualBill
    paid: Decimal
    arrears: Decimal
    days_late: int
    surcharge: Decimal
    #: Received above the bill (all of it once cancelled), held as a refund for the person.
    refunded: Decimal = Decimal("0.00")

    @property
    def months(self) -> str:
        """The months billed, ``2026-07 – 2026-09`` (a cancelled bill: its period)."""
        periods = self.bill.periods or [self.bill.first_period, self.bill.last_period]
        first, last = str(month_of(periods[0])), str(month_of(periods[-1]))
        return first if first == last else f"{first} – {last}"

    @property
    def status(self) -> str:
        if self.bill.amount_due <= 0:
            return "cancelled"
        if self.arrears <= 0:
            return "paid"
        return "partly_paid" if self.paid > 0 else "unpaid"


def bills_of_person(*, person: Person, today: dt.date) -> list[IndividualBillRow]:
    """The person's individual bills, newest first, with arrears and the late-payment
    surcharge accrued by ``today`` (0.05% a day, as for employers: each payment earns the
    days it came late by its paid date, what is still owed the days late today)."""
    rows = []
    bills = IndividualBill.objects.filter(person=person).prefetch_related("payments")
    for bill in bills.order_by("-first_period"):
        payments = [(p.paid_on, p.amount) for p in bill.payments.all()]
        paid = sum((amount for _day, amount in payments), Decimal("0.00")).quantize(CENT)
        arrears = max(Decimal("0.00"), bill.amount_due - paid)
        rates = parameters.month_rates(province=province_of(person), period=bill.first_period)
        fee = late_fee_accrued(
            owed=bill.amount_due,
            due_date=bill.due_date,
            payments=payments,
            today=today,
            rates=rates,
        )
        rows.append(
            IndividualBillRow(
                bill, paid, arrears, fee.days_late, fee.surcharge, excess_refunded(bill)
            )
        )
    return rows


def payer_end(
    *, actor: Any, payer: IndividualPayer, last_period: int, reason: str | Mapping[str, str]
) -> None:
    """End the registration after ``last_period``: unpaid bills lose the later months (sent
    again with the new figure), and the person is told. Journaled. ``reason``: as a person
    wrote it, or the platform's own in each language (``both_languages``)."""
    with transaction.atomic():
        locks.person_lock(person_ids=[payer.person_id])
        payer.status = PayerStatus.ENDED
        payer.end_period = last_period
        zh, en = languages_of(reason) if isinstance(reason, Mapping) else (reason, "")
        payer.end_reason, payer.end_reason_en = zh[:200], en[:240]
        payer.save(update_fields=["status", "end_period", "end_reason", "end_reason_en"])
        trimmed = []
        for bill in payer.bills.filter(posted_at__isnull=True, last_period__gt=last_period):
            months = [p for p in bill.periods if p <= last_period]
            figures = (
                _amounts(payer, month_of(bill.first_period), months)
                if months
                else dict.fromkeys(("amount_due", "to_account", "pooled"), Decimal("0.00"))
                | {"periods": []}
            )
            before = bill.amount_due
            for key, value in figures.items():
                setattr(bill, key, value)
            # Sent again through the outbox after commit: the authority then refuses
            # payment of a cancelled bill and asks the lower figure of a shortened one.
            bill.sent_at = None
            bill.save()
            trimmed.append(bill.pk)
            record(
                actor=actor,
                action="contributions.individual_bill.cancelled"
                if bill.amount_due <= 0
                else "contributions.individual_bill.reduced",
                target=bill,
                changes={
                    "amount_due": [f"{before:.2f}", f"{bill.amount_due:.2f}"],
                    "periods": bill.periods,
                    "received": f"{paid_of(bill):.2f}",
                },
            )
            # What was already paid may now cover the bill, or exceed it.
            bill_settle(bill=bill, actor=actor)
        record(
            actor=actor,
            action="contributions.individual_payer.ended",
            target=payer,
            changes={"last": last_period, "reason": reason, "bills_trimmed": trimmed},
        )
        notify(
            recipients=[payer.person.user],
            event="contributions.individual_payer.ended",
            context={"month": month_of(last_period).plus(1), "reason": reason},
            link="/me/flexible/",
        )
        if trimmed:
            _sync_after_commit()


def payers_stop_on_employment(*, today: dt.date | None = None) -> int:
    """Daily data comparison: a registration not ended whose person now holds an employment
    with pension insurance ends the month before that employment starts (never before its
    own first month). Returns how many were ended."""
    today = today or timezone.localdate()
    ended = 0
    insured = InsuranceRegistration.objects.filter(insurance="pension").values("employer_id")
    for payer in IndividualPayer.objects.exclude(status=PayerStatus.ENDED).select_related("person"):
        job = (
            Employment.objects.filter(person_id=payer.person_id, employer_id__in=insured)
            .filter(Q(end_period__isnull=True) | Q(end_period__gte=payer.start_period))
            .select_related("employer")
            .order_by("start_period", "pk")
            .first()
        )
        if job is None:
            continue
        start = max(job.start_period, payer.start_period)
        last = period_of(month_of(start).plus(-1))
        payer_end(
            actor=None,
            payer=payer,
            last_period=max(last, payer.start_period - 1),
            reason=both_languages(
                f"自{month_of(job.start_period)}起在{job.employer.name}参加职工养老保险",
                f"employed with pension insurance at {job.employer.name} "
                f"from {month_of(job.start_period)}",
            ),
        )
        ended += 1
    return ended


def frequency_months(frequency: str) -> int:
    return FREQUENCY_MONTHS[Frequency(frequency)]


def payers_base_reset(*, today: dt.date | None = None) -> int:
    """When the new year's average wage is published: a base in force that falls outside the
    year's new bounds is moved to the nearest bound from the first month of the year not
    billed yet (journaled, reason ``annual_reset``). A base within the bounds stays the
    person's choice. Idempotent; returns how many bases were reset."""
    today = today or timezone.localdate()
    year = today.year
    changed = 0
    for payer in IndividualPayer.objects.exclude(status=PayerStatus.ENDED).select_related(
        "person__region"
    ):
        try:
            bounds = base_bounds(province=province_of(payer.person), year=year, published_only=True)
        except ServiceError:
            continue  # not published yet
        billed = payer.bills.order_by("-last_period").values_list("last_period", flat=True).first()
        start = max(year * 100 + 1, payer.start_period)
        if billed is not None and billed >= start:
            start = period_of(month_of(billed).plus(1))
        if start // 100 != year:
            continue
        current = base_in_force(payer, start)
        if bounds.floor <= current.base <= bounds.ceiling:
            continue
        new = min(max(current.base, bounds.floor), bounds.ceiling)
        with transaction.atomic():
            locks.person_lock(person_ids=[payer.person_id])
            _base_row(payer, start, new, bounds, "annual_reset")
            record(
                actor=None,
                action="contributions.individual_payer.base_reset",
                target=payer,
                changes={
                    "base": [current.base, new],
                    "from": start,
                    "parameters": bounds.parameters,
                },
            )
        changed += 1
    return changed


def payers_daily(*, today: dt.date | None = None) -> dict[str, int]:
    """The daily job: the data comparison with employments first (so no bill is issued for
    months an employer now pays), months paid both ways refunded (``overlaps``), the annual
    base reset, then the period bills."""
    today = today or timezone.localdate()
    return {
        "ended": payers_stop_on_employment(today=today),
        "refunds": refunds_find(),
        "reset": payers_base_reset(today=today),
        "billed": bills_issue_due(today=today),
    }
