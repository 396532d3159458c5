"""The person's data-use and licence pages, and the search results, read in one language:
codes by their labels, a bilingual record by its half in the page's language."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from onestop.exchange.gateway import message_log
from onestop.exchange.licences import _store

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def page(client: Client, url: str, language: str, marker: str) -> str:
    """The part of ``url`` from the element ``marker`` to the end of its table or list."""
    html = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    part = html.split(marker, 1)[1]
    return re.split(r"</table>|</ol>", part, maxsplit=1)[0]


def test_the_data_use_and_licence_pages_read_in_the_page_language(world: Any) -> None:
    """A lookup that found nothing, with its fields and purpose, and alice's identity card
    read wholly in Chinese on a Chinese page and wholly in English on an English one."""
    message_log(
        direction="out",
        party="hrss.unemployment_check",
        resource="public_security.imprisonment",
        purpose="unemployment_entitlement_check",
        person=world.alice,
        fields=["from", "to"],
        outcome="not_found",
    )
    _store(
        licence_type="resident_id",
        subject=world.alice.resident_id,
        holder=world.alice,
        number="L1",
        valid_from="2020-01-01",
        grade="A",
        source="platform",
        content={},
    )
    client = Client()
    client.force_login(world.alice.user)
    chinese = page(client, "/me/data-use/", "zh-hans", 'id="data-use"')
    english = page(client, "/me/data-use/", "en", 'id="data-use"')
    assert "<td>开始日期、结束日期</td>" in chinese and "<td>无记录</td>" in chinese
    text = re.sub(r"<[^>]+>", " ", chinese.split("<tbody>")[1])
    assert "失业保险金领取资格比对" in text and not re.search("[A-Za-z]", text)
    assert "<td>start date, end date</td>" in english and "<td>nothing on record</td>" in english
    assert "unemployment benefit entitlement check" in english and not CJK.search(english)
    chinese = client.get("/me/licences/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    english = client.get("/me/licences/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<td>居民身份证</td>" in chinese and "Resident identity card" not in chinese
    assert "<td>Resident identity card</td>" in english and "居民身份证" not in english


def test_service_guides_found_by_search_read_in_the_page_language(world: Any) -> None:
    """A guide found by an English word shows its English name and conditions on an English
    page; found by a Chinese word, its Chinese ones on a Chinese page."""
    client = Client()
    english = page(client, "/search/?q=pension&source=service", "en", 'id="results"')
    assert "Retirement pension application" in english and not CJK.search(english)
    chinese = page(client, "/search/?q=养老&source=service", "zh-hans", 'id="results"')
    assert CJK.search(chinese) and "Retirement pension application" not in chinese
    assert "pension" not in chinese.lower()
