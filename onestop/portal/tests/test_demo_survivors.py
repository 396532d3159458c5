"""The demo's death opens the survivors' benefits, registered by alice, who is told."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from onestop.notifications.models import Notification
from onestop.pensions.models import SurvivorBenefit

pytestmark = pytest.mark.django_db


def test_the_demo_death_opens_survivors_benefits_for_alice() -> None:
    out = StringIO()
    call_command("demo", "--no-serve", "--persons", "20", stdout=out)
    benefit = SurvivorBenefit.objects.select_related("declarant").get()
    assert benefit.declarant is not None and benefit.declarant.phone_index
    assert "error" not in benefit.facts and "survivors' benefits opened" in out.getvalue()
    assert Notification.objects.filter(
        event="pensions.survivors_invited", recipient=benefit.declarant.user
    ).exists()
