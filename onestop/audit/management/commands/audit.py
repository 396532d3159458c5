"""``onestop audit verify``: re-walk the journal's hash chain and check it against the latest
signed checkpoint (``--checkpoint FILE`` for another, ``--witness`` for the witness's copy);
``onestop audit checkpoint``: issue a signed checkpoint of the head now."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onestop.audit.selectors import journal_verify

# Checkpoints are signed with the platform key, which the exchange context holds; this
# command is an entry point like config, so it may reach up (see pyproject's import contract).
from onestop.exchange import checkpoints


class Command(BaseCommand):
    help = (
        "Audit journal tools. 'verify' re-walks the hash chain, names the first break and "
        "checks the journal against the latest signed checkpoint; 'checkpoint' issues one now."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "checkpoint"])
        parser.add_argument(
            "--checkpoint",
            type=Path,
            default=None,
            help="verify against this checkpoint file (default: the latest one written)",
        )
        parser.add_argument(
            "--witness",
            action="store_true",
            help="verify against the latest checkpoint the configured witness holds",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "checkpoint":
            issued = checkpoints.checkpoint_issue()
            seq = issued.document["checkpoint"]["seq"]
            note = (
                "no witness configured"
                if issued.delivered is None
                else "delivered to the witness"
                if issued.delivered
                else "NOT delivered to the witness"
            )
            self.stdout.write(f"Checkpoint of entry {seq} written to {issued.path} ({note}).")
            if issued.delivered is False:
                raise CommandError("The witness did not take the checkpoint; it is kept locally.")
            return
        checked, broken = journal_verify()
        if broken is not None:
            raise CommandError(
                f"Journal broken at entry {broken.seq}: {broken.reason} "
                f"({checked} entries before it are intact)."
            )
        source: Any = ""
        if not options["witness"]:
            source = options["checkpoint"] or checkpoints.checkpoint_latest() or ""
        try:
            if options["witness"]:
                source = "the witness"
                document = checkpoints.checkpoint_from_witness()
            elif source:
                document = checkpoints.checkpoint_load(Path(source))
            else:
                document = None
        except checkpoints.CheckpointInvalid as exc:
            raise CommandError(f"Checkpoint {source} cannot be used: {exc}.") from exc
        if document is None:
            self.stdout.write(
                self.style.WARNING(
                    f"Journal intact: {checked} entries verified; no checkpoint to check "
                    "against (run 'onestop audit checkpoint')."
                )
            )
            return
        disagreement = checkpoints.checkpoint_check(document)
        seq = document["checkpoint"]["seq"]
        if disagreement is not None:
            raise CommandError(f"Journal disagrees with checkpoint {source}: {disagreement}.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Journal intact: {checked} entries verified; it agrees with the checkpoint "
                f"of entry {seq} ({source})."
            )
        )
