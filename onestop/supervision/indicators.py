"""Self-evaluation indicators computed from the platform's own records.

Every indicator is a share ``numerator / denominator`` with its formula stated; filters narrow
the records to a region (and everything below it), a service item and a period (cases by the
day they were filed or decided, ratings by the day they were given). Supervisors see their
scope; the public summary covers the whole province.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from onestop.applications.models import Application, Channel, Status
from onestop.catalogue import selectors as catalogue
from onestop.catalogue.models import ServiceItem
from onestop.reviews.models import RectificationStatus, Review

DECIDED = [Status.APPROVED, Status.REJECTED, Status.NOT_ACCEPTED]


@dataclass(frozen=True)
class Indicator:
    code: str
    name_zh: str
    name_en: str
    formula: str
    numerator: int
    denominator: int
    formula_zh: str = ""  # the formula in Chinese (``formula`` is the English one)

    @property
    def value(self) -> Decimal | None:
        if not self.denominator:
            return None
        return (Decimal(self.numerator) / self.denominator).quantize(Decimal("0.001"))

    @property
    def percent(self) -> str:
        value = self.value
        return "—" if value is None else f"{value * 100:.1f}%"


@dataclass(frozen=True)
class Filters:
    prefix: str = ""  # region scope prefix ("61" the province, "6101" Xi'an, "610113" Yanta)
    item_code: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


def _cases(f: Filters, on: str = "submitted_at") -> QuerySet[Application]:
    cases = Application.objects.filter(region__code__startswith=f.prefix)
    if f.item_code:
        cases = cases.filter(item_code=f.item_code)
    if f.since:
        cases = cases.filter(**{f"{on}__date__gte": f.since})
    if f.until:
        cases = cases.filter(**{f"{on}__date__lte": f.until})
    return cases


def _items(f: Filters) -> list[ServiceItem]:
    items = catalogue.items_current()
    return [i for i in items if not f.item_code or i.code == f.item_code]


def indicators(filters: Filters) -> list[Indicator]:
    f = filters
    items = _items(f)
    online = [i for i in items if "online" in i.channels and i.visits_required == 0]
    legal = sum(i.legal_limit_days for i in items)
    promised = sum(i.promised_limit_days for i in items)

    filed = _cases(f)
    # Visits a case needed: one when filed at the counter, else what the item requires.
    required = {i.code: i.visits_required for i in catalogue.items_current()}
    visits: Counter[str] = Counter()
    by_channel: Counter[str] = Counter()
    replaced = materials = 0
    versions: dict[tuple[str, int], int] = {}
    for code, version, channel, licences in filed.values_list(
        "item_code", "item_version", "channel", "licences"
    ):
        need = max(required.get(code, 0), 1 if channel == Channel.COUNTER else 0)
        visits["zero" if need == 0 else "one" if need == 1 else "more"] += 1
        by_channel[channel] += 1
        if (code, version) not in versions:
            versions[code, version] = len(catalogue.item_get(code=code, version=version).materials)
        materials += versions[code, version]
        replaced += sum(1 for row in licences or [] if row.get("status") == "found")
    total = sum(by_channel.values())

    decided = _cases(f, on="completed_at").filter(status__in=DECIDED, completed_at__isnull=False)
    timing = decided.aggregate(
        n=Count("pk"), on_time=Count("pk", filter=Q(completed_at__date__lte=F("deadline")))
    )

    reviews = Review.objects.filter(round=1, excluded=False, region__code__startswith=f.prefix)
    if f.item_code:
        reviews = reviews.filter(item_code=f.item_code)
    if f.since:
        reviews = reviews.filter(created_at__date__gte=f.since)
    if f.until:
        reviews = reviews.filter(created_at__date__lte=f.until)
    done = (RectificationStatus.RECTIFIED, RectificationStatus.CLOSED)
    rated = reviews.aggregate(
        n=Count("pk"),
        good=Count("pk", filter=Q(level__gte=4)),
        bad=Count("pk", filter=Q(level__lte=2)),
        fixed=Count("pk", filter=Q(level__lte=2, rectification__status__in=done)),
    )

    return [
        Indicator(
            "online_items",
            "全程网办事项占比",
            "Services fully online",
            "items with the online channel and 0 visits / current items",
            len(online),
            len(items),
            formula_zh="网上办理渠道且零跑动的事项数 / 现行事项数",
        ),
        Indicator(
            "zero_visit",
            "零跑动办件占比",
            "Cases with no visit",
            "cases filed online or by API for an item needing 0 visits / cases filed",
            visits["zero"],
            total,
            formula_zh="零跑动事项中网上或经接口提交的办件数 / 办件总数",
        ),
        Indicator(
            "at_most_one_visit",
            "最多跑一次办件占比",
            "Cases with at most one visit",
            "cases needing 0 or 1 visit (a counter filing is one) / cases filed",
            visits["zero"] + visits["one"],
            total,
            formula_zh="跑动0次或1次的办件数（窗口提交计1次） / 办件总数",
        ),
        Indicator(
            "limit_compression",
            "承诺时限压缩比",
            "Time limits compressed",
            "sum(legal days - promised days) / sum(legal days), current items",
            legal - promised,
            legal,
            formula_zh="Σ（法定时限 − 承诺时限） / Σ法定时限（现行事项）",
        ),
        Indicator(
            "materials_replaced",
            "材料免提交占比",
            "Materials replaced by shared data or e-licences",
            "materials the platform obtained itself / materials the cases' items list",
            replaced,
            materials,
            formula_zh="平台自行获取的材料数 / 办件所属事项要求的材料数",
        ),
        Indicator(
            "on_time",
            "按时办结率",
            "Decided on time",
            "cases decided by their deadline / cases decided",
            timing["on_time"],
            timing["n"],
            formula_zh="按期办结的办件数 / 已办结的办件数",
        ),
        Indicator(
            "satisfaction",
            "满意率",
            "Satisfaction",
            "first ratings at 4 or 5 / first ratings (malicious ones left out)",
            rated["good"],
            rated["n"],
            formula_zh="首次评价为4或5分的数量 / 首次评价数（不含恶意评价）",
        ),
        Indicator(
            "rectification",
            "差评整改率",
            "Bad reviews rectified",
            "ratings at 1 or 2 rectified / ratings at 1 or 2",
            rated["fixed"],
            rated["bad"],
            formula_zh="已整改的1或2分评价数 / 1或2分评价数",
        ),
        *(
            Indicator(
                f"channel_{channel.value}",
                f"渠道占比：{zh}",
                f"Channel share: {en}",
                f"cases filed {en} / cases filed",
                by_channel[channel.value],
                total,
                formula_zh=f"{zh}提交的办件数 / 办件总数",
            )
            for channel, zh, en in (
                (Channel.ONLINE, "网上", "online"),
                (Channel.COUNTER, "窗口", "at a counter"),
                (Channel.API, "移动端或自助终端", "by app or kiosk"),
            )
        ),
    ]


def as_dict(indicator: Indicator) -> dict[str, Any]:
    return {
        "code": indicator.code,
        "name_zh": indicator.name_zh,
        "name_en": indicator.name_en,
        "formula": indicator.formula,
        "numerator": indicator.numerator,
        "denominator": indicator.denominator,
        "value": None if indicator.value is None else str(indicator.value),
    }
