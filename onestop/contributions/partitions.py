"""The yearly partitions of the contribution detail (PostgreSQL; SQLite has one table).

A partition is created outside any posting transaction: ``CREATE TABLE ... PARTITION OF``
locks the parent against every reader until its transaction ends. A posting whose year has
no partition yet (a year nobody prepared) still succeeds: its rows go to the default one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection as default_connection

DETAIL = "contributions_contributiondetail"


def partition_name(year: int) -> str:
    return f"{DETAIL}_y{year}"


def existing(connection: Any = None) -> set[int]:
    """The years that have a partition of their own."""
    connection = connection or default_connection
    if connection.vendor != "postgresql":
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s",
            [DETAIL],
        )
        names = [row[0] for row in cursor.fetchall()]
    prefix = f"{DETAIL}_y"
    return {int(n[len(prefix) :]) for n in names if n.startswith(prefix)}


def create_partitions(connection: Any = None, *, years: Iterable[int]) -> list[int]:
    """Create the missing yearly partitions of ``years``; the years created. A year whose
    rows already sit in the default partition is left there (moving them is a maintenance
    job, not a side effect)."""
    connection = connection or default_connection
    if connection.vendor != "postgresql":
        return []
    have = existing(connection)
    made = []
    with connection.cursor() as cursor:
        for year in sorted(set(years) - have):
            cursor.execute(
                f"SELECT 1 FROM {DETAIL}_default WHERE period >= %s AND period < %s LIMIT 1",  # noqa: S608
                [year * 100, (year + 1) * 100],
            )
            if cursor.fetchone():
                continue
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {partition_name(year)} PARTITION OF {DETAIL} "
                f"FOR VALUES FROM ({year * 100}) TO ({(year + 1) * 100})"
            )
            made.append(year)
    return made


def ensure_year(period: int) -> None:
    """Make sure the year of ``period`` has its partition, in a transaction of its own when
    none is open (the check alone when it exists: one catalogue read)."""
    if default_connection.vendor != "postgresql":
        return
    year = period // 100
    if year in existing():
        return
    from django.db import DatabaseError, transaction

    try:
        with transaction.atomic():
            create_partitions(years=[year])
    except DatabaseError:
        # Another declaration of the same new year created it first (both saw it missing):
        # the partition exists now, and a posting must not fail over who made it.
        pass


def table_of(period: int) -> str:
    """The table that holds ``period``'s detail rows: its year's partition (or the default
    one) on PostgreSQL, the one table on SQLite. A bulk post refreshes only its statistics:
    ``ANALYZE`` of the partitioned parent samples every year again."""
    if default_connection.vendor != "postgresql":
        return DETAIL
    year = period // 100
    return partition_name(year) if year in existing() else f"{DETAIL}_default"
