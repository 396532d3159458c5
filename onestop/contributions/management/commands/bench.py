"""``onestop bench posting --rows N``: the benchmarks under bench/."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Run a benchmark from bench/ (posting, payroll, dashboards); the last line is JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", choices=["posting", "payroll", "dashboards"])
        parser.add_argument("--rows", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args: Any, **options: Any) -> None:
        if not 1 <= options["rows"] <= 10_000_000:
            raise CommandError("--rows must be between 1 and 10000000.")
        try:
            from bench import dashboards, payroll, posting
        except ImportError as exc:  # pragma: no cover - only outside a source checkout
            raise CommandError("bench/ is part of the source checkout; run from it.") from exc
        try:
            module = {"payroll": payroll, "posting": posting, "dashboards": dashboards}[
                options["name"]
            ]
            module.run(rows=options["rows"], seed=options["seed"], write=self.stdout.write)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
