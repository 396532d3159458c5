"""API error messages in the request's language (issue #24): every error body keeps
``message_zh`` and ``message_en`` and adds ``message``, the one ``Accept-Language`` asks for."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "half"), [("zh-CN,zh;q=0.9", "message_zh"), ("en-GB,en;q=0.8", "message_en")]
)
def test_a_service_error_is_told_in_the_requested_language(
    world: Any, language: str, half: str
) -> None:
    """A case the caller may not see: 404, ``message`` equal to the asked-for half."""
    carol = Client()
    carol.force_login(world.carol)
    answer = carol.get(
        "/api/v1/applications/SX00000000000000", headers={"accept-language": language}
    )
    body = answer.json()
    assert answer.status_code == 404
    assert body["code"] == "not_found"
    assert body["message"] == body[half]
    assert (body["message_zh"], body["message_en"]) == ("未找到。", "Not found.")


@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh-hans", "请先登录或提供有效的令牌。"), ("en", "Sign in or provide a valid token.")],
)
def test_a_missing_sign_in_is_told_in_the_requested_language(
    db: Any, language: str, expected: str
) -> None:
    answer = Client().get("/api/v1/queue", headers={"accept-language": language})
    assert answer.status_code == 401
    assert answer.json()["message"] == expected


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_invalid_parameters_are_told_in_the_requested_language(world: Any, language: str) -> None:
    """422 from the request's validation, summary in the asked-for language."""
    alice = Client()
    alice.force_login(world.alice.user)
    answer = alice.post(
        "/api/v1/applications",
        "{not json",
        "application/json",
        headers={"accept-language": language},
    )
    body = answer.json()
    assert 400 <= answer.status_code < 500
    assert body["message"] == body["message_zh" if language == "zh-hans" else "message_en"]


def test_the_language_cookie_is_the_reader_choice(world: Any) -> None:
    """A browser session that chose English gets English, whatever its Accept-Language."""
    carol = Client()
    carol.force_login(world.carol)
    carol.cookies["onestop_language"] = "en"
    answer = carol.get("/api/v1/applications/SX00000000000000", headers={"accept-language": "zh"})
    assert answer.json()["message"] == "Not found."


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("get", "/api/v1/applications", 405, "method_not_allowed"),
        ("delete", "/api/v1/tokens", 405, "method_not_allowed"),
        ("put", "/api/v1/me", 405, "method_not_allowed"),
        ("get", "/api/v1/no-such-path", 404, "not_found"),
        ("post", "/api/v1/no-such-path", 404, "not_found"),
        ("get", "/api/v1/applications/", 404, "not_found"),
    ],
)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_wrong_method_or_path_gets_the_api_error_shape(
    world: Any, method: str, path: str, status: int, code: str, language: str
) -> None:
    """Django's 404 and Django Ninja's 405 under /api/v1/ answer the API's JSON body in both
    languages (``message`` in the asked-for one); a 405 keeps its Allow header and names it."""
    alice = Client(enforce_csrf_checks=True)
    alice.force_login(world.alice.user)
    answer = getattr(alice, method)(path, headers={"accept-language": language})
    assert answer.status_code == status
    assert answer["Content-Type"] == "application/json"
    body = answer.json()
    assert body["code"] == code
    assert body["message"] == body["message_zh" if language == "zh-hans" else "message_en"]
    if status == 405:
        allowed = ", ".join(sorted(m.strip() for m in answer["Allow"].split(",")))
        assert body["message_zh"] == f"该接口不支持此请求方法（允许：{allowed}）。"
        assert body["message_en"] == (
            f"This method is not allowed on this path (allowed: {allowed})."
        )
    else:
        assert (body["message_zh"], body["message_en"]) == (
            "未找到该接口或资源。",
            "No such API path or resource.",
        )


def test_pages_keep_their_html_errors(world: Any) -> None:
    """Outside /api/ a missing page is still the HTML error page."""
    alice = Client()
    alice.force_login(world.alice.user)
    answer = alice.get("/no-such-page/")
    assert answer.status_code == 404 and answer["Content-Type"].startswith("text/html")
