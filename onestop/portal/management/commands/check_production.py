"""``onestop check-production``: is this deployment ready to serve? Exit 1 on any problem.

Checks, each printed as OK or FAIL with the reason: production mode and its settings (Django's
own deployment checks included), the keys, the database reachable and every migration applied,
the static files collected, the cache and the Celery broker reachable, and the audit journal's
hash chain intact. Run it after every deployment and from monitoring.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from onestop.audit.selectors import journal_verify

Check = Callable[[], str]  # returns a short OK detail; raises with the reason on a problem


def _mode() -> str:
    if not getattr(settings, "PRODUCTION", False):
        raise RuntimeError("ONESTOP_ENV is not 'production'.")
    if settings.DEBUG:
        raise RuntimeError("DEBUG is on.")
    if len(settings.SECRET_KEY) < 50:
        raise RuntimeError("SECRET_KEY is shorter than 50 characters.")
    if not settings.ALLOWED_HOSTS or "*" in settings.ALLOWED_HOSTS:
        raise RuntimeError("ALLOWED_HOSTS must name the hosts served.")
    return f"production, hosts {', '.join(settings.ALLOWED_HOSTS)}"


def _deploy_checks() -> str:
    problems = [
        m
        for m in checks.run_checks(include_deployment_checks=True)
        if m.level >= checks.ERROR
        or (m.level >= checks.WARNING and (m.id or "").startswith("security"))
    ]
    # SECURE_SSL_REDIRECT may be off where the reverse proxy redirects; say so, not fail.
    problems = [m for m in problems if m.id != "security.W008"]
    if problems:
        raise RuntimeError("; ".join(f"{m.id}: {m.msg}" for m in problems))
    return "Django's deployment checks pass"


def _keys() -> str:
    missing = [
        name
        for name in ("ONESTOP_DATA_KEYS", "ONESTOP_INDEX_KEY", "ONESTOP_SIGNING_KEY")
        if not getattr(settings, name, "")
    ]
    if missing:
        raise RuntimeError(f"not set: {', '.join(missing)}")
    return "personal-data, index and signing keys set"


def _migrations() -> str:
    connection.ensure_connection()
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in plan[:5])
        raise RuntimeError(f"{len(plan)} migrations not applied ({names}): run onestop migrate")
    return f"{connection.vendor}, every migration applied"


def _static() -> str:
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.exists():
        raise RuntimeError(f"{manifest} missing: run onestop collectstatic")
    return f"collected in {settings.STATIC_ROOT}"


def _cache() -> str:
    cache.set("onestop:check-production", "ok", 10)
    if cache.get("onestop:check-production") != "ok":
        raise RuntimeError("the cache did not keep a value")
    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    if backend == "LocMemCache":
        raise RuntimeError("the cache is per process (set REDIS_URL): limits and sessions split")
    return backend


def _broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        raise RuntimeError("no CELERY_BROKER_URL: background work would run inside web requests")
    from config.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=5)
    return str(conn.as_uri())


def _journal() -> str:
    checked, broken = journal_verify()
    if broken is not None:
        raise RuntimeError(f"broken at entry {broken.seq}: {broken.reason}")
    return f"{checked} entries intact"


CHECKS: list[tuple[str, Check]] = [
    ("settings", _mode),
    ("deployment checks", _deploy_checks),
    ("keys", _keys),
    ("database", _migrations),
    ("static files", _static),
    ("cache", _cache),
    ("broker", _broker),
    ("audit journal", _journal),
]


class Command(BaseCommand):
    help = "Check that this deployment is ready for production; exit 1 on any problem."
    requires_system_checks: list[str] = []  # run them ourselves, reported as one line

    def handle(self, *args: Any, **options: Any) -> None:
        failed = 0
        for name, check in CHECKS:
            try:
                detail = check()
            except Exception as error:  # every problem is reported, never a traceback
                failed += 1
                self.stdout.write(self.style.ERROR(f"FAIL  {name}: {error}"))
            else:
                self.stdout.write(self.style.SUCCESS(f"OK    {name}: {detail}"))
        if failed:
            raise CommandError(f"{failed} of {len(CHECKS)} checks failed.")
        self.stdout.write(self.style.SUCCESS("Ready for production."))
