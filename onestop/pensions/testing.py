"""A working life elsewhere, for the demo and for tests that need someone who can retire: an
information form as another province would send it, posted as a transfer in."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from onestop.identity.models import Person
from onestop.pensions.models import Transfer
from onestop.pensions.transfers import record_transfer_in


def information_form(
    *, place: str, start: str, months: int, base: str, wage: str, account: str
) -> dict[str, Any]:
    """``months`` from ``start`` (YYYY-MM) at ``base``, that place's average wage ``wage``;
    pooled funds 12% of the bases."""
    year, month = int(start[:4]), int(start[5:7])
    periods = [
        f"{year + (month - 1 + i) // 12}-{(month - 1 + i) % 12 + 1:02d}" for i in range(months)
    ]
    pooled = (Decimal(base) * months * Decimal("0.12")).quantize(Decimal("0.01"))
    return {
        "temporary": False,
        "account": account,
        "pooled": f"{pooled:.2f}",
        "months": [[p, base, wage] for p in periods],
        "place": place,
        "place_name": place,
    }


def worked_elsewhere(
    person: Person,
    *,
    place: str = "410000",
    start: str = "2005-01",
    months: int = 180,
    base: str = "4000.00",
    wage: str = "4000.00",
    account: str = "57600.00",
) -> Transfer:
    return record_transfer_in(
        person=person,
        place=place,
        info=information_form(
            place=place, start=start, months=months, base=base, wage=wage, account=account
        ),
        actor=None,
    )


def pay_every_bill() -> None:
    """The employer pays every bill in full (only paid months count towards the award)."""
    from onestop.contributions import services as contributions
    from onestop.contributions.models import Bill

    for bill in Bill.objects.filter(payments__isnull=True, amount_due__gt=0).order_by("pk"):
        contributions.payment_record(
            actor=None,
            external_id=f"TAX-{bill.pk}",
            bill=bill,
            amount=bill.amount_due,
            paid_on=bill.due_date,
        )
