"""Services that BPMN service tasks may call (registered with the workflow engine when the
app loads). Each takes the case's process data and returns facts to merge into it, so case
workers see the record instead of asking the applicant for certificates."""

from __future__ import annotations

from typing import Any

from onestop.contributions import selectors as contributions
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


SERVICES = {"insurance_record": insurance_record}
