"""A synthetic province at scale, loaded with bulk paths (COPY), not the ORM.

Persons get valid resident IDs (real Shaanxi region codes) and encrypted identifiers; each is
employed by one of the employers; months are declared through the real posting path.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from stdnum.cn import ric, uscc

from onestop.common.bulk import copy_rows
from onestop.contributions import services
from onestop.contributions.periods import month_of, period_of
from onestop.identity import crypto, demo
from onestop.identity.auth import resident_id_index
from onestop.identity.fields import name_index
from onestop.identity.models import Employer, Person, Region, RegionLevel


@dataclass(frozen=True)
class Generated:
    employer_ids: list[int]
    people: dict[int, list[tuple[str, Decimal]]]  # employer id -> (resident ID, wage)


def _counties() -> list[Region]:
    if not demo.is_loaded():
        demo.create_agencies(demo.create_regions())
    return list(Region.objects.filter(level=RegionLevel.COUNTY).order_by("code"))


def _ids(
    rng: random.Random, counties: list[Region], count: int, taken: set[str]
) -> Iterator[tuple[str, Region, dt.date, bool]]:
    made = 0
    while made < count:
        county = rng.choice(counties)
        birth = dt.date(1962, 1, 1) + dt.timedelta(days=rng.randrange(0, 40 * 365))
        seq = rng.randrange(0, 1000)
        body = f"{county.code}{birth:%Y%m%d}{seq:03d}"
        number = body + ric.calc_check_digit(body + "0")
        if number in taken:
            continue
        taken.add(number)
        made += 1
        yield number, county, birth, seq % 2 == 1


def people(
    *, count: int, employers: int, rng: random.Random, start_period: int, prefix: str = "合成"
) -> Generated:
    """Create ``employers`` employers registered for pension and unemployment, and ``count``
    persons employed by them from ``start_period``, all with COPY."""
    counties = _counties()
    now = timezone.now()
    existing: set[str] = set()  # plaintext is not in the database; collisions go by index
    taken_index = set(Person.objects.values_list("resident_id_index", flat=True))
    with transaction.atomic():
        first_employer = (
            Employer.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        ) + 1
        employer_rows = []
        codes = set(Employer.objects.values_list("credit_code", flat=True))
        for i in range(employers):
            county = counties[i % len(counties)]
            code = ""
            while not code or code in codes:
                body = f"91{county.code}{rng.randrange(10**8):08d}"
                body += _org_check(body[8:16])
                code = body + uscc.calc_check_digit(body + "0")
            codes.add(code)
            employer_rows.append(
                (
                    f"{prefix}单位{first_employer + i:07d}",
                    code,
                    county.pk,
                    crypto.encrypt("法定代表人"),
                    "",
                    "",
                    "",
                    now,
                    now,
                )
            )
        copy_rows(
            "identity_employer",
            (
                "name",
                "credit_code",
                "region_id",
                "legal_representative",
                "contact_name",
                "contact_phone",
                "address",
                "created_at",
                "updated_at",
            ),
            employer_rows,
        )
        employer_ids = list(
            Employer.objects.filter(pk__gte=first_employer)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        copy_rows(
            "contributions_insuranceregistration",
            ("employer_id", "insurance", "since_period", "created_at"),
            [
                (e, ins, start_period, now)
                for e in employer_ids
                for ins in ("pension", "unemployment")
            ],
        )
        persons: list[tuple[object, ...]] = []
        plain: list[tuple[str, Decimal, str]] = []
        for number, county, birth, male in _ids(rng, counties, count, existing):
            index = resident_id_index(number)
            if index in taken_index:
                continue
            taken_index.add(index)
            wage = Decimal(rng.randrange(3000, 30000, 10))
            name = f"{prefix}{len(persons):07d}"
            persons.append(
                (
                    crypto.encrypt(name),
                    name_index(name),
                    crypto.encrypt(number),
                    index,
                    "",
                    "",
                    "male" if male else "female",
                    birth,
                    county.pk,
                    now,
                    now,
                )
            )
            plain.append((number, wage, index))
        copy_rows(
            "identity_person",
            (
                "name",
                "name_index",
                "resident_id",
                "resident_id_index",
                "phone",
                "phone_index",
                "sex",
                "birth_date",
                "region_id",
                "created_at",
                "updated_at",
            ),
            persons,
        )
        ids = (
            dict(
                Person.objects.filter(resident_id_index__in=[p[2] for p in plain]).values_list(
                    "resident_id_index", "pk"
                )
            )
            if len(plain) < 50_000
            else _ids_by_index()
        )
        by_employer: dict[int, list[tuple[str, Decimal]]] = {e: [] for e in employer_ids}
        employments = []
        for n, (number, wage, index) in enumerate(plain):
            employer_id = employer_ids[n % len(employer_ids)]
            by_employer[employer_id].append((number, wage))
            employments.append((ids[index], employer_id, start_period, "general", wage, "", now))
        copy_rows(
            "contributions_employment",
            (
                "person_id",
                "employer_id",
                "start_period",
                "post_category",
                "wage",
                "end_reason",
                "created_at",
            ),
            employments,
        )
    return Generated(employer_ids, by_employer)


def _ids_by_index() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT resident_id_index, id FROM identity_person")
        return dict(cursor.fetchall())


def _org_check(body: str) -> str:
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    check = 11 - sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def declare_months(generated: Generated, *, first_period: int, months: int) -> int:
    """Declare ``months`` months for every generated employer through the posting path."""
    declared = 0
    month = month_of(first_period)
    for _ in range(months):
        for employer_id, rows in generated.people.items():
            employer = Employer.objects.select_related("region").get(pk=employer_id)
            result = services.declaration_submit(
                actor=None,
                employer=employer,
                period=period_of(month),
                rows=[
                    services.DeclaredRow(i + 2, number, f"{wage:.2f}")
                    for i, (number, wage) in enumerate(rows)
                ],
            )
            if not result.accepted:
                raise RuntimeError(f"generated declaration refused: {result.reply}")
            declared += 1
        month = month.plus(1)
    return declared
