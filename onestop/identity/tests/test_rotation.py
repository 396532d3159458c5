"""`onestop rotate-data-key` re-encrypts under the new key; the old key can then go."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from conftest import ALICE_ID, BOB_ID
from onestop.audit.models import Entry
from onestop.identity import demo, services
from onestop.identity.models import Person

KEY1 = "1:" + "01" * 16
KEY2 = "2:" + "02" * 16


def _raw_versions() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT resident_id, phone FROM identity_person")
        return {v.split(":")[0] for row in cursor.fetchall() for v in row if v}


@pytest.mark.django_db
def test_rotation_reencrypts_everything_and_is_journaled(settings: Any) -> None:
    settings.ONESTOP_DATA_KEYS = KEY1
    settings.ONESTOP_DATA_KEY_VERSION = ""
    regions = demo.create_regions()
    alice = services.person_register(
        actor=None,
        name="李爱丽",
        resident_id=ALICE_ID,
        region=regions["610113"],
        phone="13800000001",
    )
    services.person_register(
        actor=None, name="白博文", resident_id=BOB_ID, region=regions["610103"]
    )
    assert _raw_versions() == {"v1"}

    settings.ONESTOP_DATA_KEYS = f"{KEY1},{KEY2}"
    out = StringIO()
    call_command("rotate_data_key", stdout=out)
    assert "identity.person.resident_id: 2 values re-encrypted" in out.getvalue()
    assert "identity.person.phone: 1 values re-encrypted" in out.getvalue()
    assert "identity.person.name: 2 values re-encrypted" in out.getvalue()
    assert _raw_versions() == {"v2"}
    assert Entry.objects.filter(action="identity.data_key.rotated").count() == 3

    settings.ONESTOP_DATA_KEYS = KEY2
    assert Person.objects.get(pk=alice.pk).resident_id == ALICE_ID
    out = StringIO()
    call_command("rotate_data_key", stdout=out)
    assert "Re-encrypted 0 values." in out.getvalue()
