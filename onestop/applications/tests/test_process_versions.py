"""Loading a new process version: validated, journaled, used by new cases only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from onestop.applications import services as cases
from onestop.audit.models import Entry
from onestop.common.errors import NotPermitted, ServiceError
from onestop.workflow import engine, services
from onestop.workflow.models import ProcessVersion

pytestmark = pytest.mark.django_db

SHIPPED = (Path(engine.PROCESSES) / "retirement.bpmn").read_bytes()
# Version 1 names its review step differently.
V1 = SHIPPED.replace(b'name="Review and decide"', b'name="City review (v1)"')
ANSWERS = {"retirement_month": "2026-05", "bank_account": "6222020200112233446"}


def test_new_cases_start_on_the_new_version_running_ones_keep_theirs(world: Any) -> None:
    running = cases.application_submit(
        actor=world.alice.user, item_code="SX-SI-006", applicant=world.alice, answers=ANSWERS
    ).application
    loaded = services.process_version_load(
        actor=world.adam, name="retirement.bpmn", xml=V1, note="city review renamed"
    )
    assert (loaded.version, loaded.user_tasks) == (1, ["accept", "review", "supplement"])
    assert Entry.objects.filter(action="workflow.process.loaded").count() == 1
    new = cases.application_submit(
        actor=world.alice.user, item_code="SX-SI-006", applicant=world.alice, answers=ANSWERS
    ).application
    assert (running.process_version, new.process_version) == (0, 1)
    for case in (running, new):
        case = cases.application_act(
            actor=world.carol, application=case, task="accept", decision="accept"
        )
        title = case.ready[0][3]
        expected = "Review and decide" if case.pk == running.pk else "City review (v1)"
        assert title == expected


@pytest.mark.parametrize(
    ("name", "xml", "note", "code"),
    [
        ("retirement.bpmn", b"<not-bpmn/>", "x", "bpmn"),
        ("retirement.bpmn", SHIPPED.replace(b'name="case_worker"', b'name=""'), "x", "bpmn"),
        ("retirement.bpmn", SHIPPED.replace(b'id="retirement"', b'id="other"'), "x", "bpmn"),
        ("../retirement.bpmn", SHIPPED, "x", "name"),
        ("retirement.bpmn", SHIPPED, " ", "note"),
        ("retirement.bpmn", b"\xff\xfe" + SHIPPED, "x", "bpmn"),
    ],
)
def test_bad_versions_are_refused(world: Any, name: str, xml: bytes, note: str, code: str) -> None:
    with pytest.raises(ServiceError) as refused:
        services.process_version_load(actor=world.adam, name=name, xml=xml, note=note)
    assert refused.value.code == code
    assert not ProcessVersion.objects.exists()


def test_only_the_system_administrator_loads(world: Any) -> None:
    for who in (world.carol, world.sam, world.sean, world.audrey):
        with pytest.raises(NotPermitted):
            services.process_version_load(actor=who, name="retirement.bpmn", xml=V1, note="x")
    assert not ProcessVersion.objects.exists()


def test_the_admin_upload_page(world: Any) -> None:
    client = Client()
    client.force_login(world.adam)
    response = client.post(
        "/admin/workflow/processversion/add/",
        {
            "name": "retirement.bpmn",
            "note": "renamed",
            "upload": SimpleUploadedFile("retirement.bpmn", V1, "application/xml"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ProcessVersion.objects.get().version == 1
    refused = client.post(
        "/admin/workflow/processversion/add/",
        {
            "name": "retirement.bpmn",
            "note": "broken",
            "upload": SimpleUploadedFile("retirement.bpmn", b"<x/>", "application/xml"),
        },
    )
    # In the administrator's language only.
    page = refused.content.decode()
    assert refused.status_code == 200 and "流程文件无效" in page and "not valid" not in page
    assert ProcessVersion.objects.count() == 1
