"""Work-queue operations: claim and release, transfer to a colleague, a supervisor's
reassignment, internal comments, and escalation a level up.

Every operation is journaled and written to the case's timeline in the same transaction.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from onestop.applications.models import FINAL, Application, Comment
from onestop.applications.services.cases import (
    case_facts,
    case_link,
    eligible_staff,
    locked,
    may_act,
    nearest_staff,
    step_add,
)
from onestop.audit.services import record
from onestop.common.errors import NotPermitted, ServiceError
from onestop.identity import policy
from onestop.identity.models import Region, User
from onestop.notifications.services import notify


def _staff_lanes(case: Application) -> list[str]:
    return [lane for _, lane, _, _ in case.ready if lane != "applicant"]


def may_work_on(actor: Any, case: Application) -> bool:
    """Whether ``actor`` may act on one of the case's open staff steps."""
    return any(may_act(actor, case, lane) for lane in _staff_lanes(case))


def may_reassign(actor: Any, case: Application) -> bool:
    return policy.allows(actor, policy.REASSIGN_CASES, case.region)


def _open(case: Application) -> None:
    if case.status in FINAL or not _staff_lanes(case):
        raise ServiceError(
            "该办件当前没有待办环节。", "This case has no open staff step.", code="not_ready"
        )


def application_claim(*, actor: Any, application: Application) -> Application:
    """Take the case's open step; others see it as claimed until it is released."""
    with transaction.atomic():
        case = locked(application)
        if not may_work_on(actor, case):
            raise NotPermitted()
        _open(case)
        if case.assignee_id == actor.pk:
            return case
        if case.assignee_id is not None:
            raise ServiceError(
                "该办件已由其他工作人员认领。",
                "Another staff member has claimed this case.",
                code="claimed",
            )
        case.assignee = actor
        case.save(update_fields=["assignee"])
        step_add(case, actor, "claimed")
        record(actor=actor, action="applications.claimed", target=case)
    return case


def application_release(*, actor: Any, application: Application, note: str = "") -> Application:
    """Give a claimed case back to the team (its holder, or a supervisor)."""
    with transaction.atomic():
        case = locked(application)
        if case.assignee_id != actor.pk and not may_reassign(actor, case):
            raise NotPermitted()
        if case.assignee_id is None:
            raise ServiceError("该办件未被认领。", "Nobody has claimed this case.", code="free")
        holder = case.assignee
        case.assignee = None
        case.save(update_fields=["assignee"])
        step_add(case, actor, "released", note=note)
        record(
            actor=actor,
            action="applications.released",
            target=case,
            changes={"from": holder.get_username() if holder else ""},
        )
    return case


def _hand_over(*, actor: Any, case: Application, to: User, note: str, action: str) -> Application:
    if to.pk in (case.assignee_id, actor.pk):
        raise ServiceError(
            "请选择另一位工作人员。",
            "Choose someone else (not yourself or the holder).",
            code="same",
        )
    if not may_work_on(to, case):
        raise ServiceError(
            "接收人无权办理该环节（角色或辖区不符）。",
            "That person may not act on this step (role or region).",
            code="recipient",
        )
    previous = case.assignee
    case.assignee = to
    case.save(update_fields=["assignee"])
    step_add(case, actor, action, note=f"→ {to.get_username()}" + (f": {note}" if note else ""))
    record(
        actor=actor,
        action=f"applications.{action}",
        target=case,
        changes={
            "from": previous.get_username() if previous else "",
            "to": to.get_username(),
        },
    )
    task = next(title or name for name, lane, _, title in case.ready if lane != "applicant")
    notify(
        recipients=[to],
        event="applications.task",
        context=case_facts(case, task=task, due=case.step_deadline or case.deadline),
        link=case_link(case),
    )
    return case


def application_transfer(
    *, actor: Any, application: Application, to: User, note: str = ""
) -> Application:
    """Hand the open step to a colleague who may also act on it (its holder, or anyone
    eligible while it is unclaimed)."""
    with transaction.atomic():
        case = locked(application)
        if not may_work_on(actor, case) or case.assignee_id not in (None, actor.pk):
            raise NotPermitted()
        _open(case)
        return _hand_over(actor=actor, case=case, to=to, note=note, action="transferred")


def application_reassign(
    *, actor: Any, application: Application, to: User, note: str = ""
) -> Application:
    """A supervisor in scope gives the open step to an eligible staff member."""
    with transaction.atomic():
        case = locked(application)
        if not may_reassign(actor, case):
            raise NotPermitted()
        _open(case)
        return _hand_over(actor=actor, case=case, to=to, note=note, action="reassigned")


def application_comment(*, actor: Any, application: Application, body: str) -> Comment:
    """An internal note by staff who may see the case; the applicant does not see it."""
    body = (body or "").strip()
    if not policy.is_staff_member(actor) or not policy.allows(
        actor, policy.VIEW_PERSON, application.applicant
    ):
        raise NotPermitted()
    if not body:
        raise ServiceError("请填写意见内容。", "Write the comment.", code="body")
    with transaction.atomic():
        comment = Comment.objects.create(
            application=application, author=actor, at=timezone.now(), body=body[:4000]
        )
        record(
            actor=actor,
            action="applications.commented",
            target=application,
            changes={"comment": comment.pk},
        )
    return comment


def application_escalate(
    *, actor: Any, application: Application, note: str, automatic: bool = False
) -> Application:
    """Send the case a level up (county -> city -> province).

    Staff who may act on its open step escalate it with a reason; the clock does so on a red
    warning (``actor`` None, ``automatic``). Staff below the new level no longer act on it.
    """
    note = (note or "").strip()
    with transaction.atomic():
        case = locked(application)
        if not automatic and (
            not may_work_on(actor, case) or case.assignee_id not in (None, actor.pk)
        ):
            raise NotPermitted()
        _open(case)
        if not note:
            raise ServiceError("请写明提级原因。", "Give the reason to escalate.", code="note")
        current = case.escalated_to or case.region
        parent: Region | None = current.parent
        if parent is None:
            raise ServiceError(
                "已是省级，无法再提级。", "The case is already at province level.", code="top"
            )
        case.escalated_to, case.assignee = parent, None
        case.save(update_fields=["escalated_to", "assignee"])
        step_add(case, actor, "escalated", note=f"→ {parent.code} {parent.name}: {note}")
        record(
            actor=actor,
            action="applications.escalated",
            target=case,
            changes={"from": current.code, "to": parent.code, "automatic": automatic},
        )
        recipients: list[User] = []
        for lane in dict.fromkeys(_staff_lanes(case)):
            recipients += nearest_staff(eligible_staff(case, lane))
        notify(
            recipients=recipients,
            event="applications.escalated",
            context=case_facts(case, region=parent.name, note=note),
            link=case_link(case),
        )
    return case
