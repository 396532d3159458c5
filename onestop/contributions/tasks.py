"""Background entry points (Celery in production, in-process in the embedded default)."""

from __future__ import annotations

import logging

from celery import shared_task

from onestop.contributions.collection import (
    CollectionUnavailable,
    collection_sync,
    default_adapter,
)

log = logging.getLogger(__name__)


@shared_task(name="contributions.collection_sync", ignore_result=True)  # type: ignore[untyped-decorator]
def collection_sync_task() -> None:
    """Send new bills and fetch payments; does nothing when no authority is configured. An
    authority that does not answer is one line in the log: the next run tries again."""
    if default_adapter() is not None:
        try:
            collection_sync()
        except CollectionUnavailable as exc:
            log.warning("collection sync skipped: %s", exc.en)


@shared_task(name="contributions.interest_catch_up", ignore_result=True)  # type: ignore[untyped-decorator]
def interest_catch_up_task() -> None:
    """Credit the latest year whose book rate is published (final, not provisional)."""
    from onestop.contributions.interest import account_interest_credit
    from onestop.parameters import selectors as parameters

    rate = parameters.latest_book_rate()
    if rate is not None:
        for province in parameters.provinces():
            account_interest_credit(actor=None, year=rate.year, province=province)


@shared_task(name="contributions.declaration_upload", ignore_result=True)  # type: ignore[untyped-decorator]
def declaration_upload_task(upload_id: int) -> None:
    """Check and post a large declaration file, writing its progress; safe to run twice (the
    upload's idempotency key replays a declaration already posted)."""
    from onestop.contributions.uploads import upload_run

    upload_run(upload_id=upload_id)


@shared_task(name="contributions.individual_payers_daily", ignore_result=True)  # type: ignore[untyped-decorator]
def individual_payers_daily_task() -> None:
    """Individual payers: end those employed with pension insurance, reset bases out of the
    new year's bounds, issue the period bills (idempotent)."""
    from onestop.contributions.individual import payers_daily

    log.info("individual payers: %s", payers_daily())
