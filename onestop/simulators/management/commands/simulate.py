"""``onestop simulate tax --port 8010``: run a department simulator as its own process."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

from django.core.management.base import BaseCommand, CommandParser

from onestop.simulators.registries import RegistrySimulator
from onestop.simulators.tax import TaxSimulator


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


class Command(BaseCommand):
    help = "Run a local simulator of other departments' systems (tax, registries)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("system", choices=["tax", "registries"])
        parser.add_argument("--port", type=int, default=8010)
        parser.add_argument("--addr", default="127.0.0.1")
        parser.add_argument("--key", default="", help="Required X-Api-Key, if any.")
        parser.add_argument(
            "--state",
            type=Path,
            default=None,
            help="JSON file that keeps the simulator's state across restarts.",
        )

        parser.add_argument(
            "--push", default="", help="registries: where to push events (the platform's URL)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        app: Any
        if options["system"] == "registries":
            app = RegistrySimulator(
                api_key=options["key"], state_file=options["state"], push_url=options["push"]
            )
            label = "Registry simulator"
        else:
            app = TaxSimulator(api_key=options["key"], state_file=options["state"])
            label = "Tax collection simulator"
        with make_server(options["addr"], options["port"], app, handler_class=_Quiet) as server:
            self.stdout.write(f"{label} on http://{options['addr']}:{options['port']}/")
            server.serve_forever()
