"""Template context: the display mode (standard, or elderly-friendly) the visitor chose."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

DISPLAY_COOKIE = "onestop_display"


def display(request: HttpRequest) -> dict[str, Any]:
    return {"onestop_elderly": request.COOKIES.get(DISPLAY_COOKIE) == "elderly"}
