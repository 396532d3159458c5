"""A model field that stores text encrypted with the current data key."""

from __future__ import annotations

from typing import Any

from django.db import models

from onestop.identity import crypto


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Transparent SM4-GCM encryption: Python sees plaintext, the database ciphertext.

    Not searchable: pair it with a blind-index column for look-ups.
    """

    description = "Text encrypted at rest with SM4-GCM"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value))
