"""The full-text index over ``SearchDocument.tokens``: an FTS5 table kept in step by triggers
on SQLite, a GIN index over the 'simple' text-search vector on PostgreSQL."""

from typing import Any

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE portal_search_fts USING fts5(tokens, "
    "content='portal_searchdocument', content_rowid='id')",
    "CREATE TRIGGER portal_search_ai AFTER INSERT ON portal_searchdocument BEGIN "
    "INSERT INTO portal_search_fts(rowid, tokens) VALUES (new.id, new.tokens); END",
    "CREATE TRIGGER portal_search_ad AFTER DELETE ON portal_searchdocument BEGIN "
    "INSERT INTO portal_search_fts(portal_search_fts, rowid, tokens) "
    "VALUES ('delete', old.id, old.tokens); END",
    "CREATE TRIGGER portal_search_au AFTER UPDATE ON portal_searchdocument BEGIN "
    "INSERT INTO portal_search_fts(portal_search_fts, rowid, tokens) "
    "VALUES ('delete', old.id, old.tokens); "
    "INSERT INTO portal_search_fts(rowid, tokens) VALUES (new.id, new.tokens); END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS portal_search_au",
    "DROP TRIGGER IF EXISTS portal_search_ad",
    "DROP TRIGGER IF EXISTS portal_search_ai",
    "DROP TABLE IF EXISTS portal_search_fts",
]
POSTGRES = [
    "CREATE INDEX portal_search_tokens_gin ON portal_searchdocument "
    "USING gin (to_tsvector('simple', tokens))",
]
POSTGRES_DROP = ["DROP INDEX IF EXISTS portal_search_tokens_gin"]


def _run(statements: dict[str, list[str]]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_content")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        )
    ]
