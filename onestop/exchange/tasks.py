"""Background entry points of the exchange context (Celery beat, or in-process)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="exchange.journal_checkpoint", ignore_result=True)  # type: ignore[untyped-decorator]
def journal_checkpoint_task() -> None:
    """Sign the journal's head and deliver it outside the database (file, witness)."""
    from onestop.exchange.checkpoints import checkpoint_issue

    checkpoint_issue()


@shared_task(name="exchange.outbox_deliver", ignore_result=True)  # type: ignore[untyped-decorator]
def outbox_deliver_task(message_id: int) -> None:
    """Send one outbox message to its department (nothing when already acknowledged)."""
    from onestop.exchange.outbox import outbox_deliver

    outbox_deliver(message_id=message_id)


@shared_task(name="exchange.outbox_retry", ignore_result=True)  # type: ignore[untyped-decorator]
def outbox_retry_task() -> None:
    """Send again the outbox messages whose next attempt is due."""
    from onestop.exchange.outbox import outbox_retry

    outbox_retry()
