"""Audit API: search the journal and verify its chain (audit administrator)."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from onestop.audit.selectors import entry_search, journal_verify
from onestop.common.pagination import BoundedPagination

router = Router(tags=["audit"])


class EntryOut(Schema):
    seq: int
    at: dt.datetime
    actor_id: str
    actor_label: str
    role: str
    action: str
    target_type: str
    target_id: str
    outcome: str
    changes: dict[str, Any]
    request_id: str
    client_address: str
    channel: str
    prev_hash: str
    hash: str


class JournalVerifyOut(Schema):
    intact: bool
    checked: int
    broken_at: int | None
    reason: str


def _check(request: HttpRequest) -> None:
    api_token = getattr(request, "api_token", None)
    if api_token is not None and "audit:read" not in api_token.scopes:
        raise PermissionDenied
    if not request.user.has_perm("audit.search_journal"):
        raise PermissionDenied


@router.get("/entries", response=list[EntryOut])
@paginate(BoundedPagination)
def entries(
    request: HttpRequest,
    action: str = "",
    actor: str = "",
    target_type: str = "",
    target_id: str = "",
    outcome: str = "",
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> Any:
    """Journal entries, newest first."""
    _check(request)
    qs: Any = entry_search(
        action=action,
        actor=actor,
        target_type=target_type,
        target_id=target_id,
        outcome=outcome,
        since=since,
        until=until,
    )
    return qs


@router.get("/verify", response=JournalVerifyOut)
def verify(request: HttpRequest) -> dict[str, Any]:
    """Re-walk the hash chain and name the first broken entry, if any."""
    _check(request)
    checked, broken = journal_verify()
    return {
        "intact": broken is None,
        "checked": checked,
        "broken_at": broken.seq if broken else None,
        "reason": broken.reason if broken else "",
    }
