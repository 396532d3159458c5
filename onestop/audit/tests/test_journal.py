"""The journal in the database: same-transaction records, append-only, tamper detection."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, IntegrityError, connection, transaction

from onestop.audit.chain import entry_hash
from onestop.audit.models import AppendOnlyError, Entry
from onestop.audit.selectors import entry_content, journal_verify
from onestop.audit.services import guard_switch, record
from onestop.common import context

pytestmark = pytest.mark.django_db(transaction=True)


def fill(n: int = 6) -> None:
    for i in range(n):
        record(
            actor=None,
            action=f"test.step{i}",
            target_type="thing",
            target_id=str(i),
            changes={"before": {"x": i}, "after": {"x": i + 1}, "amount": "12.30"},
        )


def raw(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def drop_guards() -> None:
    """What an attacker with database rights would do first."""
    guard_switch(enabled=False)


def test_record_carries_request_context_and_links() -> None:
    with context.bind(context.RequestContext("req-12345678", "10.1.2.3", "web")):
        first = record(actor=None, action="test.one")
    second = record(actor=None, action="test.two", changes={"n": 1})
    assert (first.request_id, first.client_address, first.channel) == (
        "req-12345678",
        "10.1.2.3",
        "web",
    )
    assert first.actor_label == "system"
    assert second.prev_hash == first.hash
    assert entry_hash(entry_content(second), second.prev_hash) == second.hash


def test_record_is_rolled_back_with_its_transaction() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        record(actor=None, action="test.rolled_back")
        raise RuntimeError("the change failed")
    assert not Entry.objects.exists()
    record(actor=None, action="test.after")
    assert journal_verify() == (1, None)


def test_model_refuses_update_and_delete() -> None:
    fill(1)
    entry = Entry.objects.get()
    entry.action = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()


@pytest.mark.parametrize("sql", ["UPDATE audit_entry SET action = 'x'", "DELETE FROM audit_entry"])
def test_database_refuses_update_and_delete(sql: str) -> None:
    fill(2)
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
        raw(sql)
    assert journal_verify() == (2, None)


def verify_fails_at(seq: int) -> str:
    _checked, broken = journal_verify()
    assert broken is not None
    assert broken.seq == seq
    with pytest.raises(CommandError) as error:
        call_command("audit", "verify")
    assert f"broken at entry {seq}" in str(error.value)
    return broken.reason


def test_edit_is_caught() -> None:
    fill()
    drop_guards()
    raw("UPDATE audit_entry SET changes = %s WHERE seq = 3", ['{"after": {"x": 999}}'])
    assert "content" in verify_fails_at(3)


def test_delete_is_caught() -> None:
    fill()
    drop_guards()
    raw("DELETE FROM audit_entry WHERE seq = 4")
    assert "expected entry 4" in verify_fails_at(5)


def test_delete_of_the_last_entry_is_caught() -> None:
    fill()
    drop_guards()
    raw("DELETE FROM audit_entry WHERE seq = 6")
    assert "head" in verify_fails_at(6)


def test_insert_is_caught() -> None:
    fill()
    drop_guards()
    raw("UPDATE audit_entry SET seq = seq + 100 WHERE seq >= 3")
    raw("UPDATE audit_entry SET seq = seq - 99 WHERE seq >= 103")
    prev = Entry.objects.get(seq=2)
    content = {**entry_content(prev), "seq": 3, "action": "forged.entry"}
    digest = entry_hash(content, prev.hash)
    raw(
        "INSERT INTO audit_entry (seq, at, actor_id, actor_label, role, action, target_type,"
        " target_id, outcome, changes, request_id, client_address, channel, prev_hash, hash)"
        " VALUES (3, %s, '', 'x', '', 'forged.entry', '', '', 'success', %s, '', '', '', %s,"
        " %s)",
        [prev.at, "{}", prev.hash, digest],
    )
    verify_fails_at(3)


def test_reorder_is_caught() -> None:
    fill()
    drop_guards()
    raw("UPDATE audit_entry SET seq = 1000 WHERE seq = 2")
    raw("UPDATE audit_entry SET seq = 2 WHERE seq = 5")
    raw("UPDATE audit_entry SET seq = 5 WHERE seq = 1000")
    verify_fails_at(2)


def test_verify_command_reports_an_intact_journal() -> None:
    fill(3)
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert "Journal intact: 3 entries verified; no checkpoint" in out.getvalue()
