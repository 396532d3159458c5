"""A synthetic province at scale, loaded with bulk paths (COPY), not the ORM.

Persons get valid resident IDs (real Shaanxi region codes) and encrypted identifiers; each is
employed by one of the employers; months are declared through the real posting path.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from stdnum.cn import ric, uscc

from onestop.common.bulk import copy_rows, refresh_statistics
from onestop.contributions import bulk_declare, partitions, services
from onestop.contributions.periods import month_of, period_of
from onestop.identity import crypto, demo
from onestop.identity.auth import resident_id_index
from onestop.identity.fields import name_index
from onestop.identity.models import Employer, Person, Region, RegionLevel


@dataclass(frozen=True)
class Generated:
    employer_ids: list[int]
    people: dict[int, list[tuple[str, Decimal]]]  # employer id -> (resident ID, wage)
    #: employer id -> its employees' person ids, in the order of ``people``.
    person_ids: dict[int, list[int]] = field(default_factory=dict)


def _counties() -> list[Region]:
    if not demo.is_loaded():
        demo.create_agencies(demo.create_regions())
    return list(Region.objects.filter(level=RegionLevel.COUNTY).order_by("code"))


#: Persons generated, encrypted and indexed as one unit of work (one worker task, one step
#: of the progress bar).
CHUNK = 10_000
#: From this many persons the per-row crypto (two SM4 encryptions and two HMAC-SM3 blind
#: indexes a person, about four fifths of the time) runs in one worker process per core.
POOL_FROM = 50_000

Progress = Callable[[int], object]


@dataclass(frozen=True)
class _Chunk:
    seed: int
    first: int  # the ordinal of the chunk's first person, for names
    size: int
    prefix: str
    counties: tuple[tuple[str, int], ...]  # (code, primary key)


def _chunk_rows(chunk: _Chunk) -> list[tuple[tuple[object, ...], str, Decimal]]:
    """``chunk.size`` persons with valid resident IDs: each as the row to COPY, its resident
    ID and its wage. Pure computation (no database), so it runs in a worker process."""
    rng = random.Random(chunk.seed)
    now = timezone.now()
    rows: list[tuple[tuple[object, ...], str, Decimal]] = []
    seen: set[str] = set()
    while len(rows) < chunk.size:
        code, county = rng.choice(chunk.counties)
        birth = dt.date(1962, 1, 1) + dt.timedelta(days=rng.randrange(0, 40 * 365))
        seq = rng.randrange(0, 1000)
        body = f"{code}{birth:%Y%m%d}{seq:03d}"
        number = body + ric.calc_check_digit(body + "0")
        if number in seen:
            continue
        seen.add(number)
        wage = Decimal(rng.randrange(3000, 30000, 10))
        name = f"{chunk.prefix}{chunk.first + len(rows):07d}"
        row = (
            crypto.encrypt(name),
            name_index(name),
            crypto.encrypt(number),
            resident_id_index(number),
            "",
            "",
            "male" if seq % 2 == 1 else "female",
            birth,
            county,
            now,
            now,
        )
        rows.append((row, number, wage))
    return rows


def _person_chunks(
    chunks: list[_Chunk], workers: int
) -> Iterator[list[tuple[tuple[object, ...], str, Decimal]]]:
    """The chunks' rows in order, computed by ``workers`` processes (forked, so they share the
    loaded settings and keys and never touch the database) or in this one."""
    if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            yield from pool.imap(_chunk_rows, chunks)
    else:
        yield from map(_chunk_rows, chunks)


def people(
    *,
    count: int,
    employers: int,
    rng: random.Random,
    start_period: int,
    prefix: str = "合成",
    progress: Progress | None = None,
    workers: int | None = None,
) -> Generated:
    """Create ``employers`` employers registered for pension and unemployment, and ``count``
    persons employed by them from ``start_period``, all with COPY (one statement per table).

    ``progress(n)`` is called as every ``n`` persons are written. ``workers`` processes share
    the per-row crypto (default: one per core from ``POOL_FROM`` persons, none below)."""
    counties = _counties()
    now = timezone.now()
    if workers is None:
        workers = (os.cpu_count() or 1) if count >= POOL_FROM else 1
    # Plaintext resident IDs are not in the database; collisions with earlier loads go by
    # blind index.
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
        places = tuple((c.code, c.pk) for c in counties)
        chunks = [
            _Chunk(rng.getrandbits(64), first, min(CHUNK, count - first), prefix, places)
            for first in range(0, count, CHUNK)
        ]
        last_person = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        plain: list[tuple[str, Decimal, str]] = []

        def accept(rows: list[tuple[tuple[object, ...], str, Decimal]]) -> Iterator[Any]:
            for row, number, wage in rows:
                index = str(row[3])
                if index in taken_index:
                    continue  # the same ID in an earlier chunk or an earlier load
                taken_index.add(index)
                plain.append((number, wage, index))
                yield row
            if progress is not None:
                progress(len(rows))

        def persons() -> Iterator[tuple[object, ...]]:
            for rows in _person_chunks(chunks, workers):
                yield from accept(rows)
            extra = count
            while len(plain) < count:  # make up for IDs drawn twice, here in this process
                missing = count - len(plain)
                chunk = _Chunk(rng.getrandbits(64), extra, missing, prefix, places)
                extra += missing
                yield from accept(_chunk_rows(chunk)[: count - len(plain)])

        copy_rows("identity_person", PERSON_COLUMNS, persons())
        ids = _ids_after(last_person)
        by_employer: dict[int, list[tuple[str, Decimal]]] = {e: [] for e in employer_ids}
        person_ids: dict[int, list[int]] = {e: [] for e in employer_ids}
        employments = []
        for n, (number, wage, index) in enumerate(plain):
            # Consecutive persons to one employer: a month's detail rows in declaration order
            # are then in person order too, so both of the detail's indexes (and the pension
            # months') grow at their right edge instead of at random places.
            employer_id = employer_ids[n * len(employer_ids) // len(plain)]
            by_employer[employer_id].append((number, wage))
            person_ids[employer_id].append(ids[index])
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
    # Plans for the declarations that follow are chosen on these tables' real sizes.
    refresh_statistics(
        "identity_employer",
        "identity_person",
        "contributions_insuranceregistration",
        "contributions_employment",
    )
    return Generated(employer_ids, by_employer, person_ids)


PERSON_COLUMNS = (
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
)


def _ids_after(last: int) -> dict[str, int]:
    """Blind index to primary key of the persons created after primary key ``last``."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT resident_id_index, id FROM {Person._meta.db_table} WHERE id > %s",  # noqa: S608
            [last],
        )
        return dict(cursor.fetchall())


def _org_check(body: str) -> str:
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    check = 11 - sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def declare_months(
    generated: Generated,
    *,
    first_period: int,
    months: int,
    bulk: bool = True,
    progress: Callable[[], object] | None = None,
) -> int:
    """Declare ``months`` months for every generated employer: the declarations that
    ``services.declaration_submit`` would post, written in bulk (``bulk_declare``, one
    transaction a month; then ``ANALYZE`` of what they wrote), or with ``bulk=False``
    through the service itself, one declaration at a time. ``progress()`` is called as
    each month is done. Returns the number of declarations."""
    declared = 0
    month = month_of(first_period)
    if bulk:
        employees = {
            employer_id: [
                (number, wage, person)
                for (number, wage), person in zip(
                    rows, generated.person_ids[employer_id], strict=True
                )
            ]
            for employer_id, rows in generated.people.items()
        }
        tables = {"contributions_declaration", "contributions_pensionmonth", "contributions_bill"}
        for _ in range(months):
            period = period_of(month)
            declared += bulk_declare.declare_month(people=employees, period=period).declarations
            # The month's partition, which the declaration may just have created.
            tables.add(partitions.table_of(period))
            month = month.plus(1)
            if progress is not None:
                progress()
        if months:
            refresh_statistics(*sorted(tables))
        return declared
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
        if progress is not None:
            progress()
    return declared
