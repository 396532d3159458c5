"""``onestop audit verify``: re-walk the journal's hash chain."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onestop.audit.selectors import journal_verify


class Command(BaseCommand):
    help = "Audit journal tools. 'verify' re-walks the hash chain and names the first break."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        checked, broken = journal_verify()
        if broken is not None:
            raise CommandError(
                f"Journal broken at entry {broken.seq}: {broken.reason} "
                f"({checked} entries before it are intact)."
            )
        self.stdout.write(self.style.SUCCESS(f"Journal intact: {checked} entries verified."))
