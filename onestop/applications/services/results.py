"""The result of a decided case, delivered as a signed e-document (decision notice) with a
QR code to the public verification page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from onestop.applications.models import Application, Status
from onestop.common.errors import NotFound, ServiceError
from onestop.exchange import certificate_pdf
from onestop.exchange import services as certificates

#: The decision each final status stands for (withdrawn cases have none).
DECIDED = {
    Status.APPROVED: "approve",
    Status.REJECTED: "reject",
    Status.NOT_ACCEPTED: "not_accept",
}


def decision_facts(case: Application) -> dict[str, Any]:
    """What the decision notice of a decided case states (its e-document)."""
    decision = DECIDED.get(Status(case.status))
    if decision is None or case.completed_at is None:
        raise ServiceError(
            "该办件尚未作出决定。", "This case has not been decided yet.", code="not_decided"
        )
    last = case.steps.filter(action=decision).order_by("-at", "-pk").first()
    return {
        "case": case.number,
        "item": case.item_name,
        "item_code": f"{case.item_code} v{case.item_version}",
        "decision": decision,
        "reasons": last.note if last else "",
        "decided_at": timezone.localtime(case.completed_at).isoformat(timespec="minutes"),
    }


def decision_notice_pdf(*, actor: Any, case: Application, absolute: Callable[[str], str]) -> bytes:
    """Sign a copy of the case's decision notice for ``actor`` and render it; ``absolute``
    turns the verification path into the address printed in the QR code."""
    try:
        facts = decision_facts(case)
    except ServiceError as exc:
        raise NotFound(exc.zh, exc.en) from exc
    issued = certificates.decision_notice_issue(actor=actor, person=case.applicant, facts=facts)
    query = urlencode({"number": issued.certificate.number, "code": issued.code})
    return certificate_pdf.render(
        certificate=issued.certificate,
        verify_url=absolute(reverse("exchange:verify") + "?" + query),
        code=issued.code,
    )
