"""The portal in the browser: an editor writes a notice with an attachment and sends it to
review, a supervisor publishes it, the public finds it on the home page and by a Chinese
search, and reads it in the elderly-friendly mode."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from onestop.portal.models import Article
from tests.e2e.test_applications import sign_in, sign_out

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_an_editor_writes_a_supervisor_publishes_the_public_finds_it(world: Any, page: Any) -> None:
    sign_in(page, "erin", world.erin)
    page.get_by_role("link", name="网站内容").click()
    page.locator("#new-article").click()
    page.get_by_label("栏目").select_option("notice")
    page.get_by_label("标题").fill("关于社保服务大厅搬迁的通知")
    page.get_by_label("正文").fill(
        "雁塔区社保服务大厅将于下月迁至小寨东路新址。\n\n搬迁期间网上服务照常。"
    )
    page.get_by_role("button", name="保存草稿").click()
    assert "草稿" in page.locator("#article-status").inner_text()
    page.get_by_label("附件（PDF、JPEG或PNG，不超过10 MB）").set_input_files(
        {"name": "新址示意图.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="上传").click()
    assert "新址示意图.pdf" in page.locator("#attachments").inner_text()
    page.locator("#submit-review").click()
    assert "待审核" in page.locator("#article-status").inner_text()
    sign_out(page)

    sign_in(page, "sam", world.sam)
    page.get_by_role("link", name="网站内容").click()
    page.get_by_role("link", name="关于社保服务大厅搬迁的通知").click()
    page.get_by_role("button", name="发布").click()
    assert "已发布" in page.locator("#article-status").inner_text()
    assert Article.objects.get().reviewer == world.sam
    sign_out(page)

    page.goto("/")
    assert "关于社保服务大厅搬迁的通知" in page.locator("#latest").inner_text()
    page.get_by_label("全站搜索").fill("服务大厅 搬迁")
    page.locator("#home-search").get_by_role("button", name="查询").click()
    results = page.locator("#results")
    assert "关于社保服务大厅搬迁的通知" in results.inner_text()
    results.get_by_role("link", name="关于社保服务大厅搬迁的通知").click()
    assert "小寨东路" in page.locator("#article").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="新址示意图.pdf").click()
    assert download.value.suggested_filename == "新址示意图.pdf"

    page.locator("#elderly-toggle").click()
    expect(page.locator("body")).to_have_attribute("class", "elderly")
    expect(page.locator("#elderly-toggle")).to_have_attribute("aria-pressed", "true")
    page.goto("/")
    expect(page.locator(".card.secondary")).to_be_hidden()  # simpler: no open-data card
    page.locator("#elderly-toggle").click()
    expect(page.locator("body")).not_to_have_attribute("class", re.compile("elderly"))
    expect(page.locator(".card.secondary")).to_be_visible()
