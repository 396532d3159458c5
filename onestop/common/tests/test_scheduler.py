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
        "supervision.clock",
        "pensions.entitlement_check",
        "pensions.retirement_notices",
        "dashboards.rollup",
        "quality.scan",
        "exchange.journal_checkpoint",
    }
    assert names <= set(current_app.tasks)
