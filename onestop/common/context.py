"""Per-request facts (request id, client address) that the audit journal records.

Set by ``RequestContextMiddleware`` for web and API requests; management commands and tasks
run with an empty context, which the journal records as such.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    client_address: str = ""
    channel: str = "system"


EMPTY = RequestContext()
_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "onestop_request_context", default=None
)


def current() -> RequestContext:
    """The context of the request being handled, or an empty one outside requests."""
    return _current.get() or EMPTY


@contextmanager
def bind(context: RequestContext) -> Iterator[None]:
    """Make ``context`` current for the duration of the block."""
    token = _current.set(context)
    try:
        yield
    finally:
        _current.reset(token)
