"""Background entry points (Celery in production, in-process in the embedded default)."""

from __future__ import annotations

from celery import shared_task

from onestop.contributions.collection import collection_sync, default_adapter


@shared_task(name="contributions.collection_sync", ignore_result=True)  # type: ignore[untyped-decorator]
def collection_sync_task() -> None:
    """Send new bills and fetch payments; does nothing when no authority is configured."""
    if default_adapter() is not None:
        collection_sync()
