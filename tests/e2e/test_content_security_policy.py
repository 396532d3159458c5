"""The Content-Security-Policy in a real browser: the pages work and nothing is blocked."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pages_and_htmx_work_under_the_policy(page: Any) -> None:
    """Home, sign-in, the API docs and an htmx calculator: no CSP violation is reported."""
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    for url in ("/", "/login/", "/services/", "/api/v1/docs"):
        response = page.goto(url)
        assert response is not None and response.ok, url
        assert "script-src 'self'" in response.headers["content-security-policy"]
    page.goto("/calculators/pension/")
    page.get_by_label("出生年月").fill("1975-06")
    page.get_by_label("当前个人账户余额（元）").fill("80,000")
    page.get_by_label("当前月工资（元）").fill("8000")
    page.get_by_role("button", name="估算").click()
    page.locator("#total").wait_for()
    assert float(page.locator("#total").inner_text()) > 0
    assert violations == []
