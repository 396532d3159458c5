"""Writes in the contributions context: registration, employments, declarations, payments."""

from __future__ import annotations

import datetime as dt
import json
import logging
import unicodedata
from collections import Counter
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from operator import itemgetter
from typing import Any, NamedTuple

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from onestop.audit.services import record
from onestop.common import bulk
from onestop.common.digests import sm3_hex
from onestop.common.errors import NotPermitted, ServiceError
from onestop.contributions import locks, netting, partitions, posting
from onestop.contributions.models import (
    Bill,
    Declaration,
    DeclarationKind,
    Employment,
    EntryKind,
    Insurance,
    InsuranceRegistration,
    LedgerRecord,
    Payment,
    PensionMonth,
    PostCategory,
)
from onestop.contributions.periods import current_period, month_of
from onestop.identity.auth import resident_id_index, resident_id_indexes
from onestop.identity.masking import mask_resident_id
from onestop.identity.models import Employer, Person
from onestop.parameters import selectors as parameters
from onestop.rules.amounts import parse_amount
from onestop.rules.contributions import EmployeeMonth, employee_month
from onestop.rules.identifiers import check_resident_id
from onestop.rules.values import RuleError, YearMonth

logger = logging.getLogger(__name__)

DECLARE = "contributions.declare"
MAX_WAGE = Decimal("10000000")
#: Spreadsheet formula starts (CSV injection). A wage may start with "-": it is then refused
#: as negative, not as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
WAGE_FORMULA_START = ("=", "+", "@", "\t", "\r")
PAYMENT_DAYS = 15  # bills fall due on the 15th of the month after the period


def _allowed(actor: Any, employer: Employer) -> None:
    if actor is not None and not actor.has_perm(DECLARE, employer):
        raise NotPermitted()


def insurance_register(
    *,
    actor: Any,
    employer: Employer,
    insurances: Sequence[str],
    since_period: int,
    risk_class: int | None = None,
) -> list[InsuranceRegistration]:
    """Register an employer for its insurances at once; pension is always among them."""
    _allowed(actor, employer)
    chosen = set(insurances) | {Insurance.PENSION.value}
    unknown = chosen - set(Insurance.values)
    if unknown:
        raise ServiceError(
            f"未知险种：{', '.join(sorted(unknown))}",
            f"Unknown insurances: {', '.join(sorted(unknown))}",
            code="insurance",
        )
    if Insurance.WORK_INJURY in chosen and not (risk_class and 1 <= risk_class <= 8):
        raise ServiceError(
            "参加工伤保险须填写行业风险类别（1至8）。",
            "Work-injury insurance needs an industry risk class 1 to 8.",
            code="risk_class",
        )
    month_of(since_period)
    created = []
    with transaction.atomic():
        for insurance in sorted(chosen):
            registration, new = InsuranceRegistration.objects.get_or_create(
                employer=employer,
                insurance=insurance,
                defaults={
                    "since_period": since_period,
                    "risk_class": risk_class if insurance == Insurance.WORK_INJURY else None,
                },
            )
            if new:
                created.append(registration)
        record(
            actor=actor,
            action="contributions.insurance.registered",
            target=employer,
            changes={
                "insurances": sorted(r.insurance for r in created),
                "since": since_period,
                "risk_class": risk_class,
            },
        )
    return created


def _registered(employer: Employer) -> dict[str, InsuranceRegistration]:
    return {r.insurance: r for r in InsuranceRegistration.objects.filter(employer=employer)}


#: The rule a concurrent employment is checked against (SIL art. 10, 12; the pension is
#: paid for a person and month by one employer only, while work-injury insurance follows each
#: employment: Ministry notice on concurrent employment, 人社部发〔2013〕34号).
CONCURRENT_RULE_ZH = (
    "同一人同一月份的基本养老保险费只能由一个单位缴纳；兼职用工可以同时参加工伤保险。"
)
CONCURRENT_RULE_EN = (
    "Pension contributions for one person and month come from one employer only; a second "
    "employer may still insure them for work injury."
)


def open_employment_at(*, person: Person, employer: Employer) -> bool:
    return Employment.objects.filter(
        person=person, employer=employer, end_period__isnull=True
    ).exists()


def employers_elsewhere(*, person: Person, employer: Employer) -> list[Employer]:
    """The other employers where ``person`` has an open employment now."""
    ids = (
        Employment.objects.filter(person=person, end_period__isnull=True)
        .exclude(employer=employer)
        .values_list("employer_id", flat=True)
    )
    return list(Employer.objects.filter(pk__in=list(ids)).order_by("pk"))


def concurrent_refusal(others: Sequence[Employer]) -> ServiceError:
    """The question asked before adding someone employed elsewhere: the rule, and how to
    go ahead."""
    names = "、".join(e.name for e in others)
    return ServiceError(
        f"该人员在{names}仍有在职记录。{CONCURRENT_RULE_ZH}确认兼职用工的，请勾选确认后再提交。",
        f"This person is still employed by {', '.join(e.name for e in others)}. "
        f"{CONCURRENT_RULE_EN} To go ahead with a concurrent employment, confirm it and submit "
        "again.",
        code="concurrent",
    )


#: How far back an employer dates a new employment by itself (page, file, API, online
#: filing): this month and the two before. SIL art. 58 asks for registration within 30 days
#: of hiring; anything earlier is a back payment the agency reviews at the counter.
SELF_SERVICE_MONTHS_BACK = 2
#: The youngest a person may be employed (Labour Law art. 15).
MINIMUM_WORKING_AGE = 16


def start_month_check(
    *, birth_date: dt.date, start_period: int, today: dt.date, at_counter: bool = False
) -> None:
    """Refuse a first insured month the employer may not choose, with the reason (400
    ``start_month``): before the person turns 16 (Labour Law art. 15), after next month,
    or, except at a counter, more than two months back (SIL art. 58)."""
    start = month_of(start_period)
    adult = YearMonth(birth_date.year + MINIMUM_WORKING_AGE, birth_date.month)
    this = YearMonth(today.year, today.month)
    if start < adult:
        raise ServiceError(
            f"参保起始月份{start}早于该职工年满16周岁的月份{adult}（《劳动法》第十五条）。",
            f"The first month {start} is before the employee turns 16 ({adult}; Labour Law "
            "art. 15).",
            code="start_month",
        )
    if start > this.plus(1):
        raise ServiceError(
            f"参保起始月份{start}太远：最晚可选{this.plus(1)}。",
            f"The first month {start} is too far ahead: {this.plus(1)} at the latest.",
            code="start_month",
        )
    earliest = this.plus(-SELF_SERVICE_MONTHS_BACK)
    if start < earliest and not at_counter:
        raise ServiceError(
            f"参保起始月份最早为{earliest}（《社会保险法》第五十八条：用工之日起三十日内登记）。"
            "更早的月份属于补缴，请携用工证明到经办机构柜台办理。",
            f"The first month can be {earliest} at the earliest (SIL art. 58: register within "
            "30 days of hiring). Earlier months are a back payment: bring proof of employment "
            "to the agency's counter.",
            code="start_month",
        )


def death_on_record(person: Person) -> dt.date | None:
    """The date of the person's death as the platform knows it (the survivors' benefits a
    registered death opened, or a death certificate in the e-licence library), or None."""
    from onestop.exchange.models import ELicence
    from onestop.pensions.models import SurvivorBenefit

    benefit = SurvivorBenefit.objects.filter(person=person).only("died_on").first()
    if benefit is not None:
        return benefit.died_on
    licence = (
        ELicence.objects.filter(subject=person.resident_id_index, licence_type="death_certificate")
        .order_by("valid_from")
        .only("valid_from")
        .first()
    )
    return licence.valid_from if licence is not None else None


def employment_start(
    *,
    actor: Any,
    employer: Employer,
    resident_id: str,
    start_period: int,
    wage: Decimal,
    post_category: str = PostCategory.GENERAL,
    concurrent_confirmed: bool | None = None,
    today: dt.date | None = None,
    at_counter: bool = False,
) -> Employment:
    """Add an employee (增员). The person must be registered; one open employment per
    employer and person. With ``concurrent_confirmed`` given (the pages and the API), an
    open employment elsewhere is refused unless confirmed (``concurrent_refusal`` says the
    rule); a confirmed one is journaled with the other employers. With ``today`` given
    (every channel a person uses), the first month must pass ``start_month_check``."""
    _allowed(actor, employer)
    check = check_resident_id(resident_id, today=timezone.localdate())
    if not check.valid:
        reason = check.reason
        raise ServiceError(
            f"公民身份号码无效：{reason.zh if reason else ''}",
            f"Invalid resident ID: {reason.en if reason else ''}",
            code="resident_id",
        )
    person = Person.objects.filter(resident_id_index=resident_id_index(check.normalized)).first()
    if person is None:
        raise ServiceError(
            "该人员尚未登记参保信息，请通过“职工参保登记（增员、减员）”为其办理首次参保。",
            "This person is not registered yet: enrol them through the employee registration "
            "service (SX-SI-002).",
            code="unknown_person",
        )
    if post_category not in PostCategory.values:
        raise ServiceError("岗位类别无效。", "Unknown post category.", code="post_category")
    died_on = death_on_record(person)
    if died_on is not None and start_period > died_on.year * 100 + died_on.month:
        raise ServiceError(
            f"登记信息显示该人员已于{died_on.year}年{died_on.month}月死亡，不能自其后的月份增员。",
            f"The records show this person died in {died_on:%Y-%m}: they cannot be enrolled "
            "from a later month.",
            code="deceased",
        )
    if wage < 0 or wage > MAX_WAGE:
        raise ServiceError("工资金额无效。", "The wage is not valid.", code="wage")
    month_of(start_period)
    if today is not None:
        start_month_check(
            birth_date=person.birth_date,
            start_period=start_period,
            today=today,
            at_counter=at_counter,
        )
    others = employers_elsewhere(person=person, employer=employer)
    if others and concurrent_confirmed is False:
        raise concurrent_refusal(others)
    with transaction.atomic():
        try:
            with transaction.atomic():
                employment = Employment.objects.create(
                    person=person,
                    employer=employer,
                    start_period=start_period,
                    wage=wage,
                    post_category=post_category,
                )
        except IntegrityError as exc:
            raise ServiceError(
                "该人员在本单位已有在职记录。",
                "This person is already employed here.",
                code="already_employed",
            ) from exc
        record(
            actor=actor,
            action="contributions.employment.started",
            target=employment,
            changes={
                "person": person.pk,
                "employer": employer.pk,
                "start": start_period,
                "post_category": post_category,
                **({"concurrent_with": [e.pk for e in others]} if others else {}),
            },
        )
    return employment


def employment_end(
    *, actor: Any, employment: Employment, end_period: int, reason: str
) -> Employment:
    """Remove an employee (减员) from the month after ``end_period``; history is kept."""
    _allowed(actor, employment.employer)
    if employment.end_period is not None:
        raise ServiceError("该在职记录已结束。", "This employment has already ended.", code="ended")
    if end_period < employment.start_period:
        raise ServiceError(
            "终止月份早于起始月份。", "The end month is before the start month.", code="end_period"
        )
    if not reason.strip():
        raise ServiceError("请填写减员原因。", "A reason is required.", code="reason")
    month_of(end_period)
    with transaction.atomic():
        Employment.objects.filter(pk=employment.pk).update(
            end_period=end_period, end_reason=reason.strip()[:200]
        )
        employment.refresh_from_db()
        record(
            actor=actor,
            action="contributions.employment.ended",
            target=employment,
            changes={"end": end_period, "reason": employment.end_reason},
        )
    return employment


EXPORT_EMPLOYEES = "contributions.export_employees"


@dataclass(frozen=True)
class EmployeeTemplateRow:
    person_id: int
    resident_id: str
    name: str
    wage: Decimal


def employees_template(*, actor: Any, employer: Employer, period: int) -> list[EmployeeTemplateRow]:
    """The employees of ``period`` this employer declares (never one whose pension that month
    another employer pays) with their full resident IDs, names and last wages, to
    pre-fill the declaration template. Only the employer's own users (legal representative,
    agent) may have it; each call is journaled as a full view of those people's data."""
    from onestop.contributions.selectors import employments_to_declare, with_last_wage

    if actor is None or not actor.has_perm(EXPORT_EMPLOYEES, employer):
        raise NotPermitted()
    month_of(period)
    rows = [
        EmployeeTemplateRow(
            e.person_id,
            e.person.resident_id,
            e.person.name,
            e.last_wage,  # type: ignore[attr-defined]  # annotated by with_last_wage
        )
        for e in with_last_wage(
            employments_to_declare(employer=employer, period=period), period=period
        )
    ]
    with transaction.atomic():
        record(
            actor=actor,
            action="contributions.employees.exported",
            target=employer,
            changes={
                "fields": ["resident_id", "name", "wage"],
                "period": period,
                "persons": sorted(r.person_id for r in rows),
            },
        )
    return rows


@dataclass(frozen=True)
class RowError:
    line: int
    field: str
    zh: str
    en: str
    #: The kind of refusal, counted per kind in the reply (defaults to the field).
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "field": self.field,
            "message_zh": self.zh,
            "message_en": self.en,
        }


class BaseAdjustment(NamedTuple):
    """A row whose contribution base is not its wage: raised to the floor or lowered to the
    cap (D4), with the figures that say why. A named tuple: a million-row declaration may
    make hundreds of thousands, and a frozen dataclass takes 2.5 times as long to build."""

    line: int
    resident_id: str  # masked
    wage: Decimal
    base: Decimal
    bound: str  # "floor" or "cap"
    percent: str  # of the average wage: "60", "300"
    average_wage: Decimal
    year: int  # whose average wage is used for bases

    @property
    def zh(self) -> str:
        if self.bound == "floor":
            return (
                f"工资{self.wage:.2f}元低于缴费基数下限，缴费基数调高至下限{self.base:.2f}元"
                f"（{self.year}年度全省平均工资{self.average_wage:.2f}元的{self.percent}%，"
                "国办发〔2019〕13号）。"
            )
        return (
            f"工资{self.wage:.2f}元高于缴费基数上限，缴费基数调低至上限{self.base:.2f}元"
            f"（{self.year}年度全省平均工资{self.average_wage:.2f}元的{self.percent}%，"
            "国办发〔2019〕13号）。"
        )

    @property
    def en(self) -> str:
        if self.bound == "floor":
            return (
                f"The wage {self.wage:.2f} is below the floor: the contribution base is raised "
                f"to {self.base:.2f}, {self.percent}% of the provincial average wage "
                f"{self.average_wage:.2f} used for {self.year} (Guobanfa [2019] 13)."
            )
        return (
            f"The wage {self.wage:.2f} is above the cap: the contribution base is lowered "
            f"to {self.base:.2f}, {self.percent}% of the provincial average wage "
            f"{self.average_wage:.2f} used for {self.year} (Guobanfa [2019] 13)."
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "resident_id": self.resident_id,
            "wage": f"{self.wage:.2f}",
            "base": f"{self.base:.2f}",
            "bound": self.bound,
            "percent": self.percent,
            "average_wage": f"{self.average_wage:.2f}",
            "year": self.year,
            "message_zh": self.zh,
            "message_en": self.en,
        }


#: Adjusted rows a reply lists; all are counted (``adjustment_count``).
MAX_ADJUSTMENTS_LISTED = 1000


def adjustments_reply(adjustments: Sequence[BaseAdjustment]) -> dict[str, Any]:
    return {
        "adjustments": [a.as_dict() for a in adjustments[:MAX_ADJUSTMENTS_LISTED]],
        "adjustment_count": len(adjustments),
    }


@dataclass
class DeclarationResult:
    accepted: bool
    reply: dict[str, Any]
    errors: list[RowError] = field(default_factory=list)
    declaration: Declaration | None = None
    replayed: bool = False
    #: Checked and nothing posted: a preview, or adjusted bases waiting for confirmation.
    to_confirm: bool = False
    adjustments: list[BaseAdjustment] = field(default_factory=list)


#: ``progress(phase, done, total)``: a long declaration reports how far it is.
Progress = Callable[[str, int, int], None]
PROGRESS_EVERY = 5000  # rows between two reports


@dataclass(frozen=True)
class DeclaredRow:
    line: int
    resident_id: str
    wage: str
    #: The name as a file gives it (its name column, if any): not posted, only checked for
    #: a spreadsheet formula (CSV/XLSX injection), which refuses the row.
    name: str = ""
    #: The header of the first cell of the row a file gives as a spreadsheet formula (an
    #: XLSX formula cell in any column; a text cell of any column but the ID and wage that
    #: starts with a formula character, ``starts_like_formula``): the row is refused.
    formula_column: str = ""


def starts_like_formula(text: str) -> bool:
    """Whether a spreadsheet could run ``text``: after NFKC (full-width ＝＋－＠ become
    ASCII) and leading spaces and quotes (``'``) are dropped, it starts with =, +, -, @, a
    tab or a carriage return."""
    if not text:
        return False
    first = text[0]
    if (first.isascii() and first.isalnum()) or "\u4e00" <= first <= "\u9fff":
        # Fast path: an ASCII letter or digit or a CJK unified ideograph (a name's usual
        # start) is its own NFKC form, and nothing composes with it into a formula character.
        return False
    text = unicodedata.normalize("NFKC", text)
    start = 0
    while start < len(text) and (
        text[start] == "'" or (text[start].isspace() and text[start] not in "\t\r")
    ):
        start += 1
    return text[start:].startswith(FORMULA_START)


def _payload_hash(employer: Employer, period: int, kind: str, rows: Sequence[DeclaredRow]) -> str:
    canonical = json.dumps(
        [
            employer.pk,
            period,
            kind,
            [[r.resident_id.strip().upper(), r.wage.strip()] for r in rows],
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return sm3_hex(canonical.encode())


def _formula_error(line: int) -> RowError:
    return RowError(
        line,
        "row",
        "含有公式或特殊起始字符，已拒绝。",
        "Contains a formula or a leading special character.",
        "formula",
    )


def _name_formula_error(line: int) -> RowError:
    return RowError(
        line,
        "name",
        "姓名以公式或特殊字符（=、+、-、@、制表符、回车）开头，已拒绝：请填写姓名本身。",
        "The name starts with a formula or a special character (=, +, -, @, tab, CR): give "
        "the name itself.",
        "formula",
    )


def _column_formula_error(line: int, column: str) -> RowError:
    return RowError(
        line,
        "row",
        f"“{column}”列含公式或以特殊字符（=、+、-、@、制表符、回车）开头，已拒绝：请填写内容本身。",
        f"The column “{column}” holds a formula or starts with a special character (=, +, -, "
        "@, tab, CR): give the text itself.",
        "formula",
    )


def _masked(resident_id: str) -> str:
    """``mask_resident_id`` of a row's ID as checked (spaces around it dropped, upper case),
    in few steps for the usual 18 characters."""
    if len(resident_id) == 18 and resident_id.isascii() and resident_id.isalnum():
        return f"{resident_id[:4].upper()}**********{resident_id[14:].upper()}"
    return mask_resident_id(resident_id.strip().upper())


#: A row that passed the checks: (row, blind index of its ID, wage, person id or None when
#: the ID is not one of the employer's employees of the month).
Checked = tuple[DeclaredRow, str, Decimal, int | None]


@dataclass
class _CheckState:
    """What ``_check_rows`` carries from one chunk of a declaration to the next: the IDs
    seen (duplicates across chunks), the wages parsed, the blind indexes listed."""

    seen: dict[str, int] = field(default_factory=dict)
    wages: dict[str, Decimal] = field(default_factory=dict)
    #: The blind indexes of valid IDs listed in rows that are not in ``seen`` (refused for
    #: another reason); ``listed`` answers for both.
    refused: set[str] = field(default_factory=set)

    @property
    def listed(self) -> _Listed:
        """The blind indexes of every valid ID listed, whatever else is wrong with its row."""
        return _Listed(self.seen, self.refused)


class _Listed:
    """``index in listed``: in the rows that passed or in those refused (no set of a million
    indexes built for the few lookups of the employees left out)."""

    def __init__(self, seen: dict[str, int], refused: set[str]) -> None:
        self._seen, self._refused = seen, refused

    def __contains__(self, index: object) -> bool:
        return index in self._seen or index in self._refused


def _typed_indexes(rows: Sequence[DeclaredRow]) -> list[str | None]:
    """The blind index of each row's ID as typed when it has the standard's shape (18 ASCII
    letters and digits, the case aside: its index is its normalised form's), else None.
    Needs no database: a pipelined declaration computes it while the employees are read."""
    shaped = [
        (i, rid.upper())
        for i, row in enumerate(rows)
        if (rid := row.resident_id) and len(rid) == 18 and rid.isascii() and rid.isalnum()
    ]
    indexes: list[str | None] = [None] * len(rows)
    if len(shaped) == len(rows):
        return list(resident_id_indexes()(rid for _, rid in shaped))
    for (i, _), index in zip(shaped, resident_id_indexes()(rid for _, rid in shaped), strict=True):
        indexes[i] = index
    return indexes


def _check_rows(
    rows: Sequence[DeclaredRow],
    today: dt.date,
    employees: dict[str, int],
    state: _CheckState | None = None,
    indexes: Sequence[str | None] | None = None,
) -> tuple[list[Checked], list[RowError]]:
    """Rows that passed and row errors; ``state.listed``, the blind indexes of every valid
    ID listed.

    ``employees`` (blind index -> person id, ``posting.employees``) spares the full GB 11643
    check of a row whose ID, as typed, is a registered employee's: that ID was checked when
    the person was registered, and an ID that is already as the standard writes it (18 ASCII
    letters and digits, the case aside) has the same blind index as its normalised form. Any
    other row gets the full check, with its precise reason. A declaration checked in chunks
    passes the same ``state`` to every chunk. ``indexes``: ``_typed_indexes(rows)``, if
    already computed.
    """
    state = state or _CheckState()
    errors: list[RowError] = []
    seen, wages = state.seen, state.wages
    good: list[Checked] = []
    append = good.append
    employee = employees.get
    parsed = wages.get
    if indexes is None:
        indexes = _typed_indexes(rows)
    for row, typed in zip(rows, indexes, strict=True):
        # The common row, in few steps: an employee's ID as typed, a wage already parsed
        # (so neither text is a formula, nor has spaces around it), no formula in the other
        # columns, a person not listed before. Anything else takes the full checks below.
        if (
            typed is not None
            and not row.formula_column
            and (person := employee(typed)) is not None
            and (wage := parsed(row.wage)) is not None
            and typed not in seen
            and not (row.name and starts_like_formula(row.name))
        ):
            seen[typed] = row.line
            append((row, typed, wage, person))
            continue
        _check_row(row, today, employees, state, errors, good)
    return good, errors


def _check_row(
    row: DeclaredRow,
    today: dt.date,
    employees: dict[str, int],
    state: _CheckState,
    errors: list[RowError],
    good: list[Checked],
) -> None:
    """Every check of one row (``_check_rows``), with its reasons."""
    seen, wages = state.seen, state.wages
    raw_id, raw_wage = (row.resident_id or "").strip(), (row.wage or "").strip()
    name = row.name or ""
    if row.formula_column:
        # A file's formula cell in any column refuses the row (one formula reason).
        errors.append(_column_formula_error(row.line, row.formula_column))
    elif name and starts_like_formula(name):
        # A formula in the name (=HYPERLINK(...)) would run in whoever opens the file
        # next: the row is refused, whatever else it holds.
        errors.append(_name_formula_error(row.line))
    if raw_id.startswith(FORMULA_START):
        if not row.formula_column:
            errors.append(_formula_error(row.line))
        return
    person = None
    if len(raw_id) == 18 and raw_id.isascii() and raw_id.isalnum():
        index = resident_id_index(raw_id.upper())
        person = employees.get(index)
    if person is None:
        check = check_resident_id(raw_id, today=today, with_place=False)
        index = resident_id_index(check.normalized) if check.valid else ""
    if index and index not in seen:
        # Listed, whatever else is wrong with the row: not reported as missing too.
        state.refused.add(index)
    if raw_wage.startswith(WAGE_FORMULA_START):
        if not row.formula_column:
            errors.append(_formula_error(row.line))
        return
    if person is None and not check.valid:
        reason = check.reason
        errors.append(
            RowError(
                row.line,
                "resident_id",
                f"公民身份号码无效：{reason.zh if reason else ''}",
                f"Invalid resident ID: {reason.en if reason else ''}",
                "resident_id",
            )
        )
        return
    # Parsed and bounded once per distinct text: a declaration's wages repeat.
    wage = wages.get(raw_wage)
    if wage is None:
        try:
            wage = parse_amount(raw_wage)
        except RuleError as exc:
            errors.append(RowError(row.line, "wage", exc.zh, exc.en, exc.code))
            return
        if wage > MAX_WAGE:
            errors.append(
                RowError(
                    row.line,
                    "wage",
                    "工资应在0至10000000之间。",
                    "The wage must be between 0 and 10000000.",
                    "wage_range",
                )
            )
            return
        wages[raw_wage] = wage
    if index in seen:
        errors.append(
            RowError(
                row.line,
                "resident_id",
                f"与第{seen[index]}行重复。",
                f"Duplicates line {seen[index]}.",
                "duplicate",
            )
        )
        return
    state.refused.discard(index)
    seen[index] = row.line
    good.append((row, index, wage, person))


#: Rows from which a declaration counts as a bulk load: its commit refreshes the statistics of
#: the ledger (see ``onestop.common.bulk.refresh_statistics``).
BULK_ROWS = 10_000


class StaleConfirmation(ServiceError):
    """The month was declared again after the employer confirmed its old -> new wages."""

    status = 409
    code = "stale_confirmation"

    def __init__(self) -> None:
        super().__init__(
            "确认后本月已有其他申报，原工资已变化：请重新核对变更后再确认。",
            "The month was declared again after you confirmed it, so the old wages have "
            "changed: review the changes again before you confirm.",
            code=self.code,
        )


def declaration_version(*, employer: Employer, period: int) -> int:
    """The month's newest accepted declaration (0 for none): the wages a page showed as
    "old" are those of this version."""
    return (
        Declaration.objects.filter(employer=employer, period=period)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
        or 0
    )


def declaration_submit(
    *,
    actor: Any,
    employer: Employer,
    period: int,
    rows: Sequence[DeclaredRow],
    kind: str = DeclarationKind.REGULAR,
    idempotency_key: str | None = None,
    today: dt.date | None = None,
    confirm_adjustments: bool = True,
    preview: bool = False,
    progress: Progress | None = None,
    expected_version: int | None = None,
) -> DeclarationResult:
    """Validate a month's wages and, when every row is good, post them; otherwise post nothing.

    Rows whose base is not the wage (raised to the floor, lowered to the cap, D4) are listed
    in the reply (``adjustments``). With ``confirm_adjustments=False`` a declaration with
    such rows is checked in full and not posted: the result is ``to_confirm`` with the
    adjustments, for the employer to confirm first. ``preview=True`` checks and posts
    nothing in any case. ``progress`` hears how far the rows are checked.

    A regular declaration must list everyone employed that month and comes once per month;
    later changes go through supplementary declarations, which post the differences.
    The same ``idempotency_key`` from the same client (``idempotency_client``) for the same
    employer returns the stored reply; with another payload it raises
    ``IdempotencyConflict`` (409). Another employer or client may use the same key.

    Declarations of one employer and month are serialised (``locks.employer_period_lock``)
    before the ledger is read, so concurrent supplementaries end at the last one's amounts.
    With ``expected_version`` (``declaration_version`` when the employer confirmed the old
    wages shown), a month declared again since is refused (``StaleConfirmation``, 409).
    """
    _allowed(actor, employer)
    today = today or timezone.localdate()
    key = (idempotency_key or "").strip()[:80] or None
    client = idempotency_client(actor)
    # Only needed to tell a replay from a conflict, so only computed with a key.
    payload_hash = _payload_hash(employer, period, kind, rows) if key is not None else ""

    def replay() -> DeclarationResult | None:
        if key is None:
            return None
        return _replay(employer=employer, client=client, key=key, payload_hash=payload_hash)

    replayed = replay()
    if replayed is not None:
        return replayed
    header = _header_errors(employer, period, kind, rows, today)
    if header:
        # A concurrent submission with the same key may have committed since the first look.
        return replay() or _rejected(actor, employer, period, header)
    # A regular declaration on PostgreSQL is checked in chunks inside its transaction, each
    # chunk written on a second thread while the next is checked (``posting.ChunkWriter``).
    # Not with ``progress``: its reports would be written inside the transaction, unseen.
    pipelined = (
        connection.vendor == "postgresql"
        and kind == DeclarationKind.REGULAR
        and progress is None
        and len(rows) > posting.PIPELINE_CHUNK
    )
    # Pipelined, the employees are read inside the transaction (below).
    employees = {} if pipelined else posting.employees(employer_id=employer.pk, period=period)
    registered = _registered(employer)
    data = parameters.province_year(province=employer.region.province_code, year=period // 100)
    risk = registered.get(Insurance.WORK_INJURY)
    amounts = employee_month(
        average_wage=data.average_wage,
        rates=data.rates,
        risk_class=(risk.risk_class or 1) if risk else None,
    )
    state = _CheckState()
    good: list[Checked] = []
    row_errors: list[RowError] = []
    staged: list[posting.Staged] = []
    adjustments: list[BaseAdjustment] = []
    # The rules engine once per distinct wage: a declaration's wages repeat.
    counts: Counter[Decimal] = Counter()
    months: dict[Decimal, EmployeeMonth] = {}

    bounds: dict[Decimal, tuple[Decimal, Decimal, str, str, Decimal, int] | None] = {}
    average, year = data.average_wage, data.year

    make = BaseAdjustment._make

    def take(checked: list[Checked]) -> list[posting.Staged]:
        """The staged rows of checked rows, their new wages through the rules, their bases
        adjusted (D4)."""
        wages = Counter(map(itemgetter(2), checked))
        for wage in wages:
            if wage not in months:
                months[wage] = amounts(wage)
        counts.update(wages)
        good.extend(checked)
        chunk = [(row.line, person, wage) for row, _, wage, person in checked]
        staged.extend(chunk)
        for wage in wages:
            if wage not in bounds:
                bound = months[wage].bound
                bounds[wage] = (
                    None
                    if bound is None
                    # The figures of an adjustment that depend on its wage only, once.
                    else (wage, bound.base, bound.bound, bound.percent, average, year)
                )
        if any(bounds[wage] is not None for wage in wages):
            adjustments.extend(
                # ``_make`` of one tuple: cheaper than the keyword-taking constructor.
                make((row.line, _masked(row.resident_id), *b))
                for row, _, wage, _ in checked
                if (b := bounds[wage]) is not None
            )
        return chunk

    if not pipelined:
        checked, row_errors = _check_rows(rows, today, employees, state)
        for start in range(0, len(checked), PROGRESS_EVERY):
            take(checked[start : start + PROGRESS_EVERY])
            if progress is not None and start + PROGRESS_EVERY <= len(checked):
                progress("checking", start + PROGRESS_EVERY, len(checked))
        if progress is not None:
            # Checked against the register and posted in one transaction: reported before
            # it, as a report from inside would only be seen once it has committed.
            progress("saving", len(staged), len(staged))
    listed = state.listed
    # Outside the posting's transaction: creating a partition locks the detail's readers out.
    partitions.ensure_year(period)
    writer: posting.ChunkWriter | None = None
    # A staged row whose ID is none of the employees' (pipelined: its person is resolved late).
    unknown = False
    total_wage = Decimal(0)
    try:
        with transaction.atomic():
            # Before anything is read from the ledger or a row is numbered: a supplementary
            # posts "declared minus posted", and the newest declaration must be the last
            # posted (ledger verify relies on it).
            locks.employer_period_lock(employer_id=employer.pk, periods=[period])
            # The same key may have been posted while this one waited for the lock.
            replayed = replay()
            if replayed is not None:
                return replayed
            if expected_version is not None and expected_version != declaration_version(
                employer=employer, period=period
            ):
                raise StaleConfirmation()
            total_wage = sum((wage * count for wage, count in counts.items()), Decimal(0))
            declaration = Declaration.objects.create(
                employer=employer,
                period=period,
                kind=kind,
                idempotency_key=key,
                idempotency_client=client if key is not None else "",
                payload_hash=payload_hash,
                rows=len(staged),
                total_wage=total_wage,
                parameters=data.reference,
                created_by=actor.get_username() if actor is not None else "system",
            )
            if pipelined:
                writer = posting.ChunkWriter(
                    declaration_id=declaration.pk,
                    employer_id=employer.pk,
                    period=period,
                    insurances=set(registered),
                    claim=Insurance.PENSION in registered,
                )
                try:
                    size = posting.PIPELINE_CHUNK
                    starts = range(0, len(rows), size)
                    # In the transaction: the employment check of every row that matches one
                    # is this read (the same employments as ``posting.unmatched_lines``), on
                    # the writer's thread while this one computes the blind indexes of the
                    # first chunks' IDs.
                    reading = writer.employees(employer_id=employer.pk, period=period)
                    typed: list[list[str | None] | None] = []
                    for start in starts:
                        if reading.done():
                            break
                        typed.append(_typed_indexes(rows[start : start + size]))
                    with connection.wrap_database_errors:
                        employees.update(posting.wait_employees(reading))
                    for n, start in enumerate(starts):
                        indexes = typed[n] if n < len(typed) else None
                        if indexes is not None:
                            typed[n] = None  # kept no longer than needed
                        checked, errors = _check_rows(
                            rows[start : start + size], today, employees, state, indexes
                        )
                        row_errors += errors
                        chunk = take(checked)
                        unknown = unknown or None in map(itemgetter(1), chunk)
                        writer.write(
                            chunk,
                            months,
                            # Detail rows only while the declaration can still be posted.
                            post=not (
                                preview
                                or row_errors
                                or unknown
                                or (adjustments and not confirm_adjustments)
                            ),
                        )
                finally:
                    writer.close()
                total_wage = sum((wage * count for wage, count in counts.items()), Decimal(0))
                Declaration.objects.filter(pk=declaration.pk).update(
                    rows=len(staged), total_wage=total_wage
                )
            # Rows that are not the employer's employees (usually none): their persons, if
            # registered, for the employment check to name them.
            others = (
                posting.persons_of([i for _, i, _, p in good if p is None])
                if writer is None or unknown
                else {}
            )
            if others:
                staged = [
                    (line, others.get(index) if person is None else person, wage)
                    for (line, person, wage), (_, index, _, _) in zip(staged, good, strict=True)
                ]
            if writer is not None:
                if unknown or not writer.claims_complete or writer.first_unposted is not None:
                    # The statements below that read the staging table will run: the rows
                    # go there now, their persons resolved.
                    writer.stage(staged)
            else:
                # In person order: the detail and the claims are appended to their indexes
                # in it.
                staged.sort(key=lambda r: r[1] or 0)
                posting.stage(staged, months)
            unmatched = (
                # Pipelined, every staged person is an employee of this transaction's read.
                []
                if writer is not None and not unknown
                else posting.unmatched_lines(employer_id=employer.pk, period=period)
            )
            # One employer pays a person's pension for a month (CONCURRENT_RULE_*): the
            # claim spans employers, so two declaring the same person at once end with one.
            elsewhere = (
                posting.claim_pension(
                    employer_id=employer.pk,
                    period=period,
                    declaration_id=declaration.pk,
                    persons=[p for _, p, _ in staged if p is not None]
                    if kind == DeclarationKind.REGULAR and writer is None
                    else (),
                )
                if Insurance.PENSION in registered
                # The writer claimed every staged person's month, chunk by chunk, unless a
                # month was held or a person was resolved since: then the statement above.
                and (writer is None or not writer.claims_complete or others)
                else []
            )
            # Rows refused for their format still count as listed, so that the reply does
            # not also call their people missing.
            missing = _missing_employees(
                employer,
                period,
                kind,
                listed,
                # Pipelined: the employees of this transaction's read that no row staged.
                unstaged=_unstaged(employees, staged) if writer is not None else None,
            )
            if row_errors or unmatched or missing or elsewhere:
                raise _Unmatched(unmatched, missing, elsewhere)
            supplementary = kind == DeclarationKind.SUPPLEMENTARY
            to_check = preview or (adjustments and not confirm_adjustments)
            if to_check and not supplementary:
                raise _Checked()  # roll back: nothing is posted before the confirmation
            if writer is None or writer.first_unposted is not None:
                posting.post(
                    declaration_id=declaration.pk,
                    employer_id=employer.pk,
                    period=period,
                    insurances=set(registered),
                    adjusting=supplementary,
                    # The chunks the writer did not post (a row resolved late), if any.
                    from_chunk=writer.first_unposted or 0 if writer is not None else 0,
                )
            # Posted (in this transaction) to see whether it changes anything: one that
            # changes nothing is refused before a preview or a confirmation is offered.
            if supplementary and not posting.changes_anything(
                declaration_id=declaration.pk, employer_id=employer.pk, period=period
            ):
                raise _Unchanged()
            if to_check:
                raise _Checked()  # roll back: nothing is posted before the confirmation
            bills = _bills(
                declaration,
                period,
                # A regular declaration posts the staged amounts as they are.
                posting.declaration_totals(declaration_id=declaration.pk)
                if kind == DeclarationKind.SUPPLEMENTARY
                else posting.wage_totals(counts, months, set(registered)),
            )
            # A lowering supplementary's refund is set against the month's unpaid bills (or
            # becomes a credit); a raising one may use up a credit.
            netting.settle_month(
                actor=actor,
                employer_id=employer.pk,
                period=period,
                source_type="declaration",
                source_id=declaration.pk,
            )
            if len(staged) >= BULK_ROWS:
                # A bulk post changes the ledger's shape: plan the next ones on fresh figures.
                # Only what it wrote: the month's partition of the detail (a regular one
                # writes nothing else), and the records a supplementary one adds to.
                analyzed = [partitions.table_of(period)]
                if kind == DeclarationKind.SUPPLEMENTARY:
                    analyzed.append("contributions_ledgerrecord")
                transaction.on_commit(lambda: bulk.refresh_statistics(*analyzed))
            reply = {
                "declaration_id": declaration.pk,
                "period": f"{month_of(period)}",
                "kind": kind,
                "rows": len(staged),
                "parameters": data.reference,
                "bills": [
                    {
                        "insurance": b.insurance,
                        "employer": f"{b.employer_amount:.2f}",
                        "individual": f"{b.individual_amount:.2f}",
                        "amount_due": f"{b.amount_due:.2f}",
                        "due_date": b.due_date.isoformat(),
                    }
                    for b in bills
                ],
                "total_due": f"{sum((b.amount_due for b in bills), Decimal(0)):.2f}",
                **adjustments_reply(adjustments),
            }
            Declaration.objects.filter(pk=declaration.pk).update(reply=reply)
            # Bills go to the collecting authority once this transaction has committed.
            transaction.on_commit(_push_bills)
            record(
                actor=actor,
                action="contributions.declaration.accepted",
                target=declaration,
                changes={
                    "period": period,
                    "kind": kind,
                    "rows": len(staged),
                    "total_due": reply["total_due"],
                    "adjusted": len(adjustments),
                },
            )
    except _Unchanged:
        return _rejected(
            actor,
            employer,
            period,
            [
                RowError(
                    0,
                    "rows",
                    "补充申报与该月已申报的工资和金额相同，没有需要补充的内容，未入账。",
                    "The supplementary declaration changes no wage or amount of the month "
                    "already declared; nothing was posted.",
                )
            ],
        )
    except _Checked:
        preview_reply = {
            "accepted": False,
            "preview": True,
            "period": f"{month_of(period)}",
            "kind": kind,
            "rows": len(staged),
            "parameters": data.reference,
            "total_wage": f"{total_wage:.2f}",
            **adjustments_reply(adjustments),
        }
        return DeclarationResult(False, preview_reply, to_confirm=True, adjustments=adjustments)
    except _Unmatched as unmatched_error:
        by_line = {r.line: r for r, _, _, _ in good}
        errors = list(row_errors)
        errors += [
            RowError(
                line,
                "resident_id",
                "该人员当月不在本单位在职。" if known else "该人员尚未登记参保信息。",
                "Not employed by this employer in that month."
                if known
                else "This person is not registered.",
            )
            for line, known in unmatched_error.lines
            if line in by_line
        ]
        errors += _pension_elsewhere_errors(period, unmatched_error.elsewhere)
        errors.extend(
            RowError(
                0, "rows", f"缺少在职人员：{name}。", f"Missing an employee of that month: {name}."
            )
            for name in unmatched_error.missing
        )
        errors.sort(key=lambda e: e.line)
        return _rejected(actor, employer, period, errors)
    except IntegrityError:
        # A concurrent submission won: the same key (replay its reply) or the same month.
        replayed = replay()
        if replayed is not None:
            return replayed
        if not Declaration.objects.filter(
            employer=employer, period=period, kind=DeclarationKind.REGULAR
        ).exists():
            raise
        return _rejected(
            actor,
            employer,
            period,
            [
                RowError(
                    0,
                    "period",
                    "该月已申报，请使用补充申报。",
                    "This month is already declared; use a supplementary declaration.",
                )
            ],
        )
    return DeclarationResult(True, reply, declaration=declaration, adjustments=adjustments)


class _Unchanged(Exception):
    """A supplementary declaration that changes nothing: rolled back and refused."""


class _Checked(Exception):
    """Every check passed; the posting is rolled back until the employer confirms."""


def _push_bills() -> None:
    from onestop.contributions.tasks import collection_sync_task

    try:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            collection_sync_task()  # the embedded default: in-process, no broker
        else:
            collection_sync_task.delay()
    except Exception:
        logger.warning("Could not send bills to the collecting authority now.", exc_info=True)


def bills_push_after_commit() -> None:
    """Send new or changed bills to the collecting authority once the transaction commits."""
    transaction.on_commit(_push_bills)


class _Unmatched(Exception):
    def __init__(
        self,
        lines: list[tuple[int, bool]],
        missing: list[str] | None = None,
        elsewhere: list[tuple[int, int]] | None = None,
    ) -> None:
        super().__init__("unmatched rows")
        self.lines = lines
        self.missing = missing or []
        #: (line, employer id): the person's pension that month is another employer's.
        self.elsewhere = elsewhere or []


def _pension_elsewhere_errors(period: int, elsewhere: list[tuple[int, int]]) -> list[RowError]:
    """Row errors for people whose pension that month another employer has declared: the
    rule (``CONCURRENT_RULE_*``), who holds the month, and what to do."""
    names = dict(
        Employer.objects.filter(pk__in={e for _, e in elsewhere}).values_list("pk", "name")
    )
    month = month_of(period)
    return [
        RowError(
            line,
            "resident_id",
            f"该人员{month.year}年{month.month}月的基本养老保险费已由{names.get(other, '')}申报。"
            f"{CONCURRENT_RULE_ZH}请从本单位该月的申报中删除该人员。",
            f"This person's basic pension for {month} is already declared by "
            f"{names.get(other, '')}. {CONCURRENT_RULE_EN} Leave them out of this employer's "
            "declaration for that month.",
            "pension_elsewhere",
        )
        for line, other in elsewhere
    ]


class IdempotencyConflict(ServiceError):
    """The key was already used by this client for this employer with another payload."""

    status = 409
    code = "idempotency_conflict"


def idempotency_client(actor: Any) -> str:
    """Who owns an idempotency key: the signed-in user (browser or their API tokens), or
    ``system`` for commands and jobs. Keys are unique per (employer, client)."""
    return f"user:{actor.pk}" if getattr(actor, "pk", None) is not None else "system"


def _replay(
    *, employer: Employer, client: str, key: str, payload_hash: str
) -> DeclarationResult | None:
    """The stored answer of this client's earlier declaration with ``key`` for ``employer``.

    Raises ``IdempotencyConflict`` (409) when that declaration had another payload."""
    stored = Declaration.objects.filter(
        employer=employer, idempotency_client=client, idempotency_key=key
    ).first()
    if stored is None:
        return None
    if stored.payload_hash != payload_hash:
        raise IdempotencyConflict(
            "该幂等键已用于本单位另一份不同内容的申报；新的申报请使用新的幂等键。",
            "This idempotency key was already used for this employer with a different "
            "declaration; send a new declaration with a new key.",
        )
    return DeclarationResult(True, stored.reply, declaration=stored, replayed=True)


def _header_errors(
    employer: Employer, period: int, kind: str, rows: Sequence[DeclaredRow], today: dt.date
) -> list[RowError]:
    errors: list[RowError] = []
    registration = InsuranceRegistration.objects.filter(
        employer=employer, insurance=Insurance.PENSION
    ).first()
    if registration is None:
        errors.append(
            RowError(
                0,
                "employer",
                "本单位尚未办理养老保险参保登记。",
                "The employer is not registered for pension insurance.",
            )
        )
    if period > current_period(today):
        errors.append(
            RowError(0, "period", "不能申报未来月份。", "A future month cannot be declared.")
        )
    elif registration is not None and period < registration.since_period:
        errors.append(
            RowError(
                0,
                "period",
                "申报月份早于参保登记月份。",
                "The month is before the employer's registration.",
            )
        )
    if kind not in DeclarationKind.values:
        errors.append(RowError(0, "kind", "申报类型无效。", "Unknown declaration kind."))
    regular = Declaration.objects.filter(
        employer=employer, period=period, kind=DeclarationKind.REGULAR
    ).exists()
    if kind == DeclarationKind.REGULAR and regular:
        errors.append(
            RowError(
                0,
                "period",
                "该月已申报，请使用补充申报。",
                "This month is already declared; use a supplementary declaration.",
            )
        )
    if kind == DeclarationKind.SUPPLEMENTARY and not regular:
        errors.append(
            RowError(
                0,
                "period",
                "该月尚无正常申报，不能补充申报。",
                "There is no regular declaration of that month to supplement.",
            )
        )
    if not rows:
        errors.append(RowError(0, "rows", "申报不能为空。", "The declaration has no rows."))
    return errors


def _unstaged(employees: dict[str, int], staged: Sequence[posting.Staged]) -> list[tuple[str, int]]:
    """The employees (blind index, person id) whose person no staged row carries."""
    persons = set(map(itemgetter(1), staged))
    return [(index, person) for index, person in employees.items() if person not in persons]


def _missing_employees(
    employer: Employer,
    period: int,
    kind: str,
    indexes: Container[str],
    unstaged: list[tuple[str, int]] | None = None,
) -> list[str]:
    """Employees of that month left out of a regular declaration (their masked names).
    Called with the declaration's rows staged; ``unstaged``, if given, the employees whose
    person is not staged (else read: ``posting.unstaged_employees``)."""
    if kind != DeclarationKind.REGULAR:
        return []
    from onestop.identity.masking import mask_name

    # The staged persons are listed; of the others, a row refused for its format still
    # lists its person (``indexes``). Names are encrypted: decrypt only those left out.
    missing = [
        person
        for index, person in (
            posting.unstaged_employees(employer_id=employer.pk, period=period)
            if unstaged is None
            else unstaged
        )
        if index not in indexes
    ]
    if not missing:
        return []
    names: dict[int, str] = {}
    elsewhere: set[int] = set()
    for start in range(0, len(missing), 10_000):  # within SQLite's limit of bound variables
        chunk = missing[start : start + 10_000]
        names.update(Person.objects.filter(pk__in=chunk).values_list("pk", "name"))
        # Someone whose pension that month another employer pays (a concurrent employment)
        # is not declared here: CONCURRENT_RULE_*.
        elsewhere.update(
            PensionMonth.objects.filter(period=period, person_id__in=chunk)
            .exclude(employer=employer)
            .values_list("person_id", flat=True)
        )
    return [mask_name(names[person]) for person in missing if person not in elsewhere]


def _bills(
    declaration: Declaration, period: int, totals: dict[tuple[str, bool], Decimal]
) -> list[Bill]:
    month = month_of(period).plus(1)
    due = dt.date(month.year, month.month, PAYMENT_DAYS)
    bills = []
    for insurance in sorted({i for i, _ in totals}):
        employer_part = totals.get((insurance, False), Decimal("0.00"))
        individual_part = totals.get((insurance, True), Decimal("0.00"))
        bills.append(
            Bill(
                employer_id=declaration.employer_id,
                declaration=declaration,
                period=period,
                insurance=insurance,
                employer_amount=employer_part,
                individual_amount=individual_part,
                amount_due=employer_part + individual_part,
                due_date=due,
            )
        )
    Bill.objects.bulk_create(bills)
    return bills


def _rejected(
    actor: Any, employer: Employer, period: int, errors: list[RowError]
) -> DeclarationResult:
    with transaction.atomic():
        record(
            actor=actor,
            action="contributions.declaration.rejected",
            target=employer,
            outcome="failed",
            changes={"period": period, "errors": len(errors)},
        )
    return DeclarationResult(False, rejection_reply(errors), errors=errors)


#: Row errors a reply lists; the rest are counted per reason (``error_counts``).
MAX_ERRORS_LISTED = 1000


def rejection_reply(errors: Sequence[RowError]) -> dict[str, Any]:
    """``{"accepted": False, "errors": [first 1,000], "error_count": n, "error_counts":
    {reason: n}}``: small whatever the number of bad rows."""
    counts: dict[str, int] = {}
    for e in errors:
        key = e.reason or e.field
        counts[key] = counts.get(key, 0) + 1
    return {
        "accepted": False,
        "errors": [e.as_dict() for e in errors[:MAX_ERRORS_LISTED]],
        "error_count": len(errors),
        "error_counts": counts,
    }


def payment_record(
    *, actor: Any, external_id: str, bill: Bill, amount: Decimal, paid_on: dt.date
) -> tuple[Payment, bool]:
    """Record a payment from the collecting authority; the same external id twice is a no-op.

    ``amount`` is what the authority received; it pays the bill's principal first, then the
    late surcharge it earned (``netting.late_fee_part``), so paying principal and surcharge
    settles the bill. Returns the payment and whether it was new.
    """
    if amount <= 0:
        raise ServiceError("缴款金额必须大于零。", "A payment must be positive.", code="amount")
    conflict = ServiceError(
        "缴款编号重复但内容不同。",
        "This payment id was reported with other details.",
        code="payment_conflict",
    )
    with transaction.atomic():
        # The bill's month is serialised with the declarations that post to it, so what
        # this payment settles is read after any adjustment in flight has committed.
        locks.employer_period_lock(employer_id=bill.employer_id, periods=[bill.period])
        existing = Payment.objects.filter(external_id=external_id).first()
        if existing is not None:
            if existing.bill_id != bill.pk or existing.amount + existing.late_fee != amount:
                raise conflict
            return existing, False
        fee = netting.late_fee_part(
            bill=bill,
            received=amount,
            paid_on=paid_on,
            rates=parameters.month_rates(
                province=Employer.objects.get(pk=bill.employer_id).region.province_code,
                period=bill.period,
            ),
        )
        try:
            with transaction.atomic():
                payment = Payment.objects.create(
                    external_id=external_id,
                    bill=bill,
                    amount=amount - fee,
                    late_fee=fee,
                    paid_on=paid_on,
                )
        except IntegrityError as exc:
            # The same id reported at once for a bill of another month (another lock).
            raise conflict from exc
        record(
            actor=actor,
            action="contributions.payment.recorded",
            target=payment,
            changes={"bill": bill.pk, "amount": amount, "late_fee": fee, "paid_on": paid_on},
        )
        # Paid beyond what is owed after the month's refunds: a credit (refund due).
        netting.settle_month(
            actor=actor,
            employer_id=bill.employer_id,
            period=bill.period,
            source_type="payment",
            source_id=payment.pk,
        )
    return payment, True


def transfer_post(
    *,
    person: Person,
    transfer_id: int,
    incoming: bool,
    period: int,
    months: Sequence[tuple[int, Decimal]],
    account: Decimal,
    pooled: Decimal,
) -> int:
    """The ledger side of a pension relation moved between provinces (D6), idempotent by the
    transfer: each month brought in with its base (no money: it counts towards contribution
    months and the average index), the individual account and the 12% pooled funds as one
    entry each in ``period``. Going out, the account and pooled funds leave; the months stay
    on record here. Returns the entries written.

    Takes the person's ledger lock; a caller that reads the account first (a transfer out
    moves its balance) takes ``locks.person_lock`` before reading."""
    with transaction.atomic():
        locks.person_lock(person_ids=[person.pk])
        return _transfer_post(
            person=person,
            transfer_id=transfer_id,
            incoming=incoming,
            period=period,
            months=months,
            account=account,
            pooled=pooled,
        )


def _transfer_post(
    *,
    person: Person,
    transfer_id: int,
    incoming: bool,
    period: int,
    months: Sequence[tuple[int, Decimal]],
    account: Decimal,
    pooled: Decimal,
) -> int:
    kind = EntryKind.TRANSFER_IN if incoming else EntryKind.TRANSFER_OUT
    sign = 1 if incoming else -1
    common = {"person": person, "insurance": "pension", "kind": kind, "source_id": transfer_id}
    rows = [
        LedgerRecord(
            **common,
            period=p,
            account=False,
            amount=Decimal("0.00"),
            base=b,
            source_type="transfer",
        )
        for p, b in (months if incoming else [])
    ]
    if account:
        rows.append(
            LedgerRecord(
                **common,
                period=period,
                account=True,
                amount=sign * account,
                source_type="transfer_acct",
            )
        )
    if pooled:
        rows.append(
            LedgerRecord(
                **common,
                period=period,
                account=False,
                amount=sign * pooled,
                source_type="transfer_pool",
            )
        )
    return len(LedgerRecord.objects.bulk_create(rows, ignore_conflicts=True))


def inheritance_post(*, person: Person, period: int, amount: Decimal, source_id: int) -> int:
    """The individual account's balance leaves to the heirs of a person who died (D7 art.
    14): one account entry, idempotent by its source (the survivors' benefit)."""
    if amount <= 0:
        return 0
    entry = LedgerRecord(
        person=person,
        insurance="pension",
        kind=EntryKind.INHERITED,
        period=period,
        account=True,
        amount=-amount,
        source_type="survivor",
        source_id=source_id,
    )
    with transaction.atomic():
        locks.person_lock(person_ids=[person.pk])
        return len(LedgerRecord.objects.bulk_create([entry], ignore_conflicts=True))
