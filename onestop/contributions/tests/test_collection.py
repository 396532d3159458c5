"""Bills out to the collecting authority's simulator over HTTP, payments back, idempotently."""

from __future__ import annotations

import datetime as dt
import json
import threading
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

from onestop.contributions import services
from onestop.contributions.collection import (
    CollectionUnavailable,
    HttpCollectionAdapter,
    collection_sync,
)
from onestop.contributions.models import Bill, Payment
from onestop.contributions.selectors import bills_of, ledger_verify, statement_of
from onestop.simulators.tax import TaxSimulator

pytestmark = pytest.mark.django_db


class Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def simulator() -> Iterator[tuple[TaxSimulator, str]]:
    app = TaxSimulator(api_key="secret")
    server = make_server("127.0.0.1", 0, app, handler_class=Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def declared(world: Any) -> Any:
    services.insurance_register(
        actor=None, employer=world.acme, insurances=["pension"], since_period=202401
    )
    services.employment_start(
        actor=None,
        employer=world.acme,
        resident_id=world.alice.resident_id,
        start_period=202401,
        wage=Decimal("3000"),
    )
    for period in (202409, 202410):
        assert services.declaration_submit(
            actor=None,
            employer=world.acme,
            period=period,
            rows=[services.DeclaredRow(2, world.alice.resident_id, "3000")],
        ).accepted
    return world


def pay(url: str, bill: Bill, amount: str, paid_on: str) -> None:
    request = urllib.request.Request(
        f"{url}/bills/{bill.pk}/pay",
        data=json.dumps({"amount": amount, "paid_on": paid_on}).encode(),
        headers={"Content-Type": "application/json", "X-Api-Key": "secret"},
        method="POST",
    )
    with urllib.request.urlopen(request) as response:
        assert response.status == 201


def test_round_trip_partial_late_and_repeated(
    declared: Any, simulator: tuple[TaxSimulator, str]
) -> None:
    app, url = simulator
    adapter = HttpCollectionAdapter(url, "secret")
    first = collection_sync(adapter=adapter)
    assert (first.bills_sent, first.payments_new) == (2, 0)
    assert set(app.bills) == {str(b.pk) for b in Bill.objects.all()}
    september, october = Bill.objects.order_by("period")
    pay(url, september, "500.00", "2024-10-10")  # part, on time
    pay(url, september, "572.80", "2024-11-20")  # the rest, late
    pay(url, october, "1072.80", "2024-11-14")  # another month, in full
    second = collection_sync(adapter=adapter)
    assert (second.bills_sent, second.payments_new, second.payments_seen) == (0, 3, 3)
    third = collection_sync(adapter=adapter)
    assert (third.payments_new, third.payments_seen) == (0, 0)
    assert Payment.objects.count() == 3
    rows = {r.bill.period: r for r in bills_of(employer=declared.acme, today=dt.date(2024, 12, 1))}
    assert (rows[202409].paid, rows[202409].arrears) == (Decimal("1072.80"), Decimal("0.00"))
    assert statement_of(person=declared.alice).paid_months == 2
    assert ledger_verify() == []


def test_replayed_cursor_changes_nothing(
    declared: Any, simulator: tuple[TaxSimulator, str]
) -> None:
    _app, url = simulator
    adapter = HttpCollectionAdapter(url, "secret")
    collection_sync(adapter=adapter)
    pay(url, Bill.objects.first(), "10.00", "2024-10-10")  # type: ignore[arg-type]
    collection_sync(adapter=adapter)
    from onestop.contributions.models import CollectionCursor

    CollectionCursor.objects.update(cursor=0)  # as if the cursor write had been lost
    again = collection_sync(adapter=adapter)
    assert (again.payments_seen, again.payments_new) == (1, 0)
    assert Payment.objects.count() == 1


def test_wrong_key_and_unreachable_authority(
    declared: Any, simulator: tuple[TaxSimulator, str]
) -> None:
    _, url = simulator
    with pytest.raises(CollectionUnavailable):
        collection_sync(adapter=HttpCollectionAdapter(url, "wrong"))
    with pytest.raises(CollectionUnavailable):
        collection_sync(adapter=HttpCollectionAdapter("http://127.0.0.1:9", "secret", timeout=1))
    assert not Bill.objects.filter(sent_at__isnull=False).exists()


def test_simulator_refuses_bad_requests() -> None:
    app = TaxSimulator()
    assert app.add_bill({"bill_id": "1"})[0] == 422
    assert app.pay("1", "10", "2024-01-01")[0] == 404
    app.add_bill(
        {
            "bill_id": "1",
            "credit_code": "x",
            "period": "2024-10",
            "insurance": "pension",
            "amount_due": "10.00",
            "due_date": "2024-11-15",
        }
    )
    assert app.pay("1", "-1", "")[0] == 422
    assert app.pay("1", "abc", "")[0] == 422
    assert app.payments_after(0) == {"payments": [], "cursor": 0}
