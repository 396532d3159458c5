"""attack1, finding 8: the public rating pages answer "not found" for what does not exist
(an unknown case and a wrong code alike), tell a code holder nothing of the applicant's
other ratings, and a refused form (CSRF) is the platform's own page in the reader's
language."""

from __future__ import annotations

from typing import Any

import pytest
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from onestop.reviews.models import DIMENSIONS, Review

pytestmark = pytest.mark.django_db

LANGUAGES = ["zh-hans", "en"]
FORM = {"level": "4", "comment": "", **{f"score_{d}": "4" for d in DIMENSIONS}}


def signed_in(user: Any) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.cookies["csrftoken"] = _get_new_csrf_string()
    client.defaults["HTTP_X_CSRFTOKEN"] = client.cookies["csrftoken"].value
    return client


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_unknown_case_is_not_found_and_offers_no_form(db: Any, language: str) -> None:
    """/rate/NOPE123/: 404 in the reader's language, no rating or code form."""
    page = Client().get("/rate/NOPE123/", headers={"accept-language": language})
    assert page.status_code == 404
    html = page.content.decode()
    assert 'id="rating-form"' not in html and 'id="code-form"' not in html
    if language == "en":
        assert "No such case" in html and "未找到该办件" not in html
    else:
        assert "未找到该办件" in html and "No such case" not in html
    visit = Client().get("/rate/visit/NOPE123/", headers={"accept-language": language})
    assert visit.status_code == 404 and 'id="rating-form"' not in visit.content.decode()


def test_an_unknown_case_and_a_wrong_code_get_the_same_answer(world: Any) -> None:
    """A code posted for a case that does not exist and a wrong code for one that does:
    the same 404 and the same words; nothing is rated."""
    from onestop.reviews.tests.test_reviews import completed

    case, _code = completed(world)
    unknown = Client().post("/rate/SX20260101000000/", {"code": "123456"})
    wrong = Client().post(f"/rate/{case.number}/", {"code": "123456"})
    assert unknown.status_code == wrong.status_code == 404
    message = "No such case: check the case number and the code."
    en = {"accept-language": "en"}
    unknown_en = Client().post("/rate/SX20260101000000/", {"code": "123456"}, headers=en)
    wrong_en = Client().post(f"/rate/{case.number}/", {"code": "123456"}, headers=en)
    assert message in unknown_en.content.decode() and message in wrong_en.content.decode()
    rated = Client().post(f"/rate/{case.number}/", {**FORM, "code": "123456"}, headers=en)
    assert rated.status_code == 404 and message in rated.content.decode()
    assert not Review.objects.exists()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_code_holder_is_not_told_of_the_applicants_other_ratings(
    world: Any, language: str
) -> None:
    """alice rated one proof of insurance today; someone holding her second proof's code
    sees "cannot be rated now", not that the applicant rated today, and cannot rate it."""
    alice = signed_in(world.alice.user)
    filed = []
    for _ in range(2):
        answer = alice.post(
            "/api/v1/applications", {"item_code": "SX-SI-004", "answers": {}}, "application/json"
        )
        assert answer.status_code == 201, answer.content
        filed.append(answer.json())
    body = {"level": 5, "scores": dict.fromkeys(DIMENSIONS, 5), "comment": ""}
    number = filed[0]["number"]
    rated = alice.post(f"/api/v1/applications/{number}/review", body, "application/json")
    assert rated.status_code == 201
    second = filed[1]
    holder = Client()
    page = holder.post(
        f"/rate/{second['number']}/",
        {"code": second["code"]},
        headers={"accept-language": language},
    ).content.decode()
    told = (
        page
        + holder.post(
            f"/rate/{second['number']}/",
            {**FORM, "code": second["code"]},
            headers={"accept-language": language},
        ).content.decode()
    )
    for revealing in ("once a day", "每天评价一次", "今天已评价", "today already"):
        assert revealing not in told
    if language == "en":
        assert "This case cannot be rated now." in page and "该办件现在不能评价" not in page
    else:
        assert "该办件现在不能评价。" in page and "cannot be rated now" not in page
    assert Review.objects.count() == 1


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_failed_csrf_check_is_the_platforms_page(world: Any, language: str) -> None:
    """A form posted without its token: 403 in the platform's page, in the reader's
    language, saying the form expired and offering a reload."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.carol)
    page = client.post("/me/inbox/read-all/", {}, headers={"accept-language": language})
    assert page.status_code == 403
    html = page.content.decode()
    assert 'id="csrf-failure"' in html and 'id="reload"' in html
    assert 'href="/me/inbox/read-all/"' in html
    assert "CSRF verification failed" not in html  # not Django's own page
    if language == "en":
        assert "This form has expired" in html and "表单已过期" not in html
    else:
        assert "表单已过期" in html and "This form has expired" not in html
