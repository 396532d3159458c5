"""Demo cases: a Yanta work queue in every state, one of them overdue, so the queue, the
supervision page and the inbox have something to show on the first run."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from onestop.applications import services
from onestop.applications.models import Application, Channel
from onestop.common.workdays import add_working_days
from onestop.identity.models import Person, User
from onestop.rules.retirement import Category, statutory_retirement
from onestop.rules.values import YearMonth

BANK_ACCOUNT = "6222020200112233445"


def load(retiree: Person | None = None) -> dict[str, int]:
    """File six retirement cases at Yanta's counter, for ``retiree`` (whose case is approved:
    his record must be long enough) and Yanta's five oldest men without a login, each for his
    own statutory month, and move them along; returns counts."""
    carol = User.objects.get(username="carol")
    rita = User.objects.get(username="rita")
    others = Person.objects.filter(region__code="610113", user__isnull=True, sex="male")
    if retiree is not None:
        others = others.exclude(pk=retiree.pk)
    people = list(others.order_by("birth_date", "pk")[:5])
    people.insert(3, retiree or people.pop())
    filed = [
        services.application_submit(
            actor=carol,
            item_code="SX-SI-006",
            applicant=person,
            answers={
                "retirement_month": str(
                    statutory_retirement(
                        birth=YearMonth(person.birth_date.year, person.birth_date.month),
                        category=Category.MALE,
                    ).retirement_month
                ),
                "bank_account": BANK_ACCOUNT,
            },
            channel=Channel.COUNTER,
            consent=True,
        ).application
        for person in people
        if person is not None
    ]
    if len(filed) < 6:
        return {"cases": len(filed)}
    waiting, supplement, review, approved, rejected, late = filed
    services.application_act(
        actor=carol,
        application=supplement,
        task="accept",
        decision="supplement",
        note="请补充人事档案（视同缴费年限认定） Please supply the personnel file",
    )
    for case in (review, approved, rejected):
        services.application_act(actor=carol, application=case, task="accept", decision="accept")
    services.application_act(actor=rita, application=approved, task="review", decision="approve")
    services.application_act(
        actor=rita,
        application=rejected,
        task="review",
        decision="reject",
        note="累计缴费不足 180 个月 Fewer than 180 contribution months",
    )
    services.application_claim(actor=carol, application=waiting)
    # One case filed three weeks ago and still unaccepted: the demo's overdue case. Its
    # dates are set back directly (demo data only) so the clock finds it red.
    filed_on = timezone.localdate() - dt.timedelta(days=21)
    due = add_working_days(filed_on, 10)
    Application.objects.filter(pk=late.pk).update(
        submitted_at=timezone.now() - dt.timedelta(days=21),
        deadline=due.date,
        step_started=filed_on,
        step_deadline=due.date,
    )
    return {"cases": len(filed)}
