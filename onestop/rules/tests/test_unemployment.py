"""Unemployment benefit: art. 14 conditions, art. 17 durations and carry-over, the amount
(art. 18 and the 90% guidance) and art. 15 stops, against the law's own figures."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onestop.rules.unemployment import (
    INVOLUNTARY,
    MAX_BENEFIT_MONTHS,
    SEPARATION_LABELS,
    STOP_LABELS,
    Entitlement,
    Separation,
    StopReason,
    assess,
    duration_by_contribution,
    eligibility,
    entitlement,
    monthly_benefit,
    parse_separation,
    separation_from_text,
    stop,
)
from onestop.rules.values import RuleError, YearMonth


@pytest.mark.parametrize(
    ("months", "benefit"),
    [(0, 0), (11, 0), (12, 12), (59, 12), (60, 18), (119, 18), (120, 24), (720, 24)],
)
def test_duration_steps_of_article_17(months: int, benefit: int) -> None:
    """D10 art. 17: 1 to under 5 years -> 12; 5 to under 10 -> 18; 10 or more -> 24."""
    assert duration_by_contribution(months) == benefit


@pytest.mark.parametrize("months", [-1, 721])
def test_duration_refuses_impossible_months(months: int) -> None:
    with pytest.raises(RuleError) as caught:
        duration_by_contribution(months)
    assert caught.value.code == "months"
    assert "0至720" in caught.value.zh and "0 to 720" in caught.value.en


def test_carry_over_is_added_and_capped_at_24() -> None:
    """The law's case: 14 months left from an earlier 24-month spell, three new years earn 12,
    together 26 -> 24 (D10 art. 17 third paragraph, D11 art. 46)."""
    assert entitlement(contribution_months=36, carried_months=14) == Entitlement(12, 14, 24)
    found = entitlement(contribution_months=36, carried_months=5)
    assert (found.earned_months, found.carried_months, found.months) == (12, 5, 17)
    # Re-employed for under a year: nothing new is earned, the old months remain.
    short = entitlement(contribution_months=8, carried_months=7)
    assert (short.earned_months, short.months) == (0, 7)


@pytest.mark.parametrize("carried", [-1, 25])
def test_carry_over_out_of_range(carried: int) -> None:
    with pytest.raises(RuleError):
        entitlement(contribution_months=36, carried_months=carried)


@given(st.integers(0, 720), st.integers(0, 24))
def test_entitlement_never_exceeds_24(months: int, carried: int) -> None:
    found = entitlement(contribution_months=months, carried_months=carried)
    assert found.months <= MAX_BENEFIT_MONTHS
    assert found.months >= max(found.earned_months, carried)


def test_eligible_when_all_three_conditions_hold() -> None:
    found = eligibility(
        lifetime_contribution_months=12,
        separation=Separation.ENDED_BY_EMPLOYER,
        registered_unemployed=True,
    )
    assert found.eligible and found.refusals == ()


def test_each_missing_condition_is_named() -> None:
    found = eligibility(
        lifetime_contribution_months=11,
        separation=Separation.RESIGNED,
        registered_unemployed=False,
    )
    assert not found.eligible
    assert [r.code for r in found.refusals] == ["contribution", "voluntary", "unregistered"]
    assert found.refusals[0].zh == "单位和本人累计缴费不满1年（11个月）。"
    assert (
        found.refusals[1].en
        == "The last employment ended as “resigned”: that is of the person's own will."
    )
    assert found.refusals[2].en == "The person is not registered as unemployed."


def test_the_involuntary_ends_of_decree_8_article_4() -> None:
    """D12 art. 4 (1)-(5) are involuntary; resigning and other own reasons are not."""
    assert set(Separation) - INVOLUNTARY == {Separation.RESIGNED, Separation.OTHER}
    assert set(SEPARATION_LABELS) == set(Separation)
    assert set(STOP_LABELS) == set(StopReason)


def test_parse_separation() -> None:
    assert parse_separation("ended_by_employer") is Separation.ENDED_BY_EMPLOYER
    with pytest.raises(RuleError) as caught:
        parse_separation("fired?")
    assert caught.value.code == "separation"
    assert "contract_expired" in caught.value.en


def test_monthly_benefit_is_the_share_of_the_minimum_wage() -> None:
    """D13: 90% of the minimum wage; 2160.00 -> 1944.00, rounded once (1950.55 -> 1755.50)."""
    assert monthly_benefit(minimum_wage=D("2160.00"), share=D("0.90")) == D("1944.00")
    assert monthly_benefit(minimum_wage=D("1950.55"), share=D("0.9")) == D("1755.50")
    assert monthly_benefit(minimum_wage=D("2160"), share=D("1")) == D("2160.00")


@pytest.mark.parametrize(
    ("wage", "share", "code"),
    [
        (D("0"), D("0.9"), "minimum_wage"),
        (D("2160"), D("0"), "share"),
        (D("2160"), D("1.01"), "share"),
    ],
)
def test_monthly_benefit_refuses(wage: D, share: D, code: str) -> None:
    with pytest.raises(RuleError) as caught:
        monthly_benefit(minimum_wage=wage, share=share)
    assert caught.value.code == code


def test_assessment_explains_every_step() -> None:
    """Seven years of contributions, contract ended by the employer, registered: 18 months of
    1944.00 = 34992.00."""
    found = assess(
        lifetime_contribution_months=84,
        contribution_months=84,
        carried_months=0,
        separation=Separation.ENDED_BY_EMPLOYER,
        registered_unemployed=True,
        minimum_wage=D("2160.00"),
        share=D("0.90"),
        parameters="610000/2026/v1",
    )
    assert found.eligibility.eligible
    assert (found.entitlement.months, found.monthly_amount, found.total) == (
        18,
        D("1944.00"),
        D("34992.00"),
    )
    assert [(line.label_en, line.value) for line in found.explanation] == [
        ("Policy parameters used", "610000/2026/v1"),
        ("End of the last employment", "用人单位解除劳动合同 / contract ended by the employer"),
        ("Eligible", "yes"),
        ("Months earned by contribution time", "18"),
        ("Benefit months (with carried-over months)", "18"),
        ("Monthly benefit", "1944.00"),
        ("Benefit in all", "34992.00"),
    ]
    assert found.explanation[6].formula == "1944.00 * 18"
    assert found.explanation[1].formula == "INVOLUNTARY"


def test_assessment_of_someone_not_eligible_pays_nothing() -> None:
    found = assess(
        lifetime_contribution_months=84,
        contribution_months=84,
        carried_months=0,
        separation=Separation.RESIGNED,
        registered_unemployed=True,
        minimum_wage=D("2160.00"),
        share=D("0.90"),
        parameters="610000/2026/v1",
    )
    assert not found.eligibility.eligible
    assert (found.entitlement.months, found.total) == (18, D("0.00"))
    assert found.explanation[1].formula == "VOLUNTARY"
    assert found.explanation[2].value == "no"


def test_assessment_refuses_more_spell_months_than_lifetime_months() -> None:
    with pytest.raises(RuleError) as caught:
        assess(
            lifetime_contribution_months=12,
            contribution_months=13,
            carried_months=0,
            separation=Separation.CONTRACT_EXPIRED,
            registered_unemployed=True,
            minimum_wage=D("2160.00"),
            share=D("0.90"),
            parameters="x",
        )
    assert caught.value.code == "months"


def test_stop_on_reemployment_carries_the_rest_over() -> None:
    """12 months from 2026-01, re-employed in 2026-04: April is paid, 8 months carry over."""
    found = stop(
        reason=StopReason.REEMPLOYED,
        event_month=YearMonth(2026, 4),
        start=YearMonth(2026, 1),
        months=12,
    )
    assert (found.last_paid_month, found.used_months, found.remaining_months) == (
        YearMonth(2026, 4),
        4,
        8,
    )
    assert found.carried_months == 8


@pytest.mark.parametrize("reason", [r for r in StopReason if r is not StopReason.REEMPLOYED])
def test_other_stops_end_the_entitlement(reason: StopReason) -> None:
    found = stop(reason=reason, event_month=YearMonth(2026, 4), start=YearMonth(2026, 1), months=12)
    assert (found.remaining_months, found.carried_months) == (8, 0)


def test_stop_before_the_first_month_pays_nothing() -> None:
    found = stop(
        reason=StopReason.REEMPLOYED,
        event_month=YearMonth(2025, 12),
        start=YearMonth(2026, 1),
        months=12,
    )
    assert (found.last_paid_month, found.used_months, found.carried_months) == (None, 0, 12)


def test_stop_in_the_last_month_and_after_it() -> None:
    last = stop(
        reason=StopReason.PENSION,
        event_month=YearMonth(2026, 12),
        start=YearMonth(2026, 1),
        months=12,
    )
    assert (last.used_months, last.remaining_months) == (12, 0)
    with pytest.raises(RuleError) as caught:
        stop(
            reason=StopReason.PENSION,
            event_month=YearMonth(2027, 1),
            start=YearMonth(2026, 1),
            months=12,
        )
    assert caught.value.code == "ended"
    assert caught.value.en == "The benefit already ended in 2026-12; nothing to stop."


@pytest.mark.parametrize("months", [0, 25])
def test_stop_refuses_impossible_durations(months: int) -> None:
    with pytest.raises(RuleError):
        stop(
            reason=StopReason.DIED,
            event_month=YearMonth(2026, 1),
            start=YearMonth(2026, 1),
            months=months,
        )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("contract ended by the employer", Separation.ENDED_BY_EMPLOYER),
        ("Contract ended by the employer.", Separation.ENDED_BY_EMPLOYER),
        ("用人单位解除劳动合同", Separation.ENDED_BY_EMPLOYER),
        ("ｃｏｎｔｒａｃｔ＿ｅｘｐｉｒｅｄ", Separation.CONTRACT_EXPIRED),
        ("本人辞职。", Separation.RESIGNED),
        ("dismissed", Separation.DISMISSED),
        ("moved to another city", None),
        ("", None),
    ],
)
def test_separation_named_by_an_employers_reason(text: str, expected: Separation | None) -> None:
    assert separation_from_text(text) is expected
