"""Charts a decision maker can read (issue #24): each chart has a value axis with its unit
(two units: one axis each, left and right), a month axis with its unit, one scale per unit,
and its table beside it. The test reads the rendered geometry and keeps a screenshot."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.test_applications import sign_in


def _months() -> tuple[int, int]:
    """Last month and this one (YYYYMM), from the test's clock."""
    today = timezone.localdate()
    this = today.year * 100 + today.month
    last = this - 1 if today.month > 1 else (today.year - 1) * 100 + 12
    return last, this


def _figures(world: Any) -> tuple[int, int]:
    """27 insured persons and 2 employers in Yanta each month, 3 pensioners this month."""
    from onestop.dashboards.models import Figure

    last, this = _months()
    yanta = world.regions["610113"]
    values = {
        last: {"insured": 25, "employers": 2, "due": 1000, "paid": 800, "pensioners": 0},
        this: {"insured": 27, "employers": 2, "due": 1000, "paid": 1000, "pensioners": 3},
    }
    for period, metrics in values.items():
        for metric, value in metrics.items():
            Figure.objects.create(
                region=yanta,
                period=period,
                metric=metric,
                value=Decimal(value),
                updated_at=timezone.now(),
            )
    return last, this


def _box(locator: Any) -> dict[str, float]:
    box: dict[str, float] | None = locator.bounding_box()
    assert box is not None
    return box


def test_the_dashboard_charts_have_axes_units_and_one_scale_per_unit(
    world: Any, page: Any, tmp_path: Path
) -> None:
    """Persons and employers share the count scale: 27 persons are drawn 13.5 times as tall
    as 2 employers, with an axis from 0 to 50 "人数"; money has its axis in yuan; the
    pensioners chart has two units, two axes (left and right) with their units; every chart
    names its month axis; the screenshot is saved next to the test's files."""
    last, this = _figures(world)
    sign_in(page, "sam", world.sam)
    page.goto("/dashboards/")
    insured = page.locator("#chart-insured svg")
    expect(insured).to_be_visible()
    page.screenshot(path=str(tmp_path / "dashboards.png"), full_page=True)
    insured.screenshot(path=str(tmp_path / "chart-insured.png"))
    assert (tmp_path / "dashboards.png").stat().st_size > 0

    # Both series on one scale: heights in proportion to the values.
    persons = insured.locator("rect.series-0").last
    employers = insured.locator("rect.series-1").last
    expect(persons).to_have_attribute("data-value", "27")
    expect(employers).to_have_attribute("data-value", "2")
    persons_height, employers_height = _box(persons)["height"], _box(employers)["height"]
    assert abs(persons_height / employers_height - 27 / 2) < 0.5

    # The value axis: its unit on top, ticks 0, 25 and 50 from bottom to top, and the bar of
    # 27 ends just above the middle tick (27 of 50).
    axis = insured.locator("g.axis")
    expect(axis).to_have_count(1)
    expect(axis.locator("text.unit")).to_have_text("数量")
    ticks = axis.locator("text:not(.unit)")
    expect(ticks).to_have_text(["0", "25", "50"])
    zero, top = _box(ticks.nth(0)), _box(ticks.nth(2))
    bar = _box(persons)
    plot = (zero["y"] + zero["height"] / 2) - (top["y"] + top["height"] / 2)
    assert abs(bar["height"] / plot - 27 / 50) < 0.02
    assert abs((bar["y"] + bar["height"]) - (zero["y"] + zero["height"] / 2)) < 2
    # The axis labels sit left of the bars, the months under them, the month axis named.
    assert top["x"] + top["width"] <= bar["x"]
    months = insured.locator("text.month")
    expect(months).to_have_text([f"{m // 100 % 100:02d}-{m % 100:02d}" for m in (last, this)])
    assert _box(months.last)["y"] > bar["y"] + bar["height"]
    expect(insured.locator("text.x-unit")).to_have_text("月份（年-月）")

    # Money on its own axis, in yuan.
    collection = page.locator("#chart-collection svg")
    expect(collection.locator("g.axis text.unit")).to_have_text("元")

    # Two units in one chart: two axes, left and right of the bars, each with its unit.
    pensioners = page.locator("#chart-pensioners svg")
    axes = pensioners.locator("g.axis")
    expect(axes).to_have_count(2)
    expect(axes.locator("text.unit")).to_have_text(["数量", "人／每名领取人"])
    left, right = _box(axes.nth(0).locator("line").first), _box(axes.nth(1).locator("line").first)
    bars = pensioners.locator("rect")
    first_bar, last_bar = _box(bars.first), _box(bars.last)
    assert left["x"] <= first_bar["x"] and last_bar["x"] + last_bar["width"] <= right["x"] + 1
    # 27 insured for 3 pensioners this month, but the month is in progress and not closed:
    # no contributors-per-pensioner ratio is stated for it (no bar), and the page says why.
    ratio = pensioners.locator("rect.series-1").last
    expect(ratio).to_have_attribute("data-value", re.compile(r"^0(\.0+)?$"))
    expect(page.locator("#open-month")).to_be_visible()

    # Each chart keeps its table beside it: the text alternative.
    expect(page.locator("#table-insured tbody tr").last).to_contain_text("27")
    expect(page.locator("#chart-insured figcaption .legend li")).to_have_count(2)
