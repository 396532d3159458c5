"""The staff case search (region-scoped, journaled, paginated), a person's cases from their
record, and the queue's counts and filters."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from onestop.applications import services
from onestop.applications.models import Application
from onestop.audit.models import Entry

pytestmark = pytest.mark.django_db

ANSWERS = {"retirement_month": "2026-05", "bank_account": "6222020200112233446"}


def file(world: Any) -> Application:
    return services.application_submit(
        actor=world.alice.user, item_code="SX-SI-006", applicant=world.alice, answers=ANSWERS
    ).application


def page_of(user: Any, url: str) -> tuple[int, str]:
    client = Client()
    client.force_login(user)
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    return response.status_code, response.content.decode()


def test_search_by_number_applicant_status_and_person_in_scope(world: Any) -> None:
    first, second = file(world), file(world)
    services.application_act(
        actor=world.carol, application=second, task="accept", decision="accept"
    )
    for query, expected in (
        (f"number={first.number[:-2]}", None),  # a prefix: maybe both, at least first
        (f"applicant={world.alice.resident_id}", {first.number, second.number}),
        (f"applicant={world.alice.name}", {first.number, second.number}),  # the whole name
        ("status=in_review", {second.number}),
        ("status=submitted&item=SX-SI-006", {first.number}),
        (f"person={world.alice.pk}", {first.number, second.number}),
        ("since=2030-01-01", set()),
    ):
        status, html = page_of(world.carol, f"/staff/cases/?{query}")
        assert status == 200
        shown = {n for n in (first.number, second.number) if n in html}
        if expected is None:
            assert first.number in shown
        else:
            assert shown == expected, query
    assert world.alice.resident_id not in html  # masked: the name only, masked
    assert Entry.objects.filter(action="applications.searched").count() == 7
    # Baota's case worker searches only Baota; citizens may not search.
    status, html = page_of(world.mallory, f"/staff/cases/?person={world.alice.pk}")
    assert status == 200 and first.number not in html and "No case matches." in html
    assert page_of(world.alice.user, "/staff/cases/?status=submitted")[0] == 403
    # Bad input is a clean page, not an error.
    status, html = page_of(world.carol, "/staff/cases/?since=not-a-date&person=x")
    assert status == 200 and first.number not in html


def test_the_person_record_links_to_their_cases(world: Any) -> None:
    file(world)
    status, html = page_of(world.carol, f"/staff/persons/{world.alice.pk}/")
    assert status == 200 and f"/staff/cases/?person={world.alice.pk}" in html


def test_the_queue_counts_and_filters(world: Any) -> None:
    first, second = file(world), file(world)
    services.application_claim(actor=world.carol, application=first)
    services.application_act(
        actor=world.carol, application=second, task="accept", decision="supplement", note="缺档案"
    )
    status, html = page_of(world.carol, "/staff/queue/")
    assert status == 200
    assert '<strong id="count-todo">1</strong>' in html
    assert '<strong id="count-mine">1</strong>' in html
    assert '<strong id="count-supplements">1</strong>' in html
    assert first.number in html and 'class="clock-row-green"' in html
    assert first.number not in page_of(world.carol, "/staff/queue/?colour=red")[1]
    assert first.number in page_of(world.carol, "/staff/queue/?colour=green&item=SX-SI-006")[1]


def test_the_staff_home_shows_my_counts(world: Any) -> None:
    first = file(world)
    services.application_claim(actor=world.carol, application=first)
    file(world)
    status, html = page_of(world.carol, "/")
    assert status == 200 and 'id="home-counts"' in html
    assert "<strong>2</strong> to do" in html and "<strong>1</strong> claimed by me" in html
    # A supervisor sees the cases of their scope: one with an unclaimed step, none claimed
    # by them (no such card), the colours.
    status, html = page_of(world.sam, "/")
    assert status == 200 and 'id="home-counts"' in html and "Cases in my scope" in html
    assert "<strong>1</strong> unclaimed" in html and "claimed by me" not in html
    status, html = page_of(world.erin, "/")  # a content editor has no cases
    assert status == 200 and 'id="home-counts"' not in html
