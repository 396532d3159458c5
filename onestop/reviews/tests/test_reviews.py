"""Good/bad reviews: one rating per completed case (and one more after a rectification), a
bad one followed up on the clock, the appeal against a malicious one, the public figures,
and every channel (web, API, counter tablet, the QR code on the result)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from onestop.applications import services as applications
from onestop.applications.models import Application
from onestop.audit.models import Entry
from onestop.common.errors import NotFound, NotPermitted, ServiceError
from onestop.common.workdays import add_working_days
from onestop.notifications.models import Notification
from onestop.reviews import selectors, services
from onestop.reviews.models import DIMENSIONS, Rectification, Review

pytestmark = pytest.mark.django_db

ANSWERS = {"retirement_month": "2026-05", "bank_account": "6222020200112233446"}
GOOD = services.Rating(5, dict.fromkeys(DIMENSIONS, 5), "办得很快")
BAD = services.Rating(1, {**dict.fromkeys(DIMENSIONS, 2), "attitude": 1}, "态度差，跑了两次")


def completed(world: Any) -> tuple[Application, str]:
    filed = applications.application_submit(
        actor=world.alice.user, item_code="SX-SI-006", applicant=world.alice, answers=ANSWERS
    )
    case = applications.application_act(
        actor=world.carol, application=filed.application, task="accept", decision="accept"
    )
    case = applications.application_act(
        actor=world.rita, application=case, task="review", decision="reject", note="缴费不足"
    )
    return case, filed.code


def test_a_completed_case_is_rated_once_by_its_applicant(world: Any) -> None:
    filed = applications.application_submit(
        actor=world.alice.user, item_code="SX-SI-006", applicant=world.alice, answers=ANSWERS
    )
    with pytest.raises(ServiceError) as early:
        services.review_submit(
            actor=world.alice.user, case=filed.application, rating=GOOD, channel="web"
        )
    assert early.value.code == "not_done"
    case, _ = completed(world)
    with pytest.raises(NotPermitted):  # bob is not the applicant
        services.review_submit(actor=world.bob.user, case=case, rating=GOOD, channel="web")
    assert not Review.objects.exists()
    review = services.review_submit(actor=world.alice.user, case=case, rating=GOOD, channel="web")
    assert (review.round, review.level, review.item_code, review.region) == (
        1,
        5,
        "SX-SI-006",
        world.alice.region,
    )
    assert not Rectification.objects.exists()
    with pytest.raises(ServiceError) as again:
        services.review_submit(actor=world.alice.user, case=case, rating=BAD, channel="web")
    assert again.value.code == "rated"
    assert Review.objects.count() == 1 and Entry.objects.filter(action="reviews.submitted").count()


@pytest.mark.parametrize(
    "rating",
    [
        services.Rating(0, dict.fromkeys(DIMENSIONS, 3)),
        services.Rating(3, dict.fromkeys(DIMENSIONS, 6)),
        services.Rating(3, {"satisfaction": 3}),
        services.Rating(3, dict.fromkeys(DIMENSIONS, 3), "长" * 501),
    ],
)
def test_bad_input_is_refused_and_nothing_is_kept(world: Any, rating: services.Rating) -> None:
    case, _ = completed(world)
    with pytest.raises(ServiceError) as refused:
        services.review_submit(actor=world.alice.user, case=case, rating=rating, channel="web")
    assert refused.value.code == "invalid" and refused.value.zh and refused.value.en
    assert not Review.objects.exists()


def test_a_bad_review_is_called_back_rectified_and_reviewed_again(world: Any) -> None:
    case, _ = completed(world)
    today = dt.date.today()
    review = services.review_submit(actor=world.alice.user, case=case, rating=BAD, channel="web")
    rect = Rectification.objects.get(review=review)
    assert (rect.status, rect.callback_due, rect.rectify_due) == (
        "open",
        add_working_days(today, 1).date,
        add_working_days(today, 15).date,
    )
    told = Notification.objects.filter(event="reviews.bad_review")
    assert world.carol in [n.recipient for n in told]
    assert world.mallory not in [n.recipient for n in told]
    # Out of scope: mallory (Baota) cannot see or act; nothing changes.
    with pytest.raises(NotFound):
        selectors.rectification_for(actor=world.mallory, pk=rect.pk)
    with pytest.raises(NotPermitted):
        services.rectification_callback(actor=world.mallory, rect=rect, note="x")
    rect.refresh_from_db()
    assert rect.status == "open" and rect.called_back_at is None
    # Steps out of order are refused.
    with pytest.raises(ServiceError):
        services.rectification_done(actor=world.carol, rect=rect, note="改好了")
    with pytest.raises(ServiceError):
        services.rectification_callback(actor=world.carol, rect=rect, note="   ")
    # The applicant cannot rate again before the rectification.
    with pytest.raises(ServiceError):
        services.review_submit(actor=world.alice.user, case=case, rating=GOOD, channel="web")
    services.rectification_callback(actor=world.carol, rect=rect, note="已电话回访，致歉")
    services.rectification_done(actor=world.carol, rect=rect, note="窗口增设引导，培训服务规范")
    rect.refresh_from_db()
    assert rect.status == "rectified" and rect.handled_by == world.carol
    assert Notification.objects.filter(
        event="reviews.rectified", recipient=world.alice.user
    ).exists()
    second = services.review_submit(
        actor=world.alice.user,
        case=case,
        rating=services.Rating(4, dict.fromkeys(DIMENSIONS, 4)),
        channel="web",
    )
    rect.refresh_from_db()
    assert (second.round, rect.status, rect.re_review) == (2, "closed", second)
    with pytest.raises(ServiceError):  # once more only
        services.review_submit(actor=world.alice.user, case=case, rating=GOOD, channel="web")
    actions = list(
        Entry.objects.filter(action__startswith="reviews.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "reviews.submitted",
        "reviews.rectification.opened",
        "reviews.rectification.called_back",
        "reviews.rectification.rectified",
        "reviews.submitted",
        "reviews.rectification.closed",
    ]


def test_a_malicious_review_is_appealed_and_a_supervisor_decides(world: Any) -> None:
    case, _ = completed(world)
    review = services.review_submit(actor=world.alice.user, case=case, rating=BAD, channel="web")
    rect = review.rectification
    assert selectors.ratings(by="item")[0].bad == 1
    services.rectification_appeal(actor=world.carol, rect=rect, reason="评价内容与办件无关")
    with pytest.raises(NotPermitted):  # a case worker does not decide her own appeal
        services.appeal_decide(actor=world.carol, rect=rect, upheld=True, note="x")
    services.appeal_decide(actor=world.sam, rect=rect, upheld=False, note="证据不足，继续整改")
    rect.refresh_from_db()
    assert rect.status == "open"  # back where it was
    services.rectification_appeal(actor=world.carol, rect=rect, reason="录音证实系恶意评价")
    services.appeal_decide(actor=world.sam, rect=rect, upheld=True, note="录音核实")
    rect.refresh_from_db()
    review.refresh_from_db()
    assert (rect.status, review.excluded) == ("voided", True)
    assert selectors.ratings(by="item") == []  # left out of the public figures


def test_the_public_figures_per_item_agency_and_city(world: Any) -> None:
    case, _ = completed(world)
    review = services.review_submit(actor=world.alice.user, case=case, rating=BAD, channel="web")
    other, _ = completed(world)
    services.review_submit(actor=world.alice.user, case=other, rating=GOOD, channel="api")
    services.rectification_callback(actor=world.carol, rect=review.rectification, note="回访")
    services.rectification_done(actor=world.carol, rect=review.rectification, note="整改")
    (item,) = selectors.ratings(by="item")
    assert (item.key, item.reviews, item.average, item.satisfied_share, item.bad) == (
        "SX-SI-006",
        2,
        Decimal("3.00"),
        Decimal("0.500"),
        1,
    )
    assert (item.rectified, item.rectification_rate) == (1, Decimal("1.000"))
    (agency,) = selectors.ratings(by="agency")
    (city,) = selectors.ratings(by="region")
    assert "雁塔" in agency.label and city.label == "西安市"
    page = Client().get("/ratings/?by=agency").content.decode()
    assert agency.label in page and "1/1" in page
    # The first column is headed by what it lists, never 姓名 (a person's name).
    for by, zh, en in (
        ("agency", "机构", "Agency"),
        ("region", "城市", "City"),
        ("item", "服务事项", "Service"),
    ):
        for language, header in (("zh-hans", zh), ("en", en)):
            page = (
                Client().get(f"/ratings/?by={by}", HTTP_ACCEPT_LANGUAGE=language).content.decode()
            )
            assert f'<table id="ratings"><thead><tr><th scope="col">{header}</th>' in page
    api = Client().get("/api/v1/ratings?by=item").json()
    assert api[0]["reviews"] == 2 and api[0]["rectification_rate"] == "1.000"
    assert Client().get("/api/v1/ratings?by=nothing").status_code == 404


def test_the_qr_code_page_takes_the_query_code_and_the_tablet_the_case_worker(
    world: Any,
) -> None:
    case, code = completed(world)
    form = {"level": "2", "comment": "等太久", **{f"score_{d}": "3" for d in DIMENSIONS}}
    anonymous = Client()
    wrong = anonymous.post(f"/rate/{case.number}/", {**form, "code": "WRONG"})
    assert wrong.status_code == 404 and not Review.objects.exists()
    done = anonymous.post(f"/rate/{case.number}/", {**form, "code": code})
    assert done.status_code == 302
    review = Review.objects.get()
    assert (review.channel, review.level) == ("qr", 2)
    # One overall rating: the standard's overall satisfaction is the level given, not a
    # second question (a satisfaction posted anyway is not taken).
    assert review.scores["satisfaction"] == 2 and review.scores["efficiency"] == 3
    assert Rectification.objects.filter(review=review).exists()
    # The counter tablet: another case, rated on carol's signed-in tablet by the applicant.
    other, _ = completed(world)
    tablet = Client()
    tablet.force_login(world.carol)
    for language, overall, second in (
        ("zh-hans", "总体评价", "总体满意度"),
        ("en", "Overall", "overall satisfaction"),
    ):
        page = tablet.get(f"/applications/{other.number}/review/", HTTP_ACCEPT_LANGUAGE=language)
        shown = page.content.decode()
        assert shown.count(overall) == 1 and second not in shown
        assert 'name="score_satisfaction"' not in shown and 'name="score_efficiency"' in shown
    assert tablet.post(f"/applications/{other.number}/review/", form).status_code == 302
    assert Review.objects.get(application=other).channel == "tablet"
    # mallory's tablet (Baota) cannot rate a Yanta case.
    third, _ = completed(world)
    elsewhere = Client()
    elsewhere.force_login(world.mallory)
    assert elsewhere.post(f"/applications/{third.number}/review/", form).status_code == 404
    assert not Review.objects.filter(application=third).exists()


def test_the_api_rates_and_staff_work_the_rectification(world: Any) -> None:
    case, _ = completed(world)
    alice = Client()
    alice.force_login(world.alice.user)
    body = {"level": 2, "scores": dict.fromkeys(DIMENSIONS, 2), "comment": "材料要求不清楚"}
    bad = alice.post(f"/api/v1/applications/{case.number}/review", body, "application/json")
    assert bad.status_code == 201 and bad.json()["rectification"] is True
    again = alice.post(f"/api/v1/applications/{case.number}/review", body, "application/json")
    assert again.status_code == 400 and again.json()["code"] == "rated"
    invalid = alice.post(
        f"/api/v1/applications/{case.number}/review",
        {**body, "level": 9},
        "application/json",
    )
    assert invalid.status_code == 422, invalid.content
    carol = Client()
    carol.force_login(world.carol)
    (row,) = carol.get("/api/v1/rectifications").json()
    assert (row["number"], row["status"], row["overdue"]) == (case.number, "open", "")
    moved = carol.post(
        f"/api/v1/rectifications/{row['id']}/callback", {"note": "已回访"}, "application/json"
    )
    assert moved.status_code == 200 and moved.json()["status"] == "called_back"
    mallory = Client()
    mallory.force_login(world.mallory)
    assert mallory.get("/api/v1/rectifications").json() == []
    denied = mallory.post(
        f"/api/v1/rectifications/{row['id']}/rectified", {"note": "x"}, "application/json"
    )
    assert denied.status_code == 404
    assert Rectification.objects.get().status == "called_back"
    assert alice.get("/api/v1/rectifications").status_code == 403


def test_overdue_steps_are_flagged(world: Any) -> None:
    case, _ = completed(world)
    review = services.review_submit(actor=world.alice.user, case=case, rating=BAD, channel="web")
    rect = review.rectification
    Rectification.objects.filter(pk=rect.pk).update(
        callback_due=dt.date(2020, 1, 2), rectify_due=dt.date(2020, 1, 20)
    )
    rect.refresh_from_db()
    assert selectors.overdue(rect) == "callback"
    services.rectification_callback(actor=world.carol, rect=rect, note="迟到的回访")
    rect.refresh_from_db()
    assert selectors.overdue(rect) == "rectify"
    late = Entry.objects.get(action="reviews.rectification.called_back")
    assert late.changes["late"] is True
    page = Client()
    page.force_login(world.carol)
    assert (
        "overdue" in page.get("/staff/rectifications/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )


def test_rating_is_offered_only_where_it_can_be_accepted(world: Any) -> None:
    """An undecided case shows no rating form on any page, and the API says it is closed;
    a decided one shows the form and the API says open; once rated, closed again."""
    filed = applications.application_submit(
        actor=world.alice.user, item_code="SX-SI-006", applicant=world.alice, answers=ANSWERS
    )
    undecided = filed.application
    alice = Client()
    alice.force_login(world.alice.user)
    case_page = alice.get(f"/applications/{undecided.number}/").content.decode()
    assert 'id="rate-link"' not in case_page
    signed_in = alice.get(f"/applications/{undecided.number}/review/").content.decode()
    assert 'id="rate-closed"' in signed_in and 'id="rating-form"' not in signed_in
    state = alice.get(f"/api/v1/applications/{undecided.number}/review").json()
    assert (state["open"], state["round"], state["message_en"]) == (
        False,
        None,
        "A case can be rated once it is completed.",
    )
    # The QR code page asks the query code first and shows no rating form for it.
    anonymous = Client()
    first = anonymous.get(f"/rate/{undecided.number}/").content.decode()
    assert 'id="code-form"' in first and 'id="rating-form"' not in first
    checked = anonymous.post(f"/rate/{undecided.number}/", {"code": filed.code}).content.decode()
    assert 'id="rate-closed"' in checked and 'id="rating-form"' not in checked
    wrong = anonymous.post(f"/rate/{undecided.number}/", {"code": "WRONG"}).content.decode()
    assert 'id="code-form"' in wrong and 'id="rating-form"' not in wrong
    assert not Review.objects.exists()
    # Decided: every channel offers it.
    case, code = completed(world)
    assert 'id="rate-link"' in alice.get(f"/applications/{case.number}/").content.decode()
    assert 'id="rating-form"' in alice.get(f"/applications/{case.number}/review/").content.decode()
    assert alice.get(f"/api/v1/applications/{case.number}/review").json()["open"] is True
    offered = anonymous.post(f"/rate/{case.number}/", {"code": code}).content.decode()
    assert 'id="rating-form"' in offered and f'value="{code}"' in offered
    form = {"level": "5", "code": code, **{f"score_{d}": "5" for d in DIMENSIONS}}
    assert anonymous.post(f"/rate/{case.number}/", form).status_code == 302
    state = alice.get(f"/api/v1/applications/{case.number}/review").json()
    assert (state["open"], state["message_en"]) == (False, "This has already been rated.")
    # Rated: the case page no longer links to a form that would say it cannot be rated.
    assert 'id="rate-link"' not in alice.get(f"/applications/{case.number}/").content.decode()
    assert 'id="result-link"' in alice.get(f"/applications/{case.number}/").content.decode()
    again = anonymous.post(f"/rate/{case.number}/", {"code": code}).content.decode()
    assert 'id="rate-closed"' in again and 'id="rating-form"' not in again


def test_a_proof_issued_at_once_is_rated_once_a_day(world: Any) -> None:
    """Filing a hundred proofs must not give a hundred ratings (one matter, one rating):
    a second proof of the same day cannot be rated, a case decided by a case worker can."""
    from django.middleware.csrf import _get_new_csrf_string

    alice = Client(enforce_csrf_checks=True)
    alice.force_login(world.alice.user)
    alice.cookies["csrftoken"] = _get_new_csrf_string()
    alice.defaults["HTTP_X_CSRFTOKEN"] = alice.cookies["csrftoken"].value
    numbers = []
    for _ in range(2):
        filed = alice.post(
            "/api/v1/applications", {"item_code": "SX-SI-004", "answers": {}}, "application/json"
        )
        assert filed.status_code == 201, filed.content
        numbers.append(filed.json()["number"])
    body = {"level": 1, "scores": dict.fromkeys(DIMENSIONS, 1), "comment": "差"}
    first = alice.post(f"/api/v1/applications/{numbers[0]}/review", body, "application/json")
    assert first.status_code == 201, first.content
    state = alice.get(
        f"/api/v1/applications/{numbers[1]}/review", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).json()
    assert state["open"] is False and "每天评价一次" in state["message_zh"]
    second = alice.post(f"/api/v1/applications/{numbers[1]}/review", body, "application/json")
    assert second.status_code == 400 and second.json()["code"] == "rated_today"
    assert Review.objects.count() == 1 and Rectification.objects.count() == 1
    page = alice.get(f"/applications/{numbers[1]}/review/", HTTP_ACCEPT_LANGUAGE="en").content
    assert b"it is rated once a day" in page
    # A case a case worker decided is rated as before, the same day.
    case, _ = completed(world)
    other = alice.post(f"/api/v1/applications/{case.number}/review", body, "application/json")
    assert other.status_code == 201, other.content


@pytest.mark.django_db(transaction=True)
def test_two_proofs_rated_at_the_same_instant_on_postgresql_make_one_rating(world: Any) -> None:
    """Two proofs issued at once, the same day: their ratings sent at the same instant, each
    on its own connection through the real middleware, make exactly one rating; the other
    is refused ``rated_today`` (the applicant's row serialises them)."""
    import threading

    from django.db import connection
    from django.middleware.csrf import _get_new_csrf_string

    if connection.vendor != "postgresql":
        pytest.skip("Concurrent writers need PostgreSQL: SQLite serialises them by design.")
    alice = Client(enforce_csrf_checks=True)
    alice.force_login(world.alice.user)
    alice.cookies["csrftoken"] = _get_new_csrf_string()
    alice.defaults["HTTP_X_CSRFTOKEN"] = alice.cookies["csrftoken"].value
    numbers = []
    for _ in range(2):
        filed = alice.post(
            "/api/v1/applications", {"item_code": "SX-SI-004", "answers": {}}, "application/json"
        )
        assert filed.status_code == 201, filed.content
        numbers.append(filed.json()["number"])
    cookies = {name: morsel.value for name, morsel in alice.cookies.items()}
    body = {"level": 5, "scores": dict.fromkeys(DIMENSIONS, 5), "comment": "快"}
    barrier = threading.Barrier(2)
    answers: list[tuple[int, str]] = []
    failures: list[BaseException] = []

    def rate(number: str) -> None:
        try:
            client = Client(enforce_csrf_checks=True)
            for name, value in cookies.items():
                client.cookies[name] = value
            client.defaults["HTTP_X_CSRFTOKEN"] = cookies["csrftoken"]
            barrier.wait()
            answer = client.post(f"/api/v1/applications/{number}/review", body, "application/json")
            answers.append((answer.status_code, answer.json().get("code", "")))
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=rate, args=(number,)) for number in numbers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not failures, failures[:3]
    assert sorted(answers) == [(201, ""), (400, "rated_today")]
    assert Review.objects.count() == 1
