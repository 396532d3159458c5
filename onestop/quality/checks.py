"""The data-quality rules. Each finds its subjects with set-based queries (the identifier rules
decrypt each identifier once, in chunks) and can check one subject again, which is how a
finding marked resolved is verified.

A hit names its subject, its county and a detail that holds no identifier in clear.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, ExpressionWrapper, F, IntegerField, Max, Min, Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone

from onestop.contributions.models import Declaration, LedgerEntry
from onestop.identity.models import Employer, Person
from onestop.pensions.models import Pensioner
from onestop.rules.identifiers import check_credit_code, check_resident_id

#: Tables the scores are kept for: (Chinese, English, what a record is).
TABLES: dict[str, tuple[str, str, str]] = {
    "persons": ("参保人员", "Insured persons", "a person"),
    "employers": ("参保单位", "Employers", "an employer"),
    "contributions": ("缴费记录", "Contributions", "a person with contributions posted"),
    "pensioners": ("待遇领取", "Pensioners", "a pensioner"),
}

#: Working age: contributions before the month a person turns 16 cannot be right.
WORKING_AGE = 16


@dataclass(frozen=True)
class Hit:
    key: str
    region_id: int
    subject_type: str
    subject_id: int
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Check:
    code: str
    table: str
    zh: str
    en: str
    how: str  # the rule as a formula or condition, shown beside the findings
    find: Callable[[int | None], list[Hit]]
    registry: bool = False
    correctable: bool = False
    how_zh: str = ""  # the rule in Chinese (``how`` is the English one)


# --- persons ---------------------------------------------------------------------------


def duplicate_persons(subject_id: int | None = None) -> list[Hit]:
    """Persons sharing name, birth date and sex: one finding per group, on its first record."""
    # Names are encrypted; equal names have equal blind indexes.
    groups = Person.objects.values("name_index", "birth_date", "sex").annotate(
        n=Count("pk"), first=Min("pk")
    )
    if subject_id is not None:
        person = (
            Person.objects.filter(pk=subject_id).values("name_index", "birth_date", "sex").first()
        )
        if person is None:
            return []
        groups = groups.filter(**person)
    groups = groups.filter(n__gt=1)
    hits = []
    for group in groups:
        members = list(
            Person.objects.filter(
                name_index=group["name_index"], birth_date=group["birth_date"], sex=group["sex"]
            )
            .order_by("pk")
            .values_list("pk", "region_id")
        )
        first_id, region_id = members[0]
        hits.append(
            Hit(
                key=str(first_id),
                region_id=region_id,
                subject_type="person",
                subject_id=first_id,
                detail={"persons": [pk for pk, _region in members]},
            )
        )
    return hits


def _persons(subject_id: int | None) -> Iterator[tuple[int, str, dt.date, str, int]]:
    found = Person.objects.order_by("pk")
    if subject_id is not None:
        found = found.filter(pk=subject_id)
    yield from found.values_list("pk", "resident_id", "birth_date", "sex", "region_id").iterator(
        chunk_size=5000
    )


def invalid_resident_ids(subject_id: int | None = None) -> list[Hit]:
    today = timezone.localdate()
    hits = []
    for pk, resident_id, _birth, _sex, region_id in _persons(subject_id):
        checked = check_resident_id(resident_id, today=today, with_place=False)
        if not checked.valid:
            reason = checked.reason.code if checked.reason else "invalid"
            hits.append(Hit(str(pk), region_id, "person", pk, {"reason": reason}))
    return hits


def inconsistent_resident_ids(subject_id: int | None = None) -> list[Hit]:
    """The birth date or sex recorded differs from what the (valid) resident ID says."""
    today = timezone.localdate()
    hits = []
    for pk, resident_id, birth_date, sex, region_id in _persons(subject_id):
        checked = check_resident_id(resident_id, today=today, with_place=False)
        if not checked.valid:
            continue
        differs = {}
        if checked.birth_date != birth_date:
            differs["birth_date"] = [birth_date.isoformat(), str(checked.birth_date)]
        if checked.sex is not None and str(checked.sex) != sex:
            differs["sex"] = [sex, str(checked.sex)]
        if differs:
            hits.append(Hit(str(pk), region_id, "person", pk, {"recorded_vs_id": differs}))
    return hits


# --- employers -------------------------------------------------------------------------


def invalid_credit_codes(subject_id: int | None = None) -> list[Hit]:
    found = Employer.objects.order_by("pk")
    if subject_id is not None:
        found = found.filter(pk=subject_id)
    hits = []
    for pk, code, region_id in found.values_list("pk", "credit_code", "region_id").iterator(
        chunk_size=5000
    ):
        checked = check_credit_code(code)
        if not checked.valid:
            reason = checked.reason.code if checked.reason else "invalid"
            hits.append(Hit(str(pk), region_id, "employer", pk, {"reason": reason}))
    return hits


# --- contributions ---------------------------------------------------------------------


def contributions_before_working_age(subject_id: int | None = None) -> list[Hit]:
    """Pension contributions (net, after corrections) for months before the person was 16."""
    limit = ExpressionWrapper(
        (ExtractYear("person__birth_date") + WORKING_AGE) * 100
        + ExtractMonth("person__birth_date"),
        output_field=IntegerField(),
    )
    entries = LedgerEntry.objects.filter(
        insurance="pension", kind="employer_pooled", source_type="declaration"
    )
    if subject_id is not None:
        entries = entries.filter(person_id=subject_id)
    months = (
        entries.annotate(limit=limit)
        .filter(period__lt=F("limit"))
        .values("person_id", "person__region_id", "period")
        .annotate(net=Sum("amount"))
        .filter(net__gt=0)
        .order_by("person_id", "period")
    )
    by_person: dict[int, tuple[int, list[int]]] = {}
    for row in months:
        by_person.setdefault(row["person_id"], (row["person__region_id"], []))[1].append(
            row["period"]
        )
    return [
        Hit(str(pk), region, "person", pk, {"months": len(periods), "first": periods[0]})
        for pk, (region, periods) in by_person.items()
    ]


_CONCURRENT = """
SELECT x.person_id, p.region_id, COUNT(*), MIN(x.period)
FROM (
    SELECT person_id, period
    FROM (
        SELECT person_id, period, COALESCE(employer_id, 0) AS payer
        FROM contributions_ledgerentry
        WHERE insurance = 'pension'
          AND ((kind = 'employer_pooled' AND source_type = 'declaration')
            OR (kind = 'flexible_pooled' AND source_type = 'individual_bill')) {only}
        GROUP BY person_id, period, COALESCE(employer_id, 0)
        HAVING SUM(amount) > 0
    ) per_employer
    GROUP BY person_id, period
    HAVING COUNT(*) > 1
) x
JOIN identity_person p ON p.id = x.person_id
GROUP BY x.person_id, p.region_id
ORDER BY x.person_id
"""


def concurrent_contributions(subject_id: int | None = None) -> list[Hit]:
    """Pension contributions from two or more employers, or from an employer and the person
    as an individual payer (flexible employment), for the same person and month: a person is
    insured through one payer at a time."""
    only = "AND person_id = %s" if subject_id is not None else ""
    with connection.cursor() as cursor:
        cursor.execute(_CONCURRENT.format(only=only), [subject_id] if only else [])
        rows = cursor.fetchall()
    return [
        Hit(str(pk), region, "person", pk, {"months": months, "first": first})
        for pk, region, months, first in rows
    ]


# --- pensioners ------------------------------------------------------------------------

_PENSIONER_CONTRIBUTING = """
SELECT pe.id, pe.region_id, COUNT(*), MIN(x.period)
FROM pensions_pensioner pe
JOIN (
    SELECT person_id, period
    FROM contributions_ledgerentry
    WHERE insurance = 'pension'
      AND ((kind = 'employer_pooled' AND source_type = 'declaration')
        OR (kind = 'flexible_pooled' AND source_type = 'individual_bill'))
    GROUP BY person_id, period
    HAVING SUM(amount) > 0
) x ON x.person_id = pe.person_id
WHERE pe.status IN ('active', 'suspended')
  AND x.period >= (pe.start_index / 12) * 100 + (pe.start_index %% 12) + 1 {only}
GROUP BY pe.id, pe.region_id
ORDER BY pe.id
"""


def pensioners_contributing(subject_id: int | None = None) -> list[Hit]:
    """Pension contributions for months from the first month a pensioner is paid."""
    only = "AND pe.id = %s" if subject_id is not None else ""
    with connection.cursor() as cursor:
        cursor.execute(_PENSIONER_CONTRIBUTING.format(only=only), [subject_id] if only else [])
        rows = cursor.fetchall()
    return [
        Hit(str(pk), region, "pensioner", pk, {"months": months, "first": first})
        for pk, region, months, first in rows
    ]


# --- registries (through the exchange gateway) ------------------------------------------

PURPOSE = "data_quality_check"  # exchange.labels.PURPOSES


def _lookup(resource: str, subject: str) -> dict[str, Any] | None:
    from onestop.exchange.licences import registry_lookup

    return registry_lookup(party="hrss", resource_code=resource, subject=subject, purpose=PURPOSE)


def employers_deregistered(subject_id: int | None = None) -> list[Hit]:
    """Employers that declared in the last twelve months although the enterprise registry has
    them deregistered before the month declared."""
    today = timezone.localdate()
    since = (today.year - 1) * 100 + today.month
    declared = (
        Declaration.objects.filter(period__gte=since)
        .values("employer_id")
        .annotate(last=Max("period"))
    )
    if subject_id is not None:
        declared = declared.filter(employer_id=subject_id)
    last = {row["employer_id"]: row["last"] for row in declared}
    hits = []
    for employer in Employer.objects.filter(pk__in=last).order_by("pk"):
        record = _lookup("market_regulation.enterprises", employer.credit_code)
        gone = str((record or {}).get("deregistered_on") or "")
        if not gone:
            continue
        gone_month = int(gone[:4]) * 100 + int(gone[5:7])
        if last[employer.pk] > gone_month:
            hits.append(
                Hit(
                    str(employer.pk),
                    employer.region_id,
                    "employer",
                    employer.pk,
                    {"deregistered_on": gone[:10], "last_declared": last[employer.pk]},
                )
            )
    return hits


def names_differ_from_household(subject_id: int | None = None) -> list[Hit]:
    """Pensioners whose name differs from the household register's."""
    found = Pensioner.objects.filter(status__in=["active", "suspended"]).select_related("person")
    if subject_id is not None:
        found = found.filter(pk=subject_id)
    hits = []
    for pensioner in found.order_by("pk").iterator(chunk_size=1000):
        record = _lookup("public_security.household", pensioner.person.resident_id)
        if record and record.get("name") and record["name"] != pensioner.person.name:
            hits.append(
                Hit(
                    str(pensioner.pk),
                    pensioner.region_id,
                    "pensioner",
                    pensioner.pk,
                    {"field": "name"},
                )
            )
    return hits


CHECKS: list[Check] = [
    Check(
        "duplicate_person",
        "persons",
        "疑似重复人员",
        "Possible duplicate persons",
        "count(persons with the same name, birth date and sex) > 1",
        duplicate_persons,
        how_zh="姓名、出生日期和性别均相同的人员数 > 1",
    ),
    Check(
        "invalid_resident_id",
        "persons",
        "身份证号码无效",
        "Invalid resident ID",
        "GB 11643: length, characters, birth date or check character wrong",
        invalid_resident_ids,
        how_zh="按 GB 11643 校验：长度、字符、出生日期或校验位有误",
    ),
    Check(
        "inconsistent_resident_id",
        "persons",
        "出生日期或性别与身份证号码不符",
        "Birth date or sex contradicts the resident ID",
        "recorded birth date != ID digits 7-14, or recorded sex != parity of digit 17",
        inconsistent_resident_ids,
        correctable=True,
        how_zh="登记的出生日期 ≠ 身份证号码第7至14位，或登记的性别 ≠ 第17位的奇偶",
    ),
    Check(
        "invalid_credit_code",
        "employers",
        "统一社会信用代码无效",
        "Invalid unified social credit code",
        "GB 32100: length, characters or check character wrong",
        invalid_credit_codes,
        how_zh="按 GB 32100 校验：长度、字符或校验位有误",
    ),
    Check(
        "before_working_age",
        "contributions",
        "未满16周岁的缴费",
        "Contributions before working age",
        "net pension contribution > 0 for a month before the person's 16th birthday month",
        contributions_before_working_age,
        how_zh="本人年满16周岁当月之前某月的养老保险净缴费 > 0",
    ),
    Check(
        "concurrent_contributions",
        "contributions",
        "同月多单位重复缴费",
        "Contributions from two employers in one month",
        "count(employers with a net pension contribution > 0 for the person and month) > 1",
        concurrent_contributions,
        how_zh="同一人同一月养老保险净缴费 > 0 的单位数 > 1",
    ),
    Check(
        "pensioner_contributing",
        "pensioners",
        "领取待遇后仍在缴费",
        "Pensioner still contributing",
        "net pension contribution > 0 for a month >= the first month the pension is paid",
        pensioners_contributing,
        how_zh="养老金首次发放当月及以后某月的养老保险净缴费 > 0",
    ),
    Check(
        "employer_deregistered",
        "employers",
        "已注销企业仍在申报",
        "Deregistered enterprise still declaring",
        "enterprise registry deregistration month < last month declared (last 12 months)",
        employers_deregistered,
        registry=True,
        how_zh="企业登记注销月份 < 最后申报月份（近12个月）",
    ),
    Check(
        "household_name_differs",
        "pensioners",
        "姓名与户籍登记不符",
        "Name differs from the household register",
        "household register name != recorded name (pensioners being paid)",
        names_differ_from_household,
        registry=True,
        how_zh="户籍登记姓名 ≠ 登记姓名（正在领取养老金的人员）",
    ),
]

BY_CODE = {check.code: check for check in CHECKS}
