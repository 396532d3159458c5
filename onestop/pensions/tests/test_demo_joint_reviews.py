"""The demo's joint reviews: cheng and mei (province) see a yellow and a red death case in
their queues, the red one escalated to Xi'an where rita holds its HRSS side, and every open
step has someone who can act on it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from onestop.applications import selectors
from onestop.applications.services import clock_of
from onestop.pensions import demo
from onestop.supervision.services import clock_run

pytestmark = pytest.mark.django_db


def test_the_demo_joint_reviews_show_yellow_and_red_at_the_province(world: Any) -> None:
    """...and the two deceased each bring their own working life: their months, accounts
    and survivors' amounts differ."""
    from onestop.contributions import selectors as contributions
    from onestop.pensions.models import SurvivorBenefit

    assert demo.joint_reviews() == {"joint_reviews": 2}
    benefits = list(SurvivorBenefit.objects.select_related("person").order_by("pk"))
    assert [b.person.name for b in benefits] == [row[0] for row in demo.JOINT_REVIEWS]
    statements = [contributions.statement_of(person=b.person) for b in benefits]
    assert [s.contribution_months for s in statements] == [204, 312]
    assert statements[0].account_balance != statements[1].account_balance
    assert benefits[0].facts != benefits[1].facts
    clock_run()
    for login in ("cheng", "mei"):
        queue = selectors.queue_for(actor=world.user(login))
        colours = sorted(clock_of(c, timezone.localdate()).colour for c in queue)
        assert colours == ["red", "yellow"], login
    red = next(
        c
        for c in selectors.queue_for(actor=world.cheng)
        if clock_of(c, timezone.localdate()).colour == "red"
    )
    assert red.escalated_to is not None and red.escalated_to.code == "610100"
    assert red.number in [c.number for c in selectors.queue_for(actor=world.rita)]
    assert selectors.steps_stranded() == []
    call_command("cases", "verify")
