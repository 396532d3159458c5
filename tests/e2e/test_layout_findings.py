"""What a newcomer measured (phone 390 x 844): the bills' Paid and Unpaid columns are in view
without scrolling the table; the queue's counters take a fraction of the screen."""

from __future__ import annotations

import random
from typing import Any

import pytest

from onestop.contributions import demo as contributions_demo
from tests.e2e.test_applications import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH, HEIGHT = 390, 844


@pytest.fixture
def phone(page: Any) -> Any:
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    return page


def test_the_bills_money_columns_are_in_view_on_a_phone(world: Any, phone: Any) -> None:
    contributions_demo.load(
        employers=[world.acme], staff_persons=[world.alice, world.bob], rng=random.Random(7)
    )
    sign_in(phone, "13800000002")
    phone.goto(f"/employer/{world.acme.pk}/bills/")
    box = phone.locator("#bills").bounding_box()
    for heading in ("已缴", "未缴"):
        cell = phone.locator("#bills thead th", has_text=heading).first.bounding_box()
        assert cell["x"] + cell["width"] <= box["x"] + box["width"] + 1, heading
    assert phone.evaluate("document.documentElement.scrollWidth") <= WIDTH


def test_the_queue_counters_fit_a_third_of_a_phone_screen(world: Any, phone: Any) -> None:
    sign_in(phone, "carol", world.carol)
    phone.goto("/staff/queue/")
    counters = phone.locator("#counts").bounding_box()
    assert counters["height"] <= HEIGHT / 3, counters
