"""Counter visits without a case: ended by a case worker, rated once on the tablet or with the
slip's number and code (web or API), a bad rating rectified on the clock and rated again."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from onestop.audit.models import Entry
from onestop.common.errors import NotFound, NotPermitted, ServiceError
from onestop.reviews import selectors, services
from onestop.reviews.models import DIMENSIONS, Rectification, Review, Visit

pytestmark = pytest.mark.django_db

GOOD = services.Rating(5, dict.fromkeys(DIMENSIONS, 5), "解答清楚")
BAD = services.Rating(2, dict.fromkeys(DIMENSIONS, 2), "等了一个小时")


def ended(world: Any, **extra: Any) -> Visit:
    return services.visit_end(
        actor=world.carol, topic="咨询灵活就业人员缴费档次", phone="13900000009", **extra
    )


def test_a_case_worker_ends_a_visit_and_it_is_journaled(world: Any) -> None:
    visit = ended(world, item_code="SX-SI-006")
    assert visit.number.startswith("CV") and len(visit.code) == 6
    assert (visit.region.code, visit.staff, visit.item_code) == ("610113", world.carol, "SX-SI-006")
    assert visit.phone == "13900000009"
    entry = Entry.objects.get(action="reviews.visit.ended")
    assert entry.changes == {"item": "SX-SI-006", "phone_given": True}
    assert "13900000009" not in str(entry.changes)


@pytest.mark.parametrize(
    "fields",
    [
        {"topic": ""},
        {"topic": "x" * 201},
        {"topic": "咨询", "item_code": "NOPE"},
        {"topic": "咨询", "phone": "12345"},
    ],
)
def test_bad_visits_are_refused_and_nothing_is_stored(world: Any, fields: dict[str, str]) -> None:
    with pytest.raises(ServiceError):
        services.visit_end(actor=world.carol, **fields)
    assert not Visit.objects.exists()


@pytest.mark.parametrize("who", ["rita", "sam", "erin", "adam"])
def test_only_case_workers_end_visits(world: Any, who: str) -> None:
    with pytest.raises(NotPermitted):
        services.visit_end(actor=getattr(world, who), topic="咨询")
    assert not Visit.objects.exists()


def test_a_visit_is_rated_once_on_the_tablet(world: Any) -> None:
    visit = ended(world)
    with pytest.raises(NotPermitted):  # mallory's counter is in Weinan
        services.visit_review_submit(
            actor=world.mallory, visit=visit, rating=GOOD, channel="tablet"
        )
    review = services.visit_review_submit(
        actor=world.carol, visit=visit, rating=GOOD, channel="tablet"
    )
    assert (review.visit, review.application, review.item_code, review.region.code) == (
        visit,
        None,
        "",
        "610113",
    )
    with pytest.raises(ServiceError) as again:
        services.visit_review_submit(actor=world.carol, visit=visit, rating=GOOD, channel="tablet")
    assert again.value.code == "rated"
    assert Review.objects.count() == 1


def test_the_slip_rates_by_code_within_30_days(world: Any) -> None:
    visit = ended(world)
    with pytest.raises(NotFound):
        services.visit_by_code(
            number=visit.number, code="000000" if visit.code != "000000" else "1"
        )
    assert services.visit_by_code(number=visit.number, code=visit.code) == visit
    Visit.objects.filter(pk=visit.pk).update(ended_at=timezone.now() - dt.timedelta(days=31))
    with pytest.raises(NotFound):
        services.visit_by_code(number=visit.number, code=visit.code)


def test_a_bad_visit_rating_is_rectified_and_rated_again(world: Any) -> None:
    visit = ended(world)
    review = services.visit_review_submit(
        actor=None, visit=visit, rating=BAD, channel="qr", by_code=True
    )
    rect = Rectification.objects.get(review=review)
    assert rect.status == "open"
    rows = selectors.rectifications_for(actor=world.carol)
    assert [(r.review.number, r.review.subject_name) for r in rows] == [
        (visit.number, "咨询灵活就业人员缴费档次")
    ]
    services.rectification_callback(actor=world.carol, rect=rect, note="已电话回访致歉")
    services.rectification_done(actor=world.carol, rect=rect, note="增设咨询专窗")
    assert services.next_round(visit=visit) == 2
    second = services.visit_review_submit(
        actor=None, visit=visit, rating=GOOD, channel="qr", by_code=True
    )
    rect.refresh_from_db()
    assert (second.round, rect.status, rect.re_review) == (2, "closed", second)
    assert services.next_round(visit=visit) is None


def test_visit_ratings_count_in_the_public_figures(world: Any) -> None:
    services.visit_review_submit(
        actor=world.carol, visit=ended(world), rating=GOOD, channel="tablet"
    )
    by_agency = {row.key: row.reviews for row in selectors.ratings(by="agency")}
    assert by_agency[str(world.regions["610113"].pk)] == 1


def test_pages_and_api(world: Any) -> None:
    carol = Client()
    carol.force_login(world.carol)
    made = carol.post("/staff/visits/", {"topic": "咨询退休年龄", "item_code": "", "phone": ""})
    visit = Visit.objects.get()
    assert made["Location"] == f"/staff/visits/{visit.number}/"
    slip = carol.get(made["Location"]).content.decode()
    assert visit.code in slip and "<svg" in slip
    form = {"level": "4", "comment": "", **{f"score_{d}": "4" for d in DIMENSIONS}}
    assert carol.post(made["Location"], form).status_code == 302
    assert Review.objects.get().channel == "tablet"
    # The slip's number and code, through the API, once the first round is used: refused.
    api = Client().post(
        f"/api/v1/visits/{visit.number}/review",
        {"code": visit.code, "level": 5, "scores": dict.fromkeys(DIMENSIONS, 5), "comment": ""},
        content_type="application/json",
    )
    assert api.status_code == 400 and api.json()["code"] == "rated"
    wrong = Client().post(
        f"/api/v1/visits/{visit.number}/review",
        {"code": "x", "level": 5, "scores": dict.fromkeys(DIMENSIONS, 5), "comment": ""},
        content_type="application/json",
    )
    assert wrong.status_code == 404
    created = carol.post(
        "/api/v1/visits", {"topic": "查询缴费记录"}, content_type="application/json"
    )
    assert created.status_code == 201 and created.json()["rate_url"].startswith("/rate/visit/")
    public = Client().post(
        created.json()["rate_url"], {**form, "level": "1", "code": created.json()["code"]}
    )
    assert public.status_code == 302
    assert Review.objects.filter(level=1, channel="qr").count() == 1
    other = Client()
    other.force_login(world.mallory)
    assert other.get(f"/staff/visits/{visit.number}/").status_code == 404


def test_visit_codes_cannot_be_guessed_one_after_another(world: Any) -> None:
    """The look-up limit (30 a minute per address) covers rating by code, API and page."""
    body = {"level": 1, "scores": {}, "comment": "", "code": "000000"}
    api = Client(REMOTE_ADDR="203.0.113.50")
    statuses = [
        api.post("/api/v1/visits/V000/review", body, "application/json").status_code
        for _ in range(31)
    ]
    assert statuses[-1] == 429 and 429 not in statuses[:30]
    page = Client(REMOTE_ADDR="203.0.113.51")
    answers = [page.post("/rate/visit/V000/", {"code": "000000"}).status_code for _ in range(31)]
    assert answers[-1] == 429
    qr = Client(REMOTE_ADDR="203.0.113.52")
    answers = [qr.post("/rate/SX0/", {"code": "000000"}).status_code for _ in range(31)]
    assert answers[-1] == 429
