"""One contribution-detail row per person, month and declaration; the ledger as a view.

``DeclarationLine`` (one row per person and insurance) becomes ``ContributionDetail`` (one row
per person, the parts as columns); the table of ledger entries becomes ``LedgerRecord``
(every entry but a regular declaration's), and ``contributions_ledgerentry`` a view: the
records and the regular declarations' detail rows unpivoted into entries. A regular
declaration's entries that match its lines exactly are removed from the records (the view
gives them back); any that do not stay as records.

On PostgreSQL the detail table is partitioned by range of period (a partition a year and a
default one), which Django cannot create: the database side is written here by vendor.
"""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

import onestop.common.models

#: (k, insurance, kind, account, detail column): what a regular declaration posts
#: (``posting.POSTINGS`` when this migration was written; frozen here).
PARTS = (
    (1, "pension", "employer_pooled", False, "pension_employer"),
    (2, "pension", "individual_account", True, "pension_individual"),
    (3, "unemployment", "employer_pooled", False, "unemployment_employer"),
    (4, "unemployment", "individual_pooled", False, "unemployment_individual"),
    (5, "work_injury", "employer_pooled", False, "work_injury_employer"),
)
RECORD_COLUMNS = (
    "r.id * 8 AS id, r.person_id, r.employer_id, r.period, r.insurance, r.kind, r.account, "
    "r.amount, r.base, r.source_type, r.source_id, r.created_at"
)
DETAIL = "contributions_contributiondetail"
REGULAR = "JOIN contributions_declaration d ON d.id = c.declaration_id AND d.kind = 'regular'"


def view_sql(vendor: str) -> str:
    records = f"SELECT {RECORD_COLUMNS} FROM contributions_ledgerrecord r"
    if vendor == "postgresql":
        values = ", ".join(
            f"({k}, '{insurance}'::varchar(16), '{kind}'::varchar(20), {str(account).lower()}, "
            f"c.{column})"
            for k, insurance, kind, account, column in PARTS
        )
        details = (
            "SELECT c.id * 8 + v.k, c.person_id, c.employer_id, c.period, v.insurance, v.kind, "
            "v.account, v.amount, c.base, 'declaration'::varchar(16), c.declaration_id, "
            f"d.created_at FROM {DETAIL} c {REGULAR} "
            f"CROSS JOIN LATERAL (VALUES {values}) v(k, insurance, kind, account, amount) "
            "WHERE v.amount <> 0"
        )
    else:
        details = " UNION ALL ".join(
            f"SELECT c.id * 8 + {k}, c.person_id, c.employer_id, c.period, '{insurance}', "
            f"'{kind}', {int(account)}, c.{column}, c.base, 'declaration', c.declaration_id, "
            f"d.created_at FROM {DETAIL} c {REGULAR} WHERE c.{column} <> 0"
            for k, insurance, kind, account, column in PARTS
        )
    return f"CREATE VIEW contributions_ledgerentry AS {records} UNION ALL {details}"


def create_detail_table(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.create_model(apps.get_model("contributions", "ContributionDetail"))
        return
    from onestop.contributions.partitions import create_partitions

    money = "numeric(12, 2)"
    schema_editor.execute(f"CREATE SEQUENCE {DETAIL}_id_seq")
    schema_editor.execute(
        f"CREATE TABLE {DETAIL} (id bigint NOT NULL DEFAULT nextval('{DETAIL}_id_seq'), "
        "period integer NOT NULL CHECK (period >= 0), "
        f"wage {money} NOT NULL, base {money} NOT NULL, pension_employer {money} NULL, "
        f"pension_individual {money} NULL, unemployment_employer {money} NULL, "
        f"unemployment_individual {money} NULL, work_injury_employer {money} NULL, "
        "declaration_id bigint NOT NULL, employer_id bigint NOT NULL, "
        "person_id bigint NOT NULL) PARTITION BY RANGE (period)"
    )
    schema_editor.execute(f"ALTER SEQUENCE {DETAIL}_id_seq OWNED BY {DETAIL}.id")
    schema_editor.execute(
        f"ALTER TABLE {DETAIL} ADD CONSTRAINT contribution_detail_once "
        "UNIQUE (declaration_id, person_id, period)"
    )
    schema_editor.execute(f"CREATE INDEX detail_person_period ON {DETAIL} (person_id, period)")
    schema_editor.execute(f"CREATE TABLE {DETAIL}_default PARTITION OF {DETAIL} DEFAULT")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT MIN(period) / 100, MAX(period) / 100 FROM contributions_declaration")
        first, last = cursor.fetchone()
    create_partitions(schema_editor.connection, years=_years(first, last))


def _years(first: int | None, last: int | None) -> range:
    """The years in data and around today (the database's clock: a migration has no other)."""
    import datetime

    now = datetime.datetime.now(tz=datetime.UTC).year
    return range(min(first or now, now - 1), max(last or now, now + 1) + 1)


def drop_detail_table(apps: Any, schema_editor: Any) -> None:
    schema_editor.execute(f"DROP TABLE {DETAIL}")


def move_lines(apps: Any, schema_editor: Any) -> None:
    """Lines pivoted into detail rows; the regular declarations' entries that the view now
    gives back removed from the records (only those that match a detail part exactly)."""
    true = "true" if schema_editor.connection.vendor == "postgresql" else "1"
    parts = ", ".join(
        f"MAX(CASE WHEN l.insurance = '{insurance}' THEN l.{side}_amount END)"
        for insurance, side in (
            ("pension", "employer"),
            ("pension", "individual"),
            ("unemployment", "employer"),
            ("unemployment", "individual"),
            ("work_injury", "employer"),
        )
    )
    matching = " ".join(
        f"WHEN r.insurance = '{insurance}' AND r.kind = '{kind}' "
        f"AND r.account = {true if account else ('false' if true == 'true' else '0')} "
        f"THEN c.{column}"
        for _k, insurance, kind, account, column in PARTS
    )
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {DETAIL} (declaration_id, person_id, employer_id, period, wage, base, "
            "pension_employer, pension_individual, unemployment_employer, "
            "unemployment_individual, work_injury_employer) "
            f"SELECT l.declaration_id, l.person_id, d.employer_id, d.period, MAX(l.wage), "
            f"MAX(l.base), {parts} FROM contributions_declarationline l "
            "JOIN contributions_declaration d ON d.id = l.declaration_id "
            "GROUP BY l.declaration_id, l.person_id, d.employer_id, d.period "
            "ORDER BY l.declaration_id, l.person_id"
        )
        cursor.execute(
            "DELETE FROM contributions_ledgerrecord WHERE id IN (SELECT r.id "
            "FROM contributions_ledgerrecord r "
            "JOIN contributions_declaration d ON d.id = r.source_id AND d.kind = 'regular' "
            f"JOIN {DETAIL} c ON c.declaration_id = r.source_id AND c.person_id = r.person_id "
            " AND c.period = r.period AND c.employer_id = r.employer_id AND c.base = r.base "
            f"WHERE r.source_type = 'declaration' AND r.amount = CASE {matching} END)"
        )
        cursor.execute(
            "SELECT COUNT(*) FROM contributions_ledgerrecord r JOIN contributions_declaration d "
            "ON d.id = r.source_id AND d.kind = 'regular' WHERE r.source_type = 'declaration'"
        )
        (kept,) = cursor.fetchone()
    if kept:
        print(  # noqa: T201 - a migration's one way to say it
            f"\n  {kept} entries of regular declarations differ from their lines: kept as records"
        )


def create_view(apps: Any, schema_editor: Any) -> None:
    schema_editor.execute(view_sql(schema_editor.connection.vendor))


def drop_view(apps: Any, schema_editor: Any) -> None:
    schema_editor.execute("DROP VIEW contributions_ledgerentry")


class Migration(migrations.Migration):
    dependencies = [
        ("contributions", "0014_individual_refund_reasons"),
        ("identity", "0005_field_labels"),
    ]

    operations = [
        migrations.RenameModel(old_name="LedgerEntry", new_name="LedgerRecord"),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ContributionDetail",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("period", models.PositiveIntegerField()),
                        ("wage", models.DecimalField(decimal_places=2, max_digits=12)),
                        ("base", models.DecimalField(decimal_places=2, max_digits=12)),
                        (
                            "pension_employer",
                            models.DecimalField(decimal_places=2, max_digits=12, null=True),
                        ),
                        (
                            "pension_individual",
                            models.DecimalField(decimal_places=2, max_digits=12, null=True),
                        ),
                        (
                            "unemployment_employer",
                            models.DecimalField(decimal_places=2, max_digits=12, null=True),
                        ),
                        (
                            "unemployment_individual",
                            models.DecimalField(decimal_places=2, max_digits=12, null=True),
                        ),
                        (
                            "work_injury_employer",
                            models.DecimalField(decimal_places=2, max_digits=12, null=True),
                        ),
                        (
                            "declaration",
                            models.ForeignKey(
                                db_constraint=False,
                                db_index=False,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="details",
                                to="contributions.declaration",
                            ),
                        ),
                        (
                            "employer",
                            models.ForeignKey(
                                db_constraint=False,
                                db_index=False,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="identity.employer",
                            ),
                        ),
                        (
                            "person",
                            models.ForeignKey(
                                db_constraint=False,
                                db_index=False,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="identity.person",
                            ),
                        ),
                    ],
                    options={
                        "indexes": [
                            models.Index(
                                fields=["person", "period"], name="detail_person_period"
                            )
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("declaration", "person", "period"),
                                name="contribution_detail_once",
                            )
                        ],
                    },
                    bases=(onestop.common.models.AppendOnly,),
                ),
            ],
            database_operations=[],
        ),
        # After the state's model exists: SQLite creates the table from it.
        migrations.RunPython(create_detail_table, drop_detail_table),
        migrations.RunPython(move_lines, migrations.RunPython.noop),
        migrations.DeleteModel(name="DeclarationLine"),
        migrations.CreateModel(
            name="LedgerEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("period", models.PositiveIntegerField()),
                (
                    "insurance",
                    models.CharField(
                        choices=[
                            ("pension", "basic pension"),
                            ("unemployment", "unemployment"),
                            ("work_injury", "work injury"),
                        ],
                        max_length=16,
                    ),
                ),
                ("kind", models.CharField(max_length=20)),
                ("account", models.BooleanField(default=False)),
                ("amount", models.DecimalField(decimal_places=2, max_digits=14)),
                ("base", models.DecimalField(decimal_places=2, max_digits=12, null=True)),
                ("source_type", models.CharField(max_length=16)),
                ("source_id", models.BigIntegerField()),
                ("created_at", models.DateTimeField()),
                (
                    "employer",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="identity.employer",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="identity.person",
                    ),
                ),
            ],
            options={"db_table": "contributions_ledgerentry", "managed": False},
            bases=(onestop.common.models.AppendOnly,),
        ),
        migrations.RunPython(create_view, drop_view),
    ]
