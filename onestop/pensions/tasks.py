"""Background entry points (Celery beat in production, in-process in the embedded default)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="pensions.entitlement_check", ignore_result=True)  # type: ignore[untyped-decorator]
def entitlement_check_task() -> None:
    """Compare pensioners with the death registrations, then ask (and, late, suspend) those
    unconfirmed for 12 months; safe to run any number of times."""
    from onestop.pensions.services import confirmation_run, entitlement_check_run

    entitlement_check_run()
    confirmation_run()


@shared_task(name="pensions.retirement_notices", ignore_result=True)  # type: ignore[untyped-decorator]
def retirement_notices_task() -> None:
    """Tell people due to retire within three months, once each."""
    from onestop.pensions.services import retirement_notices_run

    retirement_notices_run()
