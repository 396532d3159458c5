"""Collection of contributions by the tax authority, through an adapter.

Bills go out through an outbox (``Bill.sent_at``), after commit; payments come back in order
with a cursor and are posted idempotently by the authority's payment id.

Not the generic outbox (``onestop.exchange.outbox``): its messages are immutable, keyed once
and retried each on its own backoff, whereas a bill is one mutable figure at the authority
(re-sent when a refund is netted or a payer's period is shortened). Versioned messages could
arrive out of order and leave the older, higher figure as the authority's last word; here the
figure is read when it is sent, so the last send is always the current one.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from onestop.audit.services import record
from onestop.common.errors import ServiceError
from onestop.contributions.individual import individual_payment_record
from onestop.contributions.models import Bill, CollectionCursor, IndividualBill
from onestop.contributions.periods import month_of
from onestop.contributions.services import payment_record

#: Bill numbers of individual payers' bills at the collecting authority start with it, so
#: that one numbering serves both kinds of payer.
INDIVIDUAL_PREFIX = "P"


@dataclass(frozen=True)
class PaymentReport:
    payment_id: str
    bill_id: int
    amount: Decimal
    paid_on: dt.date
    individual: bool = False  # a payment of an individual payer's bill


def parse_bill_ref(text: str) -> tuple[int, bool]:
    """The authority's bill number as (platform id, individual payer's bill?)."""
    text = str(text)
    if text.startswith(INDIVIDUAL_PREFIX):
        return int(text[len(INDIVIDUAL_PREFIX) :]), True
    return int(text), False


class CollectionAdapter(Protocol):
    def send_bill(self, bill: Bill) -> None: ...

    def send_individual_bill(self, bill: IndividualBill) -> None: ...

    def payments_after(self, cursor: int) -> tuple[list[PaymentReport], int]: ...


class CollectionUnavailable(ServiceError):
    status = 503
    code = "collection_unavailable"


class HttpCollectionAdapter:
    """Speaks HTTP/JSON to the collecting authority (or its simulator)."""

    def __init__(self, base_url: str, api_key: str = "", timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 - URL comes from settings
            f"{self.base_url}{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json", "X-Api-Key": self.api_key},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                result: dict[str, Any] = json.loads(response.read() or b"{}")
                return result
        except (urllib.error.URLError, TimeoutError, json.JSONDecodeError) as exc:
            raise CollectionUnavailable(
                "税务征收系统暂时无法访问。", f"The collecting authority is unreachable: {exc}"
            ) from exc

    def send_bill(self, bill: Bill) -> None:
        """Sent again with the new figure when the month's refunds change what is asked for;
        the authority keeps what it has received against the bill."""
        self._call(
            "POST",
            "/bills",
            {
                "bill_id": str(bill.pk),
                "credit_code": bill.employer.credit_code,
                "period": str(month_of(bill.period)),
                "insurance": bill.insurance,
                "amount_due": f"{collect_amount(bill):.2f}",
                "due_date": bill.due_date.isoformat(),
            },
        )

    def send_individual_bill(self, bill: IndividualBill) -> None:
        """An individual payer's period: the payer is named by the resident ID; sent again
        with the new figure when the period is shortened, and with ``status`` ``cancelled``
        (amount 0) when no month is left, so the authority refuses to collect it. Whatever
        still arrives for it becomes a refund (``individual.bill_settle``)."""
        self._call(
            "POST",
            "/bills",
            {
                "bill_id": f"{INDIVIDUAL_PREFIX}{bill.pk}",
                "credit_code": bill.person.resident_id,
                "period": f"{month_of(bill.first_period)}..{month_of(bill.last_period)}",
                "insurance": "pension_individual",
                "amount_due": f"{max(bill.amount_due, Decimal(0)):.2f}",
                "due_date": bill.due_date.isoformat(),
                "status": "cancelled" if bill.amount_due <= 0 else "open",
            },
        )

    def payments_after(self, cursor: int) -> tuple[list[PaymentReport], int]:
        body = self._call("GET", f"/payments?after={cursor}")
        reports = []
        for p in body.get("payments", []):
            bill_id, individual = parse_bill_ref(p["bill_id"])
            reports.append(
                PaymentReport(
                    p["payment_id"],
                    bill_id,
                    Decimal(p["amount"]),
                    dt.date.fromisoformat(p["paid_on"]),
                    individual,
                )
            )
        return reports, int(body.get("cursor", cursor))


def collect_amount(bill: Bill) -> Decimal:
    """What the collecting authority is asked for: the bill less the month's refunds set
    against it (``netting.py``)."""
    return bill.collect_amount if bill.collect_amount is not None else bill.amount_due


def default_adapter() -> CollectionAdapter | None:
    url = getattr(settings, "ONESTOP_TAX_URL", "")
    return HttpCollectionAdapter(url, getattr(settings, "ONESTOP_TAX_KEY", "")) if url else None


@dataclass(frozen=True)
class SyncResult:
    bills_sent: int
    payments_new: int
    payments_seen: int


def collection_sync(*, adapter: CollectionAdapter | None = None) -> SyncResult:
    """Send unsent bills, then post the payments reported since the last cursor.

    Safe to run any number of times, concurrently with itself: bills are marked sent one by
    one, payments are posted by the authority's id, the cursor only moves forward.
    """
    adapter = adapter or default_adapter()
    if adapter is None:
        raise CollectionUnavailable(
            "未配置税务征收系统地址。", "No collecting authority is configured (ONESTOP_TAX_URL)."
        )
    sent = 0
    for bill in Bill.objects.filter(sent_at__isnull=True).select_related("employer").order_by("pk"):
        if bill.amount_due <= 0:
            Bill.objects.filter(pk=bill.pk).update(sent_at=timezone.now())
            continue  # credits are settled by the platform, not collected
        adapter.send_bill(bill)
        # Only if the figure sent is still the bill's: a refund posted meanwhile changed it
        # (and cleared ``sent_at``), and the next run sends the new one.
        Bill.objects.filter(
            pk=bill.pk, sent_at__isnull=True, collect_amount=bill.collect_amount
        ).update(sent_at=timezone.now())
        sent += 1
    for individual in (
        IndividualBill.objects.filter(sent_at__isnull=True).select_related("person").order_by("pk")
    ):
        adapter.send_individual_bill(individual)
        IndividualBill.objects.filter(
            pk=individual.pk, sent_at__isnull=True, amount_due=individual.amount_due
        ).update(sent_at=timezone.now())
        sent += 1
    state, _ = CollectionCursor.objects.get_or_create(pk=1)
    reports, cursor = adapter.payments_after(state.cursor)
    new = 0
    bills = Bill.objects.in_bulk([r.bill_id for r in reports if not r.individual])
    individual_bills = IndividualBill.objects.in_bulk([r.bill_id for r in reports if r.individual])
    for report in reports:
        if report.individual:
            own = individual_bills.get(report.bill_id)
            if own is not None:
                _, created = individual_payment_record(
                    actor=None,
                    external_id=report.payment_id,
                    bill=own,
                    amount=report.amount,
                    paid_on=report.paid_on,
                )
                new += int(created)
                continue
        matched = None if report.individual else bills.get(report.bill_id)
        if matched is None:
            with transaction.atomic():
                record(
                    actor=None,
                    action="contributions.payment.unmatched",
                    target_type="contributions.payment",
                    target_id=report.payment_id,
                    outcome="failed",
                    changes={
                        "bill": f"{INDIVIDUAL_PREFIX * report.individual}{report.bill_id}",
                        "amount": report.amount,
                    },
                )
            continue
        _, created = payment_record(
            actor=None,
            external_id=report.payment_id,
            bill=matched,
            amount=report.amount,
            paid_on=report.paid_on,
        )
        new += int(created)
    CollectionCursor.objects.filter(pk=1, cursor__lt=cursor).update(cursor=cursor)
    return SyncResult(sent, new, len(reports))
