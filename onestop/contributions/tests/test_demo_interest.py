"""The demo's contributions: every year closed before its today is credited to the accounts;
this month is declared by every employer but acme (left open for the walkthrough)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

import pytest

from onestop.contributions import demo
from onestop.contributions.models import AccountYear, Declaration
from onestop.identity import demo as identity_demo
from onestop.identity import services as identity
from onestop.identity.models import Employer, Person
from onestop.parameters.models import BookRate

pytestmark = pytest.mark.django_db


def test_the_demo_credits_every_closed_year_the_last_at_a_provisional_rate(world: Any) -> None:
    """With today in 2026-12, 2024 (published rate) and 2025 (no rate recorded yet: the 2024
    rate, marked provisional) are both credited to the demo employees' accounts; 2026 is not
    closed and is not."""
    assert not BookRate.objects.filter(year=2025).exists()
    staff = list(Person.objects.filter(pk__in=[world.alice.pk, world.bob.pk]).order_by("pk"))
    baoji = identity.employer_register(
        actor=None,
        name="宝鸡秦川机械有限公司",
        credit_code=identity_demo.credit_code(random.Random(5), "610302"),
        region=world.regions["610302"],
        legal_representative="白博文",
    )
    for number in range(2):  # two more, so that each employer has someone to declare
        identity.person_register(
            actor=None,
            name=f"韩{'一二'[number]}",
            resident_id=identity_demo.resident_id(
                random.Random(number), "610302", dt.date(1980 + number, 3, 1), male=True
            ),
            region=world.regions["610302"],
        )
    figures = demo.load(
        employers=[Employer.objects.get(pk=world.acme.pk), baoji],
        staff_persons=staff,
        rng=random.Random(1),
        today=dt.date(2026, 12, 1),
        per_employer=1,
    )
    provisional = BookRate.objects.get(year=2025)
    assert (provisional.rate, provisional.provisional) == (Decimal("0.0262"), True)
    years = sorted(set(AccountYear.objects.values_list("year", flat=True)))
    assert years == [2024, 2025]
    people = AccountYear.objects.filter(year=2025).count()
    assert people == AccountYear.objects.filter(year=2024).count() > 0
    assert figures["accounts_credited"] == 2 * people
    declared = {
        (employer, max(periods))
        for employer in (world.acme.pk, baoji.pk)
        for periods in [
            Declaration.objects.filter(employer_id=employer).values_list("period", flat=True)
        ]
    }
    assert declared == {(world.acme.pk, 202611), (baoji.pk, 202612)}
