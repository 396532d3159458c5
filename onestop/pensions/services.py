"""Pension benefits: the award from the ledger, pensioners, the monthly payroll (set-based),
stopping at death with recovery of what was paid after it.

The award is computed by the retirement process itself (a registered service task, before
the city's review), so the reviewer sees the amount and its explanation; approving the case
makes the person a pensioner paid from the month after retirement.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Sum
from django.utils import timezone, translation

from onestop.audit.services import record
from onestop.common.bulk import copy_rows
from onestop.common.errors import NotPermitted, ServiceError
from onestop.contributions import selectors as contributions
from onestop.contributions.interest import accrued_to
from onestop.exchange import provinces
from onestop.identity.models import Person
from onestop.notifications.services import notify
from onestop.parameters import selectors as parameters
from onestop.pensions import calculators, eligibility, survivors, transfers
from onestop.pensions.models import (
    Adjustment,
    AdjustmentLine,
    AdjustmentStatus,
    EntitlementCheck,
    Payment,
    PaymentKind,
    PayrollRun,
    Pensioner,
    PensionerStatus,
    RetirementNotice,
    SurvivorBenefit,
    Transfer,
    TransferDirection,
)
from onestop.rules.adjustment import AdjustmentRule, adjusted_pension
from onestop.rules.values import Age, RuleError, YearMonth

RUN_PAYROLL = "pensions.run_payroll"
CENT = Decimal("0.01")


def month_index(label: str) -> int:
    month = YearMonth.parse(label)
    return month.year * 12 + month.month - 1


def month_label(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def province_of(person: Person) -> str:
    return person.region.province_code


def award_from_record(*, person: Person, retirement_month: str) -> dict[str, Any]:
    """The monthly pension from the person's own ledger, with every step explained (D3).

    Contribution months and the average contribution index come from the months paid before
    retirement (each month's base over that year's provincial average wage); the account
    balance is the credited one (paid months) with interest up to the retirement month.
    """
    retire = YearMonth.parse(retirement_month)
    statement = contributions.statement_of(person=person)
    bases: dict[str, Decimal] = defaultdict(Decimal)
    for month in statement.months:
        # Only months actually paid count (the law counts actual contributions); a month
        # declared but unpaid counts once the employer pays it.
        if month.period < str(retire) and month.paid:
            bases[month.period] += month.base
    province = province_of(person)
    # Months brought in from other provinces are indexed on that place's average wage.
    elsewhere = {
        str(period): Decimal(str(wage))
        for months in Transfer.objects.filter(
            person=person, direction=TransferDirection.IN, temporary=False
        ).values_list("months", flat=True)
        for period, _base, wage in months
        if wage
    }
    wages: dict[int, Decimal] = {}
    ratios = []
    for period, base in sorted(bases.items()):
        if period in elsewhere:
            ratios.append(base / elsewhere[period])
            continue
        year = int(period[:4])
        if year not in wages:
            wages[year] = parameters.province_year(province=province, year=year).average_wage
        ratios.append(base / wages[year])
    index = (
        (sum(ratios, Decimal(0)) / len(ratios)).quantize(Decimal("0.0001"))
        if ratios
        else (Decimal("0"))
    )
    birth = YearMonth(person.birth_date.year, person.birth_date.month)
    # The account with interest up to the month before retirement for the years the yearly
    # job has not credited yet.
    accrued = accrued_to(person_id=person.pk, month=retire, province=province)
    result = calculators.pension(
        province=province,
        retirement_month=str(retire),
        age=Age.of_months(birth.months_until(retire)),
        contribution_months=len(bases),
        average_index=index,
        account_balance=accrued.balance,
    )
    award = result.award
    # Months still to come before retirement count (the employer declares them); the minimum
    # is that of the chosen year (early) or of the statutory year (late).
    seen = eligibility.outlook(
        person=person, today=timezone.localdate(), chosen=retire, statement=statement
    )
    minimum = seen.minimum_months
    payer = transfers.payer_of(person, statement)
    explanation = [
        [
            f"{year.year}年个人账户利息（{year.months}个月）",
            f"Account interest {year.year} ({year.months} months)",
            f"{year.opening:.2f} x {year.rate} x {year.months}/12 + "
            + (
                f"{year.contributions:.2f} x {year.rate} x 1.083/2 x {year.months}/12"
                if year.method == "annual"
                else f"monthly credits x {year.rate} x months to {year.months}/12"
            ),
            f"{year.interest:.2f}",
            "D5" + (" 临时利率 provisional rate" if year.provisional else ""),
        ]
        for year in accrued.years
    ]
    explanation += [
        [line.label_zh, line.label_en, line.formula, line.value, line.source]
        for line in award.explanation
    ]
    if elsewhere:
        explanation.append(
            [
                "其中从外省转入的缴费月数（按转出地平均工资计算指数）",
                "Of which months brought in from other provinces (indexed on their wages)",
                "",
                str(len(elsewhere.keys() & bases.keys())),
                "D6",
            ]
        )
    explanation.append(
        [
            "户籍所在地",
            "Household-registration place",
            "公安户籍信息 household register"
            if payer["hukou_source"] == "public_security.household"
            else "身份证地址码 resident ID address code",
            provinces.province_name(payer["hukou"]),
            "D6",
        ]
    )
    explanation.append(
        [
            "待遇领取地",
            "Place that pays the pension",
            f"rule {payer['rule']}",
            payer["place_name"],
            "D6 art. 8",
        ]
    )
    return {
        "monthly": f"{award.total:.2f}",
        "minimum_months": minimum,
        "meets_minimum": seen.months >= minimum,
        "shortfall": eligibility.shortfall_facts(seen),
        "basic": f"{award.basic_pension:.2f}",
        "account": f"{award.account_pension:.2f}",
        "transitional": f"{award.transitional_pension:.2f}",
        "contribution_months": len(bases),
        "average_index": str(index),
        "account_balance": f"{accrued.balance:.2f}",
        "account_ledger": f"{statement.account_balance:.2f}",
        "interest_accrued": f"{accrued.interest:.2f}",
        "benefit_base": f"{award.benefit_base:.2f}",
        "divisor": str(award.divisor),
        "parameters": result.parameters,
        "payer": payer,
        "explanation": explanation,
    }


def award_service(data: dict[str, Any]) -> dict[str, Any]:
    """The retirement process's service task: the award, or why it cannot be computed."""
    applicant_id = data.get("applicant_id")
    person = (
        Person.objects.filter(pk=applicant_id).select_related("region").first()
        if isinstance(applicant_id, int)
        else None
    )
    month = str((data.get("answers") or {}).get("retirement_month", ""))
    if person is None:
        return {"award_error": "no applicant"}
    # A woman whose post is not on record: the reviewer establishes it (the case page says
    # so and the approval needs it).
    establish = {"establish": ["post_category"]} if eligibility.post_to_establish(person) else {}
    try:
        return {"award": award_from_record(person=person, retirement_month=month), **establish}
    except (RuleError, ServiceError, parameters.ParametersMissing) as exc:
        return {
            "award_error": f"{getattr(exc, 'zh', exc)} / {getattr(exc, 'en', exc)}",
            **establish,
        }


def pensioner_from_case(case: Any, actor: Any) -> Pensioner:
    """Approving a retirement case: the applicant becomes a pensioner (once). A woman whose
    post was not on record needs the post the reviewer established, and her month must fit
    its window (``eligibility.retirement_decision_check``)."""
    award = case.facts.get("award")
    if not award:
        raise ServiceError(
            "待遇核定未完成，不能批准：" + str(case.facts.get("award_error", "")),
            "The award could not be computed; the case cannot be approved: "
            + str(case.facts.get("award_error", "")),
            code="award",
        )
    eligibility.retirement_decision_check(
        person=case.applicant,
        answers=case.answers,
        facts=case.facts,
        filed_on=timezone.localtime(case.submitted_at).date(),
    )
    if not award.get("meets_minimum", False):
        gap = award.get("shortfall") or {}
        options_zh = (
            f"可继续按月缴费至{gap['keep_paying_until']}（每月{gap['monthly_amount']}元），"
            f"或一次性补缴{gap['lump_sum']}元。"
            if gap
            else ""
        )
        options_en = (
            f" Keep paying until {gap['keep_paying_until']} ({gap['monthly_amount']} a month) "
            f"or pay {gap['lump_sum']} at once."
            if gap
            else ""
        )
        raise ServiceError(
            f"累计缴费{award['contribution_months']}个月，不足最低缴费年限"
            f"{award['minimum_months']}个月，不能按月领取养老金。{options_zh}",
            f"{award['contribution_months']} contribution months is short of the minimum "
            f"{award['minimum_months']}: no monthly pension can be awarded.{options_en}",
            code="minimum",
        )
    payer = award.get("payer") or {}
    if payer and payer.get("place") != transfers.own_province():
        raise ServiceError(
            f"按转移接续规则，养老金应由{payer.get('place_name')}支付（第{payer.get('rule')}项），"
            "请先将关系转往该地。",
            f"Under the transfer rules the pension is paid by {payer.get('place_name')} "
            f"(rule {payer.get('rule')}); transfer the relation there first.",
            code="payer",
        )
    person = case.applicant
    retirement = str(case.answers.get("retirement_month"))
    start = month_index(retirement) + 1
    current = month_index(timezone.localdate().strftime("%Y-%m"))
    pensioner, created = Pensioner.objects.get_or_create(
        person=person,
        defaults={
            "case_number": case.number,
            "region": person.region,
            "retirement_month": retirement,
            "start_index": start,
            "monthly_amount": Decimal(award["monthly"]),
            "award": award,
            "bank_account": str(case.answers.get("bank_account", "")),
            "owed_from_index": start if start < current else None,
            "last_confirmed": timezone.localdate(),
        },
    )
    if not created:
        raise ServiceError("此人已领取养老金。", "This person already draws a pension.", code="dup")
    record(
        actor=actor,
        action="pensions.awarded",
        target=pensioner,
        changes={"monthly": award["monthly"], "from": month_label(start)},
    )
    notify(
        recipients=[person.user],
        event="pensions.awarded",
        context={
            "amount": award["monthly"],
            "retirement": retirement,
            "start": month_label(start),
        },
        link="/me/pension/",
    )
    return pensioner


def _report(run: PayrollRun, previous: PayrollRun | None) -> dict[str, Any]:
    """Reconciliation against the previous month, in SQL: who joined, who left, whose amount
    moved, and the totals.

    One pass over both months' regular lines, grouped by pensioner: no join between the
    months, so the plan cannot turn quadratic whatever the planner's statistics say (an
    anti-join planned on the statistics of a table still empty took minutes at 10^6)."""
    table = Payment._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(CASE WHEN n > 0 AND b = 0 THEN 1 ELSE 0 END), 0), "  # noqa: S608
            "COALESCE(SUM(CASE WHEN n = 0 AND b > 0 THEN 1 ELSE 0 END), 0), "
            "COALESCE(SUM(CASE WHEN n > 0 AND b > 0 AND now_amount <> before_amount "
            "THEN 1 ELSE 0 END), 0), SUM(now_amount), SUM(before_amount) FROM ("
            "SELECT pensioner_id, "
            "SUM(CASE WHEN run_id = %s THEN 1 ELSE 0 END) AS n, "
            "SUM(CASE WHEN run_id = %s THEN 0 ELSE 1 END) AS b, "
            "SUM(CASE WHEN run_id = %s THEN amount END) AS now_amount, "
            "SUM(CASE WHEN run_id = %s THEN NULL ELSE amount END) AS before_amount "
            f"FROM {table} WHERE kind = %s AND run_id IN (%s, %s) GROUP BY pensioner_id"
            ") months",
            [
                run.pk,
                run.pk,
                run.pk,
                run.pk,
                PaymentKind.REGULAR,
                run.pk,
                previous.pk if previous else run.pk,
            ],
        )
        joined, left, changed, now_total, before_total = cursor.fetchone()
    arrears = Payment.objects.filter(run=run, kind=PaymentKind.ARREARS).aggregate(
        n=Count("pk"), total=Sum("amount")
    )
    return {
        "previous": previous.period if previous else None,
        "joined": int(joined),
        "left": int(left),
        "changed": int(changed),
        "regular_total": f"{Decimal(now_total or 0):.2f}",
        "previous_total": f"{Decimal(before_total or 0):.2f}",
        "arrears": arrears["n"],
        "arrears_total": f"{arrears['total'] or 0:.2f}",
    }


def payroll_run(*, actor: Any, period: str) -> PayrollRun:
    """The month's payment list: one set-based insert of every active pensioner's pension,
    one of the arrears owed; idempotent per month (a second run returns the first)."""
    if actor is not None and not actor.has_perm(RUN_PAYROLL):
        raise NotPermitted()
    index = month_index(period)
    now = timezone.now()
    with transaction.atomic():
        existing = PayrollRun.objects.filter(period_index=index).first()
        if existing is not None:
            return existing
        run = PayrollRun.objects.create(
            period=month_label(index),
            period_index=index,
            created_at=now,
            created_by=actor.get_username() if actor is not None else "system",
        )
        table = Payment._meta.db_table
        pensioners = Pensioner._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (run_id, pensioner_id, period_index, kind, months, "  # noqa: S608
                f"amount, created_at) SELECT %s, p.id, %s, %s, 1, p.monthly_amount, %s "
                f"FROM {pensioners} p WHERE p.status = %s AND p.start_index <= %s "
                "ON CONFLICT (pensioner_id, period_index, kind) DO NOTHING",
                [run.pk, index, PaymentKind.REGULAR, now, PensionerStatus.ACTIVE, index],
            )
            cursor.execute(
                f"INSERT INTO {table} (run_id, pensioner_id, period_index, kind, months, "  # noqa: S608
                f"amount, created_at) SELECT %s, p.id, %s, %s, %s - p.owed_from_index, "
                f"p.monthly_amount * (%s - p.owed_from_index), %s FROM {pensioners} p "
                "WHERE p.status = %s AND p.owed_from_index IS NOT NULL "
                "AND p.owed_from_index < %s "
                "ON CONFLICT (pensioner_id, period_index, kind) DO NOTHING",
                [
                    run.pk,
                    index,
                    PaymentKind.ARREARS,
                    index,
                    index,
                    now,
                    PensionerStatus.ACTIVE,
                    index,
                ],
            )
        Pensioner.objects.filter(status=PensionerStatus.ACTIVE, owed_from_index__lt=index).update(
            owed_from_index=None
        )
        totals = Payment.objects.filter(run=run).aggregate(n=Count("pk"), total=Sum("amount"))
        previous = PayrollRun.objects.filter(period_index__lt=index).order_by("-period_index")
        run.count, run.total = totals["n"], Decimal(totals["total"] or 0).quantize(CENT)
        run.report = _report(run, previous.first())
        run.save(update_fields=["count", "total", "report"])
        record(
            actor=actor,
            action="pensions.payroll.run",
            target=run,
            changes={"count": run.count, "total": f"{run.total:.2f}"},
        )
    return run


def _paid_for(pensioner: Pensioner, first: int, last: int | None = None) -> Decimal:
    """What was paid for the months ``first`` to ``last`` (open-ended when None): their
    regular payments, and the share of later arrears that covered them."""
    regular = Payment.objects.filter(
        pensioner=pensioner, period_index__gte=first, kind=PaymentKind.REGULAR
    )
    if last is not None:
        regular = regular.filter(period_index__lte=last)
    paid = regular.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    # Arrears are paid in a later month for the ``months`` before it.
    for arrears in Payment.objects.filter(
        pensioner=pensioner, kind=PaymentKind.ARREARS, period_index__gt=first
    ):
        start = arrears.period_index - arrears.months
        end = arrears.period_index - 1 if last is None else min(arrears.period_index - 1, last)
        covered = end - max(start, first) + 1
        if covered > 0:
            paid += (arrears.amount / arrears.months * covered).quantize(CENT)
    return Decimal(paid)


def _recover(pensioner: Pensioner, index: int, amount: Decimal) -> None:
    """An overpayment to recover, once per pensioner and month."""
    if amount:
        Payment.objects.get_or_create(
            pensioner=pensioner,
            period_index=index,
            kind=PaymentKind.RECOVERY,
            defaults={"amount": -amount, "created_at": timezone.now()},
        )


def pensioner_stop(*, pensioner: Pensioner, death: dt.date, source: str) -> str:
    """A confirmed death: payment stops from the next month; what was paid for later months
    becomes an overpayment to recover. Idempotent."""
    with transaction.atomic():
        locked = Pensioner.objects.select_for_update().get(pk=pensioner.pk)
        if locked.status == PensionerStatus.STOPPED:
            return "already stopped"
        stop_from = death.year * 12 + death.month  # the month after the death
        overpaid = _paid_for(locked, stop_from)
        _recover(locked, stop_from, overpaid)
        locked.status, locked.stopped_from_index = PensionerStatus.STOPPED, stop_from
        locked.status_reason = f"死亡 death {death.isoformat()} ({source})"[:200]
        locked.save(update_fields=["status", "stopped_from_index", "status_reason"])
        outcome = f"stopped from {month_label(stop_from)}; to recover {overpaid:.2f}"
        EntitlementCheck.objects.create(
            pensioner=locked, at=timezone.now(), source=source, outcome=outcome
        )
        record(
            actor=None,
            action="pensions.stopped",
            target=locked,
            changes={"death": death, "recover": f"{overpaid:.2f}", "source": source},
        )
    return outcome


IMPRISONMENT = "imprisonment"


def imprisonment_seen(
    *, pensioner: Pensioner, start: dt.date, end: dt.date | None, today: dt.date
) -> str:
    """A prison term reported by public security (D8 art. 26): no pension for the months
    from the one after the sentence began to the month of release; what was paid for them is
    recovered. Paid again from the month after release; the months in prison are not paid
    back. Returns what changed ("" when nothing did); idempotent."""
    first = start.year * 12 + start.month  # the month after the term began
    released = end is not None and end < today
    last = end.year * 12 + end.month - 1 if end is not None else None  # the release month
    with transaction.atomic():
        locked = Pensioner.objects.select_for_update().get(pk=pensioner.pk)
        if locked.status == PensionerStatus.STOPPED or (last is not None and last < first):
            return ""
        held = locked.status == PensionerStatus.SUSPENDED and locked.suspended_by == IMPRISONMENT
        outcome = ""
        if not released and locked.status == PensionerStatus.ACTIVE:
            overpaid = _paid_for(locked, first)
            _recover(locked, first, overpaid)
            locked.status, locked.suspended_by = PensionerStatus.SUSPENDED, IMPRISONMENT
            locked.suspended_from_index = first
            locked.status_reason = f"服刑 imprisoned from {start.isoformat()}"
            outcome = f"suspended from {month_label(first)}; to recover {overpaid:.2f}"
        elif released and held and last is not None:
            # Resumed once the release month's payroll has run; months after it that a
            # payroll already passed are owed, and the next payroll pays them as arrears.
            resume = last + 1
            due = _next_payroll_index()
            if resume > due:
                return ""  # the release month's payroll has not run yet: a later check resumes
            locked.status, locked.suspended_by = PensionerStatus.ACTIVE, ""
            locked.suspended_from_index, locked.status_reason = None, ""
            if resume < due:
                owed = locked.owed_from_index
                locked.owed_from_index = min(resume, owed) if owed is not None else resume
            outcome = f"released {end}; paid again from {month_label(resume)}"
        elif released and locked.status == PensionerStatus.ACTIVE and last is not None:
            # A term that began and ended between two checks: what was paid for it is
            # recovered, once.
            overpaid = _paid_for(locked, first, last)
            if (
                overpaid
                and not Payment.objects.filter(
                    pensioner=locked, period_index=first, kind=PaymentKind.RECOVERY
                ).exists()
            ):
                _recover(locked, first, overpaid)
                served = f"{month_label(first)}..{month_label(last)}"
                outcome = f"served {served}; to recover {overpaid:.2f}"
        if not outcome:
            return ""
        locked.save(
            update_fields=[
                "status",
                "suspended_by",
                "suspended_from_index",
                "status_reason",
                "owed_from_index",
            ]
        )
        EntitlementCheck.objects.create(
            pensioner=locked,
            at=timezone.now(),
            source="public_security.imprisonment",
            outcome=outcome,
        )
        record(
            actor=None,
            action="pensions.imprisonment",
            target=locked,
            changes={"from": start, "to": end, "outcome": outcome},
        )
    return outcome


def death_event(event: dict[str, Any]) -> str:
    """A registry reported a death: stop the pension of that person, if they draw one, and
    open the survivors' benefits of anyone insured here."""
    from onestop.identity import selectors as identity

    person = identity.person_by_resident_id(str(event.get("subject", "")))
    if person is None:
        return "not insured here"
    data = event.get("data") or {}
    death = _date(data.get("date")) or timezone.localdate()
    source = str(event.get("source"))
    pensioner = Pensioner.objects.filter(person=person).first()
    outcome = (
        pensioner_stop(pensioner=pensioner, death=death, source=source)
        if pensioner
        else "no pensioner"
    )
    known = SurvivorBenefit.objects.filter(person=person).exists()
    opened = survivors.open_for_death(
        person=person,
        died_on=death,
        source=source,
        declarant_id=str(data.get("declarant_resident_id", "")),
    )
    return outcome + ("; survivors' benefits opened" if opened and not known else "")


def entitlement_check_run(*, today: dt.date | None = None) -> dict[str, int]:
    """The monthly comparison (D8 art. 26): each pensioner being paid, or held during a prison
    term, against the civil-affairs death registrations and the public-security prison records
    through the gateway. A death stops the pension; a term suspends it and its end resumes it;
    a medical-insurance settlement confirms a pensioner found in neither. A registry that
    cannot be reached is reported, and the next run tries again."""
    from onestop.exchange.licences import RegistryUnavailable, registry_lookup

    today = today or timezone.localdate()
    counts = dict.fromkeys(
        ("checked", "stopped", "suspended", "resumed", "unavailable", "confirmed"), 0
    )
    party = "hrss.entitlement"  # exchange.labels.PARTIES
    purpose = "pension_entitlement_check"  # exchange.labels.PURPOSES
    watched = Pensioner.objects.filter(status=PensionerStatus.ACTIVE) | Pensioner.objects.filter(
        status=PensionerStatus.SUSPENDED, suspended_by=IMPRISONMENT
    )
    for pensioner in watched.select_related("person").order_by("pk"):
        counts["checked"] += 1
        subject = pensioner.person.resident_id
        try:
            death = registry_lookup(
                party=party, resource_code="civil_affairs.deaths", subject=subject, purpose=purpose
            )
            term = (
                None
                if death
                else registry_lookup(
                    party=party,
                    resource_code="public_security.imprisonment",
                    subject=subject,
                    purpose=purpose,
                )
            )
        except RegistryUnavailable:
            counts["unavailable"] += 1
            continue
        if death is not None:
            died_on = _date(death.get("date")) or today
            pensioner_stop(pensioner=pensioner, death=died_on, source="civil_affairs.deaths")
            survivors.open_for_death(
                person=pensioner.person,
                died_on=died_on,
                source="civil_affairs.deaths",
                declarant_id=str(death.get("declarant_resident_id", "")),
            )
            counts["stopped"] += 1
            continue
        start = _date((term or {}).get("from"))
        if start is not None and start <= today:
            outcome = imprisonment_seen(
                pensioner=pensioner, start=start, end=_date((term or {}).get("to")), today=today
            )
            if outcome.startswith("suspended"):
                counts["suspended"] += 1
            elif outcome.startswith("released"):
                counts["resumed"] += 1
            pensioner.refresh_from_db(fields=["status"])
        if pensioner.status == PensionerStatus.ACTIVE:
            counts["confirmed"] += _sign_of_life(pensioner)
    return counts


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value or ""))
    except ValueError:
        return None


def _sign_of_life(pensioner: Pensioner) -> int:
    """A medical-insurance settlement in the last 12 months confirms the entitlement (no
    death record alone proves nothing). Returns 1 when it did."""
    from onestop.exchange.licences import RegistryUnavailable, registry_lookup

    try:
        found = registry_lookup(
            party="hrss.entitlement",
            resource_code="medical_insurance.settlements",
            subject=pensioner.person.resident_id,
            purpose="pension_entitlement_check",
        )
    except RegistryUnavailable:
        return 0
    try:
        last = dt.date.fromisoformat(str((found or {}).get("last_date", "")))
    except ValueError:
        return 0
    today = timezone.localdate()
    if last < today - dt.timedelta(days=CONFIRMATION_DAYS) or last > today:
        return 0
    Pensioner.objects.filter(pk=pensioner.pk).update(
        last_confirmed=last, confirmation_requested_on=None
    )
    EntitlementCheck.objects.create(
        pensioner=pensioner,
        at=timezone.now(),
        source="medical_insurance.settlements",
        outcome=f"sign of life {last.isoformat()}",
    )
    return 1


def payment_facts(*, pensioner: Pensioner) -> dict[str, Any]:
    """What a pension payment statement states."""
    last = Payment.objects.filter(pensioner=pensioner).order_by("-period_index").first()
    recent = (
        Payment.objects.filter(pensioner=pensioner, period_index__gt=last.period_index - 12)
        if last
        else Payment.objects.none()
    )
    with translation.override("zh-hans"):
        status_zh = str(pensioner.get_status_display())
    with translation.override("en"):
        status_en = str(pensioner.get_status_display())
    return {
        "monthly": f"{pensioner.monthly_amount:.2f}",
        "status": pensioner.status,
        # The bilingual statement reads the status as words in both languages, not its code.
        "status_zh": status_zh,
        "status_en": status_en,
        "start_month": month_label(pensioner.start_index),
        "paid_12_months": f"{recent.aggregate(t=Sum('amount'))['t'] or 0:.2f}",
        "paid_total": f"{pensioner.payments.aggregate(t=Sum('amount'))['t'] or 0:.2f}",
    }


def retirement_notices_run(*, today: dt.date | None = None) -> int:
    """Tell each person whose statutory retirement month (D1) falls within the next three
    months, and their employer, once; the notice links to the pre-filled application.
    Returns how many were told. Women are told when their post (from the latest
    employment) decides their schedule."""
    from onestop.applications.prefill import retirement_category
    from onestop.identity.models import EmployerRole
    from onestop.rules.retirement import statutory_retirement

    today = today or timezone.localdate()
    now_index = today.year * 12 + today.month - 1
    # The oldest statutory age is 63 (men after the reform), and people still working up to
    # 36 months past it are reminded too: nobody born earlier than that or later than 50
    # years ago can be due.
    oldest = dt.date(today.year - 67, 1, 1)
    youngest = dt.date(today.year - 49, 12, 31)
    told = 0
    candidates = Person.objects.filter(
        birth_date__gte=oldest, birth_date__lte=youngest, pensioner__isnull=True
    ).select_related("user")
    for person in candidates:
        category = retirement_category(person)
        if category is None:
            continue
        birth = YearMonth(person.birth_date.year, person.birth_date.month)
        statutory = statutory_retirement(birth=birth, category=category)
        month = statutory.retirement_month
        index = month.year * 12 + month.month - 1
        # Reached already and still working (not applied): a late retirement is possible
        # until the window closes; they are told so once.
        reached = (
            index <= now_index
            and str(statutory.latest_month) > f"{today:%Y-%m}"
            and contributions.current_employer_id(person=person) is not None
        )
        if not (now_index < index <= now_index + 3 or reached):
            continue
        _, created = RetirementNotice.objects.get_or_create(
            person=person, retirement_month=str(month), defaults={"sent_at": timezone.now()}
        )
        if not created:
            continue
        employer_id = contributions.current_employer_id(person=person)
        agents = (
            [
                role.person.user
                for role in EmployerRole.objects.filter(
                    employer_id=employer_id, revoked_at__isnull=True
                ).select_related("person__user")
            ]
            if employer_id
            else []
        )
        notify(
            recipients=[person.user],
            event="pensions.retirement_reached" if reached else "pensions.retirement_due",
            context={"month": str(month), "latest": str(statutory.latest_month)},
            link="/services/SX-SI-006/apply/",
        )
        notify(
            recipients=agents,
            event="pensions.retirement_due_employer",
            context={"month": str(month), "name": person.name},
            link="",
        )
        told += 1
    return told


CONFIRMATION_DAYS = 365


def confirmation_run(*, today: dt.date | None = None) -> dict[str, int]:
    """Entitlement confirmation (D8 art. 26): a pensioner with no confirmation for 12 months
    gets a self-service request; still unconfirmed a month later, payment is suspended from
    the next month (and resumed with arrears once confirmed). Idempotent per day."""
    today = today or timezone.localdate()
    stale = Pensioner.objects.filter(
        status=PensionerStatus.ACTIVE, last_confirmed__lt=today - dt.timedelta(CONFIRMATION_DAYS)
    ).select_related("person__user")
    requested = suspended = 0
    for pensioner in stale:
        if pensioner.confirmation_requested_on is None:
            pensioner.confirmation_requested_on = today
            pensioner.save(update_fields=["confirmation_requested_on"])
            notify(
                recipients=[pensioner.person.user],
                event="pensions.confirm",
                context={"days": 30},
                link="/me/pension/",
            )
            requested += 1
        elif pensioner.confirmation_requested_on <= today - dt.timedelta(days=30):
            with transaction.atomic():
                pensioner.status = PensionerStatus.SUSPENDED
                pensioner.suspended_by = "confirmation"
                pensioner.suspended_from_index = today.year * 12 + today.month  # next month
                pensioner.status_reason = "未按时完成资格认证 not confirmed in time"
                pensioner.save(
                    update_fields=[
                        "status",
                        "suspended_by",
                        "suspended_from_index",
                        "status_reason",
                    ]
                )
                EntitlementCheck.objects.create(
                    pensioner=pensioner,
                    at=timezone.now(),
                    source="confirmation",
                    outcome=f"suspended from {month_label(pensioner.suspended_from_index)}",
                )
                record(actor=None, action="pensions.suspended", target=pensioner)
            suspended += 1
    return {"requested": requested, "suspended": suspended}


def pension_confirm(*, actor: Any, source: str = "self-service") -> Pensioner:
    """The pensioner confirms their entitlement (the self-service check); a suspended pension
    resumes, and the months it was held are paid as arrears by the next payroll."""
    person = getattr(actor, "person", None) if actor.is_authenticated else None
    with transaction.atomic():
        pensioner = (
            Pensioner.objects.select_for_update().filter(person=person).first() if person else None
        )
        if pensioner is None or pensioner.status == PensionerStatus.STOPPED:
            raise NotPermitted("没有可认证的养老金。", "There is no pension to confirm.")
        pensioner.last_confirmed, pensioner.confirmation_requested_on = timezone.localdate(), None
        fields = ["last_confirmed", "confirmation_requested_on"]
        # A pension held during a prison term resumes on release, not on a confirmation.
        if pensioner.status == PensionerStatus.SUSPENDED and pensioner.suspended_by != IMPRISONMENT:
            pensioner.status, pensioner.status_reason = PensionerStatus.ACTIVE, ""
            pensioner.suspended_by = ""
            held = pensioner.suspended_from_index
            if held is not None:
                owed = pensioner.owed_from_index
                pensioner.owed_from_index = min(held, owed) if owed is not None else held
            pensioner.suspended_from_index = None
            fields += [
                "status",
                "status_reason",
                "suspended_by",
                "owed_from_index",
                "suspended_from_index",
            ]
        pensioner.save(update_fields=fields)
        EntitlementCheck.objects.create(
            pensioner=pensioner, at=timezone.now(), source=source, outcome="confirmed"
        )
        record(actor=actor, action="pensions.confirmed", target=pensioner)
    return pensioner


def _next_payroll_index() -> int:
    latest = PayrollRun.objects.order_by("-period_index").values_list("period_index", flat=True)
    last = latest.first()
    if last is not None:
        return last + 1
    today = timezone.localdate()
    return today.year * 12 + today.month - 1


def adjustment_prepare(
    *, actor: Any, year: int, percentage: Decimal, fixed_amount: Decimal
) -> Adjustment:
    """Compute every active pensioner's new amount under the year's rule (the rules engine,
    rounding once), kept as lines for review; nothing is paid differently yet. The rule
    takes effect from the next month to be paid."""
    if actor is not None and not actor.has_perm(RUN_PAYROLL):
        raise NotPermitted()
    rule = AdjustmentRule(year=year, percentage=percentage, fixed_amount=fixed_amount)
    adjusted_pension(current=Decimal(0), rule=rule)  # refuses a rule out of bounds
    with transaction.atomic():
        if Adjustment.objects.filter(year=year).exists():
            raise ServiceError(
                f"{year} 年的调整已存在。", f"The {year} adjustment exists already.", code="dup"
            )
        adjustment = Adjustment.objects.create(
            year=year,
            percentage=percentage,
            fixed_amount=fixed_amount,
            effective_index=_next_payroll_index(),
            prepared_by=actor.get_username() if actor is not None else "system",
            prepared_at=timezone.now(),
        )
        current = Pensioner.objects.filter(
            status__in=[PensionerStatus.ACTIVE, PensionerStatus.SUSPENDED]
        ).values_list("pk", "monthly_amount")
        copy_rows(
            AdjustmentLine._meta.db_table,
            ["adjustment_id", "pensioner_id", "before", "after"],
            (
                (adjustment.pk, pk, amount, adjusted_pension(current=amount, rule=rule))
                # Read before COPY starts: one connection cannot stream both at once.
                for pk, amount in list(current)
            ),
        )
        totals = adjustment.lines.aggregate(n=Count("pk"), up=Sum(F("after") - F("before")))
        # SQLite subtracts decimals as floats: back to the cent.
        increase = Decimal(str(totals["up"] or 0)).quantize(CENT)
        adjustment.count, adjustment.increase = totals["n"], increase
        adjustment.save(update_fields=["count", "increase"])
        record(
            actor=actor,
            action="pensions.adjustment.prepared",
            target=adjustment,
            changes={"percentage": str(percentage), "fixed": str(fixed_amount)},
        )
    return adjustment


def _set_amounts(adjustment: Adjustment, column: str) -> None:
    """One UPDATE of every pensioner of the batch to the lines' ``before`` or ``after``."""
    lines = AdjustmentLine._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Pensioner._meta.db_table} SET monthly_amount = ("  # noqa: S608
            f"SELECT l.{column} FROM {lines} l WHERE l.adjustment_id = %s "
            f"AND l.pensioner_id = {Pensioner._meta.db_table}.id) "
            f"WHERE id IN (SELECT pensioner_id FROM {lines} WHERE adjustment_id = %s)",
            [adjustment.pk, adjustment.pk],
        )


def adjustment_apply(*, actor: Any, year: int) -> Adjustment:
    if actor is not None and not actor.has_perm(RUN_PAYROLL):
        raise NotPermitted()
    with transaction.atomic():
        adjustment = Adjustment.objects.select_for_update().get(year=year)
        if adjustment.status != AdjustmentStatus.PREPARED:
            raise ServiceError(
                "该调整不在待执行状态。", "That adjustment is not prepared.", code="state"
            )
        _set_amounts(adjustment, "after")
        adjustment.status, adjustment.applied_at = AdjustmentStatus.APPLIED, timezone.now()
        adjustment.save(update_fields=["status", "applied_at"])
        record(actor=actor, action="pensions.adjustment.applied", target=adjustment)
    return adjustment


def adjustment_reverse(*, actor: Any, year: int) -> Adjustment:
    """Undo an applied adjustment, only while no payroll has paid the new amounts."""
    if actor is not None and not actor.has_perm(RUN_PAYROLL):
        raise NotPermitted()
    with transaction.atomic():
        adjustment = Adjustment.objects.select_for_update().get(year=year)
        paid = PayrollRun.objects.filter(
            period_index__gte=adjustment.effective_index,
            created_at__gte=adjustment.applied_at or timezone.now(),
        ).exists()
        if adjustment.status != AdjustmentStatus.APPLIED or paid:
            raise ServiceError(
                "只能撤销已执行且尚未发放的调整。",
                "Only an applied adjustment not yet paid can be reversed.",
                code="state",
            )
        _set_amounts(adjustment, "before")
        adjustment.status, adjustment.reversed_at = AdjustmentStatus.REVERSED, timezone.now()
        adjustment.save(update_fields=["status", "reversed_at"])
        record(actor=actor, action="pensions.adjustment.reversed", target=adjustment)
    return adjustment
