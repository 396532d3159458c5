"""With ONESTOP_PDF_TIMESTAMP_URL set, each PDF signature carries an RFC 3161 timestamp from
that service (PAdES B-T); without it, none."""

from __future__ import annotations

import datetime as dt
import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from reportlab.pdfgen import canvas

from onestop.exchange import pdf_signing


def _tsa() -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = pdf_signing._name("test timestamping authority")
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
        .not_valid_after(dt.datetime(2049, 1, 1, tzinfo=dt.UTC))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(key, hashes.SHA256())
    )
    return cert, key


@pytest.fixture
def tsa() -> Iterator[tuple[str, asn1_x509.Certificate, list[int]]]:
    """An RFC 3161 service over HTTP on loopback (pyHanko's test TSA behind it)."""
    cert, key = _tsa()
    tsa_cert = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    stamper = DummyTimeStamper(
        tsa_cert=tsa_cert,
        tsa_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
    )
    served: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            assert self.headers["Content-Type"] == "application/timestamp-query"
            request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
            body = stamper.request_tsa_response(request).dump()
            served.append(len(body))
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/tsa", tsa_cert, served
    finally:
        server.shutdown()
        server.server_close()


def _page() -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(100, 700, "timestamped")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def test_a_configured_service_timestamps_each_signature(settings: Any, tsa: Any) -> None:
    url, tsa_cert, served = tsa
    settings.ONESTOP_PDF_TIMESTAMP_URL = url
    signed = pdf_signing.sign(_page(), reason="test")
    assert served  # pyHanko asks once more to size the signature
    assert pdf_signing.check(signed).problem == ""
    embedded = PdfFileReader(io.BytesIO(signed)).embedded_signatures[0]
    # Through the platform's runner: a browser test earlier in this worker may leave an event
    # loop running in this thread, where pyHanko's synchronous wrapper (asyncio.run) fails.
    status = pdf_signing.run_coroutine(
        lambda: async_validate_pdf_signature(
            embedded,
            signer_validation_context=pdf_signing.validation_context(),  # type: ignore[arg-type]
            ts_validation_context=ValidationContext(trust_roots=[tsa_cert]),
        )
    )
    assert status.timestamp_validity is not None
    assert status.timestamp_validity.intact and status.timestamp_validity.valid
    assert status.timestamp_validity.trusted
    assert status.bottom_line


def test_no_service_no_timestamp(settings: Any, tsa: Any) -> None:
    settings.ONESTOP_PDF_TIMESTAMP_URL = ""
    signed = pdf_signing.sign(_page(), reason="test")
    embedded = PdfFileReader(io.BytesIO(signed)).embedded_signatures[0]
    status = pdf_signing.run_coroutine(
        lambda: async_validate_pdf_signature(
            embedded,
            signer_validation_context=pdf_signing.validation_context(),  # type: ignore[arg-type]
        )
    )
    assert status.timestamp_validity is None and status.bottom_line
    assert tsa[2] == []
