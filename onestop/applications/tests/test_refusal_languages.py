"""A refusal the platform records by itself (a service task's) is kept in each language
apart and read in one: on the case page, in the API (``message`` in the request's language
with ``message_zh``/``message_en``, as the API's errors), on the timeline. A case refused
before keeps reading, its one text "中文 English" split by the data migration."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.test import Client

from onestop.applications.models import Application, Step
from onestop.identity.tests.test_token_scopes import csrf_client
from onestop.unemployment.tests.test_filing import MONTHS, browser, claim, insured

pytestmark = pytest.mark.django_db

ZH = "尚未办理失业登记"
EN = "Not registered as unemployed"


def _refused(world: Any) -> Application:
    """alice claims the benefit before registering as unemployed: refused at once."""
    insured(world, MONTHS)
    case = claim(world)
    assert case.status == "rejected"
    return case


def _token(user: Any) -> dict[str, str]:
    client, csrf = csrf_client(user)
    created = client.post(
        "/api/v1/tokens",
        {"name": "app", "scopes": ["applications:read"]},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf,
    )
    assert created.status_code == 201, created.content
    return {"Authorization": f"Bearer {created.json()['secret']}"}


def test_the_refusal_is_recorded_in_each_language_apart(world: Any) -> None:
    case = _refused(world)
    refusal = case.facts["refusal"]
    assert set(refusal) == {"zh", "en"}
    assert ZH in refusal["zh"] and EN not in refusal["zh"]
    assert EN in refusal["en"] and ZH not in refusal["en"]
    step = case.steps.get(action="reject")
    assert ZH in step.note and EN not in step.note
    assert EN in step.note_en and ZH not in step.note_en


@pytest.mark.parametrize(("language", "shown", "hidden"), [("zh-hans", ZH, EN), ("en", EN, ZH)])
def test_the_case_page_shows_the_refusal_in_one_language(
    world: Any, language: str, shown: str, hidden: str
) -> None:
    case = _refused(world)
    page = browser(world.alice.user).get(
        f"/applications/{case.number}/", headers={"Accept-Language": language}
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert shown in text and hidden not in text


@pytest.mark.parametrize(("language", "shown"), [("zh-hans", ZH), ("en", EN)])
def test_the_api_gives_the_refusal_as_its_errors_do(world: Any, language: str, shown: str) -> None:
    case = _refused(world)
    answer = Client().get(
        f"/api/v1/applications/{case.number}",
        headers={**_token(world.alice.user), "Accept-Language": language},
    )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    refusal = body["facts"]["refusal"]
    assert set(refusal) == {"message", "message_zh", "message_en"}
    assert shown in refusal["message"]
    assert ZH in refusal["message_zh"] and EN not in refusal["message_zh"]
    assert EN in refusal["message_en"] and ZH not in refusal["message_en"]
    (rejected,) = [s for s in body["timeline"] if s["action"] == "reject"]
    assert shown in rejected["note"] and (EN if shown == ZH else ZH) not in rejected["note"]


def test_a_refusal_recorded_before_reads_in_one_language_after_the_migration(
    world: Any,
) -> None:
    """A case refused before: its fact and its timeline note one text "中文 English"
    (written here as they were). After the data migration the page shows one language,
    and a person's note is left as written."""
    case = _refused(world)
    old = f"{case.facts['refusal']['zh']} {case.facts['refusal']['en']}"
    Application.objects.filter(pk=case.pk).update(facts={**case.facts, "refusal": old})
    Step.objects.filter(application=case, action="reject").update(note=old, note_en="")
    typed = Step.objects.create(
        application=case,
        at=case.submitted_at,
        actor_label="carol",
        role="case_worker",
        action="comment",
        note="已电话联系 Zhang Wei",
    )
    migration = importlib.import_module(
        "onestop.applications.migrations.0011_platform_notes_in_each_language"
    )
    migration.forwards(apps, None)
    case.refresh_from_db()
    assert case.facts["refusal"]["en"].startswith(EN)
    step = case.steps.get(action="reject")
    assert (ZH in step.note, EN in step.note_en, EN in step.note) == (True, True, False)
    typed.refresh_from_db()
    assert (typed.note, typed.note_en) == ("已电话联系 Zhang Wei", "")
    for language, shown, hidden in (("zh-hans", ZH, EN), ("en", EN, ZH)):
        page = browser(world.alice.user).get(
            f"/applications/{case.number}/", headers={"Accept-Language": language}
        )
        text = page.content.decode()
        assert shown in text and hidden not in text


def test_a_long_note_is_kept_within_the_limit_in_each_language(world: Any) -> None:
    """A timeline note is at most 2,000 characters in each language; a person's longer
    note is cut, never split."""
    from onestop.applications.services.cases import NOTE_LIMIT, step_add
    from onestop.common.errors import both_languages

    case = _refused(world)
    step_add(case, None, "reject", note=both_languages("拒" * 3000, "refused " * 400))
    step_add(case, world.carol, "comment", note="x" * 3000)
    platform, person = case.steps.order_by("-pk")[1], case.steps.order_by("-pk")[0]
    assert (platform.note, platform.note_en) == ("拒" * NOTE_LIMIT, ("refused " * 400)[:NOTE_LIMIT])
    assert (person.note, person.note_en) == ("x" * NOTE_LIMIT, "")
