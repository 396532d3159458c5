"""``onestop exchange export FILE`` writes the gateway's message log as a signed bundle;
``onestop exchange verify FILE [--key KEY]`` checks one offline (no database needed).

Verification trusts this platform's own signing key (configured in its settings: the key
``GET /api/v1/certificates/keys`` publishes) unless ``--key`` pins another: the key itself or
a file holding it, as hex or base64, or the keys endpoint's JSON saved to a file. A bundle
signed by any other key fails with exit status 1, whatever key the bundle names."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onestop.exchange import algorithms, signing
from onestop.exchange.gateway import bundle_verify, log_export


class Command(BaseCommand):
    help = "Data-sharing gateway tools: export the message log as a signed bundle; verify one."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["export", "verify"])
        parser.add_argument("file", type=Path)
        parser.add_argument("--since", default="", help="export: entries from this date on")
        parser.add_argument(
            "--key",
            default="",
            help=(
                "verify: the gateway public key to trust instead of this platform's own: "
                "hex or base64, or a file holding it (or the JSON of /api/v1/certificates/keys)"
            ),
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
        kind = algorithms.ED25519
        if isinstance(bundle, dict) and isinstance(bundle.get("content"), dict):
            kind = str(bundle["content"].get("algorithm") or algorithms.ED25519)
        pinned = _pinned_key(options["key"], kind) if options["key"] else None
        problems = bundle_verify(bundle, public_key=pinned)
        if problems:
            raise CommandError("Bundle NOT intact: " + "; ".join(problems))
        count = bundle["content"]["count"]
        trusted = "the pinned key" if pinned else "this platform's signing key"
        self.stdout.write(
            self.style.SUCCESS(
                f"Bundle intact: {count} messages, signed by {trusted} ({kind}, key id "
                f"{signing.key_id(bytes.fromhex(pinned or signing.public_key_hex(kind)))})."
            )
        )


def _pinned_key(spec: str, kind: str) -> str:
    """The key ``--key`` gives, as hex: the value itself or a file's content, hex or base64,
    or the keys endpoint's JSON (its key for the bundle's algorithm)."""
    path = Path(spec)
    text = spec
    if len(spec) < 4096 and path.is_file():
        try:
            text = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read the key file {path}: {exc}") from exc
    if text.startswith("{"):
        try:
            keys = json.loads(text)["keys"]
            text = next(k["public_key"] for k in keys if str(k["algorithm"]).lower() == kind)
        except (json.JSONDecodeError, KeyError, TypeError, StopIteration) as exc:
            raise CommandError(f"The key file holds no {kind} key.") from exc
    try:
        return algorithms.public_key_from_text(kind, text)
    except ValueError as exc:
        raise CommandError(f"--key: {exc}.") from exc
