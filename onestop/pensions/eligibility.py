"""Whether and when a person may retire: the statutory month, the flexible window, the
minimum contribution, and when it is not met the two ways to meet it with their prices.

Months counted are those recorded in the ledger before the month of retirement, plus, while
the person is employed, the months still to come until then (their employer declares them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from onestop.applications.prechecks import Note, Precheck
from onestop.applications.prefill import POST_CATEGORY, retirement_category
from onestop.common.errors import ServiceError
from onestop.contributions import selectors as contributions
from onestop.identity.models import Person
from onestop.parameters import selectors as parameters
from onestop.rules.retirement import (
    Category,
    RetirementDate,
    Shortfall,
    flexible_retirement_check,
    minimum_contribution_months,
    shortfall,
    statutory_retirement,
)
from onestop.rules.values import RuleError, YearMonth


@dataclass(frozen=True)
class Outlook:
    statutory: RetirementDate | None  # None: a woman whose post (and so category) is unknown
    target: YearMonth  # the month asked about (the statutory one unless chosen)
    recorded_months: int
    projected_months: int
    minimum_months: int
    shortfall: Shortfall | None
    prices_year: int | None

    @property
    def months(self) -> int:
        return self.recorded_months + self.projected_months


def _this_month(today: dt.date) -> YearMonth:
    return YearMonth(today.year, today.month)


def outlook(
    *,
    person: Person,
    today: dt.date,
    chosen: YearMonth | None = None,
    statement: contributions.Statement | None = None,
) -> Outlook:
    category = retirement_category(person)
    birth = YearMonth(person.birth_date.year, person.birth_date.month)
    statutory = statutory_retirement(birth=birth, category=category) if category else None
    target = chosen or (statutory.retirement_month if statutory else _this_month(today))
    periods = sorted(
        {
            m.period
            for m in (statement or contributions.statement_of(person=person)).months
            if m.period < str(target) and m.paid  # months declared but unpaid do not count
        }
    )
    projected = 0
    if contributions.current_employer_id(person=person) is not None:
        start = _this_month(today)
        if periods:
            start = max(start, YearMonth.parse(periods[-1]).plus(1))
        projected = max(0, start.months_until(target))
    if statutory is not None and target >= statutory.retirement_month:
        minimum = statutory.minimum_contribution_months  # late: the statutory year's
    else:
        minimum = minimum_contribution_months(target.year)
    province = person.region.province_code
    year = parameters.latest_year(province=province)
    gap = None
    if year is not None:
        prices = parameters.province_year(province=province, year=year)
        gap = shortfall(
            contribution_months=len(periods) + projected,
            minimum_months=minimum,
            from_month=max(target, _this_month(today)),
            average_wage=prices.average_wage,
            floor_ratio=prices.rates.base_floor_ratio,
            rate=prices.rates.flexible_total,
        )
    return Outlook(statutory, target, len(periods), projected, minimum, gap, year)


def shortfall_message(gap: Shortfall, months: int, minimum: int) -> ServiceError:
    return ServiceError(
        f"累计缴费{months}个月，不足最低缴费年限{minimum}个月，差{gap.gap_months}个月。"
        f"可继续按月缴费至{gap.keep_paying_until}（按最低基数{gap.monthly_base}，每月"
        f"{gap.monthly_amount}元），或一次性补缴{gap.lump_sum}元后申请。",
        f"{months} contribution months is short of the minimum {minimum} by {gap.gap_months}. "
        f"Keep paying monthly until {gap.keep_paying_until} ({gap.monthly_amount} a month at the "
        f"lowest base {gap.monthly_base}), or pay {gap.lump_sum} at once, then apply.",
        code="minimum",
    )


#: Sexes the statutory schedules know (D1); anything else is a record to correct.
SEX_KNOWN = {"male", "female"}


def _parameters_limit(person: Person) -> YearMonth | None:
    """The last retirement month whose award can be computed now: the award needs the
    benefit base of the year before retirement (D3), so December of the year after the
    latest published parameters. None: nothing is published."""
    year = parameters.latest_year(province=person.region.province_code)
    return YearMonth(year + 1, 12) if year is not None else None


def _sex_unknown() -> Note:
    return Note(
        "sex_unknown",
        "您的性别未登记，无法确定法定退休年龄。请携带身份证到经办机构更正参保信息后再申请。",
        "Your sex is not on record, so the statutory retirement age cannot be determined. "
        "Have your record corrected at the agency (bring your ID card), then apply.",
        blocks=True,
    )


def _post_unknown() -> Note:
    return Note(
        "post_unknown",
        "您的岗位性质（工人岗位或管理、专业技术岗位）未登记，无法确定适用50岁还是55岁的"
        "原退休年龄，因此无法列出可选的退休月份。请让单位在增员信息中登记岗位，或上传人事档案，"
        "由经办机构认定后再确定退休月份。",
        "Your post (worker, or cadre: management and professional) is not on record, so it "
        "cannot be told whether the original retirement age of 50 or 55 applies, nor which "
        "months you may choose. Ask your employer to record your post, or upload your personnel "
        "file for the agency to establish it.",
    )


def _beyond_parameters(limit: YearMonth, month: YearMonth | None = None) -> tuple[str, str]:
    """Why months after ``limit`` cannot be filed yet, true for whoever reads it: each needs
    the benefit base of the year before it (D3), from ``limit.year`` on. ``month``: the one
    the reader has in mind (chosen, or their statutory month past the limit), and when it
    can be filed."""
    zh = (
        f"{limit}以后的退休月份需要退休前一年（{limit.year}年及以后）的计发基数，"
        f"尚未公布，目前只能受理{limit}及以前的退休月份。"
    )
    en = (
        f"A retirement after {limit} needs the benefit base of the year before it "
        f"({limit.year} or later), not published yet: only months up to {limit} can be "
        "filed now."
    )
    if month is None:
        return zh + "其后的月份请待参数公布后再申请。", en + " Later months: once it is published."
    return (
        zh + f"{month}退休需要{month.year - 1}年的计发基数，公布后即可申请。",
        en + f" {month} needs the benefit base of {month.year - 1}: apply once it is published.",
    )


def last_covered_month(person: Person, today: dt.date) -> YearMonth | None:
    """The last month the person is in covered employment: this month while an employment
    is open (the employer declares it), else the end month of the employment that ended
    last (an employment's end month is still in). None: never employed.

    A pension is not paid for a month the person works and contributes as an employee: the
    basic pension is paid monthly from retirement (SIL art. 16), a late retirement is agreed
    with the employer and the person works on until it (D1 art. 3, D2), and the labour
    contract ends when the pension starts (Labour Contract Law art. 44 (2)). So the
    retirement month comes after the last month of covered employment, and a person still
    employed may choose only a month after this one, the employer ending the employment
    (减员) with the month before it."""
    if contributions.open_employment_of(person=person) is not None:
        return _this_month(today)
    ended = contributions.last_ended_employment_of(person=person)
    if ended is None or ended.end_period is None:
        return None
    return YearMonth(ended.end_period // 100, ended.end_period % 100)


def _employed(last: YearMonth, still: bool, chosen: YearMonth | None = None) -> tuple[str, str]:
    """Why a month up to ``last`` cannot be the retirement month (``still``: an employment
    is open)."""
    first = last.plus(1)
    if still:
        zh = (
            f"您目前仍在参保单位就业，{last}及以前的月份仍由单位申报缴费，养老金不能与在职缴费"
            f"同月领取：退休月份最早为{first}，由单位在退休月份之前为您办理减员（领取养老金时"
            "劳动合同终止）。"
        )
        en = (
            f"You are still in covered employment: your employer declares contributions up to "
            f"{last}, and a pension is not paid for a month you work and contribute. The "
            f"earliest retirement month is {first}; your employer ends your employment "
            "(removes you) with the month before it (the contract ends when the pension "
            "starts)."
        )
    else:
        zh = (
            f"您在{last}仍在参保单位就业缴费，养老金不能与在职缴费同月领取：退休月份最早为{first}。"
        )
        en = (
            f"You were in covered employment, contributing, up to {last}, and a pension is not "
            f"paid for a month you work and contribute: the earliest retirement month is "
            f"{first}."
        )
    if chosen is not None:
        zh = f"不能选择{chosen}退休：" + zh
        en = f"Retirement in {chosen} is not possible. " + en
    return zh, en


def retirement_precheck(person: Person, today: dt.date) -> Precheck:
    """Before the retirement form is filled in: the months the person may choose (the
    flexible window of D1/D2, an early month at least three months ahead and only with the
    minimum met, never past what published parameters can compute), and what stands in the
    way or is missing, with the options."""
    if person.sex not in SEX_KNOWN:
        return Precheck((_sex_unknown(),))
    category = retirement_category(person)
    if category is None:
        return Precheck((_post_unknown(),))
    birth = YearMonth(person.birth_date.year, person.birth_date.month)
    statutory = statutory_retirement(birth=birth, category=category)
    now = _this_month(today)
    notes = [
        Note(
            "window",
            f"您的法定退休月份为{statutory.retirement_month}（{statutory.statutory_age.years}岁"
            f"{statutory.statutory_age.months}个月），可选弹性退休时间为"
            f"{statutory.earliest_month}至{statutory.latest_month}。",
            f"Your statutory retirement month is {statutory.retirement_month} (age "
            f"{statutory.statutory_age.years} years {statutory.statutory_age.months} months); "
            f"flexible retirement may be chosen from {statutory.earliest_month} to "
            f"{statutory.latest_month}.",
        )
    ]
    seen = outlook(person=person, today=today, chosen=statutory.retirement_month)
    short = seen.shortfall
    if short is not None:
        notes.append(
            Note(
                "minimum",
                f"到法定退休月份累计缴费（含在职期间仍将缴纳的月数）预计{seen.months}个月，"
                f"不足最低缴费年限{seen.minimum_months}个月，差{short.gap_months}个月，"
                f"不能提前退休。可选择：继续按月缴费至{short.keep_paying_until}"
                f"（按最低基数{short.monthly_base}元，每月{short.monthly_amount}元）；"
                f"或一次性补缴{short.lump_sum}元；或在{statutory.latest_month}前延迟退休，"
                f"继续缴费至满足条件。",
                f"By the statutory month you will have {seen.months} contribution months "
                f"(counting those still to come at work), {short.gap_months} short of the "
                f"minimum {seen.minimum_months}, so early retirement is not possible. Options: "
                f"keep paying monthly until {short.keep_paying_until} ({short.monthly_amount} a "
                f"month at the lowest base {short.monthly_base}); pay {short.lump_sum} at once; "
                f"or retire later (up to {statutory.latest_month}) and keep contributing until "
                f"the minimum is met.",
            )
        )
    first = statutory.earliest_month
    if short is not None:
        first = max(first, statutory.retirement_month)  # early only with the minimum met (D2)
    elif first < statutory.retirement_month:
        # Early retirement is asked at least three months ahead (D2).
        first = max(first, min(now.plus(3), statutory.retirement_month))
    covered = last_covered_month(person, today)
    if covered is not None and first <= covered:
        first = covered.plus(1)  # after covered employment (``last_covered_month``)
        still = contributions.open_employment_of(person=person) is not None
        notes.append(Note("employed", *_employed(covered, still)))
    last = statutory.latest_month
    limit = _parameters_limit(person)
    if limit is not None and limit < last:
        last = limit
        if first > limit:
            # The whole window lies past what can be computed: when its first month can be
            # filed, not which months of it cannot.
            notes.append(
                Note(
                    "parameters",
                    f"可选退休月份最早为{first}，需要{first.year - 1}年的计发基数，"
                    "该年度政策参数尚未公布，公布后即可申请。",
                    f"The earliest month you may choose, {first}, needs the benefit base of "
                    f"{first.year - 1}, not published yet: apply once it is published.",
                )
            )
        else:
            beyond = statutory.retirement_month if statutory.retirement_month > limit else None
            notes.append(Note("parameters", *_beyond_parameters(limit, beyond)))
    months = []
    month = first
    while month <= last:
        months.append(str(month))
        month = month.plus(1)
    if not months:
        notes.append(
            Note(
                "no_month",
                "目前没有可以申请的退休月份。",
                "There is no retirement month you can apply for now.",
                blocks=True,
            )
        )
    return Precheck(tuple(notes), {"retirement_month": months})


def retirement_check(
    *, person: Person, answers: dict[str, Any], today: dt.date, category: Category | None = None
) -> None:
    """Refuse a retirement month the person may not choose, with the reason: outside the
    flexible window (giving the earliest and latest months), an early retirement asked less
    than three months ahead or short of the minimum contribution (D2, with the months
    missing and the options), a month whose award needs parameters not yet published, or a
    person whose sex is not on record. Retiring at or after the statutory month short of
    the minimum is the agency's decision (the award states the shortfall and both options).
    A month of covered employment (``last_covered_month``: up to this month while still
    employed) is refused, naming the earliest month after it;
    a woman whose post is not on record files and the reviewer establishes it
    (``category``: the one established, checked at the decision)."""
    try:
        chosen = YearMonth.parse(str(answers.get("retirement_month", "")))
    except RuleError as exc:
        raise ServiceError(
            "退休月份应写成“年-月”，例如2027-03。",
            "Write the retirement month as year-month, for example 2027-03.",
            code="retirement_month",
        ) from exc
    if person.sex not in SEX_KNOWN:
        note = _sex_unknown()
        raise ServiceError(note.zh, note.en, code=note.code)
    limit = _parameters_limit(person)
    category = category or retirement_category(person)
    if category is not None:
        birth = YearMonth(person.birth_date.year, person.birth_date.month)
        statutory = statutory_retirement(birth=birth, category=category)
        seen = outlook(person=person, today=today, chosen=chosen)
        check = flexible_retirement_check(
            statutory=statutory,
            chosen=chosen,
            contribution_months=seen.months,
            requested_on=_this_month(today),
        )
        problems = [
            r for r in check.reasons if r.code != "minimum" or chosen < statutory.retirement_month
        ]
        if problems:
            zh = f"不能选择{chosen}退休：法定退休月份为{statutory.retirement_month}。"
            en = (
                f"Retirement in {chosen} is not possible: the statutory month is "
                f"{statutory.retirement_month}."
            )
            for r in problems:
                if r.code == "minimum" and seen.shortfall is not None:
                    options = shortfall_message(seen.shortfall, seen.months, seen.minimum_months)
                    zh += f"提前退休须满足最低缴费年限。{options.zh}"
                    en += f" Early retirement needs the minimum contribution. {options.en}"
                else:
                    zh += r.zh
                    en += f" {r.en}"
            raise ServiceError(zh, en, code=problems[0].code)
    covered = last_covered_month(person, today)
    if covered is not None and chosen <= covered:
        still = contributions.open_employment_of(person=person) is not None
        raise ServiceError(*_employed(covered, still, chosen), code="employed")
    if limit is None or chosen > limit:
        zh, en = _beyond_parameters(limit or chosen.plus(-1), chosen)
        raise ServiceError(zh, en, code="parameters")


def shortfall_facts(seen: Outlook) -> dict[str, Any] | None:
    """The shortfall and its two options as plain values (for the award and the API)."""
    gap = seen.shortfall
    if gap is None:
        return None
    return {
        "gap_months": gap.gap_months,
        "monthly_base": f"{gap.monthly_base:.2f}",
        "monthly_amount": f"{gap.monthly_amount:.2f}",
        "keep_paying_until": str(gap.keep_paying_until),
        "keep_paying_total": f"{gap.keep_paying_total:.2f}",
        "lump_sum": f"{gap.lump_sum:.2f}",
        "prices_year": seen.prices_year,
    }


def post_to_establish(person: Person) -> bool:
    """A woman whose post is not on record: her retirement category (D1) is established by
    the reviewer of her retirement case."""
    return person.sex == "female" and retirement_category(person) is None


def retirement_decision_check(
    *, person: Person, answers: dict[str, Any], facts: dict[str, Any], filed_on: dt.date
) -> Category | None:
    """At the approval of a retirement: for a woman whose post was not on record, the post
    the reviewer established (``facts["post_category"]``) is required, and a month before
    the statutory month of its category must be a lawful early retirement (D1, D2: not
    below the original age, at most 36 months early, three months' notice, the minimum
    met), as on the day she filed. A later month is the agency's decision, as at filing
    (``retirement_check``). Returns that category (None when the record had one)."""
    if not post_to_establish(person):
        return None
    category = POST_CATEGORY.get(str(facts.get("post_category") or ""))
    if category is None:
        raise ServiceError(
            "申请人的岗位类别未登记：批准前须由审核人员确定（管理、专业技术岗位按55岁，"
            "工人岗位按50岁原退休年龄）。",
            "The applicant's post category is not on record: the reviewer establishes it "
            "before approving (a management or technical post: original age 55; a production "
            "or operating post: 50).",
            code="post_category",
        )
    birth = YearMonth(person.birth_date.year, person.birth_date.month)
    statutory = statutory_retirement(birth=birth, category=category)
    try:
        chosen = YearMonth.parse(str(answers.get("retirement_month", "")))
    except RuleError:
        chosen = None  # refused at filing; the award says why
    if chosen is not None and chosen < statutory.retirement_month:
        retirement_check(person=person, answers=answers, today=filed_on, category=category)
    return category
