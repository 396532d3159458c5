"""``onestop bench posting --rows N``: the benchmarks under bench/."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onestop.common.commands import require_migrated


class Command(BaseCommand):
    help = (
        "Run a benchmark from bench/ (posting, payroll, dashboards, reads); the last line is JSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", choices=["posting", "payroll", "dashboards", "reads"])
        parser.add_argument("--rows", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument(
            "--persons", type=int, default=100_000, help="reads: persons in the database"
        )
        parser.add_argument(
            "--duration", type=int, default=10, help="reads: seconds of load per endpoint"
        )
        parser.add_argument(
            "--connections", type=int, default=16, help="reads: concurrent connections"
        )
        parser.add_argument(
            "--workers", type=int, default=0, help="reads: gunicorn workers (0: 2 per CPU)"
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=4,
            help="reads: threads per gunicorn worker (docs/deployment.md: 4, gthread; 1: sync)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        require_migrated()
        if not 1 <= options["rows"] <= 10_000_000:
            raise CommandError("--rows must be between 1 and 10000000.")
        if not 1 <= options["persons"] <= 10_000_000:
            raise CommandError("--persons must be between 1 and 10000000.")
        if not (1 <= options["duration"] <= 600 and 1 <= options["connections"] <= 1000):
            raise CommandError("--duration must be 1 to 600 and --connections 1 to 1000.")
        if not 0 <= options["workers"] <= 64:
            raise CommandError("--workers must be between 0 and 64.")
        if not 1 <= options["threads"] <= 64:
            raise CommandError("--threads must be between 1 and 64.")
        try:
            from bench import dashboards, payroll, posting, reads
        except ImportError as exc:  # pragma: no cover - only outside a source checkout
            raise CommandError("bench/ is part of the source checkout; run from it.") from exc
        try:
            if options["name"] == "reads":
                reads.run(
                    persons=options["persons"],
                    duration=options["duration"],
                    connections=options["connections"],
                    workers=options["workers"],
                    threads=options["threads"],
                    seed=options["seed"],
                    write=self.stdout.write,
                )
                return
            module = {"payroll": payroll, "posting": posting, "dashboards": dashboards}[
                options["name"]
            ]
            module.run(rows=options["rows"], seed=options["seed"], write=self.stdout.write)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
