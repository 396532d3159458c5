"""Demo pensions: 周建国, born 1965-12, who worked fifteen years in Henan (brought in by a
transfer), is employed at acme since 2024 and has passed his statutory month still at work;
and the provinces' transfer channel (Henan in the registry simulator, with a record of
someone who can transfer in)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from onestop.exchange import algorithms
from onestop.exchange.models import Consumer, ConsumerKind
from onestop.identity import demo as identity_demo
from onestop.identity import services as identity
from onestop.identity.models import Person, Region
from onestop.pensions.testing import information_form, worked_elsewhere

ZHOU_PHONE = "13800000003"
HENAN = "410000"


def zhou(region: Region) -> Person:
    """Registered before the contributions demo, which employs every person with a login."""
    return identity.person_register(
        actor=None,
        name="周建国",
        resident_id=identity_demo.resident_id(
            random.Random(1965), "610113", dt.date(1965, 12, 5), male=True
        ),
        region=region,
        phone=ZHOU_PHONE,
        password=identity_demo.DEMO_PASSWORD,
    )


def retiree(region: Region) -> Person:
    """王德明, born 1964-06 (statutory month 2024-06), fifteen years in Henan: his retirement
    case is the demo's approved one."""
    person = identity.person_register(
        actor=None,
        name="王德明",
        resident_id=identity_demo.resident_id(
            random.Random(1964), "610113", dt.date(1964, 6, 18), male=True
        ),
        region=region,
        phone="13800000004",
    )
    history(person)
    return person


def history(person: Person) -> None:
    """Fifteen years in Henan, 2004-2018, at a base equal to Henan's average wage."""
    worked_elsewhere(
        person, place=HENAN, start="2004-01", months=180, base="4000.00", wage="4000.00"
    )


def bereavement(*, deceased: Person, declarant: Person, died_on: str) -> str:
    """The demo's death, as civil affairs reports it: the deceased was insured here (fifteen
    years brought in from Henan unless already contributing) and alice registered the death,
    so she is told the survivors' benefits and finds the claim form filled in."""
    from onestop.contributions import selectors as contributions
    from onestop.pensions.services import death_event

    if contributions.statement_of(person=deceased).contribution_months == 0:
        history(deceased)
    return death_event(
        {
            "subject": deceased.resident_id,
            "source": "civil_affairs",
            "data": {"date": died_on, "declarant_resident_id": declarant.resident_id},
        }
    )


def provinces(*, state: dict[str, Any], signing_key: str, platform_key: str, alice: Person) -> None:
    """Henan's pension system behind the transfer hub (the registry simulator): its key is
    the simulator's; alice worked there five years and can bring them in."""
    public = algorithms.public_of(algorithms.ED25519, signing_key)
    Consumer.objects.create(
        code=f"province-{HENAN}",
        name="河南省社会保险经办系统（模拟） Henan pension system (simulated)",
        kind=ConsumerKind.PROVINCE,
        algorithm=algorithms.ED25519,
        public_key=public,
    )
    form = information_form(
        place=HENAN, start="2014-01", months=60, base="5000.00", wage="5000.00", account="24000.00"
    )
    state["provinces"] = {
        HENAN: {
            alice.resident_id: {
                "months": form["months"],
                "account": form["account"],
                "place_name": "河南省 Henan",
            }
        }
    }
    state["platform_key"] = platform_key
