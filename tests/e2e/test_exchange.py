"""Data sharing in a real browser: a funeral grant filed with no death certificate because civil
affairs' record comes through the gateway; a bank that may check alice's proof of insurance
only with her consent; her data-use page; a tampered certificate file refused."""

from __future__ import annotations

import io
import json
import secrets
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from onestop.applications.models import Application
from onestop.exchange import algorithms, certificate_pdf, gateway, services, signing
from onestop.exchange.facts import insurance_facts
from onestop.exchange.models import Consumer, ConsumerKind, Resource
from onestop.simulators.registries import RegistrySimulator
from tests.e2e.test_applications import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def registries(settings: Any) -> Iterator[RegistrySimulator]:
    app = RegistrySimulator()
    server = make_server("127.0.0.1", 0, app, handler_class=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.ONESTOP_REGISTRY_URL = f"http://127.0.0.1:{server.server_port}"
    yield app
    server.shutdown()


def test_a_funeral_grant_with_no_death_certificate(
    world: Any, page: Any, registries: RegistrySimulator
) -> None:
    from onestop.exchange.licences import death_registered
    from onestop.pensions.services import death_event

    record = {
        "name": "丁大卫",
        "date": "2026-11-10",
        "place": "延安",
        "certificate_no": "SW20261110",
    }
    registries.put("civil_affairs", "deaths", world.dave.resident_id, record)
    # Civil affairs pushes the death alice registered (both handlers of the event): the
    # certificate goes into the library, and alice may claim online.
    event = {
        "subject": world.dave.resident_id,
        "source": "civil_affairs",
        "data": {**record, "declarant_resident_id": world.alice.resident_id},
    }
    death_registered(event)
    death_event(event)
    sign_in(page, "13800000001")
    page.goto("/services/SX-SI-008/")
    page.get_by_role("link", name="在线申请").click()
    page.get_by_label("逝者公民身份号码", exact=True).fill(world.dave.resident_id)
    page.get_by_label("与逝者关系", exact=True).select_option("parent")
    page.get_by_role("button", name="继续", exact=True).click()
    page.get_by_role("button", name="提交申请").click()
    case = Application.objects.get()
    row = page.locator("#material-status tr", has_text="死亡证明")
    assert "免提交：平台已获取" in row.inner_text() and "SW20261110" in row.inner_text()
    statuses = {m["licence_type"]: m["status"] for m in case.licences}
    assert statuses == {"death_certificate": "found", "resident_id": "found"}
    assert not case.materials.exists()


def query(base: str, private: str, alice: Any) -> tuple[int, dict[str, Any]]:
    """What a bank's system sends: a signed query to the gateway."""
    body = signing.canonical(
        {
            "consumer": "bank-xian",
            "resource": "hrss.proof_of_insurance",
            "purpose": "loan",
            "subject": alice.resident_id,
            "fields": ["insured", "contribution_months"],
            "timestamp": timezone.now().isoformat(),
            "nonce": secrets.token_hex(8),
        }
    )
    request = urllib.request.Request(
        f"{base}/api/v1/gateway/query",
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-Signature": algorithms.sign(algorithms.ED25519, private, body),
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_a_bank_checks_with_consent_and_she_sees_it(
    world: Any, page: Any, live_server: Any
) -> None:
    private, public = algorithms.keypair(algorithms.ED25519)
    bank = Consumer.objects.create(
        code="bank-xian",
        name="西安某银行",
        kind=ConsumerKind.THIRD_PARTY,
        algorithm=algorithms.ED25519,
        public_key=public,
    )
    gateway.grant_approve(
        actor=None,
        consumer=bank,
        resource=Resource.objects.get(code="hrss.proof_of_insurance"),
        purpose="loan",
        valid_until=None,
    )
    assert query(live_server.url, private, world.alice)[0] == 403  # no consent yet
    sign_in(page, "13800000001")
    page.get_by_role("link", name="我的数据授权").click()
    # The bank's stated purposes are offered (one here): nothing to type, nothing to guess.
    offers = page.locator("#consent-form input[type=radio]")
    expect(offers).to_have_count(1)
    offer = "西安某银行 · 参保缴费证明信息 · 贷款审核"
    expect(page.locator("#consent-form")).to_contain_text(offer)
    page.get_by_label(offer).check()
    page.get_by_label("授权天数").fill("30")
    page.get_by_role("button", name="授权", exact=True).click()
    expect(page.get_by_text("授权已记录。")).to_be_visible()
    status, answer = query(live_server.url, private, world.alice)
    assert status == 200 and answer["response"]["data"]["insured"] is False
    # Revoking asks first; "keep it" changes nothing.
    page.locator("#consents").get_by_role("link", name="撤销授权").click()
    expect(page.get_by_role("heading", name="撤销该授权？")).to_be_visible()
    expect(page.locator("#consent")).to_contain_text("西安某银行")
    page.get_by_role("link", name="不，保留").click()
    expect(page.locator("#consents").get_by_role("link", name="撤销授权")).to_be_visible()
    assert query(live_server.url, private, world.alice)[0] == 200
    page.locator("#consents").get_by_role("link", name="撤销授权").click()
    page.get_by_role("button", name="确认撤销").click()
    expect(page.get_by_text("授权已撤销。")).to_be_visible()
    assert query(live_server.url, private, world.alice)[0] == 403
    page.goto("/")
    page.get_by_role("link", name="我的数据使用记录").click()
    rows = page.locator("#data-use tbody tr")
    expect(rows).to_have_count(4)
    assert [rows.nth(i).locator("td").last.inner_text() for i in range(4)] == [
        "已拒绝：未获授权",
        "已答复",
        "已答复",
        "已拒绝：未获授权",
    ]


def test_a_tampered_certificate_file_fails(world: Any, page: Any, tmp_path: Any) -> None:
    from pypdf import PdfReader, PdfWriter

    issued = services.proof_of_insurance_issue(
        actor=world.alice.user, person=world.alice, facts=insurance_facts(world.alice)
    )
    genuine = certificate_pdf.render(
        certificate=issued.certificate, code=issued.code, absolute=lambda p: "https://x" + p
    )
    reader = PdfReader(io.BytesIO(genuine))
    payload = json.loads(str(reader.metadata.subject if reader.metadata else ""))
    payload["facts"]["contribution_months"] = 360
    writer = PdfWriter(clone_from=reader)
    writer.add_metadata({"/Subject": json.dumps(payload, ensure_ascii=False, sort_keys=True)})
    (tmp_path / "genuine.pdf").write_bytes(genuine)
    with open(tmp_path / "forged.pdf", "wb") as forged:
        writer.write(forged)
    page.goto("/verify/")
    page.get_by_label("或核验证明文件本身（PDF）").set_input_files(str(tmp_path / "genuine.pdf"))
    page.get_by_role("button", name="核验文件").click()
    assert page.locator("#verify-result h2").inner_text() == "真实有效"
    page.get_by_label("或核验证明文件本身（PDF）").set_input_files(str(tmp_path / "forged.pdf"))
    page.get_by_role("button", name="核验文件").click()
    assert page.locator("#verify-result h2").inner_text() == "该文件不是真实有效的证明"
    assert page.locator("#verify-reason").inner_text() == (
        "文件内容在签名后被改动：签名不符，该证明已被篡改。"
    )


def test_the_downloaded_proof_verifies_and_its_qr_link_opens(world: Any, page: Any) -> None:
    """alice downloads her signed proof in the browser; the file verifies on the public page,
    and the link its QR code holds (decoded from the rendered page) opens it as genuine."""
    import pypdfium2
    import zxingcpp

    sign_in(page, "13800000001")
    page.goto("/me/contributions/")
    with page.expect_download() as download:
        page.get_by_role("link", name="带签名的参保证明（PDF）").click()
    path = download.value.path()
    with open(path, "rb") as proof:
        data = proof.read()
    image = pypdfium2.PdfDocument(data)[0].render(scale=3).to_pil()
    links = [found.text for found in zxingcpp.read_barcodes(image)]
    assert len(links) == 1 and links[0] in certificate_pdf.page_text(data)
    page.goto("/verify/")
    page.get_by_label("或核验证明文件本身（PDF）").set_input_files(str(path))
    page.get_by_role("button", name="核验文件").click()
    assert page.locator("#verify-result h2").inner_text() == "真实有效"
    page.goto(links[0])
    assert page.locator("#verify-result h2").inner_text() == "真实有效"
    assert world.alice.name in page.locator("#verify-result").inner_text()
