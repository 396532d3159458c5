"""Known devices in a browser: an attacker's wrong passwords lock alice's account for
unknown browsers, not for her own, which signed in before (onestop.identity.devices)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from onestop.identity import devices
from onestop.identity.models import User
from tests.e2e.test_applications import sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "13800000001"  # alice


def attempt(page: Any, password: str) -> None:
    page.goto("/login/")
    page.get_by_label("身份证号、手机号或用户名").fill(PHONE)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").last.click()
    expect(page.locator(".error[role=alert]").first).to_be_visible()


def test_the_owners_browser_signs_in_through_an_attackers_lockout(
    world: Any, page: Any, browser: Any, live_server: Any
) -> None:
    sign_in(page, PHONE)  # alice's own browser: it signs in once, and keeps the device cookie
    expect(page.locator(".who")).to_be_visible()
    sign_out(page)
    assert any(c["name"] == devices.COOKIE for c in page.context.cookies())

    other = browser.new_context(base_url=live_server.url, locale="zh-CN")
    attacker = other.new_page()
    attacker.set_default_timeout(10_000)
    for _ in range(5):
        attempt(attacker, "wrong-password-1")
    assert User.objects.get(pk=world.alice.user.pk).locked_until is not None
    # Locked out, the attacker is refused even the right password ...
    attempt(attacker, PASSWORD)
    expect(attacker).to_have_url(re.compile(r"/login/"))
    expect(attacker.locator(".who")).to_have_count(0)
    other.close()

    # ... alice's browser is not: it signs in, and the lockout stays for unknown browsers.
    sign_in(page, PHONE)
    expect(page.locator(".who")).to_be_visible()
    assert User.objects.get(pk=world.alice.user.pk).locked_until is not None
