"""Background entry points (Celery beat in production, in-process in the embedded default)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="supervision.clock", ignore_result=True)  # type: ignore[untyped-decorator]
def clock_task() -> None:
    """Raise due warnings and escalate red cases; safe to run any number of times."""
    from onestop.supervision.services import clock_run

    clock_run()
