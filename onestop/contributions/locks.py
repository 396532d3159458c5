"""The one lock every money path takes before it reads what the ledger holds.

A supplementary declaration posts "declared minus already posted"; a payment checks what a
bill has received; a transfer out moves the account's balance. Each is a read followed by a
write, so two of them on the same (employer, month) or the same person must not interleave:
under READ COMMITTED both would compute from the same snapshot and post twice.

- PostgreSQL: a transaction-level advisory lock (``pg_advisory_xact_lock``) on a 64-bit hash
  of the scope. It is released at commit or rollback, needs no table and no row to exist
  first, and waits (never fails) while another transaction holds it. Two scopes that hash
  alike only wait for each other, which is safe.
- SQLite: one writer at a time by design. ``transaction_mode = "IMMEDIATE"`` (settings) makes
  every transaction start as a write, so once inside ``transaction.atomic`` nothing else
  writes until commit and the read-then-write is never stale. The helper refuses to run on
  SQLite without it.

Order: take the (employer, month) locks before person locks, each sorted, so that two paths
that need several never wait for each other in a circle.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ImproperlyConfigured
from django.db import connection

#: Scope names; part of the hashed key, so changing one changes which paths wait together.
EMPLOYER_PERIOD = "contributions.employer_period"
PERSON = "contributions.person"
INTEREST_YEAR = "contributions.interest_year"
BANK_ACCOUNT = "payments.bank_account"


class LockOutsideTransaction(RuntimeError):
    """A ledger lock was asked for outside ``transaction.atomic``: it would be released at
    once and serialise nothing."""


def _take(keys: Iterable[str]) -> None:
    if not connection.in_atomic_block:
        raise LockOutsideTransaction("Take ledger locks inside transaction.atomic().")
    ordered = sorted(set(keys))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for key in ordered:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])
        return
    if connection.vendor == "sqlite":
        mode = (connection.settings_dict.get("OPTIONS") or {}).get("transaction_mode")
        if str(mode or "").upper() not in ("IMMEDIATE", "EXCLUSIVE"):
            raise ImproperlyConfigured(
                "SQLite needs OPTIONS transaction_mode IMMEDIATE for the ledger's locks."
            )
        return
    raise ImproperlyConfigured(f"No ledger lock for the {connection.vendor} database.")


def employer_period_lock(*, employer_id: int, periods: Iterable[int]) -> None:
    """Serialise every write to the employer's months ``periods`` (YYYYMM) until commit:
    declarations (regular and supplementary), payments of their bills, corrections.

    Raises ``LockOutsideTransaction`` outside ``transaction.atomic``.
    """
    _take(f"{EMPLOYER_PERIOD}:{employer_id}:{period}" for period in periods)


def person_lock(*, person_ids: Iterable[int]) -> None:
    """Serialise every write to these people's individual accounts until commit: transfers
    in and out, inheritance, corrections. Take after any ``employer_period_lock``.

    Raises ``LockOutsideTransaction`` outside ``transaction.atomic``.
    """
    _take(f"{PERSON}:{person_id}" for person_id in person_ids)


def interest_year_lock(*, year: int) -> None:
    """Serialise runs of the yearly interest job for ``year``, so that its "already
    credited" read and its writes are one step."""
    _take([f"{INTEREST_YEAR}:{year}"])


def bank_account_lock(*, account_index: str) -> None:
    """Serialise every check-then-write on one bank account (its blind index) until commit:
    a benefit claim naming it is filed or approved only after the earlier one committed, so
    "is it another person's?" is read fresh.

    Raises ``LockOutsideTransaction`` outside ``transaction.atomic``.
    """
    _take([f"{BANK_ACCOUNT}:{account_index}"])
