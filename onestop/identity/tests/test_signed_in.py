"""The signed-in user of a request: one query compiled once per process, the same objects as
the ORM's ``select_related`` would build, and nobody once the account is inactive."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from django.db.models import Model
from django.test import Client
from django.test.utils import CaptureQueriesContext

from onestop.identity.models import StaffProfile, User
from onestop.identity.policy import signed_in_user

pytestmark = pytest.mark.django_db


def _fields(obj: Model) -> dict[str, Any]:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def _orm(pk: int) -> User:
    return (
        User.objects.select_related(
            "staff_profile__region", "staff_profile__agency", "person__region"
        )
        .filter(pk=pk)
        .get()
    )


def test_the_user_of_a_session_is_what_the_orm_builds(world: Any) -> None:
    """carol (staff), alice's user (a person) and adam: every field of the user, the
    profile with its region and agency, the person with its region (decrypted fields
    included) equal the ORM's; one query, none more for the related objects."""
    for user in (world.carol, world.alice.user, world.adam):
        expected = _orm(user.pk)
        with CaptureQueriesContext(connection) as queries:
            got = signed_in_user(user.pk)
            assert got is not None and not got._state.adding and got._state.db == "default"
            assert _fields(got) == _fields(expected)
            try:
                profile = got.staff_profile
            except StaffProfile.DoesNotExist:
                profile = None
            if profile is not None:
                want = expected.staff_profile
                assert _fields(profile) == _fields(want)
                assert _fields(profile.region) == _fields(want.region)
                assert _fields(profile.agency) == _fields(want.agency)
                assert profile.user is got
            person = getattr(got, "person", None)
            if person is not None:
                assert _fields(person) == _fields(expected.person)
                assert _fields(person.region) == _fields(expected.person.region)
                assert person.resident_id == expected.person.resident_id
                assert person.user is got
            assert (profile is None) == (not hasattr(expected, "staff_profile"))
            assert (person is None) == (getattr(expected, "person", None) is None)
        assert len(queries) == 1
    assert signed_in_user(world.carol.pk + 10_000) is None
    assert signed_in_user("not a number") is None


def test_an_account_made_inactive_by_any_path_is_nobody_on_the_next_request(
    world: Any,
) -> None:
    """carol's account set inactive straight in the table (a bulk fix, not the service, so
    her session generation is unchanged): her very next request is anonymous, a page sends
    her to sign in; set active again, the same session acts as her."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.carol)
    assert client.get("/staff/queue/").status_code == 200
    User.objects.filter(pk=world.carol.pk).update(is_active=False)
    assert client.get("/api/v1/me").status_code == 401
    response = client.get("/staff/queue/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    User.objects.filter(pk=world.carol.pk).update(is_active=True)
    assert client.get("/api/v1/me").json()["username"] == "carol"


@pytest.mark.django_db(transaction=True)
def test_a_demotion_committed_elsewhere_ends_the_session_on_the_next_request(
    world: Any,
) -> None:
    """sean makes carol a content editor from another connection (a thread: another
    application server): carol's next request is not hers any more, on any worker that
    has compiled the user query already."""
    from onestop.identity import services

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.carol)
    assert client.get("/staff/queue/").status_code == 200

    def demote() -> None:
        try:
            services.staff_change(actor=world.sean, user=world.carol, role="content_editor")
        finally:
            connection.close()

    elsewhere = threading.Thread(target=demote)
    elsewhere.start()
    elsewhere.join()
    assert User.objects.get(pk=world.carol.pk).staff_profile.role == "content_editor"
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/staff/queue/").status_code == 302


def test_a_bearer_token_brings_its_user_in_the_same_query(world: Any) -> None:
    """alice's token: one query gives the token with her user and person as a session's;
    her account inactive, the token is refused."""
    from onestop.identity import services

    issued = services.token_create(
        actor=world.alice.user, name="phone", scopes=["profile:read"], days=1
    )
    expected = _orm(world.alice.user.pk).person
    with CaptureQueriesContext(connection) as queries:
        token = services.token_authenticate(issued.secret)
        assert token is not None and token.user.pk == world.alice.user.pk
        assert _fields(token.user.person) == _fields(expected)
        assert token.user.person.region.code == world.alice.region.code
    assert len(queries) == 2  # the token with its user, and its last-used time written
    User.objects.filter(pk=world.alice.user.pk).update(is_active=False)
    assert services.token_authenticate(issued.secret) is None


def test_the_kept_navigation_follows_the_role_and_the_language(world: Any) -> None:
    """The base template's navigation, kept per process: carol's shows her tasks, in
    Chinese and, asked for, in English; alice's and an anonymous visitor's do not, though
    carol's was rendered first in the same process."""

    def nav(client: Client) -> str:
        page = client.get("/").content.decode()
        return page[page.index("<nav") : page.index("</nav>")]

    carol = Client()
    carol.force_login(world.carol)
    assert "/staff/queue/" in nav(carol) and "我的待办" in nav(carol)
    carol.cookies["onestop_language"] = "en"
    assert "My tasks" in nav(carol)
    alice = Client()
    alice.force_login(world.alice.user)
    assert "/staff/queue/" not in nav(alice) and "/me/applications/" in nav(alice)
    anonymous = nav(Client())
    assert "/staff/queue/" not in anonymous and "/me/applications/" not in anonymous
