"""Bulk loading that bypasses the ORM: COPY on PostgreSQL, one executemany elsewhere."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Append ``rows`` to ``table``; one statement whatever the number of rows."""
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    quoted = connection.ops.quote_name(table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {quoted} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {quoted} ({names}) VALUES ({placeholders})",  # noqa: S608
                # Decimals go through the adapter Django's SQLite backend registers (as text).
                [tuple(row) for row in rows],
            )


#: Rows sampled per index by SQLite's ANALYZE: bounded, so that refreshing the statistics of a
#: table of millions of rows takes milliseconds (https://sqlite.org/lang_analyze.html).
SQLITE_ANALYSIS_LIMIT = 1000


def refresh_statistics(*tables: str) -> None:
    """Refresh the planner's statistics after a bulk load (``ANALYZE``), of ``tables`` or of
    the whole database when none are given.

    Without it, plans are chosen on the statistics of the empty tables the load started from:
    PostgreSQL's autovacuum catches up only later, SQLite never does by itself.
    """
    quoted = ", ".join(connection.ops.quote_name(t) for t in tables)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {quoted}")
        else:
            cursor.execute(f"PRAGMA analysis_limit = {SQLITE_ANALYSIS_LIMIT}")
            if tables:
                for table in tables:
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
            else:
                cursor.execute("ANALYZE")
