"""A model field that stores text encrypted with the current data key."""

from __future__ import annotations

import json
import unicodedata
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

    def plaintext_to_python(self, plaintext: str) -> Any:
        """The Python value of a decrypted stored value (key rotation writes it back)."""
        return plaintext


class EncryptedJSONField(EncryptedTextField):
    """A JSON value (what ``models.JSONField`` holds) encrypted whole with the same codec.

    For answers, payloads and facts that may carry identifiers, phones, bank accounts or
    names: nothing in them is readable without the data key, and ``onestop rotate-data-key``
    re-encrypts them like any other encrypted field. Not queryable inside: load and read.
    A value stored before the field was encrypted (plain JSON) is still read.
    """

    description = "JSON encrypted at rest with SM4-GCM"
    # What django-stubs reads as the Python types set and got: any JSON value.
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, str) and crypto.is_ciphertext(value):
            return json.loads(crypto.decrypt(value))
        return json.loads(value) if isinstance(value, str) else value

    def to_python(self, value: Any) -> Any:
        return value

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        return crypto.encrypt(json.dumps(value, ensure_ascii=False, sort_keys=True))

    def plaintext_to_python(self, plaintext: str) -> Any:
        return json.loads(plaintext)

    def value_to_string(self, obj: Any) -> str:
        return json.dumps(self.value_from_object(obj), ensure_ascii=False)


def normalise_name(value: str) -> str:
    """A name as its blind index sees it: NFKC (full-width letters fold) without spaces."""
    return "".join(unicodedata.normalize("NFKC", value or "").split())


def name_index(value: str) -> str:
    """The blind index of a person's name (HMAC-SM3), for exact search; empty for no name."""
    normalised = normalise_name(value)
    return crypto.blind_index(normalised, purpose="name") if normalised else ""


class NameIndexField(models.CharField):  # type: ignore[type-arg]
    """The blind index of the encrypted name in ``source``, kept current on every save and
    bulk create (``pre_save``), so that staff can find a person by exact name."""

    def __init__(self, *args: Any, source: str = "name", **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def pre_save(self, model_instance: Any, add: bool) -> str:
        value = name_index(str(getattr(model_instance, self.source) or ""))
        setattr(model_instance, self.attname, value)
        return value
