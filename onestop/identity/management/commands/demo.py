"""``onestop demo``: set up the embedded database, load the demo province, serve it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from onestop.identity import demo


class Command(BaseCommand):
    help = "Create and migrate the database, load the demo province once, print logins, serve."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--addr", default="127.0.0.1")
        parser.add_argument(
            "--reset", action="store_true", help="Delete the embedded SQLite database first."
        )
        parser.add_argument(
            "--no-serve", action="store_true", help="Set up and exit without serving."
        )
        parser.add_argument(
            "--persons",
            type=int,
            default=200,
            help="Synthetic insured persons to create (default 200).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["persons"] < 0 or options["persons"] > 2_000_000:
            raise CommandError("--persons must be between 0 and 2000000.")
        if not 0 < options["port"] < 65536:
            raise CommandError("--port must be between 1 and 65535.")
        if options["reset"]:
            self._reset()
        call_command("migrate", interactive=False, verbosity=0)
        if demo.is_loaded():
            self.stdout.write("Demo province already loaded; reusing it (--reset starts over).")
            personas = demo.personas()
        else:
            self.stdout.write(f"Loading the demo province with {options['persons']} persons...")
            personas = demo.load(persons=options["persons"])
        self._print_logins(personas, options)
        if not options["no_serve"]:
            call_command("runserver", f"{options['addr']}:{options['port']}", use_reloader=False)

    def _reset(self) -> None:
        db = settings.DATABASES["default"]
        if db["ENGINE"] != "django.db.backends.sqlite3":
            raise CommandError(
                "--reset only deletes the embedded SQLite database; "
                "drop a PostgreSQL database with its own tools."
            )
        connection.close()
        path = Path(db["NAME"])
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        self.stdout.write(f"Deleted {path}.")

    def _print_logins(self, personas: list[demo.Persona], options: dict[str, Any]) -> None:
        out = self.stdout.write
        out("")
        out(f"Demo logins (password for all: {demo.DEMO_PASSWORD})")
        for p in personas:
            line = f"  {p.login:<20} {p.role:<16} {p.description}"
            out(line)
        out(
            "Staff sign in with a second factor: `uv run onestop totp NAME` prints the current "
            "code of a demo staff login (or add its key to an authenticator app)."
        )
        if not options["no_serve"]:
            out(f"Serving http://{options['addr']}:{options['port']}/  (Ctrl-C to stop)")
