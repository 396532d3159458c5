"""Checks an application server makes before it serves (config.wsgi, config.asgi)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def ensure_static_collected() -> None:
    """In production, refuse to start before ``collectstatic``: every page names hashed
    static files from the manifest, and without it each page would be a 500."""
    if not getattr(settings, "PRODUCTION", False):
        return
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.exists():
        raise ImproperlyConfigured(
            f"Static files are not collected ({manifest} is missing): run "
            "`onestop collectstatic --noinput` before starting the application servers."
        )
