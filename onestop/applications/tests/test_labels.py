"""Facts a service task stores are read in one language, with a label, never as a key."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import translation

from onestop.applications.labels import FACTS, fact_label, fact_value, step_title


def test_every_fact_the_service_tasks_store_has_a_label_in_each_language() -> None:
    keys = ("alive", "identity_matched", "newly_insured", "employed_with_pension", "refusal")
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for key in keys:
                assert key in FACTS and fact_label(key) != key


def test_a_bilingual_refusal_reads_in_one_language() -> None:
    stored = "姓名与公民身份号码在户籍登记中不一致。 The name does not match the register."
    with translation.override("zh-hans"):
        assert fact_value("refusal", stored) == "姓名与公民身份号码在户籍登记中不一致。"
        assert fact_value("alive", True) == "是"
    with translation.override("en"):
        assert fact_value("refusal", stored) == "The name does not match the register."
        assert "household register" in fact_value("identity_source", "public_security.household")


def test_every_user_task_of_every_process_has_a_name_in_each_language() -> None:
    """Each BPMN user task's name (the step shown in the queue, on the case and in messages)
    reads in Chinese on a Chinese page and as written on an English one."""
    from lxml import etree

    from onestop.workflow.engine import PROCESSES

    bpmn = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
    names = {
        task.get("name")
        for path in sorted(PROCESSES.glob("*.bpmn"))
        for task in etree.parse(str(path)).iter(f"{bpmn}userTask")
    }
    assert "Review the evidence and decide" in names and len(names) >= 10
    for name in sorted(names):
        with translation.override("zh-hans"):
            chinese = step_title(name)
        with translation.override("en"):
            english = step_title(name)
        assert english == name
        assert chinese != name and re.search(r"[\u4e00-\u9fff]", chinese), name
        assert not re.search(r"[A-Za-z]", chinese), (name, chinese)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "shown", "absent"),
    [
        ("en", "Company status in the registry</dt><dd>in existence (active)", "存续"),
        ("zh-hans", "<dd>存续</dd>", "in existence"),
    ],
)
def test_the_registrys_company_status_reads_in_the_page_language(
    world: Any, language: str, shown: str, absent: str
) -> None:
    """The enterprise registry writes a status in Chinese (存续); an English page reads it in
    English, a Chinese page as written."""
    from django.test import Client

    from onestop.applications import services
    from onestop.applications.models import Application

    case = services.application_submit(
        actor=world.alice.user,
        item_code="SX-SI-006",
        applicant=world.alice,
        answers={"retirement_month": "2026-05", "bank_account": "6222020200112233446"},
    ).application
    Application.objects.filter(pk=case.pk).update(
        facts={"enterprise_found": True, "enterprise_status": "存续"}
    )
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice.user)
    page = client.get(f"/applications/{case.number}/", HTTP_ACCEPT_LANGUAGE=language)
    gathered = re.search(r'id="gathered">.*?</dl>', page.content.decode(), re.S)
    assert gathered is not None
    assert shown in gathered.group(0) and absent not in gathered.group(0)
