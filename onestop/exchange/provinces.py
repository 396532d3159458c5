"""Other provinces' pension systems, reached through the national transfer hub.

A transfer of a pension relation between provinces is a signed request to the place that
holds the relation (the contact letter) and its signed answer (the information form with the
account and pooled funds). The request is the gateway's own protocol (see gateway.py) sent to
``{ONESTOP_TRANSFER_HUB_URL}/provinces/{code}/query``; the answer must carry the signature
of that province's key, registered as the consumer ``province-{code}``. Other provinces ask
this platform the same way, on ``/api/v1/gateway/query`` with the resource
``hrss.pension_transfer``. Every exchange is in the message log.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings
from django.utils import timezone

from onestop.common.divisions import PROVINCES
from onestop.common.errors import ServiceError
from onestop.exchange import algorithms, signing
from onestop.exchange.gateway import message_log
from onestop.exchange.labels import province_party
from onestop.exchange.models import Consumer
from onestop.identity.models import Person

TIMEOUT_SECONDS = 10
RESOURCE = "hrss.pension_transfer"
PURPOSE = "pension_transfer"
FIELDS = ["temporary", "account", "pooled", "months", "place", "place_name"]


class TransferUnavailable(ServiceError):
    status = 503
    code = "transfer_unavailable"


def province_name(code: str) -> str:
    """A province's name in both languages, for machine-read payloads and explanations."""
    zh, en = province_names(code)
    return f"{zh} {en}"


def province_names(code: str) -> tuple[str, str]:
    """A province's (Chinese, English) name; an unknown code is itself."""
    return PROVINCES.get(code, (code, code))


def consumer_code(province: str) -> str:
    return f"province-{province}"


def own_code() -> str:
    return consumer_code(str(settings.ONESTOP_PROVINCE))


def channelled() -> set[str]:
    """The provinces a transfer can be arranged with now: the hub is configured and the
    province's key is registered (an active ``province-{code}`` consumer)."""
    if not str(getattr(settings, "ONESTOP_TRANSFER_HUB_URL", "") or ""):
        return set()
    codes = Consumer.objects.filter(code__startswith="province-", active=True).values_list(
        "code", flat=True
    )
    found = {code.removeprefix("province-") for code in codes}
    return {code for code in found if code in PROVINCES and code != settings.ONESTOP_PROVINCE}


def _no_channel(province: str) -> tuple[str, str]:
    zh, en = PROVINCES.get(province, (province, province))
    return (
        f"未配置与{zh}的转移接续通道，暂不能在本平台办理从该省转入，请向原参保地经办机构咨询。",
        f"No transfer channel with {en} is configured: a transfer from there cannot be "
        "arranged on this platform yet; ask the agency where you were insured.",
    )


def channel_check(province: str) -> None:
    """Refuse a transfer with ``province`` when no channel to it is configured."""
    if province not in channelled():
        zh, en = _no_channel(province)
        raise ServiceError(zh, en, code="transfer_unavailable")


def request_transfer(*, province: str, person: Person, params: dict[str, Any]) -> dict[str, Any]:
    """Send the contact letter for ``person`` to ``province``; its verified information form
    (the ``data`` of the signed answer). Raises ``ServiceError`` when refused or unreachable."""
    if province not in PROVINCES or province == settings.ONESTOP_PROVINCE:
        raise ServiceError(
            "转出地省份无效。", "Not a valid province to transfer from.", code="place"
        )
    party = province_party(province)
    peer = Consumer.objects.filter(code=consumer_code(province), active=True).first()
    hub = str(getattr(settings, "ONESTOP_TRANSFER_HUB_URL", "") or "")

    def log(outcome: str, body: bytes = b"", answer: bytes = b"") -> None:
        message_log(
            direction="out",
            party=party,
            resource=RESOURCE,
            purpose=PURPOSE,
            person=person,
            fields=FIELDS,
            outcome=outcome,
            request=body,
            response=answer,
        )

    if peer is None or not hub:
        log("unavailable")
        raise TransferUnavailable(*_no_channel(province), code="transfer_unavailable")
    payload = {
        "consumer": own_code(),
        "resource": RESOURCE,
        "purpose": PURPOSE,
        "subject": person.resident_id,
        "fields": FIELDS,
        "params": params,
        "timestamp": timezone.now().astimezone(dt.UTC).isoformat(timespec="seconds"),
        "nonce": secrets.token_hex(16),
    }
    body = signing.canonical(payload)
    kind = signing.algorithm()
    request = urllib.request.Request(  # noqa: S310 - the configured hub is http(s)
        f"{hub.rstrip('/')}/provinces/{province}/query",
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-Signature": algorithms.sign(kind, signing.private_key_hex(kind), body),
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            raw = response.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read()[:500]
        log(f"refused:{exc.code}", body, detail)
        try:
            reason = json.loads(detail)
        except json.JSONDecodeError:
            reason = {}
        zh = reason.get("message_zh") or reason.get("error") or exc.code
        en = reason.get("message_en") or reason.get("error") or exc.code
        raise ServiceError(
            f"转出地拒绝：{zh}",
            f"The other province refused: {en}",
            code="refused",
        ) from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        log("unavailable", body)
        raise TransferUnavailable(
            "转移接续通道暂不可用。",
            "The transfer channel cannot be reached.",
            code="transfer_unavailable",
        ) from exc
    try:
        answer = json.loads(raw)
        response_payload, signature = answer["response"], str(answer["signature"])
        data = response_payload["data"]
        valid = isinstance(data, dict) and algorithms.verify(
            str(response_payload.get("algorithm") or peer.algorithm),
            peer.public_key,
            signing.canonical(response_payload),
            signature,
        )
    except (json.JSONDecodeError, KeyError, TypeError, ValueError):
        valid = False
    if not valid:
        log("bad_signature", body, raw)
        raise ServiceError(
            "转出地的答复未通过验签。",
            "The other province's answer failed signature verification.",
            code="signature",
        )
    log("answered", body, raw)
    return dict(data)
