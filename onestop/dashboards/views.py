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
    if column == "on_time_share":
        return _("Share decided on time")
    if column == "satisfied_share":
        return _("Share of satisfied ratings")
    zh, en, _what = METRICS[column]
    return zh if (get_language() or "").startswith("zh") else en


def _label(period: int) -> str:
    return f"{period // 100}-{period % 100:02d}"


#: Each series' unit: series of one unit share one scale (persons and employers are both
#: counted), a chart with two units gets an axis for each (left and right).
UNITS = {
    "insured": "count",
    "employers": "count",
    "pensioners": "count",
    "cases_online": "count",
    "cases_counter": "count",
    "cases_api": "count",
    "due": "yuan",
    "paid": "yuan",
    "arrears": "yuan",
    "contributions_posted": "yuan",
    "pension_paid": "yuan",
    "contributors_per_pensioner": "ratio",
    "on_time_share": "share",
    "satisfied_share": "share",
}
UNIT_LABELS = {
    "count": gettext_lazy("number"),
    "yuan": gettext_lazy("yuan"),
    "ratio": gettext_lazy("persons per pensioner"),
    "share": gettext_lazy("share (1 = 100%)"),
}

#: Geometry of a chart (SVG user units).
TOP, PLOT_HEIGHT, LEFT, RIGHT_AXIS, STEP = 14, 120, 64, 64, 44


def _nice(high: Decimal) -> Decimal:
    """A round top for an axis at or above ``high`` (1, 2 or 5 times a power of ten)."""
    if high <= 0:
        return Decimal(1)
    power = Decimal(10) ** (len(str(int(high))) - 1) if high >= 1 else Decimal("0.1")
    for step in (1, 2, 5, 10):
        if high <= power * step:
            return power * step
    return power * 10


def _charts(board: selectors.Dashboard) -> list[dict[str, Any]]:
    """Each chart: bars on one scale per unit (a second unit gets the right-hand axis), axes
    with ticks and the unit, a legend, and the table rows beside it."""
    charts = []
    for chart_id, title, series in CHARTS:
        units = list(dict.fromkeys(UNITS[key] for key, _t in series))
        tops = {
            unit: _nice(
                max(
                    (
                        abs(Decimal(v[key] or 0))
                        for _p, v in board.months
                        for key, _t in series
                        if UNITS[key] == unit
                    ),
                    default=Decimal(0),
                )
            )
            for unit in units
        }
        bottom = TOP + PLOT_HEIGHT
        width = 36 // len(series)
        bars = []
        for i, (period, values) in enumerate(board.months):
            for j, (key, label) in enumerate(series):
                value = Decimal(values.get(key) or 0)
                height = round(float(abs(value) / tops[UNITS[key]]) * PLOT_HEIGHT, 1)
                bars.append(
                    {
                        "x": LEFT + 4 + i * STEP + j * width,
                        "w": width - 2,
                        "h": height,
                        "y": round(bottom - height, 1),
                        "series": j,
                        "value": value,
                        "title": f"{_label(period)} {label}: {value} {UNIT_LABELS[UNITS[key]]}",
                    }
                )
        plot_right = LEFT + 8 + STEP * len(board.months)
        axes = [
            {
                "unit": UNIT_LABELS[unit],
                "x": LEFT if side == 0 else plot_right,
                "anchor": "end" if side == 0 else "start",
                "label_x": LEFT - 6 if side == 0 else plot_right + 6,
                "ticks": [
                    {"y": round(bottom - PLOT_HEIGHT * f, 1), "value": _tick(tops[unit] * f)}
                    for f in (Decimal(0), Decimal("0.5"), Decimal(1))
                ],
            }
            for side, unit in enumerate(units[:2])
        ]
        charts.append(
            {
                "id": chart_id,
                "title": title,
                "series": [
                    (
                        key,
                        label,
                        UNIT_LABELS[UNITS[key]],
                        "right" if units.index(UNITS[key]) else "",
                    )
                    for key, label in series
                ],
                "bars": bars,
                "axes": axes,
                "top": TOP,
                "bottom": bottom,
                "plot_right": plot_right,
                "width": plot_right + (RIGHT_AXIS if len(units) > 1 else 16),
                "height": bottom + 34,
                "labels": [
                    (LEFT + 4 + i * STEP, _label(p)) for i, (p, _v) in enumerate(board.months)
                ],
                "rows": [
                    (
                        _("%(month)s (in progress, not closed)") % {"month": _label(p)}
                        if p == board.open_month
                        else _label(p),
                        [values.get(key) for key, _title in series],
                    )
                    for p, values in board.months
                ],
            }
        )
    return charts


def _tick(value: Decimal) -> str:
    """An axis tick: whole numbers without decimals, small ones with up to two."""
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.normalize():f}"


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
            "open_month": _label(board.open_month) if board.open_month else None,
            "open_collection": board.open_collection,
            "since": _label(since),
            "until": _label(until),
        },
    )


def _table(board: selectors.Dashboard, which: str) -> tuple[list[str], list[list[Any]]]:
    """A table's header in the reader's language (as the page's), and its rows."""
    if which == "regions":
        header = [
            _("Region code"),
            _("Region"),
            *(_header(c) for c in selectors.REGION_COLUMNS),
        ]
        rows = [
            [r.code, r.shown_name, *(values.get(c) for c in selectors.REGION_COLUMNS)]
            for r, values in board.regions
        ]
        return header, rows
    header = [_("Month"), *(_header(c) for c in selectors.MONTHLY_COLUMNS)]
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
        sheet.title = _("By region") if which == "regions" else _("By month")
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
