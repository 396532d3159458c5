"""The decision makers' dashboards: each chart drawn from the rollups with its table beside
it, CSV and XLSX export, region scope applied."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from onestop.dashboards import selectors
from onestop.dashboards.rollup import METRICS

#: chart id: (title, [(series key, label)])
CHARTS: list[tuple[str, Any, list[tuple[str, Any]]]] = [
    (
        "insured",
        gettext_lazy("Insured persons and employers"),
        [("insured", gettext_lazy("Insured persons")), ("employers", gettext_lazy("Employers"))],
    ),
    (
        "collection",
        gettext_lazy("Contributions due, paid and in arrears"),
        [
            ("due", gettext_lazy("Due")),
            ("paid", gettext_lazy("Paid")),
            ("arrears", gettext_lazy("Arrears")),
        ],
    ),
    (
        "fund",
        gettext_lazy("Pension fund income and expenditure"),
        [
            ("contributions_posted", gettext_lazy("Income: contributions posted")),
            ("pension_paid", gettext_lazy("Expenditure: pensions paid")),
        ],
    ),
    (
        "pensioners",
        gettext_lazy("Pensioners and contributors per pensioner"),
        [
            ("pensioners", gettext_lazy("Pensioners paid")),
            ("contributors_per_pensioner", gettext_lazy("Contributors per pensioner")),
        ],
    ),
    (
        "channels",
        gettext_lazy("Service volumes by channel"),
        [
            ("cases_online", gettext_lazy("Online")),
            ("cases_counter", gettext_lazy("Counter")),
            ("cases_api", gettext_lazy("App")),
        ],
    ),
    (
        "quality",
        gettext_lazy("Time limits and satisfaction"),
        [
            ("on_time_share", gettext_lazy("Decided on time")),
            ("satisfied_share", gettext_lazy("Satisfied")),
        ],
    ),
]


def _range(request: HttpRequest) -> tuple[int, int]:
    return selectors.month_range(request.GET.get("since", ""), request.GET.get("until", ""))


def _header(column: str) -> str:
    if column == "arrears":
        return _("Arrears")
    if column == "contributors_per_pensioner":
        return _("Contributors per pensioner")
    zh, en, _what = METRICS[column]
    return zh if (get_language() or "").startswith("zh") else en


def _label(period: int) -> str:
    return f"{period // 100}-{period % 100:02d}"


def _charts(board: selectors.Dashboard) -> list[dict[str, Any]]:
    """Each chart: bars scaled to its own largest value (a ratio series to its own), and the
    table rows beside it."""
    charts = []
    for chart_id, title, series in CHARTS:
        scale = {
            key: max((abs(Decimal(v[key] or 0)) for _p, v in board.months), default=Decimal(0))
            for key, _title in series
        }
        bars = []
        for i, (period, values) in enumerate(board.months):
            for j, (key, _title) in enumerate(series):
                value = Decimal(values.get(key) or 0)
                height = int(abs(value) / scale[key] * 100) if scale[key] else 0
                width = 36 // len(series)
                bars.append(
                    {
                        "x": 8 + i * 44 + j * width,
                        "w": width - 2,
                        "h": height,
                        "y": 110 - height,
                        "series": j,
                        "title": f"{_label(period)} {key} {value}",
                    }
                )
        charts.append(
            {
                "id": chart_id,
                "title": title,
                "series": series,
                "bars": bars,
                "width": 16 + 44 * len(board.months),
                "labels": [(8 + i * 44, _label(p)) for i, (p, _v) in enumerate(board.months)],
                "rows": [
                    (_label(p), [values.get(key) for key, _title in series])
                    for p, values in board.months
                ],
            }
        )
    return charts


@require_GET
@login_required
def dashboards_view(request: HttpRequest) -> HttpResponse:
    prefix = selectors.scope_of(request.user)
    since, until = _range(request)
    board = selectors.dashboard(prefix=prefix, since=since, until=until)
    return render(
        request,
        "dashboards/dashboards.html",
        {
            "charts": _charts(board),
            "regions": [
                (region, [values.get(c) for c in selectors.REGION_COLUMNS])
                for region, values in board.regions
            ],
            "region_headers": [_header(c) for c in selectors.REGION_COLUMNS],
            "month": _label(board.month) if board.month else None,
            "since": _label(since),
            "until": _label(until),
        },
    )


def _table(board: selectors.Dashboard, which: str) -> tuple[list[str], list[list[Any]]]:
    if which == "regions":
        header = ["region_code", "region", *selectors.REGION_COLUMNS]
        rows = [
            [r.code, r.name, *(values.get(c) for c in selectors.REGION_COLUMNS)]
            for r, values in board.regions
        ]
        return header, rows
    header = ["month", *selectors.MONTHLY_COLUMNS]
    rows = [
        [_label(p), *(values.get(c) for c in selectors.MONTHLY_COLUMNS)]
        for p, values in board.months
    ]
    return header, rows


@require_GET
@login_required
def export_view(request: HttpRequest, fmt: str) -> HttpResponse:
    """The dashboards' tables as CSV (UTF-8 with BOM, opens in Excel) or XLSX."""
    prefix = selectors.scope_of(request.user)
    since, until = _range(request)
    which = request.GET.get("table", "monthly")
    if which not in ("monthly", "regions") or fmt not in ("csv", "xlsx"):
        raise Http404(_("No such export."))
    board = selectors.dashboard(prefix=prefix, since=since, until=until)
    header, rows = _table(board, which)
    name = f"dashboard-{which}-{_label(since)}-{_label(until)}"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows([["" if v is None else str(v) for v in row] for row in rows])
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv")
    else:
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = which
        sheet.append(header)
        for row in rows:
            sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
        out = io.BytesIO()
        book.save(out)
        response = HttpResponse(
            out.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
