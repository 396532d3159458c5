"""``onestop exchange export FILE`` writes the gateway's message log as a signed bundle;
``onestop exchange verify FILE`` checks one offline (no database needed)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onestop.exchange.gateway import bundle_verify, log_export


class Command(BaseCommand):
    help = "Data-sharing gateway tools: export the message log as a signed bundle; verify one."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["export", "verify"])
        parser.add_argument("file", type=Path)
        parser.add_argument("--since", default="", help="export: entries from this date on")
        parser.add_argument(
            "--key", default="", help="verify: the gateway's public key (hex) to trust"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if options["action"] == "export":
            since = None
            if options["since"]:
                try:
                    since = dt.datetime.combine(
                        dt.date.fromisoformat(options["since"]), dt.time(), tzinfo=dt.UTC
                    )
                except ValueError as exc:
                    raise CommandError("--since takes YYYY-MM-DD.") from exc
            bundle = log_export(since=since)
            path.write_text(json.dumps(bundle, ensure_ascii=False, indent=1), encoding="utf-8")
            self.stdout.write(f"Exported {bundle['content']['count']} messages to {path}.")
            return
        try:
            bundle = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        problems = bundle_verify(bundle, public_key=options["key"] or None)
        if problems:
            raise CommandError("Bundle NOT intact: " + "; ".join(problems))
        count = bundle["content"]["count"]
        trusted = "the given key" if options["key"] else "the key it names (pass --key to pin it)"
        self.stdout.write(
            self.style.SUCCESS(f"Bundle intact: {count} messages, signed by {trusted}.")
        )
