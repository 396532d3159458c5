"""A regular declaration on PostgreSQL checked in chunks, each written on a second thread
(``posting.ChunkWriter``): the same outcome as checked whole, refused whole with every reason.

The chunk is one row here (``PIPELINE_CHUNK``), so that a declaration of two or three rows
goes through two or three chunks.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from conftest import World
from onestop.contributions import posting
from onestop.contributions.models import (
    Bill,
    ContributionDetail,
    Declaration,
    LedgerEntry,
    PensionMonth,
)
from onestop.contributions.services import DeclaredRow
from onestop.contributions.tests.test_declarations import acme, rows, submit
from onestop.contributions.tests.test_one_pension_payer import (
    concurrent_world,
    declare,
    nothing_posted_for,
)
from onestop.contributions.verify import ledger_verify

pytestmark = pytest.mark.django_db

__all__ = ["acme"]  # the fixture, imported for this module's tests


@pytest.fixture(autouse=True)
def one_row_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("The pipelined posting is PostgreSQL's (SQLite checks the rows whole).")
    monkeypatch.setattr(posting, "PIPELINE_CHUNK", 1)


def chunks_written(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Record, per chunk the writer's thread wrote, whether it carried detail rows."""
    written: list[bool] = []
    write = posting.write_chunk

    def recording(raw: object, wages: str, claims: str, detail: str) -> bool:
        written.append(bool(detail))
        return write(raw, wages, claims, detail)

    monkeypatch.setattr(posting, "write_chunk", recording)
    return written


def test_a_declaration_in_chunks_posts_what_one_whole_would(
    acme: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = chunks_written(monkeypatch)
    result = submit(acme, rows(acme))
    assert result.accepted, result.reply
    assert written == [True, True]  # two chunks, each with its detail rows
    details = {d.person_id: d for d in ContributionDetail.objects.all()}
    assert (details[acme.alice.pk].base, details[acme.alice.pk].pension_individual) == (
        Decimal("4470.00"),
        Decimal("357.60"),
    )
    assert details[acme.bob.pk].work_injury_employer == Decimal("89.40")
    assert result.reply["total_due"] == "6812.28"
    assert set(PensionMonth.objects.values_list("person_id", flat=True)) == {
        acme.alice.pk,
        acme.bob.pk,
    }
    declaration = Declaration.objects.get()
    assert (declaration.rows, declaration.total_wage) == (2, Decimal("33000.00"))
    assert ledger_verify() == []


def test_a_bad_row_in_the_last_chunk_refuses_the_whole_declaration(
    acme: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = chunks_written(monkeypatch)
    result = submit(
        acme,
        [
            DeclaredRow(2, acme.alice.resident_id, "3000"),
            DeclaredRow(3, acme.bob.resident_id, "abc"),
        ],
    )
    assert not result.accepted
    assert [(e.line, e.field) for e in result.errors] == [(3, "wage")]
    assert written == [True, False]  # the first chunk was written, then rolled back
    assert not ContributionDetail.objects.exists()
    assert not PensionMonth.objects.exists()
    assert not Declaration.objects.exists() and not Bill.objects.exists()
    assert not LedgerEntry.objects.exists()


def test_every_chunk_s_reasons_are_given(acme: World) -> None:
    """A wrong wage in the first chunk, a person not employed here in the last: both named,
    nothing posted (the last row's person is resolved after the chunks were written)."""
    result = submit(
        acme,
        [
            DeclaredRow(2, acme.alice.resident_id, "-5"),
            DeclaredRow(3, acme.bob.resident_id, "3000"),
            DeclaredRow(4, acme.dave.resident_id, "5000"),
        ],
    )
    assert not result.accepted
    assert [(e.line, e.field) for e in result.errors] == [(2, "wage"), (4, "resident_id")]
    assert result.errors[1].en == "Not employed by this employer in that month."
    assert not Declaration.objects.exists() and not PensionMonth.objects.exists()
    assert not ContributionDetail.objects.exists()


def test_a_month_held_by_another_employer_in_a_later_chunk_refuses_the_whole(
    world: World,
) -> None:
    """baoji declares dave then alice, whose October acme holds: the second chunk's claim
    finds her month held, the rest is claimed by the statement; refused whole, her row named."""
    baoji = concurrent_world(world)
    assert declare(world, world.acme, [world.alice, world.bob]).accepted
    result = declare(world, baoji, [world.dave, world.alice])
    assert not result.accepted
    assert [(e.line, e.reason) for e in result.errors] == [(3, "pension_elsewhere")]
    nothing_posted_for(baoji)
    assert not ContributionDetail.objects.filter(employer=baoji).exists()
    assert PensionMonth.objects.get(person=world.alice, period=202610).employer == world.acme
    assert ledger_verify() == []


def test_adjusted_bases_wait_for_confirmation_and_nothing_stays(acme: World) -> None:
    result = submit(acme, rows(acme), confirm_adjustments=False)
    assert not result.accepted and result.to_confirm
    assert [a.line for a in result.adjustments] == [2, 3]
    assert result.reply["total_wage"] == "33000.00"
    assert not Declaration.objects.exists() and not ContributionDetail.objects.exists()
    assert not PensionMonth.objects.exists()


def test_an_employee_left_out_is_named_from_the_transaction_s_read(acme: World) -> None:
    """alice twice (two chunks) and bob left out: the duplicate and the missing employee,
    nothing posted."""
    result = submit(
        acme,
        [
            DeclaredRow(2, acme.alice.resident_id, "3000"),
            DeclaredRow(3, acme.alice.resident_id, "3000"),
        ],
    )
    assert not result.accepted
    assert [(e.line, e.field) for e in result.errors] == [(0, "rows"), (3, "resident_id")]
    assert result.errors[0].en.startswith("Missing an employee of that month")
    assert not Declaration.objects.exists() and not PensionMonth.objects.exists()
    assert not ContributionDetail.objects.exists()
