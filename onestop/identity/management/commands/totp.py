"""``onestop totp NAME``: the current code of a demo staff login (demo and development only)."""

from __future__ import annotations

from typing import Any

import pyotp
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from onestop.identity.demo import DEMO_TOTP
from onestop.identity.models import User


class Command(BaseCommand):
    help = "Print the current authenticator code of a demo staff login (not in production)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--key",
            action="store_true",
            help="Print the login's authenticator key and otpauth:// URI instead.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if getattr(settings, "PRODUCTION", False):
            raise CommandError("Not available in production.")
        name = options["username"]
        secret = DEMO_TOTP.get(name)
        user = User.objects.filter(username=name).first()
        if secret is None or user is None or user.totp_secret != secret:
            raise CommandError(f"{name} is not a demo staff login with the demo authenticator.")
        if options["key"]:
            self.stdout.write(secret)
            self.stdout.write(pyotp.TOTP(secret).provisioning_uri(name=name, issuer_name="onestop"))
            return
        self.stdout.write(pyotp.TOTP(secret).now())
