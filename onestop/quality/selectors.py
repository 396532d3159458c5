"""What staff see: the work list of findings in their region scope, and the scores per county
and table."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, QuerySet

from onestop.common.errors import NotFound, NotPermitted
from onestop.identity import policy
from onestop.quality.checks import TABLES
from onestop.quality.models import Finding, FindingStatus, Scan, Tally
from onestop.quality.services import may_work


def _prefix(actor: Any) -> str:
    profile = policy.staff_profile(actor)
    if profile is None or not may_work(actor):
        raise NotPermitted()
    return profile.region.scope_prefix


def findings_for(
    *, actor: Any, status: str = FindingStatus.OPEN, rule: str = "", region: str = ""
) -> QuerySet[Finding]:
    found = Finding.objects.filter(region__code__startswith=_prefix(actor)).select_related("region")
    if status:
        found = found.filter(status=status)
    if rule:
        found = found.filter(rule=rule)
    if region:
        found = found.filter(region__code__startswith=region)
    return found.order_by("rule", "region__code", "id")


def finding_for(*, actor: Any, pk: int) -> Finding:
    """One finding in the actor's scope; out of scope it does not exist for them."""
    finding = Finding.objects.select_related("region").filter(pk=pk).first()
    if finding is None or not finding.region.code.startswith(_prefix(actor)):
        raise NotFound()
    return finding


@dataclass(frozen=True)
class Score:
    region_code: str
    region_name: str
    table: str
    records: int
    findings: int

    @property
    def score(self) -> Decimal:
        """100 x (1 - open findings / records), one decimal; 100 for an empty table."""
        if not self.records:
            return Decimal("100.0")
        share = Decimal(max(self.records - self.findings, 0)) / Decimal(self.records)
        return (share * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def last_scan() -> Scan | None:
    return Scan.objects.order_by("-started_at").first()


def scores_for(*, actor: Any) -> list[Score]:
    """Per county in scope and table: the records at the last scan and the open findings."""
    from django.utils.translation import get_language

    english = not (get_language() or "zh").startswith("zh")
    prefix = _prefix(actor)
    scan = last_scan()
    if scan is None:
        return []
    records = {
        (t.region.code, t.table): (t.region.shown_name, t.records)
        for t in Tally.objects.filter(scan=scan, region__code__startswith=prefix).select_related(
            "region"
        )
    }
    open_counts = {
        (row["region__code"], row["table"]): (
            (row["region__name_en"] or row["region__name"]) if english else row["region__name"],
            row["n"],
        )
        for row in Finding.objects.filter(
            status=FindingStatus.OPEN, region__code__startswith=prefix
        )
        .values("region__code", "region__name", "region__name_en", "table")
        .annotate(n=Count("pk"))
    }
    scores = []
    for code, table in sorted(set(records) | set(open_counts)):
        if table not in TABLES:
            continue
        name, n = records.get((code, table), ("", 0))
        found_name, found = open_counts.get((code, table), ("", 0))
        scores.append(Score(code, name or found_name, table, n, found))
    return scores
