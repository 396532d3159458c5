"""Helpers for management commands."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor


def require_migrated() -> None:
    """Refuse to run on a database with unapplied migrations (a fresh ``ONESTOP_VAR_DIR``
    included), with the command that fixes it, instead of failing on a missing table.

    Raises ``CommandError`` (exit status 1)."""
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise CommandError(
            "The database is not migrated (or is new): run `uv run onestop migrate` first."
        )
