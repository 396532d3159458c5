"""The demo's contributions: every year closed before its today is credited to the accounts."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

import pytest

from onestop.contributions import demo
from onestop.contributions.models import AccountYear
from onestop.identity.models import Employer, Person
from onestop.parameters.models import BookRate

pytestmark = pytest.mark.django_db


def test_the_demo_credits_every_closed_year_the_last_at_a_provisional_rate(world: Any) -> None:
    """With today in 2026-12, 2024 (published rate) and 2025 (no rate recorded yet: the 2024
    rate, marked provisional) are both credited to the demo employees' accounts; 2026 is not
    closed and is not."""
    assert not BookRate.objects.filter(year=2025).exists()
    staff = list(Person.objects.filter(pk__in=[world.alice.pk, world.bob.pk]).order_by("pk"))
    figures = demo.load(
        employers=[Employer.objects.get(pk=world.acme.pk)],
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
    assert people == AccountYear.objects.filter(year=2024).count() == 3
    assert figures["accounts_credited"] == 2 * people
