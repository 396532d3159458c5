"""Demo ratings: the decided demo cases of Yanta rated on carol's counter tablet, the
rejected one badly, and a consultation at her counter that needed no case, so the
rectification list, the public figures and the indicators have something to show on the
first run."""

from __future__ import annotations

from onestop.applications.models import Application, Status
from onestop.identity.models import User
from onestop.reviews import services
from onestop.reviews.models import DIMENSIONS


def load() -> dict[str, int]:
    carol = User.objects.get(username="carol")
    rated = bad = 0
    for case in Application.objects.filter(
        region__code="610113", status__in=[Status.APPROVED, Status.REJECTED]
    ).order_by("pk"):
        good = case.status == Status.APPROVED
        level = 5 if good else 1
        review = services.review_submit(
            actor=carol,
            case=case,
            rating=services.Rating(
                level,
                dict.fromkeys(DIMENSIONS, level),
                "一次办好，很满意" if good else "窗口说明前后不一，跑了两次",
            ),
            channel="tablet",
        )
        rated += 1
        if not good:
            bad += 1
            services.rectification_callback(
                actor=carol,
                rect=review.rectification,
                note="已电话回访，向申请人说明缴费年限政策并致歉",
            )
    visit = services.visit_end(actor=carol, topic="咨询退休年龄和弹性退休", item_code="SX-SI-006")
    services.visit_review_submit(
        actor=carol,
        visit=visit,
        rating=services.Rating(5, dict.fromkeys(DIMENSIONS, 5), "解答耐心，不用再跑"),
        channel="tablet",
    )
    return {"rated": rated, "bad": bad, "visits": 1}
