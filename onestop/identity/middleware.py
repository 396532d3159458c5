"""Signs staff out after a period without requests (30 minutes by default)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from onestop.common.errors import with_message
from onestop.identity.policy import is_staff_member
from onestop.identity.services import session_expired

LAST_SEEN = "onestop_last_seen"


class StaffIdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and is_staff_member(user):
            now = time.time()
            last_seen = request.session.get(LAST_SEEN)
            if last_seen is not None and session_expired(float(last_seen), now):
                logout(request)
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        with_message(
                            {
                                "code": "session_expired",
                                "message_zh": "会话已超时，请重新登录。",
                                "message_en": "Your session timed out; please sign in again.",
                            }
                        ),
                        status=401,
                    )
                messages.info(request, _("You were signed out after 30 minutes without activity."))
                return redirect("identity:login")
            request.session[LAST_SEEN] = now
        return self.get_response(request)
