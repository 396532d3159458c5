"""Reviews API: a mobile app rates a completed case; staff work on rectifications; anyone
reads the public ratings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from onestop.applications import selectors as applications
from onestop.common.errors import NotFound
from onestop.common.pagination import bounded
from onestop.common.throttles import address_throttle
from onestop.identity.api_auth import scoped
from onestop.reviews import selectors, services
from onestop.reviews.models import DIMENSIONS, ReviewChannel

router = Router(tags=["reviews"])


class ErrorOut(Schema):
    code: str
    message_zh: str
    message_en: str


class ReviewIn(Schema):
    level: int = Field(..., ge=1, le=5)
    scores: dict[str, int] = Field(..., description=f"Each of {', '.join(DIMENSIONS)}: 1 to 5.")
    comment: str = Field("", max_length=500)


class ReviewOut(Schema):
    number: str
    round: int
    level: int
    rectification: bool
    created_at: dt.datetime


class RatingOpenOut(Schema):
    number: str
    open: bool = Field(..., description="true: a rating posted now is accepted")
    round: int | None = Field(None, description="1, or 2 after a rectification; null: closed")
    message_zh: str
    message_en: str


@router.get(
    "/applications/{number}/review",
    response={200: RatingOpenOut, 404: ErrorOut},
    auth=scoped("applications:read"),
)
def review_state(request: HttpRequest, number: str) -> dict[str, Any]:
    """Whether the case can be rated now (the same answer as the case page's rating link):
    a case is rated once it is completed, once (once more after a rectification)."""
    case = applications.application_for(actor=request.user, number=number)
    is_open = services.rating_open(case)
    if is_open:
        zh, en = "可以评价。", "You may rate this service."
    elif not services.rateable(case):
        zh, en = "办件办结后才能评价。", "A case can be rated once it is completed."
    elif services.next_round(case) == 1 and services.rated_today(case):
        zh, en = (
            "您今天已评价过这项即时办结的服务，同一事项每天评价一次。",
            "You have rated this service, issued at once, today already: it is rated once a day.",
        )
    else:
        zh, en = "已评价过。", "This has already been rated."
    return {
        "number": case.number,
        "open": is_open,
        "round": services.next_round(case) if is_open else None,
        "message_zh": zh,
        "message_en": en,
    }


@router.post(
    "/applications/{number}/review",
    response={201: ReviewOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    auth=scoped("applications:write"),
)
def review_create(request: HttpRequest, number: str, payload: ReviewIn) -> Status[dict[str, Any]]:
    """The applicant rates their completed case (once; once more after a rectification). A
    rating of 1 or 2 opens a rectification."""
    case = applications.application_for(actor=request.user, number=number)
    review = services.review_submit(
        actor=request.user,
        case=case,
        rating=services.Rating(payload.level, payload.scores, payload.comment),
        channel=ReviewChannel.API,
    )
    return Status(
        201,
        {
            "number": case.number,
            "round": review.round,
            "level": review.level,
            "rectification": review.bad and review.round == 1,
            "created_at": review.created_at,
        },
    )


class RectificationOut(Schema):
    id: int
    number: str
    item_code: str
    level: int
    comment: str
    status: str
    callback_due: dt.date
    rectify_due: dt.date
    overdue: str


def _rect_out(rect: Any) -> dict[str, Any]:
    return {
        "id": rect.pk,
        "number": rect.review.number,
        "item_code": rect.review.item_code,
        "level": rect.review.level,
        "comment": rect.review.comment,
        "status": rect.status,
        "callback_due": rect.callback_due,
        "rectify_due": rect.rectify_due,
        "overdue": selectors.overdue(rect),
    }


@router.get(
    "/rectifications",
    response={200: list[RectificationOut], 403: ErrorOut},
    auth=scoped("applications:read"),
)
@bounded
def rectification_list(request: HttpRequest, status: str = "") -> list[dict[str, Any]]:
    """Rectifications in the caller's region scope (HRSS case workers, reviewers,
    supervisors), the most urgent first."""
    return [_rect_out(r) for r in selectors.rectifications_for(actor=request.user, status=status)]


class RectificationNoteIn(Schema):
    note: str = Field(..., min_length=1, max_length=1000)


@router.post(
    "/rectifications/{rect_id}/{action}",
    response={200: RectificationOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    auth=scoped("applications:write"),
)
def rectification_act(
    request: HttpRequest, rect_id: int, action: str, payload: RectificationNoteIn
) -> dict[str, Any]:
    """``callback``, ``rectified`` or ``appeal`` (case workers, reviewers); ``uphold`` or
    ``dismiss`` an appeal (supervisors). Out of scope reads as not found."""
    from onestop.reviews.views import ACTIONS

    if action not in ACTIONS:
        raise NotFound()
    rect = selectors.rectification_for(actor=request.user, pk=rect_id)
    return _rect_out(ACTIONS[action](request.user, rect, payload.note))


class RatingOut(Schema):
    key: str
    label: str
    reviews: int
    average: str
    satisfied_share: str
    bad: int
    rectified: int
    rectification_rate: str | None


@router.get("/ratings", response={200: list[RatingOut], 404: ErrorOut}, auth=None)
@bounded
def ratings(request: HttpRequest, by: str = "item") -> list[dict[str, Any]]:
    """Public: ratings per ``item``, ``agency`` or ``region`` (city), with the rectification
    rate of dissatisfied ones. No sign-in."""
    return [
        {
            "key": r.key,
            "label": r.label,
            "reviews": r.reviews,
            "average": str(r.average),
            "satisfied_share": str(r.satisfied_share),
            "bad": r.bad,
            "rectified": r.rectified,
            "rectification_rate": None
            if r.rectification_rate is None
            else str(r.rectification_rate),
        }
        for r in selectors.ratings(by=by)
    ]


class VisitIn(Schema):
    topic: str = Field(..., max_length=200, description="What the visit was about.")
    item_code: str = Field("", description="The service it concerned, if any.")
    phone: str = Field("", description="For the call back of a bad rating (optional).")


class VisitOut(Schema):
    number: str
    code: str
    rate_url: str


@router.post(
    "/visits",
    response={201: VisitOut, 400: ErrorOut, 403: ErrorOut},
    auth=scoped("applications:write"),
)
def visit_create(request: HttpRequest, payload: VisitIn) -> Status[dict[str, Any]]:
    """A case worker ends a counter visit that needed no case; the number and code go on the
    visit slip so that the visitor can rate it."""
    visit = services.visit_end(
        actor=request.user, topic=payload.topic, item_code=payload.item_code, phone=payload.phone
    )
    return Status(
        201,
        {"number": visit.number, "code": visit.code, "rate_url": f"/rate/visit/{visit.number}/"},
    )


class VisitReviewIn(ReviewIn):
    code: str = Field(..., description="The query code on the visit slip.")


@router.post(
    "/visits/{number}/review",
    response={201: ReviewOut, 400: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    auth=None,
    throttle=[address_throttle("lookup")],
)
def visit_review_create(
    request: HttpRequest, number: str, payload: VisitReviewIn
) -> Status[dict[str, Any]]:
    """Rate a counter visit with its slip's number and code (within 30 days; once, and once
    more after a rectification)."""
    visit = services.visit_by_code(number=number, code=payload.code)
    review = services.visit_review_submit(
        actor=request.user,
        visit=visit,
        rating=services.Rating(payload.level, payload.scores, payload.comment),
        channel=ReviewChannel.API,
        by_code=True,
    )
    return Status(
        201,
        {
            "number": visit.number,
            "round": review.round,
            "level": review.level,
            "rectification": review.bad and review.round == 1,
            "created_at": review.created_at,
        },
    )
