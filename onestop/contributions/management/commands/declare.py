"""``onestop declare --employer ID --period YYYY-MM FILE``: declare a month from a file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import InterfaceError, OperationalError

from onestop.common.commands import require_migrated
from onestop.common.errors import ServiceError
from onestop.contributions import files, services
from onestop.contributions.periods import parse_period
from onestop.identity.models import Employer
from onestop.rules.values import RuleError


class Command(BaseCommand):
    help = (
        "Declare a month's wages for an employer from a CSV or XLSX file (as the system). "
        "Prints the reply as JSON; exits 1 with the row-level reasons when refused, or with "
        "one line when the database connection is lost (nothing is saved then)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--employer", type=int, required=True)
        parser.add_argument("--period", required=True)
        parser.add_argument("--kind", default="regular")
        parser.add_argument("--idempotency-key", default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        require_migrated()
        try:
            self._declare(options)
        except (OperationalError, InterfaceError) as exc:
            # The declaration is one transaction: a connection lost before it committed
            # leaves nothing behind, and the same command (or key) can simply run again.
            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise CommandError(
                f"The database connection was lost ({reason}): nothing was saved. "
                "Running the same command again is safe."
            ) from None

    def _declare(self, options: dict[str, Any]) -> None:
        employer = Employer.objects.select_related("region").filter(pk=options["employer"]).first()
        if employer is None:
            raise CommandError(f"No employer {options['employer']}.")
        path: Path = options["file"]
        try:
            rows = files.parse(path.name, path.read_bytes())
            result = services.declaration_submit(
                actor=None,
                employer=employer,
                period=parse_period(options["period"]),
                rows=rows,
                kind=options["kind"],
                idempotency_key=options["idempotency_key"],
            )
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        except (ServiceError, RuleError) as exc:
            raise CommandError(exc.en) from exc
        self.stdout.write(json.dumps(result.reply, ensure_ascii=False))
        if not result.accepted:
            raise CommandError(f"Declaration refused: {len(result.errors)} problem(s).")
