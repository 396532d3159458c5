"""API authentication: the browser's session (with CSRF) or a per-client bearer token.

Two kinds of client, two kinds of proof:

- a **machine** (mobile app, kiosk, another department's system) sends
  ``Authorization: Bearer ost_...``; no cookie is involved, so no CSRF check applies, and
  every operation checks the token's scopes (:func:`require_scope`);
- a **browser** sends its session cookie, which any other site can make it send, so every
  unsafe request must also carry the CSRF token (``X-CSRFToken`` header).

The token is looked at first: a request that carries one is a machine's, whatever cookies
travel with it. CSRF is checked only for a signed-in session: an anonymous request has no
session to abuse and gets the plain 401.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf

from onestop.common.errors import NotPermitted, ServiceError
from onestop.identity.services import token_authenticate


class TokenAuth(HttpBearer):
    """``Authorization: Bearer ost_...``; the request acts as the token's user, within scopes.

    With ``scope``, a token without it is refused here (403 ``scope``): authentication runs
    before Ninja reads the parameters and the body, so a token that may not call the
    operation learns that, and not what was wrong with its body."""

    def __init__(self, scope: str | None = None, *, own: bool = False) -> None:
        super().__init__()
        self.scope = scope
        self.own = own

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = token_authenticate(token)
        if api_token is None:
            return None
        request.user = api_token.user
        request.api_token = api_token  # type: ignore[attr-defined]
        if self.scope is not None:
            require_scope(request, self.scope, own=self.own)
        return api_token.user


class CsrfRefused(NotPermitted):
    def __init__(self) -> None:
        super().__init__(
            "请求缺少有效的CSRF令牌：浏览器会话的写操作须带 X-CSRFToken 头；"
            "程序客户端请使用 API 令牌（Authorization: Bearer）。",
            "CSRF check failed: a browser session's writes need the X-CSRFToken header; "
            "machine clients use an API token (Authorization: Bearer).",
            code="csrf",
        )


class BrowserSession(SessionAuth):
    """The Django session of a signed-in browser; unsafe methods must pass the CSRF check."""

    def __call__(self, request: HttpRequest) -> Any:
        if getattr(request, "api_token", None) is not None:
            return None  # a token was offered and checked first
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False):
            try:
                refused = check_csrf(request)
            except MultiPartParserError as exc:
                raise ServiceError(
                    "无法解析multipart请求体（缺少或错误的boundary）。",
                    "The multipart body cannot be parsed (missing or bad boundary).",
                    code="malformed",
                ) from exc
            if refused is not None:
                raise CsrfRefused()
        return user


class TokenNotAccepted(NotPermitted):
    def __init__(self) -> None:
        super().__init__(
            "API 令牌不能创建、列出或吊销令牌：请登录后在“API 令牌”页面（/account/tokens/）"
            "或以浏览器会话调用本接口。",
            "An API token cannot create, list or revoke tokens: sign in and use the API "
            "tokens page (/account/tokens/), or call this with the browser session.",
            code="session_only",
        )


class SessionOnly(BrowserSession):
    """The token endpoints: a browser session only, so that a leaked token cannot mint
    more. A valid bearer token is a known caller doing what tokens may not do: 403 with
    the reason (an unknown one is a 401, as anywhere)."""

    def __call__(self, request: HttpRequest) -> Any:
        kind, _, secret = request.headers.get("Authorization", "").partition(" ")
        if kind.lower() == "bearer" and secret.strip():
            if token_authenticate(secret.strip()) is not None:
                raise TokenNotAccepted()
            return None
        return super().__call__(request)


session_auth = BrowserSession(csrf=True)
session_only_auth = SessionOnly(csrf=True)
token_auth = TokenAuth()
# Order matters: the token first, so a machine's write never meets the CSRF check.
ANY_AUTH = [token_auth, session_auth]


def scoped(scope: str, *, own: bool = False) -> list[Any]:
    """``ANY_AUTH`` for an operation a token may call only with ``scope`` (or, when ``own``,
    the own-data scope: the operation reads only the caller's own data); checked with the
    token, before the body is parsed. A browser session is limited by the user's role."""
    return [TokenAuth(scope, own=own), session_auth]


#: The scope every role's token may carry (and a new token has unless told otherwise): the
#: caller's own profile and own records. An operation that reads only the caller's own data
#: (``/me/...``, ``/persons/<own id>/statement``) accepts it in place of its scope; reading
#: anyone else's still needs that scope, and the user's role decides as for a session.
OWN_DATA_SCOPE = "profile:read"


def is_own_person(request: HttpRequest, person_id: int) -> bool:
    """Whether ``person_id`` is the caller's own person record."""
    person = getattr(request.user, "person", None) if request.user.is_authenticated else None
    return person is not None and person.pk == person_id


def require_scope(request: HttpRequest, scope: str, *, own: bool = False) -> None:
    """A token must carry ``scope`` (or, when ``own``: the operation reads only the
    caller's own data, ``OWN_DATA_SCOPE``); a browser session is limited by the user's role
    alone."""
    api_token = getattr(request, "api_token", None)
    if api_token is None or scope in api_token.scopes:
        return
    if own and OWN_DATA_SCOPE in api_token.scopes:
        return
    raise NotPermitted(
        "令牌缺少权限范围 " + scope + "。", f"The token lacks the scope {scope}.", code="scope"
    )
