"""Reading loaded process versions."""

from __future__ import annotations

from onestop.workflow.models import ProcessVersion


def latest_version(*, name: str) -> ProcessVersion | None:
    return ProcessVersion.objects.filter(name=name).order_by("-version").first()
