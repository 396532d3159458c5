"""Running the data-quality rules and working their findings.

``scan`` runs every rule and merges what it found into the findings in one transaction: new
subjects open a finding, subjects found again keep theirs (a resolved one reopens), open
findings no rule finds any more are cleared. Dismissed findings stay dismissed. Each scan
records the record counts per county and table, the denominators of the scores.

Staff of an HRSS agency whose region scope holds the finding work it: resolve it once the
record is put right (the rule is run again on that subject and must no longer find it),
dismiss it as not an error with the reason, or, where a rule knows the correction, correct
it. Every step is journaled in the same transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone

from onestop.applications.services.cases import HRSS_AGENCIES
from onestop.audit.services import record
from onestop.common.errors import NotPermitted, ServiceError
from onestop.contributions.models import LedgerEntry
from onestop.identity import policy
from onestop.identity.models import Employer, Person, Region
from onestop.pensions.models import Pensioner
from onestop.quality.checks import BY_CODE, CHECKS, Hit
from onestop.quality.models import Finding, FindingStatus, Scan, Tally
from onestop.rules.identifiers import check_resident_id

logger = logging.getLogger(__name__)

WORKING_ROLES = ("case_worker", "reviewer", "supervisor")


@dataclass(frozen=True)
class ScanReport:
    scan: Scan
    by_rule: dict[str, int]


def _registries_reachable() -> bool:
    return bool(settings.ONESTOP_REGISTRY_URL or getattr(settings, "ONESTOP_REGISTRY_URLS", ""))


def _records() -> list[tuple[int, str, int]]:
    """(county id, table, records) for every table the scores are kept for."""
    rows: list[tuple[int, str, int]] = []
    for table, counts in (
        ("persons", Person.objects.values("region_id").annotate(n=Count("pk"))),
        ("employers", Employer.objects.values("region_id").annotate(n=Count("pk"))),
        ("pensioners", Pensioner.objects.values("region_id").annotate(n=Count("pk"))),
        (
            "contributions",
            LedgerEntry.objects.filter(insurance="pension", source_type="declaration")
            .values(region_id=F("person__region_id"))
            .annotate(n=Count("person_id", distinct=True)),
        ),
    ):
        rows.extend((row["region_id"], table, row["n"]) for row in counts)
    return rows


def scan(*, actor: Any = None, registries: bool | None = None) -> ScanReport:
    """Run every rule (the registry rules when the registries are configured and
    ``registries`` is not False) and merge the findings."""
    started = timezone.now()
    use_registries = _registries_reachable() if registries is None else registries
    registry_state = "checked" if use_registries else "off"
    found: dict[str, list[Hit]] = {}
    for check in CHECKS:
        if check.registry and not use_registries:
            continue
        try:
            found[check.code] = check.find(None)
        except ServiceError as exc:  # a registry that cannot be reached: its rules wait
            if not check.registry:
                raise
            logger.warning("data-quality rule %s skipped: %s", check.code, exc.en)
            registry_state = "unavailable"
    records = _records()
    now = timezone.now()
    opened = cleared = 0
    with transaction.atomic():
        existing = {
            (f.rule, f.key): f
            for f in Finding.objects.select_for_update().filter(rule__in=list(found))
        }
        new, touched = [], []
        for code, hits in found.items():
            check = BY_CODE[code]
            for hit in hits:
                finding = existing.pop((code, hit.key), None)
                if finding is None:
                    new.append(
                        Finding(
                            rule=code,
                            table=check.table,
                            key=hit.key,
                            region_id=hit.region_id,
                            subject_type=hit.subject_type,
                            subject_id=hit.subject_id,
                            detail=hit.detail,
                            first_seen=now,
                            last_seen=now,
                        )
                    )
                    continue
                finding.last_seen, finding.detail = now, hit.detail
                finding.region_id = hit.region_id
                if finding.status in (FindingStatus.RESOLVED, FindingStatus.CLEARED):
                    finding.status, finding.resolved_at = FindingStatus.OPEN, None
                    opened += 1
                touched.append(finding)
        gone = [f for f in existing.values() if f.status == FindingStatus.OPEN]
        for finding in gone:
            finding.status, finding.resolved_at = FindingStatus.CLEARED, now
            finding.resolved_by = ""
        cleared = len(gone)
        Finding.objects.bulk_create(new, batch_size=2000)
        Finding.objects.bulk_update(
            touched + gone,
            ["last_seen", "detail", "region", "status", "resolved_at", "resolved_by"],
            batch_size=2000,
        )
        report = Scan.objects.create(
            started_at=started,
            finished_at=timezone.now(),
            by=getattr(actor, "username", "") or "",
            registries=registry_state,
            found=sum(len(h) for h in found.values()),
            opened=len(new) + opened,
            cleared=cleared,
        )
        Tally.objects.bulk_create(
            [
                Tally(scan=report, region_id=region, table=table, records=n)
                for region, table, n in records
                if region is not None
            ]
        )
        record(
            actor=actor,
            action="quality.scan",
            target=report,
            changes={
                "found": report.found,
                "opened": report.opened,
                "cleared": cleared,
                "registries": registry_state,
                "by_rule": {code: len(hits) for code, hits in found.items()},
            },
        )
    return ScanReport(report, {code: len(hits) for code, hits in found.items()})


# --- working a finding ------------------------------------------------------------------


def may_work(actor: Any, region: Region | None = None) -> bool:
    profile = policy.staff_profile(actor)
    if (
        profile is None
        or profile.role not in WORKING_ROLES
        or profile.agency.kind not in HRSS_AGENCIES
    ):
        return False
    return region is None or policy.in_scope(profile, region)


def _locked(actor: Any, finding: Finding) -> Finding:
    locked = (
        Finding.objects.select_for_update().select_related("region").filter(pk=finding.pk).first()
    )
    if locked is None or not may_work(actor, locked.region):
        raise NotPermitted()
    if locked.status != FindingStatus.OPEN:
        raise ServiceError(
            "该问题已处理。", "This finding has been dealt with already.", code="state"
        )
    return locked


def _note(text: str) -> str:
    note = (text or "").strip()
    if not note or len(note) > 1000:
        raise ServiceError(
            "请填写处理说明（最多1000字）。",
            "Say what was done (at most 1000 characters).",
            code="note",
        )
    return note


def _close(actor: Any, finding: Finding, status: str, note: str, action: str) -> Finding:
    finding.status, finding.note = status, note
    finding.resolved_at, finding.resolved_by = timezone.now(), actor.get_username()
    finding.save(update_fields=["status", "note", "resolved_at", "resolved_by"])
    record(
        actor=actor,
        action=action,
        target=finding,
        changes={"rule": finding.rule, "subject": f"{finding.subject_type}:{finding.subject_id}"},
    )
    return finding


def finding_resolve(*, actor: Any, finding: Finding, note: str) -> Finding:
    """The record was put right: the rule, run again on the subject, must not find it."""
    note = _note(note)
    with transaction.atomic():
        finding = _locked(actor, finding)
        still = [h for h in BY_CODE[finding.rule].find(finding.subject_id) if h.key == finding.key]
        if still:
            raise ServiceError(
                "规则仍能发现该问题：请先更正记录。",
                "The rule still finds this: put the record right first.",
                code="still_found",
            )
        return _close(actor, finding, FindingStatus.RESOLVED, note, "quality.finding.resolved")


def finding_dismiss(*, actor: Any, finding: Finding, note: str) -> Finding:
    """Not an error (two different people who share name and birth date, say): the reason is
    required, and the finding stays dismissed at later scans."""
    note = _note(note)
    with transaction.atomic():
        finding = _locked(actor, finding)
        return _close(actor, finding, FindingStatus.DISMISSED, note, "quality.finding.dismissed")


def finding_correct(*, actor: Any, finding: Finding, note: str) -> Finding:
    """Apply the rule's own correction: the birth date and sex the resident ID states (the ID
    passed its check, so it is the better source). Journaled with the values before and
    after, in the same transaction."""
    note = _note(note)
    with transaction.atomic():
        finding = _locked(actor, finding)
        if not BY_CODE[finding.rule].correctable:
            raise ServiceError(
                "该规则没有自动更正。", "This rule has no correction.", code="not_correctable"
            )
        person = Person.objects.select_for_update().get(pk=finding.subject_id)
        checked = check_resident_id(
            person.resident_id, today=timezone.localdate(), with_place=False
        )
        if not checked.valid or checked.birth_date is None or checked.sex is None:
            raise ServiceError(
                "身份证号码无效，无法据此更正。",
                "The resident ID is invalid, so it cannot correct the record.",
                code="invalid_id",
            )
        before = {"birth_date": person.birth_date.isoformat(), "sex": person.sex}
        person.birth_date, person.sex = checked.birth_date, str(checked.sex)
        person.save(update_fields=["birth_date", "sex", "updated_at"])
        record(
            actor=actor,
            action="identity.person.corrected",
            target=person,
            changes={
                "before": before,
                "after": {"birth_date": person.birth_date.isoformat(), "sex": person.sex},
                "finding": finding.pk,
            },
        )
        return _close(actor, finding, FindingStatus.RESOLVED, note, "quality.finding.corrected")
