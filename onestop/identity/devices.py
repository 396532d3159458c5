"""Known devices: a browser that has signed in to an account before is not locked out with
the rest of the world.

Without this, anyone who knows a person's phone number or resident ID can keep them out of
the platform: five wrong passwords lock the account for everybody, and ten attempts within
ten minutes throttle the identifier for everybody. Following OWASP's "device cookies"
(Slow Down Online Guessing Attacks with Device Cookies), a successful sign-in leaves a signed
cookie naming the account and a random device id. A later sign-in from that browser is judged
on its own record:

- the account's lockout (``User.locked_until``, from failures on unknown clients) and the
  per-identifier throttle do not apply to it;
- its own failures are counted per device (in the cache, like the throttles), and at
  ``LOGIN_MAX_FAILURES`` that device alone is locked for ``LOGIN_LOCKOUT_MINUTES``.

Shapes: the cookie is ``django.core.signing`` output over ``{"<user pk>": "<device id>.<binding>"}``
(at most ``KEEP`` accounts, the most recent last; a shared office browser may know several),
salted and timed (``MAX_AGE``); a cookie that does not verify is ignored, never an error.

The binding is an HMAC of the device id and the account's session auth hash (itself keyed on
the password hash): a password change, by the owner or a reset, makes every device cookie of
the account an unknown client again, as it ends every session. A browser that remembered the
old password (someone who had it) no longer gets past the lockout.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import constant_time_compare, salted_hmac

COOKIE = "onestop_device"
SALT = "onestop.identity.device"
MAX_AGE = 365 * 24 * 3600
KEEP = 5


def _known(request: HttpRequest | None) -> dict[str, str]:
    raw = request.COOKIES.get(COOKIE) if request is not None else None
    if not raw:
        return {}
    try:
        value = signing.loads(raw, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return {}
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items() if isinstance(v, str)}


def _binding(user: Any, device: str) -> str:
    """The device id bound to the account's current password (its session auth hash)."""
    return salted_hmac(SALT, f"{device}:{user.get_session_auth_hash()}").hexdigest()[:32]


def device_of(request: HttpRequest | None, user: Any) -> str | None:
    """The device id this browser holds for ``user``, or None for an unknown client (never
    signed in here, or not since the password changed)."""
    if user is None:
        return None
    device, _, binding = _known(request).get(str(user.pk), "").partition(".")
    if not device or not constant_time_compare(binding, _binding(user, device)):
        return None
    return device


def remember(request: HttpRequest, response: HttpResponse, user: Any) -> None:
    """After a complete sign-in (second factor included for staff): remember the device."""
    known = _known(request)
    device = device_of(request, user) or secrets.token_urlsafe(18)
    known.pop(str(user.pk), None)
    known[str(user.pk)] = f"{device}.{_binding(user, device)}"
    kept = dict(list(known.items())[-KEEP:])
    response.set_cookie(
        COOKIE,
        signing.dumps(kept, salt=SALT),
        max_age=MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _key(device: str) -> str:
    return f"onestop:device-failures:{device}"


def is_locked(device: str) -> bool:
    return int(cache.get(_key(device), 0)) >= settings.LOGIN_MAX_FAILURES


def note_failure(device: str) -> int:
    """Count a failed password on a known device; the count, which locks it at the limit
    until ``LOGIN_LOCKOUT_MINUTES`` after the last failure."""
    key, timeout = _key(device), settings.LOGIN_LOCKOUT_MINUTES * 60
    try:
        count = cache.incr(key)
    except ValueError:
        cache.add(key, 0, timeout)
        count = cache.incr(key)
    cache.touch(key, timeout)
    return int(count)


def note_success(device: str) -> None:
    cache.delete(_key(device))
