"""The JSON API root at /api/v1/ (OpenAPI docs at /api/v1/docs)."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.http.request import RawPostDataException
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.parser import Parser

from onestop.applications.api import router as applications_router
from onestop.audit.api import router as audit_router
from onestop.catalogue.api import router as catalogue_router
from onestop.common.errors import NotFound, ServiceError, with_message
from onestop.common.throttles import token_throttle
from onestop.contributions.api import router as contributions_router
from onestop.dashboards.api import router as dashboards_router
from onestop.exchange.api import router as certificates_router
from onestop.identity.api import router as identity_router
from onestop.identity.api_auth import ANY_AUTH
from onestop.notifications.api import router as notifications_router
from onestop.pensions.api import router as calculators_router
from onestop.portal.api import router as portal_router
from onestop.quality.api import router as quality_router
from onestop.reviews.api import router as reviews_router
from onestop.rules.values import RuleError
from onestop.supervision.api import router as supervision_router
from onestop.unemployment.api import router as unemployment_router

#: Answers any operation may give besides its documented ones, each with a ``Problem`` body.
STANDARD_RESPONSES = {
    400: "Malformed request (e.g. a multipart body without a boundary)",
    401: "No valid session or bearer token",
    403: "Not allowed, a token without the scope, or a browser write without CSRF token",
    404: "Not found, or not visible to the caller",
    413: "Request body above the operation's limit (named in the message)",
    415: "A write whose body is not application/json (multipart/form-data to upload a file)",
    422: "Invalid parameters or body; `errors` lists them",
    429: "Too many requests; see the Retry-After header",
}
PROBLEM = {
    "title": "Problem",
    "type": "object",
    "required": ["code", "message", "message_zh", "message_en"],
    "properties": {
        "code": {"type": "string"},
        "message": {
            "type": "string",
            "description": "The message in the request's language (Accept-Language)",
        },
        "message_zh": {"type": "string"},
        "message_en": {"type": "string"},
    },
    "additionalProperties": True,
}


class TextParser(Parser):
    """JSON bodies whose every string the database can store: JSON may spell a lone UTF-16
    surrogate (``"\\ud800"``), which decodes to a Python string that is not text. Refused
    here, once for every operation (Ninja answers 400, see ``http_error``)."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = super().parse_body(request)
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValueError("lone surrogate in a JSON string") from exc
        return data


class OnestopAPI(NinjaAPI):
    def create_response(
        self, request: HttpRequest, data: Any, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        """Every answer; an error body also gets ``message`` in the request's language."""
        temporal = kwargs.get("temporal_response")
        status = temporal.status_code if temporal is not None else kwargs.get("status") or 200
        if isinstance(data, dict) and status >= 400:
            data = with_message(data)
        return super().create_response(request, data, *args, **kwargs)

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """The document, with the answers every operation may give (``STANDARD_RESPONSES``)
        added where the operation does not document them itself."""
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM
        content = {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for item in schema["paths"].values():
            for operation in item.values():
                responses = operation.setdefault("responses", {})
                for status, description in STANDARD_RESPONSES.items():
                    if status == 401 and not operation.get("security"):
                        continue
                    responses.setdefault(status, {"description": description, "content": content})
        return schema


api = OnestopAPI(
    title="onestop API",
    version="1",
    description=(
        "One-stop HRSS service platform. Authenticate with the browser session (CSRF token "
        "required) or a bearer API token. Errors carry `code`, `message_zh` and `message_en`, "
        "and `message`: the one in the language the request asks for (`Accept-Language`). "
        "Writes send `application/json` (`multipart/form-data` where an operation takes a "
        "file); any other body is refused with 415."
    ),
    urls_namespace="api",
    parser=TextParser(),
    auth=ANY_AUTH,
    throttle=[token_throttle()],
)


@api.exception_handler(ServiceError)
def service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(
        request,
        {
            "code": "forbidden",
            "message_zh": "无权执行此操作。",
            "message_en": "You are not allowed to do this.",
        },
        status=403,
    )


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        {
            "code": "unauthenticated",
            "message_zh": "请先登录或提供有效的令牌。",
            "message_en": "Sign in or provide a valid token.",
        },
        status=401,
    )


@api.exception_handler(RuleError)
def rule_error(request: HttpRequest, exc: RuleError) -> HttpResponse:
    return api.create_response(
        request, {"code": exc.code, "message_zh": exc.zh, "message_en": exc.en}, status=422
    )


#: Pydantic's error types in Chinese (``{...}`` from the error's ``ctx``); any other type
#: reads ``ZH_INVALID``. Its English is pydantic's own ``msg``.
ZH_ERRORS = {
    "missing": "缺少此项",
    "extra_forbidden": "不允许此项",
    "string_type": "应为文本",
    "string_too_short": "文本至少 {min_length} 个字符",
    "string_too_long": "文本至多 {max_length} 个字符",
    "string_pattern_mismatch": "格式不符合要求",
    "string_unicode": "应为有效的 Unicode 文本",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数，不能带小数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "decimal_type": "应为数字",
    "decimal_parsing": "应为数字",
    "finite_number": "应为有限的数字",
    "bool_type": "应为布尔值",
    "bool_parsing": "应为布尔值（true 或 false）",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "应大于或等于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "应小于或等于 {le}",
    "list_type": "应为列表",
    "too_short": "至少 {min_length} 项",
    "too_long": "至多 {max_length} 项",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "enum": "应为以下之一：{expected}",
    "literal_error": "应为以下之一：{expected}",
    "date_type": "应为日期",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "datetime_type": "应为日期时间",
    "datetime_parsing": "应为日期时间（ISO 8601）",
    "json_invalid": "不是有效的 JSON",
    "json_type": "应为 JSON",
    "uuid_parsing": "应为 UUID",
    "url_parsing": "应为网址",
    "union_tag_invalid": "类型标记无效",
    "is_instance_of": "类型不正确",
}
ZH_INVALID = "值无效"


def _zh_error(error: dict[str, Any]) -> str:
    """The error in Chinese: a rule's own Chinese reason (a ``RuleError`` raised by a
    validator), else its type's text with the error's context filled in."""
    context = error.get("ctx") or {}
    cause = context.get("error")
    if isinstance(cause, (RuleError, ServiceError)):
        return cause.zh
    template = ZH_ERRORS.get(str(error.get("type", "")), ZH_INVALID)
    try:
        return template.format(**{k: v for k, v in context.items() if k != "error"})
    except (KeyError, IndexError, ValueError):
        return ZH_INVALID


@api.exception_handler(ValidationError)
def invalid_request(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """422 with the field-level errors and a summary in each language, the field paths kept."""
    zh, en = [], []
    for error in exc.errors:
        parts = [str(p) for p in error.get("loc", ()) if p not in ("body", "query", "payload")]
        location = ".".join(parts) or "body"
        zh.append(f"{location}：{_zh_error(error)}")
        en.append(f"{location}: {error.get('msg', '')}")
    return api.create_response(
        request,
        {
            "code": "invalid",
            "message_zh": f"请求参数无效：{'；'.join(zh)}",
            "message_en": f"Invalid request: {'; '.join(en)}",
            "errors": exc.errors,
        },
        status=422,
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, NotFound().as_dict(), status=404)


#: Ninja's own ``HttpError`` texts are English only: each status the platform can meet,
#: in both languages (anything else keeps Ninja's text in both halves).
_HTTP_ERRORS = {
    400: (
        "请求体无法解析：不是有效的 JSON，或不是 UTF-8 编码（含无法表示的字符，如单独的代理项"
        " \\ud800）。",
        "The request body cannot be parsed: it is not valid JSON, or not UTF-8 text (it "
        "holds a character that is not text, such as a lone surrogate \\ud800).",
    ),
    401: ("请先登录或提供有效的令牌。", "Sign in or give a valid token first."),
    403: ("无权执行此操作。", "You are not allowed to do this."),
    404: ("未找到。", "Not found."),
    405: ("不支持此请求方法。", "This method is not allowed here."),
    413: ("请求体过大。", "The request body is too large."),
}


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    zh, en = _HTTP_ERRORS.get(exc.status_code, (str(exc), str(exc)))
    return api.create_response(
        request, {"code": "http", "message_zh": zh, "message_en": en}, status=exc.status_code
    )


def _problem(request: HttpRequest, status: int, code: str, zh: str, en: str) -> HttpResponse:
    """The platform's error body (``ServiceError.as_dict``) with ``status``."""
    return api.create_response(request, ServiceError(zh, en, code=code).as_dict(), status=status)


@api.exception_handler(Throttled)
def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    """429; Django Ninja adds ``Retry-After`` (seconds)."""
    return _problem(
        request,
        429,
        "throttled",
        "请求过于频繁，请稍后再试（见 Retry-After 头）。",
        "Too many requests; try again later (see the Retry-After header).",
    )


@api.exception_handler(RequestDataTooBig)
def too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return _problem(request, 413, "too_large", "请求体过大。", "The request body is too large.")


@api.exception_handler(SuspiciousOperation)
def suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    """Too many fields or files, a malformed host...: Django's refusals, answered as 400."""
    return _problem(
        request,
        400,
        "malformed",
        "请求被拒绝：格式或数量不符合要求。",
        "The request is refused: malformed or too many parts.",
    )


@api.exception_handler(MultiPartParserError)
def malformed_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    return _problem(
        request,
        400,
        "malformed",
        "无法解析multipart请求体。",
        "The multipart body cannot be parsed.",
    )


@api.exception_handler(RawPostDataException)
def form_body_for_json(request: HttpRequest, exc: RawPostDataException) -> HttpResponse:
    """A multipart body sent to an operation that reads JSON: the form was parsed (for the
    control-character check) before the operation asked for the raw body. 415, as any body
    the operation does not take."""
    return _problem(
        request,
        415,
        "unsupported_media_type",
        "此接口只接受 JSON 请求体（Content-Type: application/json）。",
        "This operation takes a JSON body only (Content-Type: application/json).",
    )


_log = logging.getLogger("onestop.api")


@api.exception_handler(Exception)
def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """The last resort: logged with its traceback, answered without it (DEBUG or not)."""
    _log.exception("Unhandled error in %s %s", request.method, request.path)
    return api.create_response(
        request,
        {
            "code": "server_error",
            "message_zh": "服务器内部错误，已记录。请稍后再试。",
            "message_en": "Internal server error; it has been logged. Please try again later.",
            "request_id": getattr(request, "request_id", ""),
        },
        status=500,
    )


api.add_router("/", identity_router)
api.add_router("/", calculators_router)
api.add_router("/", unemployment_router)
api.add_router("/", contributions_router)
api.add_router("/", catalogue_router)
api.add_router("/", certificates_router)
api.add_router("/", applications_router)
api.add_router("/", notifications_router)
api.add_router("/", supervision_router)
api.add_router("/", reviews_router)
api.add_router("/", quality_router)
api.add_router("/", portal_router)
api.add_router("/", dashboards_router)
api.add_router("/audit", audit_router)
