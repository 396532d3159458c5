"""The daily rollup of the dashboards' figures (Celery beat; in-process in the embedded
default)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="dashboards.rollup", ignore_result=True)  # type: ignore[untyped-decorator]
def rollup_task() -> None:
    from onestop.dashboards.rollup import rollup

    rollup()
