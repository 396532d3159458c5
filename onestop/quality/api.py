"""Data-quality API: the findings in the caller's scope, the scores, and working a finding."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from onestop.common.errors import NotFound
from onestop.common.pagination import Mapped, bounded
from onestop.identity.api_auth import ANY_AUTH, scoped
from onestop.quality import selectors, services
from onestop.quality.models import Finding

router = Router(tags=["quality"], auth=ANY_AUTH)


class FindingOut(Schema):
    id: int
    rule: str
    table: str
    region: str
    subject_type: str
    subject_id: int
    detail: dict[str, Any]
    status: str
    first_seen: dt.datetime
    last_seen: dt.datetime
    resolved_by: str
    note: str


class ScoreOut(Schema):
    region: str
    table: str
    records: int
    findings: int
    score: Decimal


class FindingNoteIn(Schema):
    note: str


def _out(finding: Finding) -> dict[str, Any]:
    return {
        "id": finding.pk,
        "rule": finding.rule,
        "table": finding.table,
        "region": finding.region.code,
        "subject_type": finding.subject_type,
        "subject_id": finding.subject_id,
        "detail": finding.detail,
        "status": finding.status,
        "first_seen": finding.first_seen,
        "last_seen": finding.last_seen,
        "resolved_by": finding.resolved_by,
        "note": finding.note,
    }


@router.get("/quality/findings", response=list[FindingOut], auth=scoped("quality:read"))
@bounded
def findings(request: HttpRequest, status: str = "open", rule: str = "", region: str = "") -> Any:
    """Findings in the caller's region scope, by status, rule and region, a page at a time."""
    found = selectors.findings_for(actor=request.user, status=status, rule=rule, region=region)
    return Mapped(found, _out)


@router.get("/quality/scores", response=list[ScoreOut], auth=scoped("quality:read"))
@bounded
def scores(request: HttpRequest) -> list[dict[str, Any]]:
    """Per county in scope and table: records at the last scan, open findings, score."""
    return [
        {
            "region": s.region_code,
            "table": s.table,
            "records": s.records,
            "findings": s.findings,
            "score": s.score,
        }
        for s in selectors.scores_for(actor=request.user)
    ]


ACTIONS = {
    "resolve": services.finding_resolve,
    "dismiss": services.finding_dismiss,
    "correct": services.finding_correct,
}


@router.post(
    "/quality/findings/{finding_id}/{action}", response=FindingOut, auth=scoped("quality:write")
)
def finding_act(
    request: HttpRequest, finding_id: int, action: str, payload: FindingNoteIn
) -> dict[str, Any]:
    """``resolve`` (the rule must no longer find it), ``dismiss`` (not an error) or
    ``correct`` (the rule's own correction), with a note."""
    if action not in ACTIONS:
        raise NotFound()
    finding = selectors.finding_for(actor=request.user, pk=finding_id)
    return _out(ACTIONS[action](actor=request.user, finding=finding, note=payload.note))
