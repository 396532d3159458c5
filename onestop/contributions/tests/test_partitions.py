"""The contribution detail's yearly partitions (PostgreSQL) and the ledger view over it."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from onestop.common.models import AppendOnlyError
from onestop.contributions import partitions
from onestop.contributions.models import LedgerEntry

pytestmark = pytest.mark.django_db


def test_a_year_gets_its_partition_once_and_its_rows_go_there() -> None:
    if connection.vendor != "postgresql":
        assert partitions.create_partitions(years=[2031]) == []
        assert partitions.table_of(203105) == "contributions_contributiondetail"
        return
    assert 2031 not in partitions.existing()
    assert partitions.create_partitions(years=[2030, 2031]) == [2030, 2031]
    assert partitions.create_partitions(years=[2031]) == []  # once
    assert partitions.table_of(203105) == "contributions_contributiondetail_y2031"
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO contributions_contributiondetail (declaration_id, person_id, "
            "employer_id, period, wage, base) VALUES (1, 1, 1, 203105, 5000, 5000)"
        )
        cursor.execute(
            "SELECT COUNT(*) FROM contributions_contributiondetail_y2031 WHERE period = 203105"
        )
        assert cursor.fetchone()[0] == 1


def test_a_year_already_in_the_default_partition_is_left_there() -> None:
    """Moving rows out of the default partition is maintenance, not a side effect: the
    partition is not created and the rows stay where they are."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite keeps one table.")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO contributions_contributiondetail (declaration_id, person_id, "
            "employer_id, period, wage, base) VALUES (1, 1, 1, 204001, 5000, 5000)"
        )
    assert partitions.create_partitions(years=[2040]) == []
    assert partitions.table_of(204001) == "contributions_contributiondetail_default"


def test_the_command_creates_next_years_partition() -> None:
    out = StringIO()
    call_command("ledger", "partitions", "2032", stdout=out)
    assert out.getvalue().startswith("Partitions created: ")
    if connection.vendor == "postgresql":
        assert 2032 in partitions.existing()


def test_the_ledger_view_is_never_written_through_the_orm() -> None:
    with pytest.raises(AppendOnlyError):
        LedgerEntry(person_id=1, period=202401, amount=1, source_id=1).save()


def test_a_partition_made_by_a_concurrent_declaration_does_not_fail_the_posting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two declarations of a new year may both see its partition missing; the one that
    loses the race to create it posts all the same."""
    from django.db import DatabaseError

    def lost(**_: object) -> list[int]:
        raise DatabaseError('relation "contributions_contributiondetail_y2033" already exists')

    monkeypatch.setattr(partitions, "create_partitions", lost)
    monkeypatch.setattr(partitions, "existing", lambda *_: set())
    partitions.ensure_year(203301)  # no error
