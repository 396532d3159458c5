"""The staff case search takes numbers from the query string: a number past the database's
integer is the form's error, never a 500 (hostile pass H4)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "query", ["person=99999999999999999999", "person=9223372036854775808", "person=-1"]
)
def test_a_number_past_the_database_integer_is_the_forms_error(world: Any, query: str) -> None:
    carol = Client(enforce_csrf_checks=True)
    carol.force_login(world.carol)
    answer = carol.get(f"/staff/cases/?{query}", HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 200
    assert answer.context["page"] is None  # nothing searched
    assert not answer.context["form"].is_valid()


def test_the_largest_person_number_searches_and_finds_nothing(world: Any) -> None:
    carol = Client(enforce_csrf_checks=True)
    carol.force_login(world.carol)
    answer = carol.get("/staff/cases/?person=9223372036854775807")
    assert answer.status_code == 200
    assert answer.context["page"] is not None and not answer.context["page"].object_list
