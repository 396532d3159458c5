"""The JSON API root at /api/v1/ (OpenAPI docs at /api/v1/docs)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from onestop.audit.api import router as audit_router
from onestop.common.errors import ServiceError
from onestop.identity.api import router as identity_router
from onestop.identity.api_auth import ANY_AUTH

api = NinjaAPI(
    title="onestop API",
    version="1",
    description=(
        "One-stop HRSS service platform. Authenticate with the browser session (CSRF token "
        "required) or a bearer API token. Errors carry `code`, `message_zh` and `message_en`."
    ),
    urls_namespace="api",
    auth=ANY_AUTH,
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


api.add_router("/", identity_router)
api.add_router("/audit", audit_router)
