"""Base model mixins."""

from typing import Any

from django.db import models


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class AppendOnlyError(RuntimeError):
    """Raised on any attempt to change or remove a row of an append-only table."""


class AppendOnly(models.Model):
    """Rows are written once: ``save`` on an existing row and ``delete`` raise.

    Where the law wants history (the journal, the ledger, published parameters) a change is
    a new row. Bulk ``QuerySet.update``/``delete`` bypass this; such tables get database
    guards too where it matters (the journal's triggers) and are checked by their verifiers.
    """

    #: What one row is called in the error message.
    append_only_noun = "This record"

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{self.append_only_noun} is never changed; add a new one.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self.append_only_noun} is never deleted.")
