"""Re-encryption of stored personal data under the current data key."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection, models, transaction

from onestop.audit.services import record
from onestop.identity import crypto
from onestop.identity.fields import EncryptedTextField


def rotate_data_key(*, models: Iterable[type[models.Model]], batch: int = 1000) -> dict[str, int]:
    """Re-encrypt values written under older key versions, and encrypt values stored in
    plaintext before their column was encrypted; returns counts per model.field.

    Reads the raw column so that only stale values are rewritten; each batch is one
    transaction with its journal entry, so an interrupted run can simply be started again.
    """
    current = crypto.keyring().current
    counts: dict[str, int] = {}
    for model in models:
        for field in model._meta.concrete_fields:
            if not isinstance(field, EncryptedTextField):
                continue
            label = f"{model._meta.label_lower}.{field.name}"
            counts[label] = _rotate_field(model, field, current, batch)
    return counts


def _rotate_field(model: type[models.Model], field: Any, current: str, batch: int) -> int:
    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(field.column)
    assert model._meta.pk is not None
    pk = connection.ops.quote_name(str(model._meta.pk.column))
    done = 0
    last = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {pk}, {column} FROM {table} WHERE {pk} > %s ORDER BY {pk} LIMIT %s",  # noqa: S608
                [last, batch],
            )
            rows = cursor.fetchall()
        if not rows:
            return done
        last = rows[-1][0]
        stale = [
            (key, value)
            for key, value in rows
            if value and (not crypto.is_ciphertext(value) or crypto.key_version(value) != current)
        ]
        if not stale:
            continue
        with transaction.atomic():
            for key, value in stale:
                # A value written before its column was encrypted is encrypted now.
                plaintext = crypto.decrypt(value) if crypto.is_ciphertext(value) else value
                value = field.plaintext_to_python(plaintext)
                model._default_manager.filter(pk=key).update(**{field.name: value})
            record(
                actor=None,
                action="identity.data_key.rotated",
                target_type=model._meta.label_lower,
                changes={"field": field.name, "count": len(stale), "to_version": current},
            )
        done += len(stale)
