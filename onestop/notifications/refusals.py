"""Refused requests on the record, and a security notice when one actor is refused often.

``RefusalMiddleware`` sees every response: a 403 (for anyone), or a 404 on an object route
(a URL pattern with an id in it) for a signed-in user, is journaled through
``onestop.audit.refusals.refusal_note`` as ``access.refused`` with the actor, the route's name,
the target id in the URL and the reason (the error code). The journal has a per-actor cap per
window (see that module). When one actor reaches the alert threshold in a window, the security
administrators whose scope covers the actor (every active one for the anonymous or a
province-wide actor) get a ``security.refusals`` notice, once per window.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.functional import lazy

from onestop.audit import labels
from onestop.audit.refusals import refusal_note
from onestop.common.middleware import client_address
from onestop.identity import policy
from onestop.identity.models import StaffProfile, StaffRole
from onestop.identity.selectors import staff_in_scope_of
from onestop.notifications.services import notify

log = logging.getLogger("onestop.refusals")

#: The request attribute through which error handlers name the reason of a refusal.
REASON_ATTRIBUTE = "refusal_reason"


def _reason(request: HttpRequest, response: HttpResponse) -> str:
    reason = getattr(request, REASON_ATTRIBUTE, "")
    if reason:
        return str(reason)[:64]
    if response.get("Content-Type", "").startswith("application/json"):
        try:
            body = json.loads(response.content[:4096])
        except (ValueError, UnicodeDecodeError):
            body = None
        if isinstance(body, dict) and isinstance(body.get("code"), str):
            return str(body["code"])[:64]
    return "forbidden" if response.status_code == 403 else "not_found"


def _label(label_of: Callable[[str], str], code: str) -> str:
    """A role's or a page's name as read, the code itself when it has none."""
    return label_of(code) or code


def _security_admins(actor: Any) -> list[Any]:
    region = policy.region_of(actor) if getattr(actor, "is_authenticated", False) else None
    if region is not None:
        profiles = staff_in_scope_of(region=region, roles=[StaffRole.SECURITY_ADMIN])
    else:
        profiles = list(
            StaffProfile.objects.select_related("user").filter(
                role=StaffRole.SECURITY_ADMIN, user__is_active=True
            )
        )
    return [p.user for p in profiles]


def refusal_observe(request: HttpRequest, response: HttpResponse) -> None:
    """Journal this response if it is a refusal, and alert on a burst."""
    status = response.status_code
    if status not in (403, 404):
        return
    match = getattr(request, "resolver_match", None)
    user = getattr(request, "user", None)
    signed_in = bool(getattr(user, "is_authenticated", False))
    kwargs = dict(match.kwargs) if match is not None else {}
    if status == 404 and not (signed_in and kwargs):
        return  # a 404 on no object route, or for the anonymous, is not a refusal
    route = (match.view_name if match is not None else "") or request.path[:100]
    target = ",".join(str(v) for v in kwargs.values())
    actor_key = (
        f"user:{user.pk}" if signed_in and user is not None else (f"addr:{client_address(request)}")
    )
    noted = refusal_note(
        actor=user,
        actor_key=actor_key,
        route=route,
        target_id=target,
        reason=_reason(request, response),
        facts={
            "status": status,
            "method": request.method,
            "path": request.path[:200],
            **({"arguments": {k: str(v)[:64] for k, v in kwargs.items()}} if kwargs else {}),
        },
    )
    if not noted.alert:
        return
    label = getattr(user, "username", "") if signed_in else f"anonymous@{client_address(request)}"
    with transaction.atomic():
        notify(
            recipients=_security_admins(user),
            event="security.refusals",
            context={
                "actor": label,
                "role": lazy(_label, str)(labels.role_label, policy.role_of(user)),
                "count": noted.count,
                "minutes": noted.window_seconds // 60,
                "route": lazy(_label, str)(labels.target_label, route),
                "target": target,
            },
            # The security administrator acts on accounts (lock, deactivate); the journal
            # itself is the audit administrator's.
            link="/security/staff/",
        )
        from onestop.audit.services import record

        record(
            actor=None,
            action="access.refusals.alerted",
            target_type="identity.user" if signed_in else "",
            target_id=str(user.pk) if signed_in and user is not None else "",
            changes={"actor": label, "count": noted.count, "route": route},
        )


class RefusalMiddleware:
    """Journals refused requests (403, and 404 on object routes for signed-in users)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code in (403, 404):
            try:
                refusal_observe(request, response)
            except Exception:  # the journal must not turn a refusal into a server error
                log.exception("could not journal a refused request")
        return response
