"""The result of a decided case, delivered as a signed e-document (decision notice) with a
QR code to the public verification page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone

from onestop.applications.models import FINAL, Application, Channel, Status
from onestop.applications.services.materials import material_supply
from onestop.catalogue import selectors as catalogue
from onestop.common.errors import NotFound, ServiceError
from onestop.exchange import certificate_pdf
from onestop.exchange import services as certificates
from onestop.exchange.facts import insurance_facts
from onestop.identity.masking import mask_resident_ids_in

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
        # Printed and shown on the verification page: any resident ID in them masked.
        # The notice prints each line in both languages, the reasons too.
        "reasons": mask_resident_ids_in(" ".join(filter(None, [last.note, last.note_en])))
        if last
        else "",
        "decided_at": timezone.localtime(case.completed_at).isoformat(timespec="minutes"),
    }


RETIREMENT_ITEM = "SX-SI-006"
#: Its result is the signed proof of insurance itself, not a decision notice.
PROOF_ITEM = "SX-SI-004"


def _next_month(month: str) -> str:
    """``2026-05`` -> ``2026-06`` (the pension starts the month after retirement)."""
    try:
        year, number = (int(part) for part in month.split("-"))
    except ValueError:
        return ""
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}"


def receipt_facts(case: Application) -> dict[str, Any]:
    """What the acceptance receipt (受理回执) of a filed case states."""
    received = [m.name for m in case.materials.all()]
    obtained = [
        f"{row.get('material')}（{_both(_source_label(str(row.get('source') or '')))}）"
        for row in case.licences
        if row.get("status") == "found"
    ]
    return {
        "case": case.number,
        "item": case.item_name,
        "item_code": f"{case.item_code} v{case.item_version}",
        "filed_at": timezone.localtime(case.submitted_at).isoformat(timespec="minutes"),
        "channel": _both(Channel(case.channel).label),
        "status": _both(Status(case.status).label),
        "deadline": case.deadline.isoformat(),
        "materials": "；".join(dict.fromkeys([*received, *obtained])),
        # Where to follow the case. The query code is kept only as a hash, so no receipt can
        # print it: an online filer (shown the code once, or never through the API) is sent
        # to "my applications"; a counter filer has the code on the counter's slip.
        "follow": "status" if case.channel == Channel.COUNTER else "mine",
    }


def _source_label(source: str) -> Any:
    """Where an e-licence came from, as read (lazy: ``_both`` reads it in each language)."""
    from django.utils.functional import lazy

    from onestop.applications.templatetags.case_text import licence_source

    return lazy(licence_source, str)(source)


def _both(label: Any) -> str:
    """A code's label as signed on a document: Chinese, then English (never the code)."""
    from django.utils import translation

    with translation.override("zh-hans"):
        zh = str(label)
    with translation.override("en"):
        en = str(label)
    return zh if zh == en else f"{zh} {en}"


def acceptance_receipt_pdf(
    *, actor: Any, case: Application, absolute: Callable[[str], str]
) -> bytes:
    """Sign the receipt of a filed case for ``actor`` (the applicant, or staff who may see
    them, e.g. at the counter) and render it with its verification QR code. Refused
    (not found) for a withdrawn case."""
    if case.status == Status.WITHDRAWN:
        raise NotFound("该申请已撤回。", "This application was withdrawn.")
    issued = certificates.acceptance_receipt_issue(
        actor=actor, person=case.applicant, facts=receipt_facts(case), region=case.region
    )
    return certificate_pdf.render(
        certificate=issued.certificate, code=issued.code, absolute=absolute
    )


#: How a material reaches a case when it is still missing (``material_supply``).
MISSING = ("to_upload", "not_found", "unavailable")


def materials_outstanding(case: Application) -> list[dict[str, Any]]:
    """The item's required materials the case has neither uploaded nor obtained (from an
    e-licence, a registry or shared data): what the one-time notice lists. Each is the
    item's material entry ({"name", "name_en", ...})."""
    item = catalogue.item_get(code=case.item_code, version=case.item_version)
    uploaded = set(case.materials.values_list("name", flat=True))
    return [
        m
        for m in item.materials or []
        if m.get("required", True) and material_supply(case, m, uploaded) in MISSING
    ]


def notice_facts(case: Application) -> dict[str, Any]:
    """What the one-time notice of missing materials (一次性告知书) states: every required
    material still missing, and the case worker's supplement request if one is open.
    Refused for a closed case, and when nothing is missing and no supplement is asked."""
    if case.status in FINAL:
        raise ServiceError(
            "该办件已办结，无需告知补正材料。",
            "This case is closed: there is nothing to supplement.",
            code="closed",
        )
    missing = materials_outstanding(case)
    note = ""
    if case.status == Status.SUPPLEMENT:
        asked = case.steps.filter(action="supplement").order_by("-at", "-pk").first()
        note = asked.note if asked else ""
    if not missing and not note:
        raise ServiceError(
            "该办件没有缺少的材料，无需出具一次性告知书。",
            "No material is missing from this case: there is no notice to print.",
            code="nothing_missing",
        )
    return {
        "case": case.number,
        "item": case.item_name,
        "item_code": f"{case.item_code} v{case.item_version}",
        "filed_at": timezone.localtime(case.submitted_at).isoformat(timespec="minutes"),
        "status": _both(Status(case.status).label),
        "missing": [
            f"{m['name']}" + (f"（{m['name_en']}）" if m.get("name_en") else "") for m in missing
        ],
        "note": mask_resident_ids_in(note),
    }


def supplement_notice_pdf(
    *, actor: Any, case: Application, absolute: Callable[[str], str]
) -> bytes:
    """Sign the one-time notice of missing materials of an open case for ``actor`` (the
    applicant, or staff who may see them, printing it at the counter) and render it with its
    verification QR code; the issue is journaled with the certificate."""
    issued = certificates.supplement_notice_issue(
        actor=actor, person=case.applicant, facts=notice_facts(case), region=case.region
    )
    return certificate_pdf.render(
        certificate=issued.certificate, code=issued.code, absolute=absolute
    )


def decision_notice_pdf(*, actor: Any, case: Application, absolute: Callable[[str], str]) -> bytes:
    """Sign a copy of the case's decision notice for ``actor`` and render it; ``absolute``
    turns the verification path into the address printed in the QR code."""
    try:
        facts = decision_facts(case)
    except ServiceError as exc:
        raise NotFound(exc.zh, exc.en) from exc
    if case.item_code == PROOF_ITEM and facts["decision"] == "approve":
        # The proof states the record as it stands when it is downloaded, naming the case.
        proof = certificates.proof_of_insurance_issue(
            actor=actor,
            person=case.applicant,
            facts={**insurance_facts(case.applicant), "case": case.number},
        )
        return certificate_pdf.render(
            certificate=proof.certificate,
            code=proof.code,
            absolute=absolute,
            rate_url=absolute(f"/rate/{case.number}/"),
        )
    kind = "decision_notice"
    if case.item_code == RETIREMENT_ITEM and facts["decision"] == "approve":
        # An approved retirement is certified: the retirement month and when pay starts.
        month = str(case.answers.get("retirement_month", ""))
        facts = {**facts, "retirement_month": month, "pension_from": _next_month(month)}
        kind = "retirement_certificate"
    issued = certificates.decision_notice_issue(
        actor=actor, person=case.applicant, facts=facts, kind=kind
    )
    return certificate_pdf.render(
        certificate=issued.certificate,
        code=issued.code,
        absolute=absolute,
        # The rating page asks for the case's query code from the receipt (never printed).
        rate_url=absolute(f"/rate/{case.number}/") if case.status != "withdrawn" else "",
    )
