"""The unemployment benefit as a business line (SX-SI-009): filed as a case, assessed from the
platform's own record, opened on approval, paid by a monthly set-based payroll, stopped by
the events of D10 art. 15 with what was paid past the stop recovered.

- ``assessment_service``: the benefit process's service task. The open registration, the
  paid unemployment months (since an earlier benefit ended, with the months it left unused
  after re-employment carried over, D10 art. 17), the separation, the province's parameters
  of the year: eligibility (art. 14), months (art. 17), the monthly amount (art. 18), each
  step explained for the case worker. A claim the rules refuse is refused at once.
- ``benefit_from_case``: approval opens the benefit from the registered month for the
  months assessed, journaled in the approval's transaction.
- ``payroll_run``: one ``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` for the month's
  benefits in payment; a second run of a month returns the first and pays nothing again.
- ``benefit_stop``: the event month is still paid, nothing after it (D10 art. 15, D11 art.
  51); paid later months become one recovery line; only re-employment carries the unused
  months over to a later spell.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Sum, Value
from django.db.models.functions import Least
from django.utils import timezone

from onestop.applications.models import FINAL as CASE_FINAL
from onestop.applications.prechecks import Note, Precheck
from onestop.audit.services import record
from onestop.common.accounts import (
    bank_account_normalized,
    bank_account_repeated,
    bank_card_check_digit_wrong,
)
from onestop.common.errors import NotPermitted, ServiceError, both_languages
from onestop.contributions.locks import bank_account_lock
from onestop.contributions.periods import current_period, month_of, period_of
from onestop.identity.models import Person
from onestop.identity.policy import REGISTER_UNEMPLOYMENT, RUN_PAYROLL, hrss_staff
from onestop.notifications.services import notify
from onestop.parameters import selectors as parameters
from onestop.rules import unemployment as rules
from onestop.rules.values import RuleError
from onestop.unemployment import selectors
from onestop.unemployment.medical import medical_lines_make
from onestop.unemployment.models import (
    BenefitPayment,
    BenefitPaymentKind,
    BenefitPayrollRun,
    BenefitStatus,
    ClaimAccount,
    Status,
    UnemploymentBenefit,
    UnemploymentRegistration,
)

ITEM = "SX-SI-009"
#: The fact a case worker establishes when the record does not settle the separation
#: (``applications.services.ESTABLISHABLE``).
SEPARATION_FACT = "separation_determined"
CENT = Decimal("0.01")


def _applicant(data: dict[str, Any]) -> Person | None:
    applicant_id = data.get("applicant_id")
    if not isinstance(applicant_id, int):
        return None
    return Person.objects.select_related("region").filter(pk=applicant_id).first()


def _refused(zh: str, en: str) -> dict[str, Any]:
    return {"eligible": False, "refusal": both_languages(zh, en)}


def assessment_facts(
    *, registration: UnemploymentRegistration, today: dt.date, separation: str = ""
) -> dict[str, Any]:
    """What the case worker decides on: eligibility with every refusal named, the months
    (earned, carried over) and the monthly amount, with the explanation lines
    (``separation`` stands in for the registration's, see ``selectors.assessment_of``)."""
    found = selectors.assessment_of(registration=registration, today=today, separation=separation)
    a = found.assessment
    facts: dict[str, Any] = {
        "eligible": a.eligibility.eligible,
        "unemployment": {
            "registration": registration.pk,
            "start": str(month_of(registration.period)),
            "eligible": a.eligibility.eligible,
            "contribution_months": found.contribution_months,
            "earned_months": a.entitlement.earned_months,
            "carried_months": a.entitlement.carried_months,
            "months": a.entitlement.months if a.eligibility.eligible else 0,
            "monthly_amount": f"{a.monthly_amount:.2f}",
            "total": f"{a.total:.2f}",
            "parameters": found.parameters,
            "refusals": [[r.zh, r.en] for r in a.eligibility.refusals],
            "explanation": [
                [line.label_zh, line.label_en, line.formula, line.value, line.source]
                for line in a.explanation
            ],
        },
    }
    if not a.eligibility.eligible:
        refusals = a.eligibility.refusals
        facts["refusal"] = both_languages(
            "".join(r.zh for r in refusals), " ".join(r.en for r in refusals)
        )
    return facts


def assessment_service(data: dict[str, Any]) -> dict[str, Any]:
    """The SX-SI-009 process's service task (see the module docstring)."""
    person = _applicant(data)
    registration = (
        UnemploymentRegistration.objects.filter(person=person, status=Status.REGISTERED).first()
        if person is not None
        else None
    )
    if registration is None:
        return _refused(
            "尚未办理失业登记：请先办理就业失业登记（SX-EMP-001）。",
            "Not registered as unemployed: register first (SX-EMP-001).",
        )
    if UnemploymentBenefit.objects.filter(registration=registration).exists():
        return _refused(
            "本次失业登记已核定失业保险金。",
            "The benefit of this unemployment registration has already been granted.",
        )
    contest = str((data.get("answers") or {}).get("contest_separation") or "").strip()
    to_determine = not registration.separation or (
        bool(contest) and rules.Separation(registration.separation) not in rules.INVOLUNTARY
    )
    try:
        if not to_determine:
            return assessment_facts(registration=registration, today=timezone.localdate())
        # The employer's reason names no case of D12 art. 4, or the person contests a
        # voluntary one: the rest is assessed as if involuntary, and the case worker
        # determines the separation before deciding (an approval needs it).
        facts = assessment_facts(
            registration=registration,
            today=timezone.localdate(),
            separation=rules.Separation.ENDED_BY_EMPLOYER,
        )
    except (ServiceError, RuleError, parameters.ParametersMissing) as exc:
        return _refused(exc.zh, exc.en)
    if not facts["eligible"]:
        return facts
    unemployment = facts["unemployment"]
    unemployment["separation_to_determine"] = True
    unemployment["explanation"] = [
        [zh, en, "TO BE DETERMINED", "待经办人员认定 / to be determined by the case worker", src]
        if src == "D12 art. 4"
        else [zh, en, formula, value, src]
        for zh, en, formula, value, src in unemployment["explanation"]
    ]
    facts["establish"] = [SEPARATION_FACT]
    facts["employer_reason"] = registration.employer_reason or "—"
    if contest:
        facts["separation_contested"] = contest
    return facts


def _separation_determine(case: Any, actor: Any, registration: UnemploymentRegistration) -> None:
    """The case worker determined how the employment ended (the employer's reason named no
    case of D12 art. 4, or the person contested it): recorded on the registration,
    journaled. A voluntary end cannot be approved (D10 art. 14 (2)): the decision is a
    rejection, with the reasons."""
    code = str((case.facts or {}).get(SEPARATION_FACT) or "")
    try:
        separation = rules.Separation(code)
    except ValueError as exc:
        raise ServiceError(
            "批准前须认定离职原因。",
            "Determine how the last employment ended before approving.",
            code="establish",
        ) from exc
    if separation not in rules.INVOLUNTARY:
        zh, en = rules.SEPARATION_LABELS[separation]
        raise ServiceError(
            f"认定的离职原因（{zh}）属于本人意愿离职，不符合领取条件：请作出不予批准决定并说明理由。",
            f"The separation determined ({en}) is of the person's own will, which the benefit "
            "does not cover: reject the claim, giving the reasons.",
            code="separation_voluntary",
        )
    before = registration.separation
    registration.separation = separation.value
    registration.save(update_fields=["separation"])
    record(
        actor=actor,
        action="unemployment.separation_determined",
        target=registration,
        changes={
            "case": case.number,
            "employer_reason": registration.employer_reason,
            "before": before,
            "separation": separation.value,
            "contested": bool((case.facts or {}).get("separation_contested")),
        },
    )


#: A benefit's bank account: 12 to 19 digits (spaces and dashes ignored), not one digit
#: repeated; a UnionPay card number's Luhn check digit right
#: (``onestop.common.accounts.bank_card_check_digit_wrong``).
ACCOUNT_DIGITS = (12, 19)
ACCOUNT_PURPOSE = "unemployment.bank_account"


def account_index(account: str) -> str:
    """The blind index of a benefit's bank account ("" for none), of its normalized number
    (``bank_account_normalized``): "6222 0202…" and "62220202…" are one account."""
    from onestop.identity.crypto import blind_index

    account = bank_account_normalized(account)
    return blind_index(account, purpose=ACCOUNT_PURPOSE) if account else ""


def bank_account_check(
    person: Person, answers: dict[str, Any], *, open_claims: bool = True, staff: bool = False
) -> None:
    """Before an SX-SI-009 claim is filed (and again when it is approved): the account is a
    well-formed account number (a card's Luhn check digit right), and not the account of
    another person's open claim (``open_claims``; not asked at approval, where the earlier
    claim's filing already refused the later one) or active benefit. Refused with a 400,
    worded for the applicant, or for the case worker approving (``staff``).

    Run before filing to refuse early; ``claim_account_record`` asks again under the
    account's lock in the filing's transaction, where the answer counts."""
    account = bank_account_normalized(answers.get("bank_account", ""))
    low, high = ACCOUNT_DIGITS
    if not (account.isascii() and account.isdigit() and low <= len(account) <= high):
        raise ServiceError(
            f"银行账号应为{low}至{high}位数字。",
            f"The bank account must be {low} to {high} digits.",
            code="bank_account",
        )
    if bank_account_repeated(account):
        raise ServiceError(
            "银行账号不能全部是同一个数字，请填写本人名下的真实账号。",
            "A bank account is not one digit repeated: give a real account in your own name.",
            code="bank_account",
        )
    # The same check as the form's field (``validate_answers``), here for the API and approval.
    if bank_card_check_digit_wrong(account):
        raise ServiceError(
            "银行卡号校验位不正确，请核对卡号。",
            "The bank card number's check digit is wrong: check the number.",
            code="bank_account",
        )
    index = account_index(account)
    taken = Q(
        Exists(
            UnemploymentBenefit.objects.filter(
                bank_account_index=index, status=BenefitStatus.ACTIVE
            ).exclude(person=person)
        )
    )
    if open_claims:
        taken |= Q(
            Exists(
                ClaimAccount.objects.filter(account_index=index)
                .exclude(claim__status__in=CASE_FINAL)
                .exclude(person=person)
            )
        )
    # One query, whatever the number of claims: both indexed lookups in one statement.
    if Person.objects.filter(taken, pk=person.pk).exists():
        if staff:
            raise ServiceError(
                "该银行账号已用于他人的失业保险金待遇，不能批准；请联系申请人更正为本人名下的账号。",
                "This bank account already receives another person's unemployment benefit: "
                "the claim cannot be approved. Ask the applicant for an account in their own "
                "name.",
                code="bank_account_taken",
            )
        raise ServiceError(
            "该银行账号已用于他人的失业保险金申请或待遇，请填写本人名下的账号。",
            "This bank account is already given for another person's unemployment benefit "
            "claim or benefit: give an account in your own name.",
            code="bank_account_taken",
        )


def claim_account_record(case: Any) -> None:
    """When an SX-SI-009 claim is filed, in the filing's transaction: under the account's
    lock, the check again (two claims naming one account at the same instant: the second
    waits for the first to commit, then is refused and nothing of it is saved), then the
    blind index of the account, for the check of later claims (``bank_account_check``)."""
    account = bank_account_normalized((case.answers or {}).get("bank_account", ""))
    if account:
        index = account_index(account)
        bank_account_lock(account_index=index)
        bank_account_check(case.applicant, {"bank_account": account})
        ClaimAccount.objects.create(claim=case, person_id=case.applicant_id, account_index=index)


def claim_account_conflicts(case: Any) -> list[str]:
    """The numbers of other persons' open SX-SI-009 claims naming the same bank account as
    ``case`` (claims filed before the filing-time check existed, or whose account changed):
    a warning for the case worker."""
    mine = ClaimAccount.objects.filter(claim_id=case.pk).values("account_index")
    return list(
        ClaimAccount.objects.filter(account_index__in=mine)
        .exclude(claim__status__in=CASE_FINAL)
        .exclude(person_id=case.applicant_id)
        .order_by("claim__number")
        .values_list("claim__number", flat=True)
    )


def claim_account_warnings(case: Any) -> list[tuple[str, str]]:
    """The staff case page's warning, (Chinese, English), when ``case``'s bank account is
    on another person's open claim."""
    numbers = claim_account_conflicts(case)
    if not numbers:
        return []
    listed = "、".join(numbers)
    return [
        (
            f"该银行账号也用于他人未办结的失业保险金申请（{listed}），请核实账号是否为申请人本人所有。",
            f"This bank account is also given on another person's open unemployment benefit "
            f"claim ({', '.join(numbers)}): check that the account is the applicant's own.",
        )
    ]


def benefit_from_case(case: Any, actor: Any) -> UnemploymentBenefit:
    """Approving SX-SI-009: the benefit opens from the registered month for the months and
    amount the case worker saw, once per registration, journaled; the person is told."""
    facts = (case.facts or {}).get("unemployment") or {}
    registration = (
        UnemploymentRegistration.objects.select_for_update()
        .filter(pk=int(facts.get("registration") or 0), person=case.applicant)
        .first()
    )
    if not facts.get("eligible") or registration is None:
        raise ServiceError(
            "失业保险金尚未核定，不能批准。",
            "The benefit has not been assessed: the case cannot be approved.",
            code="unassessed",
        )
    if registration.status != Status.REGISTERED:
        raise ServiceError(
            "该失业登记已结束，不能批准。",
            "The unemployment registration has ended: the case cannot be approved.",
            code="registration_ended",
        )
    account = bank_account_normalized((case.answers or {}).get("bank_account", ""))
    if account:  # in the approval's transaction: a filing naming it waits
        bank_account_lock(account_index=account_index(account))
    bank_account_check(case.applicant, {"bank_account": account}, open_claims=False, staff=True)
    if facts.get("separation_to_determine"):
        _separation_determine(case, actor, registration)
    months = int(facts["months"])
    start = registration.period
    try:
        with transaction.atomic():
            benefit = UnemploymentBenefit.objects.create(
                person=case.applicant,
                registration=registration,
                case_number=case.number,
                region=case.applicant.region,
                start_period=start,
                months=months,
                end_period=period_of(month_of(start).plus(months - 1)),
                monthly_amount=Decimal(facts["monthly_amount"]),
                bank_account=account,
                bank_account_index=account_index(account),
                earned_months=int(facts["earned_months"]),
                carried_in_months=int(facts["carried_months"]),
                assessment=facts,
            )
    except IntegrityError as exc:
        raise ServiceError(
            "本次失业登记已核定失业保险金。",
            "The benefit of this unemployment registration has already been granted.",
            code="granted",
        ) from exc
    record(
        actor=actor,
        action="unemployment.benefit_granted",
        target=benefit,
        changes={
            "case": case.number,
            "start": start,
            "months": months,
            "monthly": facts["monthly_amount"],
            "carried": benefit.carried_in_months,
        },
    )
    notify(
        recipients=[case.applicant.user],
        event="unemployment.benefit_granted",
        context={
            "start": str(month_of(start)),
            "months": months,
            "amount": facts["monthly_amount"],
        },
        link="/me/unemployment/",
    )
    return benefit


#: How far back staff may run a month's payroll when nothing is owed for it.
PAYROLL_MONTHS_BACK = 12


def _payroll_month_check(period: int) -> None:
    """A past month staff run must pay someone: not before the first month of any benefit,
    and not more than ``PAYROLL_MONTHS_BACK`` months back unless a benefit's month is due
    and unpaid (back pay). A month already run is simply returned again."""
    this_month = current_period(timezone.localdate())
    if period >= this_month or BenefitPayrollRun.objects.filter(period=period).exists():
        return
    first = (
        UnemploymentBenefit.objects.order_by("start_period")
        .values_list("start_period", flat=True)
        .first()
    )
    if first is None or period < first:
        raise ServiceError(
            f"{month_of(period)}早于任何失业保险金的首个发放月份，无需生成发放名册。",
            f"{month_of(period)} is before the first month of any unemployment benefit: "
            "there is no payroll to run for it.",
            code="period_before_benefits",
        )
    oldest = period_of(month_of(this_month).plus(-PAYROLL_MONTHS_BACK))
    if period < oldest:
        owed = (
            UnemploymentBenefit.objects.filter(start_period__lte=period, end_period__gte=period)
            .exclude(payments__period=period)
            .exists()
        )
        if not owed:
            raise ServiceError(
                f"发放名册最多补生成{PAYROLL_MONTHS_BACK}个月前（{month_of(oldest)}）起的月份；"
                f"{month_of(period)}没有应补发的失业保险金。",
                f"A payroll can be run back to {month_of(oldest)} "
                f"({PAYROLL_MONTHS_BACK} months) at most; nothing is owed for "
                f"{month_of(period)}.",
                code="period_past",
            )


def payroll_run(*, actor: Any, period: int) -> BenefitPayrollRun:
    """The month's unemployment benefit payroll: one set-based insert of every benefit whose
    payable months cover ``period``; idempotent per month (a second run returns the first,
    and the unique line per benefit and month pays nothing twice)."""
    if actor is not None and (hrss_staff(actor) is None or not actor.has_perm(RUN_PAYROLL)):
        raise NotPermitted()
    if not (1 <= period % 100 <= 12 and 1990 <= period // 100 <= 2100):
        raise ServiceError(
            "发放月份应为有效的年月，例如 2026-11。",
            "The month must be a real month, e.g. 2026-11.",
            code="period",
        )
    latest = period_of(month_of(current_period(timezone.localdate())).plus(1))
    # A staff member prepares a month ahead at most (no payment in advance); the platform
    # itself (actor None: the scheduled run, the bench's synthetic months) is not limited.
    if actor is not None and period > latest:
        raise ServiceError(
            f"发放名册最多提前生成下一个月（{month_of(latest)}）的，不能预先发放更远月份。",
            f"A payroll can be prepared a month ahead at most ({month_of(latest)}); later "
            "months are not paid in advance.",
            code="period_ahead",
        )
    if actor is not None:
        _payroll_month_check(period)
    now = timezone.now()
    with transaction.atomic():
        existing = BenefitPayrollRun.objects.filter(period=period).first()
        if existing is not None:
            return existing
        run = BenefitPayrollRun.objects.create(
            period=period,
            created_at=now,
            created_by=actor.get_username() if actor is not None else "system",
        )
        table = BenefitPayment._meta.db_table
        benefits = UnemploymentBenefit._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                # The account is copied as stored (ciphertext): nothing is decrypted here.
                f"INSERT INTO {table} (run_id, benefit_id, period, kind, amount, bank_account, "  # noqa: S608
                "created_at) "
                f"SELECT %s, b.id, %s, %s, b.monthly_amount, b.bank_account, %s FROM {benefits} b "
                "WHERE b.start_period <= %s AND b.end_period >= %s "
                "ON CONFLICT (benefit_id, period, kind) DO NOTHING",
                [run.pk, period, BenefitPaymentKind.REGULAR, now, period, period],
            )
        _back_pay(run, period, now)
        medical = medical_lines_make(run=run, now=now)
        totals = BenefitPayment.objects.filter(run=run).aggregate(n=Count("pk"), t=Sum("amount"))
        run.count, run.total = totals["n"], Decimal(totals["t"] or 0).quantize(CENT)
        run.save(update_fields=["count", "total"])
        record(
            actor=actor,
            action="unemployment.payroll.run",
            target=run,
            changes={
                "period": period,
                "count": run.count,
                "total": f"{run.total:.2f}",
                "medical": medical["count"],
            },
        )
    return run


def _back_pay(run: BenefitPayrollRun, period: int, now: Any) -> None:
    """Months before ``period`` that a benefit was due but no payroll paid (granted after
    its first months' payrolls ran) are paid in this run, each under its own month; the
    unique line per benefit, month and kind pays none twice.

    Every run pays, in the same transaction as its own month, every month still missing
    before it, so a benefit whose last month due before ``period`` is paid has all earlier
    months paid too. Only benefits whose last due month is unpaid are looked at: one
    anti-join probing the unique (benefit, month, kind) index once a benefit, whatever the
    months already paid (a count of every benefit's past lines grew with each month)."""
    previous = period_of(month_of(period).plus(-1))
    last_paid = BenefitPayment.objects.filter(
        benefit_id=OuterRef("pk"), kind=BenefitPaymentKind.REGULAR, period=OuterRef("last_due")
    )
    due = (
        UnemploymentBenefit.objects.filter(
            start_period__lt=period, end_period__gte=F("start_period")
        )
        .annotate(last_due=Least(F("end_period"), Value(previous), output_field=IntegerField()))
        .filter(~Exists(last_paid))
        .values_list("pk", "start_period", "last_due", "monthly_amount", "bank_account")
    )
    missing: list[BenefitPayment] = []
    for pk, start, last, amount, account in due.iterator():
        done = set(
            BenefitPayment.objects.filter(
                benefit_id=pk, kind=BenefitPaymentKind.REGULAR, period__lt=period
            ).values_list("period", flat=True)
        )
        missing += [
            BenefitPayment(
                run=run,
                benefit_id=pk,
                period=m,
                kind=BenefitPaymentKind.REGULAR,
                amount=amount,
                bank_account=account,
                created_at=now,
            )
            for m in _months(start, last)
            if m not in done
        ]
    BenefitPayment.objects.bulk_create(missing, ignore_conflicts=True)


def _months(first: int, last: int) -> list[int]:
    """Every period from ``first`` to ``last`` (YYYYMM integers), inclusive."""
    found, month = [], month_of(first)
    while period_of(month) <= last:
        found.append(period_of(month))
        month = month.plus(1)
    return found


def benefit_stop(
    *, actor: Any, benefit: UnemploymentBenefit, reason: str, event_period: int, source: str
) -> str:
    """Stop ``benefit`` from the month after ``event_period`` (D10 art. 15, D11 art. 51: the
    event's month is still paid). What a payroll already paid for later months becomes one
    recovery line; re-employment carries the unused months over (art. 17). Idempotent:
    returns "" when nothing changed."""
    stop_reason = rules.StopReason(reason)
    with transaction.atomic():
        locked = UnemploymentBenefit.objects.select_for_update().get(pk=benefit.pk)
        if locked.status == BenefitStatus.STOPPED or event_period >= locked.end_period:
            return ""  # already stopped, or the event comes after the last month anyway
        event_period = max(event_period, period_of(month_of(locked.start_period).plus(-1)))
        found = rules.stop(
            reason=stop_reason,
            event_month=month_of(event_period),
            start=month_of(locked.start_period),
            months=locked.months,
        )
        overpaid = BenefitPayment.objects.filter(
            benefit=locked, kind=BenefitPaymentKind.REGULAR, period__gt=event_period
        ).aggregate(t=Sum("amount"))["t"] or Decimal(0)
        stop_from = period_of(month_of(event_period).plus(1))
        if overpaid:
            BenefitPayment.objects.get_or_create(
                benefit=locked,
                period=stop_from,
                kind=BenefitPaymentKind.RECOVERY,
                defaults={"amount": -overpaid, "created_at": timezone.now()},
            )
        locked.status, locked.stop_reason = BenefitStatus.STOPPED, stop_reason.value
        locked.end_period = event_period
        locked.carried_out_months = found.carried_months
        locked.stopped_at = timezone.now()
        locked.save(
            update_fields=[
                "status",
                "stop_reason",
                "end_period",
                "carried_out_months",
                "stopped_at",
            ]
        )
        outcome = f"stopped from {month_of(stop_from)}; to recover {overpaid:.2f}"
        record(
            actor=actor,
            action="unemployment.benefit_stopped",
            target=locked,
            changes={
                "reason": stop_reason.value,
                "from": stop_from,
                "recover": f"{overpaid:.2f}",
                "carried": found.carried_months,
                "source": source,
            },
        )
        zh, en = rules.STOP_LABELS[stop_reason]
        notify(
            recipients=[locked.person.user],
            event="unemployment.benefit_stopped",
            context={"month": str(month_of(stop_from)), "reason_zh": zh, "reason_en": en},
            link="/me/unemployment/",
        )
    return outcome


def benefits_stop_on_reemployment(*, actor: Any, person_id: int, start_period: int) -> int:
    """A new employment starting in ``start_period``: the person's benefits in payment stop
    from the month after it."""
    stopped = 0
    for benefit in UnemploymentBenefit.objects.filter(
        person_id=person_id, status=BenefitStatus.ACTIVE, end_period__gt=start_period
    ):
        if benefit_stop(
            actor=actor,
            benefit=benefit,
            reason=rules.StopReason.REEMPLOYED,
            event_period=start_period,
            source="contributions.employment",
        ):
            stopped += 1
    return stopped


#: What the employment service or a case worker records (re-employment comes from the
#: record by itself).
STAFF_STOPS = (
    rules.StopReason.REFUSED_JOB,
    rules.StopReason.ENLISTED,
    rules.StopReason.SETTLED_ABROAD,
    rules.StopReason.IMPRISONED,
    rules.StopReason.PENSION,
    rules.StopReason.DIED,
)


def may_stop(actor: Any, benefit: UnemploymentBenefit) -> bool:
    """Only a case worker of an HRSS agency (the social insurance agency, the bureau) in the
    person's region scope records a stop; other departments' staff never do."""
    return hrss_staff(actor) is not None and actor.has_perm(REGISTER_UNEMPLOYMENT, benefit.person)


def benefit_stop_recorded(
    *, actor: Any, benefit: UnemploymentBenefit, reason: str, event_period: int
) -> str:
    """A case worker in scope records an event that stops the benefit (a suitable job offer
    refused without good reason, reported by the employment service; enlistment; settling
    abroad; ...): stopped from the month after ``event_period``. A reason that is not one of
    ``STAFF_STOPS``, or a benefit already stopped, is a 4xx."""
    if not may_stop(actor, benefit):
        raise NotPermitted()
    if reason not in {r.value for r in STAFF_STOPS}:
        codes = ", ".join(r.value for r in STAFF_STOPS)
        named = "、".join(f"{rules.STOP_LABELS[r][0]}（{r.value}）" for r in STAFF_STOPS)
        raise ServiceError(
            f"停发原因应为：{named}。", f"The reason must be one of: {codes}.", code="reason"
        )
    if benefit.status == BenefitStatus.STOPPED:
        raise ServiceError(
            "该失业保险金已停发。", "This benefit has already stopped.", code="stopped"
        )
    # The event happened while the benefit ran (or in the month before its first), and
    # has happened: a month outside that says nothing about this benefit.
    earliest = period_of(month_of(benefit.start_period).plus(-1))
    this_month = current_period(timezone.localdate())
    if not earliest <= event_period <= this_month:
        raise ServiceError(
            f"事件月份应在{month_of(earliest)}至{month_of(this_month)}之间（领取期内且不晚于本月）。",
            f"The event's month must be from {month_of(earliest)} to {month_of(this_month)} "
            "(while the benefit runs, and not after this month).",
            code="event_month",
        )
    outcome = benefit_stop(
        actor=actor,
        benefit=benefit,
        reason=reason,
        event_period=event_period,
        source=f"recorded by {actor.get_username()}",
    )
    if not outcome:
        raise ServiceError(
            "该月份已在领取期限之后，无需停发。",
            "That month is after the last month of the benefit: nothing to stop.",
            code="after_end",
        )
    return outcome


COMPARISON_PARTY = "hrss.unemployment_check"  # exchange.labels.PARTIES
COMPARISON_PURPOSE = "unemployment_entitlement_check"  # exchange.labels.PURPOSES


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value or ""))
    except ValueError:
        return None


def benefits_compare(*, today: dt.date | None = None) -> dict[str, int]:
    """The daily comparison of the benefits in payment (D10 art. 15, D11 arts. 49 and 51),
    the same ones pensions run for pensioners: a pension awarded here (stopped from its first
    month), a death in the civil-affairs registrations (from the month after it), a prison
    term in the public-security records (from the month after it began), both through the
    gateway. A registry that cannot be reached is counted, and the next run tries again.
    Idempotent."""
    from onestop.exchange.licences import RegistryUnavailable, registry_lookup
    from onestop.pensions.selectors import pension_starts

    today = today or timezone.localdate()
    now = current_period(today)
    counts = dict.fromkeys(("checked", "pension", "died", "imprisoned", "unavailable"), 0)
    active = list(
        UnemploymentBenefit.objects.filter(
            status=BenefitStatus.ACTIVE, end_period__gte=now
        ).select_related("person")
    )
    pensions = pension_starts(person_ids=[b.person_id for b in active])
    for benefit in active:
        counts["checked"] += 1
        start = pensions.get(benefit.person_id)
        if start is not None:
            event = period_of(month_of(start).plus(-1))
            if benefit_stop(
                actor=None,
                benefit=benefit,
                reason=rules.StopReason.PENSION,
                event_period=event,
                source="pensions",
            ):
                counts["pension"] += 1
            continue
        subject = benefit.person.resident_id
        try:
            death = registry_lookup(
                party=COMPARISON_PARTY,
                resource_code="civil_affairs.deaths",
                subject=subject,
                purpose=COMPARISON_PURPOSE,
            )
            term = (
                None
                if death
                else registry_lookup(
                    party=COMPARISON_PARTY,
                    resource_code="public_security.imprisonment",
                    subject=subject,
                    purpose=COMPARISON_PURPOSE,
                )
            )
        except RegistryUnavailable:
            counts["unavailable"] += 1
            continue
        died_on = _date((death or {}).get("date")) or (today if death is not None else None)
        began = _date((term or {}).get("from"))
        if died_on is not None:
            reason, event, source, key = (
                rules.StopReason.DIED,
                current_period(died_on),
                "civil_affairs.deaths",
                "died",
            )
        elif began is not None and began <= today:
            reason, event, source, key = (
                rules.StopReason.IMPRISONED,
                current_period(began),
                "public_security.imprisonment",
                "imprisoned",
            )
        else:
            continue
        if benefit_stop(
            actor=None, benefit=benefit, reason=reason, event_period=event, source=source
        ):
            counts[key] += 1
    return counts


def benefit_precheck(person: Person, today: dt.date) -> Precheck:
    """Before filing SX-SI-009: what the record says, as notes the form and the API show.
    Only a benefit already granted for the registration blocks filing; otherwise the claim
    is assessed and, if the rules refuse it, refused with the reasons, so the person has a
    decision to contest."""
    registration = UnemploymentRegistration.objects.filter(
        person=person, status=Status.REGISTERED
    ).first()
    if registration is None:
        return Precheck(
            notes=(
                Note(
                    "unregistered",
                    "您尚未办理失业登记：请先办理“就业失业登记”，否则申领将不予批准。",
                    "You are not registered as unemployed: register first (Employment and "
                    "unemployment registration), or the claim will be refused.",
                ),
            )
        )
    granted = UnemploymentBenefit.objects.filter(registration=registration).first()
    if granted is not None:
        # Granted once per registration: a second claim is not filed at all (nothing to
        # decide), and the person is pointed to the first.
        return Precheck(
            notes=(
                Note(
                    "granted",
                    f"本次失业登记已核定失业保险金（办件编号{granted.case_number}），"
                    "不能重复申领；发放情况见“我的失业保险”。",
                    f"The benefit of this registration was already granted (case "
                    f"{granted.case_number}); it is not claimed twice. See My unemployment "
                    "insurance.",
                    blocks=True,
                ),
            )
        )
    if not registration.separation:
        return Precheck(
            notes=(
                Note(
                    "to_determine",
                    "用人单位填报的离职原因不能直接判断是否属于非因本人意愿中断就业："
                    "提交申领后由经办人员认定，可上传相关证据材料。",
                    "The employer's removal reason does not say whether the employment ended "
                    "against your will: once you claim, a case worker determines it; you may "
                    "upload evidence.",
                ),
            )
        )
    try:
        facts = assessment_facts(registration=registration, today=today)["unemployment"]
    except (ServiceError, RuleError, parameters.ParametersMissing) as exc:
        return Precheck(notes=(Note("unassessed", exc.zh, exc.en),))
    if facts["eligible"]:
        months, amount = facts["months"], facts["monthly_amount"]
        return Precheck(
            notes=(
                Note(
                    "assessed",
                    f"按平台记录，您可领取{months}个月失业保险金，每月{amount}元"
                    "（以经办机构审核决定为准）。",
                    f"By the record you could draw {months} months of {amount} yuan (the "
                    "agency's decision is final).",
                ),
            )
        )
    return Precheck(
        notes=tuple(Note("refusal", zh, en) for zh, en in facts["refusals"]),
    )
