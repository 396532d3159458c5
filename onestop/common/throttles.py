"""Rate limits: Django Ninja's throttles over the cache (local memory in the embedded
default, Redis when ``REDIS_URL`` is set, so every worker shares the counts).

Scopes and their rates are settings (``ONESTOP_THROTTLE_RATES``, ``"scope=count/period"``
pairs in the environment):

- ``lookup``: public case-status look-ups and certificate verification, per client address;
- ``login_address`` / ``login_account``: sign-in attempts per address and per identifier;
- ``token``: authenticated API calls per bearer token, or per user for a browser session.

Over the rate: HTTP 429 with ``Retry-After`` (seconds), in the API and on the pages.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest, HttpResponse
from ninja.throttling import SimpleRateThrottle

from onestop.common.digests import sm3_hex
from onestop.common.middleware import client_address


class ScopedThrottle(SimpleRateThrottle):
    """A throttle whose rate is read from settings at each request and whose key is given.

    Django Ninja's throttle with its counting replaced: Ninja keeps each key's timestamps as
    a list read and written back whole on every request (a GET and a SET of up to the rate's
    count of floats), which two workers serving the same token at once overwrite, each
    losing the other's request, so a burst spread over workers passes the limit. Here each
    key has one counter per window of the rate's period, incremented atomically (one Redis
    round trip: ``SET NX`` and ``INCR`` pipelined; the cache's own lock in local memory),
    and the rate is checked against a sliding window: this window's count plus the last
    window's weighted by how much of it the sliding window still covers (the estimate used
    by Cloudflare's and nginx-style limiters; exact when requests are evenly spread). A
    refused request is taken back out of the count, as Ninja does not record refusals.
    """

    scope: str

    def __init__(self, scope: str, key: Callable[[HttpRequest], str | None]) -> None:
        self.scope = scope
        self._key = key
        self.rate = None
        self.num_requests, self.duration = None, None
        self._window_end = 0.0

    def get_cache_key(self, request: HttpRequest) -> str | None:
        ident = self._key(request)
        if ident is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request: HttpRequest) -> bool:
        self.rate = settings.ONESTOP_THROTTLE_RATES.get(self.scope)
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self.key = self.get_cache_key(request)
        if self.key is None or not self.num_requests or not self.duration:
            return True
        self.now = self.timer()  # type: ignore[misc]
        window = int(self.now // self.duration)
        self._window_end = float((window + 1) * self.duration)
        current, previous = f"{self.key}:{window}", f"{self.key}:{window - 1}"
        count, before = _count(current, previous, seconds=2 * self.duration)
        covered = 1.0 - (self.now - window * self.duration) / self.duration
        if count + before * covered <= self.num_requests:
            return True
        with contextlib.suppress(ValueError):
            cache.decr(current)
        return False

    def wait(self) -> float | None:
        """Seconds until the current window ends (the count starts again then)."""
        return max(1.0, self._window_end - float(self.now))


def _count(current: str, previous: str, *, seconds: int) -> tuple[int, int]:
    """Add one to the counter ``current`` (created for ``seconds``) and read ``previous``:
    (the new count, the previous window's), in one round trip on Redis."""
    if isinstance(cache, RedisCache):
        key = cache.make_and_validate_key(current)
        client = cache._cache.get_client(key, write=True)
        pipeline = client.pipeline(transaction=False)
        pipeline.set(key, 0, ex=seconds, nx=True)
        pipeline.incr(key)
        pipeline.get(cache.make_and_validate_key(previous))
        _created, count, before = pipeline.execute()
        return int(count), int(before or 0)
    cache.add(current, 0, seconds)
    try:
        count = cache.incr(current)
    except ValueError:  # expired between the two calls: this request starts it again
        cache.set(current, 1, seconds)
        count = 1
    return int(count), int(cache.get(previous) or 0)


def by_address(request: HttpRequest) -> str:
    return client_address(request) or "unknown"


def by_token(request: HttpRequest) -> str | None:
    """The bearer token of an API call, else the signed-in user of a session call; None
    (not counted here) for an anonymous call, which public operations limit by address."""
    token = getattr(request, "api_token", None)
    if token is not None:
        return f"t{token.pk}"
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u{user.pk}"
    return None


def address_throttle(scope: str) -> ScopedThrottle:
    return ScopedThrottle(scope, by_address)


def token_throttle() -> ScopedThrottle:
    return ScopedThrottle("token", by_token)


def hit(*, scope: str, ident: str) -> int | None:
    """Count one attempt of ``ident`` under ``scope``: None when allowed, else the seconds
    to wait (for ``Retry-After``)."""
    throttle = ScopedThrottle(scope, lambda request: sm3_hex(ident.encode())[:32])
    if throttle.allow_request(HttpRequest()):
        return None
    return max(1, math.ceil(throttle.wait() or 1))


def too_many(request: HttpRequest, retry_after: int) -> HttpResponse:
    """The 429 page, in the user's language, with ``Retry-After``."""
    from django.shortcuts import render

    from onestop.common.errors import ServiceError

    error = ServiceError(
        f"请求过于频繁，请{retry_after}秒后再试。",
        f"Too many requests; try again in {retry_after} seconds.",
        code="throttled",
    )
    response = render(request, "error.html", {"error": error}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def throttle_page(
    scope: str,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Limit a page view per client address; over the rate it answers 429."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            wait = hit(scope=scope, ident=by_address(request))
            if wait is not None:
                return too_many(request, wait)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
