"""Demo contributions: employees, declared and partly paid months, a credited interest year.

The current month is left undeclared, so a demo user can declare it from a file.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from onestop.contributions import services
from onestop.contributions.interest import account_interest_credit
from onestop.contributions.models import Bill, Employment, PostCategory
from onestop.contributions.periods import current_period, month_of, period_of
from onestop.identity.models import Employer, Person
from onestop.parameters import selectors as parameters

FIRST_PERIOD = 202401
UNPAID_MONTHS = 2


@transaction.atomic
def load(
    *,
    employers: list[Employer],
    staff_persons: list[Person],
    rng: random.Random,
    today: dt.date | None = None,
    per_employer: int = 12,
) -> dict[str, int]:
    """Register ``employers``, employ the given persons and synthetic ones, declare every
    month from 2024-01 to last month (this month too but for the first employer), pay all
    but the last two, credit the interest of every
    year closed before today."""
    today = today or timezone.localdate()
    last = period_of(month_of(current_period(today)).plus(-1))
    published = parameters.latest_year(province="610000") or FIRST_PERIOD // 100
    last = min(last, published * 100 + 12)
    pool = list(
        Person.objects.filter(employments__isnull=True, user__isnull=True)
        .exclude(pk__in=[p.pk for p in staff_persons])
        .order_by("pk")[: per_employer * len(employers)]
    )
    declared = paid = 0
    for number, employer in enumerate(employers):
        services.insurance_register(
            actor=None,
            employer=employer,
            insurances=["pension", "unemployment", "work_injury"],
            since_period=FIRST_PERIOD,
            risk_class=2,
        )
        people = [p for p in staff_persons if number == 0] + pool[
            number * per_employer : (number + 1) * per_employer
        ]
        for person in people:
            wage = Decimal(rng.randrange(3500, 21000, 50))
            drawn = person.sex == "female" and rng.random() < 0.5
            # The named women (alice) hold a cadre post, so the demo's retirement window is
            # known: 55 plus the delay of D1 (alice, born 1974-05: 2030-07).
            named = person.sex == "female" and person in staff_persons
            category = PostCategory.CADRE if drawn or named else PostCategory.GENERAL
            services.employment_start(
                actor=None,
                employer=employer,
                resident_id=person.resident_id,
                start_period=FIRST_PERIOD,
                wage=wage,
                post_category=category,
            )
        month = month_of(FIRST_PERIOD)
        # The first employer (acme) leaves this month open for the walkthrough (bob declares
        # it); the others have declared it already, as most of a bureau's do early in the
        # month, so this month's figures are not empty.
        until = last if number == 0 else min(current_period(today), published * 100 + 12)
        # A small demo (``--persons`` below the employers' count) leaves an employer without
        # staff: it has nothing to declare.
        while people and period_of(month) <= until:
            employments = Employment.objects.filter(employer=employer).select_related("person")
            rows = [
                services.DeclaredRow(i + 2, e.person.resident_id, f"{e.wage:.2f}")
                for i, e in enumerate(employments)
            ]
            result = services.declaration_submit(
                actor=None, employer=employer, period=period_of(month), rows=rows, today=today
            )
            assert result.accepted, result.reply
            declared += 1
            month = month.plus(1)
    cutoff = period_of(month_of(last).plus(-UNPAID_MONTHS + 1))
    for bill in Bill.objects.filter(period__lt=cutoff).order_by("pk"):
        month = month_of(bill.period).plus(1)
        services.payment_record(
            actor=None,
            external_id=f"DEMO-{bill.pk}",
            bill=bill,
            amount=bill.amount_due,
            paid_on=dt.date(month.year, month.month, 10),
        )
        paid += 1
    # Paid history was collected before the platform went live; unpaid bills go out.
    Bill.objects.filter(period__lt=cutoff).update(sent_at=timezone.now())
    credited = 0
    for year in range(FIRST_PERIOD // 100, min(today.year, published + 1)):
        _book_rate_for(year)
        credited += account_interest_credit(actor=None, year=year, province="610000")
    return {"declarations": declared, "bills_paid": paid, "accounts_credited": credited}


def _book_rate_for(year: int) -> None:
    """Every year closed before the demo's today is credited, as the yearly job does. A year
    whose national book rate the seed does not hold yet is credited at a provisional rate,
    the latest published one, recorded as provisional: publishing the year's rate later
    replaces it (``parameters.book_rate``)."""
    from onestop.parameters.services import book_rate_publish

    try:
        parameters.book_rate(year=year)
    except parameters.ParametersMissing:
        latest = parameters.latest_book_rate()
        assert latest is not None, "the seed publishes the book rates up to 2024"
        book_rate_publish(
            actor=None,
            year=year,
            rate=latest.rate,
            provisional=True,
            source=f"demo: provisional, the {latest.year} rate until the {year} rate is published",
        )
