"""The facts a proof of insurance states, taken from the contributions record."""

from __future__ import annotations

from typing import Any

from onestop.contributions import selectors as contributions
from onestop.identity.models import Person


def insurance_facts(person: Person) -> dict[str, Any]:
    statement = contributions.statement_of(person=person)
    last = statement.months[-1] if statement.months else None
    return {
        "insured": bool(statement.months),
        "contribution_months": statement.contribution_months,
        "paid_months": statement.paid_months,
        "last_month": last.period if last else None,
        "employer": last.employer if last else None,
    }
