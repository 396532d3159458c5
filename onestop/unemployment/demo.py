"""Demo unemployment: 孙立业, employed at acme since 2024 with the other named people, removed
by bob last month for "contract ended by the employer"; she registered as unemployed
(SX-EMP-001) and claimed the benefit (SX-SI-009) online, carol approved it, and this month's
unemployment payroll paid it."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone

from onestop.applications import services as applications
from onestop.contributions import selectors as contributions_selectors
from onestop.contributions import services as contributions
from onestop.contributions.models import Employment
from onestop.contributions.periods import current_period, month_of, parse_period, period_of
from onestop.identity import demo as identity_demo
from onestop.identity import services as identity
from onestop.identity.auth import phone_index
from onestop.identity.models import Person, Region, User
from onestop.unemployment import benefits

SUN_PHONE = "13800000023"
SUN_LABEL = "孙立业 Sun, removed by acme, drawing the unemployment benefit"
REASON = "contract ended by the employer"


def person(region: Region) -> Person:
    """Registered before the contributions demo, which employs every person with a login."""
    return identity.person_register(
        actor=None,
        name="孙立业",
        resident_id=identity_demo.resident_id(
            random.Random(2023), "610113", dt.date(1988, 3, 14), male=False
        ),
        region=region,
        phone=SUN_PHONE,
        password=identity_demo.DEMO_PASSWORD,
    )


def load(*, unemployed: Person, today: dt.date | None = None) -> dict[str, Any]:
    """bob removes 孙立业 at the last declared month; she registers and claims online; carol
    approves; this month's payroll pays it."""
    today = today or timezone.localdate()
    bob = Person.objects.get(phone_index=phone_index("13800000002")).user
    carol = User.objects.get(username="carol")
    employment = Employment.objects.filter(person=unemployed, end_period__isnull=True).first()
    if employment is not None:
        months = contributions_selectors.statement_of(person=unemployed).months
        end = (
            parse_period(months[-1].period)
            if months
            else period_of(month_of(current_period(today)).plus(-1))
        )
        contributions.employment_end(
            actor=bob, employment=employment, end_period=end, reason=REASON
        )
    filed = [
        applications.application_submit(
            actor=unemployed.user, item_code=item, applicant=unemployed, answers=answers
        ).application
        for item, answers in (
            ("SX-EMP-001", {"seeking_work": True}),
            ("SX-SI-009", {"bank_account": "6222020200123450021"}),
        )
    ]
    case = filed[-1]
    if case.status == "submitted":
        case = applications.application_act(
            actor=carol, application=case, task="review", decision="approve"
        )
    run = benefits.payroll_run(actor=None, period=current_period(today))
    benefit = unemployed.unemployment_benefits.first()
    return {
        "case": case.number,
        "status": case.status,
        "monthly": f"{benefit.monthly_amount:.2f}" if benefit else "-",
        "months": benefit.months if benefit else 0,
        "payroll": str(month_of(run.period)),
        "paid": run.count,
        # The medical insurance the fund paid on her behalf, sent to the medical insurance
        # department through the outbox (the registry simulator acknowledges it).
        "medical": f"{sum((m.amount for m in run.medical_contributions.all()), Decimal(0)):.2f}",
    }
