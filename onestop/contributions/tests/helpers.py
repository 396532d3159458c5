"""Set-up the paid-rule, netting and kept-answer tests share: acme employing alice and bob,
one declaration listing both, and the collecting authority paying what is owed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from conftest import World
from onestop.contributions import services
from onestop.contributions.models import Declaration
from onestop.contributions.selectors import bills_of


def employ_alice_and_bob(world: World, *, since: int) -> World:
    """acme insured for pension and unemployment from ``since`` (YYYYMM), employing alice and
    bob at 8000 from that month; nothing declared."""
    services.insurance_register(
        actor=None, employer=world.acme, insurances=["pension", "unemployment"], since_period=since
    )
    for person in (world.alice, world.bob):
        services.employment_start(
            actor=None,
            employer=world.acme,
            resident_id=person.resident_id,
            start_period=since,
            wage=Decimal("8000"),
        )
    return world


def declare_pair(
    world: World, kind: str, alice: str, bob: str, *, period: int, today: dt.date | None = None
) -> Declaration:
    """acme declares ``period`` (``kind``: regular or supplementary) with alice's and bob's
    wages as typed; the declaration, which must be accepted."""
    result = services.declaration_submit(
        actor=world.bob.user,
        employer=world.acme,
        period=period,
        rows=[
            services.DeclaredRow(2, world.alice.resident_id, alice),
            services.DeclaredRow(3, world.bob.resident_id, bob),
        ],
        kind=kind,
        today=today,
    )
    assert result.accepted, result.reply
    assert result.declaration is not None
    return result.declaration


def pay_arrears(
    world: World,
    prefix: str,
    *,
    insurance: str | None = None,
    share: Decimal = Decimal(1),
    today: dt.date = dt.date(2026, 11, 26),
) -> None:
    """The collecting authority reports ``share`` of each of acme's bills with arrears on
    ``today`` paid on 2026-11-20 (only ``insurance``'s bills when given), one payment a bill
    with the id ``<prefix>-<bill id>``."""
    for row in bills_of(employer=world.acme, today=today):
        if row.arrears > 0 and insurance in (None, row.bill.insurance):
            services.payment_record(
                actor=None,
                external_id=f"{prefix}-{row.bill.pk}",
                bill=row.bill,
                amount=(row.arrears * share).quantize(Decimal("0.01")),
                paid_on=dt.date(2026, 11, 20),
            )
