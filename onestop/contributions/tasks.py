"""Background entry points (Celery in production, in-process in the embedded default)."""

from __future__ import annotations

from celery import shared_task

from onestop.contributions.collection import collection_sync, default_adapter


@shared_task(name="contributions.collection_sync", ignore_result=True)  # type: ignore[untyped-decorator]
def collection_sync_task() -> None:
    """Send new bills and fetch payments; does nothing when no authority is configured."""
    if default_adapter() is not None:
        collection_sync()


@shared_task(name="contributions.interest_catch_up", ignore_result=True)  # type: ignore[untyped-decorator]
def interest_catch_up_task() -> None:
    """Credit the latest year whose book rate is published (final, not provisional)."""
    from onestop.contributions.interest import account_interest_credit
    from onestop.parameters import selectors as parameters

    rate = parameters.latest_book_rate()
    if rate is not None:
        for province in parameters.provinces():
            account_interest_credit(actor=None, year=rate.year, province=province)
