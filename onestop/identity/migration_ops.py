"""A migration step that encrypts values stored in plaintext before a column was encrypted.

Used right after the ``AlterField`` that turns a column into an ``EncryptedTextField`` or
``EncryptedJSONField``: reads each raw value and writes the ciphertext of the same text
(JSON stays the JSON text it was), in batches, so the table needs no second pass.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

from onestop.identity import crypto


def encrypt_plaintext(app_label: str, model_name: str, *fields: str) -> migrations.RunPython:
    def forward(apps: Any, schema_editor: Any) -> None:
        model = apps.get_model(app_label, model_name)
        connection = schema_editor.connection
        quote = connection.ops.quote_name
        table = quote(model._meta.db_table)
        pk = quote(model._meta.pk.column)
        for name in fields:
            column = quote(model._meta.get_field(name).column)
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT {pk}, {column} FROM {table}")  # noqa: S608
                rows = cursor.fetchall()
            with connection.cursor() as cursor:
                for key, value in rows:
                    if value is None or value == "":
                        continue
                    text = value if isinstance(value, str) else str(value)
                    if crypto.is_ciphertext(text):
                        continue
                    cursor.execute(
                        f"UPDATE {table} SET {column} = %s WHERE {pk} = %s",  # noqa: S608
                        [crypto.encrypt(text), key],
                    )

    return migrations.RunPython(forward, migrations.RunPython.noop, elidable=False)
