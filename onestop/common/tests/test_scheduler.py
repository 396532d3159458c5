"""The in-process scheduler runs each periodic task at its interval and survives a failure."""

from __future__ import annotations

from typing import Any

import pytest

from onestop.common import scheduler

pytestmark = pytest.mark.django_db


def test_each_entry_runs_at_its_interval() -> None:
    """A failing entry (here: no such task) is logged and skipped; the others still run."""
    schedule: dict[str, dict[str, Any]] = {
        "clock": {"task": "supervision.clock", "schedule": 60.0},
        "interest": {"task": "contributions.interest_catch_up", "schedule": 3600.0},
        "broken": {"task": "no.such.task", "schedule": 60.0},
    }
    last: dict[str, float] = {}
    assert scheduler.run_due(schedule=schedule, last=last, now=1000.0) == ["clock", "interest"]
    assert scheduler.run_due(schedule=schedule, last=last, now=1030.0) == []
    assert scheduler.run_due(schedule=schedule, last=last, now=1060.0) == ["clock"]
    assert scheduler.run_due(schedule=schedule, last=last, now=4600.0) == ["clock", "interest"]


def test_the_settings_schedule_names_registered_tasks() -> None:
    from celery import current_app
    from django.conf import settings

    current_app.loader.import_default_modules()
    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert names == {
        "contributions.collection_sync",
        "contributions.interest_catch_up",
        "contributions.individual_payers_daily",
        "supervision.clock",
        "supervision.ownership",
        "pensions.entitlement_check",
        "pensions.retirement_notices",
        "unemployment.reemployment_check",
        "dashboards.rollup",
        "quality.scan",
        "exchange.journal_checkpoint",
        "exchange.outbox_retry",
    }
    assert names <= set(current_app.tasks)


def test_a_job_that_cannot_reach_its_service_logs_one_line(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """The payment sync with the tax authority down (nothing listens on port 9): one warning
    line naming the cause, no traceback, and the job counts as run."""
    settings.ONESTOP_TAX_URL = "http://127.0.0.1:9"
    schedule = {"sync": {"task": "contributions.collection_sync", "schedule": 300.0}}
    import logging

    onestop = logging.getLogger("onestop")  # does not propagate to the root (settings)
    onestop.addHandler(caplog.handler)
    try:
        with caplog.at_level("WARNING"):
            assert scheduler.run_due(schedule=schedule, last={}, now=0.0) == ["sync"]
    finally:
        onestop.removeHandler(caplog.handler)
    [line] = [r for r in caplog.records if r.levelname in ("WARNING", "ERROR")]
    assert line.getMessage().startswith(
        "collection sync skipped: The collecting authority is unreachable:"
    )
    assert line.exc_info is None and "\n" not in line.getMessage()
