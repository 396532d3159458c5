"""Background entry points (Celery beat in production, in-process in the embedded default)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="supervision.clock", ignore_result=True)  # type: ignore[untyped-decorator]
def clock_task() -> None:
    """Raise due warnings and escalate red cases; safe to run any number of times."""
    from onestop.supervision.services import clock_run

    clock_run()


@shared_task(name="supervision.ownership", ignore_result=True)  # type: ignore[untyped-decorator]
def ownership_task() -> None:
    """Tell supervisors about open steps nobody can act on (daily; safe to repeat)."""
    from onestop.supervision.services import ownership_check

    ownership_check()
