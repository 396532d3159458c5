"""The one pagination of the API's lists: ``limit`` and ``offset``, both bounded.

``limit`` is 1 to :data:`MAX_LIMIT` (default :data:`DEFAULT_LIMIT`); ``offset`` is 0 to
:data:`MAX_OFFSET`. Anything else is a 422 naming the parameter, never a database error
(an offset beyond a 64-bit integer used to reach SQLite as an overflow, a 500).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from functools import wraps
from typing import Any, get_type_hints

from django.http import HttpRequest
from ninja import Field, Query, Schema
from ninja.pagination import LimitOffsetPagination
from ninja.responses import Status
from ninja.utils import contribute_operation_args

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
# Far beyond any list the platform serves, and far below a 64-bit integer.
MAX_OFFSET = 10_000_000


class BoundedPagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Items to skip")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)


class Window(Schema):
    """``limit`` and ``offset`` of a plain list (the answer stays a JSON array)."""

    limit: int = Field(MAX_LIMIT, ge=1, le=MAX_LIMIT, description="Items at most")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Items to skip")


class Mapped:
    """A query's rows through ``out``, converted only for the window ``bounded`` cuts (the
    slice reaches the database as LIMIT/OFFSET; nothing else is read)."""

    def __init__(self, rows: Any, out: Callable[[Any], Any]) -> None:
        self.rows, self.out = rows, out

    def __getitem__(self, window: slice) -> list[Any]:
        return [self.out(row) for row in self.rows[window]]


def bounded(func: Callable[..., Any]) -> Callable[..., Any]:
    """Give a list operation validated ``limit``/``offset`` query parameters and cut its
    answer to them: at most :data:`MAX_LIMIT` items, still a plain array, so a client pages
    by offset until fewer than ``limit`` come back. Put it under ``@router.get``."""

    @wraps(func)
    def view(request: HttpRequest, **kwargs: Any) -> Any:
        window = kwargs.pop("ninja_window", None) or Window(limit=MAX_LIMIT, offset=0)
        items = func(request, **kwargs)
        status = None
        if isinstance(items, Status):
            status, items = items.status_code, items.value
        cut = list(items[window.offset : window.offset + window.limit])
        return cut if status is None else Status(status, cut)

    # The parameters' annotations, resolved in ``func``'s module (``dt.date`` there), since
    # Django Ninja would otherwise evaluate them in this one.
    hints = get_type_hints(func)
    signature = inspect.signature(func)
    view.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[
            p.replace(annotation=hints.get(p.name, p.annotation))
            for p in signature.parameters.values()
        ]
    )
    contribute_operation_args(view, "ninja_window", Window, Query(...))  # type: ignore[type-arg]
    return view
