"""Unemployment insurance benefit: who may draw it, for how long, how much, and when it stops.

Sources (shared/domain/pension-rules.md §9):
- D10 Unemployment Insurance Regulations (State Council decree 258, 1999): art. 14 the three
  conditions, art. 15 the reasons the benefit stops, art. 17 the duration by cumulative
  contribution years and the carry-over of an earlier spell's unused months, art. 18 the
  amount set by the province between the subsistence allowance and the minimum wage.
- D11 Social Insurance Law (2018 revision): arts. 45-47 and 51 restate arts. 14, 17, 18 and 15.
- D12 MOHRSS decree 8 (2000) on claiming and paying unemployment benefit, art. 4: which ends of
  employment are "not of the person's own will".
- D13 MOHRSS [2017] 71 guidance on adjusting the benefit standard: raise it gradually to 90% of
  the local minimum wage. The minimum wage and the share are province parameters.

Durations are whole months; money is ``Decimal`` rounded once to 0.01 (``values.money``).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from onestop.rules.award import Line
from onestop.rules.values import RuleError, YearMonth, echoed, money

#: D10 art. 17: (fewest cumulative contribution months, most benefit months), longest first.
DURATION_STEPS: tuple[tuple[int, int], ...] = ((120, 24), (60, 18), (12, 12))
#: D10 art. 17 third paragraph, D11 art. 46: an earlier spell's months added, 24 at most.
MAX_BENEFIT_MONTHS = 24
#: D10 art. 14 (1): the employer and the person contributed for one full year.
MIN_CONTRIBUTION_MONTHS = 12
#: Bounds of a contribution count the rules accept (60 years of months).
MAX_CONTRIBUTION_MONTHS = 720

SOURCE_ELIGIBILITY = "D10 art. 14; D11 art. 45; D12 art. 4"
SOURCE_DURATION = "D10 art. 17; D11 art. 46"
SOURCE_AMOUNT = "D10 art. 18; D11 art. 47; D13 MOHRSS [2017] 71"
SOURCE_STOP = "D10 art. 15; D11 art. 51"


class Separation(StrEnum):
    """How the last employment ended. The first five are involuntary (D12 art. 4)."""

    CONTRACT_EXPIRED = "contract_expired"  # (1) 劳动合同终止
    ENDED_BY_EMPLOYER = "ended_by_employer"  # (2) 被用人单位解除劳动合同
    DISMISSED = "dismissed"  # (3) 被用人单位开除、除名、辞退
    EMPLOYER_BREACH = "employer_breach"  # (4) 因用人单位违法（欠薪、未缴社保等）本人解除
    OTHER_BY_LAW = "other_by_law"  # (5) 法律、行政法规另有规定
    RESIGNED = "resigned"  # 本人辞职
    OTHER = "other"  # 其他（本人意愿）


INVOLUNTARY: frozenset[Separation] = frozenset(
    {
        Separation.CONTRACT_EXPIRED,
        Separation.ENDED_BY_EMPLOYER,
        Separation.DISMISSED,
        Separation.EMPLOYER_BREACH,
        Separation.OTHER_BY_LAW,
    }
)

SEPARATION_LABELS: dict[Separation, tuple[str, str]] = {
    Separation.CONTRACT_EXPIRED: ("劳动合同期满终止", "contract expired"),
    Separation.ENDED_BY_EMPLOYER: ("用人单位解除劳动合同", "contract ended by the employer"),
    Separation.DISMISSED: ("被用人单位开除、除名或辞退", "dismissed by the employer"),
    Separation.EMPLOYER_BREACH: (
        "因用人单位欠薪、未缴社保等过错本人解除",
        "ended by the person for the employer's breach (unpaid wages or contributions)",
    ),
    Separation.OTHER_BY_LAW: ("法律、行政法规规定的其他情形", "another case set by law"),
    Separation.RESIGNED: ("本人辞职", "resigned"),
    Separation.OTHER: ("其他本人意愿的原因", "another reason of the person's own will"),
}


def parse_separation(text: str) -> Separation:
    """The separation named by its code, or a ``RuleError`` listing the codes."""
    try:
        return Separation(text)
    except ValueError:
        codes = ", ".join(s.value for s in Separation)
        raise RuleError(
            f"未知的离职原因{echoed(text)}，可选：{codes}。",
            f"Unknown end of employment {echoed(text)}; use one of {codes}.",
            code="separation",
        ) from None


def _normal(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


_SEPARATION_NAMES: dict[str, Separation] = {
    _normal(name): separation
    for separation, (zh, en) in SEPARATION_LABELS.items()
    for name in (separation.value, zh, en)
}


def separation_from_text(text: str) -> Separation | None:
    """The separation an employer's removal reason names, or ``None`` when the text names
    none: the code, or the Chinese or English label, ignoring width, case, spaces and
    punctuation ("Contract ended by the employer." -> ``ENDED_BY_EMPLOYER``). A free-text
    reason is never guessed at: ``None`` leaves the decision to a case worker (D12 art. 4)."""
    return _SEPARATION_NAMES.get(_normal(text or ""))


class StopReason(StrEnum):
    """Why a running benefit stops (D10 art. 15, D11 art. 51); also death (D11 art. 49)."""

    REEMPLOYED = "reemployed"  # (1) 重新就业
    ENLISTED = "enlisted"  # (2) 应征服兵役
    SETTLED_ABROAD = "settled_abroad"  # (3) 移居境外
    PENSION = "pension"  # (4) 享受基本养老保险待遇
    IMPRISONED = "imprisoned"  # (5) 被判刑收监执行
    REFUSED_JOB = "refused_job"  # (6) 无正当理由拒不接受介绍的适当工作或培训
    DIED = "died"  # 死亡（D11 art. 49：丧葬补助金和抚恤金）


STOP_LABELS: dict[StopReason, tuple[str, str]] = {
    StopReason.REEMPLOYED: ("重新就业", "re-employed"),
    StopReason.ENLISTED: ("应征服兵役", "enlisted for military service"),
    StopReason.SETTLED_ABROAD: ("移居境外", "settled abroad"),
    StopReason.PENSION: ("开始领取基本养老金", "started drawing a basic pension"),
    StopReason.IMPRISONED: ("被判刑收监执行", "imprisoned"),
    StopReason.REFUSED_JOB: (
        "无正当理由拒不接受介绍的适当工作或培训",
        "refused suitable work or training without good reason",
    ),
    StopReason.DIED: ("死亡", "died"),
}


def _months(value: int, zh: str, en: str) -> None:
    if not 0 <= value <= MAX_CONTRIBUTION_MONTHS:
        raise RuleError(
            f"{zh}应为0至{MAX_CONTRIBUTION_MONTHS}个月，收到{value}。",
            f"{en} must be 0 to {MAX_CONTRIBUTION_MONTHS} months, got {value}.",
            code="months",
        )


def duration_by_contribution(contribution_months: int) -> int:
    """Most benefit months earned by cumulative contribution months (D10 art. 17):
    12 to 59 months -> 12; 60 to 119 -> 18; 120 or more -> 24; under 12 -> 0."""
    _months(contribution_months, "累计缴费时间", "Cumulative contribution time")
    for fewest, months in DURATION_STEPS:
        if contribution_months >= fewest:
            return months
    return 0


@dataclass(frozen=True)
class Entitlement:
    """Benefit months: earned now, carried over from an earlier spell, and the total."""

    earned_months: int
    carried_months: int
    months: int


def entitlement(*, contribution_months: int, carried_months: int = 0) -> Entitlement:
    """Benefit months of a new spell (D10 art. 17, D11 art. 46).

    ``contribution_months`` are the cumulative months since the end of the last benefit
    spell (after re-employment they are counted afresh); ``carried_months`` are the months
    the earlier spell left unused. Together at most 24.
    Example (the law's own case): an earlier 24-month spell stopped after 10 months leaves 14;
    three new years earn 12; 12 + 14 = 26, so 24.
    """
    _months(carried_months, "前次未领月数", "Carried-over months")
    if carried_months > MAX_BENEFIT_MONTHS:
        raise RuleError(
            f"前次未领月数不能超过{MAX_BENEFIT_MONTHS}个月。",
            f"Carried-over months cannot exceed {MAX_BENEFIT_MONTHS}.",
            code="carried",
        )
    earned = duration_by_contribution(contribution_months)
    return Entitlement(earned, carried_months, min(earned + carried_months, MAX_BENEFIT_MONTHS))


@dataclass(frozen=True)
class Refusal:
    """A condition of D10 art. 14 that is not met, in both languages."""

    code: str
    zh: str
    en: str


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    refusals: tuple[Refusal, ...]


def eligibility(
    *, lifetime_contribution_months: int, separation: Separation, registered_unemployed: bool
) -> Eligibility:
    """The three conditions of D10 art. 14 (D11 art. 45), each checked and each failure named:
    (1) one full year of contributions by the employer and the person, over the whole career;
    (2) employment ended not of the person's own will (D12 art. 4, ``INVOLUNTARY``);
    (3) registered as unemployed and seeking work.
    """
    _months(lifetime_contribution_months, "累计缴费时间", "Cumulative contribution time")
    refusals: list[Refusal] = []
    if lifetime_contribution_months < MIN_CONTRIBUTION_MONTHS:
        refusals.append(
            Refusal(
                "contribution",
                f"单位和本人累计缴费不满1年（{lifetime_contribution_months}个月）。",
                f"The employer and the person contributed for less than one year "
                f"({lifetime_contribution_months} months).",
            )
        )
    if separation not in INVOLUNTARY:
        zh, en = SEPARATION_LABELS[separation]
        refusals.append(
            Refusal(
                "voluntary",
                f"离职原因为“{zh}”，不属于非因本人意愿中断就业。",
                f"The last employment ended as “{en}”: that is of the person's own will.",
            )
        )
    if not registered_unemployed:
        refusals.append(
            Refusal(
                "unregistered",
                "尚未办理失业登记。",
                "The person is not registered as unemployed.",
            )
        )
    return Eligibility(not refusals, tuple(refusals))


def monthly_benefit(*, minimum_wage: Decimal, share: Decimal) -> Decimal:
    """The monthly benefit: ``minimum wage * share`` rounded to 0.01 (D10 art. 18, D13).

    The province sets it below the minimum wage (D10 art. 18), so the share is at most 1;
    D13 asks provinces to raise it to 90%. Example: 2160.00 * 90% -> 1944.00.
    """
    if minimum_wage <= 0:
        raise RuleError(
            "最低工资标准必须大于零。", "The minimum wage must be positive.", code="minimum_wage"
        )
    if not 0 < share <= 1:
        raise RuleError(
            "失业保险金占最低工资标准的比例应大于0且不超过100%。",
            "The benefit's share of the minimum wage must be above 0 and at most 100%.",
            code="share",
        )
    return money(minimum_wage * share)


@dataclass(frozen=True)
class Assessment:
    """What a person could draw: eligibility, months, the monthly amount, the total, and
    every step explained."""

    eligibility: Eligibility
    entitlement: Entitlement
    monthly_amount: Decimal
    total: Decimal
    explanation: tuple[Line, ...]


def assess(
    *,
    lifetime_contribution_months: int,
    contribution_months: int,
    carried_months: int,
    separation: Separation,
    registered_unemployed: bool,
    minimum_wage: Decimal,
    share: Decimal,
    parameters: str,
) -> Assessment:
    """Eligibility (art. 14), months (art. 17) and amount (art. 18) together, with the
    explanation lines a calculator or a decision shows. Not eligible -> 0 months and 0.00.

    ``contribution_months`` counts since the last spell (equal to the lifetime months for a
    first claim); it cannot exceed the lifetime months.
    """
    if contribution_months > lifetime_contribution_months:
        raise RuleError(
            "本次计算的缴费月数不能多于累计缴费月数。",
            "Months counted for this spell cannot exceed the lifetime months.",
            code="months",
        )
    found = eligibility(
        lifetime_contribution_months=lifetime_contribution_months,
        separation=separation,
        registered_unemployed=registered_unemployed,
    )
    earned = entitlement(contribution_months=contribution_months, carried_months=carried_months)
    amount = monthly_benefit(minimum_wage=minimum_wage, share=share)
    months = earned.months if found.eligible else 0
    total = money(amount * months)
    zh, en = SEPARATION_LABELS[separation]
    lines = (
        Line("采用的政策参数", "Policy parameters used", parameters, parameters, SOURCE_AMOUNT),
        Line(
            "离职原因",
            "End of the last employment",
            "INVOLUNTARY" if separation in INVOLUNTARY else "VOLUNTARY",
            f"{zh} / {en}",
            "D12 art. 4",
        ),
        Line(
            "是否符合领取条件",
            "Eligible",
            "months >= 12 AND involuntary AND registered",
            "yes" if found.eligible else "no",
            SOURCE_ELIGIBILITY,
        ),
        Line(
            "按缴费时间可领月数",
            "Months earned by contribution time",
            f"{contribution_months} months: >=120 -> 24; >=60 -> 18; >=12 -> 12",
            str(earned.earned_months),
            SOURCE_DURATION,
        ),
        Line(
            "领取期限（含前次未领）",
            "Benefit months (with carried-over months)",
            f"min({earned.earned_months} + {earned.carried_months}, {MAX_BENEFIT_MONTHS})",
            str(months),
            SOURCE_DURATION,
        ),
        Line(
            "每月失业保险金",
            "Monthly benefit",
            f"{money(minimum_wage)} * {share}",
            str(amount),
            SOURCE_AMOUNT,
        ),
        Line(
            "失业保险金合计",
            "Benefit in all",
            f"{amount} * {months}",
            str(total),
            SOURCE_AMOUNT,
        ),
    )
    return Assessment(found, earned, amount, total, lines)


@dataclass(frozen=True)
class Stop:
    """Where a stopped benefit ends: the last month paid, months used and left, and the
    months a later spell may add (only re-employment carries them over)."""

    last_paid_month: YearMonth | None
    used_months: int
    remaining_months: int
    carried_months: int


def stop(*, reason: StopReason, event_month: YearMonth, start: YearMonth, months: int) -> Stop:
    """A benefit of ``months`` from ``start`` stops from the month after ``event_month``
    (D10 art. 15, D11 art. 51: the month of the event is still paid).

    The months left unused carry over to a later spell only after re-employment, the case
    D10 art. 17 third paragraph names ("re-employed, then unemployed again"); a pension,
    a death or any other reason ends the entitlement. Example: 12 months from 2026-01,
    re-employed in 2026-04 -> last paid 2026-04, 4 used, 8 left and carried.
    """
    if not 0 < months <= MAX_BENEFIT_MONTHS:
        raise RuleError(
            f"领取期限应为1至{MAX_BENEFIT_MONTHS}个月。",
            f"A benefit lasts 1 to {MAX_BENEFIT_MONTHS} months.",
            code="months",
        )
    last_month = start.plus(months - 1)
    if event_month > last_month:
        raise RuleError(
            f"领取期限已于{last_month}结束，无需停发。",
            f"The benefit already ended in {last_month}; nothing to stop.",
            code="ended",
        )
    used = max(start.months_until(event_month) + 1, 0)
    remaining = months - used
    return Stop(
        last_paid_month=event_month if used else None,
        used_months=used,
        remaining_months=remaining,
        carried_months=remaining if reason is StopReason.REEMPLOYED else 0,
    )
