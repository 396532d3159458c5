"""Contributions (D3, D4, D7), interest (D5), award (D3), transfer (D6), adjustment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onestop.rules.adjustment import AdjustmentRule, adjusted_pension
from onestop.rules.award import (
    DIVISORS,
    AwardInput,
    CoefficientTransitional,
    DivisorPolicy,
    account_pension,
    basic_pension,
    divisor,
    pension_award,
    transitional_for,
)
from onestop.rules.contributions import (
    BaseBound,
    LateFee,
    Rates,
    base_bound,
    contribution_base,
    employee_month,
    flexible_contribution,
    late_fee_accrued,
    late_surcharge,
    pension_contribution,
    unemployment_contribution,
    work_injury_contribution,
)
from onestop.rules.interest import (
    BOOK_RATES,
    Method,
    RateMissing,
    book_rate,
    credit_year,
)
from onestop.rules.transfer import (
    MonthlyBase,
    Place,
    account_transfer,
    keeps_relation_at_old_place,
    payer_place,
    pooled_transfer,
)
from onestop.rules.values import Age, RuleError, YearMonth, money

RATES = Rates()
MONEY = st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False)
WAGE_BASE = st.decimals(min_value=1, max_value=100_000, places=2, allow_nan=False)


# -- contributions ---------------------------------------------------------------------------


def test_published_contribution_examples() -> None:
    """pension-rules §1: A = 8000."""
    low = pension_contribution(wage=D("3000"), average_wage=D("8000"), rates=RATES)
    assert (low.base, low.employer, low.individual, low.to_account, low.total) == (
        D("4800.00"),
        D("768.00"),
        D("384.00"),
        D("384.00"),
        D("1152.00"),
    )
    high = pension_contribution(wage=D("30000"), average_wage=D("8000"), rates=RATES)
    assert (high.base, high.individual) == (D("24000.00"), D("1920.00"))


@pytest.mark.parametrize(
    ("wage", "expected"),
    [
        ("1.00", BaseBound("floor", D("0.6"), D("4800.00"))),
        ("4799.99", BaseBound("floor", D("0.6"), D("4800.00"))),
        ("4800.00", None),  # on the floor: the wage is the base
        ("8000", None),
        ("24000.00", None),  # on the cap
        ("24000.01", BaseBound("cap", D("3"), D("24000.00"))),
        ("30000", BaseBound("cap", D("3"), D("24000.00"))),
    ],
)
def test_base_bound_names_the_floor_or_the_cap(wage: str, expected: BaseBound | None) -> None:
    """pension-rules §1 with A 8000: the floor 4800.00 and the cap 24000.00, at and past."""
    assert base_bound(wage=D(wage), average_wage=D("8000"), rates=RATES) == expected


def test_base_bound_percent() -> None:
    assert BaseBound("floor", D("0.6"), D("1")).percent == "60"
    assert BaseBound("cap", D("3"), D("1")).percent == "300"
    assert BaseBound("floor", D("0.65"), D("1")).percent == "65"


@given(MONEY, WAGE_BASE)
def test_base_stays_within_bounds(wage: D, average: D) -> None:
    base = contribution_base(wage=wage, average_wage=average, rates=RATES)
    assert money(average * D("0.6")) <= base <= money(average * 3)


def test_flexible_unemployment_work_injury() -> None:
    flex = flexible_contribution(chosen_base=D("4800"), average_wage=D("8000"), rates=RATES)
    assert (flex.employer, flex.individual, flex.to_account) == (
        D("0.00"),
        D("960.00"),
        D("384.00"),
    )
    with pytest.raises(RuleError):
        flexible_contribution(chosen_base=D("4000"), average_wage=D("8000"), rates=RATES)
    unemp = unemployment_contribution(wage=D("10000"), average_wage=D("8000"), rates=RATES)
    assert (unemp.employer, unemp.individual, unemp.to_account) == (
        D("50.00"),
        D("50.00"),
        D("0.00"),
    )
    injury = work_injury_contribution(
        wage=D("10000"), average_wage=D("8000"), risk_class=8, rates=RATES
    )
    assert (injury.employer, injury.individual) == (D("190.00"), D("0.00"))
    with pytest.raises(RuleError):
        work_injury_contribution(wage=D("1"), average_wage=D("8000"), risk_class=9, rates=RATES)


def test_late_surcharge() -> None:
    assert late_surcharge(overdue=D("1152.00"), days=30, rates=RATES) == D("17.28")
    assert late_surcharge(overdue=D("100"), days=0, rates=RATES) == D("0.00")
    with pytest.raises(RuleError):
        late_surcharge(overdue=D("100"), days=-1, rates=RATES)


DUE = dt.date(2026, 11, 15)


def test_late_fee_stays_once_the_principal_is_paid() -> None:
    """Paid 17 days late in full: the fee earned while late stays, the days are the payment's."""
    fee = late_fee_accrued(
        owed=D("44884.71"),
        due_date=DUE,
        payments=[(dt.date(2026, 12, 2), D("44884.71"))],
        today=dt.date(2027, 3, 1),
        rates=RATES,
    )
    assert fee == LateFee(17, D("381.52"))


def test_late_fee_of_parts_paid_on_different_days_and_the_rest_owed() -> None:
    """Each part earns its own days (in date order, whatever the order given); the rest
    earns the days late today; one rounding at the end."""
    fee = late_fee_accrued(
        owed=D("1000.00"),
        due_date=DUE,
        payments=[(dt.date(2026, 11, 25), D("300.00")), (dt.date(2026, 11, 10), D("200.00"))],
        today=dt.date(2026, 12, 15),
        rates=RATES,
    )
    # 200 on time (0 days), 300 x 10 days, 500 x 30 days: 1.50 + 7.50
    assert fee == LateFee(30, D("9.00"))


def test_late_fee_ignores_what_is_paid_beyond_the_bill_and_refund_bills() -> None:
    """A payment above what is owed earns nothing more; a bill owing nothing earns none."""
    fee = late_fee_accrued(
        owed=D("100.00"),
        due_date=DUE,
        payments=[(dt.date(2026, 11, 20), D("150.00")), (dt.date(2026, 11, 30), D("10.00"))],
        today=dt.date(2026, 12, 31),
        rates=RATES,
    )
    assert fee == LateFee(5, D("0.25"))
    refund = late_fee_accrued(
        owed=D("-80.00"), due_date=DUE, payments=[], today=dt.date(2026, 12, 31), rates=RATES
    )
    assert refund == LateFee(0, D("0.00"))
    early = late_fee_accrued(
        owed=D("80.00"), due_date=DUE, payments=[], today=dt.date(2026, 11, 1), rates=RATES
    )
    assert early == LateFee(0, D("0.00"))


@pytest.mark.parametrize("bad", [{"wage": D("-1")}, {"average_wage": D("0")}])
def test_bad_contribution_input(bad: dict[str, D]) -> None:
    args = {"wage": D("3000"), "average_wage": D("8000"), **bad}
    with pytest.raises(RuleError):
        contribution_base(**args, rates=RATES)


# -- interest --------------------------------------------------------------------------------


def test_published_interest_example() -> None:
    """pension-rules §2: B_prev 100000.00, C 9600.00, r 2.62% -> 2756.20, 112356.20."""
    result = credit_year(
        opening_balance=D("100000.00"), contributions=D("9600.00"), rate=book_rate(2024)[0]
    )
    assert (result.rate, result.interest, result.closing_balance) == (
        D("0.0262"),
        D("2756.20"),
        D("112356.20"),
    )


def test_month_product_and_part_year() -> None:
    monthly = [D("800.00")] * 12
    full = credit_year(
        opening_balance=D("100000.00"),
        contributions=monthly,
        rate=D("0.0262"),
        method=Method.MONTH_PRODUCT,
    )
    # 2620 + 800 * 0.0262 * 78 / 12 = 2620 + 136.24
    assert full.interest == D("2756.24")
    part = credit_year(
        opening_balance=D("100000.00"),
        contributions=monthly[:6],
        rate=D("0.0262"),
        method=Method.MONTH_PRODUCT,
        months=6,
    )
    # 100000 * 0.0262 * 6/12 + 800 * 0.0262 * (6+5+4+3+2+1)/12 = 1310 + 36.68
    assert (part.interest, part.closing_balance) == (D("1346.68"), D("106146.68"))
    annual_part = credit_year(
        opening_balance=D("100000.00"), contributions=D("4800.00"), rate=D("0.0262"), months=6
    )
    assert annual_part.interest == D("1344.05")


def test_book_rates_and_missing_year() -> None:
    assert BOOK_RATES[2016] == D("0.0831") and len(BOOK_RATES) == 9
    assert book_rate(2025, provisional=D("0.02")) == (D("0.02"), True)
    with pytest.raises(RateMissing) as error:
        book_rate(2025)
    assert error.value.code == "rate_missing"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"months": 13},
        {"opening_balance": D("-1")},
        {"contributions": D("-5")},
        {"method": Method.MONTH_PRODUCT},
        {"contributions": [D("1")] * 13},
    ],
)
def test_bad_interest_input(kwargs: dict[str, object]) -> None:
    args: dict[str, object] = {
        "opening_balance": D("1000"),
        "contributions": D("100"),
        "rate": D("0.03"),
        **kwargs,
    }
    with pytest.raises(RuleError):
        credit_year(**args)  # type: ignore[arg-type]


@given(
    MONEY,
    MONEY,
    st.decimals(min_value=0, max_value=D("0.2"), places=4),
    st.sampled_from(list(Method)),
    st.integers(1, 12),
)
def test_interest_is_never_negative(
    balance: D, contribution: D, rate: D, method: Method, months: int
) -> None:
    contributions: D | list[D] = (
        contribution if method is Method.ANNUAL else [contribution] * months
    )
    result = credit_year(
        opening_balance=balance,
        contributions=contributions,
        rate=rate,
        method=method,
        months=months,
    )
    assert result.interest >= 0
    assert result.closing_balance >= balance


# -- award -----------------------------------------------------------------------------------


def test_published_award_examples() -> None:
    """pension-rules §3: P 11883, Z 1.0, N 25 -> 2970.75; 100000 at 55 -> 588.24."""
    assert basic_pension(
        benefit_base=D("11883"), average_index=D("1.0"), contribution_months=300
    ) == D("2970.75")
    assert account_pension(
        balance=D("100000"), months=divisor(Age(55), DivisorPolicy.WHOLE_AGE)
    ) == D("588.24")


def test_divisor_policies() -> None:
    assert divisor(Age(60, 1), DivisorPolicy.INTERPOLATED) == D("138.4")
    assert divisor(Age(60, 1), DivisorPolicy.WHOLE_AGE) == D("139")
    assert divisor(Age(60, 4), DivisorPolicy.INTERPOLATED) == D("136.7")
    assert divisor(Age(47), DivisorPolicy.INTERPOLATED) == D("207")
    for bad in (Age(39, 11), Age(70, 1), Age(71)):
        with pytest.raises(RuleError):
            divisor(bad, DivisorPolicy.INTERPOLATED)


AGES = st.builds(Age, st.integers(40, 69), st.integers(0, 11)) | st.just(Age(70))


@given(
    AGES,
    AGES,
    st.sampled_from(list(DivisorPolicy)),
    st.decimals(min_value=1, max_value=2_000_000, places=2, allow_nan=False),
)
def test_account_pension_falls_as_retirement_age_rises(
    a: Age, b: Age, policy: DivisorPolicy, balance: D
) -> None:
    young, old = sorted((a, b), key=lambda age: age.total_months)
    assert account_pension(balance=balance, months=divisor(young, policy)) <= account_pension(
        balance=balance, months=divisor(old, policy)
    )


def test_full_award_with_transitional_and_explanation() -> None:
    plugin = CoefficientTransitional(coefficient=D("0.012"), source="province plan, demo")
    award = pension_award(
        AwardInput(
            retirement_age=Age(60, 4),
            contribution_months=276,
            average_index=D("1.2"),
            account_balance=D("150000.00"),
            benefit_base=D("8000.00"),
            divisor_policy=DivisorPolicy.INTERPOLATED,
            deemed_months=60,
            deemed_index=D("1.0"),
            transitional=transitional_for("610000", {"610000": plugin}),
            benefit_base_source="demo data",
        )
    )
    # basic: 8000 * 2.2 / 2 * 336/12 * 1% = 2464.00; account: 150000 / 136.7 = 1097.29;
    # transitional: 8000 * 1.0 * 60/12 * 1.2% = 480.00
    assert (award.basic_pension, award.account_pension, award.transitional_pension) == (
        D("2464.00"),
        D("1097.29"),
        D("480.00"),
    )
    assert award.total == D("4041.29")
    assert award.divisor == D("136.7")
    labels = [line.label_en for line in award.explanation]
    assert labels == [
        "Benefit base P",
        "Average contribution index Z",
        "Contribution years N (with deemed)",
        "Basic pension",
        "Divisor",
        "Individual account pension",
        "Transitional pension",
        "Monthly pension, total",
    ]
    assert award.explanation[-1].value == "4041.29"
    assert all(line.source for line in award.explanation)


def test_award_without_plugin_or_deemed_years() -> None:
    award = pension_award(
        AwardInput(
            retirement_age=Age(55),
            contribution_months=300,
            average_index=D("1.0"),
            account_balance=D("100000"),
            benefit_base=D("11883"),
            divisor_policy=DivisorPolicy.WHOLE_AGE,
            deemed_months=0,
        )
    )
    assert (
        award.basic_pension,
        award.account_pension,
        award.transitional_pension,
        award.total,
    ) == (D("2970.75"), D("588.24"), D("0.00"), D("3558.99"))
    assert transitional_for("110000", {}) is None


@pytest.mark.parametrize(
    "bad",
    [
        lambda: basic_pension(benefit_base=D("0"), average_index=D("1"), contribution_months=1),
        lambda: account_pension(balance=D("-1"), months=D("139")),
        lambda: CoefficientTransitional(D("0.02"), "x").amount(
            benefit_base=D("1"), deemed_index=D("1"), deemed_months=1
        ),
        lambda: pension_award(
            AwardInput(
                Age(60), 100, D("1"), D("1"), D("1"), DivisorPolicy.WHOLE_AGE, deemed_months=-1
            )
        ),
    ],
)
def test_bad_award_input(bad: object) -> None:
    with pytest.raises(RuleError):
        bad()  # type: ignore[operator]


def test_divisor_table_is_d3() -> None:
    assert (DIVISORS[40], DIVISORS[50], DIVISORS[55], DIVISORS[60], DIVISORS[70]) == (
        233,
        195,
        170,
        139,
        56,
    )
    assert list(DIVISORS) == list(range(40, 71))


# -- transfer --------------------------------------------------------------------------------


def test_published_transfer_example() -> None:
    """pension-rules §5: base 5000 for 60 months -> 36000.00."""
    bases = [MonthlyBase(YearMonth(2010, 1).plus(i), D("5000")) for i in range(60)]
    assert pooled_transfer(bases) == D("36000.00")
    before = [MonthlyBase(YearMonth(1997, 1).plus(i), D("1000")) for i in range(24)]
    assert pooled_transfer(before) == D("1440.00")  # only 1998's 12 months count
    with pytest.raises(RuleError):
        pooled_transfer([MonthlyBase(YearMonth(2010, 1), D("-1"))])


def test_account_transfer_and_temporary_accounts() -> None:
    assert account_transfer(balance=D("50000"), before_1998_employer_part=D("2000")) == D(
        "48000.00"
    )
    with pytest.raises(RuleError):
        account_transfer(balance=D("10"), before_1998_employer_part=D("11"))
    assert keeps_relation_at_old_place(male=True, age_years=50, moving_to_hukou_place=False)
    assert not keeps_relation_at_old_place(male=True, age_years=49, moving_to_hukou_place=False)
    assert keeps_relation_at_old_place(male=False, age_years=40, moving_to_hukou_place=False)
    assert not keeps_relation_at_old_place(male=False, age_years=45, moving_to_hukou_place=True)


@pytest.mark.parametrize(
    ("places", "expected"),
    [
        ([Place("610100", 100, False), Place("110000", 30, True)], ("110000", 1)),
        ([Place("110000", 60, True), Place("610100", 130, False)], ("610100", 2)),
        ([Place("310000", 125, False), Place("610100", 50, False)], ("310000", 3)),
        ([Place("310000", 100, False), Place("610100", 50, False)], ("440000", 4)),
        ([Place("310000", 200, False), Place("610100", 150, False, temporary=True)], ("310000", 3)),
    ],
)
def test_payer_place(places: list[Place], expected: tuple[str, int]) -> None:
    assert payer_place(places, hukou_place="440000") == expected


def test_payer_place_needs_places() -> None:
    with pytest.raises(RuleError):
        payer_place([], hukou_place="440000")


# -- adjustment ------------------------------------------------------------------------------


def test_adjustment() -> None:
    rule = AdjustmentRule(2025, D("0.02"), D("30"), "demo")
    assert adjusted_pension(current=D("3000.00"), rule=rule) == D("3090.00")
    assert adjusted_pension(current=D("2970.75"), rule=rule) == D("3060.17")
    for bad_rule in (
        AdjustmentRule(2025, D("0.5"), D("0")),
        AdjustmentRule(2025, D("0.02"), D("-1")),
    ):
        with pytest.raises(RuleError):
            adjusted_pension(current=D("1"), rule=bad_rule)
    with pytest.raises(RuleError):
        adjusted_pension(current=D("-1"), rule=rule)


@given(
    wage=st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False),
    average=st.decimals(min_value=1, max_value=20000, places=2, allow_nan=False),
    risk_class=st.one_of(st.none(), st.integers(min_value=1, max_value=8)),
)
def test_employee_month_equals_the_functions_per_insurance(
    wage: D, average: D, risk_class: int | None
) -> None:
    """A declaration's one-pass amounts are exactly each insurance's own function's."""
    rates = Rates()
    month = employee_month(average_wage=average, rates=rates, risk_class=risk_class)(wage)
    pension = pension_contribution(wage=wage, average_wage=average, rates=rates)
    unemployment = unemployment_contribution(wage=wage, average_wage=average, rates=rates)
    assert month.base == pension.base == unemployment.base
    assert month.bound == base_bound(wage=wage, average_wage=average, rates=rates)
    assert (month.pension_employer, month.pension_individual) == (
        pension.employer,
        pension.individual,
    )
    assert (month.unemployment_employer, month.unemployment_individual) == (
        unemployment.employer,
        unemployment.individual,
    )
    injury = (
        work_injury_contribution(
            wage=wage, average_wage=average, risk_class=risk_class, rates=rates
        ).employer
        if risk_class is not None
        else D("0.00")
    )
    assert month.work_injury_employer == injury


def test_employee_month_refuses_a_bad_risk_class_and_a_negative_wage() -> None:
    """The risk class is checked once for the declaration; a negative wage when given."""
    with pytest.raises(RuleError):
        employee_month(average_wage=D("8000"), rates=Rates(), risk_class=9)
    amounts = employee_month(average_wage=D("8000"), rates=Rates(), risk_class=None)
    with pytest.raises(RuleError):
        amounts(D("-1"))
    assert amounts(D("3000")).bound == BaseBound("floor", D("0.6"), D("4800.00"))
