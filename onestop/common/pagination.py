"""The one pagination of the API's lists: ``limit`` and ``offset``, both bounded.

``limit`` is 1 to :data:`MAX_LIMIT` (default :data:`DEFAULT_LIMIT`); ``offset`` is 0 to
:data:`MAX_OFFSET`. Anything else is a 422 naming the parameter, never a database error
(an offset beyond a 64-bit integer used to reach SQLite as an overflow, a 500).
"""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

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
