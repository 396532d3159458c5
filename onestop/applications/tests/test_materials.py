"""Uploaded materials: type by content, size and count limits, checksum, who may upload."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from onestop.applications import services
from onestop.applications.models import Application, Material
from onestop.applications.services import materials
from onestop.audit.models import Entry
from onestop.common.digests import sm3_hex
from onestop.common.errors import NotPermitted, ServiceError

pytestmark = pytest.mark.django_db

ANSWERS = {"retirement_month": "2026-05", "bank_account": "6222020200112233446"}
FILE_NAME = "人事档案（视同缴费年限认定）"
PDF = b"%PDF-1.7\n%\xe2\xe3\n1 0 obj<<>>endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


@pytest.fixture
def case(world: Any, settings: Any, tmp_path: Any) -> Application:
    settings.MEDIA_ROOT = tmp_path
    return services.application_submit(
        actor=world.alice.user, item_code="SX-SI-006", applicant=world.alice, answers=ANSWERS
    ).application


def upload(actor: Any, case: Application, data: bytes, name: str = FILE_NAME) -> Material:
    return services.material_upload(
        actor=actor, application=case, name=name, file_name="scan.pdf", data=data
    )


@pytest.mark.parametrize(
    ("data", "kind"), [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg")]
)
def test_accepted_types_are_judged_by_content(
    world: Any, case: Application, data: bytes, kind: str
) -> None:
    material = upload(world.alice.user, case, data)
    assert (material.content_type, material.size, material.checksum) == (
        kind,
        len(data),
        sm3_hex(data),
    )
    assert services.material_read(material=material) == data
    assert material.download_name.startswith(case.number)


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"MZ\x90\x00 not a pdf", FILE_NAME, "file_type"),
        (b"<html>%PDF-</html>", FILE_NAME, "file_type"),
        (b"", FILE_NAME, "empty"),
        (b"%PDF-" + b"0" * materials.MAX_BYTES, FILE_NAME, "too_large"),
        (PDF, "身份证复印件 not in this item", "material"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_kept(
    world: Any, case: Application, data: bytes, name: str, code: str
) -> None:
    journal = Entry.objects.count()
    with pytest.raises(ServiceError) as refused:
        upload(world.alice.user, case, data, name)
    assert refused.value.code == code
    assert (Material.objects.count(), Entry.objects.count()) == (0, journal)


def test_who_may_upload_and_the_count_limit(
    world: Any, case: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    for actor in (world.bob.user, world.rita, world.sam, world.mallory):
        with pytest.raises(NotPermitted):
            upload(actor, case, PDF)
    upload(world.carol, case, PDF)  # at the counter, on the applicant's behalf
    monkeypatch.setattr(materials, "MAX_PER_CASE", 2)
    upload(world.alice.user, case, PNG)
    with pytest.raises(ServiceError) as full:
        upload(world.alice.user, case, JPEG)
    assert full.value.code == "too_many" and Material.objects.count() == 2
    services.application_withdraw(actor=world.alice.user, application=case)
    case.refresh_from_db()
    with pytest.raises(NotPermitted):  # closed cases take no more files
        upload(world.alice.user, case, PDF)


def test_a_changed_file_no_longer_downloads(world: Any, case: Application) -> None:
    material = upload(world.alice.user, case, PDF)
    with open(material.file.path, "wb") as handle:
        handle.write(PDF.replace(b"1.7", b"1.4"))
    with pytest.raises(ServiceError) as changed:
        services.material_read(material=material)
    assert changed.value.code == "checksum"


def test_the_page_uploads_and_serves_the_file(world: Any, case: Application) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = Client()
    client.force_login(world.alice.user)
    response = client.post(
        f"/applications/{case.number}/materials/",
        {"name": FILE_NAME, "file": SimpleUploadedFile("a.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 302
    material = Material.objects.get()
    response = client.get(f"/applications/{case.number}/materials/{material.pk}/")
    assert response.status_code == 200 and response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    # A spoofed type claim does not help: the content decides.
    response = client.post(
        f"/applications/{case.number}/materials/",
        {"name": FILE_NAME, "file": SimpleUploadedFile("a.pdf", b"<script>", "application/pdf")},
    )
    assert response.status_code == 302 and Material.objects.count() == 1


def test_what_the_platform_obtains_is_never_asked_to_be_uploaded(world: Any) -> None:
    """The retirement guide says the bank account (or social security card) is obtained from
    the platform's data: the case page says so and does not offer it for upload; the
    personnel file, to be brought, is offered."""
    filed = services.application_submit(
        actor=world.alice.user, item_code="SX-SI-006", applicant=world.alice, answers=ANSWERS
    )
    client = Client()
    client.force_login(world.alice.user)
    guide = client.get("/services/SX-SI-006/").content.decode()
    assert "本人社会保障卡或银行账户" in guide.split('id="replaced"')[1].split("</ul>")[0]
    page = client.get(f"/applications/{filed.application.number}/").content.decode()
    status = page.split('id="material-status"')[1].split("</table>")[0]
    bank_row = next(r for r in status.split("<tr") if "本人社会保障卡或银行账户" in r)
    assert 'data-supply="obtained"' in bank_row
    upload = page.split('id="upload-form"')[1].split("</form>")[0]
    assert "本人社会保障卡或银行账户" not in upload
    assert "人事档案（视同缴费年限认定）" in upload


@pytest.mark.parametrize(
    ("language", "notice", "staff_texts"),
    [
        ("zh-hans", "经办人员要求补正", ["补正须一次性列明", "办结本环节", "办理意见"]),
        ("en", "A supplement was asked for", ["a supplement lists everything", "Decision"]),
    ],
)
def test_asked_for_a_supplement_the_applicant_uploads_and_confirms_on_the_case_page(
    world: Any, settings: Any, tmp_path: Any, language: str, notice: str, staff_texts: list[str]
) -> None:
    """carol asks alice for her proof of contributions on a transfer in, a material the
    platform holds from shared data: alice's case page offers it for upload, in her
    language, with no staff wording; she uploads it and confirms, and the case goes on."""
    import re

    from django.core.files.uploadedfile import SimpleUploadedFile

    from onestop.applications.tests.test_drafts import henan_channel

    settings.MEDIA_ROOT = tmp_path
    henan_channel(settings)
    case = services.application_submit(
        actor=world.alice.user,
        item_code="SX-SI-007",
        applicant=world.alice,
        answers={"from_province": "410000"},
    ).application
    case = services.application_act(
        actor=world.carol,
        application=case,
        task="accept",
        decision="supplement",
        note="请上传原参保地的参保缴费凭证",
    )
    assert case.status == "supplement"
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice.user)
    url = f"/applications/{case.number}/"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert 'id="upload-form"' in page and notice in page
    assert 'value="参保缴费凭证"' in page
    action = page[page.index('id="task-supplement"') :]
    for text in staff_texts:
        assert text not in action, text
    token = client.cookies["csrftoken"].value
    response = client.post(
        f"{url}materials/",
        {
            "csrfmiddlewaretoken": token,
            "name": "参保缴费凭证",
            "file": SimpleUploadedFile("proof.pdf", PDF, "application/pdf"),
        },
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 302
    assert Material.objects.get().name == "参保缴费凭证"
    response = client.post(
        f"{url}tasks/supplement/",
        {"csrfmiddlewaretoken": token, "supplement-decision": "done", "supplement-note": ""},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status != "supplement"
    assert re.search(r"参保缴费凭证", client.get(url).content.decode())
