"""Names are encrypted at rest, found by exact name through the blind index, shown masked."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client

from onestop.identity import selectors
from onestop.identity.fields import name_index
from onestop.identity.models import Person

pytestmark = pytest.mark.django_db


def test_names_are_ciphertext_with_a_blind_index(world: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, name_index FROM identity_person WHERE id = %s", [world.alice.pk]
        )
        stored, index = cursor.fetchone()
    assert stored.startswith("v1:") and "李" not in stored
    assert index == name_index("李爱丽") == name_index(" 李 爱丽 ") and len(index) == 64
    assert Person.objects.get(pk=world.alice.pk).name == "李爱丽"


def test_staff_find_a_person_by_exact_name_only(world: Any) -> None:
    assert [p.pk for p in selectors.person_list_for(actor=world.carol, query="李爱丽")] == [
        world.alice.pk
    ]
    assert list(selectors.person_list_for(actor=world.carol, query="李")) == []
    # Out of carol's scope (Baota), the exact name finds nobody.
    assert list(selectors.person_list_for(actor=world.carol, query="丁大卫")) == []


def test_the_person_list_shows_masked_names(world: Any) -> None:
    client = Client()
    client.force_login(world.carol)
    html = client.get("/staff/persons/", {"q": "李爱丽"}).content.decode()
    assert "李**" in html and "李爱丽" not in html.replace('value="李爱丽"', "")


def test_a_supervisor_sees_names_masked_a_case_worker_in_full(world: Any) -> None:
    """sam (supervisor, no reveal permission) gets 李**; carol (case worker) 李爱丽."""
    sam, carol = Client(), Client()
    sam.force_login(world.sam)
    carol.force_login(world.carol)
    path = f"/api/v1/persons/{world.alice.pk}"
    assert sam.get(path).json()["name"] == "李**"
    assert carol.get(path).json()["name"] == "李爱丽"
    page = sam.get(f"/staff/persons/{world.alice.pk}/").content.decode()
    assert "李**" in page and "李爱丽" not in page
