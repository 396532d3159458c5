"""API authentication: the browser's session (with CSRF) or a per-client bearer token."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from onestop.common.errors import NotPermitted
from onestop.identity.services import token_authenticate


class TokenAuth(HttpBearer):
    """``Authorization: Bearer ost_...``; the request acts as the token's user, within scopes."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = token_authenticate(token)
        if api_token is None:
            return None
        request.user = api_token.user
        request.api_token = api_token  # type: ignore[attr-defined]
        return api_token.user


session_auth = SessionAuth(csrf=True)
token_auth = TokenAuth()
ANY_AUTH = [session_auth, token_auth]


def require_scope(request: HttpRequest, scope: str) -> None:
    """A token must carry ``scope``; a browser session is limited by the user's role alone."""
    api_token = getattr(request, "api_token", None)
    if api_token is not None and scope not in api_token.scopes:
        raise NotPermitted(
            "令牌缺少权限范围 " + scope + "。", f"The token lacks the scope {scope}.", code="scope"
        )
