"""Personal data is encrypted at rest (SM4-GCM) and found through the blind index."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from onestop.identity import crypto
from onestop.identity.models import Person
from onestop.identity.selectors import person_list_for


def test_encrypt_round_trip_and_random_nonce() -> None:
    """The same plaintext encrypts differently each time and decrypts back."""
    a, b = crypto.encrypt("610113196601157723"), crypto.encrypt("610113196601157723")
    assert a != b
    assert a.startswith("v1:")
    assert crypto.decrypt(a) == crypto.decrypt(b) == "610113196601157723"


def test_tampered_ciphertext_is_refused() -> None:
    """GCM authentication: a changed byte fails to decrypt instead of giving garbage."""
    stored = crypto.encrypt("13800000001")
    version, body = stored.split(":", 1)
    flipped = body[:-3] + ("A" if body[-3] != "A" else "B") + body[-2:]
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(f"{version}:{flipped}")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt("v9:" + body)


def test_blind_index_is_keyed_and_purpose_bound(settings: Any) -> None:
    """Equal values give equal indexes; the purpose and the key change the index."""
    one = crypto.blind_index("13800000001", purpose="phone")
    assert one == crypto.blind_index("13800000001", purpose="phone")
    assert one != crypto.blind_index("13800000001", purpose="resident_id")
    settings.ONESTOP_INDEX_KEY = "11" * 32
    assert crypto.blind_index("13800000001", purpose="phone") != one
    assert len(one) == 64


@pytest.mark.parametrize("key_hex", ["11" * 16, "ab" * 64, "cd" * 80])
def test_blind_index_is_hmac_sm3(settings: Any, key_hex: str) -> None:
    """The fast path (padded keys hashed once) gives HMAC-SM3 exactly, whatever the key's
    length (shorter than, equal to and longer than SM3's block)."""
    from cryptography.hazmat.primitives import hashes, hmac

    settings.ONESTOP_INDEX_KEY = key_hex
    mac = hmac.HMAC(bytes.fromhex(key_hex), hashes.SM3())
    mac.update(b"resident_id\x00" + b"61011319660115772X")
    assert crypto.blind_index("61011319660115772X", purpose="resident_id") == mac.finalize().hex()


def test_bad_key_configuration_is_refused(settings: Any) -> None:
    from django.core.exceptions import ImproperlyConfigured

    settings.ONESTOP_DATA_KEYS = "1:abcd"
    with pytest.raises(ImproperlyConfigured):
        crypto.keyring()
    settings.ONESTOP_DATA_KEYS = "1:" + "00" * 16
    settings.ONESTOP_DATA_KEY_VERSION = "2"
    with pytest.raises(ImproperlyConfigured):
        crypto.keyring()


def _all_text_in_database() -> str:
    """Every value of every column of every table, as one string."""
    chunks: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608
            for row in cursor.fetchall():
                chunks.extend(str(value) for value in row)
    return "\n".join(chunks)


@pytest.mark.django_db
def test_database_holds_no_plaintext_identifier(world: Any) -> None:
    """No table holds a resident ID or phone number in the clear, yet look-ups work."""
    dump = _all_text_in_database()
    for person in (world.alice, world.bob, world.dave):
        assert person.resident_id not in dump
        assert person.resident_id[6:14] + person.resident_id[14:] not in dump
        assert person.phone not in dump
    with connection.cursor() as cursor:
        cursor.execute("SELECT resident_id FROM identity_person WHERE id = %s", [world.alice.pk])
        raw = cursor.fetchone()[0]
    assert raw.startswith("v1:")
    found = person_list_for(actor=world.carol, query=world.alice.resident_id.lower())
    assert list(found) == [Person.objects.get(pk=world.alice.pk)]
