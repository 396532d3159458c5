"""Whole answers that are the same for every caller, kept in Django's cache.

For public reads whose body depends only on the URL and on data that changes rarely (a
service item's guide): the first request builds the body, the next ones get the same bytes
without a query, the ORM or a schema. Each entry is stored with the *generation* of its data
(a value in the cache under the data's own key); a writer of that data calls
:func:`generation_bump` in its transaction, which bumps it at once and again after the
commit, so every entry stored before is ignored from then on. The generation and the
entry are read in one round trip.

Why this is safe against races: a reader reads the generation before it reads the database;
an entry built from data read before a commit is stored under the generation read before
the bump, which no later reader accepts. The only stale window is between a writer's commit
and its second bump (the same process, right after the commit).

``seconds`` bounds every entry's life as well: with the per-process cache of the embedded
default (no ``REDIS_URL``), a bump reaches only the process that made it, and data
migrations do not bump; another process sees the change within ``seconds``.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction

from onestop.common import context

T = TypeVar("T")


def _key(part: str) -> str:
    # Hashed: the parts come from URLs (any characters, any length; memcached-safe keys).
    return "onestop.answers:" + hashlib.sha256(part.encode()).hexdigest()[:40]


def shared(*, key: str, generation: str, seconds: int, build: Callable[[], bytes]) -> bytes:
    """The body stored under ``key`` for the current ``generation``, else ``build()``,
    stored for ``seconds``. An exception from ``build`` (a 404, say) is not stored."""
    gen_key, entry_key = _key("generation:" + generation), _key(generation + ":" + key)
    found = cache.get_many([gen_key, entry_key])
    current = found.get(gen_key)
    entry = found.get(entry_key)
    if current is not None and isinstance(entry, tuple) and entry[0] == current:
        return bytes(entry[1])
    if current is None:
        cache.add(gen_key, uuid.uuid4().hex, None)
        current = cache.get(gen_key)
    body = build()
    if current is not None:
        cache.set(entry_key, (current, body), seconds)
    return body


def generation(name: str) -> str:
    """The current generation of ``name`` (one cache read, once a request; a new one if
    the cache has none)."""

    def read() -> str:
        gen_key = _key("generation:" + name)
        current = cache.get(gen_key)
        if current is None:
            cache.add(gen_key, uuid.uuid4().hex, None)
            current = cache.get(gen_key)
        return str(current)

    return context.memo("answers.generation:" + name, read)


_kept: dict[str, tuple[str, float, Any]] = {}


def kept(*, key: str, generation_of: str, seconds: int, compute: Callable[[], T]) -> T:
    """``compute()``, kept by this process while the generation ``generation_of`` stands and
    at most ``seconds``: reference data every request reads (item names, book rates) for one
    cache read instead of queries. The value is shared: callers must not change it."""
    current = generation(generation_of)
    found = _kept.get(key)
    if found is not None and found[0] == current and found[1] > time.monotonic():
        return found[2]  # type: ignore[no-any-return]
    value = compute()
    _kept[key] = (current, time.monotonic() + seconds, value)
    return value


def generation_bump(generation: str) -> None:
    """Retire every answer stored for ``generation``: at once (readers in this transaction,
    and in tests, see the change) and again once the current transaction commits (an answer
    another process built in between, from the data before the commit, is retired too). A
    rollback costs one spurious bump."""
    gen_key = _key("generation:" + generation)
    cache.set(gen_key, uuid.uuid4().hex, None)
    # The request that publishes reads the new generation too, not the one it remembered.
    context.current().cache.pop("answers.generation:" + generation, None)
    transaction.on_commit(lambda: cache.set(gen_key, uuid.uuid4().hex, None))
