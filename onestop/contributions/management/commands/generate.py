"""``onestop generate --persons N --employers M --months K``: a synthetic province at scale."""

from __future__ import annotations

import csv
import random
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from onestop.common.bulk import refresh_statistics
from onestop.common.commands import require_migrated
from onestop.contributions.files import TEMPLATE_HEADER
from onestop.contributions.generate import Generated, declare_months, people
from onestop.contributions.periods import current_period, month_of, period_of


def export(generated: Generated, folder: Path) -> None:
    """One declaration file per employer (template columns), for `onestop declare`."""
    folder.mkdir(parents=True, exist_ok=True)
    for employer_id, rows in generated.people.items():
        with (folder / f"employer-{employer_id}.csv").open(
            "w", newline="", encoding="utf-8-sig"
        ) as handle:
            writer = csv.writer(handle)
            writer.writerow(TEMPLATE_HEADER)
            writer.writerows((number, "", f"{wage:.2f}") for number, wage in rows)


class Command(BaseCommand):
    help = "Generate persons, employers, employments and declared months with bulk paths."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--persons", type=int, default=10_000)
        parser.add_argument("--employers", type=int, default=100)
        parser.add_argument("--months", type=int, default=3)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--export",
            type=Path,
            default=None,
            help="Write one declaration CSV per employer into this folder.",
        )
        parser.add_argument(
            "--slow-path",
            action="store_true",
            help="Declare the months through the declaration service, one employer and month "
            "at a time (the bulk path's reference), not in bulk.",
        )
        parser.add_argument(
            "--quiet",
            action="store_true",
            help="No progress bar (it is drawn on standard error only when that is a terminal).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        require_migrated()
        persons, employers, months = options["persons"], options["employers"], options["months"]
        if not (1 <= persons <= 20_000_000 and 1 <= employers <= persons and 0 <= months <= 120):
            raise CommandError("Need 1 <= employers <= persons <= 20000000 and 0 <= months <= 120.")
        last = month_of(current_period(timezone.localdate())).plus(-1)
        first = period_of(last.plus(-months + 1)) if months else period_of(last)
        bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=Console(file=sys.stderr),
            disable=options["quiet"] or not sys.stderr.isatty(),
        )
        with bar:
            loading = bar.add_task("persons", total=persons)
            started = time.perf_counter()
            generated = people(
                count=persons,
                employers=employers,
                rng=random.Random(options["seed"]),
                start_period=first,
                progress=lambda n: bar.advance(loading, n),
            )
            loaded = time.perf_counter()
            declaring = bar.add_task("declared months", total=months)
            # The bar moves a month at a time; each month is one bulk declaration of every
            # employer (or one service call per employer with --slow-path).
            declared = declare_months(
                generated,
                first_period=first,
                months=months,
                bulk=not options["slow_path"],
                progress=lambda: bar.advance(declaring),
            )
            refresh_statistics()
            done = time.perf_counter()
        if options["export"] is not None:
            export(generated, options["export"])
            self.stdout.write(f"Declaration files for each employer in {options['export']}/")
        loading_seconds, declaring_seconds = loaded - started, done - loaded
        self.stdout.write(
            f"{persons} persons and {employers} employers loaded in {loading_seconds:.1f} s "
            f"({persons / max(loading_seconds, 1e-9):,.0f} persons/s); {declared} declarations "
            f"({persons * months} rows) posted in {declaring_seconds:.1f} s "
            f"({persons * months / max(declaring_seconds, 1e-9):,.0f} rows/s)."
        )
