"""What the demo shows people is plausible: the flexible payer's paid quarters fell due in
their time, and the medical insurance batch of the load reaches the department's simulator
as soon as it runs."""

from __future__ import annotations

import calendar
import datetime as dt
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone

from onestop.contributions.models import IndividualBill
from onestop.contributions.periods import month_of
from onestop.exchange import outbox
from onestop.exchange.licences import registry_endpoint
from onestop.exchange.models import OutboundMessage
from onestop.portal.management.commands.demo import Command
from onestop.simulators.registries import RegistrySimulator
from onestop.unemployment.tests.test_filing import granted, pay
from onestop.unemployment.tests.test_medical import medical_department, received

pytestmark = pytest.mark.django_db

__all__ = ["medical_department"]  # the fixture, for the test below


def test_the_flexible_payers_history_is_due_quarter_by_quarter(
    settings: Any, tmp_path: Path
) -> None:
    """方灵活's paid quarters were billed in their time: each due at its own end (and paid
    then), not all at the end of the month the demo loads."""
    settings.VAR_DIR = tmp_path / "var"
    call_command("demo", "--no-serve", "--persons", "0", stdout=StringIO())
    bills = list(IndividualBill.objects.order_by("first_period"))
    assert bills
    for bill in bills:
        last = month_of(bill.last_period)
        end = dt.date(last.year, last.month, calendar.monthrange(last.year, last.month)[1])
        assert bill.due_date == end
    assert len({b.due_date for b in bills}) == len(bills)


def test_the_demo_retirement_cases_rest_on_a_working_life(settings: Any, tmp_path: Path) -> None:
    """The newcomer found every open demo retirement case at 0 contribution months (its
    award all zeros): each applicant now has his years on record before he files, but the
    one rejected for too few months."""
    from onestop.applications.models import Application
    from onestop.contributions.selectors import statement_of

    settings.VAR_DIR = tmp_path / "var"
    call_command("demo", "--no-serve", "--persons", "0", stdout=StringIO())
    cases = list(Application.objects.filter(item_code="SX-SI-006").order_by("pk"))
    assert len(cases) == 9
    months = {c.status: statement_of(person=c.applicant).contribution_months for c in cases}
    short = [c for c in cases if statement_of(person=c.applicant).contribution_months < 180]
    assert [c.status for c in short] == ["rejected"], months


def test_the_demo_names_the_medical_endpoint_and_delivers_once_it_is_up(
    world: Any, medical_department: RegistrySimulator, settings: Any
) -> None:
    """The demo load's batch has the medical insurance department's endpoint (the registry
    simulator the demo starts, at the demo's port + 20) rather than none; the batch that
    failed before the simulator ran is delivered when it comes up, not hours later."""
    port = urlsplit(settings.ONESTOP_REGISTRY_URL).port
    assert port is not None
    settings.ONESTOP_REGISTRY_URL = ""
    settings.ONESTOP_REGISTRY_URLS = "civil_affairs=http://127.0.0.1:9"
    Command()._medical_endpoint({"port": port - 20})
    assert registry_endpoint("medical_insurance") == (f"http://127.0.0.1:{port}", "k")
    assert registry_endpoint("civil_affairs")[0] == "http://127.0.0.1:9"
    granted(world)
    pay(world, 202611)
    OutboundMessage.objects.update(
        status="failed", attempts=1, next_attempt_at=timezone.now() + dt.timedelta(hours=6)
    )
    assert outbox.outbox_retry() == 0  # not due for hours
    assert outbox.outbox_flush() == 1
    batch = OutboundMessage.objects.get()
    assert (batch.status, batch.attempts) == ("delivered", 2)
    assert list(received(medical_department)) == [batch.key]
