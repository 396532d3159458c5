"""Pages the framework shows on its own: the refused form (a failed CSRF check)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from onestop.common.errors import with_message

#: A form sent without a valid CSRF token: it expired, or came from another site.
EXPIRED = (
    "表单已过期（页面打开时间过长，或浏览器未保存 Cookie），请刷新页面后重新提交。",
    "This form has expired (the page was open too long, or the browser kept no cookie). "
    "Reload the page and send it again.",
)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: 403 in the platform's page and the reader's language, with a
    link that reloads the page (an API caller gets the usual JSON error). Django's
    ``reason`` names the check that failed; it is journaled, not shown."""
    request.refusal_reason = "csrf"  # type: ignore[attr-defined]
    if request.path.startswith("/api/"):
        body = with_message({"code": "csrf", "message_zh": EXPIRED[0], "message_en": EXPIRED[1]})
        return JsonResponse(body, status=403)
    return render(request, "csrf_failure.html", {"reload": request.path}, status=403)
