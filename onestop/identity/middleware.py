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
#: The stored time of the last request is refreshed at most this often (seconds): a session
#: is written once a minute, not on every read, so the idle limit holds to within a minute
#: (it can end up to a minute early, never late).
LAST_SEEN_STEP = 60


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
            if last_seen is None or now - float(last_seen) >= LAST_SEEN_STEP:
                request.session[LAST_SEEN] = now
        return self.get_response(request)
