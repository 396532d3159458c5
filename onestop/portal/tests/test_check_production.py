"""``onestop check-production`` names every problem and exits non-zero on any."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db


def test_a_development_setup_is_not_ready() -> None:
    """Development mode, no broker, a per-process cache, no collected static: each one named."""
    out = io.StringIO()
    with pytest.raises(CommandError, match="checks failed"):
        call_command("check_production", stdout=out)
    text = out.getvalue()
    assert "FAIL  settings: ONESTOP_ENV is not 'production'." in text
    assert "FAIL  broker: no CELERY_BROKER_URL" in text
    assert "FAIL  cache: the cache is per process" in text
    assert "FAIL  static files:" in text
    assert "OK    database:" in text and "OK    audit journal:" in text
