"""``onestop ledger verify`` and ``onestop ledger credit-interest YEAR``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onestop.contributions.interest import account_interest_credit
from onestop.contributions.selectors import ledger_verify


class Command(BaseCommand):
    help = (
        "Ledger tools: 'verify' checks the invariants (exit 1 naming offending rows); "
        "'credit-interest' credits a year."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "credit-interest"])
        parser.add_argument("year", nargs="?", type=int)
        parser.add_argument("--province", default="610000")
        parser.add_argument(
            "--limit", type=int, default=50, help="Offending rows named per invariant."
        )

    def handle(self, *args: Any, **options: Any) -> None:
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
