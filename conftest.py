"""Shared fixtures: the demo regions and agencies, and the named personas.

alice: insured person in Yanta (610113), with a login. bob: legal representative of acme.
acme: employer in Yanta. carol: case worker, Yanta. rita: reviewer, Xi'an. sam: supervisor,
province. erin: content editor. adam, sean, audrey: system, security and audit administrators.
mallory: case worker in Baota (Yan'an), who must see nothing of Xi'an. dave: insured person
in Baota.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from onestop.identity import demo, services
from onestop.identity.models import Agency, Employer, Person, Region, User

# Property tests judge results, never speed: no per-example deadline and no "too slow" health
# check, which fail on a loaded machine (CI shares its cores) and are not what they test.
hypothesis_settings.register_profile(
    "onestop", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("onestop")

PASSWORD = "Correct-horse-42"

# Every test runs at a fixed instant, so that no expectation depends on the day the suite runs.
# A Thursday working day in Asia/Shanghai, inside the official calendar's data; the clock ticks
# on from there so that time limits, tokens and timeouts behave as in real use.
# ONESTOP_TEST_NOW (ISO 8601 with an offset) moves it: .ci/run runs the tests marked
# ``date_sensitive`` at hostile instants (month and year ends, 29 February, an adjusted working
# Saturday, a day past the calendar's data), there with ONESTOP_TEST_TICK=0 so that the clock
# stands still on the instant.
FIXED_INSTANT = "2026-11-26T10:00:00+08:00"


def test_instant() -> dt.datetime:
    """The instant the tests run at: ONESTOP_TEST_NOW or FIXED_INSTANT (aware)."""
    instant = dt.datetime.fromisoformat(os.environ.get("ONESTOP_TEST_NOW") or FIXED_INSTANT)
    if instant.tzinfo is None:
        raise ValueError("ONESTOP_TEST_NOW needs an offset, e.g. 2026-12-31T23:59:59+08:00")
    return instant


test_instant.__test__ = False  # type: ignore[attr-defined]  # not a test, despite its name


@pytest.fixture(scope="session")
def django_db_setup(
    request: Any,
    django_test_environment: None,
    django_db_blocker: Any,
    django_db_use_migrations: bool,
    django_db_keepdb: bool,
    django_db_createdb: bool,
    django_db_modify_db_settings: None,
) -> Iterator[None]:
    """pytest-django's test databases; on PostgreSQL a copy of a migrated template
    (tests/databases.py) and a flush by DELETE. SQLite, ``--reuse-db`` and ``--no-migrations``
    take pytest-django's own way."""
    from django.db import connections
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _disable_migrations, _get_databases_for_setup

    from tests import databases

    verbosity = request.config.option.verbose
    connection = connections["default"]
    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    if (
        connection.vendor == "postgresql"
        and django_db_use_migrations
        and not django_db_keepdb
        and set(connections) == {"default"}
        and "default" in aliases
    ):
        with django_db_blocker.unblock():
            old_name, _ = databases.setup_postgresql(connection, verbosity=verbosity)
            if "default" in serialized_aliases:  # for serialized_rollback, as Django does
                connection._test_serialized_contents = connection.creation.serialize_db_to_string()
        with databases.patched_flush():
            yield
        with django_db_blocker.unblock():
            databases.teardown_postgresql(connection, old_name, verbosity=verbosity)
        return

    # pytest-django's django_db_setup, as it stands in 4.x.
    if not django_db_use_migrations:
        _disable_migrations()
    keepdb = django_db_keepdb and not django_db_createdb
    with django_db_blocker.unblock():
        config = setup_databases(
            verbosity=verbosity,
            interactive=False,
            aliases=aliases,
            serialized_aliases=serialized_aliases,
            keepdb=keepdb,
        )
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            teardown_databases(config, verbosity=verbosity)


@pytest.fixture(autouse=True)
def _fixed_clock() -> Iterator[Any]:
    """Travel to the test instant for the whole test (live server thread included)."""
    tick = os.environ.get("ONESTOP_TEST_TICK", "1") != "0"
    with time_machine.travel(test_instant(), tick=tick) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """Argon2 is the production hasher (tested in config); tests hash with MD5 for speed."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Rate-limit counts (and anything else cached) do not leak from one test to the next."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the platform's default language (Chinese): a request in English
    earlier in the same worker leaves its language active in the thread otherwise."""
    from django.conf import settings as django_settings
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path_factory: Any) -> None:
    """Uploaded files (case materials, portal attachments) go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    # Journal checkpoints too, so that none of a developer's demo is checked against.
    settings.ONESTOP_CHECKPOINT_DIR = str(tmp_path_factory.mktemp("checkpoints"))


@pytest.fixture(autouse=True)
def _journal_guard(request: Any) -> Any:
    """Transactional tests: the append-only guard is on during the test, off for the flush."""
    uses_real_transactions = {"transactional_db", "live_server"} & set(request.fixturenames)
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        uses_real_transactions = {"transactional_db"}
    if not uses_real_transactions:
        yield
        return
    request.getfixturevalue("transactional_db")
    from onestop.audit.services import guard_switch

    guard_switch(enabled=True)
    # A flush at the end of an earlier transactional test removed the migrations' seed data.
    from onestop.parameters.models import BookRate, ProvinceParameters
    from onestop.parameters.seed import seed

    seed(BookRate, ProvinceParameters)
    from onestop.catalogue.models import Bundle, ServiceItem
    from onestop.catalogue.seed import seed as seed_catalogue

    seed_catalogue(ServiceItem, Bundle)
    from onestop.exchange.models import Purpose, Resource
    from onestop.exchange.seed import seed as seed_resources
    from onestop.exchange.seed import seed_purposes

    seed_resources(Resource)
    seed_purposes(Purpose)
    yield
    guard_switch(enabled=False)


@dataclass
class World:
    regions: dict[str, Region]
    agencies: dict[str, Agency]
    alice: Person
    bob: Person
    dave: Person
    acme: Employer
    carol: User
    rita: User
    sam: User
    erin: User
    adam: User
    sean: User
    audrey: User
    mallory: User
    cheng: User  # civil affairs, province
    mei: User  # medical insurance, province

    def user(self, name: str) -> User | None:
        if name == "anonymous":
            return None
        value = getattr(self, name)
        return value.user if isinstance(value, Person) else value


ALICE_ID = demo.resident_id(random.Random(1), "610113", dt.date(1966, 1, 15), male=False)
BOB_ID = demo.resident_id(random.Random(2), "610103", dt.date(1975, 3, 8), male=True)
DAVE_ID = demo.resident_id(random.Random(3), "610602", dt.date(1970, 6, 1), male=True)


def lift_one_open_case(code: str) -> None:
    """Queue, clock, indicator and review tests build their fixtures from several open
    retirement cases of one person; the one-open-case rule (``x-one-open-case``, tested
    against the shipped catalogue in onestop/applications/tests/test_duplicates.py) is
    lifted from the item's published versions in the test world so those stay short."""
    from onestop.catalogue.models import ServiceItem

    for item in ServiceItem.objects.filter(code=code):
        if "x-one-open-case" in (item.form_schema or {}):
            lifted = {k: v for k, v in item.form_schema.items() if k != "x-one-open-case"}
            # A published version is never changed by the platform; the fixture may.
            ServiceItem.objects.filter(pk=item.pk).update(form_schema=lifted)


@pytest.fixture
def world(db: Any) -> World:
    regions = demo.create_regions()
    agencies = demo.create_agencies(regions)

    staff = demo.create_staff(regions, agencies, password=PASSWORD)
    alice = services.person_register(
        actor=None,
        name="李爱丽",
        resident_id=ALICE_ID,
        region=regions["610113"],
        phone="13800000001",
        password=PASSWORD,
    )
    bob = services.person_register(
        actor=None,
        name="白博文",
        resident_id=BOB_ID,
        region=regions["610103"],
        phone="13800000002",
        password=PASSWORD,
    )
    dave = services.person_register(
        actor=None,
        name="丁大卫",
        resident_id=DAVE_ID,
        region=regions["610602"],
        phone="13800000003",
    )
    acme = services.employer_register(
        actor=None,
        name="西安艾克美软件科技有限公司",
        credit_code=demo.credit_code(random.Random(4), "610113"),
        region=regions["610113"],
        legal_representative="白博文",
    )
    services.employer_role_grant(actor=None, employer=acme, person=bob, role="legal_representative")
    lift_one_open_case("SX-SI-006")
    return World(
        regions=regions,
        agencies=agencies,
        alice=alice,
        bob=bob,
        dave=dave,
        acme=acme,
        **staff,  # carol, rita, sam, erin, adam, sean, audrey, mallory, cheng, mei (demo.STAFF)
    )
