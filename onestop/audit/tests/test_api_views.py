"""The audit administrator searches, exports and verifies the journal."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client

from onestop.audit.models import Entry

pytestmark = pytest.mark.django_db


def test_search_filters(world: Any, client: Client) -> None:
    client.force_login(world.audrey)
    body = client.get("/api/v1/audit/entries", {"action": "identity.staff"}).json()
    assert body["count"] == 10  # one entry per staff persona of the world fixture
    assert {e["action"] for e in body["items"]} == {"identity.staff.created"}
    page = client.get("/audit/", {"action": "identity.person"})
    assert page.status_code == 200
    assert "identity.person.registered" in page.content.decode()


def test_export_is_csv_with_hashes_and_is_journaled(world: Any, client: Client) -> None:
    client.force_login(world.audrey)
    before = Entry.objects.count()
    response = client.get("/audit/export.csv", {"action": "identity.employer."})
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["action"] for r in rows] == ["identity.employer.registered"]
    assert len(rows[0]["hash"]) == 64
    assert Entry.objects.count() == before + 1
    assert Entry.objects.last().action == "audit.journal.exported"  # type: ignore[union-attr]


def test_verify_reports_intact(world: Any, client: Client) -> None:
    client.force_login(world.audrey)
    body = client.get("/api/v1/audit/verify").json()
    assert body == {
        "intact": True,
        "checked": Entry.objects.count(),
        "broken_at": None,
        "reason": "",
    }
    page = client.post("/audit/verify/")
    assert f"哈希链完好：已校验 {Entry.objects.count()} 条。" in page.content.decode()
