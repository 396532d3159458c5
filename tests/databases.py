"""The PostgreSQL test database: migrated once into a template, cloned for each xdist worker.

Replaying the migrations costs every worker of every PostgreSQL run the same seconds; a
``CREATE DATABASE ... TEMPLATE`` copy of an already migrated database costs a fraction of it.
The template is named after a digest of everything a migration can read (the project's code
and data files outside its tests, the lock file, the database engine), so a template built
from other migrations or other seed data is never used: a changed file gives a new name, and
templates of earlier digests are dropped when a new one is built. Workers that start together
build it once, under a PostgreSQL advisory lock.

A transactional test (``transaction=True``, the live server) ends with Django's flush, which on
PostgreSQL is one ``TRUNCATE`` of every table: a new file for each table and index, about two
seconds for this schema. ``DELETE`` of the few rows a test leaves is a matter of milliseconds
and leaves the same empty tables; the foreign keys Django creates are deferred to the commit,
so the order of the statements does not matter.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
#: What the migrations and the post_migrate handlers can read: the project's packages (their
#: tests aside) and the locked versions of everything they import.
SOURCES = ("onestop", "config")
SKIPPED_PARTS = {"tests", "__pycache__"}
#: PostgreSQL names are at most 63 bytes.
MAX_NAME = 63


def schema_digest(engine: str) -> str:
    """A digest of the files a migrated test database is built from."""
    digest = hashlib.sha256(engine.encode())
    files = [ROOT / "uv.lock"]
    for source in SOURCES:
        files.extend(
            path
            for path in (ROOT / source).rglob("*")
            if path.is_file()
            and not SKIPPED_PARTS & set(path.relative_to(ROOT).parts)
            and path.suffix not in {".pyc", ".pyo"}
        )
    for path in sorted(files):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def template_prefix(test_name: str) -> str:
    """Templates of one test database share this prefix (``test_onestop_tpl_``)."""
    return f"{test_name[: MAX_NAME - 17]}_tpl_"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lock_key(name: str) -> int:
    """A signed 64-bit advisory lock key for a database name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def _exists(cursor: Any, name: str) -> bool:
    cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
    return cursor.fetchone() is not None


def setup_postgresql(connection: Any, *, verbosity: int) -> tuple[str, str]:
    """Give ``connection`` its own migrated test database, a copy of the current template.

    Returns (the settings' database name, the test database's name) for ``teardown``.
    """
    from django.conf import settings
    from django.core.management import call_command

    old_name = connection.settings_dict["NAME"]
    worker_name = connection.creation._get_test_db_name()
    # Every xdist worker (test_onestop_gw0, _gw1, ...) copies the same template.
    prefix = template_prefix(re.sub(r"_gw\d+$", "", worker_name))
    template = prefix + schema_digest(connection.settings_dict["ENGINE"])[:12]
    creation = connection.creation

    with creation._nodb_cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [_lock_key(prefix)])
        try:
            if not _exists(cursor, template):
                if verbosity >= 1:
                    sys.stderr.write(f"Migrating the test database template {template}...\n")
                building = template + "_new"
                cursor.execute(f"DROP DATABASE IF EXISTS {_quote(building)} WITH (FORCE)")
                cursor.execute(f"CREATE DATABASE {_quote(building)}")
                connection.close()
                connection.settings_dict["NAME"] = building
                settings.DATABASES[connection.alias]["NAME"] = building
                try:
                    call_command(
                        "migrate",
                        verbosity=max(verbosity - 1, 0),
                        interactive=False,
                        database=connection.alias,
                        run_syncdb=True,
                    )
                    call_command("createcachetable", database=connection.alias)
                finally:
                    connection.close()
                    connection.settings_dict["NAME"] = old_name
                    settings.DATABASES[connection.alias]["NAME"] = old_name
                # Only a complete migration gets the template's name.
                cursor.execute(f"ALTER DATABASE {_quote(building)} RENAME TO {_quote(template)}")
                cursor.execute(
                    "SELECT datname FROM pg_database WHERE datname LIKE %s AND datname <> %s",
                    [prefix.replace("_", r"\_") + "%", template],
                )
                for (stale,) in cursor.fetchall():
                    cursor.execute(f"DROP DATABASE IF EXISTS {_quote(stale)} WITH (FORCE)")
            cursor.execute(f"DROP DATABASE IF EXISTS {_quote(worker_name)} WITH (FORCE)")
            # PostgreSQL 15's WAL_LOG copy, the default: FILE_COPY would wait for two
            # checkpoints of the whole server (seconds, where 13 MB take a third of one).
            cursor.execute(f"CREATE DATABASE {_quote(worker_name)} TEMPLATE {_quote(template)}")
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_lock_key(prefix)])

    connection.close()
    settings.DATABASES[connection.alias]["NAME"] = worker_name
    connection.settings_dict["NAME"] = worker_name
    connection.ensure_connection()
    return old_name, worker_name


def teardown_postgresql(connection: Any, old_name: str, *, verbosity: int) -> None:
    """Drop the worker's copy (the template stays for the next run) and restore the name.

    Sessions still open on the copy (a server process a test started and stopped, whose
    connections the server has not yet closed) are ended first: DROP DATABASE refuses
    while any is open."""
    name = connection.settings_dict["NAME"]
    connection.close()
    with connection._nodb_cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
    connection.creation.destroy_test_db(old_name, verbosity, keepdb=False)


def delete_flush(original: Any) -> Any:
    """PostgreSQL's ``sql_flush``, with ``DELETE`` for the plain flush of a test's teardown."""

    def sql_flush(
        self: Any,
        style: Any,
        tables: list[str],
        *,
        reset_sequences: bool = False,
        allow_cascade: bool = False,
    ) -> list[str]:
        if reset_sequences or allow_cascade or not tables:
            return list(
                original(
                    self,
                    style,
                    tables,
                    reset_sequences=reset_sequences,
                    allow_cascade=allow_cascade,
                )
            )
        return ["SET CONSTRAINTS ALL DEFERRED"] + [
            f"DELETE FROM {self.quote_name(table)}" for table in tables
        ]

    return sql_flush


@contextlib.contextmanager
def patched_flush() -> Iterator[None]:
    """While the session lasts, flush PostgreSQL test databases with ``DELETE``."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush
    DatabaseOperations.sql_flush = delete_flush(original)  # type: ignore[method-assign]
    try:
        yield
    finally:
        DatabaseOperations.sql_flush = original  # type: ignore[method-assign]
