"""Cases: filing on any channel, acting on the process's tasks, withdrawing.

Who may act on a ready task is decided by its BPMN lane: ``applicant`` (the applicant),
``case_worker``/``reviewer`` (staff of that role whose region scope covers the case), or a
department (``civil_affairs``, ``medical_insurance``: staff of such an agency in scope).
The clock: the deadline is the promised limit in working days from filing; while the case waits
for the applicant's supplement it is paused, and the deadline moves by the working days spent.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

import jsonschema
from django.db import IntegrityError, transaction
from django.utils import timezone

from onestop.applications.models import FINAL, Application, Channel, Status, Step
from onestop.audit.services import record
from onestop.catalogue import selectors as catalogue
from onestop.common.digests import code_hash, new_code
from onestop.common.errors import NotPermitted, ServiceError
from onestop.common.workdays import add_working_days, working_days_between
from onestop.identity import policy
from onestop.identity.models import Person
from onestop.workflow import engine

DECISIONS = {
    "accept": {"accept", "supplement", "not_accept"},
    "review": {"approve", "reject"},
    "decide": {"approve", "reject"},
}


@dataclass(frozen=True)
class Filed:
    application: Application
    code: str  # the verification code for the public status query, shown once


def _ready(instance: engine.Instance) -> list[list[str]]:
    return [[t.name, t.lane, t.id, t.title] for t in instance.ready]


def _step(
    application: Application, actor: Any, action: str, task: str = "", note: str = ""
) -> None:
    Step.objects.create(
        application=application,
        at=timezone.now(),
        actor_label=actor.get_username(),
        role=policy.role_of(actor),
        action=action,
        task=task,
        note=note[:2000],
    )


def application_submit(
    *,
    actor: Any,
    item_code: str,
    applicant: Person,
    answers: dict[str, Any],
    channel: str = Channel.ONLINE,
    consent: bool = False,
) -> Filed:
    """File a case for ``applicant``: by themselves online or through the API, or by a case
    worker at a counter with the applicant's recorded consent."""
    if channel in (Channel.ONLINE, Channel.API):
        if getattr(actor, "person", None) is None or actor.person.pk != applicant.pk:
            raise NotPermitted()
    elif channel == Channel.COUNTER:
        profile = policy.staff_profile(actor)
        if (
            profile is None
            or profile.role != "case_worker"
            or not policy.in_scope(profile, applicant.region)
        ):
            raise NotPermitted()
        if not consent:
            raise ServiceError(
                "柜台代办须记录申请人的同意。",
                "Filing at a counter needs the applicant's consent recorded.",
                code="consent",
            )
    else:
        raise ServiceError("未知的办理渠道。", "Unknown channel.", code="channel")
    item = catalogue.item_get(code=item_code)
    if not engine.has_process(item.process) or channel not in [*item.channels, "api"]:
        raise ServiceError(
            "该事项暂不支持此渠道在线办理。",
            "This service cannot be filed on this channel yet.",
            code="channel",
        )
    if item.form_schema:
        try:
            jsonschema.validate(answers, item.form_schema)
        except jsonschema.ValidationError as exc:
            field = ".".join(str(p) for p in exc.absolute_path) or "form"
            raise ServiceError(
                f"表单填写有误（{field}）：{exc.message}",
                f"The form is not valid ({field}): {exc.message}",
                code="form",
            ) from exc
    code = new_code()
    now = timezone.now()
    deadline = add_working_days(timezone.localdate(), item.promised_limit_days)
    instance = engine.start(file_name=item.process, process_id=item.process.removesuffix(".bpmn"))
    for _ in range(5):
        number = f"SX{timezone.localtime(now):%Y%m%d}{secrets.randbelow(10**6):06d}"
        try:
            with transaction.atomic():
                application = Application.objects.create(
                    number=number,
                    code_hash=code_hash(code),
                    item_code=item.code,
                    item_version=item.version,
                    item_name=item.name,
                    applicant=applicant,
                    region=applicant.region,
                    channel=channel,
                    filed_by=actor,
                    consent_at=now if channel == Channel.COUNTER else None,
                    answers=answers,
                    workflow_state=instance.state,
                    ready=_ready(instance),
                    submitted_at=now,
                    deadline=deadline.date,
                    deadline_provisional=deadline.provisional,
                )
                _step(application, actor, "submitted", note=channel)
                record(
                    actor=actor,
                    action="applications.submitted",
                    target=application,
                    changes={"item": f"{item.code} v{item.version}", "channel": channel},
                )
            return Filed(application, code)
        except IntegrityError:
            continue  # the random number was taken; draw another
    raise ServiceError("系统繁忙，请重试。", "Please try again.", code="busy")


def may_act(actor: Any, application: Application, lane: str) -> bool:
    if lane == "applicant":
        person = getattr(actor, "person", None) if actor.is_authenticated else None
        return person is not None and person.pk == application.applicant_id
    profile = policy.staff_profile(actor)
    if profile is None or not policy.in_scope(profile, application.region):
        return False
    if lane in ("case_worker", "reviewer"):
        return bool(profile.role == lane)
    return bool(profile.agency.kind == lane and profile.role in ("case_worker", "reviewer"))


def application_act(
    *, actor: Any, application: Application, task: str, decision: str = "done", note: str = ""
) -> Application:
    """Complete a ready task of the case. A supplement request must list what is missing."""
    with transaction.atomic():
        case = Application.objects.select_for_update().get(pk=application.pk)
        entry = next((r for r in case.ready if r[0] == task), None)
        if entry is None or case.status in FINAL:
            raise ServiceError(
                "该环节当前不可办理。", "That step is not open now.", code="not_ready"
            )
        if not may_act(actor, case, entry[1]):
            raise NotPermitted()
        allowed = DECISIONS.get(task, {"done"})
        if decision not in allowed:
            raise ServiceError(
                f"办理结果应为：{', '.join(sorted(allowed))}。",
                f"The decision must be one of: {', '.join(sorted(allowed))}.",
                code="decision",
            )
        if decision in ("supplement", "not_accept", "reject") and not note.strip():
            raise ServiceError(
                "请写明原因（补正须一次性列明全部所需材料）。",
                "Give the reasons (a supplement request lists everything missing at once).",
                code="note",
            )
        instance = engine.complete(
            state=case.workflow_state, task_id=entry[2], data={"decision": decision}
        )
        today = timezone.localdate()
        if task == "supplement" and case.paused_since is not None:
            paused = working_days_between(case.paused_since, today)
            moved = add_working_days(case.deadline, paused)
            case.deadline, case.paused_since = moved.date, None
            case.deadline_provisional = case.deadline_provisional or moved.provisional
            case.status = Status.SUBMITTED
        elif decision == "supplement":
            case.status, case.paused_since = Status.SUPPLEMENT, today
        elif decision == "accept":
            case.status = Status.IN_REVIEW
        elif decision in ("not_accept", "approve", "reject"):
            case.status = {
                "not_accept": Status.NOT_ACCEPTED,
                "approve": Status.APPROVED,
                "reject": Status.REJECTED,
            }[decision]
            case.completed_at = timezone.now()
        case.workflow_state, case.ready = instance.state, _ready(instance)
        case.save()
        _step(case, actor, decision if decision != "done" else "completed", task=task, note=note)
        record(
            actor=actor,
            action=f"applications.{task}.{decision}",
            target=case,
            changes={"status": case.status, "deadline": case.deadline},
        )
    return case


def application_withdraw(*, actor: Any, application: Application, note: str = "") -> None:
    if not may_act(actor, application, "applicant"):
        raise NotPermitted()
    with transaction.atomic():
        case = Application.objects.select_for_update().get(pk=application.pk)
        if case.status in FINAL:
            raise ServiceError("该办件已办结。", "This case is already closed.", code="closed")
        case.status, case.ready, case.completed_at = Status.WITHDRAWN, [], timezone.now()
        case.save(update_fields=["status", "ready", "completed_at"])
        _step(case, actor, "withdrawn", note=note)
        record(actor=actor, action="applications.withdrawn", target=case)


def overdue(application: Application, today: dt.date) -> bool:
    return (
        application.status not in FINAL
        and application.paused_since is None
        and application.deadline < today
    )
