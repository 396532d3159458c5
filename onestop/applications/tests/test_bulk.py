"""Bulk claim and assignment from the queue (page and API): all or nothing, each refused
case named with its reason; the queue's filters by channel and age; the case search API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from onestop.applications import services
from onestop.applications.models import Application, Channel, OpenStep
from onestop.audit.models import Entry

pytestmark = pytest.mark.django_db

ANSWERS = {"retirement_month": "2026-05", "bank_account": "6222020200112233446"}


def file(world: Any, channel: str = Channel.ONLINE) -> Application:
    if channel == Channel.COUNTER:
        return services.application_submit(
            actor=world.carol,
            item_code="SX-SI-006",
            applicant=world.alice,
            answers=ANSWERS,
            channel=Channel.COUNTER,
            consent=True,
        ).application
    return services.application_submit(
        actor=world.alice.user, item_code="SX-SI-006", applicant=world.alice, answers=ANSWERS
    ).application


def browser(user: Any) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/staff/queue/")
    return client


def post(client: Client, url: str, data: dict[str, Any]) -> str:
    response = client.post(
        url,
        {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    assert response.status_code == 200
    return response.content.decode()


def held_by(user: Any) -> set[str]:
    return set(OpenStep.objects.filter(assignee=user).values_list("application__number", flat=True))


def test_bulk_claim_is_all_or_nothing_with_each_reason(world: Any) -> None:
    first, second, third = file(world), file(world), file(world)
    services.application_claim(actor=world.carol, application=third)  # already hers
    carol = browser(world.carol)
    journal = Entry.objects.count()
    # One unknown number: nothing is claimed, and the refusal names it with its reason.
    html = post(carol, "/staff/queue/claim/", {"number": [first.number, second.number, "SX000"]})
    assert "Nothing was changed" in html and "SX000: Not found." in html
    assert held_by(world.carol) == {third.number}
    assert Entry.objects.filter(action="applications.claimed").count() == 1
    assert Entry.objects.count() == journal
    # All claimable (one already hers): two newly claimed, the third counted as hers.
    html = post(
        carol, "/staff/queue/claim/", {"number": [first.number, second.number, third.number]}
    )
    assert "Newly claimed: 2; already yours: 1." in html and "Claimed: 3" not in html
    assert held_by(world.carol) == {first.number, second.number, third.number}
    assert Entry.objects.filter(action="applications.claimed").count() == 3
    # In Chinese too.
    services.application_release(actor=world.carol, application=first)
    response = carol.post(
        "/staff/queue/claim/",
        {
            "number": [first.number, third.number],
            "csrfmiddlewaretoken": carol.cookies["csrftoken"].value,
        },
        HTTP_ACCEPT_LANGUAGE="zh-hans",
        follow=True,
    )
    assert "新认领：1 件；原已由您认领：1 件。" in response.content.decode()
    # rita may act on none of them: refused each, nothing changes.
    html = post(browser(world.rita), "/staff/queue/claim/", {"number": [first.number]})
    assert f"{first.number}: You are not allowed to do this." in html
    assert not OpenStep.objects.filter(assignee=world.rita).exists()
    # Nothing selected, or a citizen.
    assert "Select the cases." in post(carol, "/staff/queue/claim/", {})
    citizen = Client()
    citizen.force_login(world.alice.user)
    assert citizen.post("/staff/queue/claim/", {"number": [first.number]}).status_code == 403


def test_a_supervisor_assigns_several_cases_all_or_nothing(world: Any) -> None:
    from onestop.identity import services as identity
    from onestop.identity.models import StaffRole

    chloe = identity.staff_create(
        actor=None,
        username="chloe",
        display_name="柯洛伊",
        password="x-Very-long-password-1",
        agency=world.agencies["610113-si"],
        role=StaffRole.CASE_WORKER,
        region=world.regions["610113"],
    )
    first, second = file(world), file(world)
    services.application_claim(actor=world.carol, application=first)
    sam = browser(world.sam)
    # The supervisor's queue lists every open step in scope, with the assignment form.
    html = sam.get("/staff/queue/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert first.number in html and second.number in html and 'id="assign-selected"' in html
    # rita (a reviewer) may not accept: both refused, nothing assigned.
    html = post(
        sam,
        "/staff/queue/assign/",
        {"number": [first.number, second.number], "to": world.rita.pk},
    )
    assert "Nothing was changed: 2 of the cases were refused" in html
    assert f"{first.number}: That person may not act on this step" in html
    assert held_by(world.carol) == {first.number} and not held_by(world.rita)
    # chloe may: both are hers, carol's claim included; journaled as reassignments.
    html = post(
        sam,
        "/staff/queue/assign/",
        {"number": [first.number, second.number], "to": chloe.pk, "note": "均衡工作量"},
    )
    assert "Assigned to" in html and ": 2." in html
    assert held_by(chloe) == {first.number, second.number} and not held_by(world.carol)
    assert Entry.objects.filter(action="applications.reassigned").count() == 2
    # A case worker may not assign.
    carol = browser(world.carol)
    response = carol.post(
        "/staff/queue/assign/",
        {
            "number": [first.number],
            "to": world.carol.pk,
            "csrfmiddlewaretoken": carol.cookies["csrftoken"].value,
        },
    )
    assert response.status_code == 403
    # Through the API, the same: all or nothing with each reason.
    api = Client()
    api.force_login(world.sam)
    refused = api.post(
        "/api/v1/queue/assign",
        {"numbers": [first.number, "SX000"], "to": "carol"},
        content_type="application/json",
    )
    assert refused.status_code == 400
    body = refused.json()
    assert body["code"] == "bulk_refused"
    assert [r["number"] for r in body["refused"]] == ["SX000"]
    assert held_by(chloe) == {first.number, second.number}
    done = api.post(
        "/api/v1/queue/assign",
        {"numbers": [first.number, second.number], "to": "carol"},
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json() == {"done": [first.number, second.number]}
    assert held_by(world.carol) == {first.number, second.number}
    unknown = api.post(
        "/api/v1/queue/assign",
        {"numbers": [first.number], "to": "nobody"},
        content_type="application/json",
    )
    assert unknown.status_code == 400 and unknown.json()["code"] == "recipient"


def test_a_colleagues_case_is_counted_and_refuses_the_claim(world: Any) -> None:
    """A case another case worker holds: nothing is claimed, and the message says how many
    of the refused cases colleagues hold; once released, only the new claim is counted."""
    from onestop.identity import services as identity
    from onestop.identity.models import StaffRole

    chloe = identity.staff_create(
        actor=None,
        username="chloe",
        display_name="柯洛伊",
        password="x-Very-long-password-1",
        agency=world.agencies["610113-si"],
        role=StaffRole.CASE_WORKER,
        region=world.regions["610113"],
    )
    first, second = file(world), file(world)
    services.application_claim(actor=chloe, application=first)
    carol = browser(world.carol)
    journal = Entry.objects.count()
    html = post(carol, "/staff/queue/claim/", {"number": [first.number, second.number]})
    assert (
        f"Nothing was changed: 1 of the cases were refused ({first.number}), "
        "1 of them claimed by another staff member."
    ) in html
    assert f"{first.number}: Another staff member has claimed this step." in html
    assert not held_by(world.carol) and Entry.objects.count() == journal
    html = post(carol, "/staff/queue/claim/", {"number": [second.number]})
    assert "Claimed: 1." in html and held_by(world.carol) == {second.number}


def test_bulk_claim_through_the_api(world: Any) -> None:
    first, second = file(world), file(world)
    api = Client()
    api.force_login(world.carol)
    refused = api.post(
        "/api/v1/queue/claim",
        {"numbers": [first.number, "SX000"]},
        content_type="application/json",
    )
    assert refused.status_code == 400 and refused.json()["refused"][0]["code"] == "not_found"
    assert not held_by(world.carol)
    done = api.post(
        "/api/v1/queue/claim",
        {"numbers": [first.number, second.number]},
        content_type="application/json",
    )
    assert done.status_code == 200 and held_by(world.carol) == {first.number, second.number}
    assert done.json() == {
        "done": [first.number, second.number],
        "claimed": [first.number, second.number],
        "already_held": [],
    }
    again = api.post(
        "/api/v1/queue/claim",
        {"numbers": [second.number]},
        content_type="application/json",
    )
    assert again.json() == {"done": [second.number], "claimed": [], "already_held": [second.number]}
    empty = api.post("/api/v1/queue/claim", {"numbers": []}, content_type="application/json")
    assert empty.status_code == 422


def test_the_queue_filters_by_channel_and_age_on_page_and_api(world: Any) -> None:
    online, counter = file(world), file(world, Channel.COUNTER)
    # The online case was filed ten days ago (set back directly).
    Application.objects.filter(pk=online.pk).update(
        submitted_at=timezone.now() - dt.timedelta(days=10)
    )
    carol = Client()
    carol.force_login(world.carol)

    def page(query: str) -> str:
        response = carol.get(f"/staff/queue/?{query}", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
        return response.content.decode()

    def api(query: str) -> set[str]:
        response = carol.get(f"/api/v1/queue?{query}")
        assert response.status_code == 200
        return {c["number"] for c in response.json()}

    html = page("channel=counter")
    assert counter.number in html and online.number not in html
    html = page("age=7")
    assert online.number in html and counter.number not in html
    assert api("channel=counter") == {counter.number}
    assert api("age=7") == {online.number}
    assert api("age=7&channel=counter") == set()
    assert api("status=submitted&item=SX-SI-006&colour=green") == {online.number, counter.number}
    # Bad filters: a clear 4xx in both languages, never a 500.
    bad = carol.get("/staff/queue/?age=-1", HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 400 and 'id="filter-errors"' in bad.content.decode()
    assert carol.get("/api/v1/queue?age=-1").status_code == 400
    assert carol.get("/api/v1/queue?colour=blue").status_code == 422
    assert carol.get("/api/v1/queue?age=x").status_code == 422


def test_the_case_search_api_is_scoped_paged_and_journaled(world: Any) -> None:
    first, second = file(world), file(world, Channel.COUNTER)
    carol = Client()
    carol.force_login(world.carol)
    found = carol.get(f"/api/v1/cases?applicant={world.alice.resident_id}")
    assert found.status_code == 200
    rows = found.json()
    assert {r["number"] for r in rows} == {first.number, second.number}
    assert world.alice.name not in found.content.decode("utf-8")  # masked
    assert Entry.objects.filter(action="applications.searched").count() == 1
    assert [r["number"] for r in carol.get("/api/v1/cases?channel=counter").json()] == [
        second.number
    ]
    assert len(carol.get("/api/v1/cases?limit=1").json()) == 1
    assert carol.get(f"/api/v1/cases?person={world.alice.pk}&status=submitted").json()
    assert carol.get("/api/v1/cases?since=2026-13-01").status_code == 422
    # Staff of another region find nothing; citizens may not search.
    mallory = Client()
    mallory.force_login(world.mallory)
    assert mallory.get(f"/api/v1/cases?applicant={world.alice.resident_id}").json() == []
    citizen = Client()
    citizen.force_login(world.alice.user)
    assert citizen.get("/api/v1/cases").status_code == 403


def test_the_queue_is_paged(world: Any, settings: Any) -> None:
    from onestop.applications import views

    numbers = {file(world).number for _ in range(3)}
    views.QUEUE_PAGE, saved = 2, views.QUEUE_PAGE
    try:
        carol = Client()
        carol.force_login(world.carol)
        first = carol.get("/staff/queue/?channel=online").content.decode()
        second = carol.get("/staff/queue/?channel=online&page=2").content.decode()
    finally:
        views.QUEUE_PAGE = saved
    assert 'id="queue-pages"' in first and "?channel=online&page=2" in first
    shown = {n for n in numbers if n in first} | {n for n in numbers if n in second}
    assert shown == numbers and sum(n in second for n in numbers) == 1


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_assign_to_names_each_colleagues_role_and_agency(world: Any, language: str) -> None:
    """sam's Assign to list tells colleagues apart: name · role · agency, in his language."""
    import re

    from django.utils import translation

    file(world)
    sam = browser(world.sam)
    html = sam.get("/staff/queue/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    select = re.search(r'<select name="to"[^>]*>(.*?)</select>', html, re.S)
    assert select is not None
    profile = world.carol.staff_profile
    with translation.override(language):
        expected = f"{world.carol} · {profile.get_role_display()} · {profile.agency}"
    assert expected in select.group(1)
