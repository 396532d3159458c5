"""Page flows in a real browser: sign-in for citizens and staff, MFA, language, denial."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import pyotp
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD
from onestop.audit.models import Entry
from onestop.identity.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def sign_in(page: Any, identifier: str, password: str = PASSWORD) -> None:
    page.goto("/login/")
    page.get_by_label("身份证号、手机号或用户名").fill(identifier)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").last.click()


def test_citizen_signs_in_and_sees_masked_record(world: Any, page: Any) -> None:
    sign_in(page, "13800000001")
    page.wait_for_url(lambda url: urlparse(url).path == "/")
    assert page.get_by_role("heading", level=1).inner_text() == "欢迎您，李爱丽"
    rid = world.alice.resident_id
    expect(page.get_by_text(rid[:4] + "*" * 10 + rid[-4:])).to_be_visible()
    assert rid not in page.content()


def test_staff_sign_in_needs_the_code_then_reveal_is_journaled(world: Any, page: Any) -> None:
    world.carol.totp_secret = SECRET
    world.carol.totp_confirmed_at = timezone.now()
    world.carol.save(update_fields=["totp_secret", "totp_confirmed_at"])
    sign_in(page, "carol")
    page.wait_for_url("**/login/mfa/")
    # Without the code, staff pages stay closed.
    page.goto("/staff/persons/")
    assert "/login/" in page.url
    page.goto("/login/mfa/")
    page.get_by_label("身份验证器应用中的六位验证码").fill("000000")
    page.get_by_role("button", name="验证").click()
    expect(page.get_by_text("验证码错误或已使用")).to_be_visible()
    page.get_by_label("身份验证器应用中的六位验证码").fill(pyotp.TOTP(SECRET).now())
    page.get_by_role("button", name="验证").click()
    page.wait_for_url(lambda url: urlparse(url).path == "/")
    assert page.get_by_role("heading", level=1).inner_text() == "工作台"

    page.get_by_role("link", name="参保人员").first.click()
    page.get_by_role("link", name="李**").click()
    rid = world.alice.resident_id
    assert page.locator("#resident-id").inner_text() == rid[:4] + "*" * 10 + rid[-4:]
    page.get_by_role("button", name="显示完整信息（将被记录）").click()
    page.locator("#resident-id", has_text=rid).wait_for()
    assert Entry.objects.filter(action="identity.person.revealed", actor_label="carol").exists()


def test_first_staff_sign_in_enrols_an_authenticator(world: Any, page: Any) -> None:
    sign_in(page, "rita")
    page.wait_for_url("**/login/mfa/enrol/")
    expect(page.locator("figure.qr svg")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("身份验证器应用中的六位验证码").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="确认并登录").click()
    page.wait_for_url(lambda url: urlparse(url).path == "/")
    assert User.objects.get(username="rita").totp_confirmed_at is not None


def test_language_switch(world: Any, page: Any) -> None:
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    expect(page.get_by_role("link", name="跳到主要内容")).to_have_count(1)
    page.get_by_label("语言").select_option("en")
    page.get_by_role("button", name="切换").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Human resources and social security, online in one place"
    )
    page.get_by_label("Language").select_option("zh-hans")
    page.get_by_role("button", name="Switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")


def test_denied_page(world: Any, page: Any) -> None:
    sign_in(page, "13800000001")
    page.wait_for_url(lambda url: urlparse(url).path == "/")
    response = page.goto("/audit/")
    assert response.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "无权访问"
    before = Entry.objects.exclude(action="access.refused").count()
    response = page.goto("/security/staff/")
    assert response.status == 403
    # Only the refusal itself is journaled.
    assert Entry.objects.exclude(action="access.refused").count() == before
    assert Entry.objects.filter(action="access.refused", target_type="identity:staff_list").exists()


def test_skip_link_moves_focus_to_main(world: Any, page: Any) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
