"""Binds the request id and client address for the journal, and echoes the id back."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from onestop.common import context

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def client_address(request: HttpRequest) -> str:
    """The caller's address; behind a trusted proxy, the first X-Forwarded-For hop."""
    if getattr(settings, "USE_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return str(forwarded).split(",")[0].strip()[:64]
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        supplied = request.headers.get("X-Request-ID", "")
        request_id = supplied if _REQUEST_ID.match(supplied) else uuid.uuid4().hex
        channel = "api" if request.path.startswith("/api/") else "web"
        ctx = context.RequestContext(
            request_id=request_id, client_address=client_address(request), channel=channel
        )
        request.request_id = request_id  # type: ignore[attr-defined]
        with context.bind(ctx):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class ServiceErrorMiddleware:
    """Turns service errors raised in views into 403/404/400 pages in the user's language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.shortcuts import render

        from onestop.common.errors import ServiceError

        if not isinstance(exception, ServiceError):
            return None
        # Names the reason for the refusal journal (onestop.notifications.refusals).
        request.refusal_reason = exception.code  # type: ignore[attr-defined]
        return render(request, "error.html", {"error": exception}, status=exception.status)


# Request-body limits of the endpoints that take more than Django's default
# (DATA_UPLOAD_MAX_MEMORY_SIZE), by path pattern. Anything larger is refused with 413 before
# a byte of the body is read.
LARGE_BODIES: list[tuple[re.Pattern[str], int, str]] = []


def allow_large_body(pattern: str, limit: int, what: str) -> None:
    """Let requests whose path matches ``pattern`` carry up to ``limit`` bytes (``what`` names
    the limit in the refusal, e.g. "2,000,000 rows")."""
    LARGE_BODIES.append((re.compile(pattern), limit, what))


def _refusal(status: int, code: str, zh: str, en: str, request: HttpRequest) -> HttpResponse:
    from django.http import JsonResponse
    from django.shortcuts import render

    from onestop.common.errors import ServiceError

    if request.path.startswith("/api/"):
        return JsonResponse({"code": code, "message_zh": zh, "message_en": en}, status=status)
    error = ServiceError(zh, en, code=code)
    return render(request, "error.html", {"error": error}, status=status)


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):g} MiB"


class RequestBoundaryMiddleware:
    """Refuses malformed or oversized bodies with 400/413 before anything parses them.

    - ``multipart/form-data`` without a usable boundary: 400 (Django's parser would raise
      ``MultiPartParserError``, a 500, from wherever ``request.POST`` is first read,
      the CSRF check included);
    - ``Content-Length`` not a number: 400;
    - a body above the endpoint's limit (``allow_large_body``, else Django's
      ``DATA_UPLOAD_MAX_MEMORY_SIZE`` for non-file bodies): 413 naming the limit.
    """

    _BOUNDARY = re.compile(r"^[0-9A-Za-z'()+_,\-./:=? ]{1,70}$")  # RFC 2046 section 5.1.1

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refused = self.check(request)
        return refused if refused is not None else self.get_response(request)

    def check(self, request: HttpRequest) -> HttpResponse | None:
        from django.utils.http import parse_header_parameters

        raw_length = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(raw_length)
            if length < 0:
                raise ValueError
        except ValueError:
            return _refusal(
                400,
                "malformed",
                "Content-Length 无效。",
                "The Content-Length header is not valid.",
                request,
            )
        content_type = request.META.get("CONTENT_TYPE", "")
        kind, params = parse_header_parameters(content_type)
        multipart = kind.lower() == "multipart/form-data"
        if multipart and not self._BOUNDARY.match(params.get("boundary", "")):
            return _refusal(
                400,
                "malformed",
                "multipart/form-data 请求缺少有效的 boundary 参数。",
                "A multipart/form-data request needs a valid boundary parameter.",
                request,
            )
        for pattern, limit, what in LARGE_BODIES:
            if pattern.match(request.path):
                if length > limit:
                    return _refusal(
                        413,
                        "too_large",
                        f"请求体超过上限 {_mib(limit)}（{what}）。",
                        f"The request body is larger than the limit of {_mib(limit)} ({what}).",
                        request,
                    )
                default = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
                if not multipart and default is not None and length > default:
                    # Read it here, within this endpoint's limit; ``request.body`` would
                    # apply the global one.
                    import io

                    body = request.read(length)
                    request._body = body
                    request._stream = io.BytesIO(body)
                return None
        default = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if not multipart and default is not None and length > default:
            return _refusal(
                413,
                "too_large",
                f"请求体超过上限 {_mib(default)}。",
                f"The request body is larger than the limit of {_mib(default)}.",
                request,
            )
        return None
