"""A masked resident ID stays masked: the other fields shown do not complete it (issue 21),
and the journal records what was shown."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from onestop.audit.models import Entry
from onestop.identity.models import Person

pytestmark = pytest.mark.django_db


def rebuilt(text: str, person: Person) -> bool:
    """Whether ``text`` holds what the masked ID hides: the birth date of digits 7-14, in
    the ID's own form or as a date."""
    born = person.birth_date
    hidden = person.resident_id[6:14]
    return any(
        form in text
        for form in (
            hidden,
            born.isoformat(),
            f"{born.year}年{born.month}月{born.day}日",
            f"{born:%Y/%m/%d}",
            f"{born:%m-%d}",
        )
    )


def test_supervisor_sees_nothing_that_completes_a_masked_id(world: Any) -> None:
    """sam (identifiers masked) through the API list, the API detail and the staff pages:
    region, sex, year of birth and the masked ID, never the birth date."""
    client = Client()
    client.force_login(world.sam)
    listed = client.get("/api/v1/persons", {"limit": 500})
    assert listed.status_code == 200
    items = listed.json()["items"]
    assert len(items) >= 3
    persons = {p.pk: p for p in Person.objects.filter(pk__in=[i["id"] for i in items])}
    for item in items:
        person = persons[item["id"]]
        assert "birth_date" not in item
        assert item["birth_year"] == person.birth_date.year
        assert re.fullmatch(r"\d{4}\*{10}[\dX]{4}", item["resident_id"])
        assert not rebuilt(listed.content.decode(), person), person.pk
    alice = world.alice
    detail = client.get(f"/api/v1/persons/{alice.pk}")
    assert detail.status_code == 200 and detail.json()["birth_year"] == 1966
    assert not rebuilt(detail.content.decode(), alice)
    page = client.get(f"/staff/persons/{alice.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "1966" in html and alice.resident_id[-4:] in html
    assert not rebuilt(html, alice)
    listing = client.get("/staff/persons/")
    assert listing.status_code == 200 and not rebuilt(listing.content.decode(), alice)


def test_citizen_home_shows_the_year_of_birth_only(world: Any) -> None:
    client = Client()
    client.force_login(world.alice.user)
    html = client.get("/").content.decode()
    assert world.alice.resident_id[-4:] in html
    assert not rebuilt(html, world.alice)


def test_journal_records_the_name_as_shown(world: Any) -> None:
    """carol sees the name in full, sam masked: each view journals exactly that."""
    alice = world.alice
    for user, expected in ((world.carol, "full"), (world.sam, "masked")):
        for url in (f"/api/v1/persons/{alice.pk}", f"/staff/persons/{alice.pk}/"):
            client = Client()
            client.force_login(user)
            response = client.get(url)
            body = response.json()["name"] if url.startswith("/api/") else response.content.decode()
            assert (alice.name in body) is (expected == "full"), (user, url)
            entry = Entry.objects.filter(action="identity.person.viewed").latest("pk")
            assert entry.actor_label == user.username
            assert entry.changes == {
                "name": expected,
                "resident_id": "masked",
                "phone": "masked",
                "birth": "year",
            }
