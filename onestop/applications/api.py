"""Cases API: file (apps and kiosks), read, act on a task, the queue, the public status."""

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from onestop.applications import (
    bulk,
    employers,
    labels,
    prechecks,
    prefill,
    selectors,
    services,
)
from onestop.applications.models import Application, Channel
from onestop.applications.templatetags.case_text import note_in_language
from onestop.catalogue import selectors as catalogue
from onestop.common.errors import NotFound, NotPermitted, ServiceError, messages_of
from onestop.common.pagination import Mapped, bounded
from onestop.common.throttles import address_throttle
from onestop.identity import policy
from onestop.identity import selectors as identity
from onestop.identity.api_auth import ANY_AUTH, scoped
from onestop.identity.masking import mask_name, mask_resident_id, mask_resident_ids_in
from onestop.identity.models import User

router = Router(tags=["applications"], auth=ANY_AUTH)


class ApplyIn(Schema):
    item_code: str = Field(..., examples=["SX-SI-006"])
    answers: dict[str, Any] = Field(default_factory=dict)


class StepOut(Schema):
    at: dt.datetime
    action: str
    task: str
    role: str
    note: str = Field(
        description="a person's note as written; the platform's own in the request's language"
    )

    @staticmethod
    def resolve_note(obj: Any) -> str:
        """The note with any resident ID written in it masked, as the case page shows it."""
        from onestop.applications.templatetags.case_text import note_in_language

        note = obj["note"] if isinstance(obj, dict) else note_in_language(obj)
        return mask_resident_ids_in(str(note))


class TaskOut(Schema):
    name: str
    lane: str
    title: str
    holder: str | None = Field(None, description="login of the staff member who claimed it")


class MaterialOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sm3: str
    at: dt.datetime


class CaseOut(Schema):
    number: str
    item_code: str
    item_version: int
    item_name: str
    status: str
    channel: str
    deadline: dt.date
    step_deadline: dt.date | None
    paused: bool
    assignee: str | None = Field(
        None, description="login of the holder of the first claimed open step (see ready)"
    )
    clock: str = Field(
        "", description='the running clock: "green", "yellow", "red", or "" when not running'
    )
    days_left: int | None = Field(
        None, description="working days to the step's deadline (negative: overdue)"
    )
    escalated_to: str | None
    facts: dict[str, Any]
    licences: list[dict[str, Any]]
    ready: list[TaskOut]
    materials: list[MaterialOut]
    timeline: list[StepOut]


class HandoverIn(Schema):
    to: str = Field(..., description="the colleague's login name", examples=["rita"])
    note: str = Field("", max_length=500)
    task: str | None = Field(
        None, max_length=64, description="the open step (BPMN id); default: the first that fits"
    )


class NoteIn(Schema):
    note: str = Field(..., max_length=500)


class CommentIn(Schema):
    body: str = Field(..., max_length=4000)


class CommentOut(Schema):
    id: int
    author: str
    at: dt.datetime
    body: str

    @staticmethod
    def resolve_body(obj: Any) -> str:
        body = obj["body"] if isinstance(obj, dict) else obj.body
        return mask_resident_ids_in(str(body))


class FiledOut(CaseOut):
    code: str


class ActIn(Schema):
    decision: str = "done"
    note: str = Field("", max_length=2000)
    established: dict[str, str] = Field(
        default_factory=dict,
        description="facts the decider establishes, those the case's facts list under "
        '"establish" (e.g. {"post_category": "cadre"} or "worker" for a woman whose post was '
        "not on record); an approval needs each one",
    )


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


def facts_out(facts: dict[str, Any]) -> dict[str, Any]:
    """A case's facts for the API: a text the platform recorded in each language (a
    refusal) as the API's errors carry one: ``message`` in the request's language, with
    ``message_zh`` and ``message_en``."""
    return {
        key: messages_of(value) if key in labels.BILINGUAL_FACTS and value else value
        for key, value in facts.items()
    }


def applicant_licences(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The licence rows as the applicant reads them: a licence about someone else (the
    deceased's death certificate) without its number."""
    from onestop.exchange.licences import SOURCES

    return [
        {k: v for k, v in row.items() if k != "number"}
        if getattr(SOURCES.get(str(row.get("licence_type", ""))), "subject_field", "")
        else row
        for row in rows or []
    ]


def case_out(case: Application, viewer: Any) -> dict[str, Any]:
    """The case as ``viewer`` may read it: staff see who holds each step and every timeline
    event; the applicant sees no staff login and none of the staff's internal events."""
    staff = policy.is_staff_member(viewer)
    holders = {
        s.task_id: s.assignee.get_username()
        for s in case.open_steps.select_related("assignee")
        if s.assignee is not None and staff
    }
    clock = services.clock_of(case, timezone.localdate())
    return {
        "number": case.number,
        "item_code": case.item_code,
        "item_version": case.item_version,
        "item_name": _item_name(case),
        "status": case.status,
        "channel": case.channel,
        "deadline": case.deadline,
        "step_deadline": case.step_deadline,
        "paused": case.paused_since is not None,
        "assignee": next(iter(holders.values()), None),
        "clock": clock.colour,
        "days_left": clock.days_left,
        "escalated_to": case.escalated_to.code if case.escalated_to else None,
        "facts": facts_out(case.facts),
        "licences": case.licences if staff else applicant_licences(case.licences),
        "ready": [
            {"name": t, "lane": lane, "title": title, "holder": holders.get(task_id)}
            for t, lane, task_id, title in case.ready
        ],
        "materials": [
            {
                "id": m.pk,
                "name": m.name,
                "content_type": m.content_type,
                "size": m.size,
                "sm3": m.checksum,
                "at": m.at,
            }
            for m in case.materials.all()
        ],
        "timeline": [
            {
                "at": s.at,
                "action": s.action,
                "task": s.task,
                "role": s.role,
                "note": note_in_language(s),
            }
            for s in selectors.timeline_for(actor=viewer, case=case)
        ],
    }


@router.post(
    "/applications",
    response={201: FiledOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    auth=scoped("applications:write"),
)
def apply(request: HttpRequest, payload: ApplyIn) -> Status[dict[str, Any]]:
    """File a case for the signed-in person (mobile apps and kiosks)."""
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
    return Status(201, {**case_out(filed.application, request.user), "code": filed.code})


class EnrolledCaseOut(Schema):
    number: str
    status: str
    employee: str = Field(..., description="the employee's name, masked")
    resident_id: str = Field(..., description="masked")
    start_month: str


class EnrolledOut(Schema):
    count: int
    cases: list[EnrolledCaseOut]


class EnrolmentRejectedOut(ErrorOut):
    """A refused file: every row's reason in ``errors`` (``line``: the file's line, 2 the
    first after the header; ``field``; ``message_zh``; ``message_en``); a request refused
    before its rows were read (a malformed body) has the request's field errors there."""

    accepted: bool = False
    errors: list[dict[str, Any]] = []


@router.post(
    "/employers/{employer_id}/enrolments/file",
    response={
        201: EnrolledOut,
        400: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: EnrolmentRejectedOut,
    },
    auth=scoped("applications:write"),
)
def enrol_file(
    request: HttpRequest, employer_id: int, file: File[UploadedFile]
) -> Status[dict[str, Any]]:
    """Enrol employees from a CSV file (UTF-8; the columns of the page ``/employer/<id>/enrol/``,
    in Chinese or English): one SX-SI-002 case each, all or none. A refused row refuses the
    file (422) with every row's reason in Chinese and English, and nothing is enrolled."""
    employer = identity.employer_get_for(actor=request.user, employer_id=employer_id)
    employers.check_file_size(file.size)
    filed = employers.enrolment_file(actor=request.user, employer=employer, data=file.read())
    return Status(
        201,
        {
            "count": len(filed),
            "cases": [
                {
                    "number": case.number,
                    "status": case.status,
                    "employee": mask_name(str(case.answers.get("employee_name", ""))),
                    "resident_id": mask_resident_id(
                        str(case.answers.get("employee_resident_id", "")).upper()
                    ),
                    "start_month": str(case.answers.get("start_month", "")),
                }
                for case in filed
            ],
        },
    )


class NoteOut(Schema):
    code: str
    blocks: bool = Field(..., description="true: filing is refused for this reason")
    message_zh: str
    message_en: str


class PrecheckOut(Schema):
    item_code: str
    eligible: bool
    notes: list[NoteOut]
    choices: dict[str, list[str]] = Field(
        ..., description="the values each named field may take for this person"
    )
    prefill: dict[str, Any] = Field(..., description="answers known from the person's record")


@router.get(
    "/applications/precheck",
    response={200: PrecheckOut, 404: ErrorOut},
    auth=scoped("applications:read"),
)
def precheck(request: HttpRequest, item_code: str) -> dict[str, Any]:
    """Before filing: whether the signed-in person may apply for the item, what they may
    choose, what they should know (the same notes and offer as the online form), and the
    answers the platform fills in from their record."""
    person = getattr(request.user, "person", None)
    if person is None:
        raise NotFound()
    item = catalogue.item_get(code=item_code)
    found = prechecks.precheck(person=person, item_code=item.code, today=timezone.localdate())
    return {
        "item_code": item.code,
        "eligible": found.eligible,
        "notes": [
            {"code": n.code, "blocks": n.blocks, "message_zh": n.zh, "message_en": n.en}
            for n in found.notes
        ],
        "choices": found.choices,
        "prefill": prefill.prefill(person=person, item=item),
    }


@router.get(
    "/applications/status",
    response={200: StatusOut, 404: ErrorOut},
    auth=None,
    throttle=[address_throttle("lookup")],
)
def status(request: HttpRequest, number: str, code: str) -> dict[str, Any]:
    """Where a case stands, for anyone with its number and query code."""
    case = selectors.status_public(number=number, code=code)
    return {
        "number": case.number,
        "item_name": _item_name(case),
        "status": case.status,
        "deadline": case.deadline,
        "timeline": [
            {"at": s.at.isoformat(), "action": s.action}
            for s in selectors.timeline_for(actor=None, case=case)
        ],
    }


@router.get(
    "/applications/{number}",
    response={200: CaseOut, 404: ErrorOut},
    auth=scoped("applications:read"),
)
def case(request: HttpRequest, number: str) -> dict[str, Any]:
    return case_out(selectors.application_for(actor=request.user, number=number), request.user)


@router.post(
    "/applications/{number}/tasks/{task}",
    response={200: CaseOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    auth=scoped("applications:write"),
)
def act(request: HttpRequest, number: str, task: str, payload: ActIn) -> dict[str, Any]:
    """Complete a ready task (accept, supplement, review...)."""
    found = selectors.application_for(actor=request.user, number=number)
    return case_out(
        services.application_act(
            actor=request.user,
            application=found,
            task=task,
            decision=payload.decision,
            note=payload.note,
            established=payload.established,
        ),
        request.user,
    )


COLOURS = Literal["", "green", "yellow", "red"]
CHANNELS = Literal["", "online", "counter", "api"]


def _age(age: int | None) -> int | None:
    if age is not None and not 0 <= age <= 3650:
        raise ServiceError("age 应为 0 至 3650 天。", "age must be 0 to 3650 days.", code="age")
    return age


@router.get(
    "/queue", response={200: list[CaseOut], 400: ErrorOut}, auth=scoped("applications:read")
)
@bounded
def queue(
    request: HttpRequest,
    item: str = "",
    status: str = "",
    colour: COLOURS = "",
    channel: CHANNELS = "",
    age: int | None = None,
    view: Literal["team", "mine"] = "team",
) -> list[dict[str, Any]]:
    """Open cases with a task the signed-in staff member may do (a supervisor: every open
    staff step in scope), narrowed by item, status, clock colour, channel, ``age`` (filed at
    least that many days ago) and ``view=mine`` (claimed by them), as on the queue page."""
    filters = selectors.QueueFilter(
        item=item[:40],
        status=status[:40],
        colour=colour,
        channel=channel,
        age=_age(age),
        mine=view == "mine",
    )
    supervising = policy.allows(request.user, policy.REASSIGN_CASES)
    return [
        case_out(c, request.user)
        for c in selectors.queue_for(actor=request.user, supervising=supervising, filters=filters)
    ]


class BulkIn(Schema):
    numbers: list[str] = Field(..., min_length=1, max_length=bulk.BULK_MAX)


class AssignIn(BulkIn):
    to: str = Field(..., max_length=150, description="the colleague's user name")
    note: str = Field("", max_length=500)


class BulkOut(Schema):
    done: list[str]


class RefusedOut(Schema):
    number: str
    code: str
    message_zh: str
    message_en: str


class BulkErrorOut(ErrorOut):
    refused: list[RefusedOut] = Field(
        [], description="each refused case and why (nothing was done)"
    )


BULK_RESPONSES = {200: BulkOut, 400: BulkErrorOut, 403: ErrorOut}


class ClaimOut(BulkOut):
    claimed: list[str] = Field(description="the cases newly claimed")
    already_held: list[str] = Field(
        description="the cases the caller held already (in ``done``, nothing written)"
    )


@router.post(
    "/queue/claim", response={**BULK_RESPONSES, 200: ClaimOut}, auth=scoped("applications:write")
)
def queue_claim(request: HttpRequest, payload: BulkIn) -> dict[str, Any]:
    """Claim several cases at once (each one's first open step the caller may act on): all
    or nothing; when one is refused (a colleague's, ``claimed``, included), none is claimed
    and ``refused`` gives each reason. ``done`` lists every case now the caller's,
    ``claimed`` those newly claimed, ``already_held`` those the caller held before."""
    claimed = bulk.cases_claim(actor=request.user, numbers=payload.numbers)
    return {
        "done": [c.number for c in claimed.done],
        "claimed": [c.number for c in claimed.new],
        "already_held": [c.number for c in claimed.held],
    }


@router.post("/queue/assign", response=BULK_RESPONSES, auth=scoped("applications:write"))
def queue_assign(request: HttpRequest, payload: AssignIn) -> dict[str, Any]:
    """A supervisor assigns several cases to a colleague: all or nothing, each refusal with
    its reason."""
    if not policy.allows(request.user, policy.REASSIGN_CASES):
        raise NotPermitted()
    to = next(
        (u for u in selectors.assignable_staff(actor=request.user) if u.username == payload.to),
        None,
    )
    if to is None:
        raise ServiceError(
            "没有这位可指派的工作人员。", "No such colleague to assign to.", code="recipient"
        )
    done = bulk.cases_assign(actor=request.user, numbers=payload.numbers, to=to, note=payload.note)
    return {"done": [c.number for c in done]}


class CaseRowOut(Schema):
    number: str
    item_code: str
    item_name: str
    status: str
    channel: str
    region: str
    escalated_to: str | None
    applicant: str = Field(..., description="masked name")
    submitted_at: dt.datetime
    deadline: dt.date
    clock: str
    days_left: int | None


def _item_name(case: Application) -> str:
    """The case's service item by name in the request's language (Accept-Language); the
    name recorded at filing when the catalogue no longer has the item."""
    shown = catalogue.item_name(code=case.item_code)
    return case.item_name if shown == case.item_code else shown


def _row(case: Application) -> dict[str, Any]:
    clock = services.clock_of(case, timezone.localdate())
    return {
        "number": case.number,
        "item_code": case.item_code,
        "item_name": _item_name(case),
        "status": case.status,
        "channel": case.channel,
        "region": case.region.code,
        "escalated_to": case.escalated_to.code if case.escalated_to else None,
        "applicant": mask_name(case.applicant.name),
        "submitted_at": case.submitted_at,
        "deadline": case.deadline,
        "clock": clock.colour,
        "days_left": clock.days_left,
    }


@router.get(
    "/cases", response={200: list[CaseRowOut], 403: ErrorOut}, auth=scoped("applications:read")
)
@bounded
def cases(
    request: HttpRequest,
    number: str = "",
    applicant: str = "",
    person: int | None = None,
    item: str = "",
    status: str = "",
    channel: CHANNELS = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> Mapped:
    """Search the cases in the caller's region scope, newest first, as the case search page
    does: case number (prefix), applicant (resident ID or whole name), a person's id, item,
    status, channel and filing dates (inclusive). Staff only; each search is journaled
    (what it was by, never the values); paged by ``limit`` and ``offset``."""
    if not policy.is_staff_member(request.user) or not policy.allows(
        request.user, policy.VIEW_PERSON
    ):
        raise NotPermitted()
    found = selectors.cases_search(
        actor=request.user,
        number=number,
        applicant=applicant,
        person_id=person,
        item_code=item,
        status=status,
        channel=channel,
        since=since,
        until=until,
    )
    return Mapped(found, _row)


WRITE_RESPONSES = {200: CaseOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def _case_for_write(request: HttpRequest, number: str) -> Application:
    """The case a write names (the scope was checked before the body was read)."""
    return selectors.application_for(actor=request.user, number=number)


@router.post(
    "/applications/{number}/claim", response=WRITE_RESPONSES, auth=scoped("applications:write")
)
def claim(request: HttpRequest, number: str, task: str | None = None) -> dict[str, Any]:
    """Claim an open step (``task``, or the first unclaimed one the caller may act on)."""
    found = _case_for_write(request, number)
    return case_out(
        services.application_claim(actor=request.user, application=found, task=task), request.user
    )


@router.post(
    "/applications/{number}/release", response=WRITE_RESPONSES, auth=scoped("applications:write")
)
def release(request: HttpRequest, number: str, task: str | None = None) -> dict[str, Any]:
    """Give a claimed step back to the team (its holder, or a supervisor)."""
    found = _case_for_write(request, number)
    return case_out(
        services.application_release(actor=request.user, application=found, task=task),
        request.user,
    )


@router.post(
    "/applications/{number}/handover", response=WRITE_RESPONSES, auth=scoped("applications:write")
)
def handover(request: HttpRequest, number: str, payload: HandoverIn) -> dict[str, Any]:
    """Transfer the open step to a colleague; a supervisor reassigns it."""
    found = _case_for_write(request, number)
    to = User.objects.filter(username=payload.to, is_active=True).first()
    if to is None:
        raise ServiceError("没有这位工作人员。", "No such colleague.", code="recipient")
    operation = (
        services.application_reassign
        if services.may_reassign(request.user, found)
        else services.application_transfer
    )
    return case_out(
        operation(
            actor=request.user, application=found, to=to, note=payload.note, task=payload.task
        ),
        request.user,
    )


@router.post(
    "/applications/{number}/escalate", response=WRITE_RESPONSES, auth=scoped("applications:write")
)
def escalate(request: HttpRequest, number: str, payload: NoteIn) -> dict[str, Any]:
    """Send the case a level up, with the reason."""
    found = _case_for_write(request, number)
    return case_out(
        services.application_escalate(actor=request.user, application=found, note=payload.note),
        request.user,
    )


@router.post(
    "/applications/{number}/comments",
    response={201: CommentOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    auth=scoped("applications:write"),
)
def comment(request: HttpRequest, number: str, payload: CommentIn) -> Status[dict[str, Any]]:
    """Add an internal comment (staff only)."""
    found = _case_for_write(request, number)
    made = services.application_comment(actor=request.user, application=found, body=payload.body)
    return Status(
        201,
        {"id": made.pk, "author": request.user.get_username(), "at": made.at, "body": made.body},
    )


@router.post(
    "/applications/{number}/materials", response=WRITE_RESPONSES, auth=scoped("applications:write")
)
def upload(
    request: HttpRequest, number: str, name: Form[str], file: File[UploadedFile]
) -> dict[str, Any]:
    """Upload one material (PDF, JPEG or PNG by content, at most 10 MB)."""
    found = _case_for_write(request, number)
    if file.size is None or file.size > services.MAX_BYTES:
        if not services.may_upload(request.user, found):
            raise NotFound()
        raise ServiceError("文件超过 10 MB。", "The file is larger than 10 MB.", code="too_large")
    services.material_upload(
        actor=request.user,
        application=found,
        name=name,
        file_name=file.name or "",
        data=file.read(),
    )
    return case_out(found, request.user)


@router.get(
    "/applications/{number}/materials/{material_id}",
    response={404: ErrorOut},
    auth=scoped("applications:read"),
)
def material(request: HttpRequest, number: str, material_id: int) -> HttpResponse:
    """Download an uploaded material (checked against its SM3 checksum)."""
    found = selectors.material_for(actor=request.user, number=number, material_id=material_id)
    response = HttpResponse(services.material_read(material=found), content_type=found.content_type)
    response["Content-Disposition"] = f'attachment; filename="{found.download_name}"'
    return response


@router.get(
    "/applications/{number}/result", response={404: ErrorOut}, auth=scoped("applications:read")
)
def result(request: HttpRequest, number: str) -> HttpResponse:
    """The decision notice of a decided case: a signed PDF (verifiable at /verify/)."""
    found = selectors.application_for(actor=request.user, number=number)
    pdf = services.decision_notice_pdf(
        actor=request.user, case=found, absolute=request.build_absolute_uri
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="decision-{found.number}.pdf"'
    return response


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.get(
    "/applications/{number}/receipt", response={404: ErrorOut}, auth=scoped("applications:read")
)
def receipt(request: HttpRequest, number: str) -> HttpResponse:
    """The acceptance receipt (受理回执) of a filed case: a signed PDF (verifiable at
    /verify/)."""
    found = selectors.application_for(actor=request.user, number=number)
    pdf = services.acceptance_receipt_pdf(
        actor=request.user, case=found, absolute=request.build_absolute_uri
    )
    return _pdf(pdf, f"receipt-{found.number}.pdf")


@router.get(
    "/applications/{number}/notice",
    response={400: ErrorOut, 404: ErrorOut},
    auth=scoped("applications:read"),
)
def notice(request: HttpRequest, number: str) -> HttpResponse:
    """The one-time notice of missing materials (一次性告知书) of an open case: a signed PDF
    listing every required material still missing (400 ``nothing_missing`` when none is)."""
    found = selectors.application_for(actor=request.user, number=number)
    pdf = services.supplement_notice_pdf(
        actor=request.user, case=found, absolute=request.build_absolute_uri
    )
    return _pdf(pdf, f"notice-{found.number}.pdf")
