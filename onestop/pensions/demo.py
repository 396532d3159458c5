"""Demo pensions: 周建国, born 1965-12, who worked fifteen years in Henan (brought in by a
transfer), is employed at acme since 2024 and has passed his statutory month still at work;
and the provinces' transfer channel (Henan in the registry simulator, with a record of
someone who can transfer in)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
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


def history(person: Person, *, months: int = 180, base: str = "4000.00") -> None:
    """Years in Henan from 2004-01 (fifteen unless told), at a base equal to the wage, with
    the account its 8% built (each demo death brings its own working life, so the
    survivors' amounts differ as a bureau's do)."""
    account = (Decimal(base) * months * Decimal("0.08")).quantize(Decimal("0.01"))
    worked_elsewhere(
        person,
        place=HENAN,
        start="2004-01",
        months=months,
        base=base,
        wage=base,
        account=f"{account:.2f}",
    )


def bereavement(*, deceased: Person, declarant: Person, died_on: str) -> str:
    """The demo's death, as civil affairs reports it: the deceased was insured here (fifteen
    years brought in from Henan unless already contributing) and alice registered the death,
    so she is told the survivors' benefits and finds the claim form filled in."""
    from onestop.contributions import selectors as contributions
    from onestop.pensions.services import death_event

    if contributions.statement_of(person=deceased).contribution_months == 0:
        history(deceased, months=252, base="5100.00")
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
        name="河南省社会保险经办系统（模拟）",
        name_en="Henan pension system (simulated)",
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


#: The deceased and the child who claims for each, of the demo's joint reviews, and the
#: deceased's months and base in Henan.
JOINT_REVIEWS = [
    ("韩永福", dt.date(1951, 3, 5), "韩秀梅", dt.date(1978, 6, 9), 8, 204, "4650.00"),  # yellow
    ("曹德旺", dt.date(1952, 8, 21), "曹丽娟", dt.date(1980, 2, 14), 12, 312, "3380.00"),  # red
]
KINSHIP_SCAN = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


def joint_reviews() -> dict[str, int]:
    """Two survivors' claims filed at Yanta's counter and accepted by carol, now in the joint
    review (civil affairs, medical insurance and HRSS side by side): one whose review has
    run eight of its ten working days (yellow) and one past them (red, which the clock
    escalates to Xi'an), so the province's civil-affairs and medical-insurance officers
    (cheng, mei) see both colours in their queues, and sam sees the time left."""
    from django.utils import timezone

    from onestop.applications import demo as applications_demo
    from onestop.applications import services as applications
    from onestop.applications.models import Channel
    from onestop.identity.models import User
    from onestop.pensions.services import death_event

    carol = User.objects.get(username="carol")
    yanta = Region.objects.get(code="610113")
    rng = random.Random(2027)
    died_on = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    filed = 0
    for name, born, child_name, child_born, days, months, base in JOINT_REVIEWS:
        deceased = identity.person_register(
            actor=None,
            name=name,
            resident_id=identity_demo.resident_id(rng, "610113", born, male=True),
            region=yanta,
        )
        history(deceased, months=months, base=base)
        child = identity.person_register(
            actor=None,
            name=child_name,
            resident_id=identity_demo.resident_id(rng, "610113", child_born, male=False),
            region=yanta,
        )
        death_event(
            {
                "subject": deceased.resident_id,
                "source": "civil_affairs",
                "data": {"date": died_on, "declarant_resident_id": child.resident_id},
            }
        )
        case = applications.application_submit(
            actor=carol,
            item_code="SX-SI-008",
            applicant=child,
            answers={"deceased_resident_id": deceased.resident_id, "relation": "child"},
            channel=Channel.COUNTER,
            consent=True,
        ).application
        applications.material_upload(
            actor=carol,
            application=case,
            name="亲属关系证明",
            file_name="户口簿.pdf",
            data=KINSHIP_SCAN,
        )
        applications.application_act(
            actor=carol, application=case, task="accept", decision="accept"
        )
        applications_demo.age(case, days, step_only=True)
        filed += 1
    return {"joint_reviews": filed}
