"""Per-request facts (request id, client address) that the audit journal records.

Set by ``RequestContextMiddleware`` for web and API requests; management commands and tasks
run with an empty context, which the journal records as such. A request's context also holds
a small memo (:func:`memo`) for reference data read many times while one page renders.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    client_address: str = ""
    channel: str = "system"
    # Reference data looked up during this request only (see ``memo``); never shared.
    cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


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


def memo(key: str, compute: Callable[[], T]) -> T:
    """``compute()``, once per request: later calls in the same request get the first
    answer. Outside a request (commands, tasks, tests without the middleware) it is computed
    every time, so nothing outlives the request that read it. For reference data a page reads
    many times (item names, say), never for data the same request may change first."""
    context = _current.get()
    if context is None:
        return compute()
    if key not in context.cache:
        context.cache[key] = compute()
    return context.cache[key]  # type: ignore[no-any-return]
