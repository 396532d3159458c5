"""The queue page's filter lists, kept per process and language: a publish shows at once, a
chosen filter is marked, and the page's order is the queue's own."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from onestop.applications import selectors, services
from onestop.catalogue.services import item_publish

pytestmark = pytest.mark.django_db

ANSWERS = {"retirement_month": "2026-05", "bank_account": "6222020200112233446"}


def item_list(html: str) -> str:
    return html.split('<select id="f-item" name="item">')[1].split("</select>")[0]


def test_a_published_name_shows_in_the_queue_filter_at_once(world: Any) -> None:
    """The kept item list follows the catalogue: a new name shows on the next page, in each
    language, without waiting for the list to expire."""
    carol = Client()
    carol.force_login(world.carol)
    before = {
        lang: item_list(carol.get("/staff/queue/", HTTP_ACCEPT_LANGUAGE=lang).content.decode())
        for lang in ("zh-hans", "en")
    }
    assert 'value="SX-SI-006"' in before["zh-hans"] and "新名称" not in before["zh-hans"]
    item_publish(
        actor=None, code="SX-SI-006", values={"name": "新名称", "name_en": "New name"}, note="x"
    )
    after = {
        lang: item_list(carol.get("/staff/queue/", HTTP_ACCEPT_LANGUAGE=lang).content.decode())
        for lang in ("zh-hans", "en")
    }
    assert '<option value="SX-SI-006">新名称</option>' in after["zh-hans"]
    assert '<option value="SX-SI-006">New name</option>' in after["en"]


def test_a_chosen_filter_is_marked_and_the_plain_list_stays_plain(world: Any) -> None:
    """A filter chosen is selected in its list; the next page without filters selects
    nothing (the kept lists are the unfiltered ones only)."""
    carol = Client()
    carol.force_login(world.carol)
    chosen = carol.get("/staff/queue/?item=SX-SI-006&channel=online").content.decode()
    assert '<option value="SX-SI-006" selected>' in item_list(chosen)
    assert '<option value="online" selected>' in chosen
    plain = carol.get("/staff/queue/").content.decode()
    assert " selected>" not in plain.split('id="queue-filters"')[1].split("</form>")[0]


def test_the_page_lists_the_queue_in_its_own_order(world: Any) -> None:
    """The unfiltered page, ordered from its counts' query, lists the cases in the queue's
    order (deadline, filed, id), as the filtered queue read in SQL does."""
    for _ in range(3):
        services.application_submit(
            actor=world.alice.user, item_code="SX-SI-006", applicant=world.alice, answers=ANSWERS
        )
    in_sql = [
        c.number
        for c in selectors.queue_for(
            actor=world.carol, filters=selectors.QueueFilter(item="SX-SI-006")
        )
    ]
    assert len(in_sql) == 3
    carol = Client()
    carol.force_login(world.carol)
    html = carol.get("/staff/queue/").content.decode()
    shown = [n for n in html.split('data-number="')[1:]]
    assert [n.split('"')[0] for n in shown] == in_sql
