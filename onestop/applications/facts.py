"""Services that BPMN service tasks may call (registered with the workflow engine when the
app loads). Each takes the case's process data and returns facts to merge into it, so case
workers see the record instead of asking the applicant for certificates."""

from __future__ import annotations

from typing import Any

from onestop.common.errors import both_languages
from onestop.contributions import selectors as contributions
from onestop.exchange.facts import insurance_facts
from onestop.identity.models import Person


def insurance_record(data: dict[str, Any]) -> dict[str, Any]:
    """The applicant's contribution months and paid months, from the ledger."""
    applicant_id = data.get("applicant_id")
    person = (
        Person.objects.filter(pk=applicant_id).first() if isinstance(applicant_id, int) else None
    )
    if person is None:
        return {"record_found": False}
    statement = contributions.statement_of(person=person)
    last = statement.months[-1].period if statement.months else None
    return {
        "record_found": True,
        "contribution_months": statement.contribution_months,
        "paid_months": statement.paid_months,
        "last_contribution_month": last,
    }


def _applicant(data: dict[str, Any]) -> Person | None:
    applicant_id = data.get("applicant_id")
    if not isinstance(applicant_id, int):
        return None
    return Person.objects.filter(pk=applicant_id).first()


def proof_record(data: dict[str, Any]) -> dict[str, Any]:
    """What the proof of insurance (SX-SI-004) states, from the ledger; ``insured`` false
    (with the reasons under ``refusal``) when there is not a single contribution month to
    prove."""
    person = _applicant(data)
    facts: dict[str, Any] = insurance_facts(person) if person is not None else {"insured": False}
    if not facts["insured"]:
        facts["refusal"] = both_languages(
            "本省没有您的缴费记录，无法出具参保缴费证明。",
            "There is no contribution record in this province to prove.",
        )
    return facts


SERVICES = {"insurance_record": insurance_record, "proof_record": proof_record}
