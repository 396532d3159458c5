"""The demo's death opens the survivors' benefits, registered by alice, who is told; the
demo's legacy records are on the data-quality work list."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from onestop.notifications.models import Notification
from onestop.pensions.models import SurvivorBenefit
from onestop.quality.models import Finding

pytestmark = pytest.mark.django_db


def test_the_demo_death_opens_survivors_benefits_for_alice() -> None:
    out = StringIO()
    call_command("demo", "--no-serve", "--persons", "20", stdout=out)
    # alice's, and the two of the death cases in joint review (claimed at Yanta's counter).
    assert SurvivorBenefit.objects.count() == 3
    benefit = SurvivorBenefit.objects.select_related("declarant").get(declarant__user__isnull=False)
    assert benefit.declarant is not None and benefit.declarant.phone_index
    assert "error" not in benefit.facts and "survivors' benefits opened" in out.getvalue()
    assert Notification.objects.filter(
        event="pensions.survivors_invited", recipient=benefit.declarant.user
    ).exists()
    # The demo's two legacy records are on the data-quality work list, and only they.
    assert sorted(Finding.objects.values_list("rule", flat=True)) == [
        "duplicate_person",
        "inconsistent_resident_id",
    ]
    assert "Data quality: 2 findings" in out.getvalue()
