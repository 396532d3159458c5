"""Self-evaluation indicators from the platform's records: exact figures from a few cases
and ratings, narrowed by region, item and period; the public summary; scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from onestop.applications import services as applications
from onestop.applications.models import Application, Channel
from onestop.catalogue import selectors as catalogue
from onestop.reviews import services as reviews
from onestop.reviews.models import DIMENSIONS
from onestop.supervision.indicators import Filters, indicators

pytestmark = pytest.mark.django_db

ANSWERS = {"retirement_month": "2026-05", "bank_account": "6222020200112233446"}


def figures(filters: Filters) -> dict[str, tuple[int, int]]:
    return {i.code: (i.numerator, i.denominator) for i in indicators(filters)}


@pytest.fixture
def activity(world: Any) -> Any:
    """Three retirement cases of Yanta: two filed online and decided (one rated 5, one rated
    1 and rectified), one filed at the counter and still open."""

    def decided(level: int) -> Application:
        case = applications.application_submit(
            actor=world.alice.user, item_code="SX-SI-006", applicant=world.alice, answers=ANSWERS
        ).application
        case = applications.application_act(
            actor=world.carol, application=case, task="accept", decision="accept"
        )
        case = applications.application_act(
            actor=world.rita, application=case, task="review", decision="reject", note="不符"
        )
        reviews.review_submit(
            actor=world.alice.user,
            case=case,
            rating=reviews.Rating(level, dict.fromkeys(DIMENSIONS, level)),
            channel="web",
        )
        return case

    decided(5)
    bad = decided(1)
    rect = bad.reviews.get().rectification
    reviews.rectification_callback(actor=world.carol, rect=rect, note="已回访")
    reviews.rectification_done(actor=world.carol, rect=rect, note="已整改")
    applications.application_submit(
        actor=world.carol,
        item_code="SX-SI-006",
        applicant=world.alice,
        answers=ANSWERS,
        channel=Channel.COUNTER,
        consent=True,
    )
    return world


def test_the_indicators_from_the_records(activity: Any) -> None:
    found = figures(Filters(prefix="61"))
    # The catalogue: ten items, all online with no visit; legal days 171, promised 52.
    assert found["online_items"] == (10, 10)
    assert found["limit_compression"] == (119, 171)
    # Three cases: two online (no visit), one at the counter (one visit).
    assert found["zero_visit"] == (2, 3)
    assert found["at_most_one_visit"] == (3, 3)
    assert (found["channel_online"], found["channel_counter"], found["channel_api"]) == (
        (2, 3),
        (1, 3),
        (0, 3),
    )
    # Both decided cases were decided on the day they were filed, well before the deadline.
    assert found["on_time"] == (2, 2)
    assert found["satisfaction"] == (1, 2)
    assert found["rectification"] == (1, 1)
    # Each retirement case got one material from the platform itself (alice's resident ID
    # e-licence), out of every material the item lists.
    listed = len(catalogue.item_get(code="SX-SI-006").materials)
    assert found["materials_replaced"] == (3, 3 * listed)
    by_code = {i.code: i for i in indicators(Filters(prefix="61"))}
    assert by_code["satisfaction"].percent == "50.0%"
    assert by_code["limit_compression"].value is not None


def test_filters_narrow_by_region_item_and_period(activity: Any) -> None:
    baota = figures(Filters(prefix="610602"))
    assert baota["zero_visit"] == (0, 0) and baota["satisfaction"] == (0, 0)
    transfer = figures(Filters(prefix="61", item_code="SX-SI-007"))
    assert transfer["online_items"] == (1, 1) and transfer["limit_compression"] == (30, 45)
    assert transfer["zero_visit"] == (0, 0)
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    later = figures(Filters(prefix="61", since=tomorrow))
    assert later["zero_visit"] == (0, 0) and later["on_time"] == (0, 0)
    assert later["online_items"] == (10, 10)  # the catalogue has no period


def test_pages_and_api_scope_and_public_summary(activity: Any) -> None:
    sam, carol = Client(), Client()
    sam.force_login(activity.sam)  # province supervisor
    page = sam.get("/supervision/indicators/?region=610113&item=SX-SI-006").content.decode()
    assert 'id="ind-satisfaction"' in page and "1 / 2" in page
    api = sam.get("/api/v1/supervision/indicators?region=610113").json()
    assert {i["code"]: i["value"] for i in api}["at_most_one_visit"] == "1.000"
    carol.force_login(activity.carol)  # a case worker does not supervise
    assert carol.get("/supervision/indicators/").status_code == 403
    assert carol.get("/api/v1/supervision/indicators").status_code == 403
    public = Client().get("/indicators/").content.decode()
    assert "119 / 171" in public
    assert [i["code"] for i in Client().get("/api/v1/indicators").json()][:2] == [
        "online_items",
        "zero_visit",
    ]
