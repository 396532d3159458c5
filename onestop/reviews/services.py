"""Good/bad reviews: rating a completed case once (and once more after a rectification), the
rectification a bad review opens, and the appeal against a malicious review. Every write is
journaled in its own transaction."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import lazy

from onestop.applications.models import FINAL, Application, Status
from onestop.applications.services.cases import HRSS_AGENCIES
from onestop.audit.services import record
from onestop.catalogue import selectors as catalogue
from onestop.common.errors import NotFound, NotPermitted, ServiceError
from onestop.common.workdays import add_working_days
from onestop.identity import policy
from onestop.identity import selectors as identity
from onestop.identity.models import Person
from onestop.notifications.services import notify
from onestop.reviews.models import (
    DIMENSIONS,
    Rectification,
    RectificationStatus,
    Review,
    ReviewChannel,
    Visit,
)
from onestop.rules.identifiers import check_mobile

CALLBACK_DAYS = 1
RECTIFY_DAYS = 15
MAX_COMMENT = 500


@dataclass(frozen=True)
class Rating:
    level: int
    scores: dict[str, int]
    comment: str = ""


def _validated(rating: Rating) -> Rating:
    """Levels 1-5, every dimension rated 1-5, a comment of at most 500 characters."""
    problems = []
    if not isinstance(rating.level, int) or not 1 <= rating.level <= 5:
        problems.append(("总体评价应为1至5级。", "The overall level must be 1 to 5."))
    scores = rating.scores or {}
    if set(scores) != set(DIMENSIONS) or not all(
        isinstance(v, int) and 1 <= v <= 5 for v in scores.values()
    ):
        problems.append(
            (
                "请对满意度、效率、办事指南准确性、便利度和服务态度各评1至5级。",
                "Rate each of satisfaction, efficiency, guide accuracy, convenience and staff "
                "attitude 1 to 5.",
            )
        )
    comment = (rating.comment or "").strip()
    if len(comment) > MAX_COMMENT:
        problems.append(("评价内容最多500字。", "The comment is at most 500 characters."))
    if problems:
        raise ServiceError(
            " ".join(zh for zh, _ in problems), " ".join(en for _, en in problems), code="invalid"
        )
    return Rating(rating.level, dict(scores), comment)


def rateable(case: Application) -> bool:
    """A case is rated once it is completed (a withdrawn one was not served)."""
    return case.status in FINAL and case.status != Status.WITHDRAWN


def rating_open(case: Application) -> bool:
    """Whether a rating of the case would be accepted now: completed, and not yet rated (or
    a rectification awaits the new review), and not a same-day repeat (``rated_today``).
    Pages show the rating form and the API says ``open`` only then."""
    round_ = next_round(case)
    return rateable(case) and round_ is not None and not (round_ == 1 and rated_today(case))


def rated_today(case: Application) -> bool:
    """Whether the applicant already rated today (Asia/Shanghai) another case of the same
    item that the platform decided at once, with no case worker (a proof issued on demand).

    One matter, one rating (国办发〔2019〕51号): printing the same proof again is the same
    matter, and without this rule anyone could file a hundred proofs and flood the public
    figures and the rectification queue with their ratings. Cases a case worker decided are
    rated each."""
    if not case.steps.filter(task="decide", role="system").exists():
        return False
    start = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.min))
    return (
        Review.objects.filter(
            round=1,
            item_code=case.item_code,
            application__applicant_id=case.applicant_id,
            created_at__gte=start,
        )
        .exclude(application=case)
        .exists()
    )


def next_round(case: Application | None = None, *, visit: Visit | None = None) -> int | None:
    """1 when not yet rated; 2 when a rectification awaits the applicant's new review; None
    when nothing more may be said. Of a case, or of a counter ``visit``."""
    subject = {"visit": visit} if visit is not None else {"application": case}
    first = Review.objects.filter(round=1, **subject).first()
    if first is None:
        return 1
    rect = Rectification.objects.filter(review=first).first()
    if rect is not None and rect.status == RectificationStatus.RECTIFIED:
        return 2
    return None


def review_submit(
    *, actor: Any, case: Application, rating: Rating, channel: str, by_code: bool = False
) -> Review:
    """Rate a completed case: its applicant signed in (web, API, the counter tablet the case
    worker hands over), or whoever holds the case's query code (the QR code on the result;
    ``by_code`` says the caller checked it). A bad rating (1-2) opens a rectification."""
    if channel not in ReviewChannel.values:
        raise ServiceError("未知的评价渠道。", "Unknown channel.", code="channel")
    person = (
        getattr(actor, "person", None) if actor is not None and actor.is_authenticated else None
    )
    on_tablet = channel == ReviewChannel.TABLET and counter_worker_in_scope(actor, case)
    if not (by_code or on_tablet or (person is not None and person.pk == case.applicant_id)):
        raise NotPermitted()
    if not rateable(case):
        raise ServiceError(
            "办件办结后才能评价。", "A case can be rated once it is completed.", code="not_done"
        )
    return _submit(actor, rating, channel, case=case)


def visit_review_submit(
    *, actor: Any, visit: Visit, rating: Rating, channel: str, by_code: bool = False
) -> Review:
    """Rate a counter visit that ended without a case: on the counter tablet (handed over by
    a case worker in scope) or with the visit slip's number and code (``by_code``)."""
    if channel not in (ReviewChannel.TABLET, ReviewChannel.QR, ReviewChannel.API):
        raise ServiceError("未知的评价渠道。", "Unknown channel.", code="channel")
    on_tablet = channel == ReviewChannel.TABLET and counter_worker_in_scope(
        actor, region=visit.region
    )
    if not (by_code or on_tablet):
        raise NotPermitted()
    return _submit(actor, rating, channel, visit=visit)


def _submit(
    actor: Any,
    rating: Rating,
    channel: str,
    *,
    case: Application | None = None,
    visit: Visit | None = None,
) -> Review:
    rating = _validated(rating)
    now = timezone.now()
    rated = ServiceError("已评价过。", "This has already been rated.", code="rated")
    try:
        with transaction.atomic():
            if visit is not None:
                Visit.objects.select_for_update().filter(pk=visit.pk).first()
                subject: dict[str, Any] = {"visit": visit}
                number, item_code, region = visit.number, visit.item_code, visit.region
            else:
                assert case is not None
                # The applicant's row serialises their ratings (``rated_today``).
                Person.objects.select_for_update().filter(pk=case.applicant_id).first()
                Application.objects.select_for_update().filter(pk=case.pk).first()
                subject = {"application": case}
                number, item_code, region = case.number, case.item_code, case.region
            round_ = next_round(case, visit=visit)
            if round_ is None:
                raise rated
            if case is not None and round_ == 1 and rated_today(case):
                raise ServiceError(
                    "您今天已评价过这项即时办结的服务，同一事项每天评价一次。",
                    "You have rated this service, issued at once, today already: "
                    "it is rated once a day.",
                    code="rated_today",
                )
            review = Review.objects.create(
                **subject,
                round=round_,
                level=rating.level,
                scores=rating.scores,
                comment=rating.comment,
                channel=channel,
                item_code=item_code,
                region=region,
                created_at=now,
            )
            record(
                actor=actor if actor is not None and actor.is_authenticated else None,
                action="reviews.submitted",
                target=review,
                changes={
                    "visit" if visit is not None else "case": number,
                    "round": round_,
                    "level": rating.level,
                },
            )
            if round_ == 2:
                rect = Rectification.objects.select_for_update().get(
                    review__round=1, **{f"review__{k}": v for k, v in subject.items()}
                )
                rect.status, rect.re_review, rect.closed_at = (
                    RectificationStatus.CLOSED,
                    review,
                    now,
                )
                rect.save(update_fields=["status", "re_review", "closed_at"])
                record(actor=None, action="reviews.rectification.closed", target=rect)
            elif review.bad:
                _open_rectification(review, now)
    except IntegrityError as exc:  # a concurrent rating of the same round won
        raise rated from exc
    return review


VISIT_RATING_DAYS = 30


def visit_end(*, actor: Any, topic: str, item_code: str = "", phone: str = "") -> Visit:
    """A case worker ends a counter visit that needed no case; the slip's number and code let
    the visitor rate it (for 30 days), the tablet at once."""
    profile = policy.staff_profile(actor)
    if profile is None or profile.role != "case_worker" or profile.agency.kind not in HRSS_AGENCIES:
        raise NotPermitted()
    topic = (topic or "").strip()
    problems = []
    if not topic or len(topic) > 200:
        problems.append(
            (
                "请填写办理事项（最多200字）。",
                "Say what the visit was about (200 characters at most).",
            )
        )
    item_code = (item_code or "").strip()
    if item_code and item_code not in {i.code for i in catalogue.items_current()}:
        problems.append(("没有该服务事项。", "No such service."))
    mobile = check_mobile(phone) if (phone or "").strip() else None
    if mobile is not None and mobile.reason is not None:
        problems.append((f"手机号码无效：{mobile.reason.zh}", f"Mobile number: {mobile.reason.en}"))
    phone = mobile.normalized if mobile is not None else ""
    if problems:
        raise ServiceError(
            " ".join(zh for zh, _ in problems), " ".join(en for _, en in problems), code="invalid"
        )
    now = timezone.now()
    with transaction.atomic():
        visit = Visit.objects.create(
            number=f"CV{timezone.localdate():%Y%m%d}{secrets.randbelow(10**6):06d}",
            code=f"{secrets.randbelow(10**6):06d}",
            region=profile.agency.region,
            agency=profile.agency,
            staff=actor,
            item_code=item_code,
            topic=topic,
            phone=phone,
            ended_at=now,
        )
        record(
            actor=actor,
            action="reviews.visit.ended",
            target=visit,
            changes={"item": item_code, "phone_given": bool(phone)},
        )
    return visit


#: One answer to an unknown visit, a wrong code and a late rating alike.
NO_SUCH_VISIT = (
    "编号或查询码不正确，或已超过评价期限。",
    "Wrong number or code, or too late to rate.",
)


def visit_known(*, number: str) -> bool:
    """Whether a visit of this number may still be rated with its slip's code."""
    return Visit.objects.filter(
        number=(number or "").strip(),
        ended_at__gte=timezone.now() - dt.timedelta(days=VISIT_RATING_DAYS),
    ).exists()


def visit_by_code(*, number: str, code: str) -> Visit:
    """The visit a slip names, when its code matches and it is at most 30 days old; anything
    else reads as unknown."""
    visit = Visit.objects.select_related("region").filter(number=(number or "").strip()).first()
    fresh = visit is not None and visit.ended_at >= timezone.now() - dt.timedelta(
        days=VISIT_RATING_DAYS
    )
    if visit is None or not fresh or not secrets.compare_digest(visit.code, (code or "").strip()):
        raise NotFound(*NO_SUCH_VISIT)
    return visit


def counter_worker_in_scope(
    actor: Any, case: Application | None = None, *, region: Any = None
) -> bool:
    profile = policy.staff_profile(actor) if actor is not None else None
    return bool(
        profile is not None
        and profile.role == "case_worker"
        and profile.agency.kind in HRSS_AGENCIES
        and policy.in_scope(profile, case.region if case is not None else region)
    )


def _open_rectification(review: Review, now: dt.datetime) -> Rectification:
    today = timezone.localdate()
    rect = Rectification.objects.create(
        review=review,
        opened_at=now,
        callback_due=add_working_days(today, CALLBACK_DAYS).date,
        rectify_due=add_working_days(today, RECTIFY_DAYS).date,
    )
    record(
        actor=None,
        action="reviews.rectification.opened",
        target=rect,
        changes={"number": review.number, "level": review.level},
    )
    staff = identity.staff_in_scope_of(region=review.region, roles=["case_worker", "supervisor"])
    notify(
        recipients=[p.user for p in staff if p.agency.kind in HRSS_AGENCIES],
        event="reviews.bad_review",
        context={
            "number": review.number,
            "item": (
                lazy(catalogue.item_name, str)(code=review.application.item_code)
                if review.application is not None
                else review.subject_name
            ),
            "due": rect.callback_due.isoformat(),
        },
        link="/staff/rectifications/",
    )
    return rect


def _staff_may_handle(actor: Any, rect: Rectification, roles: tuple[str, ...]) -> None:
    profile = policy.staff_profile(actor)
    if (
        profile is None
        or profile.role not in roles
        or profile.agency.kind not in HRSS_AGENCIES
        or not policy.in_scope(profile, rect.review.region)
    ):
        raise NotPermitted()


def _locked(rect: Rectification) -> Rectification:
    return (
        Rectification.objects.select_for_update(of=("self",))
        .select_related("review__application", "review__region")
        .get(pk=rect.pk)
    )


def _note(text: str) -> str:
    note = (text or "").strip()
    if not note or len(note) > 1000:
        raise ServiceError(
            "请填写处理说明（最多1000字）。",
            "Say what was done (at most 1000 characters).",
            code="note",
        )
    return note


def _wrong_state() -> ServiceError:
    return ServiceError(
        "整改当前不在该环节。", "The rectification is not at that step.", code="state"
    )


def rectification_callback(*, actor: Any, rect: Rectification, note: str) -> Rectification:
    """The applicant was called back (within one working day)."""
    note = _note(note)
    with transaction.atomic():
        rect = _locked(rect)
        _staff_may_handle(actor, rect, ("case_worker", "reviewer"))
        if rect.status != RectificationStatus.OPEN:
            raise _wrong_state()
        rect.status, rect.called_back_at = RectificationStatus.CALLED_BACK, timezone.now()
        rect.callback_note, rect.handled_by = note, actor
        rect.save(update_fields=["status", "called_back_at", "callback_note", "handled_by"])
        record(
            actor=actor,
            action="reviews.rectification.called_back",
            target=rect,
            changes={"late": rect.called_back_at.date() > rect.callback_due},
        )
    return rect


def rectification_done(*, actor: Any, rect: Rectification, note: str) -> Rectification:
    """The problem was put right (within 15 working days); the applicant may rate again."""
    note = _note(note)
    with transaction.atomic():
        rect = _locked(rect)
        _staff_may_handle(actor, rect, ("case_worker", "reviewer"))
        if rect.status != RectificationStatus.CALLED_BACK:
            raise _wrong_state()
        rect.status, rect.rectified_at = RectificationStatus.RECTIFIED, timezone.now()
        rect.rectify_note, rect.handled_by = note, actor
        rect.save(update_fields=["status", "rectified_at", "rectify_note", "handled_by"])
        record(
            actor=actor,
            action="reviews.rectification.rectified",
            target=rect,
            changes={"late": rect.rectified_at.date() > rect.rectify_due},
        )
        case = rect.review.application
    if case is not None and case.applicant.user is not None:
        notify(
            recipients=[case.applicant.user],
            event="reviews.rectified",
            context={
                "number": case.number,
                "item": lazy(catalogue.item_name, str)(code=case.item_code),
            },
            link=f"/applications/{case.number}/",
        )
    # A visitor without a case is told at the call back; they rate again with their slip.
    return rect


def rectification_appeal(*, actor: Any, rect: Rectification, reason: str) -> Rectification:
    """Staff hold the review malicious: a supervisor decides; meanwhile the clock stops."""
    reason = _note(reason)
    with transaction.atomic():
        rect = _locked(rect)
        _staff_may_handle(actor, rect, ("case_worker", "reviewer"))
        if rect.status not in (RectificationStatus.OPEN, RectificationStatus.CALLED_BACK):
            raise _wrong_state()
        rect.appealed_from, rect.status = rect.status, RectificationStatus.APPEALED
        rect.appeal_reason = reason
        rect.save(update_fields=["appealed_from", "status", "appeal_reason"])
        record(actor=actor, action="reviews.rectification.appealed", target=rect)
    staff = identity.staff_in_scope_of(region=rect.review.region, roles=["supervisor"])
    notify(
        recipients=[p.user for p in staff],
        event="reviews.appealed",
        context={"number": rect.review.number},
        link="/staff/rectifications/",
    )
    return rect


def appeal_decide(*, actor: Any, rect: Rectification, upheld: bool, note: str) -> Rectification:
    """A supervisor in scope decides: upheld, the review leaves the public figures and the
    rectification is void; dismissed, the rectification goes on where it was."""
    note = _note(note)
    with transaction.atomic():
        rect = _locked(rect)
        _staff_may_handle(actor, rect, ("supervisor",))
        if rect.status != RectificationStatus.APPEALED:
            raise _wrong_state()
        rect.appeal_decided_by, rect.appeal_note = actor, note
        if upheld:
            rect.status, rect.closed_at = RectificationStatus.VOIDED, timezone.now()
            Review.objects.filter(pk=rect.review_id).update(excluded=True)
        else:
            rect.status = rect.appealed_from or RectificationStatus.OPEN
        rect.save(update_fields=["appeal_decided_by", "appeal_note", "status", "closed_at"])
        record(
            actor=actor,
            action="reviews.rectification.appeal_decided",
            target=rect,
            changes={"upheld": upheld},
        )
    return rect
