"""Certificate PDFs carry the platform's PAdES signature over every byte; verifying an
uploaded file refuses any forgery with a plain reason and accepts the untouched file."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import io
import re
import zlib
from decimal import Decimal
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.test import Client
from pypdf import PdfReader, PdfWriter
from reportlab.pdfgen import canvas

from onestop.contributions import services as contributions
from onestop.exchange import certificate_pdf, pdf_fonts, pdf_signing, services
from onestop.exchange.facts import insurance_facts
from onestop.exchange.models import Message
from onestop.exchange.verified import verified_fields

pytestmark = pytest.mark.django_db

ABSOLUTE = "http://testserver"


@pytest.fixture
def insured(world: Any) -> Any:
    """alice with 35 contribution months at acme (2024-01 to 2026-11)."""
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
    for year, month in [(2024 + (m // 12), m % 12 + 1) for m in range(35)]:
        contributions.declaration_submit(
            actor=None,
            employer=world.acme,
            period=year * 100 + month,
            rows=[contributions.DeclaredRow(1, world.alice.resident_id, "5000")],
        )
    return world


def proof(world: Any) -> tuple[bytes, services.Issued]:
    issued = services.proof_of_insurance_issue(
        actor=world.alice.user, person=world.alice, facts=insurance_facts(world.alice)
    )
    pdf = certificate_pdf.render(
        certificate=issued.certificate, code=issued.code, absolute=lambda p: ABSOLUTE + p
    )
    return pdf, issued


def first_revision(signed: bytes) -> bytes:
    """The file as rendered, before the signature was appended (its first %%EOF)."""
    end = signed.index(b"%%EOF") + len(b"%%EOF")
    return signed[:end] + b"\n"


def change_digit(data: bytes, before: bytes, after: bytes) -> bytes:
    """``data`` with one digit of the printed page changed in its (compressed) content
    stream, every other byte and offset kept: what a forger with a hex editor does."""
    for match in re.finditer(rb"(?<!end)stream\r?\n", data):
        start = match.end()
        end = data.index(b"endstream", start)
        try:  # reportlab writes [/ASCII85Decode /FlateDecode] streams
            plain = zlib.decompress(base64.a85decode(data[start:end].strip().removesuffix(b"~>")))
        except (ValueError, zlib.error):
            continue
        if before not in plain:
            continue
        forged = base64.a85encode(zlib.compress(plain.replace(before, after, 1), 9)) + b"~>"
        room = end - start
        assert len(forged) <= room
        # Whitespace is ignored in ASCII85: the padding keeps every offset.
        return data[:start] + forged + b"\n" * (room - len(forged)) + data[end:]
    raise AssertionError("no content stream prints that")


def reason(data: bytes) -> str:
    return services.certificate_verify_pdf(data=data).reason


def test_the_untouched_file_verifies_on_the_page_and_through_the_api(insured: Any) -> None:
    """A genuine file verifies: page (with CSRF) and API say genuine, with the record."""
    pdf, issued = proof(insured)
    assert pdf_signing.check(pdf) == pdf_signing.Check("", pdf_signing.check(pdf).signed_at)
    assert pdf_signing.check(pdf).signed_at is not None
    browser = Client(enforce_csrf_checks=True)
    browser.get("/verify/")
    page = browser.post(
        "/verify/",
        {"file": _upload(pdf), "csrfmiddlewaretoken": browser.cookies["csrftoken"].value},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert page.status_code == 200
    assert "Genuine and valid" in page.content.decode()
    assert issued.certificate.payload["person"]["name"] in page.content.decode()
    body = Client().post("/api/v1/certificates/verify-file", {"file": _upload(pdf)}).json()
    assert body == {
        "valid": True,
        "reason": "",
        "message_zh": "真实有效。",
        "message_en": "Genuine and valid.",
        "certificate": issued.certificate.payload,
        "signature": issued.certificate.signature,
        "fields": verified_fields(issued.certificate.payload),
    }


def _upload(data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("certificate.pdf", data, content_type="application/pdf")


def test_one_changed_digit_in_the_content_stream_fails(insured: Any) -> None:
    """35 months printed as 95 (the page shows the forgery) is refused as altered."""
    pdf, _ = proof(insured)
    assert insured_months(pdf) == "35"
    forged = change_digit(pdf, b"35)", b"95)")
    assert len(forged) == len(pdf) and insured_months(forged) == "95"
    result = services.certificate_verify_pdf(data=forged)
    assert (result.valid, result.reason, result.certificate) == (False, "altered", None)
    assert result.message_zh == "文件内容在签名后被改动：签名不符，该证明已被篡改。"
    body = Client().post("/api/v1/certificates/verify-file", {"file": _upload(forged)}).json()
    assert (body["valid"], body["reason"], body["certificate"]) == (False, "altered", {})
    assert (
        body["message_en"]
        == "The file was changed after it was signed: the signature does not match."
    )
    page = Client().post("/verify/", {"file": _upload(forged)}).content.decode()
    assert "该文件不是真实有效的证明" in page and "签名后被改动" in page
    assert insured.alice.name not in page  # a forged file reveals nothing of the record


def insured_months(data: bytes) -> str:
    text = certificate_pdf.page_text(data)
    found = re.search(r"Contributionmonths：(\d+)", text)
    assert found is not None
    return found.group(1)


def test_an_incremental_update_adding_text_fails(insured: Any) -> None:
    """Text stamped over the page in an appended revision is refused."""
    pdf, _ = proof(insured)
    overlay = io.BytesIO()
    stamp = canvas.Canvas(overlay)
    pdf_fonts.draw(stamp, 300, 600, "累计缴费月数 Contribution months：95", 11)
    stamp.showPage()
    stamp.save()
    writer = PdfWriter(io.BytesIO(pdf), incremental=True)
    writer.pages[0].merge_page(PdfReader(overlay).pages[0])
    out = io.BytesIO()
    writer.write(out)
    forged = out.getvalue()
    assert forged.startswith(pdf) and len(forged) > len(pdf)
    assert "95" in certificate_pdf.page_text(forged)
    assert reason(forged) == "appended"
    assert reason(pdf + b"\n% a comment\n") == "appended"  # any byte after the signed range


def test_a_stripped_signature_fails(insured: Any) -> None:
    """The file without its signature (cut back to the rendered revision, or rewritten
    without the signature field) is refused as unsigned."""
    pdf, _ = proof(insured)
    assert reason(first_revision(pdf)) == "unsigned"
    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter()
    writer.add_page(reader.pages[0])
    if "/Annots" in writer.pages[0]:
        del writer.pages[0]["/Annots"]
    writer.add_metadata(dict(reader.metadata or {}))
    out = io.BytesIO()
    writer.write(out)
    assert reason(out.getvalue()) == "unsigned"


def test_a_signature_by_another_valid_certificate_fails(insured: Any) -> None:
    """A forger signs the altered page with a certificate of their own (a valid chain,
    not the platform's): refused as untrusted; so is the genuine page signed that way."""
    pdf, _ = proof(insured)
    forger = pdf_signing._dev_chain("a forger's own key")
    pasted = pdf_signing.sign(
        change_digit(first_revision(pdf), b"35)", b"95)"), reason="forged", using=forger
    )
    assert pdf_signing.check(pasted).problem == "untrusted"
    assert reason(pasted) == "untrusted"
    assert reason(pdf_signing.sign(first_revision(pdf), reason="x", using=forger)) == "untrusted"
    assert (
        services.certificate_verify_pdf(data=pasted).message_en
        == "The signature was not made with this platform's certificate."
    )


def test_an_expired_signing_certificate_fails(insured: Any) -> None:
    """A signing certificate under the platform's root that expired before signing."""
    pdf, _ = proof(insured)
    root_key = pdf_signing._derived_key("root", settings.SECRET_KEY)
    platform = pdf_signing.chain()
    key = ec.generate_private_key(ec.SECP256R1())
    old = (
        x509.CertificateBuilder()
        .subject_name(pdf_signing._name("expired signer"))
        .issuer_name(platform.roots[0].subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
        .not_valid_after(dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(root_key, hashes.SHA256())
    )
    expired = pdf_signing.Chain(key=key, signer=old, others=platform.others, roots=platform.roots)
    signed = pdf_signing.sign(first_revision(pdf), reason="x", using=expired)
    assert reason(signed) == "signer_expired"


def test_the_page_and_the_payload_must_equal_the_record(insured: Any) -> None:
    """Even signed by the platform, a file whose payload or page differs from the issued
    record is refused."""
    _, issued = proof(insured)
    certificate = issued.certificate

    def signed_page(*, lines: list[str], payload: dict[str, Any]) -> bytes:
        buffer = io.BytesIO()
        pdf = canvas.Canvas(buffer)
        certificate.payload, original = payload, certificate.payload
        certificate_pdf.set_metadata(pdf, certificate=certificate, title="x")
        certificate.payload = original
        for index, line in enumerate(lines):
            pdf_fonts.draw(pdf, 40, 700 - 20 * index, line, 10)
        pdf.showPage()
        pdf.save()
        return pdf_signing.sign(buffer.getvalue(), reason="x")

    lines = certificate_pdf.printed_lines(certificate.payload)
    assert reason(signed_page(lines=lines, payload=certificate.payload)) == ""
    other = [line.replace("：35", "：95") for line in lines]
    assert reason(signed_page(lines=other, payload=certificate.payload)) == "page"
    payload = {**certificate.payload, "facts": {**certificate.payload["facts"], "paid_months": 95}}
    assert reason(signed_page(lines=lines, payload=payload)) == "record"
    unknown = {**certificate.payload, "number": "PI20261126FFFFFFFFFF"}
    assert reason(signed_page(lines=lines, payload=unknown)) == "unknown"


def test_a_revoked_certificate_file_says_revoked(insured: Any) -> None:
    pdf, issued = proof(insured)
    services.certificate_revoke(actor=insured.carol, certificate=issued.certificate, reason="x")
    result = services.certificate_verify_pdf(data=pdf)
    assert (result.valid, result.reason, result.message_zh) == (
        False,
        "revoked",
        "该证明已被吊销。",
    )
    assert result.certificate == issued.certificate


def test_failed_checks_show_in_the_holders_data_use_log(insured: Any) -> None:
    pdf, _ = proof(insured)
    services.certificate_verify_pdf(data=pdf)
    services.certificate_verify_pdf(data=pdf + b" ")
    assert list(Message.objects.order_by("pk").values_list("outcome", flat=True)) == [
        "valid",
        "invalid:appended",
    ]


def test_an_unsigned_file_naming_a_certificate_writes_no_log(insured: Any) -> None:
    """Hostile pass L2: a file without the platform's signature, carrying a real
    certificate's number in its metadata, is refused and leaves the holder's log alone."""
    import io
    import json

    from pypdf import PdfReader, PdfWriter

    pdf, issued = proof(insured)
    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    subject = str(reader.metadata.subject if reader.metadata else "")
    assert json.loads(subject)["number"] == issued.certificate.number
    writer.add_metadata({"/Subject": subject})
    forged = io.BytesIO()
    writer.write(forged)
    client = Client()
    from django.core.files.uploadedfile import SimpleUploadedFile

    for _ in range(3):
        answer = client.post(
            "/api/v1/certificates/verify-file",
            {"file": SimpleUploadedFile("c.pdf", forged.getvalue(), "application/pdf")},
        )
        assert answer.status_code in (200, 422), answer.content
        assert answer.status_code == 422 or answer.json()["valid"] is False
    assert not Message.objects.exists()


def test_the_chain_is_published_and_stable(client: Client) -> None:
    """The root and chain are public PEM; the derived chain is the same in every process."""
    chain = client.get("/api/v1/certificates/pdf-chain")
    root = client.get("/api/v1/certificates/pdf-root")
    assert chain.status_code == root.status_code == 200
    certificates = x509.load_pem_x509_certificates(chain.content)
    roots = x509.load_pem_x509_certificates(root.content)
    assert certificates[-1] == roots[0] and roots[0].subject == roots[0].issuer
    assert certificates[0].issuer == roots[0].subject
    again = pdf_signing._dev_chain(settings.SECRET_KEY)
    assert again.pem() == chain.content.decode()


def test_a_revoked_signing_certificate_fails(insured: Any, settings: Any, tmp_path: Any) -> None:
    """Once the CA's CRL (ONESTOP_PDF_CRLS) lists the platform's signing certificate, the
    files it signed are refused; a CRL that does not list it changes nothing."""
    pdf, _ = proof(insured)
    platform = pdf_signing.chain()
    now = dt.datetime(2026, 11, 26, tzinfo=dt.UTC)

    def crl_listing(serials: list[int]) -> str:
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(platform.roots[0].subject)
            .last_update(now - dt.timedelta(days=1))
            .next_update(now + dt.timedelta(days=30))
            .add_extension(x509.CRLNumber(len(serials)), critical=False)
        )
        for serial in serials:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(serial)
                .revocation_date(now - dt.timedelta(hours=1))
                .build()
            )
        crl = builder.sign(pdf_signing._derived_key("root", settings.SECRET_KEY), hashes.SHA256())
        path = tmp_path / f"root-{len(serials)}.crl"
        path.write_bytes(crl.public_bytes(serialization.Encoding.PEM))
        return str(path)

    settings.ONESTOP_PDF_CRLS = [crl_listing([])]
    assert reason(pdf) == ""
    settings.ONESTOP_PDF_CRLS = [crl_listing([platform.signer.serial_number])]
    assert reason(pdf) == "signer_revoked"
    assert services.certificate_verify_pdf(data=pdf).message_en == (
        "The signing certificate has been revoked."
    )


def test_any_changed_byte_anywhere_fails(insured: Any) -> None:
    """One byte changed anywhere, including the signature's zero padding and the case of
    its hex digits (bytes the digest cannot cover), and the file no longer verifies."""
    from hypothesis import given
    from hypothesis import settings as hypothesis_settings
    from hypothesis import strategies as st

    from onestop.common.errors import NotFound

    pdf, _ = proof(insured)
    assert services.certificate_verify_pdf(data=pdf).valid

    def verifies(data: bytes) -> bool:
        try:
            return services.certificate_verify_pdf(data=data).valid
        except NotFound:  # no longer a PDF at all
            return False

    @hypothesis_settings(max_examples=25, deadline=None, database=None)
    @given(position=st.integers(0, len(pdf) - 1), change=st.integers(1, 255))
    def flipped(position: int, change: int) -> None:
        forged = pdf[:position] + bytes([pdf[position] ^ change]) + pdf[position + 1 :]
        assert not verifies(forged)

    flipped()
    contents = re.search(rb"/Contents <([0-9A-F]+)>", pdf)
    assert contents is not None
    padding = contents.end(1) - 1
    assert pdf[padding : padding + 1] == b"0"
    assert not verifies(pdf[:padding] + b"1" + pdf[padding + 1 :])
    letter = next(i for i in range(contents.start(1), contents.end(1)) if pdf[i] in b"ABCDEF")
    assert not verifies(pdf[:letter] + pdf[letter : letter + 1].lower() + pdf[letter + 1 :])


def test_broken_files_get_a_clear_answer_never_an_error(insured: Any) -> None:
    """Cut-off files, junk and a PDF's pieces: "not found" (not a PDF) or a refusal, with
    the page answering 200 and the API 200 or 422, never 500."""
    from onestop.common.errors import NotFound

    pdf, _ = proof(insured)
    samples = [pdf[:cut] for cut in range(0, len(pdf), max(1, len(pdf) // 23))]
    samples += [b"", b"%PDF-", b"%PDF-1.7\n%%EOF", b"\x00" * 64, pdf[len(pdf) // 2 :]]
    for data in samples:
        with contextlib.suppress(NotFound):
            assert not services.certificate_verify_pdf(data=data).valid
    for data in samples[:5]:
        api = Client().post("/api/v1/certificates/verify-file", {"file": _upload(data)})
        assert api.status_code in (200, 422)
        if api.status_code == 422:
            assert api.json()["code"] == "unreadable" and api.json()["message_zh"]
        assert Client().post("/verify/", {"file": _upload(data)}).status_code == 200


def test_a_file_above_five_megabytes_is_413_and_junk_is_422() -> None:
    """The API's answers to what is no certificate: too large (413) and not a PDF (422),
    each with its reason in both languages."""
    big = Client().post(
        "/api/v1/certificates/verify-file",
        {"file": _upload(b"%PDF-1.7\n" + b"0" * (5 * 1024 * 1024))},
    )
    assert big.status_code == 413 and big.json()["code"] == "too_large"
    junk = Client().post("/api/v1/certificates/verify-file", {"file": _upload(b"hello")})
    assert junk.status_code == 422 and junk.json()["code"] == "unreadable"
    assert junk.json()["message_zh"] and junk.json()["message_en"]


@pytest.mark.parametrize("offset", [0, 1, 4, 5, 6, 7])
def test_a_changed_tag_or_length_digit_of_the_signature_fails(insured: Any, offset: int) -> None:
    """The signature's own DER header (``3082LLLL``): a length digit raised there (found by
    the property above) made the parser read the zero padding into the signature and still
    verify; tag digits likewise. The signature must re-encode exactly to its bytes."""
    pdf, _ = proof(insured)
    start = pdf.index(b"/Contents <") + len(b"/Contents <") + offset
    digit = int(pdf[start : start + 1], 16)
    changed = f"{(digit + 1) % 16:X}".encode()
    forged = pdf[:start] + changed + pdf[start + 1 :]
    from onestop.common.errors import ServiceError

    try:
        valid = services.certificate_verify_pdf(data=forged).valid
    except ServiceError:  # refused as unreadable: not valid either
        valid = False
    assert not valid


def test_the_data_use_log_names_who_asked_in_one_language(insured: Any) -> None:
    """A public check of alice's proof is logged by a code; her data-use page and API name
    who asked in the reader's language alone (公开核验 / public verification). A row logged
    before under the two-language name reads the same once migrated."""
    import importlib

    from django.apps import apps

    from onestop.catalogue.models import ServiceItem
    from onestop.identity.services import token_create

    pdf, _ = proof(insured)
    services.certificate_verify_pdf(data=pdf)
    assert list(Message.objects.values_list("party", flat=True)) == ["public_verification"]
    assert list(Message.objects.values_list("purpose", flat=True)) == ["verify_certificate_file"]
    old = Message.objects.get()
    old.pk, old.party, old.purpose = (
        None,
        "人社经办 HRSS (SX-SI-004)",
        "办理 个人权益记录查询打印（参保缴费证明）",
    )
    old.save()
    for name in ("0017_message_party_codes", "0018_message_purpose_codes"):
        importlib.import_module(f"onestop.exchange.migrations.{name}").forwards(apps, None)
    assert sorted(Message.objects.values_list("party", "purpose")) == [
        ("hrss.case:SX-SI-004", "case:SX-SI-004"),
        ("public_verification", "verify_certificate_file"),
    ]
    client = Client()
    client.force_login(insured.alice.user)
    item = ServiceItem.objects.filter(code="SX-SI-004").order_by("-version").first()
    assert item is not None and item.name == "个人权益记录查询打印（参保缴费证明）"
    for language, wanted, other in (
        (
            "zh-hans",
            [
                ("人社经办（SX-SI-004）", "办理个人权益记录查询打印（参保缴费证明）"),
                ("公开核验", "核验证明文件"),
            ],
            "HRSS",
        ),
        (
            "en",
            [
                ("HRSS case handling (SX-SI-004)", f"handling an application: {item.name_en}"),
                ("public verification", "verify a certificate file"),
            ],
            "公开核验",
        ),
    ):
        page = client.get("/me/data-use/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        rows = re.findall(
            r"<tr><td>[\d-]+ [\d:]+</td><td>([^<]*)</td>(?:<td>[^<]*</td>){2}<td>([^<]*)</td>",
            page,
        )
        assert rows == wanted, language
        assert other not in page
    token = token_create(actor=insured.alice.user, name="app", scopes=["persons:read"], days=30)
    api = (
        Client()
        .get(
            "/api/v1/me/data-use",
            HTTP_AUTHORIZATION=f"Bearer {token.secret}",
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
        .json()
    )
    assert [(m["party_label"], m["purpose_label"]) for m in api] == [
        ("人社经办（SX-SI-004）", "办理个人权益记录查询打印（参保缴费证明）"),
        ("公开核验", "核验证明文件"),
    ]
