"""Background entry points (Celery beat in production, in-process in the embedded default)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="unemployment.reemployment_check", ignore_result=True)  # type: ignore[untyped-decorator]
def reemployment_check_task() -> None:
    """End the registrations of people the platform now records as employed again (their
    benefit stops from the next month), then compare the benefits in payment with the
    pensions awarded and the death and prison records; safe to run any number of times."""
    from onestop.unemployment.benefits import benefits_compare
    from onestop.unemployment.services import registrations_close_on_reemployment

    registrations_close_on_reemployment()
    benefits_compare()
