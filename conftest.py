"""Shared fixtures: the demo regions and agencies, and the named personas.

alice: insured person in Yanta (610113), with a login. bob: legal representative of acme.
acme: employer in Yanta. carol: case worker, Yanta. rita: reviewer, Xi'an. sam: supervisor,
province. erin: content editor. adam, sean, audrey: system, security and audit administrators.
mallory: case worker in Baota (Yan'an), who must see nothing of Xi'an. dave: insured person
in Baota.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import os
import random
import shutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
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
# stands still on the instant. Several instants, separated by commas, run each test marked
# ``date_sensitive`` once at every one of them in the same session (one collection, one test
# database); the other tests run at the first.
FIXED_INSTANT = "2026-11-26T10:00:00+08:00"


def test_instants() -> list[dt.datetime]:
    """The instants of ONESTOP_TEST_NOW (one or several, comma-separated), else FIXED_INSTANT."""
    given = os.environ.get("ONESTOP_TEST_NOW") or FIXED_INSTANT
    instants = [dt.datetime.fromisoformat(text.strip()) for text in given.split(",")]
    if any(instant.tzinfo is None for instant in instants):
        raise ValueError("ONESTOP_TEST_NOW needs an offset, e.g. 2026-12-31T23:59:59+08:00")
    return instants


#: The instant of the running test, when a date-sensitive test runs at one of several.
_current_instant: dt.datetime | None = None


def test_instant() -> dt.datetime:
    """The instant the tests run at: ONESTOP_TEST_NOW (the one this test runs at, if several)
    or FIXED_INSTANT (aware)."""
    return _current_instant or test_instants()[0]


test_instants.__test__ = False  # type: ignore[attr-defined]  # not a test, despite its name


def _schedule_rank(item: Any) -> int:
    """Where a test goes in the run (see pytest_collection_modifyitems)."""
    from django.test import TestCase, TransactionTestCase

    marker = item.get_closest_marker("django_db")
    names = set(getattr(item, "fixturenames", ()))
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & names
    )
    uses_db = marker is not None or "db" in names or transactional
    cls = getattr(item, "cls", None)
    if isinstance(cls, type) and issubclass(cls, TransactionTestCase):
        uses_db, transactional = True, not issubclass(cls, TestCase)
    long = item.get_closest_marker("slow") or item.get_closest_marker("production")
    if not uses_db:
        return 0 if long else 5
    if not transactional:
        return 1 if long else 2
    return 3 if long else 4


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[Any]) -> None:
    """Long tests start first, so that no worker is left running one while the others idle.

    pytest-django runs the tests in a rolled-back transaction first, then the transactional
    ones (whose flush empties the tables), then those without the database; that order stays.
    A long test without the test database (its own processes and database) runs at the very
    start, a long one of the other kinds first among its kind. xdist hands the tests out in
    this order (``--dist load``)."""
    items.sort(key=_schedule_rank)


def pytest_generate_tests(metafunc: Any) -> None:
    """With several instants in ONESTOP_TEST_NOW, a date-sensitive test runs at each."""
    instants = test_instants()
    if len(instants) > 1 and metafunc.definition.get_closest_marker("date_sensitive"):
        metafunc.fixturenames.append("_test_now")
        metafunc.parametrize(
            "_test_now", instants, indirect=True, ids=[i.isoformat() for i in instants]
        )


@pytest.fixture
def _test_now(request: Any) -> Iterator[dt.datetime]:
    """The instant this run of a date-sensitive test is at (test_instant() answers it)."""
    global _current_instant
    _current_instant = request.param
    try:
        yield request.param
    finally:
        _current_instant = None


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
                serialized = connection.creation.serialize_db_to_string()
                connection._test_serialized_contents = serialized  # type: ignore[attr-defined]
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
            aliases=aliases,  # type: ignore[arg-type]  # a set, as pytest-django passes it
            serialized_aliases=serialized_aliases,
            keepdb=keepdb,
        )
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            teardown_databases(config, verbosity=verbosity)


@pytest.fixture(autouse=True)
def _fixed_clock(request: Any) -> Iterator[Any]:
    """Travel to the test instant for the whole test (live server thread included)."""
    if "_test_now" in request.fixturenames:
        request.getfixturevalue("_test_now")
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


def build_world() -> World:
    """The personas and their regions and agencies (the ``world`` fixture's rows)."""
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


@pytest.fixture
def world(db: Any) -> World:
    return build_world()


@dataclass
class Prepared:
    """Rows built once (see ``prepared_once``): the Python objects, the instant the build
    ended, and the folders its files went to."""

    value: Any
    built_at: dt.datetime
    media: Path
    checkpoints: Path

    def copy_for(self, *, settings: Any, clock: Any) -> Any:
        """A test's own copy of the objects and the files, its clock where the build ended."""
        shutil.copytree(self.media, settings.MEDIA_ROOT, dirs_exist_ok=True)
        shutil.copytree(self.checkpoints, settings.ONESTOP_CHECKPOINT_DIR, dirs_exist_ok=True)
        clock.move_to(self.built_at)
        return copy.deepcopy(self.value)


@contextlib.contextmanager
def prepared_once(
    build: Callable[[], Any], *, django_db_blocker: Any, folder: Path
) -> Iterator[Prepared]:
    """Build expensive rows once for many tests, as Django's ``TestCase.setUpTestData`` does.

    The rows are written inside a transaction that stays open while the tests run; each test's
    own transaction (the ``db`` fixture) is then a savepoint inside it and is rolled back to the
    rows as built, so every test starts from the same database a fresh build would give it.
    The build runs as a test's fixtures would (at the test instant, Chinese, MD5 passwords,
    its own media folder); each test gets deep copies of the objects and of the files
    (``Prepared.copy_for``). Only for tests that do not commit (no ``transaction=True``).
    """
    from django.conf import settings
    from django.core.cache import cache
    from django.db import transaction
    from django.test.utils import override_settings
    from django.utils import timezone, translation

    media, checkpoints = folder / "media", folder / "checkpoints"
    media.mkdir()
    checkpoints.mkdir()
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        # Marked as a test case's block, so that durable blocks inside the tests still nest.
        outer._from_testcase = True  # type: ignore[attr-defined]
        outer.__enter__()
        try:
            tick = os.environ.get("ONESTOP_TEST_TICK", "1") != "0"
            with (
                time_machine.travel(test_instant(), tick=tick),
                override_settings(
                    PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
                    MEDIA_ROOT=str(media),
                    ONESTOP_CHECKPOINT_DIR=str(checkpoints),
                ),
                translation.override(settings.LANGUAGE_CODE),
            ):
                cache.clear()
                value = build()
                built_at = timezone.now()
        except BaseException:
            outer.__exit__(*sys.exc_info())
            raise
    try:
        yield Prepared(value, built_at, media, checkpoints)
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
