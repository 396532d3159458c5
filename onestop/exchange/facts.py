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


def statement_facts(person: Person) -> dict[str, Any]:
    """What a signed contribution statement states (a summary; the PDF lists every month)."""
    statement = contributions.statement_of(person=person)
    return {
        "contribution_months": statement.contribution_months,
        "paid_months": statement.paid_months,
        "first_month": statement.months[0].period if statement.months else None,
        "last_month": statement.months[-1].period if statement.months else None,
        "account_balance": f"{statement.account_balance:.2f}",
    }
