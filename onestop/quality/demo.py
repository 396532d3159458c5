"""Demo data-quality findings: two records as a legacy system migrated them into Yanta (one
keyed with a wrong birth date, one a second record of an existing person under another
number), then the first scan, so the work list has something to fix on the first run."""

from __future__ import annotations

import datetime as dt
import random

from onestop.identity import demo
from onestop.identity.models import Person, Region
from onestop.identity.selectors import resident_id_key
from onestop.quality.services import scan


def _legacy(name: str, resident_id: str, birth: dt.date, sex: str, region: Region) -> Person:
    """Stored as the legacy system held it, without today's checks."""
    return Person.objects.create(
        name=name,
        resident_id=resident_id,
        resident_id_index=resident_id_key(resident_id),
        birth_date=birth,
        sex=sex,
        region=region,
    )


def load() -> dict[str, int]:
    yanta = Region.objects.get(code="610113")
    rng = random.Random(20261124)
    original = Person.objects.filter(region=yanta, user__isnull=True).order_by("pk").last()
    keyed = dt.date(1971, 8, 19)
    _legacy(
        "郑秀兰",
        demo.resident_id(rng, "610113", keyed, male=False),
        keyed.replace(day=9),  # a digit lost when the paper file was keyed in
        "female",
        yanta,
    )
    if original is not None:
        _legacy(
            original.name,
            demo.resident_id(rng, "610113", original.birth_date, original.sex == "male"),
            original.birth_date,
            original.sex,
            yanta,
        )
    report = scan(registries=False)
    return {"found": report.scan.found}
