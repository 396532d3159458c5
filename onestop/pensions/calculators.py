"""The public calculators: the rules engine fed with the province's versioned parameters.

Each function takes plain values, raises ``RuleError``/``ServiceError`` on bad input and
returns rule results plus the reference of the parameters it used.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from onestop.common.errors import ServiceError
from onestop.parameters import selectors as parameters
from onestop.rules.award import Award, AwardInput, Line, pension_award
from onestop.rules.contributions import (
    Contribution,
    PeriodDue,
    contribution_base,
    flexible_contribution,
    flexible_due,
    late_surcharge,
    parse_frequency,
    pension_contribution,
)
from onestop.rules.interest import Method, YearInterest, credit_year
from onestop.rules.retirement import RetirementDate, parse_category, statutory_retirement
from onestop.rules.values import Age, RuleError, YearMonth, echoed, money

#: Days late the flexible-employment calculator accepts (ten years).
MAX_DAYS_LATE = 3650


def retirement(*, birth_month: str, category: str) -> RetirementDate:
    return statutory_retirement(
        birth=YearMonth.parse(birth_month), category=parse_category(category)
    )


@dataclass(frozen=True)
class PensionResult:
    award: Award
    parameters: str


def pension(
    *,
    province: str,
    retirement_month: str,
    age: Age,
    contribution_months: int,
    average_index: Decimal,
    account_balance: Decimal,
    benefit_base: Decimal | None = None,
    deemed_months: int = 0,
    benefit_base_source: str = "given by the caller",
) -> PensionResult:
    """Monthly pension at retirement with the province's policy (D3).

    P is the benefit base of the year before retirement unless given. When that year's
    parameters are not published and P is given, the latest year's policy choices (divisor
    policy, transitional formula) are used and the explanation says so.
    """
    province = parameters.known_province(province)
    month = YearMonth.parse(retirement_month)
    year = month.year - 1
    if benefit_base is None:
        data = parameters.province_year(province=province, year=year)
        stand_in = False
        base, base_source = data.benefit_base, f"{data.reference}: benefit base of {year}"
    else:
        data, stand_in = parameters.province_year_or_latest(province=province, year=year)
        base, base_source = benefit_base, benefit_base_source
    award = pension_award(
        AwardInput(
            retirement_age=age,
            contribution_months=contribution_months,
            average_index=average_index,
            account_balance=account_balance,
            benefit_base=base,
            divisor_policy=data.divisor_policy,
            deemed_months=deemed_months,
            transitional=data.transitional,
            benefit_base_source=base_source,
        )
    )
    note = Line(
        "采用的政策参数",
        "Policy parameters used",
        data.reference,
        f"{data.divisor_policy.value}",
        (
            f"latest published year ({data.year}) stands in for {year}"
            if stand_in
            else f"{province} parameters of {year}"
        ),
    )
    return PensionResult(
        Award(
            award.basic_pension,
            award.account_pension,
            award.transitional_pension,
            award.divisor,
            award.benefit_base,
            (note, *award.explanation),
        ),
        data.reference,
    )


@dataclass(frozen=True)
class InterestResult:
    result: YearInterest
    provisional: bool


def account_interest(
    *,
    year: int,
    opening_balance: Decimal,
    contributions: Decimal | Sequence[Decimal],
    method: str | None = None,
    provisional_rate: Decimal | None = None,
    months: int = 12,
) -> InterestResult:
    """One year's interest with the national book rate (D5); method defaults to annual."""
    try:
        chosen = Method(method or Method.ANNUAL)
    except ValueError:
        raise RuleError(
            f"未知的计息方法{echoed(method)}。",
            f"Unknown method {echoed(method)}; use annual or month_product.",
            code="method",
        ) from None
    rate = parameters.book_rate(year=year, provisional=provisional_rate)
    amounts: Decimal | list[Decimal]
    if chosen is Method.MONTH_PRODUCT and isinstance(contributions, Decimal):
        amounts = [contributions / months] * months  # spread evenly; rounded once at the end
    elif isinstance(contributions, Decimal):
        amounts = contributions
    else:
        amounts = list(contributions)
    result = credit_year(
        opening_balance=opening_balance,
        contributions=amounts,
        rate=rate.rate,
        method=chosen,
        months=months,
    )
    return InterestResult(result, rate.provisional)


def contribution(
    *,
    province: str,
    year: int,
    wage: Decimal,
    average_wage: Decimal | None = None,
    flexible: bool = False,
) -> Contribution:
    """Monthly pension contribution of an employee, or of a flexible worker (``wage`` is then
    the chosen base), with the province's rates and average wage of ``year``."""
    data = parameters.province_year(province=parameters.known_province(province), year=year)
    average = average_wage if average_wage is not None else data.average_wage
    if flexible:
        return flexible_contribution(chosen_base=wage, average_wage=average, rates=data.rates)
    return pension_contribution(wage=wage, average_wage=average, rates=data.rates)


@dataclass(frozen=True)
class Step:
    """One row of an estimate's explanation, in both languages: ``kind`` says whether the
    value was entered, is a published parameter, or is derived (then ``formula`` says how)."""

    kind: str  # "entered", "published" or "derived"
    label_zh: str
    label_en: str
    formula: str
    value: str
    source_zh: str
    source_en: str


@dataclass(frozen=True)
class Estimate:
    retirement: RetirementDate
    pension: PensionResult
    #: The balance at the end of each month shown, one row per month: the first row is the
    #: balance entered (at the end of the month before this one), then each year's end and
    #: the month before retirement.
    points: tuple[tuple[str, Decimal], ...]
    contribution_months: int
    average_index: Decimal
    rate: Decimal
    monthly_credit: Decimal
    steps: tuple[Step, ...] = ()


#: The legal sources the award's lines cite, in both languages.
_CJK_IN = re.compile(r"[\u3400-\u9fff]")
#: The survivor benefit's stored formula: income x months (years paid, the months' range).
_SURVIVOR_MONTHS = re.compile(r"(\S+) x (\d+) \((\d+) years, (\d+)-(\d+)\)")

_SOURCES = {
    "D3 Guofa [2005] 38, art. 6": (
        "《国务院关于完善企业职工基本养老保险制度的决定》（国发〔2005〕38号）第六条",
        "State Council decision Guofa [2005] 38, art. 6",
    ),
    "D3 Guofa [2005] 38, annex: months of individual account pension": (
        "国发〔2005〕38号附件：个人账户养老金计发月数表",
        "Guofa [2005] 38, annex: months of the individual account pension",
    ),
    "D3: N counts months / 12 including deemed years": (
        "缴费年限按缴费月数（含视同缴费）除以12计算",
        "Contribution years: months, deemed months included, divided by 12",
    ),
    "sum": ("前三项之和", "The sum of the lines above"),
}


def _award_steps(award: Award, *, age: Age, reference: str) -> list[Step]:
    """The award's own lines after P and Z (which the estimate states itself), with their
    sources in both languages."""
    steps = []
    for line in award.explanation:
        if line.label_en in {"Benefit base P", "Average contribution index Z"}:
            continue
        if line.label_en == "Policy parameters used":
            continue
        source_zh, source_en = _SOURCES.get(
            line.source, (f"省级政策参数 {reference}", f"Provincial parameters {reference}")
        )
        formula = line.formula
        if line.label_en == "Divisor":
            formula = ""
            source_zh = f"{source_zh}：退休年龄{age.years}岁{age.months}个月"
            source_en = f"{source_en}: retiring at {age.years} years {age.months} months"
        steps.append(
            Step("derived", line.label_zh, line.label_en, formula, line.value, source_zh, source_en)
        )
    return steps


def estimate(
    *,
    province: str,
    birth_month: str,
    category: str,
    today: dt.date,
    contribution_months: int,
    account_balance: Decimal,
    monthly_wage: Decimal,
    average_index: Decimal,
    deemed_months: int = 0,
) -> Estimate:
    """Project the account to the statutory retirement month and estimate the pension.

    Assumptions, shown on the page: the wage, the province's latest average wage and benefit
    base, and the latest published book rate all stay as they are until retirement.
    """
    province = parameters.known_province(province)
    when = retirement(birth_month=birth_month, category=category)
    now = YearMonth(today.year, today.month)
    remaining = now.months_until(when.retirement_month)
    if remaining <= 0:
        raise RuleError(
            "按法定退休时间，您已到达退休年龄；请直接申请退休。",
            "You have reached the statutory retirement month; apply to retire.",
            code="retired",
        )
    if contribution_months < 0 or contribution_months > 720:
        raise RuleError(
            "缴费月数应为0至720。", "Contribution months must be 0 to 720.", code="months"
        )
    latest = parameters.latest_year(province=province)
    assert latest is not None
    data = parameters.province_year(province=province, year=latest)
    rate = parameters.latest_book_rate()
    if rate is None:
        raise ServiceError(
            "没有已公布的记账利率。", "No book rate is published.", code="rate_missing"
        )
    base = contribution_base(wage=monthly_wage, average_wage=data.average_wage, rates=data.rates)
    credit = money(base * data.rates.pension_individual)
    balance = money(account_balance)
    # The balance entered stands at the end of last month; this month is the first credited.
    points: list[tuple[str, Decimal]] = [(str(now.plus(-1)), balance)]
    month = now
    while month < when.retirement_month:
        # Credit the rest of this year, or up to the retirement month in its year.
        last = (
            YearMonth(month.year, 12)
            if month.year < when.retirement_month.year
            else when.retirement_month.plus(-1)
        )
        months = month.months_until(last) + 1
        year_result = credit_year(
            opening_balance=balance, contributions=credit * months, rate=rate.rate, months=months
        )
        balance = year_result.closing_balance
        points.append((str(last), balance))
        month = last.plus(1)
    total_months = contribution_months + remaining
    future_index = base / data.average_wage
    blended = (
        (average_index * contribution_months + future_index * remaining) / total_months
    ).quantize(Decimal("0.0001"))
    result = pension(
        province=province,
        retirement_month=str(when.retirement_month),
        age=when.statutory_age,
        contribution_months=total_months,
        average_index=blended,
        account_balance=balance,
        benefit_base=data.benefit_base,
        deemed_months=deemed_months,
        benefit_base_source=f"{data.reference}: latest published, assumed unchanged",
    )
    floor = money(data.average_wage * data.rates.base_floor_ratio)
    ceiling = money(data.average_wage * data.rates.base_ceiling_ratio)
    future = future_index.quantize(Decimal("0.0001"))
    ref = data.reference
    published = f"省级政策参数 {ref}（最新公布，假定不变）"
    published_en = f"Provincial parameters {ref} (latest published, assumed unchanged)"
    steps = [
        Step(
            "published",
            "全省平均工资 A",
            "Provincial average wage A",
            "",
            f"{data.average_wage}",
            published,
            published_en,
        ),
        Step(
            "published",
            "计发基数 P",
            "Benefit base P",
            "",
            f"{data.benefit_base}",
            published,
            published_en,
        ),
        Step(
            "published",
            "记账利率",
            "Book interest rate",
            "",
            f"{rate.rate}",
            f"{rate.year}年公布的记账利率",
            f"Book rate published for {rate.year}",
        ),
        Step(
            "derived",
            "缴费基数",
            "Contribution base",
            f"min(max({money(monthly_wage)}, {floor}), {ceiling})",
            f"{base}",
            "缴费基数在平均工资的上下限之间",
            "The base lies between the floor and the ceiling",
        ),
        Step(
            "derived",
            "每月记入个人账户",
            "Credited to the account each month",
            f"{base} × {data.rates.pension_individual}",
            f"{credit}",
            "个人缴费全部记入个人账户",
            "The individual contribution goes to the account",
        ),
        Step(
            "derived",
            "距退休月数",
            "Months until retirement",
            f"{now} → {when.retirement_month}",
            f"{remaining}",
            "",
            "",
        ),
        Step(
            "derived",
            "缴费月数 N（至退休）",
            "Contribution months N at retirement",
            f"{contribution_months} + {remaining}",
            f"{total_months}",
            "",
            "",
        ),
        Step(
            "derived",
            "今后的缴费指数",
            "Contribution index from now on",
            f"{base} / {data.average_wage}",
            f"{future}",
            "",
            "",
        ),
        Step(
            "derived",
            "平均缴费指数 Z（至退休）",
            "Average contribution index Z at retirement",
            f"({average_index} × {contribution_months} + {future} × {remaining}) / {total_months}",
            f"{blended}",
            "按月数加权平均",
            "Weighted by months",
        ),
        Step(
            "derived",
            "退休时个人账户余额",
            "Account balance at retirement",
            f"{points[0][1]} → {balance}",
            f"{balance}",
            "按记账利率逐年计息，见下表",
            "Interest each year at the book rate; see the table",
        ),
        *_award_steps(result.award, age=when.statutory_age, reference=ref),
    ]
    return Estimate(
        when, result, tuple(points), total_months, blended, rate.rate, credit, tuple(steps)
    )


@dataclass(frozen=True)
class FlexibleResult:
    """What a flexible-employment worker pays for one period, explained."""

    due: PeriodDue
    floor: Decimal
    ceiling: Decimal
    days_late: int
    surcharge: Decimal
    parameters: str
    explanation: tuple[Line, ...]

    @property
    def total(self) -> Decimal:
        return self.due.amount + self.surcharge


def flexible(
    *,
    province: str,
    year: int,
    chosen_base: Decimal,
    frequency: str,
    month: str | None = None,
    days_late: int = 0,
) -> FlexibleResult:
    """What an individual payer owes for the payment period containing ``month`` (default
    January of ``year``) with a base chosen within the bounds of ``year``'s average wage;
    with ``days_late``, the late-payment surcharge as for employers (D11 art. 12, D3, D4,
    Social Insurance Law art. 86)."""
    data = parameters.province_year(province=parameters.known_province(province), year=year)
    period_month = YearMonth.parse(month) if month else YearMonth(year, 1)
    if period_month.year != year:
        raise RuleError(
            f"缴费月份{period_month}不在{year}年内。",
            f"The month {period_month} is not in {year}.",
            code="month",
        )
    if not 0 <= days_late <= MAX_DAYS_LATE:
        raise RuleError(
            f"滞纳天数应为0至{MAX_DAYS_LATE}。",
            f"Days late must be 0 to {MAX_DAYS_LATE}.",
            code="days_late",
        )
    rates = data.rates
    due = flexible_due(
        chosen_base=chosen_base,
        average_wage=data.average_wage,
        rates=rates,
        frequency=parse_frequency(frequency),
        month=period_month,
    )
    surcharge = late_surcharge(overdue=due.amount, days=days_late, rates=rates)
    floor = money(data.average_wage * rates.base_floor_ratio)
    ceiling = money(data.average_wage * rates.base_ceiling_ratio)
    m = due.monthly
    source = "D11 art. 12; D3; D4"
    lines = [
        Line("采用的政策参数", "Policy parameters used", data.reference, data.reference, source),
        Line(
            "缴费基数下限",
            "Lowest base",
            f"{data.average_wage} * {rates.base_floor_ratio}",
            str(floor),
            "D4 Guobanfa [2019] 13",
        ),
        Line(
            "缴费基数上限",
            "Highest base",
            f"{data.average_wage} * {rates.base_ceiling_ratio}",
            str(ceiling),
            "D4 Guobanfa [2019] 13",
        ),
        Line(
            "每月缴费",
            "Each month",
            f"{m.base} * {rates.flexible_total}",
            str(m.individual),
            "D3; D11 art. 12",
        ),
        Line(
            "其中每月记入个人账户",
            "of which to the individual account each month",
            f"{m.base} * {rates.flexible_to_account}",
            str(m.to_account),
            "D3 Guofa [2005] 38",
        ),
        Line(
            "其中每月进入统筹基金",
            "of which to the pooled fund each month",
            f"{m.individual} - {m.to_account}",
            str(m.pooled),
            "D3 Guofa [2005] 38",
        ),
        Line(
            "本期应缴",
            "Due for the period",
            f"{m.individual} * {due.months} ({due.first_month}..{due.last_month})",
            str(due.amount),
            source,
        ),
        Line(
            "本期记入个人账户",
            "To the account for the period",
            f"{m.to_account} * {due.months}",
            str(due.to_account),
            source,
        ),
        Line(
            "本期进入统筹基金",
            "To the pooled fund for the period",
            f"{m.pooled} * {due.months}",
            str(due.pooled),
            source,
        ),
    ]
    if days_late:
        lines.append(
            Line(
                "滞纳金",
                "Late-payment surcharge",
                f"{due.amount} * {rates.late_daily_rate} * {days_late}",
                str(surcharge),
                "Social Insurance Law art. 86",
            )
        )
    return FlexibleResult(due, floor, ceiling, days_late, surcharge, data.reference, tuple(lines))


#: The figures of an award the rules take as given (stored as "input"), by the line's English
#: name: what the figure is, in words, and where the platform took it from.
_AWARD_GIVEN = {
    "Benefit base P": (
        (
            "上年度全省城镇非私营和私营单位就业人员平均工资（月），即计发基数",
            "the province's average monthly wage of the year before: the benefit base",
        ),
        ("本省公布的计发基数", "the benefit base the province published"),
    ),
    "Average contribution index Z": (
        (
            "每年缴费工资除以当年全省平均工资，再对各年取平均，即平均缴费指数",
            "each year's contribution wage divided by that year's average wage, averaged over "
            "the years: the average contribution index",
        ),
        ("本人缴费记录", "your contribution record"),
    ),
}


def _region_shown(code: str, *, zh: bool) -> str:
    """A province's name for its code in a stored source (the code itself if unknown)."""
    from onestop.common.divisions import PROVINCES

    names = PROVINCES.get(code)
    return (names[0] if zh else names[1]) if names else code


def award_source_shown(source: str, *, zh: bool, line: str = "") -> str:
    """An award line's stored source (English, as the rules cite it) in one language;
    ``line``: the line's English name, which says where a figure taken as given came from."""
    from onestop.common.templatetags.one_language import split_bilingual

    if source in _SOURCES:
        return _SOURCES[source][0 if zh else 1]
    if source == "input" and line in _AWARD_GIVEN:
        return _AWARD_GIVEN[line][1][0 if zh else 1]
    if source == "input":
        return "录入值" if zh else "as entered"
    # Sources the rules and the award store in English, with the figures in them; a region
    # by its name.
    for pattern, chinese, english in _SOURCE_PATTERNS:
        found = pattern.fullmatch(source)
        if found:
            region, *rest = found.groups()
            if region.isdigit() and len(region) == 6:
                region = _region_shown(region, zh=zh)
            return (chinese if zh else english).format(region, *rest)
    if re.match(r"D\d+\b", source) or ";" in source:
        # A rule's keyed source ("D1 art. 2"), or several ("MOHRSS [2021] 18; 610000/2025/v1"):
        # each document by its name in this language, never the key.
        from onestop.rules.sources import source_shown

        return source_shown(source, zh=zh)
    shown_zh, shown_en = split_bilingual(source)
    return (shown_zh or source) if zh else (shown_en or source)


#: Stored English sources with figures, and their Chinese form ({0}, {1}: the figures).
_SOURCE_PATTERNS = [
    (
        re.compile(r"(\S+) parameters of (\d{4})"),
        "{0}{1}年度政策参数",
        "policy parameters of {0} for {1}",
    ),
    (
        re.compile(r"(\S+): benefit base of (\d{4})"),
        "{0}：{1}年度计发基数",
        "{0}: benefit base of {1}",
    ),
    (
        re.compile(r"latest published year \((\d{4})\) stands in for (\d{4})"),
        "{1}年度参数尚未公布，采用最近公布的{0}年度参数",
        "latest published year ({0}) stands in for {1}",
    ),
]


def award_value_shown(value: str, *, zh: bool) -> str:
    """An award line's stored value in one language: the divisor policy by its label, a
    text recorded in both languages by its half."""
    from onestop.common.templatetags.one_language import split_bilingual

    if value in _DIVISOR_POLICIES:
        return _DIVISOR_POLICIES[value][0 if zh else 1]
    shown_zh, shown_en = split_bilingual(value)
    return (shown_zh or value) if zh else (shown_en or value)


_DIVISOR_POLICIES = {
    "interpolated": ("计发月数按月插值", "divisor interpolated by month"),
    "whole_age": ("计发月数按周岁", "divisor by whole years of age"),
}


def award_formula_shown(formula: str, *, zh: bool, line: str = "") -> str:
    """An award line's stored formula in one language: arithmetic stays as written; the
    words the rules store ("input", the divisor ``table(age, policy)``, the payer rule that
    decided, a basis recorded in both languages) get labels."""
    from onestop.common.templatetags.one_language import split_bilingual

    if formula == "input" and line in _AWARD_GIVEN:
        return _AWARD_GIVEN[line][0][0 if zh else 1]
    if formula == "input":
        return "录入值" if zh else "as entered"
    rule = re.fullmatch(r"rule (\d+)", formula)
    if rule:
        return f"第{rule.group(1)}项规则" if zh else formula
    if _CJK_IN.search(formula):
        shown_zh, shown_en = split_bilingual(formula)
        return (shown_zh or formula) if zh else (shown_en or formula)
    if formula == "ledger":
        return "按个人账户记账记录计息" if zh else "from the account's records, with interest"
    months = _SURVIVOR_MONTHS.fullmatch(formula)
    if months:
        income, count, years, least, most = months.groups()
        if zh:
            return f"{income} × {count}（缴费{years}年；{least}至{most}个月）"
        return f"{income} × {count} ({years} years of contributions; {least} to {most} months)"
    if formula.startswith("table(") and formula.endswith(")"):
        age, _, policy = formula[6:-1].partition(", ")
        interpolated = policy.strip() == "interpolated"
        if zh:
            return f"计发月数表（{age}，{'按月插值' if interpolated else '按周岁'}）"
        return (
            f"divisor table ({age}, {'interpolated by month' if interpolated else 'whole years'})"
        )
    return formula
