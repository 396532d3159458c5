"""Employment and unemployment registration (SX-EMP-001) filed as a case, online, at a
counter or through the API: the process's service task reads the platform's own record (an
open employment, an open registration) and decides at once; approval calls
``services.unemployment_register`` in the filing's transaction, with the last employment's
end and the employer's removal reason from the record. Employment registration needs no
filing: it is the employer's enrolment or addition of the person (``contributions``)."""

from __future__ import annotations

from typing import Any

from onestop.common.errors import both_languages
from onestop.contributions import selectors as contributions
from onestop.contributions.periods import month_of
from onestop.identity.models import Person
from onestop.rules.unemployment import separation_from_text
from onestop.unemployment.models import Status, UnemploymentRegistration
from onestop.unemployment.services import unemployment_register

ITEM = "SX-EMP-001"


def registration_record(data: dict[str, Any]) -> dict[str, Any]:
    """Service task: ``registrable`` unless the record shows an open employment or an open
    registration (then ``refusal`` says which, in both languages); the last ended employment
    as the record has it, for the case page."""
    applicant_id = data.get("applicant_id")
    person = (
        Person.objects.filter(pk=applicant_id).first() if isinstance(applicant_id, int) else None
    )
    if person is None:
        return {
            "registrable": False,
            "refusal": both_languages("未找到申请人。", "No such applicant."),
        }
    if contributions.open_employment_of(person=person) is not None:
        return {
            "registrable": False,
            "refusal": both_languages(
                "平台记录显示您仍在职，请先由用人单位办理减员。",
                "The platform records an open employment: the employer has to remove you first.",
            ),
        }
    if UnemploymentRegistration.objects.filter(person=person, status=Status.REGISTERED).exists():
        return {
            "registrable": False,
            "refusal": both_languages(
                "您已办理失业登记。", "You are already registered as unemployed."
            ),
        }
    last = contributions.last_ended_employment_of(person=person)
    found: dict[str, Any] = {"registrable": True}
    if last is not None and last.end_period:
        separation = separation_from_text(last.end_reason)
        found["last_employment_end"] = str(month_of(last.end_period))
        # The code (empty: to be determined); the case page shows its label in one language.
        found["separation"] = separation.value if separation else ""
    return found


def registration_from_case(case: Any, actor: Any) -> UnemploymentRegistration:
    """Approval registers the applicant as unemployed on the case's channel."""
    return unemployment_register(actor=actor, person=case.applicant, channel=case.channel)
