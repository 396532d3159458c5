"""Resident IDs on case pages: an answer naming a resident ID (the new employee's on an
enrolment) and any resident ID written in free text (a correction line, a note, a comment)
show masked on the case page, its API and the decision notice; the full number only through
the person page's journaled reveal."""

from __future__ import annotations

from typing import Any

import pytest
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from onestop.applications import services
from onestop.contributions.tests.helpers import declare_pair, employ_alice_and_bob
from onestop.identity.masking import mask_resident_id, mask_resident_ids_in

pytestmark = pytest.mark.django_db

NEWCOMER_ID = "610113200204099274"


def browser(user: Any) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.cookies["csrftoken"] = _get_new_csrf_string()
    client.defaults["HTTP_X_CSRFTOKEN"] = client.cookies["csrftoken"].value
    return client


def test_ids_in_free_text_are_masked_and_nothing_else() -> None:
    """An 18-character resident ID inside text is masked; a credit code, a longer number
    and a shorter one are left as written."""
    text = f"2026-11, {NEWCOMER_ID}, 19000; 61011319740515772X; 6222020200112233446; 12345"
    assert mask_resident_ids_in(text) == (
        "2026-11, 6101**********9274, 19000; 6101**********772X; 6222020200112233446; 12345"
    )
    assert mask_resident_ids_in("91610113722818664T") == "91610113722818664T"


@pytest.mark.parametrize(
    "written",
    [
        "ID610113197405157720",
        "610113 19740515 7720",
        "610113-19740515-7720",
        "610113\u300019740515\u30007720",
        "6101131974\u200b05157720",
        "610113197405157720x",
    ],
)
def test_an_id_written_with_separators_or_next_to_letters_is_masked(written: str) -> None:
    """As people copy an ID off a card into a note (spaced, dashed, after "ID", with an
    invisible character inside): masked all the same; and the old 15-digit IDs too."""
    masked = mask_resident_ids_in(f"核对 {written} 号")
    assert "6101**********7720" in masked and "19740515" not in masked
    assert mask_resident_ids_in("旧证 610113740515772。") == "旧证 6101*******5772。"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_enrolment_case_page_masks_the_new_employee(world: Any, language: str) -> None:
    """bob's page (and API view) of his enrolment of a new employee shows the employee's
    resident ID masked, never the full number."""
    filed = services.application_submit(
        actor=world.bob.user,
        item_code="SX-SI-002",
        applicant=world.bob,
        answers={
            "employer_credit_code": world.acme.credit_code,
            "employee_name": world.dave.name,
            "employee_resident_id": world.dave.resident_id,
            "start_month": "2026-12",
            "wage": "6000",
            "post_category": "general",
        },
    )
    client = browser(world.bob.user)
    page = client.get(f"/applications/{filed.application.number}/", HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200
    html = page.content.decode()
    assert world.dave.resident_id not in html
    answers = html.split('id="answers"')[1].split("</dl>")[0]
    assert mask_resident_id(world.dave.resident_id) in answers
    api = client.get(f"/api/v1/applications/{filed.application.number}")
    assert api.status_code == 200
    assert world.dave.resident_id not in api.content.decode()


def test_a_correction_text_and_a_comment_mask_the_ids(world: Any) -> None:
    """bob's correction lines name alice's resident ID: his case page, carol's (with her
    internal comment quoting it) show it masked."""
    employ_alice_and_bob(world, since=202601)
    declare_pair(world, "regular", "8000", "8000", period=202610)
    line = f"2026-10, {world.alice.resident_id}, 19000"
    filed = services.application_submit(
        actor=world.bob.user,
        item_code="SX-SI-003",
        applicant=world.bob,
        answers={
            "employer_credit_code": world.acme.credit_code,
            "corrections": line,
            "reason": f"工资录入错误 {world.alice.resident_id}",
        },
    )
    case = filed.application
    carol = browser(world.carol)
    posted = carol.post(
        f"/applications/{case.number}/comments/",
        {"comment-body": f"核对 {world.alice.resident_id}"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert posted.status_code == 302
    masked = mask_resident_id(world.alice.resident_id)
    for client in (browser(world.bob.user), carol):
        html = client.get(f"/applications/{case.number}/", HTTP_ACCEPT_LANGUAGE="en")
        text = html.content.decode()
        assert html.status_code == 200
        assert world.alice.resident_id not in text
        assert f"2026-10, {masked}, 19000" in text
    assert f"核对 {masked}" in carol.get(f"/applications/{case.number}/").content.decode()
