"""Work-queue operations on a case's open steps: claim and release, transfer to a colleague,
a supervisor's reassignment, internal comments, escalation a level up, and releasing the
claims of a staff member who leaves.

Each open staff step (``OpenStep``) is claimed on its own, so the departments of a joint
review work their branches side by side. The ownership invariant: every open step has
someone who can act on it, its holder or, unclaimed, at least one active eligible staff
member (``selectors.steps_stranded`` lists any that has not; ``onestop cases verify``).

Every operation is journaled and written to the case's timeline in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.functional import lazy

from onestop.applications.models import FINAL, Application, Comment, OpenStep
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
from onestop.common.errors import (
    NotPermitted,
    ServiceError,
    both_languages,
    languages_of,
    pick_message,
)
from onestop.common.templatetags.one_language import pick
from onestop.identity import policy
from onestop.identity.masking import mask_resident_ids_in
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


def _step(case: Application, task: str | None, fits: Any, fallback: Any = None) -> OpenStep:
    """The open step named ``task`` (locked), or, without a name, the first open step that
    ``fits``, else the first that ``fallback`` accepts (so the caller's checks say why it
    may not); refused when there is none."""
    _open(case)
    steps = list(
        OpenStep.objects.select_for_update(of=("self",))
        .filter(application=case)
        .select_related("assignee")
        .order_by("pk")
    )
    if task:
        found = next((s for s in steps if s.name == task), None)
    else:
        found = next((s for s in steps if fits(s)), None)
        if found is None and fallback is not None:
            found = next((s for s in steps if fallback(s)), None)
    if found is None:
        raise ServiceError("该环节当前不可办理。", "That step is not open now.", code="not_ready")
    return found


def _claimed_error() -> ServiceError:
    return ServiceError(
        "该环节已由其他工作人员认领。",
        "Another staff member has claimed this step.",
        code="claimed",
    )


def application_claim(
    *, actor: Any, application: Application, task: str | None = None
) -> Application:
    """Take an open step (``task``, or the first unclaimed one ``actor`` may act on); others
    see it as claimed until it is released. Parallel steps are claimed separately."""
    return application_claim_new(actor=actor, application=application, task=task)[0]


def application_claim_new(
    *, actor: Any, application: Application, task: str | None = None
) -> tuple[Application, bool]:
    """``application_claim``, and whether the step was newly claimed (False: ``actor``
    held it already, nothing was written)."""
    with transaction.atomic():
        case = locked(application)
        if not may_work_on(actor, case):
            raise NotPermitted()
        step = _step(
            case,
            task,
            lambda s: may_act(actor, case, s.lane) and s.assignee_id in (None, actor.pk),
            lambda s: may_act(actor, case, s.lane),
        )
        if not may_act(actor, case, step.lane):
            raise NotPermitted()
        if step.assignee_id == actor.pk:
            return case, False
        if step.assignee_id is not None:
            raise _claimed_error()
        step.assignee = actor
        step.save(update_fields=["assignee"])
        step_add(case, actor, "claimed", task=step.name)
        record(actor=actor, action="applications.claimed", target=case, changes={"task": step.name})
    return case, True


def _release(case: Application, step: OpenStep, actor: Any, note: str | Mapping[str, str]) -> None:
    holder = step.assignee
    step.assignee = None
    step.save(update_fields=["assignee"])
    step_add(case, actor, "released", task=step.name, note=note)
    record(
        actor=actor,
        action="applications.released",
        target=case,
        changes={"task": step.name, "from": holder.get_username() if holder else ""},
    )


def application_release(
    *, actor: Any, application: Application, note: str = "", task: str | None = None
) -> Application:
    """Give a claimed step back to the team (its holder, or a supervisor in scope)."""
    with transaction.atomic():
        case = locked(application)
        reassigns = may_reassign(actor, case)
        steps = list(
            OpenStep.objects.select_for_update(of=("self",))
            .filter(application=case)
            .select_related("assignee")
            .order_by("pk")
        )
        if task:
            step = next((s for s in steps if s.name == task), None)
            if step is None:
                raise ServiceError(
                    "该环节当前不可办理。", "That step is not open now.", code="not_ready"
                )
        else:
            held = [s for s in steps if s.assignee_id is not None]
            step = next((s for s in held if s.assignee_id == actor.pk), None) or (
                held[0] if held and reassigns else None
            )
        if step is None or step.assignee_id is None:
            if not reassigns and (step is None or step.assignee_id != actor.pk):
                raise NotPermitted()
            raise ServiceError("该环节未被认领。", "Nobody has claimed this step.", code="free")
        if step.assignee_id != actor.pk and not reassigns:
            raise NotPermitted()
        _release(case, step, actor, note)
    return case


def _hand_over(
    *, actor: Any, case: Application, step: OpenStep, to: User, note: str, action: str
) -> Application:
    if to.pk in (step.assignee_id, actor.pk):
        raise ServiceError(
            "请选择另一位工作人员。",
            "Choose someone else (not yourself or the holder).",
            code="same",
        )
    if not may_act(to, case, step.lane):
        raise ServiceError(
            "接收人无权办理该环节（角色或辖区不符）。",
            "That person may not act on this step (role or region).",
            code="recipient",
        )
    previous = step.assignee
    step.assignee = to
    step.save(update_fields=["assignee"])
    step_add(
        case,
        actor,
        action,
        task=step.name,
        note=f"→ {to.get_username()}" + (f": {note}" if note else ""),
    )
    record(
        actor=actor,
        action=f"applications.{action}",
        target=case,
        changes={
            "task": step.name,
            "from": previous.get_username() if previous else "",
            "to": to.get_username(),
        },
    )
    notify(
        recipients=[to],
        event="applications.task",
        context=case_facts(
            case, task=step.title or step.name, due=case.step_deadline or case.deadline
        ),
        link=case_link(case),
    )
    return case


def application_transfer(
    *, actor: Any, application: Application, to: User, note: str = "", task: str | None = None
) -> Application:
    """Hand an open step to a colleague who may also act on it (its holder, or anyone
    eligible while it is unclaimed)."""
    with transaction.atomic():
        case = locked(application)
        if not may_work_on(actor, case):
            raise NotPermitted()
        step = _step(
            case,
            task,
            lambda s: may_act(actor, case, s.lane) and s.assignee_id in (None, actor.pk),
            lambda s: may_act(actor, case, s.lane),
        )
        if not may_act(actor, case, step.lane) or step.assignee_id not in (None, actor.pk):
            raise NotPermitted()
        return _hand_over(actor=actor, case=case, step=step, to=to, note=note, action="transferred")


def application_reassign(
    *, actor: Any, application: Application, to: User, note: str = "", task: str | None = None
) -> Application:
    """A supervisor in scope gives an open step (``task``, or the first one ``to`` may act
    on) to an eligible staff member, whoever holds it now."""
    with transaction.atomic():
        case = locked(application)
        if not may_reassign(actor, case):
            raise NotPermitted()
        step = _step(case, task, lambda s: may_act(to, case, s.lane), lambda s: True)
        return _hand_over(actor=actor, case=case, step=step, to=to, note=note, action="reassigned")


def application_comment(*, actor: Any, application: Application, body: str) -> Comment:
    """An internal note by staff who may see the case (HRSS staff in scope, or another
    department's officer on a step of theirs); the applicant does not see it."""
    body = (body or "").strip()
    if not policy.is_staff_member(actor) or not (
        policy.allows(actor, policy.VIEW_PERSON, application.applicant)
        or may_work_on(actor, application)
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
    *,
    actor: Any,
    application: Application,
    note: str | Mapping[str, str],
    automatic: bool = False,
    to: Region | None = None,
) -> Application:
    """Send the case a level up (county -> city -> province).

    Staff who may act on an open step (and hold none another has claimed) escalate it with a
    reason; the clock does so on a red warning (``actor`` None, ``automatic``). The open
    steps land unclaimed in the higher level's queue, where its HRSS case workers and
    reviewers act on them; staff below that level no longer do. Refused (code ``nobody``)
    when nobody at the higher level could act on an open step: the case stays where someone
    can, and a supervisor reassigns it.
    """
    # A person's reason as written; the platform's own (``both_languages``) in each.
    zh, en = languages_of(note) if isinstance(note, Mapping) else ((note or "").strip(), "")
    with transaction.atomic():
        case = locked(application)
        steps = list(OpenStep.objects.select_for_update(of=("self",)).filter(application=case))
        if not automatic and (
            not may_work_on(actor, case)
            or any(
                s.assignee_id not in (None, actor.pk) and may_act(actor, case, s.lane)
                for s in steps
            )
        ):
            raise NotPermitted()
        _open(case)
        if not zh:
            raise ServiceError("请写明提级原因。", "Give the reason to escalate.", code="note")
        current = case.escalated_to or case.region
        parent: Region | None = current.parent
        if to is not None and automatic:
            # The platform may skip a level nobody staffs (``to``: an ancestor of ``current``).
            ancestors = []
            walk = parent
            while walk is not None:
                ancestors.append(walk.pk)
                walk = walk.parent
            if to.pk not in ancestors:
                raise ServiceError("提级目标无效。", "Not a level above the case.", code="to")
            parent = to
        if parent is None:
            raise ServiceError(
                "已是省级，无法再提级。", "The case is already at province level.", code="top"
            )
        case.escalated_to = parent
        stranded = [s.title or s.name for s in steps if not eligible_staff(case, s.lane)]
        if stranded:
            raise ServiceError(
                f"{parent.name}没有可办理该环节的工作人员：{'、'.join(stranded)}。",
                f"Nobody at {parent.name_en or parent.name} may act on: {', '.join(stranded)}.",
                code="nobody",
            )
        case.save(update_fields=["escalated_to"])
        to_level = f"→ {parent.code} {parent.name}: "
        step_add(
            case,
            actor,
            "escalated",
            note=both_languages(to_level + zh, to_level + en) if en else to_level + zh,
        )
        record(
            actor=actor,
            action="applications.escalated",
            target=case,
            changes={"from": current.code, "to": parent.code, "automatic": automatic},
        )
        # Claims of staff who may no longer act (below the new level) go back to the queue.
        for step in steps:
            if step.assignee is not None and not may_act(step.assignee, case, step.lane):
                _release(case, step, actor, note=both_languages("提级", "escalated"))
        recipients: list[User] = []
        for lane in dict.fromkeys(_staff_lanes(case)):
            recipients += nearest_staff(eligible_staff(case, lane))
        notify(
            recipients=recipients,
            event="applications.escalated",
            context=case_facts(
                case,
                region=lazy(pick, str)(parent, "name"),
                # The platform's own note in the reader's language; a person's as written.
                note=lazy(pick_message, str)(zh, en) if en else mask_resident_ids_in(zh),
            ),
            link=case_link(case),
        )
    return case


def claims_release_of(*, user: User, actor: Any = None, note: str = "") -> int:
    """Release every step ``user`` holds (their account is being deactivated or moved), so
    the steps return to their team's queue; returns how many. Runs in the caller's
    transaction (identity's deactivation calls it through its hook)."""
    released = 0
    with transaction.atomic():
        held = (
            OpenStep.objects.select_for_update(of=("self",))
            .filter(assignee=user)
            .select_related("application", "assignee")
            .order_by("pk")
        )
        for step in held:
            _release(
                step.application,
                step,
                actor,
                note=note or both_languages("停用", "account deactivated"),
            )
            released += 1
    return released
