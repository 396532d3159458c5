"""A local simulator of other departments' registries behind the data-sharing gateway.

One WSGI application serves the registries the platform asks, the way their gateways would
answer HTTP/JSON:

    GET /<registry>/<dataset>/<key>   -> 200 the record, or 404
    PUT /<registry>/<dataset>/<key>   {record}  -> 201; a civil-affairs death is also pushed
                                        to the platform as a signed ``death_registered`` event
    GET /                             -> an HTML page listing the records, with a form to
                                        register a death (for trying the platform)

    POST /medical_insurance/contributions/<key>   {batch}  -> 201 the acknowledgement; the
                                        same key again -> 200 the same acknowledgement,
                                        ``duplicate`` true, applied once
    POST /provinces/<code>/query      a signed contact letter (the gateway's request format)
                                        -> the signed information form of that province

Registries: civil_affairs (deaths, marriages), public_security (household, deaths,
imprisonment), market_regulation (enterprises), medical_insurance (settlements). It also
plays the national transfer hub and other provinces' pension systems: each holds records of
people insured there (months with bases and that place's wages, the account); a contact
letter for one of them is answered with the account and 12% of the bases from 1998 (or,
for men from 50 and women from 40 not moving to their registration place, a temporary
account and no funds), and the relation leaves; asking again gets the same answer. The
platform's signature is checked when its public key (Ed25519, hex) is known. Requests to
the registries must carry ``X-Api-Key`` when one is set (contact letters are signed instead).
Events and answers are signed with the simulator's Ed25519 key (``signing_key``, hex) over
the canonical JSON body, sent in ``X-Signature``. State is kept in memory and in a JSON file
when one is given.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import html
import json
import secrets
import threading
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from onestop.simulators.wsgi import StartResponse, json_reply

DATASETS = {
    "civil_affairs": ("deaths", "marriages"),
    "public_security": ("household", "deaths", "imprisonment"),
    "market_regulation": ("enterprises",),
    # contributions: batches the platform sends (the unemployment fund paying the medical
    # insurance of benefit recipients), each applied once by its key.
    "medical_insurance": ("settlements", "contributions"),
    # The platform's signed journal checkpoints, kept by a department outside the platform.
    "witness": ("checkpoints",),
}


#: The purpose code events are pushed for: the platform holds a grant for it (docs/exchange.md).
EVENT_PURPOSE = "benefit_eligibility"


def empty() -> dict[str, dict[str, dict[str, Any]]]:
    return {registry: {name: {} for name in names} for registry, names in DATASETS.items()}


class RegistrySimulator:
    def __init__(
        self,
        *,
        api_key: str = "",
        state_file: Path | None = None,
        push_url: str = "",
        signing_key: str = "",
    ) -> None:
        self.api_key = api_key
        self.state_file = state_file
        self.push_url = push_url
        self.signing_key = signing_key
        self.lock = threading.Lock()
        self.records = empty()
        self.provinces: dict[str, dict[str, dict[str, Any]]] = {}
        self.platform_key = ""
        self.pushed: list[dict[str, Any]] = []
        if state_file is not None and state_file.exists():
            saved = json.loads(state_file.read_text(encoding="utf-8"))
            for registry, datasets in saved.get("records", {}).items():
                for name, rows in datasets.items():
                    if registry in self.records and name in self.records[registry]:
                        self.records[registry][name].update(rows)
            self.provinces = saved.get("provinces", {})
            self.platform_key = saved.get("platform_key", "")
            self.signing_key = self.signing_key or saved.get("signing_key", "")
            self.push_url = self.push_url or saved.get("push_url", "")

    def _save(self) -> None:
        if self.state_file is not None:
            saved = (
                json.loads(self.state_file.read_text(encoding="utf-8"))
                if (self.state_file.exists())
                else {}
            )
            saved["records"] = self.records
            saved["provinces"] = self.provinces
            self.state_file.write_text(json.dumps(saved, ensure_ascii=False), encoding="utf-8")

    # -- operations -------------------------------------------------------------------------
    def get(self, registry: str, dataset: str, key: str) -> dict[str, Any] | None:
        with self.lock:
            return self.records.get(registry, {}).get(dataset, {}).get(key.upper())

    def put(self, registry: str, dataset: str, key: str, record: dict[str, Any]) -> bool:
        """Store a record; a civil-affairs death is pushed as an event. Returns whether an
        event was delivered."""
        if dataset not in DATASETS.get(registry, ()):
            raise KeyError(f"{registry}/{dataset}")
        with self.lock:
            self.records[registry][dataset][key.upper()] = record
            self._save()
        if registry == "civil_affairs" and dataset == "deaths":
            return self.push("death_registered", key.upper(), record)
        return False

    def push(self, kind: str, subject: str, data: dict[str, Any]) -> bool:
        """Deliver an event to the platform, signed; False when nobody is listening."""
        if not self.push_url or not self.signing_key:
            return False
        event = {
            "event_id": f"CA-{secrets.token_hex(8)}",
            "source": "civil_affairs",
            "kind": kind,
            "subject": subject,
            "data": data,
            "purpose": EVENT_PURPOSE,
            "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "nonce": secrets.token_hex(8),
        }
        body = json.dumps(event, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(self.signing_key))
        signature = base64.b64encode(key.sign(body.encode("utf-8"))).decode("ascii")
        request = urllib.request.Request(  # noqa: S310 - the configured platform address
            self.push_url,
            data=body.encode("utf-8"),
            headers={"Content-Type": "application/json", "X-Signature": signature},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                delivered = bool(200 <= response.status < 300)
        except OSError:
            delivered = False
        self.pushed.append({**event, "delivered": delivered})
        return delivered

    def receive_batch(self, key: str, batch: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """The medical insurance department takes a batch of contributions paid on people's
        behalf: applied once by its key; the same key again gets the first acknowledgement."""
        with self.lock:
            held = self.records["medical_insurance"]["contributions"].get(key)
            if held is not None:
                return 200, {**held["ack"], "duplicate": True}
            lines = batch.get("lines")
            if not isinstance(lines, list):
                return 400, {"error": "a batch has a list of lines"}
            try:
                total = sum(
                    (decimal.Decimal(str(line["amount"])) for line in lines), decimal.Decimal(0)
                )
            except (KeyError, TypeError, decimal.InvalidOperation):
                return 400, {"error": "every line has an amount"}
            ack = {
                "ack_id": f"YB{dt.date.today():%Y%m%d}{secrets.randbelow(10**6):06d}",
                "key": key,
                "lines": len(lines),
                "total": f"{total:.2f}",
                "received_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "duplicate": False,
            }
            self.records["medical_insurance"]["contributions"][key] = {"batch": batch, "ack": ack}
            self._save()
        return 201, ack

    # -- other provinces ----------------------------------------------------------------------
    def province_put(self, province: str, resident_id: str, record: dict[str, Any]) -> None:
        """Someone insured in ``province``: months [[YYYY-MM, base, wage]], account."""
        with self.lock:
            self.provinces.setdefault(province, {})[resident_id.upper()] = record
            self._save()

    def transfer_answer(
        self, province: str, body: bytes, signature: str
    ) -> tuple[int, dict[str, Any]]:
        """Answer a contact letter as ``province``'s pension system would."""
        try:
            letter = json.loads(body)
            subject = str(letter["subject"]).upper()
            params = letter.get("params") or {}
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError):
            return 400, {"error": "malformed contact letter"}
        if self.platform_key:
            try:
                Ed25519PublicKey.from_public_bytes(bytes.fromhex(self.platform_key)).verify(
                    base64.b64decode(signature), body
                )
            except (InvalidSignature, ValueError):
                return 401, {"error": "bad signature"}
        with self.lock:
            person = self.provinces.get(province, {}).get(subject)
            if person is None:
                return 404, {
                    "error": "no such person",
                    "message_zh": "转出地没有此人的参保记录。",
                    "message_en": "The person is not insured in that province.",
                }
            if "sent" in person:
                data = person["sent"]
            else:
                data = self._information_form(province, subject, person, params)
                if not data["temporary"]:
                    person["sent"] = data
                self._save()
        response = {
            "resource": letter.get("resource", ""),
            "purpose": letter.get("purpose", ""),
            "subject": subject[:6] + "********" + subject[-4:],
            "data": data,
            "answered_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "algorithm": "ed25519",
        }
        canonical = json.dumps(response, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(self.signing_key))
        signed = base64.b64encode(key.sign(canonical.encode("utf-8"))).decode("ascii")
        return 200, {"response": response, "signature": signed}

    @staticmethod
    def _information_form(
        province: str, subject: str, person: dict[str, Any], params: dict[str, Any]
    ) -> dict[str, Any]:
        born = dt.date(int(subject[6:10]), int(subject[10:12]), int(subject[12:14]))
        today = dt.date.today()
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        male = int(subject[16]) % 2 == 1
        keeps = not params.get("to_hukou_place") and age >= (50 if male else 40)
        months = [] if keeps else list(person.get("months", []))
        cent = decimal.Decimal("0.01")
        bases = sum(
            (decimal.Decimal(str(b)) for p, b, _ in months if str(p) >= "1998-01"),
            decimal.Decimal(0),
        )
        pooled = (bases * decimal.Decimal("0.12")).quantize(cent, decimal.ROUND_HALF_UP)
        account = decimal.Decimal(str(person.get("account", "0"))).quantize(cent)
        return {
            "temporary": keeps,
            "account": "0.00" if keeps else f"{account:.2f}",
            "pooled": "0.00" if keeps else f"{pooled:.2f}",
            "months": months,
            "place": province,
            "place_name": str(person.get("place_name", province)),
        }

    # -- WSGI -------------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "/")
        if path == "/" and method == "GET":
            return self._page(start_response)
        is_form = environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded")
        signed = path.startswith("/provinces/")
        if (
            self.api_key
            and environ.get("HTTP_X_API_KEY") != self.api_key
            and not (is_form or signed)
        ):
            return self._json(start_response, 401, {"error": "missing or wrong X-Api-Key"})
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        if method == "POST" and path == "/register-death" and is_form:
            form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8")).items()}
            subject = form.get("resident_id", "").strip().upper()
            if len(subject) != 18:
                return self._json(start_response, 400, {"error": "resident_id: 18 characters"})
            self.put(
                "civil_affairs",
                "deaths",
                subject,
                {
                    "name": form.get("name", ""),
                    "date": form.get("date") or dt.date.today().isoformat(),
                    "place": form.get("place", ""),
                    "certificate_no": f"SW{dt.date.today():%Y%m%d}{secrets.randbelow(10**6):06d}",
                },
            )
            start_response("303 See Other", [("Location", "/")])
            return [b""]
        parts = [unquote(p) for p in path.split("/") if p]
        if len(parts) == 3 and parts[0] == "provinces" and parts[2] == "query":
            if method != "POST":
                return self._json(start_response, 405, {"error": "POST a contact letter"})
            status, answer = self.transfer_answer(
                parts[1], raw, environ.get("HTTP_X_SIGNATURE", "")
            )
            return self._json(start_response, status, answer)
        if len(parts) == 3 and parts[0] == "provinces" and method == "PUT":
            try:
                person = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                return self._json(start_response, 400, {"error": "body is not JSON"})
            if not isinstance(person, dict):
                return self._json(start_response, 400, {"error": "a record is a JSON object"})
            self.province_put(parts[1], parts[2], person)
            return self._json(start_response, 201, {"stored": True})
        if (
            len(parts) == 3
            and parts[:2] == ["medical_insurance", "contributions"]
            and method == "POST"
        ):
            try:
                batch = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                return self._json(start_response, 400, {"error": "body is not JSON"})
            if not isinstance(batch, dict):
                return self._json(start_response, 400, {"error": "a batch is a JSON object"})
            status, answer = self.receive_batch(parts[2], batch)
            return self._json(start_response, status, answer)
        if len(parts) != 3 or parts[1] not in DATASETS.get(parts[0], ()):
            return self._json(start_response, 404, {"error": "not found"})
        registry, dataset, key = parts
        if method == "GET":
            found = self.get(registry, dataset, key)
            if found is None:
                return self._json(start_response, 404, {"error": "no record"})
            return self._json(start_response, 200, found)
        if method == "PUT":
            try:
                record = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                return self._json(start_response, 400, {"error": "body is not JSON"})
            if not isinstance(record, dict):
                return self._json(start_response, 400, {"error": "a record is a JSON object"})
            pushed = self.put(registry, dataset, key, record)
            return self._json(start_response, 201, {"stored": True, "pushed": pushed})
        return self._json(start_response, 404, {"error": "not found"})

    def _json(
        self, start_response: StartResponse, status: int, body: dict[str, Any]
    ) -> list[bytes]:
        return json_reply(start_response, status, body)

    def _page(self, start_response: StartResponse) -> list[bytes]:
        with self.lock:
            rows = "".join(
                f"<tr><td>{html.escape(registry)}/{html.escape(name)}</td><td>{html.escape(key)}</td>"
                f"<td>{html.escape(json.dumps(record, ensure_ascii=False))}</td></tr>"
                for registry, datasets in self.records.items()
                for name, entries in datasets.items()
                for key, record in entries.items()
            )
        page = (
            "<!DOCTYPE html><html lang='zh-CN'><meta charset='utf-8'>"
            "<title>部门登记系统模拟 Registry simulator</title>"
            "<h1>部门登记系统模拟 Registry simulator</h1>"
            "<p>Records the platform can ask for through the data-sharing gateway.</p>"
            "<table border='1' cellpadding='4'>"
            "<tr><th>registry</th><th>key</th><th>record</th></tr>"
            f"{rows}</table>"
            "<h2>登记死亡 Register a death (pushed to the platform)</h2>"
            "<form method='post' action='/register-death'>"
            "<label>公民身份号码 resident ID <input name='resident_id' size='20'></label> "
            "<label>姓名 name <input name='name'></label> "
            "<label>日期 date <input name='date' type='date'></label> "
            "<button>登记 register</button></form></html>"
        ).encode()
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [page]
