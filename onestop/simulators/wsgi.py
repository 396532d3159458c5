"""What the simulators share: a JSON reply for a WSGI application."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

StartResponse = Callable[[str, list[tuple[str, str]]], Any]

REASONS = {
    200: "OK",
    201: "Created",
    303: "See Other",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    422: "Unprocessable Entity",
}


def json_reply(start_response: StartResponse, status: int, body: dict[str, Any]) -> list[bytes]:
    payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
    start_response(
        f"{status} {REASONS.get(status, 'Error')}",
        [
            ("Content-Type", "application/json; charset=utf-8"),
            ("Content-Length", str(len(payload))),
        ],
    )
    return [payload]
