"""The employer's items as cases: employee enrolment (SX-SI-002).

SX-SI-002 enrols an employee, also one never insured before: the filer acts for the employer
(its legal representative or agent, signed in as a citizen, or a case worker at the counter
for them); the process checks the name and resident ID against the public-security household
register through the gateway (the record matches and no death is registered), and its
approval registers the person when new, then starts the employment, in the filing's
transaction. Someone still employed elsewhere is refused until the filer confirms a
concurrent employment (the rule: ``contributions.services.CONCURRENT_RULE_*``), and the
confirmation is journaled with the other employers.

Registered with the applications and workflow machinery in ``apps.py``.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from onestop.applications.models import Application
from onestop.common.errors import ServiceError
from onestop.contributions import services as contributions
from onestop.contributions.models import PostCategory
from onestop.contributions.periods import parse_period
from onestop.exchange.licences import registry_lookup
from onestop.identity import policy
from onestop.identity import selectors as identity
from onestop.identity import services as identity_services
from onestop.identity.models import Employer, Person, Region
from onestop.rules.identifiers import check_resident_id
from onestop.rules.values import RuleError

ENROLMENT = "SX-SI-002"
PARTY = "人社经办 HRSS (SX-SI-002)"
PURPOSE = "职工参保登记 employee enrolment"


def _employer(answers: dict[str, Any]) -> Employer | None:
    code = str(answers.get("employer_credit_code", "")).strip().upper()
    return Employer.objects.select_related("region").filter(credit_code=code).first()


def _wage(answers: dict[str, Any]) -> Decimal:
    try:
        return Decimal(str(answers.get("wage") or "0"))
    except InvalidOperation:
        return Decimal("-1")


def enrolment_check(applicant: Person, answers: dict[str, Any]) -> None:
    """Before an enrolment is filed: the filer acts for the employer, the month and the
    resident ID are valid, the person is not already employed there, and an employment
    elsewhere has been confirmed as concurrent. Nothing is filed when one fails."""
    employer = _employer(answers)
    user = applicant.user
    if employer is None or user is None or not policy.allows(user, policy.DECLARE, employer):
        raise ServiceError(
            "未找到您可代为办理的该用人单位（请核对统一社会信用代码）。",
            "No employer with this credit code that you act for (check the code).",
            code="employer",
        )
    try:
        parse_period(str(answers.get("start_month", "")))
    except RuleError as exc:
        raise ServiceError(
            "参保起始月份应为有效的年月，例如 2026-11。",
            "The first month must be a real month, e.g. 2026-11.",
            code="start_month",
        ) from exc
    if _wage(answers) < 0:
        raise ServiceError("月工资金额无效。", "The wage is not valid.", code="wage")
    check = check_resident_id(
        str(answers.get("employee_resident_id", "")), today=timezone.localdate()
    )
    if not check.valid or check.reason is not None:
        reason = check.reason
        raise ServiceError(
            f"职工公民身份号码无效：{reason.zh if reason else ''}",
            f"The employee's resident ID is not valid: {reason.en if reason else ''}",
            code="resident_id",
        )
    person = identity.person_by_resident_id(check.normalized)
    if person is None:
        return
    if contributions.open_employment_at(person=person, employer=employer):
        raise ServiceError(
            "该人员在本单位已有在职记录。",
            "This person is already employed here.",
            code="already_employed",
        )
    others = contributions.employers_elsewhere(person=person, employer=employer)
    if others and answers.get("concurrent_confirmed") is not True:
        raise contributions.concurrent_refusal(others)


def enrolment_route(applicant: Person, answers: dict[str, Any]) -> Region | None:
    """The employer's region handles its enrolments."""
    employer = _employer(answers)
    return employer.region if employer is not None else None


def household_check(data: dict[str, Any]) -> dict[str, Any]:
    """Service task: the employee's name and resident ID against the public-security
    household register (through the gateway, logged), and no death registered. A person the
    platform already knows is checked against its own record."""
    answers = data.get("answers") or {}
    name = str(answers.get("employee_name", "")).strip()
    resident_id = str(answers.get("employee_resident_id", "")).strip().upper()
    known = identity.person_by_resident_id(resident_id)
    if known is not None:
        matched, source, alive = known.name == name, "platform", True
    else:
        record = registry_lookup(
            party=PARTY,
            resource_code="public_security.household",
            subject=resident_id,
            purpose=PURPOSE,
        )
        matched = record is not None and str(record.get("name", "")).strip() == name
        source = "public_security.household via gateway"
        alive = (
            registry_lookup(
                party=PARTY,
                resource_code="public_security.deaths",
                subject=resident_id,
                purpose=PURPOSE,
            )
            is None
        )
    found: dict[str, Any] = {
        "identity_source": source,
        "identity_matched": matched,
        "alive": alive,
        "newly_insured": known is None,
    }
    if not matched:
        found["refusal"] = (
            "姓名与公民身份号码在户籍登记中不一致（或无此户籍）。 "
            "The name and resident ID do not match the household register (or it has no such "
            "record)."
        )
    elif not alive:
        found["refusal"] = (
            "户籍登记显示该人员已死亡。 The household register records this person's death."
        )
    return found


def enrolment_from_case(case: Application, actor: Any) -> None:
    """Approval of an enrolment: the person registered when new (in the employer's region),
    then the employment from the month filed, in the approval's transaction."""
    answers = case.answers
    employer = _employer(answers)
    if employer is None:
        raise ServiceError("未找到该用人单位。", "No such employer.", code="employer")
    resident_id = str(answers["employee_resident_id"]).strip().upper()
    if identity.person_by_resident_id(resident_id) is None:
        identity_services.person_register(
            actor=actor,
            name=str(answers["employee_name"]).strip(),
            resident_id=resident_id,
            region=employer.region,
        )
    contributions.employment_start(
        actor=actor,
        employer=employer,
        resident_id=resident_id,
        start_period=parse_period(str(answers["start_month"])),
        wage=_wage(answers),
        post_category=str(answers.get("post_category") or PostCategory.GENERAL),
        concurrent_confirmed=bool(answers.get("concurrent_confirmed")),
    )
