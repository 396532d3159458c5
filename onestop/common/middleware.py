"""Binds the request id and client address for the journal, and echoes the id back."""

from __future__ import annotations

import ipaddress
import re
import uuid
from collections.abc import Callable, Iterator

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from onestop.common import context

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def client_address(request: HttpRequest) -> str:
    """The caller's address. Behind ``TRUSTED_PROXIES`` proxies that each append the address
    they saw to X-Forwarded-For, the hop the outermost trusted proxy added (that many from
    the right): what the client wrote to the left of it is the client's to choose. Only a
    valid IP address is taken; anything else (or no proxies: 0) is REMOTE_ADDR."""
    trusted = int(getattr(settings, "TRUSTED_PROXIES", 0) or 0)
    if trusted > 0:
        hops = [h.strip() for h in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= trusted:
            try:
                return str(ipaddress.ip_address(hops[-trusted]))
            except ValueError:
                pass
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


#: The API's answer to an error that no API handler shaped (Django's own 404 for a path the
#: API does not have, Django Ninja's plain-text 405, a bare 4xx/5xx from anything else):
#: status -> (code, Chinese, English).
API_ERRORS: dict[int, tuple[str, str, str]] = {
    400: ("malformed", "请求格式不正确。", "The request is malformed."),
    403: ("forbidden", "无权执行此操作。", "You are not allowed to do this."),
    404: ("not_found", "未找到该接口或资源。", "No such API path or resource."),
    405: (
        "method_not_allowed",
        "该接口不支持此请求方法（允许：{allowed}）。",
        "This method is not allowed on this path (allowed: {allowed}).",
    ),
    413: ("too_large", "请求体过大。", "The request body is too large."),
}
_SERVER_ERROR = (
    "server_error",
    "服务器内部错误，已记录。请稍后再试。",
    "Internal server error; it has been logged. Please try again later.",
)


class ApiErrorMiddleware:
    """Every error answered under ``/api/`` carries the API's JSON error body (``code``,
    ``message_zh``, ``message_en``, ``message``), whoever produced it; headers such as
    ``Allow`` and ``Retry-After`` are kept."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path.startswith("/api/")
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        from django.http import JsonResponse

        from onestop.common.errors import with_message

        code, zh, en = API_ERRORS.get(response.status_code, _SERVER_ERROR)
        if response.status_code < 500 and response.status_code not in API_ERRORS:
            code, zh, en = ("http", "请求被拒绝。", "The request is refused.")
        allowed = ", ".join(sorted(m.strip() for m in response.get("Allow", "").split(",") if m))
        body = with_message(
            {
                "code": code,
                "message_zh": zh.format(allowed=allowed or "—"),
                "message_en": en.format(allowed=allowed or "—"),
            }
        )
        shaped = JsonResponse(body, status=response.status_code)
        for header in ("Allow", "Retry-After", "X-Request-ID", "Vary"):
            if header in response:
                shaped[header] = response[header]
        return shaped


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

    from onestop.common.errors import ServiceError, with_message

    if request.path.startswith("/api/"):
        body = with_message({"code": code, "message_zh": zh, "message_en": en})
        return JsonResponse(body, status=status)
    error = ServiceError(zh, en, code=code)
    return render(request, "error.html", {"error": error}, status=status)


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):g} MiB"


# C0 control characters (and DEL): never in a path; in query strings, form fields and JSON
# strings only tab, CR and LF. PostgreSQL refuses NUL in text (a 500 from wherever the value
# reaches a query), and no field of the platform holds the others.
_CONTROL_IN_PATH = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _strings(value: object) -> Iterator[str]:
    """Every string in a parsed JSON value, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _control_characters(request: HttpRequest, kind: str) -> str | None:
    """Where the request carries a control character it may not (``path``, ``query``,
    ``form`` or ``json``), else None. Reads only bodies Django or the API would parse anyway
    (form fields, JSON); file contents are not text and are not checked."""
    if _CONTROL_IN_PATH.search(request.path):
        return "path"
    for key, values in request.GET.lists():
        if any(_CONTROL_IN_TEXT.search(v) for v in [key, *values]):
            return "query"
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    if kind in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for key, values in request.POST.lists():
            if any(_CONTROL_IN_TEXT.search(v) for v in [key, *values]):
                return "form"
        for _field, uploads in request.FILES.lists():
            if any(_CONTROL_IN_TEXT.search(upload.name or "") for upload in uploads):
                return "form"
    elif kind == "application/json" or kind.endswith("+json"):
        import json

        try:
            parsed = json.loads(request.body or b"null")
        except ValueError:
            return None  # not JSON at all: the API's own parser answers that
        if any(_CONTROL_IN_TEXT.search(s) for s in _strings(parsed)):
            return "json"
    return None


_WHERE = {
    "path": ("地址", "the address (path)"),
    "query": ("查询参数", "a query parameter"),
    "form": ("表单字段", "a form field"),
    "json": ("JSON 字符串", "a JSON string"),
}


#: Where the JSON API answers, and the bodies its writes take.
API_PREFIX = "/api/"
API_BODY_TYPES = ("application/json", "multipart/form-data")


class RequestBoundaryMiddleware:
    """Refuses malformed or oversized bodies with 400/413 before anything parses them.

    - ``multipart/form-data`` without a usable boundary: 400 (Django's parser would raise
      ``MultiPartParserError``, a 500, from wherever ``request.POST`` is first read,
      the CSRF check included);
    - ``Content-Length`` not a number: 400;
    - an API write whose body is neither ``application/json`` nor ``multipart/form-data``
      (files): 415;
    - a body above the endpoint's limit (``allow_large_body``, else Django's
      ``DATA_UPLOAD_MAX_MEMORY_SIZE`` for non-file bodies): 413 naming the limit;
    - a NUL or other control character in the path, a query parameter, a form field or a
      JSON string (tab, CR and LF allowed outside the path): 400 ``control_character``,
      before any view or the database sees the value.
    """

    _BOUNDARY = re.compile(r"^[0-9A-Za-z'()+_,\-./:=? ]{1,70}$")  # RFC 2046 section 5.1.1

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refused = self.check(request)
        if refused is None:
            refused = self.check_media_type(request)
        if refused is None:
            refused = self.check_characters(request)
        return refused if refused is not None else self.get_response(request)

    def check_characters(self, request: HttpRequest) -> HttpResponse | None:
        from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
        from django.http.multipartparser import MultiPartParserError
        from django.utils.http import parse_header_parameters

        kind, _params = parse_header_parameters(request.META.get("CONTENT_TYPE", ""))
        try:
            where = _control_characters(request, kind.lower())
        except RequestDataTooBig:
            return _refusal(
                413, "too_large", "请求体过大。", "The request body is too large.", request
            )
        except RecursionError:
            # JSON nested thousands deep ("[[[[..."): the parser gives up, and nothing of the
            # platform's takes more than a few levels.
            return _refusal(
                400,
                "malformed",
                "请求被拒绝：JSON 嵌套层数过多。",
                "The request is refused: the JSON is nested too deeply.",
                request,
            )
        except (SuspiciousOperation, MultiPartParserError):
            # Too many fields or files, a broken multipart body: refused as the API would.
            return _refusal(
                400,
                "malformed",
                "请求被拒绝：格式或数量不符合要求。",
                "The request is refused: malformed or too many parts.",
                request,
            )
        if where is None:
            return None
        zh, en = _WHERE[where]
        return _refusal(
            400,
            "control_character",
            f"请求被拒绝：{zh}含有控制字符（如 NUL，%00）。",
            f"The request is refused: {en} contains a control character (such as NUL, %00).",
            request,
        )

    def check_media_type(self, request: HttpRequest) -> HttpResponse | None:
        """An API write with a body that is neither JSON nor multipart (files): 415."""
        from django.utils.http import parse_header_parameters

        kind, _params = parse_header_parameters(request.META.get("CONTENT_TYPE", ""))
        length = int(request.META.get("CONTENT_LENGTH") or "0")  # checked by ``check``
        if (
            request.path.startswith(API_PREFIX)
            and request.method not in ("GET", "HEAD", "OPTIONS")
            and (length > 0 or "HTTP_TRANSFER_ENCODING" in request.META)
            and kind.lower() not in API_BODY_TYPES
        ):
            # A JSON body sent as text/plain (a "simple" cross-site request) or anything
            # else: the API reads JSON, and multipart where an operation takes files.
            return _refusal(
                415,
                "unsupported_media_type",
                "请求体应为 application/json（上传文件时为 multipart/form-data）。",
                "The request body must be application/json (multipart/form-data to upload a file).",
                request,
            )
        return None

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
