"""A visitor finds a service, reads its guide and a bundle, in a real browser."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_find_a_service_and_read_its_guide(page: Any) -> None:
    page.goto("/")
    page.get_by_role("link", name="办事服务").first.click()
    page.get_by_label("搜索服务").fill("丧葬")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#items tbody tr")).to_have_count(1)
    page.get_by_role("link", name="丧葬补助金、抚恤金申领").click()
    assert page.get_by_role("heading", level=1).inner_text() == "丧葬补助金、抚恤金申领"
    assert page.locator("#to-upload").inner_text() == "无需提交：平台自行获取全部材料。"
    expect(page.locator("#replaced li")).to_have_count(3)
    page.get_by_role("link", name="全部服务").click()
    page.get_by_role("link", name="身后一件事").click()
    expect(page.locator("#bundle-items li")).to_have_count(2)
