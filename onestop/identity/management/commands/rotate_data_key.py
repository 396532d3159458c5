"""``onestop rotate-data-key``: re-encrypt personal data written with older data keys."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser

from onestop.identity.rotation import rotate_data_key


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field whose value was written with a key other than "
        "ONESTOP_DATA_KEY_VERSION. Keep the old key in ONESTOP_DATA_KEYS until this is done."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=1000)

    def handle(self, *args: Any, **options: Any) -> None:
        counts = rotate_data_key(models=apps.get_models(), batch=options["batch"])
        total = sum(counts.values())
        for label, count in sorted(counts.items()):
            self.stdout.write(f"  {label}: {count} values re-encrypted")
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {total} values."))
