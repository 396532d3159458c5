"""`onestop demo` loads the province once, reuses it, and its data is valid."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from onestop.audit.selectors import journal_verify
from onestop.identity.models import Agency, Employer, Person, Region, StaffProfile
from onestop.rules.identifiers import check_credit_code

pytestmark = pytest.mark.django_db


def test_demo_loads_once_and_reuses() -> None:
    out = StringIO()
    call_command("demo", "--no-serve", "--persons", "40", stdout=out)
    text = out.getvalue()
    assert "Loading the demo province with 40 persons" in text
    for login in ("carol", "sam", "adam", "sean", "audrey", "mallory"):
        assert login in text
    # 40 synthetic plus alice, bob, 周建国 (born 1965, can retire), 王德明 (retired) and 孙立业
    # (drawing the unemployment benefit), two legacy records for the data-quality work list,
    # the eight men of retirement age whose retirement cases fill Yanta's queue (too few
    # among 40 generated people can retire now), 方灵活, who pays as an individual, and the
    # two deceased and their two children of the death cases in joint review
    assert Person.objects.count() == 60
    assert "13800000003" in text and "13800000015" in text and "13800000023" in text
    assert Region.objects.filter(level="city").count() == 4
    assert Region.objects.filter(level="county").count() == 12
    assert Region.objects.get(code="610113").name == "雁塔区"
    kinds = set(Agency.objects.values_list("kind", flat=True))
    assert {
        "hrss_bureau",
        "si_agency",
        "civil_affairs",
        "public_security",
        "tax",
        "market_regulation",
        "medical_insurance",
    } <= kinds
    assert set(StaffProfile.objects.values_list("role", flat=True)) == {
        "case_worker",
        "reviewer",
        "supervisor",
        "content_editor",
        "system_admin",
        "security_admin",
        "audit_admin",
    }
    assert all(
        check_credit_code(c).valid for c in Employer.objects.values_list("credit_code", flat=True)
    )
    assert journal_verify()[1] is None

    again = StringIO()
    call_command("demo", "--no-serve", "--persons", "40", stdout=again)
    assert "already loaded" in again.getvalue()
    assert "13800000015" in again.getvalue()
    assert Person.objects.count() == 60


def test_demo_refuses_bad_options() -> None:
    with pytest.raises(CommandError):
        call_command("demo", "--no-serve", "--persons", "-1")
    with pytest.raises(CommandError):
        call_command("demo", "--no-serve", "--port", "70000")
