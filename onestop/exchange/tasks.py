"""Background entry points of the exchange context (Celery beat, or in-process)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="exchange.journal_checkpoint", ignore_result=True)  # type: ignore[untyped-decorator]
def journal_checkpoint_task() -> None:
    """Sign the journal's head and deliver it outside the database (file, witness)."""
    from onestop.exchange.checkpoints import checkpoint_issue

    checkpoint_issue()
