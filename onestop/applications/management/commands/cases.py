"""``onestop cases verify``: every open case step has someone who can act on it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onestop.applications.selectors import steps_stranded


class Command(BaseCommand):
    help = (
        "Case tools: 'verify' lists every open step nobody can act on (no active eligible "
        "staff, or a holder who may no longer act) and exits non-zero if there is one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        stranded = steps_stranded()
        for s in stranded:
            self.stderr.write(
                f"{s.number} {s.task} (lane {s.lane}, region {s.region}"
                f"{', held by ' + s.holder if s.holder else ''}): {s.reason}"
            )
        if stranded:
            raise CommandError(f"Open steps nobody can act on: {len(stranded)}.")
        self.stdout.write(self.style.SUCCESS("Every open step has someone who can act on it."))
