"""A local simulator of the tax authority that collects social insurance contributions.

A small WSGI application speaking HTTP/JSON, the way the platform's adapter expects a real
collecting system to: it receives bills, lets a payer pay them (in full, in part, late, several
at once) on a simple page, and reports payments in order with a cursor.

    POST /bills                {"bill_id", "credit_code", "period", "insurance", "amount_due",
                                "due_date", optional "status": open or cancelled}
                                                                      -> 201 (200 if known:
                                the new amount_due and status replace the old, what was
                                paid stays)
    GET  /bills                                                       -> {"bills": [...]}
    POST /bills/<bill_id>/pay  {"amount", "paid_on"} or a form post   -> 201 {"payment_id"}
                                (409 when the platform cancelled the bill)
    GET  /payments?after=N                                            -> {"payments", "cursor"}
    GET  /                                                            -> HTML page to pay bills

Requests must carry ``X-Api-Key`` when the simulator is started with a key. State is kept in
memory (and in a JSON file when one is given), guarded by a lock.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import threading
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from onestop.simulators.wsgi import StartResponse, json_reply


class TaxSimulator:
    def __init__(self, *, api_key: str = "", state_file: Path | None = None) -> None:
        self.api_key = api_key
        self.state_file = state_file
        self.lock = threading.Lock()
        self.bills: dict[str, dict[str, Any]] = {}
        self.payments: list[dict[str, Any]] = []
        if state_file is not None and state_file.exists():
            saved = json.loads(state_file.read_text(encoding="utf-8"))
            self.bills, self.payments = saved["bills"], saved["payments"]

    def _save(self) -> None:
        if self.state_file is not None:
            self.state_file.write_text(
                json.dumps({"bills": self.bills, "payments": self.payments}), encoding="utf-8"
            )

    # -- operations -------------------------------------------------------------------------
    def add_bill(self, data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        required = ("bill_id", "credit_code", "period", "insurance", "amount_due", "due_date")
        missing = [k for k in required if k not in data]
        if missing:
            return 422, {"error": f"missing fields: {', '.join(missing)}"}
        key = str(data["bill_id"])
        status = str(data.get("status") or "open")
        if status not in ("open", "cancelled"):
            return 422, {"error": "status must be open or cancelled"}
        with self.lock:
            if key in self.bills:
                # The platform sends a bill again when the month's refunds lower it, or
                # when it shortens or cancels an individual payer's period.
                known = self.bills[key]
                if known["amount_due"] != str(data["amount_due"]) or known.get("status") != status:
                    known["amount_due"] = str(data["amount_due"])
                    known["status"] = status
                    self._save()
                return 200, known
            self.bills[key] = {k: str(data[k]) for k in required} | {
                "paid": "0.00",
                "status": status,
            }
            self._save()
            return 201, self.bills[key]

    def pay(self, bill_id: str, amount_text: str, paid_on: str) -> tuple[int, dict[str, Any]]:
        try:
            amount = Decimal(amount_text).quantize(Decimal("0.01"))
            day = dt.date.fromisoformat(paid_on) if paid_on else dt.date.today()
        except (InvalidOperation, ValueError):
            return 422, {"error": "amount must be a number and paid_on YYYY-MM-DD"}
        if amount <= 0:
            return 422, {"error": "amount must be positive"}
        with self.lock:
            bill = self.bills.get(bill_id)
            if bill is None:
                return 404, {"error": "unknown bill"}
            if bill.get("status") == "cancelled":
                return 409, {"error": "the bill was cancelled by the platform: nothing to pay"}
            payment = {
                "payment_id": f"TAX-{len(self.payments) + 1:08d}",
                "bill_id": bill_id,
                "amount": f"{amount:.2f}",
                "paid_on": day.isoformat(),
                "seq": len(self.payments) + 1,
            }
            self.payments.append(payment)
            bill["paid"] = f"{Decimal(bill['paid']) + amount:.2f}"
            self._save()
            return 201, payment

    def payments_after(self, cursor: int) -> dict[str, Any]:
        with self.lock:
            found = [p for p in self.payments if p["seq"] > cursor]
        return {"payments": found, "cursor": found[-1]["seq"] if found else cursor}

    # -- WSGI -------------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "/")
        if path == "/" and method == "GET":
            return self._page(start_response)
        is_form = environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded")
        if self.api_key and environ.get("HTTP_X_API_KEY") != self.api_key and not is_form:
            return self._json(start_response, 401, {"error": "missing or wrong X-Api-Key"})
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        parts = [p for p in path.split("/") if p]
        if method == "POST" and parts == ["bills"]:
            try:
                data = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                return self._json(start_response, 400, {"error": "body is not JSON"})
            status, body = self.add_bill(data)
            return self._json(start_response, status, body)
        if method == "GET" and parts == ["bills"]:
            with self.lock:
                bills = list(self.bills.values())
            return self._json(start_response, 200, {"bills": bills})
        if method == "POST" and len(parts) == 3 and parts[0] == "bills" and parts[2] == "pay":
            if is_form:
                form = parse_qs(raw.decode("utf-8"))
                data = {
                    "amount": form.get("amount", [""])[0],
                    "paid_on": form.get("paid_on", [""])[0],
                }
            else:
                try:
                    data = json.loads(raw or b"{}")
                except json.JSONDecodeError:
                    return self._json(start_response, 400, {"error": "body is not JSON"})
            status, body = self.pay(
                parts[1], str(data.get("amount", "")), str(data.get("paid_on", ""))
            )
            if is_form and status == 201:
                start_response("303 See Other", [("Location", "/")])
                return [b""]
            return self._json(start_response, status, body)
        if method == "GET" and parts == ["payments"]:
            query = parse_qs(environ.get("QUERY_STRING", ""))
            try:
                cursor = int(query.get("after", ["0"])[0])
            except ValueError:
                return self._json(start_response, 400, {"error": "after must be a number"})
            return self._json(start_response, 200, self.payments_after(cursor))
        return self._json(start_response, 404, {"error": "not found"})

    def _json(
        self, start_response: StartResponse, status: int, body: dict[str, Any]
    ) -> list[bytes]:
        return json_reply(start_response, status, body)

    def _page(self, start_response: StartResponse) -> list[bytes]:
        with self.lock:
            bills = list(self.bills.values())
        rows = "".join(
            f"<tr><td>{html.escape(b['bill_id'])}</td><td>{html.escape(b['credit_code'])}</td>"
            f"<td>{html.escape(b['period'])}</td><td>{html.escape(b['insurance'])}</td>"
            f"<td>{html.escape(b['amount_due'])}</td><td>{html.escape(b['paid'])}</td>"
            f"<td>{html.escape(b['due_date'])}</td><td>"
            + (
                "已作废 cancelled"
                if b.get("status") == "cancelled"
                else f"<form method='post' "
                f"action='/bills/{html.escape(b['bill_id'])}/pay'>"
                f"<label>金额 amount <input name='amount' value='"
                f"{max(Decimal(0), Decimal(b['amount_due']) - Decimal(b['paid'])):.2f}' size='10'>"
                f"</label> "
                f"<label>日期 date <input name='paid_on' type='date'></label> "
                f"<button>缴款 pay</button></form>"
            )
            + "</td></tr>"
            for b in bills
        )
        page = (
            "<!DOCTYPE html><html lang='zh-CN'><meta charset='utf-8'>"
            "<title>税务征收模拟 Tax collection simulator</title>"
            "<h1>税务征收模拟 Tax collection simulator</h1>"
            "<p>Bills sent by the platform; pay them in full or in part.</p>"
            "<table border='1' cellpadding='4'><tr><th>bill</th><th>credit code</th>"
            "<th>period</th><th>insurance</th><th>due</th><th>paid</th><th>due date</th>"
            f"<th></th></tr>{rows}</table></html>"
        ).encode()
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [page]
