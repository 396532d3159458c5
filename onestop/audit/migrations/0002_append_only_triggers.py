"""Database triggers that refuse UPDATE, DELETE (and TRUNCATE) on journal entries.

The model refuses too; the triggers also stop raw SQL and other programs. A row in
``audit_maintenance`` (a table with no model, so Django's flush leaves it alone) switches the
guard off for an operator with database rights: for a test database's teardown, say. Anything
done meanwhile is still caught by ``onestop audit verify``.
"""

from django.db import migrations

MESSAGE = "audit journal is append-only"

SQLITE = [
    "CREATE TABLE audit_maintenance (enabled INTEGER NOT NULL)",
    f"""CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
       WHEN NOT EXISTS (SELECT 1 FROM audit_maintenance)
       BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
       WHEN NOT EXISTS (SELECT 1 FROM audit_maintenance)
       BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_entry_no_update",
    "DROP TRIGGER IF EXISTS audit_entry_no_delete",
    "DROP TABLE IF EXISTS audit_maintenance",
]
POSTGRES = [
    "CREATE TABLE audit_maintenance (enabled INTEGER NOT NULL)",
    f"""CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
       BEGIN
         IF EXISTS (SELECT 1 FROM audit_maintenance) THEN
           IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
           RETURN NEW;
         END IF;
         RAISE EXCEPTION '{MESSAGE}';
       END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_entry_no_change BEFORE UPDATE OR DELETE ON audit_entry
       FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()""",
    # TRUNCATE bypasses row triggers; refuse it with a statement trigger.
    """CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry
       FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only()""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_entry",
    "DROP TRIGGER IF EXISTS audit_entry_no_change ON audit_entry",
    "DROP FUNCTION IF EXISTS audit_entry_append_only()",
    "DROP TABLE IF EXISTS audit_maintenance",
]


def forwards(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor,
                                                                 [])
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    statements = {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}.get(
        schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
