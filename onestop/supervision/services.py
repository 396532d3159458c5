"""The time-limit clock: yellow and red warnings, notification, escalation of red cases.

``clock_run`` is idempotent: a warning is raised once per case, open steps and level (a
unique constraint), its notifications and escalation happen only when it is first raised,
and warnings of steps that have closed are marked resolved.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import lazy

from onestop.applications import selectors as applications
from onestop.applications import services as cases
from onestop.applications.models import Application, OpenStep
from onestop.audit.services import record
from onestop.common.errors import ServiceError, both_languages, pick_message
from onestop.identity import selectors as identity
from onestop.identity.models import User
from onestop.notifications.services import notify
from onestop.supervision.models import Level, Warning


@dataclass(frozen=True)
class ClockReport:
    yellow: int
    red: int
    escalated: int
    resolved: int


def level_of(*, started: dt.date, due: dt.date, today: dt.date, share: float) -> str | None:
    """Red once ``due`` has passed; yellow once ``share`` of the working days from ``started``
    to ``due`` have gone by (or on the due date itself); else none (the case page and queue
    colour with the same rule: ``applications.services.clock_level``)."""
    level = cases.clock_level(started=started, due=due, today=today, share=share)
    return Level(level) if level else None


def _step_key(case: Application) -> str:
    return ",".join(sorted(r[2] for r in case.ready if r[1] != "applicant"))[:200]


def _recipients(case: Application) -> list[User]:
    workers: list[User] = []
    for step in case.open_steps.all():
        workers += (
            [step.assignee]
            if step.assignee is not None
            else cases.nearest_staff(cases.eligible_staff(case, step.lane))
        )
    supervisors = identity.staff_in_scope_of(region=case.region, roles=["supervisor"])
    return [*workers, *cases.nearest_staff([p.user for p in supervisors])]


def _raise(case: Application, level: str, due: dt.date, key: str) -> Warning | None:
    task = next((r[3] or r[0] for r in case.ready if r[1] != "applicant"), "")
    try:
        with transaction.atomic():
            warning = Warning.objects.create(
                application=case,
                region=case.region,
                level=level,
                step_key=key,
                task=task[:120],
                due=due,
                raised_at=timezone.now(),
            )
            record(
                actor=None,
                action=f"supervision.warning.{level}",
                target=case,
                changes={"task": task, "due": due},
            )
            notify(
                recipients=_recipients(case),
                event=f"supervision.{level}",
                context=cases.case_facts(case, task=task, due=due),
                link=cases.case_link(case),
            )
    except IntegrityError:
        return None  # raised before (another run got there first)
    return warning


def clock_run(*, today: dt.date | None = None) -> ClockReport:
    """Check every open case on the clock once."""
    today = today or timezone.localdate()
    share = float(getattr(settings, "ONESTOP_YELLOW_SHARE", 0.75))
    yellow = red = escalated = 0
    for case in applications.cases_on_clock():
        due = case.step_deadline or case.deadline
        started = case.step_started or timezone.localtime(case.submitted_at).date()
        level = level_of(started=started, due=due, today=today, share=share)
        if level is None:
            continue
        key = _step_key(case)
        if Warning.objects.filter(application=case, step_key=key, level=level).exists():
            continue
        warning = _raise(case, level, due, key)
        if warning is None:
            continue
        if level == Level.YELLOW:
            yellow += 1
            continue
        red += 1
        try:
            cases.application_escalate(
                actor=None,
                application=case,
                note=both_languages("超过时限，自动提级督办", "Overdue: escalated automatically"),
                automatic=True,
            )
        except ServiceError:
            continue  # already at the top level: the red warning stands for the supervisor
        Warning.objects.filter(pk=warning.pk).update(escalated=True)
        escalated += 1
    resolved = 0
    for warning in Warning.objects.filter(resolved_at__isnull=True).select_related("application"):
        case = warning.application
        if not applications.on_clock(case) or _step_key(case) != warning.step_key:
            resolved += Warning.objects.filter(pk=warning.pk).update(resolved_at=timezone.now())
    return ClockReport(yellow, red, escalated, resolved)


#: Why a step is stranded, for the supervisors' notification (both languages).
STRANDED_REASONS = {
    "no_step_row": ("待办记录缺失", "no record of the open step"),
    "holder_cannot_act": ("认领人已无权办理", "its holder may no longer act"),
    "nobody_eligible": ("无在岗的可办理人员", "no active staff member may act"),
}


def _escalate_to_staff(number: str) -> None:
    """A case whose region has no active staff member who may act on its open steps (a county
    without a case worker, everyone deactivated) goes up, as far as the province, to the
    nearest level where someone can act on every open step: it must not wait in a queue
    nobody reads. Where no level can, it stays and the supervisors are told (below)."""
    case = Application.objects.select_related("region", "escalated_to").get(number=number)
    lanes = list(OpenStep.objects.filter(application=case).values_list("lane", flat=True))
    target = (case.escalated_to or case.region).parent
    while target is not None:
        case.escalated_to = target
        if all(cases.eligible_staff(case, lane) for lane in lanes):
            break
        target = target.parent
    if target is None:
        return
    case.refresh_from_db()
    cases.application_escalate(
        actor=None,
        application=case,
        note=both_languages(
            "无在岗的可办理人员，自动提级", "Nobody at this level may act: escalated automatically"
        ),
        automatic=True,
        to=target,
    )


def ownership_check() -> int:
    """The daily ownership check: every open step nobody can act on is journaled and the
    nearest supervisors whose scope covers its case are told (once per step and day: the
    notification is the reminder until someone reassigns, releases or staffs it). Returns
    how many steps are stranded."""
    stranded = applications.steps_stranded()
    for number in sorted({s.number for s in stranded if s.reason == "nobody_eligible"}):
        _escalate_to_staff(number)
    if any(s.reason == "nobody_eligible" for s in stranded):
        stranded = applications.steps_stranded()
    if not stranded:
        return 0
    cases_by_number = {
        c.number: c
        for c in Application.objects.filter(number__in={s.number for s in stranded}).select_related(
            "region"
        )
    }
    with transaction.atomic():
        for s in stranded:
            case = cases_by_number[s.number]
            record(
                actor=None,
                action="supervision.stranded",
                target=case,
                changes={"task": s.task, "lane": s.lane, "holder": s.holder, "reason": s.reason},
            )
            supervisors = identity.staff_in_scope_of(region=case.region, roles=["supervisor"])
            notify(
                recipients=cases.nearest_staff([p.user for p in supervisors]),
                event="supervision.stranded",
                context=cases.case_facts(
                    case, task=s.task, note=lazy(pick_message, str)(*STRANDED_REASONS[s.reason])
                ),
                link=cases.case_link(case),
            )
    return len(stranded)
