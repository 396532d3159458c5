"""The yearly interest job: credit each account's year with the book rate, once."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Sum

from onestop.audit.services import record
from onestop.contributions.models import AccountYear, EntryKind, LedgerEntry
from onestop.parameters import selectors as parameters
from onestop.rules.interest import Method, credit_year

CENT = Decimal("0.01")


def account_interest_credit(*, actor: Any, year: int, province: str) -> int:
    """Credit ``year``'s interest to every account with entries up to that year.

    Idempotent: people whose year is already credited are skipped. Returns how many accounts
    were credited. Interest is an account ledger entry of December (source: the job's year).
    """
    rate = parameters.book_rate(year=year)
    method = parameters.province_year(province=province, year=year).interest_method
    done = set(AccountYear.objects.filter(year=year).values_list("person_id", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT person_id, "
            " SUM(CASE WHEN period < %s THEN amount ELSE 0 END), "
            " SUM(CASE WHEN period >= %s AND period <= %s AND kind <> %s THEN amount ELSE 0 END)"
            " FROM contributions_ledgerentry WHERE account = %s AND period <= %s "
            "GROUP BY person_id",
            [
                year * 100 + 1,
                year * 100 + 1,
                year * 100 + 12,
                EntryKind.INTEREST,
                True,
                year * 100 + 12,
            ],
        )
        totals = cursor.fetchall()
    monthly: dict[int, list[Decimal]] = {}
    if method is Method.MONTH_PRODUCT:
        for person_id, period, amount in (
            LedgerEntry.objects.filter(
                account=True, period__gte=year * 100 + 1, period__lte=year * 100 + 12
            )
            .exclude(kind=EntryKind.INTEREST)
            .values_list("person_id", "period")
            .annotate(s=Sum("amount"))
        ):
            monthly.setdefault(person_id, [Decimal(0)] * 12)[period % 100 - 1] += Decimal(
                str(amount)
            )
    rows, entries = [], []
    for person_id, opening_raw, added_raw in totals:
        if person_id in done:
            continue
        opening = Decimal(str(opening_raw)).quantize(CENT)
        added = Decimal(str(added_raw)).quantize(CENT)
        contributions: Decimal | list[Decimal] = (
            monthly.get(person_id, [Decimal(0)] * 12) if method is Method.MONTH_PRODUCT else added
        )
        result = credit_year(
            opening_balance=opening, contributions=contributions, rate=rate.rate, method=method
        )
        rows.append(
            AccountYear(
                person_id=person_id,
                year=year,
                opening=opening,
                contributions=added,
                interest=result.interest,
                closing=result.closing_balance,
                rate=rate.rate,
                method=method.value,
            )
        )
        if result.interest:
            entries.append(
                LedgerEntry(
                    person_id=person_id,
                    period=year * 100 + 12,
                    insurance="pension",
                    kind=EntryKind.INTEREST,
                    account=True,
                    amount=result.interest,
                    source_type="interest",
                    source_id=year,
                )
            )
    with transaction.atomic():
        AccountYear.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
        LedgerEntry.objects.bulk_create(entries, batch_size=2000, ignore_conflicts=True)
        record(
            actor=actor,
            action="contributions.interest.credited",
            target_type="contributions.accountyear",
            target_id=str(year),
            changes={
                "year": year,
                "accounts": len(rows),
                "rate": rate.rate,
                "method": method.value,
            },
        )
    return len(rows)
