"""Every certificate PDF: the QR code and the printed link are the same working address,
and every name renders (CJK Extension A and B included), in every kind of PDF."""

from __future__ import annotations

import io
import os
import re
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import pypdfium2
import pytest
import zxingcpp
from django.test import Client
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from onestop.contributions import services as contributions
from onestop.exchange import certificate_pdf, pdf_fonts, services

pytestmark = pytest.mark.django_db

NAMES = ["𠮷磊", "王䶮", "李堃", "𪚥"]


@pytest.fixture
def insured(world: Any) -> Any:
    contributions.insurance_register(
        actor=None, employer=world.acme, insurances=["pension"], since_period=202401
    )
    contributions.employment_start(
        actor=None,
        employer=world.acme,
        resident_id=world.alice.resident_id,
        start_period=202401,
        wage=Decimal("5000"),
    )
    contributions.declaration_submit(
        actor=None,
        employer=world.acme,
        period=202410,
        rows=[contributions.DeclaredRow(1, world.alice.resident_id, "5000")],
    )
    return world


def qr_codes(data: bytes) -> list[str]:
    """The QR codes on the first page, decoded from the page rendered at 216 dpi."""
    image = pypdfium2.PdfDocument(data)[0].render(scale=3).to_pil()
    return [found.text for found in zxingcpp.read_barcodes(image)]


def absolute(path: str) -> str:
    return "http://testserver" + path


def every_pdf(world: Any, client: Client) -> dict[str, bytes]:
    """One PDF of each kind the platform makes, for alice: through the pages where a page
    makes it, else through the renderer those pages call."""
    client.force_login(world.alice.user)
    made = {
        "proof_of_insurance": client.get("/me/proof-of-insurance.pdf").content,
        "contribution_statement": client.get("/me/contributions/statement.pdf").content,
    }
    decision = {
        "case": "2026112600001",
        "item": "城镇职工基本养老保险参保登记 Pension registration",
        "item_code": "hrss.pension.register",
        "decision": "approve",
        "reasons": "",
        "decided_at": "2026-11-26 10:00",
    }
    for kind, facts in [
        ("decision_notice", decision),
        ("retirement_certificate", {**decision, "retirement_month": "2026-12"}),
    ]:
        issued = services.decision_notice_issue(
            actor=world.alice.user, person=world.alice, facts=facts, kind=kind
        )
        made[kind] = certificate_pdf.render(
            certificate=issued.certificate,
            code=issued.code,
            absolute=absolute,
            rate_url=absolute("/rate/2026112600001/"),
        )
    issued = services.contribution_statement_issue(
        actor=world.alice.user,
        person=world.alice,
        facts={"monthly": "3210.00", "status": "paying", "start_month": "2026-12"},
        kind="pension_statement",
    )
    made["pension_statement"] = certificate_pdf.render(
        certificate=issued.certificate, code=issued.code, absolute=absolute
    )
    return made


def test_the_qr_code_and_the_printed_link_open_the_certificate(insured: Any) -> None:
    """Decoded from the rendered page, the QR code's link is the printed one, and opening
    it shows the certificate as genuine."""
    made = every_pdf(insured, Client())
    for kind, data in made.items():
        assert services.certificate_verify_pdf(data=data).valid, kind
        number = certificate_pdf.embedded(data)[0]["number"]  # type: ignore[index]
        links = [link for link in qr_codes(data) if "/verify/" in link]
        assert len(links) == 1, kind
        link = links[0]
        assert re.fullmatch(rf"http://testserver/verify/\?number={number}&code=[0-9A-Z]+", link)
        text = certificate_pdf.page_text(data)
        assert link in text, kind  # the printed address is the QR code's, character for character
        assert "&code;" not in text and "&amp;" not in text
        parts = urlsplit(link)
        page = Client().get(f"{parts.path}?{parts.query}", HTTP_ACCEPT_LANGUAGE="en")
        assert page.status_code == 200
        assert "Genuine and valid" in page.content.decode(), kind
        assert page.context["result"].certificate.number == number, kind


def test_the_decision_notice_also_links_to_rating(insured: Any) -> None:
    made = every_pdf(insured, Client())
    assert "http://testserver/rate/2026112600001/" in qr_codes(made["decision_notice"])


def _to_unicode(font: Any) -> dict[int, str]:
    data = font["/ToUnicode"].get_object().get_data().decode("latin-1")
    return {
        int(code, 16): bytes.fromhex(text).decode("utf-16-be")
        for code, text in re.findall(r"<([0-9A-F]{2})> <([0-9A-F]{4,})>", data)
    }


def drawn_glyphs(data: bytes) -> dict[str, int]:
    """Each character the PDF's embedded fonts can show, with the number of contours of the
    glyph that shows it (0: blank, missing)."""
    found: dict[str, int] = {}
    for page in PdfReader(io.BytesIO(data)).pages:
        fonts: Any = page["/Resources"]["/Font"]  # type: ignore[index]
        for reference in fonts.values():
            font = reference.get_object()
            if "/FontDescriptor" not in font:
                continue
            program = font["/FontDescriptor"]["/FontFile2"].get_object().get_data()
            face = TTFont(io.BytesIO(program))
            cmap = {
                code: name for table in face["cmap"].tables for code, name in table.cmap.items()
            }
            for code, text in _to_unicode(font).items():
                name = cmap.get(code, ".notdef")
                contours = 0 if name == ".notdef" else face["glyf"][name].numberOfContours
                found[text] = max(found.get(text, 0), abs(contours))
    return found


@pytest.mark.parametrize("name", NAMES)
def test_every_name_renders_in_every_pdf(insured: Any, name: str) -> None:
    """𠮷磊 (Extension B), 王䶮 (Extension A), 李堃, 𪚥 (Extension B): text extraction gives
    the name back and every character has a drawn glyph in an embedded font."""
    if not pdf_fonts.fonts_ready():
        message = "the PDF fonts are missing: apt-get install fonts-hanazono (or ONESTOP_PDF_FONTS)"
        if os.environ.get("ONESTOP_REQUIRE_BROWSER") == "1":  # CI installs them: a failure
            pytest.fail(message)
        pytest.skip(message)
    insured.alice.name = name
    insured.alice.save(update_fields=["name"])
    for kind, data in every_pdf(insured, Client()).items():
        assert f"姓名Name：{name}" in certificate_pdf.page_text(data), kind
        glyphs = drawn_glyphs(data)
        assert all(glyphs.get(char, 0) > 0 for char in name), (kind, glyphs.keys())
        assert b"STSong" not in data
        assert services.certificate_verify_pdf(data=data).valid, kind


def test_pdfs_rendered_at_once_by_many_threads_are_each_right(insured: Any) -> None:
    """Concurrent downloads share the fonts and the signing chain: each PDF still prints its
    own holder and verifies."""
    from concurrent.futures import ThreadPoolExecutor

    issued = []
    for name in NAMES:
        insured.alice.name = name
        insured.alice.save(update_fields=["name"])
        issued.append(
            services.proof_of_insurance_issue(
                actor=insured.alice.user, person=insured.alice, facts={"insured": True}
            )
        )

    def render(index: int) -> bytes:
        one = issued[index % len(issued)]
        return certificate_pdf.render(certificate=one.certificate, code=one.code, absolute=absolute)

    with ThreadPoolExecutor(max_workers=4) as pool:
        made = list(pool.map(render, range(8)))
    for index, data in enumerate(made):
        assert f"姓名Name：{NAMES[index % len(NAMES)]}" in certificate_pdf.page_text(data)
        assert services.certificate_verify_pdf(data=data).valid
