"""The demo holds one unemployed person drawing the benefit: removed by bob for "contract
ended by the employer", registered, claimed, approved by carol, paid by this month's
unemployment payroll."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from onestop.unemployment.models import BenefitPayment, UnemploymentBenefit

pytestmark = pytest.mark.django_db


def test_the_demo_has_someone_drawing_the_unemployment_benefit() -> None:
    out = StringIO()
    call_command("demo", "--no-serve", "--persons", "20", stdout=out)
    benefit = UnemploymentBenefit.objects.select_related("registration", "person").get()
    assert benefit.person.name == "孙立业"
    assert benefit.registration.separation == "ended_by_employer"
    assert benefit.status == "active" and benefit.months >= 12
    assert list(BenefitPayment.objects.values_list("period", "kind")) == [
        (benefit.start_period, "regular")
    ]
    assert "the 2026-11 unemployment payroll paid 1, with 260.00 yuan of medical" in out.getvalue()
