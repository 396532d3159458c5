"""Signed checkpoints of the journal's head, outside the database, catch a cut-off tail."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import connection

from onestop.audit.models import Entry
from onestop.audit.selectors import journal_verify
from onestop.audit.services import guard_switch, record
from onestop.common.scheduler import run_due
from onestop.exchange import checkpoints
from onestop.simulators.registries import RegistrySimulator

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def folder(settings: Any, tmp_path: Path) -> Path:
    settings.ONESTOP_CHECKPOINT_DIR = str(tmp_path / "checkpoints")
    settings.ONESTOP_CHECKPOINT_WITNESS = ""
    return tmp_path / "checkpoints"


class Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def witness(settings: Any) -> Iterator[RegistrySimulator]:
    app = RegistrySimulator(api_key="k")
    server = make_server("127.0.0.1", 0, app, handler_class=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.ONESTOP_REGISTRY_URL = f"http://127.0.0.1:{server.server_port}"
    settings.ONESTOP_REGISTRY_KEY = "k"
    settings.ONESTOP_CHECKPOINT_WITNESS = "witness"
    yield app
    server.shutdown()


def fill(n: int) -> None:
    for i in range(n):
        record(actor=None, action=f"test.step{i}", target_type="thing", target_id=str(i))


def raw(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def verify(*args: str) -> str:
    out = StringIO()
    call_command("audit", "verify", *args, stdout=out)
    return out.getvalue()


def cut_tail_and_move_head(to_seq: int) -> None:
    """What someone with database rights does: drop the guard, delete the newest entries and
    set the chain head to the entry that is now last."""
    guard_switch(enabled=False)
    kept = Entry.objects.get(seq=to_seq)
    raw("DELETE FROM audit_entry WHERE seq > %s", [to_seq])
    raw("UPDATE audit_chainhead SET seq = %s, hash = %s WHERE id = 1", [to_seq, kept.hash])


def test_a_checkpoint_is_signed_written_and_journaled(folder: Path) -> None:
    fill(5)
    issued = checkpoints.checkpoint_issue()
    assert issued.path.parent == folder and issued.delivered is None
    saved = json.loads(issued.path.read_text(encoding="utf-8"))
    payload = saved["checkpoint"]
    assert (payload["kind"], payload["seq"]) == ("onestop.audit.checkpoint", 5)
    assert payload["head_hash"] == Entry.objects.get(seq=5).hash
    assert payload["algorithm"] == "ed25519" and len(payload["key_id"]) == 16
    assert checkpoints.checkpoint_load(issued.path) == saved
    entry = Entry.objects.get(action="audit.checkpoint.issued")
    assert (entry.seq, entry.changes["seq"], entry.changes["file"]) == (6, 5, issued.path.name)
    assert "agrees with the checkpoint of entry 5" in verify()


def test_cutting_the_tail_and_moving_the_head_back_is_caught(folder: Path) -> None:
    """Delete the tail, move audit_chainhead back: the chain looks intact, the checkpoint
    does not agree."""
    fill(6)
    issued = checkpoints.checkpoint_issue()  # witnesses entry 6; entry 7 journals the issue
    fill(2)
    assert "agrees" in verify()
    cut_tail_and_move_head(5)
    checked, broken = journal_verify()
    assert (checked, broken) == (5, None)  # the chain alone does not notice
    with pytest.raises(CommandError, match="shorter than the checkpoint"):
        verify()
    with pytest.raises(CommandError, match="shorter than the checkpoint"):
        verify("--checkpoint", str(issued.path))


def test_a_rewritten_history_disagrees_with_the_checkpoint(folder: Path) -> None:
    """Someone rebuilds the chain from entry 3 with other content and valid hashes."""
    from onestop.audit.chain import entry_hash
    from onestop.audit.selectors import entry_content

    fill(4)
    checkpoints.checkpoint_issue()  # entry 4
    guard_switch(enabled=False)
    prev = Entry.objects.get(seq=2).hash
    for entry in Entry.objects.filter(seq__gte=3).order_by("seq"):
        content = entry_content(entry)
        if entry.seq == 3:
            content["action"] = "test.innocent"
        digest = entry_hash(content, prev)
        raw(
            "UPDATE audit_entry SET action = %s, prev_hash = %s, hash = %s WHERE seq = %s",
            [content["action"], prev, digest, entry.seq],
        )
        prev = digest
    raw("UPDATE audit_chainhead SET hash = %s WHERE id = 1", [prev])
    assert journal_verify()[1] is None
    with pytest.raises(CommandError, match="different hash"):
        verify()


def test_a_forged_or_damaged_checkpoint_is_refused(folder: Path) -> None:
    fill(3)
    issued = checkpoints.checkpoint_issue()
    saved = json.loads(issued.path.read_text(encoding="utf-8"))
    saved["checkpoint"]["seq"] = 2
    forged = folder / "forged.json"
    forged.write_text(json.dumps(saved), encoding="utf-8")
    with pytest.raises(CommandError, match="signature is not the platform's"):
        verify("--checkpoint", str(forged))
    broken = folder / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="not a readable checkpoint"):
        verify("--checkpoint", str(broken))


def test_the_witness_keeps_a_copy_and_verify_uses_it(witness: RegistrySimulator) -> None:
    fill(3)
    out = StringIO()
    call_command("audit", "checkpoint", stdout=out)
    assert "delivered to the witness" in out.getvalue()
    held = witness.get("witness", "checkpoints", "LATEST")
    assert held is not None and held["checkpoint"]["seq"] == 3
    assert witness.get("witness", "checkpoints", "000000000003") == held
    assert "agrees with the checkpoint of entry 3 (the witness)" in verify("--witness")
    cut_tail_and_move_head(2)
    with pytest.raises(CommandError, match="shorter"):
        verify("--witness")


def test_an_unreachable_witness_is_journaled_as_failed(settings: Any, folder: Path) -> None:
    settings.ONESTOP_REGISTRY_URL = "http://127.0.0.1:9"  # nothing listens there
    settings.ONESTOP_CHECKPOINT_WITNESS = "witness"
    issued = checkpoints.checkpoint_issue()
    assert issued.delivered is False and issued.path.exists()
    assert Entry.objects.get(action="audit.checkpoint.issued").outcome == "failed"


def test_the_periodic_job_issues_checkpoints(folder: Path) -> None:
    fill(2)
    schedule = {"journal-checkpoint": django_settings.CELERY_BEAT_SCHEDULE["journal-checkpoint"]}
    assert run_due(schedule=schedule, last={}, now=0.0) == ["journal-checkpoint"]
    assert [p.name[:12] for p in folder.glob("*.json")] == ["000000000002"]
    assert checkpoints.checkpoint_latest() == next(folder.glob("*.json"))


def test_checkpoints_are_sm2_signed_when_configured(settings: Any, folder: Path) -> None:
    settings.ONESTOP_SIGNING_ALGORITHM = "sm2"
    fill(2)
    issued = checkpoints.checkpoint_issue()
    assert issued.document["checkpoint"]["algorithm"] == "sm2"
    assert "agrees with the checkpoint of entry 2" in verify()
    settings.ONESTOP_SIGNING_ALGORITHM = "ed25519"  # a switch later: the old one still verifies
    assert "agrees with the checkpoint of entry 2" in verify("--checkpoint", str(issued.path))
