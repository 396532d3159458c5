"""The nightly data-quality scan (Celery beat; in-process in the embedded default)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="quality.scan", ignore_result=True)  # type: ignore[untyped-decorator]
def scan_task() -> None:
    from onestop.quality.services import scan

    scan()
