"""The data-quality work list with the scores per county and table."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_GET, require_POST

from onestop.common.errors import NotFound, NotPermitted, ServiceError
from onestop.identity import policy
from onestop.pensions.models import Pensioner
from onestop.quality import selectors, services
from onestop.quality.checks import CHECKS, TABLES
from onestop.quality.models import FindingStatus

PAGE = 200


def _title(zh: str, en: str) -> str:
    return zh if (get_language() or "").startswith("zh") else en


#: What a finding is about, and the keys of its detail, as read.
SUBJECTS = {
    "person": _l("person"),
    "employer": _l("employer"),
    "pensioner": _l("pensioner"),
}
DETAILS = {
    "persons": _l("persons"),
    "reason": _l("reason"),
    "recorded_vs_id": _l("recorded, then as in the resident ID"),
    "months": _l("months"),
    "first": _l("first month"),
    "deregistered_on": _l("deregistered on"),
    "last_declared": _l("last month declared"),
    "field": _l("field"),
    "birth_date": _l("birth date"),
    "sex": _l("sex"),
    "name": _l("name"),
}


def _detail_shown(value: Any) -> str:
    """A finding's detail as read: each key by its label, nested values likewise."""
    if isinstance(value, dict):
        return "; ".join(f"{DETAILS.get(k, k)}: {_detail_shown(v)}" for k, v in value.items())
    if isinstance(value, list):
        return " / ".join(_detail_shown(v) for v in value)
    if isinstance(value, str) and value in DETAILS:
        return str(DETAILS[value])
    return str(value)


def _subjects_shown(findings: list[Any], persons: dict[int, int | None]) -> dict[int, str]:
    """What each finding is about, as a person reads it: a person or pensioner by their masked
    name and resident ID, an employer by its name and credit code; never a bare record id."""
    from onestop.identity.masking import mask_name, mask_resident_id
    from onestop.identity.models import Employer, Person

    people = {
        p.pk: f"{mask_name(p.name)} · {mask_resident_id(p.resident_id)}"
        for p in Person.objects.filter(pk__in={v for v in persons.values() if v})
    }
    employers = {
        e.pk: f"{e.name} · {e.credit_code}"
        for e in Employer.objects.filter(
            pk__in={f.subject_id for f in findings if f.subject_type == "employer"}
        ).only("pk", "name", "credit_code")
    }
    shown = {}
    for f in findings:
        kind = SUBJECTS.get(f.subject_type, f.subject_type)
        found = (
            employers.get(f.subject_id)
            if f.subject_type == "employer"
            else people.get(persons.get(f.pk) or 0)
        )
        shown[f.pk] = f"{kind} {found}" if found else f"{kind} {_('(no longer on record)')}"
    return shown


def _subject_links(findings: list[Any]) -> dict[int, int | None]:
    """The person each finding is about (a pensioner's person), for the link to their page."""
    pensioners = {f.subject_id for f in findings if f.subject_type == "pensioner"}
    persons = dict(Pensioner.objects.filter(pk__in=pensioners).values_list("pk", "person_id"))
    return {
        f.pk: (persons.get(f.subject_id) if f.subject_type == "pensioner" else f.subject_id)
        for f in findings
        if f.subject_type in ("person", "pensioner")
    }


@require_GET
@login_required
def worklist_view(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", FindingStatus.OPEN)
    if status not in FindingStatus.values and status != "":
        status = FindingStatus.OPEN
    rule = request.GET.get("rule", "")
    found = selectors.findings_for(actor=request.user, status=status, rule=rule)
    total = found.count()
    findings = list(found[:PAGE])
    persons = _subject_links(findings)
    subjects = _subjects_shown(findings, persons)
    checks = {c.code: c for c in CHECKS}
    rows = [
        {
            "finding": f,
            "check": checks.get(f.rule),
            "title": _title(checks[f.rule].zh, checks[f.rule].en) if f.rule in checks else f.rule,
            "person_id": persons.get(f.pk),
            "subject": subjects[f.pk],
            "detail": _detail_shown(f.detail),
        }
        for f in findings
    ]
    scores = [
        {"score": s, "table": _title(*TABLES[s.table][:2])}
        for s in selectors.scores_for(actor=request.user)
    ]
    return render(
        request,
        "quality/worklist.html",
        {
            "rows": rows,
            "total": total,
            "page": PAGE,
            "status": status,
            "statuses": FindingStatus.choices,
            "rule": rule,
            "rules": [
                (c.code, _title(c.zh, c.en), _title(c.how_zh or c.how, c.how), c.registry)
                for c in CHECKS
            ],
            "scores": scores,
            "scan": selectors.last_scan(),
            "supervisor": policy.role_of(request.user) == "supervisor",
        },
    )


ACTIONS = {
    "resolve": services.finding_resolve,
    "dismiss": services.finding_dismiss,
    "correct": services.finding_correct,
}


@require_POST
@login_required
def finding_act_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise NotFound()
    finding = selectors.finding_for(actor=request.user, pk=pk)
    try:
        ACTIONS[action](actor=request.user, finding=finding, note=request.POST.get("note", ""))
        messages.success(request, _("Recorded."))
    except NotPermitted:
        raise
    except ServiceError as exc:
        messages.error(request, exc.message())
    return redirect("quality:worklist")


@require_POST
@login_required
def scan_view(request: HttpRequest) -> HttpResponse:
    """Supervisors run the rules now instead of waiting for the nightly scan."""
    if policy.role_of(request.user) != "supervisor" or not services.may_work(request.user):
        raise NotPermitted()
    report = services.scan(actor=request.user)
    messages.success(
        request,
        _("Scan done: %(found)s findings, %(opened)s new, %(cleared)s no longer found.")
        % {
            "found": report.scan.found,
            "opened": report.scan.opened,
            "cleared": report.scan.cleared,
        },
    )
    return redirect("quality:worklist")
