"""Periodic tasks in-process, for the embedded default (no Celery beat, no broker).

``onestop demo`` starts one daemon thread that runs each entry of ``CELERY_BEAT_SCHEDULE``
at its interval (the tasks are idempotent, so a run after a restart or a missed one is
harmless). Production runs Celery beat instead and never starts this.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.db import close_old_connections

from onestop.common.errors import ServiceError

log = logging.getLogger("onestop.scheduler")


def run_due(
    *, schedule: dict[str, dict[str, Any]], last: dict[str, float], now: float
) -> list[str]:
    """Run every entry whose interval has passed since its last run; returns their names."""
    from celery import current_app

    current_app.loader.import_default_modules()  # the contexts' tasks modules (once)
    ran = []
    for name, entry in schedule.items():
        every = float(entry["schedule"])
        if now - last.get(name, float("-inf")) < every:
            continue
        last[name] = now
        try:
            current_app.tasks[entry["task"]].apply()
            ran.append(name)
        except (OSError, ServiceError) as exc:  # a service it needs is down: one line
            log.warning("periodic task %s could not run: %s", name, getattr(exc, "en", exc))
        except Exception:  # a failing job must not stop the others or the server
            log.exception("periodic task %s failed", name)
    return ran


def start(*, tick: float = 5.0) -> threading.Event:
    """Start the scheduler thread; set the returned event to stop it."""
    stop = threading.Event()
    schedule = dict(getattr(settings, "CELERY_BEAT_SCHEDULE", {}))
    last: dict[str, float] = {}

    def loop() -> None:
        # The first round waits one tick (``onestop demo`` starts this once its simulators
        # answer).
        while not stop.wait(tick):
            run_due(schedule=schedule, last=last, now=time.monotonic())
            close_old_connections()  # this thread's connection, between rounds

    threading.Thread(target=loop, name="onestop-scheduler", daemon=True).start()
    return stop
