"""The administrators' pages and the account pages, in a real browser."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlparse

import pyotp
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD
from onestop.identity import demo
from onestop.identity.models import ApiToken, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def staff_sign_in(page: Any, user: User) -> None:
    user.totp_secret = SECRET
    user.totp_confirmed_at = timezone.now()
    user.save(update_fields=["totp_secret", "totp_confirmed_at"])
    page.goto("/login/")
    page.get_by_label("身份证号、手机号或用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").last.click()
    page.get_by_label("身份验证器应用中的六位验证码").fill(pyotp.TOTP(SECRET).now())
    page.get_by_role("button", name="验证").click()
    page.wait_for_url(lambda url: urlparse(url).path == "/")


def test_security_admin_creates_and_unlocks_staff(world: Any, page: Any) -> None:
    User.objects.filter(pk=world.carol.pk).update(
        failed_logins=5, locked_until=timezone.now() + dt.timedelta(minutes=20)
    )
    staff_sign_in(page, world.sean)
    page.get_by_role("link", name="工作人员账号").first.click()
    row = page.locator("tr", has_text="carol")
    assert "已锁定" in row.inner_text()
    row.get_by_role("button", name="解锁").click()
    assert "已锁定" not in page.locator("tr", has_text="carol").inner_text()
    page.get_by_label("用户名", exact=True).fill("nina")
    page.get_by_label("姓名", exact=True).fill("倪娜")
    page.get_by_label("机构").select_option(label="宝鸡市社会保险经办中心")
    page.get_by_label("角色").select_option("case_worker")
    page.get_by_label("管辖范围").select_option(label="宝鸡市 (610300)")
    page.get_by_label("初始密码").fill("Horse-battery-7")
    page.get_by_role("button", name="创建账号").click()
    expect(page.get_by_text("工作人员账号 nina 已创建。")).to_be_visible()
    nina = User.objects.get(username="nina")
    assert nina.staff_profile.region.code == "610300"


def test_audit_admin_searches_and_verifies_the_journal(world: Any, page: Any) -> None:
    staff_sign_in(page, world.audrey)
    page.get_by_role("link", name="审计日志").first.click()
    page.get_by_label("操作（前缀）").fill("identity.staff")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("table tbody tr")).to_have_count(len(demo.STAFF))
    page.get_by_role("button", name="校验哈希链").click()
    page.get_by_text("哈希链完好").wait_for()
    with page.expect_download() as download:
        page.get_by_role("link", name="导出CSV").click()
    assert "identity.staff.created" in download.value.path().read_text(encoding="utf-8-sig")


def test_citizen_makes_an_api_token_and_changes_the_password(world: Any, page: Any) -> None:
    page.goto("/login/")
    page.get_by_label("身份证号、手机号或用户名").fill("13800000001")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").last.click()
    page.wait_for_url(lambda url: urlparse(url).path == "/")
    page.get_by_role("link", name="API令牌").click()
    page.get_by_label("客户端名称").fill("银行核验")
    page.get_by_label("读取登录用户本人的资料").check()
    page.get_by_role("button", name="创建令牌").click()
    secret = page.locator("#token-secret").inner_text()
    assert secret.startswith("ost_")
    assert ApiToken.objects.get().name == "银行核验"
    page.get_by_role("button", name="吊销").click()
    assert ApiToken.objects.get().revoked_at is not None
    page.get_by_role("link", name="修改密码").click()
    page.get_by_label("旧密码").fill(PASSWORD)
    page.get_by_label("新密码", exact=True).fill("Horse-battery-7")
    page.get_by_label("新密码确认").fill("Horse-battery-7")
    page.get_by_role("button", name="修改密码").click()
    page.get_by_text("密码已修改，您的其他会话和令牌均已失效。").wait_for()
    assert User.objects.get(pk=world.alice.user.pk).check_password("Horse-battery-7")
