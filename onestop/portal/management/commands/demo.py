"""``onestop demo``: set up the embedded database, load the demo province, serve it."""

from __future__ import annotations

import json
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from onestop.applications import demo as applications_demo
from onestop.common import scheduler
from onestop.common.bulk import refresh_statistics
from onestop.contributions import demo as contributions_demo
from onestop.contributions import payer_demo
from onestop.dashboards.rollup import full_range, rollup
from onestop.exchange import algorithms, signing
from onestop.exchange import demo as exchange_demo
from onestop.exchange.outbox import outbox_flush
from onestop.identity import demo
from onestop.identity.auth import phone_index
from onestop.identity.models import Employer, Person, Region
from onestop.pensions import demo as pensions_demo
from onestop.pensions.models import SurvivorBenefit
from onestop.pensions.services import payroll_run, retirement_notices_run
from onestop.portal import demo as portal_demo
from onestop.quality import demo as quality_demo
from onestop.reviews import demo as reviews_demo
from onestop.supervision.services import clock_run
from onestop.unemployment import demo as unemployment_demo

#: Threads of the demo's WSGI server (one process).
THREADS = 8


def _answers(url: str, process: subprocess.Popen[bytes], timeout: float = 90.0) -> bool:
    """Whether the simulator at ``url`` accepts connections within ``timeout`` seconds."""
    parsed = urlsplit(url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with socket.create_connection((parsed.hostname, parsed.port), timeout=1):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def web_server(*, addr: str, port: int) -> Any:
    """The demo's web server, bound and ready to ``run()``: waitress, a production WSGI server
    (one process, ``THREADS`` threads) that runs wherever the README's commands do; static
    files through whitenoise. Raises ``OSError`` when the address is taken."""
    import waitress.server
    from django.core.wsgi import get_wsgi_application

    middleware = "whitenoise.middleware.WhiteNoiseMiddleware"
    if middleware not in settings.MIDDLEWARE:  # not production: from the sources, uncollected
        settings.MIDDLEWARE = [settings.MIDDLEWARE[0], middleware, *settings.MIDDLEWARE[1:]]
        settings.WHITENOISE_USE_FINDERS = True
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # else it warns
    return waitress.server.create_server(
        get_wsgi_application(), host=addr, port=port, threads=THREADS, ident="onestop"
    )


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
            "--debug",
            action="store_true",
            help="Serve Django's debug pages (tracebacks in error answers); never for visitors.",
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
        # The var folder holds the simulators' state and the demo keys whatever the database
        # (settings make it only for the embedded SQLite file).
        Path(settings.VAR_DIR).mkdir(parents=True, exist_ok=True)
        if options["reset"]:
            self._reset()
        call_command("migrate", interactive=False, verbosity=0)
        if demo.is_loaded():
            self.stdout.write("Demo province already loaded; reusing it (--reset starts over).")
            personas = demo.personas()
            key_file = Path(settings.VAR_DIR) / exchange_demo.BANK_FILE
            if key_file.exists():
                self.stdout.write(f"Demo bank's signing key (bank-xian, Ed25519): {key_file}")
        else:
            self.stdout.write(f"Loading the demo province with {options['persons']} persons...")
            self._medical_endpoint(options)
            personas = self._load(options["persons"])
            refresh_statistics()
        self._print_logins(personas, options)
        if options["no_serve"]:
            return
        simulator = self._start_tax_simulator(options)
        registries = self._start_registries(options)
        stop = None
        try:
            # The jobs talk to the simulators: they start once both answer.
            for name, url, process in (
                ("tax collection simulator", settings.ONESTOP_TAX_URL, simulator),
                ("registry simulator", settings.ONESTOP_REGISTRY_URL, registries),
            ):
                if process is not None and not _answers(url, process):
                    self.stderr.write(
                        f"The {name} at {url} is not answering yet; the jobs that need it "
                        "log one line and try again at their next run."
                    )
            if registries is not None:
                # What the load sent the departments before their simulator ran (the medical
                # insurance batch) is delivered now, not at the next retry.
                outbox_flush()
            if settings.CELERY_TASK_ALWAYS_EAGER:  # no broker: no beat either
                stop = scheduler.start()
                self.stdout.write(
                    "Periodic jobs (time-limit clock, payments, interest) run in-process."
                )
            if not options["debug"]:
                # The demo is shown to people: errors answer the plain pages, not a traceback.
                settings.DEBUG = False
            self._serve(options)
        finally:
            if stop is not None:
                stop.set()
            for process in (simulator, registries):
                if process is not None:
                    process.terminate()

    def _serve(self, options: dict[str, Any]) -> None:
        """Serve until Ctrl-C or TERM (see ``web_server``)."""

        def stop(signum: int, frame: Any) -> None:
            raise KeyboardInterrupt  # a service manager's TERM stops it as Ctrl-C does

        signal.signal(signal.SIGTERM, stop)
        try:
            server = web_server(addr=options["addr"], port=options["port"])
            self.stdout.write(
                f"Serving http://{options['addr']}:{options['port']}/ with waitress, {THREADS} "
                "threads (Ctrl-C to stop)"
            )
            server.run()
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")
        except OSError as exc:
            raise CommandError(
                f"Cannot serve on {options['addr']}:{options['port']}: {exc.strerror or exc}. "
                "Choose another with --port."
            ) from None

    @transaction.atomic
    def _load(self, persons: int) -> list[demo.Persona]:
        personas = demo.load(persons=persons)
        zhou = pensions_demo.zhou(Region.objects.get(code="610113"))
        personas.append(demo.Persona(zhou.resident_id, "citizen", demo.ZHOU_LABEL))
        sun = unemployment_demo.person(Region.objects.get(code="610113"))
        personas.append(demo.Persona(sun.resident_id, "citizen", unemployment_demo.SUN_LABEL))
        employers = list(Employer.objects.filter(name__in=demo.PERSONA_EMPLOYERS).order_by("pk"))
        named = list(Person.objects.filter(user__isnull=False).order_by("pk"))
        figures = contributions_demo.load(
            employers=employers, staff_persons=named, rng=random.Random(20261123)
        )
        self.stdout.write(
            "Contributions: {declarations} declarations, {bills_paid} bills "
            "paid, {accounts_credited} yearly account credits (every year closed before "
            "today).".format(**figures)
        )
        pensions_demo.history(zhou)
        fang = payer_demo.fang(zhou.region)
        personas.append(demo.Persona(fang.resident_id, "citizen", payer_demo.FANG_LABEL))
        self.stdout.write(
            "Flexible employment: 方灵活 pays quarterly as an individual (two quarters paid; "
            f"this quarter's bill goes to the tax simulator), login {payer_demo.FANG_PHONE}."
        )
        cases = applications_demo.load(
            retiree=pensions_demo.retiree(zhou.region), history=pensions_demo.history
        )
        told = retirement_notices_run()
        run = payroll_run(actor=None, period=timezone.localdate().strftime("%Y-%m"))
        self.stdout.write(
            f"Retirement: {told} people told they reach or passed their retirement age, "
            f"among them 周建国 (born 1965-12, login {pensions_demo.ZHOU_PHONE}), who worked "
            "15 years in Henan and can apply now."
        )
        self.stdout.write(f"Pension payroll {run.period}: {run.count} payments, {run.total}.")
        jobless = unemployment_demo.load(unemployed=sun)
        self.stdout.write(
            'Unemployment: bob removed 孙立业 (login {phone}) for "{reason}"; she registered '
            "and claimed online, carol approved {case} ({months} months of {monthly}), the "
            "{payroll} unemployment payroll paid {paid}, with {medical} yuan of medical "
            "insurance on her behalf.".format(
                phone=unemployment_demo.SUN_PHONE, reason=unemployment_demo.REASON, **jobless
            )
        )
        rated = reviews_demo.load()
        joint = pensions_demo.joint_reviews()
        report = clock_run()
        self.stdout.write(
            f"Cases: {cases['cases']} in Yanta's queue and {joint['joint_reviews']} death "
            "cases in joint review (cheng, mei: one yellow, one red); the clock raised "
            f"{report.red} red and {report.yellow} yellow warnings."
        )
        alice = Person.objects.get(phone_index=phone_index("13800000001"))
        deceased = (
            Person.objects.filter(region__code="610113", user__isnull=True)
            .exclude(pk__in=SurvivorBenefit.objects.values("person"))  # the joint reviews'
            .order_by("birth_date")
            .first()
        )
        assert deceased is not None
        shared = exchange_demo.load(
            state_file=self._registry_state(), alice=alice, deceased=deceased
        )
        key_file = exchange_demo.bank_credentials_write(
            var_dir=Path(settings.VAR_DIR),
            private_key=shared["bank_key"],
            public_key=shared["bank_public_key"],
            subject=shared["subject"],
        )
        state = json.loads(self._registry_state().read_text(encoding="utf-8"))
        pensions_demo.provinces(
            state=state,
            signing_key=state["signing_key"],
            platform_key=signing.public_key_hex(algorithms.ED25519),
            alice=alice,
        )
        self._registry_state().write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
        bereaved = pensions_demo.bereavement(
            deceased=deceased, declarant=alice, died_on=shared["died_on"]
        )
        self.stdout.write(
            "Data sharing: civil affairs reported the death of "
            f"{shared['deceased']} ({bereaved}); alice registered it and is told the "
            "survivors' benefits: she claims them online with no certificate to upload. A demo "
            "bank has queried alice with her consent."
        )
        self.stdout.write(
            f"Demo bank's signing key (bank-xian, Ed25519): {key_file} "
            "(docs/exchange.md signs a query with it)."
        )
        first, last = full_range()
        rolled = rollup(since=first, until=last)
        quality = quality_demo.load()
        articles = portal_demo.load()
        self.stdout.write(
            f"Ratings: {rated['rated']} demo cases rated at Yanta's counter, {rated['bad']} "
            "badly (its rectification is called back, to be rectified), and "
            f"{rated['visits']} counter visit without a case. Dashboards: "
            f"{rolled} monthly figures rolled up. Data quality: {quality['found']} findings "
            "on the work list (two legacy records in Yanta). Portal: "
            f"{articles['published']} articles published by erin and sam, one scheduled for "
            "tomorrow, one in review."
        )
        return personas

    def _medical_endpoint(self, options: dict[str, Any]) -> None:
        """The medical insurance department's endpoint for the load's payroll batch: the
        registry simulator the demo starts (``_start_registries``), unless one is set."""
        if settings.ONESTOP_REGISTRY_URL or "medical_insurance=" in (
            settings.ONESTOP_REGISTRY_URLS or ""
        ):
            return
        url = f"http://127.0.0.1:{options['port'] + 20}"
        entries = [e for e in (settings.ONESTOP_REGISTRY_URLS or "").split(";") if e.strip()]
        settings.ONESTOP_REGISTRY_URLS = ";".join([*entries, f"medical_insurance={url}"])

    def _registry_state(self) -> Path:
        return Path(settings.VAR_DIR) / "registries.json"

    def _start_registries(self, options: dict[str, Any]) -> subprocess.Popen[bytes] | None:
        """The other departments' registries, as their own process beside the platform."""
        if settings.ONESTOP_REGISTRY_URL:
            return None
        port = options["port"] + 20
        push = f"http://{options['addr']}:{options['port']}/api/v1/gateway/events"
        process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "onestop.cli",
                "simulate",
                "registries",
                "--port",
                str(port),
                "--state",
                str(self._registry_state()),
                "--push",
                push,
            ]
        )
        settings.ONESTOP_REGISTRY_URL = f"http://127.0.0.1:{port}"
        if not settings.ONESTOP_TRANSFER_HUB_URL:  # the simulator plays the other provinces too
            settings.ONESTOP_TRANSFER_HUB_URL = settings.ONESTOP_REGISTRY_URL
        if not settings.ONESTOP_CHECKPOINT_WITNESS:  # and the witness of journal checkpoints
            settings.ONESTOP_CHECKPOINT_WITNESS = "witness"
            # Another shell knows nothing of this process's settings: say how to reach it.
            self.stdout.write(
                "Journal checkpoints are witnessed by the registry simulator; to verify the "
                "journal against it from another shell: "
                f"ONESTOP_REGISTRY_URL={settings.ONESTOP_REGISTRY_URL} "
                "ONESTOP_CHECKPOINT_WITNESS=witness uv run onestop audit verify --witness"
            )
        self.stdout.write(
            f"Registry simulator (civil affairs, public security...): "
            f"{settings.ONESTOP_REGISTRY_URL}/ (register a death there: it is pushed here)"
        )
        return process

    def _start_tax_simulator(self, options: dict[str, Any]) -> subprocess.Popen[bytes] | None:
        """The collecting authority, as its own process beside the platform."""
        if settings.ONESTOP_TAX_URL:
            return None  # a real (or separately run) authority is configured
        port = options["port"] + 10
        state = Path(settings.VAR_DIR) / "tax-simulator.json"
        process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "onestop.cli",
                "simulate",
                "tax",
                "--port",
                str(port),
                "--state",
                str(state),
            ]
        )
        settings.ONESTOP_TAX_URL = f"http://127.0.0.1:{port}"
        self.stdout.write(
            f"Tax collection simulator: {settings.ONESTOP_TAX_URL}/ "
            "(pay bills there, then 'Check for payments now' on the bills page)"
        )
        return process

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
        (Path(settings.VAR_DIR) / "tax-simulator.json").unlink(missing_ok=True)
        self._registry_state().unlink(missing_ok=True)
        self.stdout.write(f"Deleted {path}.")

    def _print_logins(self, personas: list[demo.Persona], options: dict[str, Any]) -> None:
        out = self.stdout.write
        out("")
        out(f"Demo logins (password for all: {demo.DEMO_PASSWORD})")
        for p in personas:
            out(f"  {p.login:<20} {p.role:<16} {p.description}")
        out(
            "Staff sign in with a second factor: `uv run onestop totp NAME` prints the current "
            "code of a demo staff login (or add its key to an authenticator app)."
        )
        out(
            f"To try the employer services: bob enrols {exchange_demo.NEWCOMER_NAME} "
            f"({exchange_demo.NEWCOMER_ID}, never insured) from an employer's Employees page; "
            f"alice registers {exchange_demo.STARTUP_NAME} ({exchange_demo.STARTUP_CODE}) "
            "as its legal representative (SX-SI-001)."
        )
