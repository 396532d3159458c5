"""Cases API: file (apps and kiosks), read, act on a task, the queue, the public status."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from onestop.applications import selectors, services
from onestop.applications.models import Application, Channel
from onestop.common.errors import NotFound
from onestop.identity.api_auth import ANY_AUTH, require_scope

router = Router(tags=["applications"], auth=ANY_AUTH)


class ApplyIn(Schema):
    item_code: str = Field(..., examples=["SX-SI-006"])
    answers: dict[str, Any] = Field(default_factory=dict)


class StepOut(Schema):
    at: dt.datetime
    action: str
    task: str
    role: str
    note: str


class TaskOut(Schema):
    name: str
    lane: str
    title: str


class CaseOut(Schema):
    number: str
    item_code: str
    item_version: int
    item_name: str
    status: str
    channel: str
    deadline: dt.date
    paused: bool
    ready: list[TaskOut]
    timeline: list[StepOut]


class FiledOut(CaseOut):
    code: str


class ActIn(Schema):
    decision: str = "done"
    note: str = Field("", max_length=2000)


class StatusOut(Schema):
    number: str
    item_name: str
    status: str
    deadline: dt.date
    timeline: list[dict[str, Any]]


class ErrorOut(Schema):
    code: str
    message_zh: str
    message_en: str


def case_out(case: Application) -> dict[str, Any]:
    return {
        "number": case.number,
        "item_code": case.item_code,
        "item_version": case.item_version,
        "item_name": case.item_name,
        "status": case.status,
        "channel": case.channel,
        "deadline": case.deadline,
        "paused": case.paused_since is not None,
        "ready": [{"name": t, "lane": lane, "title": title} for t, lane, _, title in case.ready],
        "timeline": [
            {"at": s.at, "action": s.action, "task": s.task, "role": s.role, "note": s.note}
            for s in case.steps.all()
        ],
    }


@router.post("/applications", response={201: FiledOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def apply(request: HttpRequest, payload: ApplyIn) -> Status[dict[str, Any]]:
    """File a case for the signed-in person (mobile apps and kiosks)."""
    require_scope(request, "applications:write")
    person = getattr(request.user, "person", None)
    if person is None:
        raise NotFound()
    filed = services.application_submit(
        actor=request.user,
        item_code=payload.item_code,
        applicant=person,
        answers=payload.answers,
        channel=Channel.API,
    )
    return Status(201, {**case_out(filed.application), "code": filed.code})


@router.get("/applications/status", response={200: StatusOut, 404: ErrorOut}, auth=None)
def status(request: HttpRequest, number: str, code: str) -> dict[str, Any]:
    """Where a case stands, for anyone with its number and query code."""
    case = selectors.status_public(number=number, code=code)
    return {
        "number": case.number,
        "item_name": case.item_name,
        "status": case.status,
        "deadline": case.deadline,
        "timeline": [{"at": s.at.isoformat(), "action": s.action} for s in case.steps.all()],
    }


@router.get("/applications/{number}", response={200: CaseOut, 404: ErrorOut})
def case(request: HttpRequest, number: str) -> dict[str, Any]:
    require_scope(request, "applications:read")
    return case_out(selectors.application_for(actor=request.user, number=number))


@router.post(
    "/applications/{number}/tasks/{task}",
    response={200: CaseOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
)
def act(request: HttpRequest, number: str, task: str, payload: ActIn) -> dict[str, Any]:
    """Complete a ready task (accept, supplement, review...)."""
    require_scope(request, "applications:write")
    found = selectors.application_for(actor=request.user, number=number)
    return case_out(
        services.application_act(
            actor=request.user,
            application=found,
            task=task,
            decision=payload.decision,
            note=payload.note,
        )
    )


@router.get("/queue", response=list[CaseOut])
def queue(request: HttpRequest) -> list[dict[str, Any]]:
    """Open cases with a task the signed-in staff member may do."""
    require_scope(request, "applications:read")
    return [case_out(c) for c in selectors.queue_for(actor=request.user)]
