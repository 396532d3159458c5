"""Demo cases: a Yanta work queue in every state and every colour of the clock, so the
queue, the supervision page and the inbox have something to show on the first run.

Yanta's queue (carol) holds a green and a yellow acceptance; Xi'an's (rita) a green and a
yellow review, a review gone red and the overdue acceptance the clock escalated to Xi'an
("已提级至 西安市"), which sam reassigns and rita decides. The province has no HRSS case
worker or reviewer in the demo, so nothing is escalated there (the clock's escalation is
refused rather than leaving a case in nobody's queue); its civil-affairs and
medical-insurance officers (cheng, mei) hold a yellow and a red death case in joint review
(``pensions.demo.joint_reviews``). A red case never stays in a county's queue: the clock
escalates it to the city at once, where it shows red."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Callable

from django.utils import timezone

from onestop.applications import prechecks, services
from onestop.applications.models import Application, Channel
from onestop.common.workdays import add_working_days, working_days_between
from onestop.identity import demo as identity_demo
from onestop.identity import services as identity
from onestop.identity.models import Person, Region, User
from onestop.rules.retirement import Category, statutory_retirement
from onestop.rules.values import YearMonth

BANK_ACCOUNT = "6222020200112233446"
#: Synthetic men of retirement age, registered when the generated people have too few.
RETIREES = [
    "赵建华",
    "钱志强",
    "孙国庆",
    "李卫东",
    "周建军",
    "吴振华",
    "郑明远",
    "王立新",
    "冯德胜",
]


def age(case: Application, working_days: int, *, step_only: bool = False) -> None:
    """Set a case's filing (or, ``step_only``, its current step's start only) back by
    ``working_days`` (demo data only), with the deadlines a 10-working-day limit gives from
    then: 8 days gone is yellow, more than 10 red."""
    today = timezone.localdate()
    filed_on = today
    while working_days_between(filed_on, today) < working_days:
        filed_on -= dt.timedelta(days=1)
    due = add_working_days(filed_on, 10)
    changes: dict[str, object] = {"step_started": filed_on, "step_deadline": due.date}
    if not step_only:
        changes.update(submitted_at=timezone.now() - (today - filed_on), deadline=due.date)
    Application.objects.filter(pk=case.pk).update(**changes)


def load(
    retiree: Person | None = None, history: Callable[[Person], None] | None = None
) -> dict[str, int]:
    """File nine retirement cases at Yanta's counter, for ``retiree`` (whose case is
    approved: his record must be long enough) and Yanta's eight oldest men without a login
    whose statutory month can be filed now (registered when there are too few), each for
    his own statutory month, and move them along; returns counts.

    ``history`` (the pensions demo's, passed in: applications may not import pensions)
    gives each of the eight a working life on record before he files, so that their awards
    are computed from real months; all but the case rejected for too few months."""
    carol = User.objects.get(username="carol")
    rita = User.objects.get(username="rita")
    others = Person.objects.filter(region__code="610113", user__isnull=True, sex="male")
    if retiree is not None:
        others = others.exclude(pk=retiree.pk)
    today = timezone.localdate()

    def may_file(person: Person) -> bool:
        # Only men whose statutory month can be filed now (the pre-check's offer).
        month = statutory_retirement(
            birth=YearMonth(person.birth_date.year, person.birth_date.month),
            category=Category.MALE,
        ).retirement_month
        found = prechecks.precheck(person=person, item_code="SX-SI-006", today=today)
        return str(month) in found.choices.get("retirement_month", [])

    candidates = (p for p in others.order_by("birth_date", "pk") if may_file(p))
    need = 8 if retiree is not None else 9
    people: list[Person | None] = list(itertools.islice(candidates, need))
    # Too few men of retirement age among the synthetic people: register some (no login).
    rng = random.Random(2026)
    yanta = Region.objects.get(code="610113")
    for name in RETIREES[: need - len(people)]:
        born = dt.date(1960 + len(people) % 5, 1 + len(people), 10)
        people.append(
            identity.person_register(
                actor=None,
                name=name,
                resident_id=identity_demo.resident_id(rng, "610113", born, male=True),
                region=yanta,
            )
        )
    people.insert(3, retiree or people.pop())
    if history is not None:
        for index, person in enumerate(people):
            # 3 is the retiree (his own history); 4 is rejected for too few months.
            if person is not None and person is not retiree and index != 4:
                history(person)
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
    if len(filed) < 9:
        return {"cases": len(filed)}
    waiting, supplement, review, approved, rejected, late, due_soon, review_soon, review_late = (
        filed
    )
    services.application_act(
        actor=carol,
        application=supplement,
        task="accept",
        decision="supplement",
        note="请补充人事档案（视同缴费年限认定）",
    )
    for case in (review, approved, rejected, review_soon, review_late):
        services.application_act(actor=carol, application=case, task="accept", decision="accept")
    services.application_act(actor=rita, application=approved, task="review", decision="approve")
    services.application_act(
        actor=rita,
        application=rejected,
        task="review",
        decision="reject",
        note="累计缴费不足 180 个月",
    )
    services.application_claim(actor=carol, application=waiting)
    # Dates set back directly (demo data only) so the clock finds each colour: eight of ten
    # working days gone is yellow; past the limit is red (and escalated to Xi'an).
    for case, days in ((late, 15), (due_soon, 8), (review_soon, 8), (review_late, 12)):
        age(case, days)
    return {"cases": len(filed)}
