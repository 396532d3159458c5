"""PAdES signatures on the PDFs the platform issues, and their validation (pyHanko).

Every certificate, statement and decision notice PDF carries one PAdES baseline signature
(ETSI EN 319 142-1, ``ETSI.CAdES.detached``, SHA-256) whose byte range covers the whole
file. The signing key is ECDSA P-256 (or whatever key the configured certificate has: RSA
works as well): PDF readers (Adobe Acrobat, Foxit, pyHanko, pdfsig) validate RSA and ECDSA
signatures under an X.509 chain, not SM2, so the SM2/SM3 keys of ``signing.py`` stay with
the gateway and the payload signature.

Key and chain:

- Production: ``ONESTOP_PDF_SIGNING_KEY`` (PEM private key, PKCS#8, unencrypted),
  ``ONESTOP_PDF_SIGNING_CERT`` (its PEM certificate) and ``ONESTOP_PDF_SIGNING_CHAIN`` (PEM
  file: the intermediate and root certificates, e.g. from the government CA). The
  self-signed certificates in the chain file are the trust anchors verification accepts.
- Development and demo: a self-issued root "onestop development root" and a signing
  certificate under it, derived deterministically from ``SECRET_KEY`` (keys from SHA-256 of
  the secret, certificates signed with deterministic ECDSA, RFC 6979), so every process and
  host has byte-identical certificates without shared files.

The chain is published at ``/api/v1/certificates/pdf-chain`` (PEM), and the root at
``/api/v1/certificates/pdf-root.pem``: a relying party imports the root as a trust anchor.

``ONESTOP_PDF_TIMESTAMP_URL`` (off by default) names an RFC 3161 timestamping service; each
signature then carries a signature timestamp token (PAdES B-T).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import hashlib
import io
import threading
import urllib.request
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from pyhanko.sign.timestamps.api import TimeStamper

SIGNATURE_FIELD = "OnestopSignature"
TIMESTAMP_TIMEOUT_SECONDS = 10
# Dev certificates: fixed dates so that they are byte-identical everywhere.
DEV_NOT_BEFORE = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
DEV_NOT_AFTER = dt.datetime(2049, 12, 31, 23, 59, 59, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Chain:
    key: PrivateKeyTypes
    signer: x509.Certificate
    others: tuple[x509.Certificate, ...]  # intermediates and roots, the root last
    roots: tuple[x509.Certificate, ...]  # trust anchors for verification

    def pem(self) -> str:
        """The signing certificate, then the rest of the chain, as PEM."""
        return "".join(
            c.public_bytes(serialization.Encoding.PEM).decode("ascii")
            for c in (self.signer, *self.others)
        )

    def roots_pem(self) -> str:
        return "".join(
            c.public_bytes(serialization.Encoding.PEM).decode("ascii") for c in self.roots
        )


def _derived_key(label: str, secret: str) -> ec.EllipticCurvePrivateKey:
    digest = hashlib.sha256(f"onestop-pdf-{label}-{secret}".encode()).digest()
    # P-256's order exceeds 2**255, so any value below it is a valid scalar once non-zero.
    value = int.from_bytes(digest, "big") % (2**255) or 1
    return ec.derive_private_key(value, ec.SECP256R1())


def _serial(label: str, secret: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{label}-{secret}".encode()).digest()[:16], "big") >> 1


def _name(common: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "onestop (development, not for use)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common),
        ]
    )


def _dev_chain(secret: str) -> Chain:
    """A root and a document-signing certificate derived from ``secret`` (development)."""
    root_key, signer_key = _derived_key("root", secret), _derived_key("signer", secret)
    root_name = _name("onestop development root")
    root_ski = x509.SubjectKeyIdentifier.from_public_key(root_key.public_key())
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(_serial("root", secret))
        .not_valid_before(DEV_NOT_BEFORE)
        .not_valid_after(DEV_NOT_AFTER)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(root_ski, critical=False)
        .sign(root_key, hashes.SHA256(), ecdsa_deterministic=True)
    )
    signer = (
        x509.CertificateBuilder()
        .subject_name(_name("onestop development document signing"))
        .issuer_name(root_name)
        .public_key(signer_key.public_key())
        .serial_number(_serial("signer", secret))
        .not_valid_before(DEV_NOT_BEFORE)
        .not_valid_after(DEV_NOT_AFTER)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(signer_key.public_key()), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(root_ski),
            critical=False,
        )
        .sign(root_key, hashes.SHA256(), ecdsa_deterministic=True)
    )
    return Chain(key=signer_key, signer=signer, others=(root,), roots=(root,))


def _load_pem_certs(path: str) -> list[x509.Certificate]:
    try:
        return x509.load_pem_x509_certificates(Path(path).read_bytes())
    except (OSError, ValueError) as exc:
        raise ImproperlyConfigured(f"Cannot read PEM certificates from {path}: {exc}") from exc


def _configured_chain(key_path: str, cert_path: str, chain_path: str) -> Chain:
    try:
        key = serialization.load_pem_private_key(Path(key_path).read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"Cannot read the PDF signing key {key_path}: {exc}") from exc
    signer = _load_pem_certs(cert_path)[0]
    others = tuple(_load_pem_certs(chain_path)) if chain_path else ()
    roots = tuple(c for c in others if c.subject == c.issuer)
    if not roots:
        raise ImproperlyConfigured(
            "ONESTOP_PDF_SIGNING_CHAIN must hold the root (self-signed) certificate."
        )
    return Chain(key=key, signer=signer, others=others, roots=roots)


T = TypeVar("T")


def run_coroutine(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run pyHanko's coroutine to completion: here, or in a thread of its own when this
    thread already runs an event loop (an async caller; asyncio.run refuses to nest)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


_lock = threading.Lock()
_cache: dict[tuple[str, ...], Chain] = {}


def chain() -> Chain:
    """The key and certificates the platform signs PDFs with (configured, or derived)."""
    spec = (
        getattr(settings, "ONESTOP_PDF_SIGNING_KEY", ""),
        getattr(settings, "ONESTOP_PDF_SIGNING_CERT", ""),
        getattr(settings, "ONESTOP_PDF_SIGNING_CHAIN", ""),
        settings.SECRET_KEY,
    )
    with _lock:
        if spec not in _cache:
            key_path, cert_path, chain_path, secret = spec
            if key_path or cert_path:
                if not (key_path and cert_path and chain_path):
                    raise ImproperlyConfigured(
                        "ONESTOP_PDF_SIGNING_KEY, _CERT and _CHAIN go together."
                    )
                _cache[spec] = _configured_chain(key_path, cert_path, chain_path)
            else:
                _cache[spec] = _dev_chain(secret)
        return _cache[spec]


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _timestamper(url: str) -> TimeStamper:
    """pyHanko's timestamp client over urllib (RFC 3161 over HTTP, section 3.4), so that no
    extra HTTP library is needed."""
    if not url.startswith(("http://", "https://")):
        raise ImproperlyConfigured("ONESTOP_PDF_TIMESTAMP_URL must be an http(s) address.")

    class Client(TimeStamper):
        async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
            def post() -> bytes:
                request = urllib.request.Request(  # noqa: S310 (http(s), checked above)
                    url,
                    data=req.dump(),
                    headers={"Content-Type": "application/timestamp-query"},
                    method="POST",
                )
                with urllib.request.urlopen(  # noqa: S310 (http(s), checked above)
                    request, timeout=TIMESTAMP_TIMEOUT_SECONDS
                ) as answer:
                    return bytes(answer.read())

            return tsp.TimeStampResp.load(await asyncio.to_thread(post))

    return Client()  # type: ignore[no-untyped-call]


def sign(data: bytes, *, reason: str, location: str = "", using: Chain | None = None) -> bytes:
    """``data`` (a PDF) with the platform's PAdES signature over the whole file appended as
    an incremental update, and a timestamp token when ``ONESTOP_PDF_TIMESTAMP_URL`` is set.

    ``using`` signs with another key and chain (tests: a forger's valid certificate).
    Raises ``ImproperlyConfigured`` for unreadable key material; a timestamping service that
    does not answer raises pyHanko's ``SigningError``.
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    found = using or chain()
    key_der = found.key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    signer = signers.SimpleSigner(
        signing_cert=_asn1(found.signer),
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]
            [_asn1(c) for c in found.others]
        ),
    )
    url = getattr(settings, "ONESTOP_PDF_TIMESTAMP_URL", "")
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location or None,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    timestamper = _timestamper(url) if url else None
    pdf_signer = signers.PdfSigner(meta, signer=signer, timestamper=timestamper)
    out = run_coroutine(lambda: pdf_signer.async_sign_pdf(writer))
    return bytes(out.getvalue())


def _contents_exact(data: bytes, embedded: Any) -> bool:
    """Whether the one part of the file the byte range leaves out (the /Contents string)
    is exactly what the platform writes: the CMS signature in upper-case hex, then zeros.
    The signature digest cannot cover these bytes, so without this check a changed padding
    byte or hex digit case would go unnoticed."""
    from asn1crypto import cms
    from asn1crypto.parser import parse

    _, first_end, second_start, _ = embedded.byte_range
    raw: bytes = embedded.pkcs7_content
    try:
        _, _, _, header, contents, _ = parse(raw)
        signed = len(header) + len(contents)
        # DER has one encoding: the parser reads a changed tag or length byte leniently
        # (a SEQUENCE read where a SET was written), so the signature must re-encode, from
        # its parsed values, to exactly the bytes in the file.
        der = raw[:signed]
        exact = cms.ContentInfo.load(der).dump(force=True) == der
    except ValueError:
        return False
    canonical = b"<" + raw.hex().upper().encode("ascii") + b">"
    return exact and data[first_end:second_start] == canonical and not raw[signed:].strip(b"\0")


@dataclass(frozen=True)
class Check:
    """The outcome of checking a PDF's signature: ``problem`` is empty when the file is
    exactly as the platform signed it, else one of ``PROBLEMS``."""

    problem: str
    signed_at: dt.datetime | None = None


# Why a file fails, in plain words (zh, en).
PROBLEMS: dict[str, tuple[str, str]] = {
    "unreadable": ("文件无法读取，不是有效的 PDF。", "The file cannot be read as a PDF."),
    "unsigned": (
        "文件没有本平台的电子签名（签名被去除或文件不是本平台出具）。",
        "The file carries no signature of this platform (removed, or not issued here).",
    ),
    "altered": (
        "文件内容在签名后被改动：签名不符，该证明已被篡改。",
        "The file was changed after it was signed: the signature does not match.",
    ),
    "appended": (
        "签名后文件被追加了内容（增量更新），不能作为本平台出具的原件。",
        "Something was added to the file after it was signed (an incremental update).",
    ),
    "untrusted": (
        "签名不是本平台的证书所签。",
        "The signature was not made with this platform's certificate.",
    ),
    "signer_revoked": ("签名证书已被吊销。", "The signing certificate has been revoked."),
    "signer_expired": (
        "签名证书不在有效期内。",
        "The signing certificate was not valid at the time.",
    ),
}


def revocation_lists() -> list[bytes]:
    """The CRLs (DER or PEM files in ``ONESTOP_PDF_CRLS``) the CA publishes for the
    platform's signing certificates, as DER."""
    found: list[bytes] = []
    for path in getattr(settings, "ONESTOP_PDF_CRLS", None) or []:
        raw = Path(path).read_bytes()
        try:
            crl = (
                x509.load_pem_x509_crl(raw)
                if raw.lstrip().startswith(b"-----")
                else x509.load_der_x509_crl(raw)
            )
        except ValueError as exc:
            raise ImproperlyConfigured(f"Cannot read the CRL {path}: {exc}") from exc
        found.append(crl.public_bytes(serialization.Encoding.DER))
    return found


def validation_context(*, moment: dt.datetime | None = None) -> object:
    """A pyHanko validation context that trusts only the platform's roots, with the
    configured CRLs; no network (a revoked signing certificate is caught when a CRL lists
    it; without CRLs revocation is not checked)."""
    from pyhanko_certvalidator import ValidationContext
    from pyhanko_certvalidator.policy_decl import (
        CertRevTrustPolicy,
        RevocationCheckingPolicy,
        RevocationCheckingRule,
    )

    found = chain()
    crls = revocation_lists()
    # With CRLs configured the signing certificate must be covered by one (a stale CRL
    # fails); pyHanko's soft-fail would check only certificates declaring a CRL address.
    rule = RevocationCheckingRule.CRL_REQUIRED if crls else RevocationCheckingRule.NO_CHECK
    return ValidationContext(
        trust_roots=[_asn1(c) for c in found.roots],
        other_certs=[_asn1(c) for c in found.others],
        allow_fetching=False,
        crls=crls,
        revinfo_policy=CertRevTrustPolicy(
            RevocationCheckingPolicy(
                ee_certificate_rule=rule, intermediate_ca_cert_rule=RevocationCheckingRule.NO_CHECK
            )
        ),
        moment=moment,
    )


def check(data: bytes) -> Check:
    """Whether ``data`` is a PDF exactly as the platform signed it: one signature, whose
    byte range covers every byte of the file (nothing changed, nothing appended), whose
    digest and signature verify, and whose certificate chains to the platform's root and is
    neither expired nor revoked."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = list(reader.embedded_signatures)
    except (PdfError, ValueError, KeyError, TypeError, IndexError, OSError, EOFError):
        return Check("unreadable")
    except Exception:
        return Check("unreadable")
    if not signatures:
        return Check("unsigned")
    if len(signatures) != 1:
        # The platform signs once; a second signature is a later revision.
        return Check("appended")
    embedded = signatures[0]
    try:
        context = validation_context()
        status = run_coroutine(
            lambda: async_validate_pdf_signature(
                embedded,
                signer_validation_context=context,  # type: ignore[arg-type]
                skip_diff=True,  # any change after signing is refused below: none is allowed
            )
        )
    except Exception:
        return Check("altered")
    if not status.intact or not status.valid:
        return Check("altered")
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        return Check("appended")
    if not _contents_exact(data, embedded):
        return Check("altered")
    if status.revoked:
        return Check("signer_revoked")
    if not status.trusted:
        indic = str(getattr(status.trust_problem_indic, "name", "") or "")
        if "EXPIRED" in indic or "OUT_OF_BOUNDS" in indic or "NOT_YET" in indic:
            return Check("signer_expired")
        return Check("untrusted")
    return Check("", signed_at=status.signer_reported_dt)
