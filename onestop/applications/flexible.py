"""Flexible-employment enrolment (SX-SI-005) as a case: online, at a counter, by API.

The form is checked when filed (the base within the year's bounds from the versioned
parameters, naming them and the rule; the frequency; the first month; not registered
already): a failure files nothing and answers 4xx. The process's service task then checks
the applicant's name and resident ID against the public-security household register through
the gateway (logged) and that no employment with pension insurance is open from the first
month; a failure refuses the case with the rule in both languages. Approval registers the
individual payer (``contributions.individual.payer_register``) in the filing's transaction.
Registered with the applications and workflow machinery in ``apps.py``.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from onestop.applications.models import Application
from onestop.common.errors import ServiceError, both_languages, refusal_of
from onestop.contributions import individual
from onestop.contributions.periods import parse_period
from onestop.exchange.licences import registry_lookup
from onestop.identity.models import Person, Region
from onestop.rules.values import RuleError

FLEXIBLE = "SX-SI-005"
PARTY = "hrss.case:SX-SI-005"  # exchange.labels.case_party
PURPOSE = "flexible_enrolment"  # exchange.labels.PURPOSES


def _start(answers: dict[str, Any]) -> int:
    try:
        return parse_period(str(answers.get("start_month", "")))
    except RuleError as exc:
        raise ServiceError(
            "参保起始月份应为有效的年月，例如 2026-12。",
            "The first month must be a real month, e.g. 2026-12.",
            code="start_month",
        ) from exc


def flexible_check(applicant: Person, answers: dict[str, Any]) -> None:
    """Before filing: base within bounds, frequency, first month, not registered already."""
    individual.enrolment_check(
        person=applicant,
        base=answers.get("base"),
        frequency=answers.get("frequency"),
        start_period=_start(answers),
        today=timezone.localdate(),
        employment=False,
    )


def flexible_route(applicant: Person, answers: dict[str, Any]) -> Region | None:
    """The applicant's own region handles the enrolment."""
    return applicant.region


def identity_and_employment(data: dict[str, Any]) -> dict[str, Any]:
    """Service task: the applicant's name and resident ID in the household register (through
    the gateway), no death registered, and no employment with pension insurance from the
    first month. ``eligible`` with the reasons under ``refusal`` when not."""
    applicant_id = data.get("applicant_id")
    person = (
        Person.objects.filter(pk=applicant_id).first() if isinstance(applicant_id, int) else None
    )
    if person is None:
        return {
            "eligible": False,
            "refusal": both_languages("申请人不存在。", "No such applicant."),
        }
    record = registry_lookup(
        party=PARTY,
        resource_code="public_security.household",
        subject=person.resident_id,
        purpose=PURPOSE,
    )
    matched = record is not None and str(record.get("name", "")).strip() == person.name
    alive = matched and (
        registry_lookup(
            party=PARTY,
            resource_code="public_security.deaths",
            subject=person.resident_id,
            purpose=PURPOSE,
        )
        is None
    )
    found: dict[str, Any] = {"identity_matched": matched, "alive": alive, "eligible": False}
    if not matched:
        found["refusal"] = both_languages(
            "姓名与公民身份号码在户籍登记中不一致（或无此户籍）。",
            "The name and resident ID do not match the household register (or it has no such "
            "record).",
        )
        return found
    if not alive:
        found["refusal"] = both_languages(
            "户籍登记显示该人员已死亡。", "The household register records a death."
        )
        return found
    answers = data.get("answers") or {}
    try:
        start = _start(answers)
    except ServiceError as exc:
        found["refusal"] = refusal_of(exc)
        return found
    names = individual.pension_employers_open(person=person, from_period=start)
    if names:
        refusal = individual.employed_refusal(names)
        found["refusal"] = refusal_of(refusal)
        found["employed_with_pension"] = True
        return found
    found["eligible"] = True
    return found


def payer_from_case(case: Application, actor: Any) -> None:
    """Approval: the individual payer registered from the first month filed."""
    answers = case.answers
    individual.payer_register(
        actor=actor,
        person=case.applicant,
        base=answers.get("base"),
        frequency=answers.get("frequency"),
        start_period=_start(answers),
        case_number=case.number or "",
    )
