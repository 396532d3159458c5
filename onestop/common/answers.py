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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import connection, transaction

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


# --- answers kept under a fingerprint of their inputs ------------------------------------


def _may_keep() -> bool:
    """Only a read outside any transaction of the caller's keeps or uses an entry: inside
    one, the caller may have written (uncommitted rows the fingerprint would count) and its
    snapshot may be older than the entry. A test case's own transaction is not a caller's."""
    return all(getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


@contextmanager
def _snapshot() -> Iterator[None]:
    """One consistent view of the database for the fingerprint and the value built with it
    (REPEATABLE READ on PostgreSQL; SQLite's transaction is one already)."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


class Fingerprinted:
    """Values computed from the database, kept in Django's cache under ``prefix`` and used
    only while a *fingerprint* of every input they were computed from is unchanged.

    ``fingerprint`` is one cheap query that changes whenever any input of the values
    changes (for an append-only table, its count; for a row that may be updated, the
    columns read, exactly). Each request reads it (one query) and the entries (one cache
    round trip); an entry stored with another fingerprint is ignored. So no writer has to
    know about the cache: a bulk ``INSERT ... SELECT``, a ``COPY``, a data migration or a
    service are all seen by the next read, whoever wrote.

    The *base* value (read from the database) is built, on a miss, in one snapshot with a
    second reading of the fingerprint, and stored under that one: an entry's fingerprint
    always describes the very data it was built from. Values *derived* from the base (a
    rendered table, a JSON body) are stored under the same fingerprint. Inside a caller's
    own transaction nothing is kept or used (``_may_keep``). ``seconds`` bounds an entry's
    life (and the memory of entries no one reads again)."""

    def __init__(
        self,
        *,
        prefix: str,
        fingerprint: Callable[[], str],
        seconds: int,
        derived: tuple[str, ...] = (),
    ) -> None:
        self.prefix = prefix
        self.read_fingerprint = fingerprint
        self.seconds = seconds
        self.keep = _may_keep()
        self.found: dict[str, Any] = {}
        self.fingerprint = ""
        if not self.keep:
            return
        self.fingerprint = fingerprint()
        names = ("", *derived)
        keys = {_key(f"{prefix}:{name}"): name for name in names}
        for key, entry in cache.get_many(list(keys)).items():
            if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == self.fingerprint:
                self.found[keys[key]] = entry[1]

    def base(self, build: Callable[[], T]) -> T:
        """The base value: kept, or ``build()`` in one snapshot with the fingerprint."""
        if "" in self.found:
            return self.found[""]  # type: ignore[no-any-return]
        if not self.keep:
            value = build()
        else:
            with _snapshot():
                fingerprint = self.read_fingerprint()
                value = build()
            if fingerprint != self.fingerprint:
                # The data moved since the first reading: what was found belongs to the old.
                self.found.clear()
                self.fingerprint = fingerprint
            cache.set(_key(f"{self.prefix}:"), (fingerprint, value), self.seconds)
        self.found[""] = value
        return value

    def derived(self, name: str, build: Callable[[], T]) -> T:
        """A value computed from the base alone (and from what ``name`` says: the language,
        the day): kept under the base's fingerprint. Build it from ``base()``."""
        if name in self.found:
            return self.found[name]  # type: ignore[no-any-return]
        value = build()
        if self.keep and "" in self.found:
            cache.set(_key(f"{self.prefix}:{name}"), (self.fingerprint, value), self.seconds)
        self.found[name] = value
        return value
