"""``onestop create-staff``: create a staff account from the console, without code.

The first security administrator of a fresh database is made this way; every later account
can be made by that administrator in the admin pages. On a database that holds no region yet,
``--province CODE --province-name NAME`` creates the province and its HRSS department first.

The password is asked for twice at the prompt (or read from standard input with
``--password-stdin``) and must pass the password policy. The authenticator (TOTP) is not set
here: the person enrols it at the first sign-in, as every staff member does.
"""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from onestop.audit.services import record
from onestop.common.errors import ServiceError
from onestop.identity import services
from onestop.identity.models import Agency, AgencyKind, Region, RegionLevel, StaffRole


class Command(BaseCommand):
    help = "Create a staff account (the first security administrator, or anyone)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=StaffRole.values)
        parser.add_argument("--name", default="", help="Display name (default: the username).")
        parser.add_argument(
            "--agency", default="", help="Agency code (default: the province's HRSS department)."
        )
        parser.add_argument("--region", default="", help="Region scope (default: the agency's).")
        parser.add_argument("--province", default="", help="Province code for a fresh database.")
        parser.add_argument("--province-name", default="", help="Its name, e.g. 陕西省.")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the password from the first line of standard input (no prompt).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = self._password(options["password_stdin"])
        with transaction.atomic():
            agency = self._agency(options)
            region = agency.region
            if options["region"]:
                found = Region.objects.filter(code=options["region"]).first()
                if found is None:
                    raise CommandError(f"No region {options['region']}.")
                region = found
            try:
                user = services.staff_create(
                    actor=None,
                    username=options["username"],
                    display_name=options["name"] or options["username"],
                    password=password,
                    agency=agency,
                    role=options["role"],
                    region=region,
                )
            except ServiceError as error:
                raise CommandError(f"{error.en} {error.zh}") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {user.username} ({options['role']}, {agency.code}, region "
                f"{region.code}). The authenticator is enrolled at the first sign-in."
            )
        )

    def _password(self, from_stdin: bool) -> str:
        if from_stdin:
            return sys.stdin.readline().rstrip("\r\n")
        if not sys.stdin.isatty():
            raise CommandError("No terminal to ask for the password: use --password-stdin.")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return first

    def _agency(self, options: dict[str, Any]) -> Agency:
        if options["province"]:
            self._bootstrap_province(options["province"], options["province_name"])
        code = options["agency"]
        if not code:
            province = Region.objects.filter(level=RegionLevel.PROVINCE).order_by("code").first()
            if province is None:
                raise CommandError(
                    "The database holds no region yet: give --province CODE --province-name NAME."
                )
            code = f"{province.code}-hrss"
        agency = Agency.objects.filter(code=code).first()
        if agency is None:
            raise CommandError(f"No agency {code}.")
        return agency

    def _bootstrap_province(self, code: str, name: str) -> None:
        if len(code) != 6 or not code.isdigit() or not code.endswith("0000"):
            raise CommandError("--province must be a six-digit province code such as 610000.")
        if Region.objects.filter(code=code).exists():
            return
        if Region.objects.exists():
            raise CommandError("Regions exist already: --province is for a fresh database.")
        if not name:
            raise CommandError("--province-name is required with --province.")
        province = Region.objects.create(code=code, name=name, level=RegionLevel.PROVINCE)
        agency = Agency.objects.create(
            code=f"{code}-hrss",
            name=f"{name}人力资源和社会保障厅",
            kind=AgencyKind.HRSS_BUREAU,
            region=province,
        )
        record(
            actor=None,
            action="identity.bootstrap",
            target=agency,
            changes={"province": code, "agency": agency.code},
        )
