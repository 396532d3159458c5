"""``onestop ledger verify``, ``onestop ledger credit-interest YEAR`` and ``onestop ledger
partitions [YEAR]``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from onestop.contributions import partitions
from onestop.contributions.interest import account_interest_credit
from onestop.contributions.periods import current_period
from onestop.contributions.selectors import ledger_verify


class Command(BaseCommand):
    help = (
        "Ledger tools: 'verify' checks the invariants (exit 1 naming offending rows); "
        "'credit-interest' credits a year; 'partitions' creates the contribution detail's "
        "yearly partitions (PostgreSQL) up to YEAR (default: next year)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "credit-interest", "partitions"])
        parser.add_argument("year", nargs="?", type=int)
        parser.add_argument("--province", default="610000")
        parser.add_argument(
            "--limit", type=int, default=50, help="Offending rows named per invariant."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "partitions":
            this_year = current_period(timezone.localdate()) // 100
            last = options["year"] or this_year + 1
            made = partitions.create_partitions(years=range(this_year, last + 1))
            self.stdout.write(
                self.style.SUCCESS(
                    f"Partitions created: {', '.join(map(str, made)) or 'none needed'}."
                )
            )
            return
        if options["action"] == "credit-interest":
            if not options["year"]:
                raise CommandError("Give the year to credit, e.g. credit-interest 2024.")
            count = account_interest_credit(
                actor=None, year=options["year"], province=options["province"]
            )
            self.stdout.write(
                self.style.SUCCESS(f"Credited {count} accounts for {options['year']}.")
            )
            return
        violations = ledger_verify(progress=self.stdout.write, limit=options["limit"])
        if violations:
            for v in violations:
                self.stderr.write(f"{v.rule}: {v.detail}")
            raise CommandError(f"Ledger invariants broken: {len(violations)} finding(s).")
        self.stdout.write(self.style.SUCCESS("Ledger invariants hold."))
