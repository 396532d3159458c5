"""Demo individual payer: 方灵活 (Fang), a flexibly employed designer in Yanta who pays
quarterly at a base of 6000 from the quarter before last: those two quarters are paid (their
months on her statement, with interest accruing), this quarter's bill goes to the tax
simulator when the demo serves, to be paid there."""

from __future__ import annotations

import calendar
import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from onestop.contributions import individual
from onestop.contributions.models import IndividualBill
from onestop.contributions.periods import month_of, period_of
from onestop.identity import demo as identity_demo
from onestop.identity import services as identity
from onestop.identity.models import Person, Region
from onestop.rules.values import YearMonth

FANG_PHONE = "13800000015"
FANG_LABEL = "方灵活 Fang, flexibly employed, pays quarterly (or phone 13800000015)"
BASE = Decimal("6000.00")


def fang(region: Region, today: dt.date | None = None) -> Person:
    """Register Fang and her payments; call after the employers' demo (it employs every
    person with a login)."""
    today = today or timezone.localdate()
    person = identity.person_register(
        actor=None,
        name="方灵活",
        resident_id=identity_demo.resident_id(
            random.Random(1990),  # noqa: S311 - a fixed synthetic identity
            "610113",
            dt.date(1990, 3, 14),
            male=False,
        ),
        region=region,
        phone=FANG_PHONE,
        password=identity_demo.DEMO_PASSWORD,
    )
    quarter = YearMonth(today.year, (today.month - 1) // 3 * 3 + 1)
    start = quarter.plus(-6)
    # Paying back is limited to the current year: start there when two quarters back is not.
    if start.year != today.year:
        start = YearMonth(today.year, 1)
    payer = individual.payer_register(
        actor=None,
        person=person,
        base=BASE,
        frequency="quarterly",
        start_period=period_of(start),
        case_number="",
        today=today,
    )
    individual.bills_issue_due(today=today)
    for bill in IndividualBill.objects.filter(payer=payer, last_period__lt=period_of(quarter)):
        # Paid history, collected before the platform went live (as the employers' demo):
        # each quarter was billed in its time, due at its end, not with today's bill.
        last = month_of(bill.last_period)
        bill.due_date = dt.date(
            last.year, last.month, calendar.monthrange(last.year, last.month)[1]
        )
        IndividualBill.objects.filter(pk=bill.pk).update(due_date=bill.due_date)
        individual.individual_payment_record(
            actor=None,
            external_id=f"DEMO-P{bill.pk}",
            bill=bill,
            amount=bill.amount_due,
            paid_on=bill.due_date,
        )
        IndividualBill.objects.filter(pk=bill.pk).update(sent_at=timezone.now())
    return person
