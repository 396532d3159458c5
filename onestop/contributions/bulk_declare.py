"""Regular declarations of many employers for one month, written in bulk (``onestop generate``).

What ``services.declaration_submit`` writes for an accepted regular declaration of generated
employees, for every employer at once: the ``Declaration`` rows (reply included), one
contribution-detail row per person (the ``LedgerEntry`` view reads them), the pension months,
the bills, and one journal entry for the month, each table with one COPY. The amounts come
from the rules engine exactly as the posting gets them (``rules.contributions.employee_month``
with the province's parameters, once per distinct wage); the totals of the bills from
``posting.staged_totals`` over the same staged rows.

Only for rows known to be valid: the persons and employments that ``generate.people`` has
just made, every employee of the month listed once. The row checks, the employment check and
the idempotency keys of the service are not repeated; a second regular declaration of an
employer and month is still refused by the database (``declaration_one_regular_per_month``),
and so is a second payer of a person's pension month (``pension_month_one_payer``), with the
whole month rolled back.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from onestop.audit.services import record
from onestop.common.bulk import copy_rows
from onestop.contributions import partitions, posting, services
from onestop.contributions.models import (
    Declaration,
    DeclarationKind,
    Insurance,
    InsuranceRegistration,
)
from onestop.contributions.periods import month_of
from onestop.identity.masking import mask_resident_id
from onestop.identity.models import Employer
from onestop.parameters import selectors as parameters
from onestop.rules.contributions import EmployeeMonth, employee_month

#: (resident ID, wage, person id) of one employee, in the order of the declaration's lines.
Employee = tuple[str, Decimal, int]


@dataclass(frozen=True)
class MonthDeclared:
    declarations: int
    rows: int


def _reserve_ids(table: str, count: int) -> list[int]:
    """``count`` fresh primary keys of ``table``, taken before its rows are written (each
    reply holds its declaration's id). PostgreSQL draws them from the column's sequence;
    SQLite, whose writers are serialised by the transaction, continues after the largest."""
    if count == 0:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return sorted(int(row[0]) for row in cursor.fetchall())
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
        (last,) = cursor.fetchone()
        return list(range(int(last) + 1, int(last) + 1 + count))


def _employers(ids: Sequence[int]) -> tuple[dict[int, str], dict[int, dict[str, int | None]]]:
    """Each employer's province, and its registrations (insurance -> risk class). Read by
    range of primary key, not by a list of ids (SQLite's limit of bound variables)."""
    low, high, wanted = min(ids), max(ids), set(ids)
    province = {
        pk: code[:2] + "0000"
        for pk, code in Employer.objects.filter(pk__gte=low, pk__lte=high).values_list(
            "pk", "region__code"
        )
        if pk in wanted
    }
    registered: dict[int, dict[str, int | None]] = {pk: {} for pk in wanted}
    for employer_id, insurance, risk in InsuranceRegistration.objects.filter(
        employer_id__gte=low, employer_id__lte=high
    ).values_list("employer_id", "insurance", "risk_class"):
        if employer_id in wanted:
            registered[employer_id][insurance] = risk
    return province, registered


def declare_month(*, people: Mapping[int, Sequence[Employee]], period: int) -> MonthDeclared:
    """Post the regular declaration of ``period`` of every employer in ``people`` (employer
    id -> its employees), as ``declaration_submit`` would have posted each, in one
    transaction and a fixed number of statements.

    The planner's statistics are left to the caller (``common.bulk.refresh_statistics``
    once the last month is written): nothing here reads what an earlier month wrote."""
    employer_ids = sorted(e for e, rows in people.items() if rows)
    if not employer_ids:
        return MonthDeclared(0, 0)
    province, registered = _employers(employer_ids)
    unregistered = [e for e in employer_ids if Insurance.PENSION not in registered[e]]
    if unregistered:
        raise ValueError(f"employers not registered for pension: {unregistered[:10]}")
    # Outside the month's transaction, as the service does: creating a partition locks the
    # detail's readers out until its transaction ends.
    partitions.ensure_year(period)
    year = period // 100
    month = month_of(period)
    following = month.plus(1)
    due = dt.date(following.year, following.month, services.PAYMENT_DAYS)
    now = timezone.now()
    data_of: dict[str, Any] = {}
    # One rules function per province and risk class, each called once per distinct wage.
    rules_of: dict[tuple[str, int | None], tuple[Any, dict[Decimal, EmployeeMonth]]] = {}
    declarations: list[tuple[Any, ...]] = []
    details: list[tuple[Any, ...]] = []
    pension_months: list[tuple[Any, ...]] = []
    bills: list[tuple[Any, ...]] = []
    rows_total = 0
    detail_table = partitions.table_of(period)
    with transaction.atomic():
        ids = _reserve_ids(Declaration._meta.db_table, len(employer_ids))
        for declaration_id, employer_id in zip(ids, employer_ids, strict=True):
            code = province[employer_id]
            data = data_of.get(code)
            if data is None:
                data = data_of[code] = parameters.province_year(province=code, year=year)
            insurances = registered[employer_id]
            risk = insurances.get(Insurance.WORK_INJURY, 0)
            risk_class = None if Insurance.WORK_INJURY not in insurances else (risk or 1)
            key = (code, risk_class)
            if key not in rules_of:
                rules_of[key] = (
                    employee_month(
                        average_wage=data.average_wage, rates=data.rates, risk_class=risk_class
                    ),
                    {},
                )
            amounts, months = rules_of[key]
            staged: list[posting.StagedRow] = []
            persons: list[int] = []
            listed: list[services.BaseAdjustment] = []
            adjusted = 0
            for line, (number, wage, person_id) in enumerate(people[employer_id], start=2):
                result = months.get(wage)
                if result is None:
                    result = months[wage] = amounts(wage)
                bound = result.bound
                if bound is not None:
                    adjusted += 1
                    if len(listed) < services.MAX_ADJUSTMENTS_LISTED:
                        listed.append(
                            services.BaseAdjustment(
                                line,
                                mask_resident_id(number.strip().upper()),
                                wage,
                                bound.base,
                                bound.bound,
                                bound.percent,
                                data.average_wage,
                                data.year,
                            )
                        )
                staged.append(
                    posting.StagedRow(
                        line,
                        "",
                        wage,
                        result.base,
                        result.pension_employer,
                        result.pension_individual,
                        result.unemployment_employer,
                        result.unemployment_individual,
                        result.work_injury_employer,
                    )
                )
                persons.append(person_id)
            held = set(insurances)
            # In person order, as the posting's INSERT ... SELECT writes them.
            for person_id, s in sorted(zip(persons, staged, strict=True), key=lambda p: p[0]):
                parts = (s.p_emp, s.p_ind, s.u_emp, s.u_ind, s.w_emp)
                details.append(
                    (
                        declaration_id,
                        person_id,
                        employer_id,
                        period,
                        s.wage,
                        s.base,
                        *(
                            part if insurance in held else None
                            for (insurance, _, _), part in zip(
                                posting.DETAIL_COLUMNS, parts, strict=True
                            )
                        ),
                    )
                )
                pension_months.append((person_id, period, employer_id, declaration_id))
            totals = posting.staged_totals(staged, held)
            reply_bills = []
            due_total = Decimal(0)
            for insurance in sorted({i for i, _ in totals}):
                employer_part = totals.get((insurance, False), Decimal("0.00"))
                individual_part = totals.get((insurance, True), Decimal("0.00"))
                amount_due = employer_part + individual_part
                due_total += amount_due
                bills.append(
                    (
                        employer_id,
                        declaration_id,
                        period,
                        insurance,
                        employer_part,
                        individual_part,
                        amount_due,
                        due,
                        now,
                    )
                )
                reply_bills.append(
                    {
                        "insurance": insurance,
                        "employer": f"{employer_part:.2f}",
                        "individual": f"{individual_part:.2f}",
                        "amount_due": f"{amount_due:.2f}",
                        "due_date": due.isoformat(),
                    }
                )
            reply = {
                "declaration_id": declaration_id,
                "period": f"{month}",
                "kind": DeclarationKind.REGULAR,
                "rows": len(staged),
                "parameters": data.reference,
                "bills": reply_bills,
                "total_due": f"{due_total:.2f}",
                **services.adjustments_reply(listed),
                "adjustment_count": adjusted,
            }
            declarations.append(
                (
                    declaration_id,
                    employer_id,
                    period,
                    DeclarationKind.REGULAR,
                    None,
                    "",
                    # The service hashes the payload only for an idempotency key; none here.
                    "",
                    len(staged),
                    sum((s.wage for s in staged), Decimal(0)),
                    json.dumps(reply),
                    data.reference,
                    "system",
                    now,
                )
            )
            rows_total += len(staged)
        # A refusal (a month declared twice) as Django's IntegrityError on both databases.
        with connection.wrap_database_errors:
            copy_rows(
                Declaration._meta.db_table,
                (
                    "id",
                    "employer_id",
                    "period",
                    "kind",
                    "idempotency_key",
                    "idempotency_client",
                    "payload_hash",
                    "rows",
                    "total_wage",
                    "reply",
                    "parameters",
                    "created_by",
                    "created_at",
                ),
                declarations,
            )
            copy_rows(
                "contributions_pensionmonth",
                ("person_id", "period", "employer_id", "declaration_id"),
                sorted(pension_months),
            )
            copy_rows(
                detail_table,
                (
                    "declaration_id",
                    "person_id",
                    "employer_id",
                    "period",
                    "wage",
                    "base",
                    *(column for _, _, column in posting.DETAIL_COLUMNS),
                ),
                details,
            )
            copy_rows(
                "contributions_bill",
                (
                    "employer_id",
                    "declaration_id",
                    "period",
                    "insurance",
                    "employer_amount",
                    "individual_amount",
                    "amount_due",
                    "due_date",
                    "created_at",
                ),
                bills,
            )
        # A fresh regular declaration has no payments or credits to net against
        # (``netting.settle_month`` changes nothing then); its bills go to the collecting
        # authority after the commit, as the service sends them.
        services.bills_push_after_commit()
        # One journal entry for the month's bulk declarations, not one per employer.
        record(
            actor=None,
            action="contributions.declaration.generated",
            target_type="contributions.declaration",
            target_id=f"{ids[0]}-{ids[-1]}",
            changes={
                "period": period,
                "kind": DeclarationKind.REGULAR,
                "declarations": len(declarations),
                "rows": rows_total,
                "first_declaration": ids[0],
                "last_declaration": ids[-1],
            },
        )
    return MonthDeclared(len(declarations), rows_total)
